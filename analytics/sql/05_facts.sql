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
-- YYYY-MM; recon_day: days YYYY-MM-DD, the reconciliation rows of those
-- days; recon_refund_day: days, their refund rows only; refund: payments by
-- txn_id whose refunds a batch brought).
--
-- The per-key facts hold amounts as DECIMAL(18,2), like the base tables: a
-- sum is DECIMAL(38,2), a 128-bit integer that DuckDB reads back from disk
-- about 17 times slower (one such column of 9.4 M bills: 1.6 s against
-- 0.09 s), and the facts are read far more often than written. No amount of
-- one payment, bill or month comes near the 10^16 the type holds; the cast
-- is checked, so one that did would fail the batch, never be cut.

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
       CAST(coalesce(r.refunded, 0) AS DECIMAL(18,2)) AS refunded,
       b.period AS bill_period, b.fee_item AS bill_fee_item, b.due_date, c.area
FROM pay p
LEFT JOIN refunded r ON r.txn_id = p.txn_id
LEFT JOIN bills b ON b.bill_id = p.bill_id
LEFT JOIN customers c ON c.customer_id = b.customer_id;

CREATE OR REPLACE TABLE fact_payments AS SELECT * FROM fact_payments_rows(true);
COMMENT ON TABLE fact_payments IS 'Metric fact, kept at ingest: every payment with its local day (paid_on), settlement channel, executed refunds (refunded) and the bill it pays (bill_period, bill_fee_item, due_date, area). Equal to fact_payments_rows(true) (feeflow check --facts).';

