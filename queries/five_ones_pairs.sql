-- five_ones_pairs.sql - the "five ones" kept by each pair, counted by the
-- child's town, then the district total.  A pair is a volunteer and a
-- child with a pairing active on a day of the period (at most twelve
-- months from the first of a month: the half year or the year), the child
-- not exited before the month.  Its promises:
--   call      a call from the volunteer to the child in every month the
--             pair is paired (calls_share: the share of those months with
--             a call, as the scorecard's call months count them);
--   reading, holiday   at least one such activity of the pair in the period;
--   birthday  a birthday activity of the pair in the period, due only when
--             the child's birthday fell on a day the pair was paired (in
--             the period, the child not exited); not due, it is not counted;
--   wish      a wish of the child claimed by the volunteer and fulfilled in
--             the period (the scorecard's "wishes").
-- all_kept: every promise due kept (four or five); kept4..kept1: that many
-- kept of five (four only when the birthday was due); kept0: none kept
-- (queries/five_ones_none.sql lists them).  The rows of a town add up to
-- its pairs, and the towns to the total; each pair is in its child's town.
--
-- Speed: as queries/annual_scorecard.sql, a pair's months are the bits of
-- an integer (bit_or, bit_count: himama's own SQL functions); one pass over
-- the pairings meeting the period, one over its calls, reading sessions,
-- holiday activities and birthdays (read from the index alone).
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
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
           count(k.child_id) AS pairs,
           coalesce(sum(k.kept = k.due), 0) AS all_kept,
           coalesce(sum(k.kept = 4 AND k.due = 5), 0) AS kept4,
           coalesce(sum(k.kept = 3), 0) AS kept3, coalesce(sum(k.kept = 2), 0) AS kept2,
           coalesce(sum(k.kept = 1), 0) AS kept1, coalesce(sum(k.kept = 0), 0) AS kept0,
           coalesce(sum(k.months), 0) AS months, coalesce(sum(k.called_months), 0) AS called_months,
           coalesce(sum(k.call_kept), 0) AS call_kept, coalesce(sum(k.reading), 0) AS reading,
           coalesce(sum(k.holiday), 0) AS holiday, coalesce(sum(k.birthday_due), 0) AS birthday_due,
           coalesce(sum(k.birthday_kept), 0) AS birthday_kept, coalesce(sum(k.wish), 0) AS wish
      FROM towns t LEFT JOIN k ON k.town_code = t.town_code
     GROUP BY t.town_code
)
SELECT 0 AS sort, town_code, town, pairs, all_kept, kept4, kept3, kept2, kept1, kept0,
       CASE WHEN months > 0 THEN 1.0 * called_months / months END AS calls_share,
       months, called_months, call_kept, reading, holiday, birthday_due, birthday_kept, wish
  FROM by_town
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       coalesce(sum(pairs), 0), coalesce(sum(all_kept), 0), coalesce(sum(kept4), 0),
       coalesce(sum(kept3), 0), coalesce(sum(kept2), 0), coalesce(sum(kept1), 0),
       coalesce(sum(kept0), 0),
       CASE WHEN sum(months) > 0 THEN 1.0 * sum(called_months) / sum(months) END,
       coalesce(sum(months), 0), coalesce(sum(called_months), 0), coalesce(sum(call_kept), 0),
       coalesce(sum(reading), 0), coalesce(sum(holiday), 0), coalesce(sum(birthday_due), 0),
       coalesce(sum(birthday_kept), 0), coalesce(sum(wish), 0)
  FROM by_town
ORDER BY sort, town_code;
