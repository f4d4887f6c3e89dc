/*
 * Services as the plane holds them: freeing, lookup, events and their JSON
 * form (CreateService, UpdateService, DeleteService, DescribeServices).
 *
 * Events are kept oldest first and written newest first, at most
 * ECS_SERVICE_MAX_EVENTS (100, as ECS keeps); the oldest is dropped first.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

void ecs_plane__deployment_free(ecs_ctx *ctx, ecs_deployment *d)
{
    if (d == NULL)
        return;
    ecs_str__free(ctx, &d->id); /* the caller drops d->rev's reference */
    ecs_ctx__release(ctx, d, sizeof *d);
}

void ecs_plane__strs_free(ecs_ctx *ctx, ecs_str *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        ecs_str__free(ctx, &v[i]);
    ecs_ctx__release(ctx, v, n * sizeof *v);
}

void ecs_plane__service_free(ecs_ctx *ctx, ecs_service *s)
{
    if (s == NULL)
        return;
    ecs_str__free(ctx, &s->name);
    ecs_str__free(ctx, &s->arn);
    if (s->lbs != NULL) {
        for (size_t i = 0; i < s->nlbs; i++) {
            ecs_str__free(ctx, &s->lbs[i].target_group_arn);
            ecs_str__free(ctx, &s->lbs[i].load_balancer_name);
            ecs_str__free(ctx, &s->lbs[i].container_name);
        }
        ecs_ctx__release(ctx, s->lbs, s->nlbs * sizeof *s->lbs);
    }
    ecs_plane__strs_free(ctx, s->member_of, s->nmember_of);
    if (s->strategies != NULL) {
        for (size_t i = 0; i < s->nstrategies; i++)
            ecs_str__free(ctx, &s->strategies[i].field);
        ecs_ctx__release(ctx, s->strategies, s->nstrategies * sizeof *s->strategies);
    }
    ecs_plane__strs_free(ctx, s->subnets, s->nsubnets);
    ecs_plane__strs_free(ctx, s->alarm_names, s->nalarm_names);
    ecs_plane__cp_items_free(ctx, s->strategy, s->nstrategy);
    ecs_str__free(ctx, &s->completed_id); /* the caller drops completed_rev's reference */
    ecs_plane__strs_free(ctx, s->security_groups, s->nsecurity_groups);
    ecs_str__free(ctx, &s->propagate_tags);
    ecs_str__free(ctx, &s->client_token);
    ecs_plane__tags_free(ctx, &s->tags);
    for (size_t i = 0; i < s->ndeps; i++)
        ecs_plane__deployment_free(ctx, s->deps[i]);
    ecs_vec__free(ctx, s->deps, s->deps_cap, sizeof *s->deps);
    for (size_t i = 0; i < s->nevents; i++) {
        ecs_str__free(ctx, &s->events[i].id);
        ecs_str__free(ctx, &s->events[i].message);
    }
    ecs_vec__free(ctx, s->events, s->events_cap, sizeof *s->events);
    ecs_vec__free(ctx, s->tasks, s->tasks_cap, sizeof *s->tasks);
    ecs_ctx__release(ctx, s, sizeof *s);
}

ecs_status ecs_plane__deployment_new(ecs_plane *pl, const ecs_service *s, ecs_family *f,
                                     ecs_revision *rev, ecs_deployment **out)
{
    ecs_deployment *d = ecs_ctx__alloc(pl->ctx, sizeof *d);
    char digits[20];
    uint64_t x;
    if (d == NULL)
        return ECS_E_NOMEM;
    memset(d, 0, sizeof *d);
    x = ecs_rng_next(&pl->rng);
    for (int i = 0; i < 19; i++) {
        digits[i] = (char)('0' + (x % 10));
        x /= 10;
    }
    digits[19] = '\0';
    if (digits[0] == '0')
        digits[0] = '1';
    if (ecs_str__fmt(pl->ctx, &d->id, "ecs-svc/%s", digits) != ECS_OK) {
        ecs_ctx__release(pl->ctx, d, sizeof *d);
        return ECS_E_NOMEM;
    }
    d->seq = s->next_dep_seq;
    d->family = f;
    d->rev = rev;
    d->status = ECS_DEP_PRIMARY;
    d->rollout = ECS_ROLLOUT_IN_PROGRESS;
    d->created_ms = d->updated_ms = pl->now_ms;
    *out = d;
    return ECS_OK;
}

ecs_deployment *ecs_plane__deployment(const ecs_service *s, uint32_t seq)
{
    for (size_t i = 0; i < s->ndeps; i++) {
        if (s->deps[i]->seq == seq)
            return s->deps[i];
    }
    return NULL;
}

