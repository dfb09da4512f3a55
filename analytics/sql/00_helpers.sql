-- Helpers every metric uses: the organisation's local day of an instant, and
-- exact decimal ratios rounded half away from zero (never through a float).

CREATE OR REPLACE MACRO feeflow_zone() AS (SELECT time_zone FROM feeflow_settings LIMIT 1);

-- The calendar day, in the organisation's zone, on which an instant fell.
CREATE OR REPLACE MACRO local_day(ts) AS CAST(timezone(feeflow_zone(), ts) AS DATE);

-- The month (YYYY-MM) of a day.
CREATE OR REPLACE MACRO period_of(d) AS strftime(d, '%Y-%m');

-- num / den multiplied by 10^places and rounded half away from zero, as an
-- integer. num and den have at most 2 decimal places (money or counts).
CREATE OR REPLACE MACRO rounded_quotient(num, den, places) AS
    CASE WHEN num IS NULL OR den IS NULL OR den = 0 THEN NULL
         ELSE sign(CAST(round(num * 100) AS HUGEINT)) * sign(CAST(round(den * 100) AS HUGEINT))
              * ((2 * abs(CAST(round(num * 100) AS HUGEINT)) * CAST(pow(10, places) AS HUGEINT) + abs(CAST(round(den * 100) AS HUGEINT)))
                 // (2 * abs(CAST(round(den * 100) AS HUGEINT))))
    END;

-- A rate to 4 places; NULL when the denominator is zero (shown as "—").
CREATE OR REPLACE MACRO ratio4(num, den) AS
    CAST(CAST(rounded_quotient(num, den, 4) AS DECIMAL(18,0)) * CAST(0.0001 AS DECIMAL(5,4)) AS DECIMAL(18,4));

-- A quotient to 2 places (days, averages).
CREATE OR REPLACE MACRO ratio2(num, den) AS
    CAST(CAST(rounded_quotient(num, den, 2) AS DECIMAL(18,0)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(18,2));

-- The settlement channel a payment method settles through; NULL: not reconciled.
CREATE OR REPLACE MACRO settlement_channel(method) AS
    CASE method WHEN 'bank_transfer' THEN 'bank' WHEN 'card' THEN 'card' WHEN 'wechat' THEN 'wechat'
                WHEN 'alipay' THEN 'alipay' WHEN 'cash' THEN 'cash_deposit' END;
