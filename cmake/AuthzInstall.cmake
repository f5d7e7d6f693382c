# cmake/AuthzInstall.cmake — what `cmake --install` puts where, and the
# packages consumers find it by.
#
# Layout under the prefix:
#   bin/authzc, bin/authz-gateway            (their own install() lines)
#   lib/libauthz_runtime.a, lib/libauthz_c.a
#   lib/libauthz_c.so.1 (SONAME; .so.0.1.0 the file, .so the link)
#   include/authz/runtime/*.h                (C++ API: #include "runtime/engine.h"; the list below)
#   include/authz/authz.h                    (C ABI:   #include <authz/authz.h>)
#   lib/cmake/authz/                         (find_package(authz) -> authz::runtime, authz::c)
#   lib/pkgconfig/authz.pc, authz-c.pc       (pkg-config authz / authz-c)
#   lib/pkgconfig/authz-c-shared.pc          (pkg-config authz-c-shared: libauthz_c.so)
#   share/authz/stdlib/                      (`use std.x;` modules)
# The static libraries' private dependencies (simdjson, fmt, OpenSSL's
# libcrypto) are link dependencies of the consumer, found again by
# authzConfig.cmake with find_dependency and listed in the .pc files.
# libauthz_c.so carries its own (consumers link it alone).
include(CMakePackageConfigHelpers)

install(TARGETS authz_runtime authz_c authz_c_shared EXPORT authzTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/authz)

# The public C++ API, by name: what an embedder needs to load a table, decide
# and explain (engine.h: Engine, Request, Principal, PreparedRequest;
# decision.h, trace_render.h), give entity data (entity_store.h), filter rows
# (partial_eval.h, sql_where.h), audit (audit_log.h), roll out a candidate
# policy (shadow.h), and the types those expose (result.h, value.h,
# table_model.h with opcodes.def, table_signature.h). Everything else under
# runtime/internal/ is private to the runtime and the project's own programs,
# and is not installed, but for the two headers public types hold by value
# so that deciding allocates nothing: small_vector.h (Model's nodes and role
# sets) and value_store.h (a PreparedRequest's arguments, an Entity's
# attributes). Adding a header here makes it API: tests/install builds
# consumers against this list.
set(AUTHZ_PUBLIC_HEADERS
  audit_log.h decision.h engine.h entity_store.h opcodes.def partial_eval.h result.h shadow.h
  sql_where.h table_model.h table_signature.h trace_render.h value.h)
list(TRANSFORM AUTHZ_PUBLIC_HEADERS PREPEND runtime/)
install(FILES ${AUTHZ_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/authz/runtime)
install(FILES runtime/internal/small_vector.h runtime/internal/value_store.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/authz/runtime/internal)
install(FILES runtime/c_api/authz.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/authz)

set(AUTHZ_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/authz)
install(EXPORT authzTargets NAMESPACE authz:: DESTINATION ${AUTHZ_CMAKE_DIR})
configure_package_config_file(cmake/authzConfig.cmake.in "${PROJECT_BINARY_DIR}/authzConfig.cmake"
                              INSTALL_DESTINATION ${AUTHZ_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/authzConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/authzConfig.cmake" "${PROJECT_BINARY_DIR}/authzConfigVersion.cmake"
        DESTINATION ${AUTHZ_CMAKE_DIR})

# pkg-config: paths relative to the .pc file so the tree can be moved (and
# `cmake --install --prefix P` works without reconfiguring).
file(RELATIVE_PATH AUTHZ_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
foreach(pc authz authz-c authz-c-shared)
  configure_file(cmake/${pc}.pc.in "${PROJECT_BINARY_DIR}/${pc}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${pc}.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
