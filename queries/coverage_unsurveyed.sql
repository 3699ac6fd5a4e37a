-- coverage_unsurveyed.sql - registered children (queries/coverage_towns.sql)
-- with no needs recorded, longest registered first, with whether they are
-- paired in the period.  Internal only (a list of children); public runs
-- get the alias and no name all the same.
WITH kids AS MATERIALIZED (
    SELECT c.child_id, c.town_code, c.name, c.alias, c.registered_on,
           EXISTS (SELECT 1 FROM child_spans x
                    WHERE x.child_id = c.child_id AND x.first_month <= substr(:to, 1, 7)
                      AND x.last_month >= substr(:from, 1, 7)) AS paired,
           c.exited_on
      FROM children c
     WHERE c.needs IS NULL OR c.needs = ''
)
SELECT coalesce(t.town_name, k.town_code) AS town,
       CASE WHEN :audience = 'public' THEN coalesce(k.alias, k.child_id) ELSE k.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE k.name END AS child_name,
       k.registered_on,
       CAST(julianday(:to) - julianday(k.registered_on) AS INTEGER) AS days_registered,
       CASE WHEN k.paired THEN CASE :lang WHEN 'en' THEN 'yes' ELSE '是' END
            ELSE CASE :lang WHEN 'en' THEN 'no' ELSE '否' END END AS paired
  FROM kids k LEFT JOIN towns t ON t.town_code = k.town_code
 WHERE k.paired OR hm_on_record(k.registered_on, k.exited_on, :to, :to)
 ORDER BY k.registered_on NULLS LAST, k.town_code, k.child_id;
