#!/usr/bin/env bash
# Do the tests catch bugs? Applies each deliberate bug of tests/mutations/*.patch,
# one at a time, to a scratch copy of this tree, rebuilds it incrementally, runs
# the tests the patch names, and prints which of them caught it. Every mutation
# must be caught by at least one test; a patch that no longer applies is an error.
# Not part of CI: the first run builds the scratch copy (minutes), and a mutation
# of a generator regenerates every library (about two minutes each).
#
# Usage: scripts/mutation_check.sh [--list] [PATCH_NAME...]
#   PATCH_NAME   run only these (file names without .patch; default: all)
#   --list       print the mutations and the tests each one names, and stop
# Environment: PRCM_MUTATION_DIR, the scratch folder (default build-mutants/).
# Exit status: 0 every mutation caught, 1 one or more missed, 2 a patch that does
# not apply, a build that fails, or an unmutated tree that fails its tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mutations_dir="$root/tests/mutations"
scratch=${PRCM_MUTATION_DIR:-$root/build-mutants}
src="$scratch/src"
build="$src/build"

say() { printf '[mutation] %s\n' "$*" >&2; }
header() { sed -n "s/^$2: //p" "$1" | head -n 1; }  # header FILE FIELD

patches=()
if [ "${1:-}" = "--list" ]; then
    for p in "$mutations_dir"/*.patch; do
        printf '%s  (%s)\n    %s\n    tests: %s\n' "$(basename "$p" .patch)" "$(header "$p" Kind)" \
            "$(header "$p" Mutation)" "$(header "$p" Tests)"
    done
    exit 0
elif [ $# -gt 0 ]; then
    for name in "$@"; do
        [ -f "$mutations_dir/$name.patch" ] || { say "no mutation '$name' (see --list)"; exit 2; }
        patches+=("$mutations_dir/$name.patch")
    done
else
    patches=("$mutations_dir"/*.patch)
fi

# 1. The toolchain, as the README's commands set it up.
"$root/scripts/setup.sh" release
export PATH="$root/.venv/bin:$PATH"
Halide_ROOT=$("$root/.venv/bin/python" -c 'import halide; print(halide.install_dir())')
export Halide_ROOT

# 2. The scratch copy: every file git tracks or would track, copied only where it
# differs, so the scratch build stays incremental from one run to the next.
mkdir -p "$src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    while IFS= read -r -d '' f; do
        [ -f "$root/$f" ] || continue
        if ! cmp -s "$root/$f" "$src/$f"; then
            mkdir -p "$(dirname "$src/$f")"
            cp "$root/$f" "$src/$f"
        fi
    done
# A file the project no longer has goes from the copy too: a deleted source that
# stayed would still be built (the generator globs schedules/*.cpp).
(cd "$root" && git ls-files --cached --others --exclude-standard) | sort >"$scratch/files.txt"
(cd "$src" && find . -path ./build -prune -o -path ./.venv -prune -o -type f -print | sed 's|^\./||') | sort |
    comm -13 "$scratch/files.txt" - | while IFS= read -r f; do rm -f "$src/$f"; done
ln -sfn "$root/.venv" "$src/.venv"  # the Python tests run from the project's venv

build_scratch() {
    [ -f "$build/build.ninja" ] || (cd "$src" && cmake --preset release >/dev/null)
    cmake --build "$build" >"$scratch/build.log" 2>&1
}

# Runs the tests matching a ctest regex; prints the names of those that failed.
failed_tests() {
    local out
    out=$(ctest --test-dir "$build" -j2 -R "$1" 2>&1) || true
    awk '/^The following tests FAILED:/ {f = 1; next} f && /^\t/ {sub(/^\t *[0-9]+ - /, ""); sub(/ \([^()]*\)$/, ""); print; next} {f = 0}' <<<"$out"
}

# 3. The unmutated tree must pass every test the mutations name; otherwise a
# "caught" would mean nothing.
regexes=()
for p in "${patches[@]}"; do regexes+=("$(header "$p" Tests)"); done
all=$(IFS='|'; echo "${regexes[*]}")
say "building the unmutated scratch copy in $scratch (log: $scratch/build.log)"
build_scratch || { tail -n 30 "$scratch/build.log" >&2; say "the unmutated tree does not build"; exit 2; }
baseline=$(failed_tests "$all")
if [ -n "$baseline" ]; then
    say "the unmutated tree fails these tests, fix them first:"
    sed 's/^/    /' <<<"$baseline" >&2
    exit 2
fi

# 4. One mutation at a time: apply, rebuild, test, revert. The revert gives the
# files a new time, so the next build rebuilds what the mutation touched.
missed=0
errors=0
results=()
for p in "${patches[@]}"; do
    name=$(basename "$p" .patch)
    if ! patch -d "$src" -p1 --dry-run --batch --quiet <"$p" >/dev/null; then
        say "$name: the patch no longer applies to this tree; update it"
        results+=("ERROR   $name: does not apply")
        errors=$((errors + 1))
        continue
    fi
    patch -d "$src" -p1 --batch --quiet <"$p"
    say "$name: $(header "$p" Mutation)"
    start=$SECONDS
    if ! build_scratch; then
        tail -n 20 "$scratch/build.log" >&2
        results+=("ERROR   $name: the mutated tree does not build")
        errors=$((errors + 1))
    else
        caught=$(failed_tests "$(header "$p" Tests)")
        took="($((SECONDS - start)) s to build and test)"
        if [ -n "$caught" ]; then
            results+=("CAUGHT  $name $took, by:"$'\n'"$(sed 's/^/            /' <<<"$caught")")
        else
            results+=("MISSED  $name $took: no test of '$(header "$p" Tests)' failed")
            missed=$((missed + 1))
        fi
    fi
    patch -d "$src" -p1 -R --batch --quiet <"$p"
done

printf '\n'
printf '%s\n' "${results[@]}"
printf '\n%d mutations: %d caught, %d missed, %d errors\n' "${#patches[@]}" \
    $((${#patches[@]} - missed - errors)) "$missed" "$errors"
[ "$errors" -eq 0 ] || exit 2
[ "$missed" -eq 0 ] || exit 1
