#!/usr/bin/env bash
# tests/tools/same_outputs.sh - check that the working tree writes the same
# reports, byte for byte, as an earlier revision.  Not part of `make test`
# (it builds two programs and ingests twice); run it before landing any
# change that should not change an output.
#
#   tests/tools/same_outputs.sh [REF] [district|city|both]
#
# REF (default main) is built in a temporary worktree.  For the district
# (the demo's data, seed 1) every report is written in both audiences and
# both languages: the last month's monthly, its half year, the year before
# and the whole period (as `make demo` chooses them).  For the city data
# set the same four kinds are written in both audiences, in Chinese.  Both
# programs read the same synthetic files with SOURCE_DATE_EPOCH fixed; the
# outputs are compared file by file, and the first differences are shown.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
REF=${1:-main}
WHICH=${2:-both}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1796601600}   # 2026-12-07
export HIMAMA_QUIET=1
tmp=${SAME_OUTPUTS_TMP:-$(mktemp -d)}
[ -n "${SAME_OUTPUTS_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"

rev=$(git rev-parse --verify "$REF^{commit}")
old="$tmp/old-$rev"
if [ ! -x "$old/himama" ]; then
    rm -rf "$old"; git worktree prune
    git worktree add -q --detach "$old" "$rev"
    make -C "$old" -s -j2 himama >/dev/null
fi
make -s -j2 himama >/dev/null

# reports DIR BIN SCALE: ingest DIR/data with BIN, write the reports under DIR/out.
reports() {
    local d=$1 bin=$2 scale=$3 month year half from to langs
    local H=("$bin" --db "$d/himama.db" --out "$d/out")
    rm -rf "$d/out" "$d/himama.db"*; mkdir -p "$d"
    "${H[@]}" init >/dev/null
    "${H[@]}" ingest "$tmp/data-$scale" >/dev/null 2>&1 || true
    month=$(sqlite3 "$d/himama.db" "SELECT substr(max(date), 1, 7) FROM activities")
    year=$((${month%-*} - 1))
    half=$([ "${month#*-}" -ge 7 ] && echo "${month%-*}-H1" || echo "$year-H2")
    from=$(sqlite3 "$d/himama.db" "SELECT min(date) FROM activities")
    to=$(sqlite3 "$d/himama.db" "SELECT max(date) FROM activities")
    langs="zh en"; [ "$scale" = district ] || langs=zh
    for a in internal public; do
        for l in $langs; do
            "${H[@]}" report monthly "$month" --audience $a --lang $l >/dev/null
            "${H[@]}" report halfyear "$half" --audience $a --lang $l >/dev/null
            "${H[@]}" report annual "$year" --audience $a --lang $l >/dev/null
            "${H[@]}" report range "$from" "$to" --audience $a --lang $l >/dev/null
        done
    done
}

bad=0 n=0
scales=$WHICH; [ "$WHICH" = both ] && scales="district city"
for scale in $scales; do
    if [ ! -d "$tmp/data-$scale" ]; then
        ./himama synth --scale "$scale" --seed 1 "$tmp/data-$scale" >/dev/null
    fi
    # The reference outputs are kept by revision when SAME_OUTPUTS_TMP is set.
    [ -f "$tmp/old-$rev-$scale/done" ] ||
        { reports "$tmp/old-$rev-$scale" "$old/himama" "$scale" && touch "$tmp/old-$rev-$scale/done"; }
    reports "$tmp/new-$scale" "$root/himama" "$scale"
    while IFS= read -r f; do
        n=$((n + 1))
        if ! cmp -s "$tmp/old-$rev-$scale/out/$f" "$tmp/new-$scale/out/$f"; then
            bad=$((bad + 1))
            echo "  $scale: $f DIFFERENT"
        fi
    done < <(cd "$tmp/old-$rev-$scale/out" && find . -type f ! -path './rejects/*' | sort)
    extra=$(diff <(cd "$tmp/old-$rev-$scale/out" && find . -type f | sort) \
                 <(cd "$tmp/new-$scale/out" && find . -type f | sort) || true)
    if [ -n "$extra" ]; then
        bad=$((bad + 1))
        echo "  $scale: not the same files:"; echo "$extra" | head -10
    fi
done
[ -n "${SAME_OUTPUTS_TMP:-}" ] || git worktree remove --force "$old" 2>/dev/null || true
echo "$n files compared, $bad different"
[ "$bad" = 0 ]
