package ingest

import (
	"strings"
	"testing"
)

// FuzzProfile feeds arbitrary mapping profiles and header rows to the
// header resolution: no panic; every column found points inside the header;
// a required column reported missing is really not found.
func FuzzProfile(f *testing.F) {
	f.Add(`{"txn_id": "Merchant Order", "amount": "Amt"}`, "Merchant Order,Trade Time,Amt")
	f.Add(`{}`, "txn_id,paid_at,fee_item,amount,method")
	f.Add(`{"amount": ""}`, ",,,")
	f.Add(`[1,2]`, "交易號,收費時間,實收金額")
	f.Fuzz(func(t *testing.T, profileJSON, headerLine string) {
		p, err := ParseProfile([]byte(profileJSON))
		if err != nil {
			return
		}
		for _, k := range kinds {
			if k.checkProfile(p) != nil {
				continue
			}
			header := strings.Split(headerLine, ",")
			idx, errs := k.resolveHeader(header, p)
			if len(idx) != len(k.columns) {
				t.Fatalf("%s: %d indexes for %d columns", k.Name, len(idx), len(k.columns))
			}
			missing := map[string]bool{}
			for _, e := range errs {
				if e.Row != 1 || e.Message == "" {
					t.Fatalf("%s: header problem %+v", k.Name, e)
				}
				missing[e.Column] = true
			}
			for ci, i := range idx {
				if i >= len(header) {
					t.Fatalf("%s: column %s at %d, header has %d", k.Name, k.columns[ci].name, i, len(header))
				}
				if i < 0 && k.columns[ci].required && !missing[k.columns[ci].name] {
					t.Fatalf("%s: required column %s not found and not reported", k.Name, k.columns[ci].name)
				}
			}
			_ = k.knowsHeader(p)
		}
	})
}
