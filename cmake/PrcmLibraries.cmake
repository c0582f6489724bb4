# How one module becomes its AOT libraries. Every library of the project shares
# one Halide runtime; every library also emits its STMT (and, with
# PRCM_EMIT_ASSEMBLY, its assembly) so a reader can see what the schedule
# produced (build/generators/<lib>.stmt, <lib>.s).

# Devices in the order the CLI lists them; cpu is always built.
set(PRCM_DEVICES cpu)
if (PRCM_BUILD_OPENCL)
    list(APPEND PRCM_DEVICES opencl)
endif ()
if (PRCM_BUILD_CUDA)
    list(APPEND PRCM_DEVICES cuda)
endif ()

# Where the libraries and their headers are: this build's, or another's (PRCM_LIBRARIES_FROM,
# CPU libraries only: a GPU library's PTX would not be registered for the tests here).
if (PRCM_LIBRARIES_FROM)
    if (NOT PRCM_DEVICES STREQUAL "cpu")
        list(JOIN PRCM_DEVICES ", " devices)
        message(FATAL_ERROR "PRCM_LIBRARIES_FROM links another build's CPU libraries only, and this build "
                            "makes libraries for ${devices}: set -DPRCM_BUILD_CUDA=OFF -DPRCM_BUILD_OPENCL=OFF")
    endif ()
    set(PRCM_LIBRARIES_DIR "${PRCM_LIBRARIES_FROM}/generators")
else ()
    set(PRCM_LIBRARIES_DIR "${PROJECT_BINARY_DIR}/generators")
endif ()

# The GPU libraries' host side runs on the baseline of the CPU list.
list(GET PRCM_CPU_TARGETS -1 _prcm_cpu_baseline)
set(PRCM_OPENCL_TARGET "${_prcm_cpu_baseline}-opencl")
set(PRCM_CUDA_TARGET "${_prcm_cpu_baseline}-cuda-${PRCM_CUDA_CAPABILITY}")

# The tuning record, read and checked once (cmake/PrcmTuning.cmake); a change to it
# configures again.
include("${PROJECT_SOURCE_DIR}/cmake/PrcmTuning.cmake")
set(PRCM_TUNING_ENTRIES "")
if (PRCM_TUNING)
    set(_prcm_tuning "${PRCM_TUNING}")
    if (NOT IS_ABSOLUTE "${_prcm_tuning}")
        set(_prcm_tuning "${PROJECT_SOURCE_DIR}/${_prcm_tuning}")
    endif ()
    prcm_read_tuning_record("${_prcm_tuning}" "${PRCM_CPU_TARGETS}" "${PRCM_OPENCL_TARGET}" "${PRCM_CUDA_TARGET}"
                            "${PRCM_MODULES}" PRCM_TUNING_ENTRIES)
    set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_prcm_tuning}")
    list(LENGTH PRCM_TUNING_ENTRIES _prcm_tuned_count)
    message(STATUS "PRCM_TUNING: ${_prcm_tuning}: ${_prcm_tuned_count} tuned libraries")
endif ()

# prcm_knob_overrides(<library> <out-var>): the knob string PRCM_KNOBS gives the
# library ("<library>=<knobs>" entries), or empty.
function(prcm_knob_overrides lib out_var)
    set(knobs "")
    foreach (entry IN LISTS PRCM_KNOBS)
        if (entry MATCHES "^${lib}=(.+)$")
            set(knobs "${CMAKE_MATCH_1}")
        endif ()
    endforeach ()
    set(${out_var} "${knobs}" PARENT_SCOPE)
endfunction()

# Every PRCM_KNOBS entry must name a library this build makes: a misspelt name
# would otherwise change nothing, silently.
function(prcm_check_knob_overrides)
    get_property(built GLOBAL PROPERTY PRCM_HAND_LIBRARIES)
    foreach (entry IN LISTS PRCM_KNOBS)
        if (NOT entry MATCHES "^([A-Za-z0-9_]+)=(.+)$")
            message(FATAL_ERROR "PRCM_KNOBS entry '${entry}' is not <library>=<knob>:<value>[,<knob>:<value>...]")
        endif ()
        if (NOT CMAKE_MATCH_1 IN_LIST built)
            list(JOIN built ", " names)
            message(FATAL_ERROR "PRCM_KNOBS names '${CMAKE_MATCH_1}', which this build does not make; its libraries: ${names}")
        endif ()
    endforeach ()
endfunction()

