-- children_gender.sql - the children by gender, with how many are paired
-- and their contact rate, then the total.
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
    VALUES (1, 'F', '女', 'Girls', 1), (2, 'M', '男', 'Boys', 1), (3, NULL, '未填写', 'Not given', 0)
),
member(ord, child_id, child_months, contacted_months) AS (
    SELECT grp.ord, r.child_id, r.child_months, r.contacted_months
      FROM grp JOIN reg r ON r.gender IS grp.code
),
-- include children_groups.sql
