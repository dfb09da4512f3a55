package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A file's kind is certain from its header when one kind reads all of it,
// or from a built-in statement profile; otherwise the clerk chooses among
// the candidates.
func TestDetect(t *testing.T) {
	in, _ := testIngester(t)
	wechat, err := os.ReadFile(filepath.Join("profiles", "testdata", "wechat-pay-trade", "sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file string
		body       []byte
		kind       string
		profile    string
		candidate  string // a kind that must be among the candidates
	}{
		{"fee items", "f.csv", csvLines("code,name,unit,rate,effective_from,effective_to", "MGMT,Management,m2,2.50,2025-01-01,"), "fee_items", "", "fee_items"},
		{"payments in Chinese", "p.csv", csvLines("交易號,收費時間,客戶編號,賬單號,收費項目,實收金額,支付方式", "P1,2026-09-01 10:00,C1,B1,MGMT,1.00,現金"), "payments", "", "payments"},
		{"bills in Simplified", "b.csv", csvLines("账单号,客户编号,收费项目,账期,应收金额,到期日", "B1,C1,MGMT,2026-09,1.00,2026-09-15"), "bills", "", "bills"},
		{"a WeChat Pay bill", "w.csv", wechat, "settlements", "wechat-pay-trade", "settlements"},
		// Only customer_id is known: customers could read it, but not all of it.
		{"ambiguous", "x.csv", csvLines("customer_id,colour", "C1,blue"), "", "", "customers"},
		{"nothing known", "y.csv", csvLines("hello,world", "1,2"), "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := in.Detect(context.Background(), Upload{Path: writeFile(t, tt.file, tt.body), FileName: tt.file})
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != tt.kind || d.Profile != tt.profile {
				t.Errorf("Detect(%s) = kind %q profile %q (candidates %v), want %q %q", tt.name, d.Kind, d.Profile, d.Candidates, tt.kind, tt.profile)
			}
			if tt.candidate != "" && !slices.Contains(d.Candidates, tt.candidate) {
				t.Errorf("Detect(%s) candidates = %v, want %s among them", tt.name, d.Candidates, tt.candidate)
			}
			if tt.candidate == "" && len(d.Candidates) != 0 {
				t.Errorf("Detect(%s) candidates = %v, want none", tt.name, d.Candidates)
			}
		})
	}
	if _, err := in.Detect(context.Background(), Upload{Path: writeFile(t, "e.csv", nil), FileName: "e.csv"}); ErrorCode(err) != BadFile {
		t.Errorf("Detect(empty file) error = %v, want a bad file", err)
	}
}

// Columns are the kind's own: names in declared order, required ones marked.
func TestKindColumns(t *testing.T) {
	k, _ := KindByName("bills")
	var names []string
	var required []string
	for _, c := range k.Columns() {
		names = append(names, c.Name)
		if c.Required {
			required = append(required, c.Name)
		}
	}
	if want := []string{"bill_id", "customer_id", "fee_item", "period", "amount_due", "discount", "due_date"}; !slices.Equal(names, want) {
		t.Errorf("bills columns = %v, want %v", names, want)
	}
	if want := []string{"bill_id", "customer_id", "fee_item", "period", "amount_due", "due_date"}; !slices.Equal(required, want) {
		t.Errorf("bills required columns = %v, want %v (discount has a default)", required, want)
	}
}
