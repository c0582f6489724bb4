cmake_minimum_required(VERSION 3.28)
# The apply step's reading of a tuning record (cmake/PrcmTuning.cmake), in script mode:
# prints each entry as the build will apply it, or stops with the build's own error.
# -DRECORD=<file> -DCPU_TARGETS=<a,b,...> -DOPENCL_TARGET= -DCUDA_TARGET= -DMODULES=<a,b,...>
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/PrcmTuning.cmake")
string(REPLACE "," ";" cpu_targets "${CPU_TARGETS}")
string(REPLACE "," ";" modules "${MODULES}")
prcm_read_tuning_record("${RECORD}" "${cpu_targets}" "${OPENCL_TARGET}" "${CUDA_TARGET}" "${modules}" entries)
foreach (entry IN LISTS entries)
    message("apply ${entry}")
endforeach ()
