package server

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/site"
	"github.com/feeflow/feeflow/site/publish"
)

// TestPublishKeepsUnchangedFilesOfBothBuilds: a public site publishes two
// builds each time, each through its own folder; both link from their own
// previous build the files that did not change. A publish of unchanged data
// writes nothing, one after an upload writes only some files, and the
// publish answer and status count them.
func TestPublishKeepsUnchangedFilesOfBothBuilds(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	ctx := context.Background()
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	addUser(t, store, "vera", "viewer-password-1", "viewer")
	build := func(names bool) func(ctx context.Context, dir string) error {
		return func(ctx context.Context, dir string) error {
			_, err := site.Build(ctx, analytics.New(store), site.Options{Out: dir, Previous: publish.Previous(dir), Langs: []string{"en"}, WithNames: names,
				AsOf: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), Now: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)})
			return err
		}
	}
	root := filepath.Join(t.TempDir(), "site")
	s := newServer(t, Config{Store: store, Ingester: in, TempDir: t.TempDir(), SiteDir: root, PublicSite: true,
		Publish: build(false), PublishNames: build(true)})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	viewer := newBrowser(t, ts.URL).mustSignIn("vera", "viewer-password-1")
	status := func() map[string]any {
		t.Helper()
		resp, raw := viewer.get("/api/v1/publish/status")
		var st map[string]any
		if err := json.Unmarshal([]byte(raw), &st); err != nil || resp.StatusCode != 200 {
			t.Fatalf("publish status = %s %s", resp.Status, raw)
		}
		return st
	}
	if st := status(); st["files_written"] != nil || st["files_unchanged"] != nil {
		t.Errorf("status before this server published = %v, want no file counts", st)
	}
	folders := []string{root, filepath.Join(root, namedSiteDir)}

	first, err := s.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range folders {
		total += len(filesOf(t, filepath.Join(f, currentLink)))
	}
	if first.FilesWritten != total || first.FilesUnchanged != 0 || first.Files >= total {
		t.Errorf("first publish = %+v, want all %d files of both builds written", first, total)
	}

	again, err := s.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.FilesWritten != 0 || again.FilesUnchanged != total || again.Files != first.Files || again.Bytes != first.Bytes {
		t.Errorf("publish of unchanged data = %+v, want 0 written and all %d files unchanged", again, total)
	}
	if st := status(); st["files_written"] != 0.0 || st["files_unchanged"] != float64(total) || st["build"] != again.Build {
		t.Errorf("status after the publish of unchanged data = %v, want files_written 0, files_unchanged %d", st, total)
	}
	for _, f := range folders {
		if written, kept := sharedWithPrevious(t, f); written != 0 || kept == 0 {
			t.Errorf("%s: %d files written, %d kept; want every file kept from the previous build", f, written, kept)
		}
	}

	mustIngest(t, in, "payments", csvLines(payHeader, "P1,2026-10-10 10:00,C001,B3,PARK,1200.00,cash,Wang,R1,completed"))
	after, err := s.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.FilesWritten == 0 || after.FilesUnchanged == 0 || after.FilesWritten+after.FilesUnchanged != total {
		t.Errorf("publish after a payment = %+v, want some of the %d files written and the rest kept", after, total)
	}
	got := 0
	for _, f := range folders {
		written, kept := sharedWithPrevious(t, f)
		if written == 0 || kept == 0 {
			t.Errorf("%s after a payment: %d files written, %d kept; want some of each", f, written, kept)
		}
		got += written
	}
	if got != after.FilesWritten {
		t.Errorf("the folders hold %d new files, the publish says %d", got, after.FilesWritten)
	}
	if st := status(); st["files_written"] != float64(after.FilesWritten) || st["files_unchanged"] != float64(after.FilesUnchanged) {
		t.Errorf("status after the payment's publish = %v, want %d written, %d unchanged", st, after.FilesWritten, after.FilesUnchanged)
	}
}

// filesOf lists the files of a build by slash path.
func filesOf(t *testing.T, dir string) []string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// sharedWithPrevious counts the files of a site folder's current build that
// are new and those that are the previous build's own (hard links).
func sharedWithPrevious(t *testing.T, root string) (written, kept int) {
	t.Helper()
	cur, err := filepath.EvalSymlinks(filepath.Join(root, currentLink))
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(root, buildsDir))
	if err != nil {
		t.Fatal(err)
	}
	best := "" // the newest build before the current one (ids sort by time)
	for _, e := range ents {
		if n := e.Name(); n < filepath.Base(cur) && n > best {
			best = n
		}
	}
	if best == "" {
		t.Fatalf("%s: no previous build", root)
	}
	prev := filepath.Join(root, buildsDir, best)
	for _, n := range filesOf(t, cur) {
		fi, err := os.Stat(filepath.Join(cur, n))
		if err != nil {
			t.Fatal(err)
		}
		if pfi, err := os.Stat(filepath.Join(prev, n)); err == nil && os.SameFile(fi, pfi) {
			kept++
		} else {
			written++
		}
	}
	return written, kept
}
