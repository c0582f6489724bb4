#!/usr/bin/env python3
"""prcm's libraries against the peers on the CPU, side by side, in one process: PyTorch
eager, torch.compile (Inductor), ONNX Runtime and OpenVINO (each one that is installed).

For every configuration it builds the block in PyTorch (scripts/prcm_torch.py: the
notebooks' modules), its compiled twin (prcm_kernels.torch, loaded from the block's
state_dict), and each peer's form of the block (compiled by Inductor, exported to ONNX,
converted by OpenVINO), and checks that every one produces prcm's output. Only then
does it time them, in this Python process, in the same timing loop and with the same
thread count: each system is called as a user of it calls it (the nn.Modules under
torch.no_grad(), the ONNX Runtime session's run(), the OpenVINO compiled model's infer
request with shared inputs and outputs, which keeps its output tensor between calls while
the others allocate one).
It reports each system's median, prcm's speed-up over each peer, and geometric means per
block and overall.

It also measures the binding's own cost: prcm's PRCM at 1x64x8x8 called through the
binding (a prepared kernel on NumPy arrays and on torch tensors, into an `out=` and
allocating; the drop-in module) against the same library called in a loop from C++
on the same arrays, the difference being the overhead per call.

The systems take turns: each round times prcm, then PyTorch, then ONNX Runtime, and a
system's figure is the median of its per-round medians, so a burst of load from
elsewhere on a shared machine lands on one round of one system, not on its figure.

The noise rule: prcm counts as slower than a peer only where its figure (the median of at
least 3 rounds) is more than --band (3%) above the peer's. A configuration that looks
slower so is measured again, --confirm-rounds (8) more turns each, and judged on all of its
rounds together: on a shared 2-vCPU VM a single round's median moves by 10-40%, and on the
Intel Xeon VM about one round in three of every system ran 1.5-2x slower (PRCM_AdaptivePool
at 1x128x8x8, serial code: 0.035 or 0.060-0.069 ms; ONNX Runtime likewise), so 3 + 4 rounds
left a verdict on a slow median about one time in eight, 3 + 8 about one in thirteen (a third of rounds slow).
Against each peer prcm's figure is the median of its rounds in the turns that peer took
too (`prcm_ms_vs`): the same hours. Before 2026-12-06 it was the median of all of prcm's
rounds, and the 8 more rounds a configuration took against one peer, when they fell in a
slow hour, turned a verdict against another peer that had taken only 3 (InvBN(4) at
1x128x32x32 read 0.87x OpenVINO so: prcm's 11 rounds 1.76-3.06 ms, OpenVINO's 3 2.04-3.19;
prcm's 3 side by side with them 1.79-2.85, 1.10x).

    .venv/bin/pip install -r scripts/requirements-peers.txt     # once: torch, onnx, onnxruntime, openvino
    .venv/bin/python scripts/peer_bench.py --json peers.json     # all experiments, 1 thread and all cores
    .venv/bin/python scripts/peer_bench.py --experiments latency --threads 1 --repeat 30
    .venv/bin/python scripts/peer_bench.py --experiments overhead
    .venv/bin/python scripts/peer_bench.py --peers torch,inductor   # some peers only
prcm_kernels comes from an installed package (pip install .) or else from the build
tree (--build, default build/).
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peer_report import slower, summarize, write_whole  # noqa: E402  (scripts/, beside this file)

# The notebooks' blocks and experiments: experiments/catalogue.json, the one list that
# `prcm bench` runs too. BLOCKS: label -> (CLI module, hyper-parameters).
with open(os.path.join(HERE, os.pardir, "experiments", "catalogue.json")) as f:
    CATALOGUE = json.load(f)
BLOCKS = {b["label"]: (b["module"], b["hyper"]) for b in CATALOGUE["blocks"]}


def catalogue_configs(experiment_id):
    """An experiment's (label, shape) configurations, in the order prcm bench runs them."""
    e = next(e for e in CATALOGUE["experiments"] if e["id"] == experiment_id)
    out = []
    for part in e["parts"]:
        for v in part.get("values", [None]) if part["vary"] != "none" else [None]:
            for label in part["blocks"]:
                n, c, h, w = part["shape"]
                if part["vary"] == "channels":
                    c = v
                elif part["vary"] == "size":
                    h = w = v
                elif part["vary"] == "batch":
                    n = v
                elif part["vary"] != "none":
                    continue  # a swept hyper-parameter: not a peer table
                out.append((label, (n, c, h, w)))
    return out


