package data_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// The statements of the attack on the first release, and more of their
// kind: each is refused before anything runs, naming what is not allowed.
func TestAllowListRefusesAndNamesIt(t *testing.T) {
	s := mustOpenWithPayments(t)
	dbFile := s.Path()
	before := snapshot(t, s)
	cases := []struct{ query, named string }{
		// The attack's table.
		{"SELECT * FROM enable_logging(storage='file', storage_path='/x')", "table function enable_logging"},
		{"SELECT * FROM query('SELECT * FROM enable_logging(storage=''file'', storage_path=''/x'')')", "table function query"},
		{"SELECT * FROM query('SELECT * FROM force_checkpoint()')", "table function query"},
		{"SELECT * FROM query('SELECT setseed(0.1)')", "table function query"},
		{"SELECT write_log('forged line')", "function write_log"},
		{"SELECT * FROM duckdb_logs()", "table function duckdb_logs"},
		{"SELECT * FROM read_blob('" + dbFile + "')", "table function read_blob"},
		{"SELECT * FROM read_blob('" + dbFile + ".wal')", "table function read_blob"},
		{"SELECT * FROM duckdb_settings()", "table function duckdb_settings"},
		{"SELECT * FROM pragma_database_list", "relation pragma_database_list"},
		{"SELECT * FROM pragma_database_list()", "table function pragma_database_list"},
		// Hidden where a gate reading the outer text would not look.
		{"WITH x AS (SELECT * FROM query('SELECT 1')) SELECT * FROM x", "table function query"},
		{"SELECT (SELECT count(*) FROM read_text('/etc/passwd'))", "table function read_text"},
		{"SELECT * FROM payments WHERE txn_id IN (SELECT content FROM read_text('/etc/hostname'))", "table function read_text"},
		{"SELECT list_transform([1, 2], x -> (SELECT current_setting('threads')))", "function current_setting"},
		{"SELECT list_transform([1], x -> getvariable('x'))", "function getvariable"},
		{"SELECT * FROM range((SELECT max(x) FROM query_table('payments')))", "table function query_table"},
		{"SELECT abs((SELECT threads FROM duckdb_settings()))", "table function duckdb_settings"},
		{"SELECT 1 UNION ALL SELECT count(*) FROM glob('/*')", "table function glob"},
		{"SELECT * FROM payments p JOIN read_csv('/etc/passwd') r ON true", "table function read_csv"},
		{"FROM parquet_scan('/tmp/x.parquet')", "table function parquet_scan"},
		{"SELECT * FROM sniff_csv('/etc/passwd')", "table function sniff_csv"},
		{"SELECT * FROM json_execute_serialized_sql('{}')", "table function json_execute_serialized_sql"},
		{"SELECT json_serialize_plan('SELECT 1')", "function json_serialize_plan"},
		{"SELECT * FROM force_checkpoint()", "table function force_checkpoint"},
		{"SELECT * FROM checkpoint()", "table function checkpoint"},
		{"SELECT setseed(0.1)", "function setseed"},
		{"SELECT random()", "function random"},
		{"SELECT nextval('s')", "function nextval"},
		{"SELECT currval('s')", "function currval"},
		{"SELECT version()", "function version"},
		{"SELECT getenv('HOME')", "function getenv"},
		{"SELECT current_database()", "function current_database"},
		{"SELECT current_query()", "function current_query"},
		{"SELECT sleep_ms(100000)", "function sleep_ms"},
		{"SELECT pg_sleep(100)", "function pg_sleep"},
		{"SELECT \"READ_BLOB\"('x')", "function read_blob"},
		{"SELECT system.main.version()", "function version"},
		{"SELECT main.version()", "function version"},
		{"SELECT pg_catalog.abs(1)", "function abs"},
		{"SELECT x.write_log() FROM (SELECT 'a' AS x)", "function write_log"},
		// Relations that are not feeflow's, or that analysts may not read.
		{"SELECT * FROM duckdb_settings", "relation duckdb_settings"},
		{"SELECT * FROM duckdb_databases", "relation duckdb_databases"},
		{"SELECT * FROM information_schema.tables", "relation tables"},
		{"SELECT * FROM pg_catalog.pg_settings", "relation pg_settings"},
		{"SELECT * FROM sqlite_master", "relation sqlite_master"},
		{"SELECT * FROM ingest_idempotency", "relation ingest_idempotency"},
		{"SELECT * FROM schema_migrations", "relation schema_migrations"},
		{"SELECT * FROM system.main.payments", "relation payments"},
		{"SELECT * FROM temp.main.payments", "relation payments"},
		{"FROM 'file.csv'", "relation file.csv"},
		{"SELECT * FROM '" + dbFile + "'", "relation <database folder>/test.duckdb"},
		{"SELECT * FROM '/etc/passwd'", "relation /etc/passwd"},
		{"SELECT * FROM \"x.parquet\"", "relation x.parquet"},
		{"DESCRIBE SELECT * FROM read_blob('x')", "table function read_blob"},
		{"SUMMARIZE SELECT * FROM read_blob('x')", "table function read_blob"},
		{"SUMMARIZE duckdb_settings", "relation duckdb_settings"},
		{"DESCRIBE ingest_idempotency", "relation ingest_idempotency"},
		{"SHOW databases", "SHOW"},
		{"SHOW ALL TABLES", "SHOW"},
		{"EXPLAIN SELECT * FROM read_blob('x')", "table function read_blob"},
		// A CTE posing as a relation it would hide, or hiding one only in part.
		{"WITH duckdb_databases AS (SELECT 1) SELECT * FROM duckdb_databases", "CTE duckdb_databases"},
		{"WITH Sqlite_Master AS (SELECT 1) SELECT * FROM sqlite_master", "CTE Sqlite_Master"},
		{"WITH a AS (SELECT * FROM a) SELECT * FROM a", "relation a"},
		{"WITH RECURSIVE r AS (SELECT * FROM r UNION ALL SELECT 1) SELECT * FROM r", "relation r"},
		{"SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c), c", "relation c"},
		{"WITH \"x.csv\" AS (SELECT 1) SELECT * FROM 'x.csv'", "CTE x.csv"},
		{"WITH \"/etc/hostname\" AS (SELECT 1) SELECT * FROM '/etc/hostname'", "CTE /etc/hostname"},
		// Not queries at all.
		{"PRAGMA version", "PRAGMA"},
		{"PRAGMA database_list", "PRAGMA"},
		{"CALL duckdb_settings()", "CALL"},
		{"SET VARIABLE x = 1", "SET"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			_, err := s.Query(context.Background(), c.query, data.QueryOptions{MaxRows: 10, Timeout: 10 * time.Second})
			var refused *data.RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("Query(%q) = %v, want a refusal naming %q", c.query, err, c.named)
			}
			if !strings.Contains(err.Error(), c.named) || !strings.Contains(err.Error(), "nothing was run") {
				t.Errorf("Query(%q) = %q, want %q named", c.query, err, c.named)
			}
		})
	}
	if after := snapshot(t, s); after != before {
		t.Fatalf("the refused statements changed the database:\n before %s\n after  %s", before, after)
	}
	// The store still answers, logging was never turned on.
	if _, err := s.Query(context.Background(), "SELECT count(*) FROM payments", data.QueryOptions{}); err != nil {
		t.Fatalf("a plain query after the attack: %v", err)
	}
}

