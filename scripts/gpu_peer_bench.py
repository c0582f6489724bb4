#!/usr/bin/env python3
"""prcm's CUDA libraries beside PyTorch on the same NVIDIA GPU (scripts/gpu_check.sh runs it
on a lent GPU; it needs a CUDA build's `prcm` CLI, torch with CUDA, numpy and safetensors).

For every configuration (a block of scripts/prcm_torch.py, the notebooks' modules, at a shape):
  1. agreement: the block with seeded random weights (BatchNorm statistics too) runs in PyTorch
     on the CPU in float32, the specification; its state_dict and input go to `prcm run --device
     cuda` (the weights a user trains in PyTorch), whose output must match it as
     tests/torch_parity_test.py requires (rtol 1e-4, atol 1e-5). PyTorch's own CUDA output is
     compared with its CPU output too, and reported (its convolutions run in TF32 by default).
     A configuration that disagrees is reported and not timed.
  2. timing, the notebooks' protocol (warm-up calls, then each call timed on its own with the
     device synchronized inside the timed region), the systems taking turns for --rounds rounds;
     a system's figure is the median of its per-round medians:
       prcm            `prcm run --device cuda --repeat R --warmup W --json` on those weights
                       and input (its own process; the CLI's timing, as `prcm bench` times)
       torch eager     the block under torch.no_grad() on the GPU, PyTorch's defaults
       torch graph     the same calls captured once in a CUDA graph and replayed: PyTorch
                       without its launch costs (what it can do unfused)

    python scripts/gpu_peer_bench.py --prcm build/bin/prcm --json gpu_peers.json
    python scripts/gpu_peer_bench.py --prcm build/bin/prcm --blocks prcm,se --shapes 1,64,64,64

Exit status: 0 every configuration agreed (and was timed); 1 one disagreed; 2 bad arguments;
3 no CUDA device (torch sees none, or `prcm` has no usable cuda device); 4 the work failed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# The notebooks' shape first (every block), then a launch-bound small map, a batch, a large
# plane and many channels, so that the table says where a GPU call is launch- or memory-bound.
DEFAULT_SHAPES = "1,64,64,64;1,64,16,16;8,64,64,64;1,64,256,256;16,128,32,32"
RTOL, ATOL = 1e-4, 1e-5


def parse_shapes(text):
    shapes = []
    for part in text.split(";"):
        dims = part.split(",")
        if len(dims) != 4 or not all(d.strip().isdigit() and int(d) > 0 for d in dims):
            raise ValueError(f"'{part}' is not N,C,H,W of positive integers")
        shapes.append(tuple(int(d) for d in dims))
    return shapes


def write_whole(path, text):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def time_torch(torch, fn, warmup, repeat):
    """Median ms of `repeat` calls of fn, each timed with the device synchronized."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ms = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        ms.append((time.perf_counter() - start) * 1e3)
    return statistics.median(ms)


