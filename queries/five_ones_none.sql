-- five_ones_none.sql - the pairs that kept none of the "five ones" in the
-- period (kept0 of queries/five_ones_pairs.sql; both take the pair's
-- promises from five_ones_base.sql): no call in some paired month, no
-- reading session, no holiday activity, no birthday when one was due, no
-- wish fulfilled.
-- By town, then the fewest calls first.  Internal only (names people and
-- a shortfall); public runs get the alias and masked names all the same.
-- The pairs (k) are kept in temp.shared_five_ones by whichever of this
-- file and five_ones_none.sql runs first on a connection, and read back
-- by the other (IF NOT EXISTS: one computation per report and connection;
-- pipeline/report/aggregate.c drops temp.shared_* before and after each
-- report, so a table is never another period's or scope's).
CREATE TEMP TABLE IF NOT EXISTS shared_five_ones AS
-- include five_ones_base.sql
SELECT * FROM k;
WITH k AS (SELECT * FROM temp.shared_five_ones)
SELECT coalesce(t.town_name, k.town_code) AS town, k.volunteer_id,
       CASE WHEN :audience = 'public' THEN substr(v.name, 1, 1) || '*' ELSE v.name END AS volunteer,
       CASE WHEN :audience = 'public' THEN NULL ELSE v.phone END AS volunteer_phone,
       CASE WHEN :audience = 'public' THEN coalesce(c.alias, c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       k.months, k.called_months,
       CASE WHEN k.birthday_due THEN CASE :lang WHEN 'en' THEN 'yes' ELSE '是' END
            ELSE CASE :lang WHEN 'en' THEN 'no' ELSE '否' END END AS birthday_due
  FROM k JOIN volunteers v ON v.volunteer_id = k.volunteer_id
  JOIN children c ON c.child_id = k.child_id
  LEFT JOIN towns t ON t.town_code = k.town_code
 WHERE k.kept = 0
 ORDER BY k.town_code, 1.0 * k.called_months / k.months, k.volunteer_id, k.child_id;
