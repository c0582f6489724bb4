// The full-size pass over an NCHW tensor that every block ends with (and the copy
// floor is made of): vectorized along W, one parallel task per batch of planes.
#pragma once

#include "Halide.h"
#include "generators/algorithm_common.h"

namespace prcm {

// Below this many elements one core finishes before a thread pool would wake up.
constexpr int kSerialElements = 32 * 1024;
// Each parallel task covers at least this many elements, so tiny planes are batched.
constexpr int kTaskElements = 16 * 1024;

// The loops a stage computed per plane of the pass needs: a parallel task, and one
// plane within it.
struct PlaneLoops {
    Halide::LoopLevel task, plane;
};

PlaneLoops schedule_elementwise_cpu(Halide::Func f, const Axes &v, const Halide::Target &target,
                                    const Halide::Expr &plane, const Halide::Expr &planes);
void schedule_elementwise_gpu(Halide::Func f, const Axes &v);

}  // namespace prcm
