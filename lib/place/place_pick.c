/*
 * Choosing an instance through a view (the fast paths), and a self-check
 * of views for the tests.
 *
 * Ordered chains: the answer is the first fitting node in key order of the
 * view's tree; with a spread attribute, of the partitions holding the
 * fewest tasks of the group that have a fitting node at all, the best
 * first node across them (partitions with equal counts are compared by the
 * rest of the chain, then the tie rank, exactly as the lexicographic chain
 * says). Each partition search is O(log n); the partition loop is O(P).
 *
 * Random: rejection sampling over the view's members (uniform among
 * members, retried until one fits), which is uniform among the feasible
 * ones; after a few misses the feasible set is small, so it is collected
 * through the pruned tree and one is drawn from it.
 */
#include <string.h>

#include "place/place_internal.h"

#define RANDOM_TRIES 16

/* A drawn member: everything checked live (its node may be behind). */
static bool draw_ok(const ecs_place *e, const ecs_pl_view *v, uint32_t s, const ecs_pl_req *q)
{
    return e->inst[s].rem.cpu >= q->cpu && e->inst[s].rem.mem >= q->mem &&
           e->inst[s].rem.gpu >= q->gpu && e->inst[s].rem.eni >= q->eni &&
           !ecs_place__view_blocked(e, v, s) && ecs_place__late_ok(q, s);
}

static ecs_status pick_random(ecs_place *e, ecs_pl_view *v, const ecs_pl_req *q, uint32_t *out)
{
    size_t i, n = 0;
    ecs_status rc;

    *out = ECS_PL_NIL;
    if (v->nmembers == 0)
        return ECS_OK;
    for (i = 0; i < RANDOM_TRIES; i++) {
        uint32_t s = v->members[ecs_rng_below(&e->rng, v->nmembers)];
        if (draw_ok(e, v, s, q)) {
            *out = s;
            return ECS_OK;
        }
    }
    /* Few members fit: bring the tree up to date and list them all. */
    if ((rc = ecs_place__view_refresh(e, v)) != ECS_OK)
        return rc;
    if (e->scr_slots_cap < v->nmembers) {
        size_t cap = e->scr_slots_cap;
        rc = ecs_vec__reserve(e->ctx, (void **)&e->scr_slots, &cap, sizeof *e->scr_slots,
                              v->nmembers);
        if (rc != ECS_OK)
            return rc;
        e->scr_slots_cap = cap;
    }
    ecs_place__tree_collect(e, v->nodes, v->root, q, ecs_place__late_ok, q, e->scr_slots, &n);
    if (n != 0)
        *out = e->scr_slots[ecs_rng_below(&e->rng, n)];
    return ECS_OK;
}

ecs_status ecs_place__view_pick(ecs_place *e, ecs_pl_view *v, const ecs_pl_req *q, uint32_t *out)
{
    ecs_status rc;
    uint32_t best = ECS_PL_NIL, p;
    uint64_t best_count = 0;

    rc = v->random ? ecs_place__view_refresh_static(e, v) : ecs_place__view_refresh(e, v);
    if (rc != ECS_OK) {
        ecs_place__view_drop(e, v);
        return rc;
    }
    if (v->random) {
        rc = pick_random(e, v, q, out);
        if (rc != ECS_OK)
            ecs_place__view_drop(e, v);
        return rc;
    }
    if (v->part_attr == ECS_PL_NIL) {
        *out = ecs_place__tree_first(e, v->nodes, v->root, q, ecs_place__late_ok, q);
        return ECS_OK;
    }
    for (p = 0; p < v->nparts; p++) {
        const ecs_pl_part *pt = &v->parts[p];
        uint32_t c;
        if (pt->nmembers == 0 || (best != ECS_PL_NIL && pt->count > best_count))
            continue;
        c = ecs_place__tree_first(e, v->nodes, pt->root, q, ecs_place__late_ok, q);
        if (c == ECS_PL_NIL)
            continue;
        if (best == ECS_PL_NIL || pt->count < best_count ||
            ecs_place__node_less(e, v->nodes, c, best)) {
            best = c;
            best_count = pt->count;
        }
    }
    *out = best;
    return ECS_OK;
}

/* ------------------------------------------------------------------------ */
/* Self-check (tests)                                                        */

static bool view_check(ecs_place *e, ecs_pl_view *v)
{
    uint32_t s, p;
    size_t count = 0, ntree = 0, nlisted = 0;
    bool parted = v->part_attr != ECS_PL_NIL;

    if (v->stale || e->logseq - v->seq > e->logcap)
        return true; /* rebuilt before its next use */
    if (ecs_place__view_refresh(e, v) != ECS_OK)
        return false;
    if (parted) {
        for (p = 0; p < v->nparts; p++) {
            size_t c = 0;
            uint64_t want = 0;
            if (!ecs_place__tree_valid(e, v->nodes, v->parts[p].root, &c) ||
                c != v->parts[p].nmembers)
                return false;
            count += c;
            for (s = 0; s < e->nslots; s++)
                if ((e->flags[s] & ECS_PL_LIVE) &&
                    ecs_place__attr_value(e, s, v->part_attr) == v->parts[p].value)
                    want += ecs_place__group_count(e, s, v->group);
            if (want != v->parts[p].count)
                return false;
        }
    } else if (!ecs_place__tree_valid(e, v->nodes, v->root, &count)) {
        return false;
    }
    for (s = 0; s < e->nslots && s < v->slotcap; s++) {
        const ecs_pl_vnode *nd = &v->nodes[s];
        uint8_t want = ECS_PL_LIVE | ECS_PL_ACTIVE | ECS_PL_AGENT;
        bool member = (e->flags[s] & want) == want && ecs_place__filter_ok(e, s, &v->f);
        uint32_t key[3];
        bool blocked;
        if (member != ((nd->flags & ECS_PL_VN_LISTED) != 0))
            return false;
        if (!member) {
            if (nd->flags & ECS_PL_VN_MEMBER)
                return false;
            continue;
        }
        nlisted++;
        ecs_place__view_key(e, v, s, key, &blocked);
        if (blocked != ((nd->flags & ECS_PL_VN_BLOCKED) != 0) ||
            blocked == ((nd->flags & ECS_PL_VN_MEMBER) != 0))
            return false;
        if (!blocked && memcmp(key, nd->key, sizeof key) != 0)
            return false;
        if (parted && v->parts[v->pid[s]].value != ecs_place__attr_value(e, s, v->part_attr))
            return false;
        if (v->random && v->members[v->pos[s]] != s)
            return false;
        ntree += !blocked;
    }
    return count == ntree && nlisted == v->nmembers;
}

bool ecs_place__views_check(ecs_place *e)
{
    size_t i;
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++)
        if (e->views[i] != NULL && !view_check(e, e->views[i]))
            return false;
    return true;
}
