-- The data dictionary of the record kinds: what every table and column
-- means, read by `feeflow schema`, the dictionary page and any DuckDB client
-- (duckdb_tables(), duckdb_columns()). Money is DECIMAL(18,2); instants are
-- TIMESTAMPTZ stored as UTC (local_day(ts) gives the organisation's day).

COMMENT ON TABLE schema_migrations IS 'The schema files applied to this database, one row each.';
COMMENT ON COLUMN schema_migrations.version IS 'Number of the schema file.';
COMMENT ON COLUMN schema_migrations.name IS 'Name of the schema file.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied.';

COMMENT ON TABLE ingest_batches IS 'One row per ingested file (a batch); every record points to the batch that brought it in.';
COMMENT ON COLUMN ingest_batches.batch_id IS 'Batch identifier, referenced by batch_id in every record table.';
COMMENT ON COLUMN ingest_batches.kind IS 'Record kind of the file: fee_items, customers, bills, payments, settlements, refunds, invoices, exceptions, actions, feedback or resolutions.';
COMMENT ON COLUMN ingest_batches.file_name IS 'Name of the uploaded file.';
COMMENT ON COLUMN ingest_batches.file_sha256 IS 'SHA-256 of the file; the same file uploaded again is recognised by it and writes nothing.';
COMMENT ON COLUMN ingest_batches.uploaded_by IS 'Name of the token (or the CLI user) that uploaded the file.';
COMMENT ON COLUMN ingest_batches.uploaded_at IS 'When the batch was committed.';
COMMENT ON COLUMN ingest_batches.rows_accepted IS 'Rows written by the batch.';
COMMENT ON COLUMN ingest_batches.rows_rejected IS 'Rows rejected (kept out) when the upload allowed errors.';
COMMENT ON COLUMN ingest_batches.rows_duplicate IS 'Rows identical to rows already in the database, skipped.';

COMMENT ON TABLE ingest_idempotency IS 'The answer given for each Idempotency-Key of the ingest API, replayed on a retry.';
COMMENT ON COLUMN ingest_idempotency.idempotency_key IS 'The Idempotency-Key header the client sent.';
COMMENT ON COLUMN ingest_idempotency.kind IS 'Record kind of the upload.';
COMMENT ON COLUMN ingest_idempotency.batch_id IS 'The batch the upload wrote.';
COMMENT ON COLUMN ingest_idempotency.answer IS 'The JSON answer given the first time.';

COMMENT ON TABLE fee_items IS 'Fee items and their published standard (tariff), with the dates the rate is in force.';
COMMENT ON COLUMN fee_items.code IS 'Fee item code (項目代碼); bills and payments name it in fee_item.';
COMMENT ON COLUMN fee_items.name IS 'Fee item name (項目名稱).';
COMMENT ON COLUMN fee_items.unit IS 'Unit the rate is charged per (單位), e.g. m2, month.';
COMMENT ON COLUMN fee_items.rate IS 'Published rate per unit (收費標準), money.';
COMMENT ON COLUMN fee_items.effective_from IS 'First day the rate applies (生效日期).';
COMMENT ON COLUMN fee_items.effective_to IS 'Last day the rate applies; NULL while in force.';
COMMENT ON COLUMN fee_items.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN fee_items.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE customers IS 'Customers (households, tenants, vehicle owners). Names are personal data; identity numbers are stored masked to their last 4 characters.';
COMMENT ON COLUMN customers.customer_id IS 'Customer number (客戶編號).';
COMMENT ON COLUMN customers.name IS 'Customer name (姓名); personal data, never published.';
COMMENT ON COLUMN customers.unit IS 'Unit, room or plate number (房號/車牌).';
COMMENT ON COLUMN customers.area IS 'Area or building (區域), used to break collection down.';
COMMENT ON COLUMN customers.id_doc IS 'Identity document number (證件號碼), masked on the way in: only the last 4 characters are kept.';
COMMENT ON COLUMN customers.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN customers.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE bills IS 'Bills: the amount due from a customer for a fee item and billing period.';
COMMENT ON COLUMN bills.bill_id IS 'Bill number (賬單號).';
COMMENT ON COLUMN bills.customer_id IS 'The customer billed (customers.customer_id).';
COMMENT ON COLUMN bills.fee_item IS 'The fee item billed (fee_items.code).';
COMMENT ON COLUMN bills.period IS 'Billing period, YYYY-MM (賬期).';
COMMENT ON COLUMN bills.amount_due IS 'Amount due before discount (應收金額), money.';
COMMENT ON COLUMN bills.discount IS 'Discount granted (優惠金額), money; net due = amount_due - discount.';
COMMENT ON COLUMN bills.due_date IS 'Day by which the bill should be paid (到期日); on-time collection counts payments up to it.';
COMMENT ON COLUMN bills.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN bills.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE payments IS 'Payments taken at the counter or online; voided payments stay, with status voided.';
COMMENT ON COLUMN payments.txn_id IS 'Transaction number (交易號); settlement lines echo it in txn_ref.';
COMMENT ON COLUMN payments.paid_at IS 'When the payment was taken (收費時間), an instant (UTC); local_day(paid_at) is the local day.';
COMMENT ON COLUMN payments.customer_id IS 'The paying customer, when known.';
COMMENT ON COLUMN payments.bill_id IS 'The bill paid; NULL for walk-in revenue (payments with no bill).';
COMMENT ON COLUMN payments.fee_item IS 'The fee item paid for (fee_items.code).';
COMMENT ON COLUMN payments.amount IS 'Amount received (實收金額), money.';
COMMENT ON COLUMN payments.method IS 'How it was paid: cash, card, bank_transfer, wechat, alipay or other.';
COMMENT ON COLUMN payments.collector IS 'Collector (收費員) who took the payment; NULL for online payments.';
COMMENT ON COLUMN payments.receipt_no IS 'Receipt number given to the customer.';
COMMENT ON COLUMN payments.status IS 'completed, or voided (cancelled by the operator; not counted as collected).';
COMMENT ON COLUMN payments.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN payments.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE settlements IS 'Settlement lines of the bank and the payment providers, and collectors'' cash deposits, matched against payments by reconciliation.';
COMMENT ON COLUMN settlements.settlement_id IS 'Settlement line identifier.';
COMMENT ON COLUMN settlements.channel IS 'bank, card, wechat, alipay or cash_deposit.';
COMMENT ON COLUMN settlements.txn_ref IS 'The payment''s txn_id as echoed by the provider; empty for a line that settles a group (cash deposits, batch lines).';
COMMENT ON COLUMN settlements.amount IS 'Amount settled, before the provider fee, money.';
COMMENT ON COLUMN settlements.settled_at IS 'When the line was settled, an instant (UTC).';
COMMENT ON COLUMN settlements.fee IS 'Fee the provider kept, money.';
COMMENT ON COLUMN settlements.collector IS 'The collector whose cash was deposited (cash_deposit lines).';
COMMENT ON COLUMN settlements.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN settlements.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE refunds IS 'Refund requests of payments: request -> review -> execution.';
COMMENT ON COLUMN refunds.refund_id IS 'Refund identifier.';
COMMENT ON COLUMN refunds.txn_id IS 'The payment refunded (payments.txn_id).';
COMMENT ON COLUMN refunds.amount IS 'Amount to refund, money; the refunds of a payment never exceed it.';
COMMENT ON COLUMN refunds.reason IS 'Why the refund was asked for.';
COMMENT ON COLUMN refunds.requested_at IS 'When the refund was requested, an instant (UTC).';
COMMENT ON COLUMN refunds.reviewed_at IS 'When it was reviewed; NULL while pending.';
COMMENT ON COLUMN refunds.decision IS 'pending, approved or rejected.';
COMMENT ON COLUMN refunds.executed_at IS 'When the money was returned; NULL until executed. Only executed refunds reduce collected.';
COMMENT ON COLUMN refunds.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN refunds.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE invoices IS 'Invoices and receipts issued for payments, including lost or damaged ones and their reissues.';
COMMENT ON COLUMN invoices.invoice_no IS 'Invoice or receipt number (發票號).';
COMMENT ON COLUMN invoices.txn_id IS 'The payment it was issued for (payments.txn_id).';
COMMENT ON COLUMN invoices.type IS 'invoice or receipt.';
COMMENT ON COLUMN invoices.issued_at IS 'When it was issued, an instant (UTC).';
COMMENT ON COLUMN invoices.status IS 'issued, lost, damaged or void.';
COMMENT ON COLUMN invoices.reissue_of IS 'The invoice_no this one replaces; NULL for a first issue.';
COMMENT ON COLUMN invoices.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN invoices.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE exceptions IS 'Collection exceptions: customers who cannot or will not pay, disputes, fraud; escalation and resolution.';
COMMENT ON COLUMN exceptions.exception_id IS 'Exception identifier.';
COMMENT ON COLUMN exceptions.occurred_at IS 'When it occurred, an instant (UTC).';
COMMENT ON COLUMN exceptions.customer_id IS 'The customer concerned.';
COMMENT ON COLUMN exceptions.bill_id IS 'The bill concerned, when there is one.';
COMMENT ON COLUMN exceptions.type IS 'cannot_pay, refused, dispute or fraud.';
COMMENT ON COLUMN exceptions.reason IS 'What the customer or the collector said.';
COMMENT ON COLUMN exceptions.collector IS 'The collector who recorded it.';
COMMENT ON COLUMN exceptions.escalated IS 'Whether it was escalated.';
COMMENT ON COLUMN exceptions.resolved_at IS 'When it was resolved; NULL while open.';
COMMENT ON COLUMN exceptions.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN exceptions.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE actions IS 'Improvement actions: a named problem, an owner, the metric it should move and its target.';
COMMENT ON COLUMN actions.action_id IS 'Action identifier.';
COMMENT ON COLUMN actions.title IS 'What is being done.';
COMMENT ON COLUMN actions.problem IS 'complex_process, system_instability, unclear_standards, operator_error or other.';
COMMENT ON COLUMN actions.owner IS 'Who is responsible (責任人).';
COMMENT ON COLUMN actions.started_on IS 'Day the action started; the improvement view compares the 8 weeks before and after it.';
COMMENT ON COLUMN actions.metric IS 'Metric it should move: collection_rate, on_time_rate, match_rate, discrepancy_amount, refund_days, reissue_rate, errors_per_1000 or avg_score.';
COMMENT ON COLUMN actions.target IS 'Value of the metric to reach.';
COMMENT ON COLUMN actions.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN actions.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE feedback IS 'Customer feedback: a score from 1 to 5 and a comment.';
COMMENT ON COLUMN feedback.feedback_id IS 'Feedback identifier.';
COMMENT ON COLUMN feedback.received_at IS 'When it was received, an instant (UTC).';
COMMENT ON COLUMN feedback.customer_id IS 'The customer, when known.';
COMMENT ON COLUMN feedback.channel IS 'Where it came from (counter, phone, app, ...).';
COMMENT ON COLUMN feedback.score IS 'Score from 1 (worst) to 5 (best).';
COMMENT ON COLUMN feedback.category IS 'What it is about.';
COMMENT ON COLUMN feedback.comment IS 'The customer''s words.';
COMMENT ON COLUMN feedback.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN feedback.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE resolutions IS 'How reconciliation discrepancies were resolved; a discrepancy with a resolution is no longer open.';
COMMENT ON COLUMN resolutions.ref IS 'The reconciliation ref resolved: a txn_id, a settlement_id, or a group ref CHANNEL:COLLECTOR:YYYY-MM-DD.';
COMMENT ON COLUMN resolutions.resolved_at IS 'When it was resolved, an instant (UTC).';
COMMENT ON COLUMN resolutions.resolution IS 'late_settlement, bank_error, cashier_error, refunded, written_off or other.';
COMMENT ON COLUMN resolutions.note IS 'What was found and done.';
COMMENT ON COLUMN resolutions.resolved_by IS 'Who resolved it.';
COMMENT ON COLUMN resolutions.batch_id IS 'The ingest batch that brought the row in (ingest_batches).';
COMMENT ON COLUMN resolutions.source_row IS 'Row of the uploaded file the record came from (the header is row 1).';

COMMENT ON TABLE feeflow_settings IS 'Settings of the organisation the metric views read (one row).';
COMMENT ON COLUMN feeflow_settings.time_zone IS 'Zone local days are counted in, e.g. Asia/Taipei; fixed when the database is created.';
COMMENT ON COLUMN feeflow_settings.settlement_window_days IS 'Days a payment may wait for its settlement line before reconciliation reports it missing (default 3).';
