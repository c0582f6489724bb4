"""Writes data/: a PRCM state_dict of 16 channels and 8 bases, as PyTorch's
state_dict() names it, saved by the safetensors package (as a trained model's
would be), and an input of 1x16x8x8 as np.save writes it. Run once; the files
are committed so that the example needs no Python."""
import numpy as np
from safetensors.numpy import save_file

rng = np.random.default_rng(13)
channels, bases = 16, 8
state = {
    "basis": rng.standard_normal((bases, channels)).astype(np.float32),
    "fuser.weight": (rng.uniform(-1, 1, (channels, bases)) / np.sqrt(bases)).astype(np.float32),
}
save_file(state, "data/prcm_c16_b8.safetensors")
np.save("data/input_1x16x8x8.npy", rng.standard_normal((1, channels, 8, 8)).astype(np.float32))
