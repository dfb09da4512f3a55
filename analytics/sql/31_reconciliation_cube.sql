-- reconciliation_cube: reconciliation_daily at the grain the dashboard's
-- filters need, per day, settlement channel and collector ('' for rows
-- without one): items decided (pending ones are not yet), matched,
-- discrepancies and their amount (sum of |diff|), and the system and bank
-- amounts of the decided rows, as exact sums; match_rate = sum(matched) /
-- sum(items) of any selection of rows. Summed over collectors it is
-- reconciliation_daily. (A file of its own: a view binds the views it reads
-- when it is created, and reconciliation installs in 30_reconciliation.sql.)
CREATE OR REPLACE VIEW reconciliation_cube AS
WITH c AS (
    SELECT day, channel, collector,
           CASE WHEN pending_until IS NOT NULL AND coalesce(data_end(), DATE '1970-01-01') < pending_until
                THEN 'pending' ELSE status END AS status,
           items, abs_diff, system_amount, bank_amount
    FROM fact_reconciliation_cells
)
SELECT day, channel, collector,
       CAST(coalesce(sum(items) FILTER (WHERE status <> 'pending'), 0) AS BIGINT) AS items,
       CAST(coalesce(sum(items) FILTER (WHERE status = 'matched'), 0) AS BIGINT) AS matched,
       CAST(coalesce(sum(items) FILTER (WHERE status NOT IN ('matched', 'pending')), 0) AS BIGINT) AS discrepancies,
       coalesce(sum(abs_diff) FILTER (WHERE status NOT IN ('matched', 'pending')), 0) AS discrepancy_amount,
       coalesce(sum(system_amount) FILTER (WHERE status <> 'pending'), 0) AS system_amount,
       coalesce(sum(bank_amount) FILTER (WHERE status <> 'pending'), 0) AS bank_amount
FROM c
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
COMMENT ON VIEW reconciliation_cube IS 'Reconciliation per day, settlement channel and collector: items (decided rows), matched, discrepancies, discrepancy_amount = sum of |diff|, system and bank amounts of the decided rows; match_rate = sum(matched) / sum(items).';
COMMENT ON COLUMN reconciliation_cube.day IS 'Local day of the rows (as reconciliation.day).';
COMMENT ON COLUMN reconciliation_cube.channel IS 'Settlement channel: bank, card, wechat, alipay or cash_deposit.';
COMMENT ON COLUMN reconciliation_cube.collector IS 'Collector of the rows ('''' when none).';
COMMENT ON COLUMN reconciliation_cube.items IS 'Rows decided (status other than pending).';
COMMENT ON COLUMN reconciliation_cube.matched IS 'Rows matched.';
COMMENT ON COLUMN reconciliation_cube.discrepancies IS 'Rows decided and not matched.';
COMMENT ON COLUMN reconciliation_cube.discrepancy_amount IS 'Sum of |diff| of the discrepancies.';
COMMENT ON COLUMN reconciliation_cube.system_amount IS 'Sum of system_amount of the decided rows.';
COMMENT ON COLUMN reconciliation_cube.bank_amount IS 'Sum of bank_amount of the decided rows.';
