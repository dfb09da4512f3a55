-- Lists that name names: who owes what, which bills were paid twice, which
-- exceptions and refunds are still open, and what lies behind each open
-- discrepancy. The totals elsewhere answer "how much"; these answer "who"
-- and "which". Outstanding is bill_balances_at's (10_bill_balances.sql): the
-- sum over debtors equals arrears_aging's total for the same day.

-- Each bill of a period up to the as-of month, as of a day: due (net of the
-- discount), paid (completed payments linked to it, before refunds),
-- refunded (executed refunds of those payments), outstanding (what is still
-- owed, never below zero) and overpaid (collected beyond what was due, a
-- credit to refund or carry forward), and the payments behind it.
-- latest := true reads fact_bills instead (the same rows), which holds only
-- for a day on or after the data's last day: asked for an earlier day it is
-- an error, never a wrong answer.
CREATE OR REPLACE MACRO bill_detail_at(as_of, latest := false) AS TABLE
WITH refunded AS (
    SELECT txn_id, sum(amount) AS refunded FROM refunds
    WHERE executed_at IS NOT NULL AND local_day(executed_at) <= CAST(as_of AS DATE)
    GROUP BY txn_id
),
pay AS (
    SELECT p.bill_id, p.txn_id, p.amount, p.paid_on, coalesce(r.refunded, 0) AS refunded
    FROM fact_payments p LEFT JOIN refunded r ON r.txn_id = p.txn_id
    WHERE p.status = 'completed' AND p.bill_id IS NOT NULL AND p.paid_on <= CAST(as_of AS DATE) AND NOT latest
),
per_bill AS (
    SELECT bill_id, sum(amount) AS paid, sum(refunded) AS refunded, count(*) AS payments,
           string_agg(txn_id, ' ' ORDER BY paid_on, txn_id) AS txn_ids, max(paid_on) AS last_paid_on
    FROM pay GROUP BY bill_id
)
SELECT b.customer_id, b.bill_id, b.period, b.fee_item, b.due_date,
       b.net_due,
       CAST(coalesce(p.paid, 0) AS DECIMAL(18,2)) AS paid,
       CAST(coalesce(p.refunded, 0) AS DECIMAL(18,2)) AS refunded,
       CAST(greatest(b.outstanding, 0) AS DECIMAL(18,2)) AS outstanding,
       CAST(greatest(-b.outstanding, 0) AS DECIMAL(18,2)) AS overpaid,
       coalesce(p.payments, 0) AS payments,
       coalesce(p.txn_ids, '') AS txn_ids,
       p.last_paid_on
FROM bill_balances_at(CAST(as_of AS DATE)) b
LEFT JOIN per_bill p ON p.bill_id = b.bill_id
WHERE b.period <= strftime(CAST(as_of AS DATE), '%Y-%m') AND NOT latest
UNION ALL
SELECT f.customer_id, f.bill_id, f.period, f.fee_item, f.due_date,
       f.net_due,
       CAST(f.paid AS DECIMAL(18,2)),
       CAST(f.refunded AS DECIMAL(18,2)),
       CAST(greatest(f.net_due - f.collected, 0) AS DECIMAL(18,2)),
       CAST(greatest(f.collected - f.net_due, 0) AS DECIMAL(18,2)),
       f.payments, f.txn_ids, f.last_paid_on
FROM fact_bills f
WHERE f.period <= strftime(CAST(as_of AS DATE), '%Y-%m') AND latest
  AND CASE WHEN CAST(as_of AS DATE) < coalesce(data_end(), DATE '0001-01-01')
           THEN error('latest := true reads the facts, which hold on or after the data''s last day only')
           ELSE true END
ORDER BY 1, 3, 4, 2;

-- The bills of bill_detail_at not settled exactly: something outstanding,
-- or paid beyond what was due (before or after refunds); the rows the lists
-- show. latest := true reads fact_open_bills (the same rows), only on or
-- after the data's last day.
CREATE OR REPLACE MACRO bill_detail_open_at(as_of, latest := false) AS TABLE
SELECT * FROM bill_detail_at(as_of)
WHERE NOT latest AND (outstanding > 0 OR overpaid > 0 OR paid > net_due)
UNION ALL
SELECT f.customer_id, f.bill_id, f.period, f.fee_item, f.due_date,
       f.net_due,
       CAST(f.paid AS DECIMAL(18,2)),
       CAST(f.refunded AS DECIMAL(18,2)),
       CAST(greatest(f.net_due - f.collected, 0) AS DECIMAL(18,2)),
       CAST(greatest(f.collected - f.net_due, 0) AS DECIMAL(18,2)),
       f.payments, f.txn_ids, f.last_paid_on
