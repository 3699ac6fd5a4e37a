#!/usr/bin/env bash
# End-to-end: the matters raised at the symposiums (意见建议, issue 19) in
# the half-year report of a synthetic district, recounted a second way:
# tests/tools/check_feedback.py works the counts by category, the list of
# matters raised and the list of older ones still open out again in Python
# from the feedback table, for a past half year, the one before it and one
# not yet ended (days open counted to today), and compares them with the
# workbooks and the manifests; the public reports hold no list and none of
# the matters' texts or answers.  Then: the demo's half year lists matters
# of both kinds, and no word of the new pages is printed over another.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${PY:-/usr/bin/python3}

"$HIMAMA" synth --scale district --seed 1 --until 2026-09-30 --quiet data
hm ingest data >/dev/null 2>&1
expect_eq "synthetic district ingests" 0 "$?"
expect_eq "every matter loaded" "$(($(wc -l < data/意见建议台账.csv) - 1))" "$(q "SELECT count(*) FROM feedback")"
expect_eq "matters of every status" "in_progress open resolved" \
    "$(q "SELECT group_concat(status, ' ') FROM (SELECT DISTINCT status FROM feedback ORDER BY 1)")"
dirs=()
for h in 2025-H2 2026-H1 2026-H2; do
    for a in internal public; do
        hm report halfyear $h --audience $a >/dev/null || echo "FAIL: halfyear $h $a"
        dirs+=("$T/out/halfyear/$h/$a")
    done
done
today=$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)
out=$("$PY" "$ROOT/tests/tools/check_feedback.py" "$T/h.db" "$today" "${dirs[@]}" 2>&1)
printf '%s\n' "$out" | grep -A2 '^FAIL' | head -12
expect_eq "the report agrees with its recount" "27 compared, 0 differ" "$(printf '%s\n' "$out" | tail -1)"

# rows DIR ID: the rows a report's manifest gives section ID ("-" when absent)
rows() {
    "$PY" - "$1/manifest.json" "$2" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
print(next((str(s["rows"]) for s in m["sections"] if s["id"] == sys.argv[2]), "-"))
PYEOF
}
H="$T/out/halfyear/2026-H1"
for s in feedback_raised feedback_open; do
    expect_match "the half year lists '$s' ($(rows "$H/internal" $s))" '^[1-9][0-9]*$' "$(rows "$H/internal" $s)"
    expect_eq "no list '$s' in the public half year" "-" "$(rows "$H/public" $s)"
done
expect_eq "the counts in the public half year too" 9 "$(rows "$H/public" feedback)"
expect_no_overlaps "$H/internal/briefing.pdf" "$H/public/briefing.pdf"
finish
