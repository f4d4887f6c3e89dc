/**
 * @file ecs/export.h
 * @brief Symbol visibility: ECS_API marks the functions libecs exports.
 *
 * The library is built with hidden visibility; only declarations marked
 * ECS_API are part of the shared library's interface. A host that links the
 * static library defines ECS_STATIC (the CMake target and ecs.pc do this for
 * it) so that the declarations carry no import attributes.
 */
#ifndef ECS_EXPORT_H
#define ECS_EXPORT_H

#if defined(_WIN32) && !defined(ECS_STATIC)
#  if defined(ECS_BUILDING_LIBRARY)
#    define ECS_API __declspec(dllexport)
#  else
#    define ECS_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define ECS_API __attribute__((visibility("default")))
#else
#  define ECS_API
#endif

#endif /* ECS_EXPORT_H */
