package analytics_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/ingest"
	"github.com/shopspring/decimal"
)

// Every cube, summed over a selection, gives the figures of the view it
// refines for the same question: the browser's filters sum the cubes, the
// analysts read the views, and both must agree to the cent.
func TestCubesSumToTheViews(t *testing.T) {
	store := loadFixture(t, "basic")
	cases := []struct{ name, cube, view string }{
		{"collection by period and fee item",
			`(SELECT period, fee_item, sum(billed) AS billed, sum(collected) AS collected,
			         ratio4(sum(collected), sum(billed)) AS collection_rate, ratio4(sum(on_time), sum(billed)) AS on_time_rate
			  FROM collection_cube GROUP BY ALL ORDER BY ALL)`,
			`(SELECT period, fee_item, billed, collected, collection_rate, on_time_rate FROM collection_monthly ORDER BY ALL)`},
		{"collection by period and area",
			`(SELECT period, area, sum(billed), sum(collected), ratio4(sum(collected), sum(billed)), ratio4(sum(on_time), sum(billed))
			  FROM collection_cube GROUP BY ALL ORDER BY ALL)`,
			`(SELECT period, area, billed, collected, collection_rate, on_time_rate FROM collection_by_area ORDER BY ALL)`},
		{"collection by period and channel",
			`(SELECT period, channel, sum(payments), sum(collected), sum(on_time) FROM collection_payments_cube GROUP BY ALL ORDER BY ALL)`,
			`(SELECT period, channel, payments, collected, on_time FROM collection_by_channel ORDER BY ALL)`},
		{"collection by period and collector",
			`(SELECT period, collector, sum(payments), sum(collected), sum(on_time) FROM collection_payments_cube GROUP BY ALL ORDER BY ALL)`,
			`(SELECT period, collector, payments, collected, on_time FROM collection_by_collector ORDER BY ALL)`},
		{"payments cube against the bills' collected, by fee item and area",
			`(SELECT period, fee_item, area, sum(collected), sum(on_time) FROM collection_payments_cube GROUP BY ALL ORDER BY ALL)`,
			`(SELECT period, fee_item, area, collected, on_time FROM collection_cube WHERE collected <> 0 OR on_time <> 0 ORDER BY ALL)`},
		{"arrears by month",
			`(SELECT m.period, coalesce(sum(c.opening_arrears), 0), coalesce(sum(c.recovered), 0),
			         ratio4(coalesce(sum(c.recovered), 0), coalesce(sum(c.opening_arrears), 0))
			  FROM arrears_months m LEFT JOIN arrears_cube c USING (period) GROUP BY ALL ORDER BY ALL)`,
			`(SELECT period, opening_arrears, recovered, clearance_rate FROM arrears_monthly ORDER BY ALL)`},
		{"reconciliation by day and channel",
			`(SELECT day, channel, sum(items), sum(matched), sum(discrepancies), sum(discrepancy_amount), ratio4(sum(matched), sum(items))
			  FROM reconciliation_cube GROUP BY ALL ORDER BY ALL)`,
			`(SELECT day, channel, items, matched, discrepancies, discrepancy_amount, match_rate FROM reconciliation_daily ORDER BY ALL)`},
		{"one fee item over a range of months, as the collection filter asks",
			`(SELECT sum(billed), sum(collected), ratio4(sum(collected), sum(billed)), ratio4(sum(on_time), sum(billed))
			  FROM collection_cube WHERE fee_item = 'MGMT' AND period BETWEEN '2026-07' AND '2026-09')`,
			`(SELECT sum(billed), sum(collected), ratio4(sum(collected), sum(billed)),
			         ratio4((SELECT sum(on_time) FROM bill_balances WHERE fee_item = 'MGMT'), sum(billed))
			  FROM collection_monthly WHERE fee_item = 'MGMT' AND period BETWEEN '2026-07' AND '2026-09')`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := asCSV(t, store, c.cube), asCSV(t, store, c.view)
			// the header names differ; the rows must not
			if body(got) != body(want) || body(got) == "" {
				t.Errorf("cube =\n%s\nview =\n%s", got, want)
			}
		})
	}
}

