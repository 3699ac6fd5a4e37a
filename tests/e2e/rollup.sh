#!/usr/bin/env bash
# End-to-end: `himama rollup` of three districts of the synthetic city
# (synth --per-district) gives the same rows, summaries and report figures
# as one ingest of the three districts' files with their IDs qualified
# (tests/tools/qualify_ids.py); `himama check` passes on it; rolling up a
# changed district replaces that district's rows and only those; a file
# rolled up unchanged is skipped, an older one refused; a district database
# of an older schema is migrated in a copy, never modified; and a rollup
# killed at twelve different moments leaves each district wholly old or
# wholly new.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${PY:-/usr/bin/python3}
D="HM CC TZ"

"$HIMAMA" synth --scale city --seed 7 --until 2026-09-30 --per-district pd >/dev/null 2>&1 || exit 1
for d in $D; do
    "$HIMAMA" --db "$d.db" --out o ingest "pd/$d" >/dev/null 2>&1
    expect_eq "district $d ingests" 0 "$?"
done
out=$(hm rollup HM=HM.db CC=CC.db TZ=TZ.db 2>&1); rc=$?
expect_eq "rollup succeeds" 0 "$rc"
expect_match "says what it did" "TZ: added from 'TZ.db' \(SHA-256 [0-9a-f]{12}, schema version 9" "$out"
expect_eq "check passes on the rolled-up database" 0 "$(hm check >/dev/null 2>&1; echo $?)"
expect_eq "the rollups table names each district by SHA-256" \
    "CC $(sha256sum CC.db | cut -c1-64)|HM $(sha256sum HM.db | cut -c1-64)|TZ $(sha256sum TZ.db | cut -c1-64)" \
    "$(q "SELECT group_concat(code || ' ' || sha256, '|') FROM (SELECT * FROM rollups ORDER BY code)")"

# One ingest of the three districts' files, their IDs qualified.
for d in $D; do "$PY" "$ROOT/tests/tools/qualify_ids.py" "$d" "pd/$d" "qd/$d"; done
"$HIMAMA" --db one.db --out o1 ingest qd/HM qd/CC qd/TZ >/dev/null 2>&1
# Every table but the ingest log's own ids: the same rows.
same_rows() {   # TABLE COLUMNS
    sqlite3 -batch h.db "ATTACH 'one.db' AS o;
        SELECT (SELECT count(*) FROM (SELECT $2 FROM main.$1 EXCEPT SELECT $2 FROM o.$1))
             + (SELECT count(*) FROM (SELECT $2 FROM o.$1 EXCEPT SELECT $2 FROM main.$1))
             + abs((SELECT count(*) FROM main.$1) - (SELECT count(*) FROM o.$1))"
}
for t in towns children volunteers pairings activities wishes donations expenditures trainings \
         attendance stories feedback child_months volunteer_months month_events month_town_events activity_crews \
         child_spans activity_outside span_counts span_gaps; do
    cols=$(sqlite3 h.db "SELECT group_concat('\"' || name || '\"') FROM pragma_table_info('$t')
                          WHERE name <> 'ingest_id'")
    expect_eq "$t: the rolled-up rows are those of one ingest" 0 "$(same_rows "$t" "$cols")"
done
# Columns added later are carried too: the volunteers' birth dates.
expect_eq "the volunteers' birth dates rolled up, every district's" \
    "$(for d in $D; do sqlite3 "$d.db" "SELECT count(birth_date) FROM volunteers"; done |
       awk '{ s += $1 } END { print (s > 0) "|" s }')" \
    "$(q "SELECT count(birth_date) > 0, count(birth_date) FROM volunteers")"
# The reports' figures (the manifests' figures and every section's rows).
figures() {     # DB OUT
    "$HIMAMA" --db "$1" --out "$2" report monthly 2026-09 --audience internal >/dev/null 2>&1
    "$HIMAMA" --db "$1" --out "$2" report annual 2025 --audience internal >/dev/null 2>&1
    "$PY" -c '
import json, sys
for kind, p in (("monthly", "2026-09"), ("annual", "2025")):
    m = json.load(open(f"{sys.argv[1]}/{kind}/{p}/internal/manifest.json"))
    print(kind, json.dumps(m["figures"], sort_keys=True))
    for s in m["sections"]:
        print(kind, s["id"], s["rows"])' "$2"
}
fig_roll=$(figures h.db out)
fig_one=$(figures one.db o1)
expect_eq "the rolled-up report's figures are those of one ingest" "$fig_one" "$fig_roll"
expect_match "and they are figures" "monthly .*children_paired" "$fig_roll"
expect_eq "the manifest lists each district database by SHA-256 and its last ingest" \
    "$(q "SELECT group_concat(code || ' ' || sha256 || ' ' || last_ingest, '|') FROM
          (SELECT * FROM rollups ORDER BY code)")" \
    "$("$PY" -c 'import json, sys
m = json.load(open(sys.argv[1]))
print("|".join(" ".join((r["code"], r["sha256"], r["last_ingest"])) for r in m["rollups"]))' \
        out/monthly/2026-09/internal/manifest.json)"
expect_eq "one ingest's manifest has no rollups" "no" \
    "$("$PY" -c 'import json, sys; print("rollups" in json.load(open(sys.argv[1])) and "yes" or "no")' \
        o1/monthly/2026-09/internal/manifest.json)"

# A district's file is not "loaded before" in the city: the city's own
# ingest of it loads it (here into TZ's copy of the towns, unchanged).
out=$(hm ingest pd/TZ/towns.csv 2>&1)
expect_match "a file a district loaded is read by the city" "9 read: 9 loaded" "$out"
q "DELETE FROM towns WHERE town_code NOT LIKE '%:%'"

