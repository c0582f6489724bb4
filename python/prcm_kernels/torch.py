"""Drop-in PyTorch modules: the notebooks' blocks, run by the compiled libraries.

Each class takes the notebook class's constructor arguments, builds the same
submodules in the same order (so the same seed draws the same initial weights) and
has exactly its state_dict keys, so

    fast = prcm_kernels.torch.PRCM(64, num_basis=8)
    fast.load_state_dict(notebook_prcm.state_dict())
    fast.eval()
    y = fast(x)                       # the compiled library, in eval mode

gives the notebook module's eval-mode output. The library is prepared once (its own
copy of the weights, BatchNorm folded) and prepared again when a weight changes:
load_state_dict, an in-place update, or a replaced Parameter. These are inference
kernels: training mode, or an input that requires grad while grad is enabled, raises
RuntimeError. Inputs are float32 CPU tensors (any contiguous NCHW tensor; others
raise TypeError or ValueError); device="cuda" or "opencl" runs the GPU library on
them, copying to the GPU and back.

Forward hooks, pre-hooks and global hooks run as on any module: a call with none
registered (and none of the other things torch's __call__ handles) runs whole in C++.

convert(model) swaps every notebook block inside a model for its compiled twin.
"""
import torch
from torch import nn

import prcm_kernels as _pk

__all__ = ["PRCM", "PRCM_NoDropout", "AffinePRCM", "AffinePRCM_NoDropout", "ShiftOnlyPRCM", "SE_Module",
           "PRCM_SE", "PRCM_BasisExpand", "PRCM_SE_Affine", "PRCM_AdaptivePool", "InvertedBottleneck",
           "InvertedBottleneckRes", "convert", "compiled"]


def _dropout(rate, kind=nn.Dropout):
    return kind(rate) if rate > 0 else nn.Identity()


class _Compiled(nn.Module):
    """What every drop-in module shares: the kernel, kept in step with the weights."""
    module_name = None  # the registry's name (prcm list)
    device = "cpu"

    def _hyper(self):
        return {}  # the hyper-parameters the kernel is told (those the weights cannot imply)

    def _weights(self):
        # (its parameter or buffer dict, attribute, state_dict key) of every weight:
        # the blocks are one level deep, so self and its children hold them all.
        for prefix, m in [("", self)] + [(name + ".", c) for name, c in self._modules.items()]:
            for table in (m._parameters, m._buffers):
                for attr, t in table.items():
                    if t is not None and attr != "num_batches_tracked":
                        yield table, attr, prefix + attr

    def _current_kernel(self):
        # The kernel holds a copy of the weights (BatchNorm folded in): made again when
        # a weight is another tensor (a replaced Parameter or submodule, .to()) or the
        # same one written in place (load_state_dict, an optimizer step: its _version).
        # The checks run in C++ (_core.weights_unchanged): 1.2 µs a call for
        # InvertedBottleneck's 15 weights, where a Python loop took 2.9; reading
        # state_dict() would cost 10.
        watch = self.__dict__.get("_watch")
        if watch is not None and _pk._core.weights_unchanged(watch):
            return self._kernel
        return self._prepare_kernel()

    def _prepare_kernel(self):
        # A new kernel from the weights as they are now, and what to watch for a change.
        weights = list(self._weights())
        self._kernel = _pk.kernel(self.module_name, {key: table[attr].detach() for table, attr, key in weights},
                                  device=self.device, **self._hyper())
        tensors = tuple(table[attr] for table, attr, _ in weights)
        self._watch = (self._modules, tuple(self._modules.values()), tuple(table for table, _, _ in weights),
                       tuple(attr for _, attr, _ in weights), tensors, tuple(t._version for t in tensors))
        return self._kernel

    # The whole call in C++ where torch's own __call__ would only call forward and
    # forward would only run the kernel (drop_in_call in python/src/core.cpp says when:
    # no hooks, no tracing, eval mode, ...), else torch's nn.Module.__call__ and forward
    # below: PRCM at 1x64x8x8 4.9 -> 4.1 µs a call.
    __call__ = _pk._core.drop_in_module_call

    def forward(self, x):
        if self.training:
            raise RuntimeError(f"{type(self).__name__} runs a compiled inference kernel: call .eval() first "
                               "(training mode's dropout and batch statistics are not compiled)")
        if isinstance(x, torch.Tensor) and x.requires_grad:
            if torch.is_grad_enabled():
                raise RuntimeError(f"{type(self).__name__}: the input requires grad, and the compiled kernel "
                                   "computes no gradients; run under torch.no_grad() or torch.inference_mode()")
            x = x.detach()
        watch = self.__dict__.get("_watch")
        if watch is not None:
            y = self._kernel.call_if_unchanged(x, watch)  # the checks and the call in one step
            if y is not None:
                return y
        return self._prepare_kernel()(x)  # none prepared yet, or a weight changed

    def to_device(self, device):
        """Runs the `device` library ("cpu", "opencl", "cuda") from now on; tensors stay on the host."""
        self.device = device
        self._watch = None
        return self


