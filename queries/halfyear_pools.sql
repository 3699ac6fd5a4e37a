-- halfyear_pools.sql - per town at the period's end: volunteers in the
-- pairing pool (结对库) and the reserve pool (储备库), those who joined
-- in the period, and the pairings active on the last day; then a total.
WITH v AS (
    SELECT * FROM volunteers WHERE joined_on IS NULL OR joined_on <= :to
),
act AS (
    SELECT p.volunteer_id FROM pairings p
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :to)
),
by_town AS (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        (SELECT count(*) FROM v WHERE v.town_code = t.town_code AND v.pool = 'paired') AS paired_pool,
        (SELECT count(*) FROM v WHERE v.town_code = t.town_code AND v.pool = 'reserve') AS reserve_pool,
        (SELECT count(*) FROM v WHERE v.town_code = t.town_code AND v.joined_on BETWEEN :from AND :to) AS new_volunteers,
        (SELECT count(*) FROM act JOIN v ON v.volunteer_id = act.volunteer_id
          WHERE v.town_code = t.town_code) AS active_pairings
      FROM towns t
)
SELECT 0 AS sort, town_code, town, paired_pool, reserve_pool, new_volunteers, active_pairings
  FROM by_town
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       coalesce(sum(paired_pool), 0), coalesce(sum(reserve_pool), 0),
       coalesce(sum(new_volunteers), 0), coalesce(sum(active_pairings), 0)
  FROM by_town
ORDER BY sort, town_code;
