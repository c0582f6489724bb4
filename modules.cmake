# The one list of modules. A name here adds the module to the build (its CPU,
# CUDA and OpenCL libraries), the CLI, the tests and the benchmarks; the C++
# registry is generated from it. A module `foo` brings four files:
#   generators/foo.cpp          the algorithm (Halide Generator `foo`), ending in a call of
#                               its pattern's schedule (schedules/, see the README's Layout)
#   runtime/reference/foo.cpp   its weights, parameter count and naive reference
#   tests/foo_test.cpp          its own edge cases
# A block whose stages differ in kind from every pattern also brings its stage struct
# (generators/foo.h) and its schedules (schedules/foo.h, foo_cpu.cpp, foo_gpu.cpp).
set(PRCM_MODULES
    prcm
    affine_prcm
    shift_only_prcm
    se
    prcm_se
    prcm_basis_expand
    prcm_se_affine
    prcm_adaptive_pool
    inverted_bottleneck
    inverted_bottleneck_res
    gap
    basis_projection
    linear
    sigmoid
    scale
    shift
    affine
)

# CPU twins "flat" (module=generator): the block over a plane's pixels in one run, the
# tensors viewed as (W * H, C, N) (generators/inverted_bottleneck_flat.cpp). The runtime
# calls the twin instead of the hand library at the plane widths where it is faster
# (runtime/src/run.cpp); `--schedule flat` calls it at any.
set(PRCM_FLAT_TWINS
    inverted_bottleneck=inverted_bottleneck_flat
    inverted_bottleneck_res=inverted_bottleneck_res_flat
)

# CPU twins "channels" (module=generator): the block with its vectors over channels, the
# tensors viewed as the flat twins' and the 1x1 weights packed output channel innermost
# (generators/inverted_bottleneck_channels.cpp). The runtime packs the weights and calls the
# twin instead of the hand library at the planes where it is faster (runtime/src/run.cpp);
# `--schedule channels` calls it at any.
set(PRCM_CHANNELS_TWINS
    inverted_bottleneck=inverted_bottleneck_channels
    inverted_bottleneck_res=inverted_bottleneck_res_channels
)

# Other names of a module, as alias=module=NotebookClass: dropout is the identity
# at inference, so the notebooks' *_NoDropout classes compute what their parents do.
set(PRCM_ALIASES
    prcm_no_dropout=prcm=PRCM_NoDropout
    affine_prcm_no_dropout=affine_prcm=AffinePRCM_NoDropout
)
