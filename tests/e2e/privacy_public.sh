#!/usr/bin/env bash
# End-to-end: public means public (issue 17).  In a synthetic district,
# two children of one town get one alias (小琪) and planted names,
# guardians, teachers, schools and phone numbers; sentences holding them -
# as whole words, inside longer words, next to punctuation, in full-width
# digits and in dashed groups - are planted in every free-text field staff
# type (story titles and texts, wish descriptions and claiming
# organisations, activity titles and notes, reasons for ending a pairing,
# fund names of donations and spending, spending items), and one input
# file is named after a child.  Every public report (monthly, half-year,
# annual with its notice and dossiers, range; Chinese and English) is
# written, and all the text of every PDF (pdftotext), workbook (every
# cell, sheet name, comment and chart title, from the XML of the zip) and
# manifest is searched:
#   - none of the planted secrets is there (also with the line breaks and
#     spaces of the PDF removed);
#   - the planted sentences are there with the alias or the mask in place;
#   - the two colliding aliases are told apart (小琪① and 小琪②);
#   - no row-level list: no volunteer_id (but in the nominations
#     workbook); in the workbooks, no column of any sheet but the stories
#     holds a child's public alias (or the child_id that stands for a
#     child without one); the only
#     volunteers named in full are the authors of the period's stories;
#     the manifest names no input file.
# The internal report is the control: there the secrets are found.
. "$(dirname "$0")/../e2e_lib.sh"
PY=/usr/bin/python3

"$HIMAMA" synth --scale district --seed 1 --until 2026-09-30 --quiet syn

# ---- planting ----------------------------------------------------------
"$PY" - syn <<'PYEOF'
import csv, io, os, sys
d = sys.argv[1]

def read(name):
    raw = open(os.path.join(d, name), 'rb').read()
    for enc in ('utf-8-sig', 'gb18030'):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text, newline=''))), enc

def write(name, rows, enc):
    buf = io.StringIO(newline='')
    csv.writer(buf, lineterminator='\r\n').writerows(rows)
    data = buf.getvalue().encode('gb18030' if enc == 'gb18030' else 'utf-8')
    open(os.path.join(d, name), 'wb').write((b'\xef\xbb\xbf' if enc != 'gb18030' else b'') + data)

def append(name, new):
    rows, enc = read(name)
    write(name, rows + new, enc)

# Two children of town HM01 with one alias, and what is known about them.
rows, enc = read('children.csv')
h = rows[0]
col = {k: h.index(k) for k in h}
plant = {
    'C0000001': dict(name='郑雨萱', alias='小琪', guardian='郑国栋', guardian_phone='13912345678',
                     school='海门实验小学', class_teacher='蒋丽华'),
    'C0000002': dict(name='韩沐辰', alias='小琪', guardian='韩建军', guardian_phone='13887654321',
                     school='东洲中学', class_teacher='邵文静'),
}
for r in rows[1:]:
    if r[col['child_id']] in plant:
        for k, v in plant[r[col['child_id']]].items():
            r[col[k]] = v
    elif r[col['town_code']] == 'HM01' and r[col['alias']] == '小琪':
        r[col['alias']] = ''
write('children.csv', rows, enc)

# The sentences (their cleaned forms are checked below).
P1 = '郑雨萱的奶奶郑国栋说，“蒋丽华老师”很关心她。'
P2 = '雨萱在海门实验小学校园里读书，郑雨萱助学金已到账。'
P3 = '电话：１３９１２３４５６７８／139-1234-5678（0513-82345678）。'
P4 = '韩沐辰和沐辰的爸爸韩建军来到东洲中学，邵文静（班主任）接待。'
ALL = P1 + P2 + P3 + P4
FUND = '郑雨萱助学金'
REASON = '郑国栋（13912345678）把孩子接到海门实验小学附近'

