# A multi-target library writes one STMT (and assembly) per target,
# <lib>-<target>.<ext>, while add_halide_library expects <lib>.<ext>: write that
# file as an index of the per-target ones, so the build knows it is up to date
# and a reader finds them. -DDIR=<dir> -DLIB=<lib> -DEXT=stmt|s -DWHAT=<title>
file(GLOB per_target RELATIVE "${DIR}" "${DIR}/${LIB}-*.${EXT}")
set(text "${WHAT} of the multi-target library ${LIB}, one file per target:\n")
foreach (f IN LISTS per_target)
    string(APPEND text "  ${DIR}/${f}\n")
endforeach ()
file(WRITE "${DIR}/${LIB}.${EXT}" "${text}")