FROM fact_open_bills f
WHERE f.period <= strftime(CAST(as_of AS DATE), '%Y-%m') AND latest
  AND CASE WHEN CAST(as_of AS DATE) < coalesce(data_end(), DATE '0001-01-01')
           THEN error('latest := true reads the facts, which hold on or after the data''s last day only')
           ELSE true END
ORDER BY 1, 3, 4, 2;

-- Every bill as of all the data there is.
CREATE OR REPLACE VIEW bill_detail AS SELECT * FROM bill_detail_at(DATE '9999-12-31');
COMMENT ON VIEW bill_detail IS 'Each bill per customer: period, fee item, due, paid, refunded, outstanding or overpaid, due date and the payments behind it.';

-- Arrears per customer as of a day (催繳清單): every customer with
-- something outstanding on a bill of a period up to the as-of month (the
-- bills arrears_aging counts, not yet due ones included), the fee items of
-- those bills, their outstanding sum and count, the oldest due date among
-- them, the days it is overdue (0 when nothing is past due yet), and the
-- customer's last completed bill payment on or before the day. Largest first.
CREATE OR REPLACE MACRO debtors(as_of, latest := false) AS TABLE
WITH open_bills AS (
    SELECT customer_id, fee_item, due_date, outstanding
    FROM bill_balances_at(CAST(as_of AS DATE))
    WHERE NOT latest AND outstanding > 0 AND period <= strftime(CAST(as_of AS DATE), '%Y-%m')
    UNION ALL
    SELECT customer_id, fee_item, due_date, net_due - collected
    FROM fact_open_bills
    WHERE latest AND net_due - collected > 0 AND period <= strftime(CAST(as_of AS DATE), '%Y-%m')
      AND CASE WHEN CAST(as_of AS DATE) < coalesce(data_end(), DATE '0001-01-01')
               THEN error('latest := true reads the facts, which hold on or after the data''s last day only')
               ELSE true END
),
last_pay AS (
    SELECT customer_id, max(paid_on) AS last_paid_on
    FROM fact_payments
    WHERE NOT latest AND status = 'completed' AND customer_id IS NOT NULL AND bill_id IS NOT NULL AND paid_on <= CAST(as_of AS DATE)
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, last_paid_on FROM fact_customer_paid WHERE latest
),
-- summed per customer first, then named: grouping by the names too costs
-- twice as much at hundreds of thousands of debtors
owed AS (
    SELECT customer_id,
           string_agg(DISTINCT fee_item, ' ' ORDER BY fee_item) AS fee_items,
           CAST(sum(outstanding) AS DECIMAL(18,2)) AS outstanding,
           count(*) AS bills_open,
           min(due_date) AS oldest_due,
           greatest(max(date_diff('day', due_date, CAST(as_of AS DATE))), 0) AS days_overdue
    FROM open_bills
    GROUP BY customer_id
)
SELECT o.customer_id, c.name, c.unit, coalesce(c.area, '') AS area,
       o.fee_items, o.outstanding, o.bills_open, o.oldest_due, o.days_overdue,
       l.last_paid_on
FROM owed o
LEFT JOIN customers c ON c.customer_id = o.customer_id
LEFT JOIN last_pay l ON l.customer_id = o.customer_id
ORDER BY o.outstanding DESC, o.customer_id;

