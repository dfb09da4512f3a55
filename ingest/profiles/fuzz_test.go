package profiles

import (
	"strings"
	"testing"
)

// FuzzFindHeader feeds arbitrary file heads to header finding and built-in
// recognition: no panic; a header found is one of the lines given and holds
// every header the profile names; a line not found is reported with the
// first line's number.
func FuzzFindHeader(f *testing.F) {
	f.Add("中国某银行交易明细\n交易日期,交易时间,交易金额\n20260901,100000,5.00", `{"columns": {"amount": "交易金额", "settled_at": {"date": "交易日期", "time": "交易时间"}}}`)
	f.Add("交易时间,公众账号ID,微信订单号,商户订单号,交易状态,微信退款单号,商户退款单号,退款状态\n`x", `{}`)
	f.Add("a,b\n", `{"header_row": 2, "columns": {"amount": "b"}}`)
	f.Fuzz(func(t *testing.T, head, profileJSON string) {
		var lines []Line
		for i, l := range strings.Split(head, "\n") {
			if i >= MaxHeaderSearch {
				break
			}
			lines = append(lines, Line{Row: i + 1, Cells: strings.Split(l, ",")})
		}
		Detect("settlements", lines)
		Resemble(lines)
		p, err := Parse([]byte(profileJSON))
		if err != nil {
			return
		}
		i, err := p.FindHeader(lines, settlements)
		if err != nil {
			if nf, ok := err.(*HeaderNotFoundError); ok && len(lines) > 0 && nf.Row != lines[0].Row {
				t.Fatalf("header not found reported on line %d, first line is %d", nf.Row, lines[0].Row)
			}
			return
		}
		if i < 0 || i >= len(lines) {
			t.Fatalf("header index %d of %d lines", i, len(lines))
		}
		if p.HeaderRow > 0 {
			return
		}
		set := cellSet(lines[i].Cells)
		for _, c := range p.Columns {
			for _, h := range []string{c.Date, c.Time, c.Credit, c.Debit} {
				if h != "" && !set[NormHeader(h)] {
					t.Fatalf("header line %d lacks %q", lines[i].Row, h)
				}
			}
		}
	})
}
