// Package e2e_test opens the published site in headless Chromium, the way
// management will: every page of every language, served by the real server
// (with its security headers) and from disk (file://).
//
// The tests need Chromium: FEEFLOW_CHROME names the binary, else chromium,
// chromium-browser or google-chrome is looked up on PATH. Without one they
// skip, unless FEEFLOW_BROWSER_TESTS=required (CI), when they fail.
// Screenshots of every page go to FEEFLOW_SCREENSHOTS (default: a temporary
// folder).
package e2e_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
	"github.com/feeflow/feeflow/site"
)

// maxOverviewBytes is the overview page's weight budget, every script included.
const maxOverviewBytes = 1_500_000

var (
	// shared holds what every test of the package uses: one data set, one
	// published site, one server and one browser, made on first use.
	shared struct {
		once    sync.Once
		err     error
		tmp     string
		store   *data.Store
		srv     *server.Server
		ts      *httptest.Server
		build   string // the published build folder
		browser context.Context
		stop    []func()
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.stop) - 1; i >= 0; i-- {
		shared.stop[i]()
	}
	if shared.tmp != "" {
		os.RemoveAll(shared.tmp)
	}
	os.Exit(code)
}

// chrome finds the browser, or skips (fails when browser tests are required).
func chrome(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("FEEFLOW_CHROME"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("FEEFLOW_CHROME=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser tests skipped: no Chromium found (install the chromium package, or set FEEFLOW_CHROME to the browser's path)"
	if os.Getenv("FEEFLOW_BROWSER_TESTS") == "required" {
		t.Fatal(strings.Replace(msg, "skipped", "required (FEEFLOW_BROWSER_TESTS=required)", 1))
	}
	t.Skip(msg)
	return ""
}

// setup builds the site from a small generated data set through the real
// path (gen -> ingest -> analytics -> site, published by the server) and
// starts the browser.
func setup(t testing.TB) {
	t.Helper()
	path := chrome(t)
	shared.once.Do(func() { shared.err = start(path) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
}

func start(chromePath string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "feeflow-e2e-")
	if err != nil {
		return err
	}
	shared.tmp = tmp
	m, err := gen.Write(ctx, filepath.Join(tmp, "exports"), gen.Config{
		Customers: 150, Months: 6, Seed: 1, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		loc = time.FixedZone(m.TimeZone, 8*3600)
	}
	store, err := data.Open(ctx, filepath.Join(tmp, "feeflow.duckdb"), data.Options{Threads: 2, Location: loc})
	if err != nil {
		return err
	}
	shared.store = store
	shared.stop = append(shared.stop, func() { store.Close() })
	in := ingest.New(store, ingest.Config{Location: loc})
	for _, f := range m.Files {
		if _, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: filepath.Join(tmp, "exports", f.File), FileName: f.File}); err != nil {
			return fmt.Errorf("ingest %s: %w", f.File, err)
		}
	}
	if err := analytics.Install(ctx, store); err != nil {
		return err
	}
	built := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tokens, err := server.ParseTokens("test:e2e-token-0123456789")
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Store: store, Ingester: in, Tokens: tokens, SiteDir: filepath.Join(tmp, "site"), TempDir: tmp,
		PublicSite: true, // the pages are under test here; sign-in has its own tests in server/
		Publish: func(ctx context.Context, dir string) error {
			dict, err := analytics.Dictionary(ctx, store)
			if err != nil {
				return err
			}
			_, err = site.Build(ctx, analytics.New(store), site.Options{Out: dir, Now: built, Dictionary: dict})
			return err
		},
	})
	if err != nil {
		return err
	}
	shared.srv = srv
	sum, err := srv.Publish(ctx)
	if err != nil {
		return err
	}
	shared.build = filepath.Join(tmp, "site", "current")
	shared.stop = append(shared.stop, func() { srv.Shutdown(context.Background()) })
	shared.ts = httptest.NewServer(srv.Handler())
	shared.stop = append(shared.stop, shared.ts.Close)
	fmt.Printf("e2e: published %d pages, %d files, %d bytes at %s\n", sum.Pages, sum.Files, sum.Bytes, shared.ts.URL)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromePath),
		chromedp.Flag("headless", true),
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(tmp, "chrome-profile")),
		chromedp.WindowSize(1280, 900),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	shared.stop = append(shared.stop, cancelAlloc, cancelBrowser)
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return fmt.Errorf("start %s: %w", chromePath, err)
	}
	shared.browser = bctx
	return nil
}

