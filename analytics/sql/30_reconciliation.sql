-- Reconciliation of the system's payments against the bank's and the
-- providers' settlement lines, of each collector's cash against the cash
-- deposited, and of the refunds feeflow executed against the refund lines the
-- channels paid back, as of a day (nothing after it counts).
--
-- Payments. Only lines with amount >= 0 settle payments. One row per payment
-- named by a line (matched, amount_mismatch, or duplicate_settlement when two
-- or more lines name it), per line naming no completed payment
-- (missing_payment), per group, and per payment nothing settled
-- (missing_settlement once the settlement window has passed, pending before).
-- A line with an empty txn_ref settles a group: a cash_deposit line that
-- collector's cash payments of the day, another channel's line that channel's
-- payments of the day that no line names. A group's ref is
-- CHANNEL:COLLECTOR:YYYY-MM-DD (cash for cash_deposit, * for no collector).
--
-- Refunds (source refund). A line with a negative amount is the channel paying
-- back part or all of the payment its txn_ref names. An executed refund of a
-- completed payment settled through a channel (bank_transfer, card, wechat,
-- alipay; not cash, not other) expects such a line; refunds paid at the
-- counter expect none. Two grains, so that every line and every refund is in
-- exactly one row:
--   - by refund number: a line whose refund_ref is the refund_id of a refund
--     of the payment it names settles that refund. One row per refund so
--     named, ref = the refund_id: matched, amount_mismatch,
--     duplicate_refund_line (two or more lines name it), or missing_refund
--     when the refund is not executed (yet) in feeflow;
--   - by payment: the other refund lines of a payment (no refund_ref, or a
--     number of the channel's own) against the payment's executed refunds
--     that no line names, as sums (a statement without the refund's number
--     cannot tell two refunds of one payment apart). One row per payment with
--     either, ref = refund:TXN_ID: matched; missing_refund (lines, no executed
--     refund); missing_refund_line (executed refunds, no line, once the
--     settlement window has passed since the latest of them); pending while
--     fewer lines than refunds arrived and that window is still open;
--     duplicate_refund_line (more lines than refunds); else amount_mismatch.
-- Amounts keep their sign: system_amount = -(refund as executed), bank_amount =
-- the lines' (negative) sum, so diff = bank - system as for payments (a line
-- short of the refund has a positive diff). day is the day the refund was
-- executed (by payment: the latest), or the first line's day when no refund
-- is executed; channel and collector are the payment's (for lines naming no
-- payment settled through a channel: the line's channel, no collector).
--
-- diff = bank - system. A discrepancy with a resolutions row (by its ref) is
-- resolved.
-- Whether the reconciliation rows of day d are computed: the days from
-- from_day on, and when scoped only the days in facts_scope (kind
-- recon_day), as a batch keeps fact_reconciliation.
CREATE OR REPLACE MACRO recon_day_in(d, from_day, scoped) AS
    d >= CAST(from_day AS DATE)
    AND (NOT scoped OR d IN (SELECT CAST(key AS DATE) FROM facts_scope WHERE kind = 'recon_day'));

-- Whether the refund rows (source refund) of day d are computed: those of
-- the days recon_day_in computes, and when scoped also of the days in
-- facts_scope kind recon_refund_day. A batch of refunds changes only the
-- refund rows of the payments it refunds, which belong to those payments'
-- days: the payments' own rows and the other rows of their days stay as
-- they are.
CREATE OR REPLACE MACRO recon_refund_day_in(d, from_day, scoped) AS
    recon_day_in(d, from_day, scoped)
    OR (scoped AND d >= CAST(from_day AS DATE)
        AND d IN (SELECT CAST(key AS DATE) FROM facts_scope WHERE kind = 'recon_refund_day'));

