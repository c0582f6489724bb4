"""The launch budget of one module's GPU schedule, counted for real on PoCL (issue 12).

At each shape of BUDGET_SHAPES (and each of the budget's variants), `prcm verify --module M --device opencl --shape S` must
pass and launch no more kernels than the module's budget, and at 1x64x64x64 the launches
the budget names must have enough work-groups (and work-items) to fill a GPU. The budget
is BUDGET in scripts/gpu_launches.py, the one place the report reads it from too. Every
shape is checked before the test fails, and each failure names the module, the shape,
every kernel launched with its geometry, and the budget.

Usage: gpu_launch_budget_test.py PRCM MODULE
       gpu_launch_budget_test.py PRCM --every-module   (every module `prcm list` names has a
                                                       budget, and the budget names no other)"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import gpu_launches  # noqa: E402

prcm, module = sys.argv[1], sys.argv[2]
listed = gpu_launches.listed_modules(prcm)

if module == "--every-module":
    missing = [m for m in listed if m not in gpu_launches.BUDGET]
    stale = [m for m in gpu_launches.BUDGET if m not in listed]
    for m in missing:
        print(f"FAILED  {m}: `prcm list` names it but it has no launch budget: add it to BUDGET in "
              "scripts/gpu_launches.py")
    for m in stale:
        print(f"FAILED  {m}: BUDGET in scripts/gpu_launches.py names it but `prcm list` does not: remove it")
    if missing or stale:
        sys.exit(1)
    print(f"PASSED  all {len(listed)} modules have a launch budget")
    sys.exit(0)

if module not in listed:
    print(f"FAILED  {module}: `prcm list` does not name it (known: {', '.join(listed)})")
    sys.exit(1)
budget = gpu_launches.BUDGET.get(module)
if budget is None:
    print(f"FAILED  {module} has no launch budget: add it to BUDGET in scripts/gpu_launches.py "
          "(how many kernels one call may launch, and which launches must fill a GPU)")
    sys.exit(1)

failed = False
for shape, extra in budget.configurations():
    run = gpu_launches.verify_on_pocl(prcm, module, shape, extra=extra)
    where = shape + "".join(f" {a}" for a in extra)
    problems = []
    if run.returncode != 0:
        problems.append(f"verify exited {run.returncode}: {run.verdict}")
    if run.problem:
        problems.append(run.problem)
    launches = run.log.launches if run.log else []
    if run.log and not run.problem:
        problems += gpu_launches.check_budget(module, shape, launches)
    count = f"{len(launches)} kernel{'s' if len(launches) != 1 else ''}"
    if not problems:
        fills = " ".join(f"{l.work_items}x{l.work_groups}" for l in launches)
        print(f"PASSED  {module} at {where}: {count} (budget {budget.max_kernels}), work-items x work-groups: {fills}")
        continue
    failed = True
    print(f"FAILED  {module} at {where}: " + "; ".join(problems))
    print(f"  {count} launched by `{run.replay}` (POCL_DEBUG=general,events):")
    for i, launch in enumerate(launches, 1):
        print(f"    {i}. {launch.describe()}")
    print(f"  budget: {budget.describe()}")
    if run.returncode != 0 or run.problem:
        print("  prcm printed:\n    " + "\n    ".join(run.own_output.splitlines()[-12:]))
sys.exit(1 if failed else 0)
