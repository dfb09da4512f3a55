package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site/publish"
)

// namedSiteDir is the site folder, inside the public one, of the build with
// customers' names that a public site serves to signed-in viewers.
const namedSiteDir = "signed-in"

// defaultDebounce is how long the server waits after the last committed
// ingest before it rebuilds the site, so a day's dozen uploads make one build.
const defaultDebounce = 2 * time.Second

// Failures of publishing.
var (
	errNoSite       = errorf(CodeNoSite, "this server publishes no site: start it with --site DIR")
	errShuttingDown = errorf(CodeShuttingDown, "the server is shutting down; the site was not rebuilt")
	errBuildFailed  = errorf(CodeBuildFailed, "the site build failed; the previous site is still published (see the server log)")
)

// BuildSummary describes a published build.
type BuildSummary struct {
	Status string `json:"status"`
	Build  string `json:"build"`
	Pages  int    `json:"pages"`
	Files  int    `json:"files"`
	Bytes  int64  `json:"bytes"`
	// FilesWritten counts the files the publish wrote anew, FilesUnchanged
	// those it kept (hard-linked) from the build before; with a public site
	// both count the signed-in build's files too.
	FilesWritten   int     `json:"files_written"`
	FilesUnchanged int     `json:"files_unchanged"`
	Seconds        float64 `json:"seconds"`
}

// timer is the debounce timer (a *time.Timer); tests replace it with one
// they fire themselves.
type timer interface {
	Stop() bool
	Reset(d time.Duration) bool
}

// publisher runs the builds of a server: at most one at a time, queued
// requests merged into the next one. The site folder's on-disk swap is
// site/publish's, shared with `feeflow build`.
type publisher struct {
	folder   *publish.Folder // nil: no site
	write    func(ctx context.Context, dir string) error
	debounce time.Duration
	// afterFunc arms the debounce timer; time.AfterFunc unless a test sets it.
	afterFunc func(d time.Duration, f func()) timer
	// built, when set, is told the outcome of every build once the
	// publisher has taken it in (tests wait on it).
	built  func(BuildSummary, error)
	logf   func(msg string, args ...any)
	errorf func(msg string, args ...any)
	// published runs after each successful build (Config.Published).
	published func(ctx context.Context) error
	health    *health
	alerts    *Alerter // evaluated after each publish; nil for none
	// named, with a public site, is the folder of the build with customers'
	// names served to signed-in viewers (Config.PublishNames); nil for none.
	named      *publish.Folder
	writeNamed func(ctx context.Context, dir string) error

	// ctx is the builds' context, cancelled when shutdown runs out of time.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	timer   timer
	armed   bool // the debounce timer is set and has not fired
	running bool
	again   bool          // a request arrived during the running build
	done    chan struct{} // closed when the running worker exits
	waiters []chan buildResult
	closed  bool
	dirty   uint64 // counts committed ingests, to know when the stale mark may go

	// batches counts the committed batches (nil: none known); clock is
	// the clock of last.
	batches func(ctx context.Context) (int64, error)
	clock   func() time.Time
	// last is the latest successful build; lastFailed is set when the build
	// after it failed.
	last       publishedBuild
	lastFailed bool
}

// publishedBuild is what the publish status says of a published build.
type publishedBuild struct {
	build    string
	at       time.Time
	includes int64 // committed batches when the build started: it holds them all
	// written and unchanged count the files of the publish (BuildSummary);
	// unknown for a build published before the server started.
	written, unchanged int
	counted            bool
}

type buildResult struct {
	sum BuildSummary
	err error
}

func newPublisher(cfg Config, folder *publish.Folder, h *health) *publisher {
	ctx, cancel := context.WithCancel(context.Background())
	var batches func(ctx context.Context) (int64, error)
	if cfg.Store != nil {
		batches = cfg.Store.CommittedBatches
	}
	return &publisher{
		folder: folder, write: cfg.Publish, debounce: defaultDebounce,
		published: cfg.Published, health: h, batches: batches, clock: cfg.Now,
		alerts:    cfg.Alerts,
		afterFunc: func(d time.Duration, f func()) timer { return time.AfterFunc(d, f) },
		logf:      cfg.Logger.Info, errorf: cfg.Logger.Error,
		ctx: ctx, cancel: cancel,
	}
}

// current is the published build, nil for none.
func (p *publisher) current() *publish.Build {
	if p.folder == nil {
		return nil
	}
	return p.folder.Current()
}

