"""Every function of prcm_kernels against the C++ naive reference, over the awkward
grid that `prcm verify --all` runs (the same seeded data, the same tolerance), plus
what the binding itself adds: out=, zero copies, the prepared kernel's shape cache,
threads and the released GIL."""
import threading

import numpy as np
import pytest

import prcm_kernels as pk
from prcm_kernels import _core

ATOL, RTOL = _core.tolerance()
MODULES = [m["name"] for m in pk.modules()]


def keywords(weights):
    return {key.replace(".", "_"): value for key, value in weights.items()}


def assert_matches(got, want, what):
    assert got.shape == want.shape, what
    # NaN only where the reference has NaN, an infinity only the same infinity (PyTorch's IEEE semantics).
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("module", MODULES)
def test_function_matches_reference_over_awkward_grid(module):
    nonzero = 0
    for shape, hyper, seed in _core.awkward_problems(module):
        x, weights = _core.problem_data(module, shape, hyper, seed)
        want = _core.reference(module, x, weights, hyper)
        # pool_size is not in the weights: it is passed; the others the weights imply.
        given = {k: v for k, v in hyper.items() if not pk.modules()[MODULES.index(module)]["hyper"][k]["from_weights"]}
        got = getattr(pk, module)(x, **keywords(weights), **given)
        assert got.dtype == np.float32
        assert_matches(got, want, f"{module} x={shape} {hyper} seed={seed}")
        nonzero += np.count_nonzero(want) > want.size // 2
    assert nonzero > 0, f"{module}: every reference was mostly zero; the grid proves nothing"


def test_out_is_written_in_place_and_returned():
    x, weights = _core.problem_data("prcm", [2, 65, 7, 9], {"num_basis": 5}, 3)
    x_before = x.copy()
    out = np.full_like(x, np.nan)
    result = pk.prcm(x, **keywords(weights), out=out)
    assert result is out
    assert_matches(out, _core.reference("prcm", x, weights), "prcm into out")
    np.testing.assert_array_equal(x, x_before)  # the input is only read


def test_read_only_input_is_accepted():
    x, weights = _core.problem_data("se", [1, 24, 8, 8], {}, 1)
    x.flags.writeable = False
    assert_matches(pk.se(x, **keywords(weights)), _core.reference("se", x, weights), "se on a read-only x")


def test_buffer_protocol_objects_without_numpy_arrays():
    x, weights = _core.problem_data("gap", [1, 4, 2, 2], {}, 1)
    view = memoryview(x.tobytes()).cast("B").cast("f", [1, 4, 2, 2])
    assert_matches(pk.gap(view), _core.reference("gap", x, weights), "gap on a memoryview")


def first_bytes(x):
    return (x.nbytes + 63) // 64 * 64  # the pool's buffers are whole 64-byte lines


def test_outputs_are_recycled_only_once_nothing_holds_them():
    # A call without out= takes its output from the pool of dead outputs' buffers
    # (python/src/core.cpp, OutputPool): never one an array or a view still holds.
    x, weights = _core.problem_data("prcm", [1, 16, 9, 9], {}, 4)
    want = _core.reference("prcm", x, weights)
    k = pk.kernel("prcm", weights)
    first = k(x)
    address = first.ctypes.data
    assert address % 64 == 0
    second = k(x)
    assert second.ctypes.data != address  # the first is alive
    kept_before = pk.output_pool_bytes()
    del first
    assert pk.output_pool_bytes() == kept_before + first_bytes(x)  # its buffer went to the pool,
    third = k(x)
    assert pk.output_pool_bytes() == kept_before  # and came back out of it
    assert third.ctypes.data == address
    view = third[0, 3]
    kept = view.copy()
    del third
    for _ in range(3):
        fourth = k(x * 2)
        assert not np.shares_memory(fourth, view)  # the view keeps the buffer out of the pool
        del fourth
    np.testing.assert_array_equal(view, kept)
    assert_matches(second, want, "a pooled output")
    assert second.flags.writeable and second.flags.c_contiguous
    # The caller can hand the pool's memory back; live outputs keep theirs.
    del second
    assert pk.output_pool_bytes() >= first_bytes(x)
    assert pk.release_output_pool() >= first_bytes(x)
    assert pk.output_pool_bytes() == 0
    np.testing.assert_array_equal(view, kept)


def test_kernel_prepares_once_per_shape_and_serves_many():
    x, weights = _core.problem_data("inverted_bottleneck", [1, 12, 9, 9], {"kernel_size": 5, "expansion": 2}, 7)
    k = pk.kernel("inverted_bottleneck", weights)
    # More shapes than the kernel keeps prepared (8), then the first again.
    for h in [9, 4, 5, 6, 7, 8, 10, 11, 12, 13, 9]:
        xs, _ = _core.problem_data("inverted_bottleneck", [2, 12, h, h + 1], {}, h)
        assert_matches(k(xs), _core.reference("inverted_bottleneck", xs, weights), f"h={h}")


