/*
 * The general path: one pass over every instance runs every check and
 * ranks the feasible ones by the whole strategy chain, lexicographically,
 * exactly as spec 2.4 describes it (each strategy breaks the ties of the
 * ones before it; random picks uniformly among what is still tied; the
 * lowest tie rank settles the rest). It serves any chain, costs O(n) per
 * task, and is also how a failure is explained: the same pass counts the
 * instances rejected per reason and finds the closest one (fewest failed
 * checks, then the smallest shortfall, then the tie rank).
 *
 * spread attribute:NAME ranks an instance by the number of tasks of the
 * request's group on all instances sharing its value of NAME (instances
 * without NAME form one partition of their own); the counts are gathered
 * in the same pass, into a scratch array indexed by value atom.
 */
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

static bool closer(const ecs_place *e, const ecs_pl_eval *a, uint32_t sa, const ecs_pl_eval *b,
                   uint32_t sb)
{
    if (a->nfailed != b->nfailed)
        return a->nfailed < b->nfailed;
    if (a->shortfall != b->shortfall)
        return a->shortfall < b->shortfall;
    if (e->rank[sa] != e->rank[sb])
        return e->rank[sa] < e->rank[sb];
    return sa < sb;
}

/* Room for the partition counts of every attribute step, and for a list
 * of all instances. */
static ecs_status scratch(ecs_place *e, size_t nattr_steps)
{
    size_t need, cap;
    ecs_status rc;

    if (!ecs_ckd_mul_size(&need, e->natoms + 1, nattr_steps))
        return ecs_ctx__fail(e->ctx, ECS_E_LIMIT, "too many values");
    if (need > e->scr_count_cap) {
        size_t bytes, old = e->scr_count_cap;
        uint64_t *p;
        if (!ecs_ckd_mul_size(&bytes, need, sizeof *p))
            return ecs_ctx__fail(e->ctx, ECS_E_LIMIT, "too many values");
        p = e->scr_count == NULL ? ecs_ctx__alloc(e->ctx, bytes)
                                 : ecs_ctx__resize(e->ctx, e->scr_count, old * sizeof *p, bytes);
        if (p == NULL)
            return ECS_E_NOMEM;
        memset(p + old, 0, (need - old) * sizeof *p);
        e->scr_count = p;
        e->scr_count_cap = need;
    }
    cap = e->scr_slots_cap;
    if (cap < e->nslots) {
        rc =
            ecs_vec__reserve(e->ctx, (void **)&e->scr_slots, &cap, sizeof *e->scr_slots, e->nslots);
        if (rc != ECS_OK)
            return rc;
        e->scr_slots_cap = cap;
    }
    return ECS_OK;
}

static size_t value_index(const ecs_place *e, uint32_t slot, uint32_t attr)
{
    uint32_t v = ecs_place__attr_value(e, slot, attr);
    return v == ECS_PL_NIL ? e->natoms : v;
}

ecs_status ecs_place__scan(ecs_place *e, const ecs_pl_req *q, uint32_t *out_slot, ecs_pl_fail *fail)
{
    size_t nattr = 0, j, nties = 0, stride = e->natoms + 1;
    uint32_t s, i, best = ECS_PL_NIL, nrank = 0;
    uint64_t bestkey[ECS_PLACE_MAX_STRATEGIES], key[ECS_PLACE_MAX_STRATEGIES];
    size_t attr_base[ECS_PLACE_MAX_STRATEGIES];
    bool random = false;
    ecs_status rc;

    memset(fail, 0, sizeof *fail);
    fail->closest = ECS_PL_NIL;
    *out_slot = ECS_PL_NIL;
    for (i = 0; i < q->nsteps; i++) {
        if (q->step[i] == ECS_PL_S_RANDOM) {
            random = true;
            break;
        }
        if (q->step[i] == ECS_PL_S_ATTR)
            attr_base[i] = stride * nattr++;
        nrank++;
    }
    if ((rc = scratch(e, nattr)) != ECS_OK)
        return rc;
    for (i = 0; i < nrank; i++) {
        if (q->step[i] != ECS_PL_S_ATTR)
            continue;
        for (s = 0; s < e->nslots; s++)
            if (e->flags[s] & ECS_PL_LIVE)
                e->scr_count[attr_base[i] + value_index(e, s, q->step_attr[i])] +=
                    ecs_place__group_count(e, s, q->group);
    }

    for (s = 0; s < e->nslots; s++) {
        ecs_pl_eval ev;
        int cmp = 0;
        if (!(e->flags[s] & ECS_PL_LIVE))
            continue;
        if (!(e->flags[s] & ECS_PL_ACTIVE)) {
            fail->ninactive++;
            continue;
        }
        fail->ncand++;
        ecs_place__eval(e, s, q, &ev);
        if (ev.mask != 0) {
            fail->by_reason[ecs_place__reason_of(ev.mask)]++;
            if (fail->closest == ECS_PL_NIL ||
                closer(e, &ev, s, &fail->closest_eval, fail->closest)) {
                fail->closest = s;
                fail->closest_eval = ev;
            }
            continue;
        }
        for (i = 0; i < nrank; i++) {
            switch (q->step[i]) {
            case ECS_PL_S_CPU:
                key[i] = e->inst[s].rem.cpu;
                break;
            case ECS_PL_S_MEM:
                key[i] = e->inst[s].rem.mem;
                break;
            case ECS_PL_S_GCOUNT:
                key[i] = ecs_place__group_count(e, s, q->group);
                break;
            default:
                key[i] = e->scr_count[attr_base[i] + value_index(e, s, q->step_attr[i])];
                break;
            }
        }
        if (best != ECS_PL_NIL) {
            for (i = 0; i < nrank && cmp == 0; i++)
                if (key[i] != bestkey[i])
                    cmp = key[i] < bestkey[i] ? -1 : 1;
            if (cmp == 0 && !random)
                cmp = e->rank[s] < e->rank[best] ? -1 : 1;
        }
        if (best == ECS_PL_NIL || cmp < 0) {
            best = s;
            memcpy(bestkey, key, sizeof key);
            nties = 0;
        }
        if (random && cmp <= 0)
            e->scr_slots[nties++] = s;
    }

    /* Leave the scratch counts zeroed for the next call. */
    for (j = 0; j < nrank; j++) {
        if (q->step[j] != ECS_PL_S_ATTR)
            continue;
        for (s = 0; s < e->nslots; s++)
            if (e->flags[s] & ECS_PL_LIVE)
                e->scr_count[attr_base[j] + value_index(e, s, q->step_attr[j])] = 0;
    }
    if (best != ECS_PL_NIL && random)
        best = e->scr_slots[ecs_rng_below(&e->rng, nties)];
    *out_slot = best;
    return ECS_OK;
}
