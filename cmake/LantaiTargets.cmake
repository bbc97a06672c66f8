# lantai_add_stage(NAME SOURCES ... [LIBS ...])
# One static library per stage that links only the pipeline interfaces: the
# build itself keeps one stage from reaching into another.
function(lantai_add_stage name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(lantai_stage_${name} STATIC ${ARG_SOURCES})
  target_include_directories(lantai_stage_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(lantai_stage_${name} PUBLIC lantai_pipeline PRIVATE ${ARG_LIBS})
endfunction()

# lantai_add_test(NAME SOURCES ... [LIBS ...] [LABELS label])
# Tests find the source tree through the LANTAI_SOURCE_DIR macro.
function(lantai_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)  # an empty value would shift the PROPERTIES pairs below
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE LANTAI_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # gtest_discover_tests cannot pass lists in PROPERTIES: one label, one value each.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${ARG_LABELS})
endfunction()
