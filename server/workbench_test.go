package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// workbenchServer serves a database with payments (one of them large, to
// show decimals survive), the metric views, and people of each role: two
// analysts, someone of finance only, an admin. Scripts have an analyst token.
func workbenchServer(t *testing.T) (*httptest.Server, *Server) {
	t.Helper()
	in, store := testIngester(t)
	seed(t, in)
	mustIngest(t, in, "payments", csvLines(
		payHeader,
		"T1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"T2,2026-09-11 10:00,C002,B2,PARK,0.05,card,,R2,completed",
		"T3,2026-09-12 10:00,C001,,PARK,9876543210123.45,bank_transfer,Lin,R3,completed",
	))
	if err := analytics.Install(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	addUser(t, store, "ann", "ann-password", "analyst")
	addUser(t, store, "bo", "bo-password", "analyst+viewer")
	addUser(t, store, "fay", "fay-password", "finance")
	addUser(t, store, "root", "root-password", "admin")
	tokens, err := ParseTokens("analyst:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(), SQLTimeout: time.Minute,
		Now: func() time.Time { return time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC) }})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, s
}

// send makes a request of the browser's session, with its CSRF token when
// csrf is set, and extra headers in pairs.
func (b *browser) send(method, path, body string, csrf bool, header ...string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf {
		req.Header.Set(csrfHeader, b.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

// inlineCode finds what the CSP would block: a script with code in it (a
// JSON data block is data, not code), a style element or attribute, an
// event handler attribute.
func inlineCode(page string) string {
	for _, m := range regexp.MustCompile(`<script[^>]*>[^<]|<style|\sstyle=|\son[a-z]+=`).FindAllString(page, -1) {
		if !strings.Contains(m, `type="application/json"`) {
			return m
		}
	}
	return ""
}

func TestWorkbenchPageInEveryLanguage(t *testing.T) {
	ts, s := workbenchServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("ann", "ann-password")
	var comment string // the view's explanation, as the database holds it (English)
	if err := s.cfg.Store.DB().QueryRow(`SELECT comment FROM duckdb_views() WHERE view_name = 'collection_monthly'`).Scan(&comment); err != nil || comment == "" {
		t.Fatalf("the view has no comment (%v)", err)
	}
	tests := []struct {
		lang string
		want []string // the page's own words in that language, the script's among them
	}{
		{"en", []string{`<html lang="en">`, "<title>SQL workbench · feeflow</title>", ">Run</button>", "Data dictionary", "Saved queries", "Ctrl-Enter",
			"A result shows at most 10,000 rows and 64 MiB", `"running":"Running…"`, ">SQL workbench</a>"}},
		{"zh-Hant", []string{`<html lang="zh-Hant">`, "<title>SQL 工作台 · feeflow</title>", ">執行</button>", "資料字典", "已儲存的查詢", "檢視表",
			"結果最多顯示 10,000 列、64 MiB", `"running":"執行中…"`, "登入身分"}},
		{"zh-Hans", []string{`<html lang="zh-Hans">`, "<title>SQL 工作台 · feeflow</title>", ">运行</button>", "数据字典", "已保存的查询", "视图",
			"结果最多显示 10,000 行、64 MiB", `"running":"运行中…"`, "登录身份"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			resp, page := b.get("/sql?lang=" + tt.lang)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /sql?lang=%s: status %d", tt.lang, resp.StatusCode)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			// The dictionary: views, macros, tables with their columns, types
			// and comments, and the example queries; every name insertable.
			for _, s := range append(tt.want,
				`data-insert="collection_monthly"`, `data-insert="arrears_aging(as_of, latest := false)"`, `data-insert="payments"`, `data-insert="amount"`,
				"DECIMAL(18,2)", html.EscapeString(comment), "Collection rate by month, all fee items together",
				`<script src="/vendor/echarts.min.js"`, `<script src="/workbench.js"`, `href="/workbench.css"`,
				`name="csrf" value="`+b.csrf+`"`, `"csrf":"`+b.csrf+`"`,
			) {
				if !strings.Contains(page, s) {
					t.Errorf("the page lacks %q", s)
				}
			}
			if m := inlineCode(page); m != "" {
				t.Errorf("the page holds inline code the CSP blocks: %q", m)
			}
		})
	}
	// The language chosen is remembered for the next page.
	if _, page := b.get("/sql"); !strings.Contains(page, `<html lang="zh-Hans">`) {
		t.Errorf("the language chosen last (zh-Hans) is not remembered")
	}
}

func TestWorkbenchIsForAnalysts(t *testing.T) {
	ts, _ := workbenchServer(t)
	tests := []struct {
		name, user string
		status     int
	}{
		{"stranger", "", http.StatusSeeOther},
		{"finance only", "fay", http.StatusForbidden},
		{"analyst", "bo", http.StatusOK},
		{"admin", "root", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, ts.URL)
			if tt.user != "" {
				b.mustSignIn(tt.user, tt.user+"-password")
			}
			resp, _ := b.get("/sql")
			if resp.StatusCode != tt.status {
				t.Errorf("GET /sql as %s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
			}
			if tt.status == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=%2Fsql") {
				t.Errorf("a stranger is sent to %q, want the sign-in form", resp.Header.Get("Location"))
			}
		})
	}
	// The page's files need no sign-in; ECharts comes with its licence.
	for path, want := range map[string]string{
		"/workbench.js": "parseExact", "/workbench.css": ".wb-grid", "/vendor/echarts.min.js": "echarts",
		"/vendor/echarts-LICENSE": "Apache License", "/vendor/echarts-NOTICE": "Apache ECharts",
	} {
		resp, body := newBrowser(t, ts.URL).get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: status %d, want 200 with %q", path, resp.StatusCode, want)
		}
	}
	for _, path := range []string{"/vendor/charts.js", "/vendor/..%2Fsite.go", "/vendor/site.css"} {
		if resp, _ := newBrowser(t, ts.URL).get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

// The page runs queries through the SQL API with the session and its CSRF
// token: the answer is the one a script with a token gets, decimals exact.
func TestWorkbenchRunsQueriesThroughTheAPI(t *testing.T) {
	ts, _ := workbenchServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("ann", "ann-password")
	query := jsonQuery("SELECT txn_id, amount, collector, sum(amount) OVER () AS total FROM payments ORDER BY txn_id")
	resp, page := b.send("POST", "/api/v1/sql", query, true, "Accept", "application/json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, page)
	}
	_, api := postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken, query)
	if page != string(api) {
		t.Errorf("the page's answer differs from the API's:\n%s\nwant\n%s", page, api)
	}
	for _, s := range []string{`"T3",9876543210123.45,"Lin",9876543210373.50]`, `"T2",0.05,null,`} {
		if !strings.Contains(page, s) {
			t.Errorf("the answer lacks %s (exact decimals, NULL as null): %s", s, page)
		}
	}
	for h, want := range map[string]string{"Feeflow-Rows": "3", "Feeflow-Truncated": "false", "Feeflow-Row-Limit": "10000", "Feeflow-Byte-Limit": "67108864"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if st := resp.Header.Get("Server-Timing"); !regexp.MustCompile(`^query;dur=\d+\.\d$`).MatchString(st) {
		t.Errorf("Server-Timing = %q, want the query's time", st)
	}
	// Past the row limit, the answer says so and by what.
	resp, _ = b.send("POST", "/api/v1/sql?limit=2", jsonQuery("SELECT * FROM range(5)"), true)
	if resp.Header.Get("Feeflow-Truncated") != "true" || resp.Header.Get("Feeflow-Truncated-By") != "rows" || resp.Header.Get("Feeflow-Row-Limit") != "2" {
		t.Errorf("truncated answer headers: %v", resp.Header)
	}
	resp, _ = b.send("POST", "/api/v1/sql", jsonQuery("SELECT repeat('x', 1000000) AS mb FROM range(70)"), true)
	if resp.Header.Get("Feeflow-Truncated") != "true" || resp.Header.Get("Feeflow-Truncated-By") != "bytes" || resp.Header.Get("Feeflow-Rows") == "70" {
		t.Errorf("answer cut at the byte limit: headers %v", resp.Header)
	}
	// Without the session's CSRF token another site's page could run
	// queries as the analyst: refused before the query is read.
	if resp, body := b.send("POST", "/api/v1/sql", query, false); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("without the CSRF token: status %d %s, want 403", resp.StatusCode, body)
	}
	fay := newBrowser(t, ts.URL).mustSignIn("fay", "fay-password")
	if resp, _ := fay.send("POST", "/api/v1/sql", query, true); resp.StatusCode != http.StatusForbidden {
		t.Errorf("finance's session: status %d, want 403", resp.StatusCode)
	}
}

// Hostile SQL sent from the page is refused exactly as through the API,
// and changes nothing.
func TestWorkbenchRefusesHostileSQLAsTheAPI(t *testing.T) {
	ts, s := workbenchServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("ann", "ann-password")
	before := dump(t, s.cfg.Store)
	tests := []struct{ name, query, want string }{
		{"drop", "DROP TABLE payments", "DROP"},
		{"several statements", "SELECT 1; DELETE FROM payments", "DELETE"},
		{"two reads", "SELECT 1; SELECT 2", "one statement per request"},
		{"copy", "COPY payments TO '/tmp/feeflow-workbench-leak.csv'", "COPY"},
		{"read_csv", "SELECT * FROM read_csv('/etc/passwd')", "read_csv"},
		{"enable_logging", "SELECT * FROM enable_logging(storage='file', storage_path='/tmp/feeflow-workbench-log')", "enable_logging"},
		{"query string", "SELECT * FROM query('DROP TABLE payments')", "query"},
		{"saved queries' schema", "SELECT * FROM workbench.saved_queries", "saved_queries"},
		{"accounts", "SELECT * FROM accounts.users", "users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := b.send("POST", "/api/v1/sql", jsonQuery(tt.query), true)
			apiResp, api := postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken, jsonQuery(tt.query))
			if resp.StatusCode != http.StatusBadRequest || resp.StatusCode != apiResp.StatusCode {
				t.Errorf("status %d through the page, %d through the API, want 400 both", resp.StatusCode, apiResp.StatusCode)
			}
			if page != string(api) {
				t.Errorf("the page's refusal\n%s\ndiffers from the API's\n%s", page, api)
			}
			var a sqlAnswer
			if err := json.Unmarshal([]byte(page), &a); err != nil || !strings.Contains(a.Error, tt.want) {
				t.Errorf("refusal %q (%v), want it to name %q", a.Error, err, tt.want)
			}
		})
	}
	if after := dump(t, s.cfg.Store); after != before {
		t.Errorf("the refused statements changed the database")
	}
	for _, f := range []string{"/tmp/feeflow-workbench-leak.csv", "/tmp/feeflow-workbench-log"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused statement wrote %s", f)
		}
	}
}

