#!/usr/bin/env python3
"""What every CUDA library launches, and an on-paper H100 estimate of it.

Usage: gpu_report.py [--build DIR] [--module M ...] [--shape N,C,H,W] [--markdown]

For each module: kernels per call, threads per block x blocks of each kernel at the
shape, registers, spills and shared memory (ptxas --gpu-name sm_90 -v on the CUDA
library's PTX), passes over the big tensor, an estimate from the model below, and the
notebooks' measured PyTorch-eager GPU latency next to it. No GPU is needed: the launch
geometry comes from the OpenCL library run once on PoCL (scripts/gpu_launches.py), which
is built from the same schedule code with the same knobs, its kernels matched by name
to the CUDA PTX's entry functions.

Exit status (the README's table): 0 ok; 1 a module failed its verification on PoCL;
2 bad arguments; 3 something the report needs is missing (the build, its OpenCL or CUDA
libraries, ptxas); 4 the work failed (ptxas refused a PTX, the CUDA and OpenCL libraries
do not launch the same kernels, a run of prcm failed); 130/143 interrupted. A run over
several modules exits with the highest code among its failures.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_launches  # noqa: E402  (the PoCL log parser and the launch budget)

EXIT_OK, EXIT_VERIFY, EXIT_ARGS, EXIT_MISSING, EXIT_WORK = 0, 1, 2, 3, 4

# The on-paper H100 (SXM) model, stated once here and in the README ("The GPU path
# without a GPU"). It is an estimate, never a measurement.
LAUNCH_US = 3.0            # per kernel launch, back to back in a stream
HBM_BYTES_PER_S = 3.35e12  # H100 SXM HBM3
L2_BYTES = 50 * 2**20      # not credited: every pass is counted at HBM speed (an upper bound)
FP32_FLOPS_PER_S = 67e12   # H100 SXM FP32 peak (non-tensor)
MODEL = ("estimate (on paper) = kernels x 3 us (launch) + max(memory, compute); memory = passes over the tensor x "
         "N*C*H*W*4 bytes at 3.35 TB/s (H100 SXM HBM3); the 50 MiB L2 is not credited: a re-read of a tensor "
         "that fits in it is counted at HBM speed, so the memory term is an upper bound; compute = the FLOPs the "
         "CLI's bench counts (ModuleSpec::multiply_adds: the inverted bottleneck) at 67 TFLOP/s FP32, "
         "0 for the rest")

# The notebooks' PyTorch-eager GPU latency (their measure_latency_gpu: 100 warm-up,
# 500 timed calls, synchronized) at 1x64x64x64 with the constructors' defaults, in us.
# Only these: the 000 notebook's own latency table (section 5) was never run.
NOTEBOOK_SHAPE = "1,64,64,64"
NOTEBOOK_GPU_US = {
    # 001 section 4, "GPU Latency Comparison", Input (1, 64, 64, 64); the issue quotes these.
    "prcm": 29.1,             # "PRCM (scale only)  0.0291" (dropout is the identity in eval)
    "affine_prcm": 39.3,      # "AffinePRCM (scale+shift)  0.0393"
    "shift_only_prcm": 23.7,  # "ShiftOnlyPRCM  0.0237"
    "se": 33.3,               # "SE (reduction=4)  0.0333"
    # 000 section 8, "PRCM_SE Expansion Ratio Ablation (channels=64)", 64x64: row "4 ... 0.0303"
    "prcm_se": 30.3,
    # 000 section 9, "PRCM_AdaptivePool Size Ablation", C=64, expansion 2, 64x64: row "2x2 ... 0.0619"
    "prcm_adaptive_pool": 61.9,
    # 001 section 5, "Component-wise Latency Breakdown", x 1x64x64x64, ctx [1, 64], coeff [1, 8]
    "gap": 14.46,               # "Global Avg Pool (ctx = x.mean([2,3]))  0.01446"
    "basis_projection": 8.19,   # "Basis Projection (coeff = ctx @ basis.t())  0.00819"
    "linear": 9.01,             # "Linear (fuser/scale_proj)  0.00901"
    "sigmoid": 6.03,            # "Sigmoid  0.00603"
    "scale": 8.01,              # "Scale (x * alpha)  0.00801"
    "shift": 7.97,              # "Shift (x + beta)  0.00797"
    "affine": 11.56,            # "Affine (x * alpha + beta)  0.01156"
}


class ReportError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class PtxEntry:
    registers: int = 0
    spill_bytes: int = 0   # spill stores + spill loads
    static_smem: int = 0   # bytes of .shared the PTX declares (ptxas "bytes smem")


@dataclass
class HostLaunch:
    """One halide_cuda_run call of the CUDA library's host code."""
    name: str
    threads: tuple       # the threads-per-block expressions, as written
    shared_bytes: str    # the dynamic shared memory expression, as written
    buffers: list        # the buffers passed to the kernel


