#!/usr/bin/env bash
# End-to-end: faults while a report is written.
#  - SIGKILL at random moments while rendering: the report at its final
#    path is the previous one, whole (or absent before the first), never a
#    truncated file; the temporaries left are hidden and the next run
#    removes them.
#  - A write error (file size limit) and a full file system (a small tmpfs,
#    when this machine lets the test mount one): exit 3 with a message,
#    nothing at the final path, the previous report intact.
#  - A database that is not a database, or is corrupt: a clear error,
#    exit 3, no report, the file untouched; `run` keeps the inbox's files in
#    processing for the next run.
. "$(dirname "$0")/../e2e_lib.sh"
KILLS=${KILLS:-25}

"$HIMAMA" synth --scale district --seed 3 --until 2026-09-30 --quiet syn
hm ingest syn 2>/dev/null
D=out/monthly/2026-09/internal
names="briefing.pdf tables.xlsx manifest.json"

# Kills before any report exists: nothing, or the whole report.
# Kills after a good report: that report, byte for byte (SOURCE_DATE_EPOCH
# makes every rendering identical).
hm report monthly 2026-09 > /dev/null 2>&1 || { echo "FAIL: reference report"; fails=$((fails + 1)); }
ref=$(cd "$D" && md5sum $names)
rm -rf out
for i in $(seq 1 "$KILLS"); do
    "$HIMAMA" --db "$T/h.db" --out "$T/out" report monthly 2026-09 > /dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 250)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    for f in $names; do
        [ -e "$D/$f" ] || continue
        [ "$(cd "$D" && md5sum "$f")" = "$(printf '%s\n' "$ref" | grep " $f\$")" ] ||
            { echo "FAIL: kill $i: $f at its final path is not a whole report"; fails=$((fails + 1)); }
    done
    visible=$(ls "$D" 2>/dev/null | grep -vxE 'briefing\.pdf|tables\.xlsx|manifest\.json')
    expect_eq "kill $i: no other visible file" "" "$visible"
done
echo "render_faults: $KILLS kills, $(ls -A "$D" 2>/dev/null | grep -c '\.tmp-') temporaries left by killed renders"

# A run removes the temporaries of killed reports and writes whole reports.
mkdir -p inbox
HIMAMA_INBOX=inbox HIMAMA_LOG=run.log hm run monthly 2026-09 > run.out 2>&1; rc=$?
expect_eq "run after the kills: exit" 0 "$rc"
expect_eq "no temporaries left" "" "$(ls -A "$D" | grep '\.tmp-')"
expect_eq "the report is whole" "$ref" "$(cd "$D" && md5sum $names)"

# A write error while rendering: the file size limit, with SIGXFSZ ignored
# so that write(2) fails with EFBIG instead of killing the process.
(trap '' XFSZ; ulimit -f 64; exec "$HIMAMA" --db "$T/h.db" --out "$T/out" report monthly 2026-09) > fsz.out 2> fsz.err; rc=$?
expect_eq "write error: exit 3" 3 "$rc"
expect_match "write error: message" "report monthly 2026-09 \(internal\) not written: " "$(cat fsz.err)"
expect_eq "write error: the previous report intact" "$ref" "$(cd "$D" && md5sum $names)"
expect_eq "write error: no temporaries" "" "$(ls -A "$D" | grep '\.tmp-')"
rm -rf fresh
(trap '' XFSZ; ulimit -f 64; exec "$HIMAMA" --db "$T/h.db" --out "$T/fresh" report monthly 2026-09) > /dev/null 2>&1; rc=$?
expect_eq "write error, no previous report: exit 3" 3 "$rc"
expect_eq "write error, no previous report: nothing at the final path" "" "$(ls -A fresh/monthly/2026-09/internal 2>/dev/null)"

# A full file system: a 64 KB tmpfs (the PDF is larger).  Skipped when
# mounting is not allowed here.
mkdir -p small
if mount -t tmpfs -o size=64k,mode=0700 himama-test small 2>/dev/null; then
    trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
    "$HIMAMA" --db "$T/h.db" --out "$T/small/out" report monthly 2026-09 > /dev/null 2> full.err; rc=$?
    expect_eq "disk full: exit 3" 3 "$rc"
    expect_match "disk full: message" "not written: " "$(cat full.err)"
    expect_eq "disk full: nothing at the final path" "" "$(ls small/out/monthly/2026-09/internal 2>/dev/null)"
    expect_eq "disk full: no temporaries" "" "$(ls -A small/out/monthly/2026-09/internal 2>/dev/null)"
    umount small
    trap 'rm -rf "$T"' EXIT
else
    echo "render_faults: disk-full case skipped (cannot mount a tmpfs here)"
fi

# Not a database, and a corrupt one (every page after the schema's
# overwritten): exit 3, a clear message, the file untouched, no report.
printf 'name,phone\n%.0s' {1..300} > notdb.db
cp h.db corrupt.db
pages=$(( $(stat -c %s corrupt.db) / 4096 ))
dd if=/dev/urandom of=corrupt.db bs=4096 seek=2 count=$((pages - 2)) conv=notrunc 2>/dev/null
for db in notdb corrupt; do
    sum=$(md5sum < $db.db)
    "$HIMAMA" --db $db.db --out "$T/o-$db" report monthly 2026-09 > /dev/null 2> $db.err; rc=$?
    expect_eq "$db: report exit 3" 3 "$rc"
    expect_match "$db: clear message" "'$db.db' is not a usable himama database" "$(cat $db.err)"
    expect_eq "$db: untouched by report" "$sum" "$(md5sum < $db.db)"
    expect_eq "$db: no report" "" "$(find o-$db -type f 2>/dev/null)"
    rm -rf in-$db && mkdir in-$db && cp syn/towns.csv syn/children.csv in-$db/
    HIMAMA_INBOX=in-$db HIMAMA_LOG=$db.log "$HIMAMA" --db $db.db --out "$T/o-$db" run monthly 2026-09 > $db.run 2> $db.runerr; rc=$?
    expect_eq "$db: run exit 3" 3 "$rc"
    expect_match "$db: run summary" "^himama run monthly 2026-09: FAILED: 2 files, 0 rows, 0 rejected, 2 kept in processing; reports NOT written" "$(cat $db.run)"
    expect_eq "$db: files kept in processing" "children.csv towns.csv" "$(ls processing | tr '\n' ' ' | sed 's/ $//')"
    expect_eq "$db: untouched by run" "$sum" "$(md5sum < $db.db)"
    expect_eq "$db: no report from run" "" "$(find o-$db -type f 2>/dev/null)"
    rm -rf processing
done
finish
