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
WITH part AS MATERIALIZED (   -- one row per month, activity and volunteer
    SELECT a.volunteer_id, max(a.minutes) AS minutes
      FROM activities a INDEXED BY activities_date
     WHERE a.date BETWEEN :from AND :to
     GROUP BY substr(a.date, 1, 7), a.activity_id, a.volunteer_id
),
pv AS MATERIALIZED (   -- per volunteer
    SELECT volunteer_id, count(*) AS parts, coalesce(sum(minutes), 0) AS minutes,
           sum(minutes IS NULL) AS no_minutes
      FROM part GROUP BY volunteer_id
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
           count(pv.volunteer_id) AS active, coalesce(sum(pv.parts), 0) AS participations,
           coalesce(sum(pv.minutes), 0) AS minutes, coalesce(sum(pv.no_minutes), 0) AS no_minutes
      FROM towns t
      LEFT JOIN volunteers v ON v.town_code = t.town_code
      LEFT JOIN pv ON pv.volunteer_id = v.volunteer_id
     GROUP BY t.town_code
)
SELECT 0 AS sort, town_code, town, active, participations, minutes / 60.0 AS hours,
       CASE WHEN active > 0 THEN minutes / 60.0 / active END AS hours_per_volunteer,
       no_minutes
  FROM by_town
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       coalesce(sum(active), 0), coalesce(sum(participations), 0),
       coalesce(sum(minutes), 0) / 60.0,
       CASE WHEN sum(active) > 0 THEN sum(minutes) / 60.0 / sum(active) END,
       coalesce(sum(no_minutes), 0)
  FROM by_town
ORDER BY sort, town_code;
