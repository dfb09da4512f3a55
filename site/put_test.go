package site

import (
	"io"
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
			linked, err := put(p, []byte(c.data), c.prev)
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
			if _, err := put(p, []byte("tampered"), ""); err == nil {
				t.Error("a second write of the same name succeeded")
			}
			if got, _ := os.ReadFile(published); string(got) != "old page" {
				t.Errorf("the published file now holds %q", got)
			}
		})
	}
}

// TestFillComparesAsItWrites: a file made piece by piece (a long list's CSV)
// is linked from the previous build only when every byte and the length
// match, and otherwise holds exactly what was written, wherever the first
// difference falls: the part that matched is copied from the previous file.
func TestFillComparesAsItWrites(t *testing.T) {
	dir := t.TempDir()
	published := filepath.Join(dir, "published.csv")
	const old = "id,amount\nC1,10.00\nC2,20.00\n"
	if err := os.WriteFile(published, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, prev, data string
		linked           bool
	}{
		{name: "same bytes are linked", prev: published, data: old, linked: true},
		{name: "the first byte differs", prev: published, data: "ID,amount\nC1,10.00\nC2,20.00\n"},
		{name: "the last byte differs", prev: published, data: "id,amount\nC1,10.00\nC2,20.01\n"},
		{name: "a middle piece differs", prev: published, data: "id,amount\nC1,11.00\nC2,20.00\n"},
		{name: "more follows", prev: published, data: old + "C3,30.00\n"},
		{name: "the previous file goes on", prev: published, data: "id,amount\nC1,10.00\n"},
		{name: "nothing written", prev: published, data: ""},
		{name: "a file absent before is written", prev: filepath.Join(dir, "absent.csv"), data: old},
		{name: "no previous build: written", data: old},
	} {
		for _, piece := range []int{1, 3, 7, 64} {
			p := filepath.Join(t.TempDir(), "list.csv")
			linked, size, err := fill(p, c.prev, func(w io.Writer) error {
				for rest := c.data; rest != ""; {
					n := min(piece, len(rest))
					if _, err := io.WriteString(w, rest[:n]); err != nil {
						return err
					}
					rest = rest[n:]
				}
				return nil
			})
			if err != nil || linked != c.linked || size != int64(len(c.data)) {
				t.Fatalf("%s, pieces of %d: fill = %v, %d, %v; want linked %v, size %d", c.name, piece, linked, size, err, c.linked, len(c.data))
			}
			if got, _ := os.ReadFile(p); string(got) != c.data {
				t.Errorf("%s, pieces of %d: the new file holds %q, want %q", c.name, piece, got, c.data)
			}
			pfi, _ := os.Stat(published)
			nfi, _ := os.Stat(p)
			if os.SameFile(pfi, nfi) != c.linked {
				t.Errorf("%s, pieces of %d: shared with the published file: %v, want %v", c.name, piece, !c.linked, c.linked)
			}
			if _, _, err := fill(p, "", func(w io.Writer) error { _, err := io.WriteString(w, "tampered"); return err }); err == nil {
				t.Errorf("%s, pieces of %d: a second write of the same name succeeded", c.name, piece)
			}
			if got, _ := os.ReadFile(published); string(got) != old {
				t.Fatalf("the published file now holds %q", got)
			}
		}
	}
}
