# Autoscheduled twins (opt-in): with -DPRCM_AUTOSCHEDULERS="Mullapudi2016;Adams2019;Li2018"
# (CPU) and/or Anderson2021 (CUDA), every module also becomes <module>_<device>_<autoscheduler>,
# built from the same generator and its `using_autoscheduler()` estimates (the notebooks'
# 1x64x64x64), for the same targets as the hand library of that device, and registered
# beside it: `prcm bench --module M --schedule adams2019`, `prcm bench schedules`.
#
# An autoscheduler may refuse a generator. That must neither break the build nor vanish:
# each twin is generated through cmake/PrcmTwin.cmake, which runs the generator and, when it
# fails, keeps its output (<lib>.log), prints a warning, leaves an empty archive and a header
# that #errors, and writes the registry fragment generated/twins/<lib>.inc as
# PRCM_TWIN_FAILED(..., "<first line of the error>") instead of PRCM_TWIN(...). The CLI then
# says "did not compile: <error>" wherever that twin is asked for.

# Which device an autoscheduler schedules for, and its parameters. The CPU ones get
# parallelism=16 (each one's own default, written out): enough parallel tasks for a
# 16-core machine, which a 2-core one also runs well (the hand schedules' task grain is
# of the same order), so the twins run on every machine the hand libraries run on.
# Mullapudi2016's cache size and balance are its defaults too (16 MiB, 40): the largest
# level a tile may assume, below the 32 MiB L3 of the development machine. Anderson2021's
# parallelism is the GPU's SM count: 132, an H100/H200, as the GPU schedules assume.
set(_prcm_as_devices Mullapudi2016=cpu Adams2019=cpu Li2018=cpu Anderson2021=cuda)
# Each is a cache entry, PRCM_AUTOSCHEDULER_PARAMS_<name>, so a build can change them
# (e.g. Adams2019's autoscheduler.beam_size, 32 by default: its search is most of the
# twins' build time).
set(PRCM_AUTOSCHEDULER_PARAMS_Mullapudi2016
    "autoscheduler.parallelism=16;autoscheduler.last_level_cache_size=16777216;autoscheduler.balance=40"
    CACHE STRING "Generator parameters of the Mullapudi2016 twins")
set(PRCM_AUTOSCHEDULER_PARAMS_Adams2019 "autoscheduler.parallelism=16"
    CACHE STRING "Generator parameters of the Adams2019 twins")
set(PRCM_AUTOSCHEDULER_PARAMS_Li2018 "autoscheduler.parallelism=16"
    CACHE STRING "Generator parameters of the Li2018 twins")
set(PRCM_AUTOSCHEDULER_PARAMS_Anderson2021 "autoscheduler.parallelism=132"
    CACHE STRING "Generator parameters of the Anderson2021 twins")

# The twins this configuration builds, as <autoscheduler>=<device> pairs.
set(PRCM_TWIN_SCHEDULES "")
foreach (as IN LISTS PRCM_AUTOSCHEDULERS)
    set(device "")
    foreach (pair IN LISTS _prcm_as_devices)
        if (pair MATCHES "^${as}=(.*)$")
            set(device "${CMAKE_MATCH_1}")
        endif ()
    endforeach ()
    if (device STREQUAL "")
        message(FATAL_ERROR "PRCM_AUTOSCHEDULERS: unknown autoscheduler '${as}' "
                            "(known: Mullapudi2016, Adams2019, Li2018 for the CPU; Anderson2021 for CUDA)")
    endif ()
    if (NOT TARGET Halide::${as})
        message(FATAL_ERROR "PRCM_AUTOSCHEDULERS: this Halide has no plugin Halide::${as}")
    endif ()
    if (NOT device IN_LIST PRCM_DEVICES)
        string(TOUPPER "${device}" option)
        message(WARNING "PRCM_AUTOSCHEDULERS: ${as} schedules for ${device}, which this build does not "
                        "build (PRCM_BUILD_${option} is OFF): no ${as} twins")
        continue ()
    endif ()
    list(APPEND PRCM_TWIN_SCHEDULES "${as}=${device}")
