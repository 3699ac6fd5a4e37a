-- halfyear_pools.sql - per town at the period's end: volunteers in the
-- pairing pool (结对库) and the reserve pool (储备库), those who joined
-- in the period, and the pairings active on the last day; then a total.
WITH vt AS MATERIALIZED (   -- volunteers (joined by the period's end) by town, one pass
    SELECT town_code, sum(pool = 'paired') AS paired_pool, sum(pool = 'reserve') AS reserve_pool,
           sum(joined_on BETWEEN :from AND :to) AS new_volunteers
      FROM volunteers WHERE joined_on IS NULL OR joined_on <= :to
     GROUP BY town_code
),
at AS MATERIALIZED (   -- pairings active on the period's last day, by the volunteer's town
    SELECT v.town_code, count(*) AS active_pairings
      FROM pairings p JOIN volunteers v ON v.volunteer_id = p.volunteer_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :to)
       AND (v.joined_on IS NULL OR v.joined_on <= :to)
     GROUP BY v.town_code
),
by_town AS (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
        coalesce(vt.paired_pool, 0) AS paired_pool, coalesce(vt.reserve_pool, 0) AS reserve_pool,
        coalesce(vt.new_volunteers, 0) AS new_volunteers,
        coalesce(at.active_pairings, 0) AS active_pairings
      FROM towns t
      LEFT JOIN vt ON vt.town_code = t.town_code
      LEFT JOIN at ON at.town_code = t.town_code
)
SELECT 0 AS sort, town_code, town, paired_pool, reserve_pool, new_volunteers, active_pairings
  FROM by_town
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'District total' ELSE '全区合计' END,
       coalesce(sum(paired_pool), 0), coalesce(sum(reserve_pool), 0),
       coalesce(sum(new_volunteers), 0), coalesce(sum(active_pairings), 0)
  FROM by_town
ORDER BY sort, town_code;
