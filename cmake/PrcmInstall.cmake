# `cmake --install build --prefix P`: what a program needs to link the generated
# libraries, and nothing of the build tree. Everything goes under P/include/prcm-kernels
# (the runtime's prcm/*.h, each library's generated header, the Halide runtime headers
# those include) and P/lib (every library, the one Halide runtime, prcm_runtime), with
# a CMake package (P/lib/cmake/PrcmKernels) and a pkg-config file (P/lib/pkgconfig).
# The package is written here rather than exported: the libraries are Halide's
# IMPORTED targets, and a consumer must not need Halide's own package to link them.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PRCM_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/prcm-kernels")
set(PRCM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/PrcmKernels")

# Every generated library of the build, once: what prcm_halide_libraries links
# (each module on each device, the copy floor, twins).
get_target_property(PRCM_INSTALLED_LIBRARIES prcm_halide_libraries INTERFACE_LINK_LIBRARIES)
list(REMOVE_DUPLICATES PRCM_INSTALLED_LIBRARIES)
foreach (lib IN LISTS PRCM_INSTALLED_LIBRARIES)
    install(FILES "$<TARGET_FILE:${lib}>" DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT libraries)
    install(FILES "${PRCM_LIBRARIES_DIR}/${lib}.h" DESTINATION "${PRCM_INSTALL_INCLUDEDIR}" COMPONENT libraries)
endforeach ()
install(FILES "$<TARGET_FILE:prcm_halide_runtime>" DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT libraries)

# The Halide runtime headers the generated headers and prcm/*.h include, and those a
# direct caller of a GPU library needs for its device interface.
get_target_property(_prcm_halide_include_dirs Halide::Runtime INTERFACE_INCLUDE_DIRECTORIES)
# Halide's package wraps them as $<BUILD_INTERFACE:dir>: the folders themselves.
string(REGEX REPLACE "\\$<BUILD_INTERFACE:([^>]*)>" "\\1" _prcm_halide_include_dirs "${_prcm_halide_include_dirs}")
string(REGEX REPLACE "\\$<INSTALL_INTERFACE:[^>]*>" "" _prcm_halide_include_dirs "${_prcm_halide_include_dirs}")
foreach (header IN ITEMS HalideBuffer.h HalideRuntime.h HalideRuntimeCuda.h HalideRuntimeOpenCL.h)
    find_file(_prcm_header_${header} ${header} HINTS ${_prcm_halide_include_dirs} NO_DEFAULT_PATH)
    if (NOT _prcm_header_${header})
        message(FATAL_ERROR "Halide's ${header} is not in ${_prcm_halide_include_dirs}: the install would lack it")
    endif ()
    install(FILES "${_prcm_header_${header}}" DESTINATION "${PRCM_INSTALL_INCLUDEDIR}" COMPONENT libraries)
endforeach ()

set(PRCM_INSTALL_HAS_RUNTIME OFF)
if (TARGET prcm_runtime)
    set(PRCM_INSTALL_HAS_RUNTIME ON)
    install(TARGETS prcm_runtime ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT libraries)
    install(DIRECTORY "${PROJECT_SOURCE_DIR}/runtime/include/prcm" DESTINATION "${PRCM_INSTALL_INCLUDEDIR}"
            COMPONENT libraries FILES_MATCHING PATTERN "*.h")
endif ()
if (TARGET prcm)
    install(TARGETS prcm RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT cli)
endif ()

# The module_device libraries (PrcmKernels_LIBRARIES), apart from the copy floor and twins.
set(PRCM_INSTALLED_MODULE_LIBRARIES "")
foreach (module IN LISTS PRCM_MODULES)
    foreach (device IN LISTS PRCM_DEVICES)
        list(APPEND PRCM_INSTALLED_MODULE_LIBRARIES "${module}_${device}")
    endforeach ()
endforeach ()

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/PrcmKernelsConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/install/PrcmKernelsConfig.cmake"
                              INSTALL_DESTINATION "${PRCM_INSTALL_CMAKEDIR}")
# 0.1.x serves a request for 0.1; 0.2 changes what a linker sees.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/install/PrcmKernelsConfigVersion.cmake"
                                 VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/install/PrcmKernelsConfig.cmake"
              "${PROJECT_BINARY_DIR}/install/PrcmKernelsConfigVersion.cmake"
        DESTINATION "${PRCM_INSTALL_CMAKEDIR}" COMPONENT libraries)

# pkg-config: the same libraries, in link order (the runtime, the libraries, the Halide runtime).
set(_prcm_pc_libs "")
if (PRCM_INSTALL_HAS_RUNTIME)
    string(APPEND _prcm_pc_libs " -lprcm_runtime")
endif ()
foreach (lib IN LISTS PRCM_INSTALLED_LIBRARIES)
    string(APPEND _prcm_pc_libs " -l${lib}")
endforeach ()
string(APPEND _prcm_pc_libs " -lprcm_halide_runtime -lpthread -ldl")
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/install/prcm-kernels.pc" CONTENT
"# Written by cmake/PrcmInstall.cmake. Relocatable: the prefix is where this file lies.
prefix=\${pcfiledir}/../..
libdir=\${prefix}/${CMAKE_INSTALL_LIBDIR}
includedir=\${prefix}/${PRCM_INSTALL_INCLUDEDIR}

Name: prcm-kernels
Description: Halide-generated channel-recalibration blocks (PRCM, SE) and their C++ runtime
Version: ${PROJECT_VERSION}
Libs: -L\${libdir}${_prcm_pc_libs}
Cflags: -I\${includedir}
")
install(FILES "${PROJECT_BINARY_DIR}/install/prcm-kernels.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
        COMPONENT libraries)
