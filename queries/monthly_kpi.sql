-- monthly_kpi.sql - the month's key figures, each with the previous month
-- and the year to date (1 January to the month's end).
--
-- Counting (DESIGN.md): a child is paired in a window when one of its
-- pairings is active on any day of it and the child had not exited before
-- the window starts; activities count distinct activity_ids (one event may
-- have several rows); volunteers active = distinct volunteers with any
-- activity; a wish counts in the window holding its fulfilled_on.
--
-- Speed (a nation has ~2 million activity rows a month):
-- - paired: each child once, with an EXISTS on the covering index
--   pairings_child, instead of a DISTINCT over the join;
-- - volunteers: each volunteer's last active month up to :to and up to
--   :prev_to (one search each in volunteer_months, kept by ingest) says
--   whether it was active in the month, the year and the previous month
--   (every window is whole months), instead of a DISTINCT over a year of
--   activity rows;
-- - activities by type: the days of the window are listed, so that
--   activities_date (date, type) is searched on date = ? AND type = ?.
WITH RECURSIVE w(k, f, t) AS (
    VALUES ('m', :from, :to), ('p', :prev_from, :prev_to), ('y', :ytd_from, :to)
),
days(d) AS (
    SELECT min(:ytd_from, :prev_from)
    UNION ALL
    SELECT date(d, '+1 day') FROM days WHERE d < :to
),
last AS MATERIALIZED (
    SELECT (SELECT max(x.month) FROM volunteer_months x
             WHERE x.volunteer_id = v.volunteer_id AND x.month <= substr(:to, 1, 7)) AS m,
           (SELECT max(x.month) FROM volunteer_months x
             WHERE x.volunteer_id = v.volunteer_id AND x.month <= substr(:prev_to, 1, 7)) AS p
      FROM volunteers v
),
s AS MATERIALIZED (
    SELECT w.k,
        (SELECT count(*) FROM children c
          WHERE (c.exited_on IS NULL OR c.exited_on >= w.f)
            AND EXISTS (SELECT 1 FROM pairings p
                         WHERE p.child_id = c.child_id AND p.started_on <= w.t
                           AND (p.ended_on IS NULL OR p.ended_on >= w.f))) AS paired,
        (SELECT count(*) FROM last
          WHERE CASE w.k WHEN 'p' THEN last.p ELSE last.m END >= substr(w.f, 1, 7)) AS volunteers,
        (SELECT count(DISTINCT a.activity_id) FROM days x CROSS JOIN activities a
          WHERE x.d BETWEEN w.f AND w.t AND a.date = x.d AND a.type = 'call') AS calls,
        (SELECT count(DISTINCT a.activity_id) FROM days x CROSS JOIN activities a
          WHERE x.d BETWEEN w.f AND w.t AND a.date = x.d AND a.type = 'reading') AS reading,
        (SELECT count(DISTINCT a.activity_id) FROM days x CROSS JOIN activities a
          WHERE x.d BETWEEN w.f AND w.t AND a.date = x.d AND a.type = 'holiday') AS holiday,
        (SELECT count(DISTINCT a.activity_id) FROM days x CROSS JOIN activities a
          WHERE x.d BETWEEN w.f AND w.t AND a.date = x.d AND a.type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN w.f AND w.t) AS wishes
    FROM w
),
m AS (SELECT * FROM s WHERE k = 'm'),
p AS (SELECT * FROM s WHERE k = 'p'),
y AS (SELECT * FROM s WHERE k = 'y')
SELECT 1 AS ord, 'paired' AS metric,
       CASE :lang WHEN 'en' THEN 'Children paired' ELSE '结对儿童（名）' END AS label,
       m.paired AS value, p.paired AS previous, y.paired AS ytd FROM m, p, y
UNION ALL
SELECT 2, 'volunteers', CASE :lang WHEN 'en' THEN 'Volunteers active' ELSE '活跃志愿者（名）' END,
       m.volunteers, p.volunteers, y.volunteers FROM m, p, y
UNION ALL
SELECT 3, 'calls', CASE :lang WHEN 'en' THEN 'Phone calls' ELSE '亲情连线（次）' END,
       m.calls, p.calls, y.calls FROM m, p, y
UNION ALL
SELECT 4, 'reading', CASE :lang WHEN 'en' THEN 'Reading sessions' ELSE '陪你阅读（次）' END,
       m.reading, p.reading, y.reading FROM m, p, y
UNION ALL
SELECT 5, 'holiday', CASE :lang WHEN 'en' THEN 'Holiday activities' ELSE '假日亲子活动（场）' END,
       m.holiday, p.holiday, y.holiday FROM m, p, y
UNION ALL
SELECT 6, 'birthday', CASE :lang WHEN 'en' THEN 'Birthdays accompanied' ELSE '陪过生日（次）' END,
       m.birthday, p.birthday, y.birthday FROM m, p, y
UNION ALL
SELECT 7, 'wishes', CASE :lang WHEN 'en' THEN 'Micro-wishes fulfilled' ELSE '实现微心愿（个）' END,
       m.wishes, p.wishes, y.wishes FROM m, p, y
ORDER BY ord;
