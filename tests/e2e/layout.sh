#!/usr/bin/env bash
# End-to-end: the shape of the code that docs/architecture.md promises.
#  - no function in pipeline/ over 150 lines, but the state machines whose
#    comment says they are "kept whole on purpose" (csv.c read_record);
#  - no file in pipeline/ over 1,200 lines, but the synthetic-data
#    generator (tools/synth.c);
#  - no two files that call each other (from the objects' symbols: a file
#    that uses a function of another, which uses one of the first);
#  - no stage calls up into the command layer or the tools, and render
#    never runs SQL (no sqlite3_ call in pipeline/render/).
. "$(dirname "$0")/../e2e_lib.sh"
cd "$ROOT"
W=$T   # the scratch folder, for the symbol tables

# Functions: a definition's body runs from a "{" alone at column 0 to the
# next "}" at column 0 (the code's own style).
long=$(for f in pipeline/*/*.c; do
    awk -v f="$f" '
        /^\{$/ { start = NR; name = prev }
        /^\}/ && start { n = NR - start + 1; if (n > 150) print f ": " name " (" n " lines)"; start = 0 }
        { if ($0 !~ /^[{ ]/ && $0 != "") prev = $0 }' "$f"
done | grep -v 'read_record' || true)
expect_eq "no function over 150 lines" "" "$long"
expect_match "the one long state machine says why" "kept whole on purpose" \
    "$(grep -B30 '^read_record\|^static int read_record' pipeline/door/csv.c)"

big=$(wc -l pipeline/*/*.c | awk '$2 != "total" && $2 != "pipeline/tools/synth.c" && $1 > 1200 { print $2 " (" $1 ")" }')
expect_eq "no file over 1,200 lines but synth.c" "" "$big"

# Calls between files, from the objects the test build made.
objdir=$(dirname "$HIMAMA")/pipeline
if [ -d "$objdir" ]; then
    for o in "$objdir"/*/*.o; do
        f=${o#"$objdir"/}
        nm --defined-only "$o" | awk -v f="$f" '$2 == "T" { print $3 "\t" f }'
    done | sort > "$W/defs.tsv"
    for o in "$objdir"/*/*.o; do
        f=${o#"$objdir"/}
        nm --undefined-only "$o" | awk -v f="$f" '{ print $2 "\t" f }'
    done | sort > "$W/uses.tsv"
    # file that uses -> file that defines
    join -t "$(printf '\t')" "$W/uses.tsv" "$W/defs.tsv" | awk -F'\t' '$2 != $3 { print $2 "\t" $3 }' | sort -u > "$W/calls.tsv"
    cycles=$(awk -F'\t' 'NR == FNR { e[$1 "\t" $2] = 1; next } ($2 "\t" $1) in e && $1 < $2 { print $1 " <-> " $2 }' "$W/calls.tsv" "$W/calls.tsv")
    expect_eq "no two files call each other" "" "$cycles"
    up=$(awk -F'\t' '$1 !~ /^(cli|tools)\// && $2 ~ /^(cli|tools)\// { print $1 " -> " $2 }' "$W/calls.tsv")
    expect_eq "no stage calls up into cli/ or tools/" "" "$up"
    expect_eq "the calls were read" "yes" "$([ -s "$W/calls.tsv" ] && echo yes)"
else
    echo "FAIL: no objects under $objdir"; fails=$((fails + 1))
fi
expect_eq "render runs no SQL" "" "$(grep -l 'sqlite3_' pipeline/render/*.c || true)"

[ "$fails" -eq 0 ]