def experiments():
    """The configurations of the notebooks' latency, channels, resolution and batch tables, and the grid."""
    out = {k: catalogue_configs(k) for k in ("latency", "channels", "resolution", "batch")}
    out["grid"] = grid()
    return out


# Where users run, past the notebooks' shapes: for every block, three cross-sections through
# 1x64x32x32 (planes 4x4 to 256x256, channels 16 to 256, batches 1 to 16) and the corners
# of that box, within a budget per call so that a run takes about as long as the notebooks'
# tables: a tensor of at most 2^23 elements (32 MiB), and for the blocks with C·r-wide 1x1
# convolutions at most 2^31 multiply-adds (about 15 ms on a core of this machine). The planes
# are the powers of two and the stages of a network on 224x224 images (7, 14, 28, 56, 112),
# where inverted bottlenecks run: the powers of two alone hid that the bottleneck was 2.5x
# slower than ONNX Runtime at 7x7 (docs/schedule-decisions.md, "Planes of 7x7 to 28x28").
GRID_PLANES = (4, 7, 8, 14, 16, 28, 32, 56, 64, 112, 128, 256)
GRID_CHANNELS = (16, 32, 64, 128, 256)
GRID_BATCHES = (1, 2, 4, 16)
GRID_ELEMENTS = 1 << 23
GRID_MULTIPLY_ADDS = 1 << 31


def multiply_adds(label, shape):
    module, hyper = BLOCKS[label]
    n, c, h, w = shape
    if module.startswith("inverted_bottleneck"):
        return n * h * w * c * (hyper["kernel_size"] ** 2 + 2 * c * hyper["expansion"])
    return n * c * h * w


def onnx_exportable(label, shape):
    """Whether PyTorch's ONNX exporter takes the block at this shape: it refuses an adaptive
    average pool to a size that does not divide the plane's (PRCM_AdaptivePool pools a plane at
    least as large as its pooled size, so ps 2 at 7x7: "output size that are not factor of input
    size"), and the other peers are timed on the same configurations."""
    module, hyper = BLOCKS[label]
    _, _, h, w = shape
    ps = hyper.get("pool_size")
    return not (module == "prcm_adaptive_pool" and h >= ps and w >= ps and (h % ps or w % ps))


def grid():
    shapes = ([(1, 64, s, s) for s in GRID_PLANES] + [(1, c, 32, 32) for c in GRID_CHANNELS] +
              [(n, 64, 32, 32) for n in GRID_BATCHES] +
              [(n, c, s, s) for n in (1, 16) for c in (16, 256) for s in (4, 256)])
    shapes = list(dict.fromkeys(shapes))
    blocks = dict.fromkeys(label for label, _ in catalogue_configs("latency"))  # the notebooks' blocks
    return [(label, shape) for label in blocks for shape in shapes
            if math.prod(shape) <= GRID_ELEMENTS and multiply_adds(label, shape) <= GRID_MULTIPLY_ADDS
            and onnx_exportable(label, shape)]


