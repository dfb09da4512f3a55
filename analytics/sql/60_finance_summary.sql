-- The report for finance for each settlement cycle (a calendar month):
-- billed (bills of the period, net of discounts), collected (completed bill
-- payments received in the month), refunded (refunds executed in the month),
-- outstanding (receivables still open at the month's end), walk-in revenue
-- (completed payments with no bill), provider fees and net settled (lines
-- settled in the month: a channel's refund line counts once, with its negative
-- amount and the fee returned on it; refunded is feeflow's own figure and is
-- not deducted from net settled again), DSO = outstanding / billed x days in
-- the month, and
-- CEI = (opening + billed - closing) / (opening + billed - closing current),
-- where current means not yet due at the month's end. A month is still
-- collecting (collecting = true) while it has not ended by the last day of
-- the data or some of its bills are not yet due (last_due after that day):
-- its collection rate is not comparable with mature months yet.
CREATE OR REPLACE VIEW finance_summary AS
WITH months AS (
    SELECT period, CAST(period || '-01' AS DATE) AS first_day,
           CAST(CAST(period || '-01' AS DATE) + INTERVAL 1 MONTH AS DATE) AS next_first
    FROM (SELECT DISTINCT period FROM fact_collection
          UNION SELECT DISTINCT period_of(paid_on) FROM fact_payment_days)
),
open_amounts AS (
    -- what was open at each month's start and end on the bills issued by
    -- its end (fact_arrears sums fact_bill_months, which keeps every bill
    -- and month with something open at either)
    SELECT period, sum(opening) AS opening, sum(closing) AS closing, sum(closing_current) AS closing_current
    FROM fact_arrears GROUP BY period
),
billed AS (SELECT period, sum(billed) AS billed, max(due_date) AS last_due FROM fact_collection GROUP BY period),
cash AS (
    SELECT period_of(paid_on) AS period, sum(bill_amount) AS collected, sum(walk_in_amount) AS walk_in_revenue
    FROM fact_payment_days
    GROUP BY 1
),
refunded AS (
    SELECT period_of(local_day(executed_at)) AS period, sum(amount) AS refunded
    FROM refunds WHERE executed_at IS NOT NULL GROUP BY 1
),
settled AS (
    SELECT period_of(day) AS period, sum(fee) AS provider_fees, sum(amount) - sum(fee) AS net_settled
    FROM fact_settlement_days GROUP BY 1
)
SELECT m.period,
       coalesce(b.billed, 0) AS billed,
       coalesce(c.collected, 0) AS collected,
       coalesce(r.refunded, 0) AS refunded,
       coalesce(o.closing, 0) AS outstanding,
       coalesce(c.walk_in_revenue, 0) AS walk_in_revenue,
       coalesce(s.provider_fees, 0) AS provider_fees,
       coalesce(s.net_settled, 0) AS net_settled,
       ratio2(coalesce(o.closing, 0) * date_diff('day', m.first_day, m.next_first), b.billed) AS dso_days,
       ratio4(coalesce(o.opening, 0) + coalesce(b.billed, 0) - coalesce(o.closing, 0),
              coalesce(o.opening, 0) + coalesce(b.billed, 0) - coalesce(o.closing_current, 0)) AS cei,
       b.last_due,
       coalesce(m.next_first - 1 > data_end(), true) OR coalesce(b.last_due > data_end(), false) AS collecting
FROM months m
LEFT JOIN billed b USING (period)
LEFT JOIN cash c USING (period)
LEFT JOIN refunded r USING (period)
LEFT JOIN open_amounts o USING (period)
LEFT JOIN settled s USING (period)
ORDER BY m.period;
COMMENT ON VIEW finance_summary IS 'Per month: billed, collected (bill payments received), refunded (executed), outstanding at month end, walk_in_revenue (payments with no bill), provider_fees (less fees returned on refund lines), net_settled (amount - fee of the lines, refund lines negative), dso_days = outstanding / billed x days, cei = (opening + billed - closing) / (opening + billed - closing current); last_due = the latest due date of its bills; collecting = the month has not ended by the last day of the data or some of its bills are not yet due.';
