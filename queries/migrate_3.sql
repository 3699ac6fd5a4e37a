-- migrate_3.sql - schema version 2 to 3.  Each block is self-contained;
-- the program counts the new summaries after this script, in the same
-- transaction.

-- Monthly report: activity rows outside a pairing (queries/schema.sql).
CREATE TABLE activity_outside (
    activity_id   TEXT NOT NULL,
    volunteer_id  TEXT NOT NULL,
    child_id      TEXT NOT NULL,
    date          TEXT NOT NULL,
    PRIMARY KEY (activity_id, volunteer_id, child_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX activity_outside_date ON activity_outside (date);
CREATE INDEX activity_outside_pair ON activity_outside (volunteer_id, child_id);

-- Monthly report: volunteer_months_month also carries the volunteer and
-- the last activity (queries/schema.sql).
DROP INDEX volunteer_months_month;
CREATE INDEX volunteer_months_month ON volunteer_months (month, volunteer_id, last_activity);
