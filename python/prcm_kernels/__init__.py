"""prcm-kernels from Python: the channel-recalibration blocks of the PRCM notebooks,
compiled ahead of time by Halide, on NumPy arrays and torch tensors.

    import numpy as np, prcm_kernels
    x = np.random.rand(1, 64, 32, 32).astype(np.float32)
    y = prcm_kernels.prcm(x, basis=np.random.randn(8, 64).astype(np.float32),
                          fuser_weight=np.random.randn(64, 8).astype(np.float32))

Every module of `prcm list` is a function here, `prcm_kernels.<module>(x, **weights,
**hyper, device="cpu", out=None)`: the weights are the PyTorch state_dict keys with
dots written as underscores (`bn1_running_var`), the hyper-parameters those the
weights cannot say (pool_size) or that they must agree with. Arrays are float32,
C-contiguous, in host memory, and are used where they are (no copy in or out);
`out=` writes into an array of the output's shape. A function prepares its library
on every call (weights copied and checked, BatchNorm folded); `kernel(module, ...)`
prepares once and is called many times. `prcm_kernels.torch` has drop-in nn.Modules.

Errors: TypeError (not a float32 array, an unknown or missing keyword), ValueError (a
wrong shape, layout or value), DeviceUnavailableError (a RuntimeError: no such GPU
here), RuntimeError (the library failed).
"""
import inspect as _inspect

from . import _core
from ._core import DeviceUnavailableError, Kernel, __version__, cpu_target, cpu_targets, set_threads

__all__ = ["DeviceUnavailableError", "Kernel", "kernel", "modules", "weight_specs", "set_threads",
           "cpu_target", "cpu_targets", "devices", "device_available", "output_pool_bytes", "release_output_pool"]


def output_pool_bytes():
    """Bytes the output pool keeps: the buffers of outputs that died, which the next calls
    without out= reuse instead of asking the system for fresh pages (at most 4 of a size,
    256 MiB in all)."""
    return _core.output_pool_bytes()


def release_output_pool():
    """Frees the buffers the output pool keeps (outputs still alive keep theirs), as
    torch.cuda.empty_cache() does for PyTorch's; returns the bytes freed."""
    return _core.release_output_pool()


def modules():
    """Every module and alias of the registry: name, title (the notebook's class),
    module (the name an alias stands for), formula, hyper (name -> default, help),
    devices (those built)."""
    return _core.module_infos()


def weight_specs(module, channels, **hyper):
    """[(state_dict key, torch shape, is a parameter)] of `module` at `channels`."""
    return _core.weight_specs(module, channels, hyper)


def devices():
    """The devices this build has libraries for (whether each runs here: device_available)."""
    return _core.built_devices()


def device_available(device):
    """(True, "") if `device` can run here, else (False, why not)."""
    return _core.device_available(device)


def _detached(value):
    # A torch tensor that requires grad cannot be exported (DLPack): weights are
    # copied anyway, so the grad flag is dropped for them.
    if getattr(value, "requires_grad", False):
        return value.detach()
    return value


def kernel(module, weights=None, device="cpu", schedule="hand", **hyper):
    """The library of `module` prepared with `weights` (a dict of state_dict keys, dots
    or underscores, to arrays, e.g. model.state_dict()): call it as k(x, out=None).
    The weights are copied: later changes to the arrays do not reach it."""
    given = {}
    for key, value in (weights or {}).items():
        if key.endswith("num_batches_tracked"):
            continue  # a BatchNorm counter: no part of inference
        given[key] = _detached(value)
    return Kernel(module, given, hyper, device, schedule)


def _make_function(info):
    name, title = info["name"], info["title"]
    hyper_names = list(info["hyper"])
    keys = [key for key, _, _ in _core.weight_specs(name, 64, {})]
    keyword_of = {key.replace(".", "_"): key for key in keys}
    takes = ", ".join(list(keyword_of) + hyper_names)

    def function(x, *, device="cpu", out=None, schedule="hand", **kwargs):
        weights, hyper = {}, {}
        for keyword, value in kwargs.items():
            if keyword in keyword_of:
                weights[keyword_of[keyword]] = _detached(value)
            elif keyword in hyper_names:
                hyper[keyword] = value
            else:
                raise TypeError(f"{name}() got an unexpected keyword argument '{keyword}' (it takes: {takes})")
        missing = [k for k in keyword_of if keyword_of[k] not in weights]
        if missing:
            raise TypeError(f"{name}() missing weight keyword argument(s): {', '.join(missing)}")
        return Kernel(name, weights, hyper, device, schedule)(x, out)

    params = [_inspect.Parameter("x", _inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [_inspect.Parameter(k, _inspect.Parameter.KEYWORD_ONLY) for k in keyword_of]
    params += [_inspect.Parameter(h, _inspect.Parameter.KEYWORD_ONLY, default=info["hyper"][h]["default"])
               for h in hyper_names]
    params += [_inspect.Parameter("device", _inspect.Parameter.KEYWORD_ONLY, default="cpu"),
               _inspect.Parameter("out", _inspect.Parameter.KEYWORD_ONLY, default=None),
               _inspect.Parameter("schedule", _inspect.Parameter.KEYWORD_ONLY, default="hand")]
    function.__signature__ = _inspect.Signature(params)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"{title}: {info['formula']}\n\nWeights (state_dict keys, dots as underscores): "
                        f"{', '.join(keyword_of)}.\nHyper-parameters: "
                        + (", ".join(f"{h}={info['hyper'][h]['default']} ({info['hyper'][h]['help']})"
                                     for h in hyper_names) or "none")
                        + ".\nx: float32, C-contiguous, host memory; out: an array of the output's shape, "
                          "or None for a new one.")
    return function


for _info in _core.module_infos():
    globals()[_info["name"]] = _make_function(_info)
    __all__.append(_info["name"])
del _info
