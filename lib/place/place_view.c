/*
 * Views: cached indexes that let a placement find its instance in
 * O(log n). A view is built for one request shape: the static filter
 * (required attributes, zones, memberOf expressions that ignore tasks,
 * ACTIVE with a connected agent), the blocking rules (distinctInstance for
 * one group, a set of static host ports and the port limit), and the
 * strategy chain's fast-path shape: an optional spread over one attribute
 * followed by up to three per-instance keys (remaining CPU, remaining
 * memory, tasks of the group on the instance), or plain random.
 *
 * Members (instances passing the static filter) that the blocking rules
 * do not rule out sit in AVL trees keyed by the per-instance keys (unused
 * key words carry the tie rank), one tree per partition of the spread
 * attribute; each partition also counts the group's tasks on every
 * instance with its value, members or not. The static filter is evaluated
 * once per instance and again only when its attributes or identity change:
 * this is the per-instance memberOf result cache, keyed by the
 * expressions' text as part of the view's shape.
 *
 * A view is built from the instances in tie-rank order, so when the keys
 * are all equal (a new group's counts) no sort is needed. Keeping it up to
 * date is place_refresh.c's job. Views are kept in a small LRU; memory
 * trouble drops a view (the general path takes over), never fails a call.
 */
#include <stdlib.h>
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

uint32_t ecs_place__view_group(const ecs_pl_req *q)
{
    uint32_t i;
    if (q->distinct || q->part_attr != ECS_PL_NIL)
        return q->group;
    for (i = 0; i < q->nkeys; i++)
        if (q->keys[i] == ECS_PL_S_GCOUNT)
            return q->group;
    return ECS_PL_NIL;
}

static bool spec_eq(const ecs_pl_view *v, const ecs_pl_req *q)
{
    uint32_t i;
    if (v->part_attr != q->part_attr || v->group != ecs_place__view_group(q) ||
        v->nkeys != q->nkeys || v->random != q->random || v->distinct != q->distinct ||
        v->nsports != q->nsports || v->f.nattrs != q->f.nattrs ||
        v->f.zones_given != q->f.zones_given || v->f.nzones != q->f.nzones || v->f.nq != q->f.nq)
        return false;
    for (i = 0; i < q->nkeys; i++)
        if (v->keys[i] != q->keys[i])
            return false;
    if (q->nsports && memcmp(v->sports, q->sports, q->nsports * sizeof *q->sports) != 0)
        return false;
    if (q->f.nattrs && memcmp(v->fattrs, q->f.attrs, q->f.nattrs * sizeof *q->f.attrs) != 0)
        return false;
    if (q->f.nzones && memcmp(v->fzones, q->f.zones, q->f.nzones * sizeof *q->f.zones) != 0)
        return false;
    for (i = 0; i < q->f.nq; i++)
        if (!ecs_str__eq(&v->qtext[i], q->qs_text[i], q->qs_len[i]))
            return false;
    return true;
}

void ecs_place__view_key(const ecs_place *e, const ecs_pl_view *v, uint32_t slot, uint32_t key[3],
                         bool *blocked)
{
    uint32_t i;
    key[0] = key[1] = key[2] = 0;
    for (i = 0; i < v->nkeys; i++) {
        switch (v->keys[i]) {
        case ECS_PL_S_CPU:
            key[i] = e->inst[slot].rem.cpu;
            break;
        case ECS_PL_S_MEM:
            key[i] = e->inst[slot].rem.mem;
            break;
        default:
            key[i] = ecs_place__group_count(e, slot, v->group);
            break;
        }
    }
    /* Unused key words carry the tie rank, so that comparisons rarely
     * need to read the rank array (a cache miss per tree level). */
    if (v->nkeys == 0) {
        key[0] = (uint32_t)(e->rank[slot] >> 32);
        key[1] = (uint32_t)e->rank[slot];
    } else if (v->nkeys == 1) {
        key[1] = (uint32_t)(e->rank[slot] >> 32);
        key[2] = (uint32_t)e->rank[slot];
    } else if (v->nkeys == 2) {
        key[2] = (uint32_t)(e->rank[slot] >> 32);
    }
    *blocked = ecs_place__view_blocked(e, v, slot);
}

bool ecs_place__view_blocked(const ecs_place *e, const ecs_pl_view *v, uint32_t slot)
{
    return (v->distinct && ecs_place__group_count(e, slot, v->group) > 0) ||
           ecs_place__ports_blocked(e, slot, v->sports, v->nsports);
}

