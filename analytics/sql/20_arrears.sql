-- Arrears month by month. A bill is in arrears at the start of a month when
-- its due date is before that month and something is still outstanding on
-- it then. recovered = what was paid in the month on those bills (net of
-- refunds executed in the month), up to what was outstanding; clearance_rate
-- (清繳率) = recovered / opening_arrears. households_billed = customers with a
-- bill of the period; households_paid = those whose bills of the period are
-- all fully paid; household_rate (戶收費率) = households_paid / households_billed.
CREATE OR REPLACE VIEW arrears_monthly AS
WITH months AS (
    SELECT DISTINCT period, CAST(period || '-01' AS DATE) AS first_day
    FROM bills
),
flows AS (
    -- every payment and executed refund of a bill, as a signed amount on a day
    SELECT p.bill_id, local_day(p.paid_at) AS day, p.amount AS amount
    FROM payments p WHERE p.status = 'completed' AND p.bill_id IS NOT NULL
    UNION ALL
    SELECT p.bill_id, local_day(r.executed_at), -r.amount
    FROM refunds r JOIN payments p ON p.txn_id = r.txn_id
    WHERE r.executed_at IS NOT NULL AND p.status = 'completed' AND p.bill_id IS NOT NULL
),
opening AS (
    SELECT m.period, b.bill_id,
           b.amount_due - b.discount - coalesce(sum(f.amount) FILTER (WHERE f.day < m.first_day), 0) AS open_amount,
           coalesce(sum(f.amount) FILTER (WHERE f.day >= m.first_day AND f.day < m.first_day + INTERVAL 1 MONTH), 0) AS paid_in_month
    FROM months m
    JOIN bills b ON b.due_date < m.first_day
    LEFT JOIN flows f ON f.bill_id = b.bill_id AND f.day < m.first_day + INTERVAL 1 MONTH
    GROUP BY m.period, b.bill_id, b.amount_due, b.discount
),
arrears AS (
    SELECT period,
           sum(open_amount) AS opening_arrears,
           sum(least(greatest(paid_in_month, 0), open_amount)) AS recovered
    FROM opening WHERE open_amount > 0
    GROUP BY period
),
households AS (
    SELECT period, count(*) AS households_billed,
           count(*) FILTER (WHERE fully_paid) AS households_paid
    FROM (SELECT period, customer_id, bool_and(collected >= net_due) AS fully_paid
          FROM bill_balances GROUP BY period, customer_id)
    GROUP BY period
)
SELECT m.period,
       coalesce(a.opening_arrears, 0) AS opening_arrears,
       coalesce(a.recovered, 0) AS recovered,
       ratio4(coalesce(a.recovered, 0), coalesce(a.opening_arrears, 0)) AS clearance_rate,
       h.households_billed, h.households_paid,
       ratio4(h.households_paid, h.households_billed) AS household_rate
FROM months m
LEFT JOIN arrears a USING (period)
LEFT JOIN households h USING (period)
ORDER BY m.period;
COMMENT ON VIEW arrears_monthly IS 'Per month: arrears open at its start (bills past due before it, still outstanding), recovered in it, clearance_rate (清繳率) = recovered / opening_arrears; households billed and fully paid, household_rate (戶收費率) = paid / billed.';

-- Outstanding bills as of a day, by days past due. Payments and refunds after
-- the day do not count; bills of later periods are not yet issued.
CREATE OR REPLACE MACRO arrears_aging(as_of) AS TABLE
WITH buckets(ord, bucket) AS (
    VALUES (1, 'not_due'), (2, '1-30'), (3, '31-60'), (4, '61-90'), (5, '91-120'), (6, '120+')
),
open_bills AS (
    SELECT outstanding,
           CASE WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 0 THEN 'not_due'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 30 THEN '1-30'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 60 THEN '31-60'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 90 THEN '61-90'
                WHEN date_diff('day', due_date, CAST(as_of AS DATE)) <= 120 THEN '91-120'
                ELSE '120+' END AS bucket
    FROM bill_balances_at(CAST(as_of AS DATE))
    WHERE outstanding > 0 AND period <= strftime(CAST(as_of AS DATE), '%Y-%m')
)
SELECT b.bucket, count(o.outstanding) AS bills, coalesce(sum(o.outstanding), CAST(0 AS DECIMAL(38,2))) AS outstanding
FROM buckets b LEFT JOIN open_bills o USING (bucket)
GROUP BY b.ord, b.bucket
ORDER BY b.ord;
