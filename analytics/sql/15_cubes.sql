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
SELECT bp.period, bp.fee_item, coalesce(c.area, '') AS area, bp.method AS channel, bp.collector,
       count(*) AS payments,
       sum(bp.net_amount) AS collected,
       coalesce(sum(bp.net_amount) FILTER (WHERE bp.paid_on <= bp.due_date), 0) AS on_time
FROM bill_payments bp
JOIN payments p ON p.txn_id = bp.txn_id
JOIN bills b ON b.bill_id = p.bill_id
LEFT JOIN customers c ON c.customer_id = b.customer_id
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
-- latest payment, settlement line or executed refund, as data_end() in
-- 30_reconciliation.sql, which installs after the views that need it here),
-- months without bills included.
CREATE OR REPLACE VIEW arrears_months AS
WITH bounds AS (
    SELECT min(CAST(period || '-01' AS DATE)) AS lo,
           greatest(max(CAST(period || '-01' AS DATE)),
                    CAST(date_trunc('month', greatest(
                        (SELECT max(local_day(paid_at)) FROM payments),
                        (SELECT max(local_day(settled_at)) FROM settlements),
                        (SELECT max(local_day(executed_at)) FROM refunds))) AS DATE)) AS hi
    FROM bills
)
SELECT strftime(CAST(m AS DATE), '%Y-%m') AS period, CAST(m AS DATE) AS first_day
FROM bounds, generate_series(CAST(bounds.lo AS TIMESTAMP), CAST(bounds.hi AS TIMESTAMP), INTERVAL 1 MONTH) g(m)
WHERE bounds.lo IS NOT NULL
ORDER BY 1;
COMMENT ON VIEW arrears_months IS 'Every month from the first billing period to the data''s end, months without bills included: the months arrears_monthly reports.';
COMMENT ON COLUMN arrears_months.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN arrears_months.first_day IS 'The month''s first day.';

-- arrears_cube: per month, area and fee item, the arrears open at the
-- month's start (bills due before it with something outstanding then) and
-- what was recovered on them in the month: paid in it (net of refunds
-- executed in it), up to what was outstanding. A bill is in arrears in every
-- month from the one after its due date until it is paid, whether or not
-- that month has bills of its own.
CREATE OR REPLACE VIEW arrears_cube AS
WITH flows AS (
    -- every payment and executed refund of a bill, as a signed amount on a day
    SELECT p.bill_id, local_day(p.paid_at) AS day, p.amount AS amount
    FROM payments p WHERE p.status = 'completed' AND p.bill_id IS NOT NULL
    UNION ALL
    SELECT p.bill_id, local_day(r.executed_at), -r.amount
    FROM refunds r JOIN payments p ON p.txn_id = r.txn_id
    WHERE r.executed_at IS NOT NULL AND p.status = 'completed' AND p.bill_id IS NOT NULL
),
opening AS (
    SELECT m.period, b.bill_id, b.fee_item, coalesce(c.area, '') AS area,
           b.amount_due - b.discount - coalesce(sum(f.amount) FILTER (WHERE f.day < m.first_day), 0) AS open_amount,
           coalesce(sum(f.amount) FILTER (WHERE f.day >= m.first_day AND f.day < m.first_day + INTERVAL 1 MONTH), 0) AS paid_in_month
    FROM arrears_months m
    JOIN bills b ON b.due_date < m.first_day
    LEFT JOIN customers c ON c.customer_id = b.customer_id
    LEFT JOIN flows f ON f.bill_id = b.bill_id AND f.day < m.first_day + INTERVAL 1 MONTH
    GROUP BY m.period, b.bill_id, b.fee_item, c.area, b.amount_due, b.discount
)
SELECT period, area, fee_item,
       count(*) AS bills,
       sum(open_amount) AS opening_arrears,
       sum(least(greatest(paid_in_month, 0), open_amount)) AS recovered
FROM opening
WHERE open_amount > 0
GROUP BY period, area, fee_item
ORDER BY period, area, fee_item;
COMMENT ON VIEW arrears_cube IS 'Arrears per month, area and fee item: bills in arrears at the month''s start, opening_arrears and recovered as exact sums; clearance_rate = sum(recovered) / sum(opening_arrears) of any selection of rows.';
COMMENT ON COLUMN arrears_cube.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN arrears_cube.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN arrears_cube.fee_item IS 'Fee item code of the bills.';
COMMENT ON COLUMN arrears_cube.bills IS 'Bills due before the month with something outstanding at its start.';
COMMENT ON COLUMN arrears_cube.opening_arrears IS 'What was outstanding on them at the month''s start.';
COMMENT ON COLUMN arrears_cube.recovered IS 'Paid in the month on those bills (net of refunds executed in it), up to what was outstanding.';
