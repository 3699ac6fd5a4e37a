-- halfyear_never_trained.sql - volunteers on record (as in
-- halfyear_volunteers.sql: joined by the period's end, with no joining
-- date, or active in the period) who have attended no training held up to
-- the period's end.
WITH v AS MATERIALIZED (   -- each volunteer once
    SELECT NOT EXISTS (SELECT 1 FROM attendance a JOIN trainings t ON t.event_id = a.event_id
                        WHERE a.volunteer_id = x.volunteer_id AND t.date <= :to) AS never
      FROM volunteers x
     WHERE x.joined_on IS NULL OR x.joined_on <= :to
        OR EXISTS (SELECT 1 FROM volunteer_months m WHERE m.volunteer_id = x.volunteer_id
                     AND m.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7))
)
SELECT count(*) AS volunteers,
       coalesce(sum(never), 0) AS never_trained,
       CASE WHEN count(*) > 0 THEN 1.0 * sum(never) / count(*) END AS share
  FROM v;