-- facts_bill_payments_scoped: the completed payments of the bills in
-- facts_scope (the columns of fact_payments the bills' facts read) while a
-- batch keeps those bills, written and emptied inside its transaction.
-- fact_bills_rows and fact_bill_months_rows read the payments of the scoped
-- bills here: finding them in fact_payments reads the whole fact (0.7-0.8 s
-- the first time at 10 M payments), and the two macros did so five times.
CREATE OR REPLACE TABLE facts_bill_payments_scoped AS
SELECT txn_id, bill_id, paid_on, amount, refunded, due_date FROM fact_payments LIMIT 0;

-- fact_settlements: every settlement line with its local day and its
-- references and collector trimmed (empty is none).
CREATE OR REPLACE MACRO fact_settlements_rows(all_keys) AS TABLE
SELECT settlement_id, channel, nullif(trim(txn_ref), '') AS txn_ref, nullif(trim(refund_ref), '') AS refund_ref,
       amount, fee, local_day(settled_at) AS day, nullif(trim(collector), '') AS collector
FROM settlements
WHERE all_keys OR settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line');

CREATE OR REPLACE TABLE fact_settlements AS SELECT * FROM fact_settlements_rows(true);
COMMENT ON TABLE fact_settlements IS 'Metric fact, kept at ingest: every settlement line with its local day; txn_ref, refund_ref and collector trimmed, empty as NULL. Equal to fact_settlements_rows(true).';

-- fact_bills: each bill as of all the data there is: net due, collected
-- (completed payments linked to it less their executed refunds) and the part
-- of it paid by the due date.
CREATE OR REPLACE MACRO fact_bills_rows(all_keys) AS TABLE
-- aggregated per bill first, and the ordered list of payments only for the
-- bills with several: a list per bill for every bill does not fit the memory
-- bound at millions of bills
WITH paid AS NOT MATERIALIZED (
    -- the completed payments of every bill, or of the bills in scope (as the
    -- batch holds them aside)
    SELECT txn_id, bill_id, paid_on, amount, refunded, due_date
    FROM fact_payments WHERE all_keys AND status = 'completed' AND bill_id IS NOT NULL
    UNION ALL
    SELECT * FROM facts_bill_payments_scoped WHERE NOT all_keys
),
pay AS (
    SELECT bill_id, sum(amount - refunded) AS collected,
           coalesce(sum(amount - refunded) FILTER (WHERE paid_on <= due_date), 0) AS on_time,
           count(*) AS payments, sum(amount) AS paid, sum(refunded) AS refunded,
           max(paid_on) AS last_paid_on, any_value(txn_id) AS one_txn
    FROM paid
    GROUP BY bill_id
),
several AS (
    SELECT bill_id, string_agg(txn_id, ' ' ORDER BY paid_on, txn_id) AS txn_ids
    FROM paid
    WHERE bill_id IN (SELECT bill_id FROM paid GROUP BY bill_id HAVING count(*) > 1)
    GROUP BY bill_id
)
SELECT b.bill_id, b.customer_id, b.fee_item, c.area, b.period, b.due_date,
       b.amount_due - b.discount AS net_due,
       CAST(coalesce(p.collected, 0) AS DECIMAL(18,2)) AS collected,
       CAST(coalesce(p.on_time, 0) AS DECIMAL(18,2)) AS on_time,
       CAST(coalesce(p.paid, 0) AS DECIMAL(18,2)) AS paid,
       CAST(coalesce(p.refunded, 0) AS DECIMAL(18,2)) AS refunded,
       coalesce(p.payments, 0) AS payments,
       coalesce(s.txn_ids, p.one_txn, '') AS txn_ids,
       p.last_paid_on
FROM bills b
LEFT JOIN customers c ON c.customer_id = b.customer_id
LEFT JOIN pay p ON p.bill_id = b.bill_id
LEFT JOIN several s ON s.bill_id = b.bill_id
WHERE all_keys OR b.bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill');

CREATE OR REPLACE TABLE fact_bills AS SELECT * FROM fact_bills_rows(true);
COMMENT ON TABLE fact_bills IS 'Metric fact, kept at ingest: each bill with net_due, collected (completed payments less their executed refunds) and on_time (the part paid by the due date), paid (before refunds), refunded, the number of payments, their txn_ids and the last day paid, as of all the data. Equal to fact_bills_rows(true).';

-- facts_bills_scoped: the rows of fact_bills of the bills in facts_scope
-- while a batch keeps them (the columns fact_collection and fact_households
-- sum), written and emptied inside its transaction: first the rows it
-- replaces (facts_row, their rowid in fact_bills, by which they are
-- deleted), then their new rows (facts_row NULL). The scoped sums read them
-- here: finding a few thousand bills again in fact_bills reads its whole key
-- column (0.2-1.0 s at 9.4 M bills), each time.
CREATE OR REPLACE TABLE facts_bills_scoped AS
SELECT CAST(NULL AS BIGINT) AS facts_row, customer_id, fee_item, area, period, due_date, net_due, collected, on_time
FROM fact_bills LIMIT 0;

-- fact_open_bills: the bills of fact_bills not settled exactly (something
-- outstanding, collected beyond what was due, or paid beyond it before
-- refunds): the rows the lists of who owes and of overpaid bills read.
CREATE OR REPLACE MACRO bill_open(collected, net_due, paid) AS collected <> net_due OR paid > net_due;

CREATE OR REPLACE MACRO fact_open_bills_rows(all_keys) AS TABLE
SELECT *
FROM fact_bills
WHERE bill_open(collected, net_due, paid)
  AND (all_keys OR bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill'));

CREATE OR REPLACE TABLE fact_open_bills AS SELECT * FROM fact_open_bills_rows(true);
COMMENT ON TABLE fact_open_bills IS 'Metric fact, kept at ingest: the rows of fact_bills with collected <> net_due or paid > net_due. Equal to fact_open_bills_rows(true).';

-- fact_customer_paid: each customer's last completed bill payment day. A
-- payment's customer, status, bill and day never change once it is in (only
-- its refunds do), so a batch keeps it by taking the later of the day kept
-- and its own payments' days.
CREATE OR REPLACE MACRO fact_customer_paid_rows(all_keys) AS TABLE
SELECT customer_id, max(paid_on) AS last_paid_on
FROM fact_payments
WHERE status = 'completed' AND customer_id IS NOT NULL AND bill_id IS NOT NULL
  AND (all_keys OR txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn'))
GROUP BY customer_id;

CREATE OR REPLACE TABLE fact_customer_paid AS SELECT * FROM fact_customer_paid_rows(true);
COMMENT ON TABLE fact_customer_paid IS 'Metric fact, kept at ingest: each customer''s last completed bill payment day (last_paid_on). Equal to fact_customer_paid_rows(true).';

-- Aggregate facts: the per-key facts above summed at the grain the
-- dashboard reads, so that a build reads a few thousand rows instead of
-- every bill or payment. Each is a table macro fact_*_rows(all_keys) that
-- sums the rows of its per-key fact: all of them, or (all_keys false) only
-- those of the keys in facts_scope (for the bills' and the bill months'
-- aggregates, the scoped rows the batch holds aside: facts_bills_scoped,
-- facts_bill_months_scoped). Every measure is a count or an exact sum
-- (never NULL), and the first is the number of rows summed; so a batch keeps
-- an aggregate by subtracting what the rows it replaces contributed and
-- adding what their new rows contribute (analytics.MaintainFacts), and a
-- group whose count falls to 0 is dropped, as a recomputation would not have
-- it.

-- fact_collection: bills per billing period, fee item, area and due date.
CREATE OR REPLACE MACRO fact_collection_rows(all_keys) AS TABLE
SELECT period, fee_item, coalesce(area, '') AS area, due_date,
       count(*) AS bills,
       sum(net_due) AS billed,
       sum(collected) AS collected,
       sum(on_time) AS on_time,
       count(*) FILTER (WHERE net_due - collected > 0) AS bills_open,
       coalesce(sum(net_due - collected) FILTER (WHERE net_due - collected > 0), 0) AS open_amount
FROM (SELECT customer_id, fee_item, area, period, due_date, net_due, collected, on_time FROM fact_bills WHERE all_keys
      UNION ALL
      SELECT * EXCLUDE (facts_row) FROM facts_bills_scoped WHERE NOT all_keys)
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_collection AS SELECT * FROM fact_collection_rows(true);
COMMENT ON TABLE fact_collection IS 'Aggregate fact, kept at ingest: fact_bills per period, fee item, area and due date: bills, billed, collected, on_time, bills_open and open_amount (bills with something outstanding and what is). Equal to fact_collection_rows(true).';

-- fact_households: each customer's bills of each period, and how many of
-- them are not fully paid.
CREATE OR REPLACE MACRO fact_households_rows(all_keys) AS TABLE
SELECT period, customer_id,
       count(*) AS bills,
       count(*) FILTER (WHERE collected < net_due) AS unpaid
FROM (SELECT customer_id, fee_item, area, period, due_date, net_due, collected, on_time FROM fact_bills WHERE all_keys
      UNION ALL
      SELECT * EXCLUDE (facts_row) FROM facts_bills_scoped WHERE NOT all_keys)
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_households AS SELECT * FROM fact_households_rows(true);
COMMENT ON TABLE fact_households IS 'Aggregate fact, kept at ingest: per period and customer, their bills and how many are not fully paid. Equal to fact_households_rows(true).';

-- fact_collection_payments: completed payments linked to bills, per the
-- bill's period, fee item and area, payment method and collector: how many,
-- their amount net of executed refunds, and the part paid by the due date.
CREATE OR REPLACE MACRO fact_collection_payments_rows(all_keys) AS TABLE
SELECT bill_period AS period, bill_fee_item AS fee_item, coalesce(area, '') AS area, method AS channel,
       coalesce(collector, '') AS collector,
       count(*) AS payments,
       sum(amount - refunded) AS collected,
       coalesce(sum(amount - refunded) FILTER (WHERE paid_on <= due_date), 0) AS on_time
FROM fact_payments
WHERE status = 'completed' AND bill_period IS NOT NULL
  AND (all_keys OR txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn'))
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_collection_payments AS SELECT * FROM fact_collection_payments_rows(true);
COMMENT ON TABLE fact_collection_payments IS 'Aggregate fact, kept at ingest: completed bill payments per bill period, fee item, area, method and collector: payments, collected (net of executed refunds), on_time. Equal to fact_collection_payments_rows(true).';

-- fact_payment_days: every payment per local day and collector: how many,
-- how many voided, and the completed ones' amounts, for bills and walk-in.
CREATE OR REPLACE MACRO fact_payment_days_rows(all_keys) AS TABLE
SELECT paid_on, coalesce(collector, '') AS collector,
       count(*) AS payments,
       count(*) FILTER (WHERE status = 'voided') AS voided,
       coalesce(sum(amount) FILTER (WHERE status = 'completed' AND bill_id IS NOT NULL), 0) AS bill_amount,
       coalesce(sum(amount) FILTER (WHERE status = 'completed' AND bill_id IS NULL), 0) AS walk_in_amount
FROM fact_payments
WHERE all_keys OR txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_payment_days AS SELECT * FROM fact_payment_days_rows(true);
COMMENT ON TABLE fact_payment_days IS 'Aggregate fact, kept at ingest: payments per local day and collector: payments, voided, bill_amount and walk_in_amount (completed). Equal to fact_payment_days_rows(true).';

-- fact_settlement_days: settlement lines per local day and channel.
CREATE OR REPLACE MACRO fact_settlement_days_rows(all_keys) AS TABLE
SELECT day, channel,
       count(*) AS lines,
       sum(amount) AS amount,
       sum(fee) AS fee
FROM fact_settlements
WHERE all_keys OR settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line')
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_settlement_days AS SELECT * FROM fact_settlement_days_rows(true);
COMMENT ON TABLE fact_settlement_days IS 'Aggregate fact, kept at ingest: settlement lines per local day and channel: lines, amount, fee. Equal to fact_settlement_days_rows(true).';

-- fact_invoice_days: invoices per local day of issue. Invoices are never
-- replaced, so a batch only adds its own (facts_scope kind batch).
CREATE OR REPLACE MACRO fact_invoice_days_rows(all_keys) AS TABLE
SELECT local_day(issued_at) AS day,
       count(*) AS issued,
       count(*) FILTER (WHERE status IN ('lost', 'damaged')) AS lost_or_damaged,
       count(reissue_of) AS reissued
FROM invoices
WHERE all_keys OR batch_id IN (SELECT key FROM facts_scope WHERE kind = 'batch')
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_invoice_days AS SELECT * FROM fact_invoice_days_rows(true);
COMMENT ON TABLE fact_invoice_days IS 'Aggregate fact, kept at ingest: invoices per local day of issue: issued, lost_or_damaged, reissued. Equal to fact_invoice_days_rows(true).';

-- The last day of the data: the latest payment, settlement line or executed
-- refund.
CREATE OR REPLACE MACRO data_end() AS (
    SELECT greatest((SELECT max(paid_on) FROM fact_payment_days), (SELECT max(day) FROM fact_settlement_days),
                    (SELECT max(local_day(executed_at)) FROM refunds))
);
