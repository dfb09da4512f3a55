package analytics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// benchPayments is the number of payments of the views benchmark;
// FEEFLOW_BENCH_PAYMENTS overrides the default of 10,000,000.
func benchPayments(b *testing.B) int {
	if s := os.Getenv("FEEFLOW_BENCH_PAYMENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 10_000_000
}

// fillBenchData writes a synthetic operation straight into the tables with
// SQL (the ingest path has its own benchmark): n payments, n/2.5 bills, one
// settlement line per non-cash payment, daily cash deposits, and a few
// thousand refunds (with the channels' refund lines), invoices, exceptions
// and feedback.
func fillBenchData(b *testing.B, store *data.Store, n int) {
	ctx := context.Background()
	bills := n * 2 / 5
	customers := bills / 18
	stmts := []string{
		`INSERT INTO fee_items (code, name, unit, rate, effective_from, effective_to, batch_id, source_row) VALUES ('MGMT','Management','m2',2.50,DATE '2024-01-01',NULL,'b',0),
			('PARK','Parking','month',1200,DATE '2024-01-01',NULL,'b',0), ('WATER','Water','m3',4.20,DATE '2024-01-01',NULL,'b',0)`,
		fmt.Sprintf(`INSERT INTO customers (customer_id, name, unit, area, id_doc, batch_id, source_row) SELECT 'C'||i, 'n', 'u', 'Area'||(i%%5), NULL, 'b', 0 FROM range(%d) t(i)`, customers),
		fmt.Sprintf(`INSERT INTO bills SELECT 'B'||i, 'C'||(i %% %d), ['MGMT','PARK','WATER'][1 + i%%3],
			strftime(DATE '2025-05-01' + to_months(CAST(i // %d AS INTEGER)), '%%Y-%%m'),
			CAST(100 + (i %% 900) AS DECIMAL(18,2)), CAST(CASE WHEN i%%10=0 THEN 10 ELSE 0 END AS DECIMAL(18,2)),
			DATE '2025-05-15' + to_months(CAST(i // %d AS INTEGER)), 'b', 0
			FROM range(%d) t(i)`, customers, customers, customers, bills),
		// Two payments per bill for most bills (halves), the rest walk-ins.
		fmt.Sprintf(`INSERT INTO payments SELECT 'T'||i,
			CASE WHEN i < %[1]d THEN CAST(DATE '2025-05-03' + to_months(CAST((i %% %[2]d) // %[3]d AS INTEGER)) + to_days(CAST(i %% 20 AS INTEGER)) AS TIMESTAMP) + INTERVAL 9 HOUR
			     ELSE TIMESTAMP '2025-05-01 10:00:00' + to_minutes(CAST(i %% 700000 AS BIGINT)) END,
			NULL,
			CASE WHEN i < %[1]d THEN 'B'||(i %% %[2]d) END,
			['MGMT','PARK','WATER'][1 + (i %% %[2]d)%%3],
			CASE WHEN i < %[1]d THEN CAST((100 + ((i %% %[2]d) %% 900)) / 2 AS DECIMAL(18,2)) ELSE 60 END,
			['cash','card','bank_transfer','wechat','alipay'][1 + i%%5],
			'Collector'||(i%%8), NULL,
			CASE WHEN i %% 997 = 0 THEN 'voided' ELSE 'completed' END, 'b', 0
			FROM range(%[4]d) t(i)`, bills*2, bills, customers, n),
		`INSERT INTO settlements SELECT 'S'||txn_id, settlement_channel(method), txn_id,
			CASE WHEN hash(txn_id) % 5000 = 0 THEN amount + 1 ELSE amount END, paid_at + INTERVAL 1 DAY, 0.30, NULL, NULL, 'b', 0
			FROM payments WHERE method <> 'cash' AND status = 'completed' AND hash(txn_id) % 3000 <> 1`,
		`INSERT INTO settlements SELECT 'D'||row_number() OVER (), 'cash_deposit', NULL, sum(amount), min(paid_at) + INTERVAL 8 HOUR, 0, collector, NULL, 'b', 0
			FROM payments WHERE method = 'cash' AND status = 'completed' GROUP BY collector, local_day(paid_at)`,
		`INSERT INTO refunds SELECT 'R'||txn_id, txn_id, 10, 'r', paid_at + INTERVAL 1 DAY, paid_at + INTERVAL 2 DAY, 'approved', paid_at + INTERVAL 5 DAY, 'b', 0
			FROM payments WHERE hash(txn_id) % 2000 = 0 AND status = 'completed' AND amount >= 10`,
		// The channels' refund lines, with the refund number on WeChat Pay and Alipay ones; a few missing.
		`INSERT INTO settlements SELECT 'L'||r.refund_id, settlement_channel(p.method), r.txn_id, -r.amount, r.executed_at + INTERVAL 1 DAY, 0, NULL,
			CASE WHEN p.method IN ('wechat', 'alipay') THEN r.refund_id END, 'b', 0
			FROM refunds r JOIN payments p ON p.txn_id = r.txn_id WHERE p.method <> 'cash' AND hash(r.refund_id) % 50 <> 0`,
		`INSERT INTO invoices SELECT 'I'||txn_id, txn_id, 'invoice', paid_at, CASE WHEN hash(txn_id) % 300 = 0 THEN 'lost' ELSE 'issued' END, NULL, 'b', 0
			FROM payments WHERE hash(txn_id) % 10 = 0`,
		`INSERT INTO exceptions SELECT 'E'||i, TIMESTAMP '2025-05-01' + to_hours(CAST(i AS BIGINT)), NULL, NULL, ['cannot_pay','refused','dispute','fraud'][1+i%4], NULL, NULL, i%3=0,
			CASE WHEN i%2=0 THEN TIMESTAMP '2025-05-01' + to_hours(CAST(i + 100 AS BIGINT)) END, 'b', 0 FROM range(10000) t(i)`,
		`INSERT INTO feedback SELECT 'F'||i, TIMESTAMP '2025-05-01' + to_minutes(CAST(i * 7 AS BIGINT)), NULL, 'web', 1 + i%5, NULL, NULL, 'b', 0 FROM range(100000) t(i)`,
		`INSERT INTO actions (action_id, title, problem, owner, started_on, metric, target, batch_id, source_row) VALUES ('A1','t','operator_error','o',DATE '2026-01-05','errors_per_1000',2,'b',0),
			('A2','t','other','o',DATE '2026-01-05','match_rate',0.99,'b',0), ('A3','t','other','o',DATE '2026-01-05','on_time_rate',0.9,'b',0)`,
	}
	for _, s := range stmts {
		if _, err := store.DB().ExecContext(ctx, s); err != nil {
			b.Fatalf("%.80s: %v", s, err)
		}
	}
}

// viewQueries are the queries the dashboard runs, as analysts would type them.
func viewQueries(asOf time.Time) []string {
	d := asOf.Format(time.DateOnly)
	return []string{
		analytics.CollectionMonthlyQuery, analytics.CollectionByAreaQuery, analytics.CollectionByChannelQuery,
		analytics.CollectionByCollectorQuery, analytics.ArrearsMonthlyQuery, fmt.Sprintf(analytics.ArrearsAgingQuery, d),
		analytics.ReconciliationDailyQuery, fmt.Sprintf(analytics.DiscrepanciesOpenQuery, d, false), analytics.ResolvedDiscrepanciesQuery,
		analytics.ExceptionsMonthlyQuery, analytics.RefundsCycleQuery, analytics.InvoicesMonthlyQuery, analytics.OperatorErrorsQuery,
		analytics.FeedbackMonthlyQuery, analytics.ImprovementQuery, analytics.FinanceSummaryQuery,
	}
}

// readAll runs every typed reader the site uses.
func readAll(ctx context.Context, m *analytics.Metrics, asOf time.Time) error {
	steps := []func() error{
		func() error { _, err := m.CollectionMonthly(ctx); return err },
		func() error { _, err := m.CollectionByArea(ctx); return err },
		func() error { _, err := m.CollectionByChannel(ctx); return err },
		func() error { _, err := m.CollectionByCollector(ctx); return err },
		func() error { _, err := m.ArrearsMonthly(ctx); return err },
		func() error { _, err := m.ArrearsAging(ctx, asOf); return err },
		func() error { _, err := m.ReconciliationDaily(ctx); return err },
		func() error { _, err := m.DiscrepanciesOpen(ctx, asOf); return err },
		func() error { _, err := m.ResolvedDiscrepancies(ctx); return err },
		func() error { _, err := m.ExceptionsMonthly(ctx); return err },
		func() error { _, err := m.RefundsCycle(ctx); return err },
		func() error { _, err := m.InvoicesMonthly(ctx); return err },
		func() error { _, err := m.OperatorErrorsMonthly(ctx); return err },
		func() error { _, err := m.FeedbackMonthly(ctx); return err },
		func() error { _, err := m.Improvements(ctx); return err },
		func() error { _, err := m.FinanceSummary(ctx); return err },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkViews computes every view the dashboard reads over a synthetic
// operation of FEEFLOW_BENCH_PAYMENTS payments, through the typed Go access,
// and, in the same run, the same SQL materialised by DuckDB alone (the
// baseline). It reports both times, their ratio and the peak memory.
func BenchmarkViews(b *testing.B) {
	n := benchPayments(b)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Taipei")
	store, err := data.Open(ctx, filepath.Join(b.TempDir(), "bench.duckdb"), data.Options{Location: loc})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := analytics.Install(ctx, store); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	fillBenchData(b, store, n)
	b.Logf("%d payments generated in %s", n, time.Since(t0).Round(time.Millisecond))
	m := analytics.New(store)
	_, asOf, _, err := m.DataRange(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var plain, typed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		for j, q := range viewQueries(asOf) {
			if _, err := store.DB().ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE bench_%d AS %s", j, q)); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
		plain += time.Since(t0)
		t0 = time.Now()
		if err := readAll(ctx, m, asOf); err != nil {
			b.Fatal(err)
		}
		typed += time.Since(t0)
	}
	b.ReportMetric(plain.Seconds()/float64(b.N), "duckdb_s")
	b.ReportMetric(typed.Seconds()/float64(b.N), "typed_s")
	b.ReportMetric(typed.Seconds()/plain.Seconds(), "ratio")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak_MiB")
}

// peakRSS is the process's peak resident memory in bytes (Linux).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
