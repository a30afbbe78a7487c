# Finds every third-party dependency. Each one comes from a Debian 12 package; when one is
# missing we stop with the package to install rather than a CMake stack trace.

function(mlbench_require_package name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR
      "mlbench: dependency '${name}' not found.\n"
      "  Install it with: sudo apt-get install ${debian_package}\n"
      "  (or run scripts/install-deps.sh, which installs every dependency)")
  endif()
endfunction()

mlbench_require_package(CLI11 libcli11-dev CONFIG)
mlbench_require_package(yaml-cpp libyaml-cpp-dev CONFIG)
mlbench_require_package(nlohmann_json nlohmann-json3-dev CONFIG)
mlbench_require_package(fmt libfmt-dev CONFIG)
mlbench_require_package(spdlog libspdlog-dev CONFIG)
mlbench_require_package(libssh libssh-dev CONFIG)

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "mlbench: pkg-config not found.\n  Install it with: sudo apt-get install pkg-config")
endif()
pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
if(NOT PCRE2_FOUND)
  message(FATAL_ERROR "mlbench: dependency 'PCRE2' not found.\n  Install it with: sudo apt-get install libpcre2-dev")
endif()

if(MLBENCH_BUILD_TESTS)
  mlbench_require_package(GTest "libgtest-dev libgmock-dev" CONFIG)
endif()
