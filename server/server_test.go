package server

import (
	"github.com/feeflow/feeflow/data"

	"github.com/feeflow/feeflow/ingest"

	"bytes"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
)

const testToken = "finance-token-0123456789"

func testServer(t *testing.T, maxUpload int64) (*httptest.Server, *Server, *data.Store) {
	t.Helper()
	in, store := testIngester(t)
	seed(t, in)
	tokens, err := ParseTokens("finance:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, MaxUpload: maxUpload, TempDir: t.TempDir()})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, s, store
}

// answerJSON is the ingest answer as a client reads it.
type answerJSON struct {
	BatchID       string            `json:"batch_id"`
	Kind          string            `json:"kind"`
	FileSHA256    string            `json:"file_sha256"`
	RowsTotal     *int              `json:"rows_total"`
	RowsAccepted  *int              `json:"rows_accepted"`
	RowsRejected  *int              `json:"rows_rejected"`
	RowsDuplicate *int              `json:"rows_duplicate"`
	DuplicateOf   *string           `json:"duplicate_of"`
	Errors        []ingest.RowError `json:"errors"`
	Error         string            `json:"error"`
	Code          string            `json:"code"`
}

func post(t *testing.T, url, contentType, token string, body []byte, header ...string) (*http.Response, answerJSON) {
	t.Helper()
	resp, raw := postRaw(t, url, contentType, token, string(body), header...)
	var a answerJSON
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer is not JSON (%s): %s", resp.Status, raw)
	}
	if a.RowsTotal == nil || a.RowsAccepted == nil || a.RowsRejected == nil || a.RowsDuplicate == nil || a.Errors == nil {
		t.Errorf("answer lacks documented fields: %s", raw)
	}
	return resp, a
}

func TestIngestAPI(t *testing.T) {
	ts, _, _ := testServer(t, 1<<20)
	good := csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")
	bad := csvLines(payHeader, "P2,2026-09-10 10:00,C001,B1,MGMT,2.505,cash,Wang,R1,completed")
	cases := []struct {
		name, path, ctype, token string
		body                     []byte
		want                     int
		check                    func(t *testing.T, a answerJSON)
	}{
		{"no token", "/api/v1/ingest/payments", "text/csv", "", good, 401, nil},
		{"bad token", "/api/v1/ingest/payments", "text/csv", "not-the-token-at-all", good, 401, nil},
		{"unknown kind", "/api/v1/ingest/salaries", "text/csv", testToken, good, 404, nil},
		{"unsupported type", "/api/v1/ingest/payments", "image/png", testToken, good, 415, nil},
		{"too large", "/api/v1/ingest/payments", "text/csv", testToken, bytes.Repeat([]byte("x"), 2<<20), 413, nil},
		{"unreadable", "/api/v1/ingest/payments", "text/csv", testToken, []byte{0xff, 0xfe, 0, 0, 1, 0}, 400, nil},
		{"rejected rows", "/api/v1/ingest/payments", "text/csv", testToken, bad, 422, func(t *testing.T, a answerJSON) {
			if len(a.Errors) != 1 || a.Errors[0].Row != 2 || a.Errors[0].Column != "amount" || a.Errors[0].Value != "2.505" {
				t.Errorf("errors = %+v, want row 2 amount 2.505", a.Errors)
			}
		}},
		{"ingested", "/api/v1/ingest/payments", "text/csv", testToken, good, 200, func(t *testing.T, a answerJSON) {
			if a.BatchID == "" || *a.RowsAccepted != 1 || a.Kind != "payments" || len(a.FileSHA256) != 64 {
				t.Errorf("answer = %+v", a)
			}
		}},
		{"same file again", "/api/v1/ingest/payments", "text/csv", testToken, good, 200, func(t *testing.T, a answerJSON) {
			if a.DuplicateOf == nil || *a.RowsAccepted != 0 {
				t.Errorf("answer = %+v, want duplicate_of set and nothing accepted", a)
			}
		}},
		{"bad rows allowed", "/api/v1/ingest/payments?allow_errors=true", "text/csv", testToken,
			csvLines(payHeader, "P3,2026-09-10 10:00,C001,B1,MGMT,1.00,cash,Wang,R1,completed", "P4,2026-09-10 10:00,C001,B1,MGMT,-1,cash,Wang,R1,completed"), 200,
			func(t *testing.T, a answerJSON) {
				if *a.RowsAccepted != 1 || *a.RowsRejected != 1 || len(a.Errors) != 1 {
					t.Errorf("answer = %+v, want 1 accepted 1 rejected", a)
				}
			}},
		{"json body", "/api/v1/ingest/payments", "application/json", testToken,
			[]byte(`[{"txn_id":"J1","paid_at":"2026-09-10 10:00","fee_item":"MGMT","amount":"5.00","method":"alipay"}]`), 200, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, a := post(t, ts.URL+c.path, c.ctype, c.token, c.body)
			if resp.StatusCode != c.want {
				t.Fatalf("status = %d, want %d (answer %+v)", resp.StatusCode, c.want, a)
			}
			if c.want != 200 && len(a.Errors) == 0 {
				t.Errorf("a %d answer names no problem", c.want)
			}
			if c.check != nil {
				c.check(t, a)
			}
		})
	}
}

func TestIngestAPIRecordsTokenName(t *testing.T) {
	ts, _, store := testServer(t, 1<<20)
	resp, a := post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", testToken,
		csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var by string
	store.DB().QueryRow(`SELECT uploaded_by FROM ingest_batches WHERE batch_id = ?`, a.BatchID).Scan(&by)
	if by != "finance" {
		t.Errorf("uploaded_by = %q, want the token's name", by)
	}
}

