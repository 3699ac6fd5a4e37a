#!/usr/bin/env bash
# End-to-end: `himama run monthly` as cron runs it.  An empty inbox still
# writes both reports; a synthetic district with bad rows, a file rejected
# whole and a stray spreadsheet ends archived, failed or loaded exactly as
# documented, with one line on stdout and a timestamped log that names no
# child; files left in processing by a killed run are picked up; names
# never collide; permissions follow umask 077 and public_mode.
. "$(dirname "$0")/../e2e_lib.sh"

# The configuration file decides the inbox, log, organisation and modes.
cat > himama.conf <<'EOF'
# a comment
database = data/h.db
out = reports
inbox = spool/inbox
log = logs/himama.log
organisation = 海门区妇联
EOF
mkdir -p spool/inbox

# A missing inbox is a configuration error, and nothing is created.
HIMAMA_INBOX=nowhere "$HIMAMA" run monthly > none.out 2> none.err; rc=$?
expect_eq "missing inbox: exit" 1 "$rc"
expect_match "missing inbox: message" "inbox 'nowhere' does not exist" "$(cat none.err)"
expect_eq "missing inbox: one line on stdout" 1 "$(wc -l < none.out)"

# A month in the future, or not a month: usage errors before anything moves.
touch spool/inbox/towns.csv
"$HIMAMA" run monthly 2026-11 > /dev/null 2> fut.err; rc=$?
expect_eq "future month: exit" 1 "$rc"
"$HIMAMA" run monthly 2026-13 > /dev/null 2>&1; rc=$?
expect_eq "month 13: exit" 1 "$rc"
"$HIMAMA" run weekly > /dev/null 2>&1; rc=$?
expect_eq "run weekly: exit" 1 "$rc"
expect_eq "usage errors leave the inbox alone" "towns.csv" "$(ls spool/inbox)"
rm spool/inbox/towns.csv

# An empty inbox: exit 0, the reports of the month before today (2026-09),
# and a summary that says the inbox was empty.
"$HIMAMA" run monthly > empty.out 2> empty.err; rc=$?
expect_eq "empty inbox: exit" 0 "$rc"
expect_eq "empty inbox: one line on stdout" 1 "$(wc -l < empty.out)"
expect_match "empty inbox: summary" "^himama run monthly 2026-09: inbox empty, no new data; reports written to reports/monthly/2026-09$" "$(cat empty.out)"
expect_eq "empty inbox: nothing on stderr" "" "$(cat empty.err)"
for a in internal public; do
    for f in briefing.pdf tables.xlsx manifest.json; do
        [ -s "reports/monthly/2026-09/$a/$f" ] || { echo "FAIL: empty inbox: no $a/$f"; fails=$((fails + 1)); }
    done
done
expect_match "organisation on the report" "海门区妇联" "$(pdftotext reports/monthly/2026-09/internal/briefing.pdf - 2>/dev/null)"

