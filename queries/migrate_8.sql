-- migrate_8.sql - schema version 7 to 8.
--
-- activity_crews: per month and activity with two or more volunteers in
-- that month, each of its volunteers (queries/schema.sql), so that the
-- enterprise+ table counts an organisation's activities from the summary
-- tables instead of the period's activity rows.  Counted here from
-- activities, in the same transaction (pipeline/store/migrate.c), as
-- ingest's recount of a month does (pipeline/store/summary.c).
CREATE TABLE activity_crews (
    month         TEXT NOT NULL,   -- 'YYYY-MM'
    activity_id   TEXT NOT NULL,
    volunteer_id  TEXT NOT NULL,
    PRIMARY KEY (month, activity_id, volunteer_id)
) STRICT, WITHOUT ROWID;
INSERT INTO activity_crews (month, activity_id, volunteer_id)
SELECT month, activity_id, volunteer_id
  FROM (SELECT substr(date, 1, 7) AS month, activity_id, volunteer_id,
               count(*) OVER (PARTITION BY substr(date, 1, 7), activity_id) AS n
          FROM activities GROUP BY substr(date, 1, 7), activity_id, volunteer_id)
 WHERE n > 1;
