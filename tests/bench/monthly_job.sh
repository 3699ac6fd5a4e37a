#!/usr/bin/env bash
# tests/bench/monthly_job.sh - the monthly job as staff run it, against a
# pandas + XlsxWriter + ReportLab script that writes the same monthly
# report from all the CSV files (tests/bench/monthly_pandas.py).  Measured
# figures, not a test; called at the end of tests/bench.sh.
#
#   SCALE=city SEED=1 UNTIL=2026-10-31   the data set, as tests/bench.sh
#                                        makes it (out/bench/SCALE/data)
#   RUNS=3                               paired runs (the best of each side)
#   PYTHON=/usr/bin/python3              with pandas, xlsxwriter, reportlab
#   HIMAMA_FONT                          the CJK font of both sides
#
# 1. The month is the latest of the activities-YYYY-MM.csv files; the
#    month's files are those whose name carries it.  A store holding
#    every other file (the months before, and the registers) is made once.
# 2. Each paired run copies that store, puts the month's files in an
#    inbox and times `himama run monthly YYYY-MM` (ingest of the inbox,
#    then the monthly report for both audiences, as cron runs it), and the
#    pandas script on every CSV file for the same month (both audiences);
#    the order of the two alternates between runs.  /usr/bin/time -v gives
#    the CPU time (user + system) and the peak memory.
# 3. The script's figures and each section's row count are compared with
#    himama's manifest.json (they must agree: exit 1, after the figures are
#    written, when they do not), and one more himama run,
#    split into its three commands, shows where its time goes.
# The figures go to out/bench/monthly-job-SCALE.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE=${SCALE:-city}
SEED=${SEED:-1}
UNTIL=${UNTIL:-2026-10-31}
RUNS=${RUNS:-3}
PY=${PYTHON:-/usr/bin/python3}
HIMAMA=${HIMAMA:-./himama}
FONT=${HIMAMA_FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
TIME=/usr/bin/time
if [[ "$UNTIL" > "$(date -u +%Y-%m-%d)" ]]; then
    UNTIL=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m-%d)
fi

skip() { echo "monthly job: skipped: $*"; exit 0; }
[ -x "$HIMAMA" ] || { echo "monthly job: '$HIMAMA' not built (make)" >&2; exit 1; }
[ -x "$TIME" ] || skip "$TIME is needed"
"$PY" -c 'import pandas, xlsxwriter, reportlab' 2>/dev/null ||
    skip "$PY lacks pandas, xlsxwriter or reportlab (Debian: python3-pandas python3-xlsxwriter python3-reportlab)"
[ -f "${FONT%%:*}" ] || skip "no CJK font at '${FONT%%:*}' (HIMAMA_FONT)"

BENCH=out/bench
D=$BENCH/$SCALE/data
W=$BENCH/$SCALE/monthly-job
stamp="seed $SEED until $UNTIL"
if ! [ -f "$BENCH/$SCALE/synth.stamp" ] || [ "$(cat "$BENCH/$SCALE/synth.stamp")" != "$stamp" ] ||
   ! [ -f "$BENCH/$SCALE/synth.txt" ]; then
    # the same data set, and the same files beside it, as tests/bench.sh makes
    rm -rf "$D" "$BENCH/$SCALE/synth.stamp"
    mkdir -p "$BENCH/$SCALE"
    "$HIMAMA" synth --scale "$SCALE" --seed "$SEED" --until "$UNTIL" "$D" >"$BENCH/$SCALE/synth.txt" 2>&1
    printf '%s\n' "$stamp" >"$BENCH/$SCALE/synth.stamp"
fi
rm -rf "$W"
mkdir -p "$W"

