-- halfyear_pools.sql - per town at the period's end: volunteers on record
-- (as in halfyear_volunteers.sql) in the pairing pool (结对库) and the
-- reserve pool (储备库), those who joined in the period, and the pairings
-- active on the last day; then a total.
--
-- Pairings active on the period's last day (one definition, shared with
-- halfyear_pairing_forms.sql): a volunteer and a child with a pairing
-- started by that day and not ended before it, the child not exited
-- before it, each volunteer-child pair once, whatever the volunteer's
-- joined_on says.
WITH vt AS MATERIALIZED (   -- volunteers on record by town, one pass
    SELECT town_code, sum(pool = 'paired') AS paired_pool, sum(pool = 'reserve') AS reserve_pool,
           sum(joined_on BETWEEN :from AND :to) AS new_volunteers
      FROM volunteers v
     WHERE joined_on IS NULL OR joined_on <= :to
        OR EXISTS (SELECT 1 FROM volunteer_months m WHERE m.volunteer_id = v.volunteer_id
                     AND m.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7))
     GROUP BY town_code
),
-- include pairings_at_end.sql
,
at AS MATERIALIZED (   -- those pairings by the volunteer's town
    SELECT v.town_code, count(*) AS active_pairings
      FROM act JOIN volunteers v ON v.volunteer_id = act.volunteer_id
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
SELECT 1, NULL, :scope_total,
       coalesce(sum(paired_pool), 0), coalesce(sum(reserve_pool), 0),
       coalesce(sum(new_volunteers), 0), coalesce(sum(active_pairings), 0)
  FROM by_town
ORDER BY sort, town_code;
