#!/usr/bin/env bash
# Formats every C++ file of the project with .clang-format (clang-format-14, Debian's);
# --check changes nothing and exits 1 naming the files that differ (the ctest
# "format: every C++ file follows .clang-format" runs it so).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
formatter=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$formatter" ]; then
    echo "clang-format-14 is not installed (apt-get install clang-format-14)" >&2
    exit 3
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h' 2>/dev/null || find apps generators runtime schedules tests python examples -name '*.cpp' -o -name '*.h')
if [ "${1:-}" = "--check" ]; then
    # One process for all files; each violation is reported as FILE:LINE:COL: error: ...
    if ! out=$("$formatter" --dry-run -Werror "${files[@]}" 2>&1); then
        printf 'not formatted (scripts/format.sh fixes them):\n' >&2
        printf '%s\n' "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/  \1/p' | sort -u >&2
        exit 1
    fi
    echo "${#files[@]} C++ files follow .clang-format"
    exit 0
fi
"$formatter" -i "${files[@]}"