-- Whether a row of fact_reconciliation (its home_day and source) is one the
-- scoped reconciliation_rows_of computes: the rows a batch replaces.
CREATE OR REPLACE MACRO recon_row_scoped(home_day, source) AS
    home_day IN (SELECT CAST(key AS DATE) FROM facts_scope WHERE kind = 'recon_day')
    OR (source = 'refund' AND home_day IN (SELECT CAST(key AS DATE) FROM facts_scope WHERE kind = 'recon_refund_day'));

-- to_day is the last day computed: no row of a later day is. A batch
-- (scoped) gives the first and last day of its scope as constants, so that
-- DuckDB skips the parts of fact_payments and fact_settlements (kept in the
-- order the data came, so mostly by day) outside them: with the range in
-- one filter with the other payments, it read both facts whole (at 10 M
-- payments, 0.77 s against 0.43 s for a settlement file's three days).
-- Unscoped, every payment is read once, as before: split in two, the whole
-- computation ran out of the 1 GB bound at 10 M payments.
CREATE OR REPLACE MACRO reconciliation_rows_of(as_of, from_day, scoped, to_day := DATE '9999-12-31') AS TABLE
WITH
settings AS (SELECT max(settlement_window_days) AS window_days FROM feeflow_settings),
-- the payments the rows of the days computed can involve: those of the
-- days, and the others named by a line of the days or by a refund line,
-- or refunded (all of them when every day is computed)
pay_all AS (
    SELECT txn_id, paid_on AS day, channel, nullif(trim(collector), '') AS collector, amount
    FROM fact_payments
    WHERE NOT scoped AND status = 'completed' AND channel IS NOT NULL AND paid_on <= CAST(as_of AS DATE)
      AND (paid_on >= CAST(from_day AS DATE)
           -- one set, not two: each IN probes every payment
           OR txn_id IN (SELECT txn_ref FROM fact_settlements WHERE day >= CAST(from_day AS DATE) OR amount < 0
                         UNION ALL SELECT txn_id FROM refunds))
    UNION ALL
    SELECT txn_id, paid_on AS day, channel, nullif(trim(collector), '') AS collector, amount
    FROM fact_payments
    WHERE scoped AND status = 'completed' AND channel IS NOT NULL AND paid_on <= CAST(as_of AS DATE)
      AND paid_on BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE)
      AND recon_day_in(paid_on, from_day, scoped)
    UNION ALL
    SELECT txn_id, paid_on AS day, channel, nullif(trim(collector), '') AS collector, amount
    FROM fact_payments
    WHERE scoped AND status = 'completed' AND channel IS NOT NULL AND paid_on <= CAST(as_of AS DATE)
      AND NOT coalesce(paid_on BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE)
                       AND recon_day_in(paid_on, from_day, scoped), false)
      AND txn_id IN (SELECT txn_ref FROM fact_settlements
                     WHERE (day BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE) AND recon_day_in(day, from_day, scoped))
                        OR amount < 0
                     UNION ALL SELECT txn_id FROM refunds)
),
-- the payments whose rows are computed: those of the days
pay AS (SELECT * FROM pay_all WHERE day BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE) AND recon_day_in(day, from_day, scoped)),
-- the lines those rows can involve: of the days, and the others naming
-- one of those payments
line AS (
    SELECT settlement_id, channel, txn_ref, amount, day, collector
    FROM fact_settlements
    WHERE NOT scoped AND amount >= 0 AND day <= CAST(as_of AS DATE)
      AND (day >= CAST(from_day AS DATE) OR txn_ref IN (SELECT txn_id FROM pay))
    UNION ALL
    SELECT settlement_id, channel, txn_ref, amount, day, collector
    FROM fact_settlements
    WHERE scoped AND amount >= 0 AND day <= CAST(as_of AS DATE)
      AND day BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE)
      AND recon_day_in(day, from_day, scoped)
    UNION ALL
    SELECT settlement_id, channel, txn_ref, amount, day, collector
    FROM fact_settlements
    WHERE scoped AND amount >= 0 AND day <= CAST(as_of AS DATE)
      AND NOT coalesce(day BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE)
                       AND recon_day_in(day, from_day, scoped), false)
      AND txn_ref IN (SELECT txn_id FROM pay)
),
named AS (
    SELECT p.txn_id, p.day, p.channel, p.collector, p.amount AS system_amount,
           sum(l.amount) AS bank_amount, count(*) AS lines, max(l.day) AS last_line_day
    FROM pay p JOIN line l ON l.txn_ref = p.txn_id
    GROUP BY ALL
),
unnamed AS (
    SELECT p.* FROM pay p WHERE NOT EXISTS (SELECT 1 FROM line l WHERE l.txn_ref = p.txn_id)
),
group_lines AS (
    SELECT CASE WHEN channel = 'cash_deposit' THEN coalesce(collector, '*') ELSE '*' END AS grp_collector,
           channel, day, sum(amount) AS bank_amount
    FROM line WHERE txn_ref IS NULL AND recon_day_in(day, from_day, scoped)
    GROUP BY ALL
),
group_pays AS (
    SELECT CASE WHEN channel = 'cash_deposit' THEN coalesce(collector, '*') ELSE '*' END AS grp_collector,
           channel, day, sum(amount) AS system_amount
    FROM unnamed
    WHERE channel = 'cash_deposit'
       OR EXISTS (SELECT 1 FROM line l WHERE l.txn_ref IS NULL AND l.channel = unnamed.channel AND l.day = unnamed.day)
    GROUP BY ALL
),
groups AS (
    SELECT coalesce(g.channel, p.channel) AS channel, coalesce(g.grp_collector, p.grp_collector) AS grp_collector,
           coalesce(g.day, p.day) AS day,
           coalesce(p.system_amount, 0) AS system_amount, coalesce(g.bank_amount, 0) AS bank_amount,
           g.channel IS NOT NULL AS has_line
    FROM group_lines g FULL JOIN group_pays p USING (channel, grp_collector, day)
),
-- payments a channel pays refunds back for
refundable AS (SELECT * FROM pay_all WHERE channel <> 'cash_deposit'),
-- executed refunds of those, as (negative) money leaving the organisation
refund AS (
    SELECT r.refund_id, r.txn_id, -r.amount AS amount, local_day(r.executed_at) AS day
    FROM refunds r
    WHERE r.executed_at IS NOT NULL AND local_day(r.executed_at) <= CAST(as_of AS DATE)
      AND r.txn_id IN (SELECT txn_id FROM refundable)
),
refund_line AS (
    SELECT settlement_id, channel, txn_ref, refund_ref, amount, day
    FROM fact_settlements
    WHERE amount < 0 AND day <= CAST(as_of AS DATE)
),
-- refund lines naming, by its number, a refund of the payment they name
numbered AS (
    SELECT l.settlement_id, l.txn_ref, l.amount, l.day, r.refund_id
    FROM refund_line l JOIN refunds r ON r.refund_id = l.refund_ref AND r.txn_id = l.txn_ref
    WHERE l.txn_ref IN (SELECT txn_id FROM refundable)
),
by_number AS (
    SELECT n.refund_id, n.txn_ref AS txn_id, sum(n.amount) AS bank_amount, count(*) AS lines,
           min(n.day) AS first_line_day, max(n.day) AS last_line_day
    FROM numbered n
    GROUP BY n.refund_id, n.txn_ref
),
payment_refunds AS (
    SELECT txn_id, sum(amount) AS system_amount, count(*) AS refunds, max(day) AS last_refund_day
    FROM refund r
    WHERE NOT EXISTS (SELECT 1 FROM numbered n WHERE n.refund_id = r.refund_id)
    GROUP BY txn_id
),
payment_refund_lines AS (
    SELECT txn_ref AS txn_id, sum(amount) AS bank_amount, count(*) AS lines,
           min(day) AS first_line_day, max(day) AS last_line_day, min(channel) AS channel
    FROM refund_line l
    WHERE NOT EXISTS (SELECT 1 FROM numbered n WHERE n.settlement_id = l.settlement_id)
    GROUP BY txn_ref
),
by_payment AS (
    SELECT coalesce(r.txn_id, l.txn_id) AS txn_id,
           coalesce(r.system_amount, 0) AS system_amount, coalesce(l.bank_amount, 0) AS bank_amount,
           coalesce(r.refunds, 0) AS refunds, coalesce(l.lines, 0) AS lines,
           r.last_refund_day, l.first_line_day, l.last_line_day, l.channel AS line_channel
    FROM payment_refunds r FULL JOIN payment_refund_lines l ON l.txn_id = r.txn_id
),
rows AS (
    SELECT txn_id AS ref, 'payment' AS source, day, channel, collector, system_amount, bank_amount,
           CASE WHEN lines > 1 THEN 'duplicate_settlement'
                WHEN bank_amount = system_amount THEN 'matched'
                ELSE 'amount_mismatch' END AS status,
           last_line_day AS opened_on, day AS home_day, CAST(NULL AS DATE) AS pending_until
    FROM named
    UNION ALL
    SELECT l.settlement_id, 'settlement', l.day, l.channel, l.collector, 0, l.amount, 'missing_payment', l.day, l.day, NULL
    FROM line l
    WHERE l.txn_ref IS NOT NULL AND recon_day_in(l.day, from_day, scoped)
      AND NOT EXISTS (SELECT 1 FROM pay_all p WHERE p.txn_id = l.txn_ref)
    UNION ALL
    SELECT (CASE WHEN channel = 'cash_deposit' THEN 'cash' ELSE channel END) || ':' || grp_collector || ':' || strftime(day, '%Y-%m-%d'),
           'group', day, channel, CASE WHEN grp_collector = '*' THEN NULL ELSE grp_collector END,
           system_amount, bank_amount,
           CASE WHEN NOT has_line AND date_diff('day', day, CAST(as_of AS DATE)) >= (SELECT window_days FROM settings) THEN 'missing_settlement'
                WHEN NOT has_line THEN 'pending'
                WHEN system_amount = 0 THEN 'missing_payment'
                WHEN bank_amount = system_amount THEN 'matched'
                ELSE 'amount_mismatch' END,
           CASE WHEN has_line THEN day ELSE day + (SELECT window_days FROM settings) END,
           day,
           CASE WHEN NOT has_line THEN day + (SELECT window_days FROM settings) END
    FROM groups
    UNION ALL
    SELECT u.txn_id, 'payment', u.day, u.channel, u.collector, u.amount, 0,
           CASE WHEN date_diff('day', u.day, CAST(as_of AS DATE)) >= (SELECT window_days FROM settings) THEN 'missing_settlement'
                ELSE 'pending' END,
           u.day + (SELECT window_days FROM settings),
           u.day,
           u.day + (SELECT window_days FROM settings)
    FROM unnamed u
    WHERE u.channel <> 'cash_deposit'
      AND NOT EXISTS (SELECT 1 FROM line l WHERE l.txn_ref IS NULL AND l.channel = u.channel AND l.day = u.day)
    UNION ALL
    SELECT b.refund_id, 'refund', coalesce(r.day, b.first_line_day), p.channel, p.collector,
           coalesce(r.amount, 0), b.bank_amount,
           CASE WHEN r.refund_id IS NULL THEN 'missing_refund'
                WHEN b.lines > 1 THEN 'duplicate_refund_line'
                WHEN b.bank_amount = r.amount THEN 'matched'
                ELSE 'amount_mismatch' END,
           b.last_line_day,
           p.day,
           CAST(NULL AS DATE)
    FROM by_number b
    JOIN refundable p ON p.txn_id = b.txn_id
    LEFT JOIN refund r ON r.refund_id = b.refund_id
    WHERE recon_refund_day_in(p.day, from_day, scoped)
    UNION ALL
    SELECT 'refund:' || b.txn_id, 'refund', coalesce(b.last_refund_day, b.first_line_day),
           coalesce(p.channel, b.line_channel), p.collector,
           b.system_amount, b.bank_amount,
           CASE WHEN b.refunds = 0 THEN 'missing_refund'
                WHEN b.bank_amount = b.system_amount THEN 'matched'
                WHEN b.lines < b.refunds AND date_diff('day', b.last_refund_day, CAST(as_of AS DATE)) < (SELECT window_days FROM settings) THEN 'pending'
                WHEN b.lines = 0 THEN 'missing_refund_line'
                WHEN b.lines > b.refunds THEN 'duplicate_refund_line'
                ELSE 'amount_mismatch' END,
           CASE WHEN b.lines < b.refunds THEN b.last_refund_day + (SELECT window_days FROM settings)
                ELSE b.last_line_day END,
           coalesce(p.day, b.first_line_day),
           CASE WHEN b.refunds > 0 AND b.bank_amount <> b.system_amount AND b.lines < b.refunds
                THEN b.last_refund_day + (SELECT window_days FROM settings) END
    FROM by_payment b
    LEFT JOIN refundable p ON p.txn_id = b.txn_id
    WHERE recon_refund_day_in(coalesce(p.day, b.first_line_day), from_day, scoped)
)
SELECT r.ref, r.source, r.day, r.channel, r.collector,
       CAST(r.system_amount AS DECIMAL(18,2)) AS system_amount,
       CAST(r.bank_amount AS DECIMAL(18,2)) AS bank_amount,
       CAST(r.bank_amount - r.system_amount AS DECIMAL(18,2)) AS diff,
       r.status,
       CASE WHEN r.status NOT IN ('matched', 'pending') THEN res.resolution END AS resolution,
       CAST(r.opened_on AS DATE) AS opened_on,
       CAST(r.home_day AS DATE) AS home_day,
       CAST(r.pending_until AS DATE) AS pending_until
