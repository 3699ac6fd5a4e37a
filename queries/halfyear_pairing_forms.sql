-- halfyear_pairing_forms.sql - pairing forms among the pairings active on
-- the period's last day (children not exited by then): one-to-one (the
-- volunteer has one child, the child one volunteer), one-to-many (a
-- volunteer with several children, each child with only them),
-- many-to-one (a child with several volunteers, each with only that
-- child) and mixed (both).  Each pairing has one form; volunteers and
-- children are counted per form.
WITH act AS MATERIALIZED (
    SELECT DISTINCT p.volunteer_id, p.child_id
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :to)
       AND (c.exited_on IS NULL OR c.exited_on >= :to)
),
n AS (   -- each pairing with its volunteer's and its child's number of pairings
    SELECT volunteer_id, child_id,
           count(*) OVER (PARTITION BY volunteer_id) AS nv,
           count(*) OVER (PARTITION BY child_id) AS nc
      FROM act
),
f AS MATERIALIZED (
    SELECT volunteer_id, child_id,
           CASE WHEN nv = 1 AND nc = 1 THEN 1
                WHEN nv > 1 AND nc = 1 THEN 2
                WHEN nv = 1 AND nc > 1 THEN 3
                ELSE 4 END AS form
      FROM n
),
forms(form, zh, en) AS (
    VALUES (1, '一对一', 'One-to-one'), (2, '一对多（一名志愿者结对多名儿童）', 'One-to-many'),
           (3, '多对一（多名志愿者结对一名儿童）', 'Many-to-one'), (4, '交叉结对', 'Mixed')
)
SELECT fo.form AS ord, CASE :lang WHEN 'en' THEN fo.en ELSE fo.zh END AS form,
       count(f.child_id) AS pairings,
       count(DISTINCT f.volunteer_id) AS volunteers,
       count(DISTINCT f.child_id) AS children
  FROM forms fo LEFT JOIN f ON f.form = fo.form
 GROUP BY fo.form
UNION ALL
SELECT 9, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END, count(*),
       count(DISTINCT volunteer_id), count(DISTINCT child_id)
  FROM act
ORDER BY ord;
