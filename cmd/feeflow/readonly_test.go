package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/data"
)

// fileDigest is the SHA-256 of a file's bytes.
func fileDigest(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// The commands that only read leave the database file byte for byte as it
// was, and create nothing beside it (no WAL).
func TestReadOnlyCommandsNeverWriteTheFile(t *testing.T) {
	db := mustDemoDB(t)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
	}{
		{"sql", []string{"sql", "--db", db, "SELECT count(*) FROM payments"}},
		{"sql refused", []string{"sql", "--db", db, "SELECT * FROM read_blob('" + db + "')"}},
		{"sql json", []string{"sql", "--db", db, "--format", "json", "SELECT * FROM collection_monthly"}},
		{"schema", []string{"schema", "--db", db}},
		{"build", []string{"build", "--db", db, "--out", filepath.Join(dir, "site"), "--lang", "en"}},
		{"export", []string{"export", "--db", db, "--out", filepath.Join(dir, "export")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := fileDigest(t, db)
			code, out, errOut := runCmd(t, "", nil, c.args...)
			if want := 0; c.name != "sql refused" && code != want {
				t.Fatalf("%v: exit %d, want %d\n%s%s", c.args, code, want, out, errOut)
			}
			if after := fileDigest(t, db); after != before {
				t.Errorf("%v changed the database file: sha256 %s, was %s", c.args, after, before)
			}
			entries, _ := os.ReadDir(filepath.Dir(db))
			for _, e := range entries {
				if e.Name() != filepath.Base(db) {
					t.Errorf("%v left %s beside the database", c.args, e.Name())
				}
			}
		})
	}
}

// A database whose metric views are not this version's is not silently
// upgraded by a read-only command: the command says which command writes.
func TestReadOnlyCommandsNameTheWriterWhenViewsAreStale(t *testing.T) {
	db := mustDemoDB(t)
	store := openForTest(t, db)
	if _, err := store.DB().Exec(`UPDATE feeflow_metrics SET sha256 = 'older'`); err != nil {
		t.Fatal(err)
	}
	store.Close()
	before := fileDigest(t, db)
	for _, args := range [][]string{
		{"sql", "--db", db, "SELECT 1"},
		{"schema", "--db", db},
		{"build", "--db", db, "--out", filepath.Join(t.TempDir(), "site")},
	} {
		code, out, errOut := runCmd(t, "", nil, args...)
		if code != 1 || !strings.Contains(errOut, "metric views") || !strings.Contains(errOut, "feeflow serve") {
			t.Errorf("%v: exit %d, %s%s; want 1 and a message naming a writer command", args, code, out, errOut)
		}
	}
	if after := fileDigest(t, db); after != before {
		t.Errorf("the refused commands changed the file")
	}
	// A writer brings the views up to date; then the reads work again.
	if code, out, errOut := runCmd(t, "", nil, "ingest", "--db", db, "--kind", "fee_items", writeFile(t, "fee.csv", "code,name,unit,rate,effective_from\nZZ,Extra,month,1.00,2026-01-01\n")); code != 0 {
		t.Fatalf("ingest: %d %s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "", nil, "sql", "--db", db, "SELECT count(*) FROM collection_monthly"); code != 0 {
		t.Errorf("sql after a writer: %d %s%s", code, out, errOut)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// openForTest opens a database read-write, as a writer would, without
// installing anything.
func openForTest(t *testing.T, path string) *data.Store {
	t.Helper()
	s, err := data.Open(context.Background(), path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
