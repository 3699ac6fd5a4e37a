#!/usr/bin/env bash
# End-to-end: no personal data in public output.  From a synthetic district
# whose children's names, guardians, phones, schools and class teachers are
# read back from the database, render every report kind that exists for
# the public audience, extract all text of every PDF (pdftotext, and the
# document's properties) and every cell, sheet name and property of every
# workbook (openpyxl, and the raw XML), and find none of them.  Volunteer
# names are allowed in public output (DESIGN.md); volunteers' phones are
# not.  The internal report is the control: there the same extraction
# must find names, or the test proves nothing.
. "$(dirname "$0")/../e2e_lib.sh"
PY=/usr/bin/python3

"$HIMAMA" synth --scale district --seed 2 --until 2026-09-30 --quiet syn
hm ingest syn 2>/dev/null

# The secrets: at least two characters, and not part of a volunteer's name
# or a child's alias (those may appear legitimately: a class teacher 徐洁
# and a volunteer 徐洁晓 share the text 徐洁).
q "SELECT name FROM children UNION SELECT guardian FROM children
   UNION SELECT guardian_phone FROM children UNION SELECT school FROM children
   UNION SELECT class_teacher FROM children UNION SELECT phone FROM volunteers" |
    awk 'length($0) >= 2' | sort -u > secrets.all
q "SELECT name FROM volunteers UNION SELECT alias FROM children WHERE alias IS NOT NULL" |
    sort -u > allowed.txt
"$PY" - secrets.all allowed.txt > secrets.txt <<'PYEOF'
import sys
allowed = open(sys.argv[2], encoding="utf-8").read()
for s in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    if s and s not in allowed:
        print(s)
PYEOF
n=$(wc -l < secrets.txt)
[ "$n" -gt 500 ] || { echo "FAIL: only $n secrets"; fails=$((fails + 1)); }

# All text of a report folder, one item per line.
extract() {
    local dir=$1 f
    for f in "$dir"/*.pdf; do
        [ -e "$f" ] || continue
        pdftotext -q "$f" - ; pdfinfo "$f" 2>/dev/null
    done
    for f in "$dir"/*.xlsx; do
        [ -e "$f" ] || continue
        "$PY" - "$f" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
p = wb.properties
for v in (p.creator, p.title, p.subject, p.description, p.keywords, p.category, p.lastModifiedBy):
    if v: print(v)
for ws in wb.worksheets:
    print(ws.title)
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                print(c.value)
            if c.comment is not None:
                print(c.comment.text)
PYEOF
        unzip -p "$f" | sed 's/<[^>]*>/\n/g'
    done
    cat "$dir"/*.json 2>/dev/null
}

# Every kind of report that this version can write.
periods="monthly:2026-09 monthly:2026-08 halfyear:2026-H1 annual:2025 range:2024-10-01:2026-09-30"
written=0
for kp in $periods; do
    kind=${kp%%:*}; rest=${kp#*:}
    args=$(printf '%s' "$rest" | tr ':' ' ')
    for lang in zh en; do
        if [ ! -f "$ROOT/templates/$kind.$lang.tmpl" ]; then
            echo "privacy: report $kind ($lang) skipped: no template in that language"
            continue
        fi
        hm report "$kind" $args --audience public --lang "$lang" > rep.out 2> rep.err; rc=$?
        if [ "$rc" = 1 ] && [ "$kind" != monthly ]; then
            [ "$lang" = zh ] && echo "privacy: report $kind skipped: $(head -1 rep.err)"
            continue
        fi
        expect_eq "public $kind $args ($lang) written" 0 "$rc"
        [ "$rc" = 0 ] || { cat rep.err; continue; }
        dir=$(dirname "$(head -1 rep.out)")
        written=$((written + 1))
        extract "$dir" > text.txt
        [ -s text.txt ] || { echo "FAIL: no text extracted from $dir"; fails=$((fails + 1)); }
        leaks=$(grep -oF -f secrets.txt text.txt | sort -u | head -5 | tr '\n' ' ')
        expect_eq "no personal data in public $kind $args ($lang)" "" "$leaks"
    done
done
[ "$written" -ge 2 ] || { echo "FAIL: only $written public reports written"; fails=$((fails + 1)); }
echo "privacy: $written public reports checked against $n secrets"

# The control: the internal report shows names, and the extraction sees them.
hm report monthly 2026-09 --audience internal > rep.out 2>/dev/null
extract "$(dirname "$(head -1 rep.out)")" > internal.txt
found=$(grep -oF -f secrets.txt internal.txt | sort -u | wc -l)
[ "$found" -gt 10 ] || { echo "FAIL: control: the internal report shows only $found names"; fails=$((fails + 1)); }
finish
