// Tensors and weights from and to files: float32 NCHW `.npy` (NumPy's format, as
// np.save writes it) and safetensors (PyTorch state_dicts, as the safetensors
// package writes them). Every failure names the file and what is wrong with it;
// a write goes to a temporary name and is renamed, so no partial file is left.
#pragma once

#include "prcm/module.h"

#include <string>

namespace prcm {

Status load_npy(const std::string &path, Tensor *tensor);
Status save_npy(const std::string &path, const Tensor &tensor);

// Loads every tensor of a safetensors file under its name. BatchNorm's
// `num_batches_tracked` counters (int64, training-only) are skipped.
Status load_safetensors(const std::string &path, Weights *weights);
Status save_safetensors(const std::string &path, const Weights &weights);

}  // namespace prcm
