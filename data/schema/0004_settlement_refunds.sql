-- Channel statements also carry refunds: a settlement line with a negative
-- amount is the channel paying a payment (txn_ref) back, and refund_ref is
-- the refund number the statement gives for it. The table is rebuilt so
-- that refund_ref sits before the batch columns, in the order ingest appends.
CREATE TABLE settlements_v4 (
    settlement_id VARCHAR,
    channel       VARCHAR NOT NULL,
    txn_ref       VARCHAR,
    amount        DECIMAL(18,2) NOT NULL,
    settled_at    TIMESTAMPTZ NOT NULL,
    fee           DECIMAL(18,2) NOT NULL,
    collector     VARCHAR,
    refund_ref    VARCHAR,
    batch_id      VARCHAR NOT NULL,
    source_row    INTEGER NOT NULL
);
INSERT INTO settlements_v4
SELECT settlement_id, channel, txn_ref, amount, settled_at, fee, collector, NULL, batch_id, source_row
FROM settlements;
DROP TABLE settlements;
ALTER TABLE settlements_v4 RENAME TO settlements;

COMMENT ON TABLE settlements IS 'Settlement lines of the bank and the payment providers, and collectors'' cash deposits, matched against payments by reconciliation. A negative amount is a refund the channel paid back for the payment txn_ref.';
COMMENT ON COLUMN settlements.settlement_id IS 'Settlement line identifier (derived from the line''s content when the statement has none).';
COMMENT ON COLUMN settlements.channel IS 'bank, card, wechat, alipay or cash_deposit.';
COMMENT ON COLUMN settlements.txn_ref IS 'The payment''s txn_id as echoed by the provider; empty for a line that settles a group (cash deposits, batch lines); required on a refund line.';
COMMENT ON COLUMN settlements.amount IS 'Amount settled, before the provider fee, money; negative for a refund paid back by the channel.';
COMMENT ON COLUMN settlements.settled_at IS 'When the line was settled, an instant (UTC).';
COMMENT ON COLUMN settlements.fee IS 'Fee the provider kept, money (negative when the provider returned its fee on a refund).';
COMMENT ON COLUMN settlements.collector IS 'The collector whose cash was deposited (cash_deposit lines).';
COMMENT ON COLUMN settlements.refund_ref IS 'On a refund line: the refund number the statement gives (the merchant''s refund number when the channel echoes it).';
COMMENT ON COLUMN settlements.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN settlements.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';
