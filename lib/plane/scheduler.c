/*
 * The service scheduler (spec 4): one pass over a cluster's services, run
 * by ecs_plane_step() at every instant at which something falls due.
 *
 * REPLICA services follow the rolling loop of spec 4.3. With D the desired
 * count, lower = ceil(D x minimumHealthyPercent / 100) and upper =
 * floor(D x maximumPercent / 100):
 *   - the live tasks are the service's tasks whose desiredStatus is RUNNING;
 *     the "good" ones belong to the PRIMARY deployment, sit on an ACTIVE
 *     instance (or Fargate) and are not UNHEALTHY; the others (older
 *     deployments, DRAINING instances, UNHEALTHY) are to be replaced;
 *   - start min(D - good, upper - live) tasks of the PRIMARY deployment,
 *     unless the service is throttled;
 *   - stop tasks to be replaced: those that do not count as healthy at once,
 *     healthy ones only while the healthy RUNNING tasks stay above lower;
 *   - with more good tasks than D (scale-in), stop the surplus in the
 *     scale-in order of spec 2.4 and 4.9, never a task under scale-in
 *     protection: tasks not yet RUNNING first; then, strategy by strategy
 *     (the service's placement strategy, or by default spread over
 *     ecs.availability-zone then instanceId), the tasks where the
 *     strategy's measure is largest: for spread the value of the field
 *     holding most of the service's live tasks, for binpack the instance
 *     with the most of that resource left, for random no preference; ties
 *     fall at random (the plane's generator).
 * DAEMON services keep one task on every ACTIVE, connected instance that
 * meets their placement constraints (memberOf expressions are evaluated on
 * the instance's attributes and properties; task:group terms see no tasks);
 * tasks on instances that are DRAINING, deregistered or no longer match
 * are stopped. Daemon services are served before replica services in each
 * pass, so a new instance's daemon task is placed before replica tasks can
 * take its room. An old revision's daemon task is stopped before its
 * replacement starts (maximumPercent is 100 for daemons).
 *
 * Throttling (spec 4.6): each service task that stops without ever having
 * been RUNNING counts a start failure; after k consecutive ones the next
 * launch waits min(10 s x 2^(k-1), 27 min). From the third, the event "is
 * unable to consistently start tasks successfully" is written. A task
 * reaching RUNNING or a new task definition (UpdateService) clears it.
 *
 * Events repeat no message written in the last six hours unless the
 * service reached a steady state since (the cause cleared); "has reached a
 * steady state" is written when the service becomes steady and every six
 * hours while it stays so.
 */
#include <stdio.h>
#include <string.h>

#include "ecs/deploy.h"
#include "plane/plane_internal.h"
#include "query/query.h"


/* Add an event unless it repeats one written in the last six hours while
 * the cause has not cleared (spec 1.6): looking back from the newest event,
 * a "has reached a steady state" event marks the point where every earlier
 * cause cleared. */
static void event_once(ecs_plane *pl, ecs_service *s, const char *msg)
{
    for (size_t i = s->nevents; i-- > 0;) {
        const ecs_event *e = &s->events[i];
        if (pl->now_ms - e->at_ms >= ECS_SIX_HOURS_MS)
            break;
        if (strcmp(ecs_str__c(&e->message), msg) == 0)
            return;
        if (strstr(ecs_str__c(&e->message), ") has reached a steady state.") != NULL)
            break;
    }
    ecs_plane__service_event(pl, s, "%s", msg);
}

static bool instance_usable(const ecs_task *t)
{
    return t->inst == NULL || t->inst->status == ECS_INST_ACTIVE;
}

/* ---- launching service tasks ------------------------------------------ */

static const char *reason_text(ecs_place_reason r)
{
    switch (r) {
    case ECS_PLACE_CPU: return "has insufficient CPU units available.";
    case ECS_PLACE_MEMORY: return "has insufficient memory available.";
    case ECS_PLACE_PORTS: return "is already using a port required by your task.";
    case ECS_PLACE_ENI: return "has no available network interfaces.";
    case ECS_PLACE_GPU: return "has insufficient GPU available.";
    case ECS_PLACE_AGENT: return "encountered error \"AGENT\".";
    case ECS_PLACE_ATTRIBUTE:
    case ECS_PLACE_CONSTRAINT:
    case ECS_PLACE_LOCATION: return "is missing an attribute required by your task.";
    case ECS_PLACE_OK:
    case ECS_PLACE_NO_INSTANCES: break;
    }
    return "has insufficient resources available.";
}