def graph_of(torch, block, x):
    """The block's calls on x captured in a CUDA graph (PyTorch's recipe: warm up on a side
    stream, then capture); returns the replay."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            block(x)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        block(x)
    return graph.replay


def prcm_run(prcm, module, hyper, files, extra):
    flags = ["--pool-size", str(hyper["pool_size"])] if "pool_size" in hyper else []
    cmd = [prcm, "run", "--module", module, "--device", "cuda", "--weights", files["w"], "--input", files["x"],
           "--output", files["y"], *flags, *extra]
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--prcm", default=os.path.join(HERE, "..", "build", "bin", "prcm"), help="the CLI (a CUDA build)")
    p.add_argument("--blocks", help="only these blocks (CLI names, e.g. prcm,se; default: every block)")
    p.add_argument("--shapes", default=DEFAULT_SHAPES, help=f"N,C,H,W;... (default {DEFAULT_SHAPES})")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--repeat", type=int, default=500)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--deadline", type=float, default=0,
                   help="seconds: start no configuration after this (a device lease); 0: none")
    p.add_argument("--json", help="write every configuration's figures here")
    p.add_argument("--markdown", help="write the table here as Markdown")
    a = p.parse_args()

    try:
        shapes = parse_shapes(a.shapes)
    except ValueError as e:
        p.error(str(e))
    if a.warmup < 0 or a.repeat < 1 or a.rounds < 1:
        p.error("--warmup >= 0, --repeat >= 1 and --rounds >= 1")
    import torch
    from prcm_torch import BLOCKS, make_block
    from safetensors.numpy import save_file

    blocks = [b for b in BLOCKS if not b.endswith("_no_dropout")]  # aliases: the same library
    if a.blocks:
        unknown = [b for b in a.blocks.split(",") if b not in BLOCKS]
        if unknown:
            p.error(f"unknown block(s) {', '.join(unknown)}; known: {', '.join(BLOCKS)}")
        blocks = a.blocks.split(",")
    if not torch.cuda.is_available():
        print("gpu_peer_bench: torch sees no CUDA device", file=sys.stderr)
        return 3
    if not os.access(a.prcm, os.X_OK):
        print(f"gpu_peer_bench: no prcm CLI at {a.prcm}", file=sys.stderr)
        return 4

    started = time.time()
    gpu = torch.cuda.get_device_name(0)
    rows, disagreed = [], 0
    print(f"GPU: {gpu}; torch {torch.__version__}; cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}; "
          f"{a.rounds} rounds of {a.warmup} warm-up + {a.repeat} timed calls", flush=True)
    with tempfile.TemporaryDirectory() as work:
        files = {k: os.path.join(work, n) for k, n in (("w", "w.safetensors"), ("x", "x.npy"), ("y", "y.npy"),
                                                        ("j", "t.json"))}
        for shape in shapes:
            for module in blocks:
                if a.deadline and time.time() - started > a.deadline:
                    print(f"deadline: stopped before {module} {shape}", flush=True)
                    rows.append({"block": module, "shape": list(shape), "skipped": "deadline"})
                    continue
                torch.manual_seed(1)
                hyper = {}
                if module == "prcm_adaptive_pool":
                    hyper["pool_size"] = 2
                block = make_block(module, shape[1], **hyper)
                x = torch.randn(*shape)
                with torch.no_grad():
                    want = block(x).numpy()
                save_file({k: v.contiguous().numpy() for k, v in block.state_dict().items()}, files["w"])
                np.save(files["x"], x.numpy())
                row = {"block": module, "shape": list(shape), "hyper_parameters": hyper}
                r = prcm_run(a.prcm, module, hyper, files, [])
                if r.returncode == 3:
                    print(f"gpu_peer_bench: prcm has no CUDA device: {r.stderr.strip()}", file=sys.stderr)
                    return 3
                got = np.load(files["y"]) if r.returncode == 0 else None
                agree = (got is not None and got.shape == want.shape
                         and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True)))
                row["prcm_max_abs_diff"] = float(np.abs(got - want).max()) if got is not None else None
                block_gpu = block.cuda()
                x_gpu = x.cuda()
                with torch.no_grad():
                    torch_gpu = block_gpu(x_gpu).cpu().numpy()
                row["torch_cuda_max_abs_diff"] = float(np.abs(torch_gpu - want).max())
                row["agrees"] = agree
                if not agree:
                    disagreed += 1
                    print(f"DISAGREES {module} {shape}: rc {r.returncode} {r.stderr.strip()[:400]} "
                          f"max abs diff {row['prcm_max_abs_diff']}", flush=True)
                    rows.append(row)
                    continue
                eager, graph, ours = [], [], []
                with torch.no_grad():
                    replay = graph_of(torch, block_gpu, x_gpu)
                    for _ in range(a.rounds):
                        r = prcm_run(a.prcm, module, hyper, files,
                                     ["--repeat", str(a.repeat), "--warmup", str(a.warmup), "--json", files["j"]])
                        if r.returncode != 0:
                            print(f"gpu_peer_bench: prcm run failed: {r.stderr.strip()}", file=sys.stderr)
                            return 4
                        with open(files["j"]) as f:
                            ours.append(json.load(f)["rows"][0]["latency_ms"]["median"])
                        eager.append(time_torch(torch, lambda: block_gpu(x_gpu), a.warmup, a.repeat))
                        graph.append(time_torch(torch, replay, a.warmup, a.repeat))
                row.update({"prcm_ms": statistics.median(ours), "torch_eager_ms": statistics.median(eager),
                            "torch_graph_ms": statistics.median(graph), "rounds": {"prcm": ours, "torch_eager": eager,
                                                                                  "torch_graph": graph}})
                rows.append(row)
                print(f"{module:24s} {'x'.join(map(str, shape)):>12s}  prcm {row['prcm_ms'] * 1e3:8.1f} us  "
                      f"eager {row['torch_eager_ms'] * 1e3:8.1f} us  graph {row['torch_graph_ms'] * 1e3:8.1f} us  "
                      f"diff {row['prcm_max_abs_diff']:.1e} (torch cuda {row['torch_cuda_max_abs_diff']:.1e})",
                      flush=True)
                del block_gpu, x_gpu, replay
                torch.cuda.empty_cache()

    timed = [r for r in rows if "prcm_ms" in r]
    lines = [f"GPU: {gpu}, torch {torch.__version__} (cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}); "
             f"the median of {a.rounds} rounds' medians of {a.repeat} calls each, every call timed with the "
             "device synchronized; prcm's output checked against PyTorch's float32 CPU output first.", "",
             "| block | shape | prcm (µs) | torch eager (µs) | torch CUDA graph (µs) | vs eager | vs graph | "
             "prcm max abs diff |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in timed:
        lines.append(f"| {r['block']} | {'x'.join(map(str, r['shape']))} | {r['prcm_ms'] * 1e3:.1f} | "
                     f"{r['torch_eager_ms'] * 1e3:.1f} | {r['torch_graph_ms'] * 1e3:.1f} | "
                     f"{r['torch_eager_ms'] / r['prcm_ms']:.2f}x | {r['torch_graph_ms'] / r['prcm_ms']:.2f}x | "
                     f"{r['prcm_max_abs_diff']:.1e} |")
    if timed:
        for peer in ("torch_eager", "torch_graph"):
            ratios = [r[peer + "_ms"] / r["prcm_ms"] for r in timed]
            geo = float(np.exp(np.mean(np.log(ratios))))
            lines.append(f"\nprcm against {peer.replace('_', ' ')}: geometric mean {geo:.2f}x over {len(timed)} "
                         f"configurations; prcm slower in {sum(x < 1 for x in ratios)}")
    table = "\n".join(lines) + "\n"
    print(table)
    if a.markdown:
        write_whole(a.markdown, table)
    if a.json:
        write_whole(a.json, json.dumps({"gpu": gpu, "torch": torch.__version__, "warmup": a.warmup, "repeat": a.repeat,
                                        "rounds": a.rounds, "rows": rows}, indent=1) + "\n")
    return 1 if disagreed else 0


if __name__ == "__main__":
    sys.exit(main())
