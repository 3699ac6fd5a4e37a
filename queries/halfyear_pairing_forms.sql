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
-- Most groups are stars, found from counts alone: a volunteer whose
-- children have no other volunteer is a group with those children (one-
-- to-one or one-to-many), a child whose volunteers have no other child
-- a group with those volunteers (many-to-one).  The other pairings are
-- the groups of several volunteers and several children (many-to-many:
-- such a group has a volunteer with two children and a child with two
-- volunteers, so it is no star); only their number needs the groups
-- themselves.  reach(volunteer, label) walks, among those pairings, from
-- each volunteer to the volunteers sharing a child with it, keeping only
-- labels not above the volunteer reached: a group's smallest volunteer
-- still reaches all of it (every other member is above it), and a group
-- is counted by its smallest volunteer.  The walk costs at worst the sum
-- over those groups of their volunteers squared; at city scale they hold
-- a sixth of the volunteers, the largest 21 volunteers and 12 children.
--
-- Speed (city, 3,900 pairings): 30 ms of CPU against 15 ms for the forms
-- counted per pairing; the four window functions take most of it, the
-- walk a quarter.  Nation (about 1.9 million pairings) by scale: about
-- 12 s against 6 s.
WITH RECURSIVE act AS MATERIALIZED (
    SELECT DISTINCT p.volunteer_id, p.child_id
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :to)
       AND (c.exited_on IS NULL OR c.exited_on >= :to)
),
n1 AS (   -- each pairing with its volunteer's and its child's number of pairings
    SELECT volunteer_id, child_id,
           count(*) OVER (PARTITION BY volunteer_id) AS nv,
           count(*) OVER (PARTITION BY child_id) AS nc
      FROM act
),
n AS MATERIALIZED (   -- and the most pairings of the volunteer's children, of the child's volunteers
    SELECT volunteer_id, child_id, nv, nc,
           max(nc) OVER (PARTITION BY volunteer_id) AS v_nc,
           max(nv) OVER (PARTITION BY child_id) AS c_nv
      FROM n1
),
mm AS MATERIALIZED (   -- pairings of the many-to-many groups
    SELECT volunteer_id, child_id FROM n WHERE v_nc > 1 AND c_nv > 1
),
vv AS MATERIALIZED (   -- among them, volunteers sharing a child, each pair once
    SELECT DISTINCT a.volunteer_id AS v, b.volunteer_id AS w
      FROM mm a JOIN mm b ON b.child_id = a.child_id AND b.volunteer_id <> a.volunteer_id
),
reach(v, label) AS (
    SELECT DISTINCT volunteer_id, volunteer_id FROM mm
    UNION
    SELECT vv.w, r.label FROM reach r JOIN vv ON vv.v = r.v WHERE r.label <= vv.w
),
f(form, groups, pairings, volunteers, children) AS (
    SELECT 1, count(*), count(*), count(*), count(*) FROM n WHERE nv = 1 AND nc = 1
    UNION ALL
    SELECT 2, count(DISTINCT volunteer_id), count(*), count(DISTINCT volunteer_id), count(*)
      FROM n WHERE nv > 1 AND v_nc = 1
    UNION ALL
    SELECT 3, count(DISTINCT child_id), count(*), count(*), count(DISTINCT child_id)
      FROM n WHERE nc > 1 AND c_nv = 1
    UNION ALL
    SELECT 4, (SELECT count(*) FROM (SELECT v FROM reach GROUP BY v HAVING min(label) = v)),
           count(*), count(DISTINCT volunteer_id), count(DISTINCT child_id)
      FROM mm
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