static void fill_launch(ecs_plane *pl, ecs_service *s, ecs_deployment *d, ecs_launch *l)
{
    const ecs_taskdef *td = d->rev->def;
    int k;
    memset(l, 0, sizeof *l);
    l->c = s->cluster;
    l->family = d->family;
    l->rev = d->rev;
    l->lt = s->launch_type;
    k = snprintf(l->group_buf, sizeof l->group_buf, "service:%s", ecs_str__c(&s->name));
    l->group = l->group_buf;
    l->group_len = k > 0 && (size_t)k < sizeof l->group_buf ? (size_t)k : 0;
    l->started_by = d->id.p;
    l->started_by_len = d->id.len;
    l->cpu = ecs_taskdef__reserved_cpu(td);
    l->mem = ecs_taskdef__reserved_memory(td);
    l->svc = s;
    l->dep_seq = d->seq;
    ecs_plane__launch_ports(l);
    for (size_t i = 0; i < td->nmember_of && l->nmember_of < ECS_PLACE_MAX_CONSTRAINTS; i++) {
        l->member_of[l->nmember_of] = ecs_str__c(&td->member_of[i]);
        l->member_of_len[l->nmember_of++] = td->member_of[i].len;
    }
    for (size_t i = 0; i < s->nmember_of && l->nmember_of < ECS_PLACE_MAX_CONSTRAINTS; i++) {
        l->member_of[l->nmember_of] = ecs_str__c(&s->member_of[i]);
        l->member_of_len[l->nmember_of++] = s->member_of[i].len;
    }
    l->distinct = s->distinct;
    if (s->strategies_given) {
        for (size_t i = 0; i < s->nstrategies && i < ECS_PLACE_MAX_STRATEGIES; i++) {
            ecs_place_strategy *st = &l->strategies[l->nstrategies++];
            memset(st, 0, sizeof *st);
            st->type = s->strategies[i].type;
            if (st->type == ECS_PLACE_SPREAD_ATTRIBUTE) {
                st->attribute = s->strategies[i].field.p + 10;
                st->attribute_len = s->strategies[i].field.len - 10;
            }
        }
    } else if (!s->daemon) {
        /* spec 2.4: spread over zones, then over instances */
        memset(l->strategies, 0, 2 * sizeof l->strategies[0]);
        l->strategies[0].type = ECS_PLACE_SPREAD_ATTRIBUTE;
        l->strategies[0].attribute = "ecs.availability-zone";
        l->strategies[0].attribute_len = 21;
        l->strategies[1].type = ECS_PLACE_SPREAD_INSTANCE;
        l->nstrategies = 2;
    }
    l->awsvpc = td->network_mode == ECS_NET_AWSVPC;
    l->public_ip = s->public_ip;
    for (size_t i = 0; i < s->nsubnets && l->nsubnets < ECS_LAUNCH_MAX_SUBNETS; i++) {
        ecs_subnet *sn = ecs_plane__subnet(pl, s->subnets[i].p, s->subnets[i].len);
        if (sn != NULL)
            l->subnets[l->nsubnets++] = sn;
    }
    ecs_plane__launch_zones(l);
}

/* Write "(service S) has started N tasks: (task a) ..." or "(service S) has
 * stopped N running tasks: ..." for v[0..n); as many ids as fit. */
static void tasks_event(ecs_plane *pl, ecs_service *s, bool started, ecs_task *const *v, size_t n)
{
    char msg[900];
    size_t used;
    int k;
    if (n == 0)
        return;
    k = snprintf(msg, sizeof msg, "(service %s) has %s %zu %stask%s:", ecs_str__c(&s->name),
                 started ? "started" : "stopped", n, started ? "" : "running ", n == 1 ? "" : "s");
    used = k > 0 ? (size_t)k : 0;
    for (size_t i = 0; i < n && used + 48 < sizeof msg; i++) {
        k = snprintf(msg + used, sizeof msg - used, " (task %s)", ecs_str__c(&v[i]->id));
        used += k > 0 ? (size_t)k : 0;
    }
    if (used + 1 < sizeof msg)
        snprintf(msg + used, sizeof msg - used, ".");
    ecs_plane__service_event(pl, s, "%s", msg);
}

/* "(service S) registered|deregistered N targets in (target-group ARN)", one
 * per load balancer of the service. */
static void targets_event(ecs_plane *pl, ecs_service *s, const char *verb, size_t n)
{
    for (size_t k = 0; k < s->nlbs && n > 0; k++) {
        const ecs_svc_lb *b = &s->lbs[k];
        ecs_plane__service_event(pl, s, "(service %s) %s %zu target%s in (target-group %s)",
                                 ecs_str__c(&s->name), verb, n, n == 1 ? "" : "s",
                                 b->target_group_arn.len > 0 ? ecs_str__c(&b->target_group_arn)
                                                             : ecs_str__c(&b->load_balancer_name));
    }
}

static void unplaced_event(ecs_plane *pl, ecs_service *s, const ecs_place_outcome *o, bool no_instances)
{
    char msg[700];
    if (no_instances || o == NULL || o->instance_id == NULL) {
        snprintf(msg, sizeof msg, "(service %s) was unable to place a task because no container "
                                  "instance met all of its requirements. Reason: No Container "
                                  "Instances were found in your cluster. For more information, see "
                                  "the Troubleshooting section of the Amazon ECS Developer Guide.",
                 ecs_str__c(&s->name));
    } else {
        size_t k = o->instance_id_len;
        while (k > 0 && o->instance_id[k - 1] != '/')
            k--;
        snprintf(msg, sizeof msg, "(service %s) was unable to place a task because no container "
                                  "instance met all of its requirements. The closest matching "
                                  "(container-instance %.*s) %s For more information, see the "
                                  "Troubleshooting section of the Amazon ECS Developer Guide.",
                 ecs_str__c(&s->name), (int)(o->instance_id_len - k), o->instance_id + k,
                 reason_text(o->reason));
    }
    event_once(pl, s, msg);
}

/* Launch n tasks of deployment d (on instance only, for a daemon). The
 * placed ones join the cluster; *started says how many. */
