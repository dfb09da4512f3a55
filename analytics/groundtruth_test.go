package analytics_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/shopspring/decimal"
)

// generated is a data set from the generator, loaded through the real ingest
// path, with the generator's manifest as ground truth. It is built once.
var generated struct {
	once  sync.Once
	store *data.Store
	m     *gen.Manifest
	err   error
}

func loadGenerated(t *testing.T) (*data.Store, *gen.Manifest) {
	t.Helper()
	g := &generated
	g.once.Do(func() {
		ctx := context.Background()
		dir, err := tempDir()
		if err != nil {
			g.err = err
			return
		}
		m, err := gen.Write(ctx, filepath.Join(dir, "exports"), gen.Config{Customers: 400, Months: 12, Seed: 7, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			g.err = err
			return
		}
		loc, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			g.err = err
			return
		}
		store, err := data.Open(ctx, filepath.Join(dir, "feeflow.duckdb"), data.Options{Location: loc})
		if err != nil {
			g.err = err
			return
		}
		in := ingest.New(store, ingest.Config{Location: loc})
		for _, f := range m.Files {
			if _, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: filepath.Join(dir, "exports", f.File), FileName: f.File}); err != nil {
				g.err = err
				return
			}
		}
		if err := analytics.Install(ctx, store); err != nil {
			g.err = err
			return
		}
		g.store, g.m = store, m
	})
	if g.err != nil {
		t.Fatal(g.err)
	}
	return g.store, g.m
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestReconciliationFindsExactlyTheInjectedDiscrepancies holds the views to
// the generator's manifest: every injected discrepancy (payments, groups,
// and the channels' refund lines) is reported with its ref, status, day,
// channel and amounts, and nothing else is.
func TestReconciliationFindsExactlyTheInjectedDiscrepancies(t *testing.T) {
	store, m := loadGenerated(t)
	if len(m.Reconciliation.Anomalies) == 0 {
		t.Fatal("the generator injected no anomalies; the test would prove nothing")
	}
	c := m.Reconciliation.Counts
	if c.MissingRefundLine == 0 || c.RefundAmountMismatch == 0 || c.MissingRefund == 0 || c.DuplicateRefundLine == 0 {
		t.Fatalf("the generator injected no fault of some refund type: %+v", c)
	}
	type row struct {
		status, source, day, channel string
		diff, system, bank           data.Decimal
		resolution                   *string
	}
	got := map[string]row{}
	rows, err := store.DB().Query(`SELECT ref, status, source, CAST(day AS VARCHAR), channel, diff, system_amount, bank_amount, resolution
		FROM reconciliation WHERE status NOT IN ('matched', 'pending')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ref string
		var r row
		if err := rows.Scan(&ref, &r.status, &r.source, &r.day, &r.channel, &r.diff, &r.system, &r.bank, &r.resolution); err != nil {
			t.Fatal(err)
		}
		got[ref] = r
	}
	rows.Close()
	for _, a := range m.Reconciliation.Anomalies {
		r, ok := got[a.Ref]
		if !ok {
			t.Errorf("injected %s %s is not reported", a.Type, a.Ref)
			continue
		}
		delete(got, a.Ref)
		if r.status != a.Status || r.source != a.Source || r.day != a.Day || r.channel != a.Channel {
			t.Errorf("%s: %s %s %s %s, want %s %s %s %s", a.Ref, r.status, r.source, r.day, r.channel, a.Status, a.Source, a.Day, a.Channel)
		}
		if !r.diff.Decimal.Equal(dec(t, a.Diff)) || !r.system.Decimal.Equal(dec(t, a.SystemAmount)) || !r.bank.Decimal.Equal(dec(t, a.BankAmount)) {
			t.Errorf("%s: system %s bank %s diff %s, want %s %s %s", a.Ref, r.system.Decimal, r.bank.Decimal, r.diff.Decimal, a.SystemAmount, a.BankAmount, a.Diff)
		}
		if a.Resolved != (r.resolution != nil) || (r.resolution != nil && *r.resolution != a.Resolution) {
			t.Errorf("%s: resolution %v, want resolved=%v %q", a.Ref, r.resolution, a.Resolved, a.Resolution)
		}
	}
	for ref, r := range got {
		t.Errorf("reported %s %s (diff %s), which the generator did not inject", ref, r.status, r.diff.Decimal)
	}
	var pending []string
	prow, err := store.DB().Query(`SELECT ref FROM reconciliation WHERE status = 'pending' AND source = 'payment' ORDER BY ref`)
	if err != nil {
		t.Fatal(err)
	}
	for prow.Next() {
		var ref string
		prow.Scan(&ref)
		pending = append(pending, ref)
	}
	prow.Close()
	if len(pending) != len(m.Reconciliation.UnsettledInWindow) {
		t.Errorf("pending payments %v, want the ones still inside the window %v", pending, m.Reconciliation.UnsettledInWindow)
	}
	var pendingRefunds []string
	rrow, err := store.DB().Query(`SELECT ref FROM reconciliation WHERE status = 'pending' AND source = 'refund' ORDER BY ref`)
	if err != nil {
		t.Fatal(err)
	}
	for rrow.Next() {
		var ref string
		rrow.Scan(&ref)
		pendingRefunds = append(pendingRefunds, ref)
	}
	rrow.Close()
	if !slices.Equal(pendingRefunds, slices.Sorted(slices.Values(m.Reconciliation.RefundsInWindow))) {
		t.Errorf("pending refunds %v, want the ones still inside the window %v", pendingRefunds, m.Reconciliation.RefundsInWindow)
	}
	var total, matched int
	store.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'matched') FROM reconciliation WHERE status <> 'pending'`).Scan(&total, &matched)
	e := m.Reconciliation.Expected
	if total != e.Rows || matched != e.Matched {
		t.Errorf("reconciliation has %d decided rows, %d matched; want %d, %d", total, matched, e.Rows, e.Matched)
	}
}

