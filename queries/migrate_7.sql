-- migrate_7.sql - schema version 6 to 7.
--
-- feedback: the matters raised at the half-yearly symposiums (意见建议),
-- the twelfth kind of input file (queries/schema.sql).  A new table: no
-- summary to count.
CREATE TABLE feedback (
    feedback_id   TEXT NOT NULL PRIMARY KEY,
    raised_on     TEXT NOT NULL,
    town_code     TEXT NOT NULL REFERENCES towns (town_code),
    volunteer_id  TEXT REFERENCES volunteers (volunteer_id),
    category      TEXT NOT NULL CHECK (category IN ('transport', 'study', 'counselling',
                                                    'funding', 'venue', 'training',
                                                    'family', 'other')),
    text          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved')),
    resolved_on   TEXT,
    response      TEXT,
    ingest_id     INTEGER,
    line          INTEGER,
    CHECK ((status = 'resolved') = (resolved_on IS NOT NULL)),
    CHECK (resolved_on IS NULL OR resolved_on >= raised_on)
) STRICT;
CREATE INDEX feedback_raised ON feedback (raised_on);
