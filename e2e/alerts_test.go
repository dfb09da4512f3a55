package e2e_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
	"github.com/shopspring/decimal"
)

// A viewer opens the alerts page in Chromium under the server's CSP: in
// Traditional Chinese, then in English through the language switcher;
// every alert links to the dashboard, and the page asks nothing of another
// site.
func TestAlertsPageInChromium(t *testing.T) {
	setup(t)
	ctx := context.Background()
	key := server.PasswordKey("e2e-password-key-0123456789abcdef")
	hash, err := key.Hash("lin-e2e-password")
	if err != nil {
		t.Fatal(err)
	}
	if err := shared.store.AddUser(ctx, data.Account{Name: "lin-e2e", Secret: hash, Roles: "viewer", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// The generated data always holds open discrepancies and arrears.
	al := &server.Alerter{Store: shared.store, Lang: "en", Rules: []analytics.Rule{
		{Name: "old", Kind: analytics.RuleDiscrepancyAge, Threshold: decimal.NewFromInt(1)},
		{Name: "arrears", Kind: analytics.RuleAreaArrears, Threshold: decimal.NewFromInt(0)},
	}}
	run, err := al.Run(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if run.Open == 0 {
		t.Fatal("the rules found no alert in the generated data")
	}
	srv, err := server.New(server.Config{Store: shared.store, Ingester: ingest.New(shared.store, ingest.Config{}), TempDir: t.TempDir(), PasswordKey: key, Alerts: al})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	base, _ := url.Parse(ts.URL)

	tab, v, _ := open(t, ts.URL+"/login?next="+url.QueryEscape("/alerts?lang=zh-Hant"), "")
	if err := chromedp.Do(tab, chromedp.SetValue("#name", "lin-e2e"), chromedp.SetValue("#password", "lin-e2e-password")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(`button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	shots := screenshots(t)
	read := func() (lang, text string, rows, links int) {
		t.Helper()
		var err error
		if lang, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil {
			t.Fatal(err)
		}
		if text, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`)); err != nil {
			t.Fatal(err)
		}
		if rows, err = chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#alerts tbody tr').length`)); err != nil {
			t.Fatal(err)
		}
		if png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err != nil {
			t.Errorf("screenshot: %v", err)
		} else if err := os.WriteFile(filepath.Join(shots, "alerts-"+lang+".png"), png, 0o644); err != nil {
			t.Error(err)
		}
		if links, err = chromedp.Run(tab, chromedp.Evaluate[int](`[...document.querySelectorAll('#alerts tbody a')].filter(a => /^\/(en|zh-Hant)\/[a-z]+\.html#[a-z]+$/.test(a.getAttribute('href'))).length`)); err != nil {
			t.Fatal(err)
		}
		return
	}
	lang, text, rows, links := read()
	if lang != "zh-Hant" || !strings.Contains(text, "警示") || !strings.Contains(text, "對帳差異逾期未結") || rows != run.Open || links != rows {
		t.Errorf("in Traditional Chinese: lang %q, %d rows, %d dashboard links (want %d); page %.300q", lang, rows, links, run.Open, text)
	}
	if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(`nav.langs a[hreflang="en"]`))); err != nil {
		t.Fatal(err)
	}
	lang, text, rows, links = read()
	if lang != "en" || !strings.Contains(text, "Discrepancy open too long") || !strings.Contains(text, "Area arrears above limit") || rows != run.Open || links != rows {
		t.Errorf("in English: lang %q, %d rows, %d dashboard links (want %d); page %.300q", lang, rows, links, run.Open, text)
	}
	if strings.Contains(text, "Rules in force") {
		t.Error("a viewer sees the rules")
	}
	for _, f := range v.foreign(base) {
		t.Errorf("a request left the site: %s", f)
	}
	for _, p := range v.problems {
		t.Error(p) // a style or script blocked by the CSP shows here
	}
}
