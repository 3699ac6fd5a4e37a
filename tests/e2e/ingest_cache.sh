#!/usr/bin/env bash
# End-to-end: one ingest run keeps what it looked up (children and their
# towns, pairings) from file to file, and forgets it when a later file of
# that kind changes it.  Two workbooks in one run: the second moves a child
# to another town and ends its pairing early, then records activities.
# They must count in the new town and warn as outside the pairing, exactly
# as when each workbook is ingested by a run of its own.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${HIMAMA_PYTHON:-/usr/bin/python3}

mkdir a b
printf 'town_code,town_name\nT1,一镇\nT2,二镇\n' > a/towns.csv
printf 'child_id,name,birth_date,town_code\nC1,小一,2015-01-01,T1\nC2,小二,2015-02-01,T1\n' > a/children.csv
printf 'volunteer_id,name,town_code\nV1,甲,T1\n' > a/volunteers.csv
printf 'pairing_id,volunteer_id,child_id,started_on,ended_on\nP1,V1,C1,2026-01-01,\nP2,V1,C2,2026-01-01,\n' > a/pairings.csv
printf 'activity_id,date,type,volunteer_id,child_id\nA1,2026-02-10,call,V1,C1\nA2,2026-02-11,reading,V1,C2\n' > a/activities.csv
cp a/towns.csv a/volunteers.csv b/
# C1 moves to T2; P1 ends on 2026-02-15.
printf 'child_id,name,birth_date,town_code\nC1,小一,2015-01-01,T2\nC2,小二,2015-02-01,T1\n' > b/children.csv
printf 'pairing_id,volunteer_id,child_id,started_on,ended_on\nP1,V1,C1,2026-01-01,2026-02-15\nP2,V1,C2,2026-01-01,\n' > b/pairings.csv
printf 'activity_id,date,type,volunteer_id,child_id\nA3,2026-03-10,call,V1,C1\nA4,2026-03-11,call,V1,C2\n' > b/activities.csv
"$PY" "$ROOT/tests/tools/csv_to_workbook.py" a 1.xlsx && "$PY" "$ROOT/tests/tools/csv_to_workbook.py" b 2.xlsx ||
    { echo "FAIL: cannot write the workbooks"; exit 1; }

"$HIMAMA" --db one.db --out o1 ingest 1.xlsx 2.xlsx 2> one.err; rc=$?
expect_eq "one run: exit" 0 "$rc"
"$HIMAMA" --db two.db --out o2 ingest 1.xlsx 2> two.err && "$HIMAMA" --db two.db --out o2 ingest 2.xlsx 2>> two.err; rc=$?
expect_eq "two runs: exit" 0 "$rc"

s() { sqlite3 -batch -noheader "$1" "$2"; }
expect_eq "one run: the March call to the moved child counts in its new town" \
    "2026-03|T1|call|1 2026-03|T2|call|1" \
    "$(s one.db "SELECT month, town_code, type, events FROM month_town_events WHERE month = '2026-03' ORDER BY 2" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "one run: the call after the pairing ended is outside it" \
    "1" "$(s one.db "SELECT count(*) FROM warnings WHERE reason LIKE '%outside a pairing%' AND reason LIKE '%C1%2026-03-10%'")"
for t in month_town_events month_events child_months volunteer_months child_spans warnings; do
    expect_eq "table $t: one run equals two" \
        "$(s two.db "SELECT * FROM $t" | sed 's/^[0-9]*|//' | sort | md5sum)" \
        "$(s one.db "SELECT * FROM $t" | sed 's/^[0-9]*|//' | sort | md5sum)"
done
"$HIMAMA" --db one.db check > check.out 2>&1; rc=$?
expect_eq "one run: every summary equals its recount" 0 "$rc"
finish