// What analysts write every day passes the allow-list and runs.
func TestAllowListRunsAnalystQueries(t *testing.T) {
	s := mustOpenWithPayments(t)
	reads := []string{
		"SELECT txn_id, amount, row_number() OVER (ORDER BY paid_at) AS n, sum(amount) OVER (PARTITION BY method) FROM payments",
		"SELECT txn_id, lag(amount) OVER w, lead(amount, 1, 0) OVER w, rank() OVER w, ntile(2) OVER w FROM payments WINDOW w AS (ORDER BY txn_id)",
		"WITH p AS (SELECT * FROM payments), q AS (SELECT method, sum(amount) AS s FROM p GROUP BY ALL) SELECT * FROM q ORDER BY s DESC",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT sum(i) FROM n",
		"WITH payments AS (SELECT 1 AS x) SELECT * FROM payments",
		"WITH 收費 AS (SELECT amount FROM payments) SELECT sum(amount) FROM 收費",
		"WITH a AS MATERIALIZED (SELECT 1 AS x) SELECT * FROM a",
		"SELECT * FROM payments PIVOT (sum(amount) FOR method IN ('cash', 'card'))",
		"SELECT * FROM (SUMMARIZE payments)",
		"SELECT list_aggr([1, 2], 'sum'), list_reduce([1, 2], (a, b) -> a + b)",
		"SELECT strftime(paid_at, '%Y-%m') AS month, date_trunc('month', paid_at), date_diff('day', paid_at, paid_at + INTERVAL 3 DAY), extract(year FROM paid_at), current_date, now() FROM payments",
		"SELECT upper(txn_id), lower(method), concat(txn_id, '-', method), txn_id || '/' || method, substring(txn_id, 1, 1), length(txn_id), lpad(txn_id, 5, '0'), replace(method, 'c', 'C'), split_part('a-b', '-', 2), trim('  x  '), position('1' IN txn_id) FROM payments",
		"SELECT regexp_matches(txn_id, '^T[0-9]+$'), regexp_replace(txn_id, '[0-9]', '#', 'g'), regexp_extract(txn_id, '([0-9]+)', 1), txn_id LIKE 'T%', txn_id ILIKE 't%', txn_id SIMILAR TO 'T.*' FROM payments",
		"SELECT list_transform([1, 2, 3], x -> x * 2), list_filter([1, 2, 3], x -> x > 1), [x + 1 FOR x IN [1, 2]], list_sum([1, 2]), [1, 2, 3][2], [1, 2, 3][1:2], len([1]), [1, 2].list_reverse()",
		"SELECT {'a': 1, 'b': 'x'} AS s, struct_extract({'a': 1}, 'a'), ({'a': 1}).a, map {'k': 1}['k'], unnest([1, 2]) AS u",
		"SELECT method, count(*) FILTER (WHERE amount > 1), string_agg(txn_id, ',' ORDER BY txn_id), median(amount), quantile_cont(amount, 0.9), approx_count_distinct(txn_id), arg_max(txn_id, amount), list(txn_id), bool_or(amount > 100) FROM payments GROUP BY method",
		"SELECT method, sum(amount) FROM payments GROUP BY ROLLUP (method)",
		"SELECT CAST(amount AS VARCHAR), amount::DECIMAL(18, 2), TRY_CAST('x' AS INTEGER), coalesce(collector, '-'), nullif(method, 'card'), CASE WHEN amount > 1 THEN 'big' ELSE 'small' END, greatest(1, 2), round(amount, 1), abs(-amount) FROM payments",
		"SELECT * FROM range(3)",
		"SELECT * FROM generate_series(DATE '2026-01-01', DATE '2026-01-05', INTERVAL 1 DAY)",
		"SELECT * FROM unnest([1, 2])",
		"SELECT * FROM payments p JOIN payments q USING (txn_id) WHERE EXISTS (SELECT 1 FROM payments r WHERE r.txn_id = p.txn_id)",
		"SELECT * FROM payments USING SAMPLE 50%",
		"SELECT * EXCLUDE (amount), COLUMNS('paid.*') FROM payments",
		"SELECT txn_id, amount FROM payments QUALIFY row_number() OVER (ORDER BY amount DESC) = 1",
		"FROM payments SELECT txn_id WHERE amount > 1 ORDER BY 1 LIMIT 5 OFFSET 0",
		"SELECT * FROM main.payments",
		"SELECT time_zone FROM feeflow_settings",
		"SELECT * FROM ingest_batches",
		"SELECT json_extract('{\"a\": 1}', '$.a'), '{\"a\": [1]}'::JSON->>'$.a', to_json({'a': 1}), md5('x'), sha256('x'), hash(1), to_base64('x'::BLOB)",
		"DESCRIBE payments",
		"DESCRIBE SELECT 1 AS a",
		"SUMMARIZE payments",
		"SHOW TABLES",
		"EXPLAIN SELECT * FROM payments",
		"VALUES (1, 'a'), (2, 'b')",
		"TABLE payments",
	}
	for _, q := range reads {
		t.Run(q, func(t *testing.T) {
			res, err := s.Query(context.Background(), q, data.QueryOptions{MaxRows: 100, Timeout: 30 * time.Second})
			if err != nil {
				t.Fatalf("Query(%q) = %v, want rows", q, err)
			}
			if len(res) != 1 || len(res[0].Columns) == 0 {
				t.Errorf("Query(%q) = %+v, want one result with columns", q, res)
			}
		})
	}
}

