#!/usr/bin/env python3
"""prcm's libraries against PyTorch eager and ONNX Runtime, side by side on this machine.

For every configuration it builds the block in PyTorch (scripts/prcm_torch.py: the
notebooks' modules re-expressed), exports its weights and a random input, exports
the same module to ONNX, and checks that prcm, PyTorch and ONNX Runtime produce the
same output for them. Only then does it time all three on those weights and that
input, with the same thread count, and report each system's median, prcm's
speed-up over each peer, and geometric means per block and overall.

The three take turns: each round times prcm, then PyTorch, then ONNX Runtime, and a
system's figure is the median of its per-round medians, so a burst of load from
elsewhere on a shared machine lands on one round of one system, not on its figure.

    .venv/bin/pip install -r scripts/requirements-peers.txt     # once: torch, onnx, onnxruntime
    .venv/bin/python scripts/peer_bench.py --json peers.json     # all experiments, 1 thread and all cores
    .venv/bin/python scripts/peer_bench.py --experiments latency --threads 1 --repeat 30
"""
import argparse
import json
import math
import os
import platform
import subprocess
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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--prcm", default=os.path.join(HERE, "..", "build", "bin", "prcm"))
    p.add_argument("--experiments", default="latency,channels,resolution,batch")
    p.add_argument("--threads", default=f"1,{os.cpu_count()}", help="thread counts, e.g. 1,2")
    p.add_argument("--blocks", help="only these blocks, e.g. PRCM,AffinePRCM (default: all)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--repeat", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3, help="turns each system takes per configuration")
    p.add_argument("--json", help="write every measurement and the geometric means here")
    a = p.parse_args()

    import onnxruntime as ort
    import torch

    # The legacy TorchScript exporter is what turns the notebooks' modules into plain ONNX
    # graphs (PRCM_AdaptivePool's Python branch on H and W is fixed per input shape, which
    # is what the comparison needs): its warnings about both are expected.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    from safetensors.numpy import save_file

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
               "onnxruntime": ort.__version__, "cores": os.cpu_count()}
    try:
        machine["cpu"] = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {machine['cpu']}, torch {torch.__version__}, onnxruntime {ort.__version__}; "
          f"{a.rounds} rounds of {a.warmup} warm-up / {a.repeat} timed calls each; median ms")

    rows = []
    for experiment, configs in chosen.items():
        for nthreads in threads:
            torch.set_num_threads(nthreads)
            print(f"\n=== {experiment}, {nthreads} thread(s)")
            header = f"{'block':<18} {'input':<13} {'prcm':>9} {'torch':>9} {'onnxrt':>9} {'vs torch':>9} {'vs ort':>8}"
            print(header + "\n" + "-" * len(header))
            for label, shape in configs:
                module, hyper = BLOCKS[label]
                torch.manual_seed(0)
                block = make_block(module, shape[1], **hyper)
                x = torch.randn(*shape)
                w_path, x_path, y_path, onnx_path, t_path = (
                    os.path.join(work, n) for n in ("w.safetensors", "x.npy", "y.npy", "m.onnx", "t.json"))
                save_file({k: v.contiguous().numpy() for k, v in block.state_dict().items()
                           if not k.endswith("num_batches_tracked")}, w_path)
                np.save(x_path, x.numpy())
                flags = ["--pool-size", str(hyper["pool_size"])] if "pool_size" in hyper else []
                cmd = [a.prcm, "run", "--module", module, "--weights", w_path, "--input", x_path, "--output", y_path,
                       "--threads", str(nthreads), "--warmup", str(a.warmup), "--repeat", str(a.repeat),
                       "--json", t_path, *flags]
                torch.onnx.export(block, (x,), onnx_path, input_names=["x"], output_names=["y"], dynamo=False)
                feed = {"x": x.numpy()}
                with torch.no_grad():
                    y_torch = block(x).numpy()
                times = {"prcm": [], "torch": [], "onnxruntime": []}
                for _ in range(max(1, a.rounds)):
                    # The peers' worker threads spin for a while after they run; with as many
                    # threads as cores they would steal prcm's time. Let them go idle first.
                    time.sleep(0.3)
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode != 0:
                        sys.exit(f"prcm run failed for {label} {shape}: {r.stderr.strip()}")
                    times["prcm"].append(json.load(open(t_path))["latency_ms"]["median"])

                    with torch.no_grad():
                        times["torch"].append(median_ms(lambda: block(x), a.warmup, a.repeat))
                    opts = ort.SessionOptions()
                    opts.intra_op_num_threads = nthreads
                    opts.inter_op_num_threads = 1
                    session = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
                    y_ort = session.run(None, feed)[0]  # the same every round; the first call, untimed
                    times["onnxruntime"].append(median_ms(lambda: session.run(None, feed), a.warmup, a.repeat))
                    del session  # its thread pool goes with it
                prcm_ms, torch_ms, ort_ms = (float(np.median(times[k])) for k in ("prcm", "torch", "onnxruntime"))
                y_prcm = np.load(y_path)

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
    if a.json:
        tmp = a.json + ".tmp"
        json.dump({"machine": machine, "timing": {"warmup": a.warmup, "repeat": a.repeat, "rounds": a.rounds}, "rows": rows,
                   "geomean_per_block": summary, "geomean_overall": overall}, open(tmp, "w"), indent=2)
        os.replace(tmp, a.json)
        print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
