/*
 * libecs extension actions, outside the ECS API (ecs-sim and hosts use them
 * to tell the plane what ECS would learn from EC2):
 *
 *   RegisterSubnets {"subnets": [{"subnetId": "subnet-a",
 *                                 "availabilityZone": "us-east-1a"}, ...]}
 *     declares subnets and their zones (awsvpc tasks need them); declaring
 *     a known subnet again moves it to the zone given. Answer: {"subnets":
 *     [...]} with every subnet known.
 *   SetFargateCapacity {"maxTasks": N}
 *     limits live Fargate tasks per cluster (0: unlimited, the default).
 *   SubmitTargetHealth {"cluster", "task", "state": "healthy" | "unhealthy"}
 *     what the load balancer's health checks say of a task's targets (the
 *     host's report; the simulated agents make them healthy 10 s after the
 *     task starts). Answer: {"taskArn", "state"}.
 *   ModifyTargetGroupAttributes {"targetGroupArn", "attributes": [{"key":
 *     "deregistration_delay.timeout_seconds", "value": "30"}]}
 *     ELB's own action, as far as tasks care: how long a deregistered
 *     target drains before its task may stop (default 300 s, 0..3600).
 *     Answer: {"attributes": [...]}.
 *   SetAlarmState {"alarmName", "stateValue": "ALARM" | "OK" |
 *     "INSUFFICIENT_DATA"}
 *     CloudWatch's own action: a deployment whose service watches the
 *     alarm (deploymentConfiguration.alarms, enable true) fails when the
 *     alarm goes into ALARM while it rolls out (spec 4.4: an alarm already
 *     in ALARM when a deployment starts does not fail it), and rolls back
 *     when rollback is true. Answer: {}.
 *
 *   UpdateServiceOptions {"cluster", "service", "spreadNewRevisionOnly": bool}
 *     beyond ECS: with true, spread placement strategies count only the
 *     tasks of the deployment being placed, so that during a rollout new
 *     tasks spread evenly instead of piling into the zone the old ones left
 *     (EC2 placement; Fargate spreads every live task of the service).
 *     Answer: {"service": ...}.
 *   PreviewDeployment {"cluster", "service", "desiredCount"?,
 *     "minimumHealthyPercent"?, "maximumPercent"?}
 *     beyond ECS: plays a rollout of the service forward (tasks assumed to
 *     become healthy one step after they start; the cluster's room for the
 *     service's tasks as it is now) and answers every step's counts, changing
 *     nothing: {"lower", "upper", "capacity", "completes", "steps":
 *     [{"started", "stopped", "oldRunning", "newPending", "newHealthy"}]}.
 *
 * Their requests are checked here, member by member, as the shape check
 * does for ECS actions: unknown members, wrong types and nulls are refused.
 */
#include <stdio.h>
#include <string.h>

#include "api/req.h"
#include "ecs/deploy.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)

static ecs_status only_members(ecs_req *r, const ecs_json_val *obj, const char *where,
                               const char *const *names, size_t n)
{
    for (const ecs_json_val *k = ecs_json_first(obj); k != NULL; k = ecs_json_next(obj, ecs_json_next(obj, k))) {
        size_t kl = 0;
        const char *key = ecs_json_str(r->doc, k, &kl);
        bool ok = false;
        for (size_t i = 0; i < n; i++)
            ok |= strlen(names[i]) == kl && memcmp(names[i], key, kl) == 0;
        if (!ok)
            return FAIL_IP(r, "Unknown parameter in %s: \"%.*s\".", where, (int)(kl > 64 ? 64 : kl), key);
        if (ecs_json_type_of(ecs_json_next(obj, k)) == ECS_JSON_NULL)
            return FAIL_IP(r, "%s%s%.*s: null is not a value; leave the member out.", where,
                           where[0] ? "." : "", (int)(kl > 64 ? 64 : kl), key);
    }
    return ECS_OK;
}

