package analytics

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/feeflow/feeflow/data"
)

func TestInstallOnDemo(t *testing.T) {
	src := os.Getenv("FEEFLOW_DEMO_DB")
	if src == "" {
		t.Skip("FEEFLOW_DEMO_DB not set")
	}
	b, _ := os.ReadFile(src)
	path := filepath.Join(t.TempDir(), "d.duckdb")
	os.WriteFile(path, b, 0o644)
	store, err := data.Open(context.Background(), path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := Install(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"collection_monthly", "collection_by_area", "collection_by_channel", "collection_by_collector", "arrears_monthly",
		"arrears_aging(DATE '2026-10-31')", "reconciliation", "reconciliation_daily", "discrepancies_open(DATE '2026-10-31')",
		"exceptions_monthly", "refunds_cycle", "invoices_monthly", "operator_errors", "feedback_monthly", "improvement", "finance_summary"} {
		rows, err := store.DB().Query("SELECT count(*) FROM " + q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		rows.Next()
		var n int
		rows.Scan(&n)
		rows.Close()
		t.Logf("%s: %d rows", q, n)
	}
}
