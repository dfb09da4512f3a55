package reliability_test

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPublishKilledKeepsAWholeSite runs `feeflow build` into one site folder
// again and again, with "as of" days that alternate so that each build
// writes some files and hard-links the rest from the published build, and
// kills it with SIGKILL at chosen moments: while it reads the views, as it
// starts writing (linking the unchanged scripts), in the middle of its pages,
// just before the last of them, or not at all. After every kill the current
// build is whole (the files of a complete build of its day, every page
// ended), and the build that was current before is byte for byte what it
// was: a linked file is never written through the new build.
func TestPublishKilledKeepsAWholeSite(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command(binary, "demo", "--dir", dir, "--customers", "60", "--months", "2", "--end", "2026-04", "--no-serve", "--tz", "Asia/Taipei").CombinedOutput(); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	db, siteDir := filepath.Join(dir, "feeflow.duckdb"), filepath.Join(dir, "site-under-test")
	days := []string{"2026-03-31", "2026-03-20"}
	buildCmd := func(day string) *exec.Cmd {
		return exec.Command(binary, "build", "--db", db, "--out", siteDir, "--as-of", day, "--tz", "Asia/Taipei")
	}
	line := regexp.MustCompile(`(\d+) files \((\d+) written, (\d+) unchanged\)`)
	complete := func(day string) (written, unchanged int) {
		t.Helper()
		out, err := buildCmd(day).CombinedOutput()
		m := line.FindSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("build --as-of %s: %v\n%s", day, err, out)
		}
		files, _ := strconv.Atoi(string(m[1]))
		written, _ = strconv.Atoi(string(m[2]))
		unchanged, _ = strconv.Atoi(string(m[3]))
		if written+unchanged != files {
			t.Errorf("build --as-of %s: %s", day, m[0])
		}
		return written, unchanged
	}
	// A complete build of each day: what a whole build of it holds.
	refs := map[string]map[string][]byte{}
	for i, day := range days {
		written, unchanged := complete(day)
		if i > 0 && (written == 0 || unchanged == 0) {
			t.Errorf("build of another day over the first: %d written, %d unchanged; want some of each", written, unchanged)
		}
		refs[day] = readBuild(t, filepath.Join(siteDir, "current"))
	}

	// The stages of a build at which it is killed: when its folder appears
	// (reading the views), when its first file is there (scripts, linked),
	// in its pages, at the root page written after one language's pages,
	// and never (it finishes).
	stages := []string{".", "assets", "en", "index.html", ""}
	n := kills(t)
	var killedLinked, killedWriting, killedTotal, finished int
	for k := 0; k < n+1; k++ {
		day := days[k%2]
		before, beforeFiles := currentBuild(t, siteDir)
		stage := stages[k%len(stages)]
		if k == n {
			stage = "" // the last build finishes, to show the folder recovered
		}
		cmd := buildCmd(day)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		partial, killed := "", false
		if stage != "" {
			partial, killed = killAt(t, cmd, done, siteDir, before, stage)
		}
		if !killed {
			if err := <-done; err != nil {
				t.Fatalf("build %d (as of %s) failed: %v", k, day, err)
			}
			finished++
		} else {
			killedTotal++
		}
		if killed && (stage == "en" || stage == "index.html") {
			// Killed while writing: every script is linked by then.
			killedWriting++
			killedLinked += linkedFrom(t, partial, filepath.Join(siteDir, "builds", before))
		}

		// The build current before is untouched, whether it still is.
		if got := readBuild(t, filepath.Join(siteDir, "builds", before)); !sameFiles(got, beforeFiles) {
			t.Errorf("kill %d at %q: the build current before (%s) changed", k, stage, before)
		}
		id, files := currentBuild(t, siteDir)
		if id == before && !killed {
			t.Errorf("kill %d: a finished build left %s current", k, before)
		}
		whole := false
		for _, d := range days {
			whole = whole || sameSite(files, refs[d])
		}
		if !whole {
			t.Errorf("kill %d at %q: the current build %s is not a whole build of either day", k, stage, id)
		}
	}
	// The finished last build found the torn folders and removed them:
	// only it and the one before are left.
	if ents, err := os.ReadDir(filepath.Join(siteDir, "builds")); err != nil || len(ents) != 2 {
		t.Errorf("after the last build the site folder holds %d builds (%v), want the current and the previous one", len(ents), err)
	}
	t.Logf("%d builds killed (%d while writing, with %d files of the published build linked into them), %d finished", killedTotal, killedWriting, killedLinked, finished)
	if killedTotal == 0 {
		t.Error("no build was killed")
	}
	if killedWriting > 0 && killedLinked == 0 {
		t.Error("the builds killed while writing had linked no file from the published build")
	}
}

// killAt waits until the build started after the one named before reaches
// stage (a name inside its folder, "." for the folder itself), then kills
// it; it reports the torn folder and whether the kill came before the build
// ended by itself.
func killAt(t *testing.T, cmd *exec.Cmd, done chan error, siteDir, before, stage string) (string, bool) {
	t.Helper()
	for {
		select {
		case err := <-done:
			done <- err // the build ended before the stage was seen
			return "", false
		default:
		}
		ents, _ := os.ReadDir(filepath.Join(siteDir, "builds"))
		for _, e := range ents {
			if e.Name() <= before {
				continue
			}
			p := filepath.Join(siteDir, "builds", e.Name())
			if _, err := os.Stat(filepath.Join(p, stage)); err == nil {
				cmd.Process.Kill()
				<-done
				return p, true
			}
		}
		time.Sleep(100 * time.Microsecond) // leave the cores to the build
	}
}

// currentBuild returns the id and files of the build DIR/current links to.
func currentBuild(t *testing.T, siteDir string) (string, map[string][]byte) {
	t.Helper()
	target, err := os.Readlink(filepath.Join(siteDir, "current"))
	if err != nil {
		t.Fatalf("no current build: %v", err)
	}
	return filepath.Base(target), readBuild(t, filepath.Join(siteDir, "current"))
}

// readBuild reads every file of a build folder (or the link to one).
func readBuild(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for n, x := range a {
		if y, ok := b[n]; !ok || sha256.Sum256(x) != sha256.Sum256(y) {
			return false
		}
	}
	return true
}

// sameSite reports whether got is a whole build of the day ref was built
// for: the same files; every one but the pages byte for byte (a page
// carries the minute it was built), and every page ended.
func sameSite(got, ref map[string][]byte) bool {
	if len(got) != len(ref) {
		return false
	}
	for n, want := range ref {
		g, ok := got[n]
		switch {
		case !ok:
			return false
		case strings.HasSuffix(n, ".html"):
			if !bytes.HasSuffix(bytes.TrimSpace(g), []byte("</html>")) {
				return false
			}
		case !bytes.Equal(g, want):
			return false
		}
	}
	return true
}

// linkedFrom counts the files of a torn build folder that are hard links to
// the published build's files.
func linkedFrom(t *testing.T, torn, published string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(torn, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(torn, p)
		fi, err1 := os.Stat(p)
		pfi, err2 := os.Stat(filepath.Join(published, rel))
		if err1 == nil && err2 == nil && os.SameFile(fi, pfi) {
			n++
		}
		return nil
	})
	return n
}
