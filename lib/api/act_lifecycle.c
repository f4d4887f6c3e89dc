/*
 * What moves a task through its life from outside: the agents' reports
 * (SubmitTaskStateChange, SubmitContainerStateChange, and the libecs
 * extension SubmitContainerHealth), StopTask, and scale-in protection
 * (UpdateTaskProtection, GetTaskProtection).
 *
 * Agent reports: lastStatus only moves forward (spec 1.5); a report of the
 * status the task already has is acknowledged and changes nothing else than
 * the containers it carries; a report that would move a task backwards, or
 * to RUNNING once it was told to stop, is refused (ClientException) and
 * changes nothing. A task an agent reports STOPPED without having been
 * told to stop gets stopCode TaskFailedToStart when it never ran, and
 * EssentialContainerExited when it did; the report's reason becomes its
 * stoppedReason. A container report of STOPPED for an essential container
 * of a task that should run tells the task to stop (stopCode
 * EssentialContainerExited, "Essential container in task exited"); the
 * agent then reports the task STOPPED.
 *
 * SubmitContainerHealth {"cluster", "task", "containerName", "healthStatus":
 * "HEALTHY" | "UNHEALTHY" | "UNKNOWN"} (a libecs extension: ECS agents send
 * container health on a channel the public API does not show) sets a
 * container's health; the task's healthStatus follows from its essential
 * containers with health checks.
 *
 * Scale-in protection applies to service tasks only (ECS's rule): a
 * standalone task gets the failure reason TASK_NOT_VALID. expiresInMinutes
 * is 1..2880, default 120. GetTaskProtection without `tasks` reports every
 * protected task of the cluster.
 */
#include <stdio.h>
#include <string.h>

#include "api/req.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)
#define FAIL_CL(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_CLIENT, __VA_ARGS__)

static int clip(size_t n)
{
    return (int)(n > 200 ? 200 : n);
}

static ecs_status find_task(ecs_req *r, ecs_cluster **c, ecs_task **t)
{
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "task", &n);
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, c)) != ECS_OK)
        return rc;
    if (ref == NULL)
        return FAIL_IP(r, "task is required.");
    *t = ecs_plane__task_by_ref(*c, ref, n);
    if (*t == NULL)
        return FAIL_IP(r, "The referenced task '%.*s' was not found in cluster %s.", clip(n), ref,
                       ecs_str__c(&(*c)->name));
    return ECS_OK;
}

static bool status_of(const char *s, size_t n, ecs_task_status *out)
{
    for (int k = ECS_TASK_PROVISIONING; k <= ECS_TASK_STOPPED; k++) {
        const char *name = ecs_plane__task_status_name((ecs_task_status)k);
        if (strlen(name) == n && memcmp(name, s, n) == 0) {
            *out = (ecs_task_status)k;
            return true;
        }
    }
    return false;
}

static ecs_status ack(ecs_req *r)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "acknowledgment", 14);
    ecs_json_write_str(r->w, "ACK", 3);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

/* A decoded container report. */
typedef struct creport {
    size_t index;                 /* container of the definition */
    bool has_status;
    ecs_task_status status;       /* PENDING, RUNNING or STOPPED */
    bool has_exit;
    int32_t exit_code;
    ecs_str reason, runtime_id;   /* allocated before anything changes */
    const ecs_json_val *bindings;
} creport;

static void creports_free(ecs_req *r, creport *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ecs_str__free(r->ctx, &v[i].reason);
        ecs_str__free(r->ctx, &v[i].runtime_id);
    }
}

