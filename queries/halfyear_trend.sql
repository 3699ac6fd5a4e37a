-- halfyear_trend.sql - month by month over the period (a half year or a
-- year): the figures of each month's monthly report (monthly_kpi.sql and
-- monthly_contact_rate.sql count the same way), and the same month one
-- year earlier (the *_ly columns; NULL when the database holds no
-- activity in that month).
WITH RECURSIVE months(f) AS (
    SELECT :from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :to
),
w(f, t, lf, lt) AS (
    SELECT f, min(date(f, '+1 month', '-1 day'), :to),
           date(f, '-1 year'), date(f, '-1 year', '+1 month', '-1 day')
      FROM months
),
s AS MATERIALIZED (
    SELECT w.f,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.t AND (p.ended_on IS NULL OR p.ended_on >= w.f)
            AND (c.exited_on IS NULL OR c.exited_on >= w.f)) AS paired,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.t AND (p.ended_on IS NULL OR p.ended_on >= w.f)
            AND (c.exited_on IS NULL OR c.exited_on >= w.f)
            AND EXISTS (SELECT 1 FROM activities a
                         WHERE a.child_id = p.child_id AND a.date BETWEEN w.f AND w.t
                           AND a.type NOT IN ('visit_teacher', 'visit_guardian'))) AS contacted,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'call') AS calls,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'reading') AS reading,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'holiday') AS holiday,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN w.f AND w.t) AS wishes,
        EXISTS (SELECT 1 FROM activities a WHERE a.date BETWEEN w.lf AND w.lt) AS ly,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.lt AND (p.ended_on IS NULL OR p.ended_on >= w.lf)
            AND (c.exited_on IS NULL OR c.exited_on >= w.lf)) AS paired_ly,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.lt AND (p.ended_on IS NULL OR p.ended_on >= w.lf)
            AND (c.exited_on IS NULL OR c.exited_on >= w.lf)
            AND EXISTS (SELECT 1 FROM activities a
                         WHERE a.child_id = p.child_id AND a.date BETWEEN w.lf AND w.lt
                           AND a.type NOT IN ('visit_teacher', 'visit_guardian'))) AS contacted_ly,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.lf AND w.lt AND a.type = 'call') AS calls_ly,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.lf AND w.lt AND a.type = 'reading') AS reading_ly,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.lf AND w.lt AND a.type = 'holiday') AS holiday_ly
    FROM w
)
SELECT f AS month_start,
       CASE :lang WHEN 'en' THEN substr(f, 1, 7) ELSE CAST(substr(f, 6, 2) AS INTEGER) || '月' END AS month,
       paired, contacted,
       CASE WHEN paired > 0 THEN 1.0 * contacted / paired END AS contact_rate,
       calls, reading, holiday, birthday, wishes,
       CASE WHEN ly THEN calls_ly END AS calls_ly,
       CASE WHEN ly THEN reading_ly END AS reading_ly,
       CASE WHEN ly THEN holiday_ly END AS holiday_ly,
       CASE WHEN ly AND paired_ly > 0 THEN 1.0 * contacted_ly / paired_ly END AS contact_rate_ly
  FROM s
 ORDER BY f;
