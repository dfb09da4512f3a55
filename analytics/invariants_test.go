package analytics_test

import (
	"testing"
)

// TestTotalsEqualTheSumOfTheirParts checks, on the generated data, that every
// breakdown of a period adds up to the cent to the same total.
func TestTotalsEqualTheSumOfTheirParts(t *testing.T) {
	store, _ := loadGenerated(t)
	checks := []struct{ name, query string }{
		{"billed by fee item = by area", `SELECT period FROM (SELECT period, sum(billed) b FROM collection_monthly GROUP BY 1) x
			FULL JOIN (SELECT period, sum(billed) b FROM collection_by_area GROUP BY 1) y USING (period) WHERE x.b IS DISTINCT FROM y.b`},
		{"collected by fee item = by area", `SELECT period FROM (SELECT period, sum(collected) c FROM collection_monthly GROUP BY 1) x
			FULL JOIN (SELECT period, sum(collected) c FROM collection_by_area GROUP BY 1) y USING (period) WHERE x.c IS DISTINCT FROM y.c`},
		{"collected by fee item = by channel", `SELECT period FROM (SELECT period, sum(collected) c FROM collection_monthly GROUP BY 1) x
			FULL JOIN (SELECT period, sum(collected) c FROM collection_by_channel GROUP BY 1) y USING (period) WHERE x.c IS DISTINCT FROM y.c`},
		{"collected by fee item = by collector", `SELECT period FROM (SELECT period, sum(collected) c FROM collection_monthly GROUP BY 1) x
			FULL JOIN (SELECT period, sum(collected) c FROM collection_by_collector GROUP BY 1) y USING (period) WHERE x.c IS DISTINCT FROM y.c`},
		{"billed per period = finance summary", `SELECT period FROM (SELECT period, sum(billed) b FROM collection_monthly GROUP BY 1) x
			JOIN finance_summary f USING (period) WHERE x.b <> f.billed`},
		{"bills = their collection", `SELECT period FROM (SELECT period, fee_item, sum(net_due) b, sum(collected) c FROM bill_balances GROUP BY ALL) x
			FULL JOIN collection_monthly y USING (period, fee_item) WHERE x.b IS DISTINCT FROM y.billed OR x.c IS DISTINCT FROM y.collected`},
		{"daily items = reconciliation rows", `SELECT 1 WHERE (SELECT sum(items) FROM reconciliation_daily) <> (SELECT count(*) FROM reconciliation WHERE status <> 'pending')
			OR (SELECT sum(discrepancy_amount) FROM reconciliation_daily) <> (SELECT sum(abs(diff)) FROM reconciliation WHERE status NOT IN ('matched','pending'))
			OR (SELECT sum(matched) + sum(discrepancies) FROM reconciliation_daily) <> (SELECT sum(items) FROM reconciliation_daily)`},
		{"aging = open bills", `SELECT 1 WHERE (SELECT sum(outstanding) FROM arrears_aging(DATE '2026-10-31'))
			<> (SELECT sum(outstanding) FROM bill_balances_at(DATE '2026-10-31') WHERE outstanding > 0 AND period <= '2026-10')`},
		{"diff = bank - system", `SELECT ref FROM reconciliation WHERE diff <> bank_amount - system_amount`},
		{"collected never exceeds billed", `SELECT bill_id FROM bill_balances WHERE collected > net_due OR collected < 0`},
		{"walk-ins + bill payments = completed payments", `SELECT 1 WHERE (SELECT sum(collected + walk_in_revenue) FROM finance_summary)
			<> (SELECT sum(amount) FROM payments WHERE status = 'completed')`},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			rows, err := store.DB().Query(c.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			if rows.Next() {
				var bad any
				rows.Scan(&bad)
				t.Errorf("violated, first at %v", bad)
			}
		})
	}
}

// TestRatesAreFractionsOrNull checks that every rate lies in [0, 1] or is
// NULL (a zero denominator).
func TestRatesAreFractionsOrNull(t *testing.T) {
	store, _ := loadGenerated(t)
	rates := map[string][]string{
		"collection_monthly":      {"collection_rate", "on_time_rate"},
		"collection_by_area":      {"collection_rate", "on_time_rate"},
		"collection_by_channel":   {"share"},
		"collection_by_collector": {"share"},
		"arrears_monthly":         {"clearance_rate", "household_rate"},
		"reconciliation_daily":    {"match_rate"},
		"invoices_monthly":        {"reissue_rate"},
		"finance_summary":         {"cei"},
	}
	for view, cols := range rates {
		for _, c := range cols {
			var bad int
			q := "SELECT count(*) FROM " + view + " WHERE " + c + " < 0 OR " + c + " > 1"
			if err := store.DB().QueryRow(q).Scan(&bad); err != nil {
				t.Fatal(err)
			}
			if bad > 0 {
				t.Errorf("%s.%s: %d rows outside [0, 1]", view, c, bad)
			}
		}
	}
	var nulls int
	store.DB().QueryRow(`SELECT count(*) FROM arrears_monthly WHERE opening_arrears = 0 AND clearance_rate IS NOT NULL`).Scan(&nulls)
	if nulls > 0 {
		t.Errorf("%d clearance rates with no arrears are not NULL", nulls)
	}
}
