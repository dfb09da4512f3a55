package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

// The dashboard's own figures (80_site.sql): totals, the totals under
// tables and the overview's series, computed in SQL so that the site only
// renders rows. Each accessor runs the text its SQL function returns for the
// same as-of day, and the site shows that very text beside the figure: run
// in `feeflow sql`, it gives the figures on the page. The as-of day is
// formatted in as a literal (a date, never input text).

// AsOf reads the same metrics as they stand on a day, as the dashboard
// shows them: the monthly views' rows up to its month, the resolved
// discrepancies up to the day. The filter is part of the SQL that runs (see
// SQLAsOf); the other accessors read as New's do.
func (m *Metrics) AsOf(asOf time.Time) *Metrics {
	c := *m
	c.asOf = asOf
	return &c
}

// sql is the text an accessor runs for its query.
func (m *Metrics) sql(query string) string {
	if m.asOf.IsZero() {
		return query
	}
	return SQLAsOf(query, m.asOf)
}

// asOfQueries are the queries of the views cut at the as-of day: the query
// of each accessor with, in place of %s, the as-of month (or day).
var asOfQueries = map[string]string{
	CollectionMonthlyQuery:     "SELECT period, fee_item, billed, collected, collection_rate, on_time_rate FROM collection_monthly WHERE period <= '%s' ORDER BY period, fee_item",
	CollectionByAreaQuery:      "SELECT period, area, billed, collected, collection_rate, on_time_rate FROM collection_by_area WHERE period <= '%s' ORDER BY period, area",
	CollectionByChannelQuery:   "SELECT period, channel, payments, collected, on_time, share FROM collection_by_channel WHERE period <= '%s' ORDER BY period, channel",
	CollectionByCollectorQuery: "SELECT period, collector, payments, collected, on_time, share FROM collection_by_collector WHERE period <= '%s' ORDER BY period, collector",
	ArrearsMonthlyQuery:        "SELECT period, opening_arrears, recovered, clearance_rate, households_billed, households_paid, household_rate FROM arrears_monthly WHERE period <= '%s' ORDER BY period",
	ExceptionsMonthlyQuery:     "SELECT period, type, count, escalated, resolved, median_days_to_resolve FROM exceptions_monthly WHERE period <= '%s' ORDER BY period, type",
	InvoicesMonthlyQuery:       "SELECT period, issued, lost_or_damaged, reissued, reissue_rate FROM invoices_monthly WHERE period <= '%s' ORDER BY period",
	FeedbackMonthlyQuery:       "SELECT period, responses, avg_score FROM feedback_monthly WHERE period <= '%s' ORDER BY period",
	FinanceSummaryQuery:        "SELECT period, billed, collected, refunded, outstanding, walk_in_revenue, provider_fees, net_settled, dso_days, cei, last_due, collecting FROM finance_summary WHERE period <= '%s' ORDER BY period",
}

// SQLAsOf is the text that query (one of the package's ...Query constants)
// runs as read through AsOf(asOf): the text shown beside the figures it
// gives. A query with no as-of form is returned as it is.
func SQLAsOf(query string, asOf time.Time) string {
	if query == ResolvedDiscrepanciesQuery {
		return fmt.Sprintf("SELECT ref, source, day, channel, collector, system_amount, bank_amount, diff, status, resolution FROM reconciliation WHERE resolution IS NOT NULL AND day <= DATE '%s' ORDER BY day, ref", asOf.Format(time.DateOnly))
	}
	if q, ok := asOfQueries[query]; ok {
		return fmt.Sprintf(q, asOfMonth(asOf))
	}
	return query
}

// asOfMonth is the month (YYYY-MM) of an as-of day.
func asOfMonth(asOf time.Time) string { return asOf.Format("2006-01") }

// CollectionTotal is one period of collection_totals_through, or (Total)
// the total of those periods.
type CollectionTotal struct {
	Period                     string // "" on the total
	Total                      bool
	Billed, Collected, OnTime  decimal.Decimal
	Payments                   int
	CollectionRate, OnTimeRate Rate
}

