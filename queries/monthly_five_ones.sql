-- monthly_five_ones.sql - the "five ones" by town, and the district total.
--
-- Each row is attributed to the child's town.  Paired and contacted
-- children and wishes add up across towns.  An event (one activity_id)
-- with children of two towns counts once in each town, so the district row
-- counts distinct events and may be less than the sum of the towns;
-- events_counted_twice (on the total row) says by how much.
--
-- Speed: paired children by town are the runs of paired months holding
-- the month (span_counts, by town); contacted ones are those less the
-- paired children with no contact, found as monthly_uncontacted.sql finds
-- them (the runs of child_spans holding the month less the rows of
-- child_months of the month marked paired, merged in child order), with
-- the town of their run; the events come from month_town_events and
-- month_events (all kept by ingest).
WITH pt AS MATERIALIZED (
    SELECT town_code, sum(spans) AS paired FROM span_counts
     WHERE first_month <= substr(:from, 1, 7) AND last_month >= substr(:from, 1, 7)
     GROUP BY town_code
),
u AS MATERIALIZED (   -- paired children not contacted
    SELECT child_id FROM (
        SELECT x.child_id FROM child_spans x
         WHERE x.first_month <= substr(:from, 1, 7) AND x.last_month >= substr(:from, 1, 7)
        EXCEPT
        SELECT m.child_id FROM child_months m
         WHERE m.month = substr(:from, 1, 7) AND m.paired = 1
        ORDER BY 1)
),
nc AS MATERIALIZED (
    SELECT x.town_code, count(*) AS n
      FROM u JOIN child_spans x ON x.child_id = u.child_id
       AND x.first_month <= substr(:from, 1, 7) AND x.last_month >= substr(:from, 1, 7)
     GROUP BY x.town_code
),
pc AS MATERIALIZED (
    SELECT pt.town_code, pt.paired, pt.paired - coalesce(nc.n, 0) AS contacted
      FROM pt LEFT JOIN nc ON nc.town_code = pt.town_code
),
ev AS MATERIALIZED (
    SELECT town_code, sum(CASE type WHEN 'call' THEN events ELSE 0 END) AS calls,
           sum(CASE type WHEN 'reading' THEN events ELSE 0 END) AS reading,
           sum(CASE type WHEN 'holiday' THEN events ELSE 0 END) AS holiday,
           sum(CASE type WHEN 'birthday' THEN events ELSE 0 END) AS birthday
      FROM month_town_events WHERE month = substr(:from, 1, 7)
     GROUP BY town_code
),
wd AS MATERIALIZED (
    SELECT c.town_code, count(*) AS wishes
      FROM wishes x JOIN children c ON c.child_id = x.child_id
     WHERE x.fulfilled_on BETWEEN :from AND :to
     GROUP BY c.town_code
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        coalesce(pc.paired, 0) AS paired, coalesce(pc.contacted, 0) AS contacted,
        coalesce(ev.calls, 0) AS calls, coalesce(ev.reading, 0) AS reading,
        coalesce(ev.holiday, 0) AS holiday, coalesce(ev.birthday, 0) AS birthday,
        coalesce(wd.wishes, 0) AS wishes
      FROM towns t
      LEFT JOIN pc ON pc.town_code = t.town_code
      LEFT JOIN ev ON ev.town_code = t.town_code
      LEFT JOIN wd ON wd.town_code = t.town_code
),
district AS (
    SELECT coalesce(sum(paired), 0) AS paired, coalesce(sum(contacted), 0) AS contacted,
        coalesce((SELECT events FROM month_events
                   WHERE month = substr(:from, 1, 7) AND type = 'call'), 0) AS calls,
        coalesce((SELECT events FROM month_events
                   WHERE month = substr(:from, 1, 7) AND type = 'reading'), 0) AS reading,
        coalesce((SELECT events FROM month_events
                   WHERE month = substr(:from, 1, 7) AND type = 'holiday'), 0) AS holiday,
        coalesce((SELECT events FROM month_events
                   WHERE month = substr(:from, 1, 7) AND type = 'birthday'), 0) AS birthday,
        coalesce(sum(wishes), 0) AS wishes,
        coalesce(sum(calls) + sum(reading) + sum(holiday) + sum(birthday), 0) AS town_events
      FROM by_town
)
SELECT 0 AS sort, town_code, town, paired, contacted,
       CASE WHEN paired > 0 THEN 1.0 * contacted / paired END AS contact_rate,
       calls, reading, holiday, birthday, wishes, NULL AS events_counted_twice
  FROM by_town
UNION ALL
SELECT 1, NULL, :scope_total,
       paired, contacted, CASE WHEN paired > 0 THEN 1.0 * contacted / paired END,
       calls, reading, holiday, birthday, wishes,
       town_events - (calls + reading + holiday + birthday)
  FROM district
ORDER BY sort, town_code;
