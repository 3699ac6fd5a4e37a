#!/usr/bin/env bash
# End-to-end: the summary tables (child_months, volunteer_months,
# month_events, child_spans, activity_crews) stay equal to a recount from the kind tables
# while later exports change activities (date, type, new participants),
# pairings (ended, new) and children (exited, moved town); and a database
# of schema version 1, 2, 4, 5, 6, 7 or 8 migrates to the same summaries and schema.  `himama check`
# compares every summary row with a recount (queries/check_summaries.sql,
# check_activity_outside.sql for the activity rows outside a pairing, and
# check_span_counts.sql for the paired children counted by run of months).
. "$(dirname "$0")/../e2e_lib.sh"

hm synth --scale district --seed 3 --until 2026-09-30 data >/dev/null 2>&1 || exit 1
hm ingest data >/dev/null 2>&1; rc=$?
expect_eq "synthetic district ingests" 0 "$rc"
out=$(hm check); rc=$?
expect_eq "check after the first ingest" 0 "$rc"
expect_match "summaries checked" "ok +summaries" "$out"
expect_match "activity rows outside a pairing checked" "ok +activity_outside" "$out"
expect_match "paired children by run of months checked" "ok +span_counts" "$out"

sum_state() {
    q "SELECT (SELECT count(*) || '/' || sum(events) FROM month_events) || ' '
           || (SELECT count(*) FROM child_spans) || ' '
           || (SELECT count(*) || '/' || sum(paired) || '/' || sum(contacts) FROM child_months) || ' '
           || (SELECT count(*) || '/' || sum(activities) FROM volunteer_months) || ' '
           || (SELECT count(*) || '/' || max(date) FROM activity_outside) || ' '
           || (SELECT count(*) FROM activity_crews)"
}
before=$(sum_state)
outside_before=$(q "SELECT count(*) FROM activity_outside")
crews_before=$(q "SELECT count(*) FROM activity_crews")
[ "$crews_before" -gt 0 ] ||
    expect_eq "activities with several volunteers in the synthetic data" "some" "$crews_before"

# Later exports.  Activities: 40 rows moved a month back with another
# type; 15 activities gain a participant (a child of the same volunteer's
# other pairing, or the same child with another volunteer of its).
mkdir upd
sqlite3 -batch -csv -header h.db "
SELECT activity_id, date(date, '-1 month') AS date,
       CASE type WHEN 'call' THEN 'reading' ELSE 'call' END AS type,
       volunteer_id, child_id, minutes, title, notes
  FROM activities WHERE date >= '2025-06-01' ORDER BY activity_id LIMIT 40" > upd/activities-moved.csv
sqlite3 -batch -csv -header h.db "
SELECT a.activity_id, a.date, a.type, p.volunteer_id, a.child_id, a.minutes, a.title, a.notes
  FROM activities a JOIN pairings p ON p.child_id = a.child_id AND p.volunteer_id <> a.volunteer_id
 WHERE a.type IN ('holiday', 'reading') AND a.date >= '2026-01-01'
   AND NOT EXISTS (SELECT 1 FROM activities b WHERE b.activity_id = a.activity_id
                     AND b.volunteer_id = p.volunteer_id AND b.child_id = a.child_id)
 GROUP BY a.activity_id ORDER BY a.activity_id LIMIT 15" > upd/activities-more.csv
# Pairings: 25 end at the start of 2026.
sqlite3 -batch -csv -header h.db "
SELECT pairing_id, volunteer_id, child_id, started_on, max(started_on, '2026-01-15') AS ended_on,
       'moved away' AS end_reason
  FROM pairings WHERE ended_on IS NULL ORDER BY pairing_id LIMIT 25" > upd/pairings-ended.csv
# Children: 12 exit in March 2026, 10 move to another town.
sqlite3 -batch -csv -header h.db "
SELECT child_id, name, alias, gender, birth_date, town_code, category, guardian, guardian_phone,
       school, class_teacher, needs, registered_on, max(registered_on, '2026-03-15') AS exited_on
  FROM children WHERE exited_on IS NULL ORDER BY child_id DESC LIMIT 12" > upd/children-exited.csv
