package analytics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDebtorsAddUpToAging: the who-owes list and the aging buckets are the
// same receivables seen two ways, so on every day the debtors' outstanding
// and open bills add up to the aging total, on the hand-computed fixture and
// on the generated data (whose aging at the end is the manifest's).
func TestDebtorsAddUpToAging(t *testing.T) {
	ctx := context.Background()
	gstore, man := loadGenerated(t)
	fixture := loadFixture(t, "basic")
	cases := []struct {
		name  string
		store *data.Store
		asOf  string
	}{
		{"fixture before the first payments", fixture, "2026-08-09"},
		{"fixture on the first due date", fixture, "2026-08-15"},
		{"fixture mid-September", fixture, "2026-09-14"},
		{"fixture at month end", fixture, "2026-09-30"},
		{"generated at the end", gstore, man.AsOf},
		{"generated mid-year", gstore, "2026-05-31"},
		{"generated at the start", gstore, "2025-11-20"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := analytics.New(c.store)
			asOf := day(t, c.asOf)
			debtors, err := m.Debtors(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			aging, err := m.ArrearsAging(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			var owed, aged decimal.Decimal
			var bills, agedBills int
			for i, d := range debtors {
				if !d.Outstanding.IsPositive() || d.BillsOpen == 0 {
					t.Errorf("%s: outstanding %s on %d bills: not a debtor", d.CustomerID, d.Outstanding, d.BillsOpen)
				}
				if i > 0 && d.Outstanding.GreaterThan(debtors[i-1].Outstanding) {
					t.Errorf("%s (%s) listed after %s (%s): not largest first", d.CustomerID, d.Outstanding, debtors[i-1].CustomerID, debtors[i-1].Outstanding)
				}
				owed = owed.Add(d.Outstanding)
				bills += d.BillsOpen
			}
			for _, b := range aging {
				aged = aged.Add(b.Outstanding)
				agedBills += b.Bills
			}
			if !owed.Equal(aged) || bills != agedBills {
				t.Errorf("debtors owe %s on %d bills, aging(%s) holds %s on %d", owed, bills, c.asOf, aged, agedBills)
			}
			if c.store == gstore && c.asOf == man.AsOf {
				var want decimal.Decimal
				for _, b := range man.Aging {
					want = want.Add(dec(t, b.Outstanding))
				}
				if !owed.Equal(want) {
					t.Errorf("debtors owe %s at the end, the generator left %s outstanding", owed, want)
				}
			}
		})
	}
}

// TestDebtorsOnTheFixture reads the typed list where the CSV comparison
// cannot look: fee items split, the missing last payment, no identity number.
func TestDebtorsOnTheFixture(t *testing.T) {
	ctx := context.Background()
	m := analytics.New(loadFixture(t, "basic"))
	got, err := m.Debtors(ctx, day(t, "2026-08-16"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Debtors(2026-08-16) = %d rows, want 2 (C3, C2)", len(got))
	}
	c3, c2 := got[0], got[1]
	if c3.CustomerID != "C3" || c3.Name != "Wang" || c3.Unit != "C-3" || c3.Area != "North" || !slices.Equal(c3.FeeItems, []string{"PARK"}) ||
		!c3.Outstanding.Equal(dec(t, "600")) || c3.LastPaidOn == nil || !c3.LastPaidOn.Equal(day(t, "2026-08-14")) || c3.DaysOverdue != 1 {
		t.Errorf("first debtor = %+v, want C3 Wang C-3 North PARK 600.00 last paid 2026-08-14, 1 day overdue", c3)
	}
	if c2.CustomerID != "C2" || c2.LastPaidOn != nil {
		t.Errorf("second debtor = %+v, want C2 who has paid nothing yet", c2)
	}
	bills, err := m.DebtorBills(ctx, day(t, "2026-09-14"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range bills {
		ids = append(ids, b.CustomerID+"/"+b.BillID)
	}
	// C1 and C2 owe on 2026-09-14, on their September bills, not yet due and
	// unpaid; their August bills are paid.
	if want := []string{"C1/B4", "C2/B5"}; !slices.Equal(ids, want) {
		t.Errorf("DebtorBills(2026-09-14) = %v, want %v", ids, want)
	}
	bills, err = m.DebtorBills(ctx, day(t, "2026-09-30"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bills) != 1 || bills[0].BillID != "B5" || !slices.Equal(bills[0].TxnIDs, []string{"P6"}) || !bills[0].Paid.Equal(dec(t, "500")) ||
		!bills[0].Outstanding.Equal(dec(t, "500")) || !bills[0].NetDue.Equal(dec(t, "1000")) {
		t.Errorf("DebtorBills(2026-09-30) = %+v, want B5: due 1000.00, paid 500.00 by P6, 500.00 outstanding", bills)
	}
}

// TestOverpaymentsAreTheInjectedDuplicates holds overpayments to the
// generator: the bills paid twice are exactly the overpaid ones, the
// payments involved include each duplicate, the overpayment is the
// duplicate's amount, and a credit remains exactly while its refund is not
// executed.
func TestOverpaymentsAreTheInjectedDuplicates(t *testing.T) {
	ctx := context.Background()
	store, man := loadGenerated(t)
	if len(man.Bills.OverpaidRefundedIDs) == 0 {
		t.Fatal("the generator injected no duplicate payment; the test would prove nothing")
	}
	got, err := analytics.New(store).Overpayments(ctx, day(t, man.AsOf))
	if err != nil {
		t.Fatal(err)
	}
	var bills []string
	txns := map[string]bool{}
	byBill := map[string]analytics.Overpayment{}
	for _, o := range got {
		bills = append(bills, o.BillID)
		byBill[o.BillID] = o
		for _, id := range o.TxnIDs {
			txns[id] = true
		}
		if o.Payments != len(o.TxnIDs) || o.Payments < 2 {
			t.Errorf("%s: %d payments %v: an overpaid bill has at least two", o.BillID, o.Payments, o.TxnIDs)
		}
		if !o.Overpaid.Equal(o.Paid.Sub(o.NetDue)) || !o.Credit.Equal(decimal.Max(o.Paid.Sub(o.Refunded).Sub(o.NetDue), decimal.Zero)) {
			t.Errorf("%s: overpaid %s credit %s do not follow from due %s paid %s refunded %s", o.BillID, o.Overpaid, o.Credit, o.NetDue, o.Paid, o.Refunded)
		}
	}
	if want := slices.Sorted(slices.Values(man.Bills.OverpaidRefundedIDs)); !slices.Equal(slices.Sorted(slices.Values(bills)), want) {
		t.Errorf("overpaid bills %v, want the twice-paid %v", bills, want)
	}
	for _, id := range man.Payments.DuplicateTxnIDs {
		if !txns[id] {
			t.Errorf("duplicate payment %s is not among the payments of an overpaid bill", id)
		}
	}
	// Each duplicate's amount, bill and refund, from the data it was written to.
	executed := map[string]bool{}
	for _, id := range man.Refunds.ExecutedIDs {
		executed[id] = true
	}
	var total decimal.Decimal
	for _, id := range man.Payments.DuplicateTxnIDs {
		var bill string
		var amount data.Decimal
		var refund *string
		if err := store.DB().QueryRow(`SELECT p.bill_id, p.amount, (SELECT min(refund_id) FROM refunds r WHERE r.txn_id = p.txn_id) FROM payments p WHERE p.txn_id = ?`, id).Scan(&bill, &amount, &refund); err != nil {
			t.Fatal(err)
		}
		total = total.Add(amount.Decimal)
		o := byBill[bill]
		if !o.Overpaid.Equal(amount.Decimal) {
			t.Errorf("%s: overpaid %s, want the duplicate %s's %s", bill, o.Overpaid, id, amount.Decimal)
		}
		if done := refund != nil && executed[*refund]; done != o.Credit.IsZero() || (!done && !o.Credit.Equal(amount.Decimal)) {
			t.Errorf("%s: credit %s with the duplicate's refund executed=%v", bill, o.Credit, done)
		}
	}
	var sum decimal.Decimal
	for _, o := range got {
		sum = sum.Add(o.Overpaid)
	}
	if !sum.Equal(total) {
		t.Errorf("overpaid in all %s, the duplicates come to %s", sum, total)
	}
}

// TestOpenRefundsAndExceptionsAtTheEnd: at the end of the data the open
// refunds are the manifest's pending ones (stage requested) and approved
// but not executed ones (stage approved); open exceptions are those not
// resolved.
func TestOpenRefundsAndExceptionsAtTheEnd(t *testing.T) {
	ctx := context.Background()
	store, man := loadGenerated(t)
	m := analytics.New(store)
	asOf := day(t, man.AsOf)
	refunds, err := m.RefundsOpen(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	byStage := map[string][]string{}
	for _, r := range refunds {
		byStage[r.Stage] = append(byStage[r.Stage], r.RefundID)
		if r.AgeDays < r.StageDays || r.StageDays < 0 {
			t.Errorf("%s: %d days old, %d in stage %s", r.RefundID, r.AgeDays, r.StageDays, r.Stage)
		}
	}
	for stage, want := range map[string][]string{"requested": man.Refunds.PendingIDs, "approved": man.Refunds.ApprovedNotExecutedIDs} {
		if len(want) == 0 {
			t.Errorf("the generator left no refund %s; the test would prove little", stage)
		}
		if got := slices.Sorted(slices.Values(byStage[stage])); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("refunds %s: %v, want %v", stage, got, want)
		}
	}
	exceptions, err := m.ExceptionsOpen(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if want := man.Exceptions.Total - man.Exceptions.Resolved; len(exceptions) != want || want == 0 {
		t.Errorf("%d open exceptions, want %d (total %d, resolved %d)", len(exceptions), want, man.Exceptions.Total, man.Exceptions.Resolved)
	}
}

// TestDiscrepancyLinesExplainEachDiscrepancy: every open discrepancy has
// the items behind it, and they add up to what reconciliation compared: the
// payments and refunds to its system amount, the lines to its bank amount.
func TestDiscrepancyLinesExplainEachDiscrepancy(t *testing.T) {
	ctx := context.Background()
	gstore, man := loadGenerated(t)
	cases := []struct {
		store *data.Store
		asOf  string
	}{
		{loadFixture(t, "basic"), "2026-09-14"},
		{gstore, man.AsOf},
		{gstore, "2026-06-30"},
	}
	for _, c := range cases {
		t.Run(c.asOf, func(t *testing.T) {
			m := analytics.New(c.store)
			asOf := day(t, c.asOf)
			open, err := m.DiscrepanciesOpen(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := m.DiscrepancyLines(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(open) == 0 {
				t.Fatal("no open discrepancy; the test would prove nothing")
			}
			type sums struct {
				system, bank decimal.Decimal
				n            int
			}
			got := map[string]*sums{}
			for _, l := range lines {
				s := got[l.Ref]
				if s == nil {
					s = &sums{}
					got[l.Ref] = s
				}
				s.n++
				switch l.Item {
				case "payment", "refund":
					s.system = s.system.Add(l.Amount)
				case "settlement":
					s.bank = s.bank.Add(l.Amount)
				default:
					t.Errorf("%s: item %q", l.Ref, l.Item)
				}
			}
			rows, err := c.store.DB().QueryContext(ctx, `SELECT ref, system_amount, bank_amount FROM discrepancies_open(CAST(? AS DATE)) JOIN reconciliation_at(CAST(? AS DATE)) USING (ref)`, c.asOf, c.asOf)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var ref string
				var sys, bank data.Decimal
				if err := rows.Scan(&ref, &sys, &bank); err != nil {
					t.Fatal(err)
				}
				n++
				s := got[ref]
				if s == nil {
					t.Errorf("%s: open, with nothing behind it", ref)
					continue
				}
				if !s.system.Equal(sys.Decimal) || !s.bank.Equal(bank.Decimal) {
					t.Errorf("%s: items add up to system %s bank %s, reconciliation compared %s and %s", ref, s.system, s.bank, sys.Decimal, bank.Decimal)
				}
				delete(got, ref)
			}
			if n != len(open) {
				t.Errorf("%d refs joined, %d open", n, len(open))
			}
			for ref := range got {
				t.Errorf("%s: lines for a ref that is not open", ref)
			}
		})
	}
}
