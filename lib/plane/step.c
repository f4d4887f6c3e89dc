/*
 * ecs_plane_step(): time moves. Everything timed is found by looking at
 * the state (no timer list to keep in step with it, nothing extra to
 * snapshot): the simulated agents' next moves follow from each task's
 * timestamps and its definition's knobs, the 40-second health rule from
 * startedAt, retention from stoppedAt, throttling from the service's
 * next launch time. The step walks from one such instant to the next up to
 * the time asked for, and at each one settles the agents' work and runs the
 * scheduler, so that a long step gives the same result as many short ones.
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

#define NEVER INT64_MAX
#define SIM_PENDING_MS 1000
#define SIM_START_MS 5000
#define SIM_STOP_MS 2000

static bool sim(const ecs_plane *pl)
{
    return (pl->flags & ECS_PLANE_F_SIMULATED_AGENTS) != 0;
}

static int64_t start_ms(const ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    int64_t ms = -1;
    for (size_t i = 0; i < td->ncontainers; i++) {
        if (td->containers[i].sim_start_s >= 0 && td->containers[i].sim_start_s * 1000LL > ms)
            ms = td->containers[i].sim_start_s * 1000LL;
    }
    return ms < 0 ? SIM_START_MS : ms;
}

static int64_t stop_ms(const ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    int64_t ms = -1;
    for (size_t i = 0; i < td->ncontainers; i++) {
        if (td->containers[i].sim_stop_s >= 0 && td->containers[i].sim_stop_s * 1000LL > ms)
            ms = td->containers[i].sim_stop_s * 1000LL;
    }
    return ms < 0 ? SIM_STOP_MS : ms;
}

static const ecs_str *fail_start(const ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    for (size_t i = 0; i < td->ncontainers; i++) {
        if (td->containers[i].sim_fail_start.len > 0)
            return &td->containers[i].sim_fail_start;
    }
    return NULL;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* When the simulated agent next acts on container i of a RUNNING task. */
static int64_t container_due(const ecs_task *t, size_t i)
{
    const ecs_container_def *cd = &t->rev->def->containers[i];
    const ecs_container_state *cs = &t->containers[i];
    int64_t due = NEVER;
    if (cs->last != ECS_TASK_RUNNING)
        return NEVER;
    if (cd->sim_exit_after_s >= 0)
        due = min64(due, t->started_ms + cd->sim_exit_after_s * 1000LL);
    if (cd->health_check) {
        if (cs->health == ECS_HEALTH_UNKNOWN)
            due = min64(due, t->started_ms + (int64_t)cd->hc_interval_s * 1000LL);
        if (cd->sim_unhealthy_after_s >= 0 && cs->health != ECS_HEALTH_UNHEALTHY)
            due = min64(due, t->started_ms + cd->sim_unhealthy_after_s * 1000LL);
    }
    return due;
}

/* The simulated load balancer: a registered target turns healthy
 * SIM_TARGET_HEALTHY_MS after the task started, or unhealthy after
 * "libecs.sim.target-unhealthy-after-seconds". */
#define SIM_TARGET_HEALTHY_MS 10000
static int64_t target_unhealthy_ms(const ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    for (size_t i = 0; i < td->ncontainers; i++) {
        if (td->containers[i].sim_target_unhealthy_after_s >= 0)
            return td->containers[i].sim_target_unhealthy_after_s * 1000LL;
    }
    return -1;
}

static int64_t target_due(const ecs_task *t)
{
    int64_t bad = target_unhealthy_ms(t);
    if (!t->target_registered || t->target_health == ECS_HEALTH_UNHEALTHY)
        return NEVER;
    if (bad >= 0)
        return t->started_ms + bad;
    if (t->target_health == ECS_HEALTH_UNKNOWN)
        return t->started_ms + SIM_TARGET_HEALTHY_MS;
    return NEVER;
}

