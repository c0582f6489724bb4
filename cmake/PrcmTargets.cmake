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
