# AuthzPgo.cmake — profile-guided optimisation of the per-call code: the
# runtime (authz::runtime) and the gateway (authz::gateway).
#
# Contract: AUTHZ_PGO=OFF (default) changes nothing. GCC only: with another
# compiler, GENERATE or USE stops the configure with an error. GENERATE instruments the
# two libraries, and whatever links them writes its profile to AUTHZ_PGO_DIR
# when it exits. USE compiles them with that profile: functions the training
# run never reached are optimised as without a profile, and a profile older
# than the sources is used where it still matches and ignored where it does
# not. Profile names are relative to the build directory, so a profile made
# in one build directory serves another (scripts/pgo-train.sh makes it; see
# docs/performance.md for what it buys).
set(AUTHZ_PGO "OFF" CACHE STRING "Profile-guided optimisation of the runtime and gateway: OFF, GENERATE or USE")
set_property(CACHE AUTHZ_PGO PROPERTY STRINGS OFF GENERATE USE)
set(AUTHZ_PGO_DIR "${CMAKE_BINARY_DIR}/pgo-profile" CACHE PATH "Where AUTHZ_PGO=GENERATE writes and USE reads the profile")

if(NOT AUTHZ_PGO MATCHES "^(OFF|GENERATE|USE)$")
  message(FATAL_ERROR "AUTHZ_PGO must be OFF, GENERATE or USE, not `${AUTHZ_PGO}`")
endif()
# The flags below (-fprofile-dir, -fprofile-partial-training, .gcda
# profiles) are GCC's; clang's PGO is a different scheme, not supported here.
if(NOT AUTHZ_PGO STREQUAL "OFF" AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(FATAL_ERROR "AUTHZ_PGO=${AUTHZ_PGO} needs GCC, and this build uses ${CMAKE_CXX_COMPILER_ID}; "
                      "configure with -DAUTHZ_PGO=OFF (or build with g++)")
endif()
if(AUTHZ_PGO STREQUAL "USE" AND NOT EXISTS "${AUTHZ_PGO_DIR}")
  message(FATAL_ERROR "AUTHZ_PGO=USE: no profile at `${AUTHZ_PGO_DIR}`; make one with scripts/pgo-train.sh")
endif()

function(authz_pgo target)
  set(where -fprofile-dir=${AUTHZ_PGO_DIR} -fprofile-prefix-path=${CMAKE_BINARY_DIR})
  if(AUTHZ_PGO STREQUAL "GENERATE")
    target_compile_options(${target} PRIVATE -fprofile-generate -fprofile-update=prefer-atomic ${where})
    target_link_options(${target} INTERFACE -fprofile-generate)
  elseif(AUTHZ_PGO STREQUAL "USE")
    # -Wno-restrict: with the profile's inlining, GCC 12 reports a false
    # -Wrestrict inside libstdc++'s char_traits.
    target_compile_options(${target} PRIVATE -fprofile-use -fprofile-partial-training ${where}
                           -Wno-missing-profile -Wno-coverage-mismatch -Wno-restrict)
    # A profile older than the sources makes GCC warn "missing counts for
    # called function" about new code, a warning no option turns off; as an
    # error it would stop every build after an edit. The instrumented build
    # (scripts/pgo-train.sh) compiles the same sources with -Werror, so a
    # fresh build (CI) still fails on any other warning.
    set_target_properties(${target} PROPERTIES AUTHZ_WARNINGS_NOT_ERRORS ON)
  endif()
endfunction()
