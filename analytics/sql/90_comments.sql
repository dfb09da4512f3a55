-- The data dictionary of the metric views: what every column means, in the
-- terms of the definitions above, read by `feeflow schema`, the dictionary
-- page and any DuckDB client (duckdb_columns()). It installs last because
-- CREATE OR REPLACE VIEW drops the comments of the view it replaces. Money
-- columns are DECIMAL; rates are exact decimals to 4 places, NULL when the
-- denominator is zero.

-- bill_balances
COMMENT ON COLUMN bill_balances.bill_id IS 'The bill (bills.bill_id).';
COMMENT ON COLUMN bill_balances.customer_id IS 'The customer billed.';
COMMENT ON COLUMN bill_balances.fee_item IS 'The fee item billed.';
COMMENT ON COLUMN bill_balances.area IS 'Area of the bill''s customer; NULL when the customer has none.';
COMMENT ON COLUMN bill_balances.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN bill_balances.due_date IS 'Day the bill is due.';
COMMENT ON COLUMN bill_balances.net_due IS 'amount_due - discount.';
COMMENT ON COLUMN bill_balances.collected IS 'Completed payments linked to the bill less their executed refunds.';
COMMENT ON COLUMN bill_balances.on_time IS 'The part of collected paid by the due date.';
COMMENT ON COLUMN bill_balances.outstanding IS 'net_due - collected: what is still owed on the bill.';

-- collection_monthly
COMMENT ON COLUMN collection_monthly.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN collection_monthly.fee_item IS 'Fee item code.';
COMMENT ON COLUMN collection_monthly.billed IS 'sum(amount_due - discount) of the period''s bills.';
COMMENT ON COLUMN collection_monthly.collected IS 'Completed payments linked to those bills less the executed refunds of those payments.';
COMMENT ON COLUMN collection_monthly.collection_rate IS 'collected / billed, 4 places; NULL when nothing was billed.';
COMMENT ON COLUMN collection_monthly.on_time_rate IS 'The part of collected paid by the due date / billed, 4 places.';

-- collection_by_area
COMMENT ON COLUMN collection_by_area.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN collection_by_area.area IS 'Area of the bill''s customer ('''' when none).';
COMMENT ON COLUMN collection_by_area.billed IS 'sum(amount_due - discount) of the period''s bills in the area.';
COMMENT ON COLUMN collection_by_area.collected IS 'Completed payments linked to those bills less their executed refunds.';
COMMENT ON COLUMN collection_by_area.collection_rate IS 'collected / billed, 4 places.';
COMMENT ON COLUMN collection_by_area.on_time_rate IS 'The part of collected paid by the due date / billed, 4 places.';

-- bill_payments
COMMENT ON COLUMN bill_payments.period IS 'Billing period of the bill paid, YYYY-MM.';
COMMENT ON COLUMN bill_payments.fee_item IS 'Fee item of the bill paid.';
COMMENT ON COLUMN bill_payments.due_date IS 'Due date of the bill paid.';
COMMENT ON COLUMN bill_payments.txn_id IS 'The payment.';
COMMENT ON COLUMN bill_payments.method IS 'Payment method: cash, card, bank_transfer, wechat, alipay, other.';
COMMENT ON COLUMN bill_payments.collector IS 'Collector who took it ('''' for online payments).';
COMMENT ON COLUMN bill_payments.paid_on IS 'Local day the payment was taken.';
COMMENT ON COLUMN bill_payments.net_amount IS 'Amount paid less the executed refunds of the payment.';

-- collection_by_channel
COMMENT ON COLUMN collection_by_channel.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN collection_by_channel.channel IS 'Payment method: cash, card, bank_transfer, wechat, alipay, other.';
COMMENT ON COLUMN collection_by_channel.payments IS 'Number of completed payments linked to the period''s bills.';
COMMENT ON COLUMN collection_by_channel.collected IS 'Their amount net of executed refunds.';
COMMENT ON COLUMN collection_by_channel.on_time IS 'The part of collected paid by the bills'' due dates.';
COMMENT ON COLUMN collection_by_channel.share IS 'collected / the period''s collected over all channels, 4 places.';