bool ecs_place__static_member(const ecs_place *e, const ecs_pl_view *v, uint32_t slot)
{
    uint8_t want = ECS_PL_LIVE | ECS_PL_ACTIVE | ECS_PL_AGENT;
    return (e->flags[slot] & want) == want && ecs_place__filter_ok(e, slot, &v->f);
}

/* ------------------------------------------------------------------------ */
/* Partitions                                                                */

typedef struct part_probe {
    const ecs_pl_view *v;
    uint32_t value;
} part_probe;

static bool part_eq(const void *probe, uint32_t pid)
{
    const part_probe *p = probe;
    return p->v->parts[pid].value == p->value;
}

ecs_status ecs_place__part_get(ecs_place *e, ecs_pl_view *v, uint32_t value, uint32_t *out)
{
    part_probe p;
    uint64_t h = ecs_place__hash_u32(value);
    uint32_t pid;
    size_t cap = v->cparts;
    ecs_status rc;

    p.v = v;
    p.value = value;
    pid = ecs_place__map_find(&v->pmap, h, part_eq, &p);
    if (pid != ECS_PL_NIL) {
        *out = pid;
        return ECS_OK;
    }
    rc =
        ecs_vec__reserve(e->ctx, (void **)&v->parts, &cap, sizeof *v->parts, (size_t)v->nparts + 1);
    if (rc != ECS_OK)
        return rc;
    v->cparts = (uint32_t)cap;
    if ((rc = ecs_place__map_reserve(e->ctx, &v->pmap, (size_t)v->nparts + 1)) != ECS_OK)
        return rc;
    pid = v->nparts++;
    v->parts[pid].value = value;
    v->parts[pid].root = ECS_PL_NIL;
    v->parts[pid].nmembers = 0;
    v->parts[pid].count = 0;
    ecs_place__map_put(&v->pmap, h, pid);
    *out = pid;
    return ECS_OK;
}

uint32_t *ecs_place__view_root(ecs_pl_view *v, uint32_t slot)
{
    return v->part_attr != ECS_PL_NIL ? &v->parts[v->pid[slot]].root : &v->root;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */

static void view_free(ecs_ctx *ctx, ecs_pl_view *v)
{
    uint32_t i;
    size_t sc = v->slotcap;

    if (v->sports != NULL)
        ecs_ctx__release(ctx, v->sports, v->nsports * sizeof *v->sports);
    if (v->fattrs != NULL)
        ecs_ctx__release(ctx, v->fattrs, v->f.nattrs * sizeof *v->fattrs);
    if (v->fzones != NULL)
        ecs_ctx__release(ctx, v->fzones, v->f.nzones * sizeof *v->fzones);
    if (v->fq != NULL) {
        for (i = 0; i < v->f.nq; i++)
            if (v->fq[i] != NULL)
                ecs_query__free(ctx, v->fq[i]);
        ecs_ctx__release(ctx, v->fq, v->f.nq * sizeof *v->fq);
    }
    if (v->qtext != NULL) {
        for (i = 0; i < v->f.nq; i++)
            ecs_str__free(ctx, &v->qtext[i]);
        ecs_ctx__release(ctx, v->qtext, v->f.nq * sizeof *v->qtext);
    }
    if (v->nodes != NULL)
        ecs_ctx__release(ctx, v->nodes, sc * sizeof *v->nodes);
    if (v->dirty != NULL)
        ecs_ctx__release(ctx, v->dirty, sc * sizeof *v->dirty);
    if (v->pid != NULL)
        ecs_ctx__release(ctx, v->pid, sc * sizeof *v->pid);
    if (v->contrib != NULL)
        ecs_ctx__release(ctx, v->contrib, sc * sizeof *v->contrib);
    if (v->members != NULL)
        ecs_ctx__release(ctx, v->members, sc * sizeof *v->members);
    if (v->pos != NULL)
        ecs_ctx__release(ctx, v->pos, sc * sizeof *v->pos);
    if (v->ddirty != NULL)
        ecs_ctx__release(ctx, v->ddirty, sc * sizeof *v->ddirty);
    ecs_vec__free(ctx, v->parts, v->cparts, sizeof *v->parts);
    ecs_place__map_free(ctx, &v->pmap);
    ecs_ctx__release(ctx, v, sizeof *v);
}

void ecs_place__view_drop(ecs_place *e, ecs_pl_view *v)
{
    size_t i;
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++)
        if (e->views[i] == v)
            e->views[i] = NULL;
    view_free(e->ctx, v);
}

