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
// past as-of dates and zero denominators; and refunds paid back through the
// channels (below).
//
// Refund lines (negative settlements) and what reconciliation makes of them,
// worked out by hand with the default 3-day window; the data ends 2026-09-25.
// Every negative line is left out of payment matching: P10 stays matched at
// 50.00 (S2; not 50.00 - 50.00), P3 stays duplicate_settlement at 1200.00
// (S3 + S4; not - 600.00), and P8, named only by the refund line S18, still
// belongs to the Alipay group of 2026-09-10 (300.00 = 300.00, matched).
// The walk-ins P12 (wechat 200.00), P13 (card 120.00, Wang), P14 (alipay
// 60.00) are settled one-to-one by S11, S12, S13: matched. R9 (20.00 of the
// cash walk-in P9, executed 09-12) was paid back at the counter: no channel
// line is expected and it has no row; cash:Li:2026-09-10 still compares the
// day's cash payments with the deposit (matched).
//
//	ref         lines (refund_ref)        refunds executed   system   bank     diff     status
//	refund:P10  S14 -50.00 (none)         R1 50.00 08-18     -50.00   -50.00   0.00     matched (by payment)
//	R4          S15 -50.00 (R4)           R4 50.00 09-03     -50.00   -50.00   0.00     matched (by number)
//	R5          S16, S17 -30.00 (R5)      R5 30.00 09-06     -30.00   -60.00   -30.00   duplicate_refund_line, resolved 09-12
//	refund:P12  none (R4, R5 named)       R8 20.00 09-10     -20.00   0.00     20.00    missing_refund_line, opened 09-10 + 3 = 09-13
//	refund:P13  S20 -100.00 (none)        R6 120.00 09-08    -120.00  -100.00  20.00    amount_mismatch, opened 09-09, resolved 09-24
//	refund:P14  none                      R7 60.00 09-23     -60.00   0.00     60.00    pending: 09-25 - 09-23 = 2 < 3 days
//	refund:P3   S19 -600.00 (WXR0918001)  none (R3 rejected) 0.00     -600.00  -600.00  missing_refund (the channel's own number falls back to the payment)
//	R2          S18 -100.00 (R2)          none (R2 pending)  0.00     -100.00  -100.00  missing_refund (by number), day = the line's 09-22
//
// reconciliation_daily: 2026-09-23 alipay holds only the pending refund:P14,
// so items 0 and match_rate NULL. discrepancies_open as of 2026-09-14 adds
// refund:P13 (opened 09-09, age 5) and refund:P12 (09-13, age 1); R5 is
// already resolved, S18 and S19 are not yet settled. As of 2026-09-25 it adds
// refund:P12 (age 12), refund:P3 (09-18, age 7) and R2 (09-22, age 3);
// refund:P13 is resolved by then.
//
// finance_summary: 2026-08 walk_in_revenue = 200.00 + 120.00 + 60.00 = 380.00;
// provider_fees = 1.75 + 0.60 (S12) + 0.33 (S13) - 0.25 (S14, fee returned)
// = 2.43; net_settled = 1788.25 + 200.00 + 119.40 + 59.67 + (-50.00 + 0.25)
// = 2117.57; refunded = R1 = 50.00. 2026-09 refunded = R4 + R5 + R6 + R7 + R8
// + R9 = 50 + 30 + 120 + 60 + 20 + 20 = 300.00; provider_fees = 1.80 - 0.55 (S18)
// - 0.50 (S20) = 0.75; net_settled = 1063.20 - 50.00 - 30.00 - 30.00
// - 600.00 + (-100.00 + 0.55) + (-100.00 + 0.50) = 154.25. Each refund line is
// counted once, in net_settled; refunded is feeflow's side and is not
// subtracted from it again. refunds_cycle 2026-09: 8 requested, 6 approved
// and executed after 1, 2, 2, 3, 3, 7 days: median (2 + 3) / 2 = 2.5, p90 =
// 3 + 0.5 x (7 - 3) = 5.0. operator_errors 2026-08: online 3 payments (P3, P12, P14), Wang 4
// (P1, P2, P10, P13). The new walk-ins fall in August, before A1 started,
// with no void: improvement is unchanged.
//
// improvement: A3 (avg_score, target 3) started 2026-08-03, two days after
// the data begins: no feedback before it (before NULL), after = F1 4 + F2 5
// + F3 2 over 3 = 3.6667, met; the data ends 09-25, so 7 full weeks from the
// start end on 09-20 and the latest 4 run 08-24..09-20, which hold only F3:
// latest 2.0000, slipped. A1's latest 3 full weeks (09-01..09-21) hold P4,
// P7 (voided), P8, P9, P5, P6: 1000 / 6 = 166.6667; its after also holds
// P11 (09-25): 1000 / 7 = 142.8571. Titles without a Chinese one keep the
// plain title in title_zh.
//
// fee_standards and bill_tariffs: MGMT has a second version from 2026-09-01
// (2.80), so the first, left open, is in force until 08-31; the September
// MGMT bills B4 and B6 are charged 2.80, the August ones 2.50. areas: C2
// names no Chinese area, so South keeps its plain name.
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
