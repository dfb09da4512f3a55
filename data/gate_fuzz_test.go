package data_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// FuzzGate sends arbitrary text through the analysts' gate of a database
// holding one payment: whatever the text, the gate must not panic, the
// database must be unchanged afterwards (no write, no DDL, no setting), and
// no statement the gate let through calls a function of the forbidden kinds
// (files, logs, settings, SQL in a string, state, the catalog), as DuckDB's
// own parser sees it.
func FuzzGate(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1", "SELECT 1; DROP TABLE payments", "DROP TABLE payments", "select * from read_csv('/etc/passwd')",
		"EXPLAIN ANALYZE DELETE FROM payments", "SET threads = 1", "COPY payments TO '/tmp/x.csv'",
		"ATTACH '/tmp/x.duckdb'", "SELECT $$;$$; DELETE FROM payments", "/* ; */ DELETE FROM payments",
		"WITH d AS (DELETE FROM payments RETURNING *) SELECT * FROM d", "SELECT nextval('s')", "PRAGMA version",
		"SELECT * FROM query('SELECT 1')", "WITH x AS (SELECT * FROM query_table('payments')) SELECT * FROM x",
		"SELECT list_transform([1], x -> write_log('x'))", "SELECT * FROM enable_logging(storage='stdout')",
		"SELECT (SELECT current_setting('threads'))", "FROM read_blob('test.duckdb')", "FROM 'x.csv'",
		"WITH RECURSIVE r AS (SELECT * FROM r UNION ALL SELECT 1) SELECT * FROM r", "SUMMARIZE SELECT * FROM duckdb_settings()",
		"EXPLAIN SELECT * FROM glob('*')", "SELECT a.version() FROM (SELECT 1 AS a)", "SELECT \"Query\"('x')",
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
		_, err := store.Query(ctx, text, data.QueryOptions{MaxRows: 10, MaxBytes: 1 << 20})
		if got := fingerprint(); got != want {
			t.Fatalf("the database changed after %q: %s, was %s", text, got, want)
		}
		var refused *data.RefusedError
		if errors.As(err, &refused) {
			return
		}
		// Not refused: it ran, or failed after the allow-list let it by.
		for _, st := range data.Statements(text) {
			var tree string
			if store.DB().QueryRow(`SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)`, st).Scan(&tree) != nil {
				continue
			}
			for _, m := range calledName.FindAllStringSubmatch(tree, -1) {
				if forbidden.MatchString(strings.ToLower(m[1])) {
					t.Fatalf("the gate let %q through (%v), which calls %s", text, err, m[1])
				}
			}
		}
	})
}

// calledName finds every function DuckDB's parse tree names.
var calledName = regexp.MustCompile(`"function_name":"((?:[^"\\]|\\.)*)"`)

// forbidden are function names of the kinds no analyst may call.
var forbidden = regexp.MustCompile(`^(query|query_table|read_.*|glob|.*_scan|sniff_csv|enable_logging|disable_logging|write_log|truncate_duckdb_logs|duckdb_.*|pragma_.*|current_setting|getvariable|getenv|version|setseed|random|nextval|currval|setval|checkpoint|force_checkpoint|json_execute_serialized_sql|json_serialize_plan|json_serialize_sql|parquet_.*|sleep_ms|pg_sleep)$`)
