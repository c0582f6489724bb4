"""The drop-in modules of prcm_kernels.torch against the notebooks' classes
(scripts/prcm_torch.py): the same constructor signatures and state_dict keys, the
same eval-mode output on random state_dicts (BatchNorm statistics too), weights that
change, convert() on a model of several blocks, and the refusals. Skipped without torch."""
import inspect

import pytest

torch = pytest.importorskip("torch")

import prcm_torch as notebook  # noqa: E402  (scripts/, through conftest.py)

import prcm_kernels  # noqa: E402
import prcm_kernels.torch as compiled  # noqa: E402
from prcm_kernels import _core  # noqa: E402

ATOL, RTOL = _core.tolerance()
CLASSES = ["PRCM", "PRCM_NoDropout", "AffinePRCM", "AffinePRCM_NoDropout", "ShiftOnlyPRCM", "SE_Module", "PRCM_SE",
           "PRCM_BasisExpand", "PRCM_SE_Affine", "PRCM_AdaptivePool", "InvertedBottleneck", "InvertedBottleneckRes"]
# (class, constructor arguments, input shape): the notebooks' defaults and the awkward edges.
CASES = [
    ("PRCM", dict(channels=64, num_basis=8), (1, 64, 16, 16)),
    ("PRCM", dict(channels=65, num_basis=5, dropout_rate=0.0), (2, 65, 7, 9)),
    ("PRCM_NoDropout", dict(channels=24, num_basis=4), (3, 24, 8, 65)),
    ("AffinePRCM", dict(channels=48, num_basis=16), (1, 48, 1, 1)),
    ("AffinePRCM_NoDropout", dict(channels=7, num_basis=1), (2, 7, 5, 3)),
    ("ShiftOnlyPRCM", dict(channels=64, num_basis=32), (1, 64, 8, 8)),
    ("SE_Module", dict(channels=64, reduction=4), (2, 64, 7, 7)),
    ("SE_Module", dict(channels=3, reduction=4), (1, 3, 5, 5)),  # hidden width 0
    ("PRCM_SE", dict(channels=32, expansion=2), (1, 32, 16, 16)),
    ("PRCM_BasisExpand", dict(channels=24, num_basis=8, expansion=4), (2, 24, 9, 9)),
    ("PRCM_SE_Affine", dict(channels=48, expansion=1), (1, 48, 8, 8)),
    ("PRCM_AdaptivePool", dict(channels=16, pool_size=3, expansion=2), (2, 16, 10, 7)),
    ("PRCM_AdaptivePool", dict(channels=16, pool_size=8, expansion=1), (1, 16, 5, 9)),  # smaller than the pool
    ("InvertedBottleneck", dict(channels=16, kernel_size=7, expansion=2), (1, 16, 12, 12)),
    ("InvertedBottleneckRes", dict(channels=12, kernel_size=3, expansion=4), (2, 12, 9, 5)),
]


