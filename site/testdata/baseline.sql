-- The baseline of the build benchmark: the core figures of the site written
-- by hand as plain SQL over the base tables (payments, bills, customers,
-- settlements, refunds, invoices, exceptions, feedback, resolutions and the
-- organisation's settings), with DESIGN.md's definitions and none of the
-- views or fact tables. Each figure is one query, one pass; what several
-- figures share (each bill's balance, each reconciliation row) is computed
-- once into a temporary table. Statements are separated by a line ending in
-- ";" and run one by one; every row of every SELECT is read.
--
-- Local days are the organisation's: timezone(zone, ts) cast to DATE. The
-- data's last day is the latest payment, settlement line or executed refund;
-- aging and reconciliation are taken as of it.

-- name: zone
SET VARIABLE zone = (SELECT time_zone FROM feeflow_settings LIMIT 1);

-- name: window
SET VARIABLE window_days = (SELECT settlement_window_days FROM feeflow_settings LIMIT 1);

-- name: as_of
SET VARIABLE as_of = (
    SELECT greatest((SELECT max(CAST(timezone(getvariable('zone'), paid_at) AS DATE)) FROM payments),
                    (SELECT max(CAST(timezone(getvariable('zone'), settled_at) AS DATE)) FROM settlements),
                    (SELECT max(CAST(timezone(getvariable('zone'), executed_at) AS DATE)) FROM refunds))
);

-- name: balances
-- Each bill as of the last day: net due (amount_due - discount), collected
-- (completed payments of it less their executed refunds), the part paid by
-- the due date, outstanding.
CREATE OR REPLACE TEMP TABLE baseline_bills AS
WITH refunded AS (
    SELECT txn_id, sum(amount) AS refunded
    FROM refunds
    WHERE executed_at IS NOT NULL AND CAST(timezone(getvariable('zone'), executed_at) AS DATE) <= getvariable('as_of')
    GROUP BY txn_id
),
paid AS (
    SELECT p.bill_id, CAST(timezone(getvariable('zone'), p.paid_at) AS DATE) AS paid_on,
           p.amount - coalesce(r.refunded, 0) AS net
    FROM payments p LEFT JOIN refunded r ON r.txn_id = p.txn_id
    WHERE p.status = 'completed' AND p.bill_id IS NOT NULL
      AND CAST(timezone(getvariable('zone'), p.paid_at) AS DATE) <= getvariable('as_of')
)
SELECT b.bill_id, b.customer_id, b.fee_item, coalesce(c.area, '') AS area, b.period, b.due_date,
       b.amount_due - b.discount AS net_due,
       coalesce(sum(paid.net), 0) AS collected,
       coalesce(sum(paid.net) FILTER (WHERE paid.paid_on <= b.due_date), 0) AS on_time
FROM bills b
LEFT JOIN customers c ON c.customer_id = b.customer_id
LEFT JOIN paid ON paid.bill_id = b.bill_id
GROUP BY ALL;

-- name: collection
-- Collection by billing period and fee item, and by period and area:
-- billed, collected, collection_rate = collected / billed, on_time_rate.
SELECT period, fee_item, area,
       sum(net_due) AS billed, sum(collected) AS collected, sum(on_time) AS on_time,
       ratio4(sum(collected), sum(net_due)) AS collection_rate,
       ratio4(sum(on_time), sum(net_due)) AS on_time_rate
FROM baseline_bills
GROUP BY GROUPING SETS ((period, fee_item), (period, area))
ORDER BY period, fee_item NULLS LAST, area NULLS LAST;

-- name: channels
-- What was collected for each period by payment method and by collector:
-- payments, collected net of executed refunds, the part paid by the due date.
WITH refunded AS (
    SELECT txn_id, sum(amount) AS refunded FROM refunds WHERE executed_at IS NOT NULL GROUP BY txn_id
)
SELECT b.period, p.method AS channel, coalesce(p.collector, '') AS collector,
       count(*) AS payments,
       sum(p.amount - coalesce(r.refunded, 0)) AS collected,
       coalesce(sum(p.amount - coalesce(r.refunded, 0))
                FILTER (WHERE CAST(timezone(getvariable('zone'), p.paid_at) AS DATE) <= b.due_date), 0) AS on_time
FROM payments p
JOIN bills b ON b.bill_id = p.bill_id
LEFT JOIN refunded r ON r.txn_id = p.txn_id
WHERE p.status = 'completed'
GROUP BY GROUPING SETS ((b.period, p.method), (b.period, coalesce(p.collector, '')))
ORDER BY 1, 2 NULLS LAST, 3 NULLS LAST;

-- name: aging
-- Outstanding bills as of the last day by days past due.
SELECT CASE WHEN date_diff('day', due_date, getvariable('as_of')) <= 0 THEN 'not_due'
            WHEN date_diff('day', due_date, getvariable('as_of')) <= 30 THEN '1-30'
            WHEN date_diff('day', due_date, getvariable('as_of')) <= 60 THEN '31-60'
            WHEN date_diff('day', due_date, getvariable('as_of')) <= 90 THEN '61-90'
            WHEN date_diff('day', due_date, getvariable('as_of')) <= 120 THEN '91-120'
            ELSE '120+' END AS bucket,
       count(*) AS bills, sum(net_due - collected) AS outstanding
FROM baseline_bills
WHERE net_due > collected AND period <= strftime(getvariable('as_of'), '%Y-%m')
GROUP BY 1
ORDER BY 1;

-- name: households
-- Per billing period: customers billed, and those whose bills of the period
-- are all fully paid.
SELECT period, count(*) AS households_billed, count(*) FILTER (WHERE fully_paid) AS households_paid
FROM (SELECT period, customer_id, bool_and(collected >= net_due) AS fully_paid
      FROM baseline_bills GROUP BY period, customer_id)
GROUP BY period
ORDER BY period;

-- name: arrears
-- Arrears by month, from the first billing period to the last day's month:
-- what was outstanding at the month's start on bills due before it, and
-- what was paid on them in the month (net of refunds executed in it), up to
-- what was outstanding. A bill's opening amount changes only after a month
-- with money on it, so each bill gives one row per such change (not one per
-- month): the amount enters the running sum of the month it starts and
-- leaves it at the next change.
WITH months AS (
    SELECT CAST(m AS DATE) AS first_day
    FROM generate_series(
        CAST((SELECT min(period) FROM bills) || '-01' AS TIMESTAMP),
        CAST(greatest(CAST((SELECT max(period) FROM bills) || '-01' AS DATE), date_trunc('month', getvariable('as_of'))) AS TIMESTAMP),
        INTERVAL 1 MONTH) g(m)
),
-- money on each bill per month: completed payments, less executed refunds
flows AS (
    SELECT bill_id, CAST(date_trunc('month', day) AS DATE) AS mo, sum(amount) AS amount
    FROM (SELECT p.bill_id, CAST(timezone(getvariable('zone'), p.paid_at) AS DATE) AS day, p.amount
          FROM payments p WHERE p.status = 'completed' AND p.bill_id IS NOT NULL
          UNION ALL
          SELECT p.bill_id, CAST(timezone(getvariable('zone'), r.executed_at) AS DATE), -r.amount
          FROM refunds r JOIN payments p ON p.txn_id = r.txn_id
          WHERE r.executed_at IS NOT NULL AND p.status = 'completed' AND p.bill_id IS NOT NULL)
    GROUP BY ALL
),
-- each bill and the first month it can be in arrears (the one after its due date)
due AS (
    SELECT bill_id, amount_due - discount AS net_due,
           CAST(date_trunc('month', due_date) + INTERVAL 1 MONTH AS DATE) AS first_month
    FROM bills
),
-- the months a bill's opening amount is set: its first month in arrears and
-- each month after one with money on it
starts AS (
    SELECT bill_id, first_month AS mo FROM due
    UNION
    SELECT f.bill_id, CAST(f.mo + INTERVAL 1 MONTH AS DATE)
    FROM flows f JOIN due d ON d.bill_id = f.bill_id
    WHERE f.mo >= d.first_month
),
opens AS (
    SELECT s.bill_id, s.mo, d.net_due - coalesce(sum(f.amount), 0) AS open_amount
    FROM starts s
    JOIN due d ON d.bill_id = s.bill_id
    LEFT JOIN flows f ON f.bill_id = s.bill_id AND f.mo < s.mo
    GROUP BY s.bill_id, s.mo, d.net_due
),
segments AS (
    SELECT mo, lead(mo) OVER (PARTITION BY bill_id ORDER BY mo) AS next_mo, open_amount
    FROM opens
),
deltas AS (
    SELECT mo, sum(delta) AS delta
    FROM (SELECT mo, open_amount AS delta FROM segments WHERE open_amount > 0
          UNION ALL
          SELECT next_mo, -open_amount FROM segments WHERE open_amount > 0 AND next_mo IS NOT NULL)
    GROUP BY mo
),
-- recovered: in a month with money on a bill in arrears, that money up to
-- what was open at the month's start
recovered AS (
    SELECT mo, sum(least(greatest(amount, 0), open_amount)) AS recovered
    FROM (SELECT f.mo, f.amount, d.net_due - coalesce(sum(e.amount), 0) AS open_amount
          FROM flows f
          JOIN due d ON d.bill_id = f.bill_id AND f.mo >= d.first_month
          LEFT JOIN flows e ON e.bill_id = f.bill_id AND e.mo < f.mo
          GROUP BY f.bill_id, f.mo, f.amount, d.net_due)
    WHERE open_amount > 0
    GROUP BY mo
)
SELECT strftime(m.first_day, '%Y-%m') AS period,
       sum(coalesce(d.delta, 0)) OVER (ORDER BY m.first_day) AS opening_arrears,
       coalesce(r.recovered, 0) AS recovered
FROM months m
LEFT JOIN deltas d ON d.mo = m.first_day
LEFT JOIN recovered r ON r.mo = m.first_day
ORDER BY m.first_day;

-- name: reconciliation
-- One row per completed payment settled through a channel, per settlement
-- line naming no payment, and per group (a line with an empty txn_ref: cash
-- deposits against that collector's cash of the day, other channels against
-- that channel's payments of the day no line names), as of the last day:
-- matched, amount_mismatch, duplicate_settlement (two or more lines name the
-- payment), missing_payment, missing_settlement (nothing settled within the
-- window) or pending. Refund lines (negative amounts) are not reconciled
-- here.
CREATE OR REPLACE TEMP TABLE baseline_recon AS
WITH
pay AS (
    SELECT txn_id, CAST(timezone(getvariable('zone'), paid_at) AS DATE) AS day,
           CASE method WHEN 'bank_transfer' THEN 'bank' WHEN 'card' THEN 'card' WHEN 'wechat' THEN 'wechat'
                       WHEN 'alipay' THEN 'alipay' WHEN 'cash' THEN 'cash_deposit' END AS channel,
           nullif(trim(collector), '') AS collector, amount
    FROM payments
    WHERE status = 'completed' AND method IN ('bank_transfer', 'card', 'wechat', 'alipay', 'cash')
),
line AS MATERIALIZED (
    SELECT settlement_id, channel, nullif(trim(txn_ref), '') AS txn_ref, amount,
           CAST(timezone(getvariable('zone'), settled_at) AS DATE) AS day, nullif(trim(collector), '') AS collector
    FROM settlements
    WHERE amount >= 0
),
-- every payment with the lines naming it, and every line naming no payment
per_ref AS MATERIALIZED (
    SELECT coalesce(p.txn_id, l.settlement_id) AS ref, p.txn_id IS NULL AS orphan,
           any_value(coalesce(p.day, l.day)) AS day, any_value(coalesce(p.channel, l.channel)) AS channel,
           any_value(coalesce(p.collector, l.collector)) AS collector,
           coalesce(any_value(p.amount), 0) AS system_amount, coalesce(sum(l.amount), 0) AS bank_amount,
           count(l.settlement_id) AS lines
    FROM pay p
    FULL JOIN (SELECT * FROM line WHERE txn_ref IS NOT NULL) l ON l.txn_ref = p.txn_id
    GROUP BY coalesce(p.txn_id, l.settlement_id), p.txn_id IS NULL
),
group_lines AS (
    SELECT channel, CASE WHEN channel = 'cash_deposit' THEN coalesce(collector, '*') ELSE '*' END AS grp, day,
           sum(amount) AS bank_amount
    FROM line WHERE txn_ref IS NULL
    GROUP BY ALL
),
-- payments no line names: in a group (cash always; another channel when a
-- group line of its day exists), or on their own
unnamed AS (
    SELECT u.ref, u.day, u.channel, u.collector, u.system_amount,
           CASE WHEN u.channel = 'cash_deposit' THEN coalesce(u.collector, '*') ELSE '*' END AS grp,
           u.channel = 'cash_deposit' OR g.channel IS NOT NULL AS grouped
    FROM per_ref u
    LEFT JOIN (SELECT DISTINCT channel, day FROM group_lines WHERE channel <> 'cash_deposit') g
           ON g.channel = u.channel AND g.day = u.day
    WHERE NOT u.orphan AND u.lines = 0
),
groups AS (
    SELECT coalesce(g.channel, p.channel) AS channel, coalesce(g.grp, p.grp) AS grp, coalesce(g.day, p.day) AS day,
           coalesce(p.system_amount, 0) AS system_amount, coalesce(g.bank_amount, 0) AS bank_amount,
           g.channel IS NOT NULL AS has_line
    FROM group_lines g
    FULL JOIN (SELECT channel, grp, day, sum(system_amount) AS system_amount FROM unnamed WHERE grouped GROUP BY ALL) p
           ON p.channel = g.channel AND p.grp = g.grp AND p.day = g.day
)
SELECT ref, CASE WHEN orphan THEN 'settlement' ELSE 'payment' END AS source, day, channel, collector,
       system_amount, bank_amount,
       CASE WHEN orphan THEN 'missing_payment'
            WHEN lines > 1 THEN 'duplicate_settlement'
            WHEN bank_amount = system_amount THEN 'matched'
            ELSE 'amount_mismatch' END AS status
FROM per_ref
WHERE orphan OR lines > 0
UNION ALL
SELECT ref, 'payment', day, channel, collector, system_amount, 0,
       CASE WHEN date_diff('day', day, getvariable('as_of')) >= getvariable('window_days') THEN 'missing_settlement'
            ELSE 'pending' END
FROM unnamed
WHERE NOT grouped
UNION ALL
SELECT (CASE WHEN channel = 'cash_deposit' THEN 'cash' ELSE channel END) || ':' || grp || ':' || strftime(day, '%Y-%m-%d'),
       'group', day, channel, nullif(grp, '*'), system_amount, bank_amount,
       CASE WHEN NOT has_line AND date_diff('day', day, getvariable('as_of')) >= getvariable('window_days') THEN 'missing_settlement'
            WHEN NOT has_line THEN 'pending'
            WHEN system_amount = 0 THEN 'missing_payment'
            WHEN bank_amount = system_amount THEN 'matched'
            ELSE 'amount_mismatch' END
FROM groups;

-- name: reconciliation_daily
-- Per day and channel: items decided (pending ones are not yet), matched,
-- discrepancies and their amount (sum of |bank - system|).
SELECT day, channel,
       count(*) FILTER (WHERE status <> 'pending') AS items,
       count(*) FILTER (WHERE status = 'matched') AS matched,
       count(*) FILTER (WHERE status NOT IN ('matched', 'pending')) AS discrepancies,
       coalesce(sum(abs(bank_amount - system_amount)) FILTER (WHERE status NOT IN ('matched', 'pending')), 0) AS discrepancy_amount
FROM baseline_recon
GROUP BY day, channel
ORDER BY day, channel;

-- name: reconciliation_statuses
-- How many rows of each status.
SELECT status, count(*) AS rows, sum(bank_amount - system_amount) AS diff
FROM baseline_recon
GROUP BY status
ORDER BY status;

-- name: discrepancies
-- The follow-up list: every discrepancy no resolution closes, with its
-- status, difference and the day it was seen.
SELECT r.ref, r.status, r.bank_amount - r.system_amount AS diff, r.day
FROM baseline_recon r
WHERE r.status NOT IN ('matched', 'pending')
  AND NOT EXISTS (SELECT 1 FROM resolutions s WHERE s.ref = r.ref)
ORDER BY r.day, r.ref;

-- name: exceptions
-- Exceptions by month of occurrence and type.
SELECT strftime(CAST(timezone(getvariable('zone'), occurred_at) AS DATE), '%Y-%m') AS period, type,
       count(*) AS count, count(*) FILTER (WHERE escalated) AS escalated, count(resolved_at) AS resolved,
       CAST(round(median(date_diff('day', CAST(timezone(getvariable('zone'), occurred_at) AS DATE),
                                   CAST(timezone(getvariable('zone'), resolved_at) AS DATE))), 1) AS DECIMAL(9,1)) AS median_days_to_resolve
FROM exceptions
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: refunds
-- Refunds by month of request: requested, approved, rejected, executed, and
-- the median and 90th percentile of days from request to execution.
SELECT strftime(CAST(timezone(getvariable('zone'), requested_at) AS DATE), '%Y-%m') AS period,
       count(*) AS requested,
       count(*) FILTER (WHERE decision = 'approved') AS approved,
       count(*) FILTER (WHERE decision = 'rejected') AS rejected,
       count(executed_at) AS executed,
       CAST(round(median(date_diff('day', CAST(timezone(getvariable('zone'), requested_at) AS DATE),
                                   CAST(timezone(getvariable('zone'), executed_at) AS DATE))), 1) AS DECIMAL(9,1)) AS median_days,
       CAST(round(quantile_cont(date_diff('day', CAST(timezone(getvariable('zone'), requested_at) AS DATE),
                                          CAST(timezone(getvariable('zone'), executed_at) AS DATE)), 0.9), 1) AS DECIMAL(9,1)) AS p90_days
FROM refunds
GROUP BY 1
ORDER BY 1;

-- name: invoices
-- Invoices by month of issue: issued, lost or damaged, reissued.
SELECT strftime(CAST(timezone(getvariable('zone'), issued_at) AS DATE), '%Y-%m') AS period,
       count(*) AS issued,
       count(*) FILTER (WHERE status IN ('lost', 'damaged')) AS lost_or_damaged,
       count(reissue_of) AS reissued,
       ratio4(count(reissue_of), count(*)) AS reissue_rate
FROM invoices
GROUP BY 1
ORDER BY 1;

-- name: operator_errors
-- Payments and voided payments per month and collector.
SELECT strftime(CAST(timezone(getvariable('zone'), paid_at) AS DATE), '%Y-%m') AS period,
       coalesce(collector, '') AS collector,
       count(*) AS payments,
       count(*) FILTER (WHERE status = 'voided') AS voided,
       ratio4(count(*) FILTER (WHERE status = 'voided') * 1000, count(*)) AS errors_per_1000
FROM payments
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: feedback
-- Feedback by month received: responses and average score.
SELECT strftime(CAST(timezone(getvariable('zone'), received_at) AS DATE), '%Y-%m') AS period,
       count(*) AS responses,
       ratio4(sum(score), count(*)) AS avg_score
FROM feedback
GROUP BY 1
ORDER BY 1;

-- name: cleanup
DROP TABLE baseline_bills;

-- name: cleanup_recon
DROP TABLE baseline_recon;
