"""scripts/gpu_report.py over every module: a row for each module `prcm list` names, and
every kernel of every CUDA library within what the issue asks of ptxas sm_90: no spills,
at most 64 registers (the cap Halide's CUDA runtime compiles with), at most 48 KiB of
shared memory per block (Halide never raises the default limit). Skipped without ptxas.

Usage: gpu_report_test.py BUILD_DIR"""
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "scripts"))
import gpu_launches  # noqa: E402
import gpu_report  # noqa: E402

NAME = "gpu report: every module, within the ptxas limits"
MAX_REGISTERS, MAX_SMEM = 64, 48 * 1024

build = sys.argv[1]
if gpu_report.find_ptxas() is None:
    print(f"SKIPPED  {NAME}: ptxas not found (install the CUDA toolkit)")
    sys.exit(77)

r = subprocess.run([sys.executable, os.path.join(here, "..", "scripts", "gpu_report.py"), "--build", build,
                    "--markdown"], capture_output=True, text=True)
print(r.stdout)
print(r.stderr, file=sys.stderr)
assert r.returncode == 0, f"gpu_report.py exited {r.returncode}"

header, rows = None, {}
for line in r.stdout.splitlines():
    if not line.startswith("|") or line.startswith("|---"):
        continue
    cells = [c.strip() for c in line.strip("|").split("|")]
    if header is None:
        header = cells
        continue
    module = cells[0].strip("`")
    assert module not in rows, f"two rows for {module}"
    rows[module] = dict(zip(header, cells))
assert header and "estimate (on paper) us" in header, f"no table with an 'estimate (on paper)' column: {header}"

problems = []
for module in gpu_launches.listed_modules(os.path.join(build, "bin", "prcm")):
    row = rows.get(module)
    if row is None:
        problems.append(f"{module}: no row")
        continue
    values = {k: row[k] for k in ("kernels/call", "max regs", "spills (B)", "max smem (B)")}
    if not all(re.fullmatch(r"\d+", v) for v in values.values()):
        problems.append(f"{module}: incomplete row {values}")
        continue
    regs, spills, smem = int(values["max regs"]), int(values["spills (B)"]), int(values["max smem (B)"])
    if spills:
        problems.append(f"{module}: {spills} bytes spilled")
    if regs > MAX_REGISTERS:
        problems.append(f"{module}: a kernel uses {regs} registers, more than {MAX_REGISTERS}")
    if smem > MAX_SMEM:
        problems.append(f"{module}: a kernel uses {smem} bytes of shared memory, more than {MAX_SMEM}")
for p in problems:
    print(f"FAILED  {p} (scripts/gpu_report.py --build {build} --module {p.split(':')[0]} lists its kernels)")
sys.exit(1 if problems else 0)
