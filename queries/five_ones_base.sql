-- five_ones_base.sql - a pair's "five ones" in the period: the one
-- definition that five_ones_pairs.sql (counted by town) and
-- five_ones_none.sql (the pairs that kept none) take by their line
-- "-- include five_ones_base.sql" (params.h).  Not a query by itself: it is
-- the WITH clause whose last table, k, has one row per pair (volunteer,
-- child, town_code, months, called_months, call_kept, reading, holiday,
-- birthday_due, birthday_kept, wish, kept, due); five_ones_pairs.sql says
-- what each promise is.
--
-- Speed: the pairings meeting the period, its calls, reading sessions,
-- holiday activities and birthdays (read from the activities_date index
-- alone) and its fulfilled wishes are one stream of rows, each an integer
-- of bits, put in pair order once and OR-ed together per pair (bit_or);
-- no table is searched row by row.  The bits of a pair (months counted
-- from the period's first, at most twelve):
--   0-11   a call in that month           16-27  paired in that month
--   12     a reading session              28     the child's birthday fell on
--   13     a holiday activity                    a paired day of the period
--   14     a birthday activity            29     a wish fulfilled
-- :five_ones_who is NULL (params.h), or, for the dossiers' candidates
-- (pipeline/report/dossier_model.c), a JSON array of volunteer ids: the
-- stream then holds those volunteers' rows only, so their pairs come out
-- the same without the others' rows sorted and grouped.
WITH RECURSIVE pm(i, f, t) AS (   -- the period's months: number, first and last day in it
    SELECT 0, :from, min(date(:from, 'start of month', '+1 month', '-1 day'), :to)
    UNION ALL
    SELECT i + 1, date(f, 'start of month', '+1 month'),
           min(date(f, 'start of month', '+2 month', '-1 day'), :to)
      FROM pm WHERE date(f, 'start of month', '+1 month') <= :to
),
yy(y) AS MATERIALIZED (   -- the period's years, once (not a UNION per pairing)
    SELECT substr(:from, 1, 4) UNION SELECT substr(:to, 1, 4)
),
pr AS (   -- per pairing meeting the period: its months in it (hm_paired_months,
          -- ingest's rule for child_spans), and whether the child's
          -- birthday in the period fell on a paired day
    SELECT p.volunteer_id, p.child_id,
           hm_paired_months(p.started_on, p.ended_on, c.exited_on, :from, :to) AS months,
           EXISTS (SELECT 1 FROM yy
                    WHERE yy.y || substr(c.birth_date, 5) BETWEEN :from AND :to
                      AND yy.y || substr(c.birth_date, 5) >= p.started_on
                      AND (p.ended_on IS NULL OR yy.y || substr(c.birth_date, 5) <= p.ended_on)
                      AND (c.exited_on IS NULL OR yy.y || substr(c.birth_date, 5) <= c.exited_on))
               AS due
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND (:five_ones_who IS NULL
            OR p.volunteer_id IN (SELECT value FROM json_each(:five_ones_who)))
),
bits AS (   -- the stream: one integer per pairing, activity row or wish
    SELECT volunteer_id, child_id, (months << 16) | (due << 28) AS b
      FROM pr
    UNION ALL
    SELECT a.volunteer_id, a.child_id,
           CASE a.type WHEN 'call' THEN 1 << pm.i
                WHEN 'reading' THEN 1 << 12 WHEN 'holiday' THEN 1 << 13 ELSE 1 << 14 END
      FROM pm CROSS JOIN activities a INDEXED BY activities_date ON a.date BETWEEN pm.f AND pm.t
     WHERE a.type IN ('call', 'reading', 'holiday', 'birthday')
       AND (:five_ones_who IS NULL
            OR a.volunteer_id IN (SELECT value FROM json_each(:five_ones_who)))
    UNION ALL
    SELECT claimed_by, child_id, 1 << 29 FROM wishes
     WHERE fulfilled_on BETWEEN :from AND :to AND claimed_by IS NOT NULL
       AND (:five_ones_who IS NULL
            OR claimed_by IN (SELECT value FROM json_each(:five_ones_who)))
),
pb AS (   -- per pair paired in some month of the period
    SELECT volunteer_id, child_id, bit_or(b) AS b FROM bits
     GROUP BY volunteer_id, child_id
    HAVING bit_or(b) & (4095 << 16) <> 0
),
pair AS (   -- not materialized: k (or its reader) takes the rows straight from pb
    SELECT pb.volunteer_id, pb.child_id, c.town_code,
           bit_count((pb.b >> 16) & 4095) AS months,
           bit_count((pb.b >> 16) & pb.b & 4095) AS called_months,
           ((pb.b >> 16) & ~pb.b & 4095) = 0 AS call_kept,
           (pb.b >> 12) & 1 AS reading, (pb.b >> 13) & 1 AS holiday,
           (pb.b >> 28) & 1 AS birthday_due,
           (pb.b >> 28) & (pb.b >> 14) & 1 AS birthday_kept,
           (pb.b >> 29) & 1 AS wish
      FROM pb JOIN children c ON c.child_id = pb.child_id
),
k AS (
    SELECT *, call_kept + reading + holiday + birthday_kept + wish AS kept,
           4 + birthday_due AS due
      FROM pair
)
