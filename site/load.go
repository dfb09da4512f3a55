package site

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/feeflow/feeflow/analytics"
)

// dataset is everything the pages show, read once for all languages.
type dataset struct {
	asOf      time.Time
	asOfMonth string
	latest    bool      // asOf is on or after the data's last day: the as-of macros read the facts
	first     time.Time // first day of the data; zero when there is none

	overview    []analytics.OverviewMonth // the last trendMonths months
	collTotals  []analytics.CollectionTotal
	collection  []analytics.Collection
	byArea      []analytics.Collection
	byChannel   []analytics.CollectionShare
	byCollector []analytics.CollectionShare
	arrears     []analytics.Arrears
	aging       []analytics.AgingBucket
	agingTotal  analytics.AgingBucket
	days        []analytics.ReconciliationDay // over all channels
	reconMonths []analytics.ReconciliationMonth
	open        analytics.OpenDiscrepancies
	resolved    []analytics.Reconciled
	exceptions  []analytics.ExceptionMonth
	refunds     []analytics.RefundStages
	invoices    []analytics.InvoiceMonth
	feedback    []analytics.FeedbackMonth
	actions     []analytics.Improvement
	weekly      [][]analytics.MetricPoint // per action
	weeklyFrom  []time.Time
	weeklyTo    []time.Time
	finance     []analytics.FinanceMonth
	fees        []analytics.FeeStandard // every version
	feeChanges  []analytics.FeeStandardChange
	feesInForce []analytics.FeeStandard // on the as-of day

	// the cubes the pages' filters sum in the browser
	collectionCube []analytics.CollectionCell
	paymentsCube   []analytics.PaymentCell
	arrearsCube    []analytics.ArrearsCell
	reconCube      []analytics.ReconciliationCell

	areas []analytics.AreaName
	zone  *time.Location // the organisation's: the build time is shown in it
}

// trendMonths is how many months the overview's sparklines cover.
const trendMonths = 12

func load(ctx context.Context, m *analytics.Metrics, asOf time.Time, now time.Time) (*dataset, error) {
	d := &dataset{}
	first, last, ok, err := m.DataRange(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case !asOf.IsZero():
	case ok:
		asOf = last
	default:
		asOf = now
	}
	d.asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	d.asOfMonth = d.asOf.Format("2006-01")
	d.latest = !ok || !d.asOf.Before(time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC))
	if ok {
		d.first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	}

	// the views read as of the day: the SQL shown beside their figures
	// is the SQL that ran (analytics.SQLAsOf)
	at := m.AsOf(d.asOf)
	var tasks []task
	steps := []struct {
		name string
		run  func() error
	}{
		{"overview", func() (err error) { d.overview, err = m.OverviewMonthly(ctx, d.asOf, trendMonths); return }},
		{"collection totals", func() (err error) { d.collTotals, err = m.CollectionTotals(ctx, d.asOf); return }},
		{"collection", func() (err error) { d.collection, err = at.CollectionMonthly(ctx); return }},
		{"collection by area", func() (err error) { d.byArea, err = at.CollectionByArea(ctx); return }},
		{"collection by channel", func() (err error) { d.byChannel, err = at.CollectionByChannel(ctx); return }},
		{"collection by collector", func() (err error) { d.byCollector, err = at.CollectionByCollector(ctx); return }},
		{"arrears", func() (err error) { d.arrears, err = at.ArrearsMonthly(ctx); return }},
		{"aging", func() (err error) { d.aging, d.agingTotal, err = m.ArrearsAgingWithTotal(ctx, d.asOf); return }},
		{"reconciliation by day", func() (err error) { d.days, err = m.ReconciliationByDay(ctx, d.asOf); return }},
		{"reconciliation by month", func() (err error) { d.reconMonths, err = m.ReconciliationByChannel(ctx, d.asOf); return }},
		{"open discrepancies", func() (err error) { d.open, err = m.DiscrepanciesOpenTotals(ctx, d.asOf); return }},
		{"resolved discrepancies", func() (err error) { d.resolved, err = at.ResolvedDiscrepancies(ctx); return }},
		{"exceptions", func() (err error) { d.exceptions, err = at.ExceptionsMonthly(ctx); return }},
		{"refunds", func() (err error) { d.refunds, err = m.RefundsMonthly(ctx, d.asOf); return }},
		{"invoices", func() (err error) { d.invoices, err = at.InvoicesMonthly(ctx); return }},
		{"feedback", func() (err error) { d.feedback, err = at.FeedbackMonthly(ctx); return }},
		{"improvement", func() (err error) { d.actions, err = m.Improvements(ctx); return }},
		{"finance summary", func() (err error) { d.finance, err = at.FinanceSummary(ctx); return }},
		{"fee standards", func() (err error) { d.feeChanges, err = m.FeeStandardChanges(ctx); return }},
		{"fee standards in force", func() (err error) { d.feesInForce, err = m.FeeStandardsAt(ctx, d.asOf); return }},
		{"areas", func() (err error) { d.areas, err = m.Areas(ctx); return }},
		{"zone", func() error { d.zone = m.Zone(ctx); return nil }},
		{"collection cube", func() (err error) { d.collectionCube, err = m.CollectionCube(ctx); return }},
		{"payments cube", func() (err error) { d.paymentsCube, err = m.PaymentsCube(ctx); return }},
		{"arrears cube", func() (err error) { d.arrearsCube, err = m.ArrearsCube(ctx); return }},
		{"reconciliation cube", func() (err error) { d.reconCube, err = m.ReconciliationCube(ctx); return }},
	}
	// The views are independent; each read fills its own field, so they
	// could run side by side (see parallelReads).
	for _, s := range steps {
		tasks = append(tasks, task{s.name, s.run})
	}
	if err := runAll(figureReads, tasks); err != nil {
		return nil, err
	}
	tasks = nil
	d.cut()
	for _, f := range d.feeChanges {
		d.fees = append(d.fees, f.FeeStandard)
	}

	d.weekly = make([][]analytics.MetricPoint, len(d.actions))
	for i, a := range d.actions {
		from, to := d.weekRange(a.StartedOn)
		d.weeklyFrom = append(d.weeklyFrom, from)
		d.weeklyTo = append(d.weeklyTo, to)
		tasks = append(tasks, task{"weekly " + a.Metric, func() (err error) {
			d.weekly[i], err = m.MetricWeekly(ctx, a.Metric, from, to)
			return err
		}})
	}

	if err := runAll(figureReads, tasks); err != nil {
		return nil, err
	}
	return d, nil
}

