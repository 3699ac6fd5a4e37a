#!/usr/bin/env bash
# End-to-end: a write error on the rejects file during ingest.  The output
# directory is a tiny filesystem (a 64 KiB tmpfs mounted in a private mount
# namespace; skipped with a message where mounting is not allowed), and, as
# a second way that needs no privilege, a file-size limit (ulimit -f).
# Either way the ingest exits 3 with a message, the database holds nothing
# of that file (its transaction rolled back), no temporary file is left,
# and the file loads completely once there is room.
. "$(dirname "$0")/../e2e_lib.sh"

mkdir in
printf 'town_code,town_name\nHM01,海门街道\n' > in/towns.csv
# 2000 children, every other one with a wrong gender: about 100 KiB of rejects.
awk 'BEGIN { print "child_id,name,alias,gender,birth_date,town_code,category,registered_on"
             for (i = 1; i <= 2000; i++)
                 printf "C%04d,name %d,alias %d,%s,2014-03-05,HM01,left_behind,2024-01-10\n",
                        i, i, i, (i % 2 ? "F" : "X") }' > children.csv
hm ingest in/towns.csv 2>/dev/null; rc=$?
expect_eq "towns load" 0 "$rc"

# after_failure WHAT: the database holds nothing of children.csv.
after_failure() {
    expect_eq "$1: no children" 0 "$(q "SELECT count(*) FROM children")"
    expect_eq "$1: no rejects rows" 0 "$(q "SELECT count(*) FROM rejects")"
    expect_eq "$1: not logged as loaded" 0 \
        "$(q "SELECT count(*) FROM ingest_log WHERE file LIKE '%children.csv' AND status = 'loaded'")"
    expect_eq "$1: integrity_check" ok "$(q "PRAGMA integrity_check")"
    expect_eq "$1: no temporary file left" "" "$(find out -name '*.tmp*' 2>/dev/null)"
}

# 1. A full filesystem, where a private mount namespace can be had.
if [ "$(id -u)" = 0 ]; then ns=(unshare -m); else ns=(unshare -rm); fi
mkdir -p out
if "${ns[@]}" sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$T/out" 2>/dev/null; then
    "${ns[@]}" sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" && shift && exec "$@"' sh "$T/out" \
        "$HIMAMA" --db "$T/h.db" --out "$T/out" ingest "$T/children.csv" 2> full.err
    rc=$?
    expect_eq "full filesystem: exit" 3 "$rc"
    expect_match "full filesystem: message" "children.csv: .*cannot write the rejects file" "$(cat full.err)"
    after_failure "full filesystem"

    # A rejects file small enough to sit in the stdio buffer fails only
    # when it is flushed: that must happen before the database commits.
    if true; then
        head -21 children.csv > children-small.csv
        "${ns[@]}" sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" && mkdir "$1/rejects" &&
                          { dd if=/dev/zero of="$1/fill" bs=1k count=100 2>/dev/null; shift; exec "$@"; }' \
            sh "$T/out" "$HIMAMA" --db "$T/h.db" --out "$T/out" ingest "$T/children-small.csv" 2> small.err
        rc=$?
        expect_eq "small rejects on a full filesystem: exit" 3 "$rc"
        after_failure "small rejects on a full filesystem"
        expect_eq "small rejects: recorded as rejected whole" 1 \
            "$(q "SELECT count(*) FROM ingest_log WHERE file LIKE '%children-small.csv' AND status = 'rejected'")"
    fi
else
    echo "skip: cannot mount a small filesystem here (needs root or user namespaces)"
fi

# 2. A file-size limit: writes past it fail with EFBIG (SIGXFSZ ignored,
# as cron's shell may not, so the process sees the error).
( trap '' XFSZ; ulimit -f 40; exec "$HIMAMA" --db "$T/h.db" --out "$T/out" ingest "$T/children.csv" ) 2> limit.err
rc=$?
expect_eq "file-size limit: exit" 3 "$rc"
expect_match "file-size limit: message" "children.csv: .*cannot write" "$(cat limit.err)"
after_failure "file-size limit"

# With room again, the same file loads whole, its rejects file beside it.
hm ingest children.csv 2>/dev/null; rc=$?
expect_eq "with room: exit (rows rejected)" 2 "$rc"
expect_eq "with room: loaded" 1000 "$(q "SELECT count(*) FROM children")"
expect_eq "with room: rejects rows" 1000 "$(q "SELECT count(*) FROM rejects")"
cid=$(q "SELECT id FROM ingest_log WHERE file LIKE '%children.csv' AND status = 'loaded'")
expect_eq "with room: rejects file rows (header and 1000)" 1001 \
    "$(grep -c $'\r$' "out/rejects/$cid-children.csv.rejects.csv" 2>/dev/null)"
hm check >/dev/null 2>&1; rc=$?
expect_eq "check passes" 0 "$rc"
finish
