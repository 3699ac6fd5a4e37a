#!/usr/bin/env bash
# End-to-end: hostile files at the command layer (issue 18).  `run monthly`
# opens every file once, never through a link, and reads it through that
# descriptor: a file swapped for a link to a secret during 40 runs never
# gets the secret read; a link to /dev/zero in processing/ or a FIFO in the
# inbox is set aside in seconds with a reason, the lock released; a file a
# run died on is tried once more, then set aside; a file that takes longer
# than file_timeout is stopped; the lock file and the log are never
# followed through a link; a name of 80 Chinese characters goes through
# archive/ and failed/ with its reason; the log escapes control
# characters; warnings are counted and shown.  Each case checks the exit
# code, a reason staff can act on, and that nothing outside the output
# and working folders was written.
. "$(dirname "$0")/../e2e_lib.sh"
PY=${PY:-/usr/bin/python3}
DAY=2026-10-15
export HIMAMA_INBOX=$T/spool/inbox HIMAMA_LOG=$T/logs/himama.log
mkdir -p spool/inbox outside
LOG=$T/logs/himama.log

# What must never be read or written: a secret (a valid towns file, so
# that if it were read it would be loaded and its digest logged) and a
# victim file for the lock and log links.
printf 'town_code,town_name\nSECRET1,机密镇\n' > outside/secret.csv
echo "victim: must stay as it is" > outside/victim.txt
secret_sha=$(sha256sum < outside/secret.csv | cut -d' ' -f1)
outside_before=$(cd outside && ls -lA --time-style=+%s.%N && md5sum *)

run() { "$HIMAMA" --db "$T/h.db" --out "$T/out" "$@"; }
# The log lines written since mark (a line count).
log_since() { tail -n +"$(($1 + 1))" "$LOG"; }
log_lines() { [ -f "$LOG" ] && wc -l < "$LOG" || echo 0; }
# reason FILE: the reason line of a .reason.txt (zh: 原因：, en: Reason:).
reason() { sed -n 's/^原因：//p; s/^Reason: //p' "$1"; }
# The lock is free: flock on it succeeds at once.
lock_free() { flock -n "$T/h.db.lock" true && echo free || echo held; }

# ---- 1. A link swap race: a file swapped for a link to the secret, back
# and forth, while 40 runs take the inbox.
"$PY" - "$T/spool/inbox" "$T/outside/secret.csv" "$T/swap.stop" <<'EOF' &
import os, sys, time
inbox, secret, stop = sys.argv[1:4]
target = os.path.join(inbox, "towns-race.csv")
i = 0
while not os.path.exists(stop):
    i += 1
    f, l = os.path.join(inbox, ".f"), os.path.join(inbox, ".l")
    with open(f, "w") as fp:
        fp.write("town_code,town_name\nR%07d,race\n" % i)
    os.rename(f, target)
    time.sleep(0.0002)
    try:
        os.unlink(l)
    except FileNotFoundError:
        pass
    os.symlink(secret, l)
    os.rename(l, target)
    time.sleep(0.0002)
EOF
swapper=$!
bad_rc=0
for i in $(seq 1 "${RACE_RUNS:-40}"); do
    run run monthly > race.out 2> race.err; rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || bad_rc=$rc
done
touch swap.stop
wait "$swapper"
expect_eq "race: every run exits 0 or 3" 0 "$bad_rc"
expect_eq "race: the secret's digest is not in ingest_log" 0 \
    "$(q "SELECT count(*) FROM ingest_log WHERE sha256 = '$secret_sha'")"
expect_eq "race: the secret's town is not loaded" 0 "$(q "SELECT count(*) FROM towns WHERE town_code = 'SECRET1'")"
nlinks=$(find spool/failed -type l | wc -l)
[ "$nlinks" -gt 0 ] || { echo "FAIL: race: no link was set aside (the swap never hit)"; fails=$((fails + 1)); }
for r in $(find spool/failed -type l | head -3); do
    expect_match "race: a link's reason" "symbolic link, not a file: not read|replaced \(by a link or another file\)" \
        "$(reason "$r.reason.txt")"
done
expect_eq "race: no file of the race left in processing" "" "$(ls -A spool/processing)"
rm -f spool/inbox/towns-race.csv spool/inbox/.f spool/inbox/.l
rm -rf spool/failed spool/archive

