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
