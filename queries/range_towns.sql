-- range_towns.sql - the period per town: children profiled and paired,
-- the "five ones" (an event with children of two towns counts in each, so
-- the district row counts distinct events), wishes fulfilled and money
-- spent (by the expense's town; money with no town has a row of its own,
-- "区级（未分区镇）", after the towns, when there is any, so that the rows
-- add up to the district's total; children always have a town).  Events count month by month and the
-- months are added, as in range_totals.sql: a whole month reads
-- month_events and month_town_events, a part of a month reads activities.
-- include period_pieces.sql
,
town_ev AS MATERIALIZED (   -- per town, type and piece: events with a child of the town
    SELECT e.town_code, e.type, e.events AS n
      FROM piece p JOIN month_town_events e ON e.month = p.month
     WHERE p.whole
    UNION ALL
    SELECT c.town_code, a.type, count(DISTINCT a.activity_id)
      FROM piece p JOIN activities a INDEXED BY activities_date ON a.date BETWEEN p.f AND p.t
      JOIN children c ON c.child_id = a.child_id
     WHERE NOT p.whole AND a.type IN ('call', 'reading', 'holiday', 'birthday')
     GROUP BY p.month, c.town_code, a.type
),
all_ev AS MATERIALIZED (    -- per type and piece: distinct events
    SELECT e.type, e.events AS n
      FROM piece p JOIN month_events e ON e.month = p.month
     WHERE p.whole AND e.type IN ('call', 'reading', 'holiday', 'birthday')
    UNION ALL
    SELECT a.type, count(DISTINCT a.activity_id)
      FROM piece p JOIN activities a INDEXED BY activities_date ON a.date BETWEEN p.f AND p.t
     WHERE NOT p.whole AND a.type IN ('call', 'reading', 'holiday', 'birthday')
     GROUP BY p.month, a.type
),
paired AS MATERIALIZED (
    SELECT DISTINCT p.child_id, c.town_code
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :from)
       AND (c.exited_on IS NULL OR c.exited_on >= :from)
),
profiled AS MATERIALIZED (   -- as range_totals.sql: a child paired in the period is profiled
    SELECT child_id, town_code FROM children
     WHERE hm_on_record(CASE WHEN child_id IN (SELECT child_id FROM paired) THEN NULL
                        ELSE registered_on END, exited_on, :from, :to)
),
ev AS MATERIALIZED (
    SELECT town_code, sum(CASE type WHEN 'call' THEN n ELSE 0 END) AS calls,
           sum(CASE type WHEN 'reading' THEN n ELSE 0 END) AS reading,
           sum(CASE type WHEN 'holiday' THEN n ELSE 0 END) AS holiday,
           sum(CASE type WHEN 'birthday' THEN n ELSE 0 END) AS birthday
      FROM town_ev GROUP BY town_code
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
nt AS (   -- money spent with no town
    SELECT coalesce(sum(amount_fen), 0) AS spent
      FROM expenditures WHERE date BETWEEN :from AND :to AND town_code IS NULL
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
SELECT 1, NULL, :scope_no_town,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, spent, NULL
  FROM nt WHERE spent > 0
UNION ALL
SELECT 2, NULL, :scope_total,
       coalesce(sum(profiled), 0), coalesce(sum(paired), 0),
       (SELECT coalesce(sum(n), 0) FROM all_ev WHERE type = 'call'),
       (SELECT coalesce(sum(n), 0) FROM all_ev WHERE type = 'reading'),
       (SELECT coalesce(sum(n), 0) FROM all_ev WHERE type = 'holiday'),
       (SELECT coalesce(sum(n), 0) FROM all_ev WHERE type = 'birthday'),
       (SELECT count(*) FROM wishes WHERE fulfilled_on BETWEEN :from AND :to),
       (SELECT coalesce(sum(amount_fen), 0) FROM expenditures WHERE date BETWEEN :from AND :to),
       coalesce(sum(calls) + sum(reading) + sum(holiday) + sum(birthday), 0)
         - (SELECT coalesce(sum(n), 0) FROM all_ev)
  FROM by_town
ORDER BY sort, town_code;
