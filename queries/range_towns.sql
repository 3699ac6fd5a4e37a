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
ev AS MATERIALIZED (
    SELECT town_code, sum(type = 'call') AS calls, sum(type = 'reading') AS reading,
           sum(type = 'holiday') AS holiday, sum(type = 'birthday') AS birthday
      FROM events GROUP BY town_code
),
pr AS MATERIALIZED (SELECT town_code, count(*) AS n FROM profiled GROUP BY town_code),
pa AS MATERIALIZED (SELECT town_code, count(*) AS n FROM paired GROUP BY town_code),
wd AS MATERIALIZED (
    SELECT c.town_code, count(*) AS wishes
      FROM wishes x JOIN children c ON c.child_id = x.child_id
     WHERE x.fulfilled_on BETWEEN :from AND :to
     GROUP BY c.town_code
),
sp AS MATERIALIZED (
    SELECT town_code, sum(amount_fen) AS spent
      FROM expenditures WHERE date BETWEEN :from AND :to AND town_code IS NOT NULL
     GROUP BY town_code
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        coalesce(pr.n, 0) AS profiled, coalesce(pa.n, 0) AS paired,
        coalesce(ev.calls, 0) AS calls, coalesce(ev.reading, 0) AS reading,
        coalesce(ev.holiday, 0) AS holiday, coalesce(ev.birthday, 0) AS birthday,
        coalesce(wd.wishes, 0) AS wishes, coalesce(sp.spent, 0) AS spent
      FROM towns t
      LEFT JOIN pr ON pr.town_code = t.town_code
      LEFT JOIN pa ON pa.town_code = t.town_code
      LEFT JOIN ev ON ev.town_code = t.town_code
      LEFT JOIN wd ON wd.town_code = t.town_code
      LEFT JOIN sp ON sp.town_code = t.town_code
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
