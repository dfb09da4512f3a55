package site

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPutNeverWritesIntoALinkedFile holds the invariant that makes linking
// from the published build safe: a file of a build is only ever created,
// never opened for writing again, so a file shared (hard-linked) with the
// published build cannot be changed through the new build.
func TestPutNeverWritesIntoALinkedFile(t *testing.T) {
	dir := t.TempDir()
	published := filepath.Join(dir, "published.html")
	if err := os.WriteFile(published, []byte("old page"), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for _, c := range []struct {
		name, prev string
		data       string
		linked     bool
		err        bool
	}{
		{name: "same bytes are linked", prev: published, data: "old page", linked: true},
		{name: "other bytes of the same size are written", prev: published, data: "new page"},
		{name: "a longer file is written", prev: published, data: "old page, longer"},
		{name: "a shorter file is written", prev: published, data: "old"},
		{name: "a file absent before is written", prev: filepath.Join(dir, "absent.html"), data: "old page"},
		{name: "no previous build: written", data: "old page"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "page.html")
			linked, err := put(p, []byte(c.data), c.prev, &buf)
			if err != nil || linked != c.linked {
				t.Fatalf("put = %v, %v; want linked %v", linked, err, c.linked)
			}
			if got, _ := os.ReadFile(p); string(got) != c.data {
				t.Errorf("the new file holds %q, want %q", got, c.data)
			}
			pfi, _ := os.Stat(published)
			nfi, _ := os.Stat(p)
			if os.SameFile(pfi, nfi) != c.linked {
				t.Errorf("shared with the published file: %v, want %v", !c.linked, c.linked)
			}
			// The new build's name now exists, possibly as the published
			// file itself: writing it again is refused, never done in place.
			if _, err := put(p, []byte("tampered"), "", &buf); err == nil {
				t.Error("a second write of the same name succeeded")
			}
			if got, _ := os.ReadFile(published); string(got) != "old page" {
				t.Errorf("the published file now holds %q", got)
			}
		})
	}
}
