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
SELECT period, fee_item, coalesce(area, '') AS area,
       count(*) AS bills,
       sum(net_due) AS billed,
       sum(collected) AS collected,
       sum(on_time) AS on_time
FROM bill_balances
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
SELECT bill_period AS period, bill_fee_item AS fee_item, coalesce(area, '') AS area, method AS channel,
       coalesce(collector, '') AS collector,
       count(*) AS payments,
       sum(amount - refunded) AS collected,
       coalesce(sum(amount - refunded) FILTER (WHERE paid_on <= due_date), 0) AS on_time
FROM fact_payments
WHERE status = 'completed' AND bill_period IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
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
    FROM bills
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
WITH months AS (
    SELECT period, first_day, CAST(first_day + INTERVAL 1 MONTH AS DATE) AS next_first
    FROM arrears_months
    WHERE all_months OR period IN (SELECT key FROM facts_scope WHERE kind = 'month')
),
b AS (
    SELECT bill_id, period, due_date, net_due FROM fact_bills
    WHERE all_bills OR bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')
),
flows AS (
    SELECT bill_id, paid_on AS day, amount
    FROM fact_payments
    WHERE status = 'completed' AND bill_id IS NOT NULL
      AND (all_bills OR bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill'))
    UNION ALL
    SELECT p.bill_id, local_day(r.executed_at), -r.amount
    FROM refunds r JOIN fact_payments p ON p.txn_id = r.txn_id
    WHERE r.executed_at IS NOT NULL AND p.status = 'completed' AND p.bill_id IS NOT NULL
)
SELECT b.bill_id, m.period,
       b.net_due - coalesce(sum(f.amount) FILTER (WHERE f.day < m.first_day), 0) AS start_amount,
       b.net_due - coalesce(sum(f.amount) FILTER (WHERE f.day < m.next_first), 0) AS end_amount
FROM months m
JOIN b ON m.period >= least(b.period, strftime(b.due_date, '%Y-%m'))
LEFT JOIN flows f ON f.bill_id = b.bill_id AND f.day < m.next_first
GROUP BY b.bill_id, m.period, b.net_due
HAVING start_amount > 0 OR end_amount > 0;

CREATE OR REPLACE TABLE fact_bill_months AS SELECT * FROM fact_bill_months_rows(true, true);
COMMENT ON TABLE fact_bill_months IS 'Metric fact, kept at ingest: each bill in each month of arrears_months from its period (or due month) on, with start_amount and end_amount outstanding at the month''s start and end; rows with both at zero or below are not kept. Equal to fact_bill_months_rows(true, true).';
-- The months fact_bill_months covers: arrears_months when it was last kept.
CREATE OR REPLACE TABLE fact_months AS SELECT period FROM arrears_months;
COMMENT ON TABLE fact_months IS 'Metric fact: the months fact_bill_months covers (arrears_months as of the last batch).';

-- arrears_cube: per month, area and fee item, the arrears open at the
-- month's start (bills due before it with something outstanding then) and
-- what was recovered on them in the month: paid in it (net of refunds
-- executed in it), up to what was outstanding. A bill is in arrears in every
-- month from the one after its due date until it is paid, whether or not
-- that month has bills of its own.
CREATE OR REPLACE VIEW arrears_cube AS
SELECT x.period, coalesce(b.area, '') AS area, b.fee_item,
       count(*) AS bills,
       sum(x.start_amount) AS opening_arrears,
       sum(least(greatest(x.start_amount - x.end_amount, 0), x.start_amount)) AS recovered
FROM fact_bill_months x
JOIN fact_bills b ON b.bill_id = x.bill_id
JOIN arrears_months m ON m.period = x.period
WHERE b.due_date < m.first_day AND x.start_amount > 0
GROUP BY x.period, coalesce(b.area, ''), b.fee_item
ORDER BY 1, 2, 3;
COMMENT ON VIEW arrears_cube IS 'Arrears per month, area and fee item: bills in arrears at the month''s start, opening_arrears and recovered as exact sums; clearance_rate = sum(recovered) / sum(opening_arrears) of any selection of rows.';
COMMENT ON COLUMN arrears_cube.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN arrears_cube.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN arrears_cube.fee_item IS 'Fee item code of the bills.';
COMMENT ON COLUMN arrears_cube.bills IS 'Bills due before the month with something outstanding at its start.';
COMMENT ON COLUMN arrears_cube.opening_arrears IS 'What was outstanding on them at the month''s start.';
COMMENT ON COLUMN arrears_cube.recovered IS 'Paid in the month on those bills (net of refunds executed in it), up to what was outstanding.';