/* The next instant at which the simulated agent acts on t. */
static int64_t agent_due(const ecs_task *t)
{
    int64_t due = NEVER;
    if (t->last == ECS_TASK_STOPPED)
        return NEVER;
    if (t->desired == ECS_TASK_STOPPED) {
        if (t->last == ECS_TASK_RUNNING)
            return t->stop_requested_ms;
        if (t->last == ECS_TASK_DEACTIVATING)
            return NEVER; /* the plane ends the draining */
        return (t->drain_until_ms > t->stop_requested_ms ? t->drain_until_ms : t->stop_requested_ms) +
               stop_ms(t);
    }
    if (t->last == ECS_TASK_PROVISIONING && start_ms(t) > SIM_PENDING_MS)
        return t->created_at_ms + SIM_PENDING_MS;
    if (t->last < ECS_TASK_RUNNING)
        return t->created_at_ms + start_ms(t);
    if (t->last == ECS_TASK_RUNNING) {
        for (size_t i = 0; i < t->rev->def->ncontainers; i++)
            due = min64(due, container_due(t, i));
        due = min64(due, target_due(t));
    }
    return due;
}

/* Carry out what is due for t at the plane's clock. */
static void agent_act(ecs_plane *pl, ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    int64_t now = pl->now_ms;
    if (agent_due(t) > now)
        return;
    if (t->desired == ECS_TASK_STOPPED) {
        int64_t base = t->drain_until_ms > t->stop_requested_ms ? t->drain_until_ms : t->stop_requested_ms;
        if (t->last == ECS_TASK_DEACTIVATING)
            return;
        if (t->last == ECS_TASK_RUNNING)
            ecs_plane__task_advance(pl, t, ECS_TASK_STOPPING);
        if (base + stop_ms(t) <= now)
            ecs_plane__task_advance(pl, t, ECS_TASK_STOPPED);
        return;
    }
    if (t->last == ECS_TASK_PROVISIONING && start_ms(t) > SIM_PENDING_MS &&
        t->created_at_ms + SIM_PENDING_MS <= now && t->created_at_ms + start_ms(t) > now) {
        ecs_plane__task_advance(pl, t, ECS_TASK_PENDING);
        return;
    }
    if (t->last < ECS_TASK_RUNNING) {
        const ecs_str *why = fail_start(t);
        if (why != NULL) {
            ecs_str text = { NULL, 0 };
            if (ecs_str__dup(pl->ctx, &text, why->p, why->len) != ECS_OK)
                return; /* tried again at the next step */
            ecs_plane__task_advance(pl, t, ECS_TASK_PENDING);
            ecs_plane__task_stop(pl, t, ECS_STOP_TASK_FAILED_TO_START, ECS_WHY_TEXT, &text);
            ecs_plane__task_advance(pl, t, ECS_TASK_STOPPED);
            return;
        }
        ecs_plane__task_advance(pl, t, ECS_TASK_RUNNING);
        return;
    }
    if (target_due(t) <= now) {
        t->target_health = target_unhealthy_ms(t) >= 0 && t->started_ms + target_unhealthy_ms(t) <= now
                               ? ECS_HEALTH_UNHEALTHY
                               : ECS_HEALTH_HEALTHY;
        t->version++;
    }
    for (size_t i = 0; i < td->ncontainers; i++) {
        const ecs_container_def *cd = &td->containers[i];
        ecs_container_state *cs = &t->containers[i];
        if (container_due(t, i) > now)
            continue;
        if (cd->sim_exit_after_s >= 0 && t->started_ms + cd->sim_exit_after_s * 1000LL <= now) {
            cs->last = ECS_TASK_STOPPED;
            cs->has_exit = true;
            cs->exit_code = cd->sim_exit_code;
            t->version++;
            if (cd->essential)
                ecs_plane__task_stop(pl, t, ECS_STOP_ESSENTIAL_CONTAINER_EXITED, ECS_WHY_ESSENTIAL, NULL);
            continue;
        }
        if (cd->sim_unhealthy_after_s >= 0 && t->started_ms + cd->sim_unhealthy_after_s * 1000LL <= now)
            cs->health = ECS_HEALTH_UNHEALTHY;
        else if (cs->health == ECS_HEALTH_UNKNOWN)
            cs->health = ECS_HEALTH_HEALTHY;
        t->health = (uint8_t)ecs_plane__task_health(t);
    }
}

