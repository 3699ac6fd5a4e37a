#!/usr/bin/env bash
# Reports at every level and a pack per unit (issue 20):
# - the city's report shows its districts, and every level's rows add up
#   (tests/tools/check_levels.py);
# - --unit of a district gives the figures of a database holding only that
#   district's data (synth --per-district), but the money that has no town
#   (donations, spending not given a town), which is the organisation's;
# - --each town on the district: each town pack's lists hold only that
#   town's children (checked against the store); the towns' additive
#   figures in units/index.xlsx add up to the whole's; --unit of a town
#   writes the same files as its pack;
# - the city's whole report lists no one (the lists are in the district
#   packs), its district's pack does;
# - a bad unit or level is refused.
. "$(dirname "$0")/../e2e_lib.sh"
export SOURCE_DATE_EPOCH=1796601600   # 2026-12-07
export HIMAMA_QUIET=1
PY=${PY:-/usr/bin/python3}
M=2026-11

# -- the city and its district 海门区 alone
C=("$HIMAMA" --db "$T/city.db" --out "$T/out-city")
"${C[@]}" synth --scale city --seed 1 --until 2026-11-30 "$T/data-city" >/dev/null
"${C[@]}" init >/dev/null
"${C[@]}" ingest "$T/data-city" >/dev/null 2>&1 || true
"$HIMAMA" synth --scale city --seed 1 --until 2026-11-30 --per-district "$T/split" >/dev/null
D=("$HIMAMA" --db "$T/hm.db" --out "$T/out-hm")
"${D[@]}" init >/dev/null
"${D[@]}" ingest "$T/split/HM" >/dev/null 2>&1 || true

"${C[@]}" report monthly $M >/dev/null
"${C[@]}" report monthly $M --unit 海门区 >/dev/null
"${D[@]}" report monthly $M >/dev/null
W="$T/out-city/monthly/$M/internal"
out=$("$PY" "$ROOT/tests/tools/check_levels.py" \
      --total 结对儿童,已联系儿童,实现微心愿,建档儿童,完成需求调查,待结对,待调查,开展活动的志愿者,参与活动（人次）,未填时长（人次） \
      "$W/tables.xlsx" 五个一分镇 三个全覆盖分镇 服务时长 2>&1)
expect_eq "city: every level's rows add up ($(printf '%s' "$out" | tail -1))" 0 $?
printf '%s\n' "$out" | grep -v checks | head -5
rows=$("$PY" -c "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['五个一分镇']; print(sum(1 for r in range(1, ws.max_row + 1) if ws.row_dimensions[r].outline_level))" "$W/tables.xlsx")
expect_eq "city: the workbook's towns are a level below their districts" 90 "$rows"
expect_eq "city: the briefing's tables show the districts" 3 \
    "$(pdftotext -f 2 -l 3 "$W/briefing.pdf" - | grep -c '^海门区$')"

U="$W/units/江苏省/南通市/海门区"
diffs=$("$PY" - "$U/manifest.json" "$T/out-hm/monthly/$M/internal/manifest.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(a["unit"]["level"], a["unit"]["path"])
for k, v in a["figures"].items():
    if k not in ("donations_fen", "expenditures_fen") and v != b["figures"][k]:
        print(k, v, b["figures"][k])
PY
)
expect_eq "--unit 海门区 equals the district's own database, but the money with no town" \
    "district 江苏省/南通市/海门区" "$diffs"
spent=$(sqlite3 "$T/city.db" "SELECT sum(amount_fen) FROM expenditures WHERE date LIKE '$M%' AND town_code IN (SELECT town_code FROM towns WHERE district = '海门区')")
expect_eq "--unit 海门区: spending is its towns'" "$spent" \
    "$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['figures']['expenditures_fen'])" "$U/manifest.json")"

# -- the city's report lists no one (its lists are the town cadres', in the packs);
#    its district's pack lists as a district's report does
lists=$("$PY" - "$W" "$U" <<'PY'
import json, os, sys
import openpyxl
ids = ("uncontacted", "birthdays", "wishes_waiting", "quiet_volunteers", "unpaired",
       "unsurveyed", "outside_pairing")
for d in sys.argv[1:3]:
    m = json.load(open(os.path.join(d, "manifest.json")))
    s = {x["id"]: x for x in m["sections"]}
    wb = openpyxl.load_workbook(os.path.join(d, "tables.xlsx"), read_only=True)
    listed = 0   # the rows under each list's header that name a child or a volunteer
    for x in ids:
        rows = list(wb[s[x]["sheet"]].iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if r[0] in ("区镇", "日期"))
        listed += sum(1 for r in rows[head + 1:] if r[1] is not None)
    print(sum(s[x]["rows"] for x in ids) > 0, all(s[x].get("in_packs") for x in ids),
          listed > 0, end="; ")
PY
)
expect_eq "the city lists no one (rows, in_packs, workbook rows); 海门区's pack lists"     "False True False; True False True; " "$lists"
expect_eq "the city's briefing says where the lists are, once per list" 7     "$(pdftotext "$W/briefing.pdf" - | grep -c '的报告不列名单')"

