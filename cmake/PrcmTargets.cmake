# What the configured targets imply, checked before anything is built.

# PRCM_CROSS_COMPILING: the CPU targets are for another architecture or OS than
# the C++ compiler's (Halide_CMAKE_TARGET), e.g. arm-64-linux on an x86-64 machine.
# Halide then writes static libraries of that machine's code, and nothing C++ of
# this project can be compiled against them here.
list(GET PRCM_CPU_TARGETS 0 _prcm_first_cpu_target)
set(PRCM_CROSS_COMPILING OFF)
set(PRCM_CPU_TRIPLE "${Halide_CMAKE_TARGET}")
if (NOT _prcm_first_cpu_target MATCHES "^(host|cmake)(-|$)")
    if (NOT _prcm_first_cpu_target MATCHES "^([^-]+-[^-]+-[^-]+)")
        message(FATAL_ERROR "PRCM_CPU_TARGETS: `${_prcm_first_cpu_target}` is not a Halide target "
                            "(arch-bits-os[-feature...], e.g. arm-64-linux-arm_dot_prod)")
    endif ()
    set(PRCM_CPU_TRIPLE "${CMAKE_MATCH_1}")
    if (NOT PRCM_CPU_TRIPLE IN_LIST Halide_CMAKE_TARGET)
        set(PRCM_CROSS_COMPILING ON)
    endif ()
endif ()

# The include directories of the Halide package found (they are $<BUILD_INTERFACE:...>
# expressions: their paths are taken out), to find its runtime headers.
function(prcm_halide_include_dirs out_var)
    get_target_property(include_dirs Halide::Runtime INTERFACE_INCLUDE_DIRECTORIES)
    string(REGEX REPLACE "\\$<[A-Z_]+:([^>]*)>" "\\1" include_dirs "${include_dirs}")
    set(${out_var} "${include_dirs}" PARENT_SCOPE)
endfunction()

# The CUDA capabilities this Halide knows, read from its runtime header
# (halide_target_feature_cuda_capability86 -> cuda_capability_86).
function(prcm_check_cuda_capability)
    prcm_halide_include_dirs(include_dirs)
    find_file(PRCM_HALIDE_RUNTIME_H HalideRuntime.h HINTS ${include_dirs} NO_DEFAULT_PATH REQUIRED)
    file(STRINGS "${PRCM_HALIDE_RUNTIME_H}" lines REGEX "halide_target_feature_cuda_capability[0-9]+")
    set(known "")
    foreach (line IN LISTS lines)
        string(REGEX MATCH "cuda_capability([0-9]+)" feature "${line}")
        list(APPEND known "cuda_capability_${CMAKE_MATCH_1}")
    endforeach ()
    list(REMOVE_DUPLICATES known)
    if (NOT PRCM_CUDA_CAPABILITY IN_LIST known)
        list(JOIN known ", " known_text)
        message(FATAL_ERROR
                "PRCM_CUDA_CAPABILITY is `${PRCM_CUDA_CAPABILITY}`, which Halide ${Halide_VERSION} does not know.\n"
                "It knows: ${known_text}.\n"
                "Choose the newest one your GPU supports: an sm_89 or sm_90 GPU (Ada, Hopper) runs the PTX "
                "of cuda_capability_86, which its driver compiles for it on first use (README, "
                "\"CUDA capabilities\"). Or build without CUDA: -DPRCM_BUILD_CUDA=OFF.")
    endif ()
endfunction()