// CollectionTotalsSQL is the query of CollectionTotals.
func CollectionTotalsSQL(asOf time.Time) string {
	return fmt.Sprintf("SELECT period, total, billed, collected, collection_rate, on_time, on_time_rate, payments FROM collection_totals_through('%s')", asOfMonth(asOf))
}

// CollectionTotals reads the collection of every period up to asOf's month
// over all fee items, then their total.
func (m *Metrics) CollectionTotals(ctx context.Context, asOf time.Time) ([]CollectionTotal, error) {
	return collect(ctx, m.db, CollectionTotalsSQL(asOf), func(r *sql.Rows, c *CollectionTotal) error {
		var period sql.NullString
		var billed, collected, onTime, cr, ot data.Decimal
		if err := r.Scan(&period, &c.Total, &billed, &collected, &cr, &onTime, &ot, &c.Payments); err != nil {
			return err
		}
		c.Period, c.Billed, c.Collected, c.OnTime = period.String, billed.Decimal, collected.Decimal, onTime.Decimal
		c.CollectionRate, c.OnTimeRate = rate(cr), rate(ot)
		return nil
	})
}

// ArrearsAgingWithTotalSQL is the query of ArrearsAgingWithTotal.
func ArrearsAgingWithTotalSQL(asOf time.Time, latest bool) string {
	return fmt.Sprintf("SELECT bucket, total, bills, outstanding FROM arrears_aging_with_total(DATE '%s', latest := %t)", asOf.Format(time.DateOnly), latest)
}

// ArrearsAgingWithTotal reads arrears_aging(asOf) and its total.
func (m *Metrics) ArrearsAgingWithTotal(ctx context.Context, asOf time.Time) (buckets []AgingBucket, total AgingBucket, err error) {
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return nil, total, err
	}
	rows, err := collect(ctx, m.db, ArrearsAgingWithTotalSQL(asOf, latest), func(r *sql.Rows, b *struct {
		AgingBucket
		total bool
	}) error {
		var bucket sql.NullString
		var out data.Decimal
		if err := r.Scan(&bucket, &b.total, &b.Bills, &out); err != nil {
			return err
		}
		b.Bucket, b.Outstanding = bucket.String, out.Decimal
		return nil
	})
	for _, b := range rows {
		if b.total {
			total = b.AgingBucket
		} else {
			buckets = append(buckets, b.AgingBucket)
		}
	}
	return buckets, total, err
}

// ReconciliationByDaySQL is the query of ReconciliationByDay.
func ReconciliationByDaySQL(asOf time.Time) string {
	return fmt.Sprintf("SELECT day, items, matched, discrepancies, discrepancy_amount, match_rate FROM reconciliation_by_day WHERE day <= DATE '%s' ORDER BY day", asOf.Format(time.DateOnly))
}

// ReconciliationByDay reads reconciliation_by_day up to asOf (Channel is
// empty: the rows cover every channel).
func (m *Metrics) ReconciliationByDay(ctx context.Context, asOf time.Time) ([]ReconciliationDay, error) {
	return collect(ctx, m.db, ReconciliationByDaySQL(asOf), func(r *sql.Rows, d *ReconciliationDay) error {
		var amt, mr data.Decimal
		if err := r.Scan(&d.Day, &d.Items, &d.Matched, &d.Discrepancies, &amt, &mr); err != nil {
			return err
		}
		d.DiscrepancyAmount, d.MatchRate = amt.Decimal, rate(mr)
		return nil
	})
}

// ReconciliationMonth is one month and channel of
// reconciliation_by_channel, or (Total) the month's total.
type ReconciliationMonth struct {
	Period, Channel               string // Channel "" on the total
	Total                         bool
	Items, Matched, Discrepancies int
	DiscrepancyAmount             decimal.Decimal
	MatchRate                     Rate
}

// ReconciliationByChannelSQL is the query of
// ReconciliationByChannel.
func ReconciliationByChannelSQL(asOf time.Time) string {
	return fmt.Sprintf("SELECT period, channel, total, items, matched, discrepancies, discrepancy_amount, match_rate FROM reconciliation_by_channel WHERE period <= '%s' ORDER BY period, total, channel", asOfMonth(asOf))
}