ecs_service *ecs_plane__service_by_ref(const ecs_cluster *c, const char *ref, size_t len)
{
    const char *name = ref;
    size_t nl = len;
    bool arn = len > 4 && memcmp(ref, "arn:", 4) == 0;
    if (ref == NULL)
        return NULL;
    if (arn) {
        size_t k = len;
        while (k > 0 && ref[k - 1] != '/')
            k--;
        name = ref + k;
        nl = len - k;
    }
    /* the newest service of that name (an INACTIVE one may share it) */
    for (size_t i = c->nservices; i-- > 0;) {
        ecs_service *s = c->services[i];
        if (!ecs_str__eq(&s->name, name, nl))
            continue;
        if (arn && !ecs_str__eq(&s->arn, ref, len))
            continue;
        return s;
    }
    return NULL;
}

void ecs_plane__service_event(ecs_plane *pl, ecs_service *s, const char *fmt, ...)
{
    char msg[1024], id[33], uuid[40];
    ecs_event ev;
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof msg)
        n = (int)sizeof msg - 1;
    ecs_plane__hex_id(pl, id, 32);
    snprintf(uuid, sizeof uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
    memset(&ev, 0, sizeof ev);
    ev.at_ms = pl->now_ms;
    if (s->nevents == ECS_SERVICE_MAX_EVENTS) {
        /* reuse the oldest's room */
        ecs_str__free(pl->ctx, &s->events[0].id);
        ecs_str__free(pl->ctx, &s->events[0].message);
        memmove(&s->events[0], &s->events[1], (s->nevents - 1) * sizeof *s->events);
        s->nevents--;
    }
    if (ecs_vec__reserve(pl->ctx, (void **)&s->events, &s->events_cap, sizeof *s->events,
                         s->nevents + 1) != ECS_OK ||
        ecs_str__dup(pl->ctx, &ev.id, uuid, strlen(uuid)) != ECS_OK ||
        ecs_str__dup(pl->ctx, &ev.message, msg, (size_t)n) != ECS_OK) {
        ecs_str__free(pl->ctx, &ev.id);
        return;
    }
    s->events[s->nevents++] = ev;
}

void ecs_plane__service_counts(const ecs_service *s, const ecs_deployment *d, uint32_t *running,
                               uint32_t *pending)
{
    uint32_t r = 0, p = 0;
    for (size_t i = 0; i < s->ntasks; i++) {
        const ecs_task *t = s->tasks[i];
        if (d != NULL && t->dep_seq != d->seq)
            continue;
        if (t->last == ECS_TASK_RUNNING)
            r++;
        else if (t->last == ECS_TASK_PENDING)
            p++;
    }
    *running = r;
    *pending = p;
}

#define KEY(w, lit) ecs_json_write_key((w), (lit), sizeof(lit) - 1)

static void cstr_member(ecs_json_writer *w, const char *key, const char *v)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_str(w, v, strlen(v));
}

static void str_member(ecs_json_writer *w, const char *key, const ecs_str *v)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_str(w, ecs_str__c(v), v->len);
}

/* "key": [strings] */
static void str_list(ecs_json_writer *w, const char *key, const ecs_str *v, size_t n)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        ecs_json_write_str(w, v[i].p, v[i].len);
    ecs_json_write_arr_end(w);
}

static void write_network(ecs_json_writer *w, const ecs_service *s)
{
    KEY(w, "networkConfiguration");
    ecs_json_write_obj_begin(w);
    KEY(w, "awsvpcConfiguration");
    ecs_json_write_obj_begin(w);
    str_list(w, "subnets", s->subnets, s->nsubnets);
    str_list(w, "securityGroups", s->security_groups, s->nsecurity_groups);
    cstr_member(w, "assignPublicIp", s->public_ip ? "ENABLED" : "DISABLED");
    ecs_json_write_obj_end(w);
    ecs_json_write_obj_end(w);
}

static const char *rollout_name(ecs_rollout r)
{
    return r == ECS_ROLLOUT_COMPLETED ? "COMPLETED" : r == ECS_ROLLOUT_FAILED ? "FAILED" : "IN_PROGRESS";
}