def randomized(block, seed):
    """A notebook block with every weight and BatchNorm statistic drawn at random, in eval mode."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in block.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var") or (name.startswith("bn") and name.endswith("weight")):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=g) * 0.5)
    return block.eval()


def check_close(got, want, what):
    torch.testing.assert_close(got, want, atol=ATOL, rtol=RTOL, equal_nan=True, msg=what)


@pytest.mark.parametrize("name", CLASSES)
def test_same_signature_and_state_dict_keys(name):
    ours, theirs = getattr(compiled, name), getattr(notebook, name)
    assert inspect.signature(ours.__init__) == inspect.signature(theirs.__init__)
    torch.manual_seed(3)
    a = theirs(16)
    torch.manual_seed(3)
    b = ours(16)
    assert list(a.state_dict()) == list(b.state_dict())
    # The same submodules built in the same order: the same seed, the same initial weights.
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(va, vb), ka


@pytest.mark.parametrize("name, arguments, shape", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_drop_in_matches_notebook(name, arguments, shape):
    reference = randomized(getattr(notebook, name)(**arguments), seed=sum(shape))
    fast = getattr(compiled, name)(**arguments)
    fast.load_state_dict(reference.state_dict())
    fast.eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = reference(x)
        got = fast(x)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
    check_close(got, want, f"{name}{arguments} at {shape}")
    out = torch.empty_like(want)
    fast._current_kernel()(x, out)  # the prepared kernel writes a tensor in place
    check_close(out, want, "into out")


def test_weights_that_change_are_refolded():
    reference = randomized(notebook.InvertedBottleneck(8, kernel_size=3), seed=1)
    fast = compiled.InvertedBottleneck(8, kernel_size=3)
    fast.load_state_dict(reference.state_dict())
    fast.eval()
    x = torch.randn(1, 8, 6, 6)
    with torch.no_grad():
        check_close(fast(x), reference(x), "first")
        # load_state_dict writes in place; BatchNorm is folded into the convolutions,
        # so the library's copy must be made again.
        randomized(reference, seed=2)
        fast.load_state_dict(reference.state_dict())
        check_close(fast(x), reference(x), "after load_state_dict")
        reference.bn2.running_var.mul_(3)
        fast.bn2.running_var.mul_(3)  # in place
        check_close(fast(x), reference(x), "after an in-place update")
        reference.expand = torch.nn.Conv2d(8, 16, 1, bias=False)
        fast.expand = torch.nn.Conv2d(8, 16, 1, bias=False)
        fast.expand.weight.copy_(reference.expand.weight)  # a replaced submodule
        check_close(fast(x), reference(x), "after a replaced submodule")
        # A replaced Parameter at the _version of the one it replaces: only its identity tells.
        old = fast.project.weight
        new = torch.nn.Parameter(torch.randn_like(old))
        while new._version < old._version:
            new.mul_(1)
        assert new._version == old._version
        reference.project.weight = torch.nn.Parameter(new.detach().clone())
        fast.project.weight = new
        check_close(fast(x), reference(x), "after a replaced Parameter")


def test_convert_swaps_every_notebook_block():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        randomized(notebook.InvertedBottleneckRes(16, kernel_size=5), 1),
        torch.nn.Sequential(randomized(notebook.PRCM(16, num_basis=4), 2), torch.nn.Identity()),
        randomized(notebook.SE_Module(16), 3),
        randomized(notebook.PRCM_AdaptivePool(16, pool_size=4), 4),
    ).eval()
    x = torch.randn(2, 16, 11, 13)
    with torch.no_grad():
        blocks = [model[0], model[1][0], model[2], model[3]]
        inputs = [x]
        for block in blocks:
            inputs.append(block(inputs[-1]))
        before = inputs.pop()
        assert compiled.convert(model) == 4
        assert isinstance(model[1][0], compiled.PRCM) and isinstance(model[3], compiled.PRCM_AdaptivePool)
        assert compiled.convert(model) == 0  # nothing left to convert
        # Each converted block computes what its notebook block does, on the same input.
        for i, (old, new) in enumerate(zip(blocks, [model[0], model[1][0], model[2], model[3]])):
            check_close(new(inputs[i]), old(inputs[i]), f"block {i} of the converted model")
        # The chain: a block's rounding (a few ulps of values up to 43 here) reaches the last
        # block's outputs near 0 unscaled, so its absolute tolerance is the one of the largest
        # value on the way. (At ATOL alone torch's chain and prcm's, every block of each within
        # the blocks' tolerance, differed by 3.1e-5 at an output of -0.0987.)
        largest = max(t.abs().max().item() for t in inputs[1:])
        torch.testing.assert_close(model(x), before, atol=ATOL * largest, rtol=RTOL, equal_nan=True)


def test_training_mode_and_grad_are_refused():
    block = compiled.PRCM(8)
    x = torch.randn(1, 8, 4, 4)
    with pytest.raises(RuntimeError, match=r"call \.eval\(\) first"):
        block(x)
    block.eval()
    with pytest.raises(RuntimeError, match="computes no gradients"):
        block(x.requires_grad_())
    with torch.no_grad():
        assert block(x).shape == x.shape  # under no_grad the same input is fine


def test_hooks_run_as_on_any_module():
    # The call skips torch's nn.Module.__call__ only where it would call forward alone.
    block = compiled.PRCM(8).eval()
    x = torch.randn(1, 8, 4, 4)
    with torch.no_grad():
        plain = block(x)
        seen = []
        pre = block.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        post = block.register_forward_hook(lambda m, args, out: seen.append(args[0]) or out + 1)
        check_close(block(x), block.forward(x * 2) + 1, "with its own hooks")
        check_close(seen[0], x * 2, "the pre-hook's input, seen by the hook")
        pre.remove()
        post.remove()
        check_close(block(x), plain, "hooks removed")
        calls = []
        handle = torch.nn.modules.module.register_module_forward_hook(lambda m, args, out: calls.append(m))
        try:
            block(x)
        finally:
            handle.remove()
        assert calls == [block]  # a global hook too
        check_close(block(x=x), plain, "x by keyword, through torch's path")
        with pytest.raises(TypeError):
            block(x, x)  # forward's own signature, through torch's path


def test_bad_tensors_raise():
    block = compiled.PRCM(8).eval()
    with torch.no_grad():
        with pytest.raises(TypeError, match="x has dtype torch.float64"):
            block(torch.randn(1, 8, 4, 4, dtype=torch.float64))
        with pytest.raises(ValueError, match="not C-contiguous"):
            block(torch.randn(1, 8, 4, 4).transpose(2, 3))
        with pytest.raises(ValueError, match="for an input of 9 channels"):
            block(torch.randn(1, 9, 4, 4))
        k = block._current_kernel()
        with pytest.raises(ValueError, match="out is read-only|out requires grad"):
            k(torch.randn(1, 8, 4, 4), torch.empty(1, 8, 4, 4, requires_grad=True))
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        compiled.InvertedBottleneck(8, kernel_size=4)


def test_convert_refuses_batchnorm_it_would_compute_differently():
    block = notebook.InvertedBottleneck(8)
    block.bn2.eps = 1e-3
    with pytest.raises(ValueError, match="eps=0.001"):
        compiled.compiled(block)


def test_functions_take_torch_tensors_and_return_them():
    x, weights = _core.problem_data("prcm_se", [1, 16, 6, 6], {"expansion": 2}, 2)
    got = prcm_kernels.prcm_se(torch.from_numpy(x), **{k.replace(".", "_"): torch.from_numpy(v)
                                                        for k, v in weights.items()})
    assert isinstance(got, torch.Tensor)
    check_close(got, torch.from_numpy(_core.reference("prcm_se", x, weights)).float(), "prcm_se on tensors")


def test_output_tensors_are_plain_tensors_from_the_pool():
    x, weights = _core.problem_data("se", [2, 24, 8, 8], {}, 3)
    k = prcm_kernels.kernel("se", weights)
    xt = torch.from_numpy(x)
    y = k(xt)
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32 and y.device.type == "cpu"
    assert y.is_contiguous() and not y.requires_grad and tuple(y.shape) == (2, 24, 8, 8)
    check_close(y, torch.from_numpy(_core.reference("se", x, weights)).float(), "se into a pooled tensor")
    address = y.data_ptr()
    y.mul_(2)  # the caller's to write
    alias = y.numpy()  # and to share
    del y
    z = k(xt)
    assert z.data_ptr() != address  # alias still holds the first buffer
    del alias
    assert k(xt).data_ptr() == address  # now it is back in the pool