FROM rows r
LEFT JOIN resolutions res ON res.ref = r.ref AND local_day(res.resolved_at) <= CAST(as_of AS DATE);

-- The reconciliation rows as of a day that belong to the days from from_day
-- on (home_day below).
CREATE OR REPLACE MACRO reconciliation_rows_from(as_of, from_day) AS TABLE
SELECT * FROM reconciliation_rows_of(as_of, from_day, false);

-- fact_reconciliation (a metric fact, see 05_facts.sql): every row of the
-- reconciliation once all the data is in (as of the end of time): a row
-- that waits for its settlement window says until when (pending_until), so
-- that the view decides pending against the data's last day. home_day is
-- the day a row belongs to (its payment's, else its line's or group's);
-- a batch recomputes the rows of the days it touches (facts_scope kind
-- recon_day), and a batch of refunds the refund rows of its payments' days
-- (kind recon_refund_day).
-- The rows of fact_reconciliation of the days from from_day to to_day;
-- scoped: of the days in facts_scope among them (kinds recon_day and
-- recon_refund_day), which a batch gives as constants (see
-- reconciliation_rows_of).
CREATE OR REPLACE MACRO fact_reconciliation_rows_of(from_day, to_day, scoped) AS TABLE
SELECT ref, source, day, channel, collector, system_amount, bank_amount, status, opened_on, home_day, pending_until
FROM reconciliation_rows_of(DATE '9999-12-31', from_day, scoped, to_day := to_day);

CREATE OR REPLACE MACRO fact_reconciliation_rows(all_keys) AS TABLE
SELECT * FROM fact_reconciliation_rows_of(
     CASE WHEN all_keys THEN DATE '0001-01-01'
          ELSE coalesce((SELECT min(CAST(key AS DATE)) FROM facts_scope WHERE kind IN ('recon_day', 'recon_refund_day')),
                        DATE '9999-12-31') END,
     DATE '9999-12-31', NOT all_keys);

CREATE OR REPLACE TABLE fact_reconciliation AS SELECT * FROM fact_reconciliation_rows(true);
COMMENT ON TABLE fact_reconciliation IS 'Metric fact, kept at ingest: every reconciliation row once all the data is in, status as after the settlement window (pending_until: until when it would be pending), home_day the day it belongs to. Equal to fact_reconciliation_rows(true).';

-- fact_reconciliation_cells (an aggregate fact, see 05_facts.sql):
-- fact_reconciliation per day, channel, collector ('' for none), status as
-- after the window and pending_until: rows, sum of |diff|, system and bank
-- amounts. all_keys false: the rows a batch replaces (recon_row_scoped).
CREATE OR REPLACE MACRO fact_reconciliation_cells_rows(all_keys) AS TABLE
SELECT day, channel, coalesce(collector, '') AS collector, status, pending_until,
       count(*) AS items,
       coalesce(sum(abs(CAST(bank_amount - system_amount AS DECIMAL(18,2)))), 0) AS abs_diff,
       coalesce(sum(system_amount), 0) AS system_amount,
       coalesce(sum(bank_amount), 0) AS bank_amount
FROM fact_reconciliation
WHERE all_keys OR recon_row_scoped(home_day, source)
GROUP BY ALL;

CREATE OR REPLACE TABLE fact_reconciliation_cells AS SELECT * FROM fact_reconciliation_cells_rows(true);
COMMENT ON TABLE fact_reconciliation_cells IS 'Aggregate fact, kept at ingest: fact_reconciliation per day, channel, collector, status and pending_until: items, abs_diff (sum of |bank - system|), system_amount, bank_amount. Equal to fact_reconciliation_cells_rows(true).';

-- The reconciliation as of a day on or after the data's last day, from the
-- fact: pending while the day is before pending_until. discrepancies :=
-- true: only the rows whose status is neither matched nor pending. The fact
-- keeps each row's status as after the window, which is what the row has
-- unless it is still pending, so only the fact's rows of another status are
-- read: a filter DuckDB applies while scanning the one column (at 10 M
-- payments 2,954 of 7.1 M rows).
CREATE OR REPLACE MACRO reconciliation_facts_at(as_of, discrepancies := false) AS TABLE
WITH r AS (
    SELECT ref, source, day, channel, collector, system_amount, bank_amount, bank_amount - system_amount AS diff,
           CASE WHEN pending_until IS NOT NULL AND CAST(as_of AS DATE) < pending_until THEN 'pending' ELSE status END AS status,
           opened_on
    FROM fact_reconciliation
    WHERE NOT discrepancies OR status NOT IN ('matched', 'pending')
)
SELECT r.ref, r.source, r.day, r.channel, r.collector, r.system_amount, r.bank_amount,
       CAST(r.diff AS DECIMAL(18,2)) AS diff, r.status,
       CASE WHEN r.status NOT IN ('matched', 'pending') THEN res.resolution END AS resolution,
       r.opened_on
FROM r
LEFT JOIN resolutions res ON res.ref = r.ref AND local_day(res.resolved_at) <= CAST(as_of AS DATE)
WHERE NOT discrepancies OR r.status NOT IN ('matched', 'pending');

-- Every row as of a day. By default computed from all the data up to the day
-- (any day, past ones included); latest := true reads the fact instead
-- (reconciliation_facts_at, the same rows), which holds only for a day on or
-- after the data's last day: asked for an earlier day it is an error, never
-- a wrong answer. discrepancies := true: only the rows whose status is
-- neither matched nor pending.
CREATE OR REPLACE MACRO reconciliation_rows_at(as_of, latest := false, discrepancies := false) AS TABLE
SELECT ref, source, day, channel, collector, system_amount, bank_amount, diff, status, resolution, opened_on
FROM reconciliation_rows_from(as_of, DATE '0001-01-01')
WHERE NOT latest AND (NOT discrepancies OR status NOT IN ('matched', 'pending'))
UNION ALL
SELECT ref, source, day, channel, collector, system_amount, bank_amount, diff, status, resolution, opened_on
FROM reconciliation_facts_at(as_of, discrepancies := discrepancies)
WHERE latest
  AND CASE WHEN CAST(as_of AS DATE) < coalesce(data_end(), DATE '0001-01-01')
           THEN error('latest := true reads the facts, which hold on or after the data''s last day only')
           ELSE true END;

-- The documented columns, as of a day.
CREATE OR REPLACE MACRO reconciliation_at(as_of) AS TABLE
SELECT ref, source, day, channel, collector, system_amount, bank_amount, diff, status, resolution
FROM reconciliation_rows_at(as_of);

CREATE OR REPLACE VIEW reconciliation AS
SELECT ref, source, day, channel, collector, system_amount, bank_amount, diff, status, resolution
FROM reconciliation_facts_at(coalesce(data_end(), DATE '1970-01-01'))
ORDER BY day, channel, ref;
COMMENT ON VIEW reconciliation IS 'One row per payment or settlement line, or per group, and per refund (by refund number, or refund:TXN_ID per payment), as of the last day of the data: status matched, amount_mismatch, missing_settlement (nothing settled within the window), missing_payment, duplicate_settlement, missing_refund_line (an executed refund the channel did not pay back within the window), missing_refund (a channel refund line with no executed refund), duplicate_refund_line, or pending (still inside the window); diff = bank - system; resolution from resolutions.';

-- Per day and channel: items decided (pending ones are not yet), matched,
-- discrepancies and their amount (sum of |diff|), match_rate = matched / items.
CREATE OR REPLACE VIEW reconciliation_daily AS
WITH c AS (
    -- pending is decided against the data's last day, as in reconciliation
    SELECT day, channel,
           CASE WHEN pending_until IS NOT NULL AND coalesce(data_end(), DATE '1970-01-01') < pending_until
                THEN 'pending' ELSE status END AS status,
           items, abs_diff
    FROM fact_reconciliation_cells
)
SELECT day, channel,
       CAST(coalesce(sum(items) FILTER (WHERE status <> 'pending'), 0) AS BIGINT) AS items,
       CAST(coalesce(sum(items) FILTER (WHERE status = 'matched'), 0) AS BIGINT) AS matched,
       CAST(coalesce(sum(items) FILTER (WHERE status NOT IN ('matched', 'pending')), 0) AS BIGINT) AS discrepancies,
       coalesce(sum(abs_diff) FILTER (WHERE status NOT IN ('matched', 'pending')), 0) AS discrepancy_amount,
       ratio4(coalesce(sum(items) FILTER (WHERE status = 'matched'), 0), coalesce(sum(items) FILTER (WHERE status <> 'pending'), 0)) AS match_rate
FROM c
GROUP BY day, channel
ORDER BY day, channel;
COMMENT ON VIEW reconciliation_daily IS 'Per day and settlement channel: items (decided rows), matched, discrepancies, discrepancy_amount = sum of |diff|, match_rate = matched / items.';

-- The follow-up list as of a day: every discrepancy known then and not yet
-- resolved, the day it opened (the line that showed it, or the end of the
-- settlement window) and its age in days.
CREATE OR REPLACE MACRO discrepancies_open(as_of, latest := false) AS TABLE
SELECT ref, status, diff, opened_on, date_diff('day', opened_on, CAST(as_of AS DATE)) AS age_days
FROM reconciliation_rows_at(as_of, latest := latest, discrepancies := true)
WHERE resolution IS NULL
ORDER BY opened_on, ref;
