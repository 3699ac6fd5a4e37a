-- monthly_quiet_volunteers.sql - volunteers with a pairing active on the
-- month's last day and no activity in the 60 days up to it.  The last
-- activity comes from volunteer_months (kept by ingest), so the query
-- reads one small index entry per volunteer instead of their activities.
WITH last AS MATERIALIZED (
    SELECT v.volunteer_id,
           (SELECT max(m.last_activity) FROM volunteer_months m
             WHERE m.volunteer_id = v.volunteer_id
               AND m.month <= substr(:to, 1, 7)) AS last_activity
      FROM volunteers v
     WHERE EXISTS (SELECT 1 FROM pairings p
                    WHERE p.volunteer_id = v.volunteer_id AND p.started_on <= :to
                      AND (p.ended_on IS NULL OR p.ended_on >= :to))
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
