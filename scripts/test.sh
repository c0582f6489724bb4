#!/usr/bin/env bash
# The tests: set up and build everything, then run every test through ctest
# (Catch2 cases, the CLI checks, the PTX check, the fuzzers, and a subset under
# ASan+UBSan from the asan preset's build). Extra arguments go to ctest.
# ctest lists the tests it skipped but not why: each optional test prints one
# "SKIPPED  <test>: <reason>" line, and that line of every skipped test is shown
# after ctest's lists, followed once more by ctest's summary line, so the output
# still ends with it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" release
# The sanitizer build (ASan+UBSan, CPU only) whose subset the "asan: " tests run.
"$root/scripts/setup.sh" asan
export PATH="$root/.venv/bin:$PATH"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
ctest --test-dir "$root/build" --output-on-failure -j2 "$@" | tee "$out" || status=${PIPESTATUS[0]}
skipped=$(awk '/^The following tests did not run:/ {f = 1; next} f && /^\t/ {sub(/^\t *[0-9]+ - /, ""); sub(/ \(Skipped\)$/, ""); print; next} {f = 0}' "$out")
if [ -n "$skipped" ]; then
    printf '\nWhy they did not run:\n'
    while IFS= read -r name; do
        reason=$(grep -F -m 1 "SKIPPED  $name: " "$root/build/Testing/Temporary/LastTest.log" || echo "$name: (no reason given)")
        printf '\t%s\n' "$reason"
    done <<<"$skipped"
    printf '\n'
    grep -E '^[0-9]+% tests passed' "$out" | tail -n 1
fi
exit "$status"