-- Bills paid more than was due as of a day: completed payments linked to a
-- bill (before refunds) above its net due, typically a bill paid twice.
-- overpaid = paid - due; refunded = what of it went back (executed refunds
-- of the bill's payments); credit = what is still owed back to the
-- customer, to refund or carry forward (collected - due, never below zero).
CREATE OR REPLACE MACRO overpayments_at(as_of, latest := false) AS TABLE
SELECT d.bill_id, d.customer_id, coalesce(c.area, '') AS area, d.period, d.fee_item,
       d.net_due, d.paid,
       CAST(d.paid - d.net_due AS DECIMAL(18,2)) AS overpaid,
       d.refunded,
       d.overpaid AS credit,
       d.payments, d.txn_ids
FROM bill_detail_open_at(as_of, latest := latest) d
LEFT JOIN customers c ON c.customer_id = d.customer_id
WHERE d.paid > d.net_due
ORDER BY d.period, d.bill_id;

-- Every overpaid bill as of all the data there is.
CREATE OR REPLACE VIEW overpayments AS SELECT * FROM overpayments_at(DATE '9999-12-31');
COMMENT ON VIEW overpayments IS 'Bills paid more than was due (twice-paid bills): the overpayment, what of it was refunded, the credit still to refund or carry forward, and the payments involved.';

-- Exceptions open on a day: occurred by then and not resolved by then, with
-- their age in days since they occurred.
CREATE OR REPLACE MACRO exceptions_open(as_of) AS TABLE
SELECT exception_id, local_day(occurred_at) AS occurred_on, customer_id, bill_id, type,
       coalesce(reason, '') AS reason, coalesce(collector, '') AS collector, escalated,
       date_diff('day', local_day(occurred_at), CAST(as_of AS DATE)) AS age_days
FROM exceptions
WHERE local_day(occurred_at) <= CAST(as_of AS DATE)
  AND (resolved_at IS NULL OR local_day(resolved_at) > CAST(as_of AS DATE))
ORDER BY occurred_on, exception_id;

-- Refunds open on a day, by stage: requested (no decision by then) or
-- approved (approved by then, not executed by then); rejected and executed
-- ones are closed. age_days counts from the request, stage_days from the
-- day the refund entered its stage.
CREATE OR REPLACE MACRO refunds_open(as_of) AS TABLE
WITH r AS (
    SELECT refund_id, txn_id, amount, coalesce(reason, '') AS reason,
           local_day(requested_at) AS requested_on,
           CASE WHEN reviewed_at IS NOT NULL AND local_day(reviewed_at) <= CAST(as_of AS DATE) THEN decision END AS decision,
           local_day(reviewed_at) AS reviewed_on,
           executed_at IS NOT NULL AND local_day(executed_at) <= CAST(as_of AS DATE) AS executed
    FROM refunds
    WHERE local_day(requested_at) <= CAST(as_of AS DATE)
),
-- the open ones first, then their payments' customer and bill (at 10 M
-- payments DuckDB's scan of payments took 0.39 s of CPU, against 1.09 s
-- joining every refund first)
o AS (SELECT * FROM r WHERE NOT executed AND coalesce(decision, 'pending') NOT IN ('rejected'))
SELECT o.refund_id, o.txn_id, p.customer_id, p.bill_id, o.amount, o.reason,
       CASE WHEN o.decision = 'approved' THEN 'approved' ELSE 'requested' END AS stage,
       o.requested_on,
       date_diff('day', o.requested_on, CAST(as_of AS DATE)) AS age_days,
       date_diff('day', CASE WHEN o.decision = 'approved' THEN o.reviewed_on ELSE o.requested_on END, CAST(as_of AS DATE)) AS stage_days
FROM o LEFT JOIN payments p ON p.txn_id = o.txn_id
ORDER BY requested_on, refund_id;

