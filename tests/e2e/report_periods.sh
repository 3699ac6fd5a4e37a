#!/usr/bin/env bash
# End-to-end: the half-year, annual and range reports on a synthetic
# district, read back with openpyxl and pdftotext.  Each month of the
# half-year equals that month's monthly report; the half equals the sum
# of its months; the nomination score recomputed from the weights printed
# in the workbook equals the score shown; no town exceeds its quota; the
# public notice list holds no full name; the range over all the data
# equals the all-time counts in the database.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${HIMAMA_PYTHON:-/usr/bin/python3}

"$HIMAMA" synth --scale district --seed 3 --until 2026-09-30 --quiet data
hm ingest data 2>/dev/null; expect_eq "ingest" 0 "$?"

# The half year, public by default, and its six monthly reports.
hm report halfyear 2026-H1 > hy.out 2>&1; expect_eq "halfyear exit" 0 "$?"
H=out/halfyear/2026-H1/public
for f in briefing.pdf tables.xlsx manifest.json; do
    [ -s "$H/$f" ] || { echo "FAIL: missing $H/$f"; cat hy.out; fails=$((fails + 1)); }
done
# Compared internally: the public reports show child counts of 1 or 2 as "<3".
hm report halfyear 2026-H1 --audience internal > /dev/null 2>&1; expect_eq "halfyear internal exit" 0 "$?"
for m in 01 02 03 04 05 06; do
    hm report monthly 2026-$m --audience internal > /dev/null 2>&1 || { echo "FAIL: monthly 2026-$m"; fails=$((fails + 1)); }
done
cmp=$("$PY" - out/halfyear/2026-H1/internal/tables.xlsx out/monthly <<'PYEOF'
import sys, openpyxl
hy = openpyxl.load_workbook(sys.argv[1])
def table(ws, first):
    rows = list(ws.iter_rows(values_only=True))
    for i, r in enumerate(rows):
        if r and r[0] == first:
            return [dict(zip(r, x)) for x in rows[i + 1:] if x and x[0] is not None]
    raise SystemExit("no header %r in %s" % (first, ws.title))
trend = [r for r in table(hy["逐月趋势"], "月份") if str(r["月份"]).endswith("月")]
kpi = {r["指标"]: r["本半年"] for r in table(hy["半年概况"], "指标")}
bad = []
names = {"亲情连线": "亲情连线（次）", "陪你阅读": "陪你阅读（次）", "假日亲子活动": "假日亲子活动（场）",
         "陪过生日": "陪过生日（次）", "实现微心愿": "实现微心愿（个）", "结对儿童": "结对儿童（名）"}
sums = {k: 0 for k in names}
for i, row in enumerate(trend):
    mb = openpyxl.load_workbook("%s/2026-%02d/internal/tables.xlsx" % (sys.argv[2], i + 1))
    mk = {r["指标"]: r["本月"] for r in table(mb["本月概况"], "指标")}
    rate = table(mb["联系率"], "指标")[0]["本月"]
    for col, label in names.items():
        if row[col] != mk[label]:
            bad.append("month %d %s: half-year %r, monthly %r" % (i + 1, col, row[col], mk[label]))
        if col != "结对儿童":
            sums[col] += row[col]
    if abs(row["联系率"] - rate) > 1e-12:
        bad.append("month %d contact rate %r vs %r" % (i + 1, row["联系率"], rate))
for col, total in sums.items():
    if col != "结对儿童" and kpi[names[col]] != total:
        bad.append("half %s %r != sum of months %r" % (col, kpi[names[col]], total))
print("ok" if not bad else "\n".join(bad))
PYEOF
)
expect_eq "half-year months equal the monthly reports, the half their sum" ok "$cmp"
expect_match "halfyear PDF text" "半年概况" "$(pdftotext -layout $H/briefing.pdf - 2>/dev/null)"
expect_match "CJK font embedded and subset" "CID TrueType +Identity-H +yes +yes +yes" "$(pdffonts $H/briefing.pdf 2>/dev/null)"
names=$(q "SELECT name FROM children UNION SELECT guardian FROM children WHERE guardian IS NOT NULL")
"$PY" - "$H/tables.xlsx" > hy-cells.txt <<'PYEOF'
import sys, openpyxl
for ws in openpyxl.load_workbook(sys.argv[1]).worksheets:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if v is not None: print(v)
PYEOF
pdftotext $H/briefing.pdf hy-text.txt 2>/dev/null
leaks=0
while IFS= read -r n; do
    [ -n "$n" ] || continue
    if grep -qxF -- "$n" hy-cells.txt || grep -qF -- "$n" hy-text.txt; then leaks=$((leaks + 1)); echo "leak: $n"; fi
done <<< "$names"
expect_eq "public half-year shows no child or guardian name" 0 "$leaks"

