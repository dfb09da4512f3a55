package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
)

// uploadServer is a server with mei (finance) and a folder of stored
// profiles holding my-bank.json, for settlements.
func uploadServer(t *testing.T) (*httptest.Server, *data.Store) {
	t.Helper()
	in, store := testIngester(t)
	seed(t, in)
	addUser(t, store, "mei", "mei-password", "finance")
	dir := t.TempDir()
	myBank := `{"name": "my-bank", "kind": "settlements", "title": {"en": "My bank"},
		"columns": {"amount": {"credit": "收入金额", "debit": "支出金额"}, "settled_at": "交易日期", "txn_ref": "摘要"},
		"constants": {"channel": "bank"}, "derive_key": true}`
	if err := os.WriteFile(filepath.Join(dir, "my-bank.json"), []byte(myBank), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"columns": `), 0o644); err != nil {
		t.Fatal(err)
	}
	tokens, err := ParseTokens("finance:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(), ProfilesDir: dir})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, store
}

// The form offers every built-in profile under its kind, then the stored
// ones; a stored file that is no profile is left out.
func TestUploadPageOffersProfiles(t *testing.T) {
	ts, _ := uploadServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password")
	_, page := b.get("/upload")
	for _, want := range []string{
		`<select id="map" name="map"><option value="" selected>recognise automatically</option>`,
		`<optgroup label="settlements: built-in" data-kind="settlements">`,
		`<option value="wechat-pay-trade">WeChat Pay merchant trade bill (all orders) · 微信支付交易账单（全部订单）</option>`,
		`<optgroup label="settlements: stored" data-kind="settlements"><option value="my-bank">My bank</option></optgroup>`,
		`accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,.xlsx,.xls"`,
		`<script src="/upload.js" defer></script>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("upload page lacks %s", want)
		}
	}
	for _, p := range ingest.BuiltinProfiles() {
		if !strings.Contains(page, `<option value="`+p.Name+`">`) {
			t.Errorf("upload page does not offer the built-in profile %s", p.Name)
		}
	}
	if strings.Contains(page, "broken") {
		t.Error("upload page offers a stored file that is no profile")
	}
	if resp, js := b.get("/upload.js"); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || !strings.Contains(js, "optgroup") {
		t.Errorf("GET /upload.js = %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
}

// A profile of another kind is refused, naming both kinds; nothing is written.
func TestUploadFormRefusesAProfileOfAnotherKind(t *testing.T) {
	ts, store := uploadServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password")
	before := dump(t, store)
	ct, body := multipartBody(t, map[string]string{"kind": "payments", "map": "wechat-pay-trade"}, "p.csv", csvLines(payHeader))
	resp, page := b.post("/upload?csrf="+b.csrf, ct, body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "reads settlements, not payments") {
		t.Errorf("payments with a settlements profile = %s, want 400 naming both kinds", resp.Status)
	}
	if !strings.Contains(page, `<option value="wechat-pay-trade" selected>`) {
		t.Error("the page forgot the profile chosen")
	}
	if dump(t, store) != before {
		t.Error("a refused upload changed the database")
	}
}

// wechatSample is a WeChat Pay merchant trade bill (the built-in profile's
// sample): 6 settlement lines, 2 rows dropped, the summary skipped.
func wechatSample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "ingest", "profiles", "testdata", "wechat-pay-trade", "sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// explainJSON is the explanation as a client reads it.
type explainJSON struct {
	Kind           string              `json:"kind"`
	Encoding       string              `json:"encoding"`
	Profile        string              `json:"profile"`
	HeaderRow      int                 `json:"header_row"`
	Mapping        []map[string]string `json:"mapping"`
	IgnoredColumns []string            `json:"ignored_columns"`
	Skipped        []ingest.Skipped    `json:"skipped"`
	Dropped        []ingest.Dropped    `json:"dropped"`
	Rows           int                 `json:"rows"`
	Columns        []string            `json:"columns"`
	Preview        []ingest.PreviewRow `json:"preview"`
	Error          string              `json:"error"`
	Code           string              `json:"code"`
	Errors         []ingest.RowError   `json:"errors"`
}

func postExplain(t *testing.T, url, contentType, token string, body []byte) (*http.Response, explainJSON) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var ex explainJSON
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatalf("explanation is not JSON (%s): %s", resp.Status, raw)
	}
	return resp, ex
}

// ?explain=true answers how the file would be read and writes nothing.
func TestIngestAPIExplain(t *testing.T) {
	ts, store := uploadServer(t)
	before := dump(t, store)
	resp, ex := postExplain(t, ts.URL+"/api/v1/ingest/settlements?explain=true", "text/csv", testToken, wechatSample(t))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("explain = %s %+v, want 200", resp.Status, ex)
	}
	if ex.Kind != "settlements" || ex.Profile != "wechat-pay-trade" || ex.HeaderRow != 1 || ex.Encoding == "" || ex.Rows != 6 {
		t.Errorf("explain = kind %q profile %q header %d encoding %q rows %d, want settlements, wechat-pay-trade, 1, an encoding, 6",
			ex.Kind, ex.Profile, ex.HeaderRow, ex.Encoding, ex.Rows)
	}
	if len(ex.Mapping) == 0 || len(ex.IgnoredColumns) == 0 || len(ex.Skipped) != 2 || len(ex.Dropped) != 2 {
		t.Errorf("explain mapping %v ignored %v skipped %v dropped %v, want a mapping, ignored columns, 2 skipped lines, 2 drop reasons",
			ex.Mapping, ex.IgnoredColumns, ex.Skipped, ex.Dropped)
	}
	if len(ex.Preview) != 6 || len(ex.Columns) == 0 || ex.Preview[0].Values[0] != "4200002026090100000001" {
		t.Errorf("explain preview = %v (columns %v), want the 6 lines as stored", ex.Preview, ex.Columns)
	}
	if dump(t, store) != before {
		t.Error("explain changed the database")
	}

	// Without the header, the answer says which line was read.
	resp, ex = postExplain(t, ts.URL+"/api/v1/ingest/settlements?explain=true&map=wechat-pay-trade", "text/csv", testToken, csvLines("hello,world", "1,2"))
	if resp.StatusCode != http.StatusUnprocessableEntity || ex.Code != "rejected" || ex.Error == "" || len(ex.Errors) == 0 {
		t.Errorf("explain of a file without the header = %s %+v, want 422 rejected with the line read", resp.Status, ex)
	}
	// Same credentials as ingest: no token, no reading.
	if resp, _ := postExplain(t, ts.URL+"/api/v1/ingest/settlements?explain=true", "text/csv", "", wechatSample(t)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("explain without a token = %s, want 401", resp.Status)
	}
	if resp, ex := postExplain(t, ts.URL+"/api/v1/ingest/settlements?explain=true", "image/png", testToken, []byte("x")); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("explain of a PNG = %s %+v, want 415", resp.Status, ex)
	}
	if dump(t, store) != before {
		t.Error("a refused explain changed the database")
	}
}

func countSettlements(t *testing.T, store *data.Store) int {
	t.Helper()
	var n int
	if err := store.DB().QueryRow(`SELECT count(*) FROM settlements`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A clerk previews a WeChat Pay bill on the page, sees how it will be read,
// then uploads the same file with the same form.
func TestUploadPagePreviewThenCommit(t *testing.T) {
	ts, store := uploadServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password")
	bill := wechatSample(t)
	before := dump(t, store)

	ct, body := multipartBody(t, map[string]string{"kind": "settlements", "encoding": "auto", "action": "preview"}, "wechat-bill.csv", bill)
	resp, page := b.post("/upload?csrf="+b.csrf, ct, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview = %s:\n%s", resp.Status, page)
	}
	for _, want := range []string{
		`wechat-bill.csv: preview; nothing written yet`,
		`<code>wechat-pay-trade</code> WeChat Pay merchant trade bill (all orders) · 微信支付交易账单（全部订单）`,
		`<tr><th scope="row">Header line</th><td>1: <code>交易时间, 公众账号ID,`,
		`<tr><th scope="row">Rows read</th><td class="num">6</td></tr>`,
		`<h3>Lines skipped (not rows)</h3>`,
		`<h3>Rows left out</h3>`,
		`<h3>Where each column comes from</h3>`,
		`<tr><td><code>txn_ref</code></td>`,
		`<h3>Columns not read</h3>`,
		`<li><code>公众账号ID</code></li>`,
		`<td class="num">2</td><td>4200002026090100000001</td><td>wechat</td><td>FF20260901001</td><td>120.00</td><td>2026-09-01 08:15:22+08:00</td><td>0.72</td>`,
		`<button type="submit" name="action" value="upload">Upload</button>`,
		`choose it again to upload it`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("preview page lacks %s", want)
		}
	}
	if strings.Index(page, `id="preview"`) > strings.Index(page, `value="upload"`) {
		t.Error("the preview is not above the upload button")
	}
	if dump(t, store) != before {
		t.Fatal("the preview changed the database")
	}

	ct, body = multipartBody(t, map[string]string{"kind": "settlements", "encoding": "auto", "action": "upload"}, "wechat-bill.csv", bill)
	resp, page = b.post("/upload?csrf="+b.csrf, ct, body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "wechat-bill.csv: ingested") {
		t.Fatalf("upload after the preview = %s:\n%s", resp.Status, page)
	}
	for _, want := range []string{
		`<tr><th scope="row">Profile</th><td><code>wechat-pay-trade</code></td></tr>`,
		`<tr><th scope="row">Header line</th><td class="num">1</td></tr>`,
		`<h3>Lines skipped (not rows)</h3>`,
		`<h3>Rows left out</h3>`,
		`<li><code>公众账号ID</code></li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("upload report lacks %s", want)
		}
	}
	if n := countSettlements(t, store); n != 6 {
		t.Errorf("settlement lines after the upload = %d, want 6", n)
	}
}

