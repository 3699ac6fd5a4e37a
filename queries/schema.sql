-- himama database schema, version 9 (PRAGMA user_version = 9).
-- A database of an earlier version is brought here by queries/migrate_N.sql.
--
-- One table per kind of input file, named as the kind, columns named as in
-- DESIGN.md; money in integer fen (suffix _fen); dates as 'YYYY-MM-DD'
-- text; an empty field is NULL.  Every kind table also records where its
-- current content came from: ingest_id (ingest_log.id) and line (the
-- physical line of the file), so a report can say "file:line" for a row.

CREATE TABLE towns (
    town_code   TEXT NOT NULL PRIMARY KEY,
    town_name   TEXT,
    ingest_id   INTEGER,
    line        INTEGER,
    district    TEXT,   -- the units above the town (schema version 6): a code
    city        TEXT,   -- or a name each, as the towns file gives them; all
    province    TEXT    -- three NULL: the organisation's own district
) STRICT;

CREATE TABLE children (
    child_id       TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    alias          TEXT,
    gender         TEXT CHECK (gender IN ('F', 'M')),
    birth_date     TEXT NOT NULL CHECK (birth_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    town_code      TEXT NOT NULL REFERENCES towns (town_code),
    category       TEXT CHECK (category IN ('left_behind', 'distressed', 'both')),
    guardian       TEXT,
    guardian_phone TEXT,
    school         TEXT,
    class_teacher  TEXT,
    needs          TEXT,
    registered_on  TEXT,
    exited_on      TEXT CHECK (exited_on IS NULL OR registered_on IS NULL OR exited_on >= registered_on),
    ingest_id      INTEGER,
    line           INTEGER
) STRICT;
CREATE INDEX children_town ON children (town_code);

CREATE TABLE volunteers (
    volunteer_id  TEXT NOT NULL PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT CHECK (role IN ('mother', 'father')),
    phone         TEXT,
    town_code     TEXT NOT NULL REFERENCES towns (town_code),
    sector        TEXT CHECK (sector IN ('federation', 'cadre', 'teacher', 'social_worker',
                                         'counsellor', 'entrepreneur', 'other')),
    organization  TEXT,
    specialties   TEXT,
    joined_on     TEXT,
    pool          TEXT CHECK (pool IN ('paired', 'reserve')),
    ingest_id     INTEGER,
    line          INTEGER,
    birth_date    TEXT    -- optional (schema version 9): the dossiers' age
) STRICT;
CREATE INDEX volunteers_town ON volunteers (town_code);

CREATE TABLE pairings (
    pairing_id    TEXT NOT NULL PRIMARY KEY,
    volunteer_id  TEXT NOT NULL REFERENCES volunteers (volunteer_id),
    child_id      TEXT NOT NULL REFERENCES children (child_id),
    started_on    TEXT NOT NULL,
    ended_on      TEXT CHECK (ended_on IS NULL OR ended_on >= started_on),
    end_reason    TEXT,
    ingest_id     INTEGER,
    line          INTEGER
) STRICT;
-- Both carry the pairing's dates, so that "is this child (or this volunteer
-- and child) paired on these days" reads an index alone: the reports ask it
-- once per child, per volunteer or per activity row.
CREATE INDEX pairings_child ON pairings (child_id, started_on, ended_on);
CREATE INDEX pairings_volunteer ON pairings (volunteer_id, child_id, started_on, ended_on);