# Every library and the runtime are part of `all` even where nothing links them:
# a cross build (PRCM_LIBRARIES_ONLY) has no CLI, and Halide's libraries for
# another machine are IMPORTED targets that only their `<lib>.update` builds.
add_custom_target(prcm_halide_outputs ALL)

# prcm_add_halide_library(<lib> <generator> <device> <params>...): one AOT library of
# the generator for the device's targets, with generator parameters, in the build.
function(prcm_add_halide_library lib generator device)
    if (PRCM_LIBRARIES_FROM)
        # Another build's library (CMakeLists.txt): linked, not generated; no STMT here.
        add_library(${lib} STATIC IMPORTED GLOBAL)
        set_target_properties(${lib} PROPERTIES IMPORTED_LOCATION "${PRCM_LIBRARIES_DIR}/lib${lib}.a"
                                                INTERFACE_INCLUDE_DIRECTORIES "${PRCM_LIBRARIES_DIR}")
        target_link_libraries(${lib} INTERFACE prcm_halide_runtime)
        target_link_libraries(prcm_halide_libraries INTERFACE ${lib})
        return()
    endif ()
    if (device STREQUAL "cpu")
        set(targets ${PRCM_CPU_TARGETS})
        set(extra "")
    elseif (device STREQUAL "opencl")
        set(targets ${PRCM_OPENCL_TARGET})
        set(extra "")
    else ()
        set(targets ${PRCM_CUDA_TARGET})
        set(extra DEVICE_CODE ptx_file)
    endif ()
    if (ARGN)
        list(APPEND extra PARAMS ${ARGN})
    endif ()
    if (PRCM_EMIT_ASSEMBLY)
        list(APPEND extra ASSEMBLY assembly_file)
    endif ()
    add_halide_library(${lib} FROM prcm_generators GENERATOR ${generator}
                       TARGETS ${targets}
                       USE_RUNTIME prcm_halide_runtime
                       STMT stmt_file
                       ${extra})
    target_link_libraries(prcm_halide_libraries INTERFACE ${lib})
    add_dependencies(prcm_halide_outputs ${lib}.update)
    if (TARGET prcm_halide_runtime.update)
        add_dependencies(prcm_halide_outputs prcm_halide_runtime.update)
    endif ()
    list(LENGTH targets target_count)
    if (target_count GREATER 1)
        # Written by the generator's own command (its first output is the
        # header): an IMPORTED library, as in a cross build, runs no POST_BUILD.
        set(index_cmd ${CMAKE_COMMAND} -DDIR=${CMAKE_CURRENT_BINARY_DIR} -DLIB=${lib})
        set(index_script "${PROJECT_SOURCE_DIR}/cmake/WriteTargetIndex.cmake")
        add_custom_command(OUTPUT ${lib}.h APPEND
                           COMMAND ${index_cmd} -DEXT=stmt -DWHAT=STMT -P "${index_script}")
        if (PRCM_EMIT_ASSEMBLY)
            add_custom_command(OUTPUT ${lib}.h APPEND
                               COMMAND ${index_cmd} -DEXT=s -DWHAT=Assembly -P "${index_script}")
        endif ()
    endif ()
    if (device STREQUAL "cuda")
        set_property(GLOBAL APPEND PROPERTY PRCM_PTX_FILES "${ptx_file}")
    endif ()
endfunction()

# prcm_add_halide_libraries(<generator>): <generator>_<device> for every device
# built, all linked into the `prcm_halide_libraries` interface target. A library a
# tuning record tunes also keeps its hand knobs in a twin, <generator>_<device>_untuned,
# so that `prcm bench` times both in the same run.
function(prcm_add_halide_libraries generator)
    foreach (device IN LISTS PRCM_DEVICES)
        set(lib "${generator}_${device}")
        prcm_knob_overrides(${lib} knobs)
        set(params "")
        if (knobs)
            list(APPEND params "knobs=${knobs}")
        endif ()
        prcm_tuning_for(${lib} tuned)
        if (tuned_KNOBS)
            prcm_add_halide_library(${lib}_untuned ${generator} ${device} ${params})
            list(APPEND params "tuned_target=${tuned_TARGET}" "tuned_knobs=${tuned_KNOBS}")
        endif ()
        prcm_add_halide_library(${lib} ${generator} ${device} ${params})
        set_property(GLOBAL APPEND PROPERTY PRCM_HAND_LIBRARIES ${lib})
    endforeach ()
endfunction()