def median_ms(fn, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def cpu_round_trip_ns(build):
    """The median round trip of a cache line between CPUs 0 and 1 (apps/core_round_trip), or
    None where the tool is not built or there is one CPU. On the AMD EPYC VM the host put the
    two vCPUs 60-80 or 330-370 ns apart, by the hour, and two-thread figures on small maps
    followed it (docs/schedule-decisions.md, "Two distances between the vCPUs")."""
    tool = os.path.join(build, "bin", "core_round_trip")
    if (os.cpu_count() or 1) < 2 or not os.access(tool, os.X_OK):
        return None
    try:
        out = subprocess.run([tool], capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"median (\d+) ns", out)
    return int(found.group(1)) if found else None


def import_prcm_kernels(build):
    try:
        import prcm_kernels
    except ImportError:
        sys.path.insert(0, os.path.join(build, "python"))
        try:
            import prcm_kernels
        except ImportError as e:
            sys.exit(f"prcm_kernels is neither installed nor in {build}/python ({e}): "
                     "pip install . or scripts/setup.sh first")
    return prcm_kernels


def binding_overhead(pk, rounds, calls=5000):
    """The binding's cost per call over the C++ call of the same library on the same
    arrays (Kernel.time_native): PRCM at 1x64x8x8, medians over `rounds` rounds in
    which the Python loop and the C++ loop take turns. Microseconds."""
    import torch
    import prcm_kernels.torch as compiled
    from prcm_kernels import _core

    x, weights = _core.problem_data("prcm", [1, 64, 8, 8], {}, 1)
    kernel = pk.kernel("prcm", weights)
    block = compiled.PRCM(64)
    block.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    block.eval()
    xt = torch.from_numpy(x)
    paths = {
        "kernel(x, out), NumPy": (lambda: kernel(x, out_np), x),
        "kernel(x), NumPy": (lambda: kernel(x), x),
        "kernel(x, out), torch": (lambda: kernel(xt, out_t), xt),
        "kernel(x), torch": (lambda: kernel(xt), xt),
        "drop-in module(x), torch": (lambda: block(xt), xt),
        "function prcm(x, **weights), NumPy": (lambda: pk.prcm(x, basis=weights["basis"],
                                                                fuser_weight=weights["fuser.weight"]), x),
    }
    out_np, out_t = np.empty_like(x), torch.empty_like(xt)
    result = {}
    with torch.no_grad():
        for name, (fn, arg) in paths.items():
            native, python = [], []
            out = out_np if arg is x else out_t
            for _ in range(rounds):
                for _ in range(200):
                    fn()
                start = time.perf_counter()
                for _ in range(calls):
                    fn()
                python.append((time.perf_counter() - start) / calls * 1e6)
                native.append(kernel.time_native(arg, out, calls) / calls * 1e6)
            result[name] = {"python_us": statistics.median(python), "native_us": statistics.median(native),
                            "overhead_us": statistics.median(p - n for p, n in zip(python, native))}
    return result


# The peers: (name in the tables, the package it needs, prepare(block, x, work) -> state once per
# configuration, start(state, threads) -> (run, close) once per round). torch.set_num_threads
# applies to the two torch peers; the others take their own thread count.
def prepare_torch(block, x, work):
    return block


def prepare_inductor(block, x, work):
    import torch
    # The blocks of one class share their forward's code, and dynamo caches at most
    # recompile_limit (8) shapes of it before it runs the rest in eager PyTorch, silently:
    # from the 9th configuration on, "torch.compile" timed PyTorch eager. Each configuration
    # starts from an empty cache, and a fallback to eager is an error, not a figure.
    torch._dynamo.reset()
    torch._dynamo.config.fail_on_recompile_limit_hit = True
    # Compiled in this process, in the untimed warm-up: Inductor's pool of compile workers
    # starts by importing torch in each, and on 2 vCPUs that took the first configuration's
    # rounds from whichever system was timed meanwhile (prcm's InvBN(2) at 1x64x64x64: 1.92-1.94 ms
    # in two full runs, 1.70 ms alone).
    torch._inductor.config.compile_threads = 1
    return torch.compile(block, dynamic=False)  # compiled on its first call, in the untimed warm-up


def start_module(module, x, threads):
    return (lambda: module(x)), (lambda: None)


def prepare_onnxruntime(block, x, work):
    import torch
    path = os.path.join(work, "m.onnx")
    # The legacy TorchScript exporter turns the notebooks' modules into plain ONNX graphs
    # (PRCM_AdaptivePool's Python branch on H and W is fixed per input shape, which is what
    # the comparison needs).
    torch.onnx.export(block, (x,), path, input_names=["x"], output_names=["y"], dynamo=False)
    return path


def start_onnxruntime(path, x, threads):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    feed = {"x": x.numpy()}
    return (lambda: session.run(None, feed)[0]), session  # the session (and its threads) go when dropped


def prepare_openvino(block, x, work):
    import openvino as ov
    return ov.convert_model(block, example_input=x)


def start_openvino(model, x, threads):
    import openvino as ov
    compiled_model = ov.Core().compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads,
                                                           "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled_model.create_infer_request()
    feed = {0: x.numpy()}
    # Its fastest call: the input without a copy, the output in the request's own tensor,
    # reused from call to call (copying both, the default, took 0.21 ms against 0.10 ms
    # for PRCM at 1x64x64x64). The other systems allocate their output every call.
    return (lambda: request.infer(feed, share_inputs=True, share_outputs=True)[0]), request


PEERS = {
    "torch": ("torch", "torch", prepare_torch, start_module),
    "inductor": ("inductor", "torch", prepare_inductor, start_module),
    "onnxruntime": ("onnxrt", "onnxruntime", prepare_onnxruntime, start_onnxruntime),
    "openvino": ("openvino", "openvino", prepare_openvino, start_openvino),
}


def as_numpy(y):
    return y.detach().numpy() if hasattr(y, "detach") else np.asarray(y)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(HERE, "..", "build"), help="the build tree, if prcm_kernels "
                   "is not installed")
    p.add_argument("--experiments", default="overhead,latency,channels,resolution,batch",
                   help="overhead (the binding's cost per call), latency, channels, resolution, batch (the "
                   "notebooks' tables), grid (every block past the notebooks' shapes: hours)")
    p.add_argument("--threads", default=f"1,{os.cpu_count()}", help="thread counts, e.g. 1,2")
    p.add_argument("--blocks", help="only these blocks, e.g. PRCM,AffinePRCM (default: all)")
    p.add_argument("--peers", help=f"only these peers, of {', '.join(PEERS)} (default: every one installed)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--repeat", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3, help="turns each system takes per configuration (3 at least "
                   "for a verdict)")
    p.add_argument("--band", type=float, default=0.03, help="prcm is slower only beyond this fraction (default 0.03)")
    p.add_argument("--confirm-rounds", type=int, default=8, help="more turns for a configuration that looks slower "
                   "(0: none; default 8)")
    p.add_argument("--json", help="write every measurement and the geometric means here")
    a = p.parse_args()
    if a.rounds < 1 or a.confirm_rounds < 0 or a.warmup < 0 or a.repeat < 1:
        p.error("--rounds and --repeat must be at least 1, --confirm-rounds and --warmup at least 0")
    if not 0 <= a.band < 1:
        p.error(f"--band is a fraction in [0, 1), not {a.band}")

    import importlib.util

    import torch

    pk = import_prcm_kernels(a.build)
    import prcm_kernels.torch as compiled

    # The ONNX exporter's and OpenVINO's tracing warn about the notebooks' Python branches
    # on shapes; fixed per input shape is what the comparison needs.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    from prcm_torch import make_block, BLOCKS as TORCH_MODULES

    wanted = a.peers.split(",") if a.peers else list(PEERS)
    unknown = set(wanted) - set(PEERS)
    if unknown:
        p.error(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")
    missing = [n for n in wanted if importlib.util.find_spec(PEERS[n][1]) is None]
    if missing and a.peers:
        p.error(f"not installed: {', '.join(PEERS[n][1] for n in missing)} (pip install -r scripts/requirements-peers.txt)")
    peers = [n for n in wanted if n not in missing]
    if missing:
        print(f"(left out, not installed: {', '.join(missing)})")

    chosen = {k: v for k, v in experiments().items() if k in a.experiments.split(",")}
    if a.blocks:
        unknown = set(a.blocks.split(",")) - set(BLOCKS)
        if unknown:
            p.error(f"unknown blocks {sorted(unknown)}; known: {', '.join(BLOCKS)}")
        chosen = {k: [c for c in v if c[0] in a.blocks.split(",")] for k, v in chosen.items()}
    # The notebooks' *_NoDropout classes are prcm aliases with no module of their own in
    # prcm_torch.py (dropout is the identity at inference): their parents are measured.
    no_twin = sorted({c[0] for v in chosen.values() for c in v if BLOCKS[c[0]][0] not in TORCH_MODULES})
    if no_twin:
        print(f"(left out, no PyTorch module of their own: {', '.join(no_twin)})")
    chosen = {k: [c for c in v if BLOCKS[c[0]][0] in TORCH_MODULES] for k, v in chosen.items()}
    threads = [int(t) for t in a.threads.split(",")]
    work = tempfile.mkdtemp(prefix="prcm-peers-")
    machine = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
               "prcm_cpu_target": pk.cpu_target(), "prcm_kernels": pk.__version__}
    machine["measured"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    machine["command"] = " ".join(["scripts/peer_bench.py", *sys.argv[1:]])
    try:  # the commit measured, where this is a git checkout ("+" where it has uncommitted changes)
        run = lambda *args: subprocess.run(["git", "-C", HERE, *args], capture_output=True, text=True, check=True)
        machine["commit"] = run("rev-parse", "--short", "HEAD").stdout.strip() + (
            "+" if run("status", "--porcelain", "--untracked-files=no").stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        machine["cpu"] = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {machine['cpu']}, torch {torch.__version__}; "
          f"{a.rounds} rounds of {a.warmup} warm-up / {a.repeat} timed calls each; median ms")
    round_trip = {"before": cpu_round_trip_ns(a.build)}
    if round_trip["before"] is not None:
        print(f"CPUs 0 and 1: a cache line's round trip {round_trip['before']} ns")

    overhead = None
    if "overhead" in a.experiments.split(","):
        # First, before the other peers are imported: with onnxruntime and openvino loaded
        # the same loops read more (one pair of runs: 1.97 against 1.63 µs on NumPy, 2.77
        # against 1.93 µs on torch tensors).
        pk.set_threads(1)
        overhead = binding_overhead(pk, max(a.rounds, 7))  # a difference of two noisy figures: 7 rounds at least
        print("\n=== the binding's overhead per call: PRCM at 1x64x8x8, 1 thread, medians (µs)")
        print(f"{'path':<38} {'python':>8} {'C++':>8} {'overhead':>9}")
        for name, r in overhead.items():
            print(f"{name:<38} {r['python_us']:8.2f} {r['native_us']:8.2f} {r['overhead_us']:9.2f}")

    for package in dict.fromkeys(PEERS[n][1] for n in peers):
        machine[package] = __import__(package).__version__
    if any(chosen.values()):
        print("peers: " + ", ".join(f"{k} {machine[k]}" for k in dict.fromkeys(PEERS[n][1] for n in peers)))

    rows = []
    for experiment, configs in chosen.items():
        for nthreads in threads:
            torch.set_num_threads(nthreads)
            pk.set_threads(nthreads)
            print(f"\n=== {experiment}, {nthreads} thread(s)")
            header = (f"{'block':<18} {'input':<13} {'prcm':>9} " + " ".join(f"{PEERS[n][0]:>9}" for n in peers) +
                      " " + " ".join(f"{'vs ' + PEERS[n][0]:>12}" for n in peers))
            print(header + "\n" + "-" * len(header))
            for label, shape in configs:
                module, hyper = BLOCKS[label]
                torch.manual_seed(0)
                block = make_block(module, shape[1], **hyper)
                twin = compiled.compiled(block)
                x = torch.randn(*shape)
                with torch.no_grad():
                    y_prcm = twin(x).numpy()
                    states = {n: PEERS[n][2](block, x, work) for n in peers}
                times = {n: [] for n in ["prcm", *peers]}
                paired = {n: [] for n in peers}  # prcm's rounds in the turns each peer took too
                diffs = {}

                def take_turns(rounds, among):
                    for _ in range(rounds):
                        # Every system's worker threads (prcm's too) spin for a while after they
                        # run; with as many threads as cores they would steal the next one's
                        # time. Each waits for the one before to go idle.
                        with torch.no_grad():
                            time.sleep(0.3)
                            times["prcm"].append(median_ms(lambda: twin(x), a.warmup, a.repeat))
                            for n in among:
                                paired[n].append(times["prcm"][-1])
                                run, keep = PEERS[n][3](states[n], x, nthreads)
                                # The same weights and input must give the same output before a time counts.
                                y = as_numpy(run())
                                if y.shape != y_prcm.shape or not np.allclose(y_prcm, y, rtol=1e-4, atol=1e-4):
                                    sys.exit(f"outputs disagree for {label} {shape}: prcm vs {n}, max abs diff "
                                             f"{np.abs(y_prcm - y).max() if y.shape == y_prcm.shape else y.shape}")
                                diffs[n] = float(np.abs(y_prcm - y).max())
                                time.sleep(0.3)
                                times[n].append(median_ms(run, a.warmup, a.repeat))
                                del run, keep  # a session and its thread pool go with it

                def figures():  # each system's median, and prcm's against each peer
                    return ({n: float(np.median(v)) for n, v in times.items()},
                            {n: float(np.median(paired[n])) for n in peers})

                take_turns(a.rounds, peers)
                ms, ms_vs = figures()
                doubtful = [n for n in peers if ms_vs[n] > ms[n] * (1 + a.band)]
                if doubtful and a.confirm_rounds > 0:
                    take_turns(a.confirm_rounds, doubtful)
                    ms, ms_vs = figures()
                row = {"experiment": experiment, "block": label, "module": module, "shape": list(shape),
                       "threads": nthreads, "prcm_ms": ms["prcm"], "prcm_ms_vs": ms_vs,
                       "peers_ms": {n: ms[n] for n in peers}, "speedup_vs": {n: ms[n] / ms_vs[n] for n in peers},
                       "max_abs_diff_vs": diffs, "rounds_ms": times,
                       "confirmed_against": doubtful if a.confirm_rounds > 0 else []}
                rows.append(row)
                print(f"{label:<18} {'x'.join(map(str, shape)):<13} {ms['prcm']:9.4f} " +
                      " ".join(f"{ms[n]:9.4f}" for n in peers) + " " +
                      " ".join(f"{row['speedup_vs'][n]:11.2f}x" for n in peers))

    if round_trip["before"] is not None:
        round_trip["after"] = cpu_round_trip_ns(a.build)
        machine["cpu_round_trip_ns"] = round_trip
        print(f"\nCPUs 0 and 1: a cache line's round trip {round_trip['after']} ns (before the run: "
              f"{round_trip['before']})")
    if not rows:
        write_json(a.json, {"machine": machine, "binding_overhead_us": overhead})
        return
    print("\n=== geometric-mean speed-up of prcm (all configurations above), and the slowest")
    print(f"{'block':<18} " + " ".join(f"{'vs ' + PEERS[n][0]:>12}" for n in peers) + "   " +
          " ".join(f"{'min ' + PEERS[n][0]:>13}" for n in peers))
    summary = summarize(rows, peers)
    for label, s in summary.items():
        print(f"{label:<18} " + " ".join(f"{s[n]['geomean']:11.2f}x" for n in peers) + "   " +
              " ".join(f"{s[n]['slowest']:12.2f}x" for n in peers))
    # The noise rule (module docstring): slower only beyond the band, on 3 rounds at least.
    losses = [(r["block"], r["shape"], r["threads"], n, r["speedup_vs"][n]) for r, n in slower(rows, peers, a.band)]
    within = len(slower(rows, peers, 0)) - len(losses)  # slower at all, less those beyond the band
    verdict = "" if a.rounds >= 3 else " (fewer than 3 rounds: not a verdict)"
    print(f"\n{len(losses)} of {len(rows) * len(peers)} comparisons have prcm slower than the peer by more than "
          f"{a.band:.0%}, and {within} slower within it{verdict}")
    for block, shape, nthreads, n, speedup in losses:
        print(f"  {block:<18} {'x'.join(map(str, shape)):<13} {nthreads} thread(s)  {speedup:.2f}x vs {PEERS[n][0]}")
    write_json(a.json, {"machine": machine, "timing": {"warmup": a.warmup, "repeat": a.repeat, "rounds": a.rounds,
                                                       "band": a.band, "confirm_rounds": a.confirm_rounds},
                        "slower": [{"block": b, "shape": list(sh), "threads": t, "peer": n, "speedup": sp}
                                   for b, sh, t, n, sp in losses],
                        "peers": peers, "binding_overhead_us": overhead, "rows": rows, "geomean": summary})


def write_json(path, data):
    """Whole or not at all (peer_report.write_whole)."""
    if not path:
        return
    write_whole(path, json.dumps(data, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
