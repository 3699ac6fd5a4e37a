#!/usr/bin/env bash
# End-to-end: `make install PREFIX=...` into a scratch prefix; the installed
# program, run from another folder with no data folder set, finds its
# queries and templates (also after the prefix is moved) and runs init,
# ingest and report monthly; the man page lists every command, config key,
# environment variable and exit status, and shows a crontab line.
. "$(dirname "$0")/../e2e_lib.sh"
unset HIMAMA_DATADIR
FIX=$ROOT/tests/fixtures/ingest

make -C "$ROOT" --no-print-directory install PREFIX="$T/prefix" > make.out 2>&1; rc=$?
expect_eq "make install exit" 0 "$rc"
[ "$rc" = 0 ] || cat make.out
P=$T/prefix
for f in bin/himama share/himama/queries/schema.sql share/himama/queries/monthly_kpi.sql \
         share/himama/templates/monthly.zh.tmpl share/himama/templates/monthly.en.tmpl \
         share/man/man1/himama.1; do
    [ -f "$P/$f" ] || { echo "FAIL: not installed: $f"; fails=$((fails + 1)); }
done
expect_eq "binary executable" 755 "$(stat -c %a "$P/bin/himama")"

# Run it from elsewhere: a folder with no queries/ or templates/.
mkdir -p work moved && cd work
use() {
    local bin=$1; shift
    "$bin" --db "$T/work/h.db" --out "$T/work/out" "$@"
}
for bin in "$P/bin/himama" "$T/moved/prefix/bin/himama"; do
    if [ "$bin" = "$T/moved/prefix/bin/himama" ]; then
        rm -rf h.db* out && cp -a "$P" "$T/moved/prefix"
    fi
    use "$bin" init 2> init.err; rc=$?
    expect_eq "installed init ($bin)" 0 "$rc"
    use "$bin" ingest "$FIX"/*.csv 2> ingest.err; rc=$?
    expect_eq "installed ingest ($bin): the fixtures' bad rows rejected" 2 "$rc"
    use "$bin" report monthly 2026-09 --audience public > report.out 2> report.err; rc=$?
    expect_eq "installed report ($bin)" 0 "$rc"
    [ "$rc" = 0 ] || cat report.err
    [ -s out/monthly/2026-09/public/briefing.pdf ] || { echo "FAIL: no briefing from $bin"; fails=$((fails + 1)); }
    expect_match "the manifest names the installed template" '"templates/monthly.zh.tmpl"' "$(cat out/monthly/2026-09/public/manifest.json)"
done
cd "$T"

# The configuration errors of the installed program name file and line.
printf 'database = h.db\nlangauge = en\n' > bad.conf
"$P/bin/himama" --config bad.conf check 2> conf.err; rc=$?
expect_eq "unknown key: exit 1" 1 "$rc"
expect_match "unknown key: file and line" "bad.conf:2: unknown key 'langauge'" "$(cat conf.err)"

# The man page: renders without warnings, and documents everything.
man_text=$(MANWIDTH=200 man --warnings -l "$P/share/man/man1/himama.1" 2> man.err)
expect_eq "man page renders without warnings" "" "$(cat man.err)"
for word in init ingest "report monthly" "report halfyear" "report annual" "report range" \
            "run monthly" synth check help version --db --out --config --quiet --force \
            --audience --lang --template --seed --errors --until \
            HIMAMA_DB HIMAMA_OUT HIMAMA_FONT HIMAMA_CONFIG HIMAMA_INBOX HIMAMA_LOG HIMAMA_ORG \
            HIMAMA_LANG HIMAMA_DATADIR HIMAMA_PUBLIC_MODE HIMAMA_QUIET SOURCE_DATE_EPOCH \
            processing/ archive/YYYY-MM-DD/ failed/YYYY-MM-DD/ "0 6 1 \* \*"; do
    printf '%s' "$man_text" | grep -q -- "$word" || { echo "FAIL: man page lacks '$word'"; fails=$((fails + 1)); }
done
keys=$(sed -n '/known_keys\[\] = {/,/NULL/p' "$ROOT/pipeline/cli/config.c" | grep -o '"[a-z_]*"' | tr -d '"')
[ -n "$keys" ] || { echo "FAIL: no config keys found"; fails=$((fails + 1)); }
for k in $keys; do
    printf '%s' "$man_text" | grep -qE "^ {7}$k( |\$)" || { echo "FAIL: man page lacks config key '$k'"; fails=$((fails + 1)); }
done
for s in 0 1 2 3 4; do
    printf '%s' "$man_text" | grep -qE "^ {7}$s( |\$)" || { echo "FAIL: man page lacks exit status $s"; fails=$((fails + 1)); }
done
finish
