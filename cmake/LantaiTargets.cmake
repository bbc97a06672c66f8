# lantai_add_stage(NAME SOURCES ... [LIBS ...] [EXCLUDE_FROM_ALL])
# One static library per stage. Its include path holds the pipeline core
# (build/include/core) and its own folder as stages/NAME (build/include/stage_NAME), and
# nothing else: a stage that includes the runtime or another stage does not compile.
function(lantai_add_stage name)
  cmake_parse_arguments(ARG "EXCLUDE_FROM_ALL" "" "SOURCES;LIBS" ${ARGN})
  set(exclude "")
  if(ARG_EXCLUDE_FROM_ALL)
    set(exclude EXCLUDE_FROM_ALL)
  endif()
  set(stage_include ${PROJECT_BINARY_DIR}/include/stage_${name})
  file(MAKE_DIRECTORY ${stage_include}/stages)
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${stage_include}/stages/${name} SYMBOLIC)
  add_library(lantai_stage_${name} STATIC ${exclude} ${ARG_SOURCES})
  target_include_directories(lantai_stage_${name} PUBLIC ${stage_include})
  target_link_libraries(lantai_stage_${name} PUBLIC lantai_pipeline PRIVATE ${ARG_LIBS})
  if(NOT ARG_EXCLUDE_FROM_ALL)
    set_property(GLOBAL APPEND PROPERTY LANTAI_STAGE_LIBRARIES lantai_stage_${name})
  endif()
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
