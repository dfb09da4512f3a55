-- What feeflow remembers of its alerts: each alert raised by a rule (its
-- stable key is the rule and the subject, e.g. a discrepancy's ref), the
-- fingerprint of its state now and the fingerprint last delivered, so that
-- an alert is sent once and again only when it changes, and a resolved one
-- is reported once. Kept in a schema of its own, outside the analysts'
-- tables, the data dictionary and the Parquet export: it is feeflow's
-- bookkeeping, not the organisation's records.
CREATE SCHEMA alerts;

CREATE TABLE alerts.state (
    key              VARCHAR PRIMARY KEY,
    rule             VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    subject          VARCHAR NOT NULL,
    note             VARCHAR NOT NULL,
    value            VARCHAR NOT NULL,
    threshold        VARCHAR NOT NULL,
    fingerprint      VARCHAR NOT NULL,
    since            DATE,
    first_seen       TIMESTAMPTZ NOT NULL,
    resolved_at      TIMESTAMPTZ,
    sent_fingerprint VARCHAR,
    sent_at          TIMESTAMPTZ
);

CREATE TABLE alerts.evaluation (
    evaluated_at TIMESTAMPTZ NOT NULL,
    as_of        DATE
);

COMMENT ON TABLE alerts.state IS 'Each alert raised by an alert rule: open (resolved_at NULL) or resolved and not yet reported.';
COMMENT ON COLUMN alerts.state.key IS 'Stable key: rule name and subject.';
COMMENT ON COLUMN alerts.state.rule IS 'Name of the rule that raised it.';
COMMENT ON COLUMN alerts.state.kind IS 'Kind of the rule: discrepancy_age, match_rate, cash_short, area_arrears, action_slipped.';
COMMENT ON COLUMN alerts.state.subject IS 'What it is about: a discrepancy or cash group ref, a channel (* for all), an area, an action.';
COMMENT ON COLUMN alerts.state.note IS 'What else describes it: a discrepancy''s status, a day, an action''s metric and title.';
COMMENT ON COLUMN alerts.state.value IS 'The figure, exact decimal text.';
COMMENT ON COLUMN alerts.state.threshold IS 'What the figure was compared with, exact decimal text.';
COMMENT ON COLUMN alerts.state.fingerprint IS 'Digest of its state now; it changes when the alert changes.';
COMMENT ON COLUMN alerts.state.since IS 'Day since which the condition holds, as far as the data tells; NULL when it does not.';
COMMENT ON COLUMN alerts.state.first_seen IS 'When feeflow first raised it.';
COMMENT ON COLUMN alerts.state.resolved_at IS 'When feeflow found it no longer holds; NULL while it does.';
COMMENT ON COLUMN alerts.state.sent_fingerprint IS 'Fingerprint last delivered; NULL when never delivered.';
COMMENT ON COLUMN alerts.state.sent_at IS 'When it was last delivered.';
COMMENT ON TABLE alerts.evaluation IS 'The last evaluation of the alert rules: when, and the day of the data it was as of.';
COMMENT ON COLUMN alerts.evaluation.evaluated_at IS 'When the rules were last evaluated.';
COMMENT ON COLUMN alerts.evaluation.as_of IS 'The last day of the data then; NULL when there was none.';