sqlite3 -batch -csv -header h.db "
SELECT child_id, name, alias, gender, birth_date,
       (SELECT min(t.town_code) FROM towns t WHERE t.town_code <> c.town_code) AS town_code,
       category, guardian, guardian_phone, school, class_teacher, needs, registered_on, exited_on
  FROM children c ORDER BY child_id LIMIT 10" > upd/children-moved.csv

hm ingest upd/children-exited.csv upd/children-moved.csv upd/pairings-ended.csv \
    upd/activities-moved.csv upd/activities-more.csv >/dev/null 2>&1
expect_eq "children updated" 22 "$(q "SELECT sum(rows_updated) FROM ingest_log WHERE kind = 'children'")"
expect_eq "pairings updated" 25 "$(q "SELECT sum(rows_updated) FROM ingest_log WHERE kind = 'pairings'")"
expect_eq "activities moved" 40 "$(q "SELECT sum(rows_updated) FROM ingest_log WHERE kind = 'activities'")"
expect_eq "participants added" 15 "$(q "SELECT rows_loaded FROM ingest_log WHERE file LIKE '%activities-more.csv'")"
after=$(sum_state)
if [ "$before" = "$after" ]; then
    expect_eq "the summaries changed with the data" "not $before" "$after"
fi
out=$(hm check); rc=$?
expect_eq "check after the later exports" 0 "$rc"
expect_match "summaries equal a recount after updates" "ok +summaries" "$out"
expect_match "outside rows equal a recount after updates" "ok +activity_outside" "$out"
expect_match "runs of months counted equal a recount after updates" "ok +span_counts" "$out"
# The ended pairings leave their later activity rows outside a pairing.
outside_after=$(q "SELECT count(*) FROM activity_outside")
[ "$outside_after" -gt "$outside_before" ] ||
    expect_eq "more rows outside a pairing after pairings ended" "more than $outside_before" "$outside_after"
# A volunteer added to a known activity makes it one of several volunteers.
crews_after=$(q "SELECT count(*) FROM activity_crews")
[ "$crews_after" -gt "$crews_before" ] ||
    expect_eq "more activity_crews rows after volunteers joined activities" \
        "more than $crews_before" "$crews_after"
# A participant added to a known activity is not a new activity.
expect_eq "events of the added participants' months unchanged by them" "" "$(q "
SELECT e.month || ' ' || e.type FROM month_events e
 WHERE e.events <> (SELECT count(DISTINCT activity_id) FROM activities a
                     WHERE substr(a.date, 1, 7) = e.month AND a.type = e.type)")"

# Migration: the kind tables under schema version 1, then `himama init`.
sqlite3 -batch v1.db < "$ROOT/tests/fixtures/schema_v1.sql"
sqlite3 -batch v1.db "
ATTACH 'h.db' AS n;
INSERT INTO towns SELECT town_code, town_name, ingest_id, line FROM n.towns;
INSERT INTO children SELECT * FROM n.children;
INSERT INTO volunteers SELECT volunteer_id, name, role, phone, town_code, sector, organization,
    specialties, joined_on, pool, ingest_id, line FROM n.volunteers;
INSERT INTO pairings SELECT * FROM n.pairings;
INSERT INTO activities SELECT * FROM n.activities;
INSERT INTO child_months SELECT child_id, month, contacts, last_contact FROM n.child_months;
INSERT INTO volunteer_months SELECT volunteer_id, month, activities, last_activity
    FROM n.volunteer_months;
PRAGMA user_version = 1;"
out=$("$HIMAMA" --db v1.db --out out1 report monthly 2026-09 2>&1); rc=$?
expect_eq "a report on an old database fails" 3 "$rc"
expect_match "and says how to upgrade" "schema version 1.*himama init" "$out"
out=$("$HIMAMA" --db v1.db init 2>&1); rc=$?
expect_eq "init migrates" 0 "$rc"
expect_match "init says so" "from schema version 1 to 9" "$out"
expect_eq "schema version" 9 "$(sqlite3 v1.db "PRAGMA user_version")"
for t in month_events child_spans child_months volunteer_months activity_outside \
         span_counts span_gaps activity_crews; do
    expect_eq "migrated $t equals the ingested one" "0" "$(sqlite3 v1.db "
        ATTACH 'h.db' AS n;
        SELECT (SELECT count(*) FROM (SELECT * FROM $t EXCEPT SELECT * FROM n.$t))
             + (SELECT count(*) FROM (SELECT * FROM n.$t EXCEPT SELECT * FROM $t))")"