# Stories by V0000001, the last of each period (the PDF lists the newest 50).
stories = [
    ['S900001', 'V0000001', 'C0000001', '2025-12-31', '郑雨萱：１３９１２３４５６７８', ALL],
    ['S900002', 'V0000001', 'C0000002', '2025-12-31', '沐辰的新书包', P4],
    ['S900003', 'V0000001', 'C0000001', '2026-06-30', '郑雨萱：１３９１２３４５６７８', ALL],
    ['S900004', 'V0000001', 'C0000002', '2026-06-30', '沐辰的新书包', P4],
]
append('事迹材料.csv', stories)
append('微心愿.csv', [
    ['W900001', 'C0000001', '2026/7/1', P1 + P3, '50元', '', '郑国栋所在的东洲中学', '2026/7/2', '', ''],
    ['W900002', 'C0000002', '2025/3/1', P4, '50元', 'V0000001', '', '2025/3/2', '2025/3/9', ''],
])
append('pairings.csv', [
    ['P900001', 'V0000001', 'C0000001', '2024-12-01', '2025-10-20', REASON],
    ['P900002', 'V0000001', 'C0000002', '2024-12-01', '2026-03-20', REASON],
])
for date in ('2025-05-10', '2026-04-10', '2026-08-10', '2026-09-10'):
    append('donations.csv', [['D9' + date.replace('-', ''), date, '郑国栋', '个人', '800元', FUND, '']])
for i, date in enumerate(('2025/5/20', '2026/4/20', '2026/8/20', '2026/9/20')):
    append('支出明细.csv', [['E90000%d' % i, date, P1, 'HM01', '微心愿', '100元', FUND, '蒋丽华']])
# An input file named after a child: the manifest must not show its name.
rows, enc = read('activities-2026-09.csv')
write('郑雨萱家访记录.csv', [rows[0],
      ['A900000001', '2026-09-12', 'call', 'V0000001', 'C0000001', '30', P2, P1 + P3]], enc)
PYEOF
hm ingest syn > ingest.out 2>&1
expect_eq "the planted children are in the store" "郑雨萱|小琪
韩沐辰|小琪" "$(q "SELECT name, alias FROM children WHERE child_id IN ('C0000001', 'C0000002') ORDER BY child_id")"
expect_eq "the planted rows are loaded" "4 2 2 4 4 1" "$(q "SELECT (SELECT count(*) FROM stories WHERE story_id LIKE 'S9%'),
    (SELECT count(*) FROM wishes WHERE wish_id LIKE 'W9%'), (SELECT count(*) FROM pairings WHERE pairing_id LIKE 'P9%'),
    (SELECT count(*) FROM donations WHERE donation_id LIKE 'D9%'), (SELECT count(*) FROM expenditures WHERE expense_id LIKE 'E9%'),
    (SELECT count(*) FROM activities WHERE activity_id LIKE 'A9%')" | tr '|' ' ')"
# The planted names are nobody else's (else the mask would be 某某).
expect_eq "planted names are unique in the store" "0" "$(q "SELECT count(*) FROM volunteers WHERE name IN ('郑雨萱','韩沐辰','郑国栋','韩建军','蒋丽华','邵文静')")"

# The secrets: what was planted, and the same written as the text had it.
cat > secrets.txt <<'EOF'
郑雨萱
雨萱
韩沐辰
沐辰
郑国栋
韩建军
蒋丽华
邵文静
海门实验小学
东洲中学
13912345678
13887654321
１３９１２３４５６７８
139-1234-5678
0513-82345678
82345678
1391234
EOF

