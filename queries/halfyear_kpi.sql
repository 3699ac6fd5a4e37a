-- halfyear_kpi.sql - the period's key figures (a half year or a year),
-- each beside the same period one year earlier.  The earlier figure is
-- NULL (shown as "—") when the database holds no activity then.
--
-- Counting as monthly_kpi.sql: children paired when a pairing is active
-- on any day of the period and the child had not exited before it starts;
-- activities count distinct activity_ids; a wish counts in the period
-- holding its fulfilled_on.  Event counts are the sum of the months'.
WITH w(k, f, t) AS (
    VALUES ('m', :from, :to), ('p', date(:from, '-1 year'), date(:to, '-1 year'))
),
s AS MATERIALIZED (
    SELECT w.k,
        EXISTS (SELECT 1 FROM activities a WHERE a.date BETWEEN w.f AND w.t) AS has_data,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.t AND (p.ended_on IS NULL OR p.ended_on >= w.f)
            AND (c.exited_on IS NULL OR c.exited_on >= w.f)) AS paired,
        (SELECT count(DISTINCT a.volunteer_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t) AS volunteers,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'call') AS calls,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'reading') AS reading,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'holiday') AS holiday,
        (SELECT count(DISTINCT a.activity_id) FROM activities a
          WHERE a.date BETWEEN w.f AND w.t AND a.type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN w.f AND w.t) AS wishes
    FROM w
),
m AS (SELECT * FROM s WHERE k = 'm'),
p AS (SELECT k, CASE WHEN has_data THEN paired END AS paired,
             CASE WHEN has_data THEN volunteers END AS volunteers,
             CASE WHEN has_data THEN calls END AS calls,
             CASE WHEN has_data THEN reading END AS reading,
             CASE WHEN has_data THEN holiday END AS holiday,
             CASE WHEN has_data THEN birthday END AS birthday,
             CASE WHEN has_data THEN wishes END AS wishes
        FROM s WHERE k = 'p')
SELECT 1 AS ord, 'paired' AS metric,
       CASE :lang WHEN 'en' THEN 'Children paired' ELSE '结对儿童（名）' END AS label,
       m.paired AS value, p.paired AS previous FROM m, p
UNION ALL
SELECT 2, 'volunteers', CASE :lang WHEN 'en' THEN 'Volunteers active' ELSE '活跃志愿者（名）' END,
       m.volunteers, p.volunteers FROM m, p
UNION ALL
SELECT 3, 'calls', CASE :lang WHEN 'en' THEN 'Phone calls' ELSE '亲情连线（次）' END,
       m.calls, p.calls FROM m, p
UNION ALL
SELECT 4, 'reading', CASE :lang WHEN 'en' THEN 'Reading sessions' ELSE '陪你阅读（次）' END,
       m.reading, p.reading FROM m, p
UNION ALL
SELECT 5, 'holiday', CASE :lang WHEN 'en' THEN 'Holiday activities' ELSE '假日亲子活动（场）' END,
       m.holiday, p.holiday FROM m, p
UNION ALL
SELECT 6, 'birthday', CASE :lang WHEN 'en' THEN 'Birthdays accompanied' ELSE '陪过生日（次）' END,
       m.birthday, p.birthday FROM m, p
UNION ALL
SELECT 7, 'wishes', CASE :lang WHEN 'en' THEN 'Micro-wishes fulfilled' ELSE '实现微心愿（个）' END,
       m.wishes, p.wishes FROM m, p
ORDER BY ord;
