-- range_towns.sql - the period per town: children profiled and paired,
-- the "five ones" (distinct events; an event with children of two towns
-- counts in each, so the district row counts distinct events), wishes
-- fulfilled and money spent (by the expense's town).
WITH events AS MATERIALIZED (
    SELECT DISTINCT a.activity_id, a.type, c.town_code
      FROM activities a JOIN children c ON c.child_id = a.child_id
     WHERE a.date BETWEEN :from AND :to AND a.type IN ('call', 'reading', 'holiday', 'birthday')
),
paired AS MATERIALIZED (
    SELECT DISTINCT p.child_id, c.town_code
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND (c.exited_on IS NULL OR c.exited_on >= :from)
),
profiled AS MATERIALIZED (
    SELECT child_id, town_code FROM children
     WHERE (registered_on IS NULL OR registered_on <= :to) AND (exited_on IS NULL OR exited_on >= :from)
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        (SELECT count(*) FROM profiled x WHERE x.town_code = t.town_code) AS profiled,
        (SELECT count(*) FROM paired x WHERE x.town_code = t.town_code) AS paired,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'call') AS calls,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'reading') AS reading,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'holiday') AS holiday,
        (SELECT count(*) FROM events e WHERE e.town_code = t.town_code AND e.type = 'birthday') AS birthday,
        (SELECT count(*) FROM wishes x JOIN children c ON c.child_id = x.child_id
          WHERE c.town_code = t.town_code AND x.fulfilled_on BETWEEN :from AND :to) AS wishes,
        (SELECT coalesce(sum(e.amount_fen), 0) FROM expenditures e
          WHERE e.town_code = t.town_code AND e.date BETWEEN :from AND :to) AS spent
      FROM towns t
)
SELECT 0 AS sort, town_code, town, profiled, paired, calls, reading, holiday, birthday, wishes, spent,
       NULL AS events_counted_twice
  FROM by_town
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       coalesce(sum(profiled), 0), coalesce(sum(paired), 0),
       (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'call'),
       (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'reading'),
       (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'holiday'),
       (SELECT count(DISTINCT activity_id) FROM events WHERE type = 'birthday'),
       (SELECT count(*) FROM wishes WHERE fulfilled_on BETWEEN :from AND :to),
       (SELECT coalesce(sum(amount_fen), 0) FROM expenditures WHERE date BETWEEN :from AND :to),
       coalesce(sum(calls) + sum(reading) + sum(holiday) + sum(birthday), 0)
         - (SELECT count(DISTINCT activity_id) FROM events)
  FROM by_town
ORDER BY sort, town_code;
