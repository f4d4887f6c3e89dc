/*
 * The rollout planner (ecs/deploy.h): pure arithmetic over a service's
 * view. The control plane's scheduler (lib/plane/scheduler.c) describes
 * each replica service this way and carries out the plan; a host with its
 * own data model can do the same.
 */
#include <string.h>

#include "ecs/deploy.h"

static uint32_t bound_lower(uint32_t d, uint32_t min_pct)
{
    return (uint32_t)(((uint64_t)d * min_pct + 99) / 100);
}

static uint32_t bound_upper(uint32_t d, uint32_t max_pct)
{
    uint64_t u = (uint64_t)d * max_pct / 100;
    return u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
}

static bool view_ok(const ecs_deploy_view *v)
{
    return v != NULL && v->struct_size == sizeof(ecs_deploy_view) && v->min_pct <= 100 &&
           v->max_pct >= 100 && (v->tasks != NULL || v->ntasks == 0);
}

ecs_status ecs_deploy_next(const ecs_deploy_view *v, size_t *stop, ecs_deploy_plan *out)
{
    size_t live, good = 0, healthy = 0, nstop = 0, remaining_old = 0, surplus;
    bool settled = true, skipped_protected = false;
    if (!view_ok(v) || out == NULL || (stop == NULL && v->ntasks > 0))
        return ECS_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->lower = bound_lower(v->desired, v->min_pct);
    out->upper = bound_upper(v->desired, v->max_pct);
    live = v->ntasks;
    for (size_t i = 0; i < v->ntasks; i++) {
        const ecs_deploy_task *t = &v->tasks[i];
        good += t->primary && !t->replace;
        healthy += t->running && t->healthy;
        settled &= t->running && (t->healthy || t->replace); /* nothing on its way */
    }
    /* A. start PRIMARY tasks within upper */
    if (!v->start_blocked && v->desired > good && out->upper > live) {
        size_t want = v->desired - good, room = out->upper - live;
        out->start = (uint32_t)(want < room ? want : room);
    }
    /* B. older deployments' tasks and tasks to replace: not-healthy ones at
     * once, healthy ones while the floor holds */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < v->ntasks; i++) {
            const ecs_deploy_task *t = &v->tasks[i];
            bool h = t->running && t->healthy;
            if ((t->primary && !t->replace) || h != (pass == 1))
                continue;
            if (h) {
                if (healthy <= out->lower) {
                    remaining_old++;
                    continue;
                }
                healthy--;
            }
            stop[nstop++] = i;
        }
    }
    /* C. scale-in: the surplus of good tasks, not-yet-running ones first,
     * then in the view's order; never a protected task, never below lower */
    surplus = good > v->desired ? good - v->desired : 0;
    for (int pass = 0; pass < 2 && surplus > 0; pass++) {
        for (size_t i = 0; i < v->ntasks && surplus > 0; i++) {
            const ecs_deploy_task *t = &v->tasks[i];
            bool h = t->running && t->healthy;
            if (!t->primary || t->replace || t->running != (pass == 1))
                continue;
            if (t->is_protected) {
                skipped_protected = true;
                continue;
            }
            if (h) {
                if (healthy <= out->lower)
                    continue;
                healthy--;
            }
            stop[nstop++] = i;
            surplus--;
        }
    }
    out->nstop = nstop;
    out->protected_blocked = surplus > 0 && skipped_protected;
    out->stuck = remaining_old > 0 && out->start == 0 && nstop == 0 && settled && !v->start_blocked;
    return ECS_OK;
}

