package server

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/feeflow/feeflow/ingest"
)

const onePayment = "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"

func TestMultipartBounds(t *testing.T) {
	ts, s, _ := testServer(t, 1<<20)
	before := dump(t, s.cfg.Store)
	file := csvLines(payHeader, onePayment)
	form := func(extra func(mw *multipart.Writer)) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		extra(mw)
		w, _ := mw.CreateFormFile("file", "p.csv")
		w.Write(file)
		mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	for _, tc := range []struct {
		name  string
		extra func(mw *multipart.Writer)
		want  string
	}{
		{"long field name", func(mw *multipart.Writer) { mw.WriteField(strings.Repeat("n", 5<<10), "x") }, "field name is longer"},
		{"long field value", func(mw *multipart.Writer) { mw.WriteField("note", strings.Repeat("v", 5<<10)) }, "longer than 4096 bytes"},
		{"many fields", func(mw *multipart.Writer) {
			for i := range 40 {
				mw.WriteField(fmt.Sprint("f", i), "x")
			}
		}, "more than 32 fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := form(tc.extra)
			resp, a := post(t, ts.URL+"/api/v1/ingest/payments", ct, testToken, body)
			if resp.StatusCode != http.StatusBadRequest || a.Code != CodeBadRequest || !strings.Contains(a.Error, tc.want) {
				t.Errorf("= %s %q %q, want 400 bad_request saying %q", resp.Status, a.Code, a.Error, tc.want)
			}
		})
	}

	// A body cut short in the middle of the file is the client's fault.
	ct, body := form(func(*multipart.Writer) {})
	cut := body[:bytes.Index(body, []byte("P1,2026"))+10]
	resp, a := post(t, ts.URL+"/api/v1/ingest/payments", ct, testToken, cut)
	if resp.StatusCode != http.StatusBadRequest || a.Code != CodeBadRequest {
		t.Errorf("truncated multipart body = %s %q %q, want 400", resp.Status, a.Code, a.Error)
	}
	if dump(t, s.cfg.Store) != before {
		t.Error("a refused multipart body changed the database")
	}
	if ents, _ := os.ReadDir(s.cfg.TempDir); len(ents) != 0 {
		t.Errorf("refused uploads left %d spool files", len(ents))
	}
}

func TestDiskFullIs507(t *testing.T) {
	_, s, _ := testServer(t, 1<<20)
	for _, err := range []error{
		&os.PathError{Op: "write", Path: "/spool/feeflow-upload-1", Err: syscall.ENOSPC},
		fmt.Errorf("append rows: %w", fmt.Errorf("IO Error: Could not write file \"fees.duckdb.wal\": No space left on device")),
	} {
		w := httptest.NewRecorder()
		s.answer(w, "payments", nil, err)
		if w.Code != http.StatusInsufficientStorage || !strings.Contains(w.Body.String(), "disk full") || !strings.Contains(w.Body.String(), `"code": "disk_full"`) {
			t.Errorf("answer to %v = %d %s, want 507 saying disk full", err, w.Code, w.Body.String())
		}
		if strings.Contains(w.Body.String(), "/spool/") {
			t.Errorf("the answer shows a server path: %s", w.Body.String())
		}
	}
}

func TestIdempotencyKeyIsBoundToTheFile(t *testing.T) {
	ts, _, _ := testServer(t, 1<<20)
	url := ts.URL + "/api/v1/ingest/payments?filename=today.csv"
	if resp, a := post(t, url, "text/csv", testToken, csvLines(payHeader, onePayment), "Idempotency-Key", "k-1"); resp.StatusCode != http.StatusOK {
		t.Fatalf("first upload = %s %+v", resp.Status, a)
	}
	resp, a := post(t, url, "text/csv", testToken, csvLines(payHeader, "P2,2026-09-10 10:00,C001,B1,MGMT,5.00,cash,Wang,R2,completed"), "Idempotency-Key", "k-1")
	if resp.StatusCode != http.StatusConflict || a.Code != string(ingest.Conflict) || !strings.Contains(a.Error, "today.csv") {
		t.Errorf("the same key with another file = %s %q %q, want 409 conflict naming today.csv", resp.Status, a.Code, a.Error)
	}
}

func TestFileNameParameterKeepsTheBaseName(t *testing.T) {
	ts, _, store := testServer(t, 1<<20)
	for i, name := range []string{"../../etc/x.csv", `C:\exports\x.csv`} {
		line := fmt.Sprintf("P%d,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed", i+1)
		resp, a := post(t, ts.URL+"/api/v1/ingest/payments?filename="+strings.ReplaceAll(name, `\`, "%5C"), "text/csv", testToken, csvLines(payHeader, line))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s %+v", name, resp.Status, a)
		}
		var stored string
		store.DB().QueryRow(`SELECT file_name FROM ingest_batches WHERE batch_id = ?`, a.BatchID).Scan(&stored)
		if stored != "x.csv" {
			t.Errorf("?filename=%s stored as %q, want x.csv", name, stored)
		}
	}
}
