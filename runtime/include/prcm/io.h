// Tensors and weights from and to files: float32 NCHW `.npy` (NumPy's format, as
// np.save writes it) and safetensors (PyTorch state_dicts, as the safetensors
// package writes them). Every failure names the file and what is wrong with it;
// writes go through prcm/files.h: the old file or the whole new one, never a
// partial one, and never over a symlink, FIFO or device.
#pragma once

#include "prcm/module.h"

#include <string>

namespace prcm {

// Loads a float32 .npy file: its header as numpy's format spec has it (a
// Python-literal dict with exactly 'descr', 'fortran_order' and 'shape'; see
// io.cpp for the accepted grammar), little-endian '<f4', C order, at least one
// element; every size is checked against the file's length before anything is
// allocated. Errors are ErrorKind::invalid; memory that cannot be had, failed.
Status load_npy(const std::string &path, Tensor *tensor);
// The same from bytes in memory; `name` stands for the path in messages.
Status parse_npy(const std::string &bytes, const std::string &name, Tensor *tensor);
Status save_npy(const std::string &path, const Tensor &tensor);

// Loads every tensor of a safetensors file under its name, refusing what the
// safetensors package refuses (io.cpp lists the rules) and, beyond it, repeated
// keys, tensors other than F32, zero-sized tensors and names with control
// characters. BatchNorm's `num_batches_tracked` counters (int64, training-only)
// are skipped. Errors are ErrorKind::invalid; memory that cannot be had, failed.
Status load_safetensors(const std::string &path, Weights *weights);
// The same from bytes in memory; `name` stands for the path in messages.
Status parse_safetensors(const std::string &bytes, const std::string &name, Weights *weights);
Status save_safetensors(const std::string &path, const Weights &weights);

}  // namespace prcm
