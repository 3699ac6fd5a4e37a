#!/usr/bin/env bash
# End-to-end with a real office suite, where LibreOffice is installed
# (skipped otherwise: it is not one of the build's dependencies):
#   - a filled-in workbook saved again by LibreOffice ingests to exactly
#     the rows its CSV files give;
#   - the intake form and a report's workbook open in LibreOffice.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${HIMAMA_PYTHON:-/usr/bin/python3}
LO=$(command -v libreoffice || command -v soffice || true)
if [ -z "$LO" ]; then
    echo "skip: LibreOffice is not installed"
    exit 0
fi
# A profile of its own, so that another LibreOffice running at the same
# time (another test) cannot hold its lock.
LO=("$LO" "-env:UserInstallation=file://$T/lo-profile")

"$HIMAMA" synth --scale district --seed 5 --until 2026-09-30 --quiet data
"$PY" "$ROOT/tests/tools/csv_to_workbook.py" data filled.xlsx || exit 1
mkdir lo
"${LO[@]}" --headless --convert-to xlsx --outdir lo filled.xlsx > lo.log 2>&1
[ -s lo/filled.xlsx ] || { echo "FAIL: LibreOffice did not save the workbook"; cat lo.log; exit 1; }
cmp -s filled.xlsx lo/filled.xlsx && { echo "FAIL: the file was not saved again"; exit 1; }

"$HIMAMA" --db csv.db --out out1 ingest data 2>/dev/null; rc=$?
expect_eq "CSV ingest exit" 0 "$rc"
"$HIMAMA" --db lo.db --out out2 ingest lo/filled.xlsx 2> lo-ingest.err; rc=$?
expect_eq "LibreOffice workbook ingest exit" 0 "$rc"
[ "$rc" = 0 ] || cat lo-ingest.err
cols() { sqlite3 "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('$2') WHERE name NOT IN ('ingest_id', 'line')"; }
for t in towns children volunteers pairings activities wishes donations expenditures trainings attendance stories feedback; do
    c=$(cols csv.db $t)
    expect_eq "table $t from LibreOffice's workbook equals the CSV load" \
        "$(sqlite3 csv.db "SELECT $c FROM $t ORDER BY $c" | md5sum)" \
        "$(sqlite3 lo.db "SELECT $c FROM $t ORDER BY $c" | md5sum)"
done

# The intake form and a report workbook open in LibreOffice.
"$HIMAMA" --db csv.db forms forms > /dev/null 2>&1
"${LO[@]}" --headless --convert-to csv --outdir lo forms/intake.xlsx > lo2.log 2>&1
[ -s lo/intake.csv ] || { echo "FAIL: LibreOffice cannot open the intake form"; cat lo2.log; fails=$((fails + 1)); }
"$HIMAMA" --db csv.db --out out1 report monthly 2026-09 > /dev/null 2>&1
"${LO[@]}" --headless --convert-to csv --outdir lo out1/monthly/2026-09/internal/tables.xlsx > lo3.log 2>&1
[ -s lo/tables.csv ] || { echo "FAIL: LibreOffice cannot open the report workbook"; cat lo3.log; fails=$((fails + 1)); }
finish
