/*
 * Hashing, the engine's open-addressing map and its string interner.
 *
 * The map keeps no keys: a cell holds the top 32 bits of a key's 64-bit
 * hash and the 32-bit value the key maps to, and a lookup asks the caller
 * whether a candidate value's key equals the probe. Linear probing keeps a
 * lookup to one or two cache lines; deletion shifts the following run back
 * so that no tombstones accumulate. The load stays at or below one half.
 */
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

uint64_t ecs_place__hash(const char *s, size_t len)
{
    /* Eight bytes at a time, each word multiplied in and rotated, then a
     * final avalanche so that the low bits depend on every byte. */
    uint64_t h = 0x9E3779B97F4A7C15u ^ ((uint64_t)len * 0xC2B2AE3D27D4EB4Fu);
    uint64_t w;

    while (len >= 8) {
        memcpy(&w, s, 8);
        h ^= w * 0x87C37B91114253D5u;
        h = ((h << 31) | (h >> 33)) * 0x4CF5AD432745937Fu;
        s += 8;
        len -= 8;
    }
    if (len > 0) {
        w = 0;
        memcpy(&w, s, len);
        h ^= w * 0x87C37B91114253D5u;
        h = ((h << 31) | (h >> 33)) * 0x4CF5AD432745937Fu;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDu;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53u;
    h ^= h >> 33;
    return h;
}

uint64_t ecs_place__hash_u32(uint32_t v)
{
    uint64_t h = (uint64_t)v * 0x9E3779B97F4A7C15u;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 32;
    return h;
}

/* A cell keeps only the top 32 bits of the hash (the tag); the home cell
 * is derived from the tag, so resizes and deletions need no key. */
static uint64_t cell_make(uint64_t h, uint32_t value)
{
    return (h & 0xFFFFFFFF00000000u) | ((uint64_t)value + 1u);
}

static size_t home_of(uint64_t cell, size_t mask)
{
    return (size_t)ecs_place__hash_u32((uint32_t)(cell >> 32)) & mask;
}

uint32_t ecs_place__map_find(const ecs_pl_map *m, uint64_t h, ecs_pl_eqfn eq, const void *probe)
{
    size_t mask, i;
    uint64_t tag = h & 0xFFFFFFFF00000000u;

    if (m->cap == 0)
        return ECS_PL_NIL;
    mask = m->cap - 1;
    for (i = home_of(tag, mask);; i = (i + 1) & mask) {
        uint64_t c = m->cells[i];
        if (c == 0)
            return ECS_PL_NIL;
        if ((c & 0xFFFFFFFF00000000u) == tag) {
            uint32_t v = (uint32_t)((c & 0xFFFFFFFFu) - 1u);
            if (eq(probe, v))
                return v;
        }
    }
}

static void put_raw(uint64_t *cells, size_t cap, uint64_t cell)
{
    size_t mask = cap - 1, i;

    for (i = home_of(cell, mask); cells[i] != 0; i = (i + 1) & mask) {
    }
    cells[i] = cell;
}

ecs_status ecs_place__map_reserve(ecs_ctx *ctx, ecs_pl_map *m, size_t n)
{
    size_t ncap, bytes, i;
    uint64_t *cells;

    if (n <= m->cap / 2)
        return ECS_OK;
    ncap = m->cap == 0 ? 16 : m->cap;
    while (ncap / 2 < n) {
        if (ncap > SIZE_MAX / 4)
            return ecs_ctx__fail(ctx, ECS_E_LIMIT, "placement map too large");
        ncap *= 2;
    }
    if (!ecs_ckd_mul_size(&bytes, ncap, sizeof *cells))
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "placement map too large");
    cells = ecs_ctx__alloc(ctx, bytes);
    if (cells == NULL)
        return ECS_E_NOMEM;
    memset(cells, 0, bytes);
    for (i = 0; i < m->cap; i++)
        if (m->cells[i] != 0)
            put_raw(cells, ncap, m->cells[i]);
    if (m->cells != NULL)
        ecs_ctx__release(ctx, m->cells, m->cap * sizeof *m->cells);
    m->cells = cells;
    m->cap = ncap;
    return ECS_OK;
}

void ecs_place__map_put(ecs_pl_map *m, uint64_t h, uint32_t value)
{
    put_raw(m->cells, m->cap, cell_make(h, value));
    m->count++;
}

void ecs_place__map_del(ecs_pl_map *m, uint64_t h, uint32_t value)
{
    size_t mask, i, j;
    uint64_t want = cell_make(h, value);

    if (m->cap == 0)
        return;
    mask = m->cap - 1;
    for (i = home_of(want, mask);; i = (i + 1) & mask) {
        if (m->cells[i] == 0)
            return;
        if (m->cells[i] == want)
            break;
    }
    /* Backward-shift deletion: move later members of the run into the
     * hole when their home does not lie cyclically in (hole, j]. */
    j = i;
    for (;;) {
        size_t k;
        j = (j + 1) & mask;
        if (m->cells[j] == 0)
            break;
        k = home_of(m->cells[j], mask);
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            m->cells[i] = m->cells[j];
            i = j;
        }
    }
    m->cells[i] = 0;
    m->count--;
}

void ecs_place__map_free(ecs_ctx *ctx, ecs_pl_map *m)
{
    if (m->cells != NULL)
        ecs_ctx__release(ctx, m->cells, m->cap * sizeof *m->cells);
    m->cells = NULL;
    m->cap = 0;
    m->count = 0;
}

/* ------------------------------------------------------------------------ */
/* Atoms                                                                     */

typedef struct str_probe {
    const ecs_str *items;
    const char *s;
    size_t len;
} str_probe;

static bool atom_eq(const void *probe, uint32_t v)
{
    const str_probe *p = probe;
    return ecs_str__eq(&p->items[v], p->s, p->len);
}

uint32_t ecs_place__atom_find(const ecs_place *e, const char *s, size_t len)
{
    str_probe p;

    p.items = e->atoms;
    p.s = s;
    p.len = len;
    return ecs_place__map_find(&e->atom_map, ecs_place__hash(s, len), atom_eq, &p);
}

ecs_status ecs_place__atom_intern(ecs_place *e, const char *s, size_t len, uint32_t *out)
{
    uint32_t a = ecs_place__atom_find(e, s, len);
    ecs_status rc;
    ecs_str copy;

    if (a != ECS_PL_NIL) {
        *out = a;
        return ECS_OK;
    }
    if (e->natoms >= ECS_PL_MAX_SLOTS)
        return ecs_ctx__fail(e->ctx, ECS_E_LIMIT, "too many distinct names and values");
    rc = ecs_vec__reserve(e->ctx, (void **)&e->atoms, &e->catoms, sizeof *e->atoms, e->natoms + 1);
    if (rc != ECS_OK)
        return rc;
    rc = ecs_place__map_reserve(e->ctx, &e->atom_map, e->natoms + 1);
    if (rc != ECS_OK)
        return rc;
    rc = ecs_str__dup(e->ctx, &copy, s, len);
    if (rc != ECS_OK)
        return rc;
    a = (uint32_t)e->natoms;
    e->atoms[e->natoms++] = copy;
    ecs_place__map_put(&e->atom_map, ecs_place__hash(s, len), a);
    *out = a;
    return ECS_OK;
}
