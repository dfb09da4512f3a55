// Package publish makes a site folder's builds visible atomically. The
// server's rebuilds and `feeflow build` both publish through it:
//
//	SITE/builds/<id>/   one complete build each
//	SITE/current        a symbolic link to builds/<id>, the published one
//	SITE/.stale         present while committed ingests are not in the current build
//	SITE/.lock          held (flock) by the one process publishing into SITE
//
// A build is written in full into its own folder and only then made current,
// by renaming a new symbolic link over SITE/current (rename is atomic): a web
// server or a file share following SITE/current, and the feeflow server,
// only ever see a whole build, the old one or the new one, also after a
// kill -9 at any moment. A failed build leaves the published one untouched.
//
// A new build may hard-link from the current one (Previous) every file whose
// bytes it would write unchanged, so a publish writes only what changed.
// That holds only because a build's files are never changed in place: a
// build writes each file as a new one, into its own new folder, and a
// published build is only ever removed whole. Writing into a linked file
// would change the published build with it.
package publish

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	buildsDir   = "builds"
	currentLink = "current"
	staleMarker = ".stale"
	lockFile    = ".lock"
	linkPrefix  = ".current-" // a new link, before it is renamed over current
)

// DefaultGrace is how long a replaced build stays on disk at least, for
// readers still loading its pages; the last two builds always stay.
const DefaultGrace = time.Minute

// Build is one complete build of the site.
type Build struct {
	ID  string
	Dir string // absolute
}

// Summary describes a published build.
type Summary struct {
	Build string
	Pages int
	Files int
	Bytes int64 // of every file of the build
	// Written counts the files of the build written anew, Unchanged those
	// it shares (hard-linked) with the build it replaced; they add up to Files.
	Written   int
	Unchanged int
	Seconds   float64
}

// Folder is an opened site folder; it holds the folder's lock until Close.
type Folder struct {
	root string
	// Grace is how long a replaced build is kept for its readers.
	Grace time.Duration

	lock    *os.File
	current atomic.Pointer[Build]

	publishing sync.Mutex // one build written at a time
	mu         sync.Mutex
	previous   string               // the build current before the current one
	retired    map[string]time.Time // build id -> when it stopped being current
	lastID     string
}

// Open readies the site folder at root (created if missing), takes its lock,
// so that no other process publishes into it meanwhile, and removes what
// interrupted builds left behind.
func Open(root string) (*Folder, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("site folder %s: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("site folder: %w", err)
	}
	f := &Folder{root: abs, Grace: DefaultGrace, retired: map[string]time.Time{}}
	if err := f.checkForeign(); err != nil {
		return nil, err
	}
	if f.lock, err = lockFolder(filepath.Join(abs, lockFile)); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, buildsDir), 0o755); err != nil {
		f.Close()
		return nil, fmt.Errorf("site folder: %w", err)
	}
	// A current that is not a link is not ours to replace; a link to a build
	// that is gone counts as no build.
	if fi, err := os.Lstat(filepath.Join(abs, currentLink)); err == nil && fi.Mode()&fs.ModeSymlink == 0 {
		f.Close()
		return nil, fmt.Errorf("site folder: %s must be a symbolic link to %s/<id> made by feeflow; move it away", filepath.Join(abs, currentLink), buildsDir)
	}
	if id, err := f.readCurrent(); err == nil && id != "" {
		f.current.Store(&Build{ID: id, Dir: filepath.Join(abs, buildsDir, id)})
		f.previous = f.newestBefore(id)
	}
	f.mu.Lock()
	f.prune(time.Now())
	f.mu.Unlock()
	return f, nil
}