/* Decode one container report (obj holds containerName, status, ...). */
static ecs_status decode_container(ecs_req *r, const ecs_task *t, const ecs_json_val *obj,
                                   const char *path, const char *name_key, creport *out)
{
    const ecs_taskdef *td = t->rev->def;
    size_t nl = 0, sl = 0, rl = 0, il = 0;
    const char *name = ecs_req__str(r, obj, name_key, &nl);
    const char *st = ecs_req__str(r, obj, "status", &sl);
    const char *reason = ecs_req__str(r, obj, "reason", &rl);
    const char *rid = ecs_req__str(r, obj, "runtimeId", &il);
    const ecs_json_val *ec = ecs_req__member(r, obj, "exitCode");
    memset(out, 0, sizeof *out);
    out->index = SIZE_MAX;
    for (size_t i = 0; name != NULL && i < td->ncontainers; i++) {
        if (ecs_str__eq(&td->containers[i].name, name, nl))
            out->index = i;
    }
    if (out->index == SIZE_MAX)
        return FAIL_IP(r, "%s%s: the task has no container '%.*s'.", path, name_key, clip(nl),
                       name != NULL ? name : "");
    if (st != NULL) {
        if (!status_of(st, sl, &out->status) ||
            (out->status != ECS_TASK_PENDING && out->status != ECS_TASK_RUNNING &&
             out->status != ECS_TASK_STOPPED))
            return FAIL_IP(r, "%sstatus: a container is PENDING, RUNNING or STOPPED, not '%.*s'.", path,
                           clip(sl), st);
        out->has_status = true;
        if (out->status < t->containers[out->index].last)
            return FAIL_CL(r, "%sstatus: container '%.*s' is %s; it cannot move back to %s.", path,
                           clip(nl), name, ecs_plane__task_status_name(t->containers[out->index].last),
                           ecs_plane__task_status_name(out->status));
    }
    if (ec != NULL) {
        int64_t v;
        if (ecs_json_get_int(ec, &v) != ECS_OK || v < INT32_MIN || v > INT32_MAX)
            return FAIL_IP(r, "%sexitCode: a 32-bit integer.", path);
        out->has_exit = true;
        out->exit_code = (int32_t)v;
    }
    if (reason != NULL && rl > 1024)
        return FAIL_IP(r, "%sreason: at most 1024 characters.", path);
    if (rid != NULL && il > 255)
        return FAIL_IP(r, "%sruntimeId: at most 255 characters.", path);
    out->bindings = ecs_req__member(r, obj, "networkBindings");
    if ((reason != NULL && ecs_str__dup(r->ctx, &out->reason, reason, rl) != ECS_OK) ||
        (rid != NULL && ecs_str__dup(r->ctx, &out->runtime_id, rid, il) != ECS_OK)) {
        creports_free(r, out, 1);
        return ecs_req__nomem(r);
    }
    return ECS_OK;
}

/* Apply a decoded container report (cannot fail; takes over its strings). */
static void apply_container(ecs_req *r, ecs_task *t, creport *cr)
{
    ecs_container_state *cs = &t->containers[cr->index];
    if (cr->has_status && cr->status > cs->last)
        cs->last = cr->status;
    if (cr->has_exit) {
        cs->has_exit = true;
        cs->exit_code = cr->exit_code;
    }
    if (cr->reason.len > 0) {
        ecs_str__free(r->ctx, &cs->reason);
        cs->reason = cr->reason;
        memset(&cr->reason, 0, sizeof cr->reason);
    }
    if (cr->runtime_id.len > 0) {
        ecs_str__free(r->ctx, &cs->runtime_id);
        cs->runtime_id = cr->runtime_id;
        memset(&cr->runtime_id, 0, sizeof cr->runtime_id);
    }
    /* reported host ports of dynamic mappings */
    for (const ecs_json_val *b = ecs_json_first(cr->bindings); b != NULL; b = ecs_json_next(cr->bindings, b)) {
        int64_t cp = 0, hp = 0;
        if (ecs_json_get_int(ecs_req__member(r, b, "containerPort"), &cp) != ECS_OK ||
            ecs_json_get_int(ecs_req__member(r, b, "hostPort"), &hp) != ECS_OK || hp < 1 || hp > 65535)
            continue;
        for (size_t k = 0; k < t->nbindings; k++) {
            if (t->bindings[k].container == cr->index && t->bindings[k].dynamic &&
                t->bindings[k].container_port == cp)
                t->bindings[k].host_port = (uint16_t)hp;
        }
    }
    if (cs->last == ECS_TASK_STOPPED && t->rev->def->containers[cr->index].essential &&
        t->desired == ECS_TASK_RUNNING)
        ecs_plane__task_stop(r->pl, t, ECS_STOP_ESSENTIAL_CONTAINER_EXITED, ECS_WHY_ESSENTIAL, NULL);
    t->version++;
}

static bool timestamp_ms(const ecs_json_val *v, int64_t *out)
{
    double d;
    if (v == NULL || ecs_json_get_double(v, &d) != ECS_OK || !(d >= 0) || d > 1e12)
        return false;
    *out = (int64_t)(d * 1000.0 + 0.5);
    return true;
}

