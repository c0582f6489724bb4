# A multi-target library writes one STMT per target (<lib>-<target>.stmt) while
# add_halide_library expects <lib>.stmt: write that file as an index of the
# per-target ones, so the build knows it is up to date and a reader finds them.
file(GLOB per_target RELATIVE "${DIR}" "${DIR}/${LIB}-*.stmt")
set(text "STMT of the multi-target library ${LIB}, one file per target:\n")
foreach (f IN LISTS per_target)
    string(APPEND text "  ${DIR}/${f}\n")
endforeach ()
file(WRITE "${DIR}/${LIB}.stmt" "${text}")
