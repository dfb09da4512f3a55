-- Every metric an improvement action may name, as a numerator and a
-- denominator per day, so that any window is a sum over its days (a rate
-- pooled over all its items, not an average of daily rates).
-- discrepancy_amount has no denominator per day: over a window it is the
-- amount per week (7 x sum / days).
CREATE OR REPLACE VIEW metric_days AS
SELECT 'collection_rate' AS metric, due_date AS day, sum(collected) AS num, sum(billed) AS den FROM fact_collection GROUP BY due_date
UNION ALL
SELECT 'on_time_rate', due_date, sum(on_time), sum(billed) FROM fact_collection GROUP BY due_date
UNION ALL
SELECT 'match_rate', day, CAST(sum(matched) AS BIGINT), CAST(sum(items) AS BIGINT) FROM reconciliation_daily GROUP BY day HAVING sum(items) > 0
UNION ALL
SELECT 'discrepancy_amount', day, sum(discrepancy_amount), 0 FROM reconciliation_daily GROUP BY day
UNION ALL
SELECT 'refund_days', local_day(requested_at), sum(date_diff('day', local_day(requested_at), local_day(executed_at))), count(*)
FROM refunds WHERE executed_at IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'reissue_rate', day, CAST(sum(reissued) AS BIGINT), CAST(sum(issued) AS BIGINT) FROM fact_invoice_days GROUP BY 2
UNION ALL
SELECT 'errors_per_1000', paid_on, CAST(sum(voided) AS BIGINT) * 1000, CAST(sum(payments) AS BIGINT) FROM fact_payment_days GROUP BY 2
UNION ALL
SELECT 'avg_score', local_day(received_at), sum(score), count(*) FROM feedback GROUP BY 2;
COMMENT ON VIEW metric_days IS 'Each improvement metric as a numerator and denominator per day; a window''s value is sum(num) / sum(den) (discrepancy_amount: 7 x sum(num) / days, the amount per week).';

-- A metric's value over the days [from_day, to_day) of metric_days rows m.
CREATE OR REPLACE MACRO metric_window(metric, num, den, from_day, to_day) AS
    CASE WHEN metric = 'discrepancy_amount' THEN ratio4(coalesce(num, 0) * 7, date_diff('day', from_day, to_day))
         ELSE ratio4(num, den) END;

-- A metric's value, week by week, over the weeks starting at from_day and
-- every 7 days after it, before to_day.
CREATE OR REPLACE MACRO metric_weekly(metric_name, from_day, to_day) AS TABLE
SELECT week, metric_window(metric_name, num, den, week, week + 7) AS value
FROM (
    SELECT CAST(w AS DATE) AS week, sum(m.num) AS num, sum(m.den) AS den
    FROM range(CAST(from_day AS DATE), CAST(to_day AS DATE), INTERVAL 7 DAY) t(w)
    LEFT JOIN metric_days m ON m.metric = metric_name AND m.day >= CAST(w AS DATE) AND m.day < CAST(w AS DATE) + 7
    GROUP BY w
)
ORDER BY week;

-- Whether a higher value of the metric is better.
CREATE OR REPLACE MACRO higher_is_better(metric) AS
    metric IN ('collection_rate', 'on_time_rate', 'match_rate', 'avg_score');

-- The first day of the data.
CREATE OR REPLACE MACRO data_start() AS (
    SELECT least((SELECT min(paid_on) FROM fact_payment_days), (SELECT min(CAST(period || '-01' AS DATE)) FROM fact_collection))
);