done

# What version 9 added (volunteers' birth dates), version 8 (activity_crews),
# version 7 (feedback) and version 6 (units, rollups), dropped to make
# older versions.
V9_DROP="ALTER TABLE volunteers DROP COLUMN birth_date;"
V8_DROP="$V9_DROP DROP TABLE activity_crews;"
V7_DROP="$V8_DROP DROP TABLE feedback;"
V6_DROP="$V7_DROP DROP VIEW units; DROP VIEW town_units; DROP TABLE rollups;
    ALTER TABLE towns DROP COLUMN district; ALTER TABLE towns DROP COLUMN city;
    ALTER TABLE towns DROP COLUMN province; ALTER TABLE ingest_log DROP COLUMN rollup;"

# Schema version 2: the same database without version 3's tables.
cp h.db v2.db
sqlite3 -batch v2.db "$V6_DROP DROP TABLE activity_outside; DROP TRIGGER span_counts_insert;
    DROP TRIGGER span_counts_delete; DROP TRIGGER span_counts_update;
    DROP TABLE span_counts; DROP TABLE span_gaps; ALTER TABLE ingest_log DROP COLUMN sheet;
    ALTER TABLE volunteer_months DROP COLUMN participations;
    ALTER TABLE volunteer_months DROP COLUMN minutes;
    ALTER TABLE volunteer_months DROP COLUMN no_minutes;
    PRAGMA user_version = 2;"
out=$("$HIMAMA" --db v2.db init 2>&1); rc=$?
expect_eq "init migrates from version 2" 0 "$rc"
expect_match "init says so" "from schema version 2 to 9" "$out"
expect_eq "activity_outside counted by the migration" "0" "$(sqlite3 v2.db "
    ATTACH 'h.db' AS n;
    SELECT (SELECT count(*) FROM (SELECT * FROM activity_outside EXCEPT SELECT * FROM n.activity_outside))
         + (SELECT count(*) FROM (SELECT * FROM n.activity_outside EXCEPT SELECT * FROM activity_outside))")"
for t in span_counts span_gaps volunteer_months activity_crews; do
    expect_eq "$t counted by the migration from version 2" "0" "$(sqlite3 v2.db "
        ATTACH 'h.db' AS n;
        SELECT (SELECT count(*) FROM (SELECT * FROM $t EXCEPT SELECT * FROM n.$t))
             + (SELECT count(*) FROM (SELECT * FROM n.$t EXCEPT SELECT * FROM $t))")"
done
expect_eq "and kept after it" "0" "$("$HIMAMA" --db v2.db check >/dev/null 2>&1; echo $?)"

# Schema version 4: the same database without version 5's service hours.
cp h.db v4.db
sqlite3 -batch v4.db "$V6_DROP ALTER TABLE volunteer_months DROP COLUMN participations;
    ALTER TABLE volunteer_months DROP COLUMN minutes;
    ALTER TABLE volunteer_months DROP COLUMN no_minutes;
    PRAGMA user_version = 4;"
out=$("$HIMAMA" --db v4.db init 2>&1); rc=$?
expect_eq "init migrates from version 4" 0 "$rc"
expect_match "init says so" "from schema version 4 to 9" "$out"
expect_eq "volunteer_months' hours counted by the migration from version 4" "0" "$(sqlite3 v4.db "
    ATTACH 'h.db' AS n;
    SELECT (SELECT count(*) FROM (SELECT * FROM volunteer_months EXCEPT SELECT * FROM n.volunteer_months))
         + (SELECT count(*) FROM (SELECT * FROM n.volunteer_months EXCEPT SELECT * FROM volunteer_months))")"
expect_eq "the hours are not all zero" "1" "$(sqlite3 v4.db "
    SELECT sum(minutes) > 0 AND sum(participations) > 0 FROM volunteer_months")"
expect_eq "and kept after it" "0" "$("$HIMAMA" --db v4.db check >/dev/null 2>&1; echo $?)"