endforeach ()
if (PRCM_TWIN_SCHEDULES)
    message(STATUS "Autoscheduled twins: ${PRCM_TWIN_SCHEDULES}")
endif ()
set_property(GLOBAL PROPERTY PRCM_TWIN_SCHEDULES "${PRCM_TWIN_SCHEDULES}")  # for tests/

if (TARGET prcm_generators)
    set(_prcm_generator_exe prcm_generators)
else ()  # cross-compiling: the host build's generator, as add_halide_library finds it
    set(_prcm_generator_exe ${PROJECT_NAME}::halide_generators::prcm_generators)
endif ()

# prcm_add_twins(<generator>): <generator>_<device>_<autoscheduler> for every twin schedule,
# linked into prcm_halide_libraries like the hand libraries.
function(prcm_add_twins generator)
    foreach (pair IN LISTS PRCM_TWIN_SCHEDULES)
        string(REPLACE "=" ";" parts "${pair}")
        list(GET parts 0 as)
        list(GET parts 1 device)
        string(TOLOWER "${as}" schedule)
        set(lib "${generator}_${device}_${schedule}")
        if (device STREQUAL "cpu")
            set(targets ${PRCM_CPU_TARGETS})
        else ()
            set(targets ${PRCM_CUDA_TARGET})
        endif ()
        list(TRANSFORM targets APPEND "-no_runtime")
        list(JOIN targets "," targets)
        list(JOIN PRCM_AUTOSCHEDULER_PARAMS_${as} "|" params)
        set(dir "${CMAKE_CURRENT_BINARY_DIR}")
        set(fragment "${PROJECT_BINARY_DIR}/generated/twins/${lib}.inc")
        add_custom_command(
            OUTPUT "${dir}/${lib}.a" "${dir}/${lib}.h" "${fragment}"
            COMMAND ${CMAKE_COMMAND} "-DGENERATOR_EXE=$<TARGET_FILE:${_prcm_generator_exe}>"
                    "-DPLUGIN=$<TARGET_FILE:Halide::${as}>" -DAUTOSCHEDULER=${as} "-DPARAMS=${params}"
                    -DGENERATOR=${generator} -DLIB=${lib} -DMODULE=${generator} -DDEVICE=${device}
                    -DSCHEDULE=${schedule} "-DTARGETS=${targets}" "-DDIR=${dir}" "-DFRAGMENT=${fragment}"
                    -P "${PROJECT_SOURCE_DIR}/cmake/PrcmTwin.cmake"
            DEPENDS ${_prcm_generator_exe} Halide::${as} "${PROJECT_SOURCE_DIR}/cmake/PrcmTwin.cmake"
            COMMENT "Autoscheduling ${lib} with ${as}"
            VERBATIM)
        add_custom_target(${lib}.update DEPENDS "${dir}/${lib}.a" "${fragment}")
        add_library(${lib} STATIC IMPORTED GLOBAL)
        set_target_properties(${lib} PROPERTIES IMPORTED_LOCATION "${dir}/${lib}.a")
        add_dependencies(${lib} ${lib}.update)
        target_link_libraries(${lib} INTERFACE prcm_halide_runtime)
        target_link_libraries(prcm_halide_libraries INTERFACE ${lib})
    endforeach ()
endfunction()

# prcm_twin_registry(<module> <registry variable>): appends the module's twin fragments
# (each a PRCM_TWIN or PRCM_TWIN_FAILED line, written when the twin is generated).
function(prcm_twin_registry module registry_var)
    set(text "${${registry_var}}")
    foreach (pair IN LISTS PRCM_TWIN_SCHEDULES)
        string(REPLACE "=" ";" parts "${pair}")
        list(GET parts 0 as)
        list(GET parts 1 device)
        string(TOLOWER "${as}" schedule)
        string(APPEND text "#include \"twins/${module}_${device}_${schedule}.inc\"\n")
    endforeach ()
    set(${registry_var} "${text}" PARENT_SCOPE)
endfunction()