# Rolled up again unchanged: skipped.
out=$(hm rollup TZ=TZ.db 2>&1)
expect_match "an unchanged file is skipped" "TZ: unchanged" "$out"

# A changed district: TZ2 is TZ with one more month of a child's calls
# and a child exited; only TZ's rows change.
cp TZ.db TZ2.db
cid=$(sqlite3 TZ2.db "SELECT child_id FROM children ORDER BY child_id LIMIT 1")
vid=$(sqlite3 TZ2.db "SELECT volunteer_id FROM pairings WHERE child_id = '$cid' LIMIT 1")
printf 'activity_id,date,type,volunteer_id,child_id,minutes\nAZ1,2026-09-30,call,%s,%s,20\n' \
    "$vid" "$cid" > activities-extra.csv
SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 86400)) \
    "$HIMAMA" --db TZ2.db --out o ingest activities-extra.csv >/dev/null 2>&1
district_state() {  # DB CODE: a digest of the district's rows
    sqlite3 -batch -cmd ".timeout 5000" "$1" "
        SELECT count(*), group_concat(activity_id) FROM (SELECT activity_id FROM activities
         WHERE activity_id >= '$2:' AND activity_id < '$2;' ORDER BY 1);
        SELECT count(*), sum(contacts) FROM child_months WHERE child_id >= '$2:' AND child_id < '$2;';
        SELECT count(*) FROM ingest_log WHERE rollup = '$2';
        SELECT sha256 FROM rollups WHERE code = '$2';" | md5sum | cut -c1-32
}
hm_before=$(district_state h.db HM); cc_before=$(district_state h.db CC)
tz_old=$(district_state h.db TZ)
events_before=$(q "SELECT sum(events) FROM month_events")
out=$(hm rollup TZ=TZ2.db 2>&1)
expect_match "a changed file replaces the district" "TZ: replaced from 'TZ2.db'" "$out"
tz_new=$(district_state h.db TZ)
expect_eq "HM's rows are untouched" "$hm_before" "$(district_state h.db HM)"
expect_eq "CC's rows are untouched" "$cc_before" "$(district_state h.db CC)"
expect_eq "TZ's rows changed" 1 "$([ "$tz_old" != "$tz_new" ] && echo 1)"
expect_eq "the new activity is there, qualified" 1 "$(q "SELECT count(*) FROM activities WHERE activity_id = 'TZ:AZ1'")"
expect_eq "month_events counts it once more" "$((events_before + 1))" "$(q "SELECT sum(events) FROM month_events")"
expect_eq "check passes after the replacement" 0 "$(hm check >/dev/null 2>&1; echo $?)"
out=$(hm rollup TZ=TZ.db 2>&1); rc=$?
expect_eq "an older file is refused" 1 "$rc"
expect_match "saying so" "older than the database of TZ" "$out"

# Killed at twelve moments, between the old TZ and the new: wholly one or
# the other, every time; the district files never change.
sums=$(sha256sum HM.db CC.db TZ.db TZ2.db)
bad=0 killed=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    f=TZ.db; [ $((i % 2)) = 0 ] && f=TZ2.db
    delay=$(printf '0.%03d' $((i * 9 + (i % 3) * 17)))
    { timeout -s KILL "$delay" "$HIMAMA" --db h.db --out out rollup --force "TZ=$f" \
          >/dev/null 2>&1; } 2>/dev/null; [ $? = 137 ] && killed=$((killed + 1))
    s=$(district_state h.db TZ)
    if [ "$s" != "$tz_old" ] && [ "$s" != "$tz_new" ]; then bad=$((bad + 1)); fi
    [ "$(district_state h.db HM)" = "$hm_before" ] || bad=$((bad + 1))
done
expect_eq "each kill left TZ wholly old or new and HM untouched" 0 "$bad"
expect_eq "some rollups were killed" 1 "$([ "$killed" -ge 3 ] && echo 1)"
expect_eq "check passes after the kills" 0 "$(hm check >/dev/null 2>&1; echo $?)"
expect_eq "the district files never changed" "$sums" "$(sha256sum HM.db CC.db TZ.db TZ2.db)"

# A district database of schema version 5: migrated in a copy.
cp HM.db HM5.db
sqlite3 -batch HM5.db "ALTER TABLE volunteers DROP COLUMN birth_date;
    DROP TABLE activity_crews; DROP TABLE feedback; DROP VIEW units; DROP VIEW town_units; DROP TABLE rollups;
    ALTER TABLE towns DROP COLUMN district; ALTER TABLE towns DROP COLUMN city;
    ALTER TABLE towns DROP COLUMN province; ALTER TABLE ingest_log DROP COLUMN rollup;
    PRAGMA user_version = 5; PRAGMA journal_mode = DELETE;" >/dev/null
sum5=$(sha256sum HM5.db)
out=$("$HIMAMA" --db old.db rollup H5=HM5.db 2>&1); rc=$?
expect_eq "a version 5 district rolls up" 0 "$rc"
expect_match "from schema version 5" "H5: added .*schema version 5" "$out"
expect_eq "its file is unchanged" "$sum5" "$(sha256sum HM5.db)"
expect_eq "its towns are in district H5" "9|9" \
    "$(sqlite3 old.db "SELECT count(*), sum(district = 'H5') FROM towns")"
expect_eq "check passes on it" 0 "$("$HIMAMA" --db old.db check >/dev/null 2>&1; echo $?)"
out=$(hm rollup 'A:B=HM.db' 2>&1); rc=$?
expect_eq "a code with ':' is refused" 1 "$rc"
finish
