#!/usr/bin/env python3
"""Export a block's PyTorch weights for `prcm run`: its state_dict as float32
safetensors under the same keys, and optionally an input (.npy) and the output
PyTorch computes for it (.npy), to check the round trip.

  # a fresh block with random weights:
  python scripts/export_weights.py --module prcm --channels 64 --out prcm.safetensors \\
      --input-shape 1,64,56,56 --input x.npy --expected y_torch.npy
  # a block inside your own trained checkpoint (keys under a prefix):
  python scripts/export_weights.py --module se --checkpoint model.pt --prefix layer3.se. --out se.safetensors

Needs torch only to build blocks or read checkpoints; numpy and safetensors always.
"""
import argparse
import os
import sys

import numpy as np
from safetensors.numpy import save_file


def atomic_save(path, write):
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--module", required=True, help="CLI name of the block (see `prcm list`)")
    p.add_argument("--channels", type=int, help="C, for a fresh block")
    for hp in ("num_basis", "reduction", "expansion", "pool_size", "kernel_size"):
        p.add_argument("--" + hp.replace("_", "-"), dest=hp, type=int)
    p.add_argument("--checkpoint", help="a torch.save'd state_dict (or {'state_dict': ...}) to take weights from")
    p.add_argument("--prefix", default="", help="key prefix of the block inside the checkpoint")
    p.add_argument("--out", required=True, help="safetensors file to write")
    p.add_argument("--input-shape", help="N,C,H,W of a random input to write with --input")
    p.add_argument("--input", help=".npy to write the input to")
    p.add_argument("--expected", help=".npy to write PyTorch's output for that input to")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from prcm_torch import BLOCKS, make_block

    if a.module not in BLOCKS:
        p.error(f"unknown module {a.module!r}; known: {', '.join(BLOCKS)}")
    torch.manual_seed(a.seed)
    hyper = {k: getattr(a, k) for k in ("num_basis", "reduction", "expansion", "pool_size", "kernel_size")}
    if a.checkpoint:
        state = torch.load(a.checkpoint, map_location="cpu", weights_only=True)
        state = state.get("state_dict", state)
        state = {k[len(a.prefix):]: v for k, v in state.items() if k.startswith(a.prefix)}
        if not state:
            p.error(f"no keys under prefix {a.prefix!r} in {a.checkpoint}")
    else:
        if not a.channels:
            p.error("--channels is needed for a fresh block (or give --checkpoint)")
        block = make_block(a.module, a.channels, **hyper)
        state = block.state_dict()
    tensors = {k: v.detach().to(torch.float32).contiguous().numpy()
               for k, v in state.items() if not k.endswith("num_batches_tracked")}
    atomic_save(a.out, lambda tmp: save_file(tensors, tmp))
    print(f"wrote {a.out}: " + ", ".join(f"{k} {list(v.shape)}" for k, v in tensors.items()))

    if a.input_shape:
        shape = [int(s) for s in a.input_shape.split(",")]
        x = torch.randn(*shape)
        if a.input:
            atomic_save(a.input, lambda tmp: np.save(open(tmp, "wb"), x.numpy()))
            print(f"wrote {a.input}: {shape}")
        if a.expected:
            if a.checkpoint:
                channels = shape[1]
                block = make_block(a.module, channels, **hyper)
                block.load_state_dict(state)  # strict: a key the block lacks is an error
            with torch.no_grad():
                y = block(x).numpy()
            atomic_save(a.expected, lambda tmp: np.save(open(tmp, "wb"), y))
            print(f"wrote {a.expected}: {list(y.shape)}")


if __name__ == "__main__":
    main()