// start builds in the background when no build is current or committed
// ingests are missing from it.
func (p *publisher) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.folder != nil && p.write != nil && p.folder.Stale() {
		p.kick()
	}
	if b := p.current(); b != nil && !p.folder.Stale() {
		// Published before this server started, with every committed batch.
		if fi, err := os.Stat(b.Dir); err == nil {
			p.last = publishedBuild{build: b.ID, at: fi.ModTime(), includes: p.committedBatches()}
		}
	}
}

// stale reports whether a build is due: none is current, or committed
// ingests are not in it yet (also across a restart: the mark is a file).
func (p *publisher) stale() bool {
	return p.folder != nil && p.folder.Stale()
}

// changed records a committed ingest and schedules a build for when the
// uploads pause.
func (p *publisher) changed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.active() || p.closed {
		return
	}
	p.dirty++
	if p.folder != nil && p.write != nil {
		if err := p.folder.MarkStale(); err != nil {
			p.errorf("site: marking the site stale", "err", err)
		}
	}
	p.armed = true
	if p.timer == nil {
		p.timer = p.afterFunc(p.debounce, p.fire)
	} else {
		p.timer.Reset(p.debounce)
	}
}

func (p *publisher) fire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = false
	p.kick()
}

// queue asks for a build now, without waiting for it.
func (p *publisher) queue() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.usable(); err != nil {
		return err
	}
	p.stopTimer()
	p.kick()
	return nil
}

// now builds and waits for the build that starts after the call.
func (p *publisher) now(ctx context.Context) (BuildSummary, error) {
	p.mu.Lock()
	if err := p.usable(); err != nil {
		p.mu.Unlock()
		return BuildSummary{}, err
	}
	ch := make(chan buildResult, 1)
	p.waiters = append(p.waiters, ch)
	p.stopTimer()
	p.kick()
	p.mu.Unlock()
	select {
	case r := <-ch:
		return r.sum, r.err
	case <-ctx.Done():
		return BuildSummary{}, ctx.Err()
	}
}

func (p *publisher) usable() error {
	switch {
	case p.folder == nil || p.write == nil:
		return errNoSite
	case p.closed:
		return errShuttingDown
	}
	return nil
}

// active reports whether the publisher has anything to do after an
// ingest: build a site, or (without one) refresh the analysts' snapshot.
func (p *publisher) active() bool {
	return (p.folder != nil && p.write != nil) || p.published != nil
}

// stopTimer drops a pending debounced build: the build about to run covers it.
func (p *publisher) stopTimer() {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.armed = false
}

// kick starts the worker, or tells the running one to build once more. p.mu is held.
func (p *publisher) kick() {
	if p.closed || !p.active() {
		return
	}
	if p.running {
		p.again = true
		return
	}
	p.running = true
	p.done = make(chan struct{})
	go p.work(p.done)
}

// work builds until no request is left; every waiter gets the result of a
// build that started after it asked.
func (p *publisher) work(done chan struct{}) {
	defer close(done)
	for {
		p.mu.Lock()
		if p.closed {
			for _, w := range p.waiters {
				w <- buildResult{err: errShuttingDown}
			}
			p.waiters, p.running, p.again = nil, false, false
			p.mu.Unlock()
			return
		}
		waiters, dirty := p.waiters, p.dirty
		p.waiters, p.again = nil, false
		p.mu.Unlock()

		sum, err := p.build(dirty)
		for _, w := range waiters {
			w <- buildResult{sum, err}
		}

		p.mu.Lock()
		last := !p.again && len(p.waiters) == 0
		if last {
			p.running = false
		}
		p.mu.Unlock()
		if p.built != nil {
			p.built(sum, err)
		}
		if last {
			return
		}
	}
}

