# The one list of modules. A name here adds the module to the build (its CPU,
# CUDA and OpenCL libraries), the CLI, the tests and the benchmarks; the C++
# registry is generated from it. A module `foo` brings six files:
#   generators/foo.cpp                       the algorithm (Halide Generator `foo`)
#   schedules/foo.h, foo_cpu.cpp, foo_gpu.cpp the stages struct and its two schedules
#   runtime/reference/foo.cpp                its weights, parameter count and naive reference
#   tests/foo_test.cpp                       its own edge cases
set(PRCM_MODULES
    prcm
    affine_prcm
)