-- collection_by_collector
COMMENT ON COLUMN collection_by_collector.period IS 'Billing period, YYYY-MM.';
COMMENT ON COLUMN collection_by_collector.collector IS 'Collector ('''' for payments taken online).';
COMMENT ON COLUMN collection_by_collector.payments IS 'Number of completed payments linked to the period''s bills.';
COMMENT ON COLUMN collection_by_collector.collected IS 'Their amount net of executed refunds.';
COMMENT ON COLUMN collection_by_collector.on_time IS 'The part of collected paid by the bills'' due dates.';
COMMENT ON COLUMN collection_by_collector.share IS 'collected / the period''s collected over all collectors, 4 places.';

-- arrears_monthly
COMMENT ON COLUMN arrears_monthly.period IS 'Month, YYYY-MM.';
COMMENT ON COLUMN arrears_monthly.opening_arrears IS 'Outstanding at the month''s start on bills due before it.';
COMMENT ON COLUMN arrears_monthly.recovered IS 'Paid in the month on those bills (net of refunds executed in it), up to what was outstanding.';
COMMENT ON COLUMN arrears_monthly.clearance_rate IS '清繳率 = recovered / opening_arrears, 4 places.';
COMMENT ON COLUMN arrears_monthly.households_billed IS 'Customers with a bill of the period.';
COMMENT ON COLUMN arrears_monthly.households_paid IS 'Those whose bills of the period are all fully paid.';
COMMENT ON COLUMN arrears_monthly.household_rate IS '戶收費率 = households_paid / households_billed, 4 places.';

-- reconciliation
COMMENT ON COLUMN reconciliation.ref IS 'A txn_id, a settlement_id, a group ref CHANNEL:COLLECTOR:YYYY-MM-DD (* for no collector), a refund_id (a refund the channel''s line names by its number) or refund:TXN_ID (the refunds and refund lines of a payment compared as sums).';
COMMENT ON COLUMN reconciliation.source IS 'payment, settlement, group or refund: what the row stands for.';
COMMENT ON COLUMN reconciliation.day IS 'Local day of the payment, the line or the group; of a refund row, the day the refund was executed (the latest one for refund:TXN_ID), or the first refund line''s day when feeflow executed none.';
COMMENT ON COLUMN reconciliation.channel IS 'Settlement channel: bank, card, wechat, alipay or cash_deposit.';
COMMENT ON COLUMN reconciliation.collector IS 'Collector of a cash group or payment (of the refunded payment for a refund row); NULL otherwise.';
COMMENT ON COLUMN reconciliation.system_amount IS 'Amount in feeflow''s payments; for a refund row minus the refunds executed (negative, 0 when none).';
COMMENT ON COLUMN reconciliation.bank_amount IS 'Amount on the settlement lines; payments are matched against lines >= 0 only, refund rows against the (negative) refund lines.';
COMMENT ON COLUMN reconciliation.diff IS 'bank_amount - system_amount.';
COMMENT ON COLUMN reconciliation.status IS 'matched, amount_mismatch, missing_settlement, missing_payment, duplicate_settlement, missing_refund_line (an executed refund of a payment settled through a channel with no refund line once the window has passed), missing_refund (a channel refund line with no executed refund), duplicate_refund_line (more refund lines than refunds), or pending (inside the settlement window).';
COMMENT ON COLUMN reconciliation.resolution IS 'How a discrepancy was resolved (resolutions.resolution); NULL while open.';

-- reconciliation_daily
COMMENT ON COLUMN reconciliation_daily.day IS 'Local day.';
COMMENT ON COLUMN reconciliation_daily.channel IS 'Settlement channel.';
COMMENT ON COLUMN reconciliation_daily.items IS 'Reconciliation rows decided (not pending).';
COMMENT ON COLUMN reconciliation_daily.matched IS 'Rows matched.';
COMMENT ON COLUMN reconciliation_daily.discrepancies IS 'Rows neither matched nor pending.';
COMMENT ON COLUMN reconciliation_daily.discrepancy_amount IS 'sum(|diff|) of the discrepancies.';
COMMENT ON COLUMN reconciliation_daily.match_rate IS 'matched / items, 4 places.';

-- exceptions_monthly
COMMENT ON COLUMN exceptions_monthly.period IS 'Month of occurrence, YYYY-MM.';
COMMENT ON COLUMN exceptions_monthly.type IS 'cannot_pay, refused, dispute or fraud.';
COMMENT ON COLUMN exceptions_monthly.count IS 'Exceptions that occurred.';
COMMENT ON COLUMN exceptions_monthly.escalated IS 'Of those, escalated.';
COMMENT ON COLUMN exceptions_monthly.resolved IS 'Of those, resolved.';
COMMENT ON COLUMN exceptions_monthly.median_days_to_resolve IS 'Median days from occurrence to resolution, 1 place.';

-- refunds_cycle
COMMENT ON COLUMN refunds_cycle.period IS 'Month of request, YYYY-MM.';
COMMENT ON COLUMN refunds_cycle.requested IS 'Refunds requested.';
COMMENT ON COLUMN refunds_cycle.approved IS 'Of those, approved.';
COMMENT ON COLUMN refunds_cycle.rejected IS 'Of those, rejected.';
COMMENT ON COLUMN refunds_cycle.executed IS 'Of those, executed (money returned).';
COMMENT ON COLUMN refunds_cycle.median_days IS 'Median days from request to execution, 1 place.';
COMMENT ON COLUMN refunds_cycle.p90_days IS '90th percentile of days from request to execution, 1 place.';

-- invoices_monthly
COMMENT ON COLUMN invoices_monthly.period IS 'Month of issue, YYYY-MM.';
COMMENT ON COLUMN invoices_monthly.issued IS 'Invoices and receipts issued.';
COMMENT ON COLUMN invoices_monthly.lost_or_damaged IS 'Of those, now lost or damaged.';
COMMENT ON COLUMN invoices_monthly.reissued IS 'Issued to replace another (reissue_of set).';
COMMENT ON COLUMN invoices_monthly.reissue_rate IS 'reissued / issued, 4 places.';

-- operator_errors
COMMENT ON COLUMN operator_errors.period IS 'Month the payments were taken, YYYY-MM.';
COMMENT ON COLUMN operator_errors.collector IS 'Collector ('''' for online payments).';
COMMENT ON COLUMN operator_errors.payments IS 'Payments taken, voided ones included.';
COMMENT ON COLUMN operator_errors.voided IS 'Payments voided.';
COMMENT ON COLUMN operator_errors.errors_per_1000 IS 'voided x 1000 / payments, 4 places.';