# The year: nominations with a recomputable score, quotas, a notice that
# names the candidates in full (a 公示 is for the public to see who is
# nominated), with their organisation.
hm report annual 2025 > an.out 2>&1; expect_eq "annual exit" 0 "$?"
A=out/annual/2025/internal
for f in briefing.pdf tables.xlsx nominations.xlsx dossiers.pdf manifest.json; do
    [ -s "$A/$f" ] || { echo "FAIL: missing $A/$f"; cat an.out; fails=$((fails + 1)); }
done
# Every volunteer on record at the year's end, and every one with anything
# to score in the year, whatever joined_on says.
nvol=$(q "SELECT count(*) FROM volunteers v WHERE joined_on IS NULL OR joined_on <= '2025-12-31'
  OR EXISTS (SELECT 1 FROM activities a WHERE a.volunteer_id = v.volunteer_id
               AND a.date BETWEEN '2025-01-01' AND '2025-12-31')
  OR EXISTS (SELECT 1 FROM pairings p WHERE p.volunteer_id = v.volunteer_id
               AND p.started_on <= '2025-12-31' AND (p.ended_on IS NULL OR p.ended_on >= '2025-01-01'))
  OR EXISTS (SELECT 1 FROM wishes w WHERE w.claimed_by = v.volunteer_id
               AND w.fulfilled_on BETWEEN '2025-01-01' AND '2025-12-31')
  OR EXISTS (SELECT 1 FROM attendance a JOIN trainings t ON t.event_id = a.event_id
              WHERE a.volunteer_id = v.volunteer_id AND t.date BETWEEN '2025-01-01' AND '2025-12-31')
  OR EXISTS (SELECT 1 FROM stories s WHERE s.volunteer_id = v.volunteer_id
               AND s.date BETWEEN '2025-01-01' AND '2025-12-31')")
nom=$("$PY" - "$A/nominations.xlsx" "$nvol" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
about = list(wb["说明"].iter_rows(values_only=True))
weights, quota_default, quotas = {}, None, {}
for i, r in enumerate(about):
    if r[0] == "指标（评分表列名）":
        for x in about[i + 1:]:
            if x[0] is None: break
            weights[x[0]] = x[1]
    if isinstance(r[0], str) and r[0].startswith("每个区镇 "):
        quota_default = int(r[0].split()[1])
bad = []
rows = []
for ws in wb.worksheets:
    if ws.title.startswith("评分表"):
        data = list(ws.iter_rows(values_only=True))
        head = data[0]
        rows += [dict(zip(head, x)) for x in data[1:]]
if len(rows) != int(sys.argv[2]):
    bad.append("scorecard rows %d, volunteers %s" % (len(rows), sys.argv[2]))
for r in rows:
    s = sum(w * r[k] for k, w in weights.items())
    if s != r["得分"]:
        bad.append("%s: recomputed %r, shown %r" % (r["志愿者编号"], s, r["得分"]))
per_town = {}
for r in rows:
    if r["入选推荐"] == 1:
        per_town[r["区镇"]] = per_town.get(r["区镇"], 0) + 1
        if r["符合条件"] != 1: bad.append("ineligible shortlisted " + r["志愿者编号"])
for t, n in per_town.items():
    if n > quota_default: bad.append("town %s has %d > quota %d" % (t, n, quota_default))
short = [dict(zip(x[0], y)) for x in [list(wb["推荐名单"].iter_rows(values_only=True))] for y in x[1:]]
if len(short) != sum(per_town.values()):
    bad.append("shortlist %d rows, scorecard %d shortlisted" % (len(short), sum(per_town.values())))
notice = [x for x in wb["公示名单"].iter_rows(min_row=2, values_only=True) if isinstance(x[0], int)]
head = next(wb["公示名单"].iter_rows(values_only=True))
if head[5] != "所在单位": bad.append("notice has no organisation column: %r" % (head,))
if [x[2] for x in notice] != [r["姓名"] for r in short]:
    bad.append("notice names are not the shortlist's full names")
if len(notice) != len(short): bad.append("notice %d, shortlist %d" % (len(notice), len(short)))
print("ok %d %d" % (len(short), len(weights)) if not bad else "\n".join(bad[:10]))
PYEOF
)
expect_match "score recomputed from the printed weights; quota; notice in full" "^ok [1-9][0-9]* 9$" "$nom"
# The public annual's nominations workbook: the notice only (the scorecard
# and the shortlist are lists of volunteers for staff), names in full.
hm report annual 2025 --audience public > anp.out 2>&1; expect_eq "public annual exit" 0 "$?"
pub=$("$PY" - out/annual/2025/public/nominations.xlsx <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
names = [x[2] for x in wb["公示名单"].iter_rows(min_row=2, values_only=True) if isinstance(x[0], int)]
print(",".join(wb.sheetnames), len(names), sum(1 for n in names if n.endswith("*")))
PYEOF
)
expect_match "public nominations: the notice only, names in full" "^说明,公示名单 [1-9][0-9]* 0$" "$pub"
# The layout rule (docs/decisions.md): a page holds one candidate or two
# short ones, every candidate once, and no page is a header and a blank:
# each page's lowest line of text reaches the lower part of the page
# (about 0.6 of its height when a short record had a page alone).
ncand=$(printf '%s' "$nom" | cut -d' ' -f2)
pages=$(pdfinfo $A/dossiers.pdf 2>/dev/null | sed -n 's/^Pages: *//p')
lay=$("$PY" "$ROOT/tests/tools/dossier_pages.py" $A/dossiers.pdf)
expect_eq "every candidate on a page of the dossiers" "$ncand" "$(printf '%s\n' "$lay" | awk '{n += $2} END {print n}')"
expect_eq "one or two candidates a page" "" "$(printf '%s\n' "$lay" | awk '$2 < 1 || $2 > 2')"
expect_eq "two short records share a page" yes "$([ "$pages" -lt "$ncand" ] && echo yes || echo "$pages of $ncand")"
expect_eq "no dossier page left half empty" "" "$(printf '%s\n' "$lay" | awk '$3 < 0.8')"

# Split dossiers: files of at most 3 pages, towns kept whole where they
# fit; every candidate once, in the same order; the single file of the
# run before is gone, and comes back (the volumes gone) at the default.
list_cands() { for f in "$@"; do pdftotext "$f" - 2>/dev/null; done | grep -o '第 [0-9]* 位' | tr '\n' ' '; }
want_cands=$(list_cands $A/dossiers.pdf)
HIMAMA_DOSSIER_PAGES=3 hm report annual 2025 > an2.out 2>&1; expect_eq "split annual exit" 0 "$?"
expect_eq "single dossier file removed when split" "no" "$([ -e $A/dossiers.pdf ] && echo yes || echo no)"
nfiles=$(ls $A | grep -c '^dossiers-[0-9]*\.pdf$')
expect_eq "several dossier files" "yes" "$([ "$nfiles" -ge $(( (ncand + 2) / 3 )) ] && echo yes || echo no)"
split=$(ls $A/dossiers-*.pdf | sort)
over=0 total=0
for f in $split; do
    n=$(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p')
    total=$((total + n)); [ "$n" -le 3 ] || over=1
    qpdf --check "$f" > /dev/null 2>&1 || over=1
done
expect_eq "every file whole, at most 3 pages" 0 "$over"
expect_eq "pages no more than the candidates" yes "$([ "$total" -le "$ncand" ] && echo yes || echo "$total")"
expect_eq "every candidate once, in order" "$want_cands" "$(list_cands $split)"
expect_eq "manifest lists the volumes" "$nfiles" "$(grep -o '"dossiers-[0-9]*\.pdf"' $A/manifest.json | sort -u | wc -l)"
hm report annual 2025 > an3.out 2>&1; expect_eq "annual again exit" 0 "$?"
expect_eq "volumes removed when one file fits" 0 "$(ls $A | grep -c '^dossiers-')"

# The nominations are written by a second thread while the tables are
# counted (docs/decisions.md): a failure on either side is reported, exit
# 3, and leaves the previous report as it was, with no temporary behind.
before=$(cd $A && md5sum briefing.pdf tables.xlsx nominations.xlsx dossiers.pdf manifest.json)
for broken in annual_scorecard halfyear_kpi; do
    rm -rf dd; mkdir dd; cp -r "$ROOT/queries" "$ROOT/templates" dd/
    echo "SELECT no_such_column FROM volunteers;" > dd/queries/$broken.sql
    HIMAMA_DATADIR=$T/dd hm report annual 2025 > bad.out 2>&1; expect_eq "$broken broken: exit" 3 "$?"
    expect_match "$broken broken: says why" "no_such_column" "$(cat bad.out)"
    expect_eq "$broken broken: previous report intact" "$before" \
        "$(cd $A && md5sum briefing.pdf tables.xlsx nominations.xlsx dossiers.pdf manifest.json)"
    expect_eq "$broken broken: no temporary left" 0 "$(ls -A $A | grep -c '^\.')"
done

# A range counts activities month by month and adds the months, as the
# half-year and annual do (docs/decisions.md): an activity recorded under
# one id on 31 March and 1 April counts in each month.
pair=$(q "SELECT volunteer_id || ',' || child_id FROM pairings WHERE started_on <= '2026-03-31'
          AND (ended_on IS NULL OR ended_on >= '2026-04-01') ORDER BY pairing_id LIMIT 2")
p1=$(echo "$pair" | sed -n 1p) p2=$(echo "$pair" | sed -n 2p)
printf 'activity_id,date,type,volunteer_id,child_id\nXSPAN1,2026-03-31,call,%s\nXSPAN1,2026-04-01,call,%s\n' \
    "$p1" "$p2" > activities-span.csv
hm ingest activities-span.csv > span.out 2>&1; expect_eq "spanning activity loaded" 0 "$?"

# range_figures FROM TO: the key figures of the range report made before, as printed.
range_figures() {
    "$PY" - "out/range/$1_$2/internal/tables.xlsx" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
v = {}
for name in ("主要数字", "资金"):
    for r in wb[name].iter_rows(values_only=True):
        if r and isinstance(r[0], str) and isinstance(r[1], (int, float)):
            v[r[0]] = r[1]
print(v["亲情连线（次）"], v["陪你阅读（次）"], v["假日亲子活动（场）"], v["陪过生日（次）"],
      v["实现微心愿（个）"], v["建档儿童（名）"], v["爱心妈妈（爸爸）（名）"], "%.2f" % v["募集善款（元）"],
      "%.2f" % v["支出（元）"], v["开展活动的志愿者（名）"])
PYEOF
}
# by_month TYPE FROM TO: distinct activities of TYPE per month of the range, added.
by_month() {
    echo "(SELECT coalesce(sum(n), 0) FROM (SELECT count(DISTINCT activity_id) AS n FROM activities
            WHERE type = '$1' AND date BETWEEN '$2' AND '$3' GROUP BY substr(date, 1, 7)))"
}
active() { echo "(SELECT count(DISTINCT volunteer_id) FROM activities WHERE date BETWEEN '$1' AND '$2')"; }

run_range() { hm report range "$1" "$2" > rg.out 2>&1; expect_eq "range $1 $2 exit" 0 "$?"; }

# Over all the data: the all-time counts, activities added month by month.
RF=2000-01-01 RT=2026-10-15
run_range $RF $RT
got=$(range_figures $RF $RT)
want=$(q "SELECT $(by_month call $RF $RT) || ' ' || $(by_month reading $RF $RT) || ' ' ||
               $(by_month holiday $RF $RT) || ' ' || $(by_month birthday $RF $RT) || ' ' ||
               (SELECT count(*) FROM wishes WHERE fulfilled_on IS NOT NULL) || ' ' ||
               (SELECT count(*) FROM children) || ' ' || (SELECT count(*) FROM volunteers) || ' ' ||
               printf('%.2f', (SELECT sum(amount_fen) FROM donations) / 100.0) || ' ' ||
               printf('%.2f', (SELECT sum(amount_fen) FROM expenditures) / 100.0) || ' ' ||
               $(active $RF $RT)")
expect_eq "range over all data equals the all-time counts" "$want" "$got"

# Parts of months: 10 March to 20 May is three pieces; the spanning call
# counts once in March and once in April.
RF=2026-03-10 RT=2026-05-20
run_range $RF $RT
got=$(range_figures $RF $RT | cut -d' ' -f1-4,10)
want=$(q "SELECT $(by_month call $RF $RT) || ' ' || $(by_month reading $RF $RT) || ' ' ||
               $(by_month holiday $RF $RT) || ' ' || $(by_month birthday $RF $RT) || ' ' || $(active $RF $RT)")
expect_eq "range of parts of months adds its pieces" "$want" "$got"
expect_eq "the spanning call counts in both months" 1 \
    "$(q "SELECT $(by_month call $RF $RT) - (SELECT count(DISTINCT activity_id) FROM activities
           WHERE type = 'call' AND date BETWEEN '$RF' AND '$RT')")"
# Within one month: distinct activities of those days.
run_range 2026-04-01 2026-04-01
got=$(range_figures 2026-04-01 2026-04-01 | cut -d' ' -f1)
expect_eq "range of one day" "$(q "SELECT count(DISTINCT activity_id) FROM activities
    WHERE type = 'call' AND date = '2026-04-01'")" "$got"

# Every PDF written above (the half-year, annual and range briefings, the
# dossiers, the half-year's monthly reports): no word printed over another,
# chart value labels included.
mapfile -t pdfs < <(find out -name '*.pdf' | sort)
expect_eq "PDFs to check for overlapping words" yes "$([ "${#pdfs[@]}" -ge 10 ] && echo yes || echo "${#pdfs[@]}")"
expect_no_overlaps "${pdfs[@]}"

# Usage errors.
hm report halfyear 2026-H3 2>/dev/null; expect_eq "bad half" 1 "$?"
hm report range 2026-02-01 2026-01-01 2>/dev/null; expect_eq "range backwards" 1 "$?"
hm report annual 26 2>/dev/null; expect_eq "bad year" 1 "$?"
finish
