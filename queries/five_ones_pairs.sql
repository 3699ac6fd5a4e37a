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
-- include five_ones_base.sql
,
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
SELECT 1, NULL, :scope_total,
       coalesce(sum(pairs), 0), coalesce(sum(all_kept), 0), coalesce(sum(kept4), 0),
       coalesce(sum(kept3), 0), coalesce(sum(kept2), 0), coalesce(sum(kept1), 0),
       coalesce(sum(kept0), 0),
       CASE WHEN sum(months) > 0 THEN 1.0 * sum(called_months) / sum(months) END,
       coalesce(sum(months), 0), coalesce(sum(called_months), 0), coalesce(sum(call_kept), 0),
       coalesce(sum(reading), 0), coalesce(sum(holiday), 0), coalesce(sum(birthday_due), 0),
       coalesce(sum(birthday_kept), 0), coalesce(sum(wish), 0)
  FROM by_town
ORDER BY sort, town_code;