void ecs_place__views_free(ecs_place *e)
{
    size_t i;
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++) {
        if (e->views[i] != NULL)
            view_free(e->ctx, e->views[i]);
        e->views[i] = NULL;
    }
}

static void *alloc_n(ecs_ctx *ctx, size_t n, size_t elem)
{
    size_t bytes;
    if (n == 0)
        return NULL;
    if (!ecs_ckd_mul_size(&bytes, n, elem)) {
        (void)ecs_ctx__fail(ctx, ECS_E_NOMEM, "view too large");
        return NULL;
    }
    return ecs_ctx__alloc(ctx, bytes);
}

/* Copy what the view indexes from the request. */
static ecs_status copy_spec(ecs_place *e, ecs_pl_view *v, const ecs_pl_req *q)
{
    ecs_ctx *ctx = e->ctx;
    uint32_t i;
    ecs_status rc;

    v->part_attr = q->part_attr;
    v->group = ecs_place__view_group(q);
    v->nkeys = q->nkeys;
    memcpy(v->keys, q->keys, sizeof v->keys);
    v->random = q->random;
    v->distinct = q->distinct;
    v->hash = q->spec_hash;
    v->nsports = q->nsports;
    v->f.nattrs = q->f.nattrs;
    v->f.nzones = q->f.nzones;
    v->f.zones_given = q->f.zones_given;
    v->f.nq = q->f.nq;
    if ((q->nsports && (v->sports = alloc_n(ctx, q->nsports, sizeof *v->sports)) == NULL) ||
        (q->f.nattrs && (v->fattrs = alloc_n(ctx, q->f.nattrs, sizeof *v->fattrs)) == NULL) ||
        (q->f.nzones && (v->fzones = alloc_n(ctx, q->f.nzones, sizeof *v->fzones)) == NULL))
        return ECS_E_NOMEM;
    if (q->nsports)
        memcpy(v->sports, q->sports, q->nsports * sizeof *v->sports);
    if (q->f.nattrs)
        memcpy(v->fattrs, q->f.attrs, q->f.nattrs * sizeof *v->fattrs);
    if (q->f.nzones)
        memcpy(v->fzones, q->f.zones, q->f.nzones * sizeof *v->fzones);
    v->f.attrs = v->fattrs;
    v->f.zones = v->fzones;
    if (q->f.nq != 0) {
        v->fq = alloc_n(ctx, q->f.nq, sizeof *v->fq);
        if (v->fq == NULL)
            return ECS_E_NOMEM;
        memset(v->fq, 0, q->f.nq * sizeof *v->fq);
        v->qtext = alloc_n(ctx, q->f.nq, sizeof *v->qtext);
        if (v->qtext == NULL)
            return ECS_E_NOMEM;
        memset(v->qtext, 0, q->f.nq * sizeof *v->qtext);
        for (i = 0; i < q->f.nq; i++) {
            if ((rc = ecs_str__dup(ctx, &v->qtext[i], q->qs_text[i], q->qs_len[i])) != ECS_OK)
                return rc;
            /* The view owns its compiled copy: the engine's expression cache
             * may evict the request's one later. */
            if ((rc = ecs_query__compile(ctx, q->qs_text[i], q->qs_len[i], &v->fq[i])) != ECS_OK)
                return rc;
        }
        v->f.q = v->fq;
    }
    return ECS_OK;
}

typedef struct sort_item {
    uint32_t pid, k0, k1, k2;
    uint64_t rank;
    uint32_t slot, pad;
} sort_item;

static int cmp_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->k0 != y->k0)
        return x->k0 < y->k0 ? -1 : 1;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->slot < y->slot ? -1 : (x->slot > y->slot ? 1 : 0);
}

typedef struct rank_item {
    uint64_t rank;
    uint32_t slot, pad;
} rank_item;

static int cmp_rank(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->slot < y->slot ? -1 : (x->slot > y->slot ? 1 : 0);
}

/* The live slots by (tie rank, slot), kept until instances come or go. */
static const uint32_t *rank_order(ecs_place *e)
{
    rank_item *tmp;
    size_t i, n = 0;
    uint32_t s;

    if (e->rank_order_ok)
        return e->rank_order;
    if (e->nlive == 0)
        return NULL;
    if (e->rank_order_cap < e->nlive) {
        size_t cap = e->rank_order_cap;
        if (ecs_vec__reserve(e->ctx, (void **)&e->rank_order, &cap, sizeof *e->rank_order,
                             e->nlive) != ECS_OK)
            return NULL;
        e->rank_order_cap = cap;
    }
    tmp = alloc_n(e->ctx, e->nlive, sizeof *tmp);
    if (tmp == NULL)
        return NULL;
    for (s = 0; s < e->nslots; s++) {
        if (!(e->flags[s] & ECS_PL_LIVE))
            continue;
        tmp[n].rank = e->rank[s];
        tmp[n].slot = s;
        tmp[n].pad = 0;
        n++;
    }
    qsort(tmp, n, sizeof *tmp, cmp_rank);
    for (i = 0; i < n; i++)
        e->rank_order[i] = tmp[i].slot;
    ecs_ctx__release(e->ctx, tmp, e->nlive * sizeof *tmp);
    e->rank_order_ok = true;
    return e->rank_order;
}

