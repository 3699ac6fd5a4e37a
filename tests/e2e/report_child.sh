#!/usr/bin/env bash
# End-to-end: a child's record (一人一档) and a town's records on a
# synthetic district.  The record holds the child's name, guardian,
# school, every pairing with the volunteer's name, the activities by month
# equal to a count written here in SQL, the wishes and the stories; a
# town's records have one or two pages per child of the town; a child with
# no pairing and names of odd characters gets a readable record; a record
# for the public, an unknown child and an unknown town are refused (exit 1).
. "$(dirname "$0")/../e2e_lib.sh"
PY=${HIMAMA_PYTHON:-/usr/bin/python3}

"$HIMAMA" synth --scale district --seed 3 --until 2026-09-30 --quiet data
hm ingest data > /dev/null 2>&1; expect_eq "ingest" 0 "$?"

# The child with the most pairings, and one with wishes and stories if any.
C=$(q "SELECT child_id FROM pairings GROUP BY child_id ORDER BY count(*) DESC, child_id LIMIT 1")
S=$(q "SELECT child_id FROM stories WHERE child_id IN (SELECT child_id FROM wishes)
       GROUP BY child_id ORDER BY count(*) DESC, child_id LIMIT 1")
[ -n "$S" ] || S=$C
for c in "$C" "$S"; do
    hm report child "$c" > child.out 2>&1; expect_eq "report child $c exit" 0 "$?"
    for f in record.pdf record.xlsx manifest.json; do
        [ -s "out/child/$c/$f" ] || { echo "FAIL: missing out/child/$c/$f"; cat child.out; fails=$((fails + 1)); }
    done
done
R=out/child/$C
pdftotext -layout "$R/record.pdf" rec.txt 2>/dev/null
for v in "$(q "SELECT name FROM children WHERE child_id = '$C'")" \
         "$(q "SELECT guardian FROM children WHERE child_id = '$C'")" \
         "$(q "SELECT school FROM children WHERE child_id = '$C'")"; do
    expect_match "record shows '$v'" "$v" "$(cat rec.txt)"
done
# Every pairing, with its volunteer's name, in the workbook and the PDF.
want=$(q "SELECT v.name || '|' || p.started_on FROM pairings p JOIN volunteers v USING (volunteer_id)
          WHERE p.child_id = '$C' ORDER BY p.started_on, p.pairing_id")
got=$("$PY" - "$R/record.xlsx" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def table(ws, first):
    rows = list(ws.iter_rows(values_only=True))
    for i, r in enumerate(rows):
        if r and r[0] == first:
            return [dict(zip(r, x)) for x in rows[i + 1:] if x and x[0] is not None]
    raise SystemExit("no header %r in %s" % (first, ws.title))
for r in table(wb["结对"], "志愿者"):
    d = r["开始"]
    print("%s|%s" % (r["志愿者"], d.strftime("%Y-%m-%d") if hasattr(d, "strftime") else d))
PYEOF
)
expect_eq "pairings with the volunteers' names" "$want" "$got"
while IFS='|' read -r name _; do
    expect_match "record PDF names volunteer $name" "$name" "$(cat rec.txt)"
done <<< "$want"
# Activities by month: distinct activity ids per month, counted here.
want=$(q "SELECT substr(date, 1, 7) || ' ' || count(DISTINCT activity_id) FROM activities
          WHERE child_id = '$C' GROUP BY substr(date, 1, 7) ORDER BY 1 DESC")
got=$("$PY" - "$R/record.xlsx" <<'PYEOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["活动"]
rows = list(ws.iter_rows(values_only=True))
i = next(i for i, r in enumerate(rows) if r and r[0] == "月份")
for r in rows[i + 1:]:
    if r and r[0] and isinstance(r[1], int):
        print("%s %d" % (r[0], r[1]))
PYEOF
)
expect_eq "activities by month equal a count from the database" "$want" "$got"
# Wishes and stories of a child who has both.
pdftotext "out/child/$S/record.pdf" rs.txt 2>/dev/null
cells=$("$PY" - "out/child/$S/record.xlsx" <<'PYEOF'
import sys, openpyxl
for name in ("微心愿", "故事"):
    for row in openpyxl.load_workbook(sys.argv[1])[name].iter_rows(values_only=True):
        for v in row:
            if v is not None: print(v)
PYEOF
)
n=0
while IFS= read -r w; do
    [ -n "$w" ] || continue
    grep -qxF -- "$w" <<< "$cells" || { echo "missing wish or story: $w"; n=$((n + 1)); }
done <<< "$(q "SELECT description FROM wishes WHERE child_id = '$S' AND description IS NOT NULL
              UNION ALL SELECT text FROM stories WHERE child_id = '$S'")"
expect_eq "every wish and story in the workbook" 0 "$n"
first=$(q "SELECT description FROM wishes WHERE child_id = '$S' AND description IS NOT NULL
           ORDER BY registered_on LIMIT 1")
[ -z "$first" ] || expect_match "record PDF shows a wish" "${first:0:4}" "$(tr -d '\n' < rs.txt)"
expect_match "manifest: a record of the child" "\"report\": \"child\",.*\"period\": \"$C\"" "$(tr -d "\n" < "$R/manifest.json")"

# A town's records: one PDF with one or two pages per child of the town,
# each child's name on its first page.
TOWN=$(q "SELECT town_code FROM children WHERE child_id = '$C'")
hm report child --town "$TOWN" > town.out 2>&1; expect_eq "report child --town exit" 0 "$?"
P=out/child/town-$TOWN/records.pdf
nkids=$(q "SELECT count(*) FROM children WHERE town_code = '$TOWN'")
pages=$(pdfinfo "$P" 2>/dev/null | sed -n 's/^Pages: *//p')
expect_eq "pages per child between 1 and 2" yes \
    "$([ "$pages" -ge "$nkids" ] && [ "$pages" -le $((2 * nkids)) ] && echo yes || echo "$pages pages, $nkids children")"
bad=0
while IFS='|' read -r id name; do
    grep -qF -- "$name（$id）" <(pdftotext "$P" - 2>/dev/null) || { echo "missing $id $name"; bad=$((bad + 1)); }
done <<< "$(q "SELECT child_id || '|' || name FROM children WHERE town_code = '$TOWN'")"
expect_eq "every child of the town has its page" 0 "$bad"
rows=$("$PY" - "out/child/town-$TOWN/records.xlsx" <<'PYEOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["基本情况"]
print(sum(1 for r in ws.iter_rows(values_only=True) if r and r[1] == "姓名"))
PYEOF
)
expect_eq "the town's workbook has every child's profile" "$nkids" "$rows"

# A child with no pairing, activity, wish or story, and names of odd
# characters (quotes, ampersand, angle brackets, a CJK extension character,
# an emoji, a combining accent, a right-to-left mark), with an id a folder
# name cannot hold as is.
cat > odd-children.csv <<'CSVEOF'
child_id,name,alias,gender,birth_date,town_code,category,guardian,guardian_phone,school,class_teacher,needs,registered_on,exited_on
X/1 .odd,"𠮷田 O'Brien ""小&<明>"" é",小明,M,2015-03-04,HM01,left_behind,"Zoë 🙂 王‏",13800000000,"“希望” 小学 & Co.",,,2026-01-05,
CSVEOF
hm ingest odd-children.csv > /dev/null 2>&1; expect_eq "odd child loaded" 0 "$?"
hm report child "X/1 .odd" > odd.out 2>&1; expect_eq "odd child's record exit" 0 "$?"
O="out/child/X%2F1 .odd/record.pdf"
[ -s "$O" ] || { echo "FAIL: missing $O"; cat odd.out; ls out/child; fails=$((fails + 1)); }
otext=$(pdftotext "$O" - 2>/dev/null)
expect_match "odd name shown" "O'Brien \"小&<明>\"" "$otext"
expect_match "odd guardian shown" "Zoë" "$otext"
expect_match "no pairing said in words" "尚未结对" "$otext"
expect_match "no activity said in words" "还没有这名儿童的活动记录" "$otext"
hm report child "X/1 .odd" --lang en > /dev/null 2>&1; expect_eq "English record exit" 0 "$?"
expect_match "English record" "Not paired yet" "$(pdftotext "out/child/X%2F1 .odd/record-en.pdf" - 2>/dev/null)"

# Refused: the public, an unknown child or town, a missing subject.
hm report child "$C" --audience public > pub.out 2>&1; expect_eq "public record refused" 1 "$?"
expect_match "public refusal says why" "internal only" "$(cat pub.out)"
hm report child NO-SUCH-CHILD > unk.out 2>&1; expect_eq "unknown child refused" 1 "$?"
expect_match "unknown child named" "no child 'NO-SUCH-CHILD'" "$(cat unk.out)"
[ ! -e out/child/NO-SUCH-CHILD ] || { echo "FAIL: folder made for an unknown child"; fails=$((fails + 1)); }
hm report child --town NOWHERE 2>/dev/null; expect_eq "unknown town refused" 1 "$?"
hm report child 2>/dev/null; expect_eq "no child given" 1 "$?"
hm report child "$C" --town "$TOWN" 2>/dev/null; expect_eq "child and town" 1 "$?"
hm report monthly 2026-09 --town "$TOWN" 2>/dev/null; expect_eq "--town elsewhere" 1 "$?"

mapfile -t pdfs < <(find out/child -name '*.pdf' | sort)
expect_no_overlaps "${pdfs[@]}"
finish
