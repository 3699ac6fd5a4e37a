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
-- Counted from child_spans as it stands, before the triggers keep them.
INSERT INTO span_counts (first_month, last_month, town_code, spans)
SELECT first_month, last_month, town_code, count(*) FROM child_spans
 GROUP BY first_month, last_month, town_code;
INSERT INTO span_gaps (last_month, next_month, gaps)
SELECT last_month, next_month, count(*)
  FROM (SELECT lag(last_month) OVER (PARTITION BY child_id ORDER BY first_month) AS last_month,
               first_month AS next_month
          FROM child_spans)
 WHERE last_month IS NOT NULL
 GROUP BY last_month, next_month;
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