ecs_status ecs_act__submit_task_state_change(ecs_req *r)
{
    ecs_cluster *c;
    ecs_task *t;
    size_t sl = 0, rl = 0, nrep = 0;
    const char *st = ecs_req__str(r, r->root, "status", &sl);
    const char *reason = ecs_req__str(r, r->root, "reason", &rl);
    const ecs_json_val *list = ecs_req__member(r, r->root, "containers");
    ecs_task_status to;
    creport reps[ECS_TASKDEF_MAX_CONTAINERS];
    ecs_str text = { NULL, 0 };
    int64_t pull_start = 0, pull_stop = 0, exec_stop = 0;
    bool has_ps, has_pe, has_es;
    ecs_status rc;

    if ((rc = find_task(r, &c, &t)) != ECS_OK)
        return rc;
    to = t->last;
    if (st != NULL && !status_of(st, sl, &to))
        return FAIL_IP(r, "status: '%.*s' is not a task status.", clip(sl), st);
    if (to < t->last)
        return FAIL_CL(r, "Invalid state transition: task %s is %s; it cannot move back to %s.",
                       ecs_str__c(&t->id), ecs_plane__task_status_name(t->last),
                       ecs_plane__task_status_name(to));
    if (to != t->last && to >= ECS_TASK_RUNNING && to < ECS_TASK_DEACTIVATING &&
        t->desired == ECS_TASK_STOPPED)
        return FAIL_CL(r, "Invalid state transition: task %s has desiredStatus STOPPED; it cannot "
                          "move to %s.", ecs_str__c(&t->id), ecs_plane__task_status_name(to));
    if (reason != NULL && rl > 255)
        return FAIL_IP(r, "reason: at most 255 characters.");
    has_ps = timestamp_ms(ecs_req__member(r, r->root, "pullStartedAt"), &pull_start);
    has_pe = timestamp_ms(ecs_req__member(r, r->root, "pullStoppedAt"), &pull_stop);
    has_es = timestamp_ms(ecs_req__member(r, r->root, "executionStoppedAt"), &exec_stop);
    if (ecs_json_len(list) > t->rev->def->ncontainers)
        return FAIL_IP(r, "containers: the task has %zu containers.", t->rev->def->ncontainers);
    {
        size_t i = 0;
        for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v), i++) {
            char path[48];
            snprintf(path, sizeof path, "containers[%zu].", i);
            if ((rc = decode_container(r, t, v, path, "containerName", &reps[nrep])) != ECS_OK) {
                creports_free(r, reps, nrep);
                return rc;
            }
            nrep++;
        }
    }
    if (to == ECS_TASK_STOPPED && t->desired == ECS_TASK_RUNNING && reason != NULL &&
        ecs_str__dup(r->ctx, &text, reason, rl) != ECS_OK) {
        creports_free(r, reps, nrep);
        return ecs_req__nomem(r);
    }
    if ((rc = ack(r)) != ECS_OK) {
        creports_free(r, reps, nrep);
        ecs_str__free(r->ctx, &text);
        return rc;
    }
    /* nothing fails from here */
    for (size_t i = 0; i < nrep; i++)
        apply_container(r, t, &reps[i]);
    creports_free(r, reps, nrep);
    if (has_ps)
        t->pull_started_ms = pull_start;
    if (has_pe)
        t->pull_stopped_ms = pull_stop;
    if (has_es)
        t->execution_stopped_ms = exec_stop;
    if (to == ECS_TASK_STOPPED && t->desired == ECS_TASK_RUNNING) {
        bool essential_exit = false;
        for (size_t i = 0; i < t->rev->def->ncontainers; i++)
            essential_exit |= t->rev->def->containers[i].essential && t->containers[i].last == ECS_TASK_STOPPED;
        ecs_plane__task_stop(r->pl, t,
                             !t->ever_running ? ECS_STOP_TASK_FAILED_TO_START
                                              : ECS_STOP_ESSENTIAL_CONTAINER_EXITED,
                             text.len > 0 ? ECS_WHY_TEXT
                             : essential_exit || t->ever_running ? ECS_WHY_ESSENTIAL
                                                                 : ECS_WHY_NONE,
                             text.len > 0 ? &text : NULL);
    }
    ecs_str__free(r->ctx, &text);
    if (to > t->last)
        ecs_plane__task_advance(r->pl, t, to);
    return ECS_OK;
}

