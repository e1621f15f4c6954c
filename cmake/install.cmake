# cmake --install <build> [--prefix P]: what a user or a distribution package gets.
#   bin/veritee                          the CLI (static layers inside)
#   lib/libveritee.so.<ABI>              the C ABI (SONAME libveritee.so.<ABI>), with the dev
#                                        symlink libveritee.so
#   lib/libveritee_{common,x509,snp,verify}.a   the offline C++ core, for C++ users
#   include/veritee/veritee.h            the C header
#   include/veritee/{common,x509,snp,verify}/   the C++ core's headers
#   lib/cmake/veritee/                   find_package(veritee CONFIG): veritee::veritee (the
#                                        shared C library), veritee::core (the static C++
#                                        core) and the layers veritee::veritee_<layer>
#   lib/pkgconfig/veritee.pc             pkg-config --cflags --libs veritee (the C library)
include(CMakePackageConfigHelpers)

install(TARGETS veritee_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set_target_properties(veritee PROPERTIES EXPORT_NAME core)
install(TARGETS veritee_shared ${VERITEE_CORE_LAYERS} veritee
        EXPORT veritee-targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/veritee/veritee.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/veritee)
foreach(layer common x509 snp verify)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/veritee/${layer}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/veritee
          PATTERN measure EXCLUDE)  # snp/measure is not part of the core
endforeach()

set(VERITEE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/veritee)
install(EXPORT veritee-targets NAMESPACE veritee:: DESTINATION ${VERITEE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/veritee-config.cmake.in
  ${PROJECT_BINARY_DIR}/veritee-config.cmake INSTALL_DESTINATION ${VERITEE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/veritee-config-version.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/veritee-config.cmake
              ${PROJECT_BINARY_DIR}/veritee-config-version.cmake
        DESTINATION ${VERITEE_CMAKE_DIR})

# Relocatable: the prefix is found from where the .pc file sits (cmake --install --prefix P).
file(RELATIVE_PATH VERITEE_PC_UP /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${PROJECT_SOURCE_DIR}/cmake/veritee.pc.in ${PROJECT_BINARY_DIR}/veritee.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/veritee.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
