-- halfyear_kpi.sql - the period's key figures (a half year or a year),
-- each beside the same period one year earlier.  The earlier figure is
-- NULL (no comparison: the sentences show "—", the tiles and tables leave
-- it out) when the data do not cover all of that period: the data start
-- on the first day of the month of the first activity (data_from, on
-- every row, for the note that says so).  Activities are the records
-- the figures count; a pairing or a registration dated earlier is a state
-- carried over from before the records began, not a record of that time.
--
-- Counting as monthly_kpi.sql: children paired in one of the period's
-- months (a pairing active on a day of it, the child not exited before it);
-- activities count distinct activity_ids; a wish counts in the period
-- holding its fulfilled_on.  Event counts are the sum of the months'.
--
-- Speed: from the summary tables ingest keeps (queries/schema.sql): paired
-- children are the runs of paired months meeting the period less the gaps
-- between two such runs of one child (span_counts, span_gaps, as in
-- monthly_kpi.sql), active volunteers those with a row of volunteer_months
-- in it, activities the months of month_events added up.
--
-- counts_children is 1 on the rows that count children and 0 on the others
-- (events, volunteers): the template marks the figures children=counts_children,
-- so the public small-count rule ("<3") reads this flag, never the label.
WITH start(data_from) AS (   -- the data start: the first activity's month
    SELECT date(min(date), 'start of month') FROM activities
),
w(k, f, t) AS (
    VALUES ('m', :from, :to), ('p', date(:from, '-1 year'), date(:to, '-1 year'))
),
wm(k, f, t, fm, tm) AS (
    SELECT k, f, t, substr(f, 1, 7), substr(t, 1, 7) FROM w
),
ev AS MATERIALIZED (   -- activities by type: the months of each window added up
    SELECT w.k, sum(CASE e.type WHEN 'call' THEN e.events ELSE 0 END) AS calls,
           sum(CASE e.type WHEN 'reading' THEN e.events ELSE 0 END) AS reading,
           sum(CASE e.type WHEN 'holiday' THEN e.events ELSE 0 END) AS holiday,
           sum(CASE e.type WHEN 'birthday' THEN e.events ELSE 0 END) AS birthday
      FROM wm w JOIN month_events e ON e.month BETWEEN w.fm AND w.tm
     GROUP BY w.k
),
s AS MATERIALIZED (
    SELECT w.k,
        w.f >= (SELECT data_from FROM start) AS has_data,
        (SELECT coalesce(sum(x.spans), 0) FROM span_counts x
          WHERE x.first_month <= w.tm AND x.last_month >= w.fm)
        - (SELECT coalesce(sum(g.gaps), 0) FROM span_gaps g
            WHERE g.last_month >= w.fm AND g.next_month <= w.tm) AS paired,
        (SELECT count(*) FROM volunteers v
          WHERE EXISTS (SELECT 1 FROM volunteer_months x WHERE x.volunteer_id = v.volunteer_id
                          AND x.month BETWEEN w.fm AND w.tm)) AS volunteers,
        coalesce(ev.calls, 0) AS calls, coalesce(ev.reading, 0) AS reading,
        coalesce(ev.holiday, 0) AS holiday, coalesce(ev.birthday, 0) AS birthday,
        (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN w.f AND w.t) AS wishes
    FROM wm w LEFT JOIN ev ON ev.k = w.k
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
       m.paired AS value, p.paired AS previous,
       (SELECT data_from FROM start) AS data_from, 1 AS counts_children FROM m, p
UNION ALL
SELECT 2, 'volunteers', CASE :lang WHEN 'en' THEN 'Volunteers active' ELSE '活跃志愿者（名）' END,
       m.volunteers, p.volunteers, (SELECT data_from FROM start), 0 FROM m, p
UNION ALL
SELECT 3, 'calls', CASE :lang WHEN 'en' THEN 'Phone calls' ELSE '亲情连线（次）' END,
       m.calls, p.calls, (SELECT data_from FROM start), 0 FROM m, p
UNION ALL
SELECT 4, 'reading', CASE :lang WHEN 'en' THEN 'Reading sessions' ELSE '陪你阅读（次）' END,
       m.reading, p.reading, (SELECT data_from FROM start), 0 FROM m, p
UNION ALL
SELECT 5, 'holiday', CASE :lang WHEN 'en' THEN 'Holiday activities' ELSE '假日亲子活动（场）' END,
       m.holiday, p.holiday, (SELECT data_from FROM start), 0 FROM m, p
UNION ALL
SELECT 6, 'birthday', CASE :lang WHEN 'en' THEN 'Birthdays accompanied' ELSE '陪过生日（次）' END,
       m.birthday, p.birthday, (SELECT data_from FROM start), 0 FROM m, p
UNION ALL
SELECT 7, 'wishes', CASE :lang WHEN 'en' THEN 'Micro-wishes fulfilled' ELSE '实现微心愿（个）' END,
       m.wishes, p.wishes, (SELECT data_from FROM start), 0 FROM m, p
ORDER BY ord;
