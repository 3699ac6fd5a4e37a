-- halfyear_trend.sql - month by month over the period (a half year or a
-- year): the figures of each month's monthly report (monthly_kpi.sql and
-- monthly_contact_rate.sql count the same way), and the same month one
-- year earlier (the *_ly columns; NULL, no comparison, when that month
-- is before the data start: the first day of the month of the first
-- activity, as halfyear_kpi.sql; data_from, on every row, for the note
-- that says so).
--
-- Speed: every figure but the wishes comes from the summary tables ingest
-- keeps (queries/schema.sql), as in monthly_kpi.sql and
-- monthly_contact_rate.sql.
WITH RECURSIVE start(data_from) AS (   -- the data start: the first activity's month
    SELECT date(min(date), 'start of month') FROM activities
),
months(f) AS (
    SELECT :from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :to
),
w(f, t, lf, lt) AS (
    SELECT f, min(date(f, '+1 month', '-1 day'), :to),
           date(f, '-1 year'), date(f, '-1 year', '+1 month', '-1 day')
      FROM months
),
win(f, t) AS MATERIALIZED (   -- every window: the months and the months a year earlier
    SELECT f, t FROM w UNION SELECT lf, lt FROM w
),
pc AS MATERIALIZED (   -- paired and contacted children of each window's month
    SELECT x.f,
           (SELECT count(*) FROM child_spans c
             WHERE c.first_month <= substr(x.f, 1, 7)
               AND c.last_month >= substr(x.f, 1, 7)) AS paired,
           (SELECT count(*) FROM child_months m
             WHERE m.month = substr(x.f, 1, 7) AND m.paired = 1) AS contacted
      FROM win x
),
ev AS MATERIALIZED (   -- activities (distinct activity_ids) of each window's month, by type
    SELECT x.f,
           sum(CASE e.type WHEN 'call' THEN e.events ELSE 0 END) AS calls,
           sum(CASE e.type WHEN 'reading' THEN e.events ELSE 0 END) AS reading,
           sum(CASE e.type WHEN 'holiday' THEN e.events ELSE 0 END) AS holiday,
           sum(CASE e.type WHEN 'birthday' THEN e.events ELSE 0 END) AS birthday
      FROM win x JOIN month_events e ON e.month = substr(x.f, 1, 7)
     GROUP BY x.f
),
s AS MATERIALIZED (
    SELECT w.f,
        coalesce(pm.paired, 0) AS paired, coalesce(pm.contacted, 0) AS contacted,
        coalesce(em.calls, 0) AS calls, coalesce(em.reading, 0) AS reading,
        coalesce(em.holiday, 0) AS holiday, coalesce(em.birthday, 0) AS birthday,
        (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN w.f AND w.t) AS wishes,
        w.lf >= (SELECT data_from FROM start) AS ly,
        coalesce(pl.paired, 0) AS paired_ly, coalesce(pl.contacted, 0) AS contacted_ly,
        coalesce(el.calls, 0) AS calls_ly, coalesce(el.reading, 0) AS reading_ly,
        coalesce(el.holiday, 0) AS holiday_ly
    FROM w
    LEFT JOIN pc pm ON pm.f = w.f LEFT JOIN ev em ON em.f = w.f
    LEFT JOIN pc pl ON pl.f = w.lf LEFT JOIN ev el ON el.f = w.lf
)
SELECT f AS month_start,
       CASE :lang WHEN 'en' THEN substr(f, 1, 7) ELSE CAST(substr(f, 6, 2) AS INTEGER) || '月' END AS month,
       paired, contacted,
       CASE WHEN paired > 0 THEN 1.0 * contacted / paired END AS contact_rate,
       calls, reading, holiday, birthday, wishes,
       CASE WHEN ly THEN calls_ly END AS calls_ly,
       CASE WHEN ly THEN reading_ly END AS reading_ly,
       CASE WHEN ly THEN holiday_ly END AS holiday_ly,
       CASE WHEN ly AND paired_ly > 0 THEN 1.0 * contacted_ly / paired_ly END AS contact_rate_ly,
       (SELECT data_from FROM start) AS data_from
  FROM s
 ORDER BY f;