@dataclass
class Kernel:
    launch: gpu_launches.Launch
    ptx: PtxEntry | None
    host: HostLaunch | None
    smem: int = 0
    reads_input: bool = False
    writes_output: bool = False


@dataclass
class Row:
    module: str
    kernels: list = field(default_factory=list)
    passes_read: int = 0
    passes_write: int = 0
    flops: float = 0.0
    estimate_us: float | None = None
    verdict: str = ""
    problems: list = field(default_factory=list)  # (exit code, message)


def find_ptxas() -> str | None:
    # As scripts/check_ptx.sh finds it.
    found = shutil.which("ptxas")
    if found:
        return found
    return "/usr/local/cuda/bin/ptxas" if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None


def parse_ptxas(report: str) -> dict:
    """ptxas -v's report -> {entry name: PtxEntry}."""
    entries, current = {}, None
    for line in report.splitlines():
        if m := re.search(r"Compiling entry function '([^']+)'", line):
            current = entries.setdefault(m[1], PtxEntry())
        elif m := re.search(r"Function properties for (\S+)", line):
            current = entries.setdefault(m[1], PtxEntry())
        elif current is not None and "spill stores" in line:
            stores = re.search(r"(\d+) bytes spill stores", line)
            loads = re.search(r"(\d+) bytes spill loads", line)
            current.spill_bytes = int(stores[1] if stores else 0) + int(loads[1] if loads else 0)
        elif current is not None and (m := re.search(r"Used (\d+) registers", line)):
            current.registers = int(m[1])
            smem = re.search(r"(\d+) bytes smem", line)
            current.static_smem = int(smem[1]) if smem else 0
    return entries


def split_arguments(text: str) -> list:
    """The top-level comma-separated arguments of a call's argument list."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                args.append(text[start:i].strip())
                return args
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


def parse_host_launches(stmt: str) -> dict:
    """{kernel name: HostLaunch} from a CUDA library's STMT: every
    halide_cuda_run(ctx, "NAME", 3 block extents, 3 thread extents, shared bytes,
    argument sizes, arguments, argument-is-buffer flags)."""
    launches = {}
    for m in re.finditer(r'halide_cuda_run\(', stmt):
        args = split_arguments(stmt[m.end():m.end() + 100000].split("\n", 1)[0])
        if len(args) < 11 or not args[1].startswith('"'):
            continue
        name = args[1].strip('"')
        buffers = re.findall(r"([A-Za-z_][\w$.]*)\.buffer\b", args[10])
        launches[name] = HostLaunch(name, tuple(args[5:8]), args[8], buffers)
    return launches


def constant(expression: str) -> int | None:
    """The value of an integer STMT expression made only of literals, else None."""
    if not re.fullmatch(r"[\d\s+\-*/%()]+", expression):
        return None
    try:
        tree = ast.parse(expression.replace("/", "//"), mode="eval")
        return int(eval(compile(tree, "<stmt>", "eval"), {"__builtins__": {}}))  # literals and operators only
    except (SyntaxError, ZeroDivisionError, ValueError):
        return None


def tensor_dimensions(stmt: str, buffer: str) -> int:
    """How many dimensions the library requires of `buffer` (its STMT's bad-dimensions check)."""
    m = re.search(rf"assert\({re.escape(buffer)}\.dimensions == (\d+)", stmt)
    return int(m[1]) if m else 0


def read_text(path: str) -> str:
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def knob_overrides(build: str) -> list:
    """The PRCM_KNOBS entries of the build: one that names a CUDA or an OpenCL library
    alone makes the two libraries' geometry differ."""
    try:
        cache = read_text(os.path.join(build, "CMakeCache.txt"))
    except OSError:
        return []
    m = re.search(r"^PRCM_KNOBS:STRING=(.*)$", cache, re.M)
    return [e for e in (m[1].split(";") if m else []) if e.strip()]


def bench_flops(prcm: str, module: str, shape: str, work: str) -> float:
    """The FLOPs of one call as the CLI's bench counts them (2 x ModuleSpec::multiply_adds,
    e.g. runtime/reference/inverted_bottleneck.h; its JSON's "flops"), 0 for a module without
    a count."""
    path = os.path.join(work, f"{module}.json")
    r = subprocess.run([prcm, "bench", "--module", module, "--device", "cpu", "--shape", shape, "--warmup", "0",
                        "--repeat", "1", "--threads", "1", "--json", path], capture_output=True, text=True,
                       errors="replace")
    if r.returncode != 0:
        raise ReportError(r.returncode if r.returncode in (1, 2) else EXIT_WORK,
                          f"prcm bench --module {module} (for its FLOP count) exited {r.returncode}: "
                          f"{(r.stderr or r.stdout).strip()[-500:]}")
    with open(path) as f:
        doc = json.load(f)
    return float(doc.get("flops", 0.0))


def match_kernel(name: str, available: dict):
    """The entry of `available` named `name`; else the one whose name is `name` without
    Halide's uniquifying suffix (__N), when exactly one is. Returns (key or None, note)."""
    if name in available:
        return name, ""
    base = re.sub(r"__\d+$", "", name)
    candidates = [k for k in available if re.sub(r"__\d+$", "", k) == base]
    if len(candidates) == 1:
        return candidates[0], f"{name} matched to {candidates[0]} (Halide's uniquifying suffix differs)"
    return None, ""


def stale_hint(build: str, prcm: str, ptx_path: str) -> str:
    """Why the OpenCL launches and the CUDA PTX may differ: the CLI, which carries the OpenCL
    library, linked before the CUDA library was last generated (a build under way or stopped)."""
    try:
        linked, generated = os.path.getmtime(prcm), os.path.getmtime(ptx_path)
    except OSError:
        return ""
    if generated <= linked:
        return ". Were they built with different knobs (PRCM_KNOBS)?"
    stamp = lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))  # noqa: E731
    return (f". {os.path.relpath(prcm, build)} (with the OpenCL library) was linked at {stamp(linked)}, before "
            f"{os.path.basename(ptx_path)} was written at {stamp(generated)}: finish the build "
            f"(cmake --build {build}) and run the report again")