# 1. the month, its files, and the store of everything before
MONTH=$(cd "$D" && ls | sed -n 's/^activities-\([0-9]\{4\}-[0-9][0-9]\)\.csv$/\1/p' | sort | tail -n 1)
[ -n "$MONTH" ] || { echo "monthly job: no activities-YYYY-MM.csv in $D" >&2; exit 1; }
NEW=() OLD=()
for f in "$D"/*.csv; do
    case "$(basename "$f")" in *"$MONTH"*) NEW+=("$f") ;; *) OLD+=("$f") ;; esac
done
"$HIMAMA" --quiet --db "$W/base.db" --out "$W/base-out" init >/dev/null
rc=0
"$HIMAMA" --quiet --db "$W/base.db" --out "$W/base-out" ingest "${OLD[@]}" >"$W/base-ingest.log" 2>&1 || rc=$?
[ "$rc" -le 2 ] || { cat "$W/base-ingest.log" >&2; echo "monthly job: store not made" >&2; exit 1; }
# The script models one district's report: the store's towns lose the
# units above them (synth gives the city's districts), so himama writes the
# district report too, its town tables and lists as the script's.
sqlite3 "$W/base.db" "UPDATE towns SET district = NULL, city = NULL, province = NULL" >/dev/null
sqlite3 "$W/base.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
new_rows=0
for f in "${NEW[@]}"; do new_rows=$((new_rows + $(tail -n +2 "$f" | wc -l))); done
base_rows=$(sqlite3 "$W/base.db" "SELECT count(*) FROM activities")
all_rows=$(awk '$NF == "rows" && NF == 5 { n += $4 } END { print n + 0 }' "$BENCH/$SCALE/synth.txt")

# timed NAME CMD...: sets WALL, CPU (user + system) and RSS (kB)
timed() {
    local name=$1 t0 t1 rc=0; shift
    t0=$(date +%s.%N)
    "$TIME" -v -o "$W/$name.time" "$@" >"$W/$name.log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
    [ "$rc" -le 2 ] || { cat "$W/$name.log" >&2; echo "monthly job: $name exited $rc" >&2; exit 1; }
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    CPU=$(awk -F': *' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$W/$name.time")
    RSS=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$W/$name.time")
}
himama_job() {
    rm -rf "$W/job"
    mkdir -p "$W/job/inbox"
    cp "$W/base.db" "$W/job/himama.db"
    cp "${NEW[@]}" "$W/job/inbox/"
    timed "himama-$1" env HIMAMA_INBOX="$W/job/inbox" HIMAMA_LOG="$W/job/himama.log" \
        HIMAMA_FONT="$FONT" "$HIMAMA" --quiet --db "$W/job/himama.db" --out "$W/job/out" \
        run monthly "$MONTH"
    HW+=("$WALL") HC+=("$CPU")
    if [ "$RSS" -gt "$HRSS" ]; then HRSS=$RSS; fi
}
pandas_job() {
    rm -rf "$W/pandas"
    timed "pandas-$1" "$PY" tests/bench/monthly_pandas.py "$D" "$MONTH" "$W/pandas" --font "$FONT"
    PW+=("$WALL") PC+=("$CPU")
    if [ "$RSS" -gt "$PRSS" ]; then PRSS=$RSS; fi
}
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "null" }'; }
list() { local IFS=,; echo "$*"; }

echo "monthly job, $SCALE scale, month $MONTH: ${#NEW[@]} new file(s), $new_rows rows, into a store of $base_rows activity rows; pandas reads ${all_rows} rows of $(ls "$D"/*.csv | wc -l) files"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
HW=() HC=() PW=() PC=() HRSS=0 PRSS=0
for ((i = 1; i <= RUNS; i++)); do
    if ((i % 2)); then himama_job "$i"; pandas_job "$i"; else pandas_job "$i"; himama_job "$i"; fi
    printf '  run %d: himama %6s s wall %6s s cpu   pandas %6s s wall %6s s cpu\n' \
        "$i" "${HW[-1]}" "${HC[-1]}" "${PW[-1]}" "${PC[-1]}"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
hw=$(minimum "${HW[@]}") hc=$(minimum "${HC[@]}") pw=$(minimum "${PW[@]}") pc=$(minimum "${PC[@]}")
RW=$(ratio "$pw" "$hw") RC=$(ratio "$pc" "$hc")

# 3. the figures agree; where himama's time goes
"$PY" tests/bench/monthly_pandas.py "$D" "$MONTH" "$W/pandas" --check "$W/job/out/monthly/$MONTH" \
    --compare-only >"$W/check.txt" && SAME=true || SAME=false
P=("$HIMAMA" --quiet --db "$W/split.db" --out "$W/split-out")
cp "$W/base.db" "$W/split.db"
timed split-ingest "${P[@]}" ingest "${NEW[@]}"
si=$WALL sic=$CPU
timed split-internal env HIMAMA_TIMING=1 HIMAMA_FONT="$FONT" "${P[@]}" report monthly "$MONTH" --audience internal
sr1=$WALL sr1c=$CPU
timed split-public env HIMAMA_TIMING=1 HIMAMA_FONT="$FONT" "${P[@]}" report monthly "$MONTH" --audience public
sr2=$WALL sr2c=$CPU

printf '\n%-40s %9s %9s %9s\n' "best of $RUNS" "wall s" "cpu s" "peak MB"
printf '%-40s %9s %9s %9s\n' "himama run monthly $MONTH" "$hw" "$hc" "$(awk -v k="$HRSS" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-40s %9s %9s %9s\n' "pandas + XlsxWriter + ReportLab" "$pw" "$pc" "$(awk -v k="$PRSS" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-40s %9s %9s\n' "  ratio pandas / himama" "$RW" "$RC"
printf 'figures and row counts equal to himama'"'"'s manifests: %s (%s)\n' "$SAME" "$W/check.txt"
printf 'himama split (wall/cpu s): ingest %s/%s, report internal %s/%s, public %s/%s\n' \
    "$si" "$sic" "$sr1" "$sr1c" "$sr2" "$sr2c"
echo "load average before and after: $LOAD0 / $LOAD1 ($(nproc) cores)"

OUT=$BENCH/monthly-job-$SCALE.json
cat >"$OUT" <<EOF
{
  "scale": "$SCALE", "seed": $SEED, "until": "$UNTIL", "month": "$MONTH",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cores": $(nproc), "load_before": "$LOAD0", "load_after": "$LOAD1",
  "new_files": ${#NEW[@]}, "new_rows": $new_rows, "store_activity_rows": $base_rows,
  "pandas_input_rows": $all_rows, "runs": $RUNS,
  "himama": {"command": "run monthly $MONTH", "best_s": $hw, "best_cpu_s": $hc,
             "runs_s": [$(list "${HW[@]}")], "runs_cpu_s": [$(list "${HC[@]}")], "max_rss_kb": $HRSS,
             "split": {"ingest_s": $si, "ingest_cpu_s": $sic, "report_internal_s": $sr1,
                       "report_internal_cpu_s": $sr1c, "report_public_s": $sr2, "report_public_cpu_s": $sr2c}},
  "pandas": {"script": "tests/bench/monthly_pandas.py", "best_s": $pw, "best_cpu_s": $pc,
             "runs_s": [$(list "${PW[@]}")], "runs_cpu_s": [$(list "${PC[@]}")], "max_rss_kb": $PRSS},
  "ratio": $RW, "ratio_cpu": $RC, "figures_agree": $SAME
}
EOF
echo "figures written to $OUT"
if [ "$SAME" != true ]; then
    grep DIFFERS "$W/check.txt" >&2 || cat "$W/check.txt" >&2
    echo "monthly job: the pandas script's figures differ from himama's: the comparison is void" >&2
    exit 1
fi
