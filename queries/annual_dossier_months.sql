-- annual_dossier_months.sql - a candidate's activities (distinct
-- activity_ids, every type) in each month of the year.
WITH RECURSIVE months(f) AS (
    SELECT :from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :to
)
SELECT CAST(substr(m.f, 6, 2) AS INTEGER) AS month,
       (SELECT count(DISTINCT a.activity_id) FROM activities a
         WHERE a.volunteer_id = :volunteer_id
           AND a.date BETWEEN m.f AND min(date(m.f, '+1 month', '-1 day'), :to)) AS activities
  FROM months m
 ORDER BY m.f;