func body(csv string) string {
	for i, r := range csv {
		if r == '\n' {
			return csv[i+1:]
		}
	}
	return ""
}

// The cubes of the hand-computed fixture, worked out by hand.
//
// arrears_cube: in 2026-08 no bill is past due yet (all are due 08-15), so
// there is no row. At 2026-09-01, B1 (300.00, paid 300.00 + 50.00 - R1
// 50.00) and B2 (250.00 net, paid 250.00) are settled; B3 (PARK, C3 North,
// 1200.00) has 600.00 open and P4 pays 600.00 on 09-05.
//
// collection_payments_cube 2026-09 PARK South bank_transfer: P6 500.00 paid
// 09-16 00:30 Taipei, a day after B5's due date, so on_time 0.00.
func TestCubesByHand(t *testing.T) {
	store := loadFixture(t, "basic")
	for _, c := range []struct{ query, want string }{
		{"arrears_cube", "period,area,fee_item,bills,opening_arrears,recovered\n2026-09,North,PARK,1,600.00,600.00\n"},
		{"(SELECT * FROM collection_payments_cube WHERE period = '2026-09' AND channel = 'bank_transfer')",
			"period,fee_item,area,channel,collector,payments,collected,on_time\n2026-09,PARK,South,bank_transfer,,1,500.00,0.00\n"},
		{"(SELECT * FROM collection_cube WHERE period = '2026-08')",
			"period,fee_item,area,bills,billed,collected,on_time\n2026-08,MGMT,North,1,300.00,300.00,300.00\n2026-08,MGMT,South,1,250.00,250.00,0.00\n2026-08,PARK,North,1,1200.00,1200.00,600.00\n"},
	} {
		if got := asCSV(t, store, c.query); got != c.want {
			t.Errorf("%s =\n%s\nwant\n%s", c.query, got, c.want)
		}
	}

	// The typed reads carry the same figures.
	m := analytics.New(store)
	cells, err := m.ArrearsCube(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 1 || !cells[0].OpeningArrears.Equal(decimal.RequireFromString("600.00")) || !cells[0].Recovered.Equal(decimal.RequireFromString("600.00")) {
		t.Errorf("ArrearsCube() = %+v, want one row 600.00 / 600.00", cells)
	}
}

// One day into a month without bills: 2026-10-01 brings one payment of
// 200.00 on B5 (PARK, C2 South, due 09-15, 1000.00 net, 500.00 paid). The
// month has a row: arrears carried in at its start are B5's 500.00 (B4 and
// B6 were paid in September, B1-B3 before), 200.00 of it is recovered
// (clearance 0.4000), and no household was billed in it (0 and 0, rate NULL).
func TestArrearsOfAMonthWithoutBills(t *testing.T) {
	store := loadFixture(t, "basic")
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "payments.csv")
	csv := "txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status\n" +
		"P15,2026-10-01 10:00,C2,B5,PARK,200.00,cash,Li,I15,completed\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: store.Location()})
	if res, err := in.Ingest(ctx, ingest.Upload{Kind: "payments", Path: path, FileName: "payments.csv"}); err != nil {
		t.Fatalf("ingest: %v %+v", err, res)
	}
	want := "period,opening_arrears,recovered,clearance_rate,households_billed,households_paid,household_rate\n" +
		"2026-08,0.00,0.00,NULL,3,3,1.0000\n" +
		"2026-09,600.00,600.00,1.0000,3,2,0.6667\n" +
		"2026-10,500.00,200.00,0.4000,0,0,NULL\n"
	if got := asCSV(t, store, "arrears_monthly"); got != want {
		t.Errorf("arrears_monthly =\n%s\nwant\n%s", got, want)
	}
	if got, want := asCSV(t, store, "arrears_cube"), "period,area,fee_item,bills,opening_arrears,recovered\n"+
		"2026-09,North,PARK,1,600.00,600.00\n2026-10,South,PARK,1,500.00,200.00\n"; got != want {
		t.Errorf("arrears_cube =\n%s\nwant\n%s", got, want)
	}
}