def test_kernel_keeps_its_own_copy_of_the_weights():
    x, weights = _core.problem_data("prcm", [1, 16, 5, 5], {}, 2)
    want = _core.reference("prcm", x, weights)
    k = pk.kernel("prcm", weights)
    for w in weights.values():
        w[...] = 0  # the caller reuses its arrays
    assert_matches(k(x), want, "after the caller's weights changed")


def test_state_dict_names_and_num_batches_tracked_are_accepted():
    x, weights = _core.problem_data("inverted_bottleneck_res", [1, 8, 6, 6], {}, 4)
    state = dict(weights, **{f"bn{i}.num_batches_tracked": np.zeros((), np.float32) for i in (1, 2, 3)})
    k = pk.kernel("inverted_bottleneck_res", state)
    assert_matches(k(x), _core.reference("inverted_bottleneck_res", x, weights), "from a state_dict")


def test_threads_and_concurrent_calls():
    x, weights = _core.problem_data("prcm_se", [2, 32, 33, 17], {"expansion": 2}, 5)
    want = _core.reference("prcm_se", x, weights)
    k = pk.kernel("prcm_se", weights)
    for n in (1, 2, 0):
        pk.set_threads(n)
        assert_matches(k(x), want, f"{n} threads")
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(k(x))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 80
    for r in results:
        assert_matches(r, want, "a concurrent call")


def test_non_finite_inputs_follow_pytorch():
    x, weights = _core.problem_data("affine_prcm", [2, 8, 4, 4], {}, 9)
    x[0, 3, 1, 2] = np.nan
    x[1, 5, 0, 0] = np.inf
    got = pk.affine_prcm(x, **keywords(weights))
    want = _core.reference("affine_prcm", x, weights)
    assert np.isnan(want).any() and np.isnan(got).any()
    assert_matches(got, want, "NaN and inf in x")


def test_module_listing():
    names = {m["name"]: m for m in pk.modules()}
    assert names["prcm_no_dropout"]["module"] == "prcm"
    assert names["se"]["title"] == "SE_Module"
    assert "cpu" in pk.devices()
    assert pk.device_available("cpu") == (True, "")
    assert pk.cpu_target() in pk.cpu_targets()
    assert [k for k, _, _ in pk.weight_specs("prcm", 64)] == ["basis", "fuser.weight"]


@pytest.mark.parametrize("module", ["prcm", "inverted_bottleneck_res", "prcm_adaptive_pool"])
def test_opencl_device_copies_in_and_out(module):
    ok, why = pk.device_available("opencl")
    if not ok or "opencl" not in pk.devices():
        pytest.skip(f"no OpenCL here: {why or 'not built'}")
    x, weights = _core.problem_data(module, [2, 16, 9, 7], {}, 3)
    hyper = {"pool_size": 3} if module == "prcm_adaptive_pool" else {}
    k = pk.kernel(module, weights, device="opencl", **hyper)
    assert_matches(k(x), _core.reference(module, x, weights, hyper), f"{module} on opencl")
    x *= 2  # the same array, new values: uploaded again
    assert_matches(k(x), _core.reference(module, x, weights, hyper), f"{module} on opencl, x changed in place")


class _Versioned:
    """A stand-in for a torch tensor: weights_unchanged reads only its identity and _version."""

    def __init__(self):
        self._version = 0


def test_weights_unchanged_tells_every_kind_of_change():
    # The drop-in modules' check (prcm_kernels.torch), without torch: the same submodules,
    # the same tensors under the same keys, none written since.
    a, b = _Versioned(), _Versioned()
    params, buffers = {"weight": a}, {"running_var": b}
    child = object()
    modules = {"bn": child}

    def watch():
        return (modules, (child,), (params, buffers), ("weight", "running_var"), (a, b), (a._version, b._version))

    w = watch()
    assert _core.weights_unchanged(w)
    b._version += 1  # written in place
    assert not _core.weights_unchanged(w)
    w = watch()
    params["weight"] = _Versioned()  # replaced, at the same _version
    assert not _core.weights_unchanged(w)
    params["weight"] = a
    assert _core.weights_unchanged(w)
    del params["weight"]  # removed
    assert not _core.weights_unchanged(w)
    params["weight"] = a
    modules["bn"] = object()  # a replaced submodule
    assert not _core.weights_unchanged(w)
    modules["bn"] = child
    modules["extra"] = object()  # one more
    assert not _core.weights_unchanged(w)
    del modules["extra"]
    assert _core.weights_unchanged(w)
    for malformed in [(), w[:5], (modules, [child], *w[2:]), (modules, (child,), (params,), *w[3:]),
                      (modules, (child,), ([], []), *w[3:])]:
        with pytest.raises(TypeError):
            _core.weights_unchanged(malformed)
