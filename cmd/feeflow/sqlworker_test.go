package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// TestMain lets the test binary be the query worker too: a Worker started
// with workerCommand runs this binary as `feeflow sql-worker`.
func TestMain(m *testing.M) {
	if os.Getenv("FEEFLOW_TEST_AS_FEEFLOW") == "1" {
		e := &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv, now: time.Now, limitMemory: setMemoryCeiling}
		if raceDetector {
			e.limitMemory = nil
		}
		os.Exit(run(context.Background(), e, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func testWorker(t *testing.T, snapshot string, flags ...string) *analytics.Worker {
	t.Helper()
	t.Setenv("FEEFLOW_TEST_AS_FEEFLOW", "1")
	w := analytics.NewWorker(analytics.WorkerConfig{
		Command:  append([]string{os.Args[0], "sql-worker", "--tz", "Asia/Taipei"}, flags...),
		Snapshot: snapshot,
		Stderr:   os.Stderr,
	})
	t.Cleanup(func() { w.Close() })
	return w
}

// Queries in the worker give what the gate gives in-process, values typed
// the same way; refusals keep their type and name.
func TestWorkerRunsQueriesLikeTheGate(t *testing.T) {
	db := mustDemoDB(t)
	w := testWorker(t, db)
	ctx := context.Background()
	q := "SELECT txn_id, amount, paid_at, CAST(paid_at AS DATE) AS day, 1::HUGEINT AS h, 0.5::DOUBLE AS f, [1, 2] AS l, {'a': amount} AS s, 'x'::BLOB AS b, 3 AS i FROM payments ORDER BY txn_id LIMIT 3"
	got, err := w.Run(ctx, q, analytics.QueryOptions{MaxRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, db, data.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want, err := store.Query(ctx, q, data.QueryOptions{MaxRows: 10})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	loc := time.UTC
	for i := range want[0].Rows {
		for j, col := range want[0].Columns {
			if a, b := analytics.CellText(col, got[0].Rows[i][j], loc), analytics.CellText(col, want[0].Rows[i][j], loc); a != b {
				t.Errorf("row %d %s: worker %q (%T), in-process %q (%T)", i, col.Name, a, got[0].Rows[i][j], b, want[0].Rows[i][j])
			}
		}
	}
	if _, ok := got[0].Rows[0][1].(data.DecimalText); !ok {
		t.Errorf("amount came back as %T, want data.DecimalText", got[0].Rows[0][1])
	}
	_, err = w.Run(ctx, "SELECT * FROM read_blob('"+db+"')", analytics.QueryOptions{})
	var refused *data.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "table function read_blob is not allowed") {
		t.Errorf("read_blob in the worker = %v, want a RefusedError naming it", err)
	}
}

// A query that would take gigabytes fails in the worker, within its
// ceiling; the worker (or its replacement) answers the next query.
func TestWorkerContainsAQueryThatExhaustsMemory(t *testing.T) {
	if raceDetector {
		t.Skip("the worker's address-space ceiling cannot be set under the race detector")
	}
	db := mustDemoDB(t)
	w := testWorker(t, db, "--memory-limit", "256MB", "--max-memory", "2GiB")
	ctx := context.Background()
	_, err := w.Run(ctx, "SELECT repeat('x', 1000000) FROM range(10000)", analytics.QueryOptions{MaxRows: 10000, Timeout: time.Minute})
	var qerr *data.QueryError
	if !errors.As(err, &qerr) && !errors.Is(err, analytics.ErrWorkerDied) {
		t.Fatalf("the huge query = %v, want an out-of-memory QueryError or ErrWorkerDied", err)
	}
	t.Logf("the huge query: %v", err)
	res, err := w.Run(ctx, "SELECT count(*) AS n FROM payments", analytics.QueryOptions{})
	if err != nil || len(res) != 1 || len(res[0].Rows) != 1 {
		t.Fatalf("the next query = %v, %v", res, err)
	}
}

// A worker that dies is started again for the next query.
func TestWorkerIsStartedAgainAfterItDies(t *testing.T) {
	db := mustDemoDB(t)
	w := testWorker(t, db+".missing")
	ctx := context.Background()
	if _, err := w.Run(ctx, "SELECT 1", analytics.QueryOptions{}); !errors.Is(err, analytics.ErrWorkerDied) {
		t.Fatalf("query on a worker that cannot open its snapshot = %v, want ErrWorkerDied", err)
	}
	w.UseSnapshot(db)
	for i := 0; i < 2; i++ {
		if _, err := w.Run(ctx, "SELECT count(*) FROM payments", analytics.QueryOptions{}); err != nil {
			t.Fatalf("query %d after the restart: %v", i+1, err)
		}
	}
}

// feeflow sql, run as its own process, caps its memory: a statement whose
// result would take gigabytes fails with DuckDB's out-of-memory error
// instead of growing the process; ordinary queries run under the cap.
func TestSQLCommandHasAMemoryCeiling(t *testing.T) {
	if raceDetector {
		t.Skip("the address-space ceiling cannot be set under the race detector")
	}
	db := mustDemoDB(t)
	feeflow := func(args ...string) (int, string) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "FEEFLOW_TEST_AS_FEEFLOW=1")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := feeflow("sql", "--db", db, "--tz", "Asia/Taipei", "SELECT count(*) FROM payments"); code != 0 {
		t.Fatalf("a plain query under the default ceiling: exit %d\n%s", code, out)
	}
	code, out := feeflow("sql", "--db", db, "--tz", "Asia/Taipei", "--max-memory", "2GiB", "SELECT repeat('x', 1000000) FROM range(10000)")
	if code != 1 || !strings.Contains(out, "Out of Memory") {
		t.Fatalf("the huge query: exit %d\n%.500s\nwant 1 and DuckDB's out-of-memory error", code, out)
	}
}

// Refresh snapshots the live database for the worker: a batch committed
// after one snapshot is seen only after the next, and old snapshots go.
func TestWorkerRefreshSnapshotsTheDatabase(t *testing.T) {
	db := mustDemoDB(t)
	ctx := context.Background()
	store := openForTest(t, db)
	dir := t.TempDir()
	w := testWorker(t, "")
	count := func() string {
		t.Helper()
		res, err := w.Run(ctx, "SELECT count(*) FROM fee_items", analytics.QueryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return analytics.CellText(res[0].Columns[0], res[0].Rows[0][0], time.UTC)
	}
	if err := w.Refresh(ctx, store, dir); err != nil {
		t.Fatal(err)
	}
	before := count()
	first := w.Snapshot()
	if _, err := store.DB().ExecContext(ctx, `INSERT INTO fee_items (code, name, unit, rate, effective_from, effective_to, batch_id, source_row) SELECT 'NEW', 'New', 'month', 1.00, DATE '2026-01-01', NULL, batch_id, 99 FROM fee_items LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before {
		t.Errorf("before the next snapshot the worker sees %s fee items, want %s", got, before)
	}
	if err := w.Refresh(ctx, store, dir); err != nil {
		t.Fatal(err)
	}
	if got := count(); got == before {
		t.Errorf("after the next snapshot the worker still sees %s fee items", got)
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("the replaced snapshot %s is still there (%v)", first, err)
	}
}
