-- monthly_five_ones.sql - the "five ones" by town, and the district total.
--
-- Each row is attributed to the child's town.  Paired and contacted
-- children and wishes add up across towns.  An event (one activity_id)
-- with children of two towns counts once in each town, so the district row
-- counts distinct events and may be less than the sum of the towns;
-- events_counted_twice (on the total row) says by how much.
WITH paired AS MATERIALIZED (
    SELECT DISTINCT p.child_id, c.town_code
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND (c.exited_on IS NULL OR c.exited_on >= :from)
),
contacted AS MATERIALIZED (
    SELECT DISTINCT a.child_id FROM activities a
     WHERE a.date BETWEEN :from AND :to
       AND a.type NOT IN ('visit_teacher', 'visit_guardian')
),
events AS MATERIALIZED (
    SELECT DISTINCT a.activity_id, a.type, c.town_code
      FROM activities a JOIN children c ON c.child_id = a.child_id
     WHERE a.date BETWEEN :from AND :to
       AND a.type IN ('call', 'reading', 'holiday', 'birthday')
),
wishes_done AS MATERIALIZED (
    SELECT x.wish_id, c.town_code
      FROM wishes x JOIN children c ON c.child_id = x.child_id
     WHERE x.fulfilled_on BETWEEN :from AND :to
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        (SELECT count(*) FROM paired x WHERE x.town_code = t.town_code) AS paired,
        (SELECT count(*) FROM paired x WHERE x.town_code = t.town_code
            AND x.child_id IN (SELECT child_id FROM contacted)) AS contacted,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'call') AS calls,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'reading') AS reading,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'holiday') AS holiday,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes_done x WHERE x.town_code = t.town_code) AS wishes
      FROM towns t
),
district AS (
    SELECT coalesce(sum(paired), 0) AS paired, coalesce(sum(contacted), 0) AS contacted,
        (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'call') AS calls,
        (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'reading') AS reading,
        (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'holiday') AS holiday,
        (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'birthday') AS birthday,
        coalesce(sum(wishes), 0) AS wishes,
        coalesce(sum(calls) + sum(reading) + sum(holiday) + sum(birthday), 0) AS town_events
      FROM by_town
)
SELECT 0 AS sort, town_code, town, paired, contacted,
       CASE WHEN paired > 0 THEN 1.0 * contacted / paired END AS contact_rate,
       calls, reading, holiday, birthday, wishes, NULL AS events_counted_twice
  FROM by_town
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       paired, contacted, CASE WHEN paired > 0 THEN 1.0 * contacted / paired END,
       calls, reading, holiday, birthday, wishes,
       town_events - (calls + reading + holiday + birthday)
  FROM district
ORDER BY sort, town_code;
