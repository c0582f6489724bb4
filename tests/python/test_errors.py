"""Bad input to the binding: a Python exception naming the problem (TypeError for
what is not a float32 array or a wrong keyword, ValueError for a wrong shape, layout
or value, DeviceUnavailableError for a device not here), never a crash, and an out=
left as it was."""
import numpy as np
import pytest

import prcm_kernels as pk
from prcm_kernels import _core

X, WEIGHTS = _core.problem_data("prcm", [2, 16, 5, 7], {"num_basis": 4}, 1)
KW = {key.replace(".", "_"): value for key, value in WEIGHTS.items()}


def call(x=None, **changes):
    kw = dict(KW)
    kw.update(changes)
    return pk.prcm(X if x is None else x, **{k: v for k, v in kw.items() if v is not None})


CASES = [
    ("float64 x", TypeError, "x has dtype float64", lambda: call(X.astype(np.float64))),
    ("int32 weight", TypeError, "weight 'basis' has dtype int32", lambda: call(basis=KW["basis"].astype(np.int32))),
    ("a string", TypeError, "x must be a float32 array", lambda: call("not an array")),
    ("a list", TypeError, "got list", lambda: call([[1.0]])),
    ("big-endian float32", TypeError, "got ndarray of dtype >f4", lambda: call(X.astype(">f4"))),
    ("a record type", TypeError, "of dtype [('a', '<f4')]",
     lambda: call(np.zeros(X.shape, dtype=[("a", "<f4")]))),
    ("40 dimensions", ValueError, "x has 40 dimensions", lambda: call(np.zeros((1,) * 40, np.float32))),
    ("missing weight", TypeError, "missing weight keyword argument(s): fuser_weight", lambda: call(fuser_weight=None)),
    ("unknown keyword", TypeError, "unexpected keyword argument 'bias'", lambda: call(bias=KW["basis"])),
    ("hyper of another block", TypeError, "unexpected keyword argument 'pool_size'", lambda: call(pool_size=2)),
    ("hyper not an int", TypeError, "num_basis must be an int", lambda: call(num_basis=4.0)),
    ("hyper below 1", ValueError, "num_basis must be at least 1", lambda: call(num_basis=0)),
    ("hyper against the weights", ValueError, "num_basis=8 contradicts the weights", lambda: call(num_basis=8)),
    ("3-D x", ValueError, "PRCM takes a 4-D input (NCHW), got shape [16, 5, 7]", lambda: call(X[0])),
    ("x with other channels", ValueError, "for an input of 15 channels",
     lambda: call(np.ascontiguousarray(X[:, :15]))),
    ("empty x", ValueError, "zero-sized dimension", lambda: call(np.zeros((1, 16, 0, 3), np.float32))),
    ("non-contiguous x", ValueError, "is not C-contiguous", lambda: call(X[:, :, :, ::2])),
    ("transposed x", ValueError, "is not C-contiguous", lambda: call(np.swapaxes(X, 2, 3))),
    ("wrong weight shape", ValueError, "weight 'basis' has shape [4, 15]",
     lambda: call(basis=np.ascontiguousarray(KW["basis"][:, :15]))),
    ("unknown device", ValueError, "unknown device 'tpu'", lambda: call(device="tpu")),
    ("unknown schedule", ValueError, "unknown schedule 'fast'", lambda: call(schedule="fast")),
    ("out of the wrong shape", ValueError, "out has shape [2, 16, 5, 6]",
     lambda: call(out=np.empty((2, 16, 5, 6), np.float32))),
    ("out of the wrong dtype", TypeError, "out has dtype float64", lambda: call(out=np.empty(X.shape))),
    ("out is x", ValueError, "out shares memory with x", lambda: (lambda y: call(y, out=y))(X.copy())),
    ("out overlaps x", ValueError, "out shares memory with x",
     lambda: (lambda buf: call(buf[:X.size].reshape(X.shape), out=buf[X.size // 2:][:X.size].reshape(X.shape)))(
         np.zeros(2 * X.size, np.float32))),
]


@pytest.mark.parametrize("kind, message, run", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises(kind, message, run):
    with pytest.raises(kind) as e:
        run()
    assert message in str(e.value)


def test_read_only_out_is_refused():
    out = np.zeros_like(X)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        call(out=out)


def test_out_is_untouched_when_a_call_is_refused():
    out = np.full_like(X, 7.0)
    for bad in [dict(basis=np.ascontiguousarray(KW["basis"][:, :15])), dict(num_basis=8)]:
        with pytest.raises(ValueError):
            call(out=out, **bad)
        assert (out == 7.0).all()


def test_unknown_module_lists_every_name():
    with pytest.raises(ValueError) as e:
        pk.kernel("prcmm", WEIGHTS)
    assert "unknown module 'prcmm'" in str(e.value) and "prcm_no_dropout" in str(e.value)


def test_even_kernel_size_is_refused():
    _, w = _core.problem_data("inverted_bottleneck", [1, 4, 5, 5], {"kernel_size": 3}, 1)
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        pk.kernel("inverted_bottleneck", w, kernel_size=4)


def test_missing_gpu_is_device_unavailable():
    ok, why = pk.device_available("cuda")
    if ok:
        pytest.skip("a CUDA device is here")
    with pytest.raises(pk.DeviceUnavailableError) as e:
        call(device="cuda")
    assert isinstance(e.value, RuntimeError) and why in str(e.value)
