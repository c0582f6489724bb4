#!/bin/sh
# Runs a command of the sanitizer build (the asan preset's build-asan), or says
# that build is missing and exits 77, which ctest counts as skipped.
# Usage: asan_run.sh BUILD_DIR TEST_NAME COMMAND...
dir=$1
name=$2
shift 2
if [ ! -x "$dir/bin/prcm_tests" ]; then
    echo "SKIPPED  asan: $name: $dir is not built (scripts/setup.sh asan)"
    exit 77
fi
exec "$@"