// The downloads are the whole result from the server, as CSV and as
// Parquet, asked for by Accept or by the body's format.
func TestWorkbenchDownloads(t *testing.T) {
	ts, _ := workbenchServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("ann", "ann-password")
	const q = "SELECT txn_id, amount, collector, paid_at FROM payments ORDER BY txn_id"
	_, answer := b.send("POST", "/api/v1/sql", jsonQuery(q), true)
	var a sqlAnswer
	if err := json.Unmarshal([]byte(answer), &a); err != nil || len(a.Rows) != 3 {
		t.Fatalf("the query's answer: %v %s", err, answer)
	}
	var want []string // txn_id|amount|collector of each row, as the API wrote them
	for _, r := range a.Rows {
		var id, collector string
		json.Unmarshal(r[0], &id)
		json.Unmarshal(r[2], &collector)
		if string(r[2]) == "null" {
			collector = "NULL"
		}
		want = append(want, id+"|"+string(r[1])+"|"+collector)
	}
	formatBody := func(format string) string {
		body, _ := json.Marshal(map[string]string{"query": q, "format": format})
		return string(body)
	}
	t.Run("csv", func(t *testing.T) {
		for name, req := range map[string][2]string{"accept": {jsonQuery(q), "text/csv"}, "format": {formatBody("csv"), ""}} {
			resp, body := b.send("POST", "/api/v1/sql?limit=100000", req[0], true, "Accept", req[1])
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "query.csv") {
				t.Fatalf("%s: status %d %s: %s", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil || len(recs) != 4 {
				t.Fatalf("%s: %d records, %v", name, len(recs), err)
			}
			var got []string
			for _, r := range recs[1:] {
				if r[2] == "" {
					r[2] = "NULL"
				}
				got = append(got, r[0]+"|"+r[1]+"|"+r[2])
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: CSV rows\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	})
	t.Run("parquet", func(t *testing.T) {
		reader, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "reader.duckdb"), data.Options{ExternalAccess: true})
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		for name, req := range map[string][2]string{"accept": {jsonQuery(q), "application/vnd.apache.parquet"}, "format": {formatBody("parquet"), "application/json"}} {
			resp, body := b.send("POST", "/api/v1/sql?limit=100000", req[0], true, "Accept", req[1])
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.apache.parquet" || !strings.Contains(resp.Header.Get("Content-Disposition"), "query.parquet") {
				t.Fatalf("%s: status %d %s: %.200q", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			file := filepath.Join(t.TempDir(), name+".parquet")
			if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			rows, err := reader.DB().Query(`SELECT txn_id || '|' || amount::VARCHAR || '|' || coalesce(collector, 'NULL'), typeof(amount), typeof(paid_at) FROM read_parquet(?) ORDER BY txn_id`, file)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var line, amountType, paidType string
				if err := rows.Scan(&line, &amountType, &paidType); err != nil {
					t.Fatal(err)
				}
				if amountType != "DECIMAL(18,2)" || paidType != "TIMESTAMP WITH TIME ZONE" {
					t.Errorf("%s: Parquet types %s, %s; want DECIMAL(18,2), TIMESTAMP WITH TIME ZONE", name, amountType, paidType)
				}
				got = append(got, line)
			}
			rows.Close()
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: Parquet rows\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	})
	t.Run("refusals", func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"query": "DROP TABLE payments", "format": "parquet"})
		if resp, _ := b.send("POST", "/api/v1/sql", string(body), true); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a refused query as Parquet: status %d, want 400", resp.StatusCode)
		}
		if resp, _ := b.send("POST", "/api/v1/sql", formatBody("xlsx"), true); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("format xlsx: status %d, want 400", resp.StatusCode)
		}
	})
}

