-- halfyear_never_trained.sql - volunteers (joined by the period's end) who
-- have attended no training held up to the period's end.
WITH v AS MATERIALIZED (   -- each volunteer once
    SELECT NOT EXISTS (SELECT 1 FROM attendance a JOIN trainings t ON t.event_id = a.event_id
                        WHERE a.volunteer_id = x.volunteer_id AND t.date <= :to) AS never
      FROM volunteers x
     WHERE x.joined_on IS NULL OR x.joined_on <= :to
)
SELECT count(*) AS volunteers,
       coalesce(sum(never), 0) AS never_trained,
       CASE WHEN count(*) > 0 THEN 1.0 * sum(never) / count(*) END AS share
  FROM v;