static void write_deployment(const ecs_service *s, ecs_json_writer *w, const ecs_deployment *d)
{
    uint32_t running, pending, live = 0;
    char reason[160];
    ecs_plane__service_counts(s, d, &running, &pending);
    for (size_t i = 0; i < s->ntasks; i++)
        live += s->tasks[i]->dep_seq == d->seq && s->tasks[i]->desired == ECS_TASK_RUNNING;
    ecs_json_write_obj_begin(w);
    str_member(w, "id", &d->id);
    cstr_member(w, "status", d->status == ECS_DEP_PRIMARY ? "PRIMARY"
                             : d->status == ECS_DEP_ACTIVE ? "ACTIVE" : "INACTIVE");
    str_member(w, "taskDefinition", &d->rev->arn);
    KEY(w, "desiredCount");
    ecs_json_write_int(w, d->status == ECS_DEP_PRIMARY ? (int64_t)s->desired : (int64_t)live);
    KEY(w, "pendingCount");
    ecs_json_write_int(w, pending);
    KEY(w, "runningCount");
    ecs_json_write_int(w, running);
    KEY(w, "failedTasks");
    ecs_json_write_int(w, d->failed_tasks);
    KEY(w, "createdAt");
    ecs_plane__write_time(w, d->created_ms);
    KEY(w, "updatedAt");
    ecs_plane__write_time(w, d->updated_ms);
    if (s->nstrategy > 0) {
        KEY(w, "capacityProviderStrategy");
        ecs_plane__write_strategy(w, s->strategy, s->nstrategy);
    } else {
        cstr_member(w, "launchType", ecs_plane__launch_type_name(s->launch_type));
    }
    if (s->launch_type == ECS_LAUNCH_FARGATE) {
        cstr_member(w, "platformVersion", "1.4.0");
        cstr_member(w, "platformFamily", "Linux");
    }
    if (s->has_network)
        write_network(w, s);
    cstr_member(w, "rolloutState", rollout_name(d->rollout));
    if (d->rollout == ECS_ROLLOUT_FAILED && d->failed_by_alarm)
        snprintf(reason, sizeof reason, "ECS deployment %s failed: a CloudWatch alarm went into ALARM.",
                 ecs_str__c(&d->id));
    else if (d->rollout == ECS_ROLLOUT_FAILED)
        snprintf(reason, sizeof reason, "ECS deployment circuit breaker: %s",
                 d->any_running ? "tasks failed health checks." : "tasks failed to start.");
    else
        snprintf(reason, sizeof reason, "ECS deployment %s %s.", ecs_str__c(&d->id),
                 d->rollout == ECS_ROLLOUT_COMPLETED ? "completed" : "in progress");
    cstr_member(w, "rolloutStateReason", reason);
    ecs_json_write_obj_end(w);
}

