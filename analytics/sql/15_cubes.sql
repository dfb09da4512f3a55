-- Cubes: the metrics at the grain the dashboard's filters need, so that any
-- selection of periods, areas, fee items, channels and collectors is a sum of
-- rows. Every measure is an exact DECIMAL sum (or a count); rates are not
-- stored, they are computed from the sums of a selection (a rate of a sum,
-- never a sum of rates). Summed over every dimension but period, each cube
-- gives the figures of the view it refines: collection_monthly,
-- collection_by_channel and collection_by_collector, arrears_monthly.
-- A missing area or collector is '' (the views' own convention).

-- collection_cube: per billing period, fee item and area of the bill's
-- customer: bills, billed = sum(amount_due - discount), collected = completed
-- payments linked to those bills less their executed refunds, on_time = the
-- part of collected paid by the due date (as bill_balances).
CREATE OR REPLACE VIEW collection_cube AS
SELECT period, fee_item, area,
       CAST(sum(bills) AS BIGINT) AS bills,
       sum(billed) AS billed,
       sum(collected) AS collected,
       sum(on_time) AS on_time
FROM fact_collection
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
COMMENT ON VIEW collection_cube IS 'Collection per billing period, fee item and area: bills, billed, collected and on_time as exact sums; collection_rate = sum(collected) / sum(billed) of any selection of rows.';
COMMENT ON COLUMN collection_cube.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN collection_cube.fee_item IS 'Fee item code.';
COMMENT ON COLUMN collection_cube.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN collection_cube.bills IS 'Number of bills.';
COMMENT ON COLUMN collection_cube.billed IS 'sum(amount_due - discount) of the bills.';
COMMENT ON COLUMN collection_cube.collected IS 'Completed payments linked to those bills less the executed refunds of those payments.';
COMMENT ON COLUMN collection_cube.on_time IS 'The part of collected paid by the bills'' due dates.';

-- collection_payments_cube: what was collected for each billing period, by
-- fee item, area, payment method (channel) and collector: completed payments
-- linked to the period's bills less their executed refunds (as bill_payments).
-- What was billed belongs to a bill, not to a payment: it cannot be split by
-- channel or collector, and this cube has no billed.
CREATE OR REPLACE VIEW collection_payments_cube AS
SELECT period, fee_item, area, channel, collector, payments, collected, on_time
FROM fact_collection_payments
ORDER BY 1, 2, 3, 4, 5;
COMMENT ON VIEW collection_payments_cube IS 'Collected per billing period, fee item, area, payment method and collector: payments, collected net of executed refunds, the part paid by the due date.';
COMMENT ON COLUMN collection_payments_cube.period IS 'Billing period of the bill paid, YYYY-MM.';
COMMENT ON COLUMN collection_payments_cube.fee_item IS 'Fee item code of the bill paid.';
COMMENT ON COLUMN collection_payments_cube.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN collection_payments_cube.channel IS 'Payment method: cash, card, bank_transfer, wechat, alipay, other.';
COMMENT ON COLUMN collection_payments_cube.collector IS 'Collector ('''' for payments taken online).';
COMMENT ON COLUMN collection_payments_cube.payments IS 'Number of completed payments.';
COMMENT ON COLUMN collection_payments_cube.collected IS 'Their amount net of executed refunds.';
COMMENT ON COLUMN collection_payments_cube.on_time IS 'The part of collected paid by the bills'' due dates.';

-- The months of the arrears: every month from the first bill's period to the
-- later of the last bill's period and the month of the data's last day (the
-- latest payment, settlement line or executed refund: data_end()), months
-- without bills included.
CREATE OR REPLACE VIEW arrears_months AS
WITH bounds AS (
    SELECT min(CAST(period || '-01' AS DATE)) AS lo,
           greatest(max(CAST(period || '-01' AS DATE)), CAST(date_trunc('month', data_end()) AS DATE)) AS hi
    FROM fact_collection
)
SELECT strftime(CAST(m AS DATE), '%Y-%m') AS period, CAST(m AS DATE) AS first_day
FROM bounds, generate_series(CAST(bounds.lo AS TIMESTAMP), CAST(bounds.hi AS TIMESTAMP), INTERVAL 1 MONTH) g(m)
WHERE bounds.lo IS NOT NULL
ORDER BY 1;
COMMENT ON VIEW arrears_months IS 'Every month from the first billing period to the data''s end, months without bills included: the months arrears_monthly reports.';
COMMENT ON COLUMN arrears_months.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN arrears_months.first_day IS 'The month''s first day.';

-- fact_bill_months (a metric fact, see 05_facts.sql): each bill in each
-- month of arrears_months from the earlier of its period and its due month
-- on, with what was outstanding on it at the month's start (start_amount)
-- and at its end (end_amount): net due less the payments and executed
-- refunds of the bill before that day. A row whose two amounts are both zero
-- or below counts nowhere and is not kept. all_bills / all_months: every
-- bill / month, else those of facts_scope (kind bill / month).
CREATE OR REPLACE MACRO fact_bill_months_rows(all_bills, all_months) AS TABLE
-- What was open on a bill at a month's start is what is open now
-- (fact_bills) plus what was paid on it (net of refunds) since that day.
WITH months AS (
    SELECT period, first_day FROM arrears_months
    WHERE all_months OR period IN (SELECT key FROM facts_scope WHERE kind = 'month')
),
since AS (SELECT min(first_day) AS day FROM months),
-- every month from the earliest asked for on: what was paid after a month counts
grid_months AS (SELECT period, first_day FROM arrears_months WHERE first_day >= (SELECT day FROM since)),
b AS (
    SELECT bill_id, period, fee_item, coalesce(area, '') AS area, due_date, net_due - collected AS outstanding
    FROM fact_bills
    WHERE all_bills OR bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')
),
-- the completed payments of every bill, or of the bills in scope (as the
-- batch holds them aside, see 05_facts.sql)
paid AS NOT MATERIALIZED (
    SELECT txn_id, bill_id, paid_on, amount, refunded, due_date
    FROM fact_payments WHERE all_bills AND status = 'completed' AND bill_id IS NOT NULL
    UNION ALL
    SELECT * FROM facts_bill_payments_scoped WHERE NOT all_bills
),
flows AS (
    SELECT bill_id, paid_on AS day, amount
    FROM paid
    WHERE paid_on >= (SELECT day FROM since)
    UNION ALL
    SELECT p.bill_id, local_day(r.executed_at), -r.amount
    FROM refunds r JOIN paid p ON p.txn_id = r.txn_id
    WHERE r.executed_at IS NOT NULL AND local_day(r.executed_at) >= (SELECT day FROM since)
),
by_month AS (
    SELECT bill_id, CAST(date_trunc('month', day) AS DATE) AS first_day, sum(amount) AS amount
    FROM flows GROUP BY ALL
),
-- the bills that can have something open in those months: open now, or paid since
-- and the last month each was paid in: after it, nothing changes
candidates AS (
    SELECT b.*, l.last_paid_month
    FROM b LEFT JOIN (SELECT bill_id, max(first_day) AS last_paid_month FROM by_month GROUP BY bill_id) l ON l.bill_id = b.bill_id
    WHERE b.outstanding > 0 OR l.bill_id IS NOT NULL
),
grid_bounds AS (SELECT min(first_day) AS lo, max(first_day) AS hi FROM grid_months),
grid_raw AS (
    SELECT c.bill_id, c.period, c.fee_item, c.area, c.due_date, c.outstanding, CAST(unnest(generate_series(
               CAST(greatest(least(CAST(c.period || '-01' AS DATE), CAST(date_trunc('month', c.due_date) AS DATE)), g.lo) AS TIMESTAMP),
               -- open now: every month to the last; else up to the last month paid in
               CAST(CASE WHEN c.outstanding > 0 THEN g.hi ELSE least(g.hi, c.last_paid_month) END AS TIMESTAMP),
               INTERVAL 1 MONTH)) AS DATE) AS first_day
    FROM candidates c, grid_bounds g
),
grid AS (
    SELECT r.bill_id, strftime(r.first_day, '%Y-%m') AS period, r.first_day, r.period AS bill_period, r.fee_item, r.area,
           r.due_date, r.outstanding, coalesce(f.amount, 0) AS in_month
    FROM grid_raw r
    LEFT JOIN by_month f ON f.bill_id = r.bill_id AND f.first_day = r.first_day
),
suffix AS (
    SELECT *, sum(in_month) OVER (PARTITION BY bill_id ORDER BY first_day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS from_month
    FROM grid
)
SELECT bill_id, period, first_day, bill_period, fee_item, area, due_date,
       CAST(outstanding + from_month AS DECIMAL(18,2)) AS start_amount,
       CAST(outstanding + from_month - in_month AS DECIMAL(18,2)) AS end_amount
FROM suffix
WHERE (all_months OR period IN (SELECT key FROM facts_scope WHERE kind = 'month'))
  AND (outstanding + from_month > 0 OR outstanding + from_month - in_month > 0);

CREATE OR REPLACE TABLE fact_bill_months AS SELECT * FROM fact_bill_months_rows(true, true);
COMMENT ON TABLE fact_bill_months IS 'Metric fact, kept at ingest: each bill in each month of arrears_months from its period (or due month) on (with the month''s first_day and the bill''s period, fee item, area and due date), with start_amount and end_amount outstanding at the month''s start and end; rows with both at zero or below are not kept. Equal to fact_bill_months_rows(true, true).';
-- facts_bill_months_scoped: the rows of fact_bill_months of the bills in
-- facts_scope while a batch keeps them, as facts_bills_scoped holds
-- fact_bills' (05_facts.sql): the rows replaced, by rowid, then the new ones.
CREATE OR REPLACE TABLE facts_bill_months_scoped AS SELECT CAST(NULL AS BIGINT) AS facts_row, * FROM fact_bill_months LIMIT 0;
-- The months fact_bill_months covers: arrears_months when it was last kept.
CREATE OR REPLACE TABLE fact_months AS SELECT period FROM arrears_months;
COMMENT ON TABLE fact_months IS 'Metric fact: the months fact_bill_months covers (arrears_months as of the last batch).';

-- fact_arrears (an aggregate fact, see 05_facts.sql): fact_bill_months per
-- month, area and fee item: the bills in arrears at the month's start (due
-- before it, something outstanding then), what was outstanding on them and
-- what was recovered on them in the month (paid in it, up to what was
-- outstanding); and for finance, over the bills issued by the month
-- (bill_period up to it), what was open at its start on those of earlier
-- periods (opening), at its end (closing), and at its end on those not yet
-- due then (closing_current). all_keys false: the rows of the bills and
-- months in facts_scope.
CREATE OR REPLACE MACRO fact_arrears_rows(all_keys) AS TABLE
SELECT period, area, fee_item,
       count(*) AS rows,
       count(*) FILTER (WHERE due_date < first_day AND start_amount > 0) AS bills,
       coalesce(sum(start_amount) FILTER (WHERE due_date < first_day AND start_amount > 0), 0) AS opening_arrears,
       coalesce(sum(least(greatest(start_amount - end_amount, 0), start_amount))
                FILTER (WHERE due_date < first_day AND start_amount > 0), 0) AS recovered,
       coalesce(sum(greatest(start_amount, 0)) FILTER (WHERE bill_period < period), 0) AS opening,
       coalesce(sum(greatest(end_amount, 0)) FILTER (WHERE bill_period <= period), 0) AS closing,
       coalesce(sum(greatest(end_amount, 0))
                FILTER (WHERE bill_period <= period AND due_date >= CAST(first_day + INTERVAL 1 MONTH AS DATE)), 0) AS closing_current
FROM (
    -- all of them, or those of the bills in scope (as the batch holds them
    -- aside) and of the months in scope
    SELECT * FROM fact_bill_months WHERE all_keys
    UNION ALL
    SELECT * EXCLUDE (facts_row) FROM facts_bill_months_scoped WHERE NOT all_keys
    UNION ALL
    SELECT * FROM fact_bill_months
    WHERE NOT all_keys AND period IN (SELECT key FROM facts_scope WHERE kind = 'month')
      AND bill_id NOT IN (SELECT key FROM facts_scope WHERE kind = 'bill')
)
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_arrears AS SELECT * FROM fact_arrears_rows(true);
COMMENT ON TABLE fact_arrears IS 'Aggregate fact, kept at ingest: fact_bill_months per month, area and fee item: rows, bills in arrears, opening_arrears, recovered; opening, closing and closing_current of the bills issued by the month. Equal to fact_arrears_rows(true).';

-- arrears_cube: per month, area and fee item, the arrears open at the
-- month's start (bills due before it with something outstanding then) and
-- what was recovered on them in the month: paid in it (net of refunds
-- executed in it), up to what was outstanding. A bill is in arrears in every
-- month from the one after its due date until it is paid, whether or not
-- that month has bills of its own.
CREATE OR REPLACE VIEW arrears_cube AS
SELECT period, area, fee_item, bills, opening_arrears, recovered
FROM fact_arrears
WHERE bills > 0
ORDER BY 1, 2, 3;
COMMENT ON VIEW arrears_cube IS 'Arrears per month, area and fee item: bills in arrears at the month''s start, opening_arrears and recovered as exact sums; clearance_rate = sum(recovered) / sum(opening_arrears) of any selection of rows.';
COMMENT ON COLUMN arrears_cube.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN arrears_cube.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN arrears_cube.fee_item IS 'Fee item code of the bills.';
COMMENT ON COLUMN arrears_cube.bills IS 'Bills due before the month with something outstanding at its start.';
COMMENT ON COLUMN arrears_cube.opening_arrears IS 'What was outstanding on them at the month''s start.';
COMMENT ON COLUMN arrears_cube.recovered IS 'Paid in the month on those bills (net of refunds executed in it), up to what was outstanding.';
