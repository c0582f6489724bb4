#!/bin/sh
# Runs a command, or, where this CPU cannot run the CPU target it forces (`prcm list`
# says "not on this CPU"), says so and exits 77, which ctest counts as skipped.
# Usage: skip_unless_cpu_runs.sh TEST_NAME PRCM TARGET COMMAND...
name=$1
prcm=$2
target=$3
shift 3
if "$prcm" list | grep -qxF "  $target: not on this CPU"; then
    echo "SKIPPED  $name: this CPU cannot run $target"
    exit 77
fi
exec "$@"
