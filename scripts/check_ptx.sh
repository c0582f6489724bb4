#!/usr/bin/env bash
# Assembles the PTX of every CUDA library with ptxas for sm_90 and for the
# architecture the PTX names (.target, sm_86 for cuda_capability_86), and
# reports registers, spills and shared memory. A spill fails the check.
# Usage: check_ptx.sh build/generated/ptx_files.txt   (exit 77: no ptxas here)
set -euo pipefail
list=${1:?usage: check_ptx.sh PTX_LIST}
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
if [ ! -x "$ptxas" ]; then
    echo "SKIPPED  ptxas assembles every CUDA library: ptxas not found (install the CUDA toolkit)"
    exit 77
fi
status=0
count=0
while IFS= read -r ptx; do
    [ -n "$ptx" ] || continue
    if [ ! -s "$ptx" ]; then
        echo "FAILED  $ptx: missing or empty"
        status=1
        continue
    fi
    own=$(awk '$1 == ".target" {print $2; exit}' "$ptx")
    for arch in sm_90 $own; do
        if ! report=$("$ptxas" --gpu-name "$arch" -v -o /dev/null "$ptx" 2>&1); then
            echo "FAILED  $(basename "$ptx") $arch"
            echo "$report"
            status=1
            continue
        fi
        # awk, not grep: a figure ptxas leaves out (no smem) is a zero, not an error.
        spills=$(awk '/bytes spill stores/ {for (i = 2; i <= NF; i++) if ($i == "spill" && $(i+1) == "stores,") s += $(i-2)} END {print s + 0}' <<<"$report")
        regs=$(awk '/Used [0-9]+ registers/ {for (i = 1; i <= NF; i++) if ($i == "Used" && $(i+1) + 0 > m) m = $(i+1)} END {print m + 0}' <<<"$report")
        smem=$(awk '/bytes smem/ {for (i = 2; i <= NF; i++) if ($i == "smem" || $i == "smem,") if ($(i-2) + 0 > m) m = $(i-2)} END {print m + 0}' <<<"$report")
        kernels=$(awk '/Compiling entry function/ {k++} END {print k + 0}' <<<"$report")
        verdict=PASSED
        if [ "$spills" -ne 0 ]; then verdict=FAILED; status=1; fi
        printf '%-7s %-28s %s  %2d kernels, max %3d registers, %d bytes spilled, max %d bytes smem\n' \
            "$verdict" "$(basename "$ptx")" "$arch" "$kernels" "$regs" "$spills" "$smem"
    done
    count=$((count + 1))
done <"$list"
if [ "$count" -eq 0 ]; then
    echo "FAILED  no PTX files listed in $list"
    exit 1
fi
exit $status
