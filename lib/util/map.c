/* String-keyed open-addressing hash map; see map.h. */
#include <string.h>

#include "util/ckd.h"
#include "util/map.h"

uint64_t ecs_map__hash(const char *key, size_t len)
{
    /* eight bytes a step, multiply and fold, then a final mix; 0 and 1 are
     * reserved markers */
    const uint64_t k = 0x9E3779B97F4A7C15u;
    uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)len, w;
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        memcpy(&w, key + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < len) {
        w = 0;
        memcpy(&w, key + i, len - i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h < 2 ? h + 2 : h;
}

#define hash_key ecs_map__hash

void ecs_map__prefetch(const ecs_map *m, uint64_t h)
{
#if defined(__GNUC__)
    if (m->cap != 0)
        __builtin_prefetch(&m->slots[(size_t)h & (m->cap - 1)], 1);
#else
    (void)m;
    (void)h;
#endif
}

static void insert_slot(ecs_map_slot *slots, size_t cap, uint64_t h, const char *key, size_t len,
                        void *val)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].hash >= 2)
        i = (i + 1) & (cap - 1);
    slots[i].hash = h;
    slots[i].key = key;
    slots[i].len = len;
    slots[i].val = val;
}

ecs_status ecs_map__reserve(ecs_ctx *ctx, ecs_map *m, size_t extra)
{
    size_t need, cap, bytes;
    ecs_map_slot *slots;
    if (!ecs_ckd_add_size(&need, m->used, extra))
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "map too large");
    /* keep the load (tombstones included) under 3/4 */
    if (m->cap != 0 && need <= m->cap / 4 * 3)
        return ECS_OK;
    cap = 16;
    while (cap / 4 * 3 < m->count + extra) {
        if (cap > SIZE_MAX / 4)
            return ecs_ctx__fail(ctx, ECS_E_LIMIT, "map too large");
        cap *= 2;
    }
    if (!ecs_ckd_mul_size(&bytes, cap, sizeof *slots))
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "map too large");
    slots = ecs_ctx__alloc(ctx, bytes);
    if (slots == NULL)
        return ECS_E_NOMEM;
    memset(slots, 0, bytes);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].hash >= 2)
            insert_slot(slots, cap, m->slots[i].hash, m->slots[i].key, m->slots[i].len,
                        m->slots[i].val);
    }
    if (m->slots != NULL)
        ecs_ctx__release(ctx, m->slots, m->cap * sizeof *slots);
    m->slots = slots;
    m->cap = cap;
    m->used = m->count;
    return ECS_OK;
}

static ecs_map_slot *find(const ecs_map *m, const char *key, size_t len, uint64_t h)
{
    size_t i;
    if (m->cap == 0)
        return NULL;
    i = (size_t)h & (m->cap - 1);
    while (m->slots[i].hash != 0) {
        ecs_map_slot *s = &m->slots[i];
        if (s->hash == h && s->len == len && (len == 0 || memcmp(s->key, key, len) == 0))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

void ecs_map__put(ecs_map *m, const char *key, size_t len, void *val)
{
    uint64_t h = hash_key(key, len);
    ecs_map_slot *s = find(m, key, len, h);
    if (s != NULL) {
        s->key = key;
        s->val = val;
        return;
    }
    insert_slot(m->slots, m->cap, h, key, len, val);
    m->count++;
    m->used++;
}

bool ecs_map__put_new(ecs_map *m, const char *key, size_t len, void *val)
{
    return ecs_map__put_new_h(m, hash_key(key, len), key, len, val);
}

bool ecs_map__put_new_h(ecs_map *m, uint64_t h, const char *key, size_t len, void *val)
{
    size_t i = (size_t)h & (m->cap - 1), free_at = SIZE_MAX;
    while (m->slots[i].hash != 0) {
        ecs_map_slot *s = &m->slots[i];
        if (s->hash == 1 && free_at == SIZE_MAX)
            free_at = i;
        if (s->hash == h && s->len == len && (len == 0 || memcmp(s->key, key, len) == 0))
            return false;
        i = (i + 1) & (m->cap - 1);
    }
    if (free_at == SIZE_MAX)
        free_at = i;
    m->slots[free_at].hash = h;
    m->slots[free_at].key = key;
    m->slots[free_at].len = len;
    m->slots[free_at].val = val;
    m->count++;
    m->used++;
    return true;
}

void *ecs_map__get(const ecs_map *m, const char *key, size_t len)
{
    ecs_map_slot *s = find(m, key, len, hash_key(key, len));
    return s != NULL ? s->val : NULL;
}

void *ecs_map__del(ecs_map *m, const char *key, size_t len)
{
    ecs_map_slot *s = find(m, key, len, hash_key(key, len));
    void *v;
    if (s == NULL)
        return NULL;
    v = s->val;
    s->hash = 1; /* tombstone: keeps probe chains intact */
    s->key = NULL;
    s->val = NULL;
    m->count--;
    return v;
}

void ecs_map__free(ecs_ctx *ctx, ecs_map *m)
{
    if (m->slots != NULL)
        ecs_ctx__release(ctx, m->slots, m->cap * sizeof *m->slots);
    m->slots = NULL;
    m->cap = m->count = m->used = 0;
}