// screenshots is the folder the page screenshots are kept in.
func screenshots(t testing.TB) string {
	dir := os.Getenv("FEEFLOW_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// visit is what happened while one page loaded in its own tab.
type visit struct {
	mu          sync.Mutex
	problems    []string // console errors, exceptions, failed requests
	requests    []string
	urls        map[network.RequestID]string
	transferred int64 // bytes on the wire, headers included
	body        int64 // bytes of content
}

func (v *visit) add(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// listen records the tab's console errors, exceptions, failed requests and
// the bytes it loaded.
func (v *visit) listen(ctx context.Context) error {
	return chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					if a.Description != "" {
						parts = append(parts, a.Description)
					} else {
						parts = append(parts, string(a.Value))
					}
				}
				v.add("console.%s: %s", e.Type, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			v.add("exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError && !isFavicon(e.Entry.URL) {
				v.add("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			v.mu.Lock()
			v.requests = append(v.requests, e.Request.URL)
			if v.urls == nil {
				v.urls = map[network.RequestID]string{}
			}
			v.urls[e.RequestID] = e.Request.URL
			v.mu.Unlock()
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 && !isFavicon(e.Response.URL) {
				v.add("request failed: %s answered %d", e.Response.URL, e.Response.Status)
			}
		case *network.EventLoadingFailed:
			v.mu.Lock()
			u := v.urls[e.RequestID]
			v.mu.Unlock()
			v.add("request failed: %s (%s, blocked: %q)", u, e.ErrorText, e.BlockedReason)
		case *network.EventDataReceived:
			v.mu.Lock()
			v.body += e.DataLength
			v.mu.Unlock()
		case *network.EventLoadingFinished:
			v.mu.Lock()
			v.transferred += int64(e.EncodedDataLength)
			v.mu.Unlock()
		}
	})
}

// isFavicon tells the browser's own request for /favicon.ico at the root of
// the origin, which no page asks for (a page that links an icon names another file).
func isFavicon(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Path == "/favicon.ico"
}

// foreign lists the requests that left the site: another host over HTTP, or
// anything but a file when the site is read from disk.
func (v *visit) foreign(base *url.URL) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for _, r := range v.requests {
		u, err := url.Parse(r)
		if err != nil {
			out = append(out, r)
			continue
		}
		switch {
		case u.Scheme == "data" || u.Scheme == "blob" || u.Scheme == "about":
		case u.Scheme == base.Scheme && u.Host == base.Host:
		default:
			out = append(out, r)
		}
	}
	return out
}

// drawState is what drawJS finds.
type drawState struct {
	Total   int      `json:"total"`
	Pending []string `json:"pending"`
	At      float64  `json:"at"` // ms since the navigation started
}

// drawJS finds the page's charts and reports those not drawn yet: a chart is
// drawn when one of its canvases has a size and a visible pixel (or, when its
// pixels cannot be read, ECharts holds an option for it), or its SVG has shapes.
const drawJS = `(() => {
	const charts = new Set(document.querySelectorAll('[data-option], .chart'));
	document.querySelectorAll('script.chart-option[data-chart]').forEach(s => {
		const el = document.getElementById(s.dataset.chart);
		if (el) charts.add(el);
	});
	const drawn = el => {
		const svg = el.querySelector('svg');
		if (svg && svg.querySelector('path, rect, text')) return true;
		for (const c of el.querySelectorAll('canvas')) {
			if (!(c.width > 0 && c.height > 0)) continue;
			try {
				const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
				for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
			} catch (e) {
				const inst = window.echarts && window.echarts.getInstanceByDom(el);
				if (inst && inst.getOption()) return true;
			}
		}
		return false;
	};
	const pending = [];
	for (const el of charts) if (!drawn(el)) pending.push(el.id || el.className);
	return {total: charts.size, pending, at: performance.now()};
})()`

// waitDrawn polls until every chart of the page is drawn.
func waitDrawn(ctx context.Context, limit time.Duration) (drawState, error) {
	deadline := time.Now().Add(limit)
	for {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[drawState](drawJS))
		if err != nil {
			return st, err
		}
		if len(st.Pending) == 0 {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("%d of %d charts not drawn after %v: %v", len(st.Pending), st.Total, limit, st.Pending)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// open loads pageURL in a fresh tab with the cache off, waits for its charts
// and keeps a screenshot; the tab stays open for more checks until the test ends.
func open(t testing.TB, pageURL, shot string) (context.Context, *visit, drawState) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(shared.browser)
	t.Cleanup(cancel)
	v := &visit{}
	if err := v.listen(ctx); err != nil {
		t.Fatal(err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(tcancel)
	if _, err := chromedp.Call(tctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("load %s: %v", pageURL, err)
	}
	st, err := waitDrawn(tctx, 15*time.Second)
	if err != nil {
		t.Errorf("%s: %v", pageURL, err)
	}
	if shot != "" {
		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("screenshot of %s: %v", pageURL, err)
		} else if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Error(err)
		}
	}
	return tctx, v, st
}

// pages lists the site's pages, relative to its root: the language picker
// and every page of every language.
func pages(t *testing.T) []string {
	t.Helper()
	var out []string
	root, err := filepath.EvalSymlinks(shared.build) // current -> builds/<id>
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".html") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// langOf is the language folder of a page, "" for the root picker.
func langOf(rel string) string {
	if l, _, ok := strings.Cut(rel, "/"); ok {
		return l
	}
	return ""
}

func TestEveryPageInChromium(t *testing.T) {
	setup(t)
	base, _ := url.Parse(shared.ts.URL)
	shots := screenshots(t)
	all := pages(t)
	perLang := map[string]int{}
	for _, rel := range all {
		perLang[langOf(rel)]++
	}
	if len(site.Languages) < 2 || perLang["en"] == 0 || perLang["en"] != perLang["zh-Hant"] || perLang[""] != 1 {
		t.Fatalf("pages per language = %v, want the picker and the same pages in en and zh-Hant", perLang)
	}
	charts, csvs := 0, 0
	for _, rel := range all {
		t.Run(rel, func(t *testing.T) {
			pageURL := shared.ts.URL + "/" + rel
			ctx, v, st := open(t, pageURL, filepath.Join(shots, strings.NewReplacer("/", "_", ".html", ".png").Replace(rel)))
			charts += st.Total
			for _, p := range v.problems {
				t.Errorf("%s: %s", rel, p)
			}
			for _, r := range v.foreign(base) {
				t.Errorf("%s: request outside the site: %s", rel, r)
			}
			lang := langOf(rel)
			if lang == "" {
				return
			}
			checkSwitcher(t, ctx, rel, lang)
			csvs += checkCSV(t, ctx, rel, st.Total)
		})
	}
	if charts == 0 {
		t.Error("no page has a chart")
	}
	t.Logf("%d pages, %d charts drawn, %d CSV downloads checked; screenshots in %s", len(all), charts, csvs, shots)
}

// checkSwitcher follows the link to each other language and expects the
// same page there.
func checkSwitcher(t *testing.T, ctx context.Context, rel, lang string) {
	t.Helper()
	type link struct{ Lang, Href string }
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]link](`[...document.querySelectorAll('a[hreflang]')]
		.filter(a => a.hreflang !== document.documentElement.lang)
		.map(a => ({lang: a.hreflang, href: a.href}))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, l := range site.Languages {
		if l != lang {
			want[l] = true
		}
	}
	seen := map[string]bool{}
	for _, l := range links {
		if !want[l.Lang] || seen[l.Lang] {
			continue
		}
		seen[l.Lang] = true
		u, err := url.Parse(l.Href)
		if err != nil {
			t.Errorf("%s: switcher link %q: %v", rel, l.Href, err)
			continue
		}
		got := strings.TrimPrefix(u.Path, "/")
		if strings.HasSuffix(got, "/") || got == "" {
			got += "index.html"
		}
		if exp := l.Lang + strings.TrimPrefix(rel, lang); got != exp {
			t.Errorf("%s: the %s switcher leads to %s, want %s", rel, l.Lang, got, exp)
		}
	}
	for l := range want {
		if !seen[l] {
			t.Errorf("%s: no switcher link to %s (links: %v)", rel, l, links)
		}
	}
}

// checkCSV fetches every CSV download of the page as the reader's browser
// would, and reports how many it checked.
func checkCSV(t *testing.T, ctx context.Context, rel string, charts int) int {
	t.Helper()
	type answer struct {
		Href   string `json:"href"`
		Status int    `json:"status"`
		Type   string `json:"type"`
		Size   int    `json:"size"`
	}
	answers, err := chromedp.Run(ctx, chromedp.Evaluate[[]answer](`Promise.all(
		[...new Set([...document.querySelectorAll('a[href$=".csv"]')].map(a => a.href))].map(async href => {
			const r = await fetch(href);
			return {href, status: r.status, type: r.headers.get('content-type') || '', size: (await r.text()).length};
		}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) == 0 && charts > 0 {
		t.Errorf("%s: %d charts and no CSV download", rel, charts)
	}
	for _, a := range answers {
		if a.Status != 200 || !strings.HasPrefix(a.Type, "text/csv") || a.Size == 0 {
			t.Errorf("%s: CSV download %s = %d %q, %d bytes; want 200 text/csv with rows", rel, a.Href, a.Status, a.Type, a.Size)
		}
	}
	return len(answers)
}

// The switcher works when clicked, not only as a link.
func TestLanguageSwitcherClick(t *testing.T) {
	setup(t)
	ctx, v, _ := open(t, shared.ts.URL+"/en/collection.html", "")
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('a[hreflang="zh-Hant"]').click()`)))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.pathname, document.documentElement.lang]`))
	if err != nil {
		t.Fatal(err)
	}
	if loc[0] != "/zh-Hant/collection.html" || loc[1] != "zh-Hant" {
		t.Errorf("after the switcher: %v, want [/zh-Hant/collection.html zh-Hant]", loc)
	}
	if _, err := waitDrawn(ctx, 15*time.Second); err != nil {
		t.Error(err)
	}
	for _, p := range v.problems {
		t.Error(p)
	}
}