# All text of a report folder: PDF text (and properties), every workbook
# part's XML text (cells, shared strings, sheet names, comments, charts)
# and every cell through openpyxl, and the manifests.
extract() {
    local dir=$1 f
    for f in "$dir"/*.pdf; do
        [ -e "$f" ] || continue
        pdftotext -q "$f" - ; pdfinfo "$f" 2>/dev/null
    done
    for f in "$dir"/*.xlsx; do
        [ -e "$f" ] || continue
        "$PY" - "$f" <<'PYEOF'
import sys, zipfile, re, html, openpyxl
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    t = z.read(n).decode('utf-8', 'replace')
    for piece in re.split(r'<[^>]*>', t):
        if piece.strip():
            print(html.unescape(piece))
    for v in re.findall(r'name="([^"]*)"', t):
        print(html.unescape(v))
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    print(ws.title)
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                print(c.value)
            if c.comment is not None:
                print(c.comment.text)
PYEOF
    done
    cat "$dir"/*.json 2>/dev/null
}

# check_secrets NAME FILE: none of the secrets, also with whitespace removed.
check_secrets() {
    tr -d ' \n\t\r\f' < "$2" > "$2.flat"
    local leaks
    leaks=$(grep -ohF -f secrets.txt "$2" "$2.flat" | sort -u | head -5 | tr '\n' ' ')
    expect_eq "no planted secret in $1" "" "$leaks"
}

# expect_text NAME FILE FRAGMENT...: each fragment is there (whitespace removed).
expect_text() {
    local name=$1 file=$2 frag flat
    shift 2
    flat=$(tr -d ' \n\t\r\f' < "$file")
    for frag in "$@"; do
        case "$flat" in
            *"$frag"*) ;;
            *) echo "FAIL: $name: '$frag' is not there"; fails=$((fails + 1)) ;;
        esac
    done
}

# The cleaned sentences (the aliases: C0000001 小琪①, C0000002 小琪②).
C1='小琪①的奶奶郑某说，“蒋某老师”很关心她。'
C2='小琪①在某学校校园里读书，小琪①助学金已到账。'
C3='电话：***／***（***）。'
C4='小琪②和小琪②的爸爸韩某来到某学校，邵某（班主任）接待。'
FUND='小琪①助学金'
REASON='郑某（***）把孩子接到某学校附近'

# The children's public aliases, and the volunteers' names with the
# authors of each period's stories allowed.
q "SELECT public_alias FROM (SELECT child_id, CASE WHEN alias IS NULL THEN child_id
     WHEN count(*) OVER (PARTITION BY town_code, alias) = 1 THEN alias
     ELSE alias || char(9311 + row_number() OVER w) END AS public_alias
   FROM (SELECT child_id, town_code, nullif(trim(alias), '') AS alias FROM children)
   WINDOW w AS (PARTITION BY town_code, alias ORDER BY child_id))" | sort -u > aliases.txt
# Volunteer names of three or more characters that are no part of another
# known public text (a town, another volunteer's name).
# The nomination candidates (the names on the public notice, the third
# column of its sheet) may be named in full too.
candidates() {   # DIR: the names on the nominations workbook's notice, quoted for SQL
    local f
    for f in "$1"/nominations*.xlsx; do
        [ -e "$f" ] || continue
        "$PY" -c "
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['公示名单'] if '公示名单' in wb.sheetnames else wb['Public notice']
print(','.join(sorted(set(\"'%s'\" % r[2].replace(\"'\", \"''\") for r in ws.iter_rows(min_row=2, values_only=True)
                         if isinstance(r[0], int) and isinstance(r[2], str)))))" "$f"
    done
}
volunteers_named() {   # FROM TO TEXTFILE DIR: volunteers named in full, neither author nor candidate
    local cand
    cand=$(candidates "$4")
    q "SELECT name FROM volunteers WHERE length(name) >= 3
        AND volunteer_id NOT IN (SELECT volunteer_id FROM stories WHERE date BETWEEN '$1' AND '$2')
        AND name NOT IN (${cand:-''})
        AND NOT EXISTS (SELECT 1 FROM volunteers o WHERE o.name <> volunteers.name AND instr(o.name, volunteers.name))
        AND NOT EXISTS (SELECT 1 FROM towns WHERE instr(town_name, volunteers.name))" > named.txt
    tr -d ' \n\t\r\f' < "$3" | grep -oF -f named.txt | sort -u | head -5 | tr '\n' ' '
}

# Workbook columns holding a child's public alias, but on the stories sheet.
alias_columns() {
    local f
    for f in "$1"/tables*.xlsx; do
        "$PY" - "$f" aliases.txt <<'PYEOF'
import sys, openpyxl
aliases = set(l.strip() for l in open(sys.argv[2], encoding='utf-8') if l.strip())
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    if ws.title in ('事迹', 'Stories'):
        continue
    for col in ws.iter_cols(values_only=True):
        hits = [v for v in col if isinstance(v, str) and v in aliases]
        if len(hits) > 1:
            print('%s: %s' % (ws.title, ' '.join(hits[:3])))
PYEOF
    done
}

periods="monthly:2026-09:2026-09-01:2026-09-30 monthly:2026-08:2026-08-01:2026-08-31
halfyear:2026-H1:2026-01-01:2026-06-30 annual:2025:2025-01-01:2025-12-31
range:2024-12-01_2026-09-30:2024-12-01:2026-09-30"
written=0
for p in $periods; do
    IFS=: read -r kind label from to <<< "$p"
    case $kind in
        range) args="$from $to" ;;
        *) args=$label ;;
    esac
    for lang in zh en; do
        hm report "$kind" $args --audience public --lang "$lang" > rep.out 2> rep.err; rc=$?
        expect_eq "public $kind $label ($lang) written" 0 "$rc"
        [ "$rc" = 0 ] || { cat rep.err; continue; }
        written=$((written + 1))
        dir=$(dirname "$(head -1 rep.out)")
        sfx=$([ "$lang" = zh ] && echo "" || echo "-en")
        # Only this language's files.
        mkdir -p "one/$kind-$label-$lang"
        for f in "$dir"/*; do
            b=$(basename "$f")
            case "$b" in
                *-en.*|*-en-[0-9]*.*) [ "$lang" = en ] && cp "$f" "one/$kind-$label-$lang/" ;;
                *) [ "$lang" = zh ] && cp "$f" "one/$kind-$label-$lang/" ;;
            esac
        done
        D="one/$kind-$label-$lang"
        extract "$D" > "$D.txt"
        [ -s "$D.txt" ] || { echo "FAIL: no text from $D"; fails=$((fails + 1)); }
        check_secrets "public $kind $label ($lang)" "$D.txt"
        # No row-level list: no volunteer id outside the nominations workbook
        # (a child without an alias is shown by its id, as its alias: the
        # alias columns are checked below).
        ids=$({ for f in "$D"/briefing*.pdf "$D"/dossiers*.pdf; do [ -e "$f" ] && pdftotext -q "$f" -; done
                for f in "$D"/tables*.xlsx; do unzip -p "$f"; done; cat "$D"/manifest*.json; } |
              grep -oE '\bV[0-9]{7}\b' | sort -u | head -3 | tr '\n' ' ')
        expect_eq "no volunteer id in public $kind $label ($lang)" "" "$ids"
        expect_eq "no column of child aliases but the stories in public $kind $label ($lang)" "" \
            "$(alias_columns "$D")"
        expect_eq "no volunteer named but the authors in public $kind $label ($lang)" "" \
            "$(volunteers_named "$from" "$to" "$D.txt" "$D")"
        # The manifest: inputs by digest, no file name.
        expect_eq "public manifest names no input file ($kind $label $lang)" "0 0" \
            "$(grep -c '"file": "[^"]*\.csv"' "$D"/manifest*.json) $(grep -c '家访' "$D"/manifest*.json)"
        expect_match "public manifest lists inputs by digest ($kind $label $lang)" '"sha256": "[0-9a-f]{64}"' \
            "$(cat "$D"/manifest*.json)"
        xl="$D.cells"
        for f in "$D"/tables*.xlsx; do
            "$PY" -c "
import sys, openpyxl
for ws in openpyxl.load_workbook(sys.argv[1]).worksheets:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if v is not None: print(v)" "$f"
        done > "$xl"
        pdf="$D.pdf.txt"
        pdftotext -q "$D"/briefing*.pdf "$pdf"
        # The planted sentences, cleaned, where a public section shows the field.
        case $kind in
            monthly)
                expect_text "fund names, $kind $label ($lang) workbook" "$xl" "$FUND"
                expect_text "fund names, $kind $label ($lang) PDF" "$pdf" "$FUND" ;;
            halfyear|annual)
                expect_text "stories, $kind $label ($lang) workbook" "$xl" "$C1" "$C2" "$C3" "$C4" \
                    "小琪①：***" "小琪②的新书包" "$FUND" "$REASON"
                expect_text "stories, $kind $label ($lang) PDF" "$pdf" "小琪①的奶奶郑某说" \
                    "“蒋某老师”" "某学校校园" "小琪①助学金" "韩某来到某学校" "邵某（班主任）" \
                    "小琪①：***" "$REASON"
                # The colliding aliases, told apart (the stories' child column too).
                expect_eq "小琪① and 小琪② in the $kind workbook's stories ($lang)" "小琪①
小琪②" "$(grep -xE '小琪[①②]' "$xl" | sort -u)"
                ;;
        esac
    done
done
expect_eq "public reports written" 10 "$written"
expect_match "the notice and dossiers were checked" "dossiers" "$(ls one/annual-2025-zh)"

# The control: the internal reports show the secrets and the alias column.
hm report halfyear 2026-H1 --audience internal > rep.out 2>/dev/null
extract "$(dirname "$(head -1 rep.out)")" > internal.txt
found=$(grep -oF -f secrets.txt internal.txt | sort -u | wc -l)
[ "$found" -ge 8 ] || { echo "FAIL: control: the internal report shows only $found secrets"; fails=$((fails + 1)); }
expect_match "control: the internal stories show the alias beside the name" "小琪②" "$(cat internal.txt)"
finish
