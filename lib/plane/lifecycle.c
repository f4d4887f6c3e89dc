/*
 * The task lifecycle (spec 1.5): lastStatus moves only forward through
 * PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING,
 * DEPROVISIONING, STOPPED; desiredStatus only from RUNNING to STOPPED.
 *
 * Counts follow the API reference's definitions word for word: a cluster's
 * (and a service's, and a deployment's) runningCount counts tasks whose
 * lastStatus is RUNNING and pendingCount those whose lastStatus is PENDING
 * (a task in PROVISIONING or ACTIVATING is in neither); an instance's
 * runningTasksCount counts tasks whose desiredStatus is RUNNING and its
 * pendingTasksCount those whose lastStatus is PENDING.
 * A task holds its instance's CPU, memory and ports from placement until
 * it reaches STOPPED, and not a moment longer.
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

const char *ecs_plane__stop_code_name(ecs_stop_code c)
{
    switch (c) {
    case ECS_STOP_NONE: return "";
    case ECS_STOP_TASK_FAILED_TO_START: return "TaskFailedToStart";
    case ECS_STOP_ESSENTIAL_CONTAINER_EXITED: return "EssentialContainerExited";
    case ECS_STOP_USER_INITIATED: return "UserInitiated";
    case ECS_STOP_SERVICE_SCHEDULER_INITIATED: return "ServiceSchedulerInitiated";
    case ECS_STOP_TERMINATION_NOTICE: return "TerminationNotice";
    }
    return "";
}

const char *ecs_plane__health_name(ecs_health h)
{
    switch (h) {
    case ECS_HEALTH_UNKNOWN: return "UNKNOWN";
    case ECS_HEALTH_HEALTHY: return "HEALTHY";
    case ECS_HEALTH_UNHEALTHY: return "UNHEALTHY";
    }
    return "UNKNOWN";
}

const char *ecs_plane__stop_reason(const ecs_task *t, char *buf, size_t size)
{
    switch (t->stop_why) {
    case ECS_WHY_NONE: return NULL;
    case ECS_WHY_TEXT: return ecs_str__c(&t->stop_text);
    case ECS_WHY_USER: return "Task stopped by user";
    case ECS_WHY_ESSENTIAL: return "Essential container in task exited";
    case ECS_WHY_UNHEALTHY: return "Task failed container health checks";
    case ECS_WHY_TARGET_UNHEALTHY:
        snprintf(buf, size, "Task failed ELB health checks in (target-group %s)",
                 t->svc != NULL && t->svc->nlbs > 0 ? ecs_str__c(&t->svc->lbs[0].target_group_arn) : "");
        return buf;
    case ECS_WHY_DEREGISTERED: return "Container instance deregistration forced by user";
    case ECS_WHY_SCALING:
    case ECS_WHY_DRAINING:
    case ECS_WHY_SERVICE_DELETED:
        snprintf(buf, size, "Scaling activity initiated by (deployment %s)", ecs_str__c(&t->started_by));
        return buf;
    }
    return NULL;
}

/* Add (sign +1) or remove (-1) a task from the counts it is part of. */
void ecs_plane__task_count(ecs_task *t, int sign)
{
    ecs_cluster *c = t->cluster;
    uint32_t d = (uint32_t)sign;
    c->clean = false; /* the step looks at this cluster again */
    c->changes++;
    if (t->last == ECS_TASK_RUNNING)
        c->running_tasks += d;
    if (t->last == ECS_TASK_PENDING)
        c->pending_tasks += d;
    if (t->inst != NULL && t->last != ECS_TASK_STOPPED) {
        if (t->desired == ECS_TASK_RUNNING)
            t->inst->running_tasks += d;
        if (t->last == ECS_TASK_PENDING)
            t->inst->pending_tasks += d;
    }
    if (t->launch_type == ECS_LAUNCH_FARGATE && t->last != ECS_TASK_STOPPED)
        c->fargate_tasks += d;
    c->pending_orders += t->orders != 0 ? d : 0;
}

void ecs_plane__task_join(ecs_plane *pl, ecs_task *t)
{
    ecs_cluster *c = t->cluster;
    (void)pl;
    c->tasks[c->ntasks++] = t;
    ecs_map__put(&c->task_by_id, t->id.p, t->id.len, t);
    t->rev->refs++;
    if (t->svc != NULL)
        t->svc->tasks[t->svc->ntasks++] = t;
    t->orders = ECS_ORDER_START_PENDING;
    if (t->inst != NULL) {
        t->inst->cpu_remaining -= t->cpu;
        t->inst->mem_remaining -= t->memory_mib;
        for (size_t p = 0; p < t->nbindings; p++) {
            if (!t->bindings[p].dynamic) {
                t->inst->held[t->inst->nheld].port = t->bindings[p].host_port;
                t->inst->held[t->inst->nheld].udp = t->bindings[p].udp;
                t->inst->nheld++;
            }
        }
    }
    ecs_plane__task_count(t, +1);
}

