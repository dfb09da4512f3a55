package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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
		`<optgroup label="Settlements (bank and channel statements): built-in" data-kind="settlements">`,
		`<option value="wechat-pay-trade">WeChat Pay merchant trade bill (all orders) · 微信支付交易账单（全部订单）</option>`,
		`<optgroup label="Settlements (bank and channel statements): stored" data-kind="settlements"><option value="my-bank">My bank</option></optgroup>`,
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
		`<tr><th scope="row">Layout</th><td><code>wechat-pay-trade</code></td></tr>`,
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
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "odd.csv: the file cannot be read as Settlements (bank and channel statements)") || !strings.Contains(page, "line 1") {
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

// deskServer is a server on a fresh database (seeded with the reference
// data when asked) with mei (finance) and vic (viewer), a site folder
// published by a fake build, and a debounce timer the test fires itself.
type deskServer struct {
	ts     *httptest.Server
	s      *Server
	store  *data.Store
	timer  *manualTimer
	built  chan buildResult
	mei    *browser
	vic    *browser
	loaded bool
}

func newDeskServer(t *testing.T, seeded bool) *deskServer {
	t.Helper()
	in, store := testIngester(t)
	if seeded {
		seed(t, in)
	}
	addUser(t, store, "mei", "mei-password", "finance")
	addUser(t, store, "vic", "vic-password", "viewer")
	tokens, err := ParseTokens("finance:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeSite{}
	d := &deskServer{store: store}
	d.s = newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(),
		SiteDir: filepath.Join(t.TempDir(), "site"), Publish: fake.publish})
	d.timer, d.built = observe(d.s.pub)
	d.s.Start()
	awaitBuild(t, d.built) // the first site, since there was none
	d.ts = httptest.NewServer(d.s.Handler())
	t.Cleanup(func() {
		d.ts.Close()
		d.s.Shutdown(context.Background())
	})
	d.mei = newBrowser(t, d.ts.URL).mustSignIn("mei", "mei-password")
	d.vic = newBrowser(t, d.ts.URL)
	if st := d.vic.signIn("vic", "vic-password"); st != http.StatusSeeOther {
		t.Fatalf("vic signs in: %d", st)
	}
	return d
}

// files is several files of one form, in the order given.
type formFileT struct {
	name string
	body []byte
}

// multipartFiles is a form with several files and fields.
func multipartFiles(t *testing.T, fields map[string]string, files ...formFileT) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+f.name+`"`)
		h.Set("Content-Type", "text/csv")
		w, _ := mw.CreatePart(h)
		w.Write(f.body)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// reportOutcomes lists "file:outcome" of the page's file reports, in order.
var reportRe = regexp.MustCompile(`<section class="report (?:ok|bad)" data-outcome="([a-z_]+)"><h2>([^:：<]+)[:：]`)

func reportOutcomes(page string) []string {
	var out []string
	for _, m := range reportRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[2]+":"+m[1])
	}
	return out
}

