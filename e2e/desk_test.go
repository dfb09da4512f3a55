package e2e_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
)

// gate holds the dashboard's builds until the test lets them run.
type gate struct {
	mu sync.Mutex
	ch chan struct{}
}

func (g *gate) hold() { g.mu.Lock(); g.ch = make(chan struct{}); g.mu.Unlock() }
func (g *gate) open() { g.mu.Lock(); close(g.ch); g.ch = nil; g.mu.Unlock() }
func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	ch := g.ch
	g.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A clerk signs in, switches the desk to Traditional Chinese, chooses the
// day's three files at once (in no particular order, named without their
// kinds), sees each file's kind recognised and the files put in upload
// order, uploads them, finds the report at the top of the page, sees the
// dashboard publishing and then published with the upload once the test
// lets the build run, and finds the upload in the history. Under the CSP:
// no inline script, nothing blocked, no request outside the site.
func TestUploadDeskInChromium(t *testing.T) {
	setup(t)
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		loc = time.FixedZone("Asia/Taipei", 8*3600)
	}
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "desk.duckdb"), data.Options{Threads: 2, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key := server.PasswordKey("e2e-password-key-0123456789abcdef")
	hash, err := key.Hash("clerk-e2e-password")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddUser(ctx, data.Account{Name: "clerk", Secret: hash, Roles: "finance+viewer", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	builds := &gate{}
	srv, err := server.New(server.Config{
		Store: store, Ingester: ingest.New(store, ingest.Config{Location: loc}), TempDir: t.TempDir(), PasswordKey: key,
		SiteDir: filepath.Join(t.TempDir(), "site"),
		Publish: func(ctx context.Context, dir string) error {
			if err := builds.wait(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>dashboard</title><p>dashboard</p>\n"), 0o644)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Publish(ctx); err != nil { // the first dashboard
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	base, _ := url.Parse(ts.URL)

	dir := t.TempDir()
	files := map[string]string{
		"0927-c.csv": "账单号,客户编号,收费项目,账期,应收金额,到期日\nB1,C1,MGMT,2026-09,250.00,2026-09-15\nB2,C2,MGMT,2026-09,180.50,2026-09-15\n",
		"0927-a.csv": "客戶編號,姓名,房號,區域\nC1,陳美玲,A-101,北區\nC2,林志偉,B-202,南區\n",
		"0927-b.csv": "項目代碼,項目名稱,單位,收費標準,生效日期\nMGMT,物業管理費,m2,2.50,2026-01-01\n",
	}
	var paths []string
	for _, name := range []string{"0927-c.csv", "0927-a.csv", "0927-b.csv"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}

	tab, v, _ := open(t, ts.URL+"/upload", "")
	// The browser is shared: the language chosen here must not follow the
	// other tests to their servers on the same host.
	t.Cleanup(func() {
		chromedp.Call(tab, network.DeleteCookies, network.DeleteCookiesParams{Name: "feeflow_lang", Domain: base.Hostname()})
	})
	// Every page opened from here on records the CSP violations the browser
	// reports (the console and the log are watched too, by open).
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	// until waits for js to be true; the limit only stops a hung test.
	until := func(what, js string) {
		t.Helper()
		deadline := time.Now().Add(45 * time.Second)
		for {
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited in vain for %s (%v); page: %.600q", what, err, eval(`document.body.innerText`))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	shots := screenshots(t)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	click := func(sel string) {
		t.Helper()
		if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
			t.Fatal(err)
		}
	}
	noInlineScript := func() {
		t.Helper()
		if n := eval(`String(document.querySelectorAll("script:not([src])").length)`); n != "0" {
			t.Errorf("%s has %s inline scripts", eval(`location.pathname`), n)
		}
		if csp := eval(`(window.__csp || ["not watched"]).join("; ")`); csp != "" {
			t.Errorf("%s: CSP violations: %s", eval(`location.pathname`), csp)
		}
	}

	if err := chromedp.Do(tab, chromedp.SetValue("#name", "clerk"), chromedp.SetValue("#password", "clerk-e2e-password")); err != nil {
		t.Fatal(err)
	}
	click(`button[type="submit"]`)
	click(`.langs a[hreflang="zh-Hant"]`)
	if h := eval(`document.querySelector("h1").textContent`); h != "上傳匯出檔案" || eval(`document.documentElement.lang`) != "zh-Hant" {
		t.Fatalf("after choosing 繁體中文 the desk reads %q", h)
	}
	noInlineScript()

	if err := chromedp.Do(tab, chromedp.SetUploadFiles("#file", paths)); err != nil {
		t.Fatal(err)
	}
	until("every file's kind recognised", `document.querySelectorAll("#file-list li.detected").length === 3`)
	// The same files dropped on the page, in the order chosen: the list is
	// made anew from the drop.
	if n := eval(`(() => {
		const dt = new DataTransfer();
		Array.from(document.getElementById("file").files).reverse().forEach(f => dt.items.add(f));
		document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return String(document.querySelectorAll("#file-list li.checking").length);
	})()`); n != "3" {
		t.Fatalf("after the drop %s files are being recognised, want the 3 dropped", n)
	}
	until("the dropped files' kinds recognised", `document.querySelectorAll("#file-list li.detected").length === 3`)
	got := eval(`Array.from(document.querySelectorAll("#file-list li")).map(li => li.querySelector(".name").textContent + "=" + li.querySelector("select").selectedOptions[0].textContent).join(" ")`)
	if want := "0927-b.csv=收費項目 0927-a.csv=客戶 0927-c.csv=帳單"; got != want {
		t.Errorf("files listed as %q, want %q (upload order, kinds in words)", got, want)
	}
	if note := eval(`document.querySelector("#file-list li .note").textContent`); note != "已依標題列辨識" {
		t.Errorf("the file's note reads %q", note)
	}
	if got := eval(`Array.from(document.getElementById("file").files).map(f => f.name).join(" ") + " | " + document.getElementById("kinds").value`); got != "0927-b.csv 0927-a.csv 0927-c.csv | fee_items,customers,bills" {
		t.Errorf("the form sends %q, want the files in upload order with their kinds", got)
	}

	shot("desk-files.png")
	builds.hold()
	if err := chromedp.Do(tab, chromedp.Click("#dry_run")); err != nil {
		t.Fatal(err)
	}
	click(`button[value="upload"]`)
	text := eval(`document.body.innerText`)
	for _, want := range []string{"上次上傳的報告", "0927-b.csv：已匯入", "0927-a.csv：已匯入", "0927-c.csv：已匯入", "儀表板正在發布，將包含這次上傳…"} {
		if !strings.Contains(text, want) {
			t.Errorf("after the upload the page lacks %q: %.800q", want, text)
		}
	}
	if first := eval(`document.querySelector("header").nextElementSibling.firstElementChild.id`); first != "result" {
		t.Errorf("the first thing after the header is #%s, want the report", first)
	}
	if order := eval(`Array.from(document.querySelectorAll("#result section.report h2")).map(h => h.textContent.split("：")[0]).join(" ")`); order != "0927-b.csv 0927-a.csv 0927-c.csv" {
		t.Errorf("reports in the order %q, want upload order", order)
	}

	builds.open()
	if _, err := srv.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	until("the dashboard published with the upload", `!!document.querySelector("#publish.done")`)
	shot("desk-report.png")
	msg := eval(`document.querySelector("#publish .state").textContent`)
	if !strings.HasPrefix(msg, "儀表板已於 ") || !strings.HasSuffix(msg, "（Asia/Taipei）發布，包含這次上傳。") {
		t.Errorf("the publish note reads %q", msg)
	}
	noInlineScript()

	click(`.desk-bar a[href="/upload/history"]`)
	shot("desk-history.png")
	rows := eval(`Array.from(document.querySelectorAll("table.history tbody tr")).map(tr => tr.cells[2].textContent + "=" + tr.cells[3].textContent.trim() + "=" + tr.cells[8].querySelector(".badge").textContent).join(" ")`)
	if want := "0927-c.csv=帳單=已匯入 0927-a.csv=客戶=已匯入 0927-b.csv=收費項目=已匯入"; rows != want {
		t.Errorf("history rows %q, want %q", rows, want)
	}
	noInlineScript()

	for _, p := range v.problems {
		t.Error(p) // a script or style blocked by the CSP shows here
	}
	if f := v.foreign(base); len(f) > 0 {
		t.Errorf("requests outside the site: %v", f)
	}
	fmt.Fprintln(os.Stderr, "desk: uploaded, published and listed in Chromium")
}