ecs_status ecs_deploy_preview(uint32_t desired, uint32_t min_pct, uint32_t max_pct,
                              uint32_t capacity, ecs_deploy_step *steps, size_t max_steps,
                              size_t *nsteps)
{
    /* The tasks of a rollout are alike, so the view is three counts: old
     * tasks (healthy), new healthy, new started at the previous step. The
     * arithmetic is ecs_deploy_next()'s for such a view. */
    uint64_t old = desired, nh = 0, np = 0;
    uint32_t lower = bound_lower(desired, min_pct), upper = bound_upper(desired, max_pct);
    size_t n = 0;
    if (nsteps == NULL || (steps == NULL && max_steps > 0) || min_pct > 100 || max_pct < 100)
        return ECS_E_INVALID_ARG;
    *nsteps = 0;
    while (old > 0 || nh < desired) {
        uint64_t live, good, healthy, start = 0, stop = 0;
        ecs_deploy_step *st;
        nh += np; /* last step's tasks are healthy now */
        np = 0;
        live = old + nh;
        good = nh;
        healthy = old + nh;
        if (old == 0 && nh >= desired)
            break;
        if (desired > good && upper > live)
            start = desired - good < upper - live ? desired - good : upper - live;
        if (capacity != 0 && live + start > capacity)
            start = capacity > live ? capacity - live : 0;
        if (healthy > lower)
            stop = healthy - lower < old ? healthy - lower : old;
        if (start == 0 && stop == 0)
            return ECS_E_CONFLICT;
        if (n == max_steps)
            return ECS_E_LIMIT;
        old -= stop;
        np = start;
        st = &steps[n++];
        st->started = (uint32_t)start;
        st->stopped = (uint32_t)stop;
        st->old_running = (uint32_t)old;
        st->new_pending = (uint32_t)np;
        st->new_healthy = (uint32_t)nh;
        *nsteps = n;
    }
    return ECS_OK;
}

ecs_status ecs_capacity_next(const ecs_capacity_item *items, size_t n, const uint32_t *assigned,
                             size_t *out)
{
    size_t best = SIZE_MAX;
    if (items == NULL || assigned == NULL || out == NULL || n == 0)
        return ECS_E_INVALID_ARG;
    for (size_t i = 0; i < n; i++) {
        if (items[i].base > assigned[i]) {
            *out = i;
            return ECS_OK;
        }
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t num_i, num_b;
        if (items[i].weight == 0)
            continue;
        if (best == SIZE_MAX) {
            best = i;
            continue;
        }
        /* (a_i - b_i + 1) / w_i < (a_b - b_b + 1) / w_b, cross-multiplied.
         * Every base is met here (a >= b), so a - b + 1 is 1 .. 2^32 and a
         * product with a weight (< 2^32) stays below 2^64: unsigned 64-bit
         * arithmetic is exact where signed would overflow. */
        num_i = ((uint64_t)assigned[i] - items[i].base + 1) * (uint64_t)items[best].weight;
        num_b = ((uint64_t)assigned[best] - items[best].base + 1) * (uint64_t)items[i].weight;
        if (num_i < num_b || (num_i == num_b && items[i].weight > items[best].weight))
            best = i;
    }
    if (best == SIZE_MAX)
        return ECS_E_CONFLICT;
    *out = best;
    return ECS_OK;
}

ecs_status ecs_capacity_scale_in(const ecs_capacity_item *items, size_t n, const uint32_t *assigned,
                                 size_t *out)
{
    uint64_t total = 0;
    uint32_t target[64];
    int64_t best_over = INT64_MIN;
    size_t best = SIZE_MAX;
    if (items == NULL || assigned == NULL || out == NULL || n == 0 || n > 64)
        return ECS_E_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        total += assigned[i];
    if (total == 0)
        return ECS_E_CONFLICT;
    /* the share of one task fewer, replayed from nothing */
    memset(target, 0, n * sizeof target[0]);
    for (uint64_t k = 0; k + 1 < total; k++) {
        size_t i;
        if (ecs_capacity_next(items, n, target, &i) != ECS_OK)
            break;
        target[i]++;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t over = (int64_t)assigned[i] - (int64_t)target[i];
        if (assigned[i] > 0 && over >= best_over) {
            best_over = over;
            best = i;
        }
    }
    if (best == SIZE_MAX)
        return ECS_E_CONFLICT;
    *out = best;
    return ECS_OK;
}
