#!/usr/bin/env bash
# End-to-end: `himama check` on a clean and a damaged database, the
# writer's lock, a file that is not a database, and the command line's
# usage errors.
. "$(dirname "$0")/../e2e_lib.sh"
FIX=$ROOT/tests/fixtures/ingest

hm ingest "$FIX/towns.csv" "$FIX/children.csv" 2>/dev/null
out=$(hm check); rc=$?
expect_eq "check on a clean database" 0 "$rc"
expect_match "check names its checks" "ok +integrity" "$out"
expect_match "check summary" "checks: 0 failed" "$out"

# Damage it behind himama's back: an overspent fund and a broken count.
q "INSERT INTO donations (donation_id, date, donor_type, amount_fen, restricted_to) VALUES ('D1', '2026-01-01', 'other', 100, '专项');
   INSERT INTO expenditures (expense_id, date, category, amount_fen, fund) VALUES ('E1', '2026-01-02', 'other', 500, '专项');
   UPDATE ingest_log SET rows_rejected = rows_rejected + 1, rows_read = rows_read + 1 WHERE id = 1;"
out=$(hm check); rc=$?
expect_eq "check on a damaged database" 3 "$rc"
expect_match "overspent fund found" "FAILED +funds: fund '专项' spent 5.00 yuan but raised 1.00" "$out"
expect_match "count mismatch found" "FAILED +ingest_counts: ingest 1 " "$out"

# The lock: a second writer exits 4 at once and names the holder.
exec 9>"$T/h.db.lock"
flock -n 9 || { echo "FAIL: cannot take the lock for the test"; fails=$((fails + 1)); }
echo 4242 > "$T/h.db.lock"
hm ingest "$FIX/towns.csv" 2> lock.err; rc=$?
expect_eq "second writer's exit" 4 "$rc"
expect_match "holder named" "pid 4242" "$(cat lock.err)"
exec 9>&-

# A file that is not a database: a clear error, nothing written over it.
printf 'this is not a database, just text\n%.0s' {1..200} > notdb.db
sum=$(md5sum < notdb.db)
"$HIMAMA" --db notdb.db ingest "$FIX/towns.csv" 2> notdb.err; rc=$?
expect_eq "not a database: exit" 3 "$rc"
expect_match "not a database: message" "notdb.db.*not a usable himama database" "$(cat notdb.err)"
expect_eq "not a database: untouched" "$sum" "$(md5sum < notdb.db)"

# Usage errors exit 1 with a message.
"$HIMAMA" frobnicate 2> usage.err; rc=$?
expect_eq "unknown command" 1 "$rc"
expect_match "unknown command message" "no such command 'frobnicate'" "$(cat usage.err)"
"$HIMAMA" help ingest > help.out; rc=$?
expect_eq "help exits 0" 0 "$rc"
expect_match "help text" "usage: himama .*ingest \[--force\]" "$(cat help.out)"
finish
