#!/usr/bin/env bash
# `prcm tune --device cuda` on a lent GPU machine, which has no Halide: the generator
# (build/bin/prcm_generators) needs libHalide.so, carried compressed as
# .halide/libHalide.so.xz (64 MiB is all a call may carry; `xz -6` makes Halide 21's 157 MiB
# about 40), and a C++ compiler to link each candidate into a shared object.
#
#   xz -T2 -6 -c .venv/lib/python3.11/site-packages/halide/lib64/libHalide.so > .halide/libHalide.so.xz
#   scripts/gpu_tune.sh OUT_DIR MODULE[,MODULE...] 'N,C,H,W[;N,C,H,W...]' BUDGET
#
# Writes OUT_DIR/tuning_cuda.json (the record; README "Tuning for new hardware") and
# OUT_DIR/tune.log. PRCM_TUNE_DEVICE=opencl runs the same here, on PoCL. Exit status: prcm tune's,
# 2 bad arguments, 3 when the machine lacks what it needs.
set -u
if [ $# -ne 4 ]; then
    echo "usage: scripts/gpu_tune.sh OUT_DIR MODULE[,MODULE...] 'N,C,H,W[;N,C,H,W...]' BUDGET" >&2
    exit 2
fi
out=$1 modules=$2 shapes=$3 budget=$4
mkdir -p "$out" /tmp/halide-lib && out=$(cd "$out" && pwd) || exit 2  # absolute: the rest runs from the repository root
cd "$(dirname "$0")/.."
if [ ! -s .halide/libHalide.so.xz ]; then
    echo "gpu_tune: .halide/libHalide.so.xz is missing (see this script's first lines)" >&2
    exit 3
fi
xz -dc .halide/libHalide.so.xz >/tmp/halide-lib/libHalide.so || exit 3
export LD_LIBRARY_PATH=/tmp/halide-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CXX=${CXX:-$(command -v c++ || command -v g++ || command -v gcc || command -v clang || true)}
if [ -z "$CXX" ]; then
    echo "gpu_tune: no C++ compiler here to link the candidates" >&2
    exit 3
fi
export CXX
echo "gpu_tune: linking with $CXX; modules $modules; shapes $shapes; budget $budget" >"$out/tune.log"
rc=0
for module in ${modules//,/ }; do
    resume=()
    [ -s "$out/tuning_cuda.json" ] && resume=(--resume)
    build/bin/prcm tune --device "${PRCM_TUNE_DEVICE:-cuda}" --module "$module" --shapes "$shapes" --budget "$budget" \
        --out "$out/tuning_cuda.json" "${resume[@]}" >>"$out/tune.log" 2>&1 || rc=$?
    tail -n 30 "$out/tune.log"
done
exit "$rc"
