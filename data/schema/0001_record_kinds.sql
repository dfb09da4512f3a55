-- The record kinds of a fee-collection operation, one table each, keyed as
-- DESIGN.md says; every row keeps the batch that brought it in and the row of
-- the uploaded file it came from. Money is DECIMAL(18,2), instants are
-- TIMESTAMPTZ (stored as UTC), calendar days DATE.
--
-- Keys are unique: ingest checks every batch's keys against the table inside
-- the single writer's transaction before it commits. They are not declared
-- PRIMARY KEY because a batch is appended first and checked after, which an
-- index would refuse for the duplicates the check is there to find, and
-- because an index doubles the cost of every load.

CREATE TABLE ingest_batches (
    batch_id      VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    file_sha256   VARCHAR NOT NULL,
    uploaded_by   VARCHAR NOT NULL,
    uploaded_at   TIMESTAMPTZ NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL DEFAULT 0
);

-- An Idempotency-Key replays the first answer given for it.
CREATE TABLE ingest_idempotency (
    idempotency_key VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,
    batch_id        VARCHAR NOT NULL,
    answer          VARCHAR NOT NULL
);

CREATE TABLE fee_items (
    code           VARCHAR,
    name           VARCHAR NOT NULL,
    unit           VARCHAR,
    rate           DECIMAL(18,2) NOT NULL,
    effective_from DATE NOT NULL,
    effective_to   DATE,
    batch_id       VARCHAR NOT NULL,
    source_row     INTEGER NOT NULL
);

CREATE TABLE customers (
    customer_id VARCHAR,
    name        VARCHAR,
    unit        VARCHAR,
    area        VARCHAR,
    id_doc      VARCHAR, -- masked on the way in: only the last 4 characters are kept
    batch_id    VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL
);

CREATE TABLE bills (
    bill_id     VARCHAR,
    customer_id VARCHAR NOT NULL,
    fee_item    VARCHAR NOT NULL,
    period      VARCHAR NOT NULL, -- YYYY-MM
    amount_due  DECIMAL(18,2) NOT NULL,
    discount    DECIMAL(18,2) NOT NULL,
    due_date    DATE NOT NULL,
    batch_id    VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL
);

CREATE TABLE payments (
    txn_id      VARCHAR,
    paid_at     TIMESTAMPTZ NOT NULL,
    customer_id VARCHAR,
    bill_id     VARCHAR,
    fee_item    VARCHAR NOT NULL,
    amount      DECIMAL(18,2) NOT NULL,
    method      VARCHAR NOT NULL,
    collector   VARCHAR,
    receipt_no  VARCHAR,
    status      VARCHAR NOT NULL,
    batch_id    VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL
);

CREATE TABLE settlements (
    settlement_id VARCHAR,
    channel       VARCHAR NOT NULL,
    txn_ref       VARCHAR,
    amount        DECIMAL(18,2) NOT NULL,
    settled_at    TIMESTAMPTZ NOT NULL,
    fee           DECIMAL(18,2) NOT NULL,
    collector     VARCHAR,
    batch_id      VARCHAR NOT NULL,
    source_row    INTEGER NOT NULL
);

CREATE TABLE refunds (
    refund_id    VARCHAR,
    txn_id       VARCHAR NOT NULL,
    amount       DECIMAL(18,2) NOT NULL,
    reason       VARCHAR,
    requested_at TIMESTAMPTZ NOT NULL,
    reviewed_at  TIMESTAMPTZ,
    decision     VARCHAR NOT NULL,
    executed_at  TIMESTAMPTZ,
    batch_id     VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL
);

CREATE TABLE invoices (
    invoice_no VARCHAR,
    txn_id     VARCHAR NOT NULL,
    type       VARCHAR NOT NULL,
    issued_at  TIMESTAMPTZ NOT NULL,
    status     VARCHAR NOT NULL,
    reissue_of VARCHAR,
    batch_id   VARCHAR NOT NULL,
    source_row INTEGER NOT NULL
);

CREATE TABLE exceptions (
    exception_id VARCHAR,
    occurred_at  TIMESTAMPTZ NOT NULL,
    customer_id  VARCHAR,
    bill_id      VARCHAR,
    type         VARCHAR NOT NULL,
    reason       VARCHAR,
    collector    VARCHAR,
    escalated    BOOLEAN NOT NULL,
    resolved_at  TIMESTAMPTZ,
    batch_id     VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL
);

CREATE TABLE actions (
    action_id  VARCHAR,
    title      VARCHAR NOT NULL,
    problem    VARCHAR NOT NULL,
    owner      VARCHAR NOT NULL,
    started_on DATE NOT NULL,
    metric     VARCHAR NOT NULL,
    target     DECIMAL(18,4) NOT NULL,
    batch_id   VARCHAR NOT NULL,
    source_row INTEGER NOT NULL
);

CREATE TABLE feedback (
    feedback_id VARCHAR,
    received_at TIMESTAMPTZ NOT NULL,
    customer_id VARCHAR,
    channel     VARCHAR,
    score       INTEGER NOT NULL,
    category    VARCHAR,
    comment     VARCHAR,
    batch_id    VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL
);

CREATE TABLE resolutions (
    ref         VARCHAR,
    resolved_at TIMESTAMPTZ NOT NULL,
    resolution  VARCHAR NOT NULL,
    note        VARCHAR,
    resolved_by VARCHAR,
    batch_id    VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL
);
