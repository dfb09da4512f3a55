package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// benchRows is the size of the payments file of the ingest benchmark;
// FEEFLOW_BENCH_ROWS overrides it.
func benchRows(b *testing.B) int {
	if s := os.Getenv("FEEFLOW_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

// writePaymentsCSV writes n realistic payment rows, half of them paying one
// of 10,000 bills.
func writePaymentsCSV(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, payHeader)
	methods := []string{"cash", "card", "bank_transfer", "wechat", "alipay"}
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		bill := ""
		if i%2 == 0 {
			bill = fmt.Sprintf("B%05d", i%10000)
		}
		ts := start.Add(time.Duration(i) * 17 * time.Second)
		fmt.Fprintf(w, "T%08d,%s,C%05d,%s,MGMT,%d.%02d,%s,Collector%d,R%08d,completed\n",
			i, ts.Format("2006-01-02 15:04:05"), i%10000, bill, 10+i%5000, i%100, methods[i%len(methods)], i%8, i)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// benchStore opens a database with the fee item, customers and bills the
// payments refer to.
func benchStore(b *testing.B, dir string, externalAccess bool) (*Ingester, *data.Store) {
	store, err := data.Open(context.Background(), filepath.Join(dir, fmt.Sprintf("b%d.duckdb", time.Now().UnixNano())),
		data.Options{Location: time.UTC, ExternalAccess: externalAccess})
	if err != nil {
		b.Fatal(err)
	}
	in := New(store, Config{Location: time.UTC})
	ctx := context.Background()
	_, err = store.DB().ExecContext(ctx, `
		INSERT INTO fee_items (code, name, unit, rate, effective_from, effective_to, batch_id, source_row) VALUES ('MGMT', 'Management fee', 'm2', 2.50, DATE '2025-01-01', NULL, 'seed', 0);
		INSERT INTO customers (customer_id, name, unit, area, id_doc, batch_id, source_row) SELECT printf('C%05d', i), 'name', 'u', 'North', NULL, 'seed', 0 FROM range(10000) t(i);
		INSERT INTO bills SELECT printf('B%05d', i), printf('C%05d', i), 'MGMT', '2025-01', 100, 0, DATE '2025-01-15', 'seed', 0 FROM range(10000) t(i);`)
	if err != nil {
		b.Fatal(err)
	}
	// the metric views and their facts, which every committed batch keeps
	// up to date: part of what an ingest costs
	if err := analytics.Install(ctx, store); err != nil {
		b.Fatal(err)
	}
	return in, store
}

// BenchmarkIngestVsReadCSV ingests a payments CSV through the whole ingest
// path (reading, validation, key and reference checks, one transaction) and,
// in the same run, loads the same file into the same table with DuckDB's own
// typed read_csv: the baseline. It reports both speeds and their ratio.
func BenchmarkIngestVsReadCSV(b *testing.B) {
	n := benchRows(b)
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "payments.csv")
	writePaymentsCSV(b, csvPath, n)
	ctx := context.Background()
	// The feeflow command runs with the collector set as below (cmd/feeflow,
	// main.go); measure what it does.
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(memoryLimit))
	var base, ours time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, store := benchStore(b, dir, true) // read_csv needs to read the file
		b.StartTimer()
		t0 := time.Now()
		_, err := store.DB().ExecContext(ctx, `INSERT INTO payments
			SELECT *, 'baseline', 0 FROM read_csv(?, header = true, columns = {
				'txn_id': 'VARCHAR', 'paid_at': 'TIMESTAMPTZ', 'customer_id': 'VARCHAR', 'bill_id': 'VARCHAR',
				'fee_item': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'method': 'VARCHAR', 'collector': 'VARCHAR',
				'receipt_no': 'VARCHAR', 'status': 'VARCHAR'})`, csvPath)
		base += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		store.Close()
		in, store2 := benchStore(b, dir, false)
		b.StartTimer()
		t0 = time.Now()
		res, err := in.Ingest(ctx, Upload{Kind: "payments", Path: csvPath, FileName: "payments.csv"})
		ours += time.Since(t0)
		if err != nil {
			b.Fatalf("ingest: %v %+v", err, resultErrors(res))
		}
		if res.RowsAccepted != n {
			b.Fatalf("accepted %d rows, want %d", res.RowsAccepted, n)
		}
		b.StopTimer()
		store2.Close()
		b.StartTimer()
	}
	rowsPerSec := func(d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() }
	b.ReportMetric(rowsPerSec(base), "read_csv_rows/s")
	b.ReportMetric(rowsPerSec(ours), "ingest_rows/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "ratio")
}

// gcPercent and memoryLimit are the collector settings of the feeflow
// command (cmd/feeflow, main.go).
const (
	gcPercent   = 400
	memoryLimit = 768 << 20
)