static bool subnet_token(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

ecs_status ecs_act__register_subnets(ecs_req *r)
{
    static const char *const top[] = { "subnets" };
    static const char *const item[] = { "subnetId", "availabilityZone" };
    const ecs_json_val *list = ecs_req__member(r, r->root, "subnets");
    ecs_plane *pl = r->pl;
    size_t i = 0, added = 0;
    ecs_status rc;

    if ((rc = only_members(r, r->root, "", top, 1)) != ECS_OK)
        return rc;
    if (ecs_json_type_of(list) != ECS_JSON_ARRAY || ecs_json_len(list) == 0 || ecs_json_len(list) > 100)
        return FAIL_IP(r, "subnets: a list of 1 to 100 {subnetId, availabilityZone}.");
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t il = 0, zl = 0;
        const char *id = ecs_req__str(r, s, "subnetId", &il);
        const char *az = ecs_req__str(r, s, "availabilityZone", &zl);
        char where[32];
        snprintf(where, sizeof where, "subnets[%zu]", i);
        if (ecs_json_type_of(s) != ECS_JSON_OBJECT)
            return ecs_api__fail(r->err, ECS_E_PARSE, ECS_ERR_SERIALIZATION, "%s: expected an object.", where);
        if ((rc = only_members(r, s, where, item, 2)) != ECS_OK)
            return rc;
        if (id == NULL || !subnet_token(id, il))
            return FAIL_IP(r, "%s.subnetId: a subnet id such as subnet-0a1b2c3d.", where);
        if (az == NULL || !subnet_token(az, zl))
            return FAIL_IP(r, "%s.availabilityZone: a zone name such as us-east-1a.", where);
        if (ecs_plane__subnet(pl, id, il) == NULL)
            added++;
    }
    /* allocate everything first, then apply */
    {
        ecs_str ids[100], azs[100];
        size_t n = 0;
        memset(ids, 0, sizeof ids);
        memset(azs, 0, sizeof azs);
        if (ecs_vec__reserve(r->ctx, (void **)&pl->subnets, &pl->subnets_cap, sizeof(ecs_subnet),
                             pl->nsubnets + added) != ECS_OK)
            return ecs_req__nomem(r);
        for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), n++) {
            size_t il = 0, zl = 0;
            const char *id = ecs_req__str(r, s, "subnetId", &il);
            const char *az = ecs_req__str(r, s, "availabilityZone", &zl);
            if (ecs_str__dup(r->ctx, &ids[n], id, il) != ECS_OK ||
                ecs_str__dup(r->ctx, &azs[n], az, zl) != ECS_OK) {
                for (size_t k = 0; k <= n; k++) {
                    ecs_str__free(r->ctx, &ids[k]);
                    ecs_str__free(r->ctx, &azs[k]);
                }
                return ecs_req__nomem(r);
            }
        }
        /* the answer first: it lists the subnets as they will be */
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "subnets", 7);
        ecs_json_write_arr_begin(r->w);
        for (size_t k = 0; k < pl->nsubnets; k++) {
            const ecs_str *zone = &pl->subnets[k].az;
            for (size_t j = 0; j < n; j++) {
                if (ecs_str__cmp(&ids[j], &pl->subnets[k].id) == 0)
                    zone = &azs[j];
            }
            ecs_json_write_obj_begin(r->w);
            ecs_json_write_key(r->w, "subnetId", 8);
            ecs_json_write_str(r->w, ecs_str__c(&pl->subnets[k].id), pl->subnets[k].id.len);
            ecs_json_write_key(r->w, "availabilityZone", 16);
            ecs_json_write_str(r->w, ecs_str__c(zone), zone->len);
            ecs_json_write_obj_end(r->w);
        }
        for (size_t j = 0; j < n; j++) {
            bool known = ecs_plane__subnet(pl, ids[j].p, ids[j].len) != NULL, earlier = false;
            for (size_t k = 0; k < j; k++)
                earlier |= ecs_str__cmp(&ids[k], &ids[j]) == 0;
            if (known || earlier)
                continue;
            ecs_json_write_obj_begin(r->w);
            ecs_json_write_key(r->w, "subnetId", 8);
            ecs_json_write_str(r->w, ids[j].p, ids[j].len);
            ecs_json_write_key(r->w, "availabilityZone", 16);
            ecs_json_write_str(r->w, azs[j].p, azs[j].len);
            ecs_json_write_obj_end(r->w);
        }
        ecs_json_write_arr_end(r->w);
        if (ecs_json_write_obj_end(r->w) != ECS_OK) {
            for (size_t k = 0; k < n; k++) {
                ecs_str__free(r->ctx, &ids[k]);
                ecs_str__free(r->ctx, &azs[k]);
            }
            return ecs_req__nomem(r);
        }
        for (size_t j = 0; j < n; j++) {
            ecs_subnet *sn = ecs_plane__subnet(pl, ids[j].p, ids[j].len);
            if (sn != NULL) {
                ecs_str__free(r->ctx, &sn->az);
                sn->az = azs[j];
                ecs_str__free(r->ctx, &ids[j]);
            } else {
                sn = &pl->subnets[pl->nsubnets++];
                memset(sn, 0, sizeof *sn);
                sn->id = ids[j];
                sn->az = azs[j];
            }
        }
    }
    return ECS_OK;
}

