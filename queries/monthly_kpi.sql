-- monthly_kpi.sql - the month's key figures, each with the previous month
-- and the year to date (1 January to the month's end).  The previous
-- month's figures are NULL (no comparison) when that month is before the
-- data start: the first day of the month of the first activity, as
-- halfyear_kpi.sql (data_from, on every row, for the note that says so).
--
-- Counting (DESIGN.md): a child is paired in a window when one of its
-- pairings is active on any day of it and the child had not exited before
-- the window starts; activities count distinct activity_ids (one event may
-- have several rows); volunteers active = distinct volunteers with any
-- activity; a wish counts in the window holding its fulfilled_on.
--
-- Every window is whole months, and a window of several months counts a
-- child paired in one of its months (docs/decisions.md).
--
-- Speed (a nation has ~2 million activity rows a month): the figures come
-- from the summary tables ingest keeps (queries/schema.sql), not from
-- activities:
-- - paired: the runs of paired months meeting the window less the gaps
--   between two such runs of one child, from span_counts and span_gaps
--   (a few hundred rows; queries/schema.sql says why that counts each
--   child once);
-- - volunteers: the rows of volunteer_months of the month (one range of
--   volunteer_months_month); for the year, one search per volunteer;
-- - activities by type: month_events, the months of the window added up.
--
-- counts_children is 1 on the rows that count children and 0 on the others
-- (events, volunteers): the template marks the figures children=counts_children,
-- so the public small-count rule ("<3") reads this flag, never the label.
WITH start(data_from) AS (   -- the data start: the first activity's month
    SELECT date(min(date), 'start of month') FROM activities
),
w(k, f, t, fm, tm) AS (
    VALUES ('m', :from, :to, substr(:from, 1, 7), substr(:to, 1, 7)),
           ('p', :prev_from, :prev_to, substr(:prev_from, 1, 7), substr(:prev_to, 1, 7)),
           ('y', :ytd_from, :to, substr(:ytd_from, 1, 7), substr(:to, 1, 7))
),
sc AS MATERIALIZED (   -- runs of paired months by first and last month
    SELECT first_month, last_month, sum(spans) AS spans FROM span_counts
     GROUP BY first_month, last_month
),
ev AS MATERIALIZED (   -- activities by type: the months of each window added up
    SELECT w.k, sum(CASE e.type WHEN 'call' THEN e.events ELSE 0 END) AS calls,
           sum(CASE e.type WHEN 'reading' THEN e.events ELSE 0 END) AS reading,
           sum(CASE e.type WHEN 'holiday' THEN e.events ELSE 0 END) AS holiday,
           sum(CASE e.type WHEN 'birthday' THEN e.events ELSE 0 END) AS birthday
      FROM w w JOIN month_events e ON e.month BETWEEN w.fm AND w.tm
     GROUP BY w.k
),
s AS MATERIALIZED (
    SELECT w.k,
        (SELECT coalesce(sum(x.spans), 0) FROM sc x
          WHERE x.first_month <= w.tm AND x.last_month >= w.fm)
        - (SELECT coalesce(sum(g.gaps), 0) FROM span_gaps g
            WHERE g.last_month >= w.fm AND g.next_month <= w.tm) AS paired,
        CASE WHEN w.fm = w.tm
             THEN (SELECT count(*) FROM volunteer_months x WHERE x.month = w.fm)
             ELSE (SELECT count(*) FROM volunteers v
                    WHERE EXISTS (SELECT 1 FROM volunteer_months x
                                   WHERE x.volunteer_id = v.volunteer_id
                                     AND x.month BETWEEN w.fm AND w.tm)) END AS volunteers,
        coalesce(ev.calls, 0) AS calls, coalesce(ev.reading, 0) AS reading,
        coalesce(ev.holiday, 0) AS holiday, coalesce(ev.birthday, 0) AS birthday,
        (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN w.f AND w.t) AS wishes
    FROM w LEFT JOIN ev ON ev.k = w.k
),
m AS (SELECT * FROM s WHERE k = 'm'),
p AS (   -- the previous month, when the data cover it
    SELECT CASE WHEN c THEN paired END AS paired, CASE WHEN c THEN volunteers END AS volunteers,
           CASE WHEN c THEN calls END AS calls, CASE WHEN c THEN reading END AS reading,
           CASE WHEN c THEN holiday END AS holiday, CASE WHEN c THEN birthday END AS birthday,
           CASE WHEN c THEN wishes END AS wishes
      FROM s, (SELECT :prev_from >= data_from AS c FROM start) WHERE k = 'p'
),
y AS (SELECT * FROM s WHERE k = 'y')
SELECT 1 AS ord, 'paired' AS metric,
       CASE :lang WHEN 'en' THEN 'Children paired' ELSE '结对儿童（名）' END AS label,
       m.paired AS value, p.paired AS previous, y.paired AS ytd,
       (SELECT data_from FROM start) AS data_from, 1 AS counts_children FROM m, p, y
UNION ALL
SELECT 2, 'volunteers', CASE :lang WHEN 'en' THEN 'Volunteers active' ELSE '活跃志愿者（名）' END,
       m.volunteers, p.volunteers, y.volunteers, (SELECT data_from FROM start), 0 FROM m, p, y
UNION ALL
SELECT 3, 'calls', CASE :lang WHEN 'en' THEN 'Phone calls' ELSE '亲情连线（次）' END,
       m.calls, p.calls, y.calls, (SELECT data_from FROM start), 0 FROM m, p, y
UNION ALL
SELECT 4, 'reading', CASE :lang WHEN 'en' THEN 'Reading sessions' ELSE '陪你阅读（次）' END,
       m.reading, p.reading, y.reading, (SELECT data_from FROM start), 0 FROM m, p, y
UNION ALL
SELECT 5, 'holiday', CASE :lang WHEN 'en' THEN 'Holiday activities' ELSE '假日亲子活动（场）' END,
       m.holiday, p.holiday, y.holiday, (SELECT data_from FROM start), 0 FROM m, p, y
UNION ALL
SELECT 6, 'birthday', CASE :lang WHEN 'en' THEN 'Birthdays accompanied' ELSE '陪过生日（次）' END,
       m.birthday, p.birthday, y.birthday, (SELECT data_from FROM start), 0 FROM m, p, y
UNION ALL
SELECT 7, 'wishes', CASE :lang WHEN 'en' THEN 'Micro-wishes fulfilled' ELSE '实现微心愿（个）' END,
       m.wishes, p.wishes, y.wishes, (SELECT data_from FROM start), 0 FROM m, p, y
ORDER BY ord;
