-- halfyear_pairing_forms.sql - pairing forms among the pairings active on
-- the period's last day, counted by group: the volunteers and children
-- joined by those pairings, directly or through one another (a connected
-- component of the graph whose edges are the pairings), form one group,
-- and the group's form follows from how many volunteers and children it
-- holds: one-to-one (one volunteer, one child), one-to-many (one
-- volunteer, several children), many-to-one (several volunteers, one
-- child) and many-to-many (several of both).  Each volunteer and each
-- child is in one group, so the rows add up to the total row.
--
-- Pairings active on the period's last day, as halfyear_pools.sql counts
-- them: a pairing started by that day and not ended before it, the child
-- not exited before it, each volunteer-child pair once, whatever the
-- volunteer's joined_on says.
--
-- The groups are found by hm_pairing_forms (pipeline/store/db.c): one pass
-- over the pairings in volunteer order, joining each volunteer's and
-- child's group (union-find), then each group's form from its numbers of
-- volunteers and children, the groups, pairings, volunteers and children
-- added up per form.  Speed (city, 3,900 pairings): under 5 ms of CPU,
-- against 30 ms for the same groups found in SQL (window functions over
-- the pairings, then a walk among the groups of several of both).
WITH
-- include pairings_at_end.sql
,
f(form, groups, pairings, volunteers, children) AS (
    SELECT j.key + 1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3
      FROM json_each((SELECT hm_pairing_forms(volunteer_id, child_id)
                        FROM (SELECT volunteer_id, child_id FROM act ORDER BY volunteer_id))) j
),
forms(form, zh, en) AS (
    VALUES (1, '一对一', 'One-to-one'), (2, '一对多（一名志愿者结对多名儿童）', 'One-to-many'),
           (3, '多对一（多名志愿者结对一名儿童）', 'Many-to-one'),
           (4, '多对多（多名志愿者与多名儿童）', 'Many-to-many')
)
SELECT fo.form AS ord, CASE :lang WHEN 'en' THEN fo.en ELSE fo.zh END AS form,
       f.groups, f.pairings, f.volunteers, f.children
  FROM forms fo JOIN f ON f.form = fo.form
UNION ALL
SELECT 9, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END,
       (SELECT sum(groups) FROM f), count(*),
       count(DISTINCT volunteer_id), count(DISTINCT child_id)
  FROM act
ORDER BY ord;
