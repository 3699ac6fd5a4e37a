#!/usr/bin/env bash
# End-to-end: two runs at once.  The first holds the database's lock for
# its whole run; a second run (or ingest, or init) exits 4 at once naming
# the holder's pid and touches nothing; the first then finishes untouched.
# The first run is stopped (SIGSTOP) while it holds the lock, so the test
# does not depend on timing.
. "$(dirname "$0")/../e2e_lib.sh"
export HIMAMA_INBOX=$T/inbox HIMAMA_LOG=$T/himama.log

"$HIMAMA" synth --scale district --seed 5 --until 2026-09-30 --quiet inbox
"$HIMAMA" synth --scale district --seed 5 --until 2026-09-30 --quiet ref
nfiles=$(ls inbox/*.csv | wc -l)

"$HIMAMA" --db "$T/h.db" --out "$T/out" run monthly > first.out 2> first.err &
first=$!
for _ in $(seq 1 500); do
    [ "$(cat h.db.lock 2>/dev/null)" = "$first" ] && break
    sleep 0.01
done
kill -STOP "$first"
expect_eq "the lock file names the first run" "$first" "$(cat h.db.lock 2>/dev/null)"

mkdir -p inbox && cp ref/towns.csv inbox/towns-late.csv
start=$(date +%s%N)
hm run monthly > second.out 2> second.err; rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "second run: exit 4" 4 "$rc"
expect_match "second run names the holder" "in use by another himama process \(pid $first\)" "$(cat second.err)"
expect_eq "second run: one line on stdout" 1 "$(wc -l < second.out)"
expect_match "second run: summary" "^himama run monthly 2026-09: database '[^']*' is in use by another himama process \(pid $first\)$" "$(cat second.out)"
[ "$elapsed" -lt 3000 ] || { echo "FAIL: second run waited ${elapsed} ms"; fails=$((fails + 1)); }
[ -f inbox/towns-late.csv ] || { echo "FAIL: second run moved a file"; fails=$((fails + 1)); }
hm ingest ref/towns.csv 2> ingest.err; rc=$?
expect_eq "ingest during a run: exit 4" 4 "$rc"
expect_match "ingest names the holder" "pid $first" "$(cat ingest.err)"
hm init 2> init.err; rc=$?
expect_eq "init during a run: exit 4" 4 "$rc"
# A report only reads: it may run beside the writer.

kill -CONT "$first"
wait "$first"; rc=$?
expect_eq "first run finishes: exit 0" 0 "$rc"
expect_match "first run's summary" "^himama run monthly 2026-09: [0-9]+ files, [0-9,]+ rows, 0 rejected(, [0-9,]+ warnings)?; reports written to $T/out/monthly/2026-09$" "$(cat first.out)"
expect_eq "first run: nothing on stderr but the warnings" "" \
    "$(grep -vE '^[^ ]+\.csv: [0-9]+ warnings?$|^  [^ ]+\.csv:[0-9]+: warning: |^  \.\.\. and [0-9]+ more warnings?' first.err)"
for a in internal public; do
    [ -s "out/monthly/2026-09/$a/briefing.pdf" ] || { echo "FAIL: first run: no $a briefing"; fails=$((fails + 1)); }
done
expect_eq "first run loaded every file once" "$nfiles" "$(q "SELECT count(*) FROM ingest_log WHERE status = 'loaded'")"
expect_eq "the lock is released" "" "$(cat h.db.lock)"
grep -q "finished, exit 0" himama.log || { echo "FAIL: first run's log has no end"; fails=$((fails + 1)); }
expect_match "second run logged" "in use by another himama process \(pid $first\)" "$(cat himama.log)"

# With the lock free again, the late file is taken (and skipped: loaded).
hm run monthly > third.out 2>&1; rc=$?
expect_eq "third run: exit 0" 0 "$rc"
expect_match "third run took the late file" "^himama run monthly 2026-09: 1 file, 0 rows, 0 rejected, 1 skipped" "$(cat third.out)"
finish
