-- The figures the dashboard shows beyond the metric views themselves: totals
-- over fee items, channels and days, the totals under tables, and the
-- overview's monthly series. Each is computed here, once, from the metric
-- views, so a page only renders rows and the SQL shown beside a figure is the
-- SQL that made it. A total is the same aggregate as its parts over a wider
-- grouping (GROUPING SETS / ROLLUP), so it equals the sum of its parts.

-- Collection per billing period over all fee items: billed = sum(amount_due -
-- discount) of the period's bills; collected = completed payments linked to
-- them less their executed refunds; on_time = the part of collected paid by
-- the due date; payments = the completed payments linked to them;
-- collection_rate = collected / billed, on_time_rate = on_time / billed.
-- (Columns in the order the dashboard's table shows them.)
CREATE OR REPLACE VIEW collection_totals_monthly AS
WITH billed AS (
    SELECT period, sum(billed) AS billed, sum(collected) AS collected, sum(on_time) AS on_time
    FROM fact_collection
    GROUP BY period
),
paid AS (
    SELECT period, sum(payments) AS payments FROM fact_collection_payments GROUP BY period
)
SELECT b.period, b.billed, b.collected,
       ratio4(b.collected, b.billed) AS collection_rate,
       b.on_time,
       ratio4(b.on_time, b.billed) AS on_time_rate,
       CAST(coalesce(p.payments, 0) AS BIGINT) AS payments
FROM billed b
LEFT JOIN paid p USING (period)
ORDER BY b.period;
COMMENT ON VIEW collection_totals_monthly IS 'Collection per billing period over all fee items: billed, collected (net of executed refunds), on_time (collected by the due date), payments; collection_rate = collected / billed, on_time_rate = on_time / billed. The sum over fee items of collection_monthly.';

-- collection_totals_monthly for the periods up to last_period ('YYYY-MM'),
-- then their total (period NULL, total true): the same sums over all those
-- periods, the rates of the sums.
CREATE OR REPLACE MACRO collection_totals_through(last_period) AS TABLE
SELECT period, grouping(period) = 1 AS total,
       sum(billed) AS billed, sum(collected) AS collected,
       ratio4(sum(collected), sum(billed)) AS collection_rate,
       sum(on_time) AS on_time,
       ratio4(sum(on_time), sum(billed)) AS on_time_rate,
       CAST(sum(payments) AS BIGINT) AS payments
FROM collection_totals_monthly
WHERE period <= last_period
GROUP BY ROLLUP (period)
HAVING count(*) > 0
ORDER BY total, period;

-- The aging of arrears as of a day (arrears_aging), then its total (bucket
-- NULL, total true): every open bill once, in its bucket.
CREATE OR REPLACE MACRO arrears_aging_with_total(as_of, latest := false) AS TABLE
SELECT bucket, grouping(bucket) = 1 AS total,
       CAST(sum(bills) AS BIGINT) AS bills, sum(outstanding) AS outstanding
FROM arrears_aging(as_of, latest := latest)
GROUP BY ROLLUP (bucket)
ORDER BY total, list_position(['not_due', '1-30', '31-60', '61-90', '91-120', '120+'], bucket);

-- Reconciliation per day over all settlement channels: items decided,
-- matched, discrepancies, discrepancy_amount = sum of |diff|, match_rate =
-- matched / items.
CREATE OR REPLACE VIEW reconciliation_by_day AS
SELECT day,
       CAST(sum(items) AS BIGINT) AS items,
       CAST(sum(matched) AS BIGINT) AS matched,
       CAST(sum(discrepancies) AS BIGINT) AS discrepancies,
       sum(discrepancy_amount) AS discrepancy_amount,
       ratio4(sum(matched), sum(items)) AS match_rate
FROM reconciliation_daily
GROUP BY day
ORDER BY day;
COMMENT ON VIEW reconciliation_by_day IS 'Reconciliation per day over all settlement channels: items (decided rows), matched, discrepancies, discrepancy_amount = sum of |diff|, match_rate = matched / items. The sum over channels of reconciliation_daily.';

-- Reconciliation per month (of the rows' day) and settlement channel, then
-- the month's total over channels (channel NULL, total true): items decided,
-- matched, discrepancies, discrepancy_amount = sum of |diff|, match_rate =
-- matched / items.
CREATE OR REPLACE VIEW reconciliation_by_channel AS
SELECT period, channel, grouping(channel) = 1 AS total,
       CAST(sum(items) AS BIGINT) AS items,
       CAST(sum(matched) AS BIGINT) AS matched,
       CAST(sum(discrepancies) AS BIGINT) AS discrepancies,
       sum(discrepancy_amount) AS discrepancy_amount,
       ratio4(sum(matched), sum(items)) AS match_rate
FROM (SELECT period_of(day) AS period, * FROM reconciliation_daily)
GROUP BY GROUPING SETS ((period, channel), (period))
ORDER BY period, total, channel;
COMMENT ON VIEW reconciliation_by_channel IS 'Reconciliation per month and settlement channel, then each month''s total over channels (channel NULL, total true): items (decided rows), matched, discrepancies, discrepancy_amount = sum of |diff|, match_rate = matched / items.';

-- Reconciliation per month over all channels: the totals of
-- reconciliation_by_channel.
CREATE OR REPLACE VIEW reconciliation_monthly AS
SELECT period, items, matched, discrepancies, discrepancy_amount, match_rate
FROM reconciliation_by_channel
WHERE total
ORDER BY period;
COMMENT ON VIEW reconciliation_monthly IS 'Reconciliation per month over all settlement channels: items (decided rows), matched, discrepancies, discrepancy_amount = sum of |diff|, match_rate = matched / items.';

-- The follow-up list as of a day (discrepancies_open) with, on every row,
-- the list's count, the sum of |diff| (the size of what is open: differences
-- of both signs do not cancel out) and the net sum of diff.
CREATE OR REPLACE MACRO discrepancies_open_totals(as_of, latest := false) AS TABLE
SELECT ref, status, diff, opened_on, age_days,
       count(*) OVER () AS open_count,
       sum(abs(diff)) OVER () AS open_abs,
       sum(diff) OVER () AS open_net
FROM discrepancies_open(as_of, latest := latest)
ORDER BY opened_on, ref;

-- Discrepancies open at each month's end, as we know them now: per month of
-- the data (from data_start() to data_end()), the discrepancies of the
-- reconciliation as of the last day of the data (status neither matched nor
-- pending) that had opened by the month's last day (opened_on <= month end)
-- and were not resolved by it (no resolution, or resolved after the month
-- end). The last month ends on the last day of the data. One pass, where
-- discrepancies_open(month end) would recompute the reconciliation as it
-- stood on each day; a line settled after a month end therefore counts
-- with its status now.
CREATE OR REPLACE VIEW discrepancies_open_monthly AS
WITH months AS (
    SELECT period_of(m) AS period, least(CAST(m + INTERVAL 1 MONTH AS DATE) - 1, data_end()) AS month_end
    FROM (SELECT CAST(unnest(generate_series(CAST(date_trunc('month', data_start()) AS TIMESTAMP),
                                             CAST(date_trunc('month', data_end()) AS TIMESTAMP),
                                             INTERVAL 1 MONTH)) AS DATE) AS m)
),
resolved AS (
    SELECT ref, min(local_day(resolved_at)) AS resolved_on FROM resolutions GROUP BY ref
),
discrepancies AS (
    SELECT r.ref, r.opened_on, res.resolved_on
    FROM reconciliation_rows_at(coalesce(data_end(), DATE '1970-01-01'), latest := true, discrepancies := true) r
    LEFT JOIN resolved res ON res.ref = r.ref
)
SELECT m.period, CAST(count(d.ref) AS BIGINT) AS open
FROM months m
LEFT JOIN discrepancies d
       ON d.opened_on <= m.month_end AND (d.resolved_on IS NULL OR d.resolved_on > m.month_end)
GROUP BY m.period
ORDER BY m.period;
COMMENT ON VIEW discrepancies_open_monthly IS 'Discrepancies open at each month end as known now: per month of the data, the discrepancies of today''s reconciliation that had opened by the month''s last day and were not resolved by it (the last month ends on the last day of the data).';

-- Refunds by month of request (refunds_cycle) with those still in progress:
-- open_of_month = requested - rejected - executed, the month's refunds
-- neither rejected nor executed yet.
CREATE OR REPLACE VIEW refunds_monthly AS
SELECT period, requested, approved, rejected, executed,
       CAST(requested - rejected - executed AS BIGINT) AS open_of_month,
       median_days, p90_days
FROM refunds_cycle
ORDER BY period;
COMMENT ON VIEW refunds_monthly IS 'Refunds by month of request: requested, approved, rejected, executed, open_of_month = requested - rejected - executed (still in progress); median and 90th percentile days from request to execution.';

-- The overview's monthly series, per period of finance_summary (months with
-- bills or payments): collection_rate and on_time_rate of the period's bills
-- over all fee items (collection_totals_monthly), outstanding
-- (finance_summary), clearance_rate (arrears_monthly), match_rate of the
-- month's reconciliation (reconciliation_monthly), discrepancies open at the
-- month's end (discrepancies_open_monthly, 0 when none), refunds requested
-- in the month and neither rejected nor executed (refunds_monthly's
-- open_of_month),
-- those of every month up to it (refunds_open_to_date), and the month's
-- average feedback score (feedback_monthly).
CREATE OR REPLACE VIEW overview_monthly AS
SELECT f.period,
       c.collection_rate, c.on_time_rate,
       f.outstanding,
       a.clearance_rate,
       r.match_rate,
       CAST(coalesce(o.open, 0) AS BIGINT) AS open_discrepancies,
       CAST(coalesce(rf.open_of_month, 0) AS BIGINT) AS refunds_open_of_month,
       CAST(coalesce((SELECT sum(x.open_of_month) FROM refunds_monthly x WHERE x.period <= f.period), 0) AS BIGINT) AS refunds_open_to_date,
       fb.avg_score