ecs_status ecs_act__set_fargate_capacity(ecs_req *r)
{
    static const char *const top[] = { "maxTasks" };
    const ecs_json_val *v = ecs_req__member(r, r->root, "maxTasks");
    int64_t n = 0;
    ecs_status rc;
    if ((rc = only_members(r, r->root, "", top, 1)) != ECS_OK)
        return rc;
    if (v == NULL || ecs_json_get_int(v, &n) != ECS_OK || n < 0 || n > 100000000)
        return FAIL_IP(r, "maxTasks: a whole number of tasks from 0 (unlimited) to 100000000.");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "maxTasks", 8);
    ecs_json_write_int(r->w, n);
    if (ecs_json_write_obj_end(r->w) != ECS_OK)
        return ecs_req__nomem(r);
    r->pl->fargate_limit = (uint32_t)n;
    return ECS_OK;
}

ecs_status ecs_act__submit_target_health(ecs_req *r)
{
    static const char *const members[] = { "cluster", "task", "state" };
    ecs_cluster *c;
    ecs_task *t;
    size_t n = 0, sl = 0;
    const char *ref = ecs_req__str(r, r->root, "task", &n);
    const char *st = ecs_req__str(r, r->root, "state", &sl);
    ecs_health h;
    ecs_status rc;
    if ((rc = only_members(r, r->root, "", members, 3)) != ECS_OK || (rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    t = ecs_plane__task_by_ref(c, ref, n);
    if (t == NULL)
        return FAIL_IP(r, "task: the referenced task '%.*s' was not found.", (int)(n > 200 ? 200 : n),
                       ref != NULL ? ref : "");
    if (st != NULL && sl == 7 && memcmp(st, "healthy", 7) == 0)
        h = ECS_HEALTH_HEALTHY;
    else if (st != NULL && sl == 9 && memcmp(st, "unhealthy", 9) == 0)
        h = ECS_HEALTH_UNHEALTHY;
    else
        return FAIL_IP(r, "state: healthy or unhealthy.");
    if (!t->target_registered || t->last != ECS_TASK_RUNNING)
        return FAIL_IP(r, "Task %s has no registered load-balancer target.", ecs_str__c(&t->id));
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "taskArn", 7);
    ecs_json_write_str(r->w, t->arn.p, t->arn.len);
    ecs_json_write_key(r->w, "state", 5);
    ecs_json_write_str(r->w, st, sl);
    if (ecs_json_write_obj_end(r->w) != ECS_OK)
        return ecs_req__nomem(r);
    t->target_health = (uint8_t)h;
    t->version++;
    return ECS_OK;
}

ecs_status ecs_act__modify_target_group_attributes(ecs_req *r)
{
    static const char *const members[] = { "targetGroupArn", "attributes" };
    static const char *const attr_members[] = { "key", "value" };
    size_t n = 0;
    const char *arn = ecs_req__str(r, r->root, "targetGroupArn", &n);
    const ecs_json_val *attrs = ecs_req__member(r, r->root, "attributes");
    ecs_target_group *tg = NULL;
    int64_t delay = -1;
    ecs_str copy = { NULL, 0 };
    ecs_status rc;
    if ((rc = only_members(r, r->root, "", members, 2)) != ECS_OK)
        return rc;
    if (arn == NULL || n == 0 || n > 1024)
        return FAIL_IP(r, "targetGroupArn is required.");
    if (ecs_json_type_of(attrs) != ECS_JSON_ARRAY)
        return FAIL_IP(r, "attributes: a list of {\"key\", \"value\"} is required.");
    for (const ecs_json_val *a = ecs_json_first(attrs); a != NULL; a = ecs_json_next(attrs, a)) {
        size_t kl = 0, vl = 0;
        const char *k = ecs_req__str(r, a, "key", &kl);
        const char *v = ecs_req__str(r, a, "value", &vl);
        if ((rc = only_members(r, a, "attributes[]", attr_members, 2)) != ECS_OK)
            return rc;
        if (k == NULL || v == NULL)
            return FAIL_IP(r, "attributes[]: key and value (strings) are required.");
        if (kl == 36 && memcmp(k, "deregistration_delay.timeout_seconds", 36) == 0) {
            delay = 0;
            for (size_t i = 0; i < vl; i++) {
                if (v[i] < '0' || v[i] > '9' || delay > 3600)
                    return FAIL_IP(r, "deregistration_delay.timeout_seconds: 0 to 3600.");
                delay = delay * 10 + (v[i] - '0');
            }
            if (vl == 0 || delay > 3600)
                return FAIL_IP(r, "deregistration_delay.timeout_seconds: 0 to 3600.");
        }
    }
    for (size_t i = 0; i < r->pl->ntarget_groups; i++) {
        if (ecs_str__eq(&r->pl->target_groups[i].arn, arn, n))
            tg = &r->pl->target_groups[i];
    }
    if (tg == NULL && (ecs_vec__reserve(r->ctx, (void **)&r->pl->target_groups, &r->pl->target_groups_cap,
                                        sizeof *r->pl->target_groups, r->pl->ntarget_groups + 1) != ECS_OK ||
                       ecs_str__dup(r->ctx, &copy, arn, n) != ECS_OK))
        return ecs_req__nomem(r);
    {
        uint32_t now_delay = delay >= 0 ? (uint32_t)delay
                             : tg != NULL ? tg->deregistration_delay_s : ECS_DEFAULT_DEREGISTRATION_DELAY_S;
        char buf[16];
        int k = snprintf(buf, sizeof buf, "%u", (unsigned)now_delay);
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "attributes", 10);
        ecs_json_write_arr_begin(r->w);
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "key", 3);
        ecs_json_write_str(r->w, "deregistration_delay.timeout_seconds", 36);
        ecs_json_write_key(r->w, "value", 5);
        ecs_json_write_str(r->w, buf, k > 0 ? (size_t)k : 0);
        ecs_json_write_obj_end(r->w);
        ecs_json_write_arr_end(r->w);
        if (ecs_json_write_obj_end(r->w) != ECS_OK) {
            ecs_str__free(r->ctx, &copy);
            return ecs_req__nomem(r);
        }
        if (tg == NULL) {
            tg = &r->pl->target_groups[r->pl->ntarget_groups++];
            tg->arn = copy;
        }
        tg->deregistration_delay_s = now_delay;
    }
    return ECS_OK;
}