ecs_status ecs_plane__write_service(const ecs_plane *pl, ecs_json_writer *w, const ecs_service *s,
                                    uint32_t flags)
{
    uint32_t running, pending;
    const ecs_deployment *primary = s->ndeps > 0 ? s->deps[0] : NULL;
    ecs_plane__service_counts(s, NULL, &running, &pending);
    ecs_json_write_obj_begin(w);
    str_member(w, "serviceArn", &s->arn);
    str_member(w, "serviceName", &s->name);
    str_member(w, "clusterArn", &s->cluster->arn);
    KEY(w, "loadBalancers");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < s->nlbs; i++) {
        const ecs_svc_lb *lb = &s->lbs[i];
        ecs_json_write_obj_begin(w);
        if (lb->target_group_arn.len > 0)
            str_member(w, "targetGroupArn", &lb->target_group_arn);
        if (lb->load_balancer_name.len > 0)
            str_member(w, "loadBalancerName", &lb->load_balancer_name);
        str_member(w, "containerName", &lb->container_name);
        KEY(w, "containerPort");
        ecs_json_write_int(w, lb->container_port);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    KEY(w, "serviceRegistries");
    ecs_json_write_arr_begin(w);
    ecs_json_write_arr_end(w);
    cstr_member(w, "status", s->status == ECS_SVC_ACTIVE ? "ACTIVE"
                             : s->status == ECS_SVC_DRAINING ? "DRAINING" : "INACTIVE");
    KEY(w, "desiredCount");
    ecs_json_write_int(w, s->desired);
    KEY(w, "runningCount");
    ecs_json_write_int(w, running);
    KEY(w, "pendingCount");
    ecs_json_write_int(w, pending);
    if (s->nstrategy > 0) {
        KEY(w, "capacityProviderStrategy");
        ecs_plane__write_strategy(w, s->strategy, s->nstrategy);
    } else {
        cstr_member(w, "launchType", ecs_plane__launch_type_name(s->launch_type));
    }
    if (s->launch_type == ECS_LAUNCH_FARGATE) {
        cstr_member(w, "platformVersion", "LATEST");
        cstr_member(w, "platformFamily", "Linux");
    }
    if (primary != NULL)
        str_member(w, "taskDefinition", &primary->rev->arn);
    KEY(w, "deploymentConfiguration");
    ecs_json_write_obj_begin(w);
    KEY(w, "deploymentCircuitBreaker");
    ecs_json_write_obj_begin(w);
    KEY(w, "enable");
    ecs_json_write_bool(w, s->breaker_enable);
    KEY(w, "rollback");
    ecs_json_write_bool(w, s->breaker_rollback);
    if (s->breaker_cumulative) {
        KEY(w, "resetOnHealthyTask");
        ecs_json_write_bool(w, false);
    }
    if (s->breaker_kind != 0) {
        static const char *const kinds[] = { "", "BOUNDED_PERCENT", "UNBOUNDED_PERCENT", "COUNT" };
        KEY(w, "thresholdConfiguration");
        ecs_json_write_obj_begin(w);
        cstr_member(w, "type", kinds[s->breaker_kind & 3]);
        KEY(w, "value");
        ecs_json_write_int(w, s->breaker_value);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_obj_end(w);
    KEY(w, "maximumPercent");
    ecs_json_write_int(w, s->max_pct);
    KEY(w, "minimumHealthyPercent");
    ecs_json_write_int(w, s->min_pct);
    if (s->nalarm_names > 0 || s->alarms_enable) {
        KEY(w, "alarms");
        ecs_json_write_obj_begin(w);
        str_list(w, "alarmNames", s->alarm_names, s->nalarm_names);
        KEY(w, "enable");
        ecs_json_write_bool(w, s->alarms_enable);
        KEY(w, "rollback");
        ecs_json_write_bool(w, s->alarms_rollback);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_obj_end(w);
    KEY(w, "deployments");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < s->ndeps; i++)
        write_deployment(s, w, s->deps[i]);
    ecs_json_write_arr_end(w);
    KEY(w, "events");
    ecs_json_write_arr_begin(w);
    for (size_t i = s->nevents; i-- > 0;) {
        ecs_json_write_obj_begin(w);
        str_member(w, "id", &s->events[i].id);
        KEY(w, "createdAt");
        ecs_plane__write_time(w, s->events[i].at_ms);
        str_member(w, "message", &s->events[i].message);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    KEY(w, "createdAt");
    ecs_plane__write_time(w, s->created_ms);
    KEY(w, "placementConstraints");
    ecs_json_write_arr_begin(w);
    if (s->distinct) {
        ecs_json_write_obj_begin(w);
        cstr_member(w, "type", "distinctInstance");
        ecs_json_write_obj_end(w);
    }
    for (size_t i = 0; i < s->nmember_of; i++) {
        ecs_json_write_obj_begin(w);
        cstr_member(w, "type", "memberOf");
        str_member(w, "expression", &s->member_of[i]);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    KEY(w, "placementStrategy");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < s->nstrategies; i++) {
        const ecs_svc_strategy *st = &s->strategies[i];
        ecs_json_write_obj_begin(w);
        cstr_member(w, "type", st->type == ECS_PLACE_RANDOM ? "random"
                               : (st->type == ECS_PLACE_BINPACK_CPU || st->type == ECS_PLACE_BINPACK_MEMORY)
                                   ? "binpack"
                                   : "spread");
        if (st->field.len > 0)
            str_member(w, "field", &st->field);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    if (s->has_network)
        write_network(w, s);
    if (s->grace_s > 0) {
        KEY(w, "healthCheckGracePeriodSeconds");
        ecs_json_write_int(w, s->grace_s);
    }
    cstr_member(w, "schedulingStrategy", s->daemon ? "DAEMON" : "REPLICA");
    KEY(w, "deploymentController");
    ecs_json_write_obj_begin(w);
    cstr_member(w, "type", "ECS");
    ecs_json_write_obj_end(w);
    if ((flags & ECS_WRITE_TAGS) && s->tags.n > 0) {
        KEY(w, "tags");
        ecs_plane__write_tags(w, &s->tags);
    }
    {
        char by[64];
        snprintf(by, sizeof by, "arn:aws:iam::%s:root", ecs_str__c(&pl->account));
        cstr_member(w, "createdBy", by);
    }
    KEY(w, "enableECSManagedTags");
    ecs_json_write_bool(w, s->managed_tags);
    cstr_member(w, "propagateTags", s->propagate_tags.len > 0 ? ecs_str__c(&s->propagate_tags) : "NONE");
    KEY(w, "enableExecuteCommand");
    ecs_json_write_bool(w, s->enable_execute_command);
    return ecs_json_write_obj_end(w);
}
