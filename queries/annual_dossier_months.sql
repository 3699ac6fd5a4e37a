-- annual_dossier_months.sql - a candidate's activities (distinct
-- activity_ids, every type) in each month of the year.
-- Activities come from temp.dossier_activities: the candidates' rows of
-- the year, gathered by pipeline/report/dossier_model.c in one pass
-- (activities has no index by volunteer).
WITH RECURSIVE months(f) AS (
    SELECT :from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :to
)
SELECT CAST(substr(m.f, 6, 2) AS INTEGER) AS month,
       (SELECT count(DISTINCT a.activity_id) FROM temp.dossier_activities a
         WHERE a.volunteer_id = :volunteer_id
           AND a.date BETWEEN m.f AND min(date(m.f, '+1 month', '-1 day'), :to)) AS activities
  FROM months m
 ORDER BY m.f;
