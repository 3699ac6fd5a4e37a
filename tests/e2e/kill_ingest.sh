#!/usr/bin/env bash
# End-to-end: SIGKILL during a large ingest, again and again.  After every
# kill the database must be sound (`himama check`, PRAGMA integrity_check)
# and hold either nothing of the big file or all of it; a final ingest then
# completes, and the activities table, the rejects table and the rejects
# file equal those of a clean run in another database, byte for byte: no
# duplicates, no losses.  One row in a hundred is rejected (a wrong type), so
# the rejects file is being written when the kills land.
#
# KILL_ITERATIONS (default 20) kills; KILL_ROWS rows in the big file, by
# default as many as this machine loads in about 1.5 seconds (measured on a
# small file first; at most 300,000), so that the test stays well under a
# minute in the plain and the sanitizer builds alike.  The kill moments come
# from $RANDOM with a fixed seed, scaled to the time a clean run of the big
# file takes, so most kills land in the middle of a load.
. "$(dirname "$0")/../e2e_lib.sh"
ITER=${KILL_ITERATIONS:-20}
RANDOM=20261015

# A small programme: 3 towns, 200 children, 100 volunteers, each child
# paired with one volunteer; then ROWS activity rows of paired couples.
mkdir in
awk 'BEGIN { print "town_code,town_name";
             for (t = 1; t <= 3; t++) printf "HM%02d,town %d\n", t, t }' > in/towns.csv
awk 'BEGIN { print "child_id,name,gender,birth_date,town_code,category,registered_on";
             for (c = 1; c <= 200; c++)
                 printf "C%03d,child %d,%s,2014-%02d-%02d,HM%02d,left_behind,2024-01-10\n",
                        c, c, (c % 2 ? "F" : "M"), c % 12 + 1, c % 28 + 1, c % 3 + 1 }' > in/children.csv
awk 'BEGIN { print "volunteer_id,name,role,town_code,sector,joined_on,pool";
             for (v = 1; v <= 100; v++)
                 printf "V%03d,volunteer %d,mother,HM%02d,teacher,2023-05-01,paired\n",
                        v, v, v % 3 + 1 }' > in/volunteers.csv
awk 'BEGIN { print "pairing_id,volunteer_id,child_id,started_on";
             for (c = 1; c <= 200; c++)
                 printf "P%03d,V%03d,C%03d,2024-02-01\n", c, (c - 1) % 100 + 1, c }' > in/pairings.csv
# activities ROWS FILE: ROWS activity rows of paired couples, every
# hundredth with a wrong type.
activities() {
    awk -v rows="$1" 'BEGIN {
        print "activity_id,date,type,volunteer_id,child_id,minutes,title,notes"
        split("call reading holiday birthday icebreak warmth knowledge study_trip counselling other", ty, " ")
        for (n = 1; n <= rows; n++) {
            c = n % 200 + 1
            printf "A%07d,2026-%02d-%02d,%s,V%03d,C%03d,%d,title %d,\"note, %d\"\n",
                   n, n % 9 + 1, n % 28 + 1, (n % 100 ? ty[n % 10 + 1] : "bogus"),
               (c - 1) % 100 + 1, c,
                   n % 120, n, n
        }
    }' > "$2"
}

# hm_at DB ARGS...: himama on another database, with its own output folder.
hm_at() { "$HIMAMA" --db "$1" --out "$1.out" "${@:2}"; }
ms_now() { date +%s%3N; }

if [ -n "${KILL_ROWS:-}" ]; then
    ROWS=$KILL_ROWS
else
    activities 40000 cal-activities.csv
    hm_at "$T/cal.db" ingest in 2>/dev/null
    t0=$(ms_now)
    hm_at "$T/cal.db" ingest cal-activities.csv 2>/dev/null
    cal=$(( $(ms_now) - t0 + 1 ))
    ROWS=$(( 40000 * 1500 / cal / 10000 * 10000 ))
    [ "$ROWS" -ge 20000 ] || ROWS=20000
    [ "$ROWS" -le 300000 ] || ROWS=300000
fi
activities "$ROWS" activities-big.csv
LOADED=$((ROWS - ROWS / 100))

md5_of() {
    sqlite3 -batch -noheader "$1" "SELECT * FROM activities ORDER BY activity_id, volunteer_id, child_id" | md5sum
}

# The clean run, in its own database, timed.
hm_at "$T/clean.db" ingest in 2>/dev/null; rc=$?
expect_eq "clean: small kinds load" 0 "$rc"
t0=$(ms_now)
hm_at "$T/clean.db" ingest activities-big.csv 2>/dev/null; rc=$?
dur=$(( $(ms_now) - t0 ))
expect_eq "clean: big file loads, some rows rejected" 2 "$rc"
expect_eq "clean: every good activity row" "$LOADED" \
    "$(sqlite3 -batch -noheader "$T/clean.db" "SELECT count(*) FROM activities")"
clean_md5=$(md5_of "$T/clean.db")

# The database under test: the small kinds, then kills during the big one.
hm ingest in 2>/dev/null; rc=$?
expect_eq "small kinds load" 0 "$rc"
cp "$T/h.db" "$T/base.db"   # WAL checkpointed at close; for restarts
[ -e "$T/h.db-wal" ] && cp "$T/h.db-wal" "$T/base.db-wal"

