package server

import (
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
