/*
 * Owned strings and growable arrays, allocated through the context.
 * An ecs_str is NUL-terminated (for convenience, not for length) and
 * occupies len + 1 bytes from the allocator; the empty string owns nothing.
 */
#ifndef ECS_UTIL_STR_H
#define ECS_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/ctx_internal.h"

typedef struct ecs_str {
    char *p;    /* NULL when len == 0 */
    size_t len;
} ecs_str;

/* Copy s[0..len) into *out (untouched on failure). */
ecs_status ecs_str__dup(ecs_ctx *ctx, ecs_str *out, const char *s, size_t len);
/* printf into a new string. */
ecs_status ecs_str__fmt(ecs_ctx *ctx, ecs_str *out, const char *fmt, ...) ECS_PRINTF(3, 4);
void ecs_str__free(ecs_ctx *ctx, ecs_str *s);

static inline const char *ecs_str__c(const ecs_str *s)
{
    return s->p != NULL ? s->p : "";
}

static inline bool ecs_str__eq(const ecs_str *a, const char *s, size_t len)
{
    return a->len == len && (len == 0 || memcmp(a->p, s, len) == 0);
}

static inline int ecs_str__cmp(const ecs_str *a, const ecs_str *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->p, b->p, n) : 0;
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : (a->len > b->len ? 1 : 0);
}

/* Make room for `need` elements of elem_size bytes in *items (capacity
 * *cap, grown geometrically). Nothing changes on failure. */
ecs_status ecs_vec__reserve(ecs_ctx *ctx, void **items, size_t *cap, size_t elem_size,
                            size_t need);
/* Release an array made by ecs_vec__reserve. */
void ecs_vec__free(ecs_ctx *ctx, void *items, size_t cap, size_t elem_size);

#endif /* ECS_UTIL_STR_H */