killed=0 completed=0 no_rejects_file=0
for i in $(seq 1 "$ITER"); do
    # Most kills land inside the load: 0 to 85% of a clean run's time.
    delay=$(( RANDOM * 32768 + RANDOM ))
    delay=$(( delay % (dur * 85 / 100 + 1) ))
    ( exec "$HIMAMA" --db "$T/h.db" --out "$T/out" ingest activities-big.csv 2>/dev/null ) &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null

    n=$(q "SELECT count(*) FROM activities")
    if [ "$n" = "$LOADED" ]; then completed=$((completed + 1)); else killed=$((killed + 1)); fi
    if [ "$n" != 0 ] && [ "$n" != "$LOADED" ]; then
        expect_eq "iteration $i (kill after ${delay} ms): all or nothing" "0 or $LOADED" "$n"
    fi
    logged=$(q "SELECT count(*) || '|' || coalesce(sum(rows_loaded), 0) FROM ingest_log WHERE file LIKE '%activities-big.csv' AND status = 'loaded'")
    if [ "$n" = 0 ]; then
        expect_eq "iteration $i: nothing logged for a file not loaded" "0|0" "$logged"
    else
        expect_eq "iteration $i: the load logged once" "1|$LOADED" "$logged"
    fi
    expect_eq "iteration $i: integrity_check" ok "$(q "PRAGMA integrity_check")"
    hm check >check.out 2>&1; rc=$?
    expect_eq "iteration $i: himama check" 0 "$rc"
    [ "$rc" = 0 ] || cat check.out
    expect_eq "iteration $i: rejects rows all or nothing" "$([ "$n" = 0 ] && echo 0 || echo $((ROWS / 100)))" \
        "$(q "SELECT count(*) FROM rejects")"
    if [ "$n" = "$LOADED" ]; then
        # Committed: its rejects file must be there too (see the note below).
        id=$(q "SELECT id FROM ingest_log WHERE file LIKE '%activities-big.csv' AND status = 'loaded'")
        # Committed but killed before the rename: the complete file waits
        # under its pending name, and the next ingest moves it into place.
        if [ ! -f "$T/out/rejects/$id-activities-big.csv.rejects.csv" ]; then
            no_rejects_file=$((no_rejects_file + 1))
            expect_eq "iteration $i: committed load has its rejects file, or it is pending" present \
                "$([ -f "$T/out/rejects/.$id-activities-big.csv.rejects.csv.pending" ] && echo present || echo missing)"
        fi
    fi
    if [ "$n" = "$LOADED" ] && [ "$i" -lt "$ITER" ]; then
        # Finished before the kill: start again from the small kinds, so
        # that the next kill lands in a load again.
        rm -f "$T/h.db" "$T/h.db-wal" "$T/h.db-shm"
        cp "$T/base.db" "$T/h.db"
        [ -e "$T/base.db-wal" ] && cp "$T/base.db-wal" "$T/h.db-wal"
    fi
done
echo "kill test: $ITER kills, $killed before the commit, $completed after it; clean run ${dur} ms for $ROWS rows"
[ "$killed" -gt 0 ] || expect_eq "kills before the commit" "> 0" "$killed"

# The final ingest completes and matches the clean run exactly.
# (Exit 2 for the rows rejected; 0 when the last kill came after the commit
# and the file is skipped as loaded.)
want=2; [ "$(q "SELECT count(*) FROM activities")" = 0 ] || want=0
hm ingest activities-big.csv 2>final.err; rc=$?
expect_eq "final ingest: exit" "$want" "$rc"
expect_eq "final: every good row, no more" "$LOADED" "$(q "SELECT count(*) FROM activities")"
expect_eq "final: same table as a clean run" "$clean_md5" "$(md5_of "$T/h.db")"
expect_eq "final: loaded once" 1 \
    "$(q "SELECT count(*) FROM ingest_log WHERE file LIKE '%activities-big.csv' AND status = 'loaded'")"
rejects_of() {
    sqlite3 -batch -noheader "$1" "SELECT * FROM rejects ORDER BY ingest_id, line" | md5sum
}
expect_eq "final: same rejects as a clean run" "$(rejects_of "$T/clean.db")" "$(rejects_of "$T/h.db")"
id=$(q "SELECT id FROM ingest_log WHERE file LIKE '%activities-big.csv' AND status = 'loaded'")
clean_id=$(sqlite3 -batch -noheader "$T/clean.db" \
    "SELECT id FROM ingest_log WHERE file LIKE '%activities-big.csv' AND status = 'loaded'")
rf=$T/out/rejects/$id-activities-big.csv.rejects.csv
expect_eq "final: same rejects file as a clean run" \
    "$(md5sum < "$T/clean.db.out/rejects/$clean_id-activities-big.csv.rejects.csv")" \
    "$(md5sum < "$rf" 2>&1)"
hm check >/dev/null 2>&1; rc=$?
expect_eq "final: himama check" 0 "$rc"

# Every ingest first finishes what a killed one left: pending rejects files
# of committed loads are renamed into place, those of rolled-back loads
# removed.  After the final ingest nothing temporary is left.
stale=$(find "$T/out" -name '*.tmp-*' -o -name '*.pending' | wc -l)
echo "kills between commit and rename (rejects file pending): $no_rejects_file;" \
     "temporary files left at the end: $stale"
expect_eq "final: no temporary files left in out" 0 "$stale"

# Once more: the same file is skipped, nothing doubles.
hm ingest activities-big.csv 2>/dev/null
expect_eq "re-ingest: nothing doubles" "$LOADED" "$(q "SELECT count(*) FROM activities")"
finish