static ecs_status launch(ecs_plane *pl, ecs_service *s, ecs_deployment *d, uint32_t n,
                         const ecs_instance *only, const ecs_str *provider, uint32_t *started)
{
    ecs_launch l;
    ecs_task **made = NULL, **placed = NULL;
    bool *ok = NULL;
    ecs_place_result *res = NULL;
    uint32_t saved_hosts[ECS_LAUNCH_MAX_SUBNETS];
    char expr[200];
    size_t nmade = 0, nplaced = 0;
    ecs_status rc = ECS_OK;
    bool engine_has = false;

    *started = 0;
    if (n == 0)
        return ECS_OK;
    fill_launch(pl, s, d, &l);
    if (provider != NULL) {
        l.capacity_provider = ecs_str__c(provider);
        if (!ecs_plane__provider_is_fargate(provider->p, provider->len) &&
            l.nmember_of < ECS_PLACE_MAX_CONSTRAINTS) {
            int k = snprintf(expr, sizeof expr, "attribute:%s == %s", ECS_CP_ATTRIBUTE, ecs_str__c(provider));
            l.member_of[l.nmember_of] = expr;
            l.member_of_len[l.nmember_of++] = k > 0 && (size_t)k < sizeof expr ? (size_t)k : 0;
        }
    }
    if (only != NULL && l.nmember_of < ECS_PLACE_MAX_CONSTRAINTS) {
        int k = snprintf(expr, sizeof expr, "ec2InstanceId == '%s'", ecs_str__c(&only->ec2_instance_id));
        l.member_of[l.nmember_of] = expr;
        l.member_of_len[l.nmember_of++] = k > 0 && (size_t)k < sizeof expr ? (size_t)k : 0;
    }
    if (l.lt == ECS_LAUNCH_FARGATE && l.nsubnets == 0)
        return ECS_OK;
    for (size_t i = 0; i < l.nsubnets; i++)
        saved_hosts[i] = l.subnets[i]->next_host;
    made = ecs_ctx__alloc(pl->ctx, n * sizeof *made);
    placed = ecs_ctx__alloc(pl->ctx, n * sizeof *placed);
    ok = ecs_ctx__alloc(pl->ctx, n * sizeof *ok);
    if (made == NULL || placed == NULL || ok == NULL) {
        rc = ECS_E_NOMEM;
        goto undo;
    }
    for (nmade = 0; nmade < n; nmade++) {
        if ((rc = ecs_plane__launch_new_task(pl, &l, &made[nmade])) != ECS_OK)
            goto undo;
        ok[nmade] = false;
    }
    if (l.lt == ECS_LAUNCH_FARGATE) {
        if ((rc = ecs_plane__launch_place_fargate(pl, &l, made, n, ok)) != ECS_OK)
            goto undo;
        if (!ok[0]) {
            char msg[300];
            snprintf(msg, sizeof msg, "(service %s) was unable to place a task. Reason: Capacity is "
                                      "unavailable at this time. Please try again later or in a "
                                      "different availability zone.", ecs_str__c(&s->name));
            event_once(pl, s, msg);
        }
    } else if (s->cluster->registered_instances == 0) {
        unplaced_event(pl, s, NULL, true);
    } else {
        engine_has = true;
        rc = ecs_plane__launch_place_ec2(pl, &l, made, n, &res);
        if (rc == ECS_E_NOMEM)
            goto undo;
        if (rc != ECS_OK) {
            /* the engine refused the request itself (a definition it cannot
             * place, a constraint that does not compile): no task can be
             * placed; the service says so and the step goes on */
            char msg[600];
            snprintf(msg, sizeof msg, "(service %s) was unable to place a task. Reason: %s",
                     ecs_str__c(&s->name), ecs_ctx_errmsg(pl->ctx));
            event_once(pl, s, msg);
            rc = ECS_OK;
            goto undo;
        }
        for (size_t i = 0; i < n; i++)
            ok[i] = made[i]->inst != NULL;
        for (size_t i = 0; i < n; i++) {
            ecs_place_outcome o;
            if (!ok[i] && ecs_place_result_get(res, i, &o) == ECS_OK) {
                if (only == NULL)
                    unplaced_event(pl, s, &o, o.reason == ECS_PLACE_NO_INSTANCES);
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (ok[i])
            placed[nplaced++] = made[i];
    }
    if ((rc = ecs_plane__launch_reserve(pl, s->cluster, s, placed, nplaced)) != ECS_OK)
        goto undo;
    for (size_t i = 0; i < nplaced; i++)
        ecs_plane__task_join(pl, placed[i]);
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            ecs_plane__task_free(pl->ctx, made[i]);
    }
    tasks_event(pl, s, true, placed, nplaced);
    *started = (uint32_t)nplaced;
    ecs_place_result_free(res);
    ecs_ctx__release(pl->ctx, made, n * sizeof *made);
    ecs_ctx__release(pl->ctx, placed, n * sizeof *placed);
    ecs_ctx__release(pl->ctx, ok, n * sizeof *ok);
    return ECS_OK;
undo:
    for (size_t i = 0; i < nmade; i++) {
        if (engine_has && made[i]->inst != NULL && s->cluster->engine != NULL &&
            ecs_place_remove_task(s->cluster->engine, made[i]->id.p, made[i]->id.len) != ECS_OK)
            s->cluster->engine_stale = true;
        ecs_plane__task_free(pl->ctx, made[i]);
    }
    for (size_t i = 0; i < l.nsubnets; i++)
        l.subnets[i]->next_host = saved_hosts[i];
    ecs_place_result_free(res);
    if (made != NULL)
        ecs_ctx__release(pl->ctx, made, n * sizeof *made);
    if (placed != NULL)
        ecs_ctx__release(pl->ctx, placed, n * sizeof *placed);
    if (ok != NULL)
        ecs_ctx__release(pl->ctx, ok, n * sizeof *ok);
    return rc;
}

/* ---- capacity provider strategies (spec 5) ------------------------------ */

/* Live tasks (desiredStatus RUNNING) of the service per strategy item. */
static void provider_counts(const ecs_service *s, ecs_task *const *v, size_t n, uint32_t *out)
{
    memset(out, 0, s->nstrategy * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < s->nstrategy; k++) {
            if (ecs_str__eq(&v[i]->capacity_provider, s->strategy[k].provider.p, s->strategy[k].provider.len))
                out[k]++;
        }
    }
}

static void strategy_items(const ecs_service *s, ecs_capacity_item *items)
{
    for (size_t k = 0; k < s->nstrategy; k++) {
        items[k].base = s->strategy[k].base;
        items[k].weight = s->strategy[k].weight;
    }
}

/* Start want tasks of d, each on the provider the apportionment gives it
 * (over the service's live tasks and the ones started before it). */
