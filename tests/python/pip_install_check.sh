#!/usr/bin/env bash
# `pip install .` as a user runs it: a fresh venv, pip's isolated build (scikit-build-core
# fetches its own CMake, nanobind and Halide wheel and builds the libraries from scratch),
# then, from another folder, the package imported and run on a NumPy array against a
# NumPy reference, with no Halide and no build tree to be found.
# Usage: pip_install_check.sh SOURCE_DIR WORK_DIR [CPU_TARGETS]; CPU_TARGETS, comma-separated,
# replaces PRCM_CPU_TARGETS for this build. Exit 77 (skipped) when no package index answers.
set -euo pipefail
source_dir=$1
work=$2
options=()
if [ -n "${3:-}" ]; then
    options+=(--config-settings "cmake.define.PRCM_CPU_TARGETS=${3//,/;}")
fi
rm -rf "$work"
mkdir -p "$work"
python3 -m venv "$work/venv"
pip=("$work/venv/bin/pip" --disable-pip-version-check)
if ! "${pip[@]}" download --quiet --no-deps --dest "$work/probe" scikit-build-core >"$work/probe.log" 2>&1; then
    echo "SKIPPED  python: pip install . in a fresh venv: no package index answers ($(tail -n 1 "$work/probe.log"))"
    exit 77
fi
start=$SECONDS
if ! "${pip[@]}" install "${options[@]}" "$source_dir" >"$work/install.log" 2>&1; then
    tail -n 40 "$work/install.log"
    echo "pip install $source_dir failed; the whole log is $work/install.log"
    exit 1
fi
echo "pip install ${options[*]} took $((SECONDS - start)) s"
cd "$work"  # not the source tree: the installed package must be the one imported
PRCM_WANT_CPU_TARGETS=${3:-} "$work/venv/bin/python" - <<'PY'
import importlib.util
import os
import numpy as np
import prcm_kernels

assert "site-packages" in prcm_kernels.__file__, prcm_kernels.__file__
assert importlib.util.find_spec("halide") is None, "Halide is importable: the check proves nothing"
want_targets = os.environ["PRCM_WANT_CPU_TARGETS"]
if want_targets:  # the targets asked for are the ones built
    assert list(prcm_kernels.cpu_targets()) == want_targets.split(","), (prcm_kernels.cpu_targets(), want_targets)
rng = np.random.default_rng(0)
x = rng.standard_normal((2, 64, 9, 7), dtype=np.float32)
basis = rng.standard_normal((8, 64), dtype=np.float32)
fuser = (rng.standard_normal((64, 8)) / np.sqrt(8)).astype(np.float32)
y = prcm_kernels.prcm(x, basis=basis, fuser_weight=fuser)
ctx = x.astype(np.float64).mean(axis=(2, 3))
want = x * (1 / (1 + np.exp(-(ctx @ basis.T.astype(np.float64)) @ fuser.T.astype(np.float64))))[:, :, None, None]
err = np.abs(y - want).max()
assert np.allclose(y, want, rtol=1e-4, atol=1e-5), err
print(f"installed prcm_kernels {prcm_kernels.__file__}: PRCM on NumPy matches NumPy, max abs error {err:.1e}")
PY
