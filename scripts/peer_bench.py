#!/usr/bin/env python3
"""prcm's libraries against PyTorch eager and ONNX Runtime, side by side, in one process.

For every configuration it builds the block in PyTorch (scripts/prcm_torch.py: the
notebooks' modules), its compiled twin (prcm_kernels.torch, loaded from the block's
state_dict), and the block exported to ONNX, and checks that the three produce the
same output. Only then does it time all three, in this Python process, in the same
timing loop and with the same thread count: each system is called as a user of it
calls it (the two nn.Modules under torch.no_grad(), the ONNX Runtime session's run()),
and each allocates its output on every call. It reports each system's median,
prcm's speed-up over each peer, and geometric means per block and overall.

It also measures the binding's own cost: prcm's PRCM at 1x64x8x8 called through the
binding (a prepared kernel on NumPy arrays and on torch tensors, into an `out=` and
allocating; the drop-in module) against the same library called in a loop from C++
on the same arrays, the difference being the overhead per call.

The systems take turns: each round times prcm, then PyTorch, then ONNX Runtime, and a
system's figure is the median of its per-round medians, so a burst of load from
elsewhere on a shared machine lands on one round of one system, not on its figure.

    .venv/bin/pip install -r scripts/requirements-peers.txt     # once: torch, onnx, onnxruntime
    .venv/bin/python scripts/peer_bench.py --json peers.json     # all experiments, 1 thread and all cores
    .venv/bin/python scripts/peer_bench.py --experiments latency --threads 1 --repeat 30
    .venv/bin/python scripts/peer_bench.py --experiments overhead
prcm_kernels comes from an installed package (pip install .) or else from the build
tree (--build, default build/).
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# (label, CLI module, hyper-parameters): the notebooks' blocks as the experiments name them.
BLOCKS = {
    "InvBN(2)": ("inverted_bottleneck", {"kernel_size": 7, "expansion": 2}),
    "InvBN(4)": ("inverted_bottleneck", {"kernel_size": 7, "expansion": 4}),
    "InvBNRes(2)": ("inverted_bottleneck_res", {"kernel_size": 7, "expansion": 2}),
    "PRCM": ("prcm", {"num_basis": 8}),
    "AffinePRCM": ("affine_prcm", {"num_basis": 8}),
    "ShiftOnlyPRCM": ("shift_only_prcm", {"num_basis": 8}),
    "SE": ("se", {"reduction": 4}),
    "PRCM_SE(4)": ("prcm_se", {"expansion": 4}),
    "AdaPool(2x2)": ("prcm_adaptive_pool", {"pool_size": 2, "expansion": 2}),
    "AdaPool(4x4)": ("prcm_adaptive_pool", {"pool_size": 4, "expansion": 2}),
    "AdaPool(8x8)": ("prcm_adaptive_pool", {"pool_size": 8, "expansion": 2}),
    "BasisExp": ("prcm_basis_expand", {"num_basis": 8, "expansion": 4}),
    "PRCM_SE_Affine(4)": ("prcm_se_affine", {"expansion": 4}),
}


def experiments():
    """The configurations of the notebooks' latency, channels, resolution and batch tables."""
    out = {"latency": [(b, (1, 64, 64, 64)) for b in BLOCKS]}
    out["channels"] = [(b, (1, c, 64, 64)) for c in (24, 48, 64, 96, 128, 192)
                       for b in ("InvBN(2)", "InvBN(4)", "PRCM", "AffinePRCM", "SE", "PRCM_SE(4)", "AdaPool(4x4)",
                                 "BasisExp")]
    out["resolution"] = ([(b, (1, 128, s, s)) for s in (4, 8, 16, 32, 64)
                          for b in ("InvBN(2)", "InvBN(4)", "PRCM", "PRCM_SE(4)", "AdaPool(4x4)")] +
                         [(b, (1, 64, s, s)) for s in (16, 32, 64, 128, 256) for b in ("PRCM", "AffinePRCM")])
    out["batch"] = [(b, (n, 64, 64, 64)) for n in (1, 2, 4, 8, 16) for b in ("PRCM", "AffinePRCM")]
    return out


