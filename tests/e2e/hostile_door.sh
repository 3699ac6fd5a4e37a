#!/usr/bin/env bash
# End-to-end: hostile files at the door (issue 18).  Each attack of
# tests/tools/make_hostile.py - workbooks written both by Python's zipfile
# and by the zip tool - is ingested into a database of its own and must
# cost little: exit code as expected, peak memory under 256 MB, wall time
# under 30 s, database and output growth under 10 MB, the valid rows of
# the same file loaded where the attack leaves any, and a one-line reason
# staff can act on.  A line of figures per attack is printed
# ("figures: ..."), for comparing builds.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${PY:-/usr/bin/python3}

for tool in "$(command -v zip)" /usr/bin/time; do
    if [ ! -x "$tool" ]; then
        echo "FAIL: $tool is missing: make deps"
        exit 1
    fi
done

size_of() { du -sb "$@" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# attack LABEL FILE RC: ingest FILE into a fresh database, check the
# budget, leave the database at $T/a.db and the output at $T/a.out.
attack() {
    local label=$1 file=$2 want=$3 rc rss wall before after
    rm -rf "$T/a.db" "$T/a.db-wal" "$T/a.db-shm" "$T/a.out"
    "$HIMAMA" --db "$T/a.db" --out "$T/a.out" init >/dev/null 2>&1
    before=$(size_of "$T/a.db" "$T/a.db-wal" "$T/a.out")
    timeout 90 /usr/bin/time -v -o "$T/time.txt" "$HIMAMA" --db "$T/a.db" --out "$T/a.out" \
        ingest "$file" >"$T/stdout" 2>"$T/stderr"
    rc=$?
    after=$(size_of "$T/a.db" "$T/a.db-wal" "$T/a.out")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time.txt")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/time.txt" |
           awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    printf 'figures: %-28s rc=%s time=%ss rss=%sMB growth=%sMB\n' "$label" "$rc" "${wall:-?}" \
        "$(( ${rss:-0} / 1024 ))" "$(( (after - before) / 1048576 ))"
    expect_eq "$label: exit code" "$want" "$rc"
    expect_eq "$label: peak memory under 256 MB" 1 "$([ "${rss:-999999999}" -lt 262144 ] && echo 1)"
    expect_eq "$label: under 30 s" 1 "$(awk -v w="${wall:-999}" 'BEGIN { print (w < 30) }')"
    expect_eq "$label: growth under 10 MB" 1 "$([ $((after - before)) -lt 10485760 ] && echo 1)"
}

qa() { sqlite3 -batch -noheader "$T/a.db" "$1"; }

# expect_reason LABEL SQL-WHERE REGEX: the ingest_log reason of the unit
# matched by WHERE is one line matching REGEX.
expect_reason() {
    local r
    r=$(qa "SELECT reason FROM ingest_log WHERE $2 ORDER BY id LIMIT 1")
    expect_match "$1: the reason" "$3" "$r"
    expect_eq "$1: the reason is one line" 1 "$(printf '%s\n' "$r" | wc -l)"
}

for how in zipfile zip-tool; do
    d="$T/in-$how"
    "$PY" "$ROOT/tests/tools/make_hostile.py" "$d" $([ "$how" = zip-tool ] && echo --zip-tool)

    # One ~8 MiB shared string in a 10 KB file: inflating it is a zip bomb.
    attack "$how sst8m" "$d/sst8m.xlsx" 3
    expect_reason "$how sst8m" "1" "^'.*sst8m.xlsx' is refused: its parts inflate to more than"

    # 1 MiB that does not compress, used by 100 rows: 100 rejects, each
    # kept to 1 KiB; the valid rows load.
    attack "$how sst1m" "$d/sst1m.xlsx" 2
    expect_eq "$how sst1m: valid rows loaded" 5 "$(qa "SELECT count(*) FROM towns")"
    expect_eq "$how sst1m: 100 rejects" 100 "$(qa "SELECT count(*) FROM rejects")"
    expect_eq "$how sst1m: raw kept to 1 KiB" 1 "$(qa "SELECT max(length(raw)) <= 1024 FROM rejects")"
    expect_match "$how sst1m: the reason" "^too long" "$(qa "SELECT reason FROM rejects LIMIT 1")"

    # Two sheets naming one part.
    attack "$how sheets2" "$d/sheets2.xlsx" 3
    expect_reason "$how sheets2" "1" "is refused: sheets 'towns' and 'towns again' name the same part"

    # 20,000 rows with a cell at XFD: that sheet is given up whole after
    # 10,000 rejects, its first 1,000 kept; the other sheet loads.
    attack "$how xfd" "$d/xfd.xlsx" 3
    expect_eq "$how xfd: the valid sheet loaded" 3 "$(qa "SELECT count(*) FROM towns")"
    expect_reason "$how xfd" "sheet = 'towns wide'" "^too many rejected rows .*more than 10000 rows rejected"
    expect_eq "$how xfd: nothing of the sheet kept in the database" 0 \
        "$(qa "SELECT count(*) FROM rejects")"
    f=$(ls "$T"/a.out/rejects/*towns\ wide*.rejects.csv 2>/dev/null | head -1)
    expect_eq "$how xfd: the first 1,000 rejects kept in the rejects file" 1001 \
        "$([ -n "$f" ] && wc -l < "$f")"

    # 100 million empty shared strings in under 1 MB.
    expect_eq "$how sst100m: under 1 MB" 1 "$([ "$(size_of "$d/sst100m.xlsx")" -lt 1048576 ] && echo 1)"
    attack "$how sst100m" "$d/sst100m.xlsx" 3
    expect_reason "$how sst100m" "1" "is refused: (its parts inflate|its shared strings would take)"

    # 600,000 number formats and cell styles.
    attack "$how styles600k" "$d/styles600k.xlsx" 3
    expect_reason "$how styles600k" "1" "is refused: it has more than 65536 (number formats|cell styles)"

    # 2,000 sheets naming one part.
    attack "$how sheets2000" "$d/sheets2000.xlsx" 3
    expect_reason "$how sheets2000" "1" "is refused: (it has more than 1024 sheets|sheets .* name the same part)"
done

d="$T/in-zipfile"
# A header of 1 MB of commas: the rows load, with one warning.
attack "header of 1 MB of commas" "$d/towns-commas.csv" 0
expect_eq "commas: the rows loaded" 3 "$(qa "SELECT count(*) FROM towns")"
expect_eq "commas: one warning" 1 "$(qa "SELECT count(*) FROM warnings")"
expect_match "commas: it sums up" "^1048576 unknown columns ignored" \
    "$(qa "SELECT reason FROM warnings")"

# A NUL then =HYPERLINK: rejected, and written guarded in the rejects file.
attack "NUL then =HYPERLINK" "$d/towns-nul.csv" 2
expect_eq "nul: the valid row loaded" "N001" "$(qa "SELECT town_code FROM towns")"
f=$(ls "$T"/a.out/rejects/*.rejects.csv | head -1)
expect_eq "nul: the formula guarded" 1 "$(grep -c "\"'=HYPERLINK" "$f")"
expect_eq "nul: never unguarded" 0 "$(grep -c "[, \"]=HYPERLINK" "$f")"

# A name of 80 Chinese characters (250 bytes): loaded, rejects file written.
long=$(ls "$d" | grep '^towns-海')
attack "80 Chinese characters" "$d/$long" 2
expect_eq "long name: the valid row loaded" "L001" "$(qa "SELECT town_code FROM towns")"
expect_eq "long name: a rejects file, its name shortened" 1 \
    "$(ls "$T"/a.out/rejects/ | grep -c '~[0-9a-f]\{8\}\.csv\.rejects\.csv$')"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