ecs_status ecs_act__submit_container_state_change(ecs_req *r)
{
    ecs_cluster *c;
    ecs_task *t;
    creport rep;
    ecs_status rc;
    if ((rc = find_task(r, &c, &t)) != ECS_OK)
        return rc;
    if (t->last == ECS_TASK_STOPPED)
        return FAIL_CL(r, "Task %s is STOPPED; its containers no longer change.", ecs_str__c(&t->id));
    if ((rc = decode_container(r, t, r->root, "", "containerName", &rep)) != ECS_OK)
        return rc;
    if ((rc = ack(r)) != ECS_OK) {
        creports_free(r, &rep, 1);
        return rc;
    }
    apply_container(r, t, &rep);
    creports_free(r, &rep, 1);
    return ECS_OK;
}

ecs_status ecs_act__submit_container_health(ecs_req *r)
{
    ecs_cluster *c;
    ecs_task *t;
    size_t nl = 0, hl = 0, idx = SIZE_MAX;
    const char *name = ecs_req__str(r, r->root, "containerName", &nl);
    const char *h = ecs_req__str(r, r->root, "healthStatus", &hl);
    ecs_health health;
    ecs_status rc;
    if ((rc = find_task(r, &c, &t)) != ECS_OK)
        return rc;
    for (size_t i = 0; name != NULL && i < t->rev->def->ncontainers; i++) {
        if (ecs_str__eq(&t->rev->def->containers[i].name, name, nl))
            idx = i;
    }
    if (idx == SIZE_MAX)
        return FAIL_IP(r, "containerName: the task has no container '%.*s'.", clip(nl), name ? name : "");
    if (h != NULL && hl == 7 && memcmp(h, "HEALTHY", 7) == 0)
        health = ECS_HEALTH_HEALTHY;
    else if (h != NULL && hl == 9 && memcmp(h, "UNHEALTHY", 9) == 0)
        health = ECS_HEALTH_UNHEALTHY;
    else if (h != NULL && hl == 7 && memcmp(h, "UNKNOWN", 7) == 0)
        health = ECS_HEALTH_UNKNOWN;
    else
        return FAIL_IP(r, "healthStatus: HEALTHY, UNHEALTHY or UNKNOWN.");
    if (t->last != ECS_TASK_RUNNING)
        return FAIL_CL(r, "Task %s is %s; container health is reported for RUNNING tasks.",
                       ecs_str__c(&t->id), ecs_plane__task_status_name(t->last));
    if ((rc = ack(r)) != ECS_OK)
        return rc;
    t->containers[idx].health = health;
    t->health = (uint8_t)ecs_plane__task_health(t);
    t->version++;
    return ECS_OK;
}

ecs_status ecs_act__stop_task(ecs_req *r)
{
    ecs_cluster *c;
    ecs_task *t, saved;
    size_t rl = 0;
    const char *reason = ecs_req__str(r, r->root, "reason", &rl);
    ecs_str text = { NULL, 0 };
    bool changed;
    ecs_status rc;
    if ((rc = find_task(r, &c, &t)) != ECS_OK)
        return rc;
    if (reason != NULL && rl > 255)
        return FAIL_IP(r, "reason: at most 255 characters.");
    changed = t->desired == ECS_TASK_RUNNING && t->last != ECS_TASK_STOPPED;
    if (changed && reason != NULL && rl > 0 && ecs_str__dup(r->ctx, &text, reason, rl) != ECS_OK)
        return ecs_req__nomem(r);
    saved = *t;
    if (changed)
        ecs_plane__task_stop(r->pl, t, ECS_STOP_USER_INITIATED, text.len > 0 ? ECS_WHY_TEXT : ECS_WHY_USER,
                             text.len > 0 ? &text : NULL);
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "task", 4);
    ecs_plane__write_task(r->pl, r->w, t, 0);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        if (changed) {
            /* undo: back to the saved fields, counts with them */
            ecs_plane__task_count(t, -1);
            ecs_str__free(r->ctx, &t->stop_text);
            *t = saved;
            ecs_plane__task_count(t, +1);
        }
        return ecs_req__nomem(r);
    }
    if (changed && t->svc == NULL) {
        /* nothing else to tell */
    }
    return ECS_OK;
}

