#!/usr/bin/env bash
# The figures of every report agree with one another (issue 16): the demo's
# district (synth --scale district --seed 1, as `make demo`) and the city
# data set, each ingested; the last month, its half year, the year before
# and the whole period written in both audiences and both languages; then
# tests/tools/consistency.py reads them all (and writes the monthly reports
# its cross checks need from the same database).
#
# Under the sanitizers (make sanitize) the district alone: the city's
# reports take several minutes there, and the figures are the same code's.
. "$(dirname "$0")/../e2e_lib.sh"
export SOURCE_DATE_EPOCH=1796601600   # 2026-12-07, as tests/tools/same_outputs.sh
export HIMAMA_QUIET=1
PY=${PY:-/usr/bin/python3}

scales="district city"
case "$HIMAMA" in */build-san/*) scales=district ;; esac
for scale in $scales; do
    H=("$HIMAMA" --db "$T/$scale.db" --out "$T/out-$scale")
    "${H[@]}" synth --scale "$scale" --seed 1 "$T/data-$scale" >/dev/null
    "${H[@]}" init >/dev/null
    "${H[@]}" ingest "$T/data-$scale" >/dev/null 2>&1 || true
    month=$(sqlite3 "$T/$scale.db" "SELECT substr(max(date), 1, 7) FROM activities")
    year=$((${month%-*} - 1))
    half=$([ "${month#*-}" -ge 7 ] && echo "${month%-*}-H1" || echo "$year-H2")
    from=$(sqlite3 "$T/$scale.db" "SELECT min(date) FROM activities")
    to=$(sqlite3 "$T/$scale.db" "SELECT max(date) FROM activities")
    for a in internal public; do
        for l in zh en; do
            "${H[@]}" report monthly "$month" --audience $a --lang $l >/dev/null
            "${H[@]}" report halfyear "$half" --audience $a --lang $l >/dev/null
            "${H[@]}" report annual "$year" --audience $a --lang $l >/dev/null
            "${H[@]}" report range "$from" "$to" --audience $a --lang $l >/dev/null
        done
    done
    out=$("$PY" "$ROOT/tests/tools/consistency.py" --db "$T/$scale.db" --himama "$HIMAMA" \
              --work "$T/work-$scale" "$T/out-$scale" 2>&1)
    rc=$?
    printf '%s\n' "$out" | tail -20 | sed "s/^/  $scale: /"
    expect_eq "$scale: every figure agrees with every other (consistency.py exit status)" 0 "$rc"
done
finish
