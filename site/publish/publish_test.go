package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func page(text string) func(ctx context.Context, dir string) error {
	return func(ctx context.Context, dir string) error {
		return os.WriteFile(filepath.Join(dir, "index.html"), []byte(text), 0o644)
	}
}

func readCurrent(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "current", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPublishSwapsWholeBuilds(t *testing.T) {
	root := filepath.Join(t.TempDir(), "site")
	f, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !f.Stale() || f.Current() != nil {
		t.Fatal("a new folder has a current build")
	}
	sum, err := f.Publish(context.Background(), page("one"))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pages != 1 || sum.Files != 1 || sum.Bytes != 3 || f.Current().ID != sum.Build || readCurrent(t, root) != "one" {
		t.Errorf("first build = %+v, current %v", sum, f.Current())
	}
	for name, write := range map[string]func(context.Context, string) error{
		"error": func(context.Context, string) error { return errors.New("broke") },
		"panic": func(context.Context, string) error { panic("boom") },
		"no index.html": func(ctx context.Context, dir string) error {
			return os.WriteFile(filepath.Join(dir, "a.css"), nil, 0o644)
		},
	} {
		if _, err := f.Publish(context.Background(), write); err == nil {
			t.Errorf("a build ending in %s was published", name)
		}
	}
	if got := readCurrent(t, root); got != "one" || f.Current().ID != sum.Build {
		t.Errorf("after failed builds current holds %q, want the first build", got)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "builds"))
	if len(ents) != 1 {
		t.Errorf("failed builds left %d folders, want only the current one", len(ents))
	}
	if _, err := f.Publish(context.Background(), page("two")); err != nil || readCurrent(t, root) != "two" {
		t.Errorf("second build: %v", err)
	}
}

func TestOneProcessPublishesAFolder(t *testing.T) {
	root := t.TempDir()
	f, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err == nil || !strings.Contains(err.Error(), "published by another feeflow process (PID") {
		t.Errorf("second Open of a locked folder = %v, want a refusal naming the process", err)
	}
	f.Close()
	g, err := Open(root)
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	g.Close()
}

func TestForeignFolderIsRefused(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "report.pdf"), nil, 0o644)
	if _, err := Open(root); err == nil || !strings.Contains(err.Error(), "report.pdf") {
		t.Errorf("Open of a folder of other files = %v, want a refusal naming them", err)
	}
}

// TestPublishCountsWhatABuildKeeps: a build links the files it would write
// unchanged from the build it replaces (Previous); the summary counts them
// apart from the written ones, and pruning the older builds leaves the
// shared files of the current one whole.
func TestPublishCountsWhatABuildKeeps(t *testing.T) {
	root := filepath.Join(t.TempDir(), "site")
	f, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Grace = 0
	var previous []string // what Previous said inside each build
	build := func(n int) func(ctx context.Context, dir string) error {
		return func(ctx context.Context, dir string) error {
			prev := Previous(dir)
			previous = append(previous, prev)
			files := map[string]string{"index.html": fmt.Sprintf("page %d", n), "app.js": "the same script"}
			for name, text := range files {
				if old, err := os.ReadFile(filepath.Join(prev, name)); prev != "" && err == nil && string(old) == text {
					if err := os.Link(filepath.Join(prev, name), filepath.Join(dir, name)); err != nil {
						return err
					}
					continue
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					return err
				}
			}
			return nil
		}
	}
	var dirs []string
	for n := 1; n <= 4; n++ {
		sum, err := f.Publish(context.Background(), build(n))
		if err != nil {
			t.Fatal(err)
		}
		want := Summary{Build: sum.Build, Pages: 1, Files: 2, Bytes: int64(len(fmt.Sprint("page ", n)) + len("the same script")), Written: 1, Unchanged: 1, Seconds: sum.Seconds}
		if n == 1 {
			want.Written, want.Unchanged = 2, 0
		}
		if sum != want {
			t.Errorf("build %d: summary %+v, want %+v", n, sum, want)
		}
		if n == 1 && previous[0] != "" {
			t.Errorf("the first build was told of a previous one: %q", previous[0])
		}
		if n > 1 && previous[n-1] != dirs[n-2] {
			t.Errorf("build %d was told the previous build is %q, want %q", n, previous[n-1], dirs[n-2])
		}
		dirs = append(dirs, f.Current().Dir)
	}
	if ents, _ := os.ReadDir(filepath.Join(root, "builds")); len(ents) != 2 {
		t.Errorf("%d builds on disk, want the current and the previous one", len(ents))
	}
	if got, err := os.ReadFile(filepath.Join(root, "current", "app.js")); err != nil || string(got) != "the same script" {
		t.Errorf("the current build's kept script after pruning: %q, %v", got, err)
	}
	if readCurrent(t, root) != "page 4" {
		t.Errorf("current page = %q", readCurrent(t, root))
	}
	// Not a build being written: a folder elsewhere, the builds folder, the
	// current build itself.
	for _, dir := range []string{t.TempDir(), filepath.Join(root, "builds"), dirs[3]} {
		if p := Previous(dir); p != "" {
			t.Errorf("Previous(%s) = %q, want none", dir, p)
		}
	}
}
