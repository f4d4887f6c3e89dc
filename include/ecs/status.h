/**
 * @file ecs/status.h
 * @brief Status codes returned by every fallible libecs function.
 *
 * Zero is success, positive values are non-error outcomes, negative values
 * are failures: test with `rc < 0`. A failure's detail (what was wrong and
 * where) is kept in the context the call was given; read it with
 * ecs_ctx_errmsg() and ecs_ctx_errpos() before the next call on that context.
 * Values are part of the ABI and are never renumbered.
 */
#ifndef ECS_STATUS_H
#define ECS_STATUS_H

#include "ecs/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ecs_status {
    ECS_OK = 0,             /**< Success. */
    ECS_DONE = 1,           /**< Success; an iteration or plan has finished. */
    ECS_E_NOMEM = -1,       /**< The allocator refused memory; nothing changed. */
    ECS_E_INVALID_ARG = -2, /**< A NULL or out-of-range argument, or misuse. */
    ECS_E_PARSE = -3,       /**< Input is not well-formed (JSON, expression...). */
    ECS_E_NOT_FOUND = -4,   /**< A named thing does not exist. */
    ECS_E_CONFLICT = -5,    /**< The request conflicts with existing state. */
    ECS_E_NO_CAPACITY = -6, /**< Nowhere to put it. */
    ECS_E_LIMIT = -7,       /**< A size, depth, count or range limit was exceeded. */
    ECS_E_STATE = -8,       /**< The object is in the wrong state for the call. */
    ECS_E_INTERNAL = -99    /**< A bug in libecs; please report it. */
} ecs_status;

/**
 * A short fixed name for a status, such as "ECS_E_PARSE".
 * @return Static text, never NULL ("ECS_E_UNKNOWN" for values not listed).
 */
ECS_API const char *ecs_status_str(ecs_status status);

#ifdef __cplusplus
}
#endif

#endif /* ECS_STATUS_H */