static ecs_status launch_by_provider(ecs_plane *pl, ecs_service *s, ecs_deployment *d, uint32_t want)
{
    uint32_t assigned[ECS_MAX_STRATEGY_ITEMS], per[ECS_MAX_STRATEGY_ITEMS];
    ecs_capacity_item items[ECS_MAX_STRATEGY_ITEMS];
    size_t nlive = 0;
    ecs_task **live = ecs_ctx__alloc(pl->ctx, (s->ntasks > 0 ? s->ntasks : 1) * sizeof *live);
    if (live == NULL)
        return ECS_E_NOMEM;
    for (size_t i = 0; i < s->ntasks; i++) {
        if (s->tasks[i]->desired == ECS_TASK_RUNNING)
            live[nlive++] = s->tasks[i];
    }
    provider_counts(s, live, nlive, assigned);
    ecs_ctx__release(pl->ctx, live, (s->ntasks > 0 ? s->ntasks : 1) * sizeof *live);
    strategy_items(s, items);
    memset(per, 0, sizeof per);
    for (uint32_t i = 0; i < want; i++) {
        size_t k;
        if (ecs_capacity_next(items, s->nstrategy, assigned, &k) != ECS_OK)
            break;
        assigned[k]++;
        per[k]++;
    }
    for (size_t k = 0; k < s->nstrategy; k++) {
        uint32_t started = 0;
        ecs_status rc;
        if (per[k] > 0 && (rc = launch(pl, s, d, per[k], NULL, &s->strategy[k].provider, &started)) != ECS_OK)
            return rc;
    }
    return ECS_OK;
}

/* ---- stopping ---------------------------------------------------------- */

static void stop_task(ecs_plane *pl, ecs_task *t, ecs_stop_why why)
{
    ecs_plane__task_stop(pl, t, ECS_STOP_SERVICE_SCHEDULER_INITIATED, why, NULL);
}

/* The value of a spread field for a task ("" when the instance lacks it). */
static const char *field_value(const ecs_task *t, const char *attr, size_t al, size_t *len)
{
    if (al == 21 && memcmp(attr, "ecs.availability-zone", 21) == 0) {
        *len = t->az.len;
        return ecs_str__c(&t->az);
    }
    if (t->inst != NULL) {
        for (size_t i = 0; i < t->inst->nattrs; i++) {
            if (ecs_str__eq(&t->inst->attrs[i].name, attr, al)) {
                *len = t->inst->attrs[i].value.len;
                return ecs_str__c(&t->inst->attrs[i].value);
            }
        }
    }
    *len = 0;
    return "";
}

/* Pick the next task to stop for scale-in among cand[0..n) (alive[] marks
 * the service's tasks still counted); spec 2.4 / 4.9. Returns an index. */
static size_t pick_victim(ecs_plane *pl, const ecs_service *s, ecs_task **cand, size_t n,
                          ecs_task **alive, size_t nalive, bool *keep)
{
    ecs_place_strategy chain[ECS_PLACE_MAX_STRATEGIES];
    size_t nchain = 0, nkeep = 0, pick, seen = 0;
    int64_t *score = NULL;
    bool any_pending = false;
    for (size_t i = 0; i < n; i++)
        any_pending |= cand[i]->last < ECS_TASK_RUNNING;
    for (size_t i = 0; i < n; i++) {
        keep[i] = !any_pending || cand[i]->last < ECS_TASK_RUNNING;
        nkeep += keep[i];
    }
    if (s->strategies_given) {
        for (size_t i = 0; i < s->nstrategies && i < ECS_PLACE_MAX_STRATEGIES; i++) {
            memset(&chain[nchain], 0, sizeof chain[0]);
            chain[nchain].type = s->strategies[i].type;
            if (chain[nchain].type == ECS_PLACE_SPREAD_ATTRIBUTE) {
                chain[nchain].attribute = s->strategies[i].field.p + 10;
                chain[nchain].attribute_len = s->strategies[i].field.len - 10;
            }
            nchain++;
        }
    } else {
        memset(chain, 0, 2 * sizeof chain[0]);
        chain[0].type = ECS_PLACE_SPREAD_ATTRIBUTE;
        chain[0].attribute = "ecs.availability-zone";
        chain[0].attribute_len = 21;
        chain[1].type = ECS_PLACE_SPREAD_INSTANCE;
        nchain = 2;
    }
    score = ecs_ctx__alloc(pl->ctx, (n > 0 ? n : 1) * sizeof *score);
    for (size_t c = 0; c < nchain && nkeep > 1 && score != NULL; c++) {
        int64_t best = INT64_MIN;
        const ecs_place_strategy *st = &chain[c];
        if (st->type == ECS_PLACE_RANDOM)
            continue;
        for (size_t i = 0; i < n; i++) {
            const ecs_task *t = cand[i];
            int64_t v = 0;
            if (!keep[i])
                continue;
            if (st->type == ECS_PLACE_BINPACK_CPU)
                v = t->inst != NULL ? t->inst->cpu_remaining : 0;
            else if (st->type == ECS_PLACE_BINPACK_MEMORY)
                v = t->inst != NULL ? t->inst->mem_remaining : 0;
            else if (st->type == ECS_PLACE_SPREAD_INSTANCE) {
                for (size_t k = 0; k < nalive; k++)
                    v += alive[k]->inst == t->inst;
            } else {
                size_t vl, wl;
                const char *val = field_value(t, st->attribute, st->attribute_len, &vl);
                for (size_t k = 0; k < nalive; k++) {
                    const char *w = field_value(alive[k], st->attribute, st->attribute_len, &wl);
                    v += wl == vl && memcmp(w, val, vl) == 0;
                }
            }
            score[i] = v;
            if (v > best)
                best = v;
        }
        nkeep = 0;
        for (size_t i = 0; i < n; i++) {
            if (keep[i] && score[i] != best)
                keep[i] = false;
            nkeep += keep[i];
        }
    }
    if (score != NULL)
        ecs_ctx__release(pl->ctx, score, (n > 0 ? n : 1) * sizeof *score);
    pick = nkeep > 1 ? (size_t)(ecs_rng_next(&pl->rng) % nkeep) : 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        if (seen++ == pick)
            return i;
    }
    return 0;
}

