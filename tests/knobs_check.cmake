# Generates one library's STMT three ways with the generator the build uses:
# without overrides, with every knob of its pattern spelled out at its default
# (DEFAULTS), and with OVERRIDE. The first two must be byte-identical (the knob
# string is read faithfully), the third must differ (the knob reaches the schedule).
# -DGENERATOR=<prcm_generators> -DNAME=<generator> -DTARGET=<halide target>
# -DDEFAULTS=<knobs> -DOVERRIDE=<knobs> -DOUT=<scratch directory>
file(REMOVE_RECURSE "${OUT}")
foreach (run IN ITEMS plain defaults override)
    set(params "")
    if (run STREQUAL "defaults")
        set(params "knobs=${DEFAULTS}")
    elseif (run STREQUAL "override")
        set(params "knobs=${OVERRIDE}")
    endif ()
    file(MAKE_DIRECTORY "${OUT}/${run}")
    execute_process(COMMAND "${GENERATOR}" -g ${NAME} -o "${OUT}/${run}" -e stmt -n ${NAME} target=${TARGET} ${params}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        message(FATAL_ERROR "${NAME} with '${params}' did not generate: ${err}")
    endif ()
    file(READ "${OUT}/${run}/${NAME}.stmt" stmt_${run})
endforeach ()
if (NOT stmt_plain STREQUAL stmt_defaults)
    message(FATAL_ERROR "${NAME}: the defaults spelled out (${DEFAULTS}) changed the STMT")
endif ()
if (stmt_plain STREQUAL stmt_override)
    message(FATAL_ERROR "${NAME}: ${OVERRIDE} left the STMT as it was")
endif ()
message("defaults reproduce the STMT; ${OVERRIDE} changes it")
