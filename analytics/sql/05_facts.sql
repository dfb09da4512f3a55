-- Metric facts: derived tables the views read instead of recomputing every
-- figure from the base tables on every read. Each fact is defined here (and
-- in the files that need the views before it) by a table macro computing its
-- rows from the base tables; installing the metrics builds every fact whole
-- from that macro, and each committed batch replaces, in its own
-- transaction, exactly the rows of the keys it touches (facts_scope). The
-- organisation's local day of each instant is computed once, here.
-- `feeflow check --facts` recomputes every fact with the same macros and
-- compares: a fact always equals its recomputation.
--
-- The macros take all_keys: true computes every row; false only the rows of
-- the keys listed in facts_scope (kind txn: payments by txn_id; line:
-- settlement lines by settlement_id; bill: bills by bill_id; month: months
-- YYYY-MM; from_day: one YYYY-MM-DD, reconciliation rows from that day).

-- The keys a batch touches, written and emptied inside its transaction.
CREATE TABLE IF NOT EXISTS facts_scope (kind VARCHAR NOT NULL, key VARCHAR NOT NULL);

-- fact_payments: every payment with its local day, its settlement channel,
-- the executed refunds of it (all of them), and the bill it pays (period, fee
-- item, due date, area of the bill's customer; NULL for a walk-in payment).
CREATE OR REPLACE MACRO fact_payments_rows(all_keys) AS TABLE
WITH pay AS (
    SELECT * FROM payments
    WHERE all_keys OR txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')
),
refunded AS (
    SELECT txn_id, sum(amount) AS refunded FROM refunds
    WHERE executed_at IS NOT NULL
      AND (all_keys OR txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn'))
    GROUP BY txn_id
)
SELECT p.txn_id, local_day(p.paid_at) AS paid_on, p.customer_id, p.bill_id, p.fee_item, p.amount,
       p.method, settlement_channel(p.method) AS channel, p.collector, p.status,
       coalesce(r.refunded, 0) AS refunded,
       b.period AS bill_period, b.fee_item AS bill_fee_item, b.due_date, c.area
FROM pay p
LEFT JOIN refunded r ON r.txn_id = p.txn_id
LEFT JOIN bills b ON b.bill_id = p.bill_id
LEFT JOIN customers c ON c.customer_id = b.customer_id;

CREATE OR REPLACE TABLE fact_payments AS SELECT * FROM fact_payments_rows(true);
COMMENT ON TABLE fact_payments IS 'Metric fact, kept at ingest: every payment with its local day (paid_on), settlement channel, executed refunds (refunded) and the bill it pays (bill_period, bill_fee_item, due_date, area). Equal to fact_payments_rows(true) (feeflow check --facts).';

-- fact_settlements: every settlement line with its local day and its
-- references and collector trimmed (empty is none).
CREATE OR REPLACE MACRO fact_settlements_rows(all_keys) AS TABLE
SELECT settlement_id, channel, nullif(trim(txn_ref), '') AS txn_ref, nullif(trim(refund_ref), '') AS refund_ref,
       amount, fee, local_day(settled_at) AS day, nullif(trim(collector), '') AS collector
FROM settlements
WHERE all_keys OR settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line');

CREATE OR REPLACE TABLE fact_settlements AS SELECT * FROM fact_settlements_rows(true);
COMMENT ON TABLE fact_settlements IS 'Metric fact, kept at ingest: every settlement line with its local day; txn_ref, refund_ref and collector trimmed, empty as NULL. Equal to fact_settlements_rows(true).';

-- The last day of the data: the latest payment, settlement line or executed
-- refund.
CREATE OR REPLACE MACRO data_end() AS (
    SELECT greatest((SELECT max(paid_on) FROM fact_payments), (SELECT max(day) FROM fact_settlements),
                    (SELECT max(local_day(executed_at)) FROM refunds))
);

-- fact_bills: each bill as of all the data there is: net due, collected
-- (completed payments linked to it less their executed refunds) and the part
-- of it paid by the due date.
CREATE OR REPLACE MACRO fact_bills_rows(all_keys) AS TABLE
WITH pay AS (
    SELECT bill_id, txn_id, amount, refunded, amount - refunded AS net, paid_on
    FROM fact_payments
    WHERE status = 'completed' AND bill_id IS NOT NULL
      AND (all_keys OR bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill'))
)
SELECT b.bill_id, b.customer_id, b.fee_item, c.area, b.period, b.due_date,
       b.amount_due - b.discount AS net_due,
       coalesce(sum(pay.net), 0) AS collected,
       coalesce(sum(pay.net) FILTER (WHERE pay.paid_on <= b.due_date), 0) AS on_time,
       coalesce(sum(pay.amount), 0) AS paid,
       coalesce(sum(pay.refunded), 0) AS refunded,
       count(pay.txn_id) AS payments,
       coalesce(string_agg(pay.txn_id, ' ' ORDER BY pay.paid_on, pay.txn_id), '') AS txn_ids,
       max(pay.paid_on) AS last_paid_on
FROM bills b
LEFT JOIN customers c ON c.customer_id = b.customer_id
LEFT JOIN pay ON pay.bill_id = b.bill_id
WHERE all_keys OR b.bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')
GROUP BY b.bill_id, b.customer_id, b.fee_item, c.area, b.period, b.due_date, b.amount_due, b.discount;

CREATE OR REPLACE TABLE fact_bills AS SELECT * FROM fact_bills_rows(true);
COMMENT ON TABLE fact_bills IS 'Metric fact, kept at ingest: each bill with net_due, collected (completed payments less their executed refunds) and on_time (the part paid by the due date), paid (before refunds), refunded, the number of payments, their txn_ids and the last day paid, as of all the data. Equal to fact_bills_rows(true).';
