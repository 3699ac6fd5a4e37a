-- monthly_outside_pairing.sql - the month's activity rows whose volunteer
-- and child have no pairing active on that day (a holiday event, a
-- reserve-pool volunteer helping out): loaded, but worth a look.
SELECT a.date, a.activity_id, a.type,
       v.name AS volunteer,
       CASE WHEN :audience = 'public' THEN coalesce(c.alias, c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       coalesce(l.file, '?') || ':' || coalesce(a.line, '?') AS source
  FROM activities a
  JOIN volunteers v ON v.volunteer_id = a.volunteer_id
  JOIN children c ON c.child_id = a.child_id
  LEFT JOIN ingest_log l ON l.id = a.ingest_id
 WHERE a.date BETWEEN :from AND :to
   AND NOT EXISTS (SELECT 1 FROM pairings p
                    WHERE p.volunteer_id = a.volunteer_id AND p.child_id = a.child_id
                      AND p.started_on <= a.date
                      AND (p.ended_on IS NULL OR p.ended_on >= a.date))
 ORDER BY a.date, a.activity_id, a.volunteer_id, a.child_id;
