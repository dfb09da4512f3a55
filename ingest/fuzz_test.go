package ingest

import (
	"strings"
	"testing"

	"github.com/feeflow/feeflow/ingest/profiles"
)

// FuzzProfile feeds arbitrary profiles (both forms) and header rows to the
// header resolution and to a profile's plan: no panic; every column found
// points inside the header; a required column reported missing is really
// not found; a plan reads any line without panicking.
func FuzzProfile(f *testing.F) {
	f.Add(`{"txn_id": "Merchant Order", "amount": "Amt"}`, "Merchant Order,Trade Time,Amt")
	f.Add(`{}`, "txn_id,paid_at,fee_item,amount,method")
	f.Add(`{"amount": ""}`, ",,,")
	f.Add(`[1,2]`, "交易號,收費時間,實收金額")
	f.Add(`{"columns": {"amount": {"credit": "收入", "debit": "支出"}, "settled_at": {"date": "日期", "time": "时间"}}, "constants": {"channel": "bank"}, "derive_key": true}`, "日期,时间,收入,支出")
	f.Add(`{"columns": {"amount": "金额", "settled_at": "时间", "settlement_id": "ID"}, "status": {"column": "状态", "received": ["/^成功/"], "drop": {"关闭": "closed"}}, "refund": {"amount": "退款"}}`, "ID,时间,金额,退款,状态")
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
			if p == nil || p.Legacy() {
				continue
			}
			pl, err := p.Compile(k.target(), header, profiles.Options{})
			if err != nil {
				continue
			}
			out := make([]string, len(k.columns))
			for _, line := range []string{headerLine, strings.Repeat(",", len(header)), "合计," + headerLine, "`1,−2.000,¥3,115/09/01"} {
				v := pl.Apply(strings.Split(line, ","), out)
				if v.Outcome == profiles.Reject && v.Reason == "" {
					t.Fatalf("%s: rejected line %q without a reason", k.Name, line)
				}
			}
			if kd := pl.KeyDeriver(); kd != nil && kd.Next(header) == kd.Next(header) {
				t.Fatalf("%s: two identical rows share a derived key", k.Name)
			}
		}
	})
}