// Results are bounded in bytes as well as rows: a statement whose rows are
// huge stops at the bound and says so.
func TestGateBoundsBytes(t *testing.T) {
	s := MustOpen(t)
	cases := []struct {
		query    string
		maxBytes int64
		maxRows  int
		wantRows int
		by       string
	}{
		{"SELECT repeat('x', 1000) FROM range(100)", 10_000, 0, 9, "bytes"},
		{"SELECT repeat('x', 1000) FROM range(5)", 10_000, 0, 5, ""},
		{"SELECT repeat('x', 20000)", 10_000, 0, 0, "bytes"},
		{"SELECT [repeat('x', 1000), repeat('y', 1000)] FROM range(100)", 10_000, 0, 4, "bytes"},
		{"SELECT * FROM range(100)", 1 << 20, 10, 10, "rows"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			res, err := s.Query(context.Background(), c.query, data.QueryOptions{MaxBytes: c.maxBytes, MaxRows: c.maxRows})
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			if len(r.Rows) != c.wantRows || r.Truncated != (c.by != "") || r.TruncatedBy != c.by {
				t.Errorf("rows %d truncated %v by %q, want %d, %v, %q", len(r.Rows), r.Truncated, r.TruncatedBy, c.wantRows, c.by != "", c.by)
			}
		})
	}
}