def report_module(module: str, shape: str, build: str, prcm: str, ptxas: str, ptx_files: dict, work: str) -> Row:
    row = Row(module)
    run = gpu_launches.verify_on_pocl(prcm, module, shape)
    row.verdict = run.verdict
    if run.returncode == 2:
        raise ReportError(EXIT_ARGS, f"{run.replay}: {run.verdict}")
    if run.returncode == 3:
        raise ReportError(EXIT_MISSING, f"{run.replay}: {run.verdict}")
    if run.returncode not in (0, 1):
        row.problems.append((EXIT_WORK, f"{run.replay} exited {run.returncode}: {run.verdict}"))
    elif run.returncode == 1:
        row.problems.append((EXIT_VERIFY, f"{run.replay}: {run.verdict}"))
    if run.problem or run.log is None:
        row.problems.append((EXIT_WORK, f"{run.replay}: {run.problem}"))
        return row

    ptx_path = ptx_files.get(module)
    if not ptx_path or not os.path.isfile(ptx_path):
        row.problems.append((EXIT_WORK, f"{module}: no CUDA device code ({module}_cuda.device_code) in "
                                        f"{os.path.join(build, 'generated', 'ptx_files.txt')}"))
        return row
    r = subprocess.run([ptxas, "--gpu-name", "sm_90", "-v", "-o", os.devnull, ptx_path], capture_output=True,
                       text=True, errors="replace")
    if r.returncode != 0:
        row.problems.append((EXIT_WORK, f"ptxas --gpu-name sm_90 refused {ptx_path}:\n{(r.stdout + r.stderr)[-1500:]}"))
        return row
    entries = parse_ptxas(r.stdout + r.stderr)
    stmt_path = os.path.join(build, "generators", f"{module}_cuda.stmt")
    try:
        stmt = read_text(stmt_path)
    except OSError as e:
        row.problems.append((EXIT_WORK, f"{module}: cannot read the CUDA library's STMT {stmt_path}: {e.strerror}"))
        return row
    host = parse_host_launches(stmt)
    # The big tensor: x [N, C, H, W] as the library's input, and an output of that rank.
    input_is_x = tensor_dimensions(stmt, "input") == 4
    output_is_x = tensor_dimensions(stmt, "output") == 4

    unmatched = []
    for launch in run.log.launches:
        kernel = Kernel(launch, None, None)
        ptx_name, note = match_kernel(launch.name, entries)
        host_name, _ = match_kernel(launch.name, host)
        if ptx_name is None or host_name is None:
            ptx_name = host_name = None
            unmatched.append(launch.name)
        if note:
            row.problems.append((0, f"{module}: {note}"))
        kernel.ptx = entries.get(ptx_name) if ptx_name else None
        kernel.host = host.get(host_name) if host_name else None
        if kernel.host is not None:
            # Threads per block the CUDA host code gives as literals must be the OpenCL local size.
            for axis, (expr, local) in enumerate(zip(kernel.host.threads, launch.local)):
                value = constant(expr)
                if value is not None and value != local:
                    row.problems.append((EXIT_WORK, (
                        f"{module}: {launch.name} runs {value} threads along axis {axis} on CUDA but {local} "
                        "work-items on OpenCL: the libraries were built with different knobs; the geometry "
                        "below is the OpenCL library's")))
            # Halide puts a kernel's GPU shared allocations in the dynamic shared memory it passes at
            # launch (ptxas counts only static .shared): a constant from the STMT, else what the OpenCL
            # launch passed at this shape (its __local argument; 1 byte there means none, as the runtime
            # never passes 0).
            dynamic = constant(kernel.host.shared_bytes)
            if dynamic is None:
                dynamic = launch.local_bytes if launch.local_bytes > 1 else 0
            kernel.smem = dynamic + (kernel.ptx.static_smem if kernel.ptx else 0)
            kernel.reads_input = input_is_x and "input" in kernel.host.buffers
            kernel.writes_output = output_is_x and "output" in kernel.host.buffers
        row.kernels.append(kernel)
    if unmatched:
        row.problems.append((EXIT_WORK, (
            f"{module}: the OpenCL library launched {len(unmatched)} kernel{'s' if len(unmatched) > 1 else ''} that "
            f"the CUDA library does not have ({', '.join(unmatched)}; its PTX entries: "
            f"{', '.join(sorted(entries)) or 'none'}): the two libraries no longer lower the same kernels, so those "
            "kernels' registers, spills, shared memory and passes are unknown (shown as ?)" +
            stale_hint(build, prcm, ptx_path))))
    row.passes_read = sum(k.reads_input for k in row.kernels)
    row.passes_write = sum(k.writes_output for k in row.kernels)
    try:
        row.flops = bench_flops(prcm, module, shape, work)
    except ReportError as e:
        row.problems.append((EXIT_WORK if e.code not in (EXIT_VERIFY,) else e.code, str(e)))
        return row
    n, c, h, w = (int(v) for v in shape.split(","))
    memory_s = (row.passes_read + row.passes_write) * n * c * h * w * 4 / HBM_BYTES_PER_S
    compute_s = row.flops / FP32_FLOPS_PER_S
    row.estimate_us = len(row.kernels) * LAUNCH_US + max(memory_s, compute_s) * 1e6
    return row


