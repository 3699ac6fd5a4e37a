-- monthly_quiet_volunteers.sql - volunteers with a pairing active on the
-- month's last day and no activity in the 60 days up to it.
SELECT coalesce(t.town_name, v.town_code) AS town,
       v.volunteer_id,
       v.name AS volunteer,
       CASE WHEN :audience = 'public' THEN NULL ELSE v.phone END AS phone,
       (SELECT count(DISTINCT p.child_id) FROM pairings p
         WHERE p.volunteer_id = v.volunteer_id AND p.started_on <= :to
           AND (p.ended_on IS NULL OR p.ended_on >= :to)) AS children,
       (SELECT max(a.date) FROM activities a
         WHERE a.volunteer_id = v.volunteer_id AND a.date <= :to) AS last_activity,
       CAST(julianday(:to) - julianday((SELECT max(a.date) FROM activities a
         WHERE a.volunteer_id = v.volunteer_id AND a.date <= :to)) AS INTEGER) AS days_quiet
  FROM volunteers v
  LEFT JOIN towns t ON t.town_code = v.town_code
 WHERE EXISTS (SELECT 1 FROM pairings p
                WHERE p.volunteer_id = v.volunteer_id AND p.started_on <= :to
                  AND (p.ended_on IS NULL OR p.ended_on >= :to))
   AND NOT EXISTS (SELECT 1 FROM activities a
                    WHERE a.volunteer_id = v.volunteer_id
                      AND a.date BETWEEN date(:to, '-59 days') AND :to)
 ORDER BY v.town_code, last_activity, v.volunteer_id;