class PRCM(_Compiled):
    module_name = "prcm"

    def __init__(self, channels, num_basis=8, dropout_rate=0.5):
        super().__init__()
        self.num_basis = num_basis
        self.channels = channels
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.fuser = nn.Linear(num_basis, channels, bias=False)
        self.coeff_dropout = _dropout(dropout_rate)


class PRCM_NoDropout(_Compiled):
    module_name = "prcm_no_dropout"

    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.fuser = nn.Linear(num_basis, channels, bias=False)


class AffinePRCM(_Compiled):
    module_name = "affine_prcm"

    def __init__(self, channels, num_basis=8, dropout_rate=0.5):
        super().__init__()
        self.num_basis = num_basis
        self.channels = channels
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.scale_proj = nn.Linear(num_basis, channels, bias=False)
        self.shift_proj = nn.Linear(num_basis, channels, bias=False)
        self.coeff_dropout = _dropout(dropout_rate)


class AffinePRCM_NoDropout(_Compiled):
    module_name = "affine_prcm_no_dropout"

    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.scale_proj = nn.Linear(num_basis, channels, bias=False)
        self.shift_proj = nn.Linear(num_basis, channels, bias=False)


class ShiftOnlyPRCM(_Compiled):
    module_name = "shift_only_prcm"

    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.shift_proj = nn.Linear(num_basis, channels, bias=False)


class SE_Module(_Compiled):
    module_name = "se"

    def __init__(self, channels, reduction=4):
        super().__init__()
        self.reduction = reduction
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)


