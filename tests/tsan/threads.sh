#!/usr/bin/env bash
# `make tsan`: the commands that work on several threads at once, run by a
# ThreadSanitizer build (HIMAMA_TSAN_BIN) on the city data set; any report
# of a race fails the run.  The data set is made by the plain build
# (HIMAMA_BIN), which is faster.  Threads at work here: a report's sections
# on two connections, the two audiences of run monthly, the packs of --each
# on two workers, the nominations workbook and the dossiers of the annual.
. "$(dirname "$0")/../e2e_lib.sh"
export SOURCE_DATE_EPOCH=1796601600   # 2026-12-07
export HIMAMA_QUIET=1
TSAN=${HIMAMA_TSAN_BIN:?HIMAMA_TSAN_BIN names the ThreadSanitizer build}
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 log_path=$T/tsan"
# Some kernels place memory where this ThreadSanitizer does not expect it
# ("unexpected memory mapping"); without address randomisation it runs.
RUN=("$TSAN")
if ! "$TSAN" version >/dev/null 2>&1; then
    RUN=(setarch "$(uname -m)" -R "$TSAN")
    if ! "${RUN[@]}" version >/dev/null 2>&1; then
        echo "tsan: the ThreadSanitizer build does not start on this machine; not run"
        exit 0
    fi
fi

"$HIMAMA" --db "$T/h.db" synth --scale city --seed 1 --until 2026-11-30 "$T/data" >/dev/null
"$HIMAMA" --db "$T/h.db" init >/dev/null
"$HIMAMA" --db "$T/h.db" --out "$T/out" ingest "$T/data" >/dev/null 2>&1 || true

# tsan NAME ARGS...: run the ThreadSanitizer build; it must exit 0 and
# report nothing.
tsan() {
    local name=$1 rc=0; shift
    rm -f "$T"/tsan.*
    "${RUN[@]}" --db "$T/h.db" --out "$T/out-$name" "$@" >"$T/$name.log" 2>&1 || rc=$?
    expect_eq "$name: exit status" 0 "$rc"
    if ls "$T"/tsan.* >/dev/null 2>&1; then
        expect_eq "$name: ThreadSanitizer reports" "none" \
            "$(grep -h -m1 -A8 'WARNING: ThreadSanitizer' "$T"/tsan.* | head -20)"
    fi
}

mkdir -p "$T/inbox"
export HIMAMA_INBOX="$T/inbox" HIMAMA_LOG="$T/run.log"
tsan run-monthly run monthly 2026-11
tsan each-district report monthly 2026-11 --each district
tsan each-town-public report monthly 2026-11 --each town --audience public
tsan halfyear report halfyear 2026-H1
tsan annual report annual 2025
tsan range-unit report range 2026-01-01 2026-11-30 --unit 海门区

finish