/* ---- replica services -------------------------------------------------- */

/* Must the task be replaced? On an instance that is no longer ACTIVE, or
 * UNHEALTHY once the service's health check grace period is over. */
static bool to_replace(const ecs_plane *pl, const ecs_service *s, const ecs_task *t)
{
    if (!instance_usable(t))
        return true;
    if (t->health == ECS_HEALTH_UNHEALTHY || t->target_health == ECS_HEALTH_UNHEALTHY)
        return t->started_ms == 0 || pl->now_ms - t->started_ms >= (int64_t)s->grace_s * 1000;
    return false;
}

static ecs_status schedule_replica(ecs_plane *pl, ecs_service *s)
{
    ecs_deployment *primary = s->deps[0];
    size_t n = s->ntasks, nlive = 0, nstopped = 0, ncand = 0, nrank = 0;
    ecs_task **live = NULL, **stopped = NULL, **cand = NULL;
    ecs_deploy_task *view = NULL;
    size_t *stop = NULL;
    bool *keep = NULL;
    ecs_deploy_view v = ECS_DEPLOY_VIEW_INIT;
    ecs_deploy_plan plan;
    ecs_status rc = ECS_OK;

    if (n > 0) {
        live = ecs_ctx__alloc(pl->ctx, n * sizeof *live);
        stopped = ecs_ctx__alloc(pl->ctx, n * sizeof *stopped);
        cand = ecs_ctx__alloc(pl->ctx, n * sizeof *cand);
        view = ecs_ctx__alloc(pl->ctx, n * sizeof *view);
        stop = ecs_ctx__alloc(pl->ctx, n * sizeof *stop);
        keep = ecs_ctx__alloc(pl->ctx, n * sizeof *keep);
        if (live == NULL || stopped == NULL || cand == NULL || view == NULL || stop == NULL ||
            keep == NULL) {
            rc = ECS_E_NOMEM;
            goto done;
        }
    }
    /* the live tasks; the good ones (PRIMARY, not to be replaced) that are
     * candidates for scale-in go first, in the order the scale-in rule
     * picks them (spec 2.4, 4.9), so that the planner's preference is it */
    for (size_t i = 0; i < n; i++) {
        ecs_task *t = s->tasks[i];
        if (t->desired == ECS_TASK_RUNNING && t->dep_seq == primary->seq && !to_replace(pl, s, t) &&
            !ecs_plane__task_protected(pl, t))
            cand[ncand++] = t;
    }
    if (ncand > s->desired) {
        size_t surplus = ncand - s->desired;
        ecs_task **alive = stopped; /* scratch: the tasks still counted */
        size_t nalive = 0;
        for (size_t i = 0; i < n; i++) {
            if (s->tasks[i]->desired == ECS_TASK_RUNNING && s->tasks[i]->dep_seq == primary->seq &&
                !to_replace(pl, s, s->tasks[i]))
                alive[nalive++] = s->tasks[i];
        }
        while (nrank < surplus && nrank < ncand) {
            size_t k;
            if (s->nstrategy > 0) {
                /* the provider furthest above its share gives first: move
                 * its candidates to the front of the unranked part */
                uint32_t counts[ECS_MAX_STRATEGY_ITEMS];
                ecs_capacity_item items[ECS_MAX_STRATEGY_ITEMS];
                size_t p, front = nrank;
                provider_counts(s, alive, nalive, counts);
                strategy_items(s, items);
                if (ecs_capacity_scale_in(items, s->nstrategy, counts, &p) == ECS_OK) {
                    for (size_t c = nrank; c < ncand; c++) {
                        if (ecs_str__eq(&cand[c]->capacity_provider, s->strategy[p].provider.p,
                                        s->strategy[p].provider.len)) {
                            ecs_task *tmp = cand[front];
                            cand[front++] = cand[c];
                            cand[c] = tmp;
                        }
                    }
                }
                k = pick_victim(pl, s, cand + nrank, front > nrank ? front - nrank : ncand - nrank, alive,
                                nalive, keep);
            } else {
                k = pick_victim(pl, s, cand + nrank, ncand - nrank, alive, nalive, keep);
            }
            ecs_task *t = cand[nrank + k];
            cand[nrank + k] = cand[nrank];
            cand[nrank++] = t;
            for (size_t a = 0; a < nalive; a++) {
                if (alive[a] == t) {
                    alive[a] = alive[--nalive];
                    break;
                }
            }
        }
    }
    for (size_t i = 0; i < nrank; i++)
        live[nlive++] = cand[i];
    for (size_t i = 0; i < n; i++) {
        ecs_task *t = s->tasks[i];
        bool ranked = false;
        if (t->desired != ECS_TASK_RUNNING)
            continue;
        for (size_t k = 0; k < nrank && !ranked; k++)
            ranked = cand[k] == t;
        if (!ranked)
            live[nlive++] = t;
    }
    for (size_t i = 0; i < nlive; i++) {
        const ecs_task *t = live[i];
        view[i].primary = t->dep_seq == primary->seq;
        view[i].running = t->last == ECS_TASK_RUNNING;
        view[i].healthy = ecs_plane__task_counts_healthy(pl, t);
        view[i].replace = to_replace(pl, s, t);
        view[i].is_protected = ecs_plane__task_protected(pl, t);
    }
    v.desired = s->desired;
    v.min_pct = s->min_pct;
    v.max_pct = s->max_pct < 100 ? 100 : s->max_pct;
    v.start_blocked = primary->rollout == ECS_ROLLOUT_FAILED || pl->now_ms < s->next_launch_ms;
    v.tasks = view;
    v.ntasks = nlive;
    if (ecs_deploy_next(&v, stop, &plan) != ECS_OK) {
        rc = ECS_E_INTERNAL;
        goto done;
    }
    if (plan.start > 0) {
        uint32_t started = 0;
        uint32_t want = plan.start > ECS_PLACE_MAX_COUNT ? ECS_PLACE_MAX_COUNT : plan.start;
        if (s->nstrategy == 0) {
            if ((rc = launch(pl, s, primary, want, NULL, NULL, &started)) != ECS_OK)
                goto done;
        } else if ((rc = launch_by_provider(pl, s, primary, want)) != ECS_OK) {
            goto done;
        }
    }
    for (size_t i = 0; i < plan.nstop; i++) {
        ecs_task *t = live[stop[i]];
        ecs_stop_why why = t->health == ECS_HEALTH_UNHEALTHY ? ECS_WHY_UNHEALTHY
                           : t->target_health == ECS_HEALTH_UNHEALTHY ? ECS_WHY_TARGET_UNHEALTHY
                           : !instance_usable(t) ? ECS_WHY_DRAINING
                                                 : ECS_WHY_SCALING;
        if ((why == ECS_WHY_UNHEALTHY || why == ECS_WHY_TARGET_UNHEALTHY) && view[stop[i]].replace) {
            ecs_deployment *d = ecs_plane__deployment(s, t->dep_seq);
            if (d != NULL)
                d->failed_tasks++; /* circuit breaker, stage 2 */
        }
        stop_task(pl, t, why);
        if (t->last == ECS_TASK_RUNNING || t->last == ECS_TASK_DEACTIVATING)
            stopped[nstopped++] = t;
    }
    {
        size_t ndrain = 0;
        for (size_t i = 0; i < nstopped; i++)
            ndrain += stopped[i]->last == ECS_TASK_DEACTIVATING;
        if (ndrain > 0) {
            ecs_plane__service_event(pl, s, "(service %s) has begun draining connections on %zu task%s.",
                                     ecs_str__c(&s->name), ndrain, ndrain == 1 ? "" : "s");
            targets_event(pl, s, "deregistered", ndrain);
        }
    }
    if (plan.stuck) {
        char msg[400];
        snprintf(msg, sizeof msg, "(service %s) was unable to stop or start tasks during a deployment "
                                  "because of the service deployment configuration. Update the "
                                  "minimumHealthyPercent or maximumPercent value and try again.",
                 ecs_str__c(&s->name));
        event_once(pl, s, msg);
    }
    if (plan.protected_blocked) {
        char msg[400];
        snprintf(msg, sizeof msg, "(service %s) was unable to reach steady state because task set "
                                  "(%s) was unable to scale in. Reason: The number of protected "
                                  "tasks are more than the desired count of tasks.",
                 ecs_str__c(&s->name), ecs_str__c(&primary->id));
        event_once(pl, s, msg);
    }
    tasks_event(pl, s, false, stopped, nstopped);
done:
    if (live != NULL)
        ecs_ctx__release(pl->ctx, live, n * sizeof *live);
    if (stopped != NULL)
        ecs_ctx__release(pl->ctx, stopped, n * sizeof *stopped);
    if (cand != NULL)
        ecs_ctx__release(pl->ctx, cand, n * sizeof *cand);
    if (view != NULL)
        ecs_ctx__release(pl->ctx, view, n * sizeof *view);
    if (stop != NULL)
        ecs_ctx__release(pl->ctx, stop, n * sizeof *stop);
    if (keep != NULL)
        ecs_ctx__release(pl->ctx, keep, n * sizeof *keep);
    return rc;
}