// build publishes a new build through the site folder. dirty is the count
// of committed ingests when it started.
func (p *publisher) build(dirty uint64) (BuildSummary, error) {
	if p.folder == nil || p.write == nil {
		// No site: the analysts' snapshot follows the committed ingests.
		p.afterBuild()
		return BuildSummary{Status: "snapshot"}, nil
	}
	includes := p.committedBatches()
	s, err := p.folder.Publish(p.ctx, p.write)
	var named publish.Summary // the signed-in build's, with a public site
	if err == nil && p.named != nil {
		named, err = p.named.Publish(p.ctx, p.writeNamed)
	}
	if err != nil {
		p.mu.Lock()
		p.lastFailed = true
		p.mu.Unlock()
		p.errorf("site build failed; the previous site stays published", "err", err)
		if codeOf(err) != CodeDiskFull {
			err = errBuildFailed // the log has the detail
		}
		p.health.failed("publish", err)
		return BuildSummary{}, err
	}
	written, unchanged := s.Written+named.Written, s.Unchanged+named.Unchanged
	p.mu.Lock()
	p.last = publishedBuild{build: s.Build, at: p.clock(), includes: includes, written: written, unchanged: unchanged, counted: true}
	p.lastFailed = false
	if p.dirty == dirty {
		if err := p.folder.ClearStale(); err != nil {
			p.errorf("site: clearing the stale mark", "err", err)
		}
	}
	p.mu.Unlock()
	p.health.succeeded("publish")
	p.afterBuild()
	p.alerts.afterPublish(p.ctx, p.logf, p.errorf)
	sum := BuildSummary{Status: "published", Build: s.Build, Pages: s.Pages, Files: s.Files, Bytes: s.Bytes,
		FilesWritten: written, FilesUnchanged: unchanged, Seconds: s.Seconds}
	p.logf("site published", "build", s.Build, "pages", s.Pages, "files", s.Files, "written", s.Written, "unchanged", s.Unchanged, "bytes", s.Bytes, "seconds", fmt.Sprintf("%.2f", s.Seconds))
	if p.named != nil {
		p.logf("signed-in site published", "build", named.Build, "files", named.Files, "written", named.Written, "unchanged", named.Unchanged, "bytes", named.Bytes, "seconds", fmt.Sprintf("%.2f", named.Seconds))
	}
	return sum, nil
}

// afterBuild refreshes the analysts' snapshot (Config.Published).
func (p *publisher) afterBuild() {
	if p.published == nil {
		return
	}
	if err := p.published(p.ctx); err != nil {
		p.errorf("the analysts' snapshot was not refreshed; they query the previous one", "err", err)
		p.health.failed("snapshot", err)
		return
	}
	p.health.succeeded("snapshot")
}

// shutdown stops scheduling builds and waits for the running one; when ctx
// ends first, the build is cancelled, and still waited for, so the database
// is not closed under it. The site folder's lock is released last.
func (p *publisher) shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.stopTimer()
	done, running := p.done, p.running
	p.mu.Unlock()
	var err error
	if running {
		select {
		case <-done:
		case <-ctx.Done():
			p.cancel()
			<-done
			err = ctx.Err()
		}
	}
	p.cancel()
	if p.folder != nil {
		p.folder.Close()
	}
	if p.named != nil {
		p.named.Close()
	}
	return err
}

// serve answers a request for the published site from the current build;
// directories answer their index.html and are never listed.
func (p *publisher) serve(w http.ResponseWriter, r *http.Request, b *publish.Build) {
	name := path.Clean("/" + r.URL.Path)
	root, err := os.OpenRoot(b.Dir)
	if err != nil {
		http.Error(w, "the site is being replaced; reload", http.StatusServiceUnavailable)
		return
	}
	defer root.Close()
	rel := strings.TrimPrefix(name, "/")
	if rel == "" {
		rel = "."
	}
	f, err := root.Open(rel)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			http.Redirect(w, r, name+"/", http.StatusMovedPermanently)
			return
		}
		f.Close()
		if f, err = root.Open(path.Join(rel, "index.html")); err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		name = path.Join(name, "index.html")
	}
	if !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if ct, ok := siteTypes[path.Ext(name)]; ok {
		w.Header().Set("Content-Type", ct)
	}
	// Pages change with every build: revalidate rather than cache blindly.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Feeflow-Build", b.ID)
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// siteTypes fixes the types of the site's files, whatever the machine's
// MIME tables say (a CSV download must be text/csv).
var siteTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".json":  "application/json",
	".csv":   "text/csv; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".txt":   "text/plain; charset=utf-8",
	".woff2": "font/woff2",
}

// Publish rebuilds the site now and waits for it; a build already running
// finishes first. A failed build keeps the previous site published.
func (s *Server) Publish(ctx context.Context) (BuildSummary, error) {
	return s.pub.now(ctx)
}

// Start begins a build in the background when no build is published yet or
// committed ingests are missing from it.
func (s *Server) Start() { s.pub.start() }

// SiteStale reports whether the site needs a build: none is published yet,
// or committed ingests are not in it.
func (s *Server) SiteStale() bool { return s.pub.stale() }