-- Each improvement action: its metric over the 8 weeks (56 days) before it
-- started and the 8 weeks from its start, cut where the data begins or ends
-- (weeks_before and weeks_after say how many full weeks were there), the
-- change, and whether the target is met in the direction that is better for
-- the metric (lower for discrepancy_amount, refund_days, reissue_rate,
-- errors_per_1000; higher for the others). A fixed window after the start can
-- say "met" while the action has since slipped, so the latest 4 full weeks
-- of the data (weeks counted from the start; fewer when the action is
-- younger) are measured too: latest, and latest_met, the verdict the action
-- holds today.
CREATE OR REPLACE VIEW improvement AS
WITH md AS MATERIALIZED (
    -- the days of the metrics the actions name, computed once
    SELECT * FROM metric_days WHERE metric IN (SELECT metric FROM actions)
),
w AS (
    SELECT a.*,
           greatest(a.started_on - 56, coalesce(data_start(), a.started_on)) AS before_from,
           least(a.started_on + 56, coalesce(data_end(), a.started_on - 1) + 1) AS after_to,
           -- the end of the last full week from the start, within the data
           a.started_on + 7 * CAST(greatest(date_diff('day', a.started_on, coalesce(data_end(), a.started_on - 1) + 1), 0) // 7 AS INTEGER) AS latest_end
    FROM actions a
),
v AS (
    SELECT w.action_id, any_value(w.title) AS title, any_value(w.problem) AS problem, any_value(w.owner) AS owner,
           any_value(w.metric) AS metric, any_value(w.started_on) AS started_on, any_value(w.target) AS target,
           any_value(w.before_from) AS before_from, any_value(w.after_to) AS after_to,
           any_value(w.title_en) AS title_en, any_value(w.title_zh) AS title_zh,
           metric_window(any_value(w.metric), sum(m.num) FILTER (WHERE m.day < w.started_on),
                         sum(m.den) FILTER (WHERE m.day < w.started_on), any_value(w.before_from), any_value(w.started_on)) AS before,
           CASE WHEN any_value(w.after_to) > any_value(w.started_on) THEN
                metric_window(any_value(w.metric), sum(m.num) FILTER (WHERE m.day >= w.started_on),
                              sum(m.den) FILTER (WHERE m.day >= w.started_on), any_value(w.started_on), any_value(w.after_to)) END AS after
    FROM w
    LEFT JOIN md m ON m.metric = w.metric AND m.day >= w.before_from AND m.day < w.after_to
    GROUP BY w.action_id
),
l AS (
    SELECT w.action_id,
           CASE WHEN any_value(w.latest_end) > any_value(w.started_on) THEN greatest(any_value(w.latest_end) - 28, any_value(w.started_on)) END AS latest_from,
           CASE WHEN any_value(w.latest_end) > any_value(w.started_on) THEN any_value(w.latest_end) END AS latest_end,
           sum(m.num) AS num, sum(m.den) AS den, any_value(w.metric) AS metric
    FROM w
    LEFT JOIN md m ON m.metric = w.metric AND m.day >= greatest(w.latest_end - 28, w.started_on) AND m.day < w.latest_end
    GROUP BY w.action_id
),
lv AS (
    SELECT action_id, latest_from, CAST(latest_end - 1 AS DATE) AS latest_to,
           CASE WHEN latest_from IS NOT NULL THEN metric_window(metric, num, den, latest_from, latest_end) END AS latest
    FROM l
)
SELECT v.action_id, title, problem, owner, metric, started_on, before, after,
       after - before AS delta, target,
       CASE WHEN after IS NULL THEN NULL
            WHEN higher_is_better(metric) THEN after >= target
            ELSE after <= target END AS target_met,
       CAST(greatest(date_diff('day', before_from, started_on), 0) // 7 AS INTEGER) AS weeks_before,
       CAST(greatest(date_diff('day', started_on, after_to), 0) // 7 AS INTEGER) AS weeks_after,
       lv.latest_from, lv.latest_to, lv.latest,
       CASE WHEN lv.latest IS NULL THEN NULL
            WHEN higher_is_better(metric) THEN lv.latest >= target
            ELSE lv.latest <= target END AS latest_met,
       title_en, title_zh
FROM v JOIN lv ON lv.action_id = v.action_id
ORDER BY started_on, v.action_id;
COMMENT ON VIEW improvement IS 'Each improvement action: its metric over the 8 weeks before it started and the 8 weeks from its start (fewer where the data ends: weeks_before, weeks_after), delta = after - before, target_met in the direction better for the metric; latest = the metric over the latest 4 full weeks of the data (latest_from to latest_to), latest_met = whether the action holds its target today; title_en, title_zh = the title per language.';
