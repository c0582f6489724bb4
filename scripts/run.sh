#!/usr/bin/env bash
# The main job: set up and build everything, then run the harness's default
# suite (every module verified and timed at 1x64x64x64 on the CPU). Arguments
# go to `prcm`, e.g. scripts/run.sh verify --all
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" release
exec "$root/build/bin/prcm" "$@"
