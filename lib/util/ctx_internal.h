/*
 * What the rest of lib/ uses of the context: allocation through the host's
 * allocator with sizes, and recording a failure's message and position.
 */
#ifndef ECS_UTIL_CTX_INTERNAL_H
#define ECS_UTIL_CTX_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "ecs/context.h"

#if defined(__GNUC__) || defined(__clang__)
#define ECS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define ECS_PRINTF(fmt, args)
#endif

#define ECS_ERRMSG_SIZE 512

struct ecs_ctx {
    ecs_allocator alloc;
    uint32_t max_json_depth;
    size_t max_json_bytes;
    ecs_status err_code;
    bool has_pos;
    ecs_errpos err_pos;
    char err_msg[ECS_ERRMSG_SIZE];
};

/* Allocate size bytes (size > 0); on refusal records ECS_E_NOMEM and a
 * message naming the size, and returns NULL. */
void *ecs_ctx__alloc(ecs_ctx *ctx, size_t size);
/* Resize a block; NULL (block intact, NOMEM recorded) on refusal. */
void *ecs_ctx__resize(ecs_ctx *ctx, void *ptr, size_t old_size, size_t new_size);
/* Release a block; NULL is fine. */
void ecs_ctx__release(ecs_ctx *ctx, void *ptr, size_t size);

/* Record a failure with a printf-style message; returns status. */
ecs_status ecs_ctx__fail(ecs_ctx *ctx, ecs_status status, const char *fmt, ...) ECS_PRINTF(3, 4);
ecs_status ecs_ctx__vfail(ecs_ctx *ctx, ecs_status status, const char *fmt, va_list ap)
    ECS_PRINTF(3, 0);
/* Record a failure at a position in an input: line and column are computed
 * from input[0..offset), and the message is prefixed with them. */
ecs_status ecs_ctx__fail_at(ecs_ctx *ctx, ecs_status status, const char *input, size_t offset,
                            const char *fmt, ...) ECS_PRINTF(5, 6);

#endif /* ECS_UTIL_CTX_INTERNAL_H */
