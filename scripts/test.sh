#!/usr/bin/env bash
# The tests: set up and build everything, then run every test through ctest
# (Catch2 cases, the CLI checks, the PTX check). Extra arguments go to ctest.
# ctest lists the tests it skipped but not why: each optional test prints one
# "SKIPPED  <test>: <reason>" line, and those are shown after ctest's lists,
# followed once more by ctest's summary line, so the output still ends with it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" release
export PATH="$root/.venv/bin:$PATH"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
ctest --test-dir "$root/build" --output-on-failure -j2 "$@" | tee "$out" || status=${PIPESTATUS[0]}
reasons=$(grep -h '^SKIPPED  ' "$root/build/Testing/Temporary/LastTest.log" 2>/dev/null || true)
if [ -n "$reasons" ]; then
    printf '\nWhy they did not run:\n%s\n\n' "$(sed 's/^/\t/' <<<"$reasons")"
    grep -E '^[0-9]+% tests passed' "$out" | tail -n 1
fi
exit "$status"