/* The next instant after the clock at which anything of cluster c falls
 * due (NEVER: nothing). */
static int64_t cluster_due(const ecs_plane *pl, const ecs_cluster *c)
{
    int64_t due = NEVER, now = pl->now_ms;
    for (size_t i = 0; i < c->ntasks; i++) {
        const ecs_task *t = c->tasks[i];
        int64_t d;
        if (t->last == ECS_TASK_STOPPED) {
            d = t->stopped_ms + ECS_TASK_RETENTION_MS;
            if (d > now)
                due = min64(due, d);
            continue;
        }
        if (sim(pl)) {
            d = agent_due(t);
            if (d > now)
                due = min64(due, d);
        }
        if (t->svc != NULL && t->last == ECS_TASK_RUNNING) {
            d = t->started_ms + ECS_HEALTHY_AFTER_MS;
            if (d > now)
                due = min64(due, d);
        }
        if (t->protect_until_ms > now)
            due = min64(due, t->protect_until_ms);
        if (t->last == ECS_TASK_DEACTIVATING && t->drain_until_ms > now)
            due = min64(due, t->drain_until_ms);
        if (t->svc != NULL && t->started_ms != 0 && t->svc->grace_s > 0 &&
            t->started_ms + (int64_t)t->svc->grace_s * 1000 > now)
            due = min64(due, t->started_ms + (int64_t)t->svc->grace_s * 1000);
    }
    for (size_t i = 0; i < c->nservices; i++) {
        const ecs_service *s = c->services[i];
        if (s->status == ECS_SVC_INACTIVE) {
            if (s->inactive_ms + ECS_TASK_RETENTION_MS > now)
                due = min64(due, s->inactive_ms + ECS_TASK_RETENTION_MS);
            continue;
        }
        if (s->next_launch_ms > now)
            due = min64(due, s->next_launch_ms);
        if (s->steady_event_ms != 0 && s->steady_event_ms + ECS_SIX_HOURS_MS > now)
            due = min64(due, s->steady_event_ms + ECS_SIX_HOURS_MS);
    }
    return due;
}

/* Tasks retained past their time, and services long INACTIVE, go. */
static void purge(ecs_plane *pl, ecs_cluster *c)
{
    {
        size_t k = 0;
        for (size_t i = 0; i < c->nservices; i++) {
            ecs_service *s = c->services[i];
            if (s->status == ECS_SVC_INACTIVE && s->inactive_ms + ECS_TASK_RETENTION_MS <= pl->now_ms) {
                for (size_t j = 0; j < c->ntasks; j++) {
                    if (c->tasks[j]->svc == s)
                        c->tasks[j]->svc = NULL;
                }
                for (size_t d = 0; d < s->ndeps; d++)
                    s->deps[d]->rev->refs--;
                if (s->completed_rev != NULL)
                    s->completed_rev->refs--;
                ecs_plane__service_free(pl->ctx, s);
            } else {
                c->services[k++] = s;
            }
        }
        c->nservices = k;
        k = 0;
        for (size_t i = 0; i < c->ntasks; i++) {
            ecs_task *t = c->tasks[i];
            if (t->last == ECS_TASK_STOPPED && t->stopped_ms + ECS_TASK_RETENTION_MS <= pl->now_ms) {
                ecs_map__del(&c->task_by_id, t->id.p, t->id.len);
                t->rev->refs--;
                ecs_plane__task_free(pl->ctx, t);
            } else {
                c->tasks[k++] = t;
            }
        }
        c->ntasks = k;
    }
}

