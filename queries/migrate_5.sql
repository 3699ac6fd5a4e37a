-- migrate_5.sql - schema version 4 to 5.
--
-- volunteer_months.participations, .minutes and .no_minutes: the service
-- hours per volunteer and month (queries/schema.sql), so that the reports
-- read them from the summary instead of the period's activity rows.  The
-- program counts them from activities after this script, in the same
-- transaction (pipeline/store/migrate.c).
ALTER TABLE volunteer_months ADD COLUMN participations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE volunteer_months ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE volunteer_months ADD COLUMN no_minutes INTEGER NOT NULL DEFAULT 0;
