-- The value of a metric over the days [from_day, to_day), pooled over the
-- window (a rate over all its items, not an average of daily rates);
-- discrepancy_amount is the amount per week. The metric names are those an
-- improvement action may name.
CREATE OR REPLACE MACRO metric_value(metric, from_day, to_day) AS
CASE metric
    WHEN 'collection_rate' THEN (SELECT ratio4(sum(collected), sum(net_due)) FROM bill_balances
                                WHERE due_date >= from_day AND due_date < to_day)
    WHEN 'on_time_rate' THEN (SELECT ratio4(sum(on_time), sum(net_due)) FROM bill_balances
                             WHERE due_date >= from_day AND due_date < to_day)
    WHEN 'match_rate' THEN (SELECT ratio4(count(*) FILTER (WHERE status = 'matched'), count(*)) FROM reconciliation
                           WHERE status <> 'pending' AND day >= from_day AND day < to_day)
    WHEN 'discrepancy_amount' THEN (SELECT ratio4(coalesce(sum(abs(diff)), 0) * 7, date_diff('day', from_day, to_day)) FROM reconciliation
                                   WHERE status NOT IN ('matched', 'pending') AND day >= from_day AND day < to_day)
    WHEN 'refund_days' THEN (SELECT ratio4(sum(date_diff('day', local_day(requested_at), local_day(executed_at))), count(*)) FROM refunds
                            WHERE executed_at IS NOT NULL AND local_day(requested_at) >= from_day AND local_day(requested_at) < to_day)
    WHEN 'reissue_rate' THEN (SELECT ratio4(count(reissue_of), count(*)) FROM invoices
                             WHERE local_day(issued_at) >= from_day AND local_day(issued_at) < to_day)
    WHEN 'errors_per_1000' THEN (SELECT ratio4(count(*) FILTER (WHERE status = 'voided') * 1000, count(*)) FROM payments
                                WHERE local_day(paid_at) >= from_day AND local_day(paid_at) < to_day)
    WHEN 'avg_score' THEN (SELECT ratio4(sum(score), count(*)) FROM feedback
                          WHERE local_day(received_at) >= from_day AND local_day(received_at) < to_day)
END;

-- Whether a higher value of the metric is better.
CREATE OR REPLACE MACRO higher_is_better(metric) AS
    metric IN ('collection_rate', 'on_time_rate', 'match_rate', 'avg_score');

-- The first day of the data.
CREATE OR REPLACE MACRO data_start() AS (
    SELECT least((SELECT min(local_day(paid_at)) FROM payments), (SELECT min(CAST(period || '-01' AS DATE)) FROM bills))
);

-- Each improvement action: its metric over the 8 weeks (56 days) before it
-- started and the 8 weeks from its start, cut where the data begins or ends
-- (weeks_before and weeks_after say how many full weeks were there), the
-- change, and whether the target is met in the direction that is better for
-- the metric (lower for discrepancy_amount, refund_days, reissue_rate,
-- errors_per_1000; higher for the others).
CREATE OR REPLACE VIEW improvement AS
WITH w AS (
    SELECT a.*,
           greatest(a.started_on - 56, coalesce(data_start(), a.started_on)) AS before_from,
           least(a.started_on + 56, coalesce(data_end(), a.started_on - 1) + 1) AS after_to
    FROM actions a
),
v AS (
    SELECT w.*,
           metric_value(metric, before_from, started_on) AS before,
           CASE WHEN after_to > started_on THEN metric_value(metric, started_on, after_to) END AS after
    FROM w
)
SELECT action_id, title, problem, owner, metric, started_on, before, after,
       after - before AS delta, target,
       CASE WHEN after IS NULL THEN NULL
            WHEN higher_is_better(metric) THEN after >= target
            ELSE after <= target END AS target_met,
       CAST(greatest(date_diff('day', before_from, started_on), 0) // 7 AS INTEGER) AS weeks_before,
       CAST(greatest(date_diff('day', started_on, after_to), 0) // 7 AS INTEGER) AS weeks_after
FROM v
ORDER BY started_on, action_id;
COMMENT ON VIEW improvement IS 'Each improvement action: its metric over the 8 weeks before it started and the 8 weeks from its start (fewer where the data ends: weeks_before, weeks_after), delta = after - before, target_met in the direction better for the metric.';
