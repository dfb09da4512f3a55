package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSite stands in for site.Build: each build writes a page naming its
// number on every line, so a reader can tell a whole page from a torn one.
type fakeSite struct {
	mu      sync.Mutex
	builds  int
	fail    bool
	block   chan struct{} // when set, a build waits for it (or its context)
	started chan int      // when set, told the number of each build as it starts
}

const fakeLines = 5000

func fakePage(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html>\n<title>build %d</title>\n", n)
	for range fakeLines {
		fmt.Fprintf(&b, "<p>build %d</p>\n", n)
	}
	b.WriteString("</html>\n")
	return b.String()
}

// checkPage returns the build number of a whole page, or an error for a torn one.
func checkPage(body string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(body, "<!doctype html>\n<title>build %d</title>\n", &n); err != nil {
		return 0, fmt.Errorf("page does not start as a build: %.60q", body)
	}
	if body != fakePage(n) {
		return n, fmt.Errorf("page of build %d is torn (%d bytes, want %d)", n, len(body), len(fakePage(n)))
	}
	return n, nil
}

func (f *fakeSite) publish(ctx context.Context, dir string) error {
	f.mu.Lock()
	f.builds++
	n, fail, block, started := f.builds, f.fail, f.block, f.started
	f.mu.Unlock()
	if started != nil {
		started <- n
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "en", "data"), 0o755); err != nil {
		return err
	}
	// Written in place, file by file: only the server's swap may make it whole.
	files := map[string]string{
		"index.html":           fakePage(n),
		"en/index.html":        fakePage(n),
		"en/data/numbers.csv":  "period,billed\n2026-10,100.00\n",
		"assets/site.css":      fmt.Sprintf("/* build %d */\n", n),
		"assets/charts.js":     "// charts\n",
		"en/data/readme.txt":   "numbers\n",
		"en/empty/placeholder": "",
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		if fail && i == 2 {
			return errors.New("fake site: the build broke half way")
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSite) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.builds
}

func (f *fakeSite) set(fn func(f *fakeSite)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// publishServer is a test server with a site folder published by fake.
func publishServer(t *testing.T, fake *fakeSite, tune func(p *publisher)) (*httptest.Server, *Server, string) {
	t.Helper()
	in, store := testIngester(t)
	seed(t, in)
	tokens, err := ParseTokens("finance:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "site")
	cfg := Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(), SiteDir: root, PublicSite: true}
	if fake != nil {
		cfg.Publish = fake.publish
	}
	s := newServer(t, cfg)
	if tune != nil {
		tune(s.pub)
	}
	s.Start()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return ts, s, root
}

// get fetches url without following redirects.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func postPublish(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("publish answer is not JSON (%s): %s", resp.Status, raw)
	}
	return resp.StatusCode, v
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// manualTimer is a debounce timer that fires only when the test says so.
type manualTimer struct {
	mu    sync.Mutex
	f     func()
	armed bool
	arms  int // times set or reset
}

func (m *manualTimer) Stop() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	was := m.armed
	m.armed = false
	return was
}

func (m *manualTimer) Reset(time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	was := m.armed
	m.armed, m.arms = true, m.arms+1
	return was
}

// state says whether the timer is set and how often it was set.
func (m *manualTimer) state() (armed bool, arms int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.armed, m.arms
}

// fire runs the debounced build now, as the clock would after the pause.
func (m *manualTimer) fire(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	f, armed := m.f, m.armed
	m.armed = false
	m.mu.Unlock()
	if !armed {
		t.Fatal("the debounce timer is not set")
	}
	f()
}

// observe gives the publisher a manual debounce timer and reports every
// build it finishes on the returned channel.
func observe(p *publisher) (*manualTimer, chan buildResult) {
	m := &manualTimer{}
	p.afterFunc = func(_ time.Duration, f func()) timer {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.f, m.armed, m.arms = f, true, m.arms+1
		return m
	}
	built := make(chan buildResult, 64)
	p.built = func(sum BuildSummary, err error) { built <- buildResult{sum, err} }
	return m, built
}

// awaitBuild waits for the publisher to finish its next build. The limit
// only stops a hung test; no assertion depends on it.
func awaitBuild(t *testing.T, built chan buildResult) buildResult {
	t.Helper()
	select {
	case r := <-built:
		return r
	case <-time.After(time.Minute):
		t.Fatal("no build finished within a minute")
		return buildResult{}
	}
}

