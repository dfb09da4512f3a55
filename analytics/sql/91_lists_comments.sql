-- The data dictionary of the lists (70_lists.sql): what every column of
-- their views means. It installs after them, as 90_comments.sql does for
-- the metric views, because CREATE OR REPLACE VIEW drops a view's comments.

-- bill_detail
COMMENT ON COLUMN bill_detail.customer_id IS 'The customer billed.';
COMMENT ON COLUMN bill_detail.bill_id IS 'The bill (bills.bill_id).';
COMMENT ON COLUMN bill_detail.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN bill_detail.fee_item IS 'The fee item billed.';
COMMENT ON COLUMN bill_detail.due_date IS 'Day the bill is due.';
COMMENT ON COLUMN bill_detail.net_due IS 'amount_due - discount.';
COMMENT ON COLUMN bill_detail.paid IS 'Completed payments linked to the bill, before refunds.';
COMMENT ON COLUMN bill_detail.refunded IS 'Executed refunds of those payments.';
COMMENT ON COLUMN bill_detail.outstanding IS 'net_due - (paid - refunded) when positive, else 0: what is still owed (bill_balances.outstanding floored at 0).';
COMMENT ON COLUMN bill_detail.overpaid IS '(paid - refunded) - net_due when positive, else 0: a credit owed back to the customer.';
COMMENT ON COLUMN bill_detail.payments IS 'Number of completed payments linked to the bill.';
COMMENT ON COLUMN bill_detail.txn_ids IS 'Those payments'' txn_ids, space-separated, oldest first.';
COMMENT ON COLUMN bill_detail.last_paid_on IS 'Local day of the latest of them; NULL when none.';

-- overpayments
COMMENT ON COLUMN overpayments.bill_id IS 'The bill paid more than was due.';
COMMENT ON COLUMN overpayments.customer_id IS 'The customer billed.';
COMMENT ON COLUMN overpayments.area IS 'Area of the customer ('''' when none).';
COMMENT ON COLUMN overpayments.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN overpayments.fee_item IS 'The fee item billed.';
COMMENT ON COLUMN overpayments.net_due IS 'amount_due - discount.';
COMMENT ON COLUMN overpayments.paid IS 'Completed payments linked to the bill, before refunds.';
COMMENT ON COLUMN overpayments.overpaid IS 'paid - net_due: what was paid beyond the bill.';
COMMENT ON COLUMN overpayments.refunded IS 'Executed refunds of the bill''s payments.';
COMMENT ON COLUMN overpayments.credit IS 'What is still owed back to the customer, to refund or carry forward: (paid - refunded) - net_due, never below 0.';
COMMENT ON COLUMN overpayments.payments IS 'Number of payments involved.';
COMMENT ON COLUMN overpayments.txn_ids IS 'The payments involved, space-separated, oldest first.';

-- The macros analysts call.
COMMENT ON MACRO TABLE bill_detail_at IS 'The view bill_detail as of a day (later payments and refunds do not count; bills of later periods are left out).';
COMMENT ON MACRO TABLE debtors IS '催繳清單: arrears per customer as of a day: name, unit, area, fee items, outstanding, bills open, oldest due date, days overdue, last payment; the sum of outstanding equals arrears_aging''s total. latest := true reads fact_open_bills and fact_customer_paid (the same rows, only on or after the data''s last day).';
COMMENT ON MACRO TABLE bill_detail_open_at IS 'The rows of bill_detail_at not settled exactly (outstanding, overpaid, or paid beyond net due before refunds); latest := true reads fact_open_bills (the same rows, only on or after the data''s last day).';
COMMENT ON MACRO TABLE overpayments_at IS 'The view overpayments as of a day.';
COMMENT ON MACRO TABLE exceptions_open IS 'Exceptions occurred and not resolved by a day, with their age in days.';
COMMENT ON MACRO TABLE refunds_open IS 'Refunds requested and neither rejected nor executed by a day, by stage (requested, approved) with age_days since the request and stage_days in the stage.';
COMMENT ON MACRO TABLE discrepancy_lines IS 'For each open discrepancy on a day, the payments, executed refunds and settlement lines behind it.';
