/*
 * A string-keyed hash map of pointers (open addressing, linear probing,
 * tombstones). Keys are borrowed: they must stay valid and unchanged while
 * in the map (typically they point into the value's own strings).
 *
 * Growth is separate from insertion so that callers can keep the plane's
 * all-or-nothing rule: ecs_map__reserve() may fail and changes nothing
 * observable; ecs_map__put() after a successful reserve cannot fail.
 */
#ifndef ECS_UTIL_MAP_H
#define ECS_UTIL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ctx_internal.h"

typedef struct ecs_map_slot {
    uint64_t hash;     /* 0: empty, 1: tombstone, otherwise the key's hash */
    const char *key;
    size_t len;
    void *val;
} ecs_map_slot;

typedef struct ecs_map {
    ecs_map_slot *slots;
    size_t cap;        /* power of two, or 0 */
    size_t count;      /* live entries */
    size_t used;       /* live entries + tombstones */
} ecs_map;

/* Make sure `extra` more entries can be put without allocating. */
ecs_status ecs_map__reserve(ecs_ctx *ctx, ecs_map *m, size_t extra);
/* Insert or replace; requires room (ecs_map__reserve). */
void ecs_map__put(ecs_map *m, const char *key, size_t len, void *val);
/* Insert only when absent (one probe); false, and nothing changed, when the
 * key is there already. Requires room. */
bool ecs_map__put_new(ecs_map *m, const char *key, size_t len, void *val);
void *ecs_map__get(const ecs_map *m, const char *key, size_t len);

/* Bulk loading: a key's hash (never 0 or 1), a hint to bring its slot into
 * the cache ahead of use, and ecs_map__put_new() with the hash given. A
 * loop that prefetches a few keys ahead hides most of the cache misses of
 * a table larger than the cache. */
uint64_t ecs_map__hash(const char *key, size_t len);
void ecs_map__prefetch(const ecs_map *m, uint64_t h);
bool ecs_map__put_new_h(ecs_map *m, uint64_t h, const char *key, size_t len, void *val);
/* Remove; returns the value or NULL. Never allocates. */
void *ecs_map__del(ecs_map *m, const char *key, size_t len);
void ecs_map__free(ecs_ctx *ctx, ecs_map *m);

#endif /* ECS_UTIL_MAP_H */
