package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The site folder (ServerConfig.SiteDir) holds every build of the site:
//
//	SITE/builds/<id>/   one complete build each, written by ServerConfig.Publish
//	SITE/current        a symbolic link to builds/<id>, the published one
//	SITE/.stale         present while committed ingests are not in the current build
//
// A build is written in full to its own folder and only then made current, by
// renaming a new symbolic link over SITE/current (rename is atomic), so a web
// server or file share following SITE/current, and this server, which keeps
// the current build in memory, only ever see a whole build: the old one or
// the new one, also after a kill -9 at any moment.
const (
	buildsDir   = "builds"
	currentLink = "current"
	staleMarker = ".stale"
	linkPrefix  = ".current-" // a new link, before it is renamed over current
)

// Defaults of the publisher; tests shorten them.
const (
	// defaultDebounce is how long the server waits after the last committed
	// ingest before it rebuilds, so a day's dozen uploads make one build.
	defaultDebounce = 2 * time.Second
	// defaultGrace is how long a replaced build stays on disk at least, for
	// readers still loading its pages; the last two builds always stay.
	defaultGrace = time.Minute
)

// Errors of publishing; statusOf maps them.
var (
	errNoSite       = errors.New("this server publishes no site: start it with --site DIR")
	errShuttingDown = errors.New("the server is shutting down; the site was not rebuilt")
	errBuildFailed  = errors.New("the site build failed; the previous site is still published (see the server log)")
)

// BuildSummary describes a published build.
type BuildSummary struct {
	Status  string  `json:"status"`
	Build   string  `json:"build"`
	Pages   int     `json:"pages"`
	Files   int     `json:"files"`
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
}

// build is a published build, as the HTTP side reads it.
type build struct {
	id  string
	dir string // absolute
}

// publisher runs the builds of a server: at most one at a time, queued
// requests merged into the next one.
type publisher struct {
	root     string
	publish  func(ctx context.Context, dir string) error
	debounce time.Duration
	grace    time.Duration
	logf     func(msg string, args ...any)
	errorf   func(msg string, args ...any)

	current atomic.Pointer[build]

	// ctx is the builds' context, cancelled when shutdown runs out of time.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	timer    *time.Timer
	running  bool
	again    bool          // a request arrived during the running build
	done     chan struct{} // closed when the running worker exits
	waiters  []chan buildResult
	closed   bool
	dirty    uint64               // counts committed ingests, to know when .stale may go
	previous string               // the build current before the current one
	retired  map[string]time.Time // build id -> when it stopped being current
	lastID   string
}

type buildResult struct {
	sum BuildSummary
	err error
}

func newPublisher(cfg ServerConfig) *publisher {
	ctx, cancel := context.WithCancel(context.Background())
	p := &publisher{
		root: cfg.SiteDir, publish: cfg.Publish, debounce: defaultDebounce, grace: defaultGrace,
		logf: cfg.Logger.Info, errorf: cfg.Logger.Error,
		ctx: ctx, cancel: cancel, retired: map[string]time.Time{},
	}
	if p.root != "" {
		if abs, err := filepath.Abs(p.root); err == nil {
			p.root = abs
		}
		if id, err := p.readCurrent(); err != nil {
			p.errorf("site: reading the current build", "err", err)
		} else if id != "" {
			p.current.Store(&build{id: id, dir: filepath.Join(p.root, buildsDir, id)})
		}
	}
	return p
}

// readCurrent returns the id of the build SITE/current links to, "" if none.
func (p *publisher) readCurrent() (string, error) {
	target, err := os.Readlink(filepath.Join(p.root, currentLink))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s must be a symbolic link to %s/<id> made by feeflow: %w", filepath.Join(p.root, currentLink), buildsDir, err)
	}
	id, ok := strings.CutPrefix(filepath.ToSlash(target), buildsDir+"/")
	if !ok || !validBuildID(id) {
		return "", fmt.Errorf("%s links to %q, not to %s/<id>", filepath.Join(p.root, currentLink), target, buildsDir)
	}
	if _, err := os.Stat(filepath.Join(p.root, buildsDir, id, "index.html")); err != nil {
		return "", fmt.Errorf("current build %s: %w", id, err)
	}
	return id, nil
}