ecs_status ecs_act__set_alarm_state(ecs_req *r)
{
    static const char *const members[] = { "alarmName", "stateValue", "stateReason" };
    size_t n = 0, sl = 0;
    const char *name = ecs_req__str(r, r->root, "alarmName", &n);
    const char *st = ecs_req__str(r, r->root, "stateValue", &sl);
    ecs_alarm *al = NULL;
    ecs_str copy = { NULL, 0 };
    bool on;
    ecs_status rc;
    if ((rc = only_members(r, r->root, "", members, 3)) != ECS_OK)
        return rc;
    if (name == NULL || n == 0 || n > 255)
        return FAIL_IP(r, "alarmName: 1 to 255 characters.");
    if (st != NULL && sl == 5 && memcmp(st, "ALARM", 5) == 0)
        on = true;
    else if (st != NULL && ((sl == 2 && memcmp(st, "OK", 2) == 0) ||
                            (sl == 17 && memcmp(st, "INSUFFICIENT_DATA", 17) == 0)))
        on = false;
    else
        return FAIL_IP(r, "stateValue: OK, ALARM or INSUFFICIENT_DATA.");
    for (size_t i = 0; i < r->pl->nalarms; i++) {
        if (ecs_str__eq(&r->pl->alarms[i].name, name, n))
            al = &r->pl->alarms[i];
    }
    if (al == NULL && (ecs_vec__reserve(r->ctx, (void **)&r->pl->alarms, &r->pl->alarms_cap,
                                        sizeof *r->pl->alarms, r->pl->nalarms + 1) != ECS_OK ||
                       ecs_str__dup(r->ctx, &copy, name, n) != ECS_OK))
        return ecs_req__nomem(r);
    ecs_json_write_obj_begin(r->w);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        ecs_str__free(r->ctx, &copy);
        return ecs_req__nomem(r);
    }
    if (al == NULL) {
        al = &r->pl->alarms[r->pl->nalarms++];
        al->name = copy;
        al->in_alarm = !on;
    }
    if (al->in_alarm != on)
        al->changed_ms = r->pl->now_ms;
    al->in_alarm = on;
    return ECS_OK;
}

