-- migrate_2.sql - schema version 1 to 2: the summary tables month_events,
-- month_town_events and child_spans, child_months.types and .paired, and
-- activity_types.bit.  The summaries are counted by the program after
-- this script, in the same transaction.
ALTER TABLE activity_types ADD COLUMN bit INTEGER NOT NULL DEFAULT 0;
UPDATE activity_types SET bit = CASE code
    WHEN 'call' THEN 1 WHEN 'reading' THEN 2 WHEN 'holiday' THEN 4 WHEN 'birthday' THEN 8
    WHEN 'icebreak' THEN 16 WHEN 'visit_teacher' THEN 32 WHEN 'visit_guardian' THEN 64
    WHEN 'warmth' THEN 128 WHEN 'knowledge' THEN 256 WHEN 'study_trip' THEN 512
    WHEN 'counselling' THEN 1024 WHEN 'other' THEN 2048 ELSE 0 END;
ALTER TABLE child_months ADD COLUMN types INTEGER NOT NULL DEFAULT 0;
ALTER TABLE child_months ADD COLUMN paired INTEGER NOT NULL DEFAULT 0 CHECK (paired IN (0, 1));
DROP INDEX child_months_month;
CREATE INDEX child_months_month ON child_months (month, paired);

CREATE TABLE month_events (
    month   TEXT NOT NULL,
    type    TEXT NOT NULL,
    events  INTEGER NOT NULL,
    PRIMARY KEY (month, type)
) STRICT, WITHOUT ROWID;

CREATE TABLE month_town_events (
    month      TEXT NOT NULL,
    town_code  TEXT NOT NULL,
    type       TEXT NOT NULL,
    events     INTEGER NOT NULL,
    PRIMARY KEY (month, town_code, type)
) STRICT, WITHOUT ROWID;

CREATE TABLE child_spans (
    child_id     TEXT NOT NULL,
    first_month  TEXT NOT NULL,
    last_month   TEXT NOT NULL,
    town_code    TEXT NOT NULL,
    PRIMARY KEY (child_id, first_month)
) STRICT, WITHOUT ROWID;
