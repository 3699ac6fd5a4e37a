-- monthly_contact_rate.sql - the contact rate: paired children contacted
-- in the month over paired children, for the month, the previous month and
-- the year to date (the sum over the year's months of contacted paired
-- children over the sum of paired children, so each month weighs by its
-- children).  Contacted = any activity row naming the child in the month,
-- visits to the class teacher or the guardian excepted: a row of
-- child_months, which ingest keeps equal to that count.  Every window here
-- is a whole calendar month.  The previous month's rate is NULL (no
-- comparison) when that month is before the data start (the first day of
-- the month of the first activity, as monthly_kpi.sql).
--
-- Speed: from the summary tables ingest keeps (queries/schema.sql): the
-- paired children of each window are the runs of paired months holding
-- its month (span_counts, added up by first and last month once), the
-- contacted ones the rows of child_months of that month marked
-- paired (one range of child_months_month).
WITH RECURSIVE months(f) AS (
    SELECT :ytd_from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :from
),
w(f, t) AS (
    SELECT f, min(date(f, '+1 month', '-1 day'), :to) FROM months
    UNION
    VALUES (:prev_from, :prev_to)
),
sc AS MATERIALIZED (
    SELECT first_month, last_month, sum(spans) AS spans FROM span_counts
     GROUP BY first_month, last_month
),
s AS MATERIALIZED (
    SELECT w.f, w.t,
           (SELECT coalesce(sum(x.spans), 0) FROM sc x
             WHERE x.first_month <= substr(w.f, 1, 7)
               AND x.last_month >= substr(w.f, 1, 7)) AS paired,
           (SELECT count(*) FROM child_months m
             WHERE m.month = substr(w.f, 1, 7) AND m.paired = 1) AS contacted
      FROM w
)
SELECT 'contact_rate' AS metric,
       CASE :lang WHEN 'en' THEN 'Contact rate' ELSE '儿童联系率' END AS label,
       (SELECT 1.0 * contacted / paired FROM s WHERE f = :from AND t = :to) AS value,
       (SELECT 1.0 * contacted / paired FROM s WHERE f = :prev_from AND t = :prev_to
           AND f >= (SELECT date(min(date), 'start of month') FROM activities)) AS previous,
       (SELECT 1.0 * sum(contacted) / sum(paired) FROM s WHERE f >= :ytd_from
         HAVING sum(paired) > 0) AS ytd,
       coalesce((SELECT paired FROM s WHERE f = :from AND t = :to), 0) AS paired,
       coalesce((SELECT contacted FROM s WHERE f = :from AND t = :to), 0) AS contacted,
       coalesce((SELECT paired - contacted FROM s WHERE f = :from AND t = :to), 0) AS not_contacted;
