#!/usr/bin/env bash
# Brings a fresh Debian 12 machine to a built tree, and does nothing that is
# already done: Debian packages, the project-local venv (.venv) with the pinned
# toolchain, the CMake configure, then an incremental build.
# Usage: scripts/setup.sh [PRESET]   (default: release, building into build/)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset=${1:-release}
cd "$root"

say() { printf '[setup] %s\n' "$*" >&2; }

# 1. Debian packages: installed only when one is missing.
packages=(g++ python3 python3-venv python3-dev catch2 libcli11-dev nlohmann-json3-dev clang-14 libclang-rt-14-dev clang-format-14
          ocl-icd-opencl-dev ocl-icd-libopencl1 pocl-opencl-icd)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { say "need root to install: ${missing[*]}"; exit 1; }
        sudo=sudo
    fi
    say "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. The venv: rebuilt only when scripts/requirements.txt changed.
venv="$root/.venv"
stamp="$venv/.requirements.installed"
if [ ! -x "$venv/bin/python" ] || ! cmp -s scripts/requirements.txt "$stamp"; then
    say "creating $venv with $(grep -v '^#' scripts/requirements.txt | tr '\n' ' ')"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements.txt
    cp scripts/requirements.txt "$stamp"
fi
export PATH="$venv/bin:$PATH"
Halide_ROOT=$("$venv/bin/python" -c 'import halide; print(halide.install_dir())')
export Halide_ROOT

# 3. Configure once; 4. build (a no-op when nothing changed).
build_dir=$(python3 -c "import json,sys; p=[p for p in json.load(open('CMakePresets.json'))['configurePresets'] if p['name']==sys.argv[1]]; print(p[0]['binaryDir'].replace('\${sourceDir}', '.'))" "$preset")
if [ ! -f "$build_dir/build.ninja" ]; then
    say "configuring preset '$preset' into $build_dir"
    cmake --preset "$preset" >/dev/null
fi
say "building $build_dir (log: $build_dir/build.log)"
if ! cmake --build "$build_dir" >"$build_dir/build.log" 2>&1; then
    tail -n 60 "$build_dir/build.log" >&2
    say "build failed; the whole log is $build_dir/build.log"
    exit 1
fi
