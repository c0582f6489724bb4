# The installed package, used as a stranger would (issue 14): install this build into
# a fresh prefix, build examples/consumer against it with the system CMake (3.25 on
# Debian 12; not the project's), run both programs, and check what they link and
# what the install holds.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK=... -DCONSUMER_CMAKE=/usr/bin/cmake -P consumer_check.cmake
foreach (var IN ITEMS BUILD_DIR SOURCE_DIR WORK CONSUMER_CMAKE)
    if (NOT ${var})
        message(FATAL_ERROR "consumer_check.cmake needs -D${var}=...")
    endif ()
endforeach ()

function(run_checked what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if (NOT code EQUAL 0)
        message(FATAL_ERROR "${what} failed (${code}):\n${out}\n${err}")
    endif ()
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
set(prefix "${WORK}/prefix")
run_checked("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

# Nothing installed that a compiler or CMake reads may point into the build or the source tree.
file(GLOB_RECURSE text_files "${prefix}/lib/cmake/*" "${prefix}/lib/pkgconfig/*" "${prefix}/include/*")
foreach (file IN LISTS text_files)
    file(READ "${file}" text)
    foreach (tree IN ITEMS "${BUILD_DIR}" "${SOURCE_DIR}")
        string(FIND "${text}" "${tree}" at)
        if (NOT at EQUAL -1)
            message(FATAL_ERROR "${file} names ${tree}: the install is not relocatable")
        endif ()
    endforeach ()
endforeach ()
foreach (required IN ITEMS lib/cmake/PrcmKernels/PrcmKernelsConfig.cmake lib/cmake/PrcmKernels/PrcmKernelsConfigVersion.cmake
                           lib/pkgconfig/prcm-kernels.pc lib/libprcm_runtime.a lib/libprcm_halide_runtime.a lib/libprcm_cpu.a
                           include/prcm-kernels/prcm/run.h include/prcm-kernels/prcm_cpu.h
                           include/prcm-kernels/HalideBuffer.h bin/prcm)
    if (NOT EXISTS "${prefix}/${required}")
        message(FATAL_ERROR "the install lacks ${required}")
    endif ()
endforeach ()

# The example, with the system CMake and its default generator.
run_checked("configuring examples/consumer with ${CONSUMER_CMAKE}" "${CONSUMER_CMAKE}" -S "${SOURCE_DIR}/examples/consumer"
            -B "${WORK}/consumer" "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
run_checked("building examples/consumer" "${CONSUMER_CMAKE}" --build "${WORK}/consumer")

set(data "${SOURCE_DIR}/examples/consumer/data")
run_checked("run_prcm" "${WORK}/consumer/run_prcm" "${data}/prcm_c16_b8.safetensors" "${data}/input_1x16x8x8.npy")
if (NOT run_output MATCHES "^PRCM \\[1, 16, 8, 8\\] on cpu: checksum [-0-9.]+, max abs err vs the naive reference [0-9.e+-]+: PASSED")
    message(FATAL_ERROR "run_prcm printed:\n${run_output}")
endif ()
message(STATUS "${run_output}")
run_checked("call_prcm_cpu" "${WORK}/consumer/call_prcm_cpu")
if (NOT run_output MATCHES "^prcm_cpu \\[2, 16, 5, 7\\]: checksum [-0-9.]+, max abs err vs plain loops [0-9.e+-]+: PASSED")
    message(FATAL_ERROR "call_prcm_cpu printed:\n${run_output}")
endif ()
message(STATUS "${run_output}")

# What the programs load at run time: the C and C++ libraries, nothing of Halide,
# Python or CUDA.
foreach (program IN ITEMS run_prcm call_prcm_cpu)
    run_checked("ldd ${program}" ldd "${WORK}/consumer/${program}")
    string(TOLOWER "${run_output}" linked)
    foreach (forbidden IN ITEMS halide python cuda opencl)
        string(FIND "${linked}" "${forbidden}" at)
        if (NOT at EQUAL -1)
            message(FATAL_ERROR "${program} links ${forbidden}:\n${run_output}")
        endif ()
    endforeach ()
endforeach ()
file(REMOVE_RECURSE "${WORK}")
message(STATUS "installed, built with ${CONSUMER_CMAKE}, ran, and links no Halide, Python or CUDA library")
