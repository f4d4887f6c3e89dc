# Checks on the shape of the library rather than its behaviour:
#  - every public header compiles on its own, as C99 and (when a C++
#    compiler is present) as C++;
#  - the shared library exports only ecs_* names;
#  - the library has no writable global state (no b/B/d/D symbols);
#  - an installed copy is usable from another project through
#    find_package(ecs) and through pkg-config;
#  - no file of lib/ includes a floor above its own, no two files include
#    each other, and the programs use only the public headers (floors.cmake).

file(GLOB ECS_PUBLIC_HEADERS RELATIVE ${PROJECT_SOURCE_DIR}/include/ecs
     ${PROJECT_SOURCE_DIR}/include/ecs/*.h)
list(APPEND ECS_PUBLIC_HEADERS version.h)
list(REMOVE_DUPLICATES ECS_PUBLIC_HEADERS)
set(_hc_c "")
set(_hc_cxx "")
foreach(h ${ECS_PUBLIC_HEADERS})
  string(MAKE_C_IDENTIFIER ${h} id)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.c
       "#include \"ecs/${h}\"\nint ecs_header_check_${id}(void);\nint ecs_header_check_${id}(void) { return 0; }\n")
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp
       "#include \"ecs/${h}\"\nint ecs_header_check_cxx_${id}();\nint ecs_header_check_cxx_${id}() { return 0; }\n")
  list(APPEND _hc_c ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.c)
  list(APPEND _hc_cxx ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp)
endforeach()
add_library(ecs_header_check_c99 OBJECT ${_hc_c})
set_target_properties(ecs_header_check_c99 PROPERTIES C_STANDARD 99 C_EXTENSIONS OFF)
target_include_directories(ecs_header_check_c99 PRIVATE
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
target_link_libraries(ecs_header_check_c99 PRIVATE ecs_warnings)

include(CheckLanguage)
check_language(CXX)
if(CMAKE_CXX_COMPILER)
  enable_language(CXX)
  add_library(ecs_header_check_cxx OBJECT ${_hc_cxx})
  set_target_properties(ecs_header_check_cxx PROPERTIES CXX_STANDARD 11 CXX_EXTENSIONS OFF)
  target_include_directories(ecs_header_check_cxx PRIVATE
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
  target_compile_options(ecs_header_check_cxx PRIVATE -Wall -Wextra -Wpedantic -Werror)
endif()

if(NOT ECS_SANITIZE)
  # Instrumented builds carry the sanitizers' own symbols; check plain ones.
  add_test(NAME check_exports
    COMMAND sh ${PROJECT_SOURCE_DIR}/tools/check_exports.sh $<TARGET_FILE:ecs>)
  add_test(NAME check_no_globals
    COMMAND sh ${PROJECT_SOURCE_DIR}/tools/check_no_globals.sh $<TARGET_FILE:ecs_static>)
  add_test(NAME install_consumer
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/install/run.sh
            ${PROJECT_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/install
            ${CMAKE_CURRENT_BINARY_DIR}/install_consumer ${CMAKE_C_COMPILER})
  set_tests_properties(check_exports check_no_globals install_consumer
    PROPERTIES LABELS shape TIMEOUT 300)
endif()

add_test(NAME check_floors
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -P ${CMAKE_CURRENT_SOURCE_DIR}/floors.cmake)
set_tests_properties(check_floors PROPERTIES LABELS shape TIMEOUT 60)