# Schema version 5: without version 6's units; towns loaded before belong
# to the organisation's own district.
cp h.db v5.db
sqlite3 -batch v5.db "$V6_DROP PRAGMA user_version = 5;"
out=$("$HIMAMA" --db v5.db init 2>&1); rc=$?
expect_eq "init migrates from version 5" 0 "$rc"
expect_match "init says so" "from schema version 5 to 9" "$out"
expect_eq "the towns have no units above them" \
    "$(sqlite3 h.db "SELECT count(*) FROM towns")|0" \
    "$(sqlite3 v5.db "SELECT count(*), count(district) + count(city) + count(province) FROM towns")"
schema_cols="SELECT m.type, m.name, p.cid, p.name, p.type, p.pk FROM sqlite_schema m,
    pragma_table_info(m.name) p ORDER BY m.name, p.cid"
expect_eq "the tables and views are the new database's, column by column" \
    "$(sqlite3 h.db "$schema_cols" | md5sum)" "$(sqlite3 v5.db "$schema_cols" | md5sum)"
expect_eq "and kept after it" "0" "$("$HIMAMA" --db v5.db check >/dev/null 2>&1; echo $?)"

# Schema version 6: the same database without version 7's feedback table.
cp h.db v6.db
sqlite3 -batch v6.db "$V7_DROP PRAGMA user_version = 6;"
out=$("$HIMAMA" --db v6.db init 2>&1); rc=$?
expect_eq "init migrates from version 6" 0 "$rc"
expect_match "init says so" "from schema version 6 to 9" "$out"
expect_eq "the feedback table is the new schema's" \
    "$(sqlite3 h.db "SELECT sql FROM sqlite_master WHERE name LIKE 'feedback%' ORDER BY name")" \
    "$(sqlite3 v6.db "SELECT sql FROM sqlite_master WHERE name LIKE 'feedback%' ORDER BY name")"

# Schema version 7: the same database without version 8's activity_crews.
cp h.db v7.db
sqlite3 -batch v7.db "$V8_DROP PRAGMA user_version = 7;"
out=$("$HIMAMA" --db v7.db init 2>&1); rc=$?
expect_eq "init migrates from version 7" 0 "$rc"
expect_match "init says so" "from schema version 7 to 9" "$out"
expect_eq "activity_crews counted by the migration from version 7" "0" "$(sqlite3 v7.db "
    ATTACH 'h.db' AS n;
    SELECT (SELECT count(*) FROM (SELECT * FROM activity_crews EXCEPT SELECT * FROM n.activity_crews))
         + (SELECT count(*) FROM (SELECT * FROM n.activity_crews EXCEPT SELECT * FROM activity_crews))")"
expect_eq "and not empty" "1" "$(sqlite3 v7.db "SELECT count(*) > 0 FROM activity_crews")"

# Schema version 8: without version 9's volunteers' birth dates.  The
# volunteers loaded before have none until their file comes again.
cp h.db v8.db
sqlite3 -batch v8.db "$V9_DROP PRAGMA user_version = 8;"
out=$("$HIMAMA" --db v8.db init 2>&1); rc=$?
expect_eq "init migrates from version 8" 0 "$rc"
expect_match "init says so" "from schema version 8 to 9" "$out"
expect_eq "the tables and views are the new database's, column by column (from 8)" \
    "$(sqlite3 h.db "$schema_cols" | md5sum)" "$(sqlite3 v8.db "$schema_cols" | md5sum)"
expect_eq "no birth date after the migration" "0" \
    "$(sqlite3 v8.db "SELECT count(birth_date) FROM volunteers")"
out=$("$HIMAMA" --db v8.db ingest --force data/志愿者*.csv 2>&1); rc=$?
expect_eq "the volunteers' file again" 0 "$rc"
expect_eq "the volunteers' file again gives the birth dates, as updates" \
    "$(sqlite3 h.db "SELECT count(birth_date) FROM volunteers")|0" \
    "$(sqlite3 v8.db "ATTACH 'h.db' AS n; SELECT count(v.birth_date), count(*) FILTER
        (WHERE v.birth_date IS NOT n.birth_date) FROM volunteers v JOIN n.volunteers n USING
        (volunteer_id)")"
expect_eq "and kept after it" "0" "$("$HIMAMA" --db v7.db check >/dev/null 2>&1; echo $?)"
finish