// A file whose header is not found: the preview says which line was read.
func TestUploadPagePreviewWithoutHeader(t *testing.T) {
	ts, store := uploadServer(t)
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password")
	ct, body := multipartBody(t, map[string]string{"kind": "settlements", "map": "wechat-pay-trade", "action": "preview"}, "odd.csv", csvLines("hello,world", "1,2"))
	resp, page := b.post("/upload?csrf="+b.csrf, ct, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "The file cannot be read as settlements") || !strings.Contains(page, "line 1") {
		t.Errorf("preview of a file without the header = %s, want 422 naming the line read:\n%s", resp.Status, page)
	}
	if n := countSettlements(t, store); n != 0 {
		t.Errorf("settlement lines after a refused preview = %d, want 0", n)
	}
	// A profile that does not exist: the preview is refused, saying why.
	ct2, body2 := multipartBody(t, map[string]string{"kind": "settlements", "map": "no-such-bank", "action": "preview"}, "odd.csv", csvLines("hello,world"))
	if resp, page := b.post("/upload?csrf="+b.csrf, ct2, body2); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "<h2>Preview refused</h2>") || !strings.Contains(page, "no-such-bank") {
		t.Errorf("preview with an unknown profile = %s, want 400 naming it", resp.Status)
	}
	// The form's CSRF token is needed for a preview too.
	if resp, _ := b.post("/upload", ct, body); resp.StatusCode != http.StatusForbidden {
		t.Errorf("preview without the CSRF token = %s, want 403", resp.Status)
	}
}
