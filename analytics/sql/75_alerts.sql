-- The figures the alert rules compare with their thresholds, as of a day.
-- An alert rule names a kind and a threshold; every threshold reaches these
-- macros as a parameter. A scope of '' means every subject.
--   arrears of an area: the outstanding of the area's bills as of the day
--     (bills of periods up to the day's month; payments and refunds after
--     the day do not count), the same bills as arrears_aging;
--   a discrepancy open too long: discrepancies_open(as_of) older than
--     min_days;
--   the day's match rate below a target: the latest day of
--     reconciliation_daily with decided items, per channel and over all
--     channels (channel '*');
--   a collector's cash short: unresolved cash_deposit groups whose deposit
--     (bank) falls short of the collector's cash payments (system) by more
--     than an amount;
--   an improvement action that slipped: its metric over the latest 4 full
--     weeks (the 28 days ending on the day, pooled as in metric_days) worse
--     than its target, for actions started before those weeks.

-- Outstanding of each area's bills as of a day.
CREATE OR REPLACE MACRO arrears_by_area_at(as_of) AS TABLE
SELECT coalesce(area, '') AS area, count(*) AS bills, CAST(sum(outstanding) AS DECIMAL(18,2)) AS outstanding
FROM bill_balances_at(CAST(as_of AS DATE))
WHERE outstanding > 0 AND period <= strftime(CAST(as_of AS DATE), '%Y-%m')
GROUP BY coalesce(area, '')
ORDER BY area;

CREATE OR REPLACE VIEW arrears_by_area AS
SELECT * FROM arrears_by_area_at(coalesce(data_end(), DATE '1970-01-01'));
COMMENT ON VIEW arrears_by_area IS 'Per area, as of the last day of the data: the bills with something outstanding and what is outstanding on them (the arrears_aging bills, by the area of the bill''s customer).';
COMMENT ON COLUMN arrears_by_area.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN arrears_by_area.bills IS 'Bills of the area with something outstanding.';
COMMENT ON COLUMN arrears_by_area.outstanding IS 'Sum of what is still owed on those bills.';

-- Areas whose arrears are above an amount (p_area '' for every area).
CREATE OR REPLACE MACRO alert_area_arrears(as_of, above, p_area) AS TABLE
SELECT area, bills, outstanding
FROM arrears_by_area_at(as_of)
WHERE outstanding > CAST(above AS DECIMAL(18,2)) AND (p_area = '' OR area = p_area)
ORDER BY area;

-- Discrepancies open longer than min_days (p_status '' for every status).
CREATE OR REPLACE MACRO alert_discrepancy_age(as_of, min_days, p_status) AS TABLE
SELECT ref, status, diff, opened_on, age_days
FROM discrepancies_open(as_of)
WHERE age_days > CAST(min_days AS INTEGER) AND (p_status = '' OR status = p_status)
ORDER BY opened_on, ref;

-- The match rate of the latest day with decided items, per channel and over
-- all channels together ('*'), where it is below target, for p_channel (a
-- channel, or '*').
CREATE OR REPLACE MACRO alert_match_rate(as_of, target, p_channel) AS TABLE
WITH d AS (
    SELECT * FROM reconciliation_daily
    WHERE day = (SELECT max(day) FROM reconciliation_daily WHERE items > 0 AND day <= CAST(as_of AS DATE))
),
r AS (
    SELECT day, channel, items, matched, match_rate FROM d
    UNION ALL
    SELECT any_value(day), '*', sum(items), sum(matched), ratio4(sum(matched), sum(items)) FROM d HAVING count(*) > 0
)
SELECT day, channel, items, matched, match_rate
FROM r
WHERE match_rate < CAST(target AS DECIMAL(18,4)) AND channel = p_channel
ORDER BY channel;

-- Cash deposits short of the collector's cash by more than an amount
-- (p_collector '' for every collector), unresolved.
CREATE OR REPLACE MACRO alert_cash_short(as_of, more_than, p_collector) AS TABLE
SELECT ref, day, collector, system_amount, bank_amount,
       CAST(system_amount - bank_amount AS DECIMAL(18,2)) AS short
FROM reconciliation_at(as_of)
WHERE source = 'group' AND channel = 'cash_deposit' AND status NOT IN ('matched', 'pending') AND resolution IS NULL
  AND system_amount - bank_amount > CAST(more_than AS DECIMAL(18,2))
  AND (p_collector = '' OR collector = p_collector)
ORDER BY day, ref;

-- Improvement actions (p_action '' for every action) whose metric over the
-- latest 4 full weeks is worse than their target.
CREATE OR REPLACE MACRO alert_action_slipped(as_of, p_action) AS TABLE
WITH w AS (SELECT CAST(as_of AS DATE) - 27 AS from_day, CAST(as_of AS DATE) + 1 AS to_day),
v AS (
    SELECT a.action_id, any_value(a.title) AS title, any_value(a.metric) AS metric, any_value(a.target) AS target,
           any_value(w.from_day) AS from_day,
           metric_window(any_value(a.metric), sum(m.num), sum(m.den), any_value(w.from_day), any_value(w.to_day)) AS value
    FROM actions a
    CROSS JOIN w
    LEFT JOIN metric_days m ON m.metric = a.metric AND m.day >= w.from_day AND m.day < w.to_day
    WHERE a.started_on <= w.from_day AND (p_action = '' OR a.action_id = p_action)
    GROUP BY a.action_id
)
SELECT action_id, title, metric, target, from_day, value
FROM v
WHERE value IS NOT NULL
  AND CASE WHEN higher_is_better(metric) THEN value < target ELSE value > target END
ORDER BY action_id;

COMMENT ON MACRO TABLE arrears_by_area_at IS 'The view arrears_by_area as of a day (later payments and refunds do not count).';
COMMENT ON MACRO TABLE alert_area_arrears IS 'Areas whose arrears as of a day are above an amount (p_area: one area, or '''' for every area).';
COMMENT ON MACRO TABLE alert_discrepancy_age IS 'Discrepancies open on a day for more than min_days days (p_status: one status, or '''' for every status).';
COMMENT ON MACRO TABLE alert_match_rate IS 'The match rate of the latest day with decided items up to as_of, for p_channel (a channel, or * for all channels together), when below target.';
COMMENT ON MACRO TABLE alert_cash_short IS 'Unresolved cash deposits short of the collector''s cash payments of the day by more than an amount (p_collector: one collector, or '''' for every collector).';
COMMENT ON MACRO TABLE alert_action_slipped IS 'Improvement actions (p_action: one action, or '''' for every action) whose metric over the 4 full weeks ending on as_of is worse than their target.';
