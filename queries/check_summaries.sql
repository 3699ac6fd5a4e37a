-- check_summaries.sql - the summary tables equal a recount from the kind
-- tables: child_months, volunteer_months, month_events and
-- month_town_events from activities, child_months.paired and child_spans from pairings and
-- children (the paired children of every month with activities, by town),
-- volunteer_months' hours from activities (per month, activity and
-- volunteer: the largest minutes of its rows, none counted apart),
-- activity_crews from activities (the volunteers of each activity that
-- has rows of two or more volunteers in a month).
-- An independent recount: it spells out again on purpose what counts as a
-- contact and as one of the five ones (mirroring hm_activity_contact and
-- hm_activity_five_ones in pipeline/contract/kinds.c) instead of calling them.
WITH c AS (
    SELECT a.child_id, substr(a.date, 1, 7) AS month, count(*) AS n, max(a.date) AS last,
           sum(DISTINCT t.bit) AS types
    FROM activities a JOIN activity_types t ON t.code = a.type
    WHERE a.type NOT IN ('visit_teacher', 'visit_guardian')
    GROUP BY a.child_id, substr(a.date, 1, 7)
), v AS (
    SELECT volunteer_id, substr(date, 1, 7) AS month, count(*) AS n, max(date) AS last
    FROM activities GROUP BY volunteer_id, substr(date, 1, 7)
), vh AS (   -- each activity a volunteer took part in, by month
    SELECT p.volunteer_id, p.month, count(*) AS parts,
           sum(CASE WHEN p.m IS NULL THEN 0 ELSE p.m END) AS minutes,
           sum(CASE WHEN p.m IS NULL THEN 1 ELSE 0 END) AS no_minutes
    FROM (SELECT DISTINCT a.volunteer_id, substr(a.date, 1, 7) AS month, a.activity_id,
                 (SELECT max(b.minutes) FROM activities b
                   WHERE b.activity_id = a.activity_id AND b.volunteer_id = a.volunteer_id
                     AND substr(b.date, 1, 7) = substr(a.date, 1, 7)) AS m
          FROM activities a) p
    GROUP BY p.volunteer_id, p.month
), e AS (
    SELECT substr(date, 1, 7) AS month, type, count(DISTINCT activity_id) AS n
    FROM activities GROUP BY substr(date, 1, 7), type
), te AS (
    SELECT substr(a.date, 1, 7) AS month, c.town_code, a.type, count(DISTINCT a.activity_id) AS n
    FROM activities a JOIN children c ON c.child_id = a.child_id
    WHERE a.type IN ('call', 'reading', 'holiday', 'birthday')
    GROUP BY substr(a.date, 1, 7), c.town_code, a.type
), crews AS (   -- the activities of a month with two or more volunteers, each of them
    SELECT DISTINCT x.month, a.activity_id, a.volunteer_id
    FROM (SELECT substr(date, 1, 7) AS month, activity_id FROM activities
          GROUP BY substr(date, 1, 7), activity_id
          HAVING min(volunteer_id) <> max(volunteer_id)) x
    JOIN activities a ON a.activity_id = x.activity_id AND substr(a.date, 1, 7) = x.month
), months AS (
    SELECT DISTINCT month FROM e
), paired AS (   -- by DESIGN.md's definition
    SELECT x.month, c.town_code, count(*) AS n
    FROM months x JOIN children c
    WHERE (c.exited_on IS NULL OR c.exited_on >= x.month || '-01')
      AND EXISTS (SELECT 1 FROM pairings p WHERE p.child_id = c.child_id
                    AND p.started_on <= x.month || '-31'
                    AND (p.ended_on IS NULL OR p.ended_on >= x.month || '-01'))
    GROUP BY x.month, c.town_code
), spans AS (
    SELECT x.month, s.town_code, count(*) AS n
    FROM months x JOIN child_spans s ON s.first_month <= x.month AND s.last_month >= x.month
    GROUP BY x.month, s.town_code
)
SELECT 'child_months: child ''' || coalesce(c.child_id, m.child_id) || ''' month '
       || coalesce(c.month, m.month) || ' holds ' || coalesce(m.contacts, 0)
       || ' contacts, activities say ' || coalesce(c.n, 0)
FROM c FULL JOIN child_months m ON m.child_id = c.child_id AND m.month = c.month
WHERE c.n IS NOT m.contacts OR c.last IS NOT m.last_contact OR c.types IS NOT m.types
UNION ALL
SELECT 'volunteer_months: volunteer ''' || coalesce(v.volunteer_id, m.volunteer_id) || ''' month '
       || coalesce(v.month, m.month) || ' holds ' || coalesce(m.activities, 0)
       || ' activities, activities say ' || coalesce(v.n, 0)
FROM v FULL JOIN volunteer_months m ON m.volunteer_id = v.volunteer_id AND m.month = v.month
WHERE v.n IS NOT m.activities OR v.last IS NOT m.last_activity
UNION ALL
SELECT 'volunteer_months: volunteer ''' || coalesce(vh.volunteer_id, m.volunteer_id) || ''' month '
       || coalesce(vh.month, m.month) || ' holds ' || coalesce(m.participations, 0)
       || ' activities of ' || coalesce(m.minutes, 0) || ' minutes ('
       || coalesce(m.no_minutes, 0) || ' without minutes), activities say '
       || coalesce(vh.parts, 0) || ' of ' || coalesce(vh.minutes, 0) || ' ('
       || coalesce(vh.no_minutes, 0) || ')'
FROM vh FULL JOIN volunteer_months m ON m.volunteer_id = vh.volunteer_id AND m.month = vh.month
WHERE vh.parts IS NOT m.participations OR vh.minutes IS NOT m.minutes
   OR vh.no_minutes IS NOT m.no_minutes
UNION ALL
SELECT 'month_events: month ' || coalesce(e.month, m.month) || ' type '
       || coalesce(e.type, m.type) || ' holds ' || coalesce(m.events, 0)
       || ' activities, activities say ' || coalesce(e.n, 0)
FROM e FULL JOIN month_events m ON m.month = e.month AND m.type = e.type
WHERE e.n IS NOT m.events
UNION ALL
SELECT 'month_town_events: month ' || coalesce(te.month, m.month) || ' town '
       || coalesce(te.town_code, m.town_code) || ' type ' || coalesce(te.type, m.type)
       || ' holds ' || coalesce(m.events, 0) || ' activities, activities say ' || coalesce(te.n, 0)
FROM te FULL JOIN month_town_events m
  ON m.month = te.month AND m.town_code = te.town_code AND m.type = te.type
WHERE te.n IS NOT m.events
UNION ALL
SELECT 'child_months: child ''' || m.child_id || ''' month ' || m.month || ' says '
       || CASE m.paired WHEN 1 THEN 'paired' ELSE 'not paired' END
       || ', its pairings say otherwise'
FROM child_months m JOIN children c ON c.child_id = m.child_id
WHERE m.paired IS NOT ((c.exited_on IS NULL OR c.exited_on >= m.month || '-01')
      AND EXISTS (SELECT 1 FROM pairings p WHERE p.child_id = m.child_id
                    AND p.started_on <= m.month || '-31'
                    AND (p.ended_on IS NULL OR p.ended_on >= m.month || '-01')))
UNION ALL
SELECT 'child_spans: month ' || coalesce(p.month, s.month) || ' town '
       || coalesce(p.town_code, s.town_code) || ' holds ' || coalesce(s.n, 0)
       || ' paired children, pairings say ' || coalesce(p.n, 0)
FROM paired p FULL JOIN spans s ON s.month = p.month AND s.town_code = p.town_code
WHERE p.n IS NOT s.n
UNION ALL
SELECT 'activity_crews: month ' || coalesce(w.month, k.month) || ' activity '''
       || coalesce(w.activity_id, k.activity_id) || ''' volunteer '''
       || coalesce(w.volunteer_id, k.volunteer_id) || ''' is '
       || CASE WHEN k.month IS NULL THEN 'missing' ELSE 'held, but not one of several volunteers' END
FROM crews w FULL JOIN activity_crews k
  ON k.month = w.month AND k.activity_id = w.activity_id AND k.volunteer_id = w.volunteer_id
WHERE w.month IS NULL OR k.month IS NULL;
