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

# expect_quiet_pdfs [PDF...]: poppler (pdftotext, pdftoppm) and MuPDF
# (mutool draw) read each PDF - by default every one under the scratch
# directory - without a word on stderr: a warning means a reader had to
# guess (a broken ToUnicode map, a damaged font).  finish calls it.
expect_quiet_pdfs() {
    local f msg bad=0 img="$T/.quiet-pdf"
    local -a pdfs=()
    if ! command -v mutool >/dev/null 2>&1; then
        echo "FAIL: mutool (mupdf-tools) is not installed: make deps"
        fails=$((fails + 1))
        return
    fi
    if [ "$#" -eq 0 ]; then
        mapfile -t pdfs < <(find "$T" -name '*.pdf' -type f | sort)
        set -- ${pdfs[@]+"${pdfs[@]}"}
    fi
    for f in "$@"; do
        mkdir -p "$img"
        msg=$( { pdftotext "$f" - >/dev/null; pdftoppm -r 8 -png "$f" "$img/p" >/dev/null;
                 mutool draw -q -N -r 8 -o "$img/m%d.png" "$f" >/dev/null; } 2>&1)
        rm -rf "$img"
        if [ -n "$msg" ]; then
            bad=$((bad + 1))
            printf 'FAIL: a PDF reader warns on %s:\n' "${f#"$T"/}"
            printf '%s\n' "$msg" | sort | uniq -c | head -5
        fi
    done
    [ "$bad" -eq 0 ] || fails=$((fails + 1))
}

finish() {
    expect_quiet_pdfs
    if [ "$fails" -ne 0 ]; then
        echo "$fails assertion(s) failed in $(basename "$0")"
        exit 1
    fi
    exit 0
}