-- feedback_monthly
COMMENT ON COLUMN feedback_monthly.period IS 'Month received, YYYY-MM.';
COMMENT ON COLUMN feedback_monthly.responses IS 'Feedback received.';
COMMENT ON COLUMN feedback_monthly.avg_score IS 'Average score (1-5), 4 places.';

-- improvement
COMMENT ON COLUMN improvement.action_id IS 'The action (actions.action_id).';
COMMENT ON COLUMN improvement.title IS 'What is being done.';
COMMENT ON COLUMN improvement.problem IS 'The problem it addresses.';
COMMENT ON COLUMN improvement.owner IS 'Who is responsible.';
COMMENT ON COLUMN improvement.metric IS 'The metric it should move.';
COMMENT ON COLUMN improvement.started_on IS 'Day the action started.';
COMMENT ON COLUMN improvement.before IS 'The metric over the 8 weeks before started_on (fewer where the data begins later).';
COMMENT ON COLUMN improvement.after IS 'The metric over the 8 weeks from started_on (fewer where the data ends); NULL before any data.';
COMMENT ON COLUMN improvement.delta IS 'after - before.';
COMMENT ON COLUMN improvement.target IS 'The value the action aims for.';
COMMENT ON COLUMN improvement.target_met IS 'Whether after reached the target in the direction better for the metric (lower for discrepancy_amount, refund_days, reissue_rate, errors_per_1000).';
COMMENT ON COLUMN improvement.weeks_before IS 'Full weeks of data behind before.';
COMMENT ON COLUMN improvement.weeks_after IS 'Full weeks of data behind after.';
COMMENT ON COLUMN improvement.latest_from IS 'First day of the latest 4 full weeks of data since started_on (weeks counted from started_on; fewer weeks when the action is younger); NULL before a full week of data.';
COMMENT ON COLUMN improvement.latest_to IS 'Last day of those weeks.';
COMMENT ON COLUMN improvement.latest IS 'The metric over latest_from to latest_to: where the action stands now.';
COMMENT ON COLUMN improvement.latest_met IS 'Whether latest reaches the target in the direction better for the metric: the action is holding (true) or has slipped (false).';
COMMENT ON COLUMN improvement.title_en IS 'The title in English (actions.title_en).';
COMMENT ON COLUMN improvement.title_zh IS 'The title in Chinese (actions.title_zh).';

-- metric_days
COMMENT ON COLUMN metric_days.metric IS 'Improvement metric: collection_rate, on_time_rate, match_rate, discrepancy_amount, refund_days, reissue_rate, errors_per_1000 or avg_score.';
COMMENT ON COLUMN metric_days.day IS 'Day the numerator and denominator belong to (due date for the collection rates, local day otherwise).';
COMMENT ON COLUMN metric_days.num IS 'Numerator of the day; a window''s value is sum(num) / sum(den).';
COMMENT ON COLUMN metric_days.den IS 'Denominator of the day (0 for discrepancy_amount, a per-week amount: 7 x sum(num) / days).';

