-- Arrears month by month. A bill is in arrears at the start of a month when
-- its due date is before that month and something is still outstanding on
-- it then. recovered = what was paid in the month on those bills (net of
-- refunds executed in the month), up to what was outstanding; clearance_rate
-- (清繳率) = recovered / opening_arrears. households_billed = customers with a
-- bill of the period; households_paid = those whose bills of the period are
-- all fully paid; household_rate (戶收費率) = households_paid / households_billed.
-- Every month from the first bill to the data's end has a row (arrears_months),
-- a month without bills too: its arrears are carried in from the months
-- before, what is paid on them in it is recovered, and it billed no household
-- (households 0, household_rate NULL). The arrears are arrears_cube summed
-- over areas and fee items.
CREATE OR REPLACE VIEW arrears_monthly AS
WITH arrears AS (
    SELECT period, sum(opening_arrears) AS opening_arrears, sum(recovered) AS recovered
    FROM arrears_cube
    GROUP BY period
),
households AS (
    SELECT period, count(*) AS households_billed,
           count(*) FILTER (WHERE unpaid = 0) AS households_paid
    FROM fact_households
    GROUP BY period
)
SELECT m.period,
       coalesce(a.opening_arrears, 0) AS opening_arrears,
       coalesce(a.recovered, 0) AS recovered,
       ratio4(coalesce(a.recovered, 0), coalesce(a.opening_arrears, 0)) AS clearance_rate,
       coalesce(h.households_billed, 0) AS households_billed,
       coalesce(h.households_paid, 0) AS households_paid,
       ratio4(h.households_paid, h.households_billed) AS household_rate
FROM arrears_months m
LEFT JOIN arrears a USING (period)
LEFT JOIN households h USING (period)
ORDER BY m.period;
COMMENT ON VIEW arrears_monthly IS 'Per month: arrears open at its start (bills past due before it, still outstanding), recovered in it, clearance_rate (清繳率) = recovered / opening_arrears; households billed and fully paid, household_rate (戶收費率) = paid / billed.';

-- Outstanding bills as of a day, by days past due. Payments and refunds after
-- the day do not count; bills of later periods are not yet issued. By
-- default computed from every bill as it stood on the day (any day);
-- latest := true reads fact_collection instead (the same figures), which
-- holds only on or after the data's last day: asked for an earlier day it
-- is an error, never a wrong answer.
CREATE OR REPLACE MACRO arrears_aging(as_of, latest := false) AS TABLE
WITH buckets(ord, bucket) AS (
    VALUES (1, 'not_due'), (2, '1-30'), (3, '31-60'), (4, '61-90'), (5, '91-120'), (6, '120+')
),
open_bills AS (
    SELECT 1 AS bills, outstanding, due_date
    FROM bill_balances_at(CAST(as_of AS DATE))
    WHERE NOT latest AND outstanding > 0 AND period <= strftime(CAST(as_of AS DATE), '%Y-%m')
    UNION ALL
    SELECT bills_open, open_amount, due_date
    FROM fact_collection
    WHERE latest AND bills_open > 0 AND period <= strftime(CAST(as_of AS DATE), '%Y-%m')
      AND CASE WHEN CAST(as_of AS DATE) < coalesce(data_end(), DATE '0001-01-01')
               THEN error('latest := true reads the facts, which hold on or after the data''s last day only')
               ELSE true END
),
bucketed AS (
    SELECT bills, outstanding,
           CASE WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 0 THEN 'not_due'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 30 THEN '1-30'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 60 THEN '31-60'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 90 THEN '61-90'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 120 THEN '91-120'
                ELSE '120+' END AS bucket
    FROM open_bills
)
SELECT b.bucket, CAST(coalesce(sum(o.bills), 0) AS BIGINT) AS bills, coalesce(sum(o.outstanding), CAST(0 AS DECIMAL(38,2))) AS outstanding
FROM buckets b LEFT JOIN bucketed o USING (bucket)
GROUP BY b.ord, b.bucket
ORDER BY b.ord;
