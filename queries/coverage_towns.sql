-- coverage_towns.sql - the "three full coverages" (三个全覆盖) by town:
-- children registered (profiled), surveyed (needs recorded) and paired,
-- with the rates, then the district total.  Children always have a town,
-- so the towns add up to the total.
--
-- One definition each (docs/decisions.md):
--   paired      a run of paired months (child_spans) meets the period: the
--               key figures' "children paired" (monthly_kpi.sql,
--               halfyear_kpi.sql), by the child's town as monthly_five_ones.sql;
--   registered  on record in the period (registered by its end, or with no
--               registration date, not exited before it starts) and still on
--               record at its end (not exited before its last day), or paired
--               in it: every paired child is registered, and a registered
--               child who is not paired is waiting for a pairing at the end
--               (queries/coverage_unpaired.sql lists them);
--   surveyed    registered, with needs recorded (the needs survey);
--   unpaired    registered less paired; unsurveyed registered less surveyed.
-- Same base as queries/coverage_kpi.sql.
WITH kids AS (   -- each child once, in the store's order: paired is one search of
    -- child_spans' key (LIMIT -1 keeps it a subquery, so paired is not
    -- searched again for each use below)
    SELECT c.town_code, c.needs IS NOT NULL AND c.needs <> '' AS surveyed,
           EXISTS (SELECT 1 FROM child_spans x
                    WHERE x.child_id = c.child_id AND x.first_month <= substr(:to, 1, 7)
                      AND x.last_month >= substr(:from, 1, 7)) AS paired,
           c.registered_on, c.exited_on
      FROM children c LIMIT -1
),
reg AS MATERIALIZED (   -- the registered children counted by town, then the towns
    SELECT town_code, count(*) AS registered, sum(surveyed) AS surveyed, sum(paired) AS paired
      FROM kids
     WHERE paired OR hm_on_record(registered_on, exited_on, :to, :to)
     GROUP BY town_code
),
by_town AS MATERIALIZED (
    SELECT t.town_code, coalesce(t.town_name, t.town_code) AS town,
           coalesce(r.registered, 0) AS registered,
           coalesce(r.surveyed, 0) AS surveyed,
           coalesce(r.paired, 0) AS paired
      FROM towns t LEFT JOIN reg r ON r.town_code = t.town_code
)
SELECT 0 AS sort, town_code, town, registered, surveyed,
       CASE WHEN registered > 0 THEN 1.0 * surveyed / registered END AS survey_rate,
       paired, CASE WHEN registered > 0 THEN 1.0 * paired / registered END AS pair_rate,
       registered - paired AS unpaired, registered - surveyed AS unsurveyed
  FROM by_town
UNION ALL
SELECT 1, NULL, :scope_total,
       coalesce(sum(registered), 0), coalesce(sum(surveyed), 0),
       CASE WHEN sum(registered) > 0 THEN 1.0 * sum(surveyed) / sum(registered) END,
       coalesce(sum(paired), 0),
       CASE WHEN sum(registered) > 0 THEN 1.0 * sum(paired) / sum(registered) END,
       coalesce(sum(registered - paired), 0), coalesce(sum(registered - surveyed), 0)
  FROM by_town
ORDER BY sort, town_code;
