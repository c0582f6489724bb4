#!/usr/bin/env bash
# The checks that need an NVIDIA GPU, in one run on a lent machine (README "Measured on a GPU"):
# the CUDA libraries against the naive reference over the tests' grids, the notebooks'
# experiments timed on the GPU, and the blocks beside PyTorch on the same GPU.
#
#   scripts/gpu_check.sh OUT_DIR [STEPS]   # from the repository root, with build/bin built here
#
# STEPS: a comma list of bench_all, peers, tests (default all three).
#
# It needs build/bin (a build with PRCM_BUILD_CUDA ON: the CLI and the test binary are
# self-contained) and, on the GPU machine, the NVIDIA driver and python3 with torch (CUDA),
# numpy and safetensors; no Halide. Each step has a time limit so that a short lease still
# brings back the steps before it; logs and results go to OUT_DIR (7 files). Exit status: 0 every
# step passed, 1 a step failed (gpu_check.log names it), 2 bad arguments.
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: scripts/gpu_check.sh OUT_DIR [STEPS]   (STEPS: a comma list of bench_all, peers, tests)" >&2
    exit 2
fi
out=$1
steps=${2:-bench_all,peers,tests}
for s in ${steps//,/ }; do
    case $s in bench_all | peers | tests) ;; *) echo "gpu_check: unknown step '$s' (bench_all, peers, tests)" >&2; exit 2 ;; esac
done
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2  # absolute: the steps run from the repository root
cd "$(dirname "$0")/.."
bin=build/bin
summary="$out/gpu_check.log"
failed=0

# step NAME LIMIT_S COMMAND...: runs COMMAND under a time limit, its output to OUT_DIR/NAME.log.
step() {
    local name=$1 limit=$2 start rc
    shift 2
    [[ ",$steps," == *",$name,"* ]] || return 0
    echo "=== $name (limit ${limit} s): $*" | tee -a "$summary"
    start=$(date +%s)
    timeout "$limit" "$@" >"$out/$name.log" 2>&1
    rc=$?
    tail -n 25 "$out/$name.log"
    echo "=== $name: exit $rc after $(($(date +%s) - start)) s" | tee -a "$summary"
    [ "$rc" -eq 0 ] || failed=$((failed + 1))
}

{
    date -u
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem --format=csv
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
    nproc
    "$bin/prcm" list | sed -n '/^Devices built/,$p'
} >>"$summary" 2>&1
cat "$summary"

# The notebooks' experiments on the GPU, every row verified (the same run as `prcm bench all` on
# the CPU: docs/performance.md's rows).
step bench_all 120 "$bin/prcm" bench all --device cuda --quiet --json "$out/gpu_bench_all.json"

# prcm beside PyTorch eager and PyTorch's CUDA graph replay; outputs checked against PyTorch first.
PYTHONUNBUFFERED=1 step peers 210 python3 scripts/gpu_peer_bench.py --prcm "$bin/prcm" --deadline 150 \
    --json "$out/gpu_peers.json" --markdown "$out/gpu_peers.md"

# The tests that run every module on every device (the awkward-shape grid, the notebooks'
# configurations, the non-finite cases, each module's own), on CUDA only.
tags="[modules],[nonfinite],[errors],[verify],[affine],[affine_prcm],[basis_projection],[gap],"
tags+="[inverted_bottleneck],[inverted_bottleneck_res],[linear],[prcm],[prcm_adaptive_pool],[prcm_basis_expand],"
tags+="[prcm_se],[prcm_se_affine],[scale],[se],[shift],[shift_only_prcm],[sigmoid]"
PRCM_TEST_DEVICES=cuda step tests 150 "$bin/prcm_tests" "$tags"

echo "gpu_check: $failed step(s) failed" | tee -a "$summary"
[ "$failed" -eq 0 ]
