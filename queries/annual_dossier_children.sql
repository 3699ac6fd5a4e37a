-- annual_dossier_children.sql - a candidate's children paired in the year,
-- by public alias only (the dossier is shown to a jury; with the suffix
-- where aliases collide, as the public reports show it), town,
-- when the pairing started, the activities with this volunteer in the
-- year (distinct activity_ids), and the pair's five ones in the year
-- (annual_dossier_five_ones.sql; NULL when the pair had no paired month in
-- the year, the child having left before it).
-- Activities come from temp.dossier_activities: the candidates' rows of
-- the year, gathered by pipeline/report/dossier_model.c in one pass
-- (activities has no index by volunteer); the five ones from
-- temp.dossier_pairs, gathered there too.
SELECT coalesce(public_alias(c.child_id), c.alias, c.child_id) AS child,
       coalesce(t.town_name, c.town_code) AS town,
       min(p.started_on) AS since,
       (SELECT count(DISTINCT a.activity_id) FROM temp.dossier_activities a
         WHERE a.volunteer_id = :volunteer_id AND a.child_id = c.child_id
           AND a.date BETWEEN :from AND :to) AS activities,
       dp.months, dp.called_months, dp.reading, dp.holiday, dp.birthday_due,
       dp.birthday_kept, dp.wish, dp.kept, dp.due
  FROM pairings p
  JOIN children c ON c.child_id = p.child_id
  LEFT JOIN towns t ON t.town_code = c.town_code
  LEFT JOIN temp.dossier_pairs dp ON dp.volunteer_id = p.volunteer_id
                                 AND dp.child_id = p.child_id
 WHERE p.volunteer_id = :volunteer_id
   AND p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
 GROUP BY c.child_id
 ORDER BY since, c.child_id;
