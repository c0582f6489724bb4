#!/usr/bin/env bash
# The tests: set up and build everything, then run every test through ctest
# (Catch2 cases, the CLI checks, the PTX check). Extra arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" release
export PATH="$root/.venv/bin:$PATH"
exec ctest --test-dir "$root/build" --output-on-failure -j2 "$@"
