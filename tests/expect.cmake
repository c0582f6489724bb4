# Runs COMMAND and checks its exit code and that its output matches PATTERN.
# EXIT is a number, or "nonzero-or-pass": a clean refusal (exit 1-3, never a
# signal) or, on a machine that has the device, a pass.
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
message("${all}")
if (EXIT STREQUAL "nonzero-or-pass")
    if (NOT rc MATCHES "^[0-3]$")
        message(FATAL_ERROR "expected a clean exit (0-3), got '${rc}'")
    endif ()
elseif (NOT rc STREQUAL EXIT)
    message(FATAL_ERROR "expected exit code ${EXIT}, got '${rc}'")
endif ()
if (NOT all MATCHES "${PATTERN}")
    message(FATAL_ERROR "output does not match '${PATTERN}'")
endif ()
