package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/data"
)

// Backup, then restore by copying the file back: every table and view
// answers the same queries as before, and the database was not written.
func TestBackupThenRestoreGivesIdenticalResults(t *testing.T) {
	db := mustDemoDB(t)
	before := fileDigest(t, db)
	out := filepath.Join(t.TempDir(), "backup.duckdb")
	code, stdout, errOut := runCmd(t, "", nil, "backup", "--db", db, "--out", out)
	if code != 0 || !strings.Contains(stdout, "backed up") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errOut)
	}
	if fileDigest(t, db) != before {
		t.Error("backup changed the database file")
	}
	restored := filepath.Join(t.TempDir(), "restored.duckdb")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o644); err != nil {
		t.Fatal(err)
	}
	queries := []string{"SELECT * FROM collection_monthly ORDER BY ALL", "SELECT * FROM finance_summary ORDER BY ALL"}
	s, err := data.Open(context.Background(), db, data.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := s.AnalystTables(context.Background())
	s.Close()
	if err != nil || len(tables) < 13 {
		t.Fatalf("AnalystTables = %v, %v", tables, err)
	}
	for _, table := range tables {
		queries = append(queries, "SELECT * FROM "+table+" ORDER BY ALL")
	}
	for _, q := range queries {
		_, want, _ := runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", "--limit", "0", q)
		code, got, errOut := runCmd(t, "", nil, "sql", "--db", restored, "--format", "csv", "--limit", "0", q)
		if code != 0 || got != want || want == "" {
			t.Errorf("%s on the restored copy: exit %d %s\n%s\nwant:\n%s", q, code, errOut, got, want)
		}
	}
	// A second backup to the same file is refused.
	if code, _, errOut := runCmd(t, "", nil, "backup", "--db", db, "--out", out); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: exit %d %s", code, errOut)
	}
}

// A damaged database is not copied as if it were sound.
func TestBackupRefusesADamagedDatabase(t *testing.T) {
	db := mustDemoDB(t)
	corruptTableBlock(t, db, "payments")
	out := filepath.Join(t.TempDir(), "backup.duckdb")
	code, stdout, errOut := runCmd(t, "", nil, "backup", "--db", db, "--out", out)
	if code != 1 || !strings.Contains(errOut, "damaged") {
		t.Fatalf("backup of a damaged file: exit %d\n%s%s", code, stdout, errOut)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("backup left %d files", len(entries))
	}
}

// Through a running server: the copy and its password key arrive beside
// each other and answer the queries the server's database answers.
func TestBackupThroughTheServer(t *testing.T) {
	db := mustDemoDB(t)
	key := "backup-test-key-0123456789abcdef0123"
	if err := os.WriteFile(db+".key", []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := servedWithWorker(t, db, serveOptions{})
	out := filepath.Join(t.TempDir(), "b.duckdb")
	code, stdout, errOut := runCmd(t, "", nil, "backup", "--server", base, "--token", "wrong-token-0123456789", "--out", out)
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("backup with a bad token: exit %d\n%s%s", code, stdout, errOut)
	}
	code, stdout, errOut = runCmd(t, "", nil, "backup", "--server", base, "--token", "admin-token-0123456789", "--out", out)
	if code != 0 || !strings.Contains(stdout, "password key saved") {
		t.Fatalf("backup through the server: exit %d\n%s%s", code, stdout, errOut)
	}
	if b, err := os.ReadFile(out + ".key"); err != nil || string(b) != key+"\n" {
		t.Errorf("%s.key = %q, %v; want the server's key", out, b, err)
	}
	const q = "SELECT * FROM collection_monthly ORDER BY ALL"
	status, want := sqlCall(t, base, q)
	_, got, errOut := runCmd(t, "", nil, "sql", "--db", out, "--format", "json", "--limit", "0", q)
	if status != 200 || !strings.Contains(got, "collection_rate") || !strings.Contains(want, "collection_rate") {
		t.Errorf("the backup's %s: %s %s; the server's: %d %.200s", q, got, errOut, status, want)
	}
	if left, err := os.ReadDir(db + ".spool"); err != nil || len(left) != 0 {
		t.Errorf("spool folder after the backup: %d files (%v)", len(left), err)
	}
}

// A direct backup copies the password key beside the copy.
func TestBackupCopiesThePasswordKey(t *testing.T) {
	db := mustDemoDB(t)
	if err := os.WriteFile(db+".key", []byte("direct-key-0123456789abcdef0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b.duckdb")
	if code, stdout, errOut := runCmd(t, "", nil, "backup", "--db", db, "--out", out); code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errOut)
	}
	fi, err := os.Stat(out + ".key")
	if b, _ := os.ReadFile(out + ".key"); err != nil || string(b) != "direct-key-0123456789abcdef0123456789\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s.key: %q %v", out, b, err)
	}
}
