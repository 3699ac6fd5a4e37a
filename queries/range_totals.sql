-- range_totals.sql - the figures a news article or an annual review
-- quotes, for any period: activities (distinct activity_ids; holiday
-- activities are events), wishes fulfilled, children profiled (on record
-- in the period: registered by its end, not exited before it starts),
-- children paired (a pairing active on any day of it), volunteers on
-- record (joined by its end, with no joining date, or active in it) and
-- volunteers active (any activity in it).  A child paired in the period
-- is profiled, and a volunteer active in it on record, whatever
-- registered_on or joined_on says: each figure counts within the one
-- above it.
--
-- Activities count month by month, as in the half-year and annual reports
-- (docs/decisions.md): each calendar month of the period, or the part of
-- it inside the period, counts its distinct activities, and the months
-- are added.  A whole month reads month_events; a part of a month reads
-- activities.  Volunteers active are distinct over the whole period.
--
-- counts_children is 1 on the rows that count children and 0 on the others
-- (events, volunteers): the template marks the figures children=counts_children,
-- so the public small-count rule ("<3") reads this flag, never the label.
-- include period_pieces.sql
,
ev AS MATERIALIZED (
    SELECT e.type, e.events AS n
      FROM piece p JOIN month_events e ON e.month = p.month
     WHERE p.whole
    UNION ALL
    SELECT a.type, count(DISTINCT a.activity_id)
      FROM piece p JOIN activities a INDEXED BY activities_date ON a.date BETWEEN p.f AND p.t
     WHERE NOT p.whole
     GROUP BY p.month, a.type
),
nw(n) AS MATERIALIZED (SELECT count(*) FROM piece WHERE whole),
av AS MATERIALIZED (   -- volunteers active: any activity in the period.  Up to three
                       -- whole months: their rows of volunteer_months; more: a
                       -- seek of its key per volunteer, fewer rows than the months'
                       -- (its volunteers are all in volunteers: ingest checks them)
    SELECT x.volunteer_id FROM nw, piece p JOIN volunteer_months x ON x.month = p.month
     WHERE p.whole AND nw.n <= 3
    UNION
    SELECT w.volunteer_id FROM nw, volunteers w
     WHERE nw.n > 3
       AND EXISTS (SELECT 1 FROM volunteer_months x
                    WHERE x.volunteer_id = w.volunteer_id
                      AND x.month BETWEEN (SELECT min(month) FROM piece WHERE whole)
                                      AND (SELECT max(month) FROM piece WHERE whole))
    UNION
    SELECT a.volunteer_id
      FROM piece p JOIN activities a INDEXED BY activities_date ON a.date BETWEEN p.f AND p.t
     WHERE NOT p.whole
),
pc AS MATERIALIZED (   -- children paired: a pairing active on a day of the period
    SELECT DISTINCT p.child_id FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND (c.exited_on IS NULL OR c.exited_on >= :from)
),
f AS (
    SELECT
        (SELECT coalesce(sum(n), 0) FROM ev WHERE type = 'call') AS calls,
        (SELECT coalesce(sum(n), 0) FROM ev WHERE type = 'reading') AS reading,
        (SELECT coalesce(sum(n), 0) FROM ev WHERE type = 'holiday') AS holiday,
        (SELECT coalesce(sum(n), 0) FROM ev WHERE type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes WHERE fulfilled_on BETWEEN :from AND :to) AS wishes,
        (SELECT count(*) FROM children c
          WHERE hm_on_record(CASE WHEN c.child_id IN (SELECT child_id FROM pc) THEN NULL
                                  ELSE c.registered_on END, c.exited_on, :from, :to)) AS profiled,
        (SELECT count(*) FROM pc) AS paired,
        (SELECT count(*) FROM volunteers v
          WHERE v.joined_on IS NULL OR v.joined_on <= :to
             OR v.volunteer_id IN (SELECT volunteer_id FROM av)) AS volunteers,
        (SELECT count(*) FROM av) AS active
)
SELECT 1 AS ord, 'calls' AS metric, CASE :lang WHEN 'en' THEN 'Phone calls' ELSE '亲情连线（次）' END AS label, calls AS value, 0 AS counts_children FROM f
UNION ALL SELECT 2, 'reading', CASE :lang WHEN 'en' THEN 'Reading sessions' ELSE '陪你阅读（次）' END, reading, 0 FROM f
UNION ALL SELECT 3, 'holiday', CASE :lang WHEN 'en' THEN 'Holiday activities' ELSE '假日亲子活动（场）' END, holiday, 0 FROM f
UNION ALL SELECT 4, 'birthday', CASE :lang WHEN 'en' THEN 'Birthdays accompanied' ELSE '陪过生日（次）' END, birthday, 0 FROM f
UNION ALL SELECT 5, 'wishes', CASE :lang WHEN 'en' THEN 'Micro-wishes fulfilled' ELSE '实现微心愿（个）' END, wishes, 0 FROM f
UNION ALL SELECT 6, 'profiled', CASE :lang WHEN 'en' THEN 'Children profiled' ELSE '建档儿童（名）' END, profiled, 1 FROM f
UNION ALL SELECT 7, 'paired', CASE :lang WHEN 'en' THEN 'Children paired' ELSE '结对儿童（名）' END, paired, 1 FROM f
UNION ALL SELECT 8, 'volunteers', CASE :lang WHEN 'en' THEN 'Volunteers' ELSE '爱心妈妈（爸爸）（名）' END, volunteers, 0 FROM f
UNION ALL SELECT 9, 'active', CASE :lang WHEN 'en' THEN 'Volunteers active' ELSE '开展活动的志愿者（名）' END, active, 0 FROM f
ORDER BY ord;