COLUMNS = ["module", "kernels/call", "threads/block x blocks, per kernel", "max regs", "spills (B)",
           "max smem (B)", "passes (R+W)", "estimate (on paper) us", "notebook GPU us"]


def cells(row: Row, shape: str) -> list:
    known = [k for k in row.kernels if k.ptx is not None]
    complete = row.kernels and len(known) == len(row.kernels)
    geometry = " ".join(f"{k.launch.work_items}x{k.launch.work_groups}" for k in row.kernels) or "?"
    notebook = NOTEBOOK_GPU_US.get(row.module) if shape == NOTEBOOK_SHAPE else None
    return [
        row.module,
        str(len(row.kernels)) if row.kernels else "?",
        geometry,
        str(max(k.ptx.registers for k in known)) + ("" if complete else "?") if known else "?",
        str(sum(k.ptx.spill_bytes for k in known)) + ("" if complete else "?") if known else "?",
        str(max(k.smem for k in known)) + ("" if complete else "?") if known else "?",
        f"{row.passes_read + row.passes_write} ({row.passes_read}+{row.passes_write})" if complete else "?",
        f"{row.estimate_us:.1f}" if row.estimate_us is not None and complete else "?",
        f"{notebook:g}" if notebook is not None else "-",
    ]


def print_table(rows: list, shape: str, markdown: bool) -> None:
    table = [cells(r, shape) for r in rows]
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "|".join("---" if i in (0, 2) else "---:" for i in range(len(COLUMNS))) + "|")
        for t in table:
            print("| " + " | ".join(f"`{t[0]}`" if i == 0 else v for i, v in enumerate(t)) + " |")
        return
    widths = [max(len(COLUMNS[i]), *(len(t[i]) for t in table)) for i in range(len(COLUMNS))]
    line = lambda values: "  ".join(v.ljust(widths[i]) if i in (0, 2) else v.rjust(widths[i])  # noqa: E731
                                    for i, v in enumerate(values)).rstrip()
    print(line(COLUMNS))
    print("-" * len(line(COLUMNS)))
    for t in table:
        print(line(t))


