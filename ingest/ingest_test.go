package ingest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

const payHeader = "txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status"

func TestIngestPaymentsStoresExactValues(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	res := mustIngest(t, in, "payments", csvLines(payHeader,
		`P1,2026-09-10 10:00,C001,B1,MGMT,250.00,現金,Wang,R1,completed`,
		`P2,2026-09-11T09:30:00+08:00,C002,B2,PARK,"1,100.00",微信,,R2,`,
		`P3,2026/09/12 18:05:07,,,PARK,45.5,Bank Transfer,Li,,completed`,
	))
	if res.RowsTotal != 3 || res.RowsAccepted != 3 || res.RowsRejected != 0 || res.RowsDuplicate != 0 || res.BatchID == "" || !res.Committed {
		t.Fatalf("result = %+v, want 3 rows accepted in a batch", res)
	}
	type row struct {
		txn, method, status string
		amount              data.Decimal
		paidAt              time.Time
		bill                *string
	}
	rows, err := store.DB().Query(`SELECT txn_id, method, status, amount, paid_at, bill_id FROM payments ORDER BY txn_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.txn, &r.method, &r.status, &r.amount, &r.paidAt, &r.bill); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []struct {
		txn, method, status, amount string
		paidAt                      time.Time
	}{
		{"P1", "cash", "completed", "250.00", time.Date(2026, 9, 10, 2, 0, 0, 0, time.UTC)},
		{"P2", "wechat", "completed", "1100.00", time.Date(2026, 9, 11, 1, 30, 0, 0, time.UTC)},
		{"P3", "bank_transfer", "completed", "45.50", time.Date(2026, 9, 12, 10, 5, 7, 0, time.UTC)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d payments, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.txn != w.txn || g.method != w.method || g.status != w.status || !g.amount.Decimal.Equal(decimal.RequireFromString(w.amount)) || !g.paidAt.Equal(w.paidAt) {
			t.Errorf("payment %d = %s %s %s %s %s, want %+v", i, g.txn, g.method, g.status, g.amount.Decimal, g.paidAt.UTC(), w)
		}
	}
	if got[2].bill != nil {
		t.Errorf("walk-in payment bill_id = %q, want NULL", *got[2].bill)
	}
	var by, file string
	var accepted int
	if err := store.DB().QueryRow(`SELECT uploaded_by, file_name, rows_accepted FROM ingest_batches WHERE batch_id = ?`, res.BatchID).Scan(&by, &file, &accepted); err != nil {
		t.Fatal(err)
	}
	if by != "cli" || file != "payments.csv" || accepted != 3 {
		t.Errorf("batch = %s %s %d, want cli payments.csv 3", by, file, accepted)
	}
	var batchOfRows int
	store.DB().QueryRow(`SELECT count(*) FROM payments WHERE batch_id = ?`, res.BatchID).Scan(&batchOfRows)
	if batchOfRows != 3 {
		t.Errorf("%d payments carry the batch ID, want 3", batchOfRows)
	}
}

func TestIdentityNumbersAreMasked(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	var docs string
	store.DB().QueryRow(`SELECT string_agg(id_doc, ',' ORDER BY customer_id) FROM customers`).Scan(&docs)
	if docs != "****6789,****4321" {
		t.Errorf("id_doc stored as %q, want only the last 4 characters", docs)
	}
}

func TestReuploadChangesNothing(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	body := csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")
	first := mustIngest(t, in, "payments", body)
	before := dump(t, store)
	again := mustIngest(t, in, "payments", body)
	if again.DuplicateOf == nil || *again.DuplicateOf != first.BatchID || again.RowsAccepted != 0 || again.Committed {
		t.Fatalf("re-upload = %+v, want duplicate_of %s and nothing written", again, first.BatchID)
	}
	if after := dump(t, store); after != before {
		t.Errorf("re-upload changed the database")
	}
}

func TestDuplicateAndConflictingRows(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	first := mustIngest(t, in, "payments", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"P2,2026-09-10 11:00,C002,B2,PARK,1100.00,card,Wang,R2,completed"))
	// The same P1 in another file (another header order, Chinese method word)
	// is a duplicate; P2 with another amount is a conflict, never an overwrite.
	res, err := ingestText(t, in, "payments", "day2.csv", csvLines(
		"txn_id,amount,paid_at,customer_id,bill_id,fee_item,method,collector,receipt_no,status",
		"P1,250,2026-09-10T10:00:00+08:00,C001,B1,MGMT,現金,Wang,R1,completed",
		"P2,1000.00,2026-09-10 11:00,C002,B2,PARK,card,Wang,R2,completed",
		"P3,10.00,2026-09-12 11:00,,,PARK,card,Wang,R3,completed"), allowErrors)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsTotal != 3 || res.RowsAccepted != 1 || res.RowsDuplicate != 1 || res.RowsRejected != 1 {
		t.Fatalf("counts = total %d accepted %d duplicate %d rejected %d, want 3 1 1 1", res.RowsTotal, res.RowsAccepted, res.RowsDuplicate, res.RowsRejected)
	}
	e := res.Errors[0]
	want := "P2 already ingested with other values in batch " + first.BatchID
	if e.Row != 3 || e.Column != "amount" || e.Value != "1000.00" || !strings.Contains(e.Message, want) {
		t.Errorf("conflict error = %+v, want row 3 amount 1000.00 and %q", e, want)
	}
	var amount data.Decimal
	store.DB().QueryRow(`SELECT amount FROM payments WHERE txn_id = 'P2'`).Scan(&amount)
	if !amount.Decimal.Equal(decimal.RequireFromString("1100")) {
		t.Errorf("P2 amount = %s after a conflicting upload, want 1100.00 kept", amount.Decimal)
	}
	if n := count(t, store, "payments"); n != 3 {
		t.Errorf("payments = %d, want 3", n)
	}
}

func TestInFileRepeatIdenticalIsDuplicate(t *testing.T) {
	in, _ := testIngester(t)
	seed(t, in)
	res := mustIngest(t, in, "payments", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	if res.RowsAccepted != 1 || res.RowsDuplicate != 1 || res.RowsRejected != 0 {
		t.Errorf("counts = %+v, want 1 accepted 1 duplicate", res)
	}
}

func TestAllowErrorsCommitsGoodRows(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	body := csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"P2,2026-09-10 10:00,C001,B1,MGMT,-1.00,cash,Wang,R1,completed",
		"P3,2026-09-10 10:00,C001,B1,NOPE,1.00,cash,Wang,R1,completed")
	res, err := ingestText(t, in, "payments", "mixed.csv", body, allowErrors)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsAccepted != 1 || res.RowsRejected != 2 || len(res.Errors) != 2 || !res.Committed {
		t.Fatalf("result = %+v, want 1 accepted 2 rejected", res)
	}
	if n := count(t, store, "payments"); n != 1 {
		t.Errorf("payments = %d, want 1", n)
	}
	var rejected int
	store.DB().QueryRow(`SELECT rows_rejected FROM ingest_batches WHERE batch_id = ?`, res.BatchID).Scan(&rejected)
	if rejected != 2 {
		t.Errorf("batch rows_rejected = %d, want 2", rejected)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	before := dump(t, store)
	res, err := ingestText(t, in, "payments", "p.csv", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"), dryRun)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsAccepted != 1 || res.Committed || res.BatchID != "" {
		t.Errorf("dry run = %+v, want 1 row that would be accepted and nothing committed", res)
	}
	if dump(t, store) != before {
		t.Error("dry run changed the database")
	}
	// The same file uploaded for real afterwards is not a duplicate.
	res, err = ingestText(t, in, "payments", "p.csv", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	if err != nil || res.DuplicateOf != nil || res.RowsAccepted != 1 {
		t.Errorf("upload after dry run = %+v, %v; want it ingested", res, err)
	}
}

func TestFailureBeforeCommitWritesNothing(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	before := dump(t, store)
	boom := errors.New("disk full")
	in.beforeCommit = func() error { return boom }
	_, err := ingestText(t, in, "payments", "p.csv", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"P2,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed"))
	if !errors.Is(err, boom) {
		t.Fatalf("Ingest = %v, want the injected failure", err)
	}
	if dump(t, store) != before {
		t.Error("a batch that failed before its commit left rows behind")
	}
	in.beforeCommit = nil
	res := mustIngest(t, in, "payments", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"P2,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed"))
	if res.RowsAccepted != 2 {
		t.Errorf("retry accepted %d rows, want 2", res.RowsAccepted)
	}
}

func TestIdempotencyKeyReplaysAnswer(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	key := func(u *Upload) { u.IdempotencyKey = "k-123" }
	first, err := ingestText(t, in, "payments", "p.csv", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"), key)
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, store)
	again, err := ingestText(t, in, "payments", "p.csv", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"), key)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.BatchID != first.BatchID || again.RowsAccepted != 1 {
		t.Errorf("replay = %+v, want the first answer (batch %s, 1 accepted)", again, first.BatchID)
	}
	if dump(t, store) != before {
		t.Error("a replayed key changed the database")
	}
	if _, err := ingestText(t, in, "bills", "b.csv", csvLines("bill_id"), key); ErrorCode(err) != Conflict {
		t.Errorf("key reused for another kind = %v, want code %q", err, Conflict)
	}
	// The same key with another file is refused, naming the first file.
	_, err = ingestText(t, in, "payments", "other.csv", csvLines(payHeader,
		"P2,2026-09-10 10:00,C001,B1,MGMT,5.00,cash,Wang,R2,completed"), key)
	if ErrorCode(err) != Conflict || !strings.Contains(err.Error(), "p.csv") || !strings.Contains(err.Error(), first.BatchID) {
		t.Errorf("key reused with another file = %v, want code %q naming p.csv and batch %s", err, Conflict, first.BatchID)
	}
	if dump(t, store) != before {
		t.Error("a key reused with another file changed the database")
	}
}

func TestEncodingsAndChineseHeaders(t *testing.T) {
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String("交易号,收费时间,客户编号,账单号,收费项目,实收金额,支付方式,收费员\nG1,2026-09-10 10:00,C001,B1,MGMT,250.00,现金,王\n")
	if err != nil {
		t.Fatal(err)
	}
	big5, err := traditionalchinese.Big5.NewEncoder().String("交易號,收費時間,客戶編號,賬單號,收費項目,實收金額,付款方式,收費員\nT1,2026-09-10 10:00,C002,B2,PARK,1100.00,支付寶,陳\n")
	if err != nil {
		t.Fatal(err)
	}
	bom := "\ufeff" + payHeader + "\nU1,2026-09-10 10:00,C001,B3,PARK,1200.00,刷卡,Li,,completed\n"
	cases := []struct {
		name, body, enc, collector string
	}{
		{"gbk simplified", gbk, "gbk", "王"},
		{"big5 traditional", big5, "big5", "陳"},
		{"utf-8 with BOM", bom, "utf-8", "Li"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, store := testIngester(t)
			seed(t, in)
			res, err := ingestText(t, in, "payments", "p.csv", []byte(c.body))
			if err != nil {
				t.Fatalf("Ingest = %v (errors %+v)", err, resultErrors(res))
			}
			if res.Encoding != c.enc || res.RowsAccepted != 1 {
				t.Errorf("encoding %s, %d accepted; want %s, 1", res.Encoding, res.RowsAccepted, c.enc)
			}
			var collector string
			store.DB().QueryRow(`SELECT collector FROM payments`).Scan(&collector)
			if collector != c.collector {
				t.Errorf("collector = %q, want %q", collector, c.collector)
			}
		})
	}
}

func TestJSONNDJSONAndXLSX(t *testing.T) {
	jsonBody := `[{"txn_id":"J1","paid_at":"2026-09-10 10:00","customer_id":"C001","bill_id":"B1","fee_item":"MGMT","amount":250.00,"method":"cash"},
	 {"txn_id":"J2","paid_at":"2026-09-10T11:00:00+08:00","fee_item":"PARK","amount":"45.50","method":"alipay","bill_id":null}]`
	ndjson := `{"txn_id":"N1","paid_at":"2026-09-10 10:00","fee_item":"MGMT","amount":12.5,"method":"wechat"}
{"txn_id":"N2","paid_at":"2026-09-10 10:00","fee_item":"MGMT","amount":1e3,"method":"wechat"}
`
	t.Run("json array", func(t *testing.T) {
		in, _ := testIngester(t)
		seed(t, in)
		res, err := ingestText(t, in, "payments", "p.json", []byte(jsonBody))
		if err != nil || res.RowsAccepted != 2 || res.Format != "json" {
			t.Fatalf("Ingest = %+v, %v; want 2 rows accepted from json", res, err)
		}
	})
	t.Run("ndjson keeps numbers exact", func(t *testing.T) {
		in, _ := testIngester(t)
		seed(t, in)
		res, err := ingestText(t, in, "payments", "p.ndjson", []byte(ndjson))
		if !errors.Is(err, ErrRejected) || len(res.Errors) != 1 || res.Errors[0].Row != 2 || res.Errors[0].Column != "amount" {
			t.Fatalf("Ingest = %+v, %v; want row 2 amount 1e3 rejected", res, err)
		}
	})
	t.Run("xlsx with dates and float artifacts", func(t *testing.T) {
		in, store := testIngester(t)
		seed(t, in)
		f := excelize.NewFile()
		rows := [][]any{
			{"txn_id", "paid_at", "fee_item", "amount", "method"},
			{"X1", 46275.5, "MGMT", 12.3, "cash"}, // 46275.5 is 2026-09-10 12:00
			{"X2", "2026-09-10 13:00", "PARK", "1,250.50", "card"},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		path := writeFile(t, "p.xlsx", nil)
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		res, err := in.Ingest(context.Background(), Upload{Kind: "payments", Path: path, FileName: "p.xlsx"})
		if err != nil {
			t.Fatalf("Ingest = %v (%+v)", err, resultErrors(res))
		}
		var paid time.Time
		var amount data.Decimal
		store.DB().QueryRow(`SELECT paid_at, amount FROM payments WHERE txn_id = 'X1'`).Scan(&paid, &amount)
		if !paid.Equal(time.Date(2026, 9, 10, 4, 0, 0, 0, time.UTC)) || !amount.Decimal.Equal(decimal.RequireFromString("12.30")) {
			t.Errorf("X1 = %s %s, want 2026-09-10 12:00 Taipei and 12.30", paid.UTC(), amount.Decimal)
		}
	})
}

func TestUnreadableFiles(t *testing.T) {
	cases := []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"utf-16", append([]byte{0xff, 0xfe}, []byte("t\x00x\x00n\x00")...)},
		{"random bytes", []byte{0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x9c, 0x00, 0x00, 0x13}},
		{"unterminated quote", csvLines(payHeader, `P1,"2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, store := testIngester(t)
			seed(t, in)
			before := dump(t, store)
			res, err := ingestText(t, in, "payments", "p.csv", c.body)
			var bad *BadFileError
			if !errors.As(err, &bad) {
				t.Fatalf("Ingest = %v, want BadFileError", err)
			}
			if len(res.Errors) != 1 || res.Errors[0].Message == "" {
				t.Errorf("errors = %+v, want one message", res.Errors)
			}
			if dump(t, store) != before {
				t.Error("an unreadable file changed the database")
			}
		})
	}
}

