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

# The Python module (python/veritee, ctypes on libveritee.so.<ABI>) where Debian's python3
# finds it.
set(VERITEE_PYTHON_DIR "lib/python3/dist-packages" CACHE STRING
    "where the Python module is installed, relative to the prefix")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/veritee DESTINATION ${VERITEE_PYTHON_DIR}
        PATTERN __pycache__ EXCLUDE)

# cpack -G DEB (scripts/package.sh): veritee_<version>_amd64.deb, dependencies computed by
# dpkg-shlibdeps, shlibs and the ldconfig trigger for libveritee.so.<ABI>.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME veritee)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "veritee maintainers <veritee@invalid.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "remote attestation verifier for confidential computing")
set(CPACK_PACKAGE_DESCRIPTION "veritee verifies hardware evidence from confidential VMs
(AMD SEV-SNP; Intel TDX/SGX quotes): the CLI, the C library libveritee
and its Python module.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# shlibs and an ldconfig trigger of our own: CPack's GENERATE_SHLIBS calls ldconfig from
# maintainer scripts instead, which lintian reports (lacks-ldconfig-trigger).
set(VERITEE_DEB_CONTROL ${PROJECT_BINARY_DIR}/deb-control)
file(WRITE ${VERITEE_DEB_CONTROL}/shlibs
     "libveritee ${VERITEE_ABI_VERSION} veritee (>= ${PROJECT_VERSION})\n")
file(WRITE ${VERITEE_DEB_CONTROL}/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${VERITEE_DEB_CONTROL}/shlibs ${VERITEE_DEB_CONTROL}/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS python3)
# libcurl and tpm2-tss are loaded with dlopen on first use (issue 16, CLI footprint), so
# dpkg-shlibdeps does not see them: libcurl (fetching endorsements) is a dependency, tpm2-tss
# (the Azure vTPM guest provider) a recommendation.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4")
# The same for the service's libmicrohttpd (with GnuTLS behind it) and the fleet's hiredis.
string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libmicrohttpd12, libgnutls30, libhiredis0.14")
if(VERITEE_HAVE_TSS2)
  string(APPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS
         ", libtss2-esys-3.0.2-0, libtss2-tctildr0, libtss2-rc0")
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)

# Man pages for veritee and every sub-command, and the bash completion, generated from the
# built CLI's --help text (cmake/man_pages.py), so they say what the flags say.
if(NOT VERITEE_FUZZ)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(VERITEE_MAN_DIR ${PROJECT_BINARY_DIR}/man)
  set(VERITEE_COMPLETION ${PROJECT_BINARY_DIR}/completion/veritee)
  add_custom_command(OUTPUT ${VERITEE_MAN_DIR}/veritee.1 ${VERITEE_COMPLETION}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/completion
    COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/cmake/man_pages.py
            $<TARGET_FILE:veritee_cli> ${VERITEE_MAN_DIR} ${VERITEE_COMPLETION}
    DEPENDS veritee_cli ${PROJECT_SOURCE_DIR}/cmake/man_pages.py
    COMMENT "Man pages from veritee --help")
  add_custom_target(veritee_man ALL DEPENDS ${VERITEE_MAN_DIR}/veritee.1 ${VERITEE_COMPLETION})
  install(DIRECTORY ${VERITEE_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          FILES_MATCHING PATTERN "*.1.gz")
  install(FILES ${VERITEE_COMPLETION}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)
endif()

# The verifier service as a systemd unit (packaging/veritee.service): its own dynamic user,
# state in /var/lib/veritee, cache in /var/cache/veritee, the policy in /etc/veritee. Not
# enabled by the package. The example policy goes with the documentation.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/veritee.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/examples/policy.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# Debian's documentation files: the copyright statement and a compressed changelog.
configure_file(${PROJECT_SOURCE_DIR}/packaging/changelog.Debian
               ${PROJECT_BINARY_DIR}/deb-doc/changelog.Debian @ONLY)
execute_process(COMMAND gzip -9nf ${PROJECT_BINARY_DIR}/deb-doc/changelog.Debian)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_BINARY_DIR}/deb-doc/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR}
        RENAME changelog.gz)  # a native package (no Debian revision)
