# Runs COMMAND (a `prcm verify` on --device opencl) with POCL_DEBUG=general and
# counts its kernel launches as PoCL prints them, one line each:
#   "Preparing kernel NAME with local size A x B x C group sizes G1 x G2 x G3"
# There must be exactly LAUNCHES, each of at least MIN_THREADS work-items per
# work-group and at least MIN_GROUPS work-groups, and the command must pass.
# -DCOMMAND=<command> -DLAUNCHES=<n> -DMIN_THREADS=<n> -DMIN_GROUPS=<n>
execute_process(COMMAND ${CMAKE_COMMAND} -E env POCL_DEBUG=general ${COMMAND}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if (NOT rc STREQUAL 0 OR NOT all MATCHES "PASSED")
    message("${all}")
    message(FATAL_ERROR "the command did not pass (exit ${rc})")
endif ()
string(REGEX MATCHALL "Preparing kernel [^ ]+ with local size [0-9]+ x [0-9]+ x [0-9]+ group sizes [0-9]+ x [0-9]+ x [0-9]+"
       launches "${all}")
list(LENGTH launches count)
if (count EQUAL 0)
    message(FATAL_ERROR "PoCL printed no 'Preparing kernel' line under POCL_DEBUG=general: its debug messages are needed")
endif ()
foreach (launch IN LISTS launches)
    message("${launch}")
    string(REGEX MATCH "local size ([0-9]+) x ([0-9]+) x ([0-9]+) group sizes ([0-9]+) x ([0-9]+) x ([0-9]+)" _ "${launch}")
    math(EXPR threads "${CMAKE_MATCH_1} * ${CMAKE_MATCH_2} * ${CMAKE_MATCH_3}")
    math(EXPR groups "${CMAKE_MATCH_4} * ${CMAKE_MATCH_5} * ${CMAKE_MATCH_6}")
    if (threads LESS MIN_THREADS OR groups LESS MIN_GROUPS)
        message(FATAL_ERROR "${threads} work-items x ${groups} work-groups; want at least ${MIN_THREADS} x ${MIN_GROUPS}")
    endif ()
endforeach ()
if (NOT count EQUAL LAUNCHES)
    message(FATAL_ERROR "${count} launches, want ${LAUNCHES}")
endif ()
message("${count} launch(es) of at least ${MIN_THREADS} work-items x ${MIN_GROUPS} work-groups")