// servedBuild is the build number of the page GET / answers, 0 for none.
func servedBuild(t *testing.T, base string) int {
	t.Helper()
	resp, body := get(t, base+"/")
	if resp.StatusCode == http.StatusSeeOther {
		return 0
	}
	n, err := checkPage(body)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCommittedIngestsTriggerOneDebouncedBuild(t *testing.T) {
	fake := &fakeSite{}
	var debounce *manualTimer
	var built chan buildResult
	ts, s, root := publishServer(t, fake, func(p *publisher) { debounce, built = observe(p) })

	// Start built the first site, since there was none.
	awaitBuild(t, built)
	if n := servedBuild(t, ts.URL); n != 1 {
		t.Fatalf("GET / serves build %d, want the first", n)
	}
	if _, err := os.Stat(filepath.Join(root, staleMarker)); err == nil {
		t.Errorf("%s remains after a build with no ingest since", staleMarker)
	}

	// The server tells the publisher about an upload before it answers, so
	// once the answer is read the debounce timer is in its final state.
	url := ts.URL + "/api/v1/ingest/payments"
	// Nothing committed: a dry run, a rejected file.
	post(t, url+"?dry_run=true", "text/csv", testToken, csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	post(t, url, "text/csv", testToken, csvLines(payHeader, "P9,2026-09-10 10:00,C001,B1,MGMT,2.505,cash,Wang,R1,completed"))
	if armed, arms := debounce.state(); armed || arms != 0 {
		t.Fatalf("after a dry run and a rejected upload the debounce timer is armed=%v, set %d times; want never set", armed, arms)
	}

	// Three committed uploads in a row set one debounced build.
	for i, line := range []string{
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
		"P2,2026-09-11 10:00,C002,B2,PARK,1100.00,card,Li,R2,completed",
		"P3,2026-10-11 10:00,C001,B3,PARK,1200.00,wechat,Li,R3,completed",
	} {
		resp, a := post(t, url, "text/csv", testToken, csvLines(payHeader, line))
		if resp.StatusCode != http.StatusOK || *a.RowsAccepted != 1 {
			t.Fatalf("upload %d: %s %+v", i, resp.Status, a)
		}
	}
	if armed, arms := debounce.state(); !armed || arms != 3 {
		t.Errorf("after 3 committed uploads the debounce timer is armed=%v, set %d times; want armed, set (or reset) 3 times", armed, arms)
	}
	if n := fake.count(); n != 1 || s.pub.isRunning() {
		t.Errorf("builds before the pause = %d (running %v), want only the first", n, s.pub.isRunning())
	}
	if _, err := os.Stat(filepath.Join(root, staleMarker)); err != nil {
		t.Errorf("no %s while committed ingests wait for a build: %v", staleMarker, err)
	}

	debounce.fire(t) // the pause is over
	if r := awaitBuild(t, built); r.err != nil {
		t.Fatalf("debounced build: %v", r.err)
	}
	if n := fake.count(); n != 2 || s.pub.isRunning() {
		t.Errorf("builds after 3 committed uploads and one pause = %d (still running %v), want exactly one more (2)", n, s.pub.isRunning())
	}
	if n := servedBuild(t, ts.URL); n != 2 {
		t.Errorf("GET / serves build %d, want 2", n)
	}
	if _, err := os.Stat(filepath.Join(root, staleMarker)); err == nil {
		t.Errorf("%s remains after the build that took the ingests in", staleMarker)
	}

	// The same file again is a replay: nothing to rebuild.
	post(t, url, "text/csv", testToken, csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	if armed, arms := debounce.state(); armed || arms != 3 {
		t.Errorf("after a replayed upload the debounce timer is armed=%v, set %d times; want untouched (3)", armed, arms)
	}
}

func TestUploadFormTriggersBuild(t *testing.T) {
	fake := &fakeSite{}
	var debounce *manualTimer
	var built chan buildResult
	ts, s, _ := publishServer(t, fake, func(p *publisher) { debounce, built = observe(p) })
	awaitBuild(t, built)
	addUser(t, s.cfg.Store, "mei", "mei-password-1", "finance")
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password-1")
	ct, body := multipartBody(t, map[string]string{"kind": "payments"}, "p.csv",
		csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	resp, _ := b.post("/upload?csrf="+b.csrf, ct, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload form: %s", resp.Status)
	}
	debounce.fire(t)
	awaitBuild(t, built)
	if n := fake.count(); n != 2 {
		t.Errorf("builds after the form upload = %d, want 2", n)
	}
}

func TestPublishAPINeedsToken(t *testing.T) {
	fake := &fakeSite{}
	var built chan buildResult
	ts, s, _ := publishServer(t, fake, func(p *publisher) { _, built = observe(p) })
	awaitBuild(t, built)
	for _, tc := range []struct{ name, query, token string }{
		{"no token", "", ""},
		{"wrong token", "", "not-the-token"},
		{"no token, wait", "?wait=true", ""},
		{"wrong token, wait", "?wait=true", "finance-token-012345678"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, v := postPublish(t, ts.URL+"/api/v1/publish"+tc.query, tc.token)
			if status != http.StatusUnauthorized || v["status"] != "failed" {
				t.Errorf("POST /api/v1/publish%s = %d %v, want 401", tc.query, status, v)
			}
		})
	}
	// Refused before anything was queued: the answers came after the decision.
	if n := fake.count(); n != 1 || s.pub.isRunning() {
		t.Fatalf("builds after unauthorised requests = %d (running %v), want 1", n, s.pub.isRunning())
	}

	status, v := postPublish(t, ts.URL+"/api/v1/publish", testToken)
	if status != http.StatusAccepted || v["status"] != "queued" {
		t.Errorf("POST /api/v1/publish = %d %v, want 202 queued", status, v)
	}
	awaitBuild(t, built)
	if n := servedBuild(t, ts.URL); n != 2 {
		t.Errorf("after the queued build GET / serves build %d, want 2", n)
	}

	status, v = postPublish(t, ts.URL+"/api/v1/publish?wait=true", testToken)
	if status != http.StatusOK || v["status"] != "published" || v["pages"] != 2.0 || v["files"] != 7.0 || v["build"] == "" {
		t.Errorf("POST /api/v1/publish?wait=true = %d %v, want 200 with the summary of 2 pages, 7 files", status, v)
	}
	if n := servedBuild(t, ts.URL); n != 3 {
		t.Errorf("after publish?wait=true GET / serves build %d, want 3", n)
	}
	if got := s.pub.current().ID; got != v["build"] {
		t.Errorf("current build %s, answer named %v", got, v["build"])
	}
}

func TestPublishWithoutSite(t *testing.T) {
	ts, _, store := testServer(t, 1<<20)
	status, v := postPublish(t, ts.URL+"/api/v1/publish", testToken)
	if status != http.StatusNotImplemented {
		t.Errorf("POST /api/v1/publish without a site folder = %d %v, want 501", status, v)
	}
	addUser(t, store, "boss", "boss-password-1", "viewer")
	if resp, _ := newBrowser(t, ts.URL).mustSignIn("boss", "boss-password-1").get("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/upload" {
		t.Errorf("GET / with no site = %s to %q, want 303 to /upload", resp.Status, resp.Header.Get("Location"))
	}
}

func TestFailingBuildKeepsOldSite(t *testing.T) {
	fake := &fakeSite{}
	var built chan buildResult
	ts, s, root := publishServer(t, fake, func(p *publisher) { _, built = observe(p) })
	awaitBuild(t, built)
	first := s.pub.current().ID

	fake.set(func(f *fakeSite) { f.fail = true })
	status, v := postPublish(t, ts.URL+"/api/v1/publish?wait=true", testToken)
	if status != http.StatusInternalServerError || !strings.Contains(fmt.Sprint(v["error"]), "previous site is still published") {
		t.Errorf("failing publish = %d %v, want 500 saying the previous site stays", status, v)
	}
	if strings.Contains(fmt.Sprint(v["error"]), "half way") {
		t.Errorf("the answer details an internal error: %v", v["error"])
	}
	// A queued build that fails, too.
	if status, _ := postPublish(t, ts.URL+"/api/v1/publish", testToken); status != http.StatusAccepted {
		t.Fatalf("queue = %d", status)
	}
	awaitBuild(t, built) // the failing ?wait=true build
	if r := awaitBuild(t, built); r.err == nil || fake.count() != 3 {
		t.Fatalf("queued build with the fault = %v after %d builds, want a failure, the third build", r.err, fake.count())
	}

	if n := servedBuild(t, ts.URL); n != 1 {
		t.Errorf("after failed builds GET / serves build %d, want 1", n)
	}
	if target, _ := os.Readlink(filepath.Join(root, currentLink)); target != "builds/"+first {
		t.Errorf("current links to %q, want builds/%s", target, first)
	}
	if got := listDir(t, filepath.Join(root, buildsDir)); len(got) != 1 || got[0] != first {
		t.Errorf("builds after failures = %v, want only %s (a failed build leaves nothing)", got, first)
	}

	fake.set(func(f *fakeSite) { f.fail = false })
	if status, _ := postPublish(t, ts.URL+"/api/v1/publish?wait=true", testToken); status != http.StatusOK {
		t.Errorf("publish after the fault is gone = %d, want 200", status)
	}
	if n := servedBuild(t, ts.URL); n != 4 {
		t.Errorf("GET / serves build %d, want 4", n)
	}
}

func (p *publisher) isRunning() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running
}

func (p *publisher) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// A reader hammering the site while it is republished again and again always
// gets one whole build: over HTTP and through the current link on disk.
func TestSiteSwapIsAtomic(t *testing.T) {
	fake := &fakeSite{}
	var built chan buildResult
	ts, s, root := publishServer(t, fake, func(p *publisher) { _, built = observe(p) })
	awaitBuild(t, built)

	const publishes = 15
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		reads   atomic.Int64
		newest  atomic.Int64
		failure = make(chan error, 8)
	)
	fail := func(err error) {
		select {
		case failure <- err:
		default:
		}
	}
	reader := func(read func() (string, error)) {
		defer wg.Done()
		last := 0
		for !stop.Load() {
			body, err := read()
			if err != nil {
				fail(err)
				return
			}
			n, err := checkPage(body)
			if err != nil {
				fail(err)
				return
			}
			if n < last {
				fail(fmt.Errorf("went back from build %d to %d", last, n))
				return
			}
			last = n
			reads.Add(1)
			if int64(n) > newest.Load() {
				newest.Store(int64(n))
			}
		}
	}
	client := &http.Client{}
	for _, page := range []string{"/", "/en/"} {
		wg.Add(1)
		go reader(func() (string, error) {
			resp, err := client.Get(ts.URL + page)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				return "", fmt.Errorf("GET %s = %s", page, resp.Status)
			}
			return string(b), err
		})
	}
	wg.Add(1)
	go reader(func() (string, error) {
		b, err := os.ReadFile(filepath.Join(root, currentLink, "index.html"))
		return string(b), err
	})

	for range publishes {
		if _, err := s.Publish(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Every reader keeps reading until one of them has seen the last build.
	waitFor(t, "a reader to see the last build", time.Minute, func() bool { return newest.Load() == publishes+1 || len(failure) > 0 })
	stop.Store(true)
	wg.Wait()
	close(failure)
	for err := range failure {
		t.Error(err)
	}
	if newest.Load() != publishes+1 {
		t.Errorf("readers saw up to build %d, want %d", newest.Load(), publishes+1)
	}
	t.Logf("%d whole pages read during %d publishes", reads.Load(), publishes)
}

func TestOldBuildsArePruned(t *testing.T) {
	fake := &fakeSite{}
	_, s, root := publishServer(t, fake, func(p *publisher) { p.folder.Grace = 0 })
	for range 5 {
		if _, err := s.Publish(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	got := listDir(t, filepath.Join(root, buildsDir))
	cur := s.pub.current().ID
	if len(got) != 2 || got[1] != cur {
		t.Errorf("builds kept = %v, want the last 2 ending with the current %s", got, cur)
	}
	// Within the grace period, replaced builds stay for their readers.
	s.pub.folder.Grace = time.Hour
	for range 3 {
		if _, err := s.Publish(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := listDir(t, filepath.Join(root, buildsDir)); len(got) != 5 {
		t.Errorf("builds kept within the grace period = %v, want 5", got)
	}
}

func TestShutdownWaitsForBuildInFlight(t *testing.T) {
	fake := &fakeSite{block: make(chan struct{}), started: make(chan int, 4)}
	ts, s, _ := publishServer(t, fake, nil)
	<-fake.started // the build Start began, since there was no site

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	waitFor(t, "Shutdown to stop the publisher", time.Minute, s.pub.isClosed)
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) with a build in flight", err)
	default: // the build is blocked: Shutdown cannot have finished
	}
	close(fake.block)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if n := servedBuild(t, ts.URL); n != 1 {
		t.Errorf("the build in flight at shutdown was not published: GET / serves build %d", n)
	}
	if status, v := postPublish(t, ts.URL+"/api/v1/publish", testToken); status != http.StatusServiceUnavailable {
		t.Errorf("publish after shutdown = %d %v, want 503", status, v)
	}
}

func TestShutdownCancelsBuildWhenOutOfTime(t *testing.T) {
	fake := &fakeSite{block: make(chan struct{}), started: make(chan int, 4)}
	ts, s, root := publishServer(t, fake, nil)
	<-fake.started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown out of time = %v, want %v", err, context.DeadlineExceeded)
	}
	if n := servedBuild(t, ts.URL); n != 0 {
		t.Errorf("a cancelled build was published: build %d", n)
	}
	if got := listDir(t, filepath.Join(root, buildsDir)); len(got) != 0 {
		t.Errorf("a cancelled build left %v", got)
	}
}

// After a crash the site folder holds the published build, maybe an older
// one, and what an interrupted build left; a restart keeps the first two.
func TestRestartAfterCrash(t *testing.T) {
	root := filepath.Join(t.TempDir(), "site")
	mk := func(name string, complete bool) {
		dir := filepath.Join(root, buildsDir, name)
		if err := os.MkdirAll(filepath.Join(dir, "en"), 0o755); err != nil {
			t.Fatal(err)
		}
		if complete {
			os.WriteFile(filepath.Join(dir, "index.html"), []byte(fakePage(7)), 0o644)
		}
	}
	mk("20261101T000000.000000000Z", true) // older
	mk("20261102T000000.000000000Z", true) // previous
	mk("20261103T000000.000000000Z", true) // current
	mk("20261104T000000.000000000Z", false)
	mk(".tmp-20261104", false)
	if err := os.Symlink("builds/20261103T000000.000000000Z", filepath.Join(root, currentLink)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("builds/20261104T000000.000000000Z", filepath.Join(root, linkPrefix+"20261104")); err != nil {
		t.Fatal(err)
	}

	fake := &fakeSite{}
	ts, s, _ := func() (*httptest.Server, *Server, string) {
		in, store := testIngester(t)
		tokens, _ := ParseTokens("finance:" + testToken)
		s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, SiteDir: root, Publish: fake.publish, PublicSite: true})
		s.Start()
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(func() { ts.Close(); s.Shutdown(context.Background()) })
		return ts, s, root
	}()
	if n := servedBuild(t, ts.URL); n != 7 {
		t.Errorf("GET / after restart serves build %d, want the current one (7)", n)
	}
	want := []string{"20261102T000000.000000000Z", "20261103T000000.000000000Z"}
	if got := listDir(t, filepath.Join(root, buildsDir)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("builds after restart = %v, want %v", got, want)
	}
	if got := listDir(t, root); strings.Join(got, " ") != ".lock builds current" {
		t.Errorf("site folder after restart = %v, want [.lock builds current]", got)
	}
	// Start decided synchronously whether to build.
	if fake.count() != 0 || s.pub.isRunning() || s.SiteStale() {
		t.Errorf("a restart with a current, complete site rebuilt it (%d builds)", fake.count())
	}
}

func TestRestartRebuildsStaleSite(t *testing.T) {
	root := filepath.Join(t.TempDir(), "site")
	fake := &fakeSite{}
	in, store := testIngester(t)
	s := newServer(t, Config{Store: store, Ingester: in, SiteDir: root, Publish: fake.publish})
	if _, err := s.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Shutdown(context.Background())
	// An ingest committed, then the server died before its debounced build.
	if err := os.WriteFile(filepath.Join(root, staleMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s = newServer(t, Config{Store: store, Ingester: in, SiteDir: root, Publish: fake.publish})
	if !s.SiteStale() {
		t.Fatal("SiteStale() = false with the stale mark present")
	}
	_, built := observe(s.pub)
	s.Start()
	defer s.Shutdown(context.Background())
	awaitBuild(t, built)
	if fake.count() != 2 || s.SiteStale() {
		t.Errorf("after the restart's build: %d builds, stale %v; want 2 builds, not stale", fake.count(), s.SiteStale())
	}
}

func TestDanglingCurrentIsRebuilt(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, buildsDir), 0o755)
	if err := os.Symlink("builds/20261101T000000.000000000Z", filepath.Join(root, currentLink)); err != nil {
		t.Fatal(err)
	}
	fake := &fakeSite{}
	in, store := testIngester(t)
	s := newServer(t, Config{Store: store, Ingester: in, SiteDir: root, Publish: fake.publish})
	_, built := observe(s.pub)
	s.Start()
	defer s.Shutdown(context.Background())
	awaitBuild(t, built)
	if b, err := os.ReadFile(filepath.Join(root, currentLink, "index.html")); err != nil || string(b) != fakePage(1) {
		t.Errorf("current after the rebuild: %v", err)
	}
}

func TestPanickingBuildKeepsServer(t *testing.T) {
	in, store := testIngester(t)
	root := t.TempDir()
	s := newServer(t, Config{Store: store, Ingester: in, SiteDir: root, Publish: func(context.Context, string) error { panic("boom") }})
	defer s.Shutdown(context.Background())
	if _, err := s.Publish(context.Background()); !errors.Is(err, errBuildFailed) {
		t.Errorf("Publish with a panicking build = %v, want %v", err, errBuildFailed)
	}
}

func TestStartRefusesForeignCurrent(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, currentLink), 0o755); err != nil {
		t.Fatal(err)
	}
	in, store := testIngester(t)
	if _, err := New(Config{Store: store, Ingester: in, SiteDir: root, Publish: (&fakeSite{}).publish}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("New with a folder named current = %v, want an error naming the symbolic link", err)
	}
}

func TestSiteFolderHasOnePublisher(t *testing.T) {
	root := filepath.Join(t.TempDir(), "site")
	in, store := testIngester(t)
	first := newServer(t, Config{Store: store, Ingester: in, SiteDir: root, Publish: (&fakeSite{}).publish})
	if _, err := New(Config{Store: store, Ingester: in, SiteDir: root, Publish: (&fakeSite{}).publish}); err == nil || !strings.Contains(err.Error(), "is published by another feeflow process") {
		t.Errorf("a second server on the same site folder = %v, want a refusal naming the other process", err)
	}
	first.Shutdown(context.Background())
	second := newServer(t, Config{Store: store, Ingester: in, SiteDir: root, Publish: (&fakeSite{}).publish})
	second.Shutdown(context.Background())

	// A folder holding someone else's files is not taken over.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "index.html"), []byte("theirs"), 0o644)
	if _, err := New(Config{Store: store, Ingester: in, SiteDir: other, Publish: (&fakeSite{}).publish}); err == nil || !strings.Contains(err.Error(), "holds other files") {
		t.Errorf("a server on a folder of other files = %v, want a refusal", err)
	}
}

func TestSiteFiles(t *testing.T) {
	fake := &fakeSite{}
	var built chan buildResult
	ts, _, _ := publishServer(t, fake, func(p *publisher) { _, built = observe(p) })
	awaitBuild(t, built)
	for _, tc := range []struct {
		path, status, ctype, location string
	}{
		{"/", "200 OK", "text/html; charset=utf-8", ""},
		{"/index.html", "200 OK", "text/html; charset=utf-8", ""},
		{"/en/", "200 OK", "text/html; charset=utf-8", ""},
		{"/en", "301 Moved Permanently", "", "/en/"},
		{"/en/data/numbers.csv", "200 OK", "text/csv; charset=utf-8", ""},
		{"/assets/site.css", "200 OK", "text/css; charset=utf-8", ""},
		{"/assets/charts.js", "200 OK", "text/javascript; charset=utf-8", ""},
		{"/en/data/", "404 Not Found", "", ""}, // never a listing
		{"/en/empty/", "404 Not Found", "", ""},
		{"/missing.html", "404 Not Found", "", ""},
		{"/../../etc/passwd", "not 200", "", ""},
		{"/%2e%2e/%2e%2e/etc/passwd", "not 200", "", ""},
		{"/..%2f..%2fetc%2fpasswd", "not 200", "", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, _ := get(t, ts.URL+tc.path)
			if tc.status == "not 200" {
				if resp.StatusCode == http.StatusOK {
					t.Errorf("GET %s = %s, want anything but 200", tc.path, resp.Status)
				}
				return
			}
			if resp.Status != tc.status {
				t.Errorf("GET %s = %s, want %s", tc.path, resp.Status, tc.status)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("GET %s Content-Type = %q, want %q", tc.path, resp.Header.Get("Content-Type"), tc.ctype)
			}
			if tc.location != "" && resp.Header.Get("Location") != tc.location {
				t.Errorf("GET %s Location = %q, want %q", tc.path, resp.Header.Get("Location"), tc.location)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("GET %s CSP = %q", tc.path, csp)
			}
		})
	}
}
