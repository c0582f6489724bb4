# A twin whose autoscheduler refuses its generator is reported, not hidden: runs
# cmake/PrcmTwin.cmake as the build does, on the copy generator (it has a hand schedule
# and no estimates, so every CPU autoscheduler refuses it), and checks what it leaves:
# the registry fragment PRCM_TWIN_FAILED with the error's first line as a C string, the
# full log, an empty archive that links, a header that #errors. Then a generator that
# succeeds (prcm), so a wrapper that always "fails" would fail this test too.
#   cmake -DGENERATOR_EXE= -DPLUGIN= -DAUTOSCHEDULER= -DTWIN_SCRIPT= -DWORK= -P twin_failure_test.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
string(TOLOWER "${AUTOSCHEDULER}" schedule)
set(target "x86-64-linux-no_runtime")

function(run_twin generator)
    execute_process(COMMAND ${CMAKE_COMMAND} "-DGENERATOR_EXE=${GENERATOR_EXE}" "-DPLUGIN=${PLUGIN}"
                            "-DAUTOSCHEDULER=${AUTOSCHEDULER}" "-DPARAMS=autoscheduler.parallelism=16"
                            "-DGENERATOR=${generator}" "-DLIB=${generator}_cpu_${schedule}" "-DMODULE=${generator}"
                            -DDEVICE=cpu "-DSCHEDULE=${schedule}" "-DTARGETS=${target}" "-DDIR=${WORK}"
                            "-DFRAGMENT=${WORK}/${generator}.inc" -P "${TWIN_SCRIPT}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        message(FATAL_ERROR "the wrapper itself failed on ${generator} (it must not fail the build): ${err}")
    endif ()
    string(REGEX REPLACE "[ \n]+" " " err "${err}")  # CMake wraps a warning's lines
    set(warning "${err}" PARENT_SCOPE)
endfunction()

run_twin(copy)
file(READ "${WORK}/copy.inc" fragment)
if (NOT fragment MATCHES "^PRCM_TWIN_FAILED\\(copy, cpu, ${schedule}, copy_cpu_${schedule}, \"Error: [^\n]*[a-z][^\n]*\"\\)\n$")
    message(FATAL_ERROR "fragment of a failed twin: ${fragment}")
endif ()
if (NOT warning MATCHES "copy_cpu_${schedule}: ${AUTOSCHEDULER} did not compile generator copy: Error: ")
    message(FATAL_ERROR "no warning naming the failure: ${warning}")
endif ()
file(READ "${WORK}/copy_cpu_${schedule}.log" log)
if (NOT log MATCHES "Error")
    message(FATAL_ERROR "the log does not hold the generator's error: ${log}")
endif ()
file(READ "${WORK}/copy_cpu_${schedule}.a" archive)
if (NOT archive STREQUAL "!<arch>\n")
    message(FATAL_ERROR "the failed twin's archive is not an empty archive")
endif ()
file(READ "${WORK}/copy_cpu_${schedule}.h" header)
if (NOT header MATCHES "^#error \"copy_cpu_${schedule}: ${AUTOSCHEDULER} did not compile it: ")
    message(FATAL_ERROR "the failed twin's header does not #error: ${header}")
endif ()

run_twin(prcm)
file(READ "${WORK}/prcm.inc" fragment)
if (NOT fragment STREQUAL "PRCM_TWIN(prcm, cpu, ${schedule}, prcm_cpu_${schedule})\n")
    message(FATAL_ERROR "fragment of a twin that compiled: ${fragment}")
endif ()
if (NOT EXISTS "${WORK}/prcm_cpu_${schedule}.schedule.h" OR EXISTS "${WORK}/prcm_cpu_${schedule}.log")
    message(FATAL_ERROR "a twin that compiled has no schedule.h, or left an error log")
endif ()
message(STATUS "PASSED: a refused generator is recorded as PRCM_TWIN_FAILED, a scheduled one as PRCM_TWIN")
