"""Every block against PyTorch itself: weights and inputs exported from the
notebooks' modules (scripts/prcm_torch.py) go through `prcm run --verify`, and
the output must match what PyTorch computes. This checks the references and
the libraries against torch's own adaptive pooling bins, align_corners
interpolation and BatchNorm, and against torch's IEEE semantics for NaN and
infinities in the input and in BatchNorm's running_var (a NaN must come out
where torch's does and nowhere else, an infinity with the same sign). torch is an optional extra
(scripts/requirements-peers.txt): without it the test says so and exits 77,
which ctest reports as skipped.
Usage: torch_parity_test.py PRCM"""
import os
import subprocess
import sys
import tempfile

SKIPPED = 77  # ctest's SKIP_RETURN_CODE for this test (tests/CMakeLists.txt)
try:
    import torch
except ImportError:
    print("SKIPPED  blocks match PyTorch: torch not installed "
          f"(in {sys.prefix}: pip install -r scripts/requirements-peers.txt)")
    sys.exit(SKIPPED)

import numpy as np  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from prcm_torch import BLOCKS, make_block  # noqa: E402

prcm = sys.argv[1]
work = tempfile.mkdtemp(prefix="prcm-torch-")
cases = [  # (module, shape, hyper-parameters): the notebooks' configurations and the awkward edges
    ("prcm", (2, 65, 7, 9), {"num_basis": 5}),
    ("affine_prcm", (1, 64, 64, 64), {"num_basis": 8}),
    ("shift_only_prcm", (3, 24, 8, 65), {"num_basis": 4}),
    ("se", (2, 64, 7, 7), {"reduction": 4}),
    ("se", (1, 3, 5, 5), {"reduction": 4}),  # hidden width 0
    ("prcm_se", (1, 64, 16, 16), {"expansion": 4}),
    ("prcm_basis_expand", (2, 24, 9, 9), {"num_basis": 8, "expansion": 4}),
    ("prcm_se_affine", (1, 48, 8, 8), {"expansion": 2}),
    ("prcm_adaptive_pool", (2, 16, 7, 9), {"pool_size": 4, "expansion": 2}),  # overlapping bins
    ("prcm_adaptive_pool", (1, 8, 65, 64), {"pool_size": 3, "expansion": 2}),
    ("prcm_adaptive_pool", (1, 8, 5, 9), {"pool_size": 8, "expansion": 2}),  # H < pool size: no pooling
    ("prcm_adaptive_pool", (1, 8, 1, 7), {"pool_size": 1, "expansion": 1}),  # 1x1 source, 1-pixel output
    ("inverted_bottleneck", (2, 13, 7, 9), {"kernel_size": 3, "expansion": 2}),
    ("inverted_bottleneck", (1, 32, 16, 16), {"kernel_size": 7, "expansion": 4}),
    ("inverted_bottleneck_res", (1, 24, 5, 6), {"kernel_size": 5, "expansion": 2}),
]
# Non-finite cases: (module, shape, hyper-parameters, what to plant). NaN or an
# infinity in the input, or a negative BatchNorm running_var.
nonfinite = [
    ("prcm", (2, 6, 5, 37), {"num_basis": 8}, "nan"),
    ("prcm", (2, 6, 5, 37), {"num_basis": 8}, "inf"),
    ("affine_prcm", (2, 6, 5, 37), {"num_basis": 8}, "nan"),
    ("shift_only_prcm", (2, 6, 5, 37), {"num_basis": 4}, "inf"),
    ("se", (2, 16, 5, 37), {"reduction": 4}, "nan"),
    ("se", (2, 16, 5, 37), {"reduction": 4}, "inf"),
    ("prcm_se", (2, 6, 5, 37), {"expansion": 4}, "nan"),
    ("prcm_basis_expand", (2, 6, 5, 37), {"num_basis": 8, "expansion": 4}, "nan"),
    ("prcm_se_affine", (2, 6, 5, 37), {"expansion": 2}, "inf"),
    ("prcm_adaptive_pool", (2, 6, 5, 37), {"pool_size": 2, "expansion": 2}, "nan"),
    ("prcm_adaptive_pool", (2, 6, 5, 37), {"pool_size": 2, "expansion": 2}, "inf"),
    ("prcm_adaptive_pool", (2, 6, 4, 4), {"pool_size": 4, "expansion": 2}, "inf"),  # 4x4 -> 4x4: unchanged axes
    ("prcm_adaptive_pool", (2, 6, 3, 5), {"pool_size": 8, "expansion": 2}, "inf"),  # pooling skipped
    ("prcm_adaptive_pool", (2, 6, 4, 9), {"pool_size": 4, "expansion": 2}, "inf"),  # H kept, W pooled
    ("inverted_bottleneck", (2, 6, 5, 37), {"kernel_size": 3, "expansion": 2}, "nan"),
    ("inverted_bottleneck", (2, 6, 5, 37), {"kernel_size": 3, "expansion": 2}, "inf"),
    ("inverted_bottleneck", (2, 6, 5, 37), {"kernel_size": 3, "expansion": 2}, "bn2.running_var"),
    ("inverted_bottleneck_res", (2, 6, 5, 37), {"kernel_size": 3, "expansion": 2}, "nan"),
]


def plant(x, state, what):
    if what == "nan":
        x[0, 1, 2, 3] = float("nan")
    elif what == "inf":
        x[0, 1, 2, 3] = float("inf")
        x[1, 2, 0, 0] = float("-inf")
    else:
        state[what][0] = -1.0


failures = 0
for module, shape, hyper, *what in cases + nonfinite:
    torch.manual_seed(1)
    block = make_block(module, shape[1], **hyper)
    x = torch.randn(*shape)
    if what:
        plant(x, block.state_dict(), what[0])  # state_dict() shares the block's storage
    with torch.no_grad():
        want = block(x).numpy()
    w, xi, y = (os.path.join(work, n) for n in ("w.safetensors", "x.npy", "y.npy"))
    save_file({k: v.contiguous().numpy() for k, v in block.state_dict().items()}, w)  # as is: int64 BN counters too
    np.save(xi, x.numpy())
    flags = ["--pool-size", str(hyper["pool_size"])] if "pool_size" in hyper else []
    r = subprocess.run([prcm, "run", "--module", module, "--weights", w, "--input", xi, "--output", y, "--verify",
                        *flags], capture_output=True, text=True)
    got = np.load(y) if r.returncode == 0 else None
    ok = got is not None and got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)
    finite = np.isfinite(want)
    diff = (float(np.abs(got[finite] - want[finite]).max(initial=0)) if got is not None and got.shape == want.shape
            else float("nan"))
    planted = f", {what[0]}: {int(np.isnan(want).sum())} NaN, {int(np.isinf(want).sum())} inf" if what else ""
    print(f"{'PASSED' if ok else 'FAILED'}  {module} {shape} {hyper}{planted}: max abs diff vs torch {diff:.2e}")
    if not ok:
        print(r.stdout, r.stderr)
        failures += 1
print(f"{len(cases) + len(nonfinite) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
