#!/usr/bin/env bash
# End-to-end: a synthetic district ingests with no rejects; ingesting it
# all again (skipped, then forced) leaves every table unchanged; with
# --errors every bad row listed by synth is rejected, at its line, and
# nothing else is.
. "$(dirname "$0")/../e2e_lib.sh"

"$HIMAMA" synth --scale district --seed 7 --until 2026-09-30 --quiet clean; rc=$?
expect_eq "synth exit" 0 "$rc"
hm ingest clean 2> ingest.err; rc=$?
expect_eq "clean district ingests with exit 0" 0 "$rc"
expect_eq "no rejects" 0 "$(q "SELECT count(*) FROM rejects")"
expect_eq "no file rejected whole" 0 "$(q "SELECT count(*) FROM ingest_log WHERE status <> 'loaded'")"
expect_eq "every row loaded" "$(q "SELECT sum(rows_read) FROM ingest_log")" "$(q "SELECT sum(rows_loaded) FROM ingest_log")"
expect_match "GB18030 files detected" "GB18030" "$(q "SELECT group_concat(DISTINCT encoding) FROM ingest_log")"
children=$(q "SELECT count(*) FROM children")
[ "$children" -ge 150 ] && [ "$children" -le 260 ] || { echo "FAIL: $children children"; fails=$((fails + 1)); }
hm check > check.out; expect_eq "check passes" 0 "$?"

snapshot() {
    for t in towns children volunteers pairings activities wishes donations expenditures trainings attendance stories feedback; do
        q "SELECT * FROM $t ORDER BY 1, 2, 3" | md5sum
    done
}
before=$(snapshot)
nlog=$(q "SELECT count(*) FROM ingest_log")
hm ingest clean 2>/dev/null; rc=$?
expect_eq "second ingest exit" 0 "$rc"
expect_eq "second ingest: every file skipped" "$nlog" "$(q "SELECT count(*) FROM ingest_log WHERE status = 'skipped'")"
expect_eq "second ingest changes nothing" "$before" "$(snapshot)"
hm ingest --force clean 2>/dev/null; rc=$?
expect_eq "forced ingest exit" 0 "$rc"
expect_eq "forced: every row unchanged" "0|0" "$(q "SELECT sum(rows_loaded), sum(rows_updated) FROM ingest_log WHERE id > 2 * $nlog")"
expect_eq "forced ingest changes nothing" "$before" "$(snapshot)"

# --errors: exactly the listed lines are rejected.
"$HIMAMA" synth --scale district --seed 7 --until 2026-09-30 --errors --quiet bad
"$HIMAMA" --db bad.db --out badout ingest bad 2>/dev/null; rc=$?
expect_eq "ingest with bad rows exits 2" 2 "$rc"
tail -n +2 bad/expected-rejects.tsv | cut -f1,2 | sort > expected
sqlite3 -separator $'\t' bad.db "SELECT replace(file, 'bad/', ''), line FROM rejects" | sort > got
expect_eq "rejected lines = synth's list" "" "$(diff expected got)"
expect_eq "counts add up" 0 "$(sqlite3 bad.db "SELECT count(*) FROM ingest_log WHERE rows_read <> rows_loaded + rows_updated + rows_unchanged + rows_rejected")"
expect_eq "every reject has a reason" 0 "$(sqlite3 bad.db "SELECT count(*) FROM rejects WHERE reason = ''")"
nrej=$(wc -l < expected)
expect_eq "rejects files hold every rejected row" "$nrej" "$(cat badout/rejects/*.rejects.csv | grep -c ',[0-9][0-9]*,[^,]*,[^,]')"
finish
