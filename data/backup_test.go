package data_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/data"
)

// tableContents is every table of a store as text, rows in order.
func tableContents(tb testing.TB, s *data.Store) map[string]string {
	tb.Helper()
	ctx := context.Background()
	rows, err := s.DB().QueryContext(ctx, `SELECT '"' || schema_name || '"."' || table_name || '"' FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	out := map[string]string{}
	for _, t := range tables {
		var text *string
		q := `SELECT string_agg(CAST(r AS VARCHAR), E'\n' ORDER BY CAST(r AS VARCHAR)) FROM ` + t + ` AS r`
		if err := s.DB().QueryRowContext(ctx, q).Scan(&text); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		if text != nil {
			out[t] = *text
		}
	}
	return out
}

// A backup, opened read-only, holds exactly what the database held: every
// table, row for row. Both a writer's store (the server's) and a read-only
// one can take it.
func TestBackupIsAnIdenticalCheckedCopy(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		name := map[bool]string{false: "writer", true: "read-only"}[readOnly]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			src := filepath.Join(dir, "f.duckdb")
			s, err := data.Open(ctx, src, data.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, `INSERT INTO payments VALUES
				('T1', TIMESTAMPTZ '2026-09-01 02:00:00+00', 'C1', NULL, 'MGMT', 1250.50, 'cash', 'Wang', 'R1', 'completed', 'b1', 2),
				('T2', TIMESTAMPTZ '2026-09-02 03:00:00+00', 'C2', NULL, 'MGMT', 0.05, 'card', NULL, 'R2', 'completed', 'b1', 3)`); err != nil {
				t.Fatal(err)
			}
			if readOnly {
				s.Close()
				if s, err = data.Open(ctx, src, data.Options{ReadOnly: true}); err != nil {
					t.Fatal(err)
				}
			}
			defer s.Close()
			want := tableContents(t, s)
			out := filepath.Join(dir, "backup.duckdb")
			info, err := s.Backup(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			if info.Bytes == 0 || info.Check == nil || info.Check.Tables == 0 {
				t.Errorf("Backup = %+v", info)
			}
			if _, err := os.Stat(out + ".partial"); !os.IsNotExist(err) {
				t.Errorf("the partial copy was left behind: %v", err)
			}
			copyStore, err := data.Open(ctx, out, data.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			got := tableContents(t, copyStore)
			copyStore.Close()
			if len(got) != len(want) {
				t.Errorf("the copy has %d tables with rows, want %d", len(got), len(want))
			}
			for table, w := range want {
				if got[table] != w {
					t.Errorf("table %s in the copy:\n%s\nwant:\n%s", table, got[table], w)
				}
			}
			if !strings.Contains(want[`"main"."payments"`], "1250.50") {
				t.Errorf("payments = %q", want[`"main"."payments"`])
			}
			// A backup never overwrites.
			if _, err := s.Backup(ctx, out); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Errorf("second Backup to the same file = %v, want a refusal", err)
			}
		})
	}
}
