-- annual_scorecard.sql - the "most beautiful caring mother" scorecard: one
-- row per volunteer, ranked within the town.  Every volunteer on record
-- (joined by the year's end or with no joining date) has a row, and so
-- has every volunteer with anything to score in the year (an activity, a
-- pairing, a wish, a training, a story), whatever joined_on says: a
-- volunteer active in the year is counted and scored.
--
-- Figures, all within :from..:to (the year):
--   call_months    months in which the volunteer had a paired child and
--                  called EVERY child paired with them that month (the
--                  "five ones": a call to each paired child every month)
--   reading, holiday, birthday   distinct activities (activity_ids) of
--                  that type the volunteer took part in
--   wishes         micro-wishes the volunteer claimed, fulfilled in the year
--   children       distinct children paired with the volunteer in the year
--   months_paired  months with at least one paired child
--   trainings      training events of the year attended
--   stories        stories recorded in the year
--   hours          service hours, shown and not scored: the minutes of each
--                  activity the volunteer took part in, once per activity
--                  (the largest of its rows' minutes; none: 0) and month,
--                  as queries/hours_towns.sql, rounded to whole hours; read
--                  from volunteer_months for whole months
-- Who the volunteer is, shown and not scored (docs/decisions.md, "The
-- dossier's profile"):
--   gender         from the role: a caring mother is a woman, a caring
--                  father a man; no role recorded, none
--   since          in the programme since: the earlier of joined_on and
--                  the volunteer's first pairing (any year)
--   years          whole years from since to the year's end (:to); 0 when
--                  less than one, NULL when neither date is known
--   age            whole years from the volunteer's birth_date to the
--                  year's end (:to), NULL when no birth date is recorded
--                  (internal: the public dossier leaves it out)
-- A child counts as paired in a month as in the monthly report: a pairing
-- active on a day of the month, the child not exited before it starts.
--
-- score = sum of weight x figure; the weights come from the nomination
-- file (templates/nomination.conf), bound as :w_<figure>.  Eligible:
-- the volunteer's role is one the award is for (:roles, the file's roles:
-- 'mothers' the default, 'fathers' or 'all'; a volunteer with no role
-- recorded is a caring mother, as the programme calls its volunteers),
-- call_months >=
-- :min_call_months and months_paired >= :min_months_paired.  Every
-- volunteer is scored and listed whatever the role.
-- Rank within the town, eligible volunteers only: score, then call_months,
-- then months_paired (all higher first), then volunteer_id (ascending).
-- Shortlisted: rank <= the town's quota (:quotas, a JSON object of
-- town_code -> quota; other towns :quota_default).
--
-- Speed: nothing is expanded to volunteer-child-months.  The period is at
-- most twelve months from the first of a month (the annual report's
-- year), its months numbered from 0, and a set of them is held as the
-- bits of an integer.  One sorted pass over the year's calls and the
-- pairings meeting the year gives, per volunteer and child, the months
-- paired (each pairing a range of months, from its dates and the child's
-- exit) and the months with a call.  Per volunteer, months_paired counts
-- the months paired with any child, and call_months takes away those in
-- which some paired child had no call from them.  bit_or (an aggregate)
-- and bit_count are himama's own SQL functions (pipeline/db.c); a month
-- as a number is year * 12 + month, less par.m0 to count from the
-- period's first month.
-- include period_pieces.sql
,
days(d) AS (   -- the period's days, to seek activities_date by (date, type)
    SELECT :from UNION ALL SELECT date(d, '+1 day') FROM days WHERE d < :to
),
pn(m0, mt) AS (
    SELECT CAST(substr(:from, 1, 4) AS INTEGER) * 12 + CAST(substr(:from, 6, 2) AS INTEGER),
           CAST(substr(:to, 1, 4) AS INTEGER) * 12 + CAST(substr(:to, 6, 2) AS INTEGER)
),
par(m0, last) AS (SELECT m0, mt - m0 FROM pn),   -- months 0..last
pr AS (   -- per pairing meeting the period: its months in it (hm_paired_months,
          -- ingest's rule for child_spans)
    SELECT p.volunteer_id, p.child_id,
           hm_paired_months(p.started_on, p.ended_on, c.exited_on, :from, :to) AS months
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
),
vc AS (   -- per volunteer and child: the months paired, and those with a call (bits)
    SELECT volunteer_id, child_id, bit_or(paired) AS paired, bit_or(called) AS called
      FROM (SELECT volunteer_id, child_id, months AS paired, 0 AS called
              FROM pr WHERE months <> 0
            UNION ALL
            SELECT a.volunteer_id, a.child_id, 0,
                   1 << (CAST(substr(a.date, 1, 4) AS INTEGER) * 12
                         + CAST(substr(a.date, 6, 2) AS INTEGER) - par.m0)
              FROM activities a, par
             WHERE a.date BETWEEN :from AND :to AND a.type = 'call')
     GROUP BY volunteer_id, child_id
),
pv AS (
    SELECT volunteer_id, count(*) AS children, bit_count(bit_or(paired)) AS months_paired,
           bit_count(bit_or(paired & ~called)) AS months_uncalled
      FROM vc WHERE paired <> 0 GROUP BY volunteer_id
),
acts AS (   -- a seek per day and type reads these types' rows only, not the whole year's
    SELECT a.volunteer_id,
           count(DISTINCT CASE WHEN a.type = 'reading' THEN a.activity_id END) AS reading,
           count(DISTINCT CASE WHEN a.type = 'holiday' THEN a.activity_id END) AS holiday,
           count(DISTINCT CASE WHEN a.type = 'birthday' THEN a.activity_id END) AS birthday
      FROM days CROSS JOIN activities a ON a.date = days.d
     WHERE a.type IN ('reading', 'holiday', 'birthday')
     GROUP BY a.volunteer_id
),
wz AS (
    SELECT claimed_by AS volunteer_id, count(*) AS wishes
      FROM wishes WHERE fulfilled_on BETWEEN :from AND :to AND claimed_by IS NOT NULL
     GROUP BY claimed_by
),
tr AS (   -- the year's trainings first, then their attendance (not every attendance row)
    SELECT at.volunteer_id, count(*) AS trainings
      FROM trainings t CROSS JOIN attendance at ON at.event_id = t.event_id
     WHERE t.date BETWEEN :from AND :to
     GROUP BY at.volunteer_id
),
st AS (
    SELECT volunteer_id, count(*) AS stories
      FROM stories WHERE date BETWEEN :from AND :to GROUP BY volunteer_id
),
hw(lo, hi) AS MATERIALIZED (   -- the whole months (one run of them)
    SELECT min(month), max(month) FROM piece WHERE whole
),
hp AS (   -- minutes per volunteer in the parts of months: once per month,
          -- activity and volunteer (the whole months: in card, below)
    SELECT volunteer_id, sum(minutes) AS minutes
      FROM (SELECT a.volunteer_id, max(a.minutes) AS minutes
              FROM piece p JOIN activities a INDEXED BY activities_date
                ON a.date BETWEEN p.f AND p.t
             WHERE NOT p.whole
             GROUP BY p.month, a.activity_id, a.volunteer_id)
     GROUP BY volunteer_id
),
card AS (
    SELECT v.volunteer_id, v.name, v.town_code, v.role, v.sector, v.organization, v.birth_date,
           -- the first pairing of the volunteer, any year: a seek of its pairings
           (SELECT CASE WHEN min(p.started_on) IS NULL OR v.joined_on <= min(p.started_on)
                        THEN v.joined_on ELSE min(p.started_on) END
              FROM pairings p WHERE p.volunteer_id = v.volunteer_id) AS since,
           coalesce(pv.months_paired - pv.months_uncalled, 0) AS call_months,
           coalesce(acts.reading, 0) AS reading,
           coalesce(acts.holiday, 0) AS holiday,
           coalesce(acts.birthday, 0) AS birthday,
           coalesce(wz.wishes, 0) AS wishes,
           coalesce(pv.children, 0) AS children,
           coalesce(pv.months_paired, 0) AS months_paired,
           coalesce(tr.trainings, 0) AS trainings,
           coalesce(st.stories, 0) AS stories,
           -- whole months: volunteer_months by its key, for each volunteer
           (coalesce((SELECT sum(m.minutes) FROM hw, volunteer_months m
                       WHERE m.volunteer_id = v.volunteer_id
                         AND m.month BETWEEN hw.lo AND hw.hi), 0)
            + coalesce(hp.minutes, 0) + 30) / 60 AS hours
      FROM volunteers v
      LEFT JOIN pv ON pv.volunteer_id = v.volunteer_id
      LEFT JOIN acts ON acts.volunteer_id = v.volunteer_id
      LEFT JOIN wz ON wz.volunteer_id = v.volunteer_id
      LEFT JOIN tr ON tr.volunteer_id = v.volunteer_id
      LEFT JOIN st ON st.volunteer_id = v.volunteer_id
      LEFT JOIN hp ON hp.volunteer_id = v.volunteer_id
     WHERE v.joined_on IS NULL OR v.joined_on <= :to
        OR pv.volunteer_id IS NOT NULL OR acts.volunteer_id IS NOT NULL
        OR wz.volunteer_id IS NOT NULL OR tr.volunteer_id IS NOT NULL
        OR st.volunteer_id IS NOT NULL
        OR EXISTS (SELECT 1 FROM volunteer_months m WHERE m.volunteer_id = v.volunteer_id
                     AND m.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7))
),
q AS MATERIALIZED (   -- the quotas, read once
    SELECT j.key AS town_code, CAST(j.value AS INTEGER) AS quota FROM json_each(:quotas) j
),
scored AS (
    SELECT card.*,
           :w_call_months * call_months + :w_reading * reading + :w_holiday * holiday
           + :w_birthday * birthday + :w_wishes * wishes + :w_children * children
           + :w_months_paired * months_paired + :w_trainings * trainings
           + :w_stories * stories AS score,
           (call_months >= :min_call_months AND months_paired >= :min_months_paired
            AND (:roles = 'all' OR (:roles = 'mothers' AND coalesce(role, 'mother') = 'mother')
                 OR (:roles = 'fathers' AND role IS 'father'))) AS eligible
      FROM card
)
SELECT r.town_code,
       coalesce(t.town_name, r.town_code) AS town,
       CASE WHEN r.eligible THEN row_number() OVER w END AS town_rank,
       r.volunteer_id,
       r.name AS volunteer,
       substr(r.name, 1, 1) || '*' AS masked,
       -- the organisation is shown on the public notice: cleaned there as any
       -- text staff typed (a teacher's school is also a child's school)
       CASE WHEN :audience = 'public' THEN redact(r.organization) ELSE r.organization END
           AS organization,
       CASE r.role WHEN 'mother' THEN CASE :lang WHEN 'en' THEN 'Mother' ELSE '爱心妈妈' END
                   WHEN 'father' THEN CASE :lang WHEN 'en' THEN 'Father' ELSE '爱心爸爸' END
       END AS role,
       CASE :lang WHEN 'en' THEN
           CASE r.sector WHEN 'federation' THEN 'Federation committee' WHEN 'cadre' THEN 'Party cadre'
                WHEN 'teacher' THEN 'Teacher' WHEN 'social_worker' THEN 'Social worker'
                WHEN 'counsellor' THEN 'Counsellor' WHEN 'entrepreneur' THEN 'Entrepreneur'
                WHEN 'other' THEN 'Other' END
       ELSE
           CASE r.sector WHEN 'federation' THEN '妇联执委' WHEN 'cadre' THEN '机关党员干部'
                WHEN 'teacher' THEN '在职老师' WHEN 'social_worker' THEN '社会工作者'
                WHEN 'counsellor' THEN '心理咨询师' WHEN 'entrepreneur' THEN '女企业家'
                WHEN 'other' THEN '其他' END
       END AS sector,
       r.call_months, r.reading, r.holiday, r.birthday, r.wishes, r.children,
       r.months_paired, r.trainings, r.stories, r.score, r.eligible,
       coalesce(r.eligible AND row_number() OVER w <= coalesce(q.quota, :quota_default), 0)
           AS shortlisted,
       coalesce(q.quota, :quota_default) AS quota, r.hours,
       CASE r.role WHEN 'mother' THEN CASE :lang WHEN 'en' THEN 'Female' ELSE '女' END
                   WHEN 'father' THEN CASE :lang WHEN 'en' THEN 'Male' ELSE '男' END
       END AS gender,
       r.since,
       max(0, hm_years(r.since, :to)) AS years,
       hm_years(r.birth_date, :to) AS age
  FROM scored r
  LEFT JOIN towns t ON t.town_code = r.town_code
  LEFT JOIN q ON q.town_code = r.town_code
-- The window and the ORDER BY are one order (the eligible first, by rank;
-- then the others by volunteer_id), so SQLite sorts the rows once.
WINDOW w AS (PARTITION BY r.town_code
             ORDER BY r.eligible DESC, CASE WHEN r.eligible THEN r.score END DESC,
                      CASE WHEN r.eligible THEN r.call_months END DESC,
                      CASE WHEN r.eligible THEN r.months_paired END DESC, r.volunteer_id)
 ORDER BY r.town_code, r.eligible DESC, CASE WHEN r.eligible THEN r.score END DESC,
          CASE WHEN r.eligible THEN r.call_months END DESC,
          CASE WHEN r.eligible THEN r.months_paired END DESC, r.volunteer_id;
