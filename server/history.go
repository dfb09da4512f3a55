package server

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/templates"
)

// historyPageSize is how many attempts one page of the history lists.
const historyPageSize = 50

// handleHistory lists every upload attempt, newest first, a page at a time
// (?page=N, from 1).
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Finance, false)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	page := 1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		page = n
	}
	list, total, err := s.cfg.Store.Attempts(r.Context(), (page-1)*historyPageSize, historyPageSize)
	if err != nil {
		s.cfg.Logger.Error("read the upload log", "err", err)
		http.Error(w, "the upload history cannot be read now; see the server log", http.StatusInternalServerError)
		return
	}
	loc := s.zone()
	p := templates.HistoryPage{Desk: s.desk(w, r, who, "/upload/history"), Zone: loc.String(), Page: page, Total: total,
		Pages: max(1, (total+historyPageSize-1)/historyPageSize), MaxErrors: data.MaxAttemptErrors}
	for _, a := range list {
		h := templates.HistoryAttempt{ID: a.ID, When: a.At.In(loc).Format("2006-01-02 15:04"), By: a.By, Via: a.Via,
			FileName: a.FileName, Kind: a.Kind, DryRun: a.DryRun, Outcome: a.Outcome, BatchID: a.BatchID,
			RowsTotal: a.RowsTotal, RowsAccepted: a.RowsAccepted, RowsRejected: a.RowsRejected, RowsDuplicate: a.RowsDuplicate,
			ErrorsTotal: a.ErrorsTotal, ErrorsKept: a.ErrorsKept, Problem: a.Problem}
		if a.ErrorsKept > 0 {
			h.ErrorsCSV = errorsCSVPath(a.ID)
		}
		p.Attempts = append(p.Attempts, h)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := templates.History(p).Render(r.Context(), w); err != nil {
		s.cfg.Logger.Error("render upload history", "err", err)
	}
}

