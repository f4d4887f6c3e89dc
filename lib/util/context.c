/*
 * The context: the host's allocator (or malloc/realloc/free), default input
 * limits, and the last failure's status, message and input position, kept in
 * a fixed buffer so that reporting needs no memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ctx_internal.h"

static void *default_alloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void *default_resize(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)user;
    (void)old_size;
    return realloc(ptr, new_size);
}

static void default_release(void *user, void *ptr, size_t size)
{
    (void)user;
    (void)size;
    free(ptr);
}

/* Read a member of a caller's options only if the caller's struct holds it. */
#define OPT_HAS(opts, member) \
    ((opts)->struct_size >= offsetof(ecs_ctx_options, member) + sizeof((opts)->member))

ecs_status ecs_ctx_new(const ecs_ctx_options *opts, ecs_ctx **out)
{
    ecs_allocator alloc = { default_alloc, default_resize, default_release, NULL };
    uint32_t depth = ECS_DEFAULT_MAX_JSON_DEPTH;
    size_t bytes = ECS_DEFAULT_MAX_JSON_BYTES;
    ecs_ctx *ctx;

    if (out == NULL)
        return ECS_E_INVALID_ARG;
    if (opts != NULL) {
        if (opts->struct_size < sizeof(uint32_t))
            return ECS_E_INVALID_ARG;
        if (OPT_HAS(opts, allocator) && opts->allocator != NULL) {
            if (opts->allocator->alloc == NULL || opts->allocator->resize == NULL ||
                opts->allocator->release == NULL)
                return ECS_E_INVALID_ARG;
            alloc = *opts->allocator;
        }
        if (OPT_HAS(opts, max_json_depth) && opts->max_json_depth != 0)
            depth = opts->max_json_depth;
        if (OPT_HAS(opts, max_json_bytes) && opts->max_json_bytes != 0) {
            if (opts->max_json_bytes > ECS_MAX_JSON_BYTES)
                return ECS_E_INVALID_ARG;
            bytes = opts->max_json_bytes;
        }
    }
    ctx = alloc.alloc(alloc.user, sizeof *ctx);
    if (ctx == NULL)
        return ECS_E_NOMEM;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = alloc;
    ctx->max_json_depth = depth;
    ctx->max_json_bytes = bytes;
    *out = ctx;
    return ECS_OK;
}

void ecs_ctx_free(ecs_ctx *ctx)
{
    if (ctx == NULL)
        return;
    ecs_allocator alloc = ctx->alloc;
    alloc.release(alloc.user, ctx, sizeof *ctx);
}

const char *ecs_ctx_errmsg(const ecs_ctx *ctx)
{
    if (ctx == NULL)
        return "no context";
    return ctx->err_msg;
}

ecs_status ecs_ctx_errcode(const ecs_ctx *ctx)
{
    return ctx == NULL ? ECS_OK : ctx->err_code;
}

bool ecs_ctx_errpos(const ecs_ctx *ctx, ecs_errpos *out)
{
    if (ctx == NULL || !ctx->has_pos)
        return false;
    if (out != NULL)
        *out = ctx->err_pos;
    return true;
}

void ecs_ctx_clear_error(ecs_ctx *ctx)
{
    if (ctx == NULL)
        return;
    ctx->err_code = ECS_OK;
    ctx->has_pos = false;
    ctx->err_msg[0] = '\0';
}

ecs_status ecs_ctx__vfail(ecs_ctx *ctx, ecs_status status, const char *fmt, va_list ap)
{
    char msg[sizeof ctx->err_msg];
    if (ctx == NULL)
        return status;
    ctx->err_code = status;
    ctx->has_pos = false;
    /* formatted aside first: the arguments may be the old message itself */
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    memcpy(ctx->err_msg, msg, sizeof msg);
    return status;
}

ecs_status ecs_ctx__fail(ecs_ctx *ctx, ecs_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status = ecs_ctx__vfail(ctx, status, fmt, ap);
    va_end(ap);
    return status;
}

ecs_status ecs_ctx__fail_at(ecs_ctx *ctx, ecs_status status, const char *input, size_t offset,
                            const char *fmt, ...)
{
    ecs_errpos pos = { offset, 1, 1 };
    size_t i, used;
    int n;
    va_list ap;

    if (ctx == NULL)
        return status;
    for (i = 0; i < offset && input != NULL; i++) {
        unsigned char c = (unsigned char)input[i];
        if (c == '\n') {
            pos.line++;
            pos.column = 1;
        } else if ((c & 0xC0u) != 0x80u) {
            pos.column++; /* count code points, not continuation bytes */
        }
    }
    n = snprintf(ctx->err_msg, sizeof ctx->err_msg, "line %zu, column %zu (byte %zu): ",
                 pos.line, pos.column, pos.offset);
    used = n < 0 ? 0 : (size_t)n;
    if (used >= sizeof ctx->err_msg)
        used = sizeof ctx->err_msg - 1;
    va_start(ap, fmt);
    if (vsnprintf(ctx->err_msg + used, sizeof ctx->err_msg - used, fmt, ap) < 0)
        ctx->err_msg[used] = '\0';
    va_end(ap);
    ctx->err_code = status;
    ctx->has_pos = true;
    ctx->err_pos = pos;
    return status;
}

void *ecs_ctx__alloc(ecs_ctx *ctx, size_t size)
{
    void *p = ctx->alloc.alloc(ctx->alloc.user, size);
    if (p == NULL)
        ecs_ctx__fail(ctx, ECS_E_NOMEM, "out of memory (allocating %zu bytes)", size);
    return p;
}

void *ecs_ctx__resize(ecs_ctx *ctx, void *ptr, size_t old_size, size_t new_size)
{
    void *p = ctx->alloc.resize(ctx->alloc.user, ptr, old_size, new_size);
    if (p == NULL)
        ecs_ctx__fail(ctx, ECS_E_NOMEM, "out of memory (growing a block to %zu bytes)", new_size);
    return p;
}

void ecs_ctx__release(ecs_ctx *ctx, void *ptr, size_t size)
{
    if (ptr != NULL)
        ctx->alloc.release(ctx->alloc.user, ptr, size);
}
