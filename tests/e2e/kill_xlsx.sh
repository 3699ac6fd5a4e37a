#!/usr/bin/env bash
# End-to-end: SIGKILL during the load of a 20-sheet workbook, again and
# again.  Each sheet commits alone; "loaded before" is the workbook's
# digest and the sheet, so a run after a kill loads the sheets the killed
# run did not commit, and skips the ones it did.  After every kill the
# database is sound and holds each sheet at most once; after a final run,
# every sheet exactly once, all its rows there.
#
# KILL_ITERATIONS (default 20) kills; KILL_SHEET_ROWS rows per sheet
# (default 1000).  The kill moments come from $RANDOM with a fixed seed,
# scaled to the time a clean run takes.
. "$(dirname "$0")/../e2e_lib.sh"
ITER=${KILL_ITERATIONS:-20}
ROWS=${KILL_SHEET_ROWS:-1000}
RANDOM=20261018
PY=${PY:-/usr/bin/python3}

"$PY" "$ROOT/tests/tools/make_hostile.py" --book20 book.xlsx "$ROWS"
hm_at() { "$HIMAMA" --db "$1" --out "$1.out" "${@:2}"; }
ms_now() { date +%s%3N; }

t0=$(ms_now)
hm_at "$T/clean.db" ingest book.xlsx >/dev/null 2>&1; rc=$?
dur=$(( $(ms_now) - t0 ))
echo "a clean run: $dur ms"
expect_eq "clean: the workbook loads" 0 "$rc"
expect_eq "clean: every row" $((20 * ROWS)) "$(sqlite3 "$T/clean.db" "SELECT count(*) FROM towns")"

# per_sheet DB: the most times any sheet was loaded, and how many sheets were.
per_sheet() {
    sqlite3 -batch -noheader "$1" "SELECT coalesce(max(n), 0) || ' ' || count(*) FROM
        (SELECT file, count(*) AS n FROM ingest_log WHERE status = 'loaded'
         AND file LIKE 'book.xlsx:%' GROUP BY file)"
}

# Rounds on fresh databases: kill the load again and again until a run
# completes, then check the round; until ITER kills have landed.
killed=0 round=0 tries=0
while [ "$killed" -lt "$ITER" ] && [ "$tries" -lt $((4 * ITER)) ]; do
    round=$((round + 1))
    db="$T/k$round.db"
    while [ "$killed" -lt "$ITER" ] && [ "$tries" -lt $((4 * ITER)) ]; do
        tries=$((tries + 1))
        "$HIMAMA" --db "$db" --out "$db.out" ingest book.xlsx >/dev/null 2>&1 &
        pid=$!
        sleep "$(awk -v r="$RANDOM" -v d="$dur" 'BEGIN { printf "%.3f", r / 32768 * d / 1000 }')"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        [ $? -eq 137 ] || break   # the run finished first: the round is done
        killed=$((killed + 1))
        expect_eq "kill $killed: database sound" ok "$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)"
        set -- $(per_sheet "$db")
        expect_eq "kill $killed: no sheet loaded twice" 1 "$([ "${1:-0}" -le 1 ] && echo 1)"
        rows=$(sqlite3 "$db" "SELECT count(*) FROM towns" 2>/dev/null)
        expect_eq "kill $killed: whole sheets only" 0 "$(( ${rows:-0} % ROWS ))"
    done
    # The final run of the round.
    "$HIMAMA" --db "$db" --out "$db.out" ingest book.xlsx >/dev/null 2>&1; rc=$?
    expect_eq "round $round: final run" 0 "$rc"
    expect_eq "round $round: every sheet loaded exactly once" "1 20" "$(per_sheet "$db")"
    expect_eq "round $round: the same rows as a clean run" \
        "$(sqlite3 "$T/clean.db" "SELECT town_code, town_name FROM towns ORDER BY 1" | md5sum)" \
        "$(sqlite3 "$db" "SELECT town_code, town_name FROM towns ORDER BY 1" | md5sum)"
    "$HIMAMA" --db "$db" check >/dev/null 2>&1
    expect_eq "round $round: himama check" 0 "$?"
done
echo "kills landed: $killed in $round rounds"
expect_eq "kills landed" "$ITER" "$killed"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
