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
-- Speed: a pair's promises are the bits of an integer (five_ones_base.sql:
-- one sorted pass over the period's pairings, rows and wishes together);
-- the pairs are then counted by town once and the towns joined to those
-- counts, not each town searched among the pairs.
-- The pairs (k) are kept in temp.shared_five_ones by whichever of this
-- file and five_ones_none.sql runs first on a connection, and read back
-- by the other (IF NOT EXISTS: one computation per report and connection;
-- pipeline/report/aggregate.c drops temp.shared_* before and after each
-- report, so a table is never another period's or scope's).
CREATE TEMP TABLE IF NOT EXISTS shared_five_ones AS
-- include five_ones_base.sql
SELECT * FROM k;
WITH k AS (SELECT * FROM temp.shared_five_ones)
,
kt AS MATERIALIZED (   -- per town with pairs (one pass over k in town order)
    SELECT town_code, count(*) AS pairs, sum(kept = due) AS all_kept,
           sum(kept = 4 AND due = 5) AS kept4, sum(kept = 3) AS kept3, sum(kept = 2) AS kept2,
           sum(kept = 1) AS kept1, sum(kept = 0) AS kept0, sum(months) AS months,
           sum(called_months) AS called_months, sum(call_kept) AS call_kept,
           sum(reading) AS reading, sum(holiday) AS holiday, sum(birthday_due) AS birthday_due,
           sum(birthday_kept) AS birthday_kept, sum(wish) AS wish
      FROM k GROUP BY town_code
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
           coalesce(k.pairs, 0) AS pairs, coalesce(k.all_kept, 0) AS all_kept,
           coalesce(k.kept4, 0) AS kept4, coalesce(k.kept3, 0) AS kept3,
           coalesce(k.kept2, 0) AS kept2, coalesce(k.kept1, 0) AS kept1,
           coalesce(k.kept0, 0) AS kept0, coalesce(k.months, 0) AS months,
           coalesce(k.called_months, 0) AS called_months, coalesce(k.call_kept, 0) AS call_kept,
           coalesce(k.reading, 0) AS reading, coalesce(k.holiday, 0) AS holiday,
           coalesce(k.birthday_due, 0) AS birthday_due,
           coalesce(k.birthday_kept, 0) AS birthday_kept, coalesce(k.wish, 0) AS wish
      FROM towns t LEFT JOIN kt k ON k.town_code = t.town_code
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