def print_kernels(rows: list) -> None:
    print("\nPer kernel (threads per block x blocks; registers, spilled bytes, shared memory per block "
          "from ptxas sm_90 and the launch; R = reads x, W = writes the output):")
    width = max((len(k.launch.name) for row in rows for k in row.kernels), default=0)
    for row in rows:
        print(f"{row.module}  ({row.verdict.split('  ')[0] if row.verdict else '?'} on PoCL)")
        for i, k in enumerate(row.kernels, 1):
            l, g = k.launch.local, k.launch.groups
            ptx = (f"{k.ptx.registers:3d} regs  {k.ptx.spill_bytes} B spilled  {k.smem} B smem" if k.ptx
                   else "no PTX entry of this name")
            rw = ("R" if k.reads_input else "-") + ("W" if k.writes_output else "-")
            geometry = f"{l[0]}x{l[1]}x{l[2]} x {g[0]}x{g[1]}x{g[2]}"
            print(f"  {i:2d}. {k.launch.name:<{width}}  {geometry:<22} {ptx}  {rw}")


def print_header(shape: str, build: str, ptxas: str, overrides: list, markdown: bool) -> None:
    n, c, h, w = (int(v) for v in shape.split(","))
    if markdown:  # the README states the model; the table needs only its caption
        print(f"GPU report at {n}x{c}x{h}x{w} (`scripts/gpu_report.py --shape {shape} --markdown`): launch geometry "
              "from PoCL, registers/spills/shared memory from ptxas sm_90, estimates on paper from the H100 model "
              "above, notebook figures measured by the notebooks (PyTorch eager).\n")
        return
    tensor = n * c * h * w * 4
    version = subprocess.run([ptxas, "--version"], capture_output=True, text=True).stdout
    release = re.search(r"release [^\n]*", version)
    paragraphs = [
        f"GPU report at {n}x{c}x{h}x{w} (N,C,H,W; default hyper-parameters), build {build}",
        "Kernels and launch geometry: each module's OpenCL library, run once on PoCL (prcm verify --device opencl). "
        "The CUDA and OpenCL libraries are built from the same schedule code with the same default knobs "
        "(schedules/knobs.cpp gives CUDA and OpenCL the same GPU knobs), so these are the CUDA library's launches; "
        "each kernel is matched by name to an entry function of the CUDA library's PTX.",
        f"Registers, spills, shared memory: ptxas --gpu-name sm_90 -v ({release[0] if release else ptxas}); "
        "shared memory adds the dynamic bytes each launch passes.",
        "Passes over the tensor: per kernel, whether it reads the input x and whether it writes the output, from "
        "the buffers the CUDA library's host code passes to it (build/generators/<module>_cuda.stmt).",
        "H100 " + MODEL + f". This tensor is {tensor / 2**20:.1f} MiB: it "
        f"{'fits in' if tensor <= L2_BYTES else 'does not fit in'} the L2.",
        "Notebook GPU us: the notebooks' PyTorch-eager latency, measured on their GPU at 1x64x64x64 (seeds 000 and "
        "001), not the model's GPU; '-' where they have none" + ("" if shape == NOTEBOOK_SHAPE else
                                                                  " (they have none at this shape)") + ".",
    ]
    if overrides:
        paragraphs.append("WARNING: PRCM_KNOBS overrides libraries of this build (" + "; ".join(overrides) + "): where "
                          "it names a CUDA or an OpenCL library alone, the OpenCL geometry is not the CUDA library's.")
    for p in paragraphs:
        print(textwrap.fill(p, width=118, subsequent_indent="  "))
    print()


def parse_shape(text: str) -> str:
    parts = text.split(",")
    if len(parts) != 4 or not all(re.fullmatch(r"\d+", p) for p in parts) or any(int(p) < 1 for p in parts):
        raise argparse.ArgumentTypeError(f"'{text}' is not N,C,H,W (four integers, each at least 1)")
    return ",".join(str(int(p)) for p in parts)


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit status is 2 as well; this keeps the prefix ours
        self.print_usage(sys.stderr)
        print(f"gpu_report.py: {message}", file=sys.stderr)
        sys.exit(EXIT_ARGS)