// Shutdown stops rebuilding the site and waits for a build in flight; call
// it after the HTTP server has shut down and before the store is closed.
func (s *Server) Shutdown(ctx context.Context) error { return s.pub.shutdown(ctx) }

// ingested tells the publisher about an ingest answer: a committed batch
// schedules a debounced rebuild; dry runs, replays and rejections do not.
func (s *Server) ingested(res *ingest.Result, err error) {
	switch {
	case codeOf(err) == CodeInternal || codeOf(err) == CodeDiskFull: // not a client's mistake nor a busy server
		s.health.failed("ingest", err)
	case err == nil && res != nil && res.Committed:
		s.health.succeeded("ingest")
	}
	if err == nil && res != nil && res.Committed && !res.Replayed && res.DuplicateOf == nil {
		s.pub.changed()
	}
}

func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Admin, true); err != nil {
		s.publishAnswer(w, nil, err)
		return
	}
	if !isTrue(r.URL.Query().Get("wait")) {
		if err := s.pub.queue(); err != nil {
			s.publishAnswer(w, nil, err)
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
		return
	}
	sum, err := s.pub.now(r.Context())
	s.publishAnswer(w, &sum, err)
}

func (s *Server) publishAnswer(w http.ResponseWriter, sum *BuildSummary, err error) {
	if err != nil {
		code := codeOf(err)
		writeJSON(w, statusOf(code), map[string]string{"status": "failed", "error": message(err), "code": code})
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// committedBatches counts the committed batches before a build reads the
// database, so that the build is known to hold at least that many; -1 when
// the count is unknown (the status then promises nothing).
func (p *publisher) committedBatches() int64 {
	if p.batches == nil {
		return -1
	}
	n, err := p.batches(p.ctx)
	if err != nil {
		p.errorf("site: counting committed batches for the publish status", "err", err)
		return -1
	}
	return n
}

// PublishStatus is the answer of GET /api/v1/publish/status: whether the
// dashboard shows the committed uploads yet.
type PublishStatus struct {
	// State is "published" (nothing waiting), "publishing" (a build is
	// due or running), "failed" (the last build failed; the previous site
	// stays) or "none" (this server publishes no site).
	State string `json:"state"`
	Build string `json:"build,omitempty"`
	// PublishedAt is when the current build was published, RFC 3339 in
	// the organisation's time zone (Zone); "" before the first build.
	PublishedAt string `json:"published_at,omitempty"`
	Zone        string `json:"zone"`
	// IncludesBatches is how many committed batches the published build
	// holds (batches commit one after another, so the first that many);
	// an upload whose batch_seq is at most this is on the dashboard.
	IncludesBatches int64 `json:"includes_batches"`
	// FilesWritten counts the files the last publish wrote anew,
	// FilesUnchanged those it kept (hard-linked) from the build before;
	// with a public site both count the signed-in build's files too.
	// Absent until this server has published.
	FilesWritten   *int `json:"files_written,omitempty"`
	FilesUnchanged *int `json:"files_unchanged,omitempty"`

	at time.Time // when the current build was published
}

// status is the publisher's state for the publish status.
func (p *publisher) status(loc *time.Location) PublishStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := PublishStatus{State: "published", Zone: loc.String(), Build: p.last.build, IncludesBatches: p.last.includes}
	if st.at = p.last.at; !st.at.IsZero() {
		st.PublishedAt = p.last.at.In(loc).Format(time.RFC3339)
	}
	if p.last.counted {
		written, unchanged := p.last.written, p.last.unchanged
		st.FilesWritten, st.FilesUnchanged = &written, &unchanged
	}
	switch {
	case p.folder == nil || p.write == nil:
		st.State = "none"
	case p.running || p.armed:
		st.State = "publishing"
	case p.lastFailed:
		st.State = "failed"
	case p.folder.Stale():
		st.State = "publishing"
	}
	return st
}

// handlePublishStatus answers whether and when the dashboard was last
// published and which uploads it holds; viewers and finance may ask.
func (s *Server) handlePublishStatus(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Viewer, false); err != nil {
		if _, ferr := s.authorize(r, Finance, false); ferr != nil {
			s.answerError(w, "publish status", err)
			return
		}
	}
	writeJSON(w, http.StatusOK, s.pub.status(s.zone()))
}

// zone is the organisation's time zone: the store's.
func (s *Server) zone() *time.Location {
	if s.cfg.Store != nil && s.cfg.Store.Location() != nil {
		return s.cfg.Store.Location()
	}
	return time.UTC
}
