-- halfyear_towns.sql - towns compared over the period: the "five ones",
-- the contact rate (contacted over paired children summed over the
-- period's months, as the monthly report's year to date), wishes
-- fulfilled and money spent, ranked by contact rate, then calls per
-- paired child.  Rows are attributed to the child's town (money to the
-- expense's town; money with no town has a row of its own,
-- :scope_no_town ("区级（未分区镇）"), after the towns, when there is any,
-- so that the rows add up to the total; children always have a town); an
-- event with children of two towns counts in each, so the district row
-- counts distinct events and events_counted_twice says by how much it is
-- less than the sum of the towns.  Events count per month and add up
-- over the period, as in halfyear_kpi.sql.  child_months and
-- contacted_months are the contact rate's denominator and numerator (a
-- unit's rate is recomputed from their sums, levels.h).
--
-- Speed: paired and contacted children from the summary tables ingest
-- keeps (child_spans, child_months), the district's events from
-- month_events, the towns' from month_town_events.
WITH span AS (   -- each run of paired months, cut to the period
    SELECT s.child_id, s.town_code,
           max(s.first_month, substr(:from, 1, 7)) AS lo,
           min(s.last_month, substr(:to, 1, 7)) AS hi
      FROM child_spans s
     WHERE s.first_month <= substr(:to, 1, 7) AND s.last_month >= substr(:from, 1, 7)
),
rate AS (   -- paired child-months by town, and those with a contact (child_months)
    SELECT x.town_code,
           sum((CAST(substr(x.hi, 1, 4) AS INTEGER) - CAST(substr(x.lo, 1, 4) AS INTEGER)) * 12
               + CAST(substr(x.hi, 6, 2) AS INTEGER) - CAST(substr(x.lo, 6, 2) AS INTEGER) + 1)
               AS child_months,
           sum((SELECT count(*) FROM child_months m
                 WHERE m.child_id = x.child_id AND m.month BETWEEN x.lo AND x.hi)) AS contacted_months,
           count(DISTINCT x.child_id) AS paired
      FROM span x
     GROUP BY x.town_code
),
ev AS MATERIALIZED (   -- per month, as the monthly reports count them, added up
    SELECT town_code, sum(CASE type WHEN 'call' THEN events ELSE 0 END) AS calls,
           sum(CASE type WHEN 'reading' THEN events ELSE 0 END) AS reading,
           sum(CASE type WHEN 'holiday' THEN events ELSE 0 END) AS holiday,
           sum(CASE type WHEN 'birthday' THEN events ELSE 0 END) AS birthday
      FROM month_town_events WHERE month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7)
     GROUP BY town_code
),
wd AS MATERIALIZED (   -- wishes fulfilled, by the child's town
    SELECT c.town_code, count(*) AS wishes
      FROM wishes x JOIN children c ON c.child_id = x.child_id
     WHERE x.fulfilled_on BETWEEN :from AND :to
     GROUP BY c.town_code
),
sp AS MATERIALIZED (   -- money spent, by the expense's town
    SELECT town_code, sum(amount_fen) AS spent
      FROM expenditures WHERE date BETWEEN :from AND :to AND town_code IS NOT NULL
     GROUP BY town_code
),
nt AS (   -- money spent with no town
    SELECT coalesce(sum(amount_fen), 0) AS spent
      FROM expenditures WHERE date BETWEEN :from AND :to AND town_code IS NULL
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        coalesce(r.paired, 0) AS paired,
        coalesce(r.child_months, 0) AS child_months,
        coalesce(r.contacted_months, 0) AS contacted_months,
        coalesce(ev.calls, 0) AS calls, coalesce(ev.reading, 0) AS reading,
        coalesce(ev.holiday, 0) AS holiday, coalesce(ev.birthday, 0) AS birthday,
        coalesce(wd.wishes, 0) AS wishes, coalesce(sp.spent, 0) AS spent
      FROM towns t LEFT JOIN rate r ON r.town_code = t.town_code
      LEFT JOIN ev ON ev.town_code = t.town_code
      LEFT JOIN wd ON wd.town_code = t.town_code
      LEFT JOIN sp ON sp.town_code = t.town_code
),
ranked AS (
    SELECT b.*,
           CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END AS contact_rate,
           rank() OVER (ORDER BY CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END DESC NULLS LAST,
                                 CASE WHEN paired > 0 THEN 1.0 * calls / paired END DESC NULLS LAST) AS ranking
      FROM by_town b
),
district AS (
    SELECT (SELECT count(DISTINCT x.child_id) FROM child_spans x
             WHERE x.first_month <= substr(:to, 1, 7)
               AND x.last_month >= substr(:from, 1, 7)) AS paired,
           coalesce(sum(child_months), 0) AS child_months,
           coalesce(sum(contacted_months), 0) AS contacted_months,
           (SELECT coalesce(sum(events), 0) FROM month_events
             WHERE month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7) AND type = 'call') AS calls,
           (SELECT coalesce(sum(events), 0) FROM month_events
             WHERE month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7) AND type = 'reading') AS reading,
           (SELECT coalesce(sum(events), 0) FROM month_events
             WHERE month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7) AND type = 'holiday') AS holiday,
           (SELECT coalesce(sum(events), 0) FROM month_events
             WHERE month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7) AND type = 'birthday') AS birthday,
           (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN :from AND :to) AS wishes,
           (SELECT coalesce(sum(amount_fen), 0) FROM expenditures
             WHERE date BETWEEN :from AND :to) AS spent,
           coalesce(sum(calls) + sum(reading) + sum(holiday) + sum(birthday), 0) AS town_events
      FROM by_town
)
SELECT 0 AS sort, ranking, town_code, town, paired, contact_rate,
       calls, reading, holiday, birthday, wishes, spent, NULL AS events_counted_twice,
       child_months, contacted_months
  FROM ranked
UNION ALL
SELECT 1, NULL, NULL, :scope_no_town,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, spent, NULL, NULL, NULL
  FROM nt WHERE spent > 0
UNION ALL
SELECT 2, NULL, NULL, :scope_total,
       paired, CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END,
       calls, reading, holiday, birthday, wishes, spent,
       town_events - (calls + reading + holiday + birthday), child_months, contacted_months
  FROM district
ORDER BY sort, ranking, town_code;