# ---- 2. A link to /dev/zero in processing/: set aside at once, not read.
mark=$(log_lines)
ln -s /dev/zero spool/processing/towns-zero.csv
start=$(date +%s)
timeout 60 "$HIMAMA" --db "$T/h.db" --out "$T/out" run monthly > zero.out 2> zero.err; rc=$?
secs=$(($(date +%s) - start))
expect_eq "link to /dev/zero: exit 3" 3 "$rc"
[ "$secs" -lt 30 ] || { echo "FAIL: link to /dev/zero: the run took ${secs} s"; fails=$((fails + 1)); }
[ -L "spool/failed/$DAY/towns-zero.csv" ] || { echo "FAIL: link to /dev/zero: the link is not in failed/"; fails=$((fails + 1)); }
expect_match "link to /dev/zero: reason" "^a symbolic link, not a file: not read: put the file itself in the inbox" \
    "$(reason "spool/failed/$DAY/towns-zero.csv.reason.txt")"
expect_match "link to /dev/zero: logged" "towns-zero.csv: rejected whole" "$(log_since "$mark")"
expect_eq "link to /dev/zero: the lock is released" free "$(lock_free)"
expect_eq "link to /dev/zero: processing empty" "" "$(ls -A spool/processing)"
rm -f spool/processing/towns-zero.csv   # (each case on its own, should this one fail)

# ---- 3. A FIFO in the inbox: set aside (itself), nothing waits on it.
mkfifo spool/inbox/towns-fifo.csv
timeout 60 "$HIMAMA" --db "$T/h.db" --out "$T/out" run monthly > fifo.out 2> fifo.err; rc=$?
expect_eq "FIFO: exit 3" 3 "$rc"
[ -p "spool/failed/$DAY/towns-fifo.csv" ] || { echo "FAIL: FIFO: not set aside in failed/"; fails=$((fails + 1)); }
expect_match "FIFO: reason" "^not a regular file: not read" "$(reason "spool/failed/$DAY/towns-fifo.csv.reason.txt")"
expect_match "FIFO: the summary line counts it" "1 file, 0 rows, 0 rejected, 1 rejected whole" "$(cat fifo.out)"
expect_eq "FIFO: the lock is released" free "$(lock_free)"
rm -f spool/inbox/towns-fifo.csv

# ---- 4. A poison file: a run killed while reading it leaves it in
# processing; the next run tries it once more (and is killed too); the run
# after that sets it aside in failed/ with a reason.  A database of its
# own (h2.db), as a big file loaded by mistake would slow every later
# report.
"$PY" -c "
import sys
w = sys.stdout.write
w('town_code,town_name\n')
for i in range(2000000): w('P%07d,镇%d\n' % (i, i))
" > big.csv
run2() { "$HIMAMA" --db "$T/h2.db" --out "$T/out" "$@"; }
q2() { sqlite3 -batch -noheader "$T/h2.db" "$1"; }
# kill_while_reading PATTERN: start a run, wait until the log says it is
# reading (PATTERN), then kill it with SIGKILL.
kill_while_reading() {
    local mark pid
    mark=$(log_lines)
    "$HIMAMA" --db "$T/h2.db" --out "$T/out" run monthly > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 1000); do
        log_since "$mark" 2>/dev/null | grep -q "$1" && break
        sleep 0.01
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
cp big.csv spool/inbox/towns-big.csv
kill_while_reading 'towns-big.csv: reading$'
expect_eq "poison: killed run leaves the file in processing" "towns-big.csv" "$(ls spool/processing)"
kill_while_reading 'towns-big.csv: reading (try 2 of 2)'
expect_eq "poison: the retry was killed too, the file still in processing" "towns-big.csv" "$(ls spool/processing)"
mark=$(log_lines)
run2 run monthly > poison.out 2> poison.err; rc=$?
expect_eq "poison: third run exits 3" 3 "$rc"
expect_eq "poison: processing empty" "" "$(ls -A spool/processing)"
[ -f "spool/failed/$DAY/towns-big.csv" ] || { echo "FAIL: poison: not in failed/"; fails=$((fails + 1)); }
expect_match "poison: reason" "^himama stopped 2 times while reading this file .*set aside" \
    "$(reason "spool/failed/$DAY/towns-big.csv.reason.txt")"
expect_eq "poison: nothing of it loaded" 0 "$(q2 "SELECT count(*) FROM towns WHERE town_code LIKE 'P%'")"
expect_eq "poison: not read a third time" "" "$(log_since "$mark" | grep 'towns-big.csv: reading')"

