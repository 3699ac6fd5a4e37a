-- child_months and volunteer_months equal a recount from activities.
WITH c AS (
    SELECT child_id, substr(date, 1, 7) AS month, count(*) AS n, max(date) AS last
    FROM activities WHERE type NOT IN ('visit_teacher', 'visit_guardian')
    GROUP BY child_id, substr(date, 1, 7)
), v AS (
    SELECT volunteer_id, substr(date, 1, 7) AS month, count(*) AS n, max(date) AS last
    FROM activities GROUP BY volunteer_id, substr(date, 1, 7)
)
SELECT 'child_months: child ''' || coalesce(c.child_id, m.child_id) || ''' month '
       || coalesce(c.month, m.month) || ' holds ' || coalesce(m.contacts, 0)
       || ' contacts, activities say ' || coalesce(c.n, 0)
FROM c FULL JOIN child_months m ON m.child_id = c.child_id AND m.month = c.month
WHERE c.n IS NOT m.contacts OR c.last IS NOT m.last_contact
UNION ALL
SELECT 'volunteer_months: volunteer ''' || coalesce(v.volunteer_id, m.volunteer_id) || ''' month '
       || coalesce(v.month, m.month) || ' holds ' || coalesce(m.activities, 0)
       || ' activities, activities say ' || coalesce(v.n, 0)
FROM v FULL JOIN volunteer_months m ON m.volunteer_id = v.volunteer_id AND m.month = v.month
WHERE v.n IS NOT m.activities OR v.last IS NOT m.last_activity;
