-- A refund must be of a completed payment and, with the other refunds of that
-- payment that were not rejected, must not return more than was paid.
INSERT INTO ingest_issues
SELECT s._row, 'txn_id', s.txn_id,
       'payment ' || s.txn_id || ' was voided; there is nothing to refund', false
FROM ingest_stage s JOIN payments p ON p.txn_id = s.txn_id
WHERE p.status = 'voided';

INSERT INTO ingest_issues
SELECT s._row, 'amount', s.amount::VARCHAR,
       'refund of ' || s.amount || ' is larger than payment ' || s.txn_id || ' (' || p.amount || ')', false
FROM ingest_stage s JOIN payments p ON p.txn_id = s.txn_id
WHERE s.amount > p.amount;

INSERT INTO ingest_issues
SELECT r._row, 'amount', r.amount::VARCHAR,
       'refunds of payment ' || r.txn_id || ' would total ' || (r.earlier + r.running) || ', more than was paid (' || r.paid || ')', false
FROM (
    SELECT s._row, s.txn_id, s.amount, p.amount AS paid,
           sum(s.amount) OVER (PARTITION BY s.txn_id ORDER BY s._row) AS running,
           coalesce((SELECT sum(e.amount) FROM refunds e
                     WHERE e.txn_id = s.txn_id AND e.decision <> 'rejected'
                       AND e.refund_id NOT IN (SELECT refund_id FROM ingest_stage)), 0) AS earlier
    FROM ingest_stage s JOIN payments p ON p.txn_id = s.txn_id
    WHERE s.decision <> 'rejected'
      AND s._row = (SELECT min(x._row) FROM ingest_stage x WHERE x.refund_id = s.refund_id)
      AND s.amount <= p.amount
) r
WHERE r.earlier + r.running > r.paid;