func TestIngestAPIIdempotencyKey(t *testing.T) {
	ts, _, _ := testServer(t, 1<<20)
	body := csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")
	_, first := post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", testToken, body, "Idempotency-Key", "retry-1")
	resp, again := post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", testToken, body, "Idempotency-Key", "retry-1")
	if resp.StatusCode != 200 || again.BatchID != first.BatchID || *again.RowsAccepted != 1 || again.DuplicateOf != nil {
		t.Errorf("replay = %d %+v, want the first answer %+v", resp.StatusCode, again, first)
	}
}

func multipartBody(t *testing.T, fields map[string]string, fileName string, file []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+fileName+`"`)
	h.Set("Content-Type", "text/csv")
	w, _ := mw.CreatePart(h)
	w.Write(file)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestIngestAPIMultipart(t *testing.T) {
	ts, _, store := testServer(t, 1<<20)
	ct, body := multipartBody(t, nil, "../../etc/passwd", csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	resp, a := post(t, ts.URL+"/api/v1/ingest/payments", ct, testToken, body)
	if resp.StatusCode != 200 || *a.RowsAccepted != 1 {
		t.Fatalf("multipart upload = %d %+v", resp.StatusCode, a)
	}
	var name string
	store.DB().QueryRow(`SELECT file_name FROM ingest_batches WHERE batch_id = ?`, a.BatchID).Scan(&name)
	if name != "passwd" {
		t.Errorf("file name recorded as %q, want only its base name", name)
	}
}

func TestBusyServerAnswers503(t *testing.T) {
	ts, s, _ := testServer(t, 1<<20)
	for i := 0; i < cap(s.slots); i++ {
		s.slots <- struct{}{}
	}
	resp, _ := post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", testToken, csvLines(payHeader))
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("saturated server answered %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestUploadPage(t *testing.T) {
	ts, _, store := testServer(t, 1<<20)
	addUser(t, store, "mei", "mei-password-1", "finance")
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password-1")
	resp, page := b.get("/upload")
	for _, want := range []string{`<form method="post" action="/upload?csrf=` + b.csrf + `" enctype="multipart/form-data">`, `<option value="payments">Payments</option>`, `name="dry_run"`, `Signed in as <strong>mei</strong>`} {
		if !strings.Contains(page, want) {
			t.Errorf("upload page lacks %s", want)
		}
	}
	if strings.Contains(page, `name="token"`) {
		t.Error("the upload page still asks for a token")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}

	upload := func(b *browser, csrf string, file []byte) (int, string) {
		ct, body := multipartBody(t, map[string]string{"kind": "payments", "dry_run": "true"}, "today.csv", file)
		resp, page := b.post("/upload?csrf="+csrf, ct, body)
		return resp.StatusCode, page
	}
	status, page2 := upload(b, b.csrf, csvLines(payHeader, "P9,2026-09-10 10:00,C001,B1,MGMT,1.001,cash,Wang,R1,completed"))
	if status != 422 || !strings.Contains(page2, "today.csv: rejected; nothing was written") || !strings.Contains(page2, "<code>1.001</code>") {
		t.Errorf("report page (%d) does not show the rejected row:\n%s", status, page2)
	}
	if status, page3 := upload(b, "", csvLines(payHeader)); status != 403 || !strings.Contains(page3, "CSRF") {
		t.Errorf("form without its CSRF token: %d\n%s", status, page3)
	}
	if status, _ := upload(newBrowser(t, ts.URL), "", csvLines(payHeader)); status != http.StatusSeeOther {
		t.Errorf("form from someone not signed in: %d, want 303 to the sign-in page", status)
	}
	// Hostile text in a value is shown as text.
	status, page4 := upload(b, b.csrf, csvLines(payHeader, `P9,2026-09-10 10:00,C001,B1,MGMT,<script>alert(1)</script>,cash,Wang,R1,completed`))
	if status != 422 || strings.Contains(page4, "<script>alert(1)") {
		t.Errorf("hostile value reached the page unescaped (%d)", status)
	}
}

func TestTokens(t *testing.T) {
	toks, err := ReadTokensFile(strings.NewReader("# finance team\nalice:alice-token-0123456789\nbob:sha256:" +
		"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8\n"))
	if err != nil {
		t.Fatal(err)
	}
	if name, roles, ok := toks.Check("alice-token-0123456789"); !ok || name != "alice" || roles != legacyRoles {
		t.Errorf("Check(alice's token) = %q %v %v, want alice with the roles of a token from before roles", name, roles, ok)
	}
	if name, _, ok := toks.Check("password"); !ok || name != "bob" {
		t.Errorf("Check(bob's token by digest) = %q %v", name, ok)
	}
	if _, _, ok := toks.Check(""); ok {
		t.Error("the empty token was accepted")
	}
	if _, err := ParseTokens("short:abc"); err == nil {
		t.Error("a 3-character token was accepted")
	}
}

func TestTokensNeverReachTheLog(t *testing.T) {
	in, store := testIngester(t)
	var log bytes.Buffer
	tokens, _ := ParseTokens("finance:" + testToken)
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", "wrong-secret-token-abcdef", csvLines(payHeader))
	post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", testToken, []byte{0xff, 0xfe, 0, 1})
	post(t, ts.URL+"/api/v1/ingest/payments", "text/csv", testToken, csvLines(payHeader, "P1,2026-09-10 10:00,,,NOPE,1.00,cash,,,"))
	if strings.Contains(log.String(), testToken) || strings.Contains(log.String(), "wrong-secret-token-abcdef") {
		t.Errorf("a token reached the log:\n%s", log.String())
	}
}
