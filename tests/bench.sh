#!/usr/bin/env bash
# tests/bench.sh - `make bench`: measured figures, not a test.
#
#   SCALE=district|city|nation   data set size (default city)
#   SEED=1                       synth seed
#   UNTIL=2026-10-31             last day of the data, fixed so that runs
#                                compare (the month before today when it
#                                is later than today)
#   RUNS=3                       runs of each report (median); 1 at nation
#   SMALL=district|city          the second scale for the memory figures
#                                (default: the scale below SCALE; 'none')
#   REPORT_TIMEOUT=S             stop a report run after S seconds and note
#                                it (default: no limit)
#
# Steps, each timed with `date +%s.%N` and `/usr/bin/time -v` (peak RSS):
#   1. himama synth into out/bench/SCALE/data (reused when its seed and
#      until date match);
#   2. ingest into a fresh database, one `himama ingest` call per kind in
#      dependency order (ingest_log's times are whole seconds), rows per
#      second per kind from ingest_log's counts;
#   3. the anchor: the sqlite3 shell's .import of the same activities rows
#      into a STRICT table with the same columns and primary key, WAL and
#      synchronous=NORMAL, no validation;
#   4. each report (monthly for the latest month; halfyear, annual and
#      range when the program has them);
#   5. peak RSS of ingest and of the annual report at a second scale;
#   6. a re-ingest of the unchanged data set against sha256sum of its files.
# The table goes to stdout, the figures to out/bench/bench-SCALE.json.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=${SCALE:-city}
SEED=${SEED:-1}
UNTIL=${UNTIL:-2026-10-31}
case "$SCALE" in
district|city) RUNS=${RUNS:-3}; SMALL=${SMALL:-$([ "$SCALE" = city ] && echo district || echo none)} ;;
nation) RUNS=${RUNS:-1}; SMALL=${SMALL:-city} ;;
*) echo "bench: SCALE must be district, city or nation, not '$SCALE'" >&2; exit 1 ;;
esac
if [[ "$UNTIL" > "$(date -u +%Y-%m-%d)" ]]; then
    # The data may not be dated after the day of the run.
    UNTIL=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m-%d)
fi

HIMAMA=${HIMAMA:-./himama}
TIME=/usr/bin/time
for tool in "$TIME" sqlite3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "bench: '$tool' is needed" >&2; exit 1; }
done
[ -x "$HIMAMA" ] || { echo "bench: '$HIMAMA' not built (make)" >&2; exit 1; }

BENCH=out/bench
KINDS="towns children volunteers pairings donations trainings activities wishes expenditures attendance stories"

# ------------------------------------------------------------- measuring