// ReconciliationByChannel reads reconciliation_by_channel
// for the months up to asOf's: each month's channels, then its total.
func (m *Metrics) ReconciliationByChannel(ctx context.Context, asOf time.Time) ([]ReconciliationMonth, error) {
	return collect(ctx, m.db, ReconciliationByChannelSQL(asOf), func(r *sql.Rows, x *ReconciliationMonth) error {
		var channel sql.NullString
		var amt, mr data.Decimal
		if err := r.Scan(&x.Period, &channel, &x.Total, &x.Items, &x.Matched, &x.Discrepancies, &amt, &mr); err != nil {
			return err
		}
		x.Channel, x.DiscrepancyAmount, x.MatchRate = channel.String, amt.Decimal, rate(mr)
		return nil
	})
}

// OpenDiscrepancies is the follow-up list as of a day with its totals.
type OpenDiscrepancies struct {
	Rows  []OpenDiscrepancy
	Count int
	Abs   decimal.Decimal // sum of |diff|: the size of what is open
	Net   decimal.Decimal // sum of diff
}

// DiscrepanciesOpenTotalsSQL is the query of DiscrepanciesOpenTotals.
// latest: asOf is on or after the data's last day (see Metrics.Latest).
func DiscrepanciesOpenTotalsSQL(asOf time.Time, latest bool) string {
	return fmt.Sprintf("SELECT ref, status, diff, opened_on, age_days, open_count, open_abs, open_net FROM discrepancies_open_totals(DATE '%s', latest := %t)", asOf.Format(time.DateOnly), latest)
}

// DiscrepanciesOpenTotals reads discrepancies_open(asOf) with its count
// and sums.
func (m *Metrics) DiscrepanciesOpenTotals(ctx context.Context, asOf time.Time) (OpenDiscrepancies, error) {
	var out OpenDiscrepancies
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return out, err
	}
	rows, err := collect(ctx, m.db, DiscrepanciesOpenTotalsSQL(asOf, latest), func(r *sql.Rows, d *OpenDiscrepancy) error {
		var diff, abs, net data.Decimal
		if err := r.Scan(&d.Ref, &d.Status, &diff, &d.OpenedOn, &d.AgeDays, &out.Count, &abs, &net); err != nil {
			return err
		}
		d.Diff, out.Abs, out.Net = diff.Decimal, abs.Decimal, net.Decimal
		return nil
	})
	out.Rows = rows
	return out, err
}

// OverviewMonth is one month of overview_monthly.
type OverviewMonth struct {
	Period                                string
	CollectionRate, OnTimeRate            Rate
	Outstanding                           decimal.Decimal
	ClearanceRate, MatchRate              Rate
	OpenDiscrepancies                     int
	RefundsOpenOfMonth, RefundsOpenToDate int
	AvgScore                              Rate
}

// OverviewMonthlySQL is the query of OverviewMonthly.
func OverviewMonthlySQL(asOf time.Time, months int) string {
	return fmt.Sprintf("SELECT period, collection_rate, on_time_rate, outstanding, clearance_rate, match_rate, open_discrepancies, refunds_open_of_month, refunds_open_to_date, avg_score FROM overview_monthly WHERE period <= '%s' QUALIFY row_number() OVER (ORDER BY period DESC) <= %d ORDER BY period", asOfMonth(asOf), months)
}

// OverviewMonthly reads the last months of overview_monthly up to asOf's
// month, oldest first.
func (m *Metrics) OverviewMonthly(ctx context.Context, asOf time.Time, months int) ([]OverviewMonth, error) {
	return collect(ctx, m.db, OverviewMonthlySQL(asOf, months), func(r *sql.Rows, x *OverviewMonth) error {
		var cr, ot, out, clr, mr, avg data.Decimal
		if err := r.Scan(&x.Period, &cr, &ot, &out, &clr, &mr, &x.OpenDiscrepancies, &x.RefundsOpenOfMonth, &x.RefundsOpenToDate, &avg); err != nil {
			return err
		}
		x.CollectionRate, x.OnTimeRate, x.Outstanding = rate(cr), rate(ot), out.Decimal
		x.ClearanceRate, x.MatchRate, x.AvgScore = rate(clr), rate(mr), rate(avg)
		return nil
	})
}

