#!/usr/bin/env bash
# Run the unit test binaries given as arguments, then every end-to-end
# script in tests/e2e/ (unless --unit-only), and print one closing line:
# "N passed, N failed".  Exits non-zero when anything failed.
set -u
unit_only=0
if [ "${1:-}" = --unit-only ]; then unit_only=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 failures=()
for t in "$@"; do
    name=$(basename "$t")
    if [ "${HIMAMA_VALGRIND:-0}" = 1 ]; then
        cmd=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$t")
    else
        cmd=("$t")
    fi
    out=$("${cmd[@]}" 2>&1); rc=$?
    n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' | tail -1)
    passed=$((passed + ${n:-0}))
    if [ "$rc" -ne 0 ]; then
        failed=$((failed + ${f:-1}))
        failures+=("$name")
        printf '%s\n' "$out"
    fi
    printf '  %-28s %s passed%s\n' "$name" "${n:-0}" "$([ "$rc" -ne 0 ] && echo ", FAILED (exit $rc)")"
done
if [ "$unit_only" = 0 ]; then
    for s in "$here"/e2e/*.sh; do
        [ -e "$s" ] || continue
        name=$(basename "$s" .sh)
        log=$(mktemp)
        if bash "$s" >"$log" 2>&1; then
            passed=$((passed + 1))
            printf '  %-28s ok\n' "e2e/$name"
        else
            failed=$((failed + 1))
            failures+=("e2e/$name")
            cat "$log"
            printf '  %-28s FAILED\n' "e2e/$name"
        fi
        rm -f "$log"
    done
fi
if [ "${#failures[@]}" -gt 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
