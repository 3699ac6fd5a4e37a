-- organisations.sql - enterprise+ (企业+): per organisation, what its
-- people did and what it gave in the period.  An organisation is a name
-- that volunteers give as their `organization` or that enterprise donors
-- (donor_type enterprise) give as `donor`, matched as written; one row
-- each, those that gave most first, then the most volunteers; then a row
-- for volunteers with no organisation (and enterprise gifts with no donor
-- name), then the total.
--   volunteers  on record in the period (halfyear_volunteers.sql: joined
--               by its end, no joining date, or active in it);
--   pairings    volunteer-child pairs with a pairing active on a day of
--               the period, the child not exited before it starts, by the
--               volunteer's organisation;
--   children    children in those pairs, distinct: the children its
--               volunteers care for;
--   activities  activities its volunteers took part in, counted as every
--               activity figure: distinct activity_ids per month, added;
--   hours       its volunteers' service hours (queries/hours_towns.sql);
--   given       enterprise donations in the period under its name, and
--   restricted  the part of them given to a restricted fund.
-- Volunteers, pairings, hours and money add up to the total; a child or
-- an activity with volunteers of two organisations counts in each, so the
-- total counts them once (children_twice, activities_twice say by how
-- much the rows exceed it).  Only the activities read activity rows (one
-- pass over the period's in the activities_date index, which carries the
-- activity and the volunteer); the hours come from volunteer_months as in
-- hours_towns.sql, the rest from small tables.
-- Public: names are typed by staff, so they are cleaned (redact); and an
-- organisation whose name is a child's school (teachers give
-- their school) is not named: such schools make one row, "学校（对外版不列
-- 名称）", as a school never appears in public output.  Organisations are named in public too;
-- people are not.
-- include period_pieces.sql
,
schools AS MATERIALIZED (   -- names not shown in public (char(1): the schools' row)
    SELECT DISTINCT school FROM children WHERE :audience = 'public' AND school IS NOT NULL
),
onames AS MATERIALIZED (   -- each organisation as written ('' none) and as shown,
                          -- cleaned once per name, not once per volunteer
    SELECT raw, CASE WHEN raw IN schools THEN char(1)
                     WHEN :audience = 'public' THEN redact(raw)
                     ELSE raw END AS org
      FROM (SELECT DISTINCT coalesce(organization, '') AS raw FROM volunteers)
),
vorg AS MATERIALIZED (   -- every volunteer's organisation, and joined by the end
    SELECT w.volunteer_id, n.org, w.joined_on IS NULL OR w.joined_on <= :to AS joined
      FROM volunteers w JOIN onames n ON n.raw = coalesce(w.organization, '')
),
vm AS MATERIALIZED (   -- per volunteer with a month of the period in volunteer_months
                       -- (so on record): participations and minutes of the whole
                       -- months (hours_towns.sql), one seek per volunteer
    SELECT w.volunteer_id,
           sum(CASE WHEN v.month BETWEEN (SELECT min(month) FROM piece WHERE whole)
                                     AND (SELECT max(month) FROM piece WHERE whole)
                    THEN v.participations END) AS parts,
           sum(CASE WHEN v.month BETWEEN (SELECT min(month) FROM piece WHERE whole)
                                     AND (SELECT max(month) FROM piece WHERE whole)
                    THEN v.minutes END) AS minutes
      FROM volunteers w CROSS JOIN volunteer_months v ON v.volunteer_id = w.volunteer_id
     WHERE v.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7)
     GROUP BY w.volunteer_id
),
part AS MATERIALIZED (   -- parts of months: one row per month, activity and volunteer
    SELECT p.month, a.activity_id, a.volunteer_id, max(a.minutes) AS minutes
      FROM piece p JOIN activities a INDEXED BY activities_date ON a.date BETWEEN p.f AND p.t
     WHERE NOT p.whole
     GROUP BY p.month, a.activity_id, a.volunteer_id
),
byorg AS MATERIALIZED (   -- per organisation: volunteers on record (joined by the
                          -- end, no joining date, or active in the period:
                          -- halfyear_volunteers.sql), participations and minutes
    SELECT o.org, sum(o.joined OR h.volunteer_id IS NOT NULL) AS volunteers,
           sum(h.parts) AS parts, sum(h.minutes) AS minutes
      FROM vorg o LEFT JOIN vm h ON h.volunteer_id = o.volunteer_id
     GROUP BY o.org
),
hv AS MATERIALIZED (   -- participations and minutes (whole months, then parts of months)
    SELECT org, parts, minutes FROM byorg
    UNION ALL
    SELECT o.org, 1, x.minutes FROM part x JOIN vorg o ON o.volunteer_id = x.volunteer_id
),
mins AS MATERIALIZED (   -- participations and minutes by organisation
    SELECT org, sum(parts) AS parts, coalesce(sum(minutes), 0) AS minutes
      FROM hv GROUP BY org
),
crews AS MATERIALIZED (   -- the volunteers of each activity with several in a month:
                          -- whole months from activity_crews, parts of months all
    SELECT month, activity_id, volunteer_id FROM activity_crews
     WHERE month BETWEEN (SELECT min(month) FROM piece WHERE whole)
                     AND (SELECT max(month) FROM piece WHERE whole)
    UNION ALL
    SELECT month, activity_id, volunteer_id FROM part
),
acts AS MATERIALIZED (   -- activities (per month, distinct), by organisation: its
                         -- volunteers' participations (hv), less an activity's
                         -- second and further volunteers of the organisation
    SELECT org, sum(n) AS n FROM (
        SELECT org, parts AS n FROM mins
        UNION ALL
        SELECT org, -sum(n - 1) FROM (
            SELECT o.org, count(*) AS n
              FROM crews x JOIN vorg o ON o.volunteer_id = x.volunteer_id
             GROUP BY x.month, x.activity_id, o.org)
         GROUP BY org
    ) GROUP BY org
),
pp AS MATERIALIZED (   -- volunteer-child pairs active in the period
    SELECT DISTINCT p.volunteer_id, p.child_id
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND (c.exited_on IS NULL OR c.exited_on >= :from)
),
pairs AS MATERIALIZED (   -- those pairs and their children, by organisation
    SELECT o.org, count(*) AS n, count(DISTINCT x.child_id) AS children
      FROM pp x JOIN vorg o ON o.volunteer_id = x.volunteer_id
     GROUP BY o.org
),
gifts AS MATERIALIZED (
    SELECT CASE WHEN donor IN schools THEN char(1)
                WHEN :audience = 'public' THEN redact(coalesce(donor, ''))
                ELSE coalesce(donor, '') END AS org,
           sum(amount_fen) AS given,
           sum(CASE WHEN restricted_to IS NOT NULL THEN amount_fen ELSE 0 END) AS restricted
      FROM donations
     WHERE date BETWEEN :from AND :to AND donor_type = 'enterprise'
     GROUP BY 1
),
names AS (
    SELECT org FROM byorg UNION SELECT org FROM gifts UNION SELECT ''
),
rows AS MATERIALIZED (
    SELECT n.org, coalesce(b.volunteers, 0) AS volunteers, coalesce(pairs.n, 0) AS pairings,
           coalesce(pairs.children, 0) AS children, coalesce(acts.n, 0) AS activities,
           coalesce(mins.minutes, 0) AS minutes,
           coalesce(g.given, 0) AS given, coalesce(g.restricted, 0) AS restricted
      FROM names n LEFT JOIN byorg b ON b.org = n.org
      LEFT JOIN pairs ON pairs.org = n.org
      LEFT JOIN acts ON acts.org = n.org
      LEFT JOIN mins ON mins.org = n.org
      LEFT JOIN gifts g ON g.org = n.org
),
total AS (
    SELECT coalesce(sum(volunteers), 0) AS volunteers, coalesce(sum(pairings), 0) AS pairings,
           (SELECT count(DISTINCT child_id) FROM pp) AS children,
           (SELECT coalesce(sum(parts), 0) FROM hv)
             - (SELECT count(*) - count(DISTINCT month || ' ' || activity_id) FROM crews) AS activities,
           coalesce(sum(minutes), 0) AS minutes, coalesce(sum(given), 0) AS given,
           coalesce(sum(restricted), 0) AS restricted,
           coalesce(sum(children), 0) AS children_sum, coalesce(sum(activities), 0) AS activities_sum
      FROM rows
)
SELECT 0 AS sort, org AS organisation, volunteers, pairings, children, activities,
       minutes / 60.0 AS hours, given, restricted, NULL AS children_twice, NULL AS activities_twice
  FROM rows WHERE org NOT IN ('', char(1))
UNION ALL
SELECT 1, CASE :lang WHEN 'en' THEN 'Schools (not named in public)' ELSE '学校（对外版不列名称）' END,
       volunteers, pairings, children, activities, minutes / 60.0, given, restricted, NULL, NULL
  FROM rows WHERE org = char(1)
UNION ALL
SELECT 2, CASE :lang WHEN 'en' THEN 'No organisation given' ELSE '未填写单位' END,
       volunteers, pairings, children, activities, minutes / 60.0, given, restricted, NULL, NULL
  FROM rows WHERE org = '' AND (volunteers > 0 OR pairings > 0 OR activities > 0 OR given > 0)
UNION ALL
SELECT 3, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END,
       volunteers, pairings, children, activities, minutes / 60.0, given, restricted,
       children_sum - children, activities_sum - activities
  FROM total
ORDER BY sort, given DESC, volunteers DESC, hours DESC, organisation;
