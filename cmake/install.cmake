# SPDX-License-Identifier: BSD-3-Clause
# cmake --install: the C library for users of an installed seqs.
#   include/seqs/*.h (+ priv/, wire/, the generated version.h)
#   lib/libseqs.a
#   lib/cmake/seqs/{seqsConfig,seqsConfigVersion,seqsTargets*}.cmake   find_package(seqs) -> seqs::seqs
#   lib/pkgconfig/seqs.pc                                              pkg-config --cflags --libs seqs
# The library is built with the limits of seqs/opts.h as installed; a program that
# wants other limits (SEQS_OPTS_FILE) builds seqs from source with add_subdirectory,
# because the limits decide the layout of seqs_stack_t.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS seqs EXPORT seqsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT c
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stack/include/seqs
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT c FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/seqs/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/seqs COMPONENT c)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/seqs COMPONENT c)

set(SEQS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/seqs)
install(EXPORT seqsTargets NAMESPACE seqs:: DESTINATION ${SEQS_CMAKE_DIR} COMPONENT c)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/seqsConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/seqsConfig.cmake
                              INSTALL_DESTINATION ${SEQS_CMAKE_DIR})
# 0.x: a minor version may change the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/seqsConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/seqsConfig.cmake ${PROJECT_BINARY_DIR}/cmake/seqsConfigVersion.cmake
        DESTINATION ${SEQS_CMAKE_DIR} COMPONENT c)

# seqs.pc finds its prefix from its own place (${pcfiledir}), so `cmake --install
# --prefix ANYWHERE` gives a working file.
file(RELATIVE_PATH SEQS_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" SEQS_PC_TO_PREFIX "${SEQS_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/seqs.pc.in ${PROJECT_BINARY_DIR}/seqs.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/seqs.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT c)

# seqs-tap (when built): the TAP flavour of seqs.testing finds it on PATH.
if(TARGET seqs-tap)
  install(TARGETS seqs-tap RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
endif()
