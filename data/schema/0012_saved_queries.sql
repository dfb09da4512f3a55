-- Saved queries are the SQL analysts keep and share on the workbench: a
-- title, the SQL as written (never run when saved), who saved it and when.
-- Kept in a schema of its own, outside the analysts' tables, the data
-- dictionary and the Parquet export: the read-only gate lets analysts' SQL
-- read only feeflow's tables and views of the main schema.
CREATE SCHEMA workbench;

CREATE TABLE workbench.saved_queries (
    id         BIGINT PRIMARY KEY,
    title      VARCHAR NOT NULL,
    sql        VARCHAR NOT NULL,
    author     VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE workbench.saved_queries IS 'Queries analysts saved on the SQL workbench, shared among them.';
COMMENT ON COLUMN workbench.saved_queries.id IS 'Number of the saved query, in the order saved.';
COMMENT ON COLUMN workbench.saved_queries.title IS 'What the query answers, as its author titled it.';
COMMENT ON COLUMN workbench.saved_queries.sql IS 'The SQL as saved; it runs through the read-only gate when opened and run.';
COMMENT ON COLUMN workbench.saved_queries.author IS 'Sign-in name (or token name) of who saved it; they may delete it, as may an admin.';
COMMENT ON COLUMN workbench.saved_queries.created_at IS 'When it was saved.';