-- What lies behind each open discrepancy as of a day (discrepancies_open):
-- the payments and executed refunds (the system side) and the settlement
-- lines (the bank side) reconciliation compared for it, so that per ref the
-- system items add up to its system_amount and the lines to its
-- bank_amount. A payment ref: the payment and the lines naming it; a line
-- naming no payment: the line; a group ref (CHANNEL:COLLECTOR:YYYY-MM-DD):
-- the payments of the group and its lines with no txn_ref; a refund number:
-- the executed refund and the lines naming it; refund:TXN_ID: the payment's
-- executed refunds and refund lines that no refund number pairs. Refunds
-- are negative (money leaving), lines keep their sign.
CREATE OR REPLACE MACRO discrepancy_lines(as_of, latest := false) AS TABLE
WITH
open AS (
    SELECT ref, source, day, channel, collector, system_amount, bank_amount, status, opened_on
    FROM reconciliation_rows_at(as_of, latest := latest, discrepancies := true)
    WHERE resolution IS NULL
),
-- only the payments, refunds and lines the open rows can name. A payment
-- ref's row is its payment (its day, channel, collector and amount are the
-- row's own); a group's payments are read by the group's day; a refund
-- row's payment by the refunds it names.
groups AS (SELECT DISTINCT channel, day FROM open WHERE source = 'group'),
grp_pay AS (
    SELECT p.txn_id, p.paid_on AS day, p.channel, nullif(trim(p.collector), '') AS collector, p.amount
    FROM fact_payments p JOIN groups g ON g.channel = p.channel AND g.day = p.paid_on
    WHERE p.status = 'completed' AND p.paid_on <= CAST(as_of AS DATE)
),
refund_txn AS (
    SELECT r.txn_id FROM open o JOIN refunds r
      ON o.source = 'refund' AND (r.refund_id = o.ref OR 'refund:' || r.txn_id = o.ref)
),
refundable AS (
    SELECT txn_id, paid_on AS day, channel, nullif(trim(collector), '') AS collector
    FROM fact_payments
    WHERE status = 'completed' AND channel IS NOT NULL AND channel <> 'cash_deposit'
      AND paid_on <= CAST(as_of AS DATE) AND txn_id IN (SELECT txn_id FROM refund_txn)
),
line AS (
    SELECT l.settlement_id, l.channel, l.txn_ref, l.amount, l.day, l.collector
    FROM fact_settlements l LEFT JOIN groups g ON g.channel = l.channel AND g.day = l.day
    WHERE l.amount >= 0 AND l.day <= CAST(as_of AS DATE)
      -- one set per key, not one per source: each IN probes every line
      AND (l.txn_ref IN (SELECT ref FROM open WHERE source = 'payment' UNION ALL SELECT txn_id FROM grp_pay)
           OR l.settlement_id IN (SELECT ref FROM open WHERE source = 'settlement')
           OR g.day IS NOT NULL)
),
refund AS (
    SELECT r.refund_id, r.txn_id, -r.amount AS amount, local_day(r.executed_at) AS day, p.channel, p.collector
    FROM refunds r JOIN refundable p ON p.txn_id = r.txn_id
    WHERE r.executed_at IS NOT NULL AND local_day(r.executed_at) <= CAST(as_of AS DATE)
),
refund_line AS (
    SELECT settlement_id, channel, txn_ref, refund_ref, amount, day, collector
    FROM fact_settlements
    WHERE amount < 0 AND day <= CAST(as_of AS DATE)
      AND (txn_ref IN (SELECT txn_id FROM refund_txn) OR 'refund:' || txn_ref IN (SELECT ref FROM open WHERE source = 'refund'))
),
numbered AS (
    SELECT l.*, r.refund_id
    FROM refund_line l JOIN refunds r ON r.refund_id = l.refund_ref AND r.txn_id = l.txn_ref
    WHERE l.txn_ref IN (SELECT txn_id FROM refundable)
),
items AS (
    SELECT o.ref, 1 AS side, 'payment' AS item, o.ref AS item_id, o.day, o.channel, o.collector, o.system_amount AS amount
    FROM open o WHERE o.source = 'payment'
    UNION ALL
    SELECT o.ref, 2, 'settlement', l.settlement_id, l.day, l.channel, l.collector, l.amount
    FROM open o JOIN line l ON o.source = 'payment' AND l.txn_ref = o.ref
    UNION ALL
    SELECT o.ref, 2, 'settlement', l.settlement_id, l.day, l.channel, l.collector, l.amount
    FROM open o JOIN line l ON o.source = 'settlement' AND l.settlement_id = o.ref
    UNION ALL
    SELECT o.ref, 1, 'payment', p.txn_id, p.day, p.channel, p.collector, p.amount
    FROM open o JOIN grp_pay p ON o.source = 'group' AND p.channel = o.channel AND p.day = o.day
         AND (o.channel <> 'cash_deposit' OR coalesce(p.collector, '*') = coalesce(o.collector, '*'))
    WHERE NOT EXISTS (SELECT 1 FROM line l WHERE l.txn_ref = p.txn_id)
    UNION ALL
    SELECT o.ref, 2, 'settlement', l.settlement_id, l.day, l.channel, l.collector, l.amount
    FROM open o JOIN line l ON o.source = 'group' AND l.txn_ref IS NULL AND l.channel = o.channel AND l.day = o.day
         AND (o.channel <> 'cash_deposit' OR coalesce(l.collector, '*') = coalesce(o.collector, '*'))
    UNION ALL
    SELECT o.ref, 1, 'refund', r.refund_id, r.day, r.channel, r.collector, r.amount
    FROM open o JOIN refund r ON o.source = 'refund' AND r.refund_id = o.ref
    UNION ALL
    SELECT o.ref, 2, 'settlement', n.settlement_id, n.day, n.channel, n.collector, n.amount
    FROM open o JOIN numbered n ON o.source = 'refund' AND n.refund_id = o.ref
    UNION ALL
    SELECT o.ref, 1, 'refund', r.refund_id, r.day, r.channel, r.collector, r.amount
    FROM open o JOIN refund r ON o.source = 'refund' AND o.ref = 'refund:' || r.txn_id
    WHERE NOT EXISTS (SELECT 1 FROM numbered n WHERE n.refund_id = r.refund_id)
    UNION ALL
    SELECT o.ref, 2, 'settlement', l.settlement_id, l.day, l.channel, l.collector, l.amount
    FROM open o JOIN refund_line l ON o.source = 'refund' AND o.ref = 'refund:' || l.txn_ref
    WHERE NOT EXISTS (SELECT 1 FROM numbered n WHERE n.settlement_id = l.settlement_id)
)
SELECT o.ref, o.status, o.opened_on, i.item, i.item_id, i.day, i.channel, i.collector,
       CAST(i.amount AS DECIMAL(18,2)) AS amount
FROM open o JOIN items i ON i.ref = o.ref
ORDER BY o.opened_on, o.ref, i.side, i.day, i.item_id;
