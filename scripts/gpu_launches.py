"""The GPU kernels one call of a library launches, counted on PoCL, and the launch
budget every module must keep (DESIGN.md, "Launch budgets per call").

Standard library only: tests/gpu_launch_budget_test.py and scripts/gpu_report.py
import it, so the budget lives here and nowhere else.

How launches are counted: `prcm verify --module M --device opencl --shape S` calls the
module's OpenCL library once (runtime/src/verify.cpp: one run_module per problem) on
PoCL. Under POCL_DEBUG=general,events PoCL prints, for every clEnqueueNDRangeKernel,
  "Preparing kernel NAME with local size A x B x C group sizes G1 x G2 x G3..."
(general) and "Created event N (...) Command ndrange_kernel" (events); both are
counted and must agree. Work-groups = G1*G2*G3, work-items per group = A*B*C. PoCL
also prints each argument as it is set ("SetArg idx I || TYPE || Local L || Size S"):
the __local ones (L = 1) are a launch's dynamic shared memory. That the library
ran once is checked too: its output is copied back to the host exactly once per
call ("Command read_buffer").
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

# The shapes the budget is checked at: the notebooks' 1x64x64x64, a batch, and a big
# plane (where a schedule that launches per row or per strip would show).
BUDGET_SHAPES = ("1,64,64,64", "4,64,32,32", "1,64,256,256")
FILL_SHAPE = "1,64,64,64"  # where the big passes must fill a GPU


@dataclass(frozen=True)
class Minimum:
    """A launch of a call that must fill a GPU at `shape`: at least `work_groups`
    work-groups of at least `work_items` work-items each. `kernel` says which launch:
    "first" (a modulator's pool: every later stage needs the mean, so it runs first)
    or "every"."""
    kernel: str
    work_groups: int
    work_items: int = 1
    shape: str = FILL_SHAPE

    def describe(self) -> str:
        which = "the first kernel (the pool)" if self.kernel == "first" else "every kernel"
        items = f" of at least {self.work_items} work-items" if self.work_items > 1 else ""
        return f"{which} at least {self.work_groups} work-groups{items} at {self.shape}"


@dataclass(frozen=True)
class Budget:
    max_kernels: int
    why: str
    minimums: tuple = field(default=())
    # More configurations the budget is checked at, beside BUDGET_SHAPES at the
    # defaults: (shape, more `prcm verify` arguments). A minimum applies to those at its shape.
    variants: tuple = field(default=())

    def configurations(self) -> list:
        return [(shape, ()) for shape in BUDGET_SHAPES] + list(self.variants)

    def describe(self) -> str:
        parts = [f"at most {self.max_kernels} kernel{'s' if self.max_kernels > 1 else ''} per call ({self.why})"]
        parts += [m.describe() for m in self.minimums]
        return "; ".join(parts)


# 256 blocks at 1x64x64x64: about two per SM of a 132-SM H100, so a pass over the
# tensor is not left to a fraction of the GPU (issue 12).
_POOL_FILLS = (Minimum("first", 256),)
_BOTTLENECK_FILLS = (Minimum("every", 256, 128),)
# Every kernel size at 1x64x64x64 fills the GPU; at C=192, r=4 a tile's activations would
# pass 48 KiB of shared memory, and the call is still one kernel, of narrower tiles.
_BOTTLENECK_VARIANTS = tuple((FILL_SHAPE, ("--kernel-size", str(k))) for k in (3, 5)) + \
    (("1,192,64,64", ("--expansion", "4")),)
_MODULATOR = "a modulator: the pool with its zeroing, then the gate and the scaling in one pass; " \
             "Halide's CUDA runtime has no cooperative launch, so 2 is the floor"

# THE launch budget, one entry per module of modules.cmake (a module without one fails
# its test, which says to add it here). Issue 12; DESIGN.md "Launch budgets per call".
BUDGET = {
    "prcm": Budget(2, _MODULATOR, _POOL_FILLS),
    "affine_prcm": Budget(2, _MODULATOR, _POOL_FILLS),
    "shift_only_prcm": Budget(2, _MODULATOR, _POOL_FILLS),
    "se": Budget(2, _MODULATOR, _POOL_FILLS),
    "prcm_se": Budget(2, _MODULATOR, _POOL_FILLS),
    "prcm_basis_expand": Budget(2, _MODULATOR, _POOL_FILLS),
    "prcm_se_affine": Budget(2, _MODULATOR, _POOL_FILLS),
    "prcm_adaptive_pool": Budget(3, "the pool, the two 1x1 convolutions on the pooled grid, the upsampling"),
    "inverted_bottleneck": Budget(1, "the whole block fused into one pass", _BOTTLENECK_FILLS, _BOTTLENECK_VARIANTS),
    "inverted_bottleneck_res": Budget(1, "the whole block and the residual fused into one pass", _BOTTLENECK_FILLS,
                                      _BOTTLENECK_VARIANTS),
    "gap": Budget(2, "partial sums with their zeroing, then the means"),
    "basis_projection": Budget(1, "one small matrix-vector product"),
    "linear": Budget(1, "one small matrix-vector product"),
    "sigmoid": Budget(1, "elementwise"),
    "scale": Budget(1, "elementwise"),
    "shift": Budget(1, "elementwise"),
    "affine": Budget(1, "elementwise"),
}


@dataclass(frozen=True)
class Launch:
    name: str
    local: tuple      # work-items of a work-group along x, y, z (CUDA: threads of a block)
    groups: tuple     # work-groups along x, y, z (CUDA: blocks of the grid)
    local_bytes: int  # __local (shared) memory passed at launch, bytes

    @property
    def work_items(self) -> int:
        return self.local[0] * self.local[1] * self.local[2]

    @property
    def work_groups(self) -> int:
        return self.groups[0] * self.groups[1] * self.groups[2]

    def describe(self) -> str:
        l, g = self.local, self.groups
        return (f"{self.name}  local {l[0]}x{l[1]}x{l[2]} ({self.work_items} work-items)  "
                f"groups {g[0]}x{g[1]}x{g[2]} ({self.work_groups} work-groups)")


class LogError(Exception):
    """PoCL's log does not say what this module needs (not PoCL, or no debug output)."""


_PREPARING = re.compile(r"Preparing kernel (\S+) with local size (\d+) x (\d+) x (\d+) "
                        r"group sizes (\d+) x (\d+) x (\d+)")
_EVENT = re.compile(r"Created event \d+ \(\S+\) Command (\w+)")
# Lines of PoCL's debug log (timestamps, "*** INFO ***", hex dumps of arguments).
_POCL_LOG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d .*\] POCL:|\*\*\* [A-Z]+ \*\*\*|^\s*Hex Value:|^\*\* Final POCL_DEBUG")
_SETARG = re.compile(r"Kernel (\S+) \|\| SetArg idx +(\d+) \|\|[^|]*\|\| Local (\d+) \|\| Size +(\d+)")


