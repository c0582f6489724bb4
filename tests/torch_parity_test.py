"""Every block against PyTorch itself: weights and inputs exported from the
notebooks' modules (scripts/prcm_torch.py) go through `prcm run --verify`, and
the output must match what PyTorch computes. This checks the references and
the libraries against torch's own adaptive pooling bins, align_corners
interpolation and BatchNorm. torch is an optional extra
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
failures = 0
for module, shape, hyper in cases:
    torch.manual_seed(1)
    block = make_block(module, shape[1], **hyper)
    x = torch.randn(*shape)
    with torch.no_grad():
        want = block(x).numpy()
    w, xi, y = (os.path.join(work, n) for n in ("w.safetensors", "x.npy", "y.npy"))
    save_file({k: v.contiguous().numpy() for k, v in block.state_dict().items()}, w)  # as is: int64 BN counters too
    np.save(xi, x.numpy())
    flags = ["--pool-size", str(hyper["pool_size"])] if "pool_size" in hyper else []
    r = subprocess.run([prcm, "run", "--module", module, "--weights", w, "--input", xi, "--output", y, "--verify",
                        *flags], capture_output=True, text=True)
    got = np.load(y) if r.returncode == 0 else None
    ok = got is not None and got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5)
    diff = float(np.abs(got - want).max()) if got is not None and got.shape == want.shape else float("nan")
    print(f"{'PASSED' if ok else 'FAILED'}  {module} {shape} {hyper}: max abs diff vs torch {diff:.2e}")
    if not ok:
        print(r.stdout, r.stderr)
        failures += 1
print(f"{len(cases) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
