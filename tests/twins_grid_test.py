"""Every autoscheduled twin of one schedule over the awkward-shape grid.

An autoscheduler schedules for its estimates (1x64x64x64) and tiles with ShiftInwards
or RoundUp splits, so a twin refuses shapes smaller than (or not a multiple of) its
tiles: Halide's bounds checks stop the call (error -4: "Input buffer input is accessed
at -7, which is before the min"). That is reported, not hidden: this test prints how
many grid shapes each twin refused. It fails when a twin computes a wrong value (any
mismatch, or a result MISTRUSTED as almost all zeros), fails other than by a bounds
refusal, or does not pass at its own estimate shape, 1x64x64x64.

Usage: twins_grid_test.py PRCM SCHEDULE"""
import re
import subprocess
import sys

prcm, schedule = sys.argv[1], sys.argv[2]
r = subprocess.run([prcm, "verify", "--all", "--schedule", schedule], capture_output=True, text=True)
out = r.stdout + r.stderr
assert r.returncode in (0, 4), f"verify --all exited {r.returncode}:\n{out[-3000:]}"

summaries = re.findall(r"^(PASSED|FAILED)  (\w+) on cpu \(" + schedule + r"\): (\d+)/(\d+) shapes", out, re.M)
not_compiled = re.findall(r"^NOT COMPILED (\w+) on cpu \(" + schedule + r"\): (.*)$", out, re.M)
assert summaries, f"no twin of {schedule} was verified:\n{out[-3000:]}"

problems = []
# Each failed case is its replay line and the lines under it; only bounds refusals are allowed.
for case in re.split(r"^(?=FAILED  prcm verify|MISTRUSTED  prcm verify)", out, flags=re.M):
    if not case.startswith(("FAILED  prcm verify", "MISTRUSTED  prcm verify")):
        continue
    head, _, details = case.partition("\n")
    details = details.split("\nPASSED", 1)[0].split("\nFAILED  ", 1)[0]
    if case.startswith("MISTRUSTED") or "got " in details or "failed (Halide error -4)" not in details:
        problems.append(head + "\n" + details.strip()[:400])

for verdict, module, passed, total in summaries:
    print(f"{module:24s} {schedule}: {passed:>3}/{total} grid shapes, {int(total) - int(passed)} refused by bounds checks")
for module, error in not_compiled:
    print(f"{module:24s} {schedule}: did not compile: {error}")

# At the estimates every twin that compiled must pass.
for _, module, _, _ in summaries:
    v = subprocess.run([prcm, "verify", "--module", module, "--schedule", schedule], capture_output=True, text=True)
    if v.returncode != 0:
        problems.append(f"{module} at its estimate shape 1x64x64x64: {v.stdout}{v.stderr}")

if problems:
    print("\n".join(["", "FAILED: wrong values or failures other than a bounds refusal:"] + problems[:10]))
    sys.exit(1)
print(f"PASSED: no {schedule} twin computed a wrong value; each passes at 1x64x64x64")