@dataclass
class PoclLog:
    launches: list
    commands: dict  # PoCL command type -> how many (ndrange_kernel, read_buffer, write_buffer, ...)


def parse_pocl_log(text: str) -> PoclLog:
    """The launches in a POCL_DEBUG=general,events log, in order. Raises LogError when
    the two counts of launches disagree."""
    launches, commands = [], {}
    args = {}  # kernel name -> {argument index: (is local, size)}; OpenCL keeps them between launches
    for line in text.splitlines():
        if m := _SETARG.search(line):
            args.setdefault(m[1], {})[int(m[2])] = (m[3] != "0", int(m[4]))
        elif m := _PREPARING.search(line):
            local_bytes = sum(size for is_local, size in args.get(m[1], {}).values() if is_local)
            launches.append(Launch(m[1], tuple(int(v) for v in m.group(2, 3, 4)),
                                   tuple(int(v) for v in m.group(5, 6, 7)), local_bytes))
        elif m := _EVENT.search(line):
            commands[m[1]] = commands.get(m[1], 0) + 1
    events = commands.get("ndrange_kernel", 0)
    if events != len(launches):
        raise LogError(f"PoCL's log shows {len(launches)} 'Preparing kernel' lines but {events} ndrange_kernel "
                       "commands; the log format is not the one this parser knows (scripts/gpu_launches.py)")
    return PoclLog(launches, commands)