/* Settle the instant the clock shows for cluster c: the agents' due work,
 * then the scheduler, until nothing more falls due now (bounded). */
static ecs_status settle(ecs_plane *pl, ecs_cluster *c)
{
    ecs_status rc = ECS_OK;
    for (int round = 0; round < 16; round++) {
        bool more = false;
        for (size_t i = 0; i < c->ntasks; i++) {
            ecs_task *t = c->tasks[i];
            if (t->last == ECS_TASK_DEACTIVATING && t->drain_until_ms <= pl->now_ms)
                ecs_plane__task_drained(pl, t);
        }
        if (sim(pl)) {
            for (size_t i = 0; i < c->ntasks; i++) {
                ecs_task *t = c->tasks[i];
                if (t->last != ECS_TASK_STOPPED && agent_due(t) <= pl->now_ms)
                    agent_act(pl, t);
            }
        }
        if (c->active && c->nservices > 0) {
            uint64_t before = c->changes;
            ecs_status r2 = ecs_plane__schedule(pl, c);
            if (r2 != ECS_OK)
                rc = r2;
            /* the scheduler's own changes (stops that make room, a rollback)
             * can let it do more at this same instant: settle until it does
             * nothing, so that how often a step looks at an instant (one long
             * step or many short ones) does not change what happens */
            more |= c->changes != before;
        }
        if (sim(pl) && !more) {
            for (size_t i = 0; i < c->ntasks && !more; i++) {
                const ecs_task *t = c->tasks[i];
                more = t->last != ECS_TASK_STOPPED && agent_due(t) <= pl->now_ms;
            }
        }
        if (!more || rc != ECS_OK)
            break;
    }
    return rc;
}

/* Do what falls due now in every cluster that changed since it was last
 * settled or whose wake time has come; the others (an idle cluster, however
 * many tasks it holds) cost nothing. Returns the earliest wake time. */
static ecs_status work_now(ecs_plane *pl, int64_t *next)
{
    ecs_status rc = ECS_OK;
    *next = NEVER;
    for (size_t ci = 0; ci < pl->nclusters; ci++) {
        ecs_cluster *c = pl->clusters[ci];
        if (c->clean && c->wake_ms > pl->now_ms) {
            *next = min64(*next, c->wake_ms);
            continue;
        }
        {
            ecs_status r2 = settle(pl, c);
            if (r2 != ECS_OK)
                rc = r2;
        }
        purge(pl, c);
        c->wake_ms = cluster_due(pl, c);
        c->clean = rc == ECS_OK; /* after a failure, look again next time */
        *next = min64(*next, c->wake_ms);
    }
    return rc;
}

