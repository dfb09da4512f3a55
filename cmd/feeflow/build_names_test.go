package main

import (
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildWithNames: `feeflow build` names no customer unless asked with
// --with-names; then the who-owes list names its debtors. Identity numbers
// appear in neither.
func TestBuildWithNames(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCmd(t, dir, nil, "demo", "--dir", "d", "--customers", "60", "--months", "2", "--no-serve"); code != 0 {
		t.Fatalf("demo --no-serve: exit %d\n%s%s", code, out, errOut)
	}
	db := filepath.Join("d", "feeflow.duckdb")
	code, out, errOut := runCmd(t, dir, nil, "sql", "--db", db, "--format", "csv",
		"SELECT c.name, coalesce(c.id_doc, '') AS id_doc, d.customer_id IS NOT NULL AS debtor FROM customers c LEFT JOIN debtors(data_end()) d USING (customer_id)")
	if code != 0 {
		t.Fatalf("sql: exit %d\n%s%s", code, out, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("customers: %v %q", err, out)
	}
	var names, debtors, ids []string
	for _, r := range recs[1:] {
		names = append(names, r[0])
		if r[2] == "true" {
			debtors = append(debtors, r[0])
		}
		if len(r[1]) >= 2 {
			ids = append(ids, r[1])
		}
	}
	if len(debtors) == 0 || len(ids) == 0 {
		t.Fatalf("the demo has %d debtors, %d identity numbers: the test would prove nothing", len(debtors), len(ids))
	}
	read := func(site string) map[string]string {
		files := map[string]string{}
		root, err := filepath.EvalSymlinks(filepath.Join(dir, site, "current"))
		if err != nil {
			t.Fatal(err)
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.Contains(p, "echarts") {
				b, err := os.ReadFile(p)
				rel, _ := filepath.Rel(root, p)
				files[filepath.ToSlash(rel)] = string(b)
				return err
			}
			return err
		})
		if err != nil || files["en/who-owes.html"] == "" {
			t.Fatalf("%s: %d files read (%v), no en/who-owes.html", site, len(files), err)
		}
		return files
	}
	for _, args := range [][]string{{"--out", "plain"}, {"--out", "named", "--with-names"}} {
		if code, out, errOut := runCmd(t, dir, nil, append([]string{"build", "--db", db, "--tz", "Asia/Taipei"}, args...)...); code != 0 {
			t.Fatalf("build %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	for p, s := range read("plain") {
		for _, n := range append(append([]string{}, names...), ids...) {
			if strings.Contains(s, n) {
				t.Errorf("%s names %q without --with-names", p, n)
			}
		}
	}
	named := read("named")
	for p, s := range named {
		for _, id := range ids {
			if strings.Contains(s, id) {
				t.Errorf("%s shows identity number %q", p, id)
			}
		}
	}
	for _, lang := range []string{"en", "zh-Hant"} {
		list := named[lang+"/who-owes.html"]
		for _, n := range debtors {
			if !strings.Contains(list, n) {
				t.Errorf("%s who-owes built --with-names does not name debtor %q", lang, n)
			}
		}
	}
}
