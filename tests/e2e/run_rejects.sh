#!/usr/bin/env bash
# End-to-end (issue 16): the monthly report that `run monthly` writes shows
# the rows that run rejected.  The month's files arrive with one bad row (a
# date not on the calendar); the run on the 1st rejects it (exit 2), and
# the report of the month it writes lists that row, with its reason in
# Chinese, in the briefing and the workbook, and counts it in the
# manifest's rows_rejected, the same number the run's summary line gives.
. "$(dirname "$0")/../e2e_lib.sh"
export SOURCE_DATE_EPOCH=1790812800   # 2026-10-01, the run on the 1st
PY=${PY:-/usr/bin/python3}
cat > himama.conf <<'CONF'
database = h.db
out = reports
inbox = inbox
log = himama.log
CONF
mkdir inbox
"$HIMAMA" synth --scale district --seed 3 --until 2026-08-31 --quiet data
"$HIMAMA" --quiet init
"$HIMAMA" --quiet ingest data > /dev/null 2>&1
# September's file, with one row dated 2026-09-31.
"$HIMAMA" synth --scale district --seed 3 --until 2026-09-30 --quiet data2
cp data2/activities-2026-09.csv inbox/
sed -i "3s/,2026-09-[0-9][0-9],/,2026-09-31,/" inbox/activities-2026-09.csv
"$HIMAMA" run monthly > run.out 2> run.err; rc=$?
expect_eq "run monthly: exit 2 (a row rejected)" 2 "$rc"
expect_match "run's summary: 1 rejected" " 1 rejected" "$(cat run.out)"

R=reports/monthly/2026-09/internal
txt=$(pdftotext -raw "$R/briefing.pdf" - 2>/dev/null | tr -d ' \n')
expect_match "briefing: the rejected row's file" "processing/activities-2026-09\.csv3date" "$txt"
expect_match "briefing: its reason in Chinese" "不是日历上存在的日期：“2026-09-31”" "$txt"
expect_eq "workbook: the data-problems sheet holds the row" "1" "$("$PY" - "$R/tables.xlsx" <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
n = 0
for ws in wb.worksheets:
    for r in ws.iter_rows(values_only=True):
        if any(isinstance(v, str) and "2026-09-31" in v for v in r) and \
           any(isinstance(v, str) and v.endswith("activities-2026-09.csv") for v in r):
            n += 1
print(n)
PYEOF
)"
expect_eq "manifest: rows_rejected" "1" \
    "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["figures"]["rows_rejected"])' "$R/manifest.json")"
expect_eq "the store holds the one reject" "1|3" \
    "$(sqlite3 h.db "SELECT count(*), max(line) FROM rejects")"
finish
