package site

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
)

// baselineScript is the hand-written SQL the build is measured against.
//
//go:embed testdata/baseline.sql
var baselineScript string

// baselineStatement is one named statement of the baseline script.
type baselineStatement struct {
	name  string
	sql   string
	query bool // a SELECT whose rows are read
}

// baselineStatements splits the script at the lines ending in ";" (each
// statement runs alone: a string of several would run its leading ones
// while being prepared) and names each by its "-- name:" line.
func baselineStatements(t testing.TB) []baselineStatement {
	t.Helper()
	var out []baselineStatement
	var cur baselineStatement
	var body []string
	for _, line := range strings.Split(baselineScript, "\n") {
		if name, ok := strings.CutPrefix(line, "-- name: "); ok {
			cur.name = strings.TrimSpace(name)
			continue
		}
		if cur.name == "" {
			continue // the header comment
		}
		body = append(body, line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			cur.sql = strings.TrimSpace(strings.Join(body, "\n"))
			first := ""
			for _, l := range body {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
					first = strings.ToUpper(strings.Fields(l)[0])
					break
				}
			}
			cur.query = first == "SELECT" || first == "WITH"
			out = append(out, cur)
			cur, body = baselineStatement{}, nil
		}
	}
	if cur.name != "" || len(out) == 0 {
		t.Fatalf("baseline.sql: statement %q does not end in \";\" (or there is none)", cur.name)
	}
	return out
}

// baselineResult is what one SELECT of the script returned, every value as text.
type baselineResult struct {
	columns []string
	rows    [][]string
}

// baselineRun is what one run of the script returned.
type baselineRun struct {
	results map[string]*baselineResult // by statement name; rows kept only when asked
	rows    int                        // rows read, all SELECTs together
	took    map[string]time.Duration   // by statement name
}

// runBaseline runs the script on one connection (its variables and
// temporary tables live there) and reads every row of every SELECT. keep
// says whether to keep the rows as text (tests) or only count them
// (benchmarks).
func runBaseline(ctx context.Context, db *sql.DB, stmts []baselineStatement, keep bool) (*baselineRun, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	run := &baselineRun{results: map[string]*baselineResult{}, took: map[string]time.Duration{}}
	for _, s := range stmts {
		start := time.Now()
		if !s.query {
			if _, err := conn.ExecContext(ctx, s.sql); err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
		} else {
			res, n, err := readAllRows(ctx, conn, s.sql, keep)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			run.results[s.name] = res
			run.rows += n
		}
		run.took[s.name] = time.Since(start)
	}
	return run, nil
}

// readAllRows runs a query and reads every value of every row.
func readAllRows(ctx context.Context, conn *sql.Conn, query string, keep bool) (*baselineResult, int, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, 0, err
	}
	res := &baselineResult{columns: cols}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, 0, err
		}
		n++
		if keep {
			row := make([]string, len(vals))
			for i, v := range vals {
				row[i] = cellText(v)
			}
			res.rows = append(res.rows, row)
		}
	}
	return res, n, rows.Err()
}

// cellText is a scanned value as comparable text.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.Format(time.DateOnly)
	default:
		return fmt.Sprint(v)
	}
}

// pick keeps the named columns of the rows for which keep is true.
func (r *baselineResult) pick(t *testing.T, keep func(col func(string) string) bool, cols ...string) [][]string {
	t.Helper()
	at := map[string]int{}
	for i, c := range r.columns {
		at[c] = i
	}
	for _, c := range cols {
		if _, ok := at[c]; !ok {
			t.Fatalf("baseline result has no column %s (has %v)", c, r.columns)
		}
	}
	var out [][]string
	for _, row := range r.rows {
		col := func(c string) string { return row[at[c]] }
		if keep != nil && !keep(col) {
			continue
		}
		var picked []string
		for _, c := range cols {
			picked = append(picked, col(c))
		}
		out = append(out, picked)
	}
	return out
}