func TestCollectionMatchesGroundTruth(t *testing.T) {
	store, m := loadGenerated(t)
	for _, p := range m.Periods {
		var billed, collected data.Decimal
		err := store.DB().QueryRow(`SELECT sum(billed), sum(collected) FROM collection_monthly WHERE period = ?`, p.Period).Scan(&billed, &collected)
		if err != nil {
			t.Fatal(err)
		}
		if !billed.Decimal.Equal(dec(t, p.Billed)) || !collected.Decimal.Equal(dec(t, p.Collected)) {
			t.Errorf("%s: billed %s collected %s, want %s %s", p.Period, billed.Decimal, collected.Decimal, p.Billed, p.Collected)
		}
		var hb, hp int
		store.DB().QueryRow(`SELECT households_billed, households_paid FROM arrears_monthly WHERE period = ?`, p.Period).Scan(&hb, &hp)
		if hb != p.HouseholdsBilled || hp != p.HouseholdsFullyPaid {
			t.Errorf("%s: households %d billed %d paid, want %d %d", p.Period, hb, hp, p.HouseholdsBilled, p.HouseholdsFullyPaid)
		}
	}
}

func TestAgingMatchesGroundTruth(t *testing.T) {
	store, m := loadGenerated(t)
	rows, err := store.DB().Query(`SELECT bucket, bills, outstanding FROM arrears_aging(CAST(? AS DATE))`, m.AsOf)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var bucket string
		var bills int
		var out data.Decimal
		rows.Scan(&bucket, &bills, &out)
		if i >= len(m.Aging) {
			t.Fatalf("more buckets than %d", len(m.Aging))
		}
		w := m.Aging[i]
		if bucket != w.Bucket || bills != w.Bills || !out.Decimal.Equal(dec(t, w.Outstanding)) {
			t.Errorf("bucket %s: %d bills %s, want %s %d %s", bucket, bills, out.Decimal, w.Bucket, w.Bills, w.Outstanding)
		}
		i++
	}
	if i != len(m.Aging) {
		t.Errorf("%d buckets, want %d", i, len(m.Aging))
	}
}

func TestImprovementShowsTheInjectedEffects(t *testing.T) {
	store, m := loadGenerated(t)
	for _, a := range m.Actions {
		var delta data.Decimal
		if err := store.DB().QueryRow(`SELECT delta FROM improvement WHERE action_id = ?`, a.ActionID).Scan(&delta); err != nil {
			t.Fatal(err)
		}
		if !delta.Valid {
			t.Errorf("%s (%s): no delta", a.ActionID, a.Metric)
			continue
		}
		if (a.Direction == "up") != delta.Decimal.IsPositive() || delta.Decimal.IsZero() {
			t.Errorf("%s (%s): delta %s, want it %s", a.ActionID, a.Metric, delta.Decimal, a.Direction)
		}
	}
}

func TestTypedAccessReadsEveryView(t *testing.T) {
	store, m := loadGenerated(t)
	ctx := context.Background()
	mt := analytics.New(store)
	asOf, _ := time.Parse(time.DateOnly, m.AsOf)
	checks := []struct {
		name string
		n    func() (int, error)
	}{
		{"collection", func() (int, error) { r, err := mt.CollectionMonthly(ctx); return len(r), err }},
		{"area", func() (int, error) { r, err := mt.CollectionByArea(ctx); return len(r), err }},
		{"channel", func() (int, error) { r, err := mt.CollectionByChannel(ctx); return len(r), err }},
		{"collector", func() (int, error) { r, err := mt.CollectionByCollector(ctx); return len(r), err }},
		{"arrears", func() (int, error) { r, err := mt.ArrearsMonthly(ctx); return len(r), err }},
		{"aging", func() (int, error) { r, err := mt.ArrearsAging(ctx, asOf); return len(r), err }},
		{"daily", func() (int, error) { r, err := mt.ReconciliationDaily(ctx); return len(r), err }},
		{"open", func() (int, error) { r, err := mt.DiscrepanciesOpen(ctx, asOf); return len(r), err }},
		{"resolved", func() (int, error) { r, err := mt.ResolvedDiscrepancies(ctx); return len(r), err }},
		{"exceptions", func() (int, error) { r, err := mt.ExceptionsMonthly(ctx); return len(r), err }},
		{"refunds", func() (int, error) { r, err := mt.RefundsCycle(ctx); return len(r), err }},
		{"invoices", func() (int, error) { r, err := mt.InvoicesMonthly(ctx); return len(r), err }},
		{"errors", func() (int, error) { r, err := mt.OperatorErrorsMonthly(ctx); return len(r), err }},
		{"feedback", func() (int, error) { r, err := mt.FeedbackMonthly(ctx); return len(r), err }},
		{"improvement", func() (int, error) { r, err := mt.Improvements(ctx); return len(r), err }},
		{"finance", func() (int, error) { r, err := mt.FinanceSummary(ctx); return len(r), err }},
		{"fees", func() (int, error) { r, err := mt.FeeStandards(ctx); return len(r), err }},
		{"weekly", func() (int, error) {
			r, err := mt.MetricWeekly(ctx, "match_rate", asOf.AddDate(0, 0, -70), asOf)
			return len(r), err
		}},
	}
	for _, c := range checks {
		n, err := c.n()
		if err != nil || n == 0 {
			t.Errorf("%s: %d rows, %v", c.name, n, err)
		}
	}
}
