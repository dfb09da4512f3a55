-- Each bill with what is due on it (amount_due - discount), what was collected
-- for it (completed payments linked to it less the executed refunds of those
-- payments), the part collected by its due date, and what is outstanding, as
-- of a day: payments and refunds after it do not count.
CREATE OR REPLACE MACRO bill_balances_at(as_of) AS TABLE
WITH refunded AS (
    SELECT txn_id, sum(amount) AS refunded FROM refunds
    WHERE executed_at IS NOT NULL AND local_day(executed_at) <= as_of
    GROUP BY txn_id
),
pay AS (
    SELECT p.bill_id, p.txn_id, p.amount, local_day(p.paid_at) AS paid_on, coalesce(r.refunded, 0) AS refunded
    FROM payments p LEFT JOIN refunded r ON r.txn_id = p.txn_id
    WHERE p.status = 'completed' AND p.bill_id IS NOT NULL AND local_day(p.paid_at) <= as_of
)
SELECT b.bill_id, b.customer_id, b.fee_item, c.area, b.period, b.due_date,
       b.amount_due - b.discount AS net_due,
       coalesce(sum(pay.amount - pay.refunded), 0) AS collected,
       coalesce(sum(pay.amount - pay.refunded) FILTER (WHERE pay.paid_on <= b.due_date), 0) AS on_time,
       b.amount_due - b.discount - coalesce(sum(pay.amount - pay.refunded), 0) AS outstanding
FROM bills b
LEFT JOIN customers c ON c.customer_id = b.customer_id
LEFT JOIN pay ON pay.bill_id = b.bill_id
GROUP BY b.bill_id, b.customer_id, b.fee_item, c.area, b.period, b.due_date, b.amount_due, b.discount;

-- Every bill as of all the data there is.
CREATE OR REPLACE VIEW bill_balances AS SELECT * FROM bill_balances_at(DATE '9999-12-31');
COMMENT ON VIEW bill_balances IS 'Each bill: net due (amount_due - discount), collected (completed payments linked to it less their executed refunds), the part collected by the due date, and outstanding.';
