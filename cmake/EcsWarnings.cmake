# Warning flags for everything libecs builds. ecs_warnings is an INTERFACE
# target that each of our targets links privately; hosts never see the flags.
add_library(ecs_warnings INTERFACE)
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(ecs_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
    -Wcast-qual -Wformat=2 -Wundef -Wwrite-strings -Wpointer-arith -Wvla
    -Wimplicit-fallthrough -Wnull-dereference -Wdouble-promotion
    -Wswitch-enum -Wredundant-decls)
  if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
    target_compile_options(ecs_warnings INTERFACE
      -Wlogical-op -Wduplicated-cond -Wduplicated-branches)
  else()
    target_compile_options(ecs_warnings INTERFACE
      -Wcomma -Wshorten-64-to-32 -Wmissing-variable-declarations)
  endif()
  if(ECS_WERROR)
    target_compile_options(ecs_warnings INTERFACE -Werror)
  endif()
endif()
