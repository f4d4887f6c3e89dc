# The lines of ../shared/ARCHITECTURE.md that never run, checked on the
# sources (run as `cmake -DSRC=<project dir> -P floors.cmake`; CTest does):
#  - a folder of lib/ includes only its own headers, the public ones
#    (ecs/...) and the folders it may know (below);
#  - no two files include each other;
#  - tools/, bench/ and examples/ include no header of lib/: they use the
#    public API, as any host does.
# Fails with one line per include that breaks a rule.
cmake_minimum_required(VERSION 3.20)

# What each folder of lib/ may include besides itself and ecs/, bottom up.
set(allowed_util "")
set(allowed_json "util")
set(allowed_query "util")
set(allowed_model "util")
set(allowed_place "query;util")
set(allowed_deploy "util")
set(allowed_plane "model;place;deploy;query;json;util")
set(allowed_api "plane;model;place;deploy;query;json;util")
set(floors util json query model place deploy plane api)

if(NOT SRC)
  message(FATAL_ERROR "floors.cmake: pass -DSRC=<project source dir>")
endif()

set(broken "")
set(edges "")

# The quoted includes of FILE ("dir/name.h" and the like), in out_var.
function(quoted_includes file out_var)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
  set(incs "")
  foreach(line ${lines})
    string(REGEX REPLACE "^[^\"]*\"([^\"]+)\".*$" "\\1" inc "${line}")
    list(APPEND incs "${inc}")
  endforeach()
  set(${out_var} "${incs}" PARENT_SCOPE)
endfunction()

file(GLOB lib_dirs RELATIVE ${SRC}/lib ${SRC}/lib/*)
foreach(d ${lib_dirs})
  if(IS_DIRECTORY ${SRC}/lib/${d} AND NOT d IN_LIST floors)
    list(APPEND broken "lib/${d}/: a folder with no floor (add it to tests/floors.cmake)")
  endif()
endforeach()

foreach(d ${floors})
  file(GLOB files RELATIVE ${SRC}/lib ${SRC}/lib/${d}/*.c ${SRC}/lib/${d}/*.h)
  foreach(f ${files})
    quoted_includes(${SRC}/lib/${f} incs)
    foreach(inc ${incs})
      if(inc MATCHES "^([a-z_]+)/")
        set(to ${CMAKE_MATCH_1})
        if(NOT to STREQUAL "ecs" AND NOT to STREQUAL d AND NOT to IN_LIST allowed_${d})
          set(may ${d} ecs ${allowed_${d}})
          string(REPLACE ";" "/, " may "${may}")
          list(APPEND broken "lib/${f}: includes \"${inc}\", but lib/${d}/ may include only ${may}/")
        endif()
        list(APPEND edges "${f}>${inc}")
      else()
        list(APPEND broken "lib/${f}: includes \"${inc}\" without its folder (write \"${d}/${inc}\")")
      endif()
    endforeach()
  endforeach()
endforeach()

foreach(e ${edges})
  string(REPLACE ">" ";" pair "${e}")
  list(GET pair 0 a)
  list(GET pair 1 b)
  if("${b}>${a}" IN_LIST edges AND a STRLESS b)
    list(APPEND broken "lib/${a} and lib/${b} include each other")
  endif()
endforeach()

file(GLOB_RECURSE host_files RELATIVE ${SRC}
     ${SRC}/tools/*.c ${SRC}/tools/*.h ${SRC}/bench/*.c ${SRC}/bench/*.h
     ${SRC}/examples/*.c ${SRC}/examples/*.h)
foreach(f ${host_files})
  quoted_includes(${SRC}/${f} incs)
  foreach(inc ${incs})
    if(inc MATCHES "^([a-z_]+)/" AND CMAKE_MATCH_1 IN_LIST floors)
      list(APPEND broken "${f}: includes \"${inc}\", a header of lib/ (hosts use the public API)")
    endif()
  endforeach()
endforeach()

if(broken)
  list(JOIN broken "\n  " text)
  message(FATAL_ERROR "floors: includes that break ../shared/ARCHITECTURE.md:\n  ${text}")
endif()
list(LENGTH edges n)
message(STATUS "floors: ${n} includes inside lib/ checked, none upward, none mutual; hosts use only ecs/")