// RefundStages is one month of refunds_monthly: refunds_cycle with the
// month's refunds still in progress.
type RefundStages struct {
	RefundMonth
	OpenOfMonth int // requested - rejected - executed
}

// RefundsMonthlySQL is the query of RefundsMonthly.
func RefundsMonthlySQL(asOf time.Time) string {
	return fmt.Sprintf("SELECT period, requested, approved, rejected, executed, open_of_month, median_days, p90_days FROM refunds_monthly WHERE period <= '%s' ORDER BY period", asOfMonth(asOf))
}

// RefundsMonthly reads refunds_monthly for the months up to asOf's.
func (m *Metrics) RefundsMonthly(ctx context.Context, asOf time.Time) ([]RefundStages, error) {
	return collect(ctx, m.db, RefundsMonthlySQL(asOf), func(r *sql.Rows, x *RefundStages) error {
		var med, p90 data.Decimal
		if err := r.Scan(&x.Period, &x.Requested, &x.Approved, &x.Rejected, &x.Executed, &x.OpenOfMonth, &med, &p90); err != nil {
			return err
		}
		x.MedianDays, x.P90Days = rate(med), rate(p90)
		return nil
	})
}

// FeeStandardChange is one version of fee_standard_changes: a version of a
// fee item's tariff and the change of its rate from the version before.
type FeeStandardChange struct {
	FeeStandard
	RateChange Rate // missing for an item's first version
}

// FeeStandardChangesQuery is the query of FeeStandardChanges.
const FeeStandardChangesQuery = "SELECT code, name, unit, rate, rate_change, effective_from, effective_until, name_en, name_zh, unit_en, unit_zh FROM fee_standard_changes ORDER BY code, effective_from"

// FeeStandardChanges reads every version of every fee item with its change.
func (m *Metrics) FeeStandardChanges(ctx context.Context) ([]FeeStandardChange, error) {
	return collect(ctx, m.db, FeeStandardChangesQuery, func(r *sql.Rows, x *FeeStandardChange) error {
		var change data.Decimal
		err := scanFeeStandard(r, &x.FeeStandard, &change)
		x.RateChange = rate(change)
		return err
	})
}

// FeeStandardsAtSQL is the query of FeeStandardsAt.
func FeeStandardsAtSQL(asOf time.Time) string {
	return fmt.Sprintf("SELECT code, name, unit, rate, effective_from, effective_until, name_en, name_zh, unit_en, unit_zh FROM fee_standards_at(DATE '%s')", asOf.Format(time.DateOnly))
}

// FeeStandardsAt reads the tariff in force on asOf: a version per fee item.
func (m *Metrics) FeeStandardsAt(ctx context.Context, asOf time.Time) ([]FeeStandard, error) {
	return collect(ctx, m.db, FeeStandardsAtSQL(asOf), func(r *sql.Rows, x *FeeStandard) error {
		return scanFeeStandard(r, x, nil)
	})
}

// scanFeeStandard scans code, name, unit, rate, [change,] effective_from,
// effective_until and the names and units per language.
func scanFeeStandard(r *sql.Rows, x *FeeStandard, change *data.Decimal) error {
	var rt data.Decimal
	var unit, nameEN, nameZH, unitEN, unitZH sql.NullString
	var to sql.NullTime
	dest := []any{&x.Code, &x.Name, &unit, &rt}
	if change != nil {
		dest = append(dest, change)
	}
	dest = append(dest, &x.EffectiveFrom, &to, &nameEN, &nameZH, &unitEN, &unitZH)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	x.Unit, x.Rate = unit.String, rt.Decimal
	x.NameEN, x.NameZH, x.UnitEN, x.UnitZH = nameEN.String, nameZH.String, unitEN.String, unitZH.String
	if to.Valid {
		x.EffectiveTo = &to.Time
	}
	return nil
}
