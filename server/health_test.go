package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
)

func getHealth(t *testing.T, url string) (int, healthAnswer) {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h healthAnswer
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, h
}

func TestHealthzOfAHealthyServer(t *testing.T) {
	ts, _, _ := testServer(t, 1<<20)
	status, h := getHealth(t, ts.URL)
	if status != 200 || h.Status != "ok" || h.Database != "ok" || h.Worker != "in-process" || len(h.Failing) != 0 || h.LastFailure != nil {
		t.Errorf("healthz = %d %+v, want 200 and everything ok", status, h)
	}
}

// switchSite is a site build that fails while broken is set.
type switchSite struct {
	mu     sync.Mutex
	broken bool
}

func (f *switchSite) set(broken bool) { f.mu.Lock(); f.broken = broken; f.mu.Unlock() }

func (f *switchSite) publish(_ context.Context, dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		return errors.New("the build broke")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>ok</p>"), 0o644)
}

// A failed build makes the server unhealthy, with what failed and when,
// until a build succeeds; the last failure stays on record. Each good build
// refreshes the analysts' snapshot, whose failure is reported too.
func TestHealthzReportsFailedPublishAndSnapshot(t *testing.T) {
	in, store := testIngester(t)
	site := &switchSite{broken: true}
	var mu sync.Mutex
	refreshes, refreshErr := 0, error(nil)
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	s := newServer(t, Config{Store: store, Ingester: in, SiteDir: filepath.Join(t.TempDir(), "site"), Publish: site.publish,
		Now: func() time.Time { return now },
		Published: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			refreshes++
			return refreshErr
		}})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	ctx := context.Background()

	if _, err := s.Publish(ctx); err == nil {
		t.Fatal("the broken build published")
	}
	status, h := getHealth(t, ts.URL)
	if status != 503 || h.Status != "failing" || len(h.Failing) != 1 || h.Failing[0].What != "publish" ||
		h.Failing[0].Code != CodeBuildFailed || !h.Failing[0].At.Equal(now) || h.LastFailure == nil || h.Database != "ok" {
		t.Errorf("after a failed build: healthz = %d %+v", status, h)
	}
	if refreshes != 0 {
		t.Errorf("a failed build refreshed the snapshot %d times", refreshes)
	}

	site.set(false)
	if _, err := s.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	status, h = getHealth(t, ts.URL)
	if status != 200 || h.Status != "ok" || len(h.Failing) != 0 || h.LastFailure == nil || h.LastFailure.What != "publish" {
		t.Errorf("after a good build: healthz = %d %+v, want 200 with the last failure on record", status, h)
	}
	if refreshes != 1 {
		t.Errorf("a good build refreshed the snapshot %d times, want 1", refreshes)
	}

	mu.Lock()
	refreshErr = errors.New("no space for the snapshot")
	mu.Unlock()
	if _, err := s.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	status, h = getHealth(t, ts.URL)
	if status != 503 || len(h.Failing) != 1 || h.Failing[0].What != "snapshot" || h.Worker != "in-process" {
		t.Errorf("after a failed snapshot: healthz = %d %+v", status, h)
	}
}

// dyingRunner is a worker whose process dies under the next query while
// die is set; otherwise it runs queries in-process, through the real gate.
type dyingRunner struct {
	inProcess
	mu  sync.Mutex
	die bool
}

func (d *dyingRunner) Run(ctx context.Context, query string, opts analytics.QueryOptions) ([]*analytics.Result, error) {
	d.mu.Lock()
	die := d.die
	d.die = false
	d.mu.Unlock()
	if die {
		return nil, analytics.ErrWorkerDied
	}
	return d.inProcess.Run(ctx, query, opts)
}

// A worker that died answers 503 with its code and makes the server
// unhealthy; the next query works and the server is healthy again.
func TestSQLWhenTheWorkerDies(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	tokens, err := ParseTokens("analyst:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	runner := &dyingRunner{inProcess: inProcess{store}, die: true}
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, SQL: runner})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)

	resp, body := postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken, `{"query": "SELECT count(*) AS n FROM bills"}`)
	var e struct{ Code, Error string }
	json.Unmarshal(body, &e)
	if resp.StatusCode != 503 || e.Code != CodeWorkerDied {
		t.Errorf("query in a dying worker: %d %s, want 503 %s", resp.StatusCode, body, CodeWorkerDied)
	}
	if status, h := getHealth(t, ts.URL); status != 503 || h.Worker != "failing" || h.LastFailure == nil || h.LastFailure.What != "worker" || h.LastFailure.Code != CodeWorkerDied {
		t.Errorf("healthz after the worker died = %d %+v", status, h)
	}
	resp, body = postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken, `{"query": "SELECT count(*) AS n FROM bills"}`)
	if resp.StatusCode != 200 {
		t.Errorf("the next query: %d %s, want 200", resp.StatusCode, body)
	}
	if status, h := getHealth(t, ts.URL); status != 200 || h.Worker != "ok" {
		t.Errorf("healthz after the next query = %d %+v, want 200 and the worker ok", status, h)
	}
}

// Without a site, the analysts' snapshot follows committed ingests.
func TestSnapshotFollowsIngestsWithoutASite(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	tokens, err := ParseTokens("finance:" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	refreshed := make(chan struct{}, 4)
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(),
		Published: func(context.Context) error { refreshed <- struct{}{}; return nil }})
	s.pub.debounce = time.Millisecond
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/ingest/payments", strings.NewReader(string(csvLines(payHeader,
		"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	<-refreshed // the test times out if the snapshot is never refreshed
}