# A file left in processing with no mark (its run stopped before reading
# it) is read as any other.
printf 'town_code,town_name\nLEFT1,留\n' > spool/processing/towns-left.csv
run2 run monthly > left.out 2>&1; rc=$?
expect_eq "unmarked leftover: exit 0" 0 "$rc"
[ -f "spool/archive/$DAY/towns-left.csv" ] || { echo "FAIL: unmarked leftover not archived"; fails=$((fails + 1)); }
expect_eq "no marks left behind" "" "$(ls -A spool/processing)"

# ---- 5. file_timeout: a file that takes longer is stopped, rolled back.
cp big.csv spool/inbox/towns-slow.csv
HIMAMA_FILE_TIMEOUT=1s run2 run monthly > slow.out 2> slow.err; rc=$?
expect_eq "file_timeout: exit 3" 3 "$rc"
expect_match "file_timeout: reason" "^reading it took longer than file_timeout \(1 second\), so it was stopped and nothing of it was loaded" \
    "$(reason "spool/failed/$DAY/towns-slow.csv.reason.txt")"
expect_eq "file_timeout: nothing of it loaded" 0 "$(q2 "SELECT count(*) FROM towns WHERE town_code LIKE 'P%'")"
HIMAMA_FILE_TIMEOUT=soon run2 run monthly > bad.out 2> bad.err; rc=$?
expect_eq "file_timeout 'soon': usage error" 1 "$rc"
expect_match "file_timeout 'soon': message" "file_timeout must be" "$(cat bad.err)"
expect_eq "file_timeout: the lock is released" free "$(flock -n "$T/h2.db.lock" true && echo free)"
rm -f h2.db h2.db.lock h2.db-wal h2.db-shm big.csv

# ---- 6. The lock file and the log as links: refused, never followed.
ln -s "$T/outside/victim.txt" h.db.lock.new && mv h.db.lock.new h.db.lock
printf 'town_code,town_name\nLK1,锁\n' > spool/inbox/towns-lock.csv
run run monthly > lock.out 2> lock.err; rc=$?
expect_eq "lock link: exit 3" 3 "$rc"
expect_match "lock link: reason" "the lock file '.*h.db.lock' is a link or not a regular file; remove it" "$(cat lock.err)"
expect_eq "lock link: the inbox is left alone" "towns-lock.csv" "$(ls spool/inbox)"
run ingest spool/inbox/towns-lock.csv 2> lock2.err; rc=$?
expect_eq "lock link, ingest: exit 3" 3 "$rc"
rm h.db.lock
ln -s "$T/outside/victim.txt" logs/evil.log
HIMAMA_LOG=$T/logs/evil.log run run monthly > loglink.out 2> loglink.err; rc=$?
expect_eq "log link: exit 1" 1 "$rc"
expect_match "log link: reason" "the log '.*evil.log' is a link or not a regular file" "$(cat loglink.err)"
expect_eq "log link: the inbox is left alone" "towns-lock.csv" "$(ls spool/inbox)"
rm logs/evil.log spool/inbox/towns-lock.csv

# ---- 7. A name of 80 Chinese characters (240 bytes, and ".reason.txt"):
# one file loaded with a rejected row (archived with its rejects), one
# rejected whole (failed, with its reason).
n80=$(printf '区%.0s' $(seq 80))
n79=$(printf '区%.0s' $(seq 79))
printf 'town_code,town_name\nLONG1,长\nBAD2,坏,多\n' > "spool/inbox/${n80}.csv"
printf '\xff\xfet\x00o\x00w\x00n\x00\n\x00' > "spool/inbox/${n79}乙.csv"
run run monthly > long.out 2> long.err; rc=$?
expect_eq "80 characters: exit 3 (one rejected whole)" 3 "$rc"
expect_eq "80 characters: loaded" 1 "$(q "SELECT count(*) FROM towns WHERE town_code = 'LONG1'")"
arch=$(ls "spool/archive/$DAY" | grep "^区区区.*~[0-9a-f]\{8\}\.csv$")
expect_eq "80 characters: archived under a shortened name" 1 "$(printf '%s\n' "$arch" | grep -c .)"
expect_eq "80 characters: the archived file is the file" "LONG1" "$(grep -o LONG1 "spool/archive/$DAY/$arch")"
expect_eq "80 characters: its rejects file archived" 1 "$(ls "spool/archive/$DAY" | grep -c "^[0-9]*-区区区.*\.rejects\.csv$")"
failed=$(ls "spool/failed/$DAY" | grep "^区区区.*~[0-9a-f]\{8\}\.csv$")
[ -n "$failed" ] && [ -f "spool/failed/$DAY/$failed.reason.txt" ] || { echo "FAIL: 80 characters: no reason file in failed/"; fails=$((fails + 1)); }
expect_match "80 characters: reason" "UTF-16" "$(reason "spool/failed/$DAY/$failed.reason.txt")"
expect_eq "80 characters: every name within 255 bytes" 0 \
    "$(find spool out -printf '%f\n' | awk '{ if (length($0) > 255) n++ } END { print n + 0 }')"

