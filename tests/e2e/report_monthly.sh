#!/usr/bin/env bash
# End-to-end: the monthly report on the ingest fixture, checked with real
# readers: pdffonts, pdftotext, qpdf and openpyxl.  Public outputs hold no
# personal data; the same database gives the same bytes; a broken template
# fails with its file and line and leaves the previous report untouched.
. "$(dirname "$0")/../e2e_lib.sh"
FIX=$ROOT/tests/fixtures/ingest
PY=${HIMAMA_PYTHON:-/usr/bin/python3}

mkdir in
cp "$FIX"/*.csv in/
sed 's/$/\r/' "$FIX/volunteers.utf8" | iconv -f UTF-8 -t GB18030 > "in/志愿者名单.csv"
hm ingest in 2>/dev/null

for a in internal public; do
    hm report monthly 2026-09 --audience $a > report-$a.out 2>&1; rc=$?
    expect_eq "report $a exit" 0 "$rc"
    for f in briefing.pdf tables.xlsx manifest.json; do
        [ -s "out/monthly/2026-09/$a/$f" ] || { echo "FAIL: missing $a/$f"; cat report-$a.out; fails=$((fails + 1)); }
    done
done
I=out/monthly/2026-09/internal
P=out/monthly/2026-09/public

# The font: embedded, subset, with a Unicode map; the structure: sound.
expect_match "CJK font embedded and subset" "CID TrueType +Identity-H +yes +yes +yes" "$(pdffonts $I/briefing.pdf 2>/dev/null)"
qpdf --check $I/briefing.pdf > /dev/null 2>&1; expect_eq "qpdf --check" 0 "$?"

# The KPI figures are in the text, and equal the SQL.
calls=$(q "SELECT count(DISTINCT activity_id) FROM activities WHERE type = 'call' AND date BETWEEN '2026-09-01' AND '2026-09-30'")
holiday=$(q "SELECT count(DISTINCT activity_id) FROM activities WHERE type = 'holiday' AND date BETWEEN '2026-09-01' AND '2026-09-30'")
expect_eq "fixture calls" 2 "$calls"
text=$(pdftotext -layout $I/briefing.pdf - 2>/dev/null)
expect_match "intro sentence with the calls" "亲情连线 $calls 次" "$(printf '%s' "$text" | tr -d '\n')"
expect_match "page numbers" "第 ?1 ?页 ?/ ?共 ?[0-9]+ ?页" "$text"
expect_match "uncontacted child listed (internal)" "王明" "$text"

# The workbook: the KPI sheet's figures equal the SQL.
xl=$("$PY" - "$I/tables.xlsx" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["本月概况"]
rows = {}
for r in ws.iter_rows(values_only=True):
    if r and isinstance(r[0], str) and r[0].startswith("亲情连线"):
        rows["calls"] = r[1]
    if r and isinstance(r[0], str) and r[0].startswith("假日亲子活动"):
        rows["holiday"] = r[1]
print(rows.get("calls"), rows.get("holiday"), ws.freeze_panes, bool(ws.auto_filter.ref))
PYEOF
)
expect_match "workbook KPI figures, frozen header, autofilter" "^$calls $holiday A[0-9]+ True$" "$xl"

# Public: none of the names, phones, guardians, schools or teachers.
"$PY" - "$P/tables.xlsx" > public-cells.txt <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if v is not None:
                print(v)
PYEOF
pdftotext $P/briefing.pdf public-pdf.txt 2>/dev/null
secrets=$(q "SELECT name FROM children UNION SELECT guardian FROM children UNION SELECT guardian_phone FROM children
             UNION SELECT school FROM children UNION SELECT class_teacher FROM children UNION SELECT phone FROM volunteers")
n=0
while IFS= read -r s; do
    [ -n "$s" ] || continue
    n=$((n + 1))
    if grep -qF -- "$s" public-cells.txt public-pdf.txt; then
        echo "FAIL: public output shows '$s'"; fails=$((fails + 1))
    fi
done <<< "$secrets"
expect_eq "secrets checked" 1 "$([ "$n" -ge 10 ] && echo 1 || echo 0)"
# The public monthly lists no child at all (the action lists are internal),
# not even by id; the internal lists show the alias beside the name.
expect_eq "public lists no child, not even by id" "" "$(grep -o 'C00[0-9]' public-pdf.txt public-cells.txt | head -3)"
expect_match "internal lists show the alias column" "化名" "$(pdftotext $I/briefing.pdf - 2>/dev/null)"

# Reproducible: the same database gives the same bytes.
sum1=$(md5sum $I/briefing.pdf $I/tables.xlsx | cut -d' ' -f1)
hm report monthly 2026-09 > /dev/null 2>&1
expect_eq "same bytes on a second run" "$sum1" "$(md5sum $I/briefing.pdf $I/tables.xlsx | cut -d' ' -f1)"

# A template with a syntax error: exit 3, file and line, the old report intact.
sed '5a hedaing = typo' "$ROOT/templates/monthly.zh.tmpl" > bad.tmpl
hm report monthly 2026-09 --template "$T/bad.tmpl" > bad.out 2>&1; rc=$?
expect_eq "bad template exit" 3 "$rc"
expect_match "bad template names file and line" "bad.tmpl:6:" "$(cat bad.out)"
expect_eq "previous report untouched" "$sum1" "$(md5sum $I/briefing.pdf $I/tables.xlsx | cut -d' ' -f1)"
expect_eq "no temporary files left" "" "$(find out -name '*.tmp-*')"

# The manifest traces inputs and outputs.
"$PY" - $I/manifest.json "$(q "SELECT count(*) FROM ingest_log WHERE status = 'loaded'")" > manifest.check <<'PYEOF'
import sys, json, hashlib, os
m = json.load(open(sys.argv[1]))
d = os.path.dirname(sys.argv[1])
ok = len(m["inputs"]) == int(sys.argv[2])
for o in m["outputs"]:
    ok = ok and hashlib.sha256(open(os.path.join(d, o["file"]), "rb").read()).hexdigest() == o["sha256"]
print(m["report"], m["period"], m["audience"], ok)
PYEOF
expect_eq "manifest" "monthly 2026-09 internal True" "$(cat manifest.check)"
# The manifest's headline figures: each the value of the KPI tile (the
# workbook's 本月概况 sheet) it stands for, the rate a fraction, the data
# problems the rows of the rejects section; the period has ended.  The
# public one shows event counts (holiday activities) as they are: the
# small-count rule is for children only, flagged by the query's row.
"$PY" - $I/manifest.json $I/tables.xlsx $P/manifest.json $P/tables.xlsx > figures.check <<'PYEOF'
import sys, json, openpyxl
keys = {"结对儿童": "children_paired", "活跃志愿者": "volunteers_active", "亲情连线": "calls",
        "陪你阅读": "reading", "假日亲子活动": "holiday", "陪过生日": "birthdays",
        "实现微心愿": "wishes_fulfilled"}
for mpath, xpath in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    m = json.load(open(mpath))
    f = m["figures"]
    wb = openpyxl.load_workbook(xpath)
    bad = []
    for r in wb["本月概况"].iter_rows(values_only=True):
        if r and isinstance(r[0], str):
            for label, key in keys.items():
                if r[0].startswith(label) and f.get(key) != r[1]:
                    bad.append("%s %r != %r" % (key, f.get(key), r[1]))
    rate = f.get("contact_rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        bad.append("contact_rate %r" % rate)
    for k in ("children_contacted", "donations_fen", "expenditures_fen"):
        if not isinstance(f.get(k), (int, str)):
            bad.append("%s %r" % (k, f.get(k)))
    if m["audience"] == "internal":
        rej = [x["rows"] for x in m["sections"] if x["id"] == "rejects"]
        if [f.get("rows_rejected")] != rej:
            bad.append("rows_rejected %r" % f.get("rows_rejected"))
    elif "rows_rejected" in f:
        bad.append("public rows_rejected %r" % f.get("rows_rejected"))
    print(m["audience"], m["period_complete"], "ok" if not bad else bad)
PYEOF
expect_eq "manifest figures equal the tiles" "internal True ok
public True ok" "$(cat figures.check)"
expect_match "public event count shown, not hidden" "\"holiday\": $holiday," "$(cat $P/manifest.json)"

# A month not yet ended (today is 2026-10-15): page 1 and the workbook say
# so, and the manifest says period_complete false.
hm report monthly 2026-10 --audience public > unfinished.out 2>&1
U=out/monthly/2026-10/public
expect_match "unfinished: manifest" '"period_complete": false' "$(cat $U/manifest.json 2>/dev/null)"
expect_match "unfinished: banner on page 1" "统计期间尚未结束，数据截至2026-10-15" \
    "$(pdftotext -l 1 $U/briefing.pdf - 2>/dev/null | tr -d ' \n')"
expect_match "unfinished: workbook's first sheet" "统计期间尚未结束，数据截至 2026-10-15" "$("$PY" - $U/tables.xlsx <<'PYEOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
print(" ".join(str(c) for r in ws.iter_rows(max_row=5, values_only=True) for c in r if c))
PYEOF
)"
expect_eq "finished: no banner" "" "$(pdftotext -l 1 $I/briefing.pdf - 2>/dev/null | grep 统计期间尚未结束)"

# No word printed over another, in either audience's briefing.
expect_no_overlaps $I/briefing.pdf $P/briefing.pdf
finish
