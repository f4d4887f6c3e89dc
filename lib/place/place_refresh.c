/*
 * Keeping views up to date, lazily. Every change to an instance appends
 * one entry (slot, and whether its static properties changed) to the
 * engine's change log, a ring; a view remembers how far it has read. Before
 * a view is used it takes in the entries since (each slot once), retracts
 * what it stored for each slot (tree position by the stored key, partition
 * count by the stored contribution) and asserts the slot's current state.
 * When only resources or tasks changed and the key stayed, the path to the
 * node is recomputed instead. A view that fell more than the ring behind is
 * rebuilt. Random views leave resource changes for later: their draws check
 * the drawn instance live, and only their fallback needs the tree.
 *
 * An instance that goes away is retracted from every view at once, because
 * its tie rank (part of the tree order) goes with it when the slot is
 * reused.
 */
#include <string.h>

#include "place/place_internal.h"

/* ------------------------------------------------------------------------ */
/* Maintenance                                                               */

void ecs_place__views_touch(ecs_place *e, uint32_t slot, bool stat)
{
    if (e->logcap == 0)
        return; /* no view was ever made: nothing to tell */
    e->log[e->logseq & (e->logcap - 1)] = slot << 1 | (stat ? 1u : 0u);
    e->logseq++;
}

void ecs_place__views_outgrown(ecs_place *e)
{
    size_t i;
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++)
        if (e->views[i] != NULL)
            e->views[i]->stale = true;
}

/* Mark a slot for the next refresh; false when the view cannot hold it.
 * Random views keep changes to resources and tasks apart (ddirty): their
 * draws check those live, and only the rare fallback needs the tree. */
static bool mark(ecs_pl_view *v, uint32_t slot, bool stat)
{
    ecs_pl_vnode *nd;
    if (slot >= v->slotcap)
        return false;
    nd = &v->nodes[slot];
    if (v->random && !stat) {
        if (!(nd->flags & ECS_PL_VN_DDIRTY)) {
            nd->flags |= ECS_PL_VN_DDIRTY;
            v->ddirty[v->nddirty++] = slot;
        }
        return true;
    }
    if (!(nd->flags & ECS_PL_VN_DIRTY)) {
        nd->flags |= ECS_PL_VN_DIRTY;
        v->dirty[v->ndirty++] = slot;
    }
    if (stat)
        nd->flags |= ECS_PL_VN_SDIRTY;
    return true;
}

/* Take the slot out of its tree and its partition's count (by what the
 * view stored for it: its key, partition and contribution). */
static void retract(const ecs_place *e, ecs_pl_view *v, uint32_t s)
{
    ecs_pl_vnode *nd = &v->nodes[s];
    bool parted = v->part_attr != ECS_PL_NIL;

    if (nd->flags & ECS_PL_VN_MEMBER) {
        uint32_t *root = ecs_place__view_root(v, s);
        *root = ecs_place__tree_delete(e, v->nodes, *root, s);
        if (parted)
            v->parts[v->pid[s]].nmembers--;
        nd->flags &= (uint8_t)~ECS_PL_VN_MEMBER;
    }
    if (parted && v->pid[s] != ECS_PL_NIL) {
        v->parts[v->pid[s]].count -= v->contrib[s];
        v->contrib[s] = 0;
    }
}

void ecs_place__views_forget(ecs_place *e, uint32_t slot)
{
    size_t i;
    /* The tree order uses the slot's tie rank, which a new instance in the
     * same slot replaces: take the slot out now, while the rank holds. */
    for (i = 0; i < ECS_PL_MAX_VIEWS; i++) {
        ecs_pl_view *v = e->views[i];
        if (v != NULL && !v->stale && slot < v->slotcap)
            retract(e, v, slot);
    }
    ecs_place__views_touch(e, slot, true);
}

