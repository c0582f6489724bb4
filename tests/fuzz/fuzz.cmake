# libFuzzer targets for the input parsers (tests/fuzz): the safetensors and .npy
# loaders and the --shape parser, each run for PRCM_FUZZ_SECONDS on a copy of its
# seed corpus (tests/fuzz/corpus/<target>), failing on any crash or sanitizer
# report. They need clang++-14 with libFuzzer; without it they are registered as
# skipped, with the reason. A crash it finds becomes a case in tests/io_test.cpp.
if (PRCM_SANITIZED)
    return()  # the sanitizer build (asan preset) runs a subset of tests; the main build fuzzes
endif ()
set(PRCM_FUZZ_SECONDS 60 CACHE STRING "How long each fuzz test runs, in seconds")
find_program(PRCM_FUZZ_CXX NAMES clang++-14 DOC "clang++ with libFuzzer, for the parsers' fuzz targets")
set(prcm_fuzz_targets safetensors npy shape)

set(prcm_fuzz_skip "")
if (NOT PRCM_FUZZ_CXX)
    set(prcm_fuzz_skip "clang++-14 is not installed (apt-get install clang-14)")
else ()
    if (NOT DEFINED CACHE{PRCM_FUZZ_LINKS} OR NOT PRCM_FUZZ_LINKS STREQUAL PRCM_FUZZ_CXX)
        set(check "${CMAKE_CURRENT_BINARY_DIR}/fuzz-link-check")
        file(WRITE "${check}.cpp" "extern \"C\" int LLVMFuzzerTestOneInput(const unsigned char *, unsigned long) { return 0; }\n")
        execute_process(COMMAND "${PRCM_FUZZ_CXX}" -fsanitize=fuzzer,address,undefined "${check}.cpp" -o "${check}"
                        RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
        set(PRCM_FUZZ_LINKS "")
        if (rc EQUAL 0)
            set(PRCM_FUZZ_LINKS "${PRCM_FUZZ_CXX}")
        endif ()
        set(PRCM_FUZZ_LINKS "${PRCM_FUZZ_LINKS}" CACHE INTERNAL "The fuzz compiler that linked a libFuzzer program")
    endif ()
    if (NOT PRCM_FUZZ_LINKS)
        set(prcm_fuzz_skip "${PRCM_FUZZ_CXX} cannot link -fsanitize=fuzzer,address,undefined (libclang-common-14-dev missing?)")
    endif ()
endif ()

if (prcm_fuzz_skip)
    foreach (target IN LISTS prcm_fuzz_targets)
        prcm_skipped_test("fuzz: ${target}" "${prcm_fuzz_skip}")
    endforeach ()
    return()
endif ()

include(ExternalProject)
# HalideBuffer.h, where the Halide package the project found has it.
prcm_halide_include_dirs(halide_include)
find_path(PRCM_HALIDE_INCLUDE HalideBuffer.h HINTS ${halide_include} NO_DEFAULT_PATH REQUIRED)
set(fuzz_dir "${CMAKE_CURRENT_BINARY_DIR}/fuzz")
ExternalProject_Add(prcm_fuzz
    SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/fuzz"
    BINARY_DIR "${fuzz_dir}"
    CMAKE_GENERATOR "${CMAKE_GENERATOR}"
    CMAKE_ARGS "-DCMAKE_CXX_COMPILER=${PRCM_FUZZ_CXX}" "-DCMAKE_BUILD_TYPE=" "-DPRCM_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
               "-DPRCM_HALIDE_INCLUDE=${PRCM_HALIDE_INCLUDE}" "-Dnlohmann_json_DIR=${nlohmann_json_DIR}"
    BUILD_ALWAYS ON  # the inner build is incremental; it must see edits to the parsers
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS "${fuzz_dir}/fuzz_safetensors" "${fuzz_dir}/fuzz_npy" "${fuzz_dir}/fuzz_shape")

foreach (target IN LISTS prcm_fuzz_targets)
    set(dict "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${target}.dict")
    if (NOT EXISTS "${dict}")
        set(dict "")
    endif ()
    add_test(NAME "fuzz: ${target}"
             COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz.sh" "${fuzz_dir}/fuzz_${target}"
                     "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${target}" "${fuzz_dir}/work-${target}"
                     "${PRCM_FUZZ_SECONDS}" "${dict}")
    math(EXPR limit "${PRCM_FUZZ_SECONDS} * 2 + 120")
    set_tests_properties("fuzz: ${target}" PROPERTIES TIMEOUT ${limit})
endforeach ()
