-- hours_towns.sql - volunteers' service hours by the volunteer's town, then
-- the district total.  A volunteer's hours are the minutes of each
-- activity they took part in, counted once per activity and volunteer:
-- the largest minutes among the activity's rows naming the volunteer (one
-- row per child); an activity whose rows give no minutes counts 0, and
-- no_minutes counts those participations.  As every activity figure, a
-- period of several months adds its months up (docs/decisions.md): an
-- activity recorded in two months is a participation in each.  Active
-- volunteers (any activity in the period) are the key figures' "volunteers
-- active"; volunteers always have a town, so the towns add up to the total.
-- The period is cut at month ends, as in range_totals.sql: a whole month
-- reads volunteer_months (ingest keeps the hours there, schema version 5),
-- a part of a month the activity rows.
-- include period_pieces.sql
,
whole AS MATERIALIZED (   -- per town, the whole months: volunteers, participations, minutes
    -- (one run of them), a few rows of volunteer_months' key per volunteer;
    -- the volunteers read in town order (volunteers_town), so no sort
    SELECT w.town_code, count(DISTINCT w.volunteer_id) AS active, sum(v.participations) AS parts,
           sum(v.minutes) AS minutes, sum(v.no_minutes) AS no_minutes
      FROM volunteers w
     CROSS JOIN volunteer_months v ON v.volunteer_id = w.volunteer_id
     WHERE v.month BETWEEN (SELECT min(month) FROM piece WHERE whole)
                       AND (SELECT max(month) FROM piece WHERE whole)
     GROUP BY w.town_code
),
part AS MATERIALIZED (   -- per volunteer, the parts of months
    SELECT x.volunteer_id, count(*) AS parts, coalesce(sum(x.minutes), 0) AS minutes,
           count(*) - count(x.minutes) AS no_minutes
      FROM (SELECT a.volunteer_id, max(a.minutes) AS minutes   -- per activity and volunteer
              FROM piece p JOIN activities a INDEXED BY activities_date
                ON a.date BETWEEN p.f AND p.t
             WHERE NOT p.whole
             GROUP BY p.month, a.activity_id, a.volunteer_id) x
     GROUP BY x.volunteer_id
),
pt AS MATERIALIZED (   -- per town, the parts of months; a volunteer active in whole months
    -- too is counted active there
    SELECT w.town_code,
           sum(NOT EXISTS (SELECT 1 FROM volunteer_months v
                            WHERE v.volunteer_id = x.volunteer_id
                              AND v.month BETWEEN (SELECT min(month) FROM piece WHERE whole)
                                              AND (SELECT max(month) FROM piece WHERE whole)))
               AS active,
           sum(x.parts) AS parts, sum(x.minutes) AS minutes, sum(x.no_minutes) AS no_minutes
      FROM part x JOIN volunteers w ON w.volunteer_id = x.volunteer_id
     GROUP BY w.town_code
),
bt AS MATERIALIZED (   -- per town: whole months and parts of months
    SELECT town_code, sum(active) AS active, sum(parts) AS participations,
           sum(minutes) AS minutes, sum(no_minutes) AS no_minutes
      FROM (SELECT * FROM whole UNION ALL SELECT * FROM pt)
     GROUP BY town_code
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
           coalesce(b.active, 0) AS active, coalesce(b.participations, 0) AS participations,
           coalesce(b.minutes, 0) AS minutes, coalesce(b.no_minutes, 0) AS no_minutes
      FROM towns t LEFT JOIN bt b ON b.town_code = t.town_code
)
SELECT 0 AS sort, town_code, town, active, participations, minutes / 60.0 AS hours,
       CASE WHEN active > 0 THEN minutes / 60.0 / active END AS hours_per_volunteer,
       no_minutes
  FROM by_town
UNION ALL
SELECT 1, NULL, :scope_total,
       coalesce(sum(active), 0), coalesce(sum(participations), 0),
       coalesce(sum(minutes), 0) / 60.0,
       CASE WHEN sum(active) > 0 THEN sum(minutes) / 60.0 / sum(active) END,
       coalesce(sum(no_minutes), 0)
  FROM by_town
ORDER BY sort, town_code;