def median_ms(fn, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(HERE, "..", "build"), help="the build tree, if prcm_kernels "
                   "is not installed")
    p.add_argument("--experiments", default="overhead,latency,channels,resolution,batch",
                   help="overhead (the binding's cost per call), latency, channels, resolution, batch")
    p.add_argument("--threads", default=f"1,{os.cpu_count()}", help="thread counts, e.g. 1,2")
    p.add_argument("--blocks", help="only these blocks, e.g. PRCM,AffinePRCM (default: all)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--repeat", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3, help="turns each system takes per configuration")
    p.add_argument("--json", help="write every measurement and the geometric means here")
    a = p.parse_args()

    import onnxruntime as ort
    import torch

    pk = import_prcm_kernels(a.build)
    import prcm_kernels.torch as compiled

    # The legacy TorchScript exporter is what turns the notebooks' modules into plain ONNX
    # graphs (PRCM_AdaptivePool's Python branch on H and W is fixed per input shape, which
    # is what the comparison needs): its warnings about both are expected.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    from prcm_torch import make_block

    chosen = {k: v for k, v in experiments().items() if k in a.experiments.split(",")}
    if a.blocks:
        unknown = set(a.blocks.split(",")) - set(BLOCKS)
        if unknown:
            p.error(f"unknown blocks {sorted(unknown)}; known: {', '.join(BLOCKS)}")
        chosen = {k: [c for c in v if c[0] in a.blocks.split(",")] for k, v in chosen.items()}
    threads = [int(t) for t in a.threads.split(",")]
    work = tempfile.mkdtemp(prefix="prcm-peers-")
    machine = {"cpu": platform.processor() or platform.machine(), "torch": torch.__version__,
               "onnxruntime": ort.__version__, "cores": os.cpu_count(), "prcm_cpu_target": pk.cpu_target()}
    try:
        machine["cpu"] = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {machine['cpu']}, torch {torch.__version__}, onnxruntime {ort.__version__}; "
          f"{a.rounds} rounds of {a.warmup} warm-up / {a.repeat} timed calls each; median ms")

    overhead = None
    if "overhead" in a.experiments.split(","):
        pk.set_threads(1)
        overhead = binding_overhead(pk, max(a.rounds, 7))  # a difference of two noisy figures: 7 rounds at least
        print("\n=== the binding's overhead per call: PRCM at 1x64x8x8, 1 thread, medians (µs)")
        print(f"{'path':<38} {'python':>8} {'C++':>8} {'overhead':>9}")
        for name, r in overhead.items():
            print(f"{name:<38} {r['python_us']:8.2f} {r['native_us']:8.2f} {r['overhead_us']:9.2f}")

    rows = []
    for experiment, configs in chosen.items():
        for nthreads in threads:
            torch.set_num_threads(nthreads)
            pk.set_threads(nthreads)
            print(f"\n=== {experiment}, {nthreads} thread(s)")
            header = f"{'block':<18} {'input':<13} {'prcm':>9} {'torch':>9} {'onnxrt':>9} {'vs torch':>9} {'vs ort':>8}"
            print(header + "\n" + "-" * len(header))
            for label, shape in configs:
                module, hyper = BLOCKS[label]
                torch.manual_seed(0)
                block = make_block(module, shape[1], **hyper)
                twin = compiled.compiled(block)
                x = torch.randn(*shape)
                onnx_path = os.path.join(work, "m.onnx")
                torch.onnx.export(block, (x,), onnx_path, input_names=["x"], output_names=["y"], dynamo=False)
                feed = {"x": x.numpy()}
                with torch.no_grad():
                    y_torch = block(x).numpy()
                    y_prcm = twin(x).numpy()
                times = {"prcm": [], "torch": [], "onnxruntime": []}
                for _ in range(max(1, a.rounds)):
                    # The peers' worker threads (and prcm's) spin for a while after they run;
                    # with as many threads as cores they would steal the next one's time.
                    # Let them go idle first.
                    with torch.no_grad():
                        time.sleep(0.3)
                        times["prcm"].append(median_ms(lambda: twin(x), a.warmup, a.repeat))
                        time.sleep(0.3)
                        times["torch"].append(median_ms(lambda: block(x), a.warmup, a.repeat))
                    opts = ort.SessionOptions()
                    opts.intra_op_num_threads = nthreads
                    opts.inter_op_num_threads = 1
                    session = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
                    y_ort = session.run(None, feed)[0]  # the same every round; the first call, untimed
                    time.sleep(0.3)
                    times["onnxruntime"].append(median_ms(lambda: session.run(None, feed), a.warmup, a.repeat))
                    del session  # its thread pool goes with it
                prcm_ms, torch_ms, ort_ms = (float(np.median(times[k])) for k in ("prcm", "torch", "onnxruntime"))

                # The same weights and input must give the same output everywhere before a time counts.
                for name, y in (("torch", y_torch), ("onnxruntime", y_ort)):
                    if not np.allclose(y_prcm, y, rtol=1e-4, atol=1e-4):
                        sys.exit(f"outputs disagree for {label} {shape}: prcm vs {name}, "
                                 f"max abs diff {np.abs(y_prcm - y).max():.3g}")
                row = {"experiment": experiment, "block": label, "module": module, "shape": list(shape),
                       "threads": nthreads, "prcm_ms": prcm_ms, "torch_ms": torch_ms, "onnxruntime_ms": ort_ms,
                       "speedup_vs_torch": torch_ms / prcm_ms, "speedup_vs_onnxruntime": ort_ms / prcm_ms,
                       "max_abs_diff_vs_torch": float(np.abs(y_prcm - y_torch).max()), "rounds_ms": times}
                rows.append(row)
                print(f"{label:<18} {'x'.join(map(str, shape)):<13} {prcm_ms:9.4f} {torch_ms:9.4f} {ort_ms:9.4f} "
                      f"{row['speedup_vs_torch']:8.2f}x {row['speedup_vs_onnxruntime']:7.2f}x")

    if not rows:
        write_json(a.json, {"machine": machine, "binding_overhead_us": overhead})
        return
    print("\n=== geometric-mean speed-up of prcm (all configurations above)")
    print(f"{'block':<18} {'vs torch':>9} {'vs ort':>8} {'slowest vs torch':>17} {'slowest vs ort':>15}")
    summary = {}
    for label in dict.fromkeys(r["block"] for r in rows):
        mine = [r for r in rows if r["block"] == label]
        summary[label] = {"vs_torch": geomean([r["speedup_vs_torch"] for r in mine]),
                          "vs_onnxruntime": geomean([r["speedup_vs_onnxruntime"] for r in mine]),
                          "min_vs_torch": min(r["speedup_vs_torch"] for r in mine),
                          "min_vs_onnxruntime": min(r["speedup_vs_onnxruntime"] for r in mine)}
        s = summary[label]
        print(f"{label:<18} {s['vs_torch']:8.2f}x {s['vs_onnxruntime']:7.2f}x {s['min_vs_torch']:16.2f}x "
              f"{s['min_vs_onnxruntime']:14.2f}x")
    overall = {"vs_torch": geomean([r["speedup_vs_torch"] for r in rows]),
               "vs_onnxruntime": geomean([r["speedup_vs_onnxruntime"] for r in rows])}
    print(f"{'overall':<18} {overall['vs_torch']:8.2f}x {overall['vs_onnxruntime']:7.2f}x")
    write_json(a.json, {"machine": machine, "timing": {"warmup": a.warmup, "repeat": a.repeat, "rounds": a.rounds},
                        "binding_overhead_us": overhead, "rows": rows, "geomean_per_block": summary,
                        "geomean_overall": overall})


def write_json(path, data):
    """Whole or not at all: a temporary file in the same folder, renamed over `path`."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".peer_bench-", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
