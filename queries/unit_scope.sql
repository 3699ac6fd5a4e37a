-- unit_scope.sql - a report restricted to one unit (--unit, --each): the
-- tables the report queries read, as temporary views and tables of the
-- same names that hold only the unit's rows (docs/decisions.md "A report
-- of one unit").  SQLite finds an unqualified name in the temp schema
-- first, so no report query changes: this file is the one rule of what a
-- unit holds.  Run on each of the report's connections (temp objects are
-- the connection's own) after hm_unit_fill_towns has put the unit's towns
-- in temp.unit_towns and hm_scope_events_put the unit's temp.unit_events
-- and temp.unit_first, and after unit_index.sql has been run once for the
-- job; run again for the next unit (it drops what it made).
--
-- What belongs to a unit:
--   towns, children, volunteers, expenditures, feedback, child_spans,
--     span_counts, month_town_events   those of its towns;
--   pairings, wishes, child_months   those of its children;
--   volunteer_months, attendance, activity_crews   those of its volunteers;
--   activity_outside, stories   the rows naming a child or a volunteer of
--     it (a row with a child of one unit and a volunteer of another belongs
--     to both, as an event with children of two towns counts in each town);
--   activities             those rows too, of the days :rows_from to
--                          :rows_to (report/scope.c: a monthly report's
--                          month; every day for the other kinds), and its
--                          first row by date (temp.unit_first), so that
--                          min(date) is the unit's data start;
--   trainings              those a volunteer of it attended;
--   month_events           of its rows of every day (distinct activity_ids
--                          by month and type, up to :to), counted for all
--                          the job's units in one pass over the rows
--                          (report/scope_events.c) into temp.unit_events;
--   span_gaps              recounted from its child_spans;
--   donations              none: a donation has no town, so it is the
--                          organisation's, not a unit's (the money tables
--                          of a unit's report show its towns' spending);
--   ingest_log, rejects, warnings   the whole database's (the files are
--                          the organisation's; their problems are not a
--                          town's).
DROP VIEW IF EXISTS temp.towns;
DROP VIEW IF EXISTS temp.town_units;
DROP VIEW IF EXISTS temp.children;
DROP VIEW IF EXISTS temp.volunteers;
DROP TABLE IF EXISTS temp.pairings;
DROP TABLE IF EXISTS temp.activities;
DROP VIEW IF EXISTS temp.activity_outside;
DROP VIEW IF EXISTS temp.wishes;
DROP VIEW IF EXISTS temp.stories;
DROP VIEW IF EXISTS temp.attendance;
DROP VIEW IF EXISTS temp.trainings;
DROP VIEW IF EXISTS temp.expenditures;
DROP VIEW IF EXISTS temp.donations;
DROP VIEW IF EXISTS temp.feedback;
DROP VIEW IF EXISTS temp.child_months;
DROP VIEW IF EXISTS temp.volunteer_months;
DROP VIEW IF EXISTS temp.activity_crews;
DROP VIEW IF EXISTS temp.child_spans;
DROP TABLE IF EXISTS temp.span_counts;
DROP VIEW IF EXISTS temp.month_town_events;
DROP TABLE IF EXISTS temp.month_events;
DROP TABLE IF EXISTS temp.span_gaps;
DROP TABLE IF EXISTS temp.unit_children;
DROP TABLE IF EXISTS temp.unit_volunteers;

