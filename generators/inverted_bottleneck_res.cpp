// InvertedBottleneckRes (notebook 000 §0): InvertedBottleneck plus the input. The
// algorithm is inverted_bottleneck.cpp's with its `residual` parameter set.
#include "Halide.h"

HALIDE_REGISTER_GENERATOR_ALIAS(inverted_bottleneck_res, inverted_bottleneck, {{"residual", "true"}})
