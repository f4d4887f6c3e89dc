# ECS_SANITIZE=address,undefined builds every target with those sanitizers.
# UBSan is made fatal so that a report fails the test that caused it.
if(ECS_SANITIZE)
  set(_ecs_san_flags -fsanitize=${ECS_SANITIZE} -fno-omit-frame-pointer)
  if(ECS_SANITIZE MATCHES "undefined")
    list(APPEND _ecs_san_flags -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_ecs_san_flags})
  add_link_options(${_ecs_san_flags})
endif()
