/* Owned strings and growable arrays through the context's allocator. */
#include <stdarg.h>
#include <stdio.h>

#include "util/ckd.h"
#include "util/str.h"

ecs_status ecs_str__dup(ecs_ctx *ctx, ecs_str *out, const char *s, size_t len)
{
    char *p;
    size_t bytes;
    if (len == 0) {
        out->p = NULL;
        out->len = 0;
        return ECS_OK;
    }
    if (!ecs_ckd_add_size(&bytes, len, 1))
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "string too long");
    p = ecs_ctx__alloc(ctx, bytes);
    if (p == NULL)
        return ECS_E_NOMEM;
    memcpy(p, s, len);
    p[len] = '\0';
    out->p = p;
    out->len = len;
    return ECS_OK;
}

ecs_status ecs_str__fmt(ecs_ctx *ctx, ecs_str *out, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ecs_ctx__fail(ctx, ECS_E_INTERNAL, "formatting failed");
    if ((size_t)n < sizeof small)
        return ecs_str__dup(ctx, out, small, (size_t)n);
    {
        char *p = ecs_ctx__alloc(ctx, (size_t)n + 1);
        if (p == NULL)
            return ECS_E_NOMEM;
        va_start(ap, fmt);
        (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
        out->p = p;
        out->len = (size_t)n;
    }
    return ECS_OK;
}

void ecs_str__free(ecs_ctx *ctx, ecs_str *s)
{
    if (s->p != NULL)
        ecs_ctx__release(ctx, s->p, s->len + 1);
    s->p = NULL;
    s->len = 0;
}

ecs_status ecs_vec__reserve(ecs_ctx *ctx, void **items, size_t *cap, size_t elem_size,
                            size_t need)
{
    size_t ncap, bytes, old_bytes;
    void *p;
    if (need <= *cap)
        return ECS_OK;
    ncap = *cap < 8 ? 8 : *cap;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return ecs_ctx__fail(ctx, ECS_E_LIMIT, "array too large");
        ncap *= 2;
    }
    if (!ecs_ckd_mul_size(&bytes, ncap, elem_size))
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "array too large");
    old_bytes = *cap * elem_size;
    p = *items == NULL ? ecs_ctx__alloc(ctx, bytes) : ecs_ctx__resize(ctx, *items, old_bytes, bytes);
    if (p == NULL)
        return ECS_E_NOMEM;
    *items = p;
    *cap = ncap;
    return ECS_OK;
}

void ecs_vec__free(ecs_ctx *ctx, void *items, size_t cap, size_t elem_size)
{
    if (items != NULL)
        ecs_ctx__release(ctx, items, cap * elem_size);
}