-- finance_summary
COMMENT ON COLUMN finance_summary.period IS 'Month (settlement cycle), YYYY-MM.';
COMMENT ON COLUMN finance_summary.billed IS 'sum(amount_due - discount) of the bills of the period.';
COMMENT ON COLUMN finance_summary.collected IS 'Completed bill payments received in the month.';
COMMENT ON COLUMN finance_summary.refunded IS 'Refunds executed in the month, as feeflow executed them (every method, cash included).';
COMMENT ON COLUMN finance_summary.outstanding IS 'Receivables still open at the month''s end.';
COMMENT ON COLUMN finance_summary.walk_in_revenue IS 'Completed payments with no bill, received in the month.';
COMMENT ON COLUMN finance_summary.provider_fees IS 'Fees kept by the providers on lines settled in the month, less the fees they returned on refund lines.';
COMMENT ON COLUMN finance_summary.net_settled IS 'amount - fee of the lines settled in the month; a refund line counts once, with its negative amount (the money the channel paid back), and refunded is not deducted again.';
COMMENT ON COLUMN finance_summary.dso_days IS 'DSO = outstanding / billed x days in the month, 2 places.';
COMMENT ON COLUMN finance_summary.cei IS 'CEI = (opening + billed - closing) / (opening + billed - closing current), 4 places.';
COMMENT ON COLUMN finance_summary.last_due IS 'The latest due date of the period''s bills; NULL when nothing was billed.';
COMMENT ON COLUMN finance_summary.collecting IS 'true while the month is still collecting: it has not ended by the last day of the data, or some of its bills are not yet due then; its rates are not comparable with mature months yet.';
-- fee_standards
COMMENT ON COLUMN fee_standards.code IS 'Fee item code (fee_items.code).';
COMMENT ON COLUMN fee_standards.effective_from IS 'First day this version applies; with code, the key.';
COMMENT ON COLUMN fee_standards.effective_until IS 'Last day this version is in force: its effective_to, or the day before the next version starts; NULL while open.';
COMMENT ON COLUMN fee_standards.rate IS 'Published rate per unit, money.';
COMMENT ON COLUMN fee_standards.name IS 'Fee item name as uploaded.';
COMMENT ON COLUMN fee_standards.name_en IS 'Fee item name in English.';
COMMENT ON COLUMN fee_standards.name_zh IS 'Fee item name in Chinese.';
COMMENT ON COLUMN fee_standards.unit IS 'Unit the rate is charged per, as uploaded.';
COMMENT ON COLUMN fee_standards.unit_en IS 'Unit in English.';
COMMENT ON COLUMN fee_standards.unit_zh IS 'Unit in Chinese.';
COMMENT ON COLUMN fee_standards.effective_to IS 'The last day the upload gave for this version; NULL when open.';
-- bill_tariffs
COMMENT ON COLUMN bill_tariffs.bill_id IS 'The bill (bills.bill_id).';
COMMENT ON COLUMN bill_tariffs.period IS 'The bill''s period, YYYY-MM.';
COMMENT ON COLUMN bill_tariffs.fee_item IS 'The fee item billed (fee_items.code).';
COMMENT ON COLUMN bill_tariffs.effective_from IS 'The tariff version in force on the first day of the period; NULL when none was.';
COMMENT ON COLUMN bill_tariffs.rate IS 'That version''s rate per unit, money.';
COMMENT ON COLUMN bill_tariffs.unit IS 'That version''s unit.';
-- areas
COMMENT ON COLUMN areas.area IS 'Area as the customers record it (customers.area).';
COMMENT ON COLUMN areas.area_en IS 'The area''s name in English.';
COMMENT ON COLUMN areas.area_zh IS 'The area''s name in Chinese.';

