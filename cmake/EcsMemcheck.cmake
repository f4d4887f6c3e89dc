# ECS_MEMCHECK=ON (needs valgrind) registers each C unit test and each fuzz
# corpus replay a second time, as memcheck_<name> with the label memcheck,
# running the same program under valgrind's memcheck. Any memory error
# (invalid read or write, use of uninitialised memory, bad free) or any
# definite or indirect leak makes valgrind exit 99, which fails the test.
# Off by default, so the plain `ctest` runs none of them; CI runs them with
# `ctest -L memcheck`. Not with ECS_SANITIZE: valgrind cannot run ASan code.
if(ECS_MEMCHECK)
  if(ECS_SANITIZE)
    message(FATAL_ERROR "ECS_MEMCHECK and ECS_SANITIZE do not mix (valgrind cannot run sanitizer builds)")
  endif()
  find_program(ECS_VALGRIND valgrind REQUIRED)
  set(ECS_MEMCHECK_FLAGS
    --tool=memcheck --error-exitcode=99
    --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --num-callers=40)
endif()

# ecs_add_memcheck_test(NAME TARGET [ARGS...]): memcheck_NAME runs TARGET's
# program with ARGS under valgrind (nothing when ECS_MEMCHECK is off).
function(ecs_add_memcheck_test name target)
  if(ECS_MEMCHECK)
    add_test(NAME memcheck_${name}
             COMMAND ${ECS_VALGRIND} ${ECS_MEMCHECK_FLAGS} $<TARGET_FILE:${target}> ${ARGN})
    set_tests_properties(memcheck_${name} PROPERTIES LABELS memcheck TIMEOUT 1500)
  endif()
endfunction()