// checkForeign refuses a folder that holds files but is not a site folder
// (no builds/, no current): publishing there would mix feeflow's builds
// with someone else's files.
func (f *Folder) checkForeign() error {
	ents, err := os.ReadDir(f.root)
	if err != nil {
		return fmt.Errorf("site folder: %w", err)
	}
	ours := false
	var other []string
	for _, e := range ents {
		switch n := e.Name(); {
		case n == buildsDir || n == currentLink:
			ours = true
		case n == lockFile || n == staleMarker || strings.HasPrefix(n, linkPrefix):
		default:
			other = append(other, n)
		}
	}
	if !ours && len(other) > 0 {
		return fmt.Errorf("site folder %s holds other files (%s) and no feeflow builds: choose an empty or new folder", f.root, strings.Join(first(other, 3), ", "))
	}
	return nil
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

// Current is the published build, nil before the first one.
func (f *Folder) Current() *Build { return f.current.Load() }

// Close releases the folder's lock.
func (f *Folder) Close() error {
	if f.lock == nil {
		return nil
	}
	err := f.lock.Close() // closing the descriptor releases the flock
	f.lock = nil
	return err
}

// readCurrent returns the id of the build SITE/current links to, "" if none.
func (f *Folder) readCurrent() (string, error) { return currentID(f.root) }

// currentID returns the id of the build root/current links to, "" if none.
func currentID(root string) (string, error) {
	target, err := os.Readlink(filepath.Join(root, currentLink))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id, ok := strings.CutPrefix(filepath.ToSlash(target), buildsDir+"/")
	if !ok || !validBuildID(id) {
		return "", fmt.Errorf("%s links to %q, not to %s/<id>", filepath.Join(root, currentLink), target, buildsDir)
	}
	if !isFile(filepath.Join(root, buildsDir, id, "index.html")) {
		return "", fmt.Errorf("current build %s is incomplete", id)
	}
	return id, nil
}

// Previous names the folder of the build that the one being written into
// dir will replace: dir is the folder Publish handed its write function,
// and the answer is the current build of the same site folder, "" when none
// is published (or dir is no build folder). The write function may
// hard-link from it the files it would write with the same bytes; Publish
// keeps it whole until the new build is current, and a build's files are
// never changed in place, so a link shares bytes that stay as they are.
func Previous(dir string) string {
	builds := filepath.Dir(filepath.Clean(dir))
	if filepath.Base(builds) != buildsDir {
		return ""
	}
	id, err := currentID(filepath.Dir(builds))
	if err != nil || id == "" || id == filepath.Base(dir) {
		return ""
	}
	return filepath.Join(builds, id)
}

func validBuildID(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`) && !strings.HasPrefix(id, ".")
}

// newestBefore names the newest complete build older than id (ids sort by time).
func (f *Folder) newestBefore(id string) string {
	ents, _ := os.ReadDir(filepath.Join(f.root, buildsDir))
	best := ""
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() && validBuildID(n) && n < id && n > best && isFile(filepath.Join(f.root, buildsDir, n, "index.html")) {
			best = n
		}
	}
	return best
}

func isFile(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

// Stale reports whether the site needs a build: none is published, or
// MarkStale was called after the current build started.
func (f *Folder) Stale() bool {
	if f.current.Load() == nil {
		return true
	}
	_, err := os.Stat(filepath.Join(f.root, staleMarker))
	return err == nil
}

// MarkStale records on disk that the published build misses committed
// data, so that a restart rebuilds it.
func (f *Folder) MarkStale() error {
	return os.WriteFile(filepath.Join(f.root, staleMarker), nil, 0o644)
}

// ClearStale removes the mark after a build that includes every change.
func (f *Folder) ClearStale() error {
	if err := os.Remove(filepath.Join(f.root, staleMarker)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Publish lets write fill a new build folder (which it receives, created
// and empty; Previous(dir) names the build it replaces, to link unchanged
// files from), then makes that build current and removes old builds. A
// build that fails, panics or writes no index.html is removed and the
// published one stays.
func (f *Folder) Publish(ctx context.Context, write func(ctx context.Context, dir string) error) (Summary, error) {
	f.publishing.Lock()
	defer f.publishing.Unlock()
	started := time.Now()
	prev := f.current.Load() // stays on disk at least until this build is current
	id := f.newID(started)
	dir := filepath.Join(f.root, buildsDir, id)
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = safeWrite(ctx, write, dir)
	}
	if err == nil && !isFile(filepath.Join(dir, "index.html")) {
		err = errors.New("the build wrote no index.html")
	}
	if err == nil {
		err = f.swap(id)
	}
	if err != nil {
		os.RemoveAll(dir)
		return Summary{}, err
	}
	sum := Summary{Build: id}
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
			if prev != nil && sharedWith(fi, dir, name, prev.Dir) {
				sum.Unchanged++
			} else {
				sum.Written++
			}
		}
		return nil
	})
	f.mu.Lock()
	f.prune(time.Now())
	f.mu.Unlock()
	sum.Seconds = time.Since(started).Seconds()
	return sum, nil
}

// sharedWith reports whether the file name (fi) of the build in dir is the
// very file of the same path in the build prev: a hard link kept from it.
func sharedWith(fi fs.FileInfo, dir, name, prev string) bool {
	rel, err := filepath.Rel(dir, name)
	if err != nil {
		return false
	}
	pfi, err := os.Lstat(filepath.Join(prev, rel))
	return err == nil && os.SameFile(fi, pfi)
}

// safeWrite runs the build function; a panic in it fails the build, not
// the process.
func safeWrite(ctx context.Context, write func(ctx context.Context, dir string) error, dir string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the build panicked: %v", r)
		}
	}()
	return write(ctx, dir)
}

// newID names a build by its UTC start time, so names sort by age.
func (f *Folder) newID(t time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := t.UTC().Format("20060102T150405.000000000Z")
	for id <= f.lastID || exists(filepath.Join(f.root, buildsDir, id)) {
		t = t.Add(time.Microsecond)
		id = t.UTC().Format("20060102T150405.000000000Z")
	}
	f.lastID = id
	return id
}

func exists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}

// swap makes build id current: on disk by renaming a new link over
// SITE/current, then in memory.
func (f *Folder) swap(id string) error {
	link := filepath.Join(f.root, linkPrefix+id)
	os.Remove(link)
	if err := os.Symlink(buildsDir+"/"+id, link); err != nil {
		return err
	}
	if err := os.Rename(link, filepath.Join(f.root, currentLink)); err != nil {
		os.Remove(link)
		return err
	}
	syncDir(f.root)
	old := f.current.Swap(&Build{ID: id, Dir: filepath.Join(f.root, buildsDir, id)})
	if old != nil {
		f.mu.Lock()
		f.previous = old.ID
		f.retired[old.ID] = time.Now()
		f.mu.Unlock()
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
// left behind (unfinished folders, links not renamed). f.mu is held, and no
// build is being written.
func (f *Folder) prune(now time.Time) {
	cur := ""
	if c := f.current.Load(); c != nil {
		cur = c.ID
	}
	if ents, err := os.ReadDir(f.root); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), linkPrefix) {
				os.Remove(filepath.Join(f.root, e.Name()))
			}
		}
	}
	ents, err := os.ReadDir(filepath.Join(f.root, buildsDir))
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if n == cur || n == f.previous {
			continue
		}
		if at, ok := f.retired[n]; ok && now.Sub(at) < f.Grace {
			continue
		}
		if err := os.RemoveAll(filepath.Join(f.root, buildsDir, n)); err == nil {
			delete(f.retired, n)
		}
	}
}
