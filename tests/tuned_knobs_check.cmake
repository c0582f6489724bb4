# A tuning record's knobs reach the code of the target they were tuned for, and only
# it: with tuned_target/tuned_knobs the generator's STMT is that of the same knobs
# given as overrides when the target matches (no_runtime or not), that of the
# defaults when it does not; and the user's own overrides win over the record's.
# -DGENERATOR=<prcm_generators> -DNAME=<generator> -DTARGET=<halide target, no_runtime>
# -DOTHER=<another target> -DTUNED=<knobs> -DUSER=<a knob the user overrides> -DOUT=<scratch directory>
file(REMOVE_RECURSE "${OUT}")
string(REPLACE "-no_runtime" "" bare_target "${TARGET}")
set(runs plain overridden tuned tuned_bare other user_over_tuned user_alone)
set(params_plain "")
set(params_overridden "knobs=${TUNED}")
set(params_tuned "tuned_target=${TARGET}" "tuned_knobs=${TUNED}")
set(params_tuned_bare "tuned_target=${bare_target}" "tuned_knobs=${TUNED}")
set(params_other "tuned_target=${OTHER}" "tuned_knobs=${TUNED}")
set(params_user_over_tuned "tuned_target=${TARGET}" "tuned_knobs=${TUNED}" "knobs=${USER}")
set(params_user_alone "knobs=${TUNED},${USER}")
foreach (run IN LISTS runs)
    file(MAKE_DIRECTORY "${OUT}/${run}")
    execute_process(COMMAND "${GENERATOR}" -g ${NAME} -o "${OUT}/${run}" -e stmt -n ${NAME} target=${TARGET} ${params_${run}}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        message(FATAL_ERROR "${NAME} with '${params_${run}}' did not generate: ${err}")
    endif ()
    file(READ "${OUT}/${run}/${NAME}.stmt" stmt_${run})
endforeach ()
if (stmt_plain STREQUAL stmt_overridden)
    message(FATAL_ERROR "${NAME}: ${TUNED} leaves the STMT as it was; the check proves nothing")
endif ()
if (NOT stmt_tuned STREQUAL stmt_overridden OR NOT stmt_tuned_bare STREQUAL stmt_overridden)
    message(FATAL_ERROR "${NAME}: the record's knobs for ${TARGET} did not reach its code")
endif ()
if (NOT stmt_other STREQUAL stmt_plain)
    message(FATAL_ERROR "${NAME}: knobs tuned for ${OTHER} changed the code of ${TARGET}")
endif ()
if (NOT stmt_user_over_tuned STREQUAL stmt_user_alone)
    message(FATAL_ERROR "${NAME}: the user's knobs (${USER}) did not win over the record's")
endif ()
message("the record's knobs reach ${TARGET} alone; the user's win over them")
