-- monthly_birthdays.sql - paired children whose birthday falls in the next
-- month, with the volunteers of their pairings active then.  The birthday
-- is shown as month-day only (the birth date itself is never selected).
-- An internal list; the child's public alias beside the name.
--
-- Speed: the names and phones of a child's volunteers come from one
-- search of its pairings, joined by a separator no field can hold (control
-- characters are rejected at ingest), and split.
WITH r AS MATERIALIZED (
    SELECT c.town_code, c.child_id, coalesce(t.town_name, c.town_code) AS town,
           CASE WHEN :audience = 'public' THEN public_alias(c.child_id) ELSE c.child_id END AS child,
           CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
           public_alias(c.child_id) AS child_alias,
           substr(c.birth_date, 6) AS birthday,
           CAST(substr(:next_from, 1, 4) AS INTEGER) - CAST(substr(c.birth_date, 1, 4) AS INTEGER) AS age,
           (SELECT group_concat(name, '、') || char(30) || group_concat(coalesce(phone, '—'), '、')
              FROM (SELECT v.name, v.phone FROM pairings p
                      JOIN volunteers v ON v.volunteer_id = p.volunteer_id
                     WHERE p.child_id = c.child_id AND p.started_on <= :next_to
                       AND (p.ended_on IS NULL OR p.ended_on >= :next_from)
                     ORDER BY v.volunteer_id)) AS vp
      FROM children c
      LEFT JOIN towns t ON t.town_code = c.town_code
     WHERE substr(c.birth_date, 6, 2) = substr(:next_from, 6, 2)
       AND (c.exited_on IS NULL OR c.exited_on >= :next_from)
       AND EXISTS (SELECT 1 FROM pairings p
                    WHERE p.child_id = c.child_id AND p.started_on <= :next_to
                      AND (p.ended_on IS NULL OR p.ended_on >= :next_from))
)
SELECT town, child, child_name, child_alias, birthday, age,
       substr(vp, 1, instr(vp, char(30)) - 1) AS volunteers,
       CASE WHEN :audience = 'public' THEN NULL
            ELSE substr(vp, instr(vp, char(30)) + 1) END AS volunteer_phone
  FROM r
 ORDER BY birthday, town_code, child_id;
