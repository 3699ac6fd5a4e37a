-- children_category.sql - the children by category (留守, 困境, both), with
-- how many are paired and their contact rate, then the total.
--
-- Children: registered in the period as queries/coverage_towns.sql counts
-- them (on record at its end, or paired in it); paired: a run of paired
-- months meeting it.  The contact rate is that of the half-year's town
-- table (queries/halfyear_towns.sql): the paired child-months with a
-- contact over the paired child-months, so the total row's paired
-- children and rate are the report's.  Groups with no children are left
-- out, but for the fixed ones; the groups add up to the total.
-- include children_base.sql
,
grp(ord, code, zh, en, fixed) AS (
    VALUES (1, 'left_behind', '留守儿童', 'Left-behind', 1), (2, 'distressed', '困境儿童', 'In distress', 1),
           (3, 'both', '留守困境儿童', 'Left-behind and in distress', 1), (4, NULL, '未填写', 'Not given', 0)
),
g AS (
    SELECT grp.ord, grp.zh, grp.en, count(r.child_id) AS children,
           coalesce(sum(r.child_months > 0), 0) AS paired,
           coalesce(sum(r.child_months), 0) AS child_months,
           coalesce(sum(r.contacted_months), 0) AS contacted_months
      FROM grp LEFT JOIN reg r ON r.category IS grp.code
     GROUP BY grp.ord
    HAVING grp.fixed OR count(r.child_id) > 0
)
SELECT 0 AS sort, ord, CASE :lang WHEN 'en' THEN en ELSE zh END AS grp, children, paired,
       CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END AS contact_rate,
       child_months, contacted_months
  FROM g
UNION ALL
SELECT 1, 99, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END,
       coalesce(sum(children), 0), coalesce(sum(paired), 0),
       CASE WHEN sum(child_months) > 0 THEN 1.0 * sum(contacted_months) / sum(child_months) END,
       coalesce(sum(child_months), 0), coalesce(sum(contacted_months), 0)
  FROM g
ORDER BY sort, ord;
