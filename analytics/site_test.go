package analytics_test

import (
	"context"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/shopspring/decimal"
)

// ratio is num / den to 4 places, half away from zero, as ratio4 rounds: the
// tests' own arithmetic, to check the views' rates.
func ratio(num, den decimal.Decimal) analytics.Rate {
	if den.IsZero() {
		return analytics.Rate{}
	}
	return analytics.Rate{Value: num.DivRound(den, 4), Valid: true}
}

func sameRate(a, b analytics.Rate) bool {
	return a.Valid == b.Valid && (!a.Valid || a.Value.Equal(b.Value))
}

func intDec(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }

// TestCollectionTotalsAreTheSumOfFeeItems checks collection_totals_through
// against collection_monthly (billed, collected) and collection_by_channel
// (on time, payments), period by period, and its total against its periods.
func TestCollectionTotalsAreTheSumOfFeeItems(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	m := analytics.New(store)
	asOf := time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC)
	got, err := m.CollectionTotals(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	items, err := m.CollectionMonthly(ctx)
	if err != nil {
		t.Fatal(err)
	}
	channels, err := m.CollectionByChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type sums struct {
		billed, collected, onTime decimal.Decimal
		payments                  int
	}
	want := map[string]*sums{}
	var periods []string
	for _, c := range items {
		if c.Period > "2026-08" {
			continue
		}
		if want[c.Period] == nil {
			want[c.Period] = &sums{}
			periods = append(periods, c.Period)
		}
		s := want[c.Period]
		s.billed, s.collected = s.billed.Add(c.Billed), s.collected.Add(c.Collected)
	}
	for _, c := range channels {
		if s := want[c.Period]; s != nil {
			s.onTime, s.payments = s.onTime.Add(c.OnTime), s.payments+c.Payments
		}
	}
	if len(got) != len(periods)+1 {
		t.Fatalf("CollectionTotals(%v) has %d rows, want %d periods and a total", asOf, len(got), len(periods))
	}
	var total sums
	for i, p := range periods {
		g, w := got[i], want[p]
		if g.Period != p || g.Total {
			t.Fatalf("row %d = %s (total %v), want period %s", i, g.Period, g.Total, p)
		}
		if !g.Billed.Equal(w.billed) || !g.Collected.Equal(w.collected) || !g.OnTime.Equal(w.onTime) || g.Payments != w.payments {
			t.Errorf("%s = %v/%v/%v/%d, want the sum of its parts %v/%v/%v/%d", p, g.Billed, g.Collected, g.OnTime, g.Payments, w.billed, w.collected, w.onTime, w.payments)
		}
		if !sameRate(g.CollectionRate, ratio(w.collected, w.billed)) || !sameRate(g.OnTimeRate, ratio(w.onTime, w.billed)) {
			t.Errorf("%s rates = %v, %v", p, g.CollectionRate, g.OnTimeRate)
		}
		total.billed, total.collected, total.onTime = total.billed.Add(w.billed), total.collected.Add(w.collected), total.onTime.Add(w.onTime)
		total.payments += w.payments
	}
	tot := got[len(got)-1]
	if !tot.Total || tot.Period != "" {
		t.Fatalf("last row = %+v, want the total", tot)
	}
	if !tot.Billed.Equal(total.billed) || !tot.Collected.Equal(total.collected) || !tot.OnTime.Equal(total.onTime) || tot.Payments != total.payments ||
		!sameRate(tot.CollectionRate, ratio(total.collected, total.billed)) || !sameRate(tot.OnTimeRate, ratio(total.onTime, total.billed)) {
		t.Errorf("total = %+v, want %+v", tot, total)
	}

	// before the data there is nothing, not even a total
	none, err := m.CollectionTotals(ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(none) != 0 {
		t.Errorf("CollectionTotals before the data = %v, %v; want no rows", none, err)
	}
}

// TestReconciliationTotalsAreTheSumOfChannels checks reconciliation_by_day
// and reconciliation_by_channel against reconciliation_daily.
func TestReconciliationTotalsAreTheSumOfChannels(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	m := analytics.New(store)
	asOf := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	daily, err := m.ReconciliationDaily(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type sums struct {
		items, matched, discrepancies int
		amount                        decimal.Decimal
	}
	add := func(s *sums, r analytics.ReconciliationDay) {
		s.items, s.matched, s.discrepancies = s.items+r.Items, s.matched+r.Matched, s.discrepancies+r.Discrepancies
		s.amount = s.amount.Add(r.DiscrepancyAmount)
	}
	byDay, byChannel, byMonth := map[time.Time]*sums{}, map[[2]string]*sums{}, map[string]*sums{}
	for _, r := range daily {
		if r.Day.After(asOf) {
			continue
		}
		p := r.Day.Format("2006-01")
		if byDay[r.Day] == nil {
			byDay[r.Day] = &sums{}
		}
		if byChannel[[2]string{p, r.Channel}] == nil {
			byChannel[[2]string{p, r.Channel}] = &sums{}
		}
		if byMonth[p] == nil {
			byMonth[p] = &sums{}
		}
		add(byDay[r.Day], r)
		add(byChannel[[2]string{p, r.Channel}], r)
		add(byMonth[p], r)
	}
	check := func(what string, items, matched, disc int, amount decimal.Decimal, mr analytics.Rate, w *sums) {
		t.Helper()
		if w == nil {
			t.Errorf("%s: not in reconciliation_daily", what)
			return
		}
		if items != w.items || matched != w.matched || disc != w.discrepancies || !amount.Equal(w.amount) || !sameRate(mr, ratio(intDec(w.matched), intDec(w.items))) {
			t.Errorf("%s = %d/%d/%d/%v/%v, want %+v", what, items, matched, disc, amount, mr, *w)
		}
	}

	days, err := m.ReconciliationByDay(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != len(byDay) || len(days) == 0 {
		t.Fatalf("ReconciliationByDay has %d days, want %d", len(days), len(byDay))
	}
	for _, d := range days {
		check(d.Day.Format(time.DateOnly), d.Items, d.Matched, d.Discrepancies, d.DiscrepancyAmount, d.MatchRate, byDay[d.Day])
	}

	months, err := m.ReconciliationByChannel(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != len(byChannel)+len(byMonth) {
		t.Fatalf("ReconciliationByChannel has %d rows, want %d channels and %d totals", len(months), len(byChannel), len(byMonth))
	}
	for i, x := range months {
		if x.Total {
			check(x.Period+" total", x.Items, x.Matched, x.Discrepancies, x.DiscrepancyAmount, x.MatchRate, byMonth[x.Period])
			if i == 0 || months[i-1].Period != x.Period || months[i-1].Total {
				t.Errorf("%s: the total does not follow its channels", x.Period)
			}
			continue
		}
		check(x.Period+" "+x.Channel, x.Items, x.Matched, x.Discrepancies, x.DiscrepancyAmount, x.MatchRate, byChannel[[2]string{x.Period, x.Channel}])
	}
}

// TestAgingAndOpenListTotals checks the totals that stand under the aging
// table and the follow-up list.
func TestAgingAndOpenListTotals(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	m := analytics.New(store)
	asOf := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

	buckets, total, err := m.ArrearsAgingWithTotal(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.ArrearsAging(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != len(want) {
		t.Fatalf("ArrearsAgingWithTotal has %d buckets, want %d", len(buckets), len(want))
	}
	var bills int
	var sum decimal.Decimal
	for i, b := range buckets {
		if b.Bucket != want[i].Bucket || b.Bills != want[i].Bills || !b.Outstanding.Equal(want[i].Outstanding) {
			t.Errorf("bucket %d = %+v, want %+v", i, b, want[i])
		}
		bills, sum = bills+b.Bills, sum.Add(b.Outstanding)
	}
	if total.Bills != bills || !total.Outstanding.Equal(sum) || sum.IsZero() {
		t.Errorf("aging total = %d, %v; want %d, %v", total.Bills, total.Outstanding, bills, sum)
	}

	open, err := m.DiscrepanciesOpenTotals(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	list, err := m.DiscrepanciesOpen(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var abs, net decimal.Decimal
	for _, o := range list {
		abs, net = abs.Add(o.Diff.Abs()), net.Add(o.Diff)
	}
	if len(open.Rows) != len(list) || open.Count != len(list) || !open.Abs.Equal(abs) || !open.Net.Equal(net) || len(list) == 0 {
		t.Errorf("open list: %d rows, count %d, |diff| %v, net %v; want %d, %v, %v", len(open.Rows), open.Count, open.Abs, open.Net, len(list), abs, net)
	}
}

// TestOpenDiscrepanciesAtMonthEnds checks discrepancies_open_monthly: at the
// last day of the data, "open as known now" is the follow-up list of that
// day; before it, a count from the reconciliation rows and the resolutions
// as the definition reads; and every month of the data is there.
func TestOpenDiscrepanciesAtMonthEnds(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	m := analytics.New(store)
	_, last, ok, err := m.DataRange(ctx)
	if err != nil || !ok {
		t.Fatalf("DataRange: %v %v", ok, err)
	}
	rows, err := store.DB().QueryContext(ctx, `SELECT period, open FROM discrepancies_open_monthly ORDER BY period`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	var periods []string
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			t.Fatal(err)
		}
		got[p] = n
		periods = append(periods, p)
	}
	rows.Close()
	if len(periods) != 12 || periods[len(periods)-1] != last.Format("2006-01") {
		t.Fatalf("months = %v, want the 12 months of the data up to %v", periods, last)
	}

	list, err := m.DiscrepanciesOpen(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if n := got[last.Format("2006-01")]; n != len(list) || n == 0 {
		t.Errorf("open at the data's last day = %d, want discrepancies_open(%s) = %d", n, last.Format(time.DateOnly), len(list))
	}

	// the definition, counted in Go from today's reconciliation and the
	// resolutions
	type disc struct {
		opened   time.Time
		resolved *time.Time
	}
	var discs []disc
	drows, err := store.DB().QueryContext(ctx, `SELECT r.opened_on, (SELECT min(local_day(resolved_at)) FROM resolutions s WHERE s.ref = r.ref)
		FROM reconciliation_rows_at(data_end()) r WHERE r.status NOT IN ('matched', 'pending')`)
	if err != nil {
		t.Fatal(err)
	}
	for drows.Next() {
		var d disc
		var res *time.Time
		if err := drows.Scan(&d.opened, &res); err != nil {
			t.Fatal(err)
		}
		d.resolved = res
		discs = append(discs, d)
	}
	drows.Close()
	resolvedSome := false
	for _, p := range periods {
		first, _ := time.Parse("2006-01", p)
		end := first.AddDate(0, 1, -1)
		if end.After(last) {
			end = last
		}
		n := 0
		for _, d := range discs {
			if !d.opened.After(end) && (d.resolved == nil || d.resolved.After(end)) {
				n++
			}
			if d.resolved != nil && !d.resolved.After(end) && !d.opened.After(end) {
				resolvedSome = true
			}
		}
		if got[p] != n {
			t.Errorf("open at the end of %s = %d, want %d", p, got[p], n)
		}
	}
	if !resolvedSome {
		t.Errorf("the data resolves no discrepancy: the test cannot tell resolved from open")
	}
}

// TestOverviewSeries checks overview_monthly against the views it gathers.
func TestOverviewSeries(t *testing.T) {
	store, _ := loadGenerated(t)
	ctx := context.Background()
	m := analytics.New(store)
	asOf := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	got, err := m.OverviewMonthly(ctx, asOf, 6)
	if err != nil {
		t.Fatal(err)
	}
	finance, err := m.FinanceSummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var periods []string
	for _, f := range finance {
		if f.Period <= "2026-09" {
			periods = append(periods, f.Period)
		}
	}
	periods = periods[len(periods)-6:]
	if len(got) != 6 {
		t.Fatalf("OverviewMonthly(6) has %d months", len(got))
	}
	totals, err := m.CollectionTotals(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	coll := map[string]analytics.CollectionTotal{}
	for _, c := range totals {
		coll[c.Period] = c
	}
	recon, err := m.ReconciliationByChannel(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	match := map[string]analytics.Rate{}
	for _, r := range recon {
		if r.Total {
			match[r.Period] = r.MatchRate
		}
	}
	refunds, err := m.RefundsCycle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range got {
		if o.Period != periods[i] {
			t.Fatalf("month %d = %s, want %s", i, o.Period, periods[i])
		}
		if !sameRate(o.CollectionRate, coll[o.Period].CollectionRate) || !sameRate(o.OnTimeRate, coll[o.Period].OnTimeRate) {
			t.Errorf("%s collection rates = %v %v, want %v %v", o.Period, o.CollectionRate, o.OnTimeRate, coll[o.Period].CollectionRate, coll[o.Period].OnTimeRate)
		}
		if !sameRate(o.MatchRate, match[o.Period]) {
			t.Errorf("%s match rate = %v, want %v", o.Period, o.MatchRate, match[o.Period])
		}
		ofMonth, toDate := 0, 0
		for _, r := range refunds {
			open := r.Requested - r.Rejected - r.Executed
			if r.Period == o.Period {
				ofMonth = open
			}
			if r.Period <= o.Period {
				toDate += open
			}
		}
		if o.RefundsOpenOfMonth != ofMonth || o.RefundsOpenToDate != toDate {
			t.Errorf("%s refunds in progress = %d, %d; want %d, %d", o.Period, o.RefundsOpenOfMonth, o.RefundsOpenToDate, ofMonth, toDate)
		}
	}
}
