"""`prcm run` on files written by other tools (numpy's np.save, the safetensors
package), and its refusals of malformed ones. Usage: roundtrip_test.py PRCM CASE.

Every refusal must exit non-zero, name the problem, and leave no output file."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import save_file

PRCM, CASE = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
work = tempfile.mkdtemp(prefix="prcm-roundtrip-")
x_path, w_path, y_path = (os.path.join(work, n) for n in ("x.npy", "w.safetensors", "y.npy"))


def prcm_weights(channels=24, bases=8):
    return {
        "basis": rng.standard_normal((bases, channels), dtype=np.float32),
        "fuser.weight": (rng.uniform(-1, 1, (channels, bases)) / np.sqrt(bases)).astype(np.float32),
    }


def prcm_numpy(x, w):
    """PRCM's forward() in numpy, float64: a third implementation, independent of the project's."""
    x64 = x.astype(np.float64)
    ctx = x64.mean(axis=(2, 3))
    coeff = ctx @ w["basis"].astype(np.float64).T
    gate = 1.0 / (1.0 + np.exp(-(coeff @ w["fuser.weight"].astype(np.float64).T)))
    return x64 * gate[:, :, None, None]


def run(*extra, module="prcm"):
    cmd = [PRCM, "run", "--module", module, "--weights", w_path, "--input", x_path, "--output", y_path, *extra]
    return subprocess.run(cmd, capture_output=True, text=True)


def refused(result, *needles):
    out = result.stdout + result.stderr
    print(out.strip())
    assert result.returncode != 0, f"exit {result.returncode}, expected a refusal"
    assert result.returncode < 128, f"killed by a signal: {result.returncode}"
    for needle in needles:
        assert needle in out, f"message lacks {needle!r}"
    # Anything but the inputs: the output or a temporary of it (.y.npy.prcm-XXXXXX).
    leftovers = [n for n in os.listdir(work) if n not in ("x.npy", "w.safetensors")]
    assert not leftovers, f"partial output left behind: {leftovers}"


x = rng.standard_normal((2, 24, 7, 9), dtype=np.float32)
np.save(x_path, x)
weights = prcm_weights()

if CASE == "roundtrip":
    save_file(weights, w_path)
    r = run("--verify")
    print(r.stdout + r.stderr)
    assert r.returncode == 0, r.returncode
    y = np.load(y_path)
    assert y.dtype == np.float32 and y.shape == x.shape, (y.dtype, y.shape)
    want = prcm_numpy(x, weights)
    err = np.abs(y - want).max()
    print(f"max abs err vs numpy float64: {err:.2e}")
    assert np.allclose(y, want, rtol=1e-4, atol=1e-5)
    # The output is an ordinary .npy: numpy reads it back, and it feeds prcm again.
    np.save(x_path, y)
    assert run().returncode == 0
elif CASE == "missing_tensor":
    del weights["fuser.weight"]
    save_file(weights, w_path)
    refused(run(), "missing weight 'fuser.weight'")
elif CASE == "extra_tensor":
    weights["fuser.bias"] = np.zeros(24, np.float32)
    save_file(weights, w_path)
    refused(run(), "unexpected weight 'fuser.bias'")
elif CASE == "wrong_shape":
    weights["fuser.weight"] = np.zeros((24, 5), np.float32)
    save_file(weights, w_path)
    refused(run(), "'fuser.weight' has shape [24, 5], expected [24, 8]")
elif CASE == "wrong_dtype_weights":
    weights["basis"] = weights["basis"].astype(np.float16)
    save_file(weights, w_path)
    refused(run(), "tensor 'basis' is F16, expected F32")
elif CASE == "wrong_dtype_input":
    save_file(weights, w_path)
    np.save(x_path, x.astype(np.float64))
    refused(run(), "dtype '<f8', expected float32")
elif CASE == "truncated_weights":
    save_file(weights, w_path)
    data = open(w_path, "rb").read()
    open(w_path, "wb").write(data[: len(data) - 100])
    refused(run(), "truncated")
elif CASE == "malformed_weights":
    broken = b'{"basis": {"dtype": "F32", "shape": [8, 24'  # JSON cut short, its length declared honestly
    open(w_path, "wb").write(len(broken).to_bytes(8, "little") + broken)
    refused(run(), "malformed safetensors header")
elif CASE == "truncated_input":
    save_file(weights, w_path)
    data = open(x_path, "rb").read()
    open(x_path, "wb").write(data[:-8])
    refused(run(), "truncated", "needs 12096 bytes")
elif CASE == "channels_mismatch":
    save_file(prcm_weights(channels=32), w_path)
    refused(run(), "'basis' has shape [8, 32], expected [8, 24] for an input of 24 channels")
elif CASE == "contradicting_flag":
    save_file(weights, w_path)
    refused(run("--num-basis", "4"), "--num-basis 4 contradicts the weights, which imply 8")
elif CASE == "missing_file":
    refused(run(), "cannot open")
else:
    sys.exit(f"unknown case {CASE}")
print(f"{CASE}: passed")
