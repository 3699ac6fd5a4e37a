-- coverage_unpaired.sql - registered children not paired in the period
-- (queries/coverage_towns.sql: on record at its end, no run of paired
-- months meeting it), oldest wait first.  A child waits from its
-- registration, or from the end of its last pairing when it had one; the
-- days are counted to the period's end.  Internal only (a list of
-- children); public runs get the alias and no name all the same.
WITH kids AS MATERIALIZED (
    SELECT c.child_id, c.town_code, c.name, c.alias, c.registered_on,
           (SELECT max(p.ended_on) FROM pairings p
             WHERE p.child_id = c.child_id AND p.ended_on <= :to) AS last_ended
      FROM children c
     WHERE hm_on_record(c.registered_on, c.exited_on, :to, :to)
       AND NOT EXISTS (SELECT 1 FROM child_spans x
                        WHERE x.child_id = c.child_id AND x.first_month <= substr(:to, 1, 7)
                          AND x.last_month >= substr(:from, 1, 7))
),
w AS (
    SELECT k.*, max(coalesce(k.registered_on, k.last_ended), coalesce(k.last_ended, k.registered_on))
                AS waiting_since
      FROM kids k
)
SELECT coalesce(t.town_name, w.town_code) AS town,
       CASE WHEN :audience = 'public' THEN coalesce(w.alias, w.child_id) ELSE w.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE w.name END AS child_name,
       w.registered_on, w.last_ended,
       CAST(julianday(:to) - julianday(w.waiting_since) AS INTEGER) AS days_waiting
  FROM w LEFT JOIN towns t ON t.town_code = w.town_code
 ORDER BY days_waiting DESC NULLS LAST, w.town_code, w.child_id;