// An error DuckDB raises does not show the folder the database lives in.
func TestGateErrorsHideTheDatabaseFolder(t *testing.T) {
	dir := t.TempDir()
	s, err := data.Open(context.Background(), filepath.Join(dir, "secret.duckdb"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{
		"SELECT * FROM '" + filepath.Join(dir, "secret.duckdb") + "'",
		"SELECT * FROM read_blob('" + filepath.Join(dir, "secret.duckdb") + "')",
		"SELECT * FROM nonexistent_" + strings.Repeat("x", 3),
	} {
		_, err := s.Query(context.Background(), q, data.QueryOptions{})
		if err == nil {
			t.Fatalf("Query(%q) succeeded", q)
		}
		if strings.Contains(err.Error(), dir) {
			t.Errorf("Query(%q) = %q, shows the folder %s", q, err, dir)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.duckdb")); err != nil {
		t.Fatal(err)
	}
}

// Analysts read the record kinds, their batches and the settings; the
// tables feeflow keeps for itself stay closed.
func TestAnalystTables(t *testing.T) {
	s := MustOpen(t)
	got, err := s.AnalystTables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "actions bills customers exceptions fee_items feedback feeflow_settings ingest_batches invoices payments refunds resolutions settlements"
	if strings.Join(got, " ") != want {
		t.Errorf("AnalystTables = %v, want %s", got, want)
	}
}