func TestMappingProfile(t *testing.T) {
	in, _ := testIngester(t)
	seed(t, in)
	p := mustProfile(t, `{"txn_id": "Merchant Order", "paid_at": "Trade Time", "amount": "Amt", "fee_item": "Item", "method": "Pay Type"}`)
	res, err := ingestText(t, in, "payments", "bank.csv", csvLines(
		"Merchant Order,Trade Time,Item,Amt,Pay Type",
		"M1,2026-09-10 10:00,MGMT,20.00,card"), func(u *Upload) { u.Profile = p })
	if err != nil || res.RowsAccepted != 1 {
		t.Fatalf("Ingest = %+v, %v; want 1 row through the profile", res, err)
	}
	_, err = ingestText(t, in, "payments", "bank.csv", csvLines("a"), func(u *Upload) { u.Profile = mustProfile(t, `{"nope": "x"}`) })
	if !errors.Is(err, ErrBadRequest) {
		t.Errorf("profile with an unknown column = %v, want ErrBadRequest", err)
	}
}

func TestMultilineCommentsKeepTheirLines(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	mustIngest(t, in, "feedback", []byte("feedback_id,received_at,customer_id,channel,score,category,comment\r\n"+
		"F1,2026-09-10 10:00,C001,web,4,service,\"first line\r\nsecond line\"\r\n"))
	var comment string
	store.DB().QueryRow(`SELECT comment FROM feedback`).Scan(&comment)
	if comment != "first line\nsecond line" {
		t.Errorf("comment = %q, want its two lines", comment)
	}
}

func TestTooManyRowsWritesNothing(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	in.cfg.MaxRows = 2
	before := dump(t, store)
	_, err := ingestText(t, in, "payments", "p.csv", csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed",
		"P2,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed",
		"P3,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed"))
	var tooMany *TooManyRowsError
	if !errors.As(err, &tooMany) || ErrorCode(err) != TooLarge {
		t.Fatalf("Ingest = %v (code %q), want TooManyRowsError, code %q", err, ErrorCode(err), TooLarge)
	}
	if dump(t, store) != before {
		t.Error("a file over the row limit changed the database")
	}
}