static ecs_status build_members(ecs_place *e, ecs_pl_view *v)
{
    ecs_ctx *ctx = e->ctx;
    sort_item *items = NULL;
    uint32_t *order = NULL;
    const uint32_t *ro;
    size_t n = 0, i, start, k, nlisted = 0;
    uint32_t s;
    ecs_status rc = ECS_OK;
    bool parted = v->part_attr != ECS_PL_NIL;

    if (e->nlive != 0) {
        items = alloc_n(ctx, e->nlive, sizeof *items);
        order = alloc_n(ctx, e->nlive, sizeof *order);
        if (items == NULL || order == NULL) {
            rc = ECS_E_NOMEM;
            goto done;
        }
    }
    if ((ro = rank_order(e)) == NULL && e->nlive != 0) {
        rc = ECS_E_NOMEM;
        goto done;
    }
    /* First pass, in slot order (sequential reads of the instances): the
     * static filter, partition and key of every instance. */
    for (s = 0; s < e->nslots; s++) {
        ecs_pl_vnode *nd = &v->nodes[s];
        uint32_t pid = 0;
        bool blocked;
        if (!(e->flags[s] & ECS_PL_LIVE))
            continue;
        if (parted) {
            rc = ecs_place__part_get(e, v, ecs_place__attr_value(e, s, v->part_attr), &pid);
            if (rc != ECS_OK)
                goto done;
            v->pid[s] = pid;
            v->contrib[s] = ecs_place__group_count(e, s, v->group);
            v->parts[pid].count += v->contrib[s];
        }
        if (!ecs_place__static_member(e, v, s))
            continue;
        ecs_place__view_key(e, v, s, nd->key, &blocked);
        nd->flags = (uint8_t)(ECS_PL_VN_STATIC | ECS_PL_VN_LISTED |
                              (blocked ? ECS_PL_VN_BLOCKED : ECS_PL_VN_MEMBER));
    }
    /* Second pass, in rank order: when the keys are equal (a new group's
     * counts, say) that is already the tree order and no sort is needed. */
    for (k = 0; k < e->nlive; k++) {
        ecs_pl_vnode *nd;
        s = ro[k];
        nd = &v->nodes[s];
        if (!(nd->flags & ECS_PL_VN_LISTED))
            continue;
        if (v->random) {
            v->members[nlisted] = s;
            v->pos[s] = (uint32_t)nlisted;
        }
        nlisted++;
        if (!(nd->flags & ECS_PL_VN_MEMBER))
            continue;
        items[n].pid = parted ? v->pid[s] : 0;
        items[n].k0 = nd->key[0];
        items[n].k1 = nd->key[1];
        items[n].k2 = nd->key[2];
        items[n].rank = e->rank[s];
        items[n].slot = s;
        items[n].pad = 0;
        n++;
    }
    for (i = 1; i < n; i++)
        if (cmp_item(&items[i - 1], &items[i]) > 0)
            break;
    if (i < n)
        qsort(items, n, sizeof *items, cmp_item);
    for (i = 0; i < n; i++)
        order[i] = items[i].slot;
    for (start = 0; start < n;) {
        size_t end = start;
        while (end < n && items[end].pid == items[start].pid)
            end++;
        if (parted) {
            v->parts[items[start].pid].root =
                ecs_place__tree_build(e, v->nodes, order + start, end - start);
            v->parts[items[start].pid].nmembers = (uint32_t)(end - start);
        } else {
            v->root = ecs_place__tree_build(e, v->nodes, order + start, end - start);
        }
        start = end;
    }
    v->nmembers = (uint32_t)nlisted;
done:
    if (items != NULL)
        ecs_ctx__release(ctx, items, e->nlive * sizeof *items);
    if (order != NULL)
        ecs_ctx__release(ctx, order, e->nlive * sizeof *order);
    return rc;
}