-- The macros analysts call.
COMMENT ON MACRO bill_open IS 'Whether a bill of fact_bills is not settled exactly: something outstanding, collected beyond what was due, or paid beyond it before refunds (the rows of fact_open_bills).';
COMMENT ON MACRO local_day IS 'The calendar day, in the organisation''s zone, on which an instant fell.';
COMMENT ON MACRO period_of IS 'The month YYYY-MM of a day.';
COMMENT ON MACRO ratio4 IS 'The quotient num / den to 4 places, rounded half away from zero; NULL when den is 0.';
COMMENT ON MACRO ratio2 IS 'The quotient num / den to 2 places; NULL when den is 0.';
COMMENT ON MACRO TABLE bill_balances_at IS 'The view bill_balances as of a day (later payments and refunds do not count).';
COMMENT ON MACRO TABLE arrears_aging IS 'Outstanding bills as of a day by days past due: not_due, 1-30, 31-60, 61-90, 91-120, 120+; latest := true reads fact_collection (the same figures, only on or after the data''s last day).';
COMMENT ON MACRO TABLE reconciliation_at IS 'The reconciliation view as of a day.';
COMMENT ON MACRO TABLE reconciliation_rows_at IS 'Every reconciliation row as of a day, with the day each discrepancy opened; latest := true reads fact_reconciliation (the same rows, only on or after the data''s last day); discrepancies := true keeps only the rows neither matched nor pending.';
COMMENT ON MACRO TABLE reconciliation_rows_from IS 'The reconciliation rows as of a day that belong to the days from from_day on.';
COMMENT ON MACRO TABLE reconciliation_rows_of IS 'The reconciliation rows as of a day that belong to the days from from_day on (to to_day, when given); scoped: only those of the days in facts_scope (kind recon_day) and the refund rows of the days of kind recon_refund_day, as a batch keeps fact_reconciliation.';
COMMENT ON MACRO recon_day_in IS 'Whether reconciliation_rows_of computes the rows of day d: on or after from_day, and when scoped one of the days in facts_scope (kind recon_day).';
COMMENT ON MACRO recon_refund_day_in IS 'Whether reconciliation_rows_of computes the refund rows of day d: those of recon_day_in, and when scoped also of the days in facts_scope of kind recon_refund_day (a batch of refunds).';
COMMENT ON MACRO recon_row_scoped IS 'Whether a row of fact_reconciliation (by home_day and source) is one the scoped reconciliation_rows_of computes: the rows a batch replaces.';
COMMENT ON MACRO TABLE reconciliation_facts_at IS 'The reconciliation as of a day on or after the data''s last day, from fact_reconciliation; discrepancies := true reads only the rows neither matched nor pending.';
COMMENT ON MACRO TABLE fact_payments_rows IS 'fact_payments recomputed from the base tables (all_keys := true: every payment).';
COMMENT ON MACRO TABLE fact_settlements_rows IS 'fact_settlements recomputed from the base tables.';
COMMENT ON MACRO TABLE fact_bills_rows IS 'fact_bills recomputed from the base tables.';
COMMENT ON MACRO TABLE fact_bill_months_rows IS 'fact_bill_months recomputed from the base tables (all_bills, all_months := true: every bill and month).';
COMMENT ON MACRO TABLE fact_reconciliation_rows IS 'fact_reconciliation recomputed from the base tables.';
COMMENT ON MACRO TABLE fact_reconciliation_rows_of IS 'The rows of fact_reconciliation of the days from from_day to to_day recomputed from the base tables; scoped: only of the days in facts_scope among them, as a batch replaces them.';
COMMENT ON MACRO TABLE fact_open_bills_rows IS 'fact_open_bills: the rows of fact_bills not settled exactly.';
COMMENT ON MACRO TABLE fact_customer_paid_rows IS 'fact_customer_paid: each customer''s last completed bill payment day, from fact_payments.';
COMMENT ON MACRO TABLE fact_collection_rows IS 'fact_collection: fact_bills summed per period, fee item, area and due date (all_keys := true: every bill).';
COMMENT ON MACRO TABLE fact_households_rows IS 'fact_households: fact_bills per period and customer, bills and those not fully paid.';
COMMENT ON MACRO TABLE fact_collection_payments_rows IS 'fact_collection_payments: completed bill payments of fact_payments summed per period, fee item, area, method and collector.';
COMMENT ON MACRO TABLE fact_payment_days_rows IS 'fact_payment_days: fact_payments summed per local day and collector.';
COMMENT ON MACRO TABLE fact_settlement_days_rows IS 'fact_settlement_days: fact_settlements summed per local day and channel.';
COMMENT ON MACRO TABLE fact_invoice_days_rows IS 'fact_invoice_days: invoices counted per local day of issue.';
COMMENT ON MACRO TABLE fact_arrears_rows IS 'fact_arrears: fact_bill_months summed per month, area and fee item.';
COMMENT ON MACRO TABLE fact_reconciliation_cells_rows IS 'fact_reconciliation_cells: fact_reconciliation summed per day, channel, collector, status and pending_until.';
COMMENT ON MACRO TABLE discrepancies_open IS 'Every unresolved discrepancy known on the day, when it opened and its age in days.';
COMMENT ON MACRO metric_window IS 'An improvement metric over the days [from_day, to_day) from its summed numerator and denominator (discrepancy_amount: the amount per week).';
COMMENT ON MACRO TABLE metric_weekly IS 'An improvement metric week by week: (week, value) for the weeks starting at from_day, every 7 days, before to_day.';