// The overview must stay light: its weight with every script, cache off.
// How fast it draws depends on the machine and its load, so that is measured
// by BenchmarkOverviewDraw, not asserted here.
func TestOverviewWeight(t *testing.T) {
	setup(t)
	_, v, st := open(t, shared.ts.URL+"/en/index.html", "")
	v.mu.Lock()
	transferred, body, requests := v.transferred, v.body, len(v.requests)
	v.mu.Unlock()
	t.Logf("overview: %d requests, %d bytes transferred (%d bytes of content), %d charts", requests, transferred, body, st.Total)
	if transferred >= maxOverviewBytes || body >= maxOverviewBytes {
		t.Errorf("overview weighs %d bytes (%d of content), want under %d", transferred, body, maxOverviewBytes)
	}
	if st.Total == 0 {
		t.Error("the overview has no chart")
	}
}

// BenchmarkOverviewDraw measures the time from navigation to every chart of
// the overview drawn (cache off), beside a baseline measured in the same run:
// a page of the same site that loads the same ECharts script and draws one
// small chart. The ratio is what to compare between runs and machines.
//
//	FEEFLOW_BROWSER_TESTS=required go test -run '^$' -bench OverviewDraw ./e2e/
func BenchmarkOverviewDraw(b *testing.B) {
	setup(b)
	// The baseline lives outside the site (so no test lists it as a page)
	// and loads the site's own copy of ECharts from disk.
	dir := b.TempDir()
	echartsURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(shared.build, "assets", "echarts.min.js"))}).String()
	page := `<!doctype html><html lang="en"><head><meta charset="utf-8"><script src="` + echartsURL + `"></script></head>` +
		`<body><div id="c1" class="chart" style="width:400px;height:200px"></div>` +
		`<script src="baseline.js"></script></body></html>`
	script := `echarts.init(document.getElementById('c1')).setOption({xAxis:{data:['a','b']},yAxis:{},series:[{type:'bar',data:[1,2]}]});`
	if err := os.WriteFile(filepath.Join(dir, "baseline.html"), []byte(page), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "baseline.js"), []byte(script), 0o644); err != nil {
		b.Fatal(err)
	}
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, "baseline.html"))}).String()
	over := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(shared.build, "en", "index.html"))}).String()
	open(b, over, "") // warm the browser (process, fonts); each tab has its cache off
	var overview, blank float64
	for b.Loop() {
		_, _, st := open(b, over, "")
		overview += st.At
		_, _, st = open(b, base, "")
		blank += st.At
	}
	n := float64(b.N)
	b.ReportMetric(overview/n, "overview-ms/op")
	b.ReportMetric(blank/n, "baseline-ms/op")
	b.ReportMetric(overview/blank, "ratio")
}