# A synthetic district with bad rows, a UTF-16 file (rejected whole), a
# spreadsheet (not a CSV), a hidden file and an office lock file.
"$HIMAMA" synth --scale district --seed 11 --errors --until 2026-09-30 --quiet syn
mv syn/expected-rejects.tsv .
cp syn/*.csv spool/inbox/
printf '\xff\xfet\x00o\x00w\x00n\x00\n\x00' > spool/inbox/towns-utf16.csv
echo "not a csv" > spool/inbox/名单.xlsx
echo "hidden" > spool/inbox/.partial.csv
echo "lock" > 'spool/inbox/~$名单.xlsx'
nfiles=$(ls syn/*.csv | wc -l)
"$HIMAMA" run monthly 2026-09 > run.out 2> run.err; rc=$?
expect_eq "district with errors: exit 3 (a file rejected whole)" 3 "$rc"
expect_eq "one line on stdout" 1 "$(wc -l < run.out)"
expect_match "summary line" "^himama run monthly 2026-09: FAILED: $((nfiles + 2)) files, [0-9,]+ rows, $(($(wc -l < expected-rejects.tsv) - 1)) rejected, [0-9,]+ warnings, 2 rejected whole \(see spool/failed/2026-10-15\); reports written to reports/monthly/2026-09$" "$(cat run.out)"
expect_eq "the inbox keeps only what is not for himama" ".partial.csv ~\$名单.xlsx" "$(ls -A spool/inbox | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "processing is empty" "" "$(ls -A spool/processing)"
for f in syn/*.csv; do
    [ -f "spool/archive/2026-10-15/$(basename "$f")" ] || { echo "FAIL: $(basename "$f") not archived"; fails=$((fails + 1)); }
done
expect_eq "archived files are the files dropped" "$(cd syn && cat *.csv | md5sum)" "$(cd spool/archive/2026-10-15 && cat $(cd ../../../syn && ls *.csv) | md5sum)"
nrej=$(q2() { sqlite3 -batch -noheader data/h.db "$1"; }; q2 "SELECT count(DISTINCT ingest_id) FROM rejects")
expect_eq "one rejects copy per file with rejected rows" "$nrej" "$(ls spool/archive/2026-10-15/*.rejects.csv | wc -l)"
expect_eq "failed: the UTF-16 file and the spreadsheet, each with a reason" \
    "towns-utf16.csv towns-utf16.csv.reason.txt 名单.xlsx 名单.xlsx.reason.txt" \
    "$(ls spool/failed/2026-10-15 | sort | tr '\n' ' ' | sed 's/ $//')"
expect_match "reason of the UTF-16 file" "UTF-16" "$(cat spool/failed/2026-10-15/towns-utf16.csv.reason.txt)"
expect_match "reason of the damaged spreadsheet" "not an xlsx workbook" "$(cat spool/failed/2026-10-15/名单.xlsx.reason.txt)"
expect_eq "stderr names only the file rejected whole, and the files with warnings" "" \
    "$(grep -v 'towns-utf16' run.err | grep -vE '^[^ ]+\.csv: [0-9]+ warnings?$|^  [^ ]+\.csv:[0-9]+: warning: |^  \.\.\. and [0-9]+ more warnings?')"
nwarn=$(sqlite3 -batch -noheader data/h.db "SELECT count(*) FROM warnings")
expect_match "the summary counts every warning" ", $nwarn warnings, " "$(cat run.out)"
expect_eq "stderr: the first five warnings of a file at most" 0 \
    "$(grep -E '^[^ ]+\.csv: [0-9]+ warnings?$' run.err | awk '{print $1}' | while read -r f; do
         n=$(grep -c "^  ${f%:}:[0-9]*: warning: " run.err); [ "$n" -le 5 ] || echo x; done | wc -l)"

# The log: every line timestamped, rows named by file and line, no names.
log=logs/himama.log
expect_eq "every log line starts with a timestamp and the pid" 0 \
    "$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4} \[[0-9]+\] ' "$log")"
expect_eq "one log line per rejected row" "$(($(wc -l < expected-rejects.tsv) - 1))" "$(grep -c ': rejected: ' "$log")"
expect_eq "every warning in the log" "$nwarn" "$(grep -c ': warning: ' "$log")"
expect_match "a row named by file, line and column" "children\.csv:[0-9]+:[a-z_]*: rejected: " "$(cat "$log")"
sqlite3 -batch -noheader data/h.db "SELECT name FROM children UNION SELECT guardian FROM children
    UNION SELECT guardian_phone FROM children" | awk 'length($0) >= 2' > secrets.txt
leaks=$(grep -F -f secrets.txt "$log" | head -3)
expect_eq "the log names no child, guardian or phone" "" "$leaks"
expect_match "the log ends with the summary" "finished, exit 3: " "$(tail -1 "$log")"

# Permissions: umask 077 for everything, public_mode (default 0640) for
# public reports.
perm() { stat -c %a "$1"; }
expect_eq "database owner-only" 600 "$(perm data/h.db)"
expect_eq "log owner-only" 600 "$(perm "$log")"
expect_eq "rejects owner-only" 600 "$(perm "$(ls reports/rejects/*.csv | head -1)")"
expect_eq "archived rejects owner-only" 600 "$(perm "$(ls spool/archive/2026-10-15/*.rejects.csv | head -1)")"
for f in briefing.pdf tables.xlsx manifest.json; do
    expect_eq "internal $f owner-only" 600 "$(perm reports/monthly/2026-09/internal/$f)"
    expect_eq "public $f 0640" 640 "$(perm reports/monthly/2026-09/public/$f)"
done
expect_eq "internal folder owner-only" 700 "$(perm reports/monthly/2026-09/internal)"
expect_eq "public folder readable by the group" 750 "$(perm reports/monthly/2026-09/public)"
expect_eq "folders above: search only" 710 "$(perm reports/monthly)"
echo "public_mode = 0644" >> himama.conf
"$HIMAMA" run monthly > /dev/null 2>&1; rc=$?
expect_eq "second run, empty inbox: exit" 0 "$rc"
expect_eq "public_mode 0644" 644 "$(perm reports/monthly/2026-09/public/briefing.pdf)"
expect_eq "public_mode 0644: folder" 755 "$(perm reports/monthly/2026-09/public)"
expect_eq "public_mode 0644: internal stays owner-only" 600 "$(perm reports/monthly/2026-09/internal/briefing.pdf)"
HIMAMA_PUBLIC_MODE=0755 "$HIMAMA" run monthly > /dev/null 2> mode.err; rc=$?
expect_eq "public_mode with x bits: exit" 1 "$rc"
expect_match "public_mode with x bits: message" "public_mode" "$(cat mode.err)"

# Files left in processing by a killed run are picked up; a name already
# in the archive is not overwritten; a file loaded before is skipped.
cp syn/towns.csv spool/processing/
cp syn/children.csv spool/inbox/
"$HIMAMA" run monthly > again.out 2>&1; rc=$?
expect_eq "leftover and re-dropped files: exit" 0 "$rc"
expect_match "both skipped as loaded before" "2 files, 0 rows, 0 rejected, 2 skipped as loaded before" "$(cat again.out)"
expect_eq "archived beside the first copies" "$(md5sum < syn/towns.csv)" "$(md5sum < spool/archive/2026-10-15/towns-2.csv)"
expect_eq "children archived again" "$(md5sum < syn/children.csv)" "$(md5sum < spool/archive/2026-10-15/children-2.csv)"
expect_eq "processing empty again" "" "$(ls -A spool/processing)"

# --quiet and a terminal do not change stdout: still one line.
"$HIMAMA" --quiet run monthly > quiet.out 2> quiet.err; rc=$?
expect_eq "quiet: exit" 0 "$rc"
expect_eq "quiet: one line" 1 "$(wc -l < quiet.out)"
finish