// TestBaselineComputesTheViewsFigures runs the baseline script on a small
// generated data set and checks that its figures are the views': the
// benchmark's baseline computes the same thing as the site, not something
// cheaper.
func TestBaselineComputesTheViewsFigures(t *testing.T) {
	ctx := context.Background()
	loc, err := time.LoadLocation(benchZone)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	man, err := gen.Write(ctx, filepath.Join(dir, "exports"), gen.Config{Customers: 300, Months: 12,
		End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, filepath.Join(dir, "baseline.duckdb"), data.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: loc})
	for _, f := range man.Files {
		if _, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: filepath.Join(dir, "exports", f.File), FileName: f.File}); err != nil {
			t.Fatalf("ingest %s: %v", f.File, err)
		}
	}
	run, err := runBaseline(ctx, store.DB(), baselineStatements(t), true)
	if err != nil {
		t.Fatal(err)
	}
	results := run.results
	isNull := func(c string) func(func(string) string) bool {
		return func(col func(string) string) bool { return col(c) == "NULL" }
	}
	tests := []struct {
		name, stmt string
		keep       func(col func(string) string) bool
		cols       []string
		view       string // the same columns from the views
	}{
		{"collection by period and fee item", "collection", isNull("area"),
			[]string{"period", "fee_item", "billed", "collected", "collection_rate", "on_time_rate"},
			"SELECT period, fee_item, billed, collected, collection_rate, on_time_rate FROM collection_monthly"},
		{"collection by period and area", "collection", isNull("fee_item"),
			[]string{"period", "area", "billed", "collected", "collection_rate", "on_time_rate"},
			"SELECT period, area, billed, collected, collection_rate, on_time_rate FROM collection_by_area"},
		{"collection by payment method", "channels", isNull("collector"),
			[]string{"period", "channel", "payments", "collected", "on_time"},
			"SELECT period, channel, payments, collected, on_time FROM collection_by_channel"},
		{"collection by collector", "channels", isNull("channel"),
			[]string{"period", "collector", "payments", "collected", "on_time"},
			"SELECT period, collector, payments, collected, on_time FROM collection_by_collector"},
		{"aging as of the last day", "aging", nil,
			[]string{"bucket", "bills", "outstanding"},
			"SELECT bucket, bills, outstanding FROM arrears_aging(data_end()) WHERE bills > 0"},
		{"households", "households", nil,
			[]string{"period", "households_billed", "households_paid"},
			"SELECT period, households_billed, households_paid FROM arrears_monthly WHERE households_billed > 0"},
		{"arrears by month", "arrears", nil,
			[]string{"period", "opening_arrears", "recovered"},
			"SELECT period, opening_arrears, recovered FROM arrears_monthly"},
		{"reconciliation per day and channel (payments, lines, groups)", "reconciliation_daily", nil,
			[]string{"day", "channel", "items", "matched", "discrepancies", "discrepancy_amount"},
			`SELECT day, channel,
			        count(*) FILTER (WHERE status <> 'pending'),
			        count(*) FILTER (WHERE status = 'matched'),
			        count(*) FILTER (WHERE status NOT IN ('matched', 'pending')),
			        coalesce(sum(abs(diff)) FILTER (WHERE status NOT IN ('matched', 'pending')), 0)
			 FROM reconciliation WHERE source <> 'refund' GROUP BY day, channel`},
		{"reconciliation statuses (payments, lines, groups)", "reconciliation_statuses", nil,
			[]string{"status", "rows", "diff"},
			"SELECT status, count(*), sum(diff) FROM reconciliation WHERE source <> 'refund' GROUP BY status"},
		{"exceptions", "exceptions", nil,
			[]string{"period", "type", "count", "escalated", "resolved", "median_days_to_resolve"},
			"SELECT period, type, count, escalated, resolved, median_days_to_resolve FROM exceptions_monthly"},
		{"refunds", "refunds", nil,
			[]string{"period", "requested", "approved", "rejected", "executed", "median_days", "p90_days"},
			"SELECT period, requested, approved, rejected, executed, median_days, p90_days FROM refunds_cycle"},
		{"invoices", "invoices", nil,
			[]string{"period", "issued", "lost_or_damaged", "reissued", "reissue_rate"},
			"SELECT period, issued, lost_or_damaged, reissued, reissue_rate FROM invoices_monthly"},
		{"operator errors", "operator_errors", nil,
			[]string{"period", "collector", "payments", "voided", "errors_per_1000"},
			"SELECT period, collector, payments, voided, errors_per_1000 FROM operator_errors"},
		{"feedback", "feedback", nil,
			[]string{"period", "responses", "avg_score"},
			"SELECT period, responses, avg_score FROM feedback_monthly"},
	}
	// Every status the baseline computes must be in the data, or its
	// definition goes untested.
	var statuses []string
	for _, r := range results["reconciliation_statuses"].rows {
		statuses = append(statuses, r[0])
	}
	for _, s := range []string{"matched", "amount_mismatch", "missing_settlement", "missing_payment", "duplicate_settlement", "pending"} {
		if !slices.Contains(statuses, s) {
			t.Errorf("the data set has no reconciliation row %s (has %v)", s, statuses)
		}
	}
	conn, err := store.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := results[tt.stmt]
			if res == nil {
				t.Fatalf("baseline.sql has no SELECT named %s", tt.stmt)
			}
			got := res.pick(t, tt.keep, tt.cols...)
			view, _, err := readAllRows(ctx, conn, tt.view, true)
			if err != nil {
				t.Fatal(err)
			}
			want := view.rows
			if len(want) == 0 {
				t.Fatalf("the views give no rows for %s: the data set does not exercise it", tt.name)
			}
			sortBaselineRows(got)
			sortBaselineRows(want)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("baseline %s (%v):\n%s\nviews:\n%s", tt.stmt, tt.cols, rowsText(got), rowsText(want))
			}
		})
	}
}

func sortBaselineRows(rows [][]string) {
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
}

func rowsText(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}
