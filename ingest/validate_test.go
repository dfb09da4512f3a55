package ingest

import (
	"errors"
	"strings"
	"testing"
)

// wantErr is one problem a case expects: its row, column and a part of its message.
type wantErr struct {
	row    int
	column string
	msg    string
}

func TestValidationRules(t *testing.T) {
	const payHeader = "txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status"
	cases := []struct {
		name string
		kind string
		body []byte
		want []wantErr
	}{
		{"more than 2 decimals", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,12.345,cash,Wang,R1,completed"),
			[]wantErr{{2, "amount", "decimal places"}}},
		{"negative amount", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,-5.00,cash,Wang,R1,completed"),
			[]wantErr{{2, "amount", "negative"}}},
		{"NaN amount", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,NaN,cash,Wang,R1,completed"),
			[]wantErr{{2, "amount", ""}}},
		{"exponent amount", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,1e3,cash,Wang,R1,completed"),
			[]wantErr{{2, "amount", "exponent"}}},
		{"amount overflows DECIMAL(18,2)", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,99999999999999999,cash,Wang,R1,completed"),
			[]wantErr{{2, "amount", "larger"}}},
		{"empty amount", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,,cash,Wang,R1,completed"),
			[]wantErr{{2, "amount", "required"}}},
		{"bad timestamp", "payments", csvLines(payHeader, "T1,2026-02-30 10:00,C001,B1,MGMT,12.00,cash,Wang,R1,completed"),
			[]wantErr{{2, "paid_at", ""}}},
		{"unknown method", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,12.00,bitcoin,Wang,R1,completed"),
			[]wantErr{{2, "method", "unknown value"}}},
		{"unknown status", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,12.00,cash,Wang,R1,maybe"),
			[]wantErr{{2, "status", "unknown value"}}},
		{"unknown fee item", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,WATER,12.00,cash,Wang,R1,completed"),
			[]wantErr{{2, "fee_item", "WATER not found in fee_items"}}},
		{"unknown bill", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B9,MGMT,12.00,cash,Wang,R1,completed"),
			[]wantErr{{2, "bill_id", "B9 not found in bills"}}},
		{"every problem of every row", "payments", csvLines(payHeader,
			"T1,2026-09-10 10:00,C001,B1,MGMT,12.00,cash,Wang,R1,completed",
			"T2,yesterday,C001,B1,MGMT,1.999,card,Wang,R2,completed",
			"T3,2026-09-10 10:00,C001,B1,MGMT,3.00,cheque,Wang,R3,completed"),
			[]wantErr{{3, "paid_at", ""}, {3, "amount", "decimal places"}, {4, "method", "unknown value"}}},
		{"ragged row", "payments", csvLines(payHeader, "T1,2026-09-10 10:00,C001,B1,MGMT,12.00,cash"),
			[]wantErr{{2, "", "fields"}}},
		{"missing required column", "payments", csvLines("txn_id,paid_at,fee_item,method", "T1,2026-09-10 10:00,MGMT,cash"),
			[]wantErr{{1, "amount", "required column amount is missing"}}},
		{"header only", "payments", csvLines(payHeader), []wantErr{{2, "", "no data rows"}}},
		{"same key twice with other values", "payments", csvLines(payHeader,
			"T1,2026-09-10 10:00,C001,B1,MGMT,12.00,cash,Wang,R1,completed",
			"T1,2026-09-10 10:00,C001,B1,MGMT,13.00,cash,Wang,R1,completed"),
			[]wantErr{{3, "amount", "T1 appears again with other values (first at row 2"}}},
		{"discount larger than amount due", "bills", csvLines(
			"bill_id,customer_id,fee_item,period,amount_due,discount,due_date", "B7,C001,MGMT,2026-09,10.00,20.00,2026-09-15"),
			[]wantErr{{2, "discount", "larger than amount_due"}}},
		{"bad period", "bills", csvLines(
			"bill_id,customer_id,fee_item,period,amount_due,discount,due_date", "B7,C001,MGMT,2026-13,10.00,0,2026-09-15"),
			[]wantErr{{2, "period", ""}}},
		{"unknown customer", "bills", csvLines(
			"bill_id,customer_id,fee_item,period,amount_due,discount,due_date", "B7,C404,MGMT,2026-09,10.00,0,2026-09-15"),
			[]wantErr{{2, "customer_id", "C404 not found in customers"}}},
		{"bad due date", "bills", csvLines(
			"bill_id,customer_id,fee_item,period,amount_due,discount,due_date", "B7,C001,MGMT,2026-09,10.00,0,15/09/2026"),
			[]wantErr{{2, "due_date", ""}}},
		{"refund larger than its payment", "refunds", csvLines(
			"refund_id,txn_id,amount,reason,requested_at,reviewed_at,decision,executed_at", "RF1,P1,300.00,overpaid,2026-09-12 10:00,,pending,"),
			[]wantErr{{2, "amount", "larger than payment P1"}}},
		{"refunds together larger than the payment", "refunds", csvLines(
			"refund_id,txn_id,amount,reason,requested_at,reviewed_at,decision,executed_at",
			"RF1,P1,200.00,overpaid,2026-09-12 10:00,,pending,",
			"RF2,P1,100.00,overpaid,2026-09-12 11:00,,pending,"),
			[]wantErr{{3, "amount", "would total 300.00, more than was paid (250.00)"}}},
		{"refund of a voided payment", "refunds", csvLines(
			"refund_id,txn_id,amount,reason,requested_at,reviewed_at,decision,executed_at", "RF1,PV,10.00,x,2026-09-12 10:00,,pending,"),
			[]wantErr{{2, "txn_id", "voided"}}},
		{"refund executed without approval", "refunds", csvLines(
			"refund_id,txn_id,amount,reason,requested_at,reviewed_at,decision,executed_at", "RF1,P1,10.00,x,2026-09-12 10:00,2026-09-13 10:00,pending,2026-09-14 10:00"),
			[]wantErr{{2, "executed_at", "only when approved"}}},
		{"refund reviewed before requested", "refunds", csvLines(
			"refund_id,txn_id,amount,reason,requested_at,reviewed_at,decision,executed_at", "RF1,P1,10.00,x,2026-09-12 10:00,2026-09-11 10:00,approved,"),
			[]wantErr{{2, "reviewed_at", "before requested_at"}}},
		{"invoice of an unknown payment", "invoices", csvLines(
			"invoice_no,txn_id,type,issued_at,status,reissue_of", "I1,P404,invoice,2026-09-10 10:00,issued,"),
			[]wantErr{{2, "txn_id", "P404 not found in payments"}}},
		{"reissue of an unknown invoice", "invoices", csvLines(
			"invoice_no,txn_id,type,issued_at,status,reissue_of", "I2,P1,invoice,2026-09-10 10:00,issued,I404"),
			[]wantErr{{2, "reissue_of", "I404 not found in invoices"}}},
		{"score out of range", "feedback", csvLines(
			"feedback_id,received_at,customer_id,channel,score,category,comment", "F1,2026-09-10 10:00,C001,web,6,service,fine"),
			[]wantErr{{2, "score", "between 1 and 5"}}},
		{"unknown action metric", "actions", csvLines(
			"action_id,title,problem,owner,started_on,metric,target", "A1,Train cashiers,operator_error,Wang,2026-06-01,happiness,0.9"),
			[]wantErr{{2, "metric", "unknown value"}}},
		{"unknown resolution", "resolutions", csvLines(
			"ref,resolved_at,resolution,note,resolved_by", "T1,2026-09-10 10:00,ignored,,Li"),
			[]wantErr{{2, "resolution", "unknown value"}}},
		{"unknown settlement channel", "settlements", csvLines(
			"settlement_id,channel,txn_ref,amount,settled_at,fee,collector", "S1,paypal,P1,250.00,2026-09-11 10:00,0,"),
			[]wantErr{{2, "channel", "unknown value"}}},
		{"line break in an identifier", "customers", csvLines(
			"customer_id,name,unit,area,id_doc", "\"C0\n09\",Lin,A-1,North,"),
			[]wantErr{{2, "customer_id", "line break"}}},
		{"control characters in text", "customers", csvLines(
			"customer_id,name,unit,area,id_doc", "C009,\"bad\x01name\",A-1,North,"),
			[]wantErr{{2, "name", "control characters"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, store := testIngester(t)
			seed(t, in)
			mustIngest(t, in, "payments", csvLines(payHeader,
				"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
				"PV,2026-09-10 10:05,C001,B1,MGMT,250.00,cash,Wang,R2,voided"))
			before := dump(t, store)
			res, err := ingestText(t, in, c.kind, c.kind+".csv", c.body)
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("Ingest = %v, want ErrRejected (errors %+v)", err, resultErrors(res))
			}
			if len(res.Errors) != len(c.want) {
				t.Fatalf("got %d errors %+v, want %d", len(res.Errors), res.Errors, len(c.want))
			}
			for i, w := range c.want {
				got := res.Errors[i]
				if got.Row != w.row || got.Column != w.column || !strings.Contains(got.Message, w.msg) {
					t.Errorf("error %d = %+v, want row %d column %q message containing %q", i, got, w.row, w.column, w.msg)
				}
			}
			if after := dump(t, store); after != before {
				t.Errorf("a rejected upload changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}