# timed NAME CMD...: run CMD with its output in $W/NAME.log; sets SECS
# (wall seconds), CPU (user + system seconds: steadier than the wall time
# on a busy machine), RSS (peak resident set, kB) and RC (exit status).
timed() {
    local name=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    set +e
    "$TIME" -v -o "$W/$name.time" "$@" >"$W/$name.log" 2>&1
    RC=$?
    set -e
    t1=$(date +%s.%N)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    RSS=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$W/$name.time")
    RSS=${RSS:-0}
    CPU=$(awk -F': *' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$W/$name.time")
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "null" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
# row LABEL ROWS WALL CPU RSS: one line of the main table.
row() {
    printf '%-34s %10s %9s %9s %10s %8s\n' "$1" "$2" "$3" "$4" \
        "$([ "$2" = - ] || [ "$3" = - ] && echo - || rate "$2" "$3")" "$([ "$5" = - ] && echo - || mb "$5")"
}

# JSON: the document is built as "key": value lines in $J.
J=""
jput() { J+="${J:+,
}$1"; }
jstr() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# ------------------------------------------------------------- data sets

# synth_set SCALE: the data set of that scale in $BENCH/SCALE/data, made
# or reused; sets SYNTH_SECS (empty when reused) and D (the data folder).
synth_set() {
    local s=$1 stamp
    D=$BENCH/$s/data
    stamp="seed $SEED until $UNTIL"
    SYNTH_SECS=""
    if [ -f "$BENCH/$s/synth.stamp" ] && [ "$(cat "$BENCH/$s/synth.stamp")" = "$stamp" ] &&
       [ -f "$BENCH/$s/synth.txt" ]; then
        return 0
    fi
    rm -rf "$D" "$BENCH/$s/synth.stamp"
    mkdir -p "$BENCH/$s"
    W=$BENCH/$s
    timed synth "$HIMAMA" synth --scale "$s" --seed "$SEED" --until "$UNTIL" "$D"
    [ "$RC" = 0 ] || { cat "$W/synth.log" >&2; echo "bench: synth failed" >&2; exit 1; }
    SYNTH_SECS=$SECS
    SYNTH_RSS=$RSS
    SYNTH_CPU=$CPU
    # synth's summary names each file's kind: "  FILE  KIND  ENCODING  N rows".
    cp "$W/synth.log" "$BENCH/$s/synth.txt"
    printf '%s\n' "$stamp" >"$BENCH/$s/synth.stamp"
}

# files_of SCALE KIND: the files of that kind, one a line.
files_of() {
    awk -v k="$2" -v d="$BENCH/$1/data" '$NF == "rows" && $2 == k { print d "/" $1 }' \
        "$BENCH/$1/synth.txt"
}

# latest_month DB
latest_month() { sqlite3 "$1" "SELECT substr(max(date), 1, 7) FROM activities"; }

# report_period KIND DB: the period argument(s) for a report of KIND.
report_period() {
    local m y mo
    m=$(latest_month "$2")
    y=${m%-*}
    mo=$((10#${m#*-}))
    case "$1" in
    monthly) echo "$m" ;;
    halfyear) # the latest half-year that the data covers whole, else the latest
        if [ "$mo" -ge 12 ]; then echo "$y-H2"; elif [ "$mo" -ge 6 ]; then echo "$y-H1";
        else echo "$((y - 1))-H2"; fi ;;
    annual) echo "$y" ;;
    range) sqlite3 "$2" "SELECT min(date) || ' ' || max(date) FROM activities" ;;
    esac
}

# ------------------------------------------------------------- the run

mkdir -p "$BENCH"
echo "himama bench: scale $SCALE, seed $SEED, until $UNTIL, $(nproc) cores"
jput "\"scale\": $(jstr "$SCALE")"
jput "\"seed\": $SEED"
jput "\"until\": $(jstr "$UNTIL")"
jput "\"date\": $(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
jput "\"commit\": $(jstr "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")"
jput "\"cores\": $(nproc)"
jput "\"sqlite3\": $(jstr "$(sqlite3 --version | cut -d' ' -f1)")"
jput "\"report_runs\": $RUNS"

# 1. synth
synth_set "$SCALE"
DATA=$D
W=$BENCH/$SCALE/work
rm -rf "$W"
mkdir -p "$W"
DB=$W/himama.db
H=("$HIMAMA" --quiet --db "$DB" --out "$W/out")
nfiles=$(awk '$NF == "rows" && NF == 5' "$BENCH/$SCALE/synth.txt" | wc -l)
nrows=$(awk '$NF == "rows" && NF == 5 { n += $4 } END { print n + 0 }' "$BENCH/$SCALE/synth.txt")
nbytes=$(du -sb "$DATA" | cut -f1)
printf '\n%-34s %10s %9s %9s %10s %8s\n' "step" "rows" "wall s" "cpu s" "rows/s" "peak MB"
if [ -n "$SYNTH_SECS" ]; then
    row "synth ($nfiles files, $(mb $((nbytes / 1024))) MB)" "$nrows" "$SYNTH_SECS" "$SYNTH_CPU" "$SYNTH_RSS"
    jput "\"synth\": {\"seconds\": $SYNTH_SECS, \"cpu_seconds\": $SYNTH_CPU, \"rows\": $nrows, \"files\": $nfiles, \"bytes\": $nbytes, \"max_rss_kb\": $SYNTH_RSS, \"reused\": false}"