// handleErrorsCSV downloads the problems kept with an attempt: row,
// column, value, message, one line each, to fix the file by.
func (s *Server) handleErrorsCSV(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Finance, false); err != nil {
		s.refusePage(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	a, found, err := s.cfg.Store.Attempt(r.Context(), id)
	if err != nil {
		s.cfg.Logger.Error("read the upload log", "err", err)
		http.Error(w, "the upload log cannot be read now; see the server log", http.StatusInternalServerError)
		return
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	var b bytes.Buffer
	b.WriteString("\ufeff") // Excel then reads Chinese as UTF-8
	cw := csv.NewWriter(&b)
	cw.Write([]string{"row", "column", "value", "message"})
	err = s.cfg.Store.AttemptErrors(r.Context(), id, func(e data.AttemptError) error {
		return cw.Write([]string{strconv.Itoa(e.Row), neutralise(e.Column), neutralise(e.Value), neutralise(e.Message)})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		s.cfg.Logger.Error("read the upload log", "err", err)
		http.Error(w, "the upload log cannot be read now; see the server log", http.StatusInternalServerError)
		return
	}
	name := strings.TrimSuffix(a.FileName, ".csv")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="errors-`+strconv.FormatInt(id, 10)+`.csv"; filename*=UTF-8''`+pathEscape(name+"-errors.csv"))
	w.Write(b.Bytes())
}

// neutralise keeps a spreadsheet from reading a text cell as a formula
// (STACK.md): a cell beginning with =, +, -, @, tab or carriage return
// gets a leading apostrophe. The row number is never passed here.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// pathEscape percent-encodes a file name for Content-Disposition's filename*.
func pathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c), 16)))
		}
	}
	return b.String()
}

// sampleValues are example rows of each record kind, by column: together
// they make a small, consistent day of exports (the bills refer to the fee
// items and customers, the payments to the bills, ...), so that the sample
// files ingest cleanly when uploaded in upload order. The columns come
// from ingest's definition of the kinds; a column without a value here is
// left empty.
var sampleValues = map[string][]map[string]string{
	"fee_items": {
		{"code": "MGMT", "name": "物業管理費", "unit": "m2", "rate": "2.50", "effective_from": "2026-01-01"},
		{"code": "PARK", "name": "月租停車費", "unit": "month", "rate": "1200.00", "effective_from": "2026-01-01", "effective_to": "2026-12-31"},
	},
	"customers": {
		{"customer_id": "C0001", "name": "陳美玲", "unit": "A-101", "area": "North", "id_doc": "A123456789"},
		{"customer_id": "C0002", "name": "林志偉", "unit": "B-202", "area": "South", "id_doc": "B987654321"},
	},
	"bills": {
		{"bill_id": "B202609-0001", "customer_id": "C0001", "fee_item": "MGMT", "period": "2026-09", "amount_due": "250.00", "discount": "0.00", "due_date": "2026-09-15"},
		{"bill_id": "B202609-0002", "customer_id": "C0002", "fee_item": "PARK", "period": "2026-09", "amount_due": "1200.00", "discount": "100.00", "due_date": "2026-09-15"},
	},
	"payments": {
		{"txn_id": "T20260910-0001", "paid_at": "2026-09-10 10:15:00", "customer_id": "C0001", "bill_id": "B202609-0001", "fee_item": "MGMT", "amount": "250.00", "method": "cash", "collector": "Wang", "receipt_no": "R0001", "status": "completed"},
		{"txn_id": "T20260912-0002", "paid_at": "2026-09-12 14:30:00", "customer_id": "C0002", "bill_id": "B202609-0002", "fee_item": "PARK", "amount": "1100.00", "method": "wechat", "collector": "Li", "receipt_no": "R0002", "status": "completed"},
	},
	"settlements": {
		{"settlement_id": "S20260911-0001", "channel": "cash_deposit", "amount": "250.00", "settled_at": "2026-09-11 09:00:00", "fee": "0.00", "collector": "Wang"},
		{"settlement_id": "S20260913-0002", "channel": "wechat", "txn_ref": "T20260912-0002", "amount": "1100.00", "settled_at": "2026-09-13 02:00:00", "fee": "6.60"},
	},
	"refunds": {
		{"refund_id": "RF0001", "txn_id": "T20260912-0002", "amount": "100.00", "reason": "重複收費", "requested_at": "2026-09-20 10:00:00", "reviewed_at": "2026-09-21 09:00:00", "decision": "approved", "executed_at": "2026-09-22 15:00:00"},
	},
	"invoices": {
		{"invoice_no": "INV0001", "txn_id": "T20260910-0001", "type": "invoice", "issued_at": "2026-09-10 10:20:00", "status": "issued"},
		{"invoice_no": "INV0002", "txn_id": "T20260912-0002", "type": "receipt", "issued_at": "2026-09-12 14:35:00", "status": "issued"},
	},
	"exceptions": {
		{"exception_id": "EX0001", "occurred_at": "2026-09-16 11:00:00", "customer_id": "C0002", "bill_id": "B202609-0002", "type": "dispute", "reason": "對停車費金額有異議", "collector": "Li", "escalated": "false", "resolved_at": "2026-09-18 16:00:00"},
	},
	"actions": {
		{"action_id": "ACT01", "title": "簡化現金繳款流程", "problem": "complex_process", "owner": "Chang", "started_on": "2026-09-01", "metric": "collection_rate", "target": "0.95"},
	},
	"feedback": {
		{"feedback_id": "FB0001", "received_at": "2026-09-12 15:00:00", "customer_id": "C0002", "channel": "wechat", "score": "4", "category": "service", "comment": "繳費很方便"},
	},
	"resolutions": {
		{"ref": "cash:Wang:2026-09-10", "resolved_at": "2026-09-14 10:00:00", "resolution": "late_settlement", "note": "現金隔日存入", "resolved_by": "Chang"},
	},
}

// sampleCSV is a sample file of kind: its columns as ingest defines them
// and the example rows.
func sampleCSV(kind *ingest.Kind) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cols := kind.Columns()
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Name
	}
	cw.Write(rec)
	for _, row := range sampleValues[kind.Name] {
		for i, c := range cols {
			rec[i] = row[c.Name]
		}
		cw.Write(rec)
	}
	cw.Flush()
	return b.Bytes()
}

// handleSample downloads the sample file of a kind: /upload/sample/KIND.csv.
func (s *Server) handleSample(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Finance, false); err != nil {
		s.refusePage(w, r, err)
		return
	}
	name, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	kind, known := ingest.KindByName(name)
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+kind.Name+`.csv"`)
	w.Write(sampleCSV(kind))
}
