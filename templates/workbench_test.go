package templates

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workbenchBase is the workbench as an analyst opens it, with a saved
// query whose title tries to break out of the page.
func workbenchBase(lang string) WorkbenchPage {
	return WorkbenchPage{
		Desk: Desk{Lang: lang, User: "ann", CSRF: "c0ffee", Path: "/sql", Pages: []DeskLink{{Path: "/sql", Key: "desk.workbench"}, {Path: "/", Key: "desk.dashboard"}}},
		Views: []WorkbenchRelation{{Name: "collection_monthly", Comment: "Collection by billing period and fee item.", Columns: []WorkbenchColumn{
			{Name: "period", Type: "VARCHAR", Comment: "Billing period, YYYY-MM."},
			{Name: "billed", Type: "DECIMAL(38,2)", Comment: "Amount due net of discounts."},
		}}},
		Tables:   []WorkbenchRelation{{Name: "payments", Columns: []WorkbenchColumn{{Name: "amount", Type: "DECIMAL(18,2)"}}}},
		Macros:   []WorkbenchMacro{{Name: "arrears_aging", Table: true, Parameters: []string{"as_of"}, Comment: "Outstanding by age."}, {Name: "local_day", Parameters: []string{"ts"}}},
		Examples: []WorkbenchExample{{Title: "The finance summary of each month", SQL: "SELECT * FROM finance_summary ORDER BY period"}},
		Saved: []WorkbenchSaved{
			{ID: 2, Title: `</script><script>alert(1)</script>`, SQL: "SELECT '<b>' AS x", Author: "bo", Date: "2026-11-27 17:30"},
			{ID: 1, Title: "收費率", SQL: "SELECT period, collection_rate\nFROM collection_monthly", Author: "ann", Date: "2026-11-26 09:00", MayDelete: true},
		},
		RowLimit: 10000, DownloadRows: 100000, ByteLimit: "64 MiB", Timeout: "30s", MaxTitle: 200, MaxSQL: 65536,
	}
}

// The workbench, one expected HTML file per language.
func TestWorkbenchPageSnapshots(t *testing.T) {
	for _, lang := range DeskLangs {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := Workbench(workbenchBase(lang)).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			if strings.Contains(page, "<script>alert") || strings.Contains(page, "'<b>'") {
				t.Errorf("a saved query's text is not escaped")
			}
			file := filepath.Join("testdata", "workbench", lang+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test ./templates -update to write it)", err)
			}
			if page != string(want) {
				t.Errorf("the %s page differs from %s (go test ./templates -update rewrites it after a deliberate change):\n%s", lang, file, page)
			}
		})
	}
}

// Every text of the workbench reads in all three languages, with the same
// blanks to fill, Traditional as Taiwan writes it and Simplified as the
// mainland does.
func TestWorkbenchCatalog(t *testing.T) {
	const simplifiedOnly = "执运数询储删载图类轴题为这里会说库点击仅显处还没设户账们选择时间"
	const traditionalOnly = "執運數詢儲刪載圖類軸題為這裡會說庫點擊僅顯處還沒設戶帳賬們選擇時間"
	for key, texts := range WorkbenchCatalog {
		for i, s := range texts {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: text %d is empty", key, i)
			}
			if n := strings.Count(s, "%s"); n != strings.Count(texts[0], "%s") {
				t.Errorf("%s: %q has %d blanks, the English %d", key, s, n, strings.Count(texts[0], "%s"))
			}
		}
		if strings.ContainsAny(texts[1], simplifiedOnly) || strings.Contains(texts[1], "賬") {
			t.Errorf("%s: the Traditional text %q is not as Taiwan writes it", key, texts[1])
		}
		if strings.ContainsAny(texts[2], traditionalOnly) {
			t.Errorf("%s: the Simplified text %q holds Traditional forms", key, texts[2])
		}
	}
	// Every text the page uses is in the catalog (T returns an unknown key as itself).
	var b bytes.Buffer
	if err := Workbench(workbenchBase("zh-Hant")).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	for key := range WorkbenchCatalog {
		if strings.Contains(b.String(), ">"+key+"<") {
			t.Errorf("the page shows the key %q instead of its text", key)
		}
	}
	if got := grouped(1234567); got != "1,234,567" {
		t.Errorf("grouped(1234567) = %q", got)
	}
}
