package data_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// FuzzGate sends arbitrary text through the analysts' gate of a database
// holding one payment: whatever the text, the gate must not panic and the
// database must be unchanged afterwards (no write, no DDL, no setting).
func FuzzGate(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1", "SELECT 1; DROP TABLE payments", "DROP TABLE payments", "select * from read_csv('/etc/passwd')",
		"EXPLAIN ANALYZE DELETE FROM payments", "SET threads = 1", "COPY payments TO '/tmp/x.csv'",
		"ATTACH '/tmp/x.duckdb'", "SELECT $$;$$; DELETE FROM payments", "/* ; */ DELETE FROM payments",
		"WITH d AS (DELETE FROM payments RETURNING *) SELECT * FROM d", "SELECT nextval('s')", "PRAGMA version",
	} {
		f.Add(seed)
	}
	store := MustOpen(f)
	ctx := context.Background()
	if _, err := store.DB().ExecContext(ctx, `INSERT INTO payments VALUES ('T1', TIMESTAMPTZ '2026-09-10 10:00:00+08', NULL, NULL, 'MGMT', 12.50, 'cash', NULL, NULL, 'completed', 'b', 2)`); err != nil {
		f.Fatal(err)
	}
	fingerprint := func() string {
		var tables, rows int
		var total string
		store.DB().QueryRow(`SELECT count(*) FROM duckdb_tables()`).Scan(&tables)
		store.DB().QueryRow(`SELECT count(*), CAST(sum(amount) AS VARCHAR) FROM payments`).Scan(&rows, &total)
		var views, macros int
		store.DB().QueryRow(`SELECT count(*) FROM duckdb_views() WHERE NOT internal`).Scan(&views)
		store.DB().QueryRow(`SELECT count(*) FROM duckdb_functions() WHERE NOT internal`).Scan(&macros)
		return strings.Join([]string{strconv.Itoa(tables), strconv.Itoa(rows), total, strconv.Itoa(views), strconv.Itoa(macros)}, "/")
	}
	want := fingerprint()
	f.Fuzz(func(t *testing.T, text string) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		store.Query(ctx, text, data.QueryOptions{MaxRows: 10})
		if got := fingerprint(); got != want {
			t.Fatalf("the database changed after %q: %s, was %s", text, got, want)
		}
	})
}
