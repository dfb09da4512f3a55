package analytics_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

func TestDictionaryDescribesEveryTableViewAndMacro(t *testing.T) {
	store, _ := loadGenerated(t)
	d, err := analytics.Dictionary(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(d, "", " ")
	t.Logf("%.3000s", b)
	byName := map[string]analytics.Relation{}
	for _, r := range append(append([]analytics.Relation{}, d.Tables...), d.Views...) {
		byName[r.Name] = r
	}
	for _, name := range []string{"payments", "bills", "customers", "ingest_batches", "collection_monthly", "reconciliation", "finance_summary", "improvement"} {
		r, ok := byName[name]
		if !ok {
			t.Errorf("dictionary lacks %s", name)
			continue
		}
		if r.Comment == "" {
			t.Errorf("%s has no comment", name)
		}
		for _, c := range r.Columns {
			if c.Comment == "" {
				t.Errorf("column %s.%s has no comment", name, c.Name)
			}
			if c.Type == "" {
				t.Errorf("column %s.%s has no type", name, c.Name)
			}
		}
	}
	// Every column of every view and table is commented.
	for _, r := range append(append([]analytics.Relation{}, d.Tables...), d.Views...) {
		if r.Comment == "" {
			t.Errorf("%s has no comment", r.Name)
		}
		for _, c := range r.Columns {
			if c.Comment == "" {
				t.Errorf("column %s.%s has no comment", r.Name, c.Name)
			}
		}
	}
	macros := map[string]analytics.Macro{}
	for _, m := range d.Macros {
		macros[m.Name] = m
	}
	if m, ok := macros["arrears_aging"]; !ok || !m.Table || len(m.Parameters) != 2 || m.Parameters[0] != "as_of" || m.Parameters[1] != "latest := false" {
		t.Errorf("arrears_aging = %+v, want a table macro of as_of and latest := false", m)
	}
	if m, ok := macros["local_day"]; !ok || m.Table {
		t.Errorf("local_day = %+v, want a scalar macro", m)
	}
}

func TestExamplesRun(t *testing.T) {
	store, _ := loadGenerated(t)
	for _, ex := range analytics.Examples {
		t.Run(ex.Title, func(t *testing.T) {
			res, err := analytics.Query(context.Background(), store, ex.SQL, analytics.QueryOptions{MaxRows: 100, Timeout: 30 * time.Second})
			if err != nil {
				t.Fatalf("%s: %v", ex.SQL, err)
			}
			if len(res) != 1 || len(res[0].Columns) == 0 {
				t.Fatalf("%s: %+v", ex.SQL, res)
			}
		})
	}
}

func TestQueryKeepsMoneyExactAndRefusesWrites(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	res, err := analytics.Query(ctx, store, "SELECT sum(amount) AS total, count(*) AS n FROM payments", analytics.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total, ok := res[0].Rows[0][0].(data.DecimalText)
	if !ok || !strings.Contains(string(total), ".") {
		t.Fatalf("total = %#v, want exact decimal text", res[0].Rows[0][0])
	}
	col := res[0].Columns[0]
	if got := analytics.CellJSON(col, total, store.Location()); got != json.Number(total) {
		t.Errorf("CellJSON = %#v, want json.Number(%s)", got, total)
	}
	if _, err := analytics.Query(ctx, store, "SELECT 1; DELETE FROM payments", analytics.QueryOptions{}); err == nil {
		t.Fatal("a DELETE went through the gate")
	}
	again, err := analytics.Query(ctx, store, "SELECT sum(amount) AS total, count(*) AS n FROM payments", analytics.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Rows[0][0] != total {
		t.Errorf("total after the refused DELETE = %v, want %v", again[0].Rows[0][0], total)
	}
}

func TestCellText(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Taipei")
	at := time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		col  analytics.Column
		v    any
		want string
	}{
		{analytics.Column{Type: "DECIMAL(18,2)"}, data.DecimalText("12.50"), "12.50"},
		{analytics.Column{Type: "TIMESTAMPTZ"}, at, "2026-09-01T10:00:00+08:00"},
		{analytics.Column{Type: "TIMESTAMP"}, at, "2026-09-01T02:00:00"},
		{analytics.Column{Type: "DATE"}, at, "2026-09-01"},
		{analytics.Column{Type: "VARCHAR"}, nil, ""},
		{analytics.Column{Type: "INTEGER[]"}, []any{int32(1), data.DecimalText("2.5")}, "[1,2.5]"},
	}
	for _, c := range cases {
		if got := analytics.CellText(c.col, c.v, loc); got != c.want {
			t.Errorf("CellText(%s, %#v) = %q, want %q", c.col.Type, c.v, got, c.want)
		}
	}
}

// The metric views and macros are the analysts' interface: the gate admits
// them, and refuses what hides inside their arguments.
func TestGateAndTheMetricInterface(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	reads := []string{
		"SELECT * FROM collection_monthly ORDER BY period LIMIT 3",
		"SELECT * FROM arrears_aging(DATE '2026-06-30')",
		"SELECT * FROM discrepancies_open(current_date) LIMIT 5",
		"SELECT * FROM bill_balances_at(DATE '2026-01-01') LIMIT 1",
		"SELECT local_day(paid_at), period_of(local_day(paid_at)), ratio4(1, 3), ratio2(amount, 3) FROM payments LIMIT 1",
		"WITH m AS (SELECT * FROM finance_summary) SELECT period, collected - refunded FROM m",
		"SELECT period, sum(collected) OVER (ORDER BY period) FROM collection_monthly",
		"DESCRIBE collection_monthly",
		"SUMMARIZE reconciliation_daily",
	}
	for _, q := range reads {
		if _, err := analytics.Query(ctx, store, q, analytics.QueryOptions{MaxRows: 10, Timeout: 30 * time.Second}); err != nil {
			t.Errorf("Query(%q) = %v, want rows", q, err)
		}
	}
	refused := []struct{ query, named string }{
		{"SELECT * FROM arrears_aging((SELECT max(x) FROM query_table('payments')))", "table function query_table"},
		{"SELECT local_day((SELECT now() FROM duckdb_settings()))", "table function duckdb_settings"},
		{"SELECT * FROM discrepancies_open((SELECT current_setting('TimeZone')::DATE))", "function current_setting"},
		{"SELECT ratio4(1, (SELECT count(*) FROM read_text('/etc/passwd')))", "table function read_text"},
		{"SELECT * FROM feeflow_metrics", "relation feeflow_metrics"},
	}
	for _, c := range refused {
		_, err := analytics.Query(ctx, store, c.query, analytics.QueryOptions{})
		var re *data.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.named) {
			t.Errorf("Query(%q) = %v, want a refusal naming %s", c.query, err, c.named)
		}
	}
}
