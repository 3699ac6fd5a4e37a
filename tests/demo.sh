#!/usr/bin/env bash
# make demo: a synthetic district, ingested, the monthly reports of its
# latest month for both audiences, the last complete half year, the last
# complete year and the whole period.  Everything goes under ./demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
D=demo
rm -rf "$D"
mkdir -p "$D"
H=(./himama --db "$D/himama.db" --out "$D/out")

echo "== synthetic district data in $D/data"
"${H[@]}" synth --scale district --seed 1 "$D/data"
echo "== ingest"
"${H[@]}" init
"${H[@]}" ingest "$D/data"
echo "== loaded"
for t in towns children volunteers pairings activities wishes donations expenditures trainings attendance stories feedback; do
    printf '  %-13s %8s rows\n' "$t" "$(sqlite3 "$D/himama.db" "SELECT count(*) FROM $t")"
done
month=$(sqlite3 "$D/himama.db" "SELECT substr(max(date), 1, 7) FROM activities")
echo "== monthly reports for $month"
for a in internal public; do
    "${H[@]}" report monthly "$month" --audience "$a"
done
year=$((${month%-*} - 1))
half=$([ "${month#*-}" -ge 7 ] && echo "${month%-*}-H1" || echo "$year-H2")
echo "== half year $half, year $year, and the whole period"
"${H[@]}" report halfyear "$half"
"${H[@]}" report annual "$year"
"${H[@]}" report range "$(sqlite3 "$D/himama.db" "SELECT min(date) FROM activities")" \
    "$(sqlite3 "$D/himama.db" "SELECT max(date) FROM activities")"
echo "== written"
find "$D/out" -path "$D/out/rejects" -prune -o -type f -print | sort | sed 's/^/  /'
