-- monthly_quiet_volunteers.sql - volunteers with a pairing active on the
-- month's last day and no activity in the 60 days up to it.
--
-- Speed: the quiet volunteers are the paired ones (pairings_volunteer,
-- read in volunteer order) less those with an activity in the 60 days,
-- which are the rows of volunteer_months (kept by ingest) of the month
-- and of the two months before whose last activity falls in the 60 days
-- (volunteer_months_month, each month in volunteer order).  SQLite
-- subtracts such ordered lists by merging them (EXCEPT with ORDER BY),
-- without a search per volunteer; the last activity is then looked up
-- for the quiet ones only.  A month ends at most 31 days after it began,
-- so each row of the month itself falls in the 60 days.
WITH q AS MATERIALIZED (
    SELECT volunteer_id FROM (
        SELECT p.volunteer_id FROM pairings p
         WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :to)
        EXCEPT
        SELECT m.volunteer_id FROM volunteer_months m
         WHERE m.month = substr(:to, 1, 7)
        EXCEPT
        SELECT m.volunteer_id FROM volunteer_months m
         WHERE m.month = substr(date(:to, 'start of month', '-1 month'), 1, 7)
           AND m.last_activity >= date(:to, '-59 days')
        EXCEPT
        SELECT m.volunteer_id FROM volunteer_months m
         WHERE m.month = substr(date(:to, 'start of month', '-2 months'), 1, 7)
           AND m.last_activity >= date(:to, '-59 days')
        ORDER BY 1)
),
last AS MATERIALIZED (
    SELECT q.volunteer_id,
           (SELECT max(m.last_activity) FROM volunteer_months m
             WHERE m.volunteer_id = q.volunteer_id
               AND m.month <= substr(:to, 1, 7)) AS last_activity
      FROM q
)
SELECT coalesce(t.town_name, v.town_code) AS town,
       v.volunteer_id,
       v.name AS volunteer,
       CASE WHEN :audience = 'public' THEN NULL ELSE v.phone END AS phone,
       (SELECT count(DISTINCT p.child_id) FROM pairings p
         WHERE p.volunteer_id = v.volunteer_id AND p.started_on <= :to
           AND (p.ended_on IS NULL OR p.ended_on >= :to)) AS children,
       l.last_activity,
       CAST(julianday(:to) - julianday(l.last_activity) AS INTEGER) AS days_quiet
  FROM last l
  JOIN volunteers v ON v.volunteer_id = l.volunteer_id
  LEFT JOIN towns t ON t.town_code = v.town_code
 WHERE l.last_activity IS NULL OR l.last_activity < date(:to, '-59 days')
 ORDER BY v.town_code, l.last_activity, v.volunteer_id;
