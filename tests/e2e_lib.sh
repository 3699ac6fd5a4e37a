# Shared helpers for the end-to-end tests: a scratch directory, the binary,
# a fixed "today", and assertions that print what they compared.
set -u
HIMAMA=${HIMAMA_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/himama}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1792022400}   # 2026-10-15
export HIMAMA_DATADIR=$ROOT
unset HIMAMA_DB HIMAMA_OUT HIMAMA_CONFIG
cd "$T"
fails=0

hm() { "$HIMAMA" --db "$T/h.db" --out "$T/out" "$@"; }

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
    if [ "$2" != "$3" ]; then
        printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
        fails=$((fails + 1))
    fi
}

# expect_match DESCRIPTION REGEX ACTUAL
expect_match() {
    if ! printf '%s' "$3" | grep -Eq -- "$2"; then
        printf 'FAIL: %s\n  pattern: %s\n  actual:  %s\n' "$1" "$2" "$3"
        fails=$((fails + 1))
    fi
}

# expect_no_overlaps PDF...: no word printed over another in any of them
# (tests/tools/check_pdf_words.py); on failure the first pairs are shown.
expect_no_overlaps() {
    local out last
    out=$("${PY:-/usr/bin/python3}" "$ROOT/tests/tools/check_pdf_words.py" "$@" 2>&1)
    last=$(printf '%s\n' "$out" | tail -1)
    expect_eq "no word printed over another" "0 overlapping words" "$last"
    [ "$last" = "0 overlapping words" ] || printf '%s\n' "$out" | head -5
}

q() { sqlite3 -batch -noheader "$T/h.db" "$1"; }

finish() {
    if [ "$fails" -ne 0 ]; then
        echo "$fails assertion(s) failed in $(basename "$0")"
        exit 1
    fi
    exit 0
}
