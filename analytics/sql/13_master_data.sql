-- Master data as the dashboard reads it. A fee item's tariff changes over
-- time: fee_items holds every version of a code, keyed by (code,
-- effective_from), and a version is in force from its effective_from to its
-- effective_to, or, when a later version starts first, to the day before
-- that one (the later version wins; an open end runs until a later version).
-- A bill is charged at the version in force on the first day of its period.
-- Names of fee items, units and areas are kept per language (_en, _zh; the
-- plain name when none was uploaded).
CREATE OR REPLACE VIEW fee_standards AS
SELECT code, effective_from,
       CAST(least(effective_to,
                  lead(effective_from) OVER (PARTITION BY code ORDER BY effective_from) - 1) AS DATE) AS effective_until,
       rate, name, name_en, name_zh, unit, unit_en, unit_zh, effective_to
FROM fee_items
ORDER BY code, effective_from;
COMMENT ON VIEW fee_standards IS 'Every version of every fee item''s tariff: effective_from to effective_until (its effective_to, or the day before the next version starts; NULL while open), the rate, and the name and unit per language.';

-- The tariff version in force on the first day of each bill's period (NULL
-- when no version of the fee item was in force then).
CREATE OR REPLACE VIEW bill_tariffs AS
SELECT b.bill_id, b.period, b.fee_item, f.effective_from, f.rate, f.unit
FROM bills b
LEFT JOIN fee_standards f
       ON f.code = b.fee_item
      AND f.effective_from <= CAST(b.period || '-01' AS DATE)
      AND (f.effective_until IS NULL OR CAST(b.period || '-01' AS DATE) <= f.effective_until)
ORDER BY b.period, b.bill_id;
COMMENT ON VIEW bill_tariffs IS 'Each bill with the fee item''s tariff version in force on the first day of its period: effective_from (the version), rate and unit; NULL when none was in force.';

-- Each area with its name per language, as the latest upload of customers
-- gave it.
CREATE OR REPLACE VIEW areas AS
SELECT area, arg_max(area_en, batch_id) AS area_en, arg_max(area_zh, batch_id) AS area_zh
FROM customers
WHERE area IS NOT NULL
GROUP BY area
ORDER BY area;
COMMENT ON VIEW areas IS 'Each area of the customers with its name in English and Chinese (from the latest upload that names it; the plain area when none was given).';