/* ---- daemon services --------------------------------------------------- */

static bool subj_attribute(const void *p, const char *name, size_t nl, const char **value, size_t *vl)
{
    const ecs_instance *inst = p;
    for (size_t i = 0; i < inst->nattrs; i++) {
        if (ecs_str__eq(&inst->attrs[i].name, name, nl)) {
            *value = ecs_str__c(&inst->attrs[i].value);
            *vl = inst->attrs[i].value.len;
            return true;
        }
    }
    return false;
}

static size_t subj_groups(const void *p)
{
    (void)p;
    return 0;
}

static const char *subj_group_at(const void *p, size_t i, size_t *len)
{
    (void)p;
    (void)i;
    *len = 0;
    return "";
}

/* Does the instance meet the memberOf expressions of the service and its
 * task definition? Expressions that do not compile count as unmet. */
static ecs_status instance_matches(ecs_plane *pl, const ecs_service *s, const ecs_taskdef *td,
                                   const ecs_instance *inst, bool *out)
{
    ecs_query_subject subj;
    memset(&subj, 0, sizeof subj);
    subj.inst = inst;
    subj.ec2_instance_id = ecs_str__c(&inst->ec2_instance_id);
    subj.ec2_instance_id_len = inst->ec2_instance_id.len;
    subj.agent_version = inst->agent_version.len > 0 ? inst->agent_version.p : NULL;
    subj.agent_version_len = inst->agent_version.len;
    subj.registered_at_ms = inst->registered_at_ms;
    subj.running_tasks_count = inst->running_tasks;
    subj.agent_connected = inst->agent_connected;
    subj.attribute = subj_attribute;
    subj.group_count = subj_groups;
    subj.group_at = subj_group_at;
    *out = true;
    for (size_t pass = 0; pass < 2 && *out; pass++) {
        const ecs_str *v = pass == 0 ? td->member_of : s->member_of;
        size_t nv = pass == 0 ? td->nmember_of : s->nmember_of;
        for (size_t i = 0; i < nv && *out; i++) {
            ecs_query *q = NULL;
            ecs_status rc = ecs_query__compile(pl->ctx, v[i].p, v[i].len, &q);
            if (rc == ECS_E_NOMEM)
                return rc;
            *out = rc == ECS_OK && ecs_query__eval(q, &subj);
            ecs_query__free(pl->ctx, q);
        }
    }
    return ECS_OK;
}

