-- halfyear_volunteers.sql - volunteers on record by sector and role, those
-- who joined in the period, and those with any activity in it; then a
-- total row.  On record: joined by the period's end, with no joining
-- date, or active in the period whatever joined_on says (an activity
-- counts wherever the report counts active people: the key figures'
-- volunteers active and this table's are one figure).
WITH sectors(ord, code, zh, en) AS (
    VALUES (1, 'federation', '妇联执委', 'Federation committee'), (2, 'cadre', '机关党员干部', 'Party cadres'),
           (3, 'teacher', '在职老师', 'Teachers'), (4, 'social_worker', '社会工作者', 'Social workers'),
           (5, 'counsellor', '心理咨询师', 'Counsellors'), (6, 'entrepreneur', '女企业家', 'Entrepreneurs'),
           (7, 'other', '其他', 'Other'), (8, NULL, '未填写', 'Not given')
),
a AS MATERIALIZED (
    SELECT v.volunteer_id, v.sector, v.role, v.joined_on,
           (v.joined_on BETWEEN :from AND :to) AS is_new,
           EXISTS (SELECT 1 FROM volunteer_months m WHERE m.volunteer_id = v.volunteer_id
                     AND m.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7)) AS active
      FROM volunteers v
),
v AS MATERIALIZED (
    SELECT volunteer_id, sector, role, is_new, active FROM a
     WHERE joined_on IS NULL OR joined_on <= :to OR active
),
bs AS MATERIALIZED (   -- per sector given (one pass over v, not one per sector)
    SELECT sector, count(*) AS volunteers, sum(role = 'mother') AS mothers,
           sum(role = 'father') AS fathers, sum(is_new) AS new_volunteers, sum(active) AS active
      FROM v GROUP BY sector
),
rows AS (
    SELECT 0 AS sort, s.ord, CASE :lang WHEN 'en' THEN s.en ELSE s.zh END AS sector,
           coalesce(b.volunteers, 0) AS volunteers,
           coalesce(b.mothers, 0) AS mothers,
           coalesce(b.fathers, 0) AS fathers,
           coalesce(b.new_volunteers, 0) AS new_volunteers,
           coalesce(b.active, 0) AS active
      FROM sectors s LEFT JOIN bs b ON b.sector IS s.code
     WHERE s.code IS NOT NULL OR b.volunteers > 0
)
SELECT sort, ord, sector, volunteers, mothers, fathers, new_volunteers, active FROM rows
UNION ALL
SELECT 1, 99, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END, count(*),
       coalesce(sum(role = 'mother'), 0), coalesce(sum(role = 'father'), 0),
       coalesce(sum(is_new), 0), coalesce(sum(active), 0)
  FROM v
ORDER BY sort, ord;