FROM finance_summary f
LEFT JOIN collection_totals_monthly c ON c.period = f.period
LEFT JOIN arrears_monthly a ON a.period = f.period
LEFT JOIN reconciliation_monthly r ON r.period = f.period
LEFT JOIN discrepancies_open_monthly o ON o.period = f.period
LEFT JOIN refunds_monthly rf ON rf.period = f.period
LEFT JOIN feedback_monthly fb ON fb.period = f.period
ORDER BY f.period;
COMMENT ON VIEW overview_monthly IS 'The overview''s series per month: collection_rate, on_time_rate, outstanding, clearance_rate, match_rate, open_discrepancies (open at the month end as known now), refunds_open_of_month, refunds_open_to_date, avg_score.';

-- Every version of every fee item's tariff (fee_standards) with the change
-- of its rate from the item's version before it (rate_change; NULL for an
-- item's first version).
CREATE OR REPLACE VIEW fee_standard_changes AS
SELECT code, name, unit, rate,
       rate - lag(rate) OVER (PARTITION BY code ORDER BY effective_from) AS rate_change,
       effective_from, effective_until, name_en, name_zh, unit_en, unit_zh
FROM fee_standards
ORDER BY code, effective_from;
COMMENT ON VIEW fee_standard_changes IS 'Every version of every fee item''s tariff with rate_change = its rate - the rate of the item''s version before it (NULL for the first version).';

