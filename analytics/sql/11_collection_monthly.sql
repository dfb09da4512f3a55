-- Collection by billing period and fee item: billed = sum(amount_due -
-- discount) of the period's bills; collected = completed payments linked to
-- those bills less the executed refunds of those payments; on_time = the part
-- of collected paid by the due date. collection_rate = collected / billed,
-- on_time_rate = on_time / billed.
CREATE OR REPLACE VIEW collection_monthly AS
SELECT period, fee_item,
       sum(billed) AS billed,
       sum(collected) AS collected,
       ratio4(sum(collected), sum(billed)) AS collection_rate,
       ratio4(sum(on_time), sum(billed)) AS on_time_rate
FROM fact_collection
GROUP BY period, fee_item
ORDER BY period, fee_item;
COMMENT ON VIEW collection_monthly IS 'Collection by billing period and fee item: billed = sum(amount_due - discount); collected = completed payments of those bills less executed refunds; collection_rate = collected / billed; on_time_rate = collected by the due date / billed.';

-- The same by area (of the bill's customer).
CREATE OR REPLACE VIEW collection_by_area AS
SELECT period, area,
       sum(billed) AS billed,
       sum(collected) AS collected,
       ratio4(sum(collected), sum(billed)) AS collection_rate,
       ratio4(sum(on_time), sum(billed)) AS on_time_rate
FROM fact_collection
GROUP BY 1, 2
ORDER BY period, area;
COMMENT ON VIEW collection_by_area IS 'Collection by billing period and the area of the bill''s customer; same definitions as collection_monthly.';