-- The activity types of DESIGN.md with their Chinese labels.  Activities
-- refer to it rather than repeat the list in a CHECK: the same guarantee,
-- a join away from the label, and (measured) a sixth of the cost of a
-- twelve-value CHECK on every row of the largest input.
-- bit: the type's bit in child_months.types (ingest reads it from here).
CREATE TABLE activity_types (
    code   TEXT NOT NULL PRIMARY KEY,
    label  TEXT NOT NULL,
    bit    INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
INSERT INTO activity_types (code, label, bit) VALUES
    ('call', '亲情连线', 1), ('reading', '陪你阅读', 2), ('holiday', '假日亲子活动', 4),
    ('birthday', '陪过生日', 8), ('icebreak', '互认互知', 16), ('visit_teacher', '访班主任', 32),
    ('visit_guardian', '访监护人', 64), ('warmth', '送温暖', 128), ('knowledge', '送知识', 256),
    ('study_trip', '亲子研学', 512), ('counselling', '心理疏导', 1024), ('other', '其他', 2048);

CREATE TABLE activities (
    activity_id   TEXT NOT NULL,
    date          TEXT NOT NULL,
    type          TEXT NOT NULL REFERENCES activity_types (code),
    volunteer_id  TEXT NOT NULL REFERENCES volunteers (volunteer_id),
    child_id      TEXT NOT NULL REFERENCES children (child_id),
    minutes       INTEGER CHECK (minutes BETWEEN 0 AND 1440),
    title         TEXT,
    notes         TEXT,
    ingest_id     INTEGER,
    line          INTEGER,
    PRIMARY KEY (activity_id, volunteer_id, child_id)
) STRICT, WITHOUT ROWID;
-- Reports read activities by period.  In a table WITHOUT ROWID the index
-- also carries the key (activity_id, volunteer_id, child_id), so counts by
-- month, type, child or volunteer read the index alone.  Questions per
-- child or volunteer across months (the last contact, the last activity)
-- go to child_months and volunteer_months below instead of further
-- indexes here: each index on activities, the largest input by far, would
-- slow every ingest.
CREATE INDEX activities_date ON activities (date, type);

-- Summary tables.  Ingest keeps them (pipeline/summary.c) in the same
-- transaction as the rows they count, so they always equal a recount from
-- the kind tables (`himama check` verifies it); the reports read them
-- instead of counting millions of activity rows again.
--
-- Per child and month: the activity rows naming the child, visits to the
-- class teacher or the guardian excepted (DESIGN.md's "contacted"), the
-- last such date, the types of those rows (the sum of their
-- activity_types.bit), and whether the child is paired that month (as in
-- child_spans), so that "contacted paired children" of a month is one
-- range of child_months_month.
CREATE TABLE child_months (
    child_id      TEXT NOT NULL,
    month         TEXT NOT NULL,   -- 'YYYY-MM'
    contacts      INTEGER NOT NULL,
    last_contact  TEXT NOT NULL,
    types         INTEGER NOT NULL DEFAULT 0,
    paired        INTEGER NOT NULL DEFAULT 0 CHECK (paired IN (0, 1)),
    PRIMARY KEY (child_id, month)
) STRICT, WITHOUT ROWID;
CREATE INDEX child_months_month ON child_months (month, paired);

-- Per volunteer and month: activity rows and the last date, and the
-- service hours (schema version 5, docs/decisions.md): participations are
-- the activities (distinct activity_ids) the volunteer took part in that
-- month, minutes the sum over them of the largest minutes among the
-- activity's rows naming the volunteer (one row per child: an activity
-- with two children counts once), no_minutes those whose rows give no
-- minutes (they count 0).
CREATE TABLE volunteer_months (
    volunteer_id   TEXT NOT NULL,
    month          TEXT NOT NULL,   -- 'YYYY-MM'
    activities     INTEGER NOT NULL,
    last_activity  TEXT NOT NULL,
    participations INTEGER NOT NULL DEFAULT 0,
    minutes        INTEGER NOT NULL DEFAULT 0,
    no_minutes     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (volunteer_id, month)
) STRICT, WITHOUT ROWID;
-- With the volunteer and the last activity, so that the monthly report's
-- quiet volunteers read a month's rows in volunteer order from the index
-- alone (queries/monthly_quiet_volunteers.sql).
CREATE INDEX volunteer_months_month ON volunteer_months (month, volunteer_id, last_activity);

-- Per month and activity type: the activities (distinct activity_ids)
-- with a row of that type in that month.  An activity recorded in two
-- months counts in each, as in each month's report; a period of several
-- months adds its months up (docs/decisions.md).
CREATE TABLE month_events (
    month   TEXT NOT NULL,   -- 'YYYY-MM'
    type    TEXT NOT NULL,
    events  INTEGER NOT NULL,
    PRIMARY KEY (month, type)
) STRICT, WITHOUT ROWID;

-- Per month, town and "five ones" type (call, reading, holiday,
-- birthday): the activities with a row of that type in that month naming
-- a child of the town.  An activity with children of two towns counts in
-- each (DESIGN.md "Tables by town").
CREATE TABLE month_town_events (
    month      TEXT NOT NULL,   -- 'YYYY-MM'
    town_code  TEXT NOT NULL,
    type       TEXT NOT NULL,
    events     INTEGER NOT NULL,
    PRIMARY KEY (month, town_code, type)
) STRICT, WITHOUT ROWID;

-- The months in which a child is paired, as disjoint runs of months: a
-- pairing of the child active on a day of the month, and the child not
-- exited before the month begins (DESIGN.md "Counting").  last_month is
-- '9999-12' while the child stays paired.  With the child's town, for
-- counts by town.  Children paired in month M: first_month <= M <=
-- last_month.
CREATE TABLE child_spans (
    child_id     TEXT NOT NULL,
    first_month  TEXT NOT NULL,   -- 'YYYY-MM'
    last_month   TEXT NOT NULL,   -- 'YYYY-MM'
    town_code    TEXT NOT NULL,
    PRIMARY KEY (child_id, first_month)
) STRICT, WITHOUT ROWID;

-- Monthly report: the activity rows outside a pairing (no pairing of
-- their volunteer and child active on their date), so that the month's
-- list reads a few rows instead of checking every activity row of the
-- month against pairings.  Ingest decides it for each row it stores (it
-- checks that anyway, for the warning) and checks again the rows of a
-- volunteer and child whose pairings are new or changed
-- (pipeline/summary.c, "activity_outside"); `himama check` compares it
-- with a recount.
CREATE TABLE activity_outside (
    activity_id   TEXT NOT NULL,
    volunteer_id  TEXT NOT NULL,
    child_id      TEXT NOT NULL,
    date          TEXT NOT NULL,
    PRIMARY KEY (activity_id, volunteer_id, child_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX activity_outside_date ON activity_outside (date);
CREATE INDEX activity_outside_pair ON activity_outside (volunteer_id, child_id);

-- Per month and activity with two or more volunteers in that month (rows
-- naming them): each of its volunteers (schema version 8).  The
-- enterprise+ table counts an organisation's activities as its
-- volunteers' participations (volunteer_months) less an activity's second
-- and further volunteers of the same organisation, which only these few
-- activities have (queries/organisations.sql), instead of reading the
-- period's activity rows.
CREATE TABLE activity_crews (
    month         TEXT NOT NULL,   -- 'YYYY-MM'
    activity_id   TEXT NOT NULL,
    volunteer_id  TEXT NOT NULL,
    PRIMARY KEY (month, activity_id, volunteer_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE wishes (
    wish_id       TEXT NOT NULL PRIMARY KEY,
    child_id      TEXT NOT NULL REFERENCES children (child_id),
    registered_on TEXT NOT NULL,
    description   TEXT,
    est_cost_fen  INTEGER CHECK (est_cost_fen >= 0),
    claimed_by    TEXT REFERENCES volunteers (volunteer_id),
    claimed_org   TEXT,
    claimed_on    TEXT CHECK (claimed_on IS NULL OR claimed_on >= registered_on),
    fulfilled_on  TEXT CHECK (fulfilled_on IS NULL OR (fulfilled_on >= registered_on
                              AND (claimed_on IS NULL OR fulfilled_on >= claimed_on))),
    cancelled_on  TEXT CHECK (cancelled_on IS NULL OR fulfilled_on IS NULL),
    ingest_id     INTEGER,
    line          INTEGER
) STRICT;
CREATE INDEX wishes_child ON wishes (child_id);
CREATE INDEX wishes_fulfilled ON wishes (fulfilled_on);

CREATE TABLE donations (
    donation_id   TEXT NOT NULL PRIMARY KEY,
    date          TEXT NOT NULL,
    donor         TEXT,
    donor_type    TEXT NOT NULL CHECK (donor_type IN ('enterprise', 'individual',
                                                      'giving_day', 'grant', 'other')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    restricted_to TEXT,
    receipt_no    TEXT,
    ingest_id     INTEGER,
    line          INTEGER
) STRICT;
CREATE INDEX donations_date ON donations (date);
CREATE INDEX donations_fund ON donations (restricted_to);

CREATE TABLE expenditures (
    expense_id    TEXT NOT NULL PRIMARY KEY,
    date          TEXT NOT NULL,
    project       TEXT,
    town_code     TEXT REFERENCES towns (town_code),
    category      TEXT NOT NULL CHECK (category IN ('wish', 'activity', 'training',
                                                    'material', 'other')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    fund          TEXT,
    approved_by   TEXT,
    ingest_id     INTEGER,
    line          INTEGER
) STRICT;
CREATE INDEX expenditures_date ON expenditures (date);

CREATE TABLE trainings (
    event_id      TEXT NOT NULL PRIMARY KEY,
    date          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('micro_class', 'symposium', 'other')),
    title         TEXT,
    speaker       TEXT,
    ingest_id     INTEGER,
    line          INTEGER
) STRICT;

CREATE TABLE attendance (
    event_id      TEXT NOT NULL REFERENCES trainings (event_id),
    volunteer_id  TEXT NOT NULL REFERENCES volunteers (volunteer_id),
    ingest_id     INTEGER,
    line          INTEGER,
    PRIMARY KEY (event_id, volunteer_id)
) STRICT;
CREATE INDEX attendance_volunteer ON attendance (volunteer_id);

CREATE TABLE stories (
    story_id      TEXT NOT NULL PRIMARY KEY,
    volunteer_id  TEXT NOT NULL REFERENCES volunteers (volunteer_id),
    child_id      TEXT REFERENCES children (child_id),
    date          TEXT NOT NULL,
    title         TEXT,
    text          TEXT NOT NULL,
    ingest_id     INTEGER,
    line          INTEGER
) STRICT;
CREATE INDEX stories_volunteer ON stories (volunteer_id);

-- Matters raised at the half-yearly symposiums (意见建议, schema version 7):
-- resolved_on goes with the status resolved, and only with it
-- (docs/decisions.md).
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

-- One row per file attempted.  rows_read is always the sum of the four
-- outcomes; a file rejected whole (status 'rejected') has zero counts and
-- a reason; an unchanged re-delivery of a loaded file is 'skipped'.
CREATE TABLE ingest_log (
    id             INTEGER PRIMARY KEY,
    file           TEXT NOT NULL,
    sha256         TEXT,
    kind           TEXT,
    encoding       TEXT,
    status         TEXT NOT NULL CHECK (status IN ('loaded', 'skipped', 'rejected')),
    reason         TEXT,
    rows_read      INTEGER NOT NULL DEFAULT 0,
    rows_loaded    INTEGER NOT NULL DEFAULT 0,
    rows_updated   INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_rejected  INTEGER NOT NULL DEFAULT 0,
    rows_warned    INTEGER NOT NULL DEFAULT 0,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    sheet          TEXT,    -- a workbook's sheet (the unit is FILE:SHEET), else NULL
    rollup         TEXT,    -- the district database it came from (himama rollup), else NULL
    CHECK (rows_read = rows_loaded + rows_updated + rows_unchanged + rows_rejected)
) STRICT;
CREATE INDEX ingest_log_sha ON ingest_log (sha256, status);

-- Every rejected row: line is where the record starts (header = line 1);
-- column is the header name as written, empty when the row as a whole is
-- at fault; raw is the record as read.
CREATE TABLE rejects (
    id         INTEGER PRIMARY KEY,
    ingest_id  INTEGER NOT NULL REFERENCES ingest_log (id),
    file       TEXT NOT NULL,
    line       INTEGER NOT NULL,
    "column"   TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL,
    raw        TEXT
) STRICT;
CREATE INDEX rejects_ingest ON rejects (ingest_id);

-- Rows loaded with a warning (an activity outside a pairing, a repeated
-- header line): still loaded, listed under data problems.
CREATE TABLE warnings (
    id         INTEGER PRIMARY KEY,
    ingest_id  INTEGER NOT NULL REFERENCES ingest_log (id),
    file       TEXT NOT NULL,
    line       INTEGER NOT NULL,
    reason     TEXT NOT NULL
) STRICT;
CREATE INDEX warnings_ingest ON warnings (ingest_id);

-- Every change to an existing row: the changed columns, old and new, as JSON.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    ingest_id   INTEGER NOT NULL REFERENCES ingest_log (id),
    table_name  TEXT NOT NULL,
    key         TEXT NOT NULL,
    old         TEXT NOT NULL,
    new         TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX audit_key ON audit (table_name, key);

-- Monthly report: paired children counted by run of months (schema
-- version 3), so that the key figures, the contact rate and the five ones
-- by town read a few hundred rows instead of a million runs of
-- child_spans per month of the year.  span_counts counts the runs of
-- child_spans by first month, last month and town; span_gaps counts, by
-- last month, the runs followed by another run of the same child, and
-- that run's first month.  Children paired in a window of months [A, B]:
-- the runs with first_month <= B and last_month >= A, less the gaps with
-- last_month >= A and next_month <= B (a child's runs meeting the window
-- follow each other, and each gap between two of them is counted once).
-- The triggers keep both equal to child_spans in the transaction that
-- changes it (ingest computes a child's runs again by deleting and
-- inserting them, never by updating); `himama check` compares them with
-- a recount (queries/check_span_counts.sql).
CREATE TABLE span_counts (
    first_month  TEXT NOT NULL,   -- 'YYYY-MM'
    last_month   TEXT NOT NULL,   -- 'YYYY-MM'
    town_code    TEXT NOT NULL,
    spans        INTEGER NOT NULL,
    PRIMARY KEY (first_month, last_month, town_code)
) STRICT, WITHOUT ROWID;
CREATE TABLE span_gaps (
    last_month   TEXT NOT NULL,   -- 'YYYY-MM': a run's last month
    next_month   TEXT NOT NULL,   -- 'YYYY-MM': the first of the child's next run
    gaps         INTEGER NOT NULL,
    PRIMARY KEY (last_month, next_month)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER span_counts_insert AFTER INSERT ON child_spans BEGIN
    INSERT INTO span_counts (first_month, last_month, town_code, spans)
    VALUES (new.first_month, new.last_month, new.town_code, 1)
    ON CONFLICT (first_month, last_month, town_code) DO UPDATE SET spans = spans + 1;
    -- The new run splits the gap between its neighbours, if it has two.
    UPDATE span_gaps SET gaps = gaps - 1
     WHERE last_month = (SELECT p.last_month FROM child_spans p
                          WHERE p.child_id = new.child_id AND p.first_month < new.first_month
                          ORDER BY p.first_month DESC LIMIT 1)
       AND next_month = (SELECT n.first_month FROM child_spans n
                          WHERE n.child_id = new.child_id AND n.first_month > new.first_month
                          ORDER BY n.first_month LIMIT 1);
    DELETE FROM span_gaps WHERE gaps = 0
       AND last_month = (SELECT p.last_month FROM child_spans p
                          WHERE p.child_id = new.child_id AND p.first_month < new.first_month
                          ORDER BY p.first_month DESC LIMIT 1);
    INSERT INTO span_gaps (last_month, next_month, gaps)
    SELECT p.last_month, new.first_month, 1 FROM child_spans p
     WHERE p.child_id = new.child_id AND p.first_month < new.first_month
     ORDER BY p.first_month DESC LIMIT 1
    ON CONFLICT (last_month, next_month) DO UPDATE SET gaps = gaps + 1;
    INSERT INTO span_gaps (last_month, next_month, gaps)
    SELECT new.last_month, n.first_month, 1 FROM child_spans n
     WHERE n.child_id = new.child_id AND n.first_month > new.first_month
     ORDER BY n.first_month LIMIT 1
    ON CONFLICT (last_month, next_month) DO UPDATE SET gaps = gaps + 1;
END;
CREATE TRIGGER span_counts_delete AFTER DELETE ON child_spans BEGIN
    UPDATE span_counts SET spans = spans - 1
     WHERE first_month = old.first_month AND last_month = old.last_month
       AND town_code = old.town_code;
    DELETE FROM span_counts
     WHERE first_month = old.first_month AND last_month = old.last_month
       AND town_code = old.town_code AND spans = 0;
    -- The gaps on either side of the old run become one, if it had two
    -- neighbours.
    UPDATE span_gaps SET gaps = gaps - 1
     WHERE last_month = (SELECT p.last_month FROM child_spans p
                          WHERE p.child_id = old.child_id AND p.first_month < old.first_month
                          ORDER BY p.first_month DESC LIMIT 1)
       AND next_month = old.first_month;
    UPDATE span_gaps SET gaps = gaps - 1
     WHERE last_month = old.last_month
       AND next_month = (SELECT n.first_month FROM child_spans n
                          WHERE n.child_id = old.child_id AND n.first_month > old.first_month
                          ORDER BY n.first_month LIMIT 1);
    DELETE FROM span_gaps WHERE gaps = 0
       AND (next_month = old.first_month OR last_month = old.last_month);
    INSERT INTO span_gaps (last_month, next_month, gaps)
    SELECT p.last_month, n.first_month, 1 FROM child_spans p, child_spans n
     WHERE p.child_id = old.child_id AND p.first_month < old.first_month
       AND n.child_id = old.child_id AND n.first_month > old.first_month
     ORDER BY p.first_month DESC, n.first_month LIMIT 1
    ON CONFLICT (last_month, next_month) DO UPDATE SET gaps = gaps + 1;
END;
CREATE TRIGGER span_counts_update BEFORE UPDATE ON child_spans BEGIN
    SELECT RAISE(ABORT, 'child_spans: delete and insert a run, do not update it');
END;

-- The units above the towns (schema version 6, docs/decisions.md "Units"):
-- provinces, cities and districts as the towns file names them, each a
-- code or a name.  Names are not unique nationally (several cities have a
-- 鼓楼区), so a unit is keyed by the units above it and its own key: its
-- path, the keys given from the province down joined by '/' ("江苏省/南通市
-- /海门区").  Both views are read from towns, so the tree cannot disagree
-- with the towns table; a town that moves district is an update of its row,
-- with its audit row.  A town whose levels are all empty belongs to the
-- organisation's own district (config organisation), which has no row.
-- A level may be skipped (a town given a district and a province): the
-- unit's parent is then the nearest level above that is given.
CREATE VIEW town_units AS
SELECT town_code, town_name, province, city, district,
       province AS province_path,
       CASE WHEN city IS NOT NULL
            THEN ifnull(province || '/', '') || city END AS city_path,
       CASE WHEN district IS NOT NULL
            THEN ifnull(province || '/', '') || ifnull(city || '/', '') || district END AS district_path,
       ifnull(province || '/', '') || ifnull(city || '/', '') || ifnull(district || '/', '')
           || town_code AS town_path
  FROM towns;

-- Every unit with its level, path, key (the code or name given), the path
-- of its parent (NULL at the top: the organisation) and its towns.  Towns
-- are units too: their key is the town code.
CREATE VIEW units AS
SELECT 'province' AS level, province_path AS path, province AS key,
       NULL AS parent_path, count(*) AS towns
  FROM town_units WHERE province IS NOT NULL GROUP BY province_path
UNION ALL
SELECT 'city', city_path, city, province_path, count(*)
  FROM town_units WHERE city IS NOT NULL GROUP BY city_path
UNION ALL
SELECT 'district', district_path, district, coalesce(city_path, province_path), count(*)
  FROM town_units WHERE district IS NOT NULL GROUP BY district_path
UNION ALL
SELECT 'town', town_path, town_code, coalesce(district_path, city_path, province_path), 1
  FROM town_units;

-- The district databases rolled up into this one (himama rollup), one row
-- per district: its code qualifies its IDs (CODE:ID) and its towns' units
-- (docs/decisions.md "Rollup"); the file as named, its SHA-256, its schema
-- version, its latest ingest (the largest ingest_log.finished_at) and when
-- it was rolled up.  The rows it brought are those whose IDs begin with
-- CODE: and the ingest_log rows whose rollup is CODE (or CODE:...).
CREATE TABLE rollups (
    code            TEXT NOT NULL PRIMARY KEY,
    file            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    schema_version  INTEGER NOT NULL,
    last_ingest     TEXT,
    rolled_at       TEXT NOT NULL,
    rows            INTEGER NOT NULL DEFAULT 0
) STRICT;
