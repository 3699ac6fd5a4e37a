#!/usr/bin/env bash
# End-to-end: the programme's pillars (issue 19) - coverage, service hours,
# the five ones per pair, the children by category, gender and age,
# enterprise+ and micro-projects - in the monthly, half-year, annual and
# range reports of a synthetic district, each recounted a second way:
# tests/tools/check_pillars.py works every figure out again in Python from
# the kind tables (never the summary tables the queries read) and compares
# it with the workbooks, row by row.  Then: the synthetic district shows
# every section with data, the internal lists stay out of public reports,
# and no word of the new pages is printed over another.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${PY:-/usr/bin/python3}

"$HIMAMA" synth --scale district --seed 1 --until 2026-09-30 --quiet data
hm ingest data >/dev/null 2>&1
expect_eq "synthetic district ingests" 0 "$?"
from=$(q "SELECT min(date) FROM activities")
to=$(q "SELECT max(date) FROM activities")
for a in internal public; do
    hm report monthly 2026-09 --audience $a >/dev/null || echo "FAIL: monthly $a"
    hm report halfyear 2026-H1 --audience $a >/dev/null || echo "FAIL: halfyear $a"
    hm report annual 2025 --audience $a >/dev/null || echo "FAIL: annual $a"
    hm report range "$from" "$to" --audience $a >/dev/null || echo "FAIL: range $a"
done
R="$T/out/range/${from}_${to}"
out=$("$PY" "$ROOT/tests/tools/check_pillars.py" "$T/h.db" "$T/out/monthly/2026-09/internal" \
          "$T/out/halfyear/2026-H1/internal" "$T/out/annual/2025/internal" "$R/internal" 2>&1)
printf '%s\n' "$out" | grep '^FAIL' | head -10
expect_eq "every new section agrees with its recount" "31 sections recounted, 0 differ" \
    "$(printf '%s\n' "$out" | tail -1)"

# rows ID: the rows a report's manifest gives section ID ("-" when absent)
rows() {
    "$PY" - "$1/manifest.json" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
print(next((str(s["rows"]) for s in m["sections"] if s["id"] == sys.argv[2]), "-"))
EOF
}
M="$T/out/monthly/2026-09/internal" H="$T/out/halfyear/2026-H1/internal"
A="$T/out/annual/2025/internal"
for s in unpaired unsurveyed; do
    n=$(rows "$M" $s)
    expect_match "the monthly list '$s' has rows ($n)" '^[1-9][0-9]*$' "$n"
done
n=$(rows "$H" pairs_none)
expect_match "the half-year lists pairs that kept none ($n)" '^[1-9][0-9]*$' "$n"
for s in organisations projects; do
    n=$(rows "$A" $s)
    expect_match "the annual '$s' has rows for several names ($n)" '^([4-9]|[1-9][0-9]+)$' "$n"
done
# the demo shows what each section is about
expect_eq "some activity rows give no minutes" 1 "$(q "SELECT count(*) > 0 FROM activities WHERE minutes IS NULL")"
expect_eq "most activity rows give minutes" 1 "$(q "SELECT avg(minutes IS NOT NULL) > 0.9 FROM activities")"
expect_eq "organisations that both volunteer and give" 1 \
    "$(q "SELECT count(DISTINCT v.organization) >= 3 FROM volunteers v JOIN donations d ON d.donor = v.organization AND d.donor_type = 'enterprise'")"
expect_eq "the named teams are there" 3 \
    "$(q "SELECT count(DISTINCT organization) FROM volunteers WHERE organization IN ('中天爱心妈妈团', '春蕾班', '女企业家协会')")"
# a candidate's age: in the internal dossier ("未记录" without a birth date),
# not in the public one; most volunteers give a birth date, not all
expect_eq "most volunteers give a birth date, some none" 1 \
    "$(q "SELECT avg(birth_date IS NOT NULL) BETWEEN 0.8 AND 0.99 FROM volunteers")"
dz=$(pdftotext -q "$A/dossiers.pdf" -)
expect_match "the internal dossier shows the candidates' ages" "年龄（年末）" "$dz"
expect_match "in whole years" "[0-9]+ 岁" "$dz"
expect_eq "no age in the public dossier" "0" \
    "$(pdftotext -q "$T/out/annual/2025/public/dossiers.pdf" - | grep -c '年龄')"
# lists of children and of shortfalls: internal only
for d in "$T/out/monthly/2026-09/public" "$T/out/halfyear/2026-H1/public"; do
    for s in unpaired unsurveyed pairs_none; do
        expect_eq "no list '$s' in ${d#"$T"/out/}" "-" "$(rows "$d" $s)"
    done
done
expect_no_overlaps "$M/briefing.pdf" "$H/briefing.pdf" "$A/briefing.pdf" "$R/internal/briefing.pdf" \
    "$T/out/halfyear/2026-H1/public/briefing.pdf"
finish
