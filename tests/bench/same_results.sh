#!/usr/bin/env bash
# tests/bench/same_results.sh - check that rewritten report queries give the
# same rows as an earlier version, on a real database.  Not a test.
#
#   tests/bench/same_results.sh DB REF YYYY-MM... [-- QUERY...]
#
# REF is a git revision (e.g. main); each query file of that revision and
# of the working tree is run with the monthly report's parameters (see
# tests/bench/queries.sh) for every month given, both audiences and both
# languages, and the outputs are compared byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -ge 3 ] || { echo "usage: $0 DB REF YYYY-MM... [-- QUERY...]" >&2; exit 1; }
DB=$1 REF=$2
shift 2
months=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do months+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
if [ $# -eq 0 ]; then
    set -- $(cd queries && ls monthly_*.sql | sed 's/\.sql$//')
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old/queries"
# every query file of REF, so the files a query includes are there too
git archive "$REF" queries | tar -x -C "$tmp/old"

# run FILE MONTH AUDIENCE LANG: the query's rows, as CSV with a header.
run() {
    local m=$2 from to
    from=$m-01
    to=$(date -u -d "$from +1 month -1 day" +%Y-%m-%d)
    {
        cat <<EOF
.parameter init
INSERT INTO temp.sqlite_parameters (key, value) VALUES
  (':from', '$from'), (':to', '$to'),
  (':prev_from', '$(date -u -d "$from -1 month" +%Y-%m-%d)'),
  (':prev_to', '$(date -u -d "$from -1 day" +%Y-%m-%d)'),
  (':ytd_from', '${m%-*}-01-01'),
  (':next_from', '$(date -u -d "$from +1 month" +%Y-%m-%d)'),
  (':next_to', '$(date -u -d "$from +2 month -1 day" +%Y-%m-%d)'),
  (':today', '$(date -u +%Y-%m-%d)'), (':audience', '$3'), (':lang', '$4'),
  (':kind', 'monthly'), (':period', '$m'), (':org', '');
.mode csv
.headers on
EOF
        # the query as himama reads it: its include lines expanded
        awk -v dir="$(dirname "$1")" -f tests/bench/expand_includes.awk "$1"
    } | sqlite3 -readonly "$DB"
}

bad=0 n=0
for q in "$@"; do
    if ! git show "$REF:queries/$q.sql" >"$tmp/old/queries/$q.sql" 2>/dev/null; then
        echo "  $q: not in $REF, skipped"
        continue
    fi
    for m in "${months[@]}"; do
        for aud in internal public; do
            for lang in zh en; do
                run "$tmp/old/queries/$q.sql" "$m" "$aud" "$lang" >"$tmp/a"
                run "queries/$q.sql" "$m" "$aud" "$lang" >"$tmp/b"
                n=$((n + 1))
                if ! cmp -s "$tmp/a" "$tmp/b"; then
                    bad=$((bad + 1))
                    echo "  $q $m $aud $lang: DIFFERENT ($(wc -l <"$tmp/a") vs $(wc -l <"$tmp/b") lines)"
                    diff "$tmp/a" "$tmp/b" | head -5
                fi
            done
        done
    done
done
echo "$n runs compared, $bad different"
[ "$bad" = 0 ]
