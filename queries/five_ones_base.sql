-- five_ones_base.sql - a pair's "five ones" in the period: the one
-- definition that five_ones_pairs.sql (counted by town) and
-- five_ones_none.sql (the pairs that kept none) take by their line
-- "-- include five_ones_base.sql" (params.h).  Not a query by itself: it is
-- the WITH clause whose last table, k, has one row per pair (volunteer,
-- child, town_code, months, called_months, call_kept, reading, holiday,
-- birthday_due, birthday_kept, wish, kept, due); five_ones_pairs.sql says
-- what each promise is.
WITH pn(m0, last) AS (
    SELECT CAST(substr(:from, 1, 4) AS INTEGER) * 12 + CAST(substr(:from, 6, 2) AS INTEGER),
           CAST(substr(:to, 1, 4) AS INTEGER) * 12 + CAST(substr(:to, 6, 2) AS INTEGER)
           - CAST(substr(:from, 1, 4) AS INTEGER) * 12 - CAST(substr(:from, 6, 2) AS INTEGER)
),
pr AS (   -- per pairing meeting the period: its first and last month in it
    SELECT p.volunteer_id, p.child_id,
           max(0, CAST(substr(p.started_on, 1, 4) AS INTEGER) * 12
                  + CAST(substr(p.started_on, 6, 2) AS INTEGER) - pn.m0) AS lo,
           min(pn.last,
               coalesce(CAST(substr(p.ended_on, 1, 4) AS INTEGER) * 12
                        + CAST(substr(p.ended_on, 6, 2) AS INTEGER) - pn.m0, pn.last),
               coalesce(CAST(substr(c.exited_on, 1, 4) AS INTEGER) * 12
                        + CAST(substr(c.exited_on, 6, 2) AS INTEGER) - pn.m0, pn.last)) AS hi
      FROM pairings p JOIN children c ON c.child_id = p.child_id, pn
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
),
pv AS (   -- per pair: the months paired (bits)
    SELECT volunteer_id, child_id, bit_or((1 << (hi + 1)) - (1 << lo)) AS paired
      FROM pr WHERE lo <= hi
     GROUP BY volunteer_id, child_id
),
act AS (   -- per pair, one pass over the period's rows of these types: the months
           -- with a call (bits), a reading session, a holiday activity, a birthday
    SELECT a.volunteer_id, a.child_id,
           bit_or(CASE WHEN a.type = 'call'
                       THEN 1 << (CAST(substr(a.date, 1, 4) AS INTEGER) * 12
                                  + CAST(substr(a.date, 6, 2) AS INTEGER) - pn.m0)
                       ELSE 0 END) AS called,
           max(a.type = 'reading') AS reading, max(a.type = 'holiday') AS holiday,
           max(a.type = 'birthday') AS birthday
      FROM activities a INDEXED BY activities_date, pn
     WHERE a.date BETWEEN :from AND :to AND a.type IN ('call', 'reading', 'holiday', 'birthday')
     GROUP BY a.volunteer_id, a.child_id
),
bd AS (   -- pairs paired on the child's birthday in the period
    SELECT DISTINCT p.volunteer_id, p.child_id
      FROM pairings p JOIN children c ON c.child_id = p.child_id,
           (SELECT substr(:from, 1, 4) AS y UNION SELECT substr(:to, 1, 4)) yy
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND yy.y || substr(c.birth_date, 5) BETWEEN :from AND :to
       AND yy.y || substr(c.birth_date, 5) >= p.started_on
       AND (p.ended_on IS NULL OR yy.y || substr(c.birth_date, 5) <= p.ended_on)
       AND (c.exited_on IS NULL OR yy.y || substr(c.birth_date, 5) <= c.exited_on)
),
wz AS (   -- pairs with a wish of the child claimed by the volunteer, fulfilled in the period
    SELECT DISTINCT claimed_by AS volunteer_id, child_id FROM wishes
     WHERE fulfilled_on BETWEEN :from AND :to AND claimed_by IS NOT NULL
),
pair AS MATERIALIZED (
    SELECT pv.volunteer_id, pv.child_id, c.town_code,
           bit_count(pv.paired) AS months,
           bit_count(pv.paired & coalesce(act.called, 0)) AS called_months,
           (pv.paired & ~coalesce(act.called, 0)) = 0 AS call_kept,
           coalesce(act.reading, 0) AS reading, coalesce(act.holiday, 0) AS holiday,
           bd.child_id IS NOT NULL AS birthday_due,
           bd.child_id IS NOT NULL AND coalesce(act.birthday, 0) AS birthday_kept,
           wz.child_id IS NOT NULL AS wish
      FROM pv JOIN children c ON c.child_id = pv.child_id
      LEFT JOIN act ON act.volunteer_id = pv.volunteer_id AND act.child_id = pv.child_id
      LEFT JOIN bd ON bd.volunteer_id = pv.volunteer_id AND bd.child_id = pv.child_id
      LEFT JOIN wz ON wz.volunteer_id = pv.volunteer_id AND wz.child_id = pv.child_id
),
k AS MATERIALIZED (
    SELECT *, call_kept + reading + holiday + birthday_kept + wish AS kept,
           4 + birthday_due AS due
      FROM pair
)