static ecs_status schedule_daemon(ecs_plane *pl, ecs_service *s)
{
    ecs_cluster *c = s->cluster;
    ecs_deployment *primary = s->deps[0];
    ecs_task *stopped[64];
    size_t nstopped = 0;
    uint32_t eligible = 0;
    ecs_status rc = ECS_OK;

    for (size_t i = 0; i < c->ninstances; i++) {
        ecs_instance *inst = c->instances[i];
        bool ok = false, has_new = false, busy = false;
        if (inst->status == ECS_INST_ACTIVE && inst->agent_connected &&
            (rc = instance_matches(pl, s, primary->rev->def, inst, &ok)) != ECS_OK)
            return rc;
        if (inst->status != ECS_INST_ACTIVE || !inst->agent_connected)
            ok = false;
        eligible += ok;
        for (size_t k = 0; k < s->ntasks; k++) {
            ecs_task *t = s->tasks[k];
            if (t->inst != inst)
                continue;
            busy = true;
            if (t->desired != ECS_TASK_RUNNING)
                continue;
            if (!ok || t->dep_seq != primary->seq || has_new) {
                stop_task(pl, t, inst->status == ECS_INST_DRAINING ? ECS_WHY_DRAINING : ECS_WHY_SCALING);
                if (t->last == ECS_TASK_RUNNING && nstopped < 64)
                    stopped[nstopped++] = t;
            } else {
                has_new = true;
            }
        }
        if (ok && !busy && primary->rollout != ECS_ROLLOUT_FAILED && pl->now_ms >= s->next_launch_ms) {
            uint32_t started = 0;
            if ((rc = launch(pl, s, primary, 1, inst, NULL, &started)) != ECS_OK)
                return rc;
        }
    }
    /* tasks on instances gone from the cluster's list cannot exist; tasks
     * on Fargate cannot belong to a daemon */
    s->desired = eligible;
    tasks_event(pl, s, false, stopped, nstopped);
    return ECS_OK;
}

/* ---- the pass ---------------------------------------------------------- */

static bool steady(const ecs_plane *pl, const ecs_service *s)
{
    uint32_t running = 0;
    if (s->status != ECS_SVC_ACTIVE || s->ndeps == 0)
        return false;
    for (size_t i = 0; i < s->ntasks; i++) {
        const ecs_task *t = s->tasks[i];
        /* every live task is the PRIMARY's and healthy (an older deployment
         * with no task left, such as a FAILED one, does not count) */
        if (t->desired != ECS_TASK_RUNNING || t->dep_seq != s->deps[0]->seq ||
            !ecs_plane__task_counts_healthy(pl, t))
            return false;
        running++;
    }
    return running == s->desired;
}

/* Register the load-balancer targets of tasks that reached RUNNING. */
static void register_targets(ecs_plane *pl, ecs_service *s)
{
    size_t n = 0;
    if (s->nlbs == 0)
        return;
    for (size_t i = 0; i < s->ntasks; i++) {
        ecs_task *t = s->tasks[i];
        if (t->last == ECS_TASK_RUNNING && t->desired == ECS_TASK_RUNNING && !t->target_registered) {
            ecs_plane__task_register_targets(pl, t);
            n++;
        }
    }
    targets_event(pl, s, "registered", n);
}

/* The circuit breaker's threshold (spec 4.5): by default (and for
 * BOUNDED_PERCENT) ceil(D x value / 100) within [3, 200] with value 50;
 * UNBOUNDED_PERCENT without the bounds (at least 1); COUNT the value. */
static uint32_t breaker_threshold(const ecs_service *s)
{
    uint64_t pct = s->breaker_kind == 0 ? 50 : s->breaker_value;
    uint64_t t = ((uint64_t)s->desired * pct + 99) / 100;
    switch (s->breaker_kind) {
    case 2: return t < 1 ? 1 : (uint32_t)(t > UINT32_MAX ? UINT32_MAX : t);
    case 3: return s->breaker_value;
    default: return t < 3 ? 3 : t > 200 ? 200 : (uint32_t)t;
    }
}

/* Did a watched alarm go into ALARM after deployment d began (so that a
 * rollback made at the instant of the alarm is not failed by it)? */
static bool alarm_on(const ecs_plane *pl, const ecs_service *s, const ecs_deployment *d)
{
    for (size_t i = 0; i < s->nalarm_names; i++) {
        for (size_t k = 0; k < pl->nalarms; k++) {
            const ecs_alarm *a = &pl->alarms[k];
            if (a->in_alarm && a->changed_ms > d->created_ms &&
                ecs_str__eq(&a->name, s->alarm_names[i].p, s->alarm_names[i].len))
                return true;
        }
    }
    return false;
}

/* A failed deployment: FAILED, and with rollback a new deployment of the
 * last COMPLETED one (or a stall when there is none). */
static void fail_deployment(ecs_plane *pl, ecs_service *s, const char *why, bool rollback)
{
    ecs_deployment *p = s->deps[0], *d = NULL;
    p->rollout = ECS_ROLLOUT_FAILED;
    p->updated_ms = pl->now_ms;
    ecs_plane__service_event(pl, s, "(service %s) (deployment %s) deployment failed: %s",
                             ecs_str__c(&s->name), ecs_str__c(&p->id), why);
    if (!rollback || s->completed_rev == NULL)
        return; /* stalls: a FAILED deployment launches nothing */
    if (ecs_vec__reserve(pl->ctx, (void **)&s->deps, &s->deps_cap, sizeof *s->deps, s->ndeps + 1) != ECS_OK ||
        ecs_plane__deployment_new(pl, s, s->completed_family, s->completed_rev, &d) != ECS_OK)
        return; /* out of memory: FAILED without rollback, as the event says */
    ecs_plane__service_event(pl, s, "(service %s) rolling back to deployment %s", ecs_str__c(&s->name),
                             ecs_str__c(&s->completed_id));
    memmove(&s->deps[1], &s->deps[0], s->ndeps * sizeof *s->deps);
    s->deps[0] = d;
    s->ndeps++;
    s->next_dep_seq++;
    s->deps[1]->status = ECS_DEP_ACTIVE;
    /* the completed deployment's reference moves to the new one: it cannot
     * be chosen again until that completes */
    s->completed_rev = NULL;
    s->completed_family = NULL;
    ecs_str__free(pl->ctx, &s->completed_id);
    s->start_failures = 0;
    s->next_launch_ms = 0;
}