func validBuildID(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`) && !strings.HasPrefix(id, ".")
}

// start readies the site folder, removes what interrupted builds left, and
// starts a build when none is current or committed ingests are missing from it.
func (p *publisher) start() error {
	if p.root == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(p.root, buildsDir), 0o755); err != nil {
		return fmt.Errorf("site folder: %w", err)
	}
	// A current that is not a link is not ours to replace; a link to a build
	// that is gone is rebuilt.
	if fi, err := os.Lstat(filepath.Join(p.root, currentLink)); err == nil && fi.Mode()&fs.ModeSymlink == 0 {
		return fmt.Errorf("site folder: %s must be a symbolic link to %s/<id> made by feeflow; move it away", filepath.Join(p.root, currentLink), buildsDir)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if cur := p.current.Load(); cur != nil {
		p.previous = p.newestBefore(cur.id)
	}
	p.prune(time.Now())
	if p.publish != nil && p.staleLocked() {
		p.kick()
	}
	return nil
}

// newestBefore names the newest complete build older than id (ids sort by time).
func (p *publisher) newestBefore(id string) string {
	ents, _ := os.ReadDir(filepath.Join(p.root, buildsDir))
	best := ""
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() && validBuildID(n) && n < id && n > best && isFile(filepath.Join(p.root, buildsDir, n, "index.html")) {
			best = n
		}
	}
	return best
}

func isFile(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

// stale reports whether a build is due: none is current, or committed
// ingests are not in it yet (also across a restart: the marker is a file).
func (p *publisher) stale() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.staleLocked()
}

func (p *publisher) staleLocked() bool {
	if p.root == "" {
		return false
	}
	if p.current.Load() == nil {
		return true
	}
	_, err := os.Stat(filepath.Join(p.root, staleMarker))
	return err == nil
}

// changed records a committed ingest and schedules a build for when the
// uploads pause.
func (p *publisher) changed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.root == "" || p.publish == nil || p.closed {
		return
	}
	p.dirty++
	if err := os.WriteFile(filepath.Join(p.root, staleMarker), nil, 0o644); err != nil {
		p.errorf("site: marking the site stale", "err", err)
	}
	if p.timer == nil {
		p.timer = time.AfterFunc(p.debounce, p.fire)
	} else {
		p.timer.Reset(p.debounce)
	}
}

func (p *publisher) fire() {
	p.mu.Lock()
	defer p.mu.Unlock()
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
	case p.root == "" || p.publish == nil:
		return errNoSite
	case p.closed:
		return errShuttingDown
	}
	return nil
}

// stopTimer drops a pending debounced build: the build about to run covers it.
func (p *publisher) stopTimer() {
	if p.timer != nil {
		p.timer.Stop()
	}
}

// kick starts the worker, or tells the running one to build once more. p.mu is held.
func (p *publisher) kick() {
	if p.closed || p.publish == nil {
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
		if !p.again && len(p.waiters) == 0 {
			p.running = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}

// build writes a new build, makes it current and removes old ones. dirty is
// the count of committed ingests when it started.
func (p *publisher) build(dirty uint64) (BuildSummary, error) {
	started := time.Now()
	builds := filepath.Join(p.root, buildsDir)
	if err := os.MkdirAll(builds, 0o755); err != nil {
		p.errorf("site build failed", "err", err)
		return BuildSummary{}, fmt.Errorf("%w: %v", errBuildFailed, err)
	}
	id := p.newID(started)
	dir := filepath.Join(builds, id)
	err := p.safePublish(dir)
	if err == nil && !isFile(filepath.Join(dir, "index.html")) {
		err = errors.New("the build wrote no index.html")
	}
	if err == nil {
		err = p.swap(id)
	}
	if err != nil {
		os.RemoveAll(dir)
		p.errorf("site build failed; the previous site stays published", "build", id, "err", err)
		return BuildSummary{}, fmt.Errorf("%w: %v", errBuildFailed, err)
	}
	sum := BuildSummary{Status: "published", Build: id, Seconds: time.Since(started).Seconds()}
	filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			sum.Files++
			sum.Bytes += fi.Size()
			if strings.HasSuffix(name, ".html") {
				sum.Pages++
			}
		}
		return nil
	})

	p.mu.Lock()
	if p.dirty == dirty {
		if err := os.Remove(filepath.Join(p.root, staleMarker)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			p.errorf("site: clearing the stale mark", "err", err)
		}
	}
	p.prune(time.Now())
	p.mu.Unlock()
	p.logf("site published", "build", id, "pages", sum.Pages, "files", sum.Files, "bytes", sum.Bytes, "seconds", fmt.Sprintf("%.2f", sum.Seconds))
	return sum, nil
}

// safePublish runs the build function; a panic in it fails the build, not
// the server.
func (p *publisher) safePublish(dir string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the build panicked: %v", r)
		}
	}()
	return p.publish(p.ctx, dir)
}

// newID names a build by its UTC start time, so names sort by age.
func (p *publisher) newID(t time.Time) string {
	id := t.UTC().Format("20060102T150405.000000000Z")
	for id <= p.lastID || exists(filepath.Join(p.root, buildsDir, id)) {
		t = t.Add(time.Microsecond)
		id = t.UTC().Format("20060102T150405.000000000Z")
	}
	p.lastID = id
	return id
}

func exists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}

// swap makes build id current: on disk by renaming a new link over
// SITE/current, in memory for the HTTP side.
func (p *publisher) swap(id string) error {
	link := filepath.Join(p.root, linkPrefix+id)
	os.Remove(link)
	if err := os.Symlink(buildsDir+"/"+id, link); err != nil {
		return err
	}
	if err := os.Rename(link, filepath.Join(p.root, currentLink)); err != nil {
		os.Remove(link)
		return err
	}
	syncDir(p.root)
	old := p.current.Swap(&build{id: id, dir: filepath.Join(p.root, buildsDir, id)})
	if old != nil {
		p.mu.Lock()
		p.previous = old.id
		p.retired[old.id] = time.Now()
		p.mu.Unlock()
	}
	return nil
}

// syncDir makes a rename in dir durable; a failure only weakens durability
// against power loss, not atomicity.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// prune removes the builds beyond the current and the previous one once
// they have been retired for the grace period, and what interrupted builds
// left behind (unfinished folders, links not renamed). p.mu is held, and no
// build is being written.
func (p *publisher) prune(now time.Time) {
	cur := ""
	if c := p.current.Load(); c != nil {
		cur = c.id
	}
	if ents, err := os.ReadDir(p.root); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), linkPrefix) {
				os.Remove(filepath.Join(p.root, e.Name()))
			}
		}
	}
	ents, err := os.ReadDir(filepath.Join(p.root, buildsDir))
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if n == cur || n == p.previous {
			continue
		}
		if at, ok := p.retired[n]; ok && now.Sub(at) < p.grace {
			continue
		}
		if err := os.RemoveAll(filepath.Join(p.root, buildsDir, n)); err != nil {
			p.errorf("site: removing an old build", "build", n, "err", err)
			continue
		}
		delete(p.retired, n)
	}
}

// shutdown stops scheduling builds and waits for the running one; when ctx
// ends first, the build is cancelled, and still waited for, so the database
// is not closed under it.
func (p *publisher) shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.stopTimer()
	done, running := p.done, p.running
	p.mu.Unlock()
	if !running {
		p.cancel()
		return nil
	}
	select {
	case <-done:
		p.cancel()
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return ctx.Err()
	}
}

// serve answers a request for the published site from the current build;
// directories answer their index.html and are never listed.
func (p *publisher) serve(w http.ResponseWriter, r *http.Request, b *build) {
	name := path.Clean("/" + r.URL.Path)
	root, err := os.OpenRoot(b.dir)
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
	w.Header().Set("X-Feeflow-Build", b.id)
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

// Start readies the site folder (ServerConfig.SiteDir), removes what
// interrupted builds left there, and starts a build in the background when
// no build is published yet or committed ingests are missing from it.
func (s *Server) Start() error { return s.pub.start() }

// SiteStale reports whether the site needs a build: none is published yet,
// or committed ingests are not in it.
func (s *Server) SiteStale() bool { return s.pub.stale() }

// Shutdown stops rebuilding the site and waits for a build in flight; call
// it after the HTTP server has shut down and before the store is closed.
func (s *Server) Shutdown(ctx context.Context) error { return s.pub.shutdown(ctx) }

// ingested tells the publisher about an ingest answer: a committed batch
// schedules a debounced rebuild; dry runs, replays and rejections do not.
func (s *Server) ingested(res *Result, err error) {
	if err == nil && res != nil && res.Committed && !res.Replayed && res.DuplicateOf == nil {
		s.pub.changed()
	}
}

func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(r, r.Header.Get("Authorization")); !ok {
		s.publishAnswer(w, nil, errUnauthorized)
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
		writeJSON(w, statusOf(err), map[string]string{"status": "failed", "error": message(err)})
		return
	}
	writeJSON(w, http.StatusOK, sum)
}
