-- children_age.sql - the children by age at the period's end (0-5, 6-11,
-- 12-14, 15-17; 18 and over only when there are such children, who turned
-- 18 in the period), with how many are paired and their contact rate,
-- then the total.
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
grp(ord, lo, hi, zh, en, fixed) AS (
    VALUES (1, 0, 5, '0～5 岁', '0-5', 1), (2, 6, 11, '6～11 岁', '6-11', 1),
           (3, 12, 14, '12～14 岁', '12-14', 1), (4, 15, 17, '15～17 岁', '15-17', 1),
           (5, 18, 999, '18 岁及以上', '18 and over', 0)
),
member(ord, child_id, child_months, contacted_months) AS (
    SELECT grp.ord, r.child_id, r.child_months, r.contacted_months
      FROM grp JOIN reg r ON r.age BETWEEN grp.lo AND grp.hi
),
-- include children_groups.sql