else
    row "synth (reused, $nfiles files)" "$nrows" - - -
    jput "\"synth\": {\"seconds\": null, \"rows\": $nrows, \"files\": $nfiles, \"bytes\": $nbytes, \"reused\": true}"
fi

# 2. ingest, one call per kind in dependency order
"${H[@]}" init >/dev/null
ING_SECS=0 ING_CPU=0 ING_RSS=0 ING_ROWS=0 JK=""
for k in $KINDS; do
    mapfile -t files < <(files_of "$SCALE" "$k")
    [ "${#files[@]}" -gt 0 ] || continue
    timed "ingest-$k" "${H[@]}" ingest "${files[@]}"
    if [ "$RC" != 0 ]; then
        cat "$W/ingest-$k.log" >&2
        echo "bench: ingest of $k exited $RC" >&2
        exit 1
    fi
    rows=$(sqlite3 "$DB" "SELECT coalesce(sum(rows_read), 0) FROM ingest_log WHERE kind = '$k' AND status = 'loaded'")
    row "ingest $k (${#files[@]} files)" "$rows" "$SECS" "$CPU" "$RSS"
    JK+="${JK:+, }\"$k\": {\"files\": ${#files[@]}, \"rows\": $rows, \"seconds\": $SECS, \"cpu_seconds\": $CPU, \"rows_per_s\": $(rate "$rows" "$SECS"), \"max_rss_kb\": $RSS}"
    ING_SECS=$(add "$ING_SECS" "$SECS")
    ING_CPU=$(add "$ING_CPU" "$CPU")
    ING_ROWS=$((ING_ROWS + rows))
    [ "$RSS" -gt "$ING_RSS" ] && ING_RSS=$RSS
    [ "$k" = activities ] && { ACT_ROWS=$rows; ACT_SECS=$SECS; ACT_CPU=$CPU; }
done
row "ingest, all kinds" "$ING_ROWS" "$ING_SECS" "$ING_CPU" "$ING_RSS"
DB_BYTES=$(du -cb "$DB"* | tail -1 | cut -f1)
jput "\"ingest\": {\"seconds\": $ING_SECS, \"cpu_seconds\": $ING_CPU, \"rows\": $ING_ROWS, \"rows_per_s\": $(rate "$ING_ROWS" "$ING_SECS"), \"max_rss_kb\": $ING_RSS, \"db_bytes\": $DB_BYTES, \"kinds\": {$JK}}"

