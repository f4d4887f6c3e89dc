/*
 * Instance attributes (set, unset, read) and the engine's cache of compiled
 * memberOf expressions.
 *
 * An instance keeps its attributes as (name atom, value atom) pairs sorted
 * by name, so a lookup is a binary search over a few entries. Changing one
 * marks the instance's static properties dirty in the views, which is what
 * invalidates the per-instance memberOf results they cache. Compiled
 * expressions are kept by text, a few at a time (least recently used goes).
 */
#include <string.h>

#include "place/place_internal.h"

static bool bad_str(const char *s, size_t len)
{
    return s == NULL && len != 0;
}

/* ------------------------------------------------------------------------ */
/* Attributes                                                                */

static uint32_t attr_pos(const ecs_pl_inst *it, uint32_t name, bool *found)
{
    uint32_t lo = 0, hi = it->nattrs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (it->attrs[mid].name < name)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < it->nattrs && it->attrs[lo].name == name;
    return lo;
}

ecs_status ecs_place_set_attribute(ecs_place *e, const char *id, size_t id_len, const char *name,
                                   size_t name_len, const char *value, size_t value_len)
{
    uint32_t slot, na, va, pos;
    ecs_pl_inst *it;
    ecs_status rc;
    size_t cap;
    bool found;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    if (bad_str(id, id_len) || name == NULL || name_len == 0 || bad_str(value, value_len))
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "set_attribute: bad id, name or value");
    slot = ecs_place__slot_find(e, id, id_len);
    if (slot == ECS_PL_NIL)
        return ecs_ctx__fail(e->ctx, ECS_E_NOT_FOUND, "no instance '%.*s'",
                             (int)(id_len > 200 ? 200 : id_len), id);
    if ((rc = ecs_place__atom_intern(e, name, name_len, &na)) != ECS_OK ||
        (rc = ecs_place__atom_intern(e, value, value_len, &va)) != ECS_OK)
        return rc;
    it = &e->inst[slot];
    pos = attr_pos(it, na, &found);
    if (found) {
        if (it->attrs[pos].value == va)
            return ECS_OK;
        it->attrs[pos].value = va;
    } else {
        cap = it->cattrs;
        rc = ecs_vec__reserve(e->ctx, (void **)&it->attrs, &cap, sizeof *it->attrs,
                              (size_t)it->nattrs + 1);
        if (rc != ECS_OK)
            return rc;
        it->cattrs = (uint32_t)cap;
        memmove(&it->attrs[pos + 1], &it->attrs[pos], (it->nattrs - pos) * sizeof *it->attrs);
        it->attrs[pos].name = na;
        it->attrs[pos].value = va;
        it->nattrs++;
    }
    ecs_place__views_touch(e, slot, true);
    return ECS_OK;
}

ecs_status ecs_place_unset_attribute(ecs_place *e, const char *id, size_t id_len, const char *name,
                                     size_t name_len)
{
    uint32_t slot, na, pos;
    ecs_pl_inst *it;
    bool found;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    if (bad_str(id, id_len) || name == NULL || name_len == 0)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "unset_attribute: bad id or name");
    slot = ecs_place__slot_find(e, id, id_len);
    if (slot == ECS_PL_NIL)
        return ecs_ctx__fail(e->ctx, ECS_E_NOT_FOUND, "no instance '%.*s'",
                             (int)(id_len > 200 ? 200 : id_len), id);
    na = ecs_place__atom_find(e, name, name_len);
    if (na == ECS_PL_NIL)
        return ECS_OK;
    it = &e->inst[slot];
    pos = attr_pos(it, na, &found);
    if (!found)
        return ECS_OK;
    memmove(&it->attrs[pos], &it->attrs[pos + 1], (it->nattrs - pos - 1) * sizeof *it->attrs);
    it->nattrs--;
    ecs_place__views_touch(e, slot, true);
    return ECS_OK;
}

uint32_t ecs_place__attr_value(const ecs_place *e, uint32_t slot, uint32_t name)
{
    bool found;
    uint32_t pos;
    if (name == ECS_PL_NIL)
        return ECS_PL_NIL;
    pos = attr_pos(&e->inst[slot], name, &found);
    return found ? e->inst[slot].attrs[pos].value : ECS_PL_NIL;
}

/* ------------------------------------------------------------------------ */
/* Compiled memberOf expressions                                             */

ecs_status ecs_place__query_get(ecs_place *e, const char *text, size_t len, ecs_query **out,
                                bool *dep)
{
    size_t i, victim = 0;
    ecs_pl_qentry *q;
    ecs_query *compiled = NULL;
    char *copy;
    ecs_status rc;

    for (i = 0; i < ECS_PL_MAX_QCACHE; i++) {
        q = &e->qcache[i];
        if (q->q != NULL && q->len == len && memcmp(q->text, text, len) == 0) {
            q->tick = ++e->tick;
            *out = q->q;
            *dep = q->dep;
            return ECS_OK;
        }
    }
    rc = ecs_query__compile(e->ctx, text, len, &compiled);
    if (rc != ECS_OK)
        return rc;
    copy = ecs_ctx__alloc(e->ctx, len + 1);
    if (copy == NULL) {
        ecs_query__free(e->ctx, compiled);
        return ECS_E_NOMEM;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    /* The victim: an empty entry, else the least recently used one that
     * this request has not touched (a request holds at most
     * ECS_PLACE_MAX_CONSTRAINTS < ECS_PL_MAX_QCACHE entries, all touched
     * at or after its start tick, so the oldest is never one of them). */
    for (i = 0; i < ECS_PL_MAX_QCACHE; i++) {
        if (e->qcache[i].q == NULL) {
            victim = i;
            break;
        }
        if (e->qcache[i].tick < e->qcache[victim].tick)
            victim = i;
    }
    q = &e->qcache[victim];
    if (q->q != NULL) {
        ecs_query__free(e->ctx, q->q);
        ecs_ctx__release(e->ctx, q->text, q->len + 1);
    }
    q->text = copy;
    q->len = len;
    q->q = compiled;
    q->dep = ecs_query__depends_on_tasks(compiled);
    q->tick = ++e->tick;
    *out = q->q;
    *dep = q->dep;
    return ECS_OK;
}
