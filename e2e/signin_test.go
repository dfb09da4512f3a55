package e2e_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
)

// A person signs in through the real pages, under the server's CSP: the
// upload desk sends a stranger to the sign-in form, which brings them back
// once signed in, and the desk's form (its CSRF token in its action) takes
// a file; signing out ends it.
func TestSignInAndUploadInChromium(t *testing.T) {
	setup(t)
	ctx := context.Background()
	key := server.PasswordKey("e2e-password-key-0123456789abcdef")
	hash, err := key.Hash("mei-e2e-password")
	if err != nil {
		t.Fatal(err)
	}
	if err := shared.store.AddUser(ctx, data.Account{Name: "mei-e2e", Secret: hash, Roles: "finance+viewer", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// A server of its own, with the dashboard closed (the shared one serves
	// it openly for the page tests), on the same database.
	srv, err := server.New(server.Config{Store: shared.store, Ingester: ingest.New(shared.store, ingest.Config{}), TempDir: t.TempDir(), PasswordKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	file := filepath.Join(t.TempDir(), "fee_items.csv")
	if err := os.WriteFile(file, []byte("code,name,unit,rate,effective_from\nE2E,E2E test fee,month,1.00,2026-01-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tab, v, _ := open(t, ts.URL+"/upload", "")
	where := func() string {
		t.Helper()
		p, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	submit := func(sel string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
			t.Fatal(err)
		}
	}
	if p := where(); p != "/login" {
		t.Fatalf("a stranger opening /upload is at %s, want /login", p)
	}
	if err := chromedp.Do(tab, chromedp.SetValue("#name", "mei-e2e"), chromedp.SetValue("#password", "mei-e2e-password")); err != nil {
		t.Fatal(err)
	}
	submit(`button[type="submit"]`)
	if p, s := where(), text(); p != "/upload" || !strings.Contains(s, "Signed in as mei-e2e") {
		t.Fatalf("after signing in: at %s, page %.200q; want the upload desk", p, s)
	}

	if err := chromedp.Do(tab, chromedp.SetValue("#kind", "fee_items"), chromedp.SetUploadFiles("#file", []string{file})); err != nil {
		t.Fatal(err)
	}
	// The statement layouts offered are those of the kind chosen.
	if off, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('#map optgroup[data-kind="settlements"]').disabled`)); err != nil || !off {
		t.Errorf("settlements layouts offered for fee_items (disabled=%v, %v)", off, err)
	}
	// Preview shows how the file will be read in place: the file stays
	// chosen, and the upload below sends it.
	if err := chromedp.Do(tab, chromedp.Click(`button[value="preview"]`), chromedp.WaitVisible(`#preview section.preview`)); err != nil {
		t.Fatal(err)
	}
	if s := text(); !strings.Contains(s, "fee_items.csv: preview; nothing written yet") || !strings.Contains(s, "E2E test fee") {
		t.Errorf("the preview is not shown: %.400q", s)
	}
	if n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.getElementById("file").files.length`)); err != nil || n != 1 {
		t.Errorf("after the preview the form holds %d files (%v), want the one chosen", n, err)
	}
	submit(`button[value="upload"]`)
	if s := text(); !strings.Contains(s, "fee_items.csv: checked (dry run); nothing written") {
		t.Errorf("the dry run's report is not shown: %.400q", s)
	}

	submit(`form.who button`)
	if p := where(); p != "/login" {
		t.Errorf("after signing out: at %s, want /login", p)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(ts.URL+"/upload")); err != nil {
		t.Fatal(err)
	}
	if p := where(); p != "/login" {
		t.Errorf("after signing out /upload opens at %s, want /login", p)
	}
	for _, p := range v.problems {
		t.Error(p) // a form or style blocked by the CSP shows here
	}
}
