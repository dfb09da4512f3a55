-- Exceptions by month of occurrence and type: how many, how many escalated,
-- how many resolved, and the median days from occurrence to resolution.
CREATE OR REPLACE VIEW exceptions_monthly AS
SELECT period_of(local_day(occurred_at)) AS period, type,
       count(*) AS count,
       count(*) FILTER (WHERE escalated) AS escalated,
       count(resolved_at) AS resolved,
       CAST(round(median(date_diff('day', local_day(occurred_at), local_day(resolved_at))), 1) AS DECIMAL(9,1)) AS median_days_to_resolve
FROM exceptions
GROUP BY 1, 2
ORDER BY period, type;
COMMENT ON VIEW exceptions_monthly IS 'Exceptions (cannot_pay, refused, dispute, fraud) by month of occurrence: count, escalated, resolved, median days from occurrence to resolution.';

-- Refunds by month of request: requested, approved, rejected, executed, and
-- the median and 90th percentile of days from request to execution.
CREATE OR REPLACE VIEW refunds_cycle AS
SELECT period_of(local_day(requested_at)) AS period,
       count(*) AS requested,
       count(*) FILTER (WHERE decision = 'approved') AS approved,
       count(*) FILTER (WHERE decision = 'rejected') AS rejected,
       count(executed_at) AS executed,
       CAST(round(median(date_diff('day', local_day(requested_at), local_day(executed_at))), 1) AS DECIMAL(9,1)) AS median_days,
       CAST(round(quantile_cont(date_diff('day', local_day(requested_at), local_day(executed_at)), 0.9), 1) AS DECIMAL(9,1)) AS p90_days
FROM refunds
GROUP BY 1
ORDER BY period;
COMMENT ON VIEW refunds_cycle IS 'Refunds by month of request: requested, approved, rejected, executed; median and 90th percentile days from request to execution.';

-- Invoices and receipts by month of issue: issued, lost or damaged, reissued
-- (an invoice that replaces another), reissue_rate = reissued / issued.
CREATE OR REPLACE VIEW invoices_monthly AS
SELECT period_of(day) AS period,
       CAST(sum(issued) AS BIGINT) AS issued,
       CAST(sum(lost_or_damaged) AS BIGINT) AS lost_or_damaged,
       CAST(sum(reissued) AS BIGINT) AS reissued,
       ratio4(sum(reissued), sum(issued)) AS reissue_rate
FROM fact_invoice_days
GROUP BY 1
ORDER BY period;
COMMENT ON VIEW invoices_monthly IS 'Invoices by month of issue: issued, lost_or_damaged, reissued, reissue_rate = reissued / issued.';

-- Voided payments per collector and month, per 1,000 payments taken.
CREATE OR REPLACE VIEW operator_errors AS
SELECT period_of(paid_on) AS period, collector,
       CAST(sum(payments) AS BIGINT) AS payments,
       CAST(sum(voided) AS BIGINT) AS voided,
       ratio4(sum(voided) * 1000, sum(payments)) AS errors_per_1000
FROM fact_payment_days
GROUP BY 1, 2
ORDER BY period, collector;
COMMENT ON VIEW operator_errors IS 'Payments and voided payments per month and collector; errors_per_1000 = voided x 1000 / payments.';

-- Customer feedback by month received: responses and average score (1-5).
CREATE OR REPLACE VIEW feedback_monthly AS
SELECT period_of(local_day(received_at)) AS period,
       count(*) AS responses,
       ratio4(sum(score), count(*)) AS avg_score
FROM feedback
GROUP BY 1
ORDER BY period;
COMMENT ON VIEW feedback_monthly IS 'Feedback by month received: responses and average score (1-5).';
