-- halfyear_never_trained.sql - volunteers (joined by the period's end) who
-- have attended no training held up to the period's end.
WITH v AS (SELECT volunteer_id FROM volunteers WHERE joined_on IS NULL OR joined_on <= :to)
SELECT count(*) AS volunteers,
       coalesce(sum(NOT EXISTS (SELECT 1 FROM attendance a JOIN trainings t ON t.event_id = a.event_id
                                 WHERE a.volunteer_id = v.volunteer_id AND t.date <= :to)), 0) AS never_trained,
       CASE WHEN count(*) > 0 THEN
            1.0 * sum(NOT EXISTS (SELECT 1 FROM attendance a JOIN trainings t ON t.event_id = a.event_id
                                   WHERE a.volunteer_id = v.volunteer_id AND t.date <= :to)) / count(*)
       END AS share
  FROM v;
