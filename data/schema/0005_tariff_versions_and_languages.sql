-- Tariffs change and master data is read in two languages.
--
-- A fee item's standard changes over time: fee_items holds every version of
-- a code, keyed by (code, effective_from); bills and payments name the code,
-- and the version in force on a bill's period is the one whose
-- effective_from is the latest on or before the period's first day (unless
-- its effective_to has passed).
--
-- Fee items (name, unit), customers' areas and improvement actions (title)
-- carry a name per language of the dashboard (_en, _zh) beside the plain
-- one; existing rows keep their plain name in every language. The tables are
-- rebuilt so that the new columns sit before the batch columns, in the order
-- ingest appends (as 0004 did for settlements).
CREATE TABLE fee_items_v5 (
    code           VARCHAR,
    name           VARCHAR NOT NULL,
    name_en        VARCHAR,
    name_zh        VARCHAR,
    unit           VARCHAR,
    unit_en        VARCHAR,
    unit_zh        VARCHAR,
    rate           DECIMAL(18,2) NOT NULL,
    effective_from DATE NOT NULL,
    effective_to   DATE,
    batch_id       VARCHAR NOT NULL,
    source_row     INTEGER NOT NULL
);
INSERT INTO fee_items_v5
SELECT code, name, name, name, unit, unit, unit, rate, effective_from, effective_to, batch_id, source_row
FROM fee_items;
DROP TABLE fee_items;
ALTER TABLE fee_items_v5 RENAME TO fee_items;

CREATE TABLE customers_v5 (
    customer_id VARCHAR,
    name        VARCHAR,
    unit        VARCHAR,
    area        VARCHAR,
    area_en     VARCHAR,
    area_zh     VARCHAR,
    id_doc      VARCHAR, -- masked on the way in: only the last 4 characters are kept
    batch_id    VARCHAR NOT NULL,
    source_row  INTEGER NOT NULL
);
INSERT INTO customers_v5
SELECT customer_id, name, unit, area, area, area, id_doc, batch_id, source_row
FROM customers;
DROP TABLE customers;
ALTER TABLE customers_v5 RENAME TO customers;

CREATE TABLE actions_v5 (
    action_id  VARCHAR,
    title      VARCHAR NOT NULL,
    title_en   VARCHAR,
    title_zh   VARCHAR,
    problem    VARCHAR NOT NULL,
    owner      VARCHAR NOT NULL,
    started_on DATE NOT NULL,
    metric     VARCHAR NOT NULL,
    target     DECIMAL(18,4) NOT NULL,
    batch_id   VARCHAR NOT NULL,
    source_row INTEGER NOT NULL
);
INSERT INTO actions_v5
SELECT action_id, title, title, title, problem, owner, started_on, metric, target, batch_id, source_row
FROM actions;
DROP TABLE actions;
ALTER TABLE actions_v5 RENAME TO actions;

COMMENT ON TABLE fee_items IS 'Fee items and their published standard (tariff): every version of a code, keyed by (code, effective_from); the version in force on a day is the one with the latest effective_from on or before it, unless its effective_to has passed.';
COMMENT ON COLUMN fee_items.code IS 'Fee item code (項目代碼); bills and payments name it in fee_item.';
COMMENT ON COLUMN fee_items.name IS 'Fee item name (項目名稱) as uploaded.';
COMMENT ON COLUMN fee_items.name_en IS 'Fee item name in English; the plain name when none was given.';
COMMENT ON COLUMN fee_items.name_zh IS 'Fee item name in Chinese; the plain name when none was given.';
COMMENT ON COLUMN fee_items.unit IS 'Unit the rate is charged per (單位), e.g. m2, month.';
COMMENT ON COLUMN fee_items.unit_en IS 'Unit in English; the plain unit when none was given.';
COMMENT ON COLUMN fee_items.unit_zh IS 'Unit in Chinese; the plain unit when none was given.';
COMMENT ON COLUMN fee_items.rate IS 'Published rate per unit (收費標準), money.';
COMMENT ON COLUMN fee_items.effective_from IS 'First day this version of the rate applies (生效日期); with code, the key.';
COMMENT ON COLUMN fee_items.effective_to IS 'Last day the rate applies; NULL while in force (a later version then takes over from its own effective_from).';
COMMENT ON COLUMN fee_items.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN fee_items.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE customers IS 'Customers (households, tenants, vehicle owners). Names are personal data; identity numbers are stored masked to their last 4 characters.';
COMMENT ON COLUMN customers.customer_id IS 'Customer number (客戶編號).';
COMMENT ON COLUMN customers.name IS 'Customer name (姓名); personal data, never published.';
COMMENT ON COLUMN customers.unit IS 'Unit, room or plate number (房號/車牌).';
COMMENT ON COLUMN customers.area IS 'Area or building (區域), used to break collection down.';
COMMENT ON COLUMN customers.area_en IS 'The area''s name in English; the plain area when none was given.';
COMMENT ON COLUMN customers.area_zh IS 'The area''s name in Chinese; the plain area when none was given.';
COMMENT ON COLUMN customers.id_doc IS 'Identity document number (證件號碼), masked on the way in: only the last 4 characters are kept.';
COMMENT ON COLUMN customers.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN customers.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE actions IS 'Improvement actions: a named problem, an owner, the metric it should move and its target.';
COMMENT ON COLUMN actions.action_id IS 'Action identifier.';
COMMENT ON COLUMN actions.title IS 'What is being done.';
COMMENT ON COLUMN actions.title_en IS 'The title in English; the plain title when none was given.';
COMMENT ON COLUMN actions.title_zh IS 'The title in Chinese; the plain title when none was given.';
COMMENT ON COLUMN actions.problem IS 'complex_process, system_instability, unclear_standards, operator_error or other.';
COMMENT ON COLUMN actions.owner IS 'Who is responsible (責任人).';
COMMENT ON COLUMN actions.started_on IS 'Day the action started; the improvement view compares the 8 weeks before and after it, and the latest 4 full weeks.';
COMMENT ON COLUMN actions.metric IS 'Metric it should move: collection_rate, on_time_rate, match_rate, discrepancy_amount, refund_days, reissue_rate, errors_per_1000 or avg_score.';
COMMENT ON COLUMN actions.target IS 'Value of the metric to reach.';
COMMENT ON COLUMN actions.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN actions.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';