type savedList struct {
	Queries []struct {
		ID        int64  `json:"id"`
		Title     string `json:"title"`
		SQL       string `json:"sql"`
		Author    string `json:"author"`
		Date      string `json:"date"`
		MayDelete bool   `json:"may_delete"`
	} `json:"queries"`
}

func TestSavedQueriesAreSharedAmongAnalysts(t *testing.T) {
	ts, _ := workbenchServer(t)
	ann := newBrowser(t, ts.URL).mustSignIn("ann", "ann-password")
	bo := newBrowser(t, ts.URL).mustSignIn("bo", "bo-password")
	fay := newBrowser(t, ts.URL).mustSignIn("fay", "fay-password")
	root := newBrowser(t, ts.URL).mustSignIn("root", "root-password")
	save := func(b *browser, title, sql string) (*http.Response, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"title": title, "sql": sql})
		return b.send("POST", "/api/v1/queries", string(body), true)
	}
	list := func(b *browser) savedList {
		t.Helper()
		resp, body := b.send("GET", "/api/v1/queries", "", false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/queries: status %d %s", resp.StatusCode, body)
		}
		var l savedList
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}

	if resp, body := save(ann, "Arrears <by> age", "SELECT * FROM arrears_aging(current_date)"); resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"author": "ann"`) {
		t.Fatalf("save: status %d %s", resp.StatusCode, body)
	}
	// Saving does not run the query: what the gate would refuse is kept.
	if resp, body := save(bo, "Bo's draft", "DROP TABLE payments"); resp.StatusCode != http.StatusCreated {
		t.Fatalf("save a draft: status %d %s", resp.StatusCode, body)
	}

	l := list(bo)
	if len(l.Queries) != 2 || l.Queries[0].Title != "Bo's draft" || l.Queries[1].Title != "Arrears <by> age" {
		t.Fatalf("bo's list = %+v, want both, newest first", l.Queries)
	}
	if q := l.Queries[1]; q.Author != "ann" || q.Date != "2026-11-27 17:30" || q.SQL != "SELECT * FROM arrears_aging(current_date)" || q.MayDelete {
		t.Errorf("ann's query as bo sees it = %+v; want by ann, dated in Taipei, not bo's to delete", q)
	}
	// Another analyst finds it on the page, with who saved it and when.
	_, page := bo.get("/sql?lang=en")
	for _, s := range []string{"Arrears &lt;by&gt; age", "ann, 2026-11-27 17:30", "SELECT * FROM arrears_aging(current_date)"} {
		if !strings.Contains(page, s) {
			t.Errorf("bo's page lacks %q", s)
		}
	}
	if strings.Count(page, `class="secondary wb-delete"`) != 1 {
		t.Errorf("bo's page offers to delete %d queries, want only bo's own", strings.Count(page, `class="secondary wb-delete"`))
	}
	annID, boID := l.Queries[1].ID, l.Queries[0].ID

	// Finance sees none of it.
	if resp, _ := fay.send("GET", "/api/v1/queries", "", false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("finance lists saved queries: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := save(fay, "x", "SELECT 1"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("finance saves a query: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := newBrowser(t, ts.URL).send("GET", "/api/v1/queries", "", false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a stranger lists saved queries: status %d, want 401", resp.StatusCode)
	}
	// A script with the analyst token reads the same list.
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/queries", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, body := ann.do(req); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bo's draft") {
		t.Errorf("the token's list: status %d %s", resp.StatusCode, body)
	}

	tests := []struct {
		name   string
		b      *browser
		method string
		path   string
		body   string
		csrf   bool
		status int
	}{
		{"without the CSRF token", ann, "POST", "/api/v1/queries", `{"title": "t", "sql": "SELECT 1"}`, false, http.StatusForbidden},
		{"no title", ann, "POST", "/api/v1/queries", `{"title": " ", "sql": "SELECT 1"}`, true, http.StatusBadRequest},
		{"title too long", ann, "POST", "/api/v1/queries", `{"title": "` + strings.Repeat("x", data.MaxSavedTitle+1) + `", "sql": "SELECT 1"}`, true, http.StatusBadRequest},
		{"SQL too long", ann, "POST", "/api/v1/queries", `{"title": "t", "sql": "` + strings.Repeat("x", data.MaxSavedSQL+1) + `"}`, true, http.StatusBadRequest},
		{"body too large", ann, "POST", "/api/v1/queries", `{"title": "t", "sql": "` + strings.Repeat("x", 8*data.MaxSavedSQL) + `"}`, true, http.StatusRequestEntityTooLarge},
		{"not JSON", ann, "POST", "/api/v1/queries", `title=t`, true, http.StatusBadRequest},
		{"another's", bo, "DELETE", "/api/v1/queries/" + itoa(annID), "", true, http.StatusForbidden},
		{"own without the CSRF token", bo, "DELETE", "/api/v1/queries/" + itoa(boID), "", false, http.StatusForbidden},
		{"finance", fay, "DELETE", "/api/v1/queries/" + itoa(boID), "", true, http.StatusForbidden},
		{"own", bo, "DELETE", "/api/v1/queries/" + itoa(boID), "", true, http.StatusNoContent},
		{"gone", bo, "DELETE", "/api/v1/queries/" + itoa(boID), "", true, http.StatusNotFound},
		{"not a number", bo, "DELETE", "/api/v1/queries/x", "", true, http.StatusBadRequest},
		{"admin deletes any", root, "DELETE", "/api/v1/queries/" + itoa(annID), "", true, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp, body := tt.b.send(tt.method, tt.path, tt.body, tt.csrf); resp.StatusCode != tt.status {
				t.Errorf("%s %s: status %d %.200s, want %d", tt.method, tt.path, resp.StatusCode, body, tt.status)
			}
		})
	}
	if l := list(ann); len(l.Queries) != 0 {
		t.Errorf("after the deletions: %+v, want none", l.Queries)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