static ecs_status push_order(ecs_plane *pl, const ecs_cluster *c, const ecs_task *t,
                             ecs_plane_order_kind kind, size_t lb)
{
    ecs_plane_order *o;
    if (ecs_vec__reserve(pl->ctx, (void **)&pl->orders, &pl->orders_cap, sizeof *pl->orders,
                         pl->norders + 1) != ECS_OK)
        return ECS_E_NOMEM;
    o = &pl->orders[pl->norders++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->cluster_arn = ecs_str__c(&c->arn);
    o->task_arn = ecs_str__c(&t->arn);
    o->container_instance_arn = t->inst != NULL ? ecs_str__c(&t->inst->arn) : NULL;
    if (kind == ECS_ORDER_REGISTER_TARGET || kind == ECS_ORDER_DEREGISTER_TARGET) {
        const ecs_svc_lb *b = &t->svc->lbs[lb];
        o->target_group_arn = b->target_group_arn.len > 0 ? ecs_str__c(&b->target_group_arn)
                                                          : ecs_str__c(&b->load_balancer_name);
        o->target_port = b->container_port;
        if (ecs_task__net(t)->private_ip.len > 0) {
            o->target_id = ecs_str__c(&t->net->private_ip);
        } else {
            o->target_id = t->inst != NULL ? ecs_str__c(&t->inst->ec2_instance_id) : "";
            for (size_t k = 0; k < t->nbindings; k++) {
                const ecs_container_def *cd = &t->rev->def->containers[t->bindings[k].container];
                if (t->bindings[k].container_port == b->container_port &&
                    ecs_str__eq(&cd->name, b->container_name.p, b->container_name.len))
                    o->target_port = t->bindings[k].host_port;
            }
        }
    }
    return ECS_OK;
}

/* Hand out the orders that arose, once each: per task, target
 * registrations, then its start or stop, then target deregistrations. */
static ecs_status collect_orders(ecs_plane *pl)
{
    pl->norders = 0;
    for (size_t ci = 0; ci < pl->nclusters; ci++) {
        ecs_cluster *c = pl->clusters[ci];
        if (c->pending_orders == 0)
            continue;
        for (size_t i = 0; i < c->ntasks && c->pending_orders > 0; i++) {
            ecs_task *t = c->tasks[i];
            size_t nlbs = t->svc != NULL ? t->svc->nlbs : 0;
            if (t->orders == 0)
                continue;
            if (t->orders & ECS_ORDER_START_PENDING) {
                if (push_order(pl, c, t, ECS_ORDER_START, 0) != ECS_OK)
                    return ECS_E_NOMEM;
            }
            if (t->orders & ECS_ORDER_REGISTER_PENDING) {
                for (size_t k = 0; k < nlbs; k++) {
                    if (push_order(pl, c, t, ECS_ORDER_REGISTER_TARGET, k) != ECS_OK)
                        return ECS_E_NOMEM;
                }
            }
            if (t->orders & ECS_ORDER_DEREGISTER_PENDING) {
                for (size_t k = 0; k < nlbs; k++) {
                    if (push_order(pl, c, t, ECS_ORDER_DEREGISTER_TARGET, k) != ECS_OK)
                        return ECS_E_NOMEM;
                }
            }
            if (t->orders & ECS_ORDER_STOP_PENDING) {
                if (push_order(pl, c, t, ECS_ORDER_STOP, 0) != ECS_OK)
                    return ECS_E_NOMEM;
            }
            /* handed out: nothing the scheduler looks at has changed, so the
             * cluster stays settled */
            t->orders = 0;
            c->pending_orders--;
        }
    }
    return ECS_OK;
}

ecs_status ecs_plane_step(ecs_plane *pl, int64_t now_ms, const ecs_plane_order **orders,
                          size_t *norders)
{
    ecs_status rc = ECS_OK, r2;
    if (orders != NULL)
        *orders = NULL;
    if (norders != NULL)
        *norders = 0;
    if (pl == NULL)
        return ECS_E_INVALID_ARG;
    if (now_ms < pl->now_ms)
        return ecs_ctx__fail(pl->ctx, ECS_E_INVALID_ARG,
                             "time cannot move backwards (clock at %lld ms, asked for %lld ms)",
                             (long long)pl->now_ms, (long long)now_ms);
    for (;;) {
        int64_t next;
        if ((r2 = work_now(pl, &next)) != ECS_OK)
            rc = r2;
        if (next > now_ms || rc != ECS_OK)
            break;
        pl->now_ms = next;
    }
    pl->now_ms = now_ms;
    ecs_plane__purge_deleted(pl);
    if ((r2 = collect_orders(pl)) != ECS_OK)
        rc = r2;
    if (rc == ECS_E_NOMEM)
        ecs_ctx__fail(pl->ctx, rc, "ecs_plane_step: out of memory; the rest is done by the next step");
    if (orders != NULL)
        *orders = pl->orders;
    if (norders != NULL)
        *norders = pl->norders;
    return rc;
}

ecs_status ecs_plane_set_time(ecs_plane *pl, int64_t now_ms)
{
    return ecs_plane_step(pl, now_ms, NULL, NULL);
}
