package analytics_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
)

// loadFixture ingests testdata/<name>/<kind>.csv, in upload order, into a
// fresh database whose organisation is in Asia/Taipei.
func loadFixture(t *testing.T, name string) *data.Store {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "f.duckdb"), data.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	in := ingest.New(store, ingest.Config{Location: loc})
	for _, kind := range ingest.KindNames() {
		path := filepath.Join("testdata", name, kind+".csv")
		if _, err := os.Stat(path); err != nil {
			continue
		}
		res, err := in.Ingest(ctx, ingest.Upload{Kind: kind, Path: path, FileName: kind + ".csv"})
		if err != nil {
			t.Fatalf("ingest %s: %v %+v", path, err, res.Errors)
		}
	}
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	return store
}

// asCSV runs query and renders its result as CSV text: every value as
// DuckDB writes it as VARCHAR (decimals keep their scale), NULL as NULL.
func asCSV(t *testing.T, store *data.Store, query string) string {
	t.Helper()
	rows, err := store.DB().Query("SELECT COLUMNS(*)::VARCHAR FROM " + query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(cols)
	for rows.Next() {
		vals := make([]*string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rec := make([]string, len(cols))
		for i, v := range vals {
			rec[i] = "NULL"
			if v != nil {
				rec[i] = *v
			}
		}
		w.Write(rec)
	}
	w.Flush()
	return b.String()
}

// TestHandComputedFixture compares every view and macro with results worked
// out by hand (testdata/basic/expected/<query>.csv): discounts, partial, late
// and early payments, an overpayment refunded, a void and its replacement,
// walk-ins, a payment late only by the local day, duplicate and short bank
// lines, grouped cash and Alipay lines, a line naming no payment, resolutions,
// past as-of dates and zero denominators.
func TestHandComputedFixture(t *testing.T) {
	store := loadFixture(t, "basic")
	files, err := filepath.Glob(filepath.Join("testdata", "basic", "expected", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no expected results: %v", err)
	}
	for _, f := range files {
		query := strings.TrimSuffix(filepath.Base(f), ".csv")
		t.Run(query, func(t *testing.T) {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := asCSV(t, store, query); got != string(want) {
				t.Errorf("%s =\n%s\nwant (computed by hand)\n%s", query, got, want)
			}
		})
	}
}