# -- the district, a pack per town
H=("$HIMAMA" --db "$T/d.db" --out "$T/out-d")
"${H[@]}" synth --scale district --seed 1 --until 2026-11-30 "$T/data-d" >/dev/null
"${H[@]}" init >/dev/null
"${H[@]}" ingest "$T/data-d" >/dev/null 2>&1 || true
"${H[@]}" report monthly $M --each town >/dev/null
expect_eq "--each town: exit status" 0 $?
I="$T/out-d/monthly/$M/internal/units"
res=$("$PY" - "$T/d.db" "$I" "$T/out-d/monthly/$M/internal" <<'PY'
import json, os, sqlite3, sys
import openpyxl
db, units, whole = sys.argv[1:4]
con = sqlite3.connect(db)
towns = [r[0] for r in con.execute("SELECT town_code FROM towns ORDER BY 1")]
paths = dict(con.execute("SELECT town_code, town_path FROM town_units"))
bad = []
lists = {"未联系儿童", "下月生日", "待实现心愿", "待结对儿童", "待需求调查"}
seen = 0
for t in towns:
    wb = openpyxl.load_workbook(os.path.join(units, paths[t], "tables.xlsx"), read_only=True)
    mine = {r[0] for r in con.execute("SELECT child_id FROM children WHERE town_code = ?", (t,))}
    for name in lists & set(wb.sheetnames):
        rows = list(wb[name].iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if r and r[1] == "儿童")
        for r in rows[head + 1:]:
            if r[0] is None:
                break
            if r[1] is None:
                continue   # the empty table's sentence
            seen += 1
            if r[1] not in mine:
                bad.append(f"{t} {name}: {r[1]}")
wb = openpyxl.load_workbook(os.path.join(units, "index.xlsx"))
rows = list(wb[wb.sheetnames[-1]].iter_rows(values_only=True))
head = next(i for i, r in enumerate(rows) if r and r[0] == "级别")
cols = rows[head]
data = [r for r in rows[head + 1:] if r[0]]
whole_row = [r for r in data if r[0] == "全部"]
town_rows = [r for r in data if r[0] == "town"]
fig = json.load(open(os.path.join(whole, "manifest.json")))["figures"]
for k in ("children_paired", "children_contacted", "children_registered",
          "children_surveyed", "children_unpaired", "wishes_fulfilled", "volunteers_active"):
    c = cols.index(k)
    s = sum(r[c] for r in town_rows)
    if s != fig[k] or whole_row[0][c] != fig[k]:
        bad.append(f"index {k}: towns add up to {s}, the whole has {fig[k]}")
hours = sum(r[cols.index("volunteer_hours")] for r in town_rows)
if abs(hours - fig["volunteer_hours"]) > 1e-6:
    bad.append(f"index volunteer_hours: {hours} against {fig['volunteer_hours']}")
print(f"{len(town_rows)} towns, {seen} list rows;", "; ".join(bad[:5]) or "ok")
PY
)
expect_eq "--each town: each pack lists only its town's children; the index adds up" \
    "9 towns, ok" "$(printf '%s' "$res" | sed 's/ [0-9]* list rows;//')"
printf '  %s\n' "$res"
t1=$(sqlite3 "$T/d.db" "SELECT town_path FROM town_units ORDER BY town_code LIMIT 1")
code=$(sqlite3 "$T/d.db" "SELECT town_code FROM towns ORDER BY town_code LIMIT 1")
"$HIMAMA" --db "$T/d.db" --out "$T/out-one" report monthly $M --unit "$code" >/dev/null
for f in briefing.pdf tables.xlsx; do
    expect_eq "--unit $code writes the same $f as its pack" \
        "$(sha256sum < "$I/$t1/$f")" "$(sha256sum < "$T/out-one/monthly/$M/internal/units/$t1/$f")"
done

# -- refused
"${H[@]}" report monthly $M --unit 无此镇 >/dev/null 2>"$T/err"
expect_eq "an unknown unit: usage error" 1 $?
expect_match "an unknown unit: says so" "unknown unit" "$(cat "$T/err")"
"${H[@]}" report monthly $M --each street >/dev/null 2>"$T/err"
expect_eq "an unknown level: usage error" 1 $?
finish
