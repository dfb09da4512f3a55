package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// bankStatement is a mainland bank's export: a title and account lines, a
// trailing comma on every row, income and expense apart, no transaction ID,
// a 合计 footer.
const bankProfile = `{
  "name": "test-bank",
  "kind": "settlements",
  "columns": {
    "amount": {"credit": "收入金额", "debit": "支出金额"},
    "settled_at": {"date": "交易日期", "time": "交易时间"},
    "txn_ref": "摘要"
  },
  "constants": {"channel": "bank"},
  "derive_key": true
}`

func bankLines(rows ...string) []byte {
	head := []string{"某银行账户交易明细", "账号:6222000011112222,,,,,,", "", "交易日期,交易时间,收入金额,支出金额,余额,摘要,对方户名,"}
	return csvLines(append(append(head, rows...), "合计,,1300.00,200.00,,,,")...)
}

func TestProfileReadsABankStatement(t *testing.T) {
	in, store := testIngester(t)
	p := mustProfile(t, bankProfile)
	withProfile := func(u *Upload) { u.Profile = p }
	first := bankLines(
		"20260901,093000,+1000.00,,6000.00,FF1,张三,",
		"20260901,101500,,200.00,5800.00,转出,李四,",
		"20260901,120000,150.00,,5950.00,FF2,王五,",
		"20260901,120000,150.00,,6100.00,FF2,王五,",
	)
	res, err := ingestText(t, in, "settlements", "sept-1.csv", first, withProfile)
	if err != nil {
		t.Fatalf("Ingest = %v %+v", err, resultErrors(res))
	}
	if res.RowsAccepted != 3 || res.HeaderRow != 4 || res.Profile != "test-bank" {
		t.Errorf("accepted %d (want 3), header row %d (want 4), profile %q", res.RowsAccepted, res.HeaderRow, res.Profile)
	}
	if len(res.Dropped) != 1 || res.Dropped[0].Rows != 1 || !strings.Contains(res.Dropped[0].Reason, "paid out") {
		t.Errorf("dropped = %+v, want the transfer out", res.Dropped)
	}
	wantSkipped := map[int]string{1: "above the header", 2: "above the header", 9: "合计"}
	for _, s := range res.Skipped {
		if !strings.Contains(s.Reason, wantSkipped[s.Row]) {
			t.Errorf("skipped line %d: %s", s.Row, s.Reason)
		}
		delete(wantSkipped, s.Row)
	}
	if len(wantSkipped) > 0 {
		t.Errorf("not listed as skipped: %v (skipped: %+v)", wantSkipped, res.Skipped)
	}
	if strings.Join(res.IgnoredColumns, ",") != "余额,对方户名" {
		t.Errorf("ignored columns = %v", res.IgnoredColumns)
	}
	// The next statement overlaps the first: the rows they share are the
	// same lines, the two identical 150.00 rows stay two, the new one is new.
	second := bankLines(
		"20260901,120000,150.00,,5950.00,FF2,王五,",
		"20260901,120000,150.00,,6100.00,FF2,王五,",
		"20260902,080000,300.00,,6400.00,FF3,赵六,",
	)
	res, err = ingestText(t, in, "settlements", "sept-1-2.csv", second, withProfile)
	if err != nil {
		t.Fatalf("Ingest(overlap) = %v %+v", err, resultErrors(res))
	}
	if res.RowsAccepted != 1 || res.RowsDuplicate != 2 {
		t.Errorf("overlap: accepted %d, duplicate %d; want 1 and 2", res.RowsAccepted, res.RowsDuplicate)
	}
	var n int
	var sum string
	store.DB().QueryRow(`SELECT count(*), sum(amount)::VARCHAR FROM settlements`).Scan(&n, &sum)
	if n != 4 || sum != "1600.00" {
		t.Errorf("stored %d lines summing %s; want 4 summing 1600.00", n, sum)
	}
}

func TestStatusColumnNeverSilentlyCompleted(t *testing.T) {
	in, _ := testIngester(t)
	res, err := ingestText(t, in, "settlements", "s.csv", csvLines(
		"settlement_id,channel,txn_ref,amount,settled_at,交易状态",
		"S1,wechat,T1,10.00,2026-09-01 10:00,交易关闭"))
	if !errors.Is(err, ErrRejected) || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, `status column "交易状态"`) {
		t.Fatalf("Ingest with an unread status column = %v %+v; want it rejected naming the column", err, resultErrors(res))
	}
	// A status value the profile does not map is a rejected row naming it.
	p := mustProfile(t, `{"columns": {"settlement_id": "ID", "amount": "Amt", "settled_at": "At"}, "constants": {"channel": "wechat"}, "status": {"column": "State", "received": ["paid"]}}`)
	res, err = ingestText(t, in, "settlements", "s.csv", csvLines("ID,Amt,At,State", "S1,1.00,2026-09-01 10:00,paid", "S2,1.00,2026-09-01 10:00,chargeback"),
		func(u *Upload) { u.Profile = p })
	if !errors.Is(err, ErrRejected) || len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Value != "chargeback" {
		t.Errorf("Ingest with an unmapped status value = %v %+v", err, resultErrors(res))
	}
}

