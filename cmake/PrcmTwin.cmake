# Generates one autoscheduled twin (cmake/PrcmAutoschedulers.cmake), in script mode:
#   cmake -DGENERATOR_EXE= -DPLUGIN= -DAUTOSCHEDULER= -DPARAMS=a|b -DGENERATOR= -DLIB= -DMODULE=
#         -DDEVICE= -DSCHEDULE= -DTARGETS=t1,t2 -DDIR= -DFRAGMENT= -P PrcmTwin.cmake
# On success: DIR/LIB.a, .h, .schedule.h, the STMT (one per target), and the registry
# fragment PRCM_TWIN(module, device, schedule, lib). When the generator fails (the
# autoscheduler refused the pipeline, or crashed): its whole output in DIR/LIB.log, a warning,
# an empty archive, a header that #errors, and PRCM_TWIN_FAILED(module, device, schedule,
# lib, "first line of the error"), so the build goes on and the CLI reports the failure.
string(REPLACE "|" ";" params "${PARAMS}")
file(REMOVE "${DIR}/${LIB}.log" "${DIR}/${LIB}.a")
execute_process(
    COMMAND "${GENERATOR_EXE}" -g "${GENERATOR}" -n "${LIB}" -f "${LIB}" -e static_library,c_header,stmt,schedule
            -p "${PLUGIN}" -o "${DIR}" "target=${TARGETS}" "autoscheduler=${AUTOSCHEDULER}" ${params}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)

if (result STREQUAL "0")
    set(line "PRCM_TWIN(${MODULE}, ${DEVICE}, ${SCHEDULE}, ${LIB})\n")
else ()
    file(WRITE "${DIR}/${LIB}.log" "${out}")
    # The first line that names the error, else the first line, else the exit status.
    string(REPLACE "\r" "" out "${out}")
    string(REGEX MATCHALL "[^\n]+" lines "${out}")
    set(first "")
    foreach (l IN LISTS lines)
        if (first STREQUAL "" AND l MATCHES "[Ee]rror")
            set(first "${l}")
        endif ()
    endforeach ()
    if (first STREQUAL "" AND lines)
        list(GET lines 0 first)
    endif ()
    if (first STREQUAL "")
        set(first "the generator exited with '${result}' and printed nothing")
    endif ()
    string(REGEX REPLACE "^Unhandled exception: " "" first "${first}")
    string(STRIP "${first}" first)
    string(LENGTH "${first}" n)
    if (n GREATER 300)
        string(SUBSTRING "${first}" 0 300 first)
        string(APPEND first "...")
    endif ()
    # As a C string literal: backslashes and quotes escaped, control characters dropped.
    string(ASCII 1 ctrl_first)
    string(ASCII 31 ctrl_last)
    string(ASCII 127 del)
    string(REGEX REPLACE "[${ctrl_first}-${ctrl_last}${del}]" "" first "${first}")
    string(REPLACE "\\" "\\\\" literal "${first}")
    string(REPLACE "\"" "\\\"" literal "${literal}")
    set(line "PRCM_TWIN_FAILED(${MODULE}, ${DEVICE}, ${SCHEDULE}, ${LIB}, \"${literal}\")\n")
    message(WARNING "${LIB}: ${AUTOSCHEDULER} did not compile generator ${GENERATOR}: ${first}\n"
                    "(the build goes on without it; the whole output is in ${DIR}/${LIB}.log)")
    file(WRITE "${DIR}/${LIB}.a" "!<arch>\n")  # an empty archive: links, defines nothing
    file(WRITE "${DIR}/${LIB}.h" "#error \"${LIB}: ${AUTOSCHEDULER} did not compile it: ${literal}\"\n")
endif ()
file(WRITE "${FRAGMENT}" "${line}")
