-- halfyear_retention.sql - pairing retention: of the pairings started 12
-- months or more before the period's last day, the share still active on
-- it (not ended before it).
WITH old AS (
    SELECT * FROM pairings WHERE started_on <= date(:to, '-12 months')
)
SELECT 'retention' AS metric,
       CASE :lang WHEN 'en' THEN 'Pairing retention (12 months+)' ELSE '结对保持率（结对满 12 个月）' END AS label,
       CASE WHEN count(*) > 0 THEN 1.0 * sum(ended_on IS NULL OR ended_on >= :to) / count(*) END AS value,
       count(*) AS started,
       coalesce(sum(ended_on IS NULL OR ended_on >= :to), 0) AS active
  FROM old;
