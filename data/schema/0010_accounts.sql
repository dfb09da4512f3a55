-- Who may use the server: people who sign in (users) and scripts (tokens),
-- each with roles (viewer, finance, analyst, admin; '+'-joined). Kept in a
-- schema of their own, outside the analysts' tables, the data dictionary and
-- the Parquet export. Secrets are never stored: a password only as its bcrypt
-- hash, a token only as its SHA-256.
CREATE SCHEMA accounts;

CREATE TABLE accounts.users (
    name          VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,
    roles         VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE accounts.tokens (
    name         VARCHAR PRIMARY KEY,
    token_sha256 VARCHAR NOT NULL UNIQUE,
    roles        VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

COMMENT ON TABLE accounts.users IS 'People who sign in to the server, with their roles.';
COMMENT ON COLUMN accounts.users.name IS 'Sign-in name, recorded as uploaded_by.';
COMMENT ON COLUMN accounts.users.password_hash IS 'bcrypt hash of the password.';
COMMENT ON COLUMN accounts.users.roles IS 'Roles joined by +: viewer, finance, analyst, admin (admin implies all).';
COMMENT ON COLUMN accounts.users.created_at IS 'When the user was added.';
COMMENT ON TABLE accounts.tokens IS 'Tokens for scripts (Authorization: Bearer), with their roles.';
COMMENT ON COLUMN accounts.tokens.name IS 'Name of the token, recorded as uploaded_by.';
COMMENT ON COLUMN accounts.tokens.token_sha256 IS 'SHA-256 of the token, hex.';
COMMENT ON COLUMN accounts.tokens.roles IS 'Roles joined by +: viewer, finance, analyst, admin (admin implies all).';
COMMENT ON COLUMN accounts.tokens.created_at IS 'When the token was made.';
