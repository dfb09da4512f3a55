package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

// Rate is an exact decimal that may be missing: a ratio whose denominator is
// zero, a median of nothing. Missing is shown as "—", never as 0.
type Rate struct {
	Value decimal.Decimal
	Valid bool
}

func rate(d data.Decimal) Rate { return Rate{Value: d.Decimal, Valid: d.Valid} }

// Metrics reads the metric views with typed results: amounts and rates as
// decimals, days as dates, never floats.
type Metrics struct {
	db   *sql.DB
	asOf time.Time // zero: every row; else see AsOf
}

// New reads the metrics of store (Install must have run).
func New(store *data.Store) *Metrics { return &Metrics{db: store.DB()} }

// collect runs query and scans every row with scan.
func collect[T any](ctx context.Context, db *sql.DB, query string, scan func(*sql.Rows, *T) error, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %.60q: %w", query, err)
	}
	defer rows.Close()
	// Rows are gathered in chunks and copied once into a slice of their
	// number: a slice grown by appending copies a list of hundreds of
	// thousands of rows about twice over.
	var full [][]T
	out, n := make([]T, 0, 64), 0
	for rows.Next() {
		if len(out) == cap(out) {
			full = append(full, out)
			out = make([]T, 0, min(2*cap(out), 1<<14))
		}
		out = out[:len(out)+1]
		if err := scan(rows, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("scan %.60q: %w", query, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if len(full) == 0 {
		return out, nil
	}
	all := make([]T, 0, n)
	for _, c := range full {
		all = append(all, c...)
	}
	return append(all, out...), nil
}

// The queries behind the typed results, shown beside each chart.
const (
	CollectionMonthlyQuery     = "SELECT period, fee_item, billed, collected, collection_rate, on_time_rate FROM collection_monthly ORDER BY period, fee_item"
	CollectionByAreaQuery      = "SELECT period, area, billed, collected, collection_rate, on_time_rate FROM collection_by_area ORDER BY period, area"
	CollectionByChannelQuery   = "SELECT period, channel, payments, collected, on_time, share FROM collection_by_channel ORDER BY period, channel"
	CollectionByCollectorQuery = "SELECT period, collector, payments, collected, on_time, share FROM collection_by_collector ORDER BY period, collector"
	ArrearsMonthlyQuery        = "SELECT period, opening_arrears, recovered, clearance_rate, households_billed, households_paid, household_rate FROM arrears_monthly ORDER BY period"
	ArrearsAgingQuery          = "SELECT bucket, bills, outstanding FROM arrears_aging(DATE '%s')"
	ReconciliationDailyQuery   = "SELECT day, channel, items, matched, discrepancies, discrepancy_amount, match_rate FROM reconciliation_daily ORDER BY day, channel"
	DiscrepanciesOpenQuery     = "SELECT ref, status, diff, opened_on, age_days FROM discrepancies_open(DATE '%s', latest := %t) ORDER BY opened_on, ref"
	ResolvedDiscrepanciesQuery = "SELECT ref, source, day, channel, collector, system_amount, bank_amount, diff, status, resolution FROM reconciliation WHERE resolution IS NOT NULL ORDER BY day, ref"
	ExceptionsMonthlyQuery     = "SELECT period, type, count, escalated, resolved, median_days_to_resolve FROM exceptions_monthly ORDER BY period, type"
	RefundsCycleQuery          = "SELECT period, requested, approved, rejected, executed, median_days, p90_days FROM refunds_cycle ORDER BY period"
	InvoicesMonthlyQuery       = "SELECT period, issued, lost_or_damaged, reissued, reissue_rate FROM invoices_monthly ORDER BY period"
	OperatorErrorsQuery        = "SELECT period, collector, payments, voided, errors_per_1000 FROM operator_errors ORDER BY period, collector"
	FeedbackMonthlyQuery       = "SELECT period, responses, avg_score FROM feedback_monthly ORDER BY period"
	ImprovementQuery           = "SELECT action_id, title, problem, owner, metric, started_on, before, after, delta, target, target_met, weeks_before, weeks_after, latest_from, latest_to, latest, latest_met, title_en, title_zh FROM improvement ORDER BY started_on, action_id"
	FinanceSummaryQuery        = "SELECT period, billed, collected, refunded, outstanding, walk_in_revenue, provider_fees, net_settled, dso_days, cei, last_due, collecting FROM finance_summary ORDER BY period"
	FeeStandardsQuery          = "SELECT code, name, unit, rate, effective_from, effective_until, name_en, name_zh, unit_en, unit_zh FROM fee_standards ORDER BY code, effective_from"
	AreasQuery                 = "SELECT area, area_en, area_zh FROM areas ORDER BY area"
	MetricWeeklyQuery          = "SELECT week, value FROM metric_weekly('%s', DATE '%s', DATE '%s')"
)

// Collection is one row of collection_monthly or collection_by_area (Key is
// the fee item or the area).
type Collection struct {
	Period, Key                string
	Billed, Collected          decimal.Decimal
	CollectionRate, OnTimeRate Rate
}

func scanCollection(r *sql.Rows, c *Collection) error {
	var billed, collected, cr, ot data.Decimal
	if err := r.Scan(&c.Period, &c.Key, &billed, &collected, &cr, &ot); err != nil {
		return err
	}
	c.Billed, c.Collected, c.CollectionRate, c.OnTimeRate = billed.Decimal, collected.Decimal, rate(cr), rate(ot)
	return nil
}

// CollectionMonthly reads collection_monthly (Key = fee item).
func (m *Metrics) CollectionMonthly(ctx context.Context) ([]Collection, error) {
	return collect(ctx, m.db, m.sql(CollectionMonthlyQuery), scanCollection)
}

// CollectionByArea reads collection_by_area (Key = area).
func (m *Metrics) CollectionByArea(ctx context.Context) ([]Collection, error) {
	return collect(ctx, m.db, m.sql(CollectionByAreaQuery), scanCollection)
}

// CollectionShare is one row of collection_by_channel or
// collection_by_collector (Key is the channel or the collector).
type CollectionShare struct {
	Period, Key       string
	Payments          int
	Collected, OnTime decimal.Decimal
	Share             Rate
}

func scanShare(r *sql.Rows, c *CollectionShare) error {
	var collected, onTime, share data.Decimal
	if err := r.Scan(&c.Period, &c.Key, &c.Payments, &collected, &onTime, &share); err != nil {
		return err
	}
	c.Collected, c.OnTime, c.Share = collected.Decimal, onTime.Decimal, rate(share)
	return nil
}

// CollectionByChannel reads collection_by_channel.
func (m *Metrics) CollectionByChannel(ctx context.Context) ([]CollectionShare, error) {
	return collect(ctx, m.db, m.sql(CollectionByChannelQuery), scanShare)
}

// CollectionByCollector reads collection_by_collector.
func (m *Metrics) CollectionByCollector(ctx context.Context) ([]CollectionShare, error) {
	return collect(ctx, m.db, m.sql(CollectionByCollectorQuery), scanShare)
}

// Arrears is one month of arrears_monthly.
type Arrears struct {
	Period                           string
	OpeningArrears, Recovered        decimal.Decimal
	ClearanceRate                    Rate
	HouseholdsBilled, HouseholdsPaid int
	HouseholdRate                    Rate
}

// ArrearsMonthly reads arrears_monthly.
func (m *Metrics) ArrearsMonthly(ctx context.Context) ([]Arrears, error) {
	return collect(ctx, m.db, m.sql(ArrearsMonthlyQuery), func(r *sql.Rows, a *Arrears) error {
		var open, rec, cr, hr data.Decimal
		var hb, hp sql.NullInt64
		if err := r.Scan(&a.Period, &open, &rec, &cr, &hb, &hp, &hr); err != nil {
			return err
		}
		a.OpeningArrears, a.Recovered, a.ClearanceRate, a.HouseholdRate = open.Decimal, rec.Decimal, rate(cr), rate(hr)
		a.HouseholdsBilled, a.HouseholdsPaid = int(hb.Int64), int(hp.Int64)
		return nil
	})
}

// AgingBucket is one bucket of arrears_aging.
type AgingBucket struct {
	Bucket      string
	Bills       int
	Outstanding decimal.Decimal
}

// ArrearsAging reads arrears_aging(asOf).
func (m *Metrics) ArrearsAging(ctx context.Context, asOf time.Time) ([]AgingBucket, error) {
	return collect(ctx, m.db, fmt.Sprintf(ArrearsAgingQuery, asOf.Format(time.DateOnly)), func(r *sql.Rows, b *AgingBucket) error {
		var out data.Decimal
		if err := r.Scan(&b.Bucket, &b.Bills, &out); err != nil {
			return err
		}
		b.Outstanding = out.Decimal
		return nil
	})
}

// ReconciliationDay is one day and channel of reconciliation_daily.
type ReconciliationDay struct {
	Day                           time.Time
	Channel                       string
	Items, Matched, Discrepancies int
	DiscrepancyAmount             decimal.Decimal
	MatchRate                     Rate
}

// ReconciliationDaily reads reconciliation_daily.
func (m *Metrics) ReconciliationDaily(ctx context.Context) ([]ReconciliationDay, error) {
	return collect(ctx, m.db, ReconciliationDailyQuery, func(r *sql.Rows, d *ReconciliationDay) error {
		var amt, mr data.Decimal
		if err := r.Scan(&d.Day, &d.Channel, &d.Items, &d.Matched, &d.Discrepancies, &amt, &mr); err != nil {
			return err
		}
		d.DiscrepancyAmount, d.MatchRate = amt.Decimal, rate(mr)
		return nil
	})
}

// OpenDiscrepancy is one row of discrepancies_open.
type OpenDiscrepancy struct {
	Ref, Status string
	Diff        decimal.Decimal
	OpenedOn    time.Time
	AgeDays     int
}

// DiscrepanciesOpen reads discrepancies_open(asOf), from the metric facts
// when asOf is on or after the data's last day (see Latest).
func (m *Metrics) DiscrepanciesOpen(ctx context.Context, asOf time.Time) ([]OpenDiscrepancy, error) {
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return collect(ctx, m.db, fmt.Sprintf(DiscrepanciesOpenQuery, asOf.Format(time.DateOnly), latest), func(r *sql.Rows, d *OpenDiscrepancy) error {
		var diff data.Decimal
		if err := r.Scan(&d.Ref, &d.Status, &diff, &d.OpenedOn, &d.AgeDays); err != nil {
			return err
		}
		d.Diff = diff.Decimal
		return nil
	})
}

// Reconciled is one row of the reconciliation view.
type Reconciled struct {
	Ref, Source                    string
	Day                            time.Time
	Channel, Collector             string
	SystemAmount, BankAmount, Diff decimal.Decimal
	Status, Resolution             string
}

// ResolvedDiscrepancies lists the discrepancies that have a resolution.
func (m *Metrics) ResolvedDiscrepancies(ctx context.Context) ([]Reconciled, error) {
	return collect(ctx, m.db, m.sql(ResolvedDiscrepanciesQuery), func(r *sql.Rows, x *Reconciled) error {
		var sys, bank, diff data.Decimal
		var collector, resolution sql.NullString
		if err := r.Scan(&x.Ref, &x.Source, &x.Day, &x.Channel, &collector, &sys, &bank, &diff, &x.Status, &resolution); err != nil {
			return err
		}
		x.SystemAmount, x.BankAmount, x.Diff = sys.Decimal, bank.Decimal, diff.Decimal
		x.Collector, x.Resolution = collector.String, resolution.String
		return nil
	})
}

// ExceptionMonth is one row of exceptions_monthly.
type ExceptionMonth struct {
	Period, Type               string
	Count, Escalated, Resolved int
	MedianDaysToResolve        Rate
}

// ExceptionsMonthly reads exceptions_monthly.
func (m *Metrics) ExceptionsMonthly(ctx context.Context) ([]ExceptionMonth, error) {
	return collect(ctx, m.db, m.sql(ExceptionsMonthlyQuery), func(r *sql.Rows, e *ExceptionMonth) error {
		var med data.Decimal
		if err := r.Scan(&e.Period, &e.Type, &e.Count, &e.Escalated, &e.Resolved, &med); err != nil {
			return err
		}
		e.MedianDaysToResolve = rate(med)
		return nil
	})
}

// RefundMonth is one row of refunds_cycle.
type RefundMonth struct {
	Period                                  string
	Requested, Approved, Rejected, Executed int
	MedianDays, P90Days                     Rate
}

// RefundsCycle reads refunds_cycle.
func (m *Metrics) RefundsCycle(ctx context.Context) ([]RefundMonth, error) {
	return collect(ctx, m.db, RefundsCycleQuery, func(r *sql.Rows, x *RefundMonth) error {
		var med, p90 data.Decimal
		if err := r.Scan(&x.Period, &x.Requested, &x.Approved, &x.Rejected, &x.Executed, &med, &p90); err != nil {
			return err
		}
		x.MedianDays, x.P90Days = rate(med), rate(p90)
		return nil
	})
}

// InvoiceMonth is one row of invoices_monthly.
type InvoiceMonth struct {
	Period                          string
	Issued, LostOrDamaged, Reissued int
	ReissueRate                     Rate
}

// InvoicesMonthly reads invoices_monthly.
func (m *Metrics) InvoicesMonthly(ctx context.Context) ([]InvoiceMonth, error) {
	return collect(ctx, m.db, m.sql(InvoicesMonthlyQuery), func(r *sql.Rows, x *InvoiceMonth) error {
		var rr data.Decimal
		if err := r.Scan(&x.Period, &x.Issued, &x.LostOrDamaged, &x.Reissued, &rr); err != nil {
			return err
		}
		x.ReissueRate = rate(rr)
		return nil
	})
}

// OperatorErrors is one row of operator_errors.
type OperatorErrors struct {
	Period, Collector string
	Payments, Voided  int
	ErrorsPer1000     Rate
}

// OperatorErrorsMonthly reads operator_errors.
func (m *Metrics) OperatorErrorsMonthly(ctx context.Context) ([]OperatorErrors, error) {
	return collect(ctx, m.db, OperatorErrorsQuery, func(r *sql.Rows, x *OperatorErrors) error {
		var e data.Decimal
		if err := r.Scan(&x.Period, &x.Collector, &x.Payments, &x.Voided, &e); err != nil {
			return err
		}
		x.ErrorsPer1000 = rate(e)
		return nil
	})
}

// FeedbackMonth is one row of feedback_monthly.
type FeedbackMonth struct {
	Period    string
	Responses int
	AvgScore  Rate
}

// FeedbackMonthly reads feedback_monthly.
func (m *Metrics) FeedbackMonthly(ctx context.Context) ([]FeedbackMonth, error) {
	return collect(ctx, m.db, m.sql(FeedbackMonthlyQuery), func(r *sql.Rows, x *FeedbackMonth) error {
		var avg data.Decimal
		if err := r.Scan(&x.Period, &x.Responses, &avg); err != nil {
			return err
		}
		x.AvgScore = rate(avg)
		return nil
	})
}

// Improvement is one action of the improvement view.
type Improvement struct {
	ActionID, Title, Problem, Owner, Metric string
	StartedOn                               time.Time
	Before, After, Delta                    Rate
	Target                                  decimal.Decimal
	TargetMet                               *bool // nil: no data after the start yet
	WeeksBefore, WeeksAfter                 int
	// The latest 4 full weeks of data since the start (LatestFrom to
	// LatestTo, both included; zero before a full week) and the metric over
	// them: whether the action still holds its target.
	LatestFrom, LatestTo time.Time
	Latest               Rate
	LatestMet            *bool // nil: not a full week of data yet
	TitleEN, TitleZH     string
}

// Improvements reads the improvement view.
func (m *Metrics) Improvements(ctx context.Context) ([]Improvement, error) {
	return collect(ctx, m.db, ImprovementQuery, func(r *sql.Rows, x *Improvement) error {
		var before, after, delta, target, latest data.Decimal
		var met, latestMet sql.NullBool
		var from, to sql.NullTime
		var en, zh sql.NullString
		if err := r.Scan(&x.ActionID, &x.Title, &x.Problem, &x.Owner, &x.Metric, &x.StartedOn, &before, &after, &delta, &target, &met, &x.WeeksBefore, &x.WeeksAfter,
			&from, &to, &latest, &latestMet, &en, &zh); err != nil {
			return err
		}
		x.Before, x.After, x.Delta, x.Target = rate(before), rate(after), rate(delta), target.Decimal
		if met.Valid {
			x.TargetMet = &met.Bool
		}
		x.LatestFrom, x.LatestTo, x.Latest = from.Time, to.Time, rate(latest)
		if latestMet.Valid {
			x.LatestMet = &latestMet.Bool
		}
		x.TitleEN, x.TitleZH = en.String, zh.String
		return nil
	})
}

// MetricPoint is a metric's value over one week.
type MetricPoint struct {
	Week  time.Time // the week's first day
	Value Rate
}

// MetricWeekly computes a metric (one of the names actions may use) week by
// week, from the week starting on from up to to.
func (m *Metrics) MetricWeekly(ctx context.Context, metric string, from, to time.Time) ([]MetricPoint, error) {
	if !isMetric(metric) {
		return nil, fmt.Errorf("unknown metric %q", metric)
	}
	q := fmt.Sprintf(MetricWeeklyQuery, metric, from.Format(time.DateOnly), to.Format(time.DateOnly))
	return collect(ctx, m.db, q, func(r *sql.Rows, p *MetricPoint) error {
		var v data.Decimal
		if err := r.Scan(&p.Week, &v); err != nil {
			return err
		}
		p.Value = rate(v)
		return nil
	})
}

// MetricNames are the metrics an improvement action may name.
var MetricNames = []string{"collection_rate", "on_time_rate", "match_rate", "discrepancy_amount", "refund_days", "reissue_rate", "errors_per_1000", "avg_score"}

func isMetric(name string) bool {
	for _, n := range MetricNames {
		if n == name {
			return true
		}
	}
	return false
}

// FinanceMonth is one month of finance_summary.
type FinanceMonth struct {
	Period                                                                            string
	Billed, Collected, Refunded, Outstanding, WalkInRevenue, ProviderFees, NetSettled decimal.Decimal
	DSODays, CEI                                                                      Rate
	LastDue                                                                           time.Time // latest due date of its bills; zero when none
	Collecting                                                                        bool      // still collecting: not comparable with mature months yet
}

// FinanceSummary reads finance_summary.
func (m *Metrics) FinanceSummary(ctx context.Context) ([]FinanceMonth, error) {
	return collect(ctx, m.db, m.sql(FinanceSummaryQuery), func(r *sql.Rows, x *FinanceMonth) error {
		var b, c, rf, o, w, pf, ns, dso, cei data.Decimal
		var due sql.NullTime
		if err := r.Scan(&x.Period, &b, &c, &rf, &o, &w, &pf, &ns, &dso, &cei, &due, &x.Collecting); err != nil {
			return err
		}
		x.LastDue = due.Time
		x.Billed, x.Collected, x.Refunded, x.Outstanding = b.Decimal, c.Decimal, rf.Decimal, o.Decimal
		x.WalkInRevenue, x.ProviderFees, x.NetSettled = w.Decimal, pf.Decimal, ns.Decimal
		x.DSODays, x.CEI = rate(dso), rate(cei)
		return nil
	})
}

// FeeStandard is one version of a fee item's published tariff.
type FeeStandard struct {
	Code, Name, Unit string
	Rate             decimal.Decimal
	EffectiveFrom    time.Time
	// EffectiveTo is the last day the version is in force (its own end, or
	// the day before the next version starts); nil while open.
	EffectiveTo    *time.Time
	NameEN, NameZH string
	UnitEN, UnitZH string
}

// FeeStandards reads every version of every fee item (fee_standards).
func (m *Metrics) FeeStandards(ctx context.Context) ([]FeeStandard, error) {
	return collect(ctx, m.db, FeeStandardsQuery, func(r *sql.Rows, x *FeeStandard) error {
		var rt data.Decimal
		var unit, nameEN, nameZH, unitEN, unitZH sql.NullString
		var to sql.NullTime
		if err := r.Scan(&x.Code, &x.Name, &unit, &rt, &x.EffectiveFrom, &to, &nameEN, &nameZH, &unitEN, &unitZH); err != nil {
			return err
		}
		x.Unit, x.Rate = unit.String, rt.Decimal
		x.NameEN, x.NameZH, x.UnitEN, x.UnitZH = nameEN.String, nameZH.String, unitEN.String, unitZH.String
		if to.Valid {
			x.EffectiveTo = &to.Time
		}
		return nil
	})
}

// AreaName is an area with its name per language.
type AreaName struct{ Area, EN, ZH string }

// Areas reads the areas view.
func (m *Metrics) Areas(ctx context.Context) ([]AreaName, error) {
	return collect(ctx, m.db, AreasQuery, func(r *sql.Rows, x *AreaName) error {
		var en, zh sql.NullString
		if err := r.Scan(&x.Area, &en, &zh); err != nil {
			return err
		}
		x.EN, x.ZH = en.String, zh.String
		return nil
	})
}

// Zone is the organisation's zone (feeflow_settings), in which the site
// shows its build time; UTC when none is recorded.
func (m *Metrics) Zone(ctx context.Context) *time.Location {
	var name string
	if err := m.db.QueryRowContext(ctx, `SELECT time_zone FROM feeflow_settings LIMIT 1`).Scan(&name); err == nil {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// DataRange is the first and last day of the data; ok is false when the
// database holds no payments or bills yet.
func (m *Metrics) DataRange(ctx context.Context) (first, last time.Time, ok bool, err error) {
	var f, l sql.NullTime
	if err := m.db.QueryRowContext(ctx, `SELECT data_start(), data_end()`).Scan(&f, &l); err != nil {
		return time.Time{}, time.Time{}, false, fmt.Errorf("data range: %w", err)
	}
	return f.Time, l.Time, f.Valid && l.Valid, nil
}

// Latest reports whether asOf is on or after the data's last day (or there
// is no data): the as-of macros may then read the metric facts (latest :=
// true), which give the same rows as the computation from the base tables
// without recomputing them.
func (m *Metrics) Latest(ctx context.Context, asOf time.Time) (bool, error) {
	_, last, ok, err := m.DataRange(ctx)
	if err != nil {
		return false, err
	}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return !ok || !day.Before(time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)), nil
}
