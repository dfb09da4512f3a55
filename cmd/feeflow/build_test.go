package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBuildCommand(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCmd(t, dir, nil, "demo", "--dir", "d", "--customers", "60", "--months", "2", "--no-serve"); code != 0 {
		t.Fatalf("demo --no-serve: exit %d\n%s%s", code, out, errOut)
	}
	db := filepath.Join("d", "feeflow.duckdb")

	code, out, errOut := runCmd(t, dir, nil, "build", "--db", db, "--out", "site", "--tz", "Asia/Taipei")
	if code != 0 {
		t.Fatalf("build: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "built site (build ") || !strings.Contains(out, "pages") {
		t.Errorf("build does not say what it wrote:\n%s", out)
	}
	for _, f := range []string{"index.html", "en/index.html", "zh-Hant/index.html", "en/dictionary.html", "assets/echarts.min.js"} {
		if _, err := os.Stat(filepath.Join(dir, "site", "current", f)); err != nil {
			t.Errorf("build wrote no %s: %v", f, err)
		}
	}
	// Again into the same folder: the files that did not change are kept.
	line := regexp.MustCompile(`(\d+) files \((\d+) written, (\d+) unchanged\)`)
	if m := line.FindStringSubmatch(out); m == nil || m[1] != m[2] || m[3] != "0" {
		t.Errorf("a first build does not say it wrote every file:\n%s", out)
	}
	code, out, errOut = runCmd(t, dir, nil, "build", "--db", db, "--out", "site", "--tz", "Asia/Taipei")
	if code != 0 {
		t.Fatalf("build again: exit %d\n%s%s", code, out, errOut)
	}
	if m := line.FindStringSubmatch(out); m == nil || m[3] == "0" {
		t.Errorf("a build over the same data keeps no file:\n%s", out)
	}

	code, out, errOut = runCmd(t, dir, nil, "build", "--db", db, "--out", "site-en", "--lang", "en", "--as-of", "2026-10-15", "--tz", "Asia/Taipei")
	if code != 0 {
		t.Fatalf("build --lang en --as-of: exit %d\n%s%s", code, out, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "site-en", "current", "en", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "15 Oct 2026") {
		t.Error("--as-of 2026-10-15 is not the page's data date")
	}
	if _, err := os.Stat(filepath.Join(dir, "site-en", "current", "zh-Hant")); err == nil {
		t.Error("--lang en built zh-Hant too")
	}

	for _, bad := range [][]string{
		{"build", "--out", "x"},
		{"build", "--db", db},
		{"build", "--db", db, "--out", "x", "--as-of", "15/10/2026"},
		{"build", "--db", db, "--out", "x", "--lang", "fr"},
	} {
		if code, _, _ := runCmd(t, dir, nil, bad...); code != 2 {
			t.Errorf("feeflow %s: exit %d, want 2", strings.Join(bad[1:], " "), code)
		}
	}
	if code, _, _ := runCmd(t, dir, nil, "build", "--db", "missing.duckdb", "--out", "x"); code != 1 {
		t.Errorf("build of a missing database: exit %d, want 1", code)
	}
}
