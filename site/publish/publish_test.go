package publish

import (
	"context"
	"errors"
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
