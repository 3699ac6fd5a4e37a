-- monthly_uncontacted.sql - paired children nobody contacted this month,
-- with the volunteers of their pairings active in the month, so a town can
-- phone them.  Its rows are exactly paired minus contacted (monthly_kpi).
-- An internal list (the template's audience = internal): the child's
-- public alias beside the name.  Public: the child by alias alone, with
-- its suffix where aliases collide (public_alias), no real name, no phones.
--
-- Speed: the children are the runs of child_spans holding the month
-- (paired then, as DESIGN.md counts it: a pairing active on a day of the
-- month and the child not exited before it began) less the rows of
-- child_months of the month marked paired (both kept by ingest, both read
-- in child order, subtracted by merging them: EXCEPT with ORDER BY).  The
-- names and phones of a child's volunteers come from one search of its
-- pairings, joined by a separator no field can hold (control characters
-- are rejected at ingest), and split.
WITH u AS MATERIALIZED (
    SELECT child_id FROM (
        SELECT x.child_id FROM child_spans x
         WHERE x.first_month <= substr(:from, 1, 7) AND x.last_month >= substr(:from, 1, 7)
        EXCEPT
        SELECT m.child_id FROM child_months m
         WHERE m.month = substr(:from, 1, 7) AND m.paired = 1
        ORDER BY 1)
),
r AS MATERIALIZED (
    SELECT c.town_code, c.child_id, coalesce(t.town_name, c.town_code) AS town,
           CASE WHEN :audience = 'public' THEN public_alias(c.child_id) ELSE c.child_id END AS child,
           CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
           public_alias(c.child_id) AS child_alias,
           (SELECT group_concat(name, '、') || char(30) || group_concat(coalesce(phone, '—'), '、')
              FROM (SELECT v.name, v.phone FROM pairings p
                      JOIN volunteers v ON v.volunteer_id = p.volunteer_id
                     WHERE p.child_id = c.child_id AND p.started_on <= :to
                       AND (p.ended_on IS NULL OR p.ended_on >= :from)
                     ORDER BY v.volunteer_id)) AS vp,
           (SELECT max(m.last_contact) FROM child_months m
             WHERE m.child_id = c.child_id AND m.month < substr(:from, 1, 7)) AS last_contact
      FROM u
      JOIN children c ON c.child_id = u.child_id
      LEFT JOIN towns t ON t.town_code = c.town_code
)
SELECT town, child, child_name, child_alias,
       substr(vp, 1, instr(vp, char(30)) - 1) AS volunteers,
       CASE WHEN :audience = 'public' THEN NULL
            ELSE substr(vp, instr(vp, char(30)) + 1) END AS volunteer_phone,
       last_contact
  FROM r
 ORDER BY town_code, child_id;
