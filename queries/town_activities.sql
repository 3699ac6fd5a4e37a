-- town_activities.sql - the table of the units' activity keys: (town,
-- activity row) for the town of the row's child and the town of its
-- volunteer, in town order (WITHOUT ROWID on the whole key), made empty.
-- One definition for its two makers: unit_index.sql takes it by its line
-- "-- include town_activities.sql" and fills it by one sorted insert;
-- pipeline/report/scope_events.c runs it before its one pass over the
-- activity rows fills it for a monthly report's first connection.
DROP TABLE IF EXISTS temp.town_activities;
CREATE TEMP TABLE town_activities (
    town_code TEXT NOT NULL, activity_id TEXT NOT NULL, volunteer_id TEXT NOT NULL,
    child_id TEXT NOT NULL,
    PRIMARY KEY (town_code, activity_id, volunteer_id, child_id)) WITHOUT ROWID;