@dataclass
class VerifyRun:
    command: list
    returncode: int
    stdout: str
    stderr: str
    log: PoclLog | None
    problem: str = ""  # why the launches could not be read, if they could not

    @property
    def replay(self) -> str:
        return " ".join(["prcm"] + self.command[1:])

    @property
    def own_output(self) -> str:
        """What prcm printed, without PoCL's debug log."""
        own = [l for l in self.stderr.splitlines() if l.strip() and not _POCL_LOG_LINE.search(l)]
        return "\n".join(self.stdout.splitlines() + own)

    @property
    def verdict(self) -> str:
        """prcm's own verdict line (PASSED ..., FAILED ...), or its error."""
        lines = [l for l in self.stdout.splitlines() if l.split("  ")[0] in ("PASSED", "FAILED", "MISTRUSTED")]
        return lines[0] if lines else (self.own_output.splitlines() or ["(no output)"])[-1]


def verify_on_pocl(prcm: str, module: str, shape: str, timeout: float = 600, extra: tuple = ()) -> VerifyRun:
    """Runs `prcm verify` of `module` on OpenCL at `shape` (and `extra` arguments) under PoCL's debug log."""
    command = [prcm, "verify", "--module", module, "--device", "opencl", "--shape", shape, *extra]
    env = dict(os.environ, POCL_DEBUG="general,events")
    env.pop("POCL_DEBUG_LOG", None)  # the log must come to stderr
    try:
        r = subprocess.run(command, capture_output=True, text=True, errors="replace", env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return VerifyRun(command, -1, "", "", None, f"no result after {timeout:g} s")
    run = VerifyRun(command, r.returncode, r.stdout, r.stderr, None)
    try:
        run.log = parse_pocl_log(r.stderr)
    except LogError as e:
        run.problem = str(e)
        return run
    if r.returncode == 0:
        if not run.log.launches:
            run.problem = ("the library ran but PoCL logged no kernel launch: is the OpenCL platform PoCL, "
                           "and does it honour POCL_DEBUG=general,events?")
        elif run.log.commands.get("read_buffer", 0) != 1:
            run.problem = (f"PoCL logged {run.log.commands.get('read_buffer', 0)} read_buffer commands where one call "
                           "copies its output back once: verify no longer calls the library exactly once, or a "
                           "stage reads a GPU result back on the host; the launches per call cannot be told apart")
    return run


def check_budget(module: str, shape: str, launches: list) -> list:
    """What `launches` (one call of `module` at `shape`) breaks of the module's budget:
    one line each; empty when it keeps it. A module without a budget is a problem too."""
    budget = BUDGET.get(module)
    if budget is None:
        return [f"{module} has no launch budget: add it to BUDGET in scripts/gpu_launches.py "
                "(how many kernels one call may launch, and which launches must fill a GPU)"]
    problems = []
    if len(launches) > budget.max_kernels:
        problems.append(f"{len(launches)} kernels launched, budget {budget.max_kernels}")
    for rule in budget.minimums:
        if rule.shape != shape or not launches:
            continue
        for i, launch in enumerate(launches[:1] if rule.kernel == "first" else launches):
            if launch.work_groups < rule.work_groups or launch.work_items < rule.work_items:
                problems.append(f"kernel {i + 1} ({launch.name}) has {launch.work_groups} work-groups of "
                                f"{launch.work_items} work-items, the budget wants {rule.describe()}")
    return problems


def listed_modules(prcm: str) -> list:
    """The modules `prcm list` names, in its order (aliases excluded)."""
    r = subprocess.run([prcm, "list"], capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        raise RuntimeError(f"prcm list exited {r.returncode}: {r.stderr.strip()}")
    modules = []
    for line in r.stdout.splitlines():
        if line.startswith("Aliases:"):
            break
        if m := re.match(r"^  (\w+)  \(", line):
            modules.append(m[1])
    if not modules:
        raise RuntimeError("prcm list names no module")
    return modules


def opencl_status(prcm: str) -> str:
    """"available", "not built", or "not available: <why>", as `prcm list` says of OpenCL."""
    r = subprocess.run([prcm, "list"], capture_output=True, text=True, errors="replace")
    m = re.search(r"^  opencl: (.*)$", r.stdout, re.M)
    return m[1].strip() if m else "not built"
