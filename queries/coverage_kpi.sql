-- coverage_kpi.sql - the "three full coverages" (三个全覆盖) as key figures:
-- children registered, surveyed (needs recorded), paired, and registered
-- but not paired, each but the first with its share of the registered
-- children; every row also carries the unsurveyed children (hidden, for
-- the sentence).
-- The definitions and the base are those of queries/coverage_towns.sql,
-- whose total row has the same figures.
WITH kids AS MATERIALIZED (
    SELECT c.child_id, c.needs IS NOT NULL AND c.needs <> '' AS surveyed,
           EXISTS (SELECT 1 FROM child_spans x
                    WHERE x.child_id = c.child_id AND x.first_month <= substr(:to, 1, 7)
                      AND x.last_month >= substr(:from, 1, 7)) AS paired,
           c.registered_on, c.exited_on
      FROM children c
),
f AS (
    SELECT count(*) AS registered, coalesce(sum(surveyed), 0) AS surveyed,
           coalesce(sum(paired), 0) AS paired
      FROM kids
     WHERE paired OR hm_on_record(registered_on, exited_on, :to, :to)
)
SELECT 1 AS ord, 'registered' AS metric,
       CASE :lang WHEN 'en' THEN 'Children registered' ELSE '建档儿童（名）' END AS label,
       registered AS value, NULL AS share,
       registered - surveyed AS unsurveyed FROM f
UNION ALL
SELECT 2, 'surveyed', CASE :lang WHEN 'en' THEN 'Needs surveyed' ELSE '完成需求调查（名）' END,
       surveyed, CASE WHEN registered > 0 THEN 1.0 * surveyed / registered END,
       registered - surveyed FROM f
UNION ALL
SELECT 3, 'paired', CASE :lang WHEN 'en' THEN 'Children paired' ELSE '结对儿童（名）' END,
       paired, CASE WHEN registered > 0 THEN 1.0 * paired / registered END,
       registered - surveyed FROM f
UNION ALL
SELECT 4, 'unpaired', CASE :lang WHEN 'en' THEN 'Waiting for a pairing' ELSE '待结对儿童（名）' END,
       registered - paired, CASE WHEN registered > 0 THEN 1.0 * (registered - paired) / registered END,
       registered - surveyed FROM f
ORDER BY ord;