func TestFeeflowHeadersBelowATitle(t *testing.T) {
	in, _ := testIngester(t)
	res, err := ingestText(t, in, "settlements", "s.csv", csvLines(
		"Settlement lines of September",
		"",
		"settlement_id,channel,txn_ref,amount,settled_at,note",
		"S1,bank,T1,10.00,2026-09-01 10:00,first",
		"Total,,,10.00,,"))
	if err != nil || res.RowsAccepted != 1 || res.HeaderRow != 3 || len(res.Skipped) != 2 {
		t.Fatalf("Ingest = %v %+v; header %d, skipped %+v", err, resultErrors(res), res.HeaderRow, res.Skipped)
	}
	if strings.Join(res.IgnoredColumns, ",") != "note" {
		t.Errorf("ignored = %v, want note", res.IgnoredColumns)
	}
}

func TestCurrencyIsNeverMixed(t *testing.T) {
	in, _ := testIngester(t)
	in.cfg.Currency = "TWD"
	res, err := ingestText(t, in, "settlements", "wx.csv", []byte(
		"交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n"+
			"`2026-09-01 08:15:22,`wx,`1,`0,`,`42001,`FF1,`o,`JSAPI,`SUCCESS,`CMB,`CNY,`120.00,`0.00,`0,`0,`0.00,`0.00,`,`,`x,`,`0.72000,`0.60%,`120.00,`0.00,`\n"))
	if !errors.Is(err, ErrRejected) || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "organisation's currency is TWD") {
		t.Errorf("Ingest of a CNY bill for a TWD organisation = %v %+v", err, resultErrors(res))
	}
}

func TestExplainWritesNothing(t *testing.T) {
	in, store := testIngester(t)
	path := writeFile(t, "sample.csv", bankLines("20260901,093000,+1000.00,,6000.00,FF1,张三,"))
	ex, err := in.Explain(context.Background(), Upload{Kind: "settlements", Path: path, FileName: "sample.csv", Profile: mustProfile(t, bankProfile)})
	if err != nil {
		t.Fatal(err)
	}
	if ex.HeaderRow != 4 || ex.Rows != 1 || len(ex.Preview) != 1 || ex.Preview[0].Values[3] != "1000.00" || len(ex.Mapping) == 0 {
		t.Errorf("Explain = %+v", ex)
	}
	var n int
	store.DB().QueryRow(`SELECT count(*) FROM settlements`).Scan(&n)
	if n != 0 {
		t.Errorf("Explain wrote %d lines", n)
	}
	// No header: the error names the line read and what it held.
	path = writeFile(t, "odd.csv", csvLines("微信支付账单明细", "交易时间,交易类型,交易对方,金额(元)", "2026-09-01,x,y,1"))
	_, err = in.Explain(context.Background(), Upload{Kind: "settlements", Path: path, FileName: "odd.csv"})
	var ee *ExplainError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Explain(no header) = %v", err)
	}
}

func TestTotalsUnderFeeflowsHeaderAreSkipped(t *testing.T) {
	in, _ := testIngester(t)
	res, err := ingestText(t, in, "settlements", "s.csv", csvLines(
		"settlement_id,channel,txn_ref,amount,settled_at",
		"S1,bank,T1,10.00,2026-09-01 10:00",
		"S2,bank,T2,5.00,2026-09-01 11:00,",
		"合计,,15.00"))
	if err != nil || res.RowsAccepted != 2 || len(res.Skipped) != 1 || res.Skipped[0].Row != 4 {
		t.Fatalf("Ingest = %v %+v; skipped %+v", err, resultErrors(res), res.Skipped)
	}
	// A short line that is not a footer is still a rejected row.
	res, err = ingestText(t, in, "settlements", "s.csv", csvLines(
		"settlement_id,channel,txn_ref,amount,settled_at",
		"S3,bank,T1"))
	if !errors.Is(err, ErrRejected) || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "row has 3 fields") {
		t.Errorf("short row = %v %+v", err, resultErrors(res))
	}
}

func TestProfileOnNDJSON(t *testing.T) {
	in, _ := testIngester(t)
	p := mustProfile(t, `{"columns": {"settlement_id": "id", "amount": "gross", "settled_at": "created"}, "constants": {"channel": "card"}, "status": {"column": "type", "received": ["charge"], "drop": {"payout": "payout"}}}`)
	res, err := ingestText(t, in, "settlements", "s.ndjson", []byte(
		`{"id":"a","gross":"US$1.00","created":"2026-09-01 10:00","type":"charge"}`+"\n"+
			`{"id":"b","gross":"9.00","created":"2026-09-01 10:00","type":"payout"}`+"\n"), func(u *Upload) { u.Profile = p })
	if err == nil || !strings.Contains(resultErrors(res)[0].Message, "in USD") {
		t.Fatalf("Ingest = %v %+v, want the USD amount refused", err, resultErrors(res))
	}
	in.cfg.Currency = "USD"
	res, err = ingestText(t, in, "settlements", "s.ndjson", []byte(
		`{"id":"a","gross":"US$1.00","created":"2026-09-01 10:00","type":"charge"}`+"\n"+
			`{"id":"b","gross":"9.00","created":"2026-09-01 10:00","type":"payout"}`+"\n"), func(u *Upload) { u.Profile = p })
	if err != nil || res.RowsAccepted != 1 || len(res.Dropped) != 1 {
		t.Errorf("Ingest = %v %+v, dropped %+v", err, resultErrors(res), res.Dropped)
	}
}