static ecs_pl_view *view_build(ecs_place *e, const ecs_pl_req *q)
{
    ecs_ctx *ctx = e->ctx;
    ecs_pl_view *v = ecs_ctx__alloc(ctx, sizeof *v);
    size_t sc = e->cslots;

    if (v == NULL)
        return NULL;
    memset(v, 0, sizeof *v);
    v->root = ECS_PL_NIL;
    v->slotcap = (uint32_t)sc;
    v->seq = e->logseq;
    if (copy_spec(e, v, q) != ECS_OK)
        goto fail;
    if (sc != 0) {
        if ((v->nodes = alloc_n(ctx, sc, sizeof *v->nodes)) == NULL ||
            (v->dirty = alloc_n(ctx, sc, sizeof *v->dirty)) == NULL)
            goto fail;
        memset(v->nodes, 0, sc * sizeof *v->nodes);
        if (v->part_attr != ECS_PL_NIL &&
            ((v->pid = alloc_n(ctx, sc, sizeof *v->pid)) == NULL ||
             (v->contrib = alloc_n(ctx, sc, sizeof *v->contrib)) == NULL))
            goto fail;
        if (v->random && ((v->members = alloc_n(ctx, sc, sizeof *v->members)) == NULL ||
                          (v->pos = alloc_n(ctx, sc, sizeof *v->pos)) == NULL ||
                          (v->ddirty = alloc_n(ctx, sc, sizeof *v->ddirty)) == NULL))
            goto fail;
        if (v->contrib != NULL) {
            memset(v->contrib, 0, sc * sizeof *v->contrib);
            memset(v->pid, 0xFF, sc * sizeof *v->pid); /* ECS_PL_NIL */
        }
    }
    if (build_members(e, v) != ECS_OK)
        goto fail;
    return v;
fail:
    view_free(ctx, v);
    return NULL;
}

/* The change log holds at least twice as many entries as there are slots
 * (and 4096), so that a view used now and then rarely falls behind it. */
static ecs_status ensure_log(ecs_place *e)
{
    size_t want = 4096, i;
    uint32_t *log;

    while (want < 2 * (size_t)e->cslots)
        want *= 2;
    if (e->logcap >= want)
        return ECS_OK;
    log = ecs_ctx__alloc(e->ctx, want * sizeof *log);
    if (log == NULL)
        return ECS_E_NOMEM;
    if (e->log != NULL)
        ecs_ctx__release(e->ctx, e->log, e->logcap * sizeof *e->log);
    e->log = log;
    e->logcap = want;
    /* Positions in the old log mean nothing in the new one. */
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++)
        if (e->views[i] != NULL)
            e->views[i]->stale = true;
    return ECS_OK;
}

static bool seen(ecs_place *e, uint64_t h)
{
    size_t i;
    for (i = 0; i < ECS_PL_SEEN; i++)
        if (e->seen[i] == h)
            return true;
    e->seen[e->seen_next] = h;
    e->seen_next = (e->seen_next + 1) % ECS_PL_SEEN;
    return false;
}

ecs_pl_view *ecs_place__view_get(ecs_place *e, const ecs_pl_req *q)
{
    size_t i, victim = ECS_PL_MAX_VIEWS;
    ecs_pl_view *v;

    if (e->mode == ECS_PL_MODE_GENERAL || !q->fast_ok)
        return NULL;
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++) {
        v = e->views[i];
        if (v != NULL && v->hash == q->spec_hash && spec_eq(v, q)) {
            if (!v->stale && e->logseq - v->seq <= e->logcap) {
                v->tick = ++e->tick;
                return v;
            }
            ecs_place__view_drop(e, v); /* out of date: build it again */
            break;
        }
    }
    /* A view costs a pass over every instance: build it when the request
     * places several tasks or its shape was seen recently, and when the
     * cluster is large enough for the full scan to cost more. */
    if (e->mode == ECS_PL_MODE_AUTO &&
        (e->nlive < 32 || (q->r->count < 4 && !seen(e, q->spec_hash))))
        return NULL;
    if (ensure_log(e) != ECS_OK)
        return NULL;
    v = view_build(e, q);
    if (v == NULL)
        return NULL;
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++) {
        if (e->views[i] == NULL) {
            victim = i;
            break;
        }
        if (victim == ECS_PL_MAX_VIEWS || e->views[i]->tick < e->views[victim]->tick)
            victim = i;
    }
    if (e->views[victim] != NULL)
        ecs_place__view_drop(e, e->views[victim]);
    e->views[victim] = v;
    v->tick = ++e->tick;
    return v;
}