// The site works from a file share: opened from disk, the pages draw their
// charts and ask for nothing but their own files.
func TestSiteFromFile(t *testing.T) {
	setup(t)
	shots := screenshots(t)
	for _, rel := range []string{"en/index.html", "zh-Hant/index.html"} {
		t.Run(rel, func(t *testing.T) {
			u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(shared.build, rel))}).String()
			_, v, st := open(t, u, filepath.Join(shots, "file_"+strings.NewReplacer("/", "_", ".html", ".png").Replace(rel)))
			if st.Total == 0 {
				t.Errorf("%s has no chart", rel)
			}
			for _, p := range v.problems {
				t.Errorf("%s: %s", rel, p)
			}
			for _, r := range v.foreign(&url.URL{Scheme: "file"}) {
				t.Errorf("%s: request outside the site: %s", rel, r)
			}
		})
	}
}

// The helpers above must not mistake a broken page for a good one.
func TestDrawCheckSeesBlankChart(t *testing.T) {
	setup(t)
	dir := t.TempDir()
	blank := `<!doctype html><html lang="en"><body><div id="c1" class="chart" style="width:200px;height:100px"><canvas width="200" height="100"></canvas></div></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "blank.html"), []byte(blank), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(shared.browser)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.ToSlash(filepath.Join(dir, "blank.html")))); err != nil {
		t.Fatal(err)
	}
	_, err := waitDrawn(ctx, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "c1") {
		t.Errorf("waitDrawn on a blank canvas = %v, want it to name chart c1", err)
	}
}