ecs_status ecs_act__update_service_options(ecs_req *r)
{
    static const char *const members[] = { "cluster", "service", "spreadNewRevisionOnly" };
    const ecs_json_val *v = ecs_req__member(r, r->root, "spreadNewRevisionOnly");
    ecs_cluster *c;
    ecs_service *s;
    bool old;
    ecs_status rc;
    if ((rc = only_members(r, r->root, "", members, 3)) != ECS_OK || (rc = ecs_req__service(r, true, &c, &s)) != ECS_OK)
        return rc;
    if (v != NULL && ecs_json_type_of(v) != ECS_JSON_TRUE && ecs_json_type_of(v) != ECS_JSON_FALSE)
        return FAIL_IP(r, "spreadNewRevisionOnly: true or false.");
    old = s->spread_new_only;
    s->spread_new_only = ecs_req__bool(r, r->root, "spreadNewRevisionOnly", old);
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "service", 7);
    ecs_plane__write_service(r->pl, r->w, s, ECS_WRITE_TAGS);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        s->spread_new_only = old;
        return ecs_req__nomem(r);
    }
    if (old != s->spread_new_only)
        c->engine_stale = true; /* the engine knows the tasks by other groups now */
    return ECS_OK;
}

ecs_status ecs_act__preview_deployment(ecs_req *r)
{
    static const char *const members[] = { "cluster", "service", "desiredCount", "minimumHealthyPercent",
                                           "maximumPercent" };
    ecs_cluster *c;
    ecs_service *s;
    int64_t d, mn, mx;
    uint64_t cap = 0;
    ecs_deploy_step *steps;
    size_t nsteps = 0, max_steps;
    ecs_status rc, prc;
    if ((rc = only_members(r, r->root, "", members, 5)) != ECS_OK || (rc = ecs_req__service(r, true, &c, &s)) != ECS_OK)
        return rc;
    d = s->desired;
    mn = s->min_pct;
    mx = s->max_pct;
    if ((ecs_req__member(r, r->root, "desiredCount") != NULL &&
         (ecs_json_get_int(ecs_req__member(r, r->root, "desiredCount"), &d) != ECS_OK || d < 0 || d > 5000)) ||
        (ecs_req__member(r, r->root, "minimumHealthyPercent") != NULL &&
         (ecs_json_get_int(ecs_req__member(r, r->root, "minimumHealthyPercent"), &mn) != ECS_OK || mn < 0 ||
          mn > 100)) ||
        (ecs_req__member(r, r->root, "maximumPercent") != NULL &&
         (ecs_json_get_int(ecs_req__member(r, r->root, "maximumPercent"), &mx) != ECS_OK || mx < 100 || mx > 2000)))
        return FAIL_IP(r, "desiredCount 0..5000, minimumHealthyPercent 0..100, maximumPercent 100..2000.");
    if (s->launch_type != ECS_LAUNCH_FARGATE && s->ndeps > 0) {
        /* room: the service's live tasks, and as many more as fit */
        uint32_t cpu = ecs_taskdef__reserved_cpu(s->deps[0]->rev->def);
        uint32_t mem = ecs_taskdef__reserved_memory(s->deps[0]->rev->def);
        for (size_t i = 0; i < s->ntasks; i++)
            cap += s->tasks[i]->desired == ECS_TASK_RUNNING;
        for (size_t i = 0; i < c->ninstances; i++) {
            const ecs_instance *in = c->instances[i];
            int64_t by_cpu = cpu > 0 ? in->cpu_remaining / cpu : INT32_MAX;
            int64_t by_mem = mem > 0 ? in->mem_remaining / mem : INT32_MAX;
            int64_t fit = by_cpu < by_mem ? by_cpu : by_mem;
            if (in->status == ECS_INST_ACTIVE && fit > 0)
                cap += (uint64_t)fit;
        }
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        if (cap == 0)
            cap = 1; /* nothing fits: 0 would mean unlimited */
    }
    max_steps = (size_t)d * 2 + 4;
    steps = ecs_ctx__alloc(r->ctx, max_steps * sizeof *steps);
    if (steps == NULL)
        return ecs_req__nomem(r);
    prc = ecs_deploy_preview((uint32_t)d, (uint32_t)mn, (uint32_t)mx, (uint32_t)cap, steps, max_steps, &nsteps);
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "lower", 5);
    ecs_json_write_int(r->w, (d * mn + 99) / 100);
    ecs_json_write_key(r->w, "upper", 5);
    ecs_json_write_int(r->w, d * mx / 100);
    ecs_json_write_key(r->w, "capacity", 8);
    if (cap == 0)
        ecs_json_write_null(r->w);
    else
        ecs_json_write_int(r->w, (int64_t)cap);
    ecs_json_write_key(r->w, "completes", 9);
    ecs_json_write_bool(r->w, prc == ECS_OK);
    ecs_json_write_key(r->w, "steps", 5);
    ecs_json_write_arr_begin(r->w);
    for (size_t i = 0; i < nsteps; i++) {
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "started", 7);
        ecs_json_write_int(r->w, steps[i].started);
        ecs_json_write_key(r->w, "stopped", 7);
        ecs_json_write_int(r->w, steps[i].stopped);
        ecs_json_write_key(r->w, "oldRunning", 10);
        ecs_json_write_int(r->w, steps[i].old_running);
        ecs_json_write_key(r->w, "newPending", 10);
        ecs_json_write_int(r->w, steps[i].new_pending);
        ecs_json_write_key(r->w, "newHealthy", 10);
        ecs_json_write_int(r->w, steps[i].new_healthy);
        ecs_json_write_obj_end(r->w);
    }
    ecs_json_write_arr_end(r->w);
    ecs_ctx__release(r->ctx, steps, max_steps * sizeof *steps);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}
