-- halfyear_towns.sql - towns compared over the period: the "five ones",
-- the contact rate (contacted over paired children summed over the
-- period's months, as the monthly report's year to date), wishes
-- fulfilled and money spent, ranked by contact rate, then calls per
-- paired child.  Rows are attributed to the child's town (money to the
-- expense's town); an event with children of two towns counts in each,
-- so the district row counts distinct events and events_counted_twice
-- says by how much it is less than the sum of the towns.
WITH RECURSIVE months(f) AS (
    SELECT :from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :to
),
w(f, t) AS (SELECT f, min(date(f, '+1 month', '-1 day'), :to) FROM months),
pm AS MATERIALIZED (   -- paired children per month, with their town
    SELECT DISTINCT w.f, p.child_id, c.town_code
      FROM w
      JOIN pairings p ON p.started_on <= w.t AND (p.ended_on IS NULL OR p.ended_on >= w.f)
      JOIN children c ON c.child_id = p.child_id
     WHERE c.exited_on IS NULL OR c.exited_on >= w.f
),
cm AS MATERIALIZED (   -- contacted children per month
    SELECT DISTINCT w.f, a.child_id
      FROM w JOIN activities a ON a.date BETWEEN w.f AND w.t
     WHERE a.type NOT IN ('visit_teacher', 'visit_guardian')
),
rate AS (
    SELECT pm.town_code, count(*) AS child_months, count(cm.child_id) AS contacted_months,
           count(DISTINCT pm.child_id) AS paired
      FROM pm LEFT JOIN cm ON cm.f = pm.f AND cm.child_id = pm.child_id
     GROUP BY pm.town_code
),
events AS MATERIALIZED (
    SELECT DISTINCT a.activity_id, a.type, c.town_code
      FROM activities a JOIN children c ON c.child_id = a.child_id
     WHERE a.date BETWEEN :from AND :to
       AND a.type IN ('call', 'reading', 'holiday', 'birthday')
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        coalesce(r.paired, 0) AS paired,
        coalesce(r.child_months, 0) AS child_months,
        coalesce(r.contacted_months, 0) AS contacted_months,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'call') AS calls,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'reading') AS reading,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'holiday') AS holiday,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes x JOIN children c ON c.child_id = x.child_id
          WHERE c.town_code = t.town_code AND x.fulfilled_on BETWEEN :from AND :to) AS wishes,
        (SELECT coalesce(sum(e.amount_fen), 0) FROM expenditures e
          WHERE e.town_code = t.town_code AND e.date BETWEEN :from AND :to) AS spent
      FROM towns t LEFT JOIN rate r ON r.town_code = t.town_code
),
ranked AS (
    SELECT b.*,
           CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END AS contact_rate,
           rank() OVER (ORDER BY CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END DESC NULLS LAST,
                                 CASE WHEN paired > 0 THEN 1.0 * calls / paired END DESC NULLS LAST) AS ranking
      FROM by_town b
),
district AS (
    SELECT (SELECT count(DISTINCT child_id) FROM pm) AS paired,
           coalesce(sum(child_months), 0) AS child_months,
           coalesce(sum(contacted_months), 0) AS contacted_months,
           (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'call') AS calls,
           (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'reading') AS reading,
           (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'holiday') AS holiday,
           (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'birthday') AS birthday,
           (SELECT count(*) FROM wishes x WHERE x.fulfilled_on BETWEEN :from AND :to) AS wishes,
           (SELECT coalesce(sum(amount_fen), 0) FROM expenditures
             WHERE date BETWEEN :from AND :to) AS spent,
           coalesce(sum(calls) + sum(reading) + sum(holiday) + sum(birthday), 0) AS town_events
      FROM by_town
)
SELECT 0 AS sort, ranking, town_code, town, paired, contact_rate,
       calls, reading, holiday, birthday, wishes, spent, NULL AS events_counted_twice
  FROM ranked
UNION ALL
SELECT 1, NULL, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       paired, CASE WHEN child_months > 0 THEN 1.0 * contacted_months / child_months END,
       calls, reading, holiday, birthday, wishes, spent,
       town_events - (calls + reading + holiday + birthday)
  FROM district
ORDER BY sort, ranking, town_code;