# 3. the anchor: .import of the same activities rows.  The files are
# concatenated beforehand (not timed) under one header, without the UTF-8
# BOM some of them start with.  .import stores an empty field as '' (not
# NULL), which a STRICT INTEGER column refuses, so minutes is ANY here: the
# anchor keeps every row and checks nothing.
mapfile -t afiles < <(files_of "$SCALE" activities)
{
    head -n 1 "${afiles[0]}" | sed '1s/^\xEF\xBB\xBF//'
    for f in "${afiles[@]}"; do tail -n +2 "$f"; done
} >"$W/activities-all.csv"
cat >"$W/import.sql" <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE activities (
    activity_id TEXT NOT NULL, date TEXT NOT NULL, type TEXT NOT NULL,
    volunteer_id TEXT NOT NULL, child_id TEXT NOT NULL, minutes ANY,
    title TEXT, notes TEXT,
    PRIMARY KEY (activity_id, volunteer_id, child_id)
) STRICT, WITHOUT ROWID;
.import --csv --skip 1 $W/activities-all.csv activities
EOF
rm -f "$W/import.db"*
timed import sqlite3 "$W/import.db" ".read $W/import.sql"
IMP_ROWS=$(sqlite3 "$W/import.db" "SELECT count(*) FROM activities")
IMP_SECS=$SECS IMP_CPU=$CPU
rm -f "$W/activities-all.csv" "$W/import.db"*
# ratio A B C D: (A / B) / (C / D), two decimals
ratio() { awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" \
    'BEGIN { if (b > 0 && c > 0 && d > 0) printf "%.2f", (a / b) / (c / d); else print "null" }'; }
R_WALL=$(ratio "$ACT_ROWS" "$ACT_SECS" "$IMP_ROWS" "$IMP_SECS")
R_CPU=$(ratio "$ACT_ROWS" "$ACT_CPU" "$IMP_ROWS" "$IMP_CPU")
row "sqlite3 .import activities" "$IMP_ROWS" "$IMP_SECS" "$IMP_CPU" "$RSS"
printf '%-34s %10s %9s %9s\n' "  ratio himama / .import (rows/s)" "" "$R_WALL" "$R_CPU"
jput "\"import_anchor\": {\"rows\": $IMP_ROWS, \"seconds\": $IMP_SECS, \"cpu_seconds\": $IMP_CPU, \"rows_per_s\": $(rate "$IMP_ROWS" "$IMP_SECS"), \"max_rss_kb\": $RSS, \"himama_activities_rows_per_s\": $(rate "$ACT_ROWS" "$ACT_SECS"), \"ratio\": $R_WALL, \"ratio_cpu\": $R_CPU}"

# 4. reports
printf '\n%-34s %22s %9s %9s %8s\n' "report (median of $RUNS)" "period" "wall s" "cpu s" "peak MB"
JR=""
ANNUAL_RSS="" MONTHLY_RSS=0
for kind in monthly halfyear annual range; do
    read -r -a per <<<"$(report_period "$kind" "$DB")"
    times=() cpus=() rss=0
    for ((i = 1; i <= RUNS; i++)); do
        timed "report-$kind-$i" timeout "${REPORT_TIMEOUT:-0}" "${H[@]}" report "$kind" "${per[@]}"
        if [ "$RC" != 0 ]; then break; fi
        times+=("$SECS")
        cpus+=("$CPU")
        [ "$RSS" -gt "$rss" ] && rss=$RSS
    done
    if [ "$RC" != 0 ]; then
        why=$(head -n 1 "$W/report-$kind-$i.log")
        if [ "$RC" = 124 ]; then
            why="stopped after ${REPORT_TIMEOUT}s (REPORT_TIMEOUT)"
            printf '%-34s %22s  %s\n' "$kind" "${per[*]}" "$why"
            JR+="${JR:+, }\"$kind\": {\"period\": $(jstr "${per[*]}"), \"timed_out_s\": $REPORT_TIMEOUT}"
            continue
        fi
        # Exit 1 is a usage error: this program has no such report (yet).
        if [ "$RC" = 1 ]; then
            printf '%-34s %22s  skipped: %s\n' "$kind" "${per[*]}" "$why"
            JR+="${JR:+, }\"$kind\": {\"skipped\": $(jstr "$why")}"
            continue
        fi
        cat "$W/report-$kind-$i.log" >&2
        echo "bench: report $kind ${per[*]} exited $RC" >&2
        exit 1
    fi
    med=$(median "${times[@]}")
    cmed=$(median "${cpus[@]}")
    printf '%-34s %22s %9s %9s %8s\n' "$kind" "${per[*]}" "$med" "$cmed" "$(mb "$rss")"
    JR+="${JR:+, }\"$kind\": {\"period\": $(jstr "${per[*]}"), \"median_s\": $med, \"median_cpu_s\": $cmed, \"runs_s\": [$(IFS=,; echo "${times[*]}")], \"max_rss_kb\": $rss}"
    [ "$kind" = monthly ] && MONTHLY_RSS=$rss
    [ "$kind" = annual ] && ANNUAL_RSS=$rss
done
jput "\"reports\": {$JR}"

# 5. peak memory at a second scale: ingest (one call, all files) and the
# annual report (the monthly one while annual is not available).
REP=annual
if [ -z "$ANNUAL_RSS" ]; then REP=monthly; ANNUAL_RSS=$MONTHLY_RSS; fi
JM="\"$SCALE\": {\"activities_rows\": $ACT_ROWS, \"ingest_max_rss_kb\": $ING_RSS, \"report\": \"$REP\", \"report_max_rss_kb\": $ANNUAL_RSS}"
printf '\n%-34s %14s %14s %14s\n' "peak memory by scale" "activity rows" "ingest MB" "$REP MB"
if [ "$SMALL" != none ] && [ "$SMALL" != "$SCALE" ]; then
    synth_set "$SMALL"
    SW=$BENCH/$SMALL/work
    rm -rf "$SW"
    mkdir -p "$SW"
    W=$SW
    timed ingest "$HIMAMA" --quiet --db "$SW/himama.db" --out "$SW/out" ingest "$D"
    [ "$RC" = 0 ] || { cat "$SW/ingest.log" >&2; echo "bench: ingest of $SMALL exited $RC" >&2; exit 1; }
    s_ing=$RSS
    s_rows=$(sqlite3 "$SW/himama.db" "SELECT count(*) FROM activities")
    read -r -a per <<<"$(report_period "$REP" "$SW/himama.db")"
    timed report "$HIMAMA" --quiet --db "$SW/himama.db" --out "$SW/out" report "$REP" "${per[@]}"
    [ "$RC" = 0 ] || { cat "$SW/report.log" >&2; echo "bench: $REP report of $SMALL exited $RC" >&2; exit 1; }
    printf '%-34s %14s %14s %14s\n' "$SMALL" "$s_rows" "$(mb "$s_ing")" "$(mb "$RSS")"
    JM="\"$SMALL\": {\"activities_rows\": $s_rows, \"ingest_max_rss_kb\": $s_ing, \"report\": \"$REP\", \"report_max_rss_kb\": $RSS}, $JM"
    rm -rf "$SW"
    W=$BENCH/$SCALE/work
fi
printf '%-34s %14s %14s %14s\n' "$SCALE" "$ACT_ROWS" "$(mb "$ING_RSS")" "$(mb "$ANNUAL_RSS")"
jput "\"memory_by_scale\": {$JM}"

# 6. re-ingest of the unchanged data set (every file skipped) against
# reading and hashing the same files.
timed reingest "${H[@]}" ingest "$DATA"
RE_SECS=$SECS RE_CPU=$CPU RE_RSS=$RSS RE_RC=$RC
skipped=$(sqlite3 "$DB" "SELECT count(*) FROM ingest_log WHERE status = 'skipped'")
timed sha256 sha256sum "$DATA"/*.csv
printf '\n%-34s %10s %9s %9s %10s %8s\n' "unchanged data set ($(mb $((nbytes / 1024))) MB)" "" "wall s" "cpu s" "" "peak MB"
row "re-ingest ($skipped of $nfiles skipped)" - "$RE_SECS" "$RE_CPU" "$RE_RSS"
row "sha256sum of the files" - "$SECS" "$CPU" "$RSS"
jput "\"reingest\": {\"seconds\": $RE_SECS, \"cpu_seconds\": $RE_CPU, \"sha256sum_cpu_seconds\": $CPU, \"exit\": $RE_RC, \"files\": $nfiles, \"skipped\": $skipped, \"max_rss_kb\": $RE_RSS, \"sha256sum_seconds\": $SECS, \"bytes\": $nbytes}"

OUT=$BENCH/bench-$SCALE.json
printf '{\n%s\n}\n' "$J" | sed '2,$s/^"/  "/' >"$OUT"
echo
echo "figures written to $OUT"

# 7. the monthly job as staff run it against a pandas script (city scale;
# skipped with a message when the Python packages are missing).
echo
SCALE=city SEED=$SEED UNTIL=$UNTIL HIMAMA=$HIMAMA tests/bench/monthly_job.sh
