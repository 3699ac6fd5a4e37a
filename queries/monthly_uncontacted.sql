-- monthly_uncontacted.sql - paired children nobody contacted this month,
-- with the volunteers of their pairings active in the month, so a town can
-- phone them.  Its rows are exactly paired minus contacted (monthly_kpi).
-- Public: the child by alias (or child_id), no real name, no phones.
--
-- Speed: each child once, with an EXISTS on its pairings (the covering
-- index pairings_child) and a NOT EXISTS in child_months (kept by ingest)
-- for the month, instead of a DISTINCT over the month's activity rows.
WITH u AS MATERIALIZED (
    SELECT c.child_id
      FROM children c
     WHERE (c.exited_on IS NULL OR c.exited_on >= :from)
       AND EXISTS (SELECT 1 FROM pairings p
                    WHERE p.child_id = c.child_id AND p.started_on <= :to
                      AND (p.ended_on IS NULL OR p.ended_on >= :from))
       AND NOT EXISTS (SELECT 1 FROM child_months m
                        WHERE m.child_id = c.child_id AND m.month = substr(:from, 1, 7))
)
SELECT coalesce(t.town_name, c.town_code) AS town,
       CASE WHEN :audience = 'public' THEN coalesce(c.alias, c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       (SELECT group_concat(name, '、') FROM (
            SELECT v.name FROM pairings p JOIN volunteers v ON v.volunteer_id = p.volunteer_id
             WHERE p.child_id = c.child_id AND p.started_on <= :to
               AND (p.ended_on IS NULL OR p.ended_on >= :from)
             ORDER BY v.volunteer_id)) AS volunteers,
       CASE WHEN :audience = 'public' THEN NULL ELSE
       (SELECT group_concat(coalesce(phone, '—'), '、') FROM (
            SELECT v.phone FROM pairings p JOIN volunteers v ON v.volunteer_id = p.volunteer_id
             WHERE p.child_id = c.child_id AND p.started_on <= :to
               AND (p.ended_on IS NULL OR p.ended_on >= :from)
             ORDER BY v.volunteer_id)) END AS volunteer_phone,
       (SELECT max(m.last_contact) FROM child_months m
         WHERE m.child_id = c.child_id AND m.month < substr(:from, 1, 7)) AS last_contact
  FROM u
  JOIN children c ON c.child_id = u.child_id
  LEFT JOIN towns t ON t.town_code = c.town_code
 ORDER BY c.town_code, c.child_id;
