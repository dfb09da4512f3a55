-- Each bill with what is due on it (amount_due - discount), what was collected
-- for it (completed payments linked to it less the executed refunds of those
-- payments), the part collected by its due date, and what is outstanding, as
-- of a day: payments and refunds after it do not count.
CREATE OR REPLACE MACRO bill_balances_at(as_of) AS TABLE
-- fact_bills holds every bill as of all the data; what happened after the
-- day is taken back: payments made after it (net of all their refunds), and
-- refunds executed after it of payments made by it (given back).
WITH late AS (
    SELECT bill_id, amount - refunded AS amount, paid_on
    FROM fact_payments
    WHERE status = 'completed' AND bill_id IS NOT NULL AND paid_on > CAST(as_of AS DATE)
    UNION ALL
    SELECT p.bill_id, -r.amount, p.paid_on
    FROM refunds r JOIN fact_payments p ON p.txn_id = r.txn_id
    WHERE r.executed_at IS NOT NULL AND local_day(r.executed_at) > CAST(as_of AS DATE)
      AND p.status = 'completed' AND p.bill_id IS NOT NULL AND p.paid_on <= CAST(as_of AS DATE)
),
late_by_bill AS (
    SELECT l.bill_id, sum(l.amount) AS amount, coalesce(sum(l.amount) FILTER (WHERE l.paid_on <= f.due_date), 0) AS on_time
    FROM late l JOIN fact_bills f ON f.bill_id = l.bill_id
    GROUP BY l.bill_id
)
SELECT b.bill_id, b.customer_id, b.fee_item, b.area, b.period, b.due_date,
       b.net_due,
       b.collected - coalesce(l.amount, 0) AS collected,
       b.on_time - coalesce(l.on_time, 0) AS on_time,
       b.net_due - (b.collected - coalesce(l.amount, 0)) AS outstanding
FROM fact_bills b
LEFT JOIN late_by_bill l ON l.bill_id = b.bill_id;

-- Every bill as of all the data there is.
CREATE OR REPLACE VIEW bill_balances AS
SELECT bill_id, customer_id, fee_item, area, period, due_date, net_due, collected, on_time,
       net_due - collected AS outstanding
FROM fact_bills;
COMMENT ON VIEW bill_balances IS 'Each bill: net due (amount_due - discount), collected (completed payments linked to it less their executed refunds), the part collected by the due date, and outstanding.';