/* A STOPPED task gives back what it held. */
static void release(ecs_plane *pl, ecs_task *t)
{
    ecs_instance *in = t->inst;
    ecs_service *s = t->svc;
    (void)pl;
    if (in != NULL) {
        in->cpu_remaining += t->cpu;
        in->mem_remaining += t->memory_mib;
        for (size_t p = 0; p < t->nbindings; p++) {
            if (t->bindings[p].dynamic)
                continue;
            for (size_t k = 0; k < in->nheld; k++) {
                if (in->held[k].port == t->bindings[p].host_port && in->held[k].udp == t->bindings[p].udp) {
                    in->held[k] = in->held[--in->nheld];
                    break;
                }
            }
        }
        if (t->cluster->engine != NULL && !t->cluster->engine_stale &&
            ecs_place_remove_task(t->cluster->engine, t->id.p, t->id.len) != ECS_OK)
            t->cluster->engine_stale = true;
    }
    if (s != NULL) {
        for (size_t i = 0; i < s->ntasks; i++) {
            if (s->tasks[i] == t) {
                memmove(&s->tasks[i], &s->tasks[i + 1], (s->ntasks - i - 1) * sizeof *s->tasks);
                s->ntasks--;
                break;
            }
        }
    }
}

void ecs_plane__task_advance(ecs_plane *pl, ecs_task *t, ecs_task_status s)
{
    if (s <= t->last)
        return;
    ecs_plane__task_count(t, -1);
    if (s >= ECS_TASK_PENDING && t->pull_started_ms == 0 && s <= ECS_TASK_RUNNING)
        t->pull_started_ms = pl->now_ms;
    if (s >= ECS_TASK_RUNNING && s < ECS_TASK_STOPPED && t->last < ECS_TASK_RUNNING) {
        if (t->pull_stopped_ms == 0)
            t->pull_stopped_ms = pl->now_ms;
        t->started_ms = pl->now_ms;
        t->ever_running = true;
        t->orders &= (uint8_t)~ECS_ORDER_START_PENDING;
        if (t->svc != NULL) {
            ecs_deployment *d = ecs_plane__deployment(t->svc, t->dep_seq);
            t->svc->start_failures = 0; /* the streak of failed starts is broken */
            t->svc->next_launch_ms = 0;
            if (d != NULL)
                d->any_running = true;
        }
        for (size_t i = 0; i < t->rev->def->ncontainers; i++) {
            if (t->containers[i].last < ECS_TASK_RUNNING)
                t->containers[i].last = ECS_TASK_RUNNING;
        }
    }
    if (s >= ECS_TASK_DEACTIVATING && t->stopping_ms == 0)
        t->stopping_ms = pl->now_ms;
    if (s == ECS_TASK_STOPPED) {
        if (t->execution_stopped_ms == 0)
            t->execution_stopped_ms = pl->now_ms;
        t->stopped_ms = pl->now_ms;
        if (t->desired != ECS_TASK_STOPPED) {
            /* stopped without being asked: an agent report */
            t->desired = ECS_TASK_STOPPED;
            t->stop_requested_ms = pl->now_ms;
        }
        for (size_t i = 0; i < t->rev->def->ncontainers; i++)
            t->containers[i].last = ECS_TASK_STOPPED;
        t->orders = 0;
        if (t->svc != NULL && !t->ever_running &&
            (t->stop_code == ECS_STOP_NONE || t->stop_code == ECS_STOP_TASK_FAILED_TO_START)) {
            /* a start failure; not a task the scheduler or a user stopped first */
            ecs_deployment *d = ecs_plane__deployment(t->svc, t->dep_seq);
            int64_t backoff = 10000;
            t->svc->start_failures++;
            for (uint32_t k = 1; k < t->svc->start_failures && backoff < ECS_THROTTLE_MAX_MS; k++)
                backoff *= 2;
            if (backoff > ECS_THROTTLE_MAX_MS)
                backoff = ECS_THROTTLE_MAX_MS;
            t->svc->next_launch_ms = pl->now_ms + backoff;
            if (d != NULL && !d->any_running)
                d->failed_tasks++; /* circuit breaker, stage 1 */
        }
    }
    t->last = (uint8_t)s;
    t->version++;
    if (s == ECS_TASK_STOPPED)
        release(pl, t);
    ecs_plane__task_count(t, +1);
}