/* Bring one slot up to date. */
static ecs_status process(ecs_place *e, ecs_pl_view *v, uint32_t s)
{
    ecs_pl_vnode *nd = &v->nodes[s];
    bool parted = v->part_attr != ECS_PL_NIL;
    bool live = (e->flags[s] & ECS_PL_LIVE) != 0, blocked, listed, stat;
    uint32_t key[3];

    /* Only resources or tasks changed, the key stays and the node stays
     * usable: refresh the maxima on its path, no delete and insert. */
    if ((nd->flags & (ECS_PL_VN_MEMBER | ECS_PL_VN_SDIRTY)) == ECS_PL_VN_MEMBER && live &&
        (!parted || v->contrib[s] == ecs_place__group_count(e, s, v->group))) {
        ecs_place__view_key(e, v, s, key, &blocked);
        if (!blocked && memcmp(key, nd->key, sizeof key) == 0) {
            uint32_t *root = ecs_place__view_root(v, s);
            *root = ecs_place__tree_update(e, v->nodes, *root, s);
            return ECS_OK;
        }
    }
    retract(e, v, s);
    if (nd->flags & ECS_PL_VN_SDIRTY) {
        if (live && ecs_place__static_member(e, v, s))
            nd->flags |= ECS_PL_VN_STATIC;
        else
            nd->flags &= (uint8_t)~ECS_PL_VN_STATIC;
        if (parted) {
            uint32_t pid = ECS_PL_NIL;
            if (live) {
                ecs_status rc =
                    ecs_place__part_get(e, v, ecs_place__attr_value(e, s, v->part_attr), &pid);
                if (rc != ECS_OK)
                    return rc; /* the caller drops the view */
            }
            v->pid[s] = pid;
        }
        nd->flags &= (uint8_t)~ECS_PL_VN_SDIRTY;
    }
    stat = live && (nd->flags & ECS_PL_VN_STATIC);
    if (live && parted) {
        v->contrib[s] = ecs_place__group_count(e, s, v->group);
        v->parts[v->pid[s]].count += v->contrib[s];
    }
    if (stat) {
        ecs_place__view_key(e, v, s, nd->key, &blocked);
        nd->flags =
            (uint8_t)((nd->flags & ~ECS_PL_VN_BLOCKED) | (blocked ? ECS_PL_VN_BLOCKED : 0u));
        /* A blocked instance cannot take this view's tasks: it stays out of
         * the tree until that changes (so distinctInstance costs a delete). */
        if (!blocked) {
            uint32_t *root = ecs_place__view_root(v, s);
            *root = ecs_place__tree_insert(e, v->nodes, *root, s);
            nd->flags |= ECS_PL_VN_MEMBER;
            if (parted)
                v->parts[v->pid[s]].nmembers++;
        }
    }
    /* The member list changes only when membership does, so that a
     * request undone (dry run, no task ids) leaves the order that random
     * draws index into as it was. */
    listed = (nd->flags & ECS_PL_VN_LISTED) != 0;
    if (listed && !stat) {
        if (v->random) {
            uint32_t last = v->members[v->nmembers - 1];
            v->members[v->pos[s]] = last;
            v->pos[last] = v->pos[s];
        }
        v->nmembers--;
        nd->flags &= (uint8_t)~ECS_PL_VN_LISTED;
    } else if (stat && !listed) {
        if (v->random) {
            v->pos[s] = v->nmembers;
            v->members[v->nmembers] = s;
        }
        v->nmembers++;
        nd->flags |= ECS_PL_VN_LISTED;
    }
    return ECS_OK;
}

ecs_status ecs_place__view_refresh_static(ecs_place *e, ecs_pl_view *v)
{
    /* Take in the change log since the last refresh (each slot once). */
    if (v->stale || e->logseq - v->seq > e->logcap)
        return ecs_ctx__fail(e->ctx, ECS_E_STATE, "placement index out of date");
    for (; v->seq < e->logseq; v->seq++) {
        uint32_t ent = e->log[v->seq & (e->logcap - 1)];
        if (!mark(v, ent >> 1, (ent & 1u) != 0)) {
            v->stale = true;
            return ecs_ctx__fail(e->ctx, ECS_E_STATE, "placement index out of date");
        }
    }
    while (v->ndirty != 0) {
        uint32_t s = v->dirty[v->ndirty - 1];
        ecs_status rc = process(e, v, s);
        if (rc != ECS_OK)
            return rc;
        v->nodes[s].flags &= (uint8_t)~ECS_PL_VN_DIRTY;
        v->ndirty--;
    }
    return ECS_OK;
}

ecs_status ecs_place__view_refresh(ecs_place *e, ecs_pl_view *v)
{
    ecs_status rc = ecs_place__view_refresh_static(e, v);
    if (rc != ECS_OK)
        return rc;
    while (v->nddirty != 0) {
        uint32_t s = v->ddirty[v->nddirty - 1];
        if ((rc = process(e, v, s)) != ECS_OK)
            return rc;
        v->nodes[s].flags &= (uint8_t)~ECS_PL_VN_DDIRTY;
        v->nddirty--;
    }
    return ECS_OK;
}
