-- Settings of the organisation that the metric views read: the zone local
-- days are counted in, and how many days a payment may wait for its
-- settlement line before it is reported missing. One row.
CREATE TABLE feeflow_settings (
    time_zone              VARCHAR NOT NULL,
    settlement_window_days INTEGER NOT NULL DEFAULT 3 CHECK (settlement_window_days BETWEEN 0 AND 60)
);