// task is one read of the metrics.
type task struct {
	name string
	run  func() error
}

// The reads in flight. The figures read one at a time: DuckDB already uses
// every core for one query, and reads side by side ran out of a 256 MB
// buffer limit on the demo data (measured: 3 at a time failed to pin a
// block). The lists read two at a time: most of a long list's time is Go
// scanning its rows on one core, while DuckDB can compute the next list
// (at 10 M payments the lists took 6.9 s one at a time, idle).
const (
	figureReads = 1
	listReads   = 2
)

// runAll runs the tasks, at most lanes at a time, and returns the errors
// in task order.
func runAll(lanes int, tasks []task) error {
	errs := make([]error, len(tasks))
	sem := make(chan struct{}, lanes)
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			started := time.Now()
			err := t.run()
			if os.Getenv("FEEFLOW_TRACE_READS") != "" { // where a slow build spends its time
				fmt.Fprintf(os.Stderr, "read %-28s %6d ms\n", t.name, time.Since(started).Milliseconds())
			}
			if err != nil {
				errs[i] = fmt.Errorf("read %s: %w", t.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// cut drops from the cubes what lies after the as-of day: months after its
// month, days after it. (The views are read as of the day.)
func (d *dataset) cut() {
	d.collectionCube = keep(d.collectionCube, func(c analytics.CollectionCell) bool { return c.Period <= d.asOfMonth })
	d.paymentsCube = keep(d.paymentsCube, func(c analytics.PaymentCell) bool { return c.Period <= d.asOfMonth })
	d.arrearsCube = keep(d.arrearsCube, func(c analytics.ArrearsCell) bool { return c.Period <= d.asOfMonth })
	d.reconCube = keep(d.reconCube, func(c analytics.ReconciliationCell) bool { return !c.Day.After(d.asOf) })
}

func keep[T any](in []T, ok func(T) bool) []T {
	var out []T
	for _, v := range in {
		if ok(v) {
			out = append(out, v)
		}
	}
	return out
}

// weekRange is the window of an action's weekly chart: up to 12 weeks before
// its start (not before the data) and up to 12 after (not past the as-of
// day), in whole weeks aligned on the start so that a week begins on it.
func (d *dataset) weekRange(start time.Time) (from, to time.Time) {
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	weeks := 12
	if !d.first.IsZero() {
		if w := int(start.Sub(d.first).Hours() / 24 / 7); w < weeks {
			weeks = max(w, 0)
		}
	}
	from = start.AddDate(0, 0, -7*weeks)
	to = start.AddDate(0, 0, 7*12)
	if end := d.asOf.AddDate(0, 0, 1); to.After(end) {
		to = end
	}
	if !to.After(from) {
		to = from.AddDate(0, 0, 1)
	}
	return from, to
}

func monthEnd(period string) time.Time {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return time.Time{}
	}
	return t.AddDate(0, 1, -1)
}
