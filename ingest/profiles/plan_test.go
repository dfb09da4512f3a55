package profiles

import (
	"errors"
	"strings"
	"testing"
)

// settlements mirrors the settlements kind of package ingest.
var settlements = Target{Kind: "settlements", Key: "settlement_id", Amount: "amount", Columns: []TargetColumn{
	{Name: "settlement_id", Aliases: []string{"结算编号"}, Required: true},
	{Name: "channel", Aliases: []string{"渠道"}, Required: true},
	{Name: "txn_ref", Aliases: []string{"商户订单号"}},
	{Name: "amount", Aliases: []string{"金额"}, Required: true, Type: Money},
	{Name: "settled_at", Aliases: []string{"结算时间"}, Required: true, Type: Time},
	{Name: "fee", Aliases: []string{"手续费"}, Type: Money},
	{Name: "collector"},
	{Name: "refund_ref", Aliases: []string{"商户退款单号"}},
}}

func mustParse(t *testing.T, js string) *Profile {
	t.Helper()
	p, err := Parse([]byte(js))
	if err != nil {
		t.Fatalf("Parse(%s) = %v", js, err)
	}
	return p
}

// row is the outcome of one line, in a compact form for the tables.
func apply(t *testing.T, pl *Plan, line string) (Verdict, map[string]string) {
	t.Helper()
	out := make([]string, len(settlements.Columns))
	v := pl.Apply(strings.Split(line, ","), out)
	m := map[string]string{}
	for i, c := range settlements.Columns {
		if out[i] != "" {
			m[c.Name] = out[i]
		}
	}
	return v, m
}

func TestPlanApply(t *testing.T) {
	type want struct {
		outcome Outcome
		reason  string // a part of it
		values  map[string]string
	}
	for _, c := range []struct {
		name, profile, header string
		lines                 map[string]want
	}{
		{
			name:    "status words and refunds in another column",
			profile: `{"columns": {"settlement_id": "单号", "txn_ref": "订单", "amount": "金额", "settled_at": "时间"}, "constants": {"channel": "wechat"}, "status": {"column": "状态", "received": ["SUCCESS", "/^支付成功/"], "refund": ["REFUND"], "drop": {"REVOKED": "revoked"}}, "refund": {"amount": "退款金额", "refund_ref": "退款单号"}}`,
			header:  "单号,订单,金额,退款金额,退款单号,时间,状态",
			lines: map[string]want{
				"S1,O1,`10.00,0,0,2026-09-01 10:00:00,SUCCESS":     {outcome: Keep, values: map[string]string{"settlement_id": "S1", "channel": "wechat", "txn_ref": "O1", "amount": "10.00", "settled_at": "2026-09-01 10:00:00"}},
				"S2,O2,10.00,0,0,2026-09-01 10:00:00,支付成功（零钱）":     {outcome: Keep},
				"S3,O1,0.00,5.00,R1,2026-09-01 11:00:00,REFUND":    {outcome: Keep, values: map[string]string{"settlement_id": "S3", "channel": "wechat", "txn_ref": "O1", "amount": "-5.00", "refund_ref": "R1", "settled_at": "2026-09-01 11:00:00"}},
				"S4,O4,10.00,0,0,2026-09-01 10:00:00,REVOKED":      {outcome: Drop, reason: "revoked"},
				"S5,O5,10.00,0,0,2026-09-01 10:00:00,PAYERROR":     {outcome: Reject, reason: `status "PAYERROR" is not in the profile's status map`},
				"S6,O6,10.00,0,0,2026-09-01 10:00:00,":             {outcome: Reject, reason: `status ""`},
				"总交易单数,应结订单总金额":                                    {outcome: Skip, reason: "summary"},
				"#-----------------------------账务明细列表结束----------": {outcome: Skip, reason: "#"},
				"3,30.00": {outcome: Skip, reason: "short line"},
			},
		},
		{
			name:    "credit and debit columns, keep and drop rules, derived key",
			profile: `{"columns": {"amount": {"credit": "收入", "debit": "支出"}, "settled_at": {"date": "日期", "time": "时间"}, "txn_ref": "摘要"}, "constants": {"channel": "bank"}, "derive_key": true, "drop": [{"column": "摘要", "values": ["/^利息/"], "reason": "interest"}], "keep": [{"column": "币种", "values": ["人民币"]}]}`,
			header:  "日期,时间,摘要,收入,支出,余额,币种",
			lines: map[string]want{
				"20260901,093000,F1,+1000.00,,5000.00,人民币": {outcome: Keep, values: map[string]string{"channel": "bank", "txn_ref": "F1", "amount": "1000.00", "settled_at": "2026-09-01 09:30:00"}},
				"20260901,093000,F2,,200.00,4800.00,人民币":   {outcome: Drop, reason: "money paid out"},
				"20260901,093000,利息结息,3.00,,4803.00,人民币":   {outcome: Drop, reason: "interest"},
				"20260901,093000,F3,3.00,,4806.00,美元":      {outcome: Drop, reason: `币种 is "美元"`},
				"20260901,093000,F4,3.00,1.00,4806.00,人民币": {outcome: Reject, reason: "both the credit and the debit"},
				"合计,,,1003.00,200.00,,":                    {outcome: Skip, reason: "合计"},
			},
		},
		{
			name:    "direction column, value maps, ROC dates, currency column",
			profile: `{"columns": {"settlement_id": "序号", "amount": {"header": "金额", "direction": "借贷", "in": ["贷"], "out": ["借"]}, "settled_at": "日期", "channel": "渠道"}, "values": {"channel": {"/^中国银行/": "bank", "零钱": "wechat"}}, "dates": {"calendar": "roc"}, "currency": {"column": "币别", "default": "TWD"}}`,
			header:  "序号,日期,金额,借贷,渠道,币别",
			lines: map[string]want{
				"1,115/09/01,NT$1000,贷,中国银行(1234),TWD": {outcome: Keep, values: map[string]string{"settlement_id": "1", "channel": "bank", "amount": "1000", "settled_at": "2026-09-01 00:00:00"}},
				"2,115/09/02,500,贷,零钱,新台幣":             {outcome: Keep, values: map[string]string{"settlement_id": "2", "channel": "wechat", "amount": "500", "settled_at": "2026-09-02 00:00:00"}},
				"3,115/09/02,500,借,零钱,TWD":             {outcome: Drop, reason: "paid out"},
				"4,115/09/02,500,转,零钱,TWD":             {outcome: Reject, reason: "direction"},
				"5,115/09/02,500,贷,零钱,USD":             {outcome: Reject, reason: "in USD, the organisation's currency is TWD"},
				"6,115/09/02,US$500,贷,零钱,":             {outcome: Reject, reason: "in USD"},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, c.profile)
			pl, err := p.Compile(settlements, strings.Split(c.header, ","), Options{})
			if err != nil {
				t.Fatalf("Compile = %v", err)
			}
			for line, w := range c.lines {
				v, vals := apply(t, pl, line)
				if v.Outcome != w.outcome || !strings.Contains(v.Reason, w.reason) {
					t.Errorf("Apply(%q) = %+v, want outcome %d with %q", line, v, w.outcome, w.reason)
				}
				if w.values != nil {
					for k, want := range w.values {
						if vals[k] != want {
							t.Errorf("Apply(%q)[%s] = %q, want %q (all: %v)", line, k, vals[k], want, vals)
						}
					}
				}
			}
		})
	}
}