class PRCM_SE(_Compiled):
    module_name = "prcm_se"

    def __init__(self, channels, expansion=4, dropout_rate=0.5):
        super().__init__()
        hidden = channels * expansion
        self.expand = nn.Linear(channels, hidden, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.shrink = nn.Linear(hidden, channels, bias=False)
        self.dropout = _dropout(dropout_rate)


class PRCM_BasisExpand(_Compiled):
    module_name = "prcm_basis_expand"

    def __init__(self, channels, num_basis=8, expansion=4, dropout_rate=0.5):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        hidden = num_basis * expansion
        self.expand = nn.Linear(num_basis, hidden, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.shrink = nn.Linear(hidden, channels, bias=False)
        self.dropout = _dropout(dropout_rate)


class PRCM_SE_Affine(_Compiled):
    module_name = "prcm_se_affine"

    def __init__(self, channels, expansion=4, dropout_rate=0.5):
        super().__init__()
        hidden = channels * expansion
        self.expand = nn.Linear(channels, hidden, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.scale_proj = nn.Linear(hidden, channels, bias=False)
        self.shift_proj = nn.Linear(hidden, channels, bias=False)
        self.dropout = _dropout(dropout_rate)


class PRCM_AdaptivePool(_Compiled):
    module_name = "prcm_adaptive_pool"

    def __init__(self, channels, pool_size=2, expansion=2, dropout_rate=0.5):
        super().__init__()
        if pool_size < 1:
            raise ValueError(f"pool_size must be at least 1, got {pool_size}")
        self.pool_size = pool_size
        hidden = channels * expansion
        self.conv1 = nn.Conv2d(channels, hidden, 1, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(hidden, channels, 1, bias=False)
        self.dropout = _dropout(dropout_rate, nn.Dropout2d)

    def _hyper(self):
        return {"pool_size": self.pool_size}  # not in the weights


class InvertedBottleneck(_Compiled):
    module_name = "inverted_bottleneck"

    def __init__(self, channels, kernel_size=7, expansion=2, dropout_rate=0.5):
        super().__init__()
        if kernel_size % 2 == 0:
            # With padding k // 2 an even kernel grows the output by one: the library refuses it.
            raise ValueError(f"kernel_size must be odd, got {kernel_size}")
        hidden = channels * expansion
        self.dw_conv = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels,
                                 bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.expand = nn.Conv2d(channels, hidden, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.act = nn.ReLU(inplace=True)
        self.project = nn.Conv2d(hidden, channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels)
        self.dropout = _dropout(dropout_rate, nn.Dropout2d)


class InvertedBottleneckRes(InvertedBottleneck):
    module_name = "inverted_bottleneck_res"


# The notebook classes by name, and how to read a notebook block's constructor
# arguments back from it.
_TWINS = {
    "PRCM": (PRCM, lambda m: dict(channels=m.basis.shape[1], num_basis=m.basis.shape[0])),
    "PRCM_NoDropout": (PRCM_NoDropout, lambda m: dict(channels=m.basis.shape[1], num_basis=m.basis.shape[0])),
    "AffinePRCM": (AffinePRCM, lambda m: dict(channels=m.basis.shape[1], num_basis=m.basis.shape[0])),
    "AffinePRCM_NoDropout": (AffinePRCM_NoDropout,
                             lambda m: dict(channels=m.basis.shape[1], num_basis=m.basis.shape[0])),
    "ShiftOnlyPRCM": (ShiftOnlyPRCM, lambda m: dict(channels=m.basis.shape[1], num_basis=m.basis.shape[0])),
    "SE_Module": (SE_Module, lambda m: dict(channels=m.fc1.in_features,
                                            reduction=getattr(m, "reduction", None) or
                                            (m.fc1.in_features // m.fc1.out_features if m.fc1.out_features
                                             else m.fc1.in_features + 1))),
    "PRCM_SE": (PRCM_SE, lambda m: dict(channels=m.expand.in_features,
                                        expansion=m.expand.out_features // m.expand.in_features)),
    "PRCM_BasisExpand": (PRCM_BasisExpand, lambda m: dict(channels=m.basis.shape[1], num_basis=m.basis.shape[0],
                                                          expansion=m.expand.out_features // m.basis.shape[0])),
    "PRCM_SE_Affine": (PRCM_SE_Affine, lambda m: dict(channels=m.expand.in_features,
                                                      expansion=m.expand.out_features // m.expand.in_features)),
    "PRCM_AdaptivePool": (PRCM_AdaptivePool, lambda m: dict(channels=m.conv1.in_channels, pool_size=m.pool_size,
                                                            expansion=m.conv1.out_channels // m.conv1.in_channels)),
    "InvertedBottleneck": (InvertedBottleneck, lambda m: dict(channels=m.dw_conv.in_channels,
                                                              kernel_size=m.dw_conv.kernel_size[0],
                                                              expansion=m.expand.out_channels // m.dw_conv.in_channels)),
    "InvertedBottleneckRes": (InvertedBottleneckRes,
                              lambda m: dict(channels=m.dw_conv.in_channels, kernel_size=m.dw_conv.kernel_size[0],
                                             expansion=m.expand.out_channels // m.dw_conv.in_channels)),
}


def _dropout_rate(block):
    for child in block.children():
        if isinstance(child, (nn.Dropout, nn.Dropout2d)):
            return child.p
        if isinstance(child, nn.Identity):
            return 0.0
    return None


def compiled(block, device="cpu"):
    """The compiled twin of one notebook block (matched by its class name), with its
    weights, in the block's training/eval mode; None if it is not a notebook block.
    A block the libraries would compute differently is refused with ValueError:
    BatchNorm with another eps than 1e-5 or without running statistics."""
    if isinstance(block, _Compiled):
        return None
    entry = _TWINS.get(type(block).__name__)
    if entry is None:
        return None
    cls, arguments = entry
    try:
        kwargs = arguments(block)
    except AttributeError as e:
        raise ValueError(f"{type(block).__name__} does not look like the notebook's class: {e}") from None
    rate = _dropout_rate(block)
    if rate is not None and "dropout_rate" in cls.__init__.__code__.co_varnames:
        kwargs["dropout_rate"] = rate
    for name, m in block.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            if m.eps != 1e-5 or not m.track_running_stats or not m.affine:
                raise ValueError(f"{type(block).__name__}.{name}: the library folds BatchNorm2d with eps=1e-5, "
                                 f"affine and running statistics; this one has eps={m.eps}, affine={m.affine}, "
                                 f"track_running_stats={m.track_running_stats}")
    with torch.random.fork_rng():  # the twin's own initial weights are overwritten below
        twin = cls(**kwargs)
    state = block.state_dict()
    twin.load_state_dict(state)
    twin.train(block.training)
    twin.device = device
    return twin


def convert(model, device="cpu"):
    """Replaces every notebook block inside `model` (its children, recursively) by its
    compiled twin; returns how many. `model` itself is not replaced: use compiled()."""
    count = 0
    for name, child in list(model.named_children()):
        twin = compiled(child, device)
        if twin is not None:
            setattr(model, name, twin)
            count += 1
        else:
            count += convert(child, device)
    return count
