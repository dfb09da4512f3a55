package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func sqlServer(t *testing.T) (*httptest.Server, *Server) {
	t.Helper()
	in, store := testIngester(t)
	seed(t, in)
	mustIngest(t, in, "payments", csvLines(
		"txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status",
		"T1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"T2,2026-09-11 10:00,C002,B2,PARK,0.05,card,\"=HYPERLINK(\"\"http://x\"\")\",R2,completed",
	))
	tokens, err := ParseTokens("analyst:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(), SQLTimeout: time.Minute})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, s
}

// postRaw sends body with the headers given in pairs and returns the
// answer's bytes.
func postRaw(t *testing.T, url, contentType, token, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type sqlAnswer struct {
	Columns []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"columns"`
	Rows      [][]json.RawMessage `json:"rows"`
	Truncated *bool               `json:"truncated"`
	Error     string              `json:"error"`
}

func jsonQuery(q string) string {
	b, _ := json.Marshal(map[string]string{"query": q})
	return string(b)
}

func TestSQLAPIAnswersJSON(t *testing.T) {
	ts, _ := sqlServer(t)
	resp, body := postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken,
		jsonQuery("SELECT txn_id, amount, paid_at, CAST(paid_at AS DATE) AS day, sum(amount) OVER () AS total FROM payments ORDER BY txn_id"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var a sqlAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Columns) != 5 || a.Columns[1].Name != "amount" || a.Columns[1].Type != "DECIMAL(18,2)" {
		t.Errorf("columns = %+v", a.Columns)
	}
	if a.Truncated == nil || *a.Truncated {
		t.Errorf("truncated = %v, want false", a.Truncated)
	}
	// Money is an exact JSON number, never a float's approximation.
	if got := string(a.Rows[1][1]); got != "0.05" {
		t.Errorf("amount = %s, want 0.05", got)
	}
	if got := string(a.Rows[0][4]); got != "250.05" {
		t.Errorf("total = %s, want 250.05", got)
	}
	if got := string(a.Rows[0][2]); got != `"2026-09-10T10:00:00+08:00"` {
		t.Errorf("paid_at = %s, want an ISO timestamp", got)
	}
	if got := string(a.Rows[0][3]); got != `"2026-09-10"` {
		t.Errorf("day = %s, want an ISO date", got)
	}
}

func TestSQLAPIAcceptsPlainText(t *testing.T) {
	ts, _ := sqlServer(t)
	resp, body := postRaw(t, ts.URL+"/api/v1/sql", "text/plain", testToken, "SELECT count(*) AS n FROM payments")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"rows":[[2]]`) {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
}

func TestSQLAPIRefusals(t *testing.T) {
	ts, s := sqlServer(t)
	before := dump(t, s.cfg.Store)
	cases := []struct {
		name, token, contentType, body string
		status                         int
		want                           string
	}{
		{"no token", "", "application/json", jsonQuery("SELECT 1"), http.StatusUnauthorized, "token"},
		{"bad token", "wrong-token-0123456789", "application/json", jsonQuery("SELECT 1"), http.StatusUnauthorized, "token"},
		{"drop", testToken, "application/json", jsonQuery("DROP TABLE payments"), http.StatusBadRequest, "DROP"},
		{"delete after select", testToken, "application/json", jsonQuery("SELECT 1; DELETE FROM payments"), http.StatusBadRequest, "DELETE"},
		{"two reads", testToken, "application/json", jsonQuery("SELECT 1; SELECT 2"), http.StatusBadRequest, "one statement per request"},
		{"explain analyze", testToken, "application/json", jsonQuery("EXPLAIN ANALYZE DELETE FROM payments"), http.StatusBadRequest, "EXPLAIN ANALYZE"},
		{"file read", testToken, "application/json", jsonQuery("SELECT * FROM read_csv('/etc/passwd')"), http.StatusBadRequest, "table function read_csv is not allowed"},
		{"copy", testToken, "text/plain", "COPY payments TO '/tmp/feeflow-leak.csv'", http.StatusBadRequest, "COPY"},
		{"attach", testToken, "text/plain", "ATTACH ':memory:' AS m", http.StatusBadRequest, "ATTACH"},
		{"set", testToken, "text/plain", "SET threads = 1", http.StatusBadRequest, "SET"},
		{"install", testToken, "text/plain", "INSTALL httpfs", http.StatusBadRequest, "INSTALL"},
		{"syntax", testToken, "text/plain", "SELEC 1", http.StatusBadRequest, "syntax"},
		{"empty", testToken, "application/json", `{"query": ""}`, http.StatusBadRequest, "no SQL statement"},
		{"not json", testToken, "application/json", `{"q": 1`, http.StatusBadRequest, "query"},
		{"slow", testToken, "text/plain", "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b", http.StatusGatewayTimeout, "stopped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := ts.URL + "/api/v1/sql"
			if c.status == http.StatusGatewayTimeout {
				url += "?timeout=500ms" // a query that cannot finish in any time; the others have a minute
			}
			resp, body := postRaw(t, url, c.contentType, c.token, c.body)
			var a sqlAnswer
			json.Unmarshal(body, &a)
			if resp.StatusCode != c.status || !strings.Contains(a.Error, c.want) {
				t.Errorf("status %d %q, want %d and a message with %q", resp.StatusCode, a.Error, c.status, c.want)
			}
		})
	}
	if after := dump(t, s.cfg.Store); after != before {
		t.Errorf("the refused statements changed the database")
	}
	if _, err := os.Stat("/tmp/feeflow-leak.csv"); err == nil {
		t.Errorf("COPY wrote /tmp/feeflow-leak.csv")
	}
}

func TestSQLAPIRowLimit(t *testing.T) {
	ts, _ := sqlServer(t)
	resp, body := postRaw(t, ts.URL+"/api/v1/sql?limit=5", "text/plain", testToken, "SELECT * FROM range(20)")
	var a sqlAnswer
	json.Unmarshal(body, &a)
	if resp.StatusCode != http.StatusOK || len(a.Rows) != 5 || a.Truncated == nil || !*a.Truncated {
		t.Fatalf("status %d rows %d truncated %v, want 200, 5, true", resp.StatusCode, len(a.Rows), a.Truncated)
	}
	for _, bad := range []string{"0", "100001", "x"} {
		resp, _ := postRaw(t, ts.URL+"/api/v1/sql?limit="+bad, "text/plain", testToken, "SELECT 1")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("limit=%s: status %d, want 400", bad, resp.StatusCode)
		}
	}
	for _, bad := range []string{"x", "-1s", "0s"} {
		resp, _ := postRaw(t, ts.URL+"/api/v1/sql?timeout="+bad, "text/plain", testToken, "SELECT 1")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("timeout=%s: status %d, want 400", bad, resp.StatusCode)
		}
	}
	resp, _ = postRaw(t, ts.URL+"/api/v1/sql?timeout=50ms", "text/plain", testToken, "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b")
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("timeout=50ms on a slow query: status %d, want 504", resp.StatusCode)
	}
	// The default limit is 10000 rows.
	_, body = postRaw(t, ts.URL+"/api/v1/sql", "text/plain", testToken, "SELECT * FROM range(10001)")
	a = sqlAnswer{}
	json.Unmarshal(body, &a)
	if len(a.Rows) != 10000 || !*a.Truncated {
		t.Errorf("default limit: %d rows truncated %v, want 10000 and true", len(a.Rows), *a.Truncated)
	}
}

func TestSQLAPIAnswersCSV(t *testing.T) {
	ts, _ := sqlServer(t)
	resp, body := postRaw(t, ts.URL+"/api/v1/sql?limit=1", "application/json", testToken,
		jsonQuery("SELECT txn_id, amount, -amount AS negative, collector, '@SUM(A1)' AS at FROM payments ORDER BY txn_id DESC"),
		"Accept", "text/csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp.Header.Get("Feeflow-Truncated") != "true" {
		t.Errorf("Feeflow-Truncated = %q, want true", resp.Header.Get("Feeflow-Truncated"))
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"txn_id", "amount", "negative", "collector", "at"},
		{"T2", "0.05", "-0.05", `'=HYPERLINK("http://x")`, "'@SUM(A1)"},
	}
	if len(recs) != 2 || strings.Join(recs[0], "|") != strings.Join(want[0], "|") || strings.Join(recs[1], "|") != strings.Join(want[1], "|") {
		t.Errorf("CSV = %q, want %q", recs, want)
	}
}
