-- migrate_8.sql - schema version 7 to 8.
--
-- activity_crews: per month and activity with two or more volunteers in
-- that month, each of its volunteers (queries/schema.sql), so that the
-- enterprise+ table counts an organisation's activities from the summary
-- tables instead of the period's activity rows.  Counted from activities
-- after the scripts, in the same transaction, by hm_summary_crews_recount
-- (pipeline/store/migrate.c, pipeline/store/summary.c: the same rule as
-- ingest's recount).
CREATE TABLE activity_crews (
    month         TEXT NOT NULL,   -- 'YYYY-MM'
    activity_id   TEXT NOT NULL,
    volunteer_id  TEXT NOT NULL,
    PRIMARY KEY (month, activity_id, volunteer_id)
) STRICT, WITHOUT ROWID;