static void check_breaker(ecs_plane *pl, ecs_service *s)
{
    ecs_deployment *p = s->deps[0];
    if (p->rollout != ECS_ROLLOUT_IN_PROGRESS)
        return;
    for (size_t i = 0; i < s->ntasks; i++) {
        ecs_task *t = s->tasks[i];
        if (t->dep_seq == p->seq && !t->ever_healthy && ecs_plane__task_counts_healthy(pl, t)) {
            t->ever_healthy = true;
            if (!s->breaker_cumulative)
                p->failed_tasks = 0; /* resetOnHealthyTask (the default) */
        }
    }
    if (s->breaker_enable && p->failed_tasks >= breaker_threshold(s))
        fail_deployment(pl, s, p->any_running ? "tasks failed health checks." : "tasks failed to start.",
                        s->breaker_rollback);
    else if (s->alarms_enable && alarm_on(pl, s, p)) {
        p->failed_by_alarm = true;
        fail_deployment(pl, s, "alarm detected.", s->alarms_rollback);
    }
}

static void completed(ecs_plane *pl, ecs_service *s, ecs_deployment *p)
{
    ecs_str id = { NULL, 0 };
    p->rollout = ECS_ROLLOUT_COMPLETED;
    p->updated_ms = pl->now_ms;
    ecs_plane__service_event(pl, s, "(service %s) (deployment %s) deployment completed.",
                             ecs_str__c(&s->name), ecs_str__c(&p->id));
    if (ecs_str__dup(pl->ctx, &id, p->id.p, p->id.len) != ECS_OK)
        return;
    if (s->completed_rev != NULL)
        s->completed_rev->refs--;
    ecs_str__free(pl->ctx, &s->completed_id);
    s->completed_id = id;
    s->completed_rev = p->rev;
    s->completed_family = p->family;
    p->rev->refs++;
}

static void after_pass(ecs_plane *pl, ecs_service *s)
{
    register_targets(pl, s);
    check_breaker(pl, s);
    if (s->start_failures >= 3) {
        char msg[300];
        snprintf(msg, sizeof msg, "(service %s) is unable to consistently start tasks successfully.",
                 ecs_str__c(&s->name));
        event_once(pl, s, msg);
    }
    if (steady(pl, s)) {
        ecs_deployment *p = s->deps[0];
        if (p->rollout == ECS_ROLLOUT_IN_PROGRESS)
            completed(pl, s, p);
        if (s->steady_event_ms == 0 || pl->now_ms - s->steady_event_ms >= ECS_SIX_HOURS_MS) {
            ecs_plane__service_event(pl, s, "(service %s) has reached a steady state.",
                                     ecs_str__c(&s->name));
            s->steady_event_ms = pl->now_ms;
        }
    } else {
        s->steady_event_ms = 0;
    }
    /* older deployments with no task left are done */
    for (size_t i = 1; i < s->ndeps;) {
        ecs_deployment *d = s->deps[i];
        bool has = false;
        for (size_t k = 0; k < s->ntasks && !has; k++)
            has = s->tasks[k]->dep_seq == d->seq;
        /* a FAILED deployment stays in view while its rollback runs */
        if (has || (d->rollout == ECS_ROLLOUT_FAILED && s->deps[0]->rollout == ECS_ROLLOUT_IN_PROGRESS)) {
            i++;
            continue;
        }
        d->rev->refs--;
        ecs_plane__deployment_free(pl->ctx, d);
        memmove(&s->deps[i], &s->deps[i + 1], (s->ndeps - i - 1) * sizeof *s->deps);
        s->ndeps--;
    }
}

static void drain_deleted(ecs_plane *pl, ecs_service *s)
{
    bool done = true;
    for (size_t i = 0; i < s->ntasks; i++) {
        ecs_task *t = s->tasks[i];
        if (t->desired == ECS_TASK_RUNNING)
            ecs_plane__task_stop(pl, t, ECS_STOP_SERVICE_SCHEDULER_INITIATED, ECS_WHY_SERVICE_DELETED, NULL);
        done &= t->last >= ECS_TASK_STOPPING;
    }
    if (done) {
        s->status = ECS_SVC_INACTIVE;
        s->inactive_ms = pl->now_ms;
    }
}

ecs_status ecs_plane__schedule(ecs_plane *pl, ecs_cluster *c)
{
    ecs_status rc = ECS_OK;
    for (int daemons = 1; daemons >= 0; daemons--) {
        for (size_t i = 0; i < c->nservices; i++) {
            ecs_service *s = c->services[i];
            ecs_status r2 = ECS_OK;
            if (s->daemon != (daemons == 1) || s->status == ECS_SVC_INACTIVE)
                continue;
            if (s->status == ECS_SVC_DRAINING) {
                drain_deleted(pl, s);
                continue;
            }
            if (s->ndeps == 0)
                continue;
            for (int again = 0; again < 2; again++) {
                const ecs_deployment *primary = s->deps[0];
                r2 = s->daemon ? schedule_daemon(pl, s) : schedule_replica(pl, s);
                if (r2 != ECS_OK)
                    rc = r2;
                after_pass(pl, s);
                if (s->deps[0] == primary)
                    break; /* a rollback made a new deployment: it starts now */
            }
        }
    }
    return rc;
}
