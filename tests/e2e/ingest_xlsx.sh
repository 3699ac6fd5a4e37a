#!/usr/bin/env bash
# End-to-end: a synthetic district written out as a filled-in workbook
# (one sheet per kind, dates as real dates, amounts as numbers) ingests to
# the same database as its CSV files; the workbook's sheets are units of
# their own; a damaged workbook is rejected whole.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${HIMAMA_PYTHON:-/usr/bin/python3}

"$HIMAMA" synth --scale district --seed 3 --until 2026-09-30 --quiet data
"$PY" "$ROOT/tests/tools/csv_to_workbook.py" data intake.xlsx || { echo "FAIL: cannot write the workbook"; exit 1; }

"$HIMAMA" --db csv.db --out out1 ingest data 2> csv.err; rc=$?
expect_eq "CSV ingest exit" 0 "$rc"
"$HIMAMA" --db xlsx.db --out out2 ingest intake.xlsx 2> xlsx.err; rc=$?
expect_eq "workbook ingest exit" 0 "$rc"
cat xlsx.err

cols() { sqlite3 "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('$2') WHERE name NOT IN ('ingest_id', 'line')"; }
for t in towns children volunteers pairings activities wishes donations expenditures trainings attendance stories feedback; do
    c=$(cols csv.db $t)
    a=$(sqlite3 csv.db "SELECT $c FROM $t ORDER BY $c" | md5sum)
    b=$(sqlite3 xlsx.db "SELECT $c FROM $t ORDER BY $c" | md5sum)
    n=$(sqlite3 xlsx.db "SELECT count(*) FROM $t")
    expect_eq "table $t from the workbook ($n rows) equals the CSV load" "$a" "$b"
done
expect_eq "one ingest_log row per sheet" 12 "$(sqlite3 xlsx.db "SELECT count(*) FROM ingest_log WHERE file LIKE 'intake.xlsx:%' AND encoding = 'xlsx' AND status = 'loaded'")"
expect_eq "summaries kept" 0 "$("$HIMAMA" --db xlsx.db check > /dev/null; echo $?)"

"$HIMAMA" --db xlsx.db --out out2 ingest intake.xlsx 2>/dev/null; rc=$?
expect_eq "the same workbook again: exit" 0 "$rc"
expect_match "the same workbook again: skipped" "skipped" "$(sqlite3 xlsx.db "SELECT status FROM ingest_log ORDER BY id DESC LIMIT 1")"

head -c 3000 intake.xlsx > towns-broken.xlsx
"$HIMAMA" --db xlsx.db --out out2 ingest towns-broken.xlsx 2> broken.err; rc=$?
expect_eq "damaged workbook exit" 3 "$rc"
expect_eq "damaged workbook logged once" "rejected" "$(sqlite3 xlsx.db "SELECT group_concat(status) FROM ingest_log WHERE file = 'towns-broken.xlsx'")"
finish