-- The published tariff on a day: the version of each fee item in force then
-- (effective_from on or before it, effective_until open or on or after it).
CREATE OR REPLACE MACRO fee_standards_at(as_of) AS TABLE
SELECT code, name, unit, rate, effective_from, effective_until, name_en, name_zh, unit_en, unit_zh
FROM fee_standards
WHERE effective_from <= CAST(as_of AS DATE)
  AND (effective_until IS NULL OR effective_until >= CAST(as_of AS DATE))
ORDER BY code, effective_from;

-- The columns of the views above, for the data dictionary.
COMMENT ON COLUMN collection_totals_monthly.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN collection_totals_monthly.billed IS 'Sum of amount_due - discount of the period''s bills.';
COMMENT ON COLUMN collection_totals_monthly.collected IS 'Completed payments linked to those bills less their executed refunds.';
COMMENT ON COLUMN collection_totals_monthly.on_time IS 'The part of collected paid by each bill''s due date.';
COMMENT ON COLUMN collection_totals_monthly.payments IS 'Completed payments linked to the period''s bills.';
COMMENT ON COLUMN collection_totals_monthly.collection_rate IS 'collected / billed; NULL when nothing is billed.';
COMMENT ON COLUMN collection_totals_monthly.on_time_rate IS 'on_time / billed; NULL when nothing is billed.';
COMMENT ON COLUMN reconciliation_by_day.day IS 'Local day of the reconciliation rows.';
COMMENT ON COLUMN reconciliation_by_day.items IS 'Rows decided (status other than pending).';
COMMENT ON COLUMN reconciliation_by_day.matched IS 'Rows matched.';
COMMENT ON COLUMN reconciliation_by_day.discrepancies IS 'Rows decided and not matched.';
COMMENT ON COLUMN reconciliation_by_day.discrepancy_amount IS 'Sum of |diff| of the discrepancies.';
COMMENT ON COLUMN reconciliation_by_day.match_rate IS 'matched / items; NULL when nothing is decided.';
COMMENT ON COLUMN reconciliation_by_channel.period IS 'Month of the rows'' day, YYYY-MM.';
COMMENT ON COLUMN reconciliation_by_channel.channel IS 'Settlement channel; NULL on the month''s total.';
COMMENT ON COLUMN reconciliation_by_channel.total IS 'True on the month''s total over channels.';
COMMENT ON COLUMN reconciliation_by_channel.items IS 'Rows decided (status other than pending).';
COMMENT ON COLUMN reconciliation_by_channel.matched IS 'Rows matched.';
COMMENT ON COLUMN reconciliation_by_channel.discrepancies IS 'Rows decided and not matched.';
COMMENT ON COLUMN reconciliation_by_channel.discrepancy_amount IS 'Sum of |diff| of the discrepancies.';
COMMENT ON COLUMN reconciliation_by_channel.match_rate IS 'matched / items; NULL when nothing is decided.';
COMMENT ON COLUMN reconciliation_monthly.period IS 'Month of the rows'' day, YYYY-MM.';
COMMENT ON COLUMN reconciliation_monthly.items IS 'Rows decided (status other than pending).';
COMMENT ON COLUMN reconciliation_monthly.matched IS 'Rows matched.';
COMMENT ON COLUMN reconciliation_monthly.discrepancies IS 'Rows decided and not matched.';
COMMENT ON COLUMN reconciliation_monthly.discrepancy_amount IS 'Sum of |diff| of the discrepancies.';
COMMENT ON COLUMN reconciliation_monthly.match_rate IS 'matched / items; NULL when nothing is decided.';
COMMENT ON COLUMN discrepancies_open_monthly.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN discrepancies_open_monthly.open IS 'Discrepancies opened by the month''s last day and not resolved by it, as known now.';
COMMENT ON COLUMN overview_monthly.period IS 'Month with bills or payments, YYYY-MM (finance_summary).';
COMMENT ON COLUMN overview_monthly.collection_rate IS 'collected / billed of the period''s bills, all fee items.';
COMMENT ON COLUMN overview_monthly.on_time_rate IS 'Collected by the due date / billed of the period''s bills.';
COMMENT ON COLUMN overview_monthly.outstanding IS 'Outstanding at the period''s end (finance_summary).';
COMMENT ON COLUMN overview_monthly.clearance_rate IS 'Arrears recovered in the period / arrears open at its start (arrears_monthly).';
COMMENT ON COLUMN overview_monthly.match_rate IS 'matched / items of the month''s reconciliation.';
COMMENT ON COLUMN overview_monthly.open_discrepancies IS 'Discrepancies open at the month''s end, as known now (discrepancies_open_monthly).';
COMMENT ON COLUMN overview_monthly.refunds_open_of_month IS 'Refunds requested in the month and neither rejected nor executed.';
COMMENT ON COLUMN overview_monthly.refunds_open_to_date IS 'Refunds requested in this month or before and neither rejected nor executed.';
COMMENT ON COLUMN refunds_monthly.period IS 'Month of the request, YYYY-MM.';
COMMENT ON COLUMN refunds_monthly.requested IS 'Refunds requested in the month.';
COMMENT ON COLUMN refunds_monthly.approved IS 'Of those, approved.';
COMMENT ON COLUMN refunds_monthly.rejected IS 'Of those, rejected.';
COMMENT ON COLUMN refunds_monthly.executed IS 'Of those, executed.';
COMMENT ON COLUMN refunds_monthly.open_of_month IS 'requested - rejected - executed: still in progress.';
COMMENT ON COLUMN refunds_monthly.median_days IS 'Median days from request to execution of the executed ones.';
COMMENT ON COLUMN refunds_monthly.p90_days IS '90th percentile of those days.';
COMMENT ON COLUMN overview_monthly.avg_score IS 'Average feedback score of the month (1-5).';
COMMENT ON COLUMN fee_standard_changes.code IS 'Fee item code.';
COMMENT ON COLUMN fee_standard_changes.name IS 'Fee item name as uploaded.';
COMMENT ON COLUMN fee_standard_changes.unit IS 'Unit the rate is charged per.';
COMMENT ON COLUMN fee_standard_changes.rate IS 'The version''s rate.';
COMMENT ON COLUMN fee_standard_changes.rate_change IS 'rate - the rate of the item''s version before it; NULL for the first version.';
COMMENT ON COLUMN fee_standard_changes.effective_from IS 'First day the version is in force.';
COMMENT ON COLUMN fee_standard_changes.effective_until IS 'Last day the version is in force (its effective_to, or the day before the next version); NULL while open.';
COMMENT ON COLUMN fee_standard_changes.name_en IS 'Name in English.';
COMMENT ON COLUMN fee_standard_changes.name_zh IS 'Name in Chinese.';
COMMENT ON COLUMN fee_standard_changes.unit_en IS 'Unit in English.';
COMMENT ON COLUMN fee_standard_changes.unit_zh IS 'Unit in Chinese.';
COMMENT ON MACRO TABLE collection_totals_through IS 'collection_totals_monthly for the periods up to last_period (YYYY-MM), then their total (period NULL, total true): the same sums, the rates of the sums.';
COMMENT ON MACRO TABLE arrears_aging_with_total IS 'arrears_aging(as_of), then its total (bucket NULL, total true).';
COMMENT ON MACRO TABLE discrepancies_open_totals IS 'discrepancies_open(as_of) with, on every row, the list''s count (open_count), sum of |diff| (open_abs) and net sum of diff (open_net).';
COMMENT ON MACRO TABLE fee_standards_at IS 'The published tariff on a day: the version of each fee item in force then.';