// The desk speaks the reader's language: every text of the page, the kinds
// in words, the report's framing; the choice is remembered.
func TestUploadDeskLanguages(t *testing.T) {
	d := newDeskServer(t, true)
	bad := csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,2.505,cash,Wang,R1,completed",
		"P2,2026-09-10 10:00,C001,B1,MGMT,1.001,cash,Wang,R2,completed",
		"P3,2026-09-10 10:00,C009,B1,NOPE,1.00,cash,Wang,R3,completed")
	tests := []struct {
		lang string
		want []string
		not  []string
	}{
		{"en", []string{`<html lang="en">`, "<h1>Upload exports</h1>", `<option value="fee_items">Fee items</option>`, "Export files", "Record kinds, their columns and sample files",
			"p.csv: rejected; nothing was written", "2 rows · amount: more than 2 decimal places", "1 row · fee_item: refers to a record not found in Fee items (upload Fee items first)",
			"Download all 3 problems (CSV)"}, []string{"上傳", "上传"}},
		{"zh-Hant", []string{`<html lang="zh-Hant">`, "<h1>上傳匯出檔案</h1>", `<option value="fee_items">收費項目</option>`, "匯出檔案", "資料類型、欄位與範例檔",
			"p.csv：", "已拒絕，未寫入任何資料", "2 列 · amount 欄位：超過 2 位小數", "1 列 · fee_item 欄位：參照的資料在「收費項目」中找不到（請先上傳收費項目）",
			"下載全部 3 個問題（CSV）", "帳單"}, []string{"Upload exports", "Record kind<", "上传", "数据类型"}},
		{"zh-Hans", []string{`<html lang="zh-Hans">`, "<h1>上传导出文件</h1>", `<option value="fee_items">收费项目</option>`, "导出文件", "数据类型、列与示例文件",
			"已拒绝，未写入任何数据", "2 行 · amount 列：超过 2 位小数", "1 行 · fee_item 列：引用的数据在“收费项目”中找不到（请先上传收费项目）",
			"下载全部 3 个问题（CSV）", "账单"}, []string{"Upload exports", "Record kind<", "上傳", "資料類型"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			b := newBrowser(t, d.ts.URL).mustSignIn("mei", "mei-password")
			if _, page := b.get("/upload?lang=" + tt.lang); !strings.Contains(page, `<html lang="`+tt.lang+`">`) {
				t.Fatalf("?lang=%s not taken", tt.lang)
			}
			// Remembered: the form's answer comes in the same language.
			ct, body := multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"}, formFileT{"p.csv", bad})
			resp, page := b.post("/upload?csrf="+b.csrf, ct, body)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("rejected file = %s, want 422", resp.Status)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s page lacks %q", tt.lang, w)
				}
			}
			for _, w := range append(tt.not, "%!") {
				if strings.Contains(page, w) {
					t.Errorf("%s page has %q", tt.lang, w)
				}
			}
			// The report comes first after the header, before the form.
			if r, f := strings.Index(page, `id="result"`), strings.Index(page, `<form method="post" action="/upload`); r < 0 || r > f || strings.Index(page, "</header>") > r {
				t.Errorf("the report is not the first thing after the header (result at %d, form at %d)", r, f)
			}
		})
	}
}

// The sample file of every kind, downloaded from the desk, is uploaded in
// one form, in reverse order and without kinds: each kind is recognised,
// the files go in upload order, and every row is ingested.
func TestSampleFilesIngestInUploadOrder(t *testing.T) {
	d := newDeskServer(t, false)
	var files []formFileT
	for _, k := range ingest.KindNames() {
		resp, body := d.mei.get("/upload/sample/" + k + ".csv")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET /upload/sample/%s.csv = %s %s", k, resp.Status, resp.Header.Get("Content-Type"))
		}
		kind, _ := ingest.KindByName(k)
		header := strings.SplitN(strings.TrimPrefix(body, "\ufeff"), "\n", 2)[0]
		var want []string
		for _, c := range kind.Columns() {
			want = append(want, c.Name)
		}
		if header != strings.Join(want, ",") {
			t.Errorf("sample %s header = %q, want the kind's columns %q", k, header, strings.Join(want, ","))
		}
		files = append([]formFileT{{k + "-sample.csv", []byte(body)}}, files...)
	}
	if resp, _ := d.mei.get("/upload/sample/salaries.csv"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("sample of an unknown kind = %s, want 404", resp.Status)
	}
	if resp, _ := d.vic.get("/upload/sample/payments.csv"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sample for a viewer = %s, want 403", resp.Status)
	}
	ct, body := multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"}, files...)
	resp, page := d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	var want []string
	for _, k := range ingest.KindNames() {
		want = append(want, k+"-sample.csv:ingested")
	}
	if got := reportOutcomes(page); resp.StatusCode != http.StatusOK || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("upload of every sample = %s, reports %v; want 200 and %v", resp.Status, got, want)
	}
	for _, k := range ingest.KindNames() {
		var n int
		d.store.DB().QueryRow(`SELECT count(*) FROM "` + k + `"`).Scan(&n)
		if want := len(sampleValues[k]); n != want || n == 0 {
			t.Errorf("%s rows after the samples = %d, want %d", k, n, want)
		}
	}
}