void ecs_plane__task_stop(ecs_plane *pl, ecs_task *t, ecs_stop_code code, ecs_stop_why why,
                          ecs_str *text)
{
    if (t->desired == ECS_TASK_STOPPED || t->last == ECS_TASK_STOPPED) {
        if (text != NULL)
            ecs_str__free(pl->ctx, text);
        return;
    }
    ecs_plane__task_count(t, -1);
    t->desired = ECS_TASK_STOPPED;
    t->stop_requested_ms = pl->now_ms;
    t->stop_code = (uint8_t)code;
    t->stop_why = (uint8_t)why;
    if (text != NULL) {
        ecs_str__free(pl->ctx, &t->stop_text);
        t->stop_text = *text;
        memset(text, 0, sizeof *text);
    }
    if (t->target_registered && t->last == ECS_TASK_RUNNING) {
        /* behind a load balancer: deregister, let connections drain for
         * the target groups' deregistration delay, then stop (spec 4.3) */
        t->last = ECS_TASK_DEACTIVATING;
        t->stopping_ms = pl->now_ms;
        t->drain_until_ms = pl->now_ms + (int64_t)ecs_plane__deregistration_delay_s(pl, t->svc) * 1000;
        t->orders = (uint8_t)((t->orders & ~ECS_ORDER_START_PENDING) | ECS_ORDER_DEREGISTER_PENDING);
    } else {
        t->orders = (uint8_t)((t->orders & ~ECS_ORDER_START_PENDING) | ECS_ORDER_STOP_PENDING);
    }
    t->version++;
    ecs_plane__task_count(t, +1);
}

void ecs_plane__task_drained(ecs_plane *pl, ecs_task *t)
{
    (void)pl;
    if (t->last != ECS_TASK_DEACTIVATING)
        return;
    ecs_plane__task_count(t, -1);
    t->last = ECS_TASK_STOPPING;
    t->orders |= ECS_ORDER_STOP_PENDING;
    t->version++;
    ecs_plane__task_count(t, +1);
}

void ecs_plane__task_register_targets(ecs_plane *pl, ecs_task *t)
{
    (void)pl;
    ecs_plane__task_count(t, -1);
    t->target_registered = true;
    t->target_health = ECS_HEALTH_UNKNOWN;
    t->orders |= ECS_ORDER_REGISTER_PENDING;
    ecs_plane__task_count(t, +1);
}

uint32_t ecs_plane__deregistration_delay_s(const ecs_plane *pl, const ecs_service *s)
{
    uint32_t most = 0;
    for (size_t i = 0; s != NULL && i < s->nlbs; i++) {
        uint32_t d = ECS_DEFAULT_DEREGISTRATION_DELAY_S;
        for (size_t k = 0; k < pl->ntarget_groups; k++) {
            if (s->lbs[i].target_group_arn.len > 0 &&
                ecs_str__eq(&pl->target_groups[k].arn, s->lbs[i].target_group_arn.p,
                            s->lbs[i].target_group_arn.len))
                d = pl->target_groups[k].deregistration_delay_s;
        }
        if (d > most)
            most = d;
    }
    return most;
}

ecs_health ecs_plane__task_health(const ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    bool any = false, all_healthy = true;
    for (size_t i = 0; i < td->ncontainers; i++) {
        if (!td->containers[i].essential || !td->containers[i].health_check)
            continue;
        any = true;
        if (t->containers[i].health == ECS_HEALTH_UNHEALTHY)
            return ECS_HEALTH_UNHEALTHY;
        if (t->containers[i].health != ECS_HEALTH_HEALTHY)
            all_healthy = false;
    }
    return any && all_healthy ? ECS_HEALTH_HEALTHY : ECS_HEALTH_UNKNOWN;
}

bool ecs_plane__task_counts_healthy(const ecs_plane *pl, const ecs_task *t)
{
    const ecs_taskdef *td = t->rev->def;
    bool checks = false;
    if (t->last != ECS_TASK_RUNNING || t->desired != ECS_TASK_RUNNING)
        return false;
    for (size_t i = 0; i < td->ncontainers; i++)
        checks |= td->containers[i].essential && td->containers[i].health_check;
    if (t->svc != NULL && t->svc->nlbs > 0) /* behind a load balancer (spec 4.2) */
        return t->target_health == ECS_HEALTH_HEALTHY && (!checks || t->health == ECS_HEALTH_HEALTHY);
    if (checks)
        return t->health == ECS_HEALTH_HEALTHY;
    return pl->now_ms - t->started_ms >= ECS_HEALTHY_AFTER_MS;
}

bool ecs_plane__task_protected(const ecs_plane *pl, const ecs_task *t)
{
    return t->protect_until_ms != 0 && t->protect_until_ms > pl->now_ms;
}