def main(argv: list) -> int:
    parser = Parser(description="Kernels, launch geometry, registers, spills, shared memory and passes of every "
                                "CUDA library, with an on-paper H100 estimate (labelled so) next to the notebooks' "
                                "measured GPU latency.",
                    epilog="Exit status: 0 ok; 1 a module failed verification on PoCL; 2 bad arguments; 3 the "
                           "build, its OpenCL or CUDA libraries or ptxas missing; 4 the work failed; 130/143 "
                           "interrupted.")
    parser.add_argument("--build", default="build", help="the build folder (default: build)")
    parser.add_argument("--module", action="append", default=[],
                        help="a module, or a comma-separated list; repeatable (default: every module)")
    parser.add_argument("--shape", type=parse_shape, default="1,64,64,64", help="x as N,C,H,W (default 1,64,64,64)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown, for the README")
    args = parser.parse_args(argv)

    build = os.path.abspath(args.build)
    prcm = os.path.join(build, "bin", "prcm")
    if not os.access(prcm, os.X_OK):
        raise ReportError(EXIT_MISSING, f"{prcm} not found: build the project first (scripts/run.sh, or "
                                        f"cmake --build {args.build})")
    try:
        listed = gpu_launches.listed_modules(prcm)
    except RuntimeError as e:
        raise ReportError(EXIT_WORK, str(e))
    wanted = [m.strip() for arg in args.module for m in arg.split(",") if m.strip()] or listed
    unknown = [m for m in wanted if m not in listed]
    if unknown:
        raise ReportError(EXIT_ARGS, f"unknown module{'s' if len(unknown) > 1 else ''} "
                                     f"{', '.join(repr(m) for m in unknown)} (known: {', '.join(listed)})")
    ptx_list = os.path.join(build, "generated", "ptx_files.txt")
    if not os.path.isfile(ptx_list):
        raise ReportError(EXIT_MISSING, f"{ptx_list} not found: this build has no CUDA libraries "
                                        "(configure with -DPRCM_BUILD_CUDA=ON)")
    ptxas = find_ptxas()
    if ptxas is None:
        raise ReportError(EXIT_MISSING, "ptxas not found (on PATH or /usr/local/cuda/bin): install the CUDA toolkit")
    status = gpu_launches.opencl_status(prcm)
    if status != "available":
        raise ReportError(EXIT_MISSING, f"the OpenCL libraries, which give the launch geometry, are {status} "
                                        "(PRCM_BUILD_OPENCL=ON and PoCL are needed)")
    ptx_files = {}
    for line in read_text(ptx_list).splitlines():
        if m := re.search(r"([^/]+)_cuda\.device_code$", line.strip()):
            ptx_files[m[1]] = line.strip()

    # The CLI carries the OpenCL libraries: one linked before a library was regenerated runs the old schedule.
    linked = os.path.getmtime(prcm)
    newer = [os.path.basename(p) for m in dict.fromkeys(wanted)
             for p in (ptx_files.get(m, ""), os.path.join(build, "generators", f"{m}_opencl.o"))
             if os.path.isfile(p) and os.path.getmtime(p) > linked]
    if newer:
        print(f"WARNING: {', '.join(newer)} {'is' if len(newer) == 1 else 'are'} newer than bin/prcm, which runs the "
              f"OpenCL libraries: the build is under way or stopped; finish it (cmake --build {build}) for launches "
              "that are the CUDA library's.\n", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gpu_report.") as work:
        for module in dict.fromkeys(wanted):
            rows.append(report_module(module, args.shape, build, prcm, ptxas, ptx_files, work))
    print_header(args.shape, build, ptxas, knob_overrides(build), args.markdown)
    print_table(rows, args.shape, args.markdown)
    if not args.markdown:
        print_kernels(rows)
    code = EXIT_OK
    notes = [(r.module, c, m) for r in rows for c, m in r.problems]
    if notes:
        print()
    for module, c, message in notes:
        print(f"{'NOTE' if c == 0 else 'FAILED' if c == EXIT_VERIFY else 'ERROR'}  {message}",
              file=sys.stderr if c else sys.stdout)
        code = max(code, c)
    return code


def _terminated(signum, frame):
    raise SystemExit(143)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminated)
    try:
        sys.exit(main(sys.argv[1:]))
    except ReportError as e:
        print(f"gpu_report.py: {e}", file=sys.stderr)
        sys.exit(e.code)
    except KeyboardInterrupt:
        sys.exit(130)