// Every column of every kind has a sample value unless it may be empty.
func TestSampleValuesCoverRequiredColumns(t *testing.T) {
	for _, k := range ingest.KindNames() {
		kind, _ := ingest.KindByName(k)
		if len(sampleValues[k]) == 0 {
			t.Errorf("no sample rows for %s", k)
		}
		names := map[string]bool{}
		for _, c := range kind.Columns() {
			names[c.Name] = true
			for i, row := range sampleValues[k] {
				if c.Required && row[c.Name] == "" {
					t.Errorf("sample row %d of %s has no %s, which is required", i+1, k, c.Name)
				}
			}
		}
		for i, row := range sampleValues[k] {
			for col := range row {
				if !names[col] {
					t.Errorf("sample row %d of %s names %s, not a column of the kind", i+1, k, col)
				}
			}
		}
	}
}

// Files whose kind cannot be told are not uploaded: the report asks for
// the kind and names the candidates; the others go in upload order; a kind
// chosen per file (as upload.js sends it) is taken.
func TestUploadFormKindsPerFile(t *testing.T) {
	d := newDeskServer(t, true)
	pay := formFileT{"pay.csv", csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")}
	odd := formFileT{"odd.csv", csvLines("customer_id,colour", "C7,blue")}
	fees := formFileT{"fees.csv", csvLines("code,name,unit,rate,effective_from,effective_to", "WATR,Water,m3,3.10,2026-01-01,")}
	ct, body := multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"}, pay, odd, fees)
	resp, page := d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	if got := strings.Join(reportOutcomes(page), " "); resp.StatusCode != http.StatusUnprocessableEntity || got != "fees.csv:ingested pay.csv:ingested odd.csv:choose" {
		t.Fatalf("upload = %s, reports %s; want 422, fees then payments ingested and odd.csv asking for its kind", resp.Status, got)
	}
	if !strings.Contains(page, "It could be: Customers.") {
		t.Errorf("the report does not name the candidate kind")
	}
	// The same odd file, its kind chosen: kinds holds one kind per file in the body's order.
	ct, body = multipartFiles(t, map[string]string{"kind": "auto", "kinds": "customers", "action": "upload"}, odd)
	resp, page = d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	if got := strings.Join(reportOutcomes(page), " "); resp.StatusCode != http.StatusOK || got != "odd.csv:ingested" {
		t.Errorf("odd.csv as customers = %s %s, want ingested", resp.Status, got)
	}
	// POST /upload/detect answers per file, for upload.js.
	ct, body = multipartFiles(t, nil, pay, odd)
	resp, raw := d.mei.post("/upload/detect?csrf="+d.mei.csrf, ct, body)
	var det struct {
		Files []struct {
			Name       string   `json:"name"`
			Kind       string   `json:"kind"`
			Candidates []string `json:"candidates"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(raw), &det); err != nil || resp.StatusCode != http.StatusOK || len(det.Files) != 2 {
		t.Fatalf("detect = %s %s", resp.Status, raw)
	}
	if f := det.Files[0]; f.Name != "pay.csv" || f.Kind != "payments" {
		t.Errorf("detect pay.csv = %+v, want payments", f)
	}
	if f := det.Files[1]; f.Kind != "" || len(f.Candidates) == 0 || f.Candidates[0] != "customers" {
		t.Errorf("detect odd.csv = %+v, want no kind, customers first among the candidates", f)
	}
	if resp, _ := d.mei.post("/upload/detect", ct, body); resp.StatusCode != http.StatusForbidden {
		t.Errorf("detect without the CSRF token = %s, want 403", resp.Status)
	}
}

// After a commit the page follows the dashboard: publishing, then
// published at a time of the organisation's zone, including the upload,
// once the test fires the debounced build.
func TestUploadFollowsThePublishedDashboard(t *testing.T) {
	d := newDeskServer(t, true)
	statusOf := func(b *browser) PublishStatus {
		t.Helper()
		resp, raw := b.get("/api/v1/publish/status")
		var st PublishStatus
		if err := json.Unmarshal([]byte(raw), &st); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("publish status = %s %s", resp.Status, raw)
		}
		return st
	}
	before := statusOf(d.vic)
	if before.State != "published" || before.IncludesBatches != 3 || before.Zone != "Asia/Taipei" || before.PublishedAt == "" {
		t.Fatalf("status before the upload = %+v, want published with the 3 seeded batches", before)
	}
	ct, body := multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"},
		formFileT{"pay.csv", csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")})
	_, page := d.mei.post("/upload?lang=zh-Hant&csrf="+d.mei.csrf, ct, body)
	if !strings.Contains(page, `data-seq="4"`) || !strings.Contains(page, "儀表板正在發布，將包含這次上傳…") || !strings.Contains(page, `data-t-published="儀表板已於 {time}（{zone}）發布，包含這次上傳。"`) {
		t.Fatalf("after the commit the page does not follow the build:\n%s", page)
	}
	if st := statusOf(d.mei); st.State != "publishing" || st.IncludesBatches != 3 {
		t.Errorf("status after the commit = %+v, want publishing, still 3 batches published", st)
	}
	// A dry run does not follow anything.
	ct, body = multipartFiles(t, map[string]string{"kind": "payments", "action": "upload", "dry_run": "true"},
		formFileT{"pay2.csv", csvLines(payHeader, "P2,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R2,completed")})
	if _, page := d.mei.post("/upload?csrf="+d.mei.csrf, ct, body); strings.Contains(page, `id="publish"`) {
		t.Error("a dry run's page follows the dashboard")
	}

	d.timer.fire(t)
	if r := awaitBuild(t, d.built); r.err != nil {
		t.Fatal(r.err)
	}
	st := statusOf(d.vic)
	at, err := time.Parse(time.RFC3339, st.PublishedAt)
	if st.State != "published" || st.IncludesBatches != 4 || err != nil {
		t.Fatalf("status after the build = %+v (%v), want published with 4 batches", st, err)
	}
	if _, off := at.Zone(); off != 8*3600 {
		t.Errorf("published_at %s is not in the organisation's zone (+08:00)", st.PublishedAt)
	}
	// A page made after the build says so at once.
	ct, body = multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"},
		formFileT{"pay3.csv", csvLines(payHeader, "P3,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R3,completed")})
	if _, page := d.mei.post("/upload?lang=en&csrf="+d.mei.csrf, ct, body); !strings.Contains(page, "The dashboard is being published with this upload…") {
		t.Errorf("a new commit after the build is not shown as publishing")
	}
	d.timer.fire(t)
	awaitBuild(t, d.built)
	if st := statusOf(d.mei); st.IncludesBatches != 5 || st.State != "published" {
		t.Errorf("status after the second build = %+v, want 5 batches", st)
	}
	if resp, _ := get(t, d.ts.URL+"/api/v1/publish/status"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("publish status for a stranger = %s, want 401", resp.Status)
	}
}

// Problems are counted by column and kind of problem, whatever the values
// and identifiers in their words; the most frequent come first.
func TestGroupProblems(t *testing.T) {
	errs := []ingest.RowError{
		{Row: 2, Column: "amount", Value: "5.00", Message: "refund of 5.00 is larger than payment P1 (3.00)"},
		{Row: 3, Column: "amount", Value: "1.005", Message: "more than 2 decimal places"},
		{Row: 4, Column: "amount", Value: "7.10", Message: "refund of 7.10 is larger than payment P22 (1.00)"},
		{Row: 5, Column: "txn_id", Value: "P9", Message: "txn_id P9 not found in payments (upload payments first)"},
		{Row: 6, Column: "amount", Value: "8.00", Message: "refund of 8.00 is larger than payment Q-7 (2.50)"},
		{Row: 7, Column: "txn_id", Value: "P10", Message: "txn_id P10 not found in payments (upload payments first)"},
		{Row: 8, Column: "method", Value: "bitcoin", Message: "unknown value; want one of: cash, card"},
	}
	var got []string
	for _, g := range groupProblems(errs) {
		got = append(got, fmt.Sprintf("%s/%s/%s:%d@%d", g.Column, g.Code, g.Arg, g.Count, g.First[0].Row))
	}
	want := "amount//:3@2 txn_id/not_found/payments:2@5 amount/places2/:1@3 method/unknown_value/cash, card:1@8"
	if strings.Join(got, " ") != want {
		t.Errorf("groupProblems = %v, want %s", got, want)
	}
}
