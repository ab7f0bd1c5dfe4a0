# Shared build settings and the helpers every layer uses.

if(AWSPERF_USE_CCACHE)
  find_program(AWSPERF_CCACHE ccache)
  if(AWSPERF_CCACHE)
    # Precompiled headers need these sloppiness settings to be cacheable;
    # BASEDIR and NOHASHDIR let a fresh clone in another folder (CI) hit the
    # cache a previous build filled.
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}" "CCACHE_NOHASHDIR=true"
        ${AWSPERF_CCACHE})
  endif()
endif()

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)

if(AWSPERF_SANITIZE)
  list(JOIN AWSPERF_SANITIZE "," _awsperf_san)
  add_compile_options(-fsanitize=${_awsperf_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_awsperf_san})
endif()

# Warnings apply to our own targets only.
# -Wno-restrict: GCC 12 false positives in std::string concatenation (GCC bug 105329).
set(AWSPERF_WARNINGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers -Wno-restrict)

# awsperf_add_layer(<layer> [DEPS <public targets>...] [PRIVATE_DEPS <targets>...]
#                   [TEST_DEPS <targets>...] [PCH <headers>...])
#
# Builds src/<layer>/*.cc (except *_test.cc) into the library awsperf_<layer>
# (exported as awsperf::<layer>), and src/<layer>/*_test.cc into the unit test
# executable awsperf_<layer>_test, registered with CTest under the label `unit`.
function(awsperf_add_layer layer)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;TEST_DEPS;PCH" ${ARGN})
  file(GLOB _all CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(_sources "")
  set(_tests "")
  foreach(f IN LISTS _all)
    if(f MATCHES "_test\\.cc$")
      list(APPEND _tests ${f})
    else()
      list(APPEND _sources ${f})
    endif()
  endforeach()
  set(_target awsperf_${layer})
  add_library(${_target} ${_sources})
  add_library(awsperf::${layer} ALIAS ${_target})
  set_target_properties(${_target} PROPERTIES EXPORT_NAME ${layer} OUTPUT_NAME awsperf_${layer}
                                              POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${_target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${_target} PRIVATE ${AWSPERF_WARNINGS})
  target_link_libraries(${_target} PUBLIC ${ARG_DEPS} Threads::Threads PRIVATE ${ARG_PRIVATE_DEPS})
  if(ARG_PCH AND AWSPERF_USE_PCH)
    target_precompile_headers(${_target} PRIVATE ${ARG_PCH})
  endif()
  install(TARGETS ${_target} EXPORT awsperfTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

  if(AWSPERF_BUILD_TESTS AND _tests)
    find_package(GTest REQUIRED)
    include(GoogleTest)
    set(_test awsperf_${layer}_test)
    add_executable(${_test} ${_tests})
    target_compile_options(${_test} PRIVATE ${AWSPERF_WARNINGS})
    target_include_directories(${_test} PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_compile_definitions(${_test} PRIVATE
      AWSPERF_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      AWSPERF_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/../shared/testdata")
    target_link_libraries(${_test} PRIVATE ${_target} ${ARG_PRIVATE_DEPS} ${ARG_TEST_DEPS}
                                           GTest::gtest GTest::gmock GTest::gtest_main)
    if(ARG_PCH AND AWSPERF_USE_PCH)
      target_precompile_headers(${_test} PRIVATE ${ARG_PCH})
    endif()
    gtest_discover_tests(${_test} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
