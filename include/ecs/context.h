/**
 * @file ecs/context.h
 * @brief The context: allocator, limits and the detail of the last failure.
 *
 * Every fallible libecs call takes an ecs_ctx first. The context holds the
 * allocator that every object made through it uses, the default limits for
 * input the library parses, and a fixed buffer with the message of the last
 * failure (so that even ECS_E_NOMEM can be explained without memory).
 *
 * Ownership: ecs_ctx_new() gives the caller a context, released with
 * ecs_ctx_free() after every object made through it has been freed. The
 * context copies the allocator and options it is given and keeps no pointer
 * to them after the call.
 *
 * Threading: libecs has no global mutable state. Two contexts may be used on
 * two threads at once; one context, and every object made through it, must be
 * used by one thread at a time.
 */
#ifndef ECS_CONTEXT_H
#define ECS_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/export.h"
#include "ecs/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Memory functions the host provides. Sizes travel with every call so that a
 * host can use arenas or exact accounting. libecs never calls resize or
 * release with a NULL pointer, and always passes the size it asked for when
 * the block was made (or last resized).
 *
 * - alloc(user, size): a block of at least size bytes (size > 0), aligned for
 *   any object type, or NULL when refused.
 * - resize(user, ptr, old_size, new_size): like realloc (new_size > 0); on
 *   NULL the old block must be left intact.
 * - release(user, ptr, size): give a block back.
 */
typedef struct ecs_allocator {
    void *(*alloc)(void *user, size_t size);
    void *(*resize)(void *user, void *ptr, size_t old_size, size_t new_size);
    void (*release)(void *user, void *ptr, size_t size);
    void *user; /**< Passed back unchanged to the three functions. */
} ecs_allocator;

/** Default nesting limit for JSON input (arrays and objects). */
#define ECS_DEFAULT_MAX_JSON_DEPTH 512u
/** Default size limit for one JSON input, in bytes (64 MiB). */
#define ECS_DEFAULT_MAX_JSON_BYTES ((size_t)64 * 1024 * 1024)
/** The largest JSON input libecs can represent at all (4 GiB - 1). */
#define ECS_MAX_JSON_BYTES ((size_t)0xFFFFFFFFu)

/**
 * Options for ecs_ctx_new(). Initialise with ECS_CTX_OPTIONS_INIT, then set
 * what you need. struct_size lets later versions grow the struct at the end:
 * the library reads only the fields that fit in the size given.
 */
typedef struct ecs_ctx_options {
    uint32_t struct_size;           /**< sizeof(ecs_ctx_options). */
    const ecs_allocator *allocator; /**< NULL: malloc, realloc and free. */
    uint32_t max_json_depth;        /**< 0: ECS_DEFAULT_MAX_JSON_DEPTH. */
    size_t max_json_bytes;          /**< 0: ECS_DEFAULT_MAX_JSON_BYTES; at most ECS_MAX_JSON_BYTES. */
} ecs_ctx_options;

#define ECS_CTX_OPTIONS_INIT { (uint32_t)sizeof(ecs_ctx_options), NULL, 0u, 0u }

typedef struct ecs_ctx ecs_ctx;

/**
 * Make a context.
 *
 * @param opts  Options, or NULL for all defaults.
 * @param out   Receives the context; untouched on failure.
 * @return ECS_OK; ECS_E_INVALID_ARG (out is NULL, opts->struct_size is too
 *         small to hold struct_size itself, an allocator lacks a function, or
 *         max_json_bytes exceeds ECS_MAX_JSON_BYTES); ECS_E_NOMEM.
 *         There is no context to hold a message on failure.
 */
ECS_API ecs_status ecs_ctx_new(const ecs_ctx_options *opts, ecs_ctx **out);

/** Release a context. NULL is fine. Free every object made through it first. */
ECS_API void ecs_ctx_free(ecs_ctx *ctx);

/**
 * The message of the last failure recorded in this context, such as
 * "line 1, column 9: expected ':' after object member name". It stays valid
 * until the next call that takes this context.
 * @return Static or context-owned text, never NULL ("" when no failure is
 *         recorded, "no context" when ctx is NULL).
 */
ECS_API const char *ecs_ctx_errmsg(const ecs_ctx *ctx);

/** The status of the last failure recorded in this context (ECS_OK if none). */
ECS_API ecs_status ecs_ctx_errcode(const ecs_ctx *ctx);

/** Where in an input the last failure was found. Lines and columns count from
 *  1; columns count Unicode code points. */
typedef struct ecs_errpos {
    size_t offset; /**< Byte offset from the start of the input. */
    size_t line;   /**< Line number (LF ends a line). */
    size_t column; /**< Column, in code points, on that line. */
} ecs_errpos;

/**
 * The input position of the last failure, when it had one.
 * @param ctx  Context to read.
 * @param out  Receives the position when there is one; untouched otherwise.
 * @return true when the last failure concerned a position in an input.
 */
ECS_API bool ecs_ctx_errpos(const ecs_ctx *ctx, ecs_errpos *out);

/** Forget the last failure (errmsg becomes "", errcode ECS_OK). NULL is fine. */
ECS_API void ecs_ctx_clear_error(ecs_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* ECS_CONTEXT_H */
