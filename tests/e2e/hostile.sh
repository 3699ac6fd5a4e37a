#!/usr/bin/env bash
# End-to-end: hostile content is stored literally and never runs.  SQL in a
# name stays text; formula-looking text is stored as given and, in the
# rejects file, written trimmed with a leading ' so a spreadsheet shows it
# as text; a 64-character name is accepted and a 65-character one rejected;
# bidi controls are removed; emoji are kept; NUL and other control
# characters reject their row.
. "$(dirname "$0")/../e2e_lib.sh"

mkdir in
printf 'town_code,town_name\nHM01,海门街道\n' > in/towns.csv
n64=$(printf '张%.0s' $(seq 64))
n65=$(printf '张%.0s' $(seq 65))
RLO=$'\u202e' LRI=$'\u2066' PDI=$'\u2069'
{
    echo 'child_id,name,alias,gender,birth_date,town_code,category,registered_on'
    echo "H01,'); DROP TABLE children; --,Robert\"); DROP TABLE volunteers;--,F,2014-03-05,HM01,留守,2024-01-10"
    echo 'H02,"=HYPERLINK(""http://x"",""y"")",+SUM(1),F,2014-03-05,HM01,留守,2024-01-10'
    echo 'H03,@cmd,-2+3,M,2014-03-05,HM01,留守,2024-01-10'
    echo 'H04,"他说""你好""",'"'"'小雨'"'"',F,2014-03-05,HM01,留守,2024-01-10'
    echo "H05,$n64,,F,2014-03-05,HM01,留守,2024-01-10"
    echo "H06,$n65,,F,2014-03-05,HM01,留守,2024-01-10"
    echo "H07,张${RLO}三,${RLO} 小${LRI}雨${PDI},F,2014-03-05,HM01,留守,2024-01-10"
    echo "H08,小雨😀,🌙,F,2014-03-05,HM01,留守,2024-01-10"
    printf 'H09,张\x00三,,F,2014-03-05,HM01,留守,2024-01-10\n'
    printf 'H10,张\x01三,,F,2014-03-05,HM01,留守,2024-01-10\n'
    printf 'H11,王五,小\x7f五,F,2014-03-05,HM01,留守,2024-01-10\n'
    printf 'H12,王\xc2\x85六,,F,2014-03-05,HM01,留守,2024-01-10\n'
    echo 'H13,=1+2,  @SUM(A1)  ,X,2014-03-05,HM01,留守,2024-01-10'
    echo 'H14,  -cmd|'"'"' /C calc'"'"'!A0  ,+1,F,2014-02-30,HM01,留守,2024-01-10'
} > in/children.csv

hm ingest in 2> ingest.err; rc=$?
expect_eq "exit: rows rejected" 2 "$rc"

val() { q "SELECT $1 FROM children WHERE child_id = '$2'"; }
expect_eq "SQL in a name, literal" "'); DROP TABLE children; --" "$(val name H01)"
expect_eq "SQL in an alias, literal" 'Robert"); DROP TABLE volunteers;--' "$(val alias H01)"
expect_eq "formula name, literal" '=HYPERLINK("http://x","y")' "$(val name H02)"
expect_eq "plus alias, literal" '+SUM(1)' "$(val alias H02)"
expect_eq "at name, literal" '@cmd' "$(val name H03)"
expect_eq "minus alias, literal" '-2+3' "$(val alias H03)"
expect_eq "quotes, literal" '他说"你好"' "$(val name H04)"
expect_eq "single quotes, literal" "'小雨'" "$(val alias H04)"
expect_eq "64 characters accepted" "$n64" "$(val name H05)"
expect_eq "bidi override removed from a name" "张三" "$(val name H07)"
expect_eq "bidi controls removed, then trimmed" "小雨" "$(val alias H07)"
expect_eq "no bidi control stored anywhere" 0 \
    "$(q "SELECT count(*) FROM children WHERE name GLOB '*${RLO}*' OR alias GLOB '*${RLO}*' OR alias GLOB '*${LRI}*'")"
expect_eq "emoji kept" "小雨😀|🌙" "$(q "SELECT name || '|' || alias FROM children WHERE child_id = 'H08'")"
expect_eq "accepted rows" "H01 H02 H03 H04 H05 H07 H08" \
    "$(q "SELECT group_concat(child_id, ' ') FROM (SELECT child_id FROM children ORDER BY 1)")"
expect_eq "every table still there" 11 \
    "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('towns', 'children', 'volunteers', 'pairings', 'activities', 'wishes', 'donations', 'expenditures', 'trainings', 'attendance', 'stories')")"
hm check >/dev/null 2>&1; rc=$?
expect_eq "check passes" 0 "$rc"

rej() { q "SELECT \"column\" || '|' || reason FROM rejects WHERE line = $1"; }
expect_match "65 characters rejected" "^name\|too long: 65 characters" "$(rej 7)"
expect_match "NUL rejects the row" "^name\|control character U\+0000" "$(rej 10)"
expect_match "C0 control rejects the row" "^name\|control character U\+0001" "$(rej 11)"
expect_match "DEL rejects the row" "^alias\|control character U\+007F" "$(rej 12)"
expect_match "C1 control rejects the row" "^name\|control character U\+0085" "$(rej 13)"
expect_match "formula row rejected for its gender" "^gender\|" "$(rej 14)"
expect_match "formula row rejected for its date" "^birth_date\|" "$(rej 15)"
expect_eq "reasons hold no control characters" 0 \
    "$(q "SELECT count(*) FROM rejects WHERE reason GLOB '*[$(printf '\001-\037\177')]*'")"

# The rejects file: every cell trimmed; formula-looking cells guarded.
cid=$(q "SELECT id FROM ingest_log WHERE kind = 'children'")
rf="out/rejects/$cid-children.csv.rejects.csv"
if [ ! -f "$rf" ]; then
    echo "FAIL: no rejects file $rf"; fails=$((fails + 1))
else
    check=$(python3 - "$rf" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
bad = []
for r in rows:
    for c in r:
        if c != c.strip(" \t\r\n"):
            bad.append("untrimmed %r" % c)
        if c[:1] in ("=", "+", "-", "@"):
            bad.append("unguarded %r" % c)
        if "\0" in c:
            bad.append("NUL in %r" % c)
by_id = {r[0]: r for r in rows[1:]}
print("rows=%d" % (len(rows) - 1))
print("H13=%s|%s" % (by_id["H13"][1], by_id["H13"][2]))
print("H14=%s|%s" % (by_id["H14"][1], by_id["H14"][2]))
print("H09=%s" % by_id["H09"][1])
print("bad=%s" % "; ".join(bad))
PY
)
    expect_match "rejects file rows" "rows=7" "$check"
    expect_match "formula cells guarded, trimmed" "H13='=1\+2\|'@SUM\(A1\)" "$check"
    expect_match "leading minus guarded after trimming" "H14='-cmd\|' /C calc'!A0\|'\+1" "$check"
    expect_match "NUL written as a space" "H09=张 三" "$check"
    expect_match "no untrimmed or unguarded cell, no NUL" "bad=$" "$check"
fi
finish
