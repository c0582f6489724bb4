// The libraries' scalar arguments (run.cpp's bind passes each int32 one it meets),
// from the hyper-parameters; a library's buffers come from library_arguments.
#include "library_arguments.h"

namespace prcm::transforms {

// PRCM_AdaptivePool's pool size is a runtime input of its library, not a weight's extent.
int adaptive_pool_scalar_argument(const std::string &name, const HyperParams &hp) {
    return name == "pool_size" ? hp.pool_size : 0;  // the library has no other scalar
}

}  // namespace prcm::transforms
