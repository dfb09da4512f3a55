package site_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/site"
)

// addTariffVersionAndNames gives the fixture's fee items a Chinese name, and
// MGMT a second version from 2026-03-01, as finance would upload a new rate.
func addTariffVersionAndNames(t testing.TB) func(dir string) {
	return func(dir string) {
		path := filepath.Join(dir, "fee_items.csv")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(strings.TrimPrefix(string(raw), "\ufeff"), "\n"), "\n")
		zh := map[string]string{"MGMT": "管理費", "WATER": "水費", "PARK": "月租車位", "PDAY": "臨停日票", "CARD": "門禁卡補發"}
		// the generator's file: code,name,unit,rate,effective_from,effective_to,name_zh,unit_zh
		out := []string{lines[0]}
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			f[6] = zh[f[0]]
			out = append(out, strings.Join(f, ","))
		}
		out = append(out, "MGMT,Management fee,m2/month,7.20,2026-03-01,,管理費,每平方公尺每月")
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFiguresCannotMislead builds the fixture as of a day inside its last
// month and reads the pages as a finance director would.
func TestFiguresCannotMislead(t *testing.T) {
	dir := t.TempDir()
	m, store := openFixture(t, dir, addTariffVersionAndNames(t))
	defer store.Close()
	out := filepath.Join(dir, "site")
	asOf := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	if _, err := site.Build(context.Background(), m, site.Options{Out: out, AsOf: asOf, Now: fixtureNow, Currency: "TWD"}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		page, want, why string
	}{
		{"en/collection.html", "Mar 2026 (still collecting)", "the month of the as-of day is still collecting where its rate is compared"},
		{"zh-Hant/collection.html", "2026年3月（仍在收費中）", "the mark in Traditional Chinese"},
		{"en/index.html", "this month is still collecting", "the collection rate card says its month is immature"},
		{"en/collection.html", "Billed (TWD)", "amounts name the organisation's currency in the heading"},
		{"en/fees.html", "7.20", "the new rate is published"},
		{"en/fees.html", "6.50", "the old rate stays in the history"},
		{"en/data/fees_history.csv", "MGMT,Management fee,m2/month,7.20,0.70,2026-03-01", "the history shows the change from the previous version"},
		{"en/data/fees_history.csv", "MGMT,Management fee,m2/month,6.50,,2025-01-01,2026-02-28", "the old version ends the day before the new one starts"},
		{"zh-Hant/fees.html", "管理費", "fee items in the reader's language"},
		{"zh-Hant/collection.html", "水費", "fee item names in charts and tables in the reader's language"},
		{"en/collection.html", "Water", "English readers keep the English name"},
		{"index.html", "Built 1 Apr 2026 08:30 (Asia/Taipei)", "the build time in the organisation's zone, on the language picker"},
		{"en/improvement.html", "Latest 4 weeks", "improvement shows the latest weeks"},
		{"zh-Hant/exceptions.html", "已上呈", "escalated reads as Taiwan writes it"},
	}
	for _, c := range cases {
		if !strings.Contains(read(c.page), c.want) {
			t.Errorf("%s lacks %q: %s", c.page, c.want, c.why)
		}
	}
	for _, page := range []string{"zh-Hant/index.html", "zh-Hant/collection.html", "zh-Hant/reconciliation.html", "zh-Hant/exceptions.html", "zh-Hant/fees.html"} {
		body := read(page)
		for _, bad := range []string{"賬", "信用卡", "已升級", "(none)", "（無）"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", page, bad)
			}
		}
	}
	if strings.Contains(read("en/reconciliation.html"), "(none)") {
		t.Errorf("en/reconciliation.html prints (none) in an empty cell")
	}
}