-- The unit's children and volunteers, once (every view below joins them).
CREATE TEMP TABLE unit_children (child_id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
INSERT INTO temp.unit_children
SELECT child_id FROM main.children WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP TABLE unit_volunteers (volunteer_id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
INSERT INTO temp.unit_volunteers
SELECT volunteer_id FROM main.volunteers
 WHERE town_code IN (SELECT town_code FROM temp.unit_towns);

CREATE TEMP VIEW towns AS
SELECT * FROM main.towns WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP VIEW town_units AS
SELECT * FROM main.town_units WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP VIEW children AS
SELECT * FROM main.children WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP VIEW volunteers AS
SELECT * FROM main.volunteers WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
-- The unit's pairings, copied with the table's row IDs and indexes: a view's
-- filter on the unit's children would be searched child by child inside
-- every per-volunteer question (the quiet volunteers' children).
CREATE TEMP TABLE pairings (
    pairing_id TEXT NOT NULL PRIMARY KEY, volunteer_id TEXT NOT NULL, child_id TEXT NOT NULL,
    started_on TEXT NOT NULL, ended_on TEXT, end_reason TEXT, ingest_id INTEGER, line INTEGER)
    STRICT;
INSERT INTO temp.pairings (rowid, pairing_id, volunteer_id, child_id, started_on, ended_on,
                           end_reason, ingest_id, line)
SELECT rowid, pairing_id, volunteer_id, child_id, started_on, ended_on, end_reason, ingest_id,
       line
  FROM main.pairings WHERE child_id IN (SELECT child_id FROM temp.unit_children)
 ORDER BY rowid;
CREATE INDEX temp.pairings_child ON pairings (child_id, started_on, ended_on);
CREATE INDEX temp.pairings_volunteer ON pairings (volunteer_id, child_id, started_on, ended_on);
-- The unit's activity rows, copied with the table's key and date index:
-- queries name that index (INDEXED BY activities_date), which a view
-- cannot have.
CREATE TEMP TABLE activities (
    activity_id TEXT NOT NULL, date TEXT NOT NULL, type TEXT NOT NULL,
    volunteer_id TEXT NOT NULL, child_id TEXT NOT NULL, minutes INTEGER, title TEXT,
    notes TEXT, ingest_id INTEGER, line INTEGER,
    PRIMARY KEY (activity_id, volunteer_id, child_id)) WITHOUT ROWID;
-- Its rows are those temp.town_activities (unit_index.sql) gives its towns:
-- the rows whose child or volunteer is of one of them.
INSERT OR IGNORE INTO temp.activities
SELECT a.activity_id, a.date, a.type, a.volunteer_id, a.child_id, a.minutes, a.title, a.notes,
       a.ingest_id, a.line
  FROM temp.town_activities x
  JOIN main.activities a ON a.activity_id = x.activity_id
                        AND a.volunteer_id = x.volunteer_id AND a.child_id = x.child_id
 WHERE x.town_code IN (SELECT town_code FROM temp.unit_towns);
INSERT OR IGNORE INTO temp.activities
SELECT a.activity_id, a.date, a.type, a.volunteer_id, a.child_id, a.minutes, a.title, a.notes,
       a.ingest_id, a.line
  FROM temp.unit_first x
  JOIN main.activities a ON a.activity_id = x.activity_id
                        AND a.volunteer_id = x.volunteer_id AND a.child_id = x.child_id;
CREATE INDEX temp.activities_date ON activities (date, type);
CREATE TEMP VIEW activity_outside AS
SELECT * FROM main.activity_outside
 WHERE child_id IN (SELECT child_id FROM temp.unit_children)
    OR volunteer_id IN (SELECT volunteer_id FROM temp.unit_volunteers);
CREATE TEMP VIEW wishes AS
SELECT * FROM main.wishes WHERE child_id IN (SELECT child_id FROM temp.unit_children);
CREATE TEMP VIEW stories AS
SELECT * FROM main.stories
 WHERE volunteer_id IN (SELECT volunteer_id FROM temp.unit_volunteers)
    OR child_id IN (SELECT child_id FROM temp.unit_children);
CREATE TEMP VIEW attendance AS
SELECT * FROM main.attendance
 WHERE volunteer_id IN (SELECT volunteer_id FROM temp.unit_volunteers);
CREATE TEMP VIEW trainings AS
SELECT * FROM main.trainings t
 WHERE EXISTS (SELECT 1 FROM main.attendance a
                WHERE a.event_id = t.event_id
                  AND a.volunteer_id IN (SELECT volunteer_id FROM temp.unit_volunteers));
CREATE TEMP VIEW expenditures AS
SELECT * FROM main.expenditures WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP VIEW feedback AS
SELECT * FROM main.feedback WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP VIEW donations AS
SELECT * FROM main.donations WHERE 0;
CREATE TEMP VIEW child_months AS
SELECT * FROM main.child_months WHERE child_id IN (SELECT child_id FROM temp.unit_children);
CREATE TEMP VIEW volunteer_months AS
SELECT * FROM main.volunteer_months
 WHERE volunteer_id IN (SELECT volunteer_id FROM temp.unit_volunteers);
CREATE TEMP VIEW activity_crews AS
SELECT * FROM main.activity_crews
 WHERE volunteer_id IN (SELECT volunteer_id FROM temp.unit_volunteers);
-- A run's town is its child's (ingest computes a child's runs again when the
-- child moves; `himama check` compares them with a recount), so the runs of
-- the unit's towns are read by child, an index range each, not by a scan.
CREATE TEMP VIEW child_spans AS
SELECT * FROM main.child_spans
 WHERE child_id IN (SELECT child_id FROM temp.unit_children)
   AND town_code IN (SELECT town_code FROM temp.unit_towns);
-- The runs by first and last month have no index by town: the first unit of
-- a job on this connection copies them once in town order
-- (temp.town_span_counts, kept for the job's other units), and each unit
-- takes its towns' ranges into a table of the same key as span_counts.
CREATE TEMP TABLE IF NOT EXISTS town_span_counts (
    town_code TEXT NOT NULL, first_month TEXT NOT NULL, last_month TEXT NOT NULL,
    spans INTEGER NOT NULL, PRIMARY KEY (town_code, first_month, last_month)) WITHOUT ROWID;
INSERT INTO temp.town_span_counts (town_code, first_month, last_month, spans)
SELECT town_code, first_month, last_month, spans FROM main.span_counts
 WHERE NOT EXISTS (SELECT 1 FROM temp.town_span_counts);
CREATE TEMP TABLE span_counts (
    first_month TEXT NOT NULL, last_month TEXT NOT NULL, town_code TEXT NOT NULL,
    spans INTEGER NOT NULL, PRIMARY KEY (first_month, last_month, town_code)) STRICT,
    WITHOUT ROWID;
INSERT INTO temp.span_counts (first_month, last_month, town_code, spans)
SELECT first_month, last_month, town_code, spans FROM temp.town_span_counts
 WHERE town_code IN (SELECT town_code FROM temp.unit_towns);
CREATE TEMP VIEW month_town_events AS
SELECT * FROM main.month_town_events WHERE town_code IN (SELECT town_code FROM temp.unit_towns);

-- Distinct activities by month and type (as month_events), of the unit's
-- activity rows up to the report's end (temp.unit_events).
CREATE TEMP TABLE month_events (
    month TEXT NOT NULL, type TEXT NOT NULL, events INTEGER NOT NULL,
    PRIMARY KEY (month, type)) WITHOUT ROWID;
INSERT INTO temp.month_events (month, type, events)
SELECT month, type, events FROM temp.unit_events;
-- The scope's tables only (not the large temp.town_activities).
ANALYZE temp.unit_towns;
ANALYZE temp.unit_children;
ANALYZE temp.unit_volunteers;
ANALYZE temp.activities;
ANALYZE temp.pairings;
ANALYZE temp.span_counts;
ANALYZE temp.month_events;

-- The runs of paired months followed by another run of the same child (as
-- span_gaps), of the unit's runs.
CREATE TEMP TABLE span_gaps (
    last_month TEXT NOT NULL, next_month TEXT NOT NULL, gaps INTEGER NOT NULL,
    PRIMARY KEY (last_month, next_month)) WITHOUT ROWID;
INSERT INTO temp.span_gaps (last_month, next_month, gaps)
SELECT last_month, next_month, count(*)
  FROM (SELECT last_month, lead(first_month) OVER (PARTITION BY child_id
                                                   ORDER BY first_month) AS next_month
          FROM temp.child_spans)
 WHERE next_month IS NOT NULL
 GROUP BY 1, 2;
