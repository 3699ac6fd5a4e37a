#!/usr/bin/env bash
# tests/bench/queries.sh - time each report query on a database, with the
# parameters the monthly report binds (the table in pipeline/report/params.c,
# listed in include/himama/params.h), in the sqlite3 shell with .timer on.
# Not a test.
#
#   tests/bench/queries.sh DB YYYY-MM [QUERY...]
#
# QUERY is a file name in queries/ without .sql (default: every monthly_*).
# PLAN=1 prints each query's EXPLAIN QUERY PLAN; AUDIENCE=public and
# LANG_=en change the bound audience and language; RUNS=N times each query
# N times (the table shows every run); TIMEOUT=S stops a query after S
# seconds (shown as ">S").
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -ge 2 ] || { echo "usage: $0 DB YYYY-MM [QUERY...]" >&2; exit 1; }
DB=$1 M=$2
shift 2
if [ $# -eq 0 ]; then
    set -- $(cd queries && ls monthly_*.sql | sed 's/\.sql$//')
fi
RUNS=${RUNS:-1}

from=$M-01
to=$(date -u -d "$from +1 month -1 day" +%Y-%m-%d)
prev_from=$(date -u -d "$from -1 month" +%Y-%m-%d)
prev_to=$(date -u -d "$from -1 day" +%Y-%m-%d)
ytd_from=${M%-*}-01-01
next_from=$(date -u -d "$from +1 month" +%Y-%m-%d)
next_to=$(date -u -d "$from +2 month -1 day" +%Y-%m-%d)
today=$(date -u +%Y-%m-%d)

params() {
    cat <<EOF
.parameter init
INSERT INTO temp.sqlite_parameters (key, value) VALUES
  (':from', '$from'), (':to', '$to'), (':prev_from', '$prev_from'),
  (':prev_to', '$prev_to'), (':ytd_from', '$ytd_from'), (':next_from', '$next_from'),
  (':next_to', '$next_to'), (':today', '$today'), (':audience', '${AUDIENCE:-internal}'),
  (':lang', '${LANG_:-zh}'), (':kind', 'monthly'), (':period', '$M'), (':org', ''),
  (':child', NULL), (':town', NULL), (':scope_total', '全区合计'),
  (':scope_no_town', '区级（未分区镇）');
EOF
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-28s %10s %s\n' query lines "seconds: real (cpu = user + sys)"
for q in "$@"; do
    [ -f "queries/$q.sql" ] || { echo "no query 'queries/$q.sql'" >&2; exit 1; }
    f=$tmp/$q.sql   # its include lines expanded, as himama reads it
    awk -v dir=queries -f tests/bench/expand_includes.awk "queries/$q.sql" >"$f"
    if [ "${PLAN:-0}" = 1 ]; then
        echo "== $q"
        { params; printf 'EXPLAIN QUERY PLAN\n'; sed '/^--/d' "$f"; } | sqlite3 "$DB"
    fi
    times=""
    for ((i = 0; i < RUNS; i++)); do
        : >"$tmp/rows"
        if { params; printf '.output %s\n.timer on\n.read %s\n' "$tmp/rows" "$f"; } |
            timeout "${TIMEOUT:-0}" sqlite3 -readonly "$DB" >"$tmp/timer"; then
            times+=" $(sed -n 's/^Run Time: real \([0-9.]*\) user \([0-9.]*\) sys \([0-9.]*\)/\1 \2 \3/p' \
                "$tmp/timer" | tail -1 | awk '{ printf "%s (cpu %.3f)", $1, $2 + $3 }')"
        else
            times+=" >${TIMEOUT:-?}"
        fi
    done
    printf '%-28s %10s %s\n' "$q" "$(wc -l <"$tmp/rows")" "$times"
done