# ---- 8. Escape, bell and DEL in a file name: escaped in the log.
evil=$'towns-\e[31mred\a\x7f.csv'
printf 'town_code,town_name\nESC1,逃\n' > "spool/inbox/$evil"
mark=$(log_lines)
run run monthly > esc.out 2> esc.err; rc=$?
expect_eq "escapes: exit 0" 0 "$rc"
expect_eq "escapes: no raw control byte or DEL in the log" 0 "$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$LOG")"
expect_match "escapes: written as \\xNN" 'towns-\\x1b\[31mred\\x07\\x7f\.csv: taken from the inbox' "$(log_since "$mark")"

# ---- 9. Warnings shown: an unknown column "remark2" and a repeated header.
printf 'town_code,town_name,remark2\nWRN1,警,x\ntown_code,town_name,remark2\nWRN2,告,y\n' > spool/inbox/towns-warn.csv
cp spool/inbox/towns-warn.csv towns-warn2.csv
sed -i 's/WRN/WRX/' towns-warn2.csv
mark=$(log_lines)
run run monthly > warn.out 2> warn.err; rc=$?
expect_eq "warnings (run): exit 0" 0 "$rc"
expect_match "warnings (run): the summary line counts them" ", 2 warnings;" "$(cat warn.out)"
expect_eq "warnings (run): stderr says how many" "towns-warn.csv: 2 warnings" "$(grep -v '^  ' warn.err)"
expect_match "warnings (run): the unknown column shown" "^  towns-warn.csv:1: warning: unknown column 'remark2' ignored" "$(cat warn.err)"
expect_match "warnings (run): the repeated header shown" "towns-warn.csv:3: warning: the header line repeats here" "$(cat warn.err)"
expect_eq "warnings (run): both in the log" 2 "$(log_since "$mark" | grep -c 'towns-warn.csv:[13]: warning: ')"
run ingest towns-warn2.csv 2> warn2.err; rc=$?
expect_eq "warnings (ingest): exit 0" 0 "$rc"
expect_match "warnings (ingest): the summary line counts them" "^towns-warn2.csv: towns, UTF-8: 2 read: 2 loaded, .*; 2 warnings$" "$(head -1 warn2.err)"
expect_match "warnings (ingest): the unknown column shown" "^  towns-warn2.csv:1: warning: unknown column 'remark2' ignored" "$(sed -n 2p warn2.err)"
expect_match "warnings (ingest): the repeated header shown" "^  towns-warn2.csv:3: warning: the header line repeats here" "$(sed -n 3p warn2.err)"
# Seven warnings: four unknown columns (each its own; more than five would
# make one that sums them up) and the header repeated three times.
{
    printf 'town_code,town_name,x1,x2,x3,x4\nWRM1,多,,,,\n'
    for c in 1 2 3; do printf 'town_code,town_name,x1,x2,x3,x4\n'; done
} > towns-many.csv
run --quiet ingest towns-many.csv 2> many.err; rc=$?
expect_eq "seven warnings: exit 0" 0 "$rc"
expect_match "seven warnings, even --quiet: counted" "; 7 warnings$" "$(head -1 many.err)"
expect_eq "seven warnings: five shown" 5 "$(grep -c '^  towns-many.csv:[0-9]*: warning: ' many.err)"
expect_match "seven warnings: the rest counted" "^  \.\.\. and 2 more warnings" "$(tail -1 many.err)"

# ---- Nothing outside the output and working folders was written.
expect_eq "outside: untouched" "$outside_before" "$(cd outside && ls -lA --time-style=+%s.%N && md5sum *)"
expect_eq "outside: only the expected entries here" \
    "h.db h.db.lock logs out outside spool towns-many.csv towns-warn2.csv" \
    "$(ls | grep -vE '\.(out|err)$|^swap\.stop$' | tr '\n' ' ' | sed 's/ $//')"
finish
