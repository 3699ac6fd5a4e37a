-- unit_index.sql - the activity rows of the towns a run reports on, in town
-- order, so that each unit's scope (unit_scope.sql) copies its rows from
-- index ranges instead of reading every activity row again.  Run once per
-- report job on each connection, in its read transaction, after the job
-- has put the towns in temp.scope_towns (--unit: the unit's towns; --each:
-- every town).  It holds keys only: (town, activity row) for the town of
-- the row's child and the town of its volunteer, which are one row when
-- they are the same town.  The rule of what a unit holds stays
-- unit_scope.sql's: a row naming a child or a volunteer of the unit.
-- Only the rows dated :rows_from to :rows_to (report/scope.c: a monthly
-- report's month, every row for the other kinds) are held.
DROP TABLE IF EXISTS temp.scope_children;
DROP TABLE IF EXISTS temp.scope_volunteers;

CREATE TEMP TABLE scope_children (
    child_id TEXT NOT NULL PRIMARY KEY, town_code TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO temp.scope_children
SELECT child_id, town_code FROM main.children
 WHERE town_code IN (SELECT town_code FROM temp.scope_towns);
CREATE TEMP TABLE scope_volunteers (
    volunteer_id TEXT NOT NULL PRIMARY KEY, town_code TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO temp.scope_volunteers
SELECT volunteer_id, town_code FROM main.volunteers
 WHERE town_code IN (SELECT town_code FROM temp.scope_towns);

-- One sort of both sides, then the keys appended in order (the date index
-- holds the key columns, so it is read instead of the rows).
-- include town_activities.sql
INSERT OR IGNORE INTO temp.town_activities
SELECT * FROM (
    SELECT c.town_code, a.activity_id, a.volunteer_id, a.child_id
      FROM main.activities a INDEXED BY activities_date
      JOIN temp.scope_children c ON c.child_id = a.child_id
     WHERE a.date BETWEEN :rows_from AND :rows_to
    UNION ALL
    SELECT v.town_code, a.activity_id, a.volunteer_id, a.child_id
      FROM main.activities a INDEXED BY activities_date
      JOIN temp.scope_volunteers v ON v.volunteer_id = a.volunteer_id
     WHERE a.date BETWEEN :rows_from AND :rows_to)
 ORDER BY 1, 2, 3, 4;
