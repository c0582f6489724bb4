#!/bin/sh
# Runs one fuzz target for a bounded time on a copy of its seed corpus, so the
# source tree is never written; new inputs and any crash land under WORK.
# Usage: run_fuzz.sh FUZZER SEEDS WORK SECONDS [DICT]
# Exits non-zero on a crash, a sanitizer report, a leak or an input slower than 10 s.
set -eu
fuzzer=$1 seeds=$2 work=$3 seconds=$4 dict=${5:-}
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -print_final_stats=1 \
       -artifact_prefix="$work/artifacts/"
[ -n "$dict" ] && set -- "$@" -dict="$dict"
exec "$fuzzer" "$@" "$work/corpus"
