-- Every upload attempt, through the page, the API or the CLI's --server:
-- who sent which file as which kind, when, what became of it (ingested, a
-- dry run, rejected with nothing written, the same file again, refused),
-- and the problems found in its rows, so that finance can see what they
-- sent and take the errors away to fix them. Kept in a schema of its own,
-- outside the analysts' tables, the data dictionary and the Parquet export:
-- rejected rows hold values that were never accepted.
CREATE SCHEMA upload_log;

CREATE SEQUENCE upload_log.attempt_ids START 1;

CREATE TABLE upload_log.attempts (
    attempt_id     BIGINT PRIMARY KEY,
    attempted_at   TIMESTAMPTZ NOT NULL,
    uploaded_by    VARCHAR NOT NULL,
    via            VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    dry_run        BOOLEAN NOT NULL,
    outcome        VARCHAR NOT NULL,
    batch_id       VARCHAR,
    duplicate_of   VARCHAR,
    rows_total     INTEGER NOT NULL,
    rows_accepted  INTEGER NOT NULL,
    rows_rejected  INTEGER NOT NULL,
    rows_duplicate INTEGER NOT NULL,
    errors_total   INTEGER NOT NULL,
    errors_kept    INTEGER NOT NULL,
    problem        VARCHAR NOT NULL
);

CREATE TABLE upload_log.errors (
    attempt_id BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    "column"   VARCHAR NOT NULL,
    value      VARCHAR NOT NULL,
    message    VARCHAR NOT NULL
);

COMMENT ON TABLE upload_log.attempts IS 'Every upload attempt, committed or not, newest last.';
COMMENT ON COLUMN upload_log.attempts.via IS 'page (the upload desk) or api (POST /api/v1/ingest, the CLI with --server).';
COMMENT ON COLUMN upload_log.attempts.kind IS 'The record kind the file was sent as; empty when none could be told.';
COMMENT ON COLUMN upload_log.attempts.outcome IS 'ingested, dry_run, rejected (nothing written), duplicate (the same file again, nothing written), refused (the request or file could not be read), failed (the server''s fault).';
COMMENT ON COLUMN upload_log.attempts.errors_total IS 'Problems found in the rows; at most errors_kept of them are kept in upload_log.errors.';
COMMENT ON COLUMN upload_log.attempts.problem IS 'Why a refused or failed attempt was not read; empty otherwise.';
COMMENT ON TABLE upload_log.errors IS 'The problems of an attempt''s rows, in row order (at most 100,000 per attempt).';
