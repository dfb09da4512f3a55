package data_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// mustOpenWithPayments opens a fresh store holding one batch of two payments.
func mustOpenWithPayments(tb testing.TB) *data.Store {
	tb.Helper()
	s := MustOpen(tb)
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Exec(ctx, `INSERT INTO payments VALUES
		('T1', TIMESTAMPTZ '2026-09-01 02:00:00+00', 'C1', NULL, 'MGMT', 1250.50, 'cash', 'Wang', 'R1', 'completed', 'b1', 2),
		('T2', TIMESTAMPTZ '2026-09-02 03:00:00+00', 'C2', NULL, 'MGMT', 0.05, 'card', NULL, 'R2', 'completed', 'b1', 3)`); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// snapshot is what an analyst's statement must never change.
func snapshot(tb testing.TB, s *data.Store) string {
	tb.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT string_agg(txn_id || ':' || amount::VARCHAR, ',' ORDER BY txn_id) FROM payments`,
		`SELECT string_agg(table_name, ',' ORDER BY table_name) FROM duckdb_tables()`,
		`SELECT string_agg(view_name, ',' ORDER BY view_name) FROM duckdb_views() WHERE NOT internal`,
		`SELECT count(*)::VARCHAR FROM duckdb_sequences()`,
		`SELECT current_setting('TimeZone') || current_setting('threads')::VARCHAR || current_setting('enable_external_access')::VARCHAR`,
	} {
		var v *string
		if err := s.DB().QueryRow(q).Scan(&v); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		if v != nil {
			b.WriteString(*v)
		}
		b.WriteString("|")
	}
	return b.String()
}

func TestGateRefusesEverythingButReads(t *testing.T) {
	s := mustOpenWithPayments(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "leak.csv")
	before := snapshot(t, s)
	hostile := []string{
		"DROP TABLE payments",
		"DELETE FROM payments",
		"UPDATE payments SET amount = 0",
		"INSERT INTO payments SELECT * FROM payments",
		"CREATE TABLE x AS SELECT 1",
		"CREATE TEMP TABLE x AS SELECT 1",
		"CREATE VIEW v AS SELECT 1",
		"CREATE MACRO m() AS 1",
		"CREATE SEQUENCE s",
		"ALTER TABLE payments ADD COLUMN x INTEGER",
		"TRUNCATE payments",
		"SELECT 1; DROP TABLE payments",
		"DROP TABLE payments; SELECT 1",
		"SELECT 1;DELETE FROM payments;",
		"SELECT 'a;b'; DELETE FROM payments",
		"SELECT $$;$$; DELETE FROM payments",
		"SELECT 1 /* ; */; UPDATE payments SET amount = 1",
		"EXPLAIN ANALYZE DELETE FROM payments",
		"EXPLAIN ANALYZE SELECT 1",
		"explain   analyse  select 1",
		"EXPLAIN (ANALYZE) DELETE FROM payments",
		"EXPLAIN (FORMAT json, ANALYZE) SELECT 1",
		"EXPLAIN DELETE FROM payments",
		"/* hi */ EXPLAIN ANALYZE DELETE FROM payments",
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_blob('/etc/passwd')",
		"SELECT * FROM glob('/etc/*')",
		"SELECT * FROM '/etc/passwd'",
		"SELECT * FROM read_parquet('" + out + "')",
		"COPY payments TO '" + out + "'",
		"COPY (SELECT * FROM payments) TO '" + out + "' (FORMAT csv)",
		"COPY payments FROM '/etc/passwd'",
		"EXPORT DATABASE '" + dir + "/exp'",
		"IMPORT DATABASE '" + dir + "'",
		"ATTACH '" + dir + "/other.duckdb' AS other",
		"ATTACH ':memory:' AS m",
		"DETACH other",
		"USE memory",
		"INSTALL httpfs",
		"LOAD httpfs",
		"FORCE INSTALL httpfs",
		"SET threads = 1",
		"SET enable_external_access = true",
		"SET lock_configuration = false",
		"RESET threads",
		"SET GLOBAL TimeZone = 'UTC'",
		"SET VARIABLE x = 1",
		"PRAGMA threads = 1",
		"PRAGMA enable_profiling",
		"PRAGMA enable_checkpoint_on_shutdown",
		"CALL checkpoint()",
		"CHECKPOINT",
		"FORCE CHECKPOINT",
		"VACUUM",
		"ANALYZE",
		"BEGIN TRANSACTION",
		"COMMIT",
		"PREPARE p AS DELETE FROM payments",
		"SELECT nextval('s')",
		"SELECT NEXTVAL ('s')",
		"SELECT \"nextval\"('s')",
		"SELECT setseed(0.5)",
		"SELECT * FROM checkpoint()",
		"SELECT * FROM force_checkpoint()",
		"SELECT * FROM query('DROP TABLE payments')",
		"SELECT * FROM query('SELECT 42')",
		"SELECT current_setting('TimeZone')",
		"PRAGMA table_info('payments')",
		"PIVOT payments ON method USING sum(amount)",
		"WITH d AS (DELETE FROM payments RETURNING *) SELECT * FROM d",
		"",
		"  -- only a comment",
	}
	for _, q := range hostile {
		t.Run(q, func(t *testing.T) {
			res, err := s.Query(context.Background(), q, data.QueryOptions{MaxRows: 10, Timeout: 5 * time.Second})
			if err == nil {
				t.Fatalf("Query(%q) = %d results, want a refusal", q, len(res))
			}
			var refused *data.RefusedError
			var qerr *data.QueryError
			if !errors.As(err, &refused) && !errors.As(err, &qerr) {
				t.Fatalf("Query(%q) = %T %v, want a RefusedError or a QueryError", q, err, err)
			}
			if after := snapshot(t, s); after != before {
				t.Fatalf("Query(%q) changed the database:\n before %s\n after  %s", q, before, after)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("the hostile statements wrote %d files into %s", len(entries), dir)
	}
}

func TestGateNamesTheRefusedKind(t *testing.T) {
	s := mustOpenWithPayments(t)
	cases := []struct{ query, kind string }{
		{"DROP TABLE payments", "DROP"},
		{"SELECT 1; DROP TABLE payments", "DROP"},
		{"EXPLAIN ANALYZE DELETE FROM payments", "EXPLAIN ANALYZE"},
		{"EXPLAIN DELETE FROM payments", "EXPLAIN DELETE"},
		{"SET threads = 1", "SET"},
		{"INSTALL httpfs", "INSTALL"},
		{"ATTACH ':memory:' AS m", "ATTACH"},
		{"SELECT nextval('s')", "function nextval"},
	}
	for _, c := range cases {
		_, err := s.Query(context.Background(), c.query, data.QueryOptions{})
		var refused *data.RefusedError
		if !errors.As(err, &refused) {
			t.Errorf("Query(%q) = %v, want a RefusedError", c.query, err)
			continue
		}
		if !strings.Contains(refused.Kind, c.kind) || !strings.Contains(err.Error(), "nothing was run") {
			t.Errorf("Query(%q) = %q, want the kind %q named", c.query, err, c.kind)
		}
	}
}

func TestGateRunsReads(t *testing.T) {
	s := mustOpenWithPayments(t)
	reads := []string{
		"SELECT 1",
		"select txn_id from payments",
		"FROM payments",
		"WITH p AS (SELECT * FROM payments) SELECT count(*) FROM p",
		"DESCRIBE payments",
		"SHOW TABLES",
		"SUMMARIZE payments",
		"VALUES (1, 'a')",
		"TABLE payments",
		"EXPLAIN SELECT * FROM payments",
		"EXPLAIN (FORMAT json) SELECT 1",
		"SELECT 'DROP TABLE payments; --' AS s",
		"-- a comment\nSELECT 2 -- another",
	}
	for _, q := range reads {
		res, err := s.Query(context.Background(), q, data.QueryOptions{MaxRows: 100})
		if err != nil {
			t.Errorf("Query(%q) = %v, want rows", q, err)
			continue
		}
		if len(res) != 1 || len(res[0].Columns) == 0 {
			t.Errorf("Query(%q) = %+v, want one result with columns", q, res)
		}
	}
}

func TestGateValuesAreExact(t *testing.T) {
	s := mustOpenWithPayments(t)
	res, err := s.Query(context.Background(),
		"SELECT txn_id, amount, paid_at, CAST(paid_at AS DATE) AS day, sum(amount) OVER () AS total, 1::HUGEINT AS h FROM payments ORDER BY txn_id",
		data.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	wantCols := []data.Column{{"txn_id", "VARCHAR"}, {"amount", "DECIMAL(18,2)"}, {"paid_at", "TIMESTAMPTZ"}, {"day", "DATE"}, {"total", "DECIMAL(38,2)"}, {"h", "HUGEINT"}}
	if !reflect.DeepEqual(r.Columns, wantCols) {
		t.Errorf("Columns = %v, want %v", r.Columns, wantCols)
	}
	if got := r.Rows[0][1]; got != data.DecimalText("1250.50") {
		t.Errorf("amount = %#v, want DecimalText 1250.50", got)
	}
	if got := r.Rows[1][1]; got != data.DecimalText("0.05") {
		t.Errorf("amount = %#v, want DecimalText 0.05", got)
	}
	if got := r.Rows[0][4]; got != data.DecimalText("1250.55") {
		t.Errorf("total = %#v, want DecimalText 1250.55", got)
	}
	if got, ok := r.Rows[0][2].(time.Time); !ok || !got.Equal(time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("paid_at = %#v", r.Rows[0][2])
	}
	if got := r.Rows[0][5]; got != data.DecimalText("1") {
		t.Errorf("hugeint = %#v, want DecimalText 1", got)
	}
}

func TestGateRowLimitIsReported(t *testing.T) {
	s := MustOpen(t)
	res, err := s.Query(context.Background(), "SELECT * FROM range(100)", data.QueryOptions{MaxRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Rows) != 10 || !res[0].Truncated {
		t.Errorf("rows = %d truncated = %v, want 10 and true", len(res[0].Rows), res[0].Truncated)
	}
	res, err = s.Query(context.Background(), "SELECT * FROM range(10)", data.QueryOptions{MaxRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Rows) != 10 || res[0].Truncated {
		t.Errorf("rows = %d truncated = %v, want 10 and false", len(res[0].Rows), res[0].Truncated)
	}
}

func TestGateStopsSlowQueries(t *testing.T) {
	s := MustOpen(t)
	start := time.Now()
	_, err := s.Query(context.Background(), "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b",
		data.QueryOptions{Timeout: 300 * time.Millisecond})
	var te *data.TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("slow query = %v, want a TimeoutError", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the slow query was stopped after %v", took)
	}
	// The store is still usable and its zone still set on new connections.
	if _, err := s.Query(context.Background(), "SELECT 1", data.QueryOptions{}); err != nil {
		t.Errorf("query after a timeout: %v", err)
	}
}

func TestMultipleStatementsRunInOrderAfterAllAreChecked(t *testing.T) {
	s := mustOpenWithPayments(t)
	res, err := s.Query(context.Background(), "SELECT 1 AS a; SELECT 'x;y' AS b;\nSELECT count(*) AS n FROM payments", data.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || res[1].Rows[0][0] != "x;y" || res[2].Columns[0].Name != "n" {
		t.Fatalf("results = %+v", res)
	}
	if _, err := s.Query(context.Background(), "SELECT 1; SELECT 2", data.QueryOptions{Single: true}); err == nil {
		t.Error("Single with two statements succeeded, want a refusal")
	}
}

func TestZoneSurvivesLockedConfiguration(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Taipei")
	s, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "z.duckdb"), data.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Hold several connections so the pool must open new ones.
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		c, err := s.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var tz string
		if err := c.QueryRowContext(ctx, "SELECT current_setting('TimeZone')").Scan(&tz); err != nil {
			t.Fatal(err)
		}
		if tz != "Asia/Taipei" {
			t.Errorf("connection %d: TimeZone = %q, want Asia/Taipei", i, tz)
		}
	}
	if _, err := s.DB().Exec("SET TimeZone = 'UTC'"); err == nil {
		t.Error("SET after open succeeded, want the configuration locked")
	}
}

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		rest string
	}{
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, ""},
		{"SELECT ';'; SELECT \";\"", []string{"SELECT ';'"}, " SELECT \";\""},
		{"SELECT 'it''s;'; x", []string{"SELECT 'it''s;'"}, " x"},
		{"SELECT E'\\';'; y", []string{"SELECT E'\\';'"}, " y"},
		{"SELECT $t$ ; $t$; SELECT $$;$$;", []string{"SELECT $t$ ; $t$", "SELECT $$;$$"}, ""},
		{"SELECT 1 -- ;\n; /* ; /* ; */ ; */ SELECT 2;", []string{"SELECT 1 -- ;", "/* ; /* ; */ ; */ SELECT 2"}, ""},
		{"; ;-- c\n;", nil, ""},
		{"SELECT $1", nil, "SELECT $1"},
	}
	for _, c := range cases {
		got, rest := data.SplitStatements(c.in)
		if !reflect.DeepEqual(got, c.want) || rest != c.rest {
			t.Errorf("SplitStatements(%q) = %q, %q; want %q, %q", c.in, got, rest, c.want, c.rest)
		}
	}
}
