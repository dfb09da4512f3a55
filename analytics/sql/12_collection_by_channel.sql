-- What was collected for each billing period, split by how it was paid
-- (payment method) and by who took it (collector): completed payments linked
-- to the period's bills less their executed refunds. The parts of a period
-- add up to collection_monthly's collected.
CREATE OR REPLACE VIEW bill_payments AS
SELECT bill_period AS period, bill_fee_item AS fee_item, due_date, txn_id, method, coalesce(collector, '') AS collector,
       paid_on, amount - refunded AS net_amount
FROM fact_payments
WHERE status = 'completed' AND bill_period IS NOT NULL;
COMMENT ON VIEW bill_payments IS 'Completed payments linked to bills, with the bill''s period and due date and the amount net of executed refunds.';

CREATE OR REPLACE VIEW collection_by_channel AS
SELECT period, channel,
       CAST(sum(payments) AS BIGINT) AS payments,
       sum(collected) AS collected,
       sum(on_time) AS on_time,
       ratio4(sum(collected), sum(sum(collected)) OVER (PARTITION BY period)) AS share
FROM fact_collection_payments
GROUP BY period, channel
ORDER BY period, channel;
COMMENT ON VIEW collection_by_channel IS 'Collected per billing period by payment method (cash, card, bank_transfer, wechat, alipay, other): payments, collected net of executed refunds, the part paid by the due date, and the share of the period''s collected.';

CREATE OR REPLACE VIEW collection_by_collector AS
SELECT period, collector,
       CAST(sum(payments) AS BIGINT) AS payments,
       sum(collected) AS collected,
       sum(on_time) AS on_time,
       ratio4(sum(collected), sum(sum(collected)) OVER (PARTITION BY period)) AS share
FROM fact_collection_payments
GROUP BY period, collector
ORDER BY period, collector;
COMMENT ON VIEW collection_by_collector IS 'Collected per billing period by collector ('''' for payments taken online); same definitions as collection_by_channel.';
