-- annual_dossier_children.sql - a candidate's children paired in the year,
-- by public alias only (the dossier is shown to a jury; with the suffix
-- where aliases collide, as the public reports show it), town,
-- when the pairing started, and the activities with this volunteer in the
-- year (distinct activity_ids).
-- Activities come from temp.dossier_activities: the candidates' rows of
-- the year, gathered by pipeline/report/dossier_model.c in one pass
-- (activities has no index by volunteer).
SELECT coalesce(public_alias(c.child_id), c.alias, c.child_id) AS child,
       coalesce(t.town_name, c.town_code) AS town,
       min(p.started_on) AS since,
       (SELECT count(DISTINCT a.activity_id) FROM temp.dossier_activities a
         WHERE a.volunteer_id = :volunteer_id AND a.child_id = c.child_id
           AND a.date BETWEEN :from AND :to) AS activities
  FROM pairings p
  JOIN children c ON c.child_id = p.child_id
  LEFT JOIN towns t ON t.town_code = c.town_code
 WHERE p.volunteer_id = :volunteer_id
   AND p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
 GROUP BY c.child_id
 ORDER BY since, c.child_id;