func TestCompileNamesEveryProblem(t *testing.T) {
	for _, c := range []struct {
		name, profile, header, want string
	}{
		{"missing header", `{"columns": {"amount": "Amt"}}`, "settlement_id,channel,settled_at", `the file has no column "Amt"`},
		{"unknown column", `{"columns": {"amont": "Amt"}}`, "Amt", `columns names "amont"`},
		{"required missing", `{"columns": {"amount": "Amt"}}`, "Amt", "required column settled_at is missing"},
		{"status unread", `{"columns": {"amount": "Amt", "settled_at": "T", "settlement_id": "ID"}, "constants": {"channel": "bank"}}`, "ID,T,Amt,交易状态", `status column "交易状态" that the profile does not read`},
		{"alternatives", `{"columns": {"amount": ["A", "B"]}}`, "C", `none of the columns "A", "B"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := mustParse(t, c.profile).Compile(settlements, strings.Split(c.header, ","), Options{})
			var ce *CompileError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Compile = %v, want a CompileError with %q", err, c.want)
			}
		})
	}
}

func TestFindHeader(t *testing.T) {
	lines := func(ls ...string) []Line {
		var out []Line
		for i, l := range ls {
			out = append(out, Line{Row: i + 1, Cells: strings.Split(l, ",")})
		}
		return out
	}
	p := mustParse(t, `{"columns": {"amount": "交易金额", "settled_at": {"date": "交易日期", "time": "交易时间"}}}`)
	file := lines("中国某银行交易明细", "账号:123,户名:某物业", "", "交易日期,交易时间,交易金额,余额", "20260901,100000,5.00,5.00")
	if i, err := p.FindHeader(file, settlements); err != nil || i != 3 {
		t.Errorf("FindHeader = %d, %v; want line 4", i, err)
	}
	given := mustParse(t, `{"header_row": 2, "columns": {"amount": "x"}}`)
	if i, err := given.FindHeader(file, settlements); err != nil || i != 1 {
		t.Errorf("FindHeader with header_row 2 = %d, %v", i, err)
	}
	// feeflow's own headers, below a title line.
	var none *Profile
	own := lines("Settlements September", "settlement_id,channel,amount,settled_at", "S1,bank,1.00,2026-09-01")
	if i, err := none.FindHeader(own, settlements); err != nil || i != 1 {
		t.Errorf("FindHeader(feeflow headers) = %d, %v", i, err)
	}
	_, err := p.FindHeader(lines("a,b,c", "1,2,3"), settlements)
	var nf *HeaderNotFoundError
	if !errors.As(err, &nf) || nf.Row != 1 || !strings.Contains(err.Error(), "line 1 reads: a | b | c") || !strings.Contains(err.Error(), `"交易金额"`) {
		t.Errorf("FindHeader(no header) = %v", err)
	}
}

func TestNormHeaderFoldsWidth(t *testing.T) {
	if NormHeader("收入金额（+元）") != NormHeader("收入金额(+元)") || NormHeader(" Transaction ID ") != "transaction_id" || NormHeader("`交易时间") != "交易时间" {
		t.Errorf("NormHeader does not fold width, case, spaces and backticks")
	}
}

func TestDerivedKeys(t *testing.T) {
	p := mustParse(t, `{"columns": {"amount": "金额", "settled_at": "日期", "txn_ref": "摘要"}, "constants": {"channel": "bank"}, "derive_key": true}`)
	pl, err := p.Compile(settlements, []string{"日期", "摘要", "金额", "余额"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(lines ...string) []string {
		kd := pl.KeyDeriver()
		var l []string
		for _, line := range lines {
			l = append(l, kd.Next(strings.Split(line, ",")))
		}
		return l
	}
	first := keys("20260901,A,1.00,1", "20260901,B,2.00,3", "20260901,B,2.00,5", "20260902,C,3.00,8")
	again := keys("20260901,A,1.00,1", "20260901,B,2.00,3", "20260901,B,2.00,5", "20260902,C,3.00,8")
	if strings.Join(first, " ") != strings.Join(again, " ") {
		t.Errorf("keys differ on the same file: %v, %v", first, again)
	}
	if first[1] == first[2] {
		t.Errorf("two identical rows share key %s", first[1])
	}
	// An overlapping statement starting on 09-01 at row B gives B's keys
	// from its own occurrences: the rows it shares keep their keys.
	overlap := keys("20260901,A,1.00,1", "20260901,B,2.00,3", "20260901,B,2.00,5", "20260902,C,3.00,8", "20260903,D,4.00,12")
	for i := range first {
		if overlap[i] != first[i] {
			t.Errorf("overlapping statement: row %d key %s, was %s", i+1, overlap[i], first[i])
		}
	}
}

func TestParseBothForms(t *testing.T) {
	legacy := mustParse(t, `{"txn_id": "Merchant Order", "amount": "Amt"}`)
	if !legacy.Legacy() || legacy.Headers()["txn_id"] != "Merchant Order" {
		t.Errorf("legacy form read as %+v", legacy)
	}
	full := mustParse(t, `{"name": "x", "columns": {"amount": "Amt"}, "constants": {"channel": "bank"}}`)
	if full.Legacy() || full.Constants["channel"] != "bank" {
		t.Errorf("full form read as %+v", full)
	}
	for _, bad := range []string{`[1]`, `{"txn_id": 3}`, `{"columns": {"amount": 3}}`, `{"columns": {}, "negative": "maybe"}`, `{"columns": {}, "colums": 1}`, `{"columns": {}, "values": {"channel": {"/[/": "bank"}}}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) = nil error", bad)
		}
	}
}

func TestBuiltinsAreValid(t *testing.T) {
	if len(Builtins()) == 0 {
		t.Fatal("no built-in profiles")
	}
	for _, p := range Builtins() {
		if p.Kind == "" || p.Title["en"] == "" || p.Title["zh"] == "" || p.Origin == "" || p.Signature == nil || len(p.Signature.Headers) == 0 {
			t.Errorf("built-in %s lacks kind, titles, origin or signature", p.Name)
		}
		// Every built-in recognises its own header line, and only it.
		line := []Line{{Row: 1, Cells: append(append([]string{}, p.Signature.Headers...), p.FileHeaders()...)}}
		if got, err := Detect(p.Kind, line); err != nil || got == nil || got.Name != p.Name {
			t.Errorf("Detect(header of %s) = %v, %v", p.Name, got, err)
		}
	}
}