static void write_protection(ecs_req *r, const ecs_task *t)
{
    bool on = ecs_plane__task_protected(r->pl, t);
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "taskArn", 7);
    ecs_json_write_str(r->w, t->arn.p, t->arn.len);
    ecs_json_write_key(r->w, "protectionEnabled", 17);
    ecs_json_write_bool(r->w, on);
    if (on) {
        ecs_json_write_key(r->w, "expirationDate", 14);
        ecs_plane__write_time(r->w, t->protect_until_ms);
    }
    ecs_json_write_obj_end(r->w);
}

/* Write protectedTasks and failures for the request's tasks; with set,
 * tasks that qualify get protect_until set to until (saved in old[]). */
static ecs_status protection_answer(ecs_req *r, ecs_cluster *c, const ecs_json_val *list, bool set,
                                    int64_t until)
{
    int64_t old[10];
    ecs_task *changed[10];
    size_t nchanged = 0;
    if (set) {
        for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
            size_t n = 0;
            const char *ref = ecs_json_str(r->doc, v, &n);
            ecs_task *t = ecs_plane__task_by_ref(c, ref, n);
            bool dup = false;
            if (t == NULL || t->svc == NULL || t->last == ECS_TASK_STOPPED)
                continue;
            for (size_t k = 0; k < nchanged; k++)
                dup |= changed[k] == t;
            if (dup)
                continue;
            old[nchanged] = t->protect_until_ms;
            changed[nchanged++] = t;
            t->protect_until_ms = until;
        }
    }
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "protectedTasks", 14);
    ecs_json_write_arr_begin(r->w);
    if (list == NULL) {
        for (size_t i = 0; i < c->ntasks; i++) {
            if (ecs_plane__task_protected(r->pl, c->tasks[i]))
                write_protection(r, c->tasks[i]);
        }
    }
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        const ecs_task *t = ecs_plane__task_by_ref(c, ref, n);
        if (t != NULL && t->svc != NULL && t->last != ECS_TASK_STOPPED)
            write_protection(r, t);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        const ecs_task *t = ecs_plane__task_by_ref(c, ref, n);
        if (t == NULL)
            ecs_req__write_failure(r, ref, n, "MISSING", NULL);
        else if (t->last == ECS_TASK_STOPPED)
            ecs_req__write_failure(r, t->arn.p, t->arn.len, "TASK_NOT_VALID", "The task is STOPPED.");
        else if (t->svc == NULL)
            ecs_req__write_failure(r, t->arn.p, t->arn.len, "TASK_NOT_VALID",
                          "Task scale-in protection is for tasks of a service.");
    }
    ecs_json_write_arr_end(r->w);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        for (size_t k = 0; k < nchanged; k++)
            changed[k]->protect_until_ms = old[k];
        return ecs_req__nomem(r);
    }
    return ECS_OK;
}

ecs_status ecs_act__update_task_protection(ecs_req *r)
{
    ecs_cluster *c;
    const ecs_json_val *list = ecs_req__member(r, r->root, "tasks");
    const ecs_json_val *ex = ecs_req__member(r, r->root, "expiresInMinutes");
    bool on = ecs_req__bool(r, r->root, "protectionEnabled", false);
    int64_t minutes = 120;
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (ecs_json_len(list) == 0 || ecs_json_len(list) > 10)
        return FAIL_IP(r, "tasks: give 1 to 10 tasks.");
    if (ex != NULL) {
        if (!on)
            return FAIL_IP(r, "expiresInMinutes is only for protectionEnabled true.");
        if (ecs_json_get_int(ex, &minutes) != ECS_OK || minutes < 1 || minutes > 2880)
            return FAIL_IP(r, "expiresInMinutes: 1 to 2880 minutes.");
    }
    return protection_answer(r, c, list, true, on ? r->pl->now_ms + minutes * 60000 : 0);
}

ecs_status ecs_act__get_task_protection(ecs_req *r)
{
    ecs_cluster *c;
    const ecs_json_val *list = ecs_req__member(r, r->root, "tasks");
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (ecs_json_len(list) > 100)
        return FAIL_IP(r, "tasks: at most 100 tasks.");
    return protection_answer(r, c, list, false, 0);
}
