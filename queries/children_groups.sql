-- children_groups.sql - the rows of a who-the-children-are table: the one
-- shape that children_category.sql, children_gender.sql and
-- children_age.sql take by their line "-- include children_groups.sql",
-- after children_base.sql (reg) and their own two tables:
--   grp(ord, zh, en, fixed, ...)   the groups, in order; a fixed one is
--                                  shown even with no children;
--   member(ord, child_id, child_months, contacted_months)
--                                  each registered child's group, with
--                                  its months of reg.
-- Per group: children, paired (with paired months), the contact rate
-- (contacted over paired child-months, as the half-year's town table),
-- then the total row; the groups add up to it.  Not a query by itself.
g AS (
    SELECT grp.ord, grp.zh, grp.en, count(r.child_id) AS children,
           coalesce(sum(r.child_months > 0), 0) AS paired,
           coalesce(sum(r.child_months), 0) AS child_months,
           coalesce(sum(r.contacted_months), 0) AS contacted_months
      FROM grp LEFT JOIN member r ON r.ord = grp.ord
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
