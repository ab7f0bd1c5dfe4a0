# Runs `awsperf analyze` on files and checks what it prints; a CTest test
# (see apps/awsperf/CMakeLists.txt). Fails with a message naming what differs.
#
#   cmake -DCLI=<awsperf> -DREQUESTS=<jsonl> [-DTABLES=<a.json>|<b.json>]
#         [-DEXPECT_FINDINGS=<codes of request 0>|<codes of request 1>|...]
#         [-DEXPECT_TOP=<first code of the summary>]
#         [-DEXPECT_ERROR=<regex the error output must match>]
#         -P check_analyze.cmake
#
# EXPECT_FINDINGS lists, per request in order, its finding codes joined with
# "+" ("-" for none); the output must match exactly (no missing, no extra
# findings). With EXPECT_ERROR the command must exit non-zero, print nothing on
# stdout and match the regex on stderr.
cmake_minimum_required(VERSION 3.19)  # string(JSON)

foreach(var CLI REQUESTS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_analyze.cmake: -D${var}=... is required")
  endif()
endforeach()

set(args analyze --requests "${REQUESTS}")
if(DEFINED TABLES AND NOT TABLES STREQUAL "")
  string(REPLACE "|" ";" tables "${TABLES}")
  foreach(t IN LISTS tables)
    list(APPEND args --table-description "${t}")
  endforeach()
endif()
if(NOT DEFINED EXPECT_ERROR)
  list(APPEND args --json)
endif()

execute_process(COMMAND "${CLI}" ${args}
                RESULT_VARIABLE rc
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err
                TIMEOUT 60)
string(REPLACE ";" " " shown "${CLI} ${args}")

if(DEFINED EXPECT_ERROR)
  if(rc EQUAL 0)
    message(FATAL_ERROR "expected a non-zero exit from: ${shown}\nstdout: ${out}\nstderr: ${err}")
  endif()
  if(NOT err MATCHES "${EXPECT_ERROR}")
    message(FATAL_ERROR "stderr does not match '${EXPECT_ERROR}' (exit ${rc}) for: ${shown}\n"
                        "stderr: ${err}")
  endif()
  if(NOT out STREQUAL "")
    message(FATAL_ERROR "expected nothing on stdout on error, got: ${out}")
  endif()
  message(STATUS "ok: exit ${rc}, stderr: ${err}")
  return()
endif()

if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit ${rc} from: ${shown}\nstdout: ${out}\nstderr: ${err}")
endif()

string(JSON n ERROR_VARIABLE json_error LENGTH "${out}" requests)
if(json_error)
  message(FATAL_ERROR "output is not the expected JSON (${json_error}):\n${out}")
endif()

if(DEFINED EXPECT_FINDINGS)
  string(REPLACE "|" ";" expected "${EXPECT_FINDINGS}")
  list(LENGTH expected n_expected)
  if(NOT n EQUAL n_expected)
    message(FATAL_ERROR "${n} requests analyzed, expected ${n_expected}:\n${out}")
  endif()
  set(failures "")
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON nf LENGTH "${out}" requests ${i} findings)
    set(codes "")
    if(nf GREATER 0)
      math(EXPR last_f "${nf} - 1")
      foreach(j RANGE ${last_f})
        string(JSON code GET "${out}" requests ${i} findings ${j} code)
        list(APPEND codes "${code}")
      endforeach()
    endif()
    list(SORT codes)
    list(JOIN codes "+" got)
    if(got STREQUAL "")
      set(got "-")
    endif()
    list(GET expected ${i} want)
    string(REPLACE "+" ";" want_list "${want}")
    list(SORT want_list)
    list(JOIN want_list "+" want)
    if(NOT got STREQUAL want)
      string(JSON op GET "${out}" requests ${i} operation)
      string(APPEND failures "  request ${i} (${op}): findings ${got}, expected ${want}\n")
    endif()
  endforeach()
  if(failures)
    message(FATAL_ERROR "findings differ:\n${failures}output:\n${out}")
  endif()
endif()

if(DEFINED EXPECT_TOP)
  string(JSON top ERROR_VARIABLE top_error GET "${out}" summary 0 code)
  if(top_error OR NOT top STREQUAL EXPECT_TOP)
    message(FATAL_ERROR "summary starts with '${top}', expected ${EXPECT_TOP}:\n${out}")
  endif()
endif()
message(STATUS "ok: ${n} requests, findings as expected")
