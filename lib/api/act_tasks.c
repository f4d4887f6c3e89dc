/*
 * RunTask, StartTask, DescribeTasks and ListTasks, and the libecs
 * extension actions RegisterSubnets and SetFargateCapacity.
 *
 * EC2 and EXTERNAL tasks are placed by the cluster's placement engine
 * (lib/place) over the cluster's instances; FARGATE tasks go on no
 * instance: each gets an ENI in one of its subnets, the subnets' zones
 * taken in turn so that the group's tasks spread over them (fewest tasks of
 * the group first, then the subnets' order). The host declares which zone
 * each subnet is in with RegisterSubnets {"subnets": [{"subnetId": ...,
 * "availabilityZone": ...}]}; an unknown subnet is refused as ECS refuses a
 * subnet that does not exist. Fargate capacity is unlimited unless
 * SetFargateCapacity {"maxTasks": N} sets a limit of live Fargate tasks
 * per cluster; beyond it RunTask reports ECS's capacity failure.
 *
 * Placed tasks start with lastStatus PROVISIONING and desiredStatus
 * RUNNING; the instance's remaining CPU, memory and ports shrink by exactly
 * what they reserve. A failure's `detail` carries the engine's explanation
 * (instances rejected per reason and what the closest one lacks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/req.h"
#include "ecs/deploy.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)
#define FAIL_CL(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_CLIENT, __VA_ARGS__)

typedef ecs_launch launch;
#define MAX_PORTS ECS_LAUNCH_MAX_PORTS

static bool token_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '/' || c == '-'))
            return false;
    }
    return true;
}

static ecs_status parse_strategies(ecs_req *r, launch *l)
{
    return ecs_req__strategies(r, ecs_req__member(r, r->root, "placementStrategy"), l->strategies,
                               &l->nstrategies);
}

static ecs_status parse_constraints(ecs_req *r, launch *l)
{
    const ecs_taskdef *td = l->rev->def;
    for (size_t k = 0; k < td->nmember_of && l->nmember_of < ECS_PLACE_MAX_CONSTRAINTS; k++) {
        l->member_of[l->nmember_of] = ecs_str__c(&td->member_of[k]);
        l->member_of_len[l->nmember_of++] = td->member_of[k].len;
    }
    return ecs_req__constraints(r, ecs_req__member(r, r->root, "placementConstraints"), td->nmember_of,
                                l->member_of, l->member_of_len, &l->nmember_of, &l->distinct);
}

static ecs_status parse_network(ecs_req *r, launch *l)
{
    const ecs_json_val *nc = ecs_req__member(r, r->root, "networkConfiguration");
    const ecs_json_val *av = ecs_req__member(r, nc, "awsvpcConfiguration");
    const ecs_json_val *subnets = ecs_req__member(r, av, "subnets");
    const ecs_json_val *sgs = ecs_req__member(r, av, "securityGroups");
    size_t al = 0, i = 0;
    const char *assign = ecs_req__str(r, av, "assignPublicIp", &al);

    l->awsvpc = l->rev->def->network_mode == ECS_NET_AWSVPC;
    if (!l->awsvpc) {
        if (nc != NULL)
            return FAIL_IP(r, "networkConfiguration is only for task definitions with network mode "
                              "awsvpc (this one uses %s).",
                           ecs_plane__network_mode_name(l->rev->def->network_mode));
        return ECS_OK;
    }
    if (av == NULL)
        return FAIL_IP(r, "Network Configuration must be provided when networkMode 'awsvpc' is "
                          "specified.");
    if (ecs_json_len(subnets) == 0 || ecs_json_len(subnets) > 16)
        return FAIL_IP(r, "networkConfiguration.awsvpcConfiguration.subnets: give 1 to 16 subnets.");
    if (ecs_json_len(sgs) > 5)
        return FAIL_IP(r, "networkConfiguration.awsvpcConfiguration.securityGroups: at most 5.");
    l->public_ip = assign != NULL && al == 7 && memcmp(assign, "ENABLED", 7) == 0;
    for (const ecs_json_val *s = ecs_json_first(subnets); s != NULL; s = ecs_json_next(subnets, s), i++) {
        size_t n = 0;
        const char *id = ecs_json_str(r->doc, s, &n);
        ecs_subnet *sn = ecs_plane__subnet(r->pl, id, n);
        if (sn == NULL)
            return FAIL_IP(r, "Error retrieving subnet information for [%.*s]: the subnet ID does not "
                              "exist (declare it with RegisterSubnets).",
                           (int)(n > 64 ? 64 : n), id);
        l->subnets[l->nsubnets++] = sn;
    }
    ecs_plane__launch_zones(l);
    return ECS_OK;
}

/* Task size with overrides (task-level cpu/memory strings, or per-container
 * cpu, memory and memoryReservation). */
static ecs_status apply_overrides(ecs_req *r, launch *l)
{
    const ecs_taskdef *td = l->rev->def;
    const ecs_json_val *ov = l->overrides;
    const ecs_json_val *cos = ecs_req__member(r, ov, "containerOverrides");
    uint32_t cpu_sum = 0, mem_sum = 0;
    size_t i = 0;
    l->cpu = ecs_taskdef__reserved_cpu(td);
    l->mem = ecs_taskdef__reserved_memory(td);
    for (const ecs_json_val *co = ecs_json_first(cos); co != NULL; co = ecs_json_next(cos, co), i++) {
        size_t nl = 0;
        const char *name = ecs_req__str(r, co, "name", &nl);
        bool found = false;
        for (size_t k = 0; k < td->ncontainers; k++)
            found |= name != NULL && ecs_str__eq(&td->containers[k].name, name, nl);
        if (!found)
            return FAIL_IP(r, "overrides.containerOverrides[%zu].name: the task definition has no "
                              "container '%.*s'.", i, (int)(nl > 64 ? 64 : nl), name ? name : "");
    }
    if (ecs_json_len(cos) > 0 && td->cpu == 0 && td->memory_mib == 0) {
        for (size_t k = 0; k < td->ncontainers; k++) {
            const ecs_container_def *cd = &td->containers[k];
            uint32_t ccpu = cd->cpu, cmem = cd->memory_reservation_mib ? cd->memory_reservation_mib
                                                                        : cd->memory_mib;
            for (const ecs_json_val *co = ecs_json_first(cos); co != NULL; co = ecs_json_next(cos, co)) {
                size_t nl = 0;
                const char *name = ecs_req__str(r, co, "name", &nl);
                int64_t v;
                if (name == NULL || !ecs_str__eq(&cd->name, name, nl))
                    continue;
                if (ecs_json_get_int(ecs_req__member(r, co, "cpu"), &v) == ECS_OK && v >= 0)
                    ccpu = (uint32_t)v;
                if (ecs_json_get_int(ecs_req__member(r, co, "memoryReservation"), &v) == ECS_OK && v > 0)
                    cmem = (uint32_t)v;
                else if (ecs_json_get_int(ecs_req__member(r, co, "memory"), &v) == ECS_OK && v > 0 &&
                         cd->memory_reservation_mib == 0)
                    cmem = (uint32_t)v;
            }
            cpu_sum += ccpu;
            mem_sum += cmem;
        }
        l->cpu = cpu_sum;
        l->mem = mem_sum;
    }
    {
        size_t n = 0;
        const char *s = ecs_req__str(r, ov, "cpu", &n);
        if (s != NULL) {
            uint32_t v = 0;
            for (size_t k = 0; k < n; k++) {
                if (s[k] < '0' || s[k] > '9' || v > 1000000)
                    return FAIL_IP(r, "overrides.cpu: a number of CPU units.");
                v = v * 10 + (uint32_t)(s[k] - '0');
            }
            if (n == 0)
                return FAIL_IP(r, "overrides.cpu: a number of CPU units.");
            l->cpu = v;
        }
        s = ecs_req__str(r, ov, "memory", &n);
        if (s != NULL) {
            uint32_t v = 0;
            for (size_t k = 0; k < n; k++) {
                if (s[k] < '0' || s[k] > '9' || v > 100000000)
                    return FAIL_IP(r, "overrides.memory: a number of MiB.");
                v = v * 10 + (uint32_t)(s[k] - '0');
            }
            if (n == 0)
                return FAIL_IP(r, "overrides.memory: a number of MiB.");
            l->mem = v;
        }
    }
    return ECS_OK;
}

/* The parts RunTask and StartTask share. */
static ecs_status decode_common(ecs_req *r, launch *l, bool start_task)
{
    size_t n = 0, lt_len = 0;
    const char *ref = ecs_req__str(r, r->root, "taskDefinition", &n);
    const char *lt = ecs_req__str(r, r->root, "launchType", &lt_len);
    ecs_status rc;

    memset(l, 0, sizeof *l);
    if ((rc = ecs_req__cluster(r, &l->c)) != ECS_OK)
        return rc;
    l->rev = ecs_plane__taskdef_by_ref(r->pl, ref, n, &l->family);
    if (l->rev == NULL)
        return FAIL_CL(r, "Unable to find task definition '%.*s'.", (int)(n > 300 ? 300 : n), ref);
    if (l->rev->status != ECS_TD_ACTIVE)
        return FAIL_CL(r, "TaskDefinition is inactive (%s).", ecs_str__c(&l->rev->arn));
    l->lt = ECS_LAUNCH_EC2;
    if (start_task) {
        l->lt = ECS_LAUNCH_EC2;
    } else if (lt != NULL && lt_len == 7 && memcmp(lt, "FARGATE", 7) == 0) {
        l->lt = ECS_LAUNCH_FARGATE;
    } else if (lt != NULL && lt_len == 8 && memcmp(lt, "EXTERNAL", 8) == 0) {
        l->lt = ECS_LAUNCH_EXTERNAL;
    } else if (lt != NULL && !(lt_len == 3 && memcmp(lt, "EC2", 3) == 0)) {
        return FAIL_IP(r, "launchType: libecs runs EC2, FARGATE and EXTERNAL tasks.");
    }
    {
        const ecs_json_val *cps = ecs_req__member(r, r->root, "capacityProviderStrategy");
        if (cps != NULL && lt != NULL)
            return FAIL_IP(r, "launchType and capacityProviderStrategy cannot both be given.");
        if (cps != NULL && start_task)
            return FAIL_IP(r, "capacityProviderStrategy: StartTask names its container instances.");
        if (cps != NULL) {
            if ((rc = ecs_req__cp_strategy(r, cps, "capacityProviderStrategy", l->c->cps, l->c->ncps,
                                           &l->cp_owned, &l->ncp)) != ECS_OK)
                return rc;
            l->cp = l->cp_owned;
        } else if (lt == NULL && !start_task && l->c->ndefault_strategy > 0) {
            l->cp = l->c->default_strategy; /* the cluster's default strategy */
            l->ncp = l->c->ndefault_strategy;
        }
        if (l->ncp > 0 && ecs_plane__provider_is_fargate(l->cp[0].provider.p, l->cp[0].provider.len))
            l->lt = ECS_LAUNCH_FARGATE;
    }
    if (!ecs_plane__revision_supports(l->rev, l->lt))
        return FAIL_CL(r, "Task definition does not support launch_type %s.",
                       ecs_plane__launch_type_name(l->lt));
    l->group = ecs_req__str(r, r->root, "group", &l->group_len);
    if (l->group == NULL) {
        int k = snprintf(l->group_buf, sizeof l->group_buf, "family:%s", ecs_str__c(&l->family->name));
        l->group = l->group_buf;
        l->group_len = k > 0 && (size_t)k < sizeof l->group_buf ? (size_t)k : 0;
    } else if (l->group_len == 0 || l->group_len > 255) {
        return FAIL_IP(r, "group: 1 to 255 characters.");
    }
    l->started_by = ecs_req__str(r, r->root, "startedBy", &l->started_by_len);
    if (l->started_by != NULL &&
        (l->started_by_len > (start_task ? 36u : 128u) || !token_chars(l->started_by, l->started_by_len)))
        return FAIL_IP(r, "startedBy: up to %u letters, digits, '_', '/' and '-'.",
                       start_task ? 36u : 128u);
    l->overrides = ecs_req__member(r, r->root, "overrides");
    if ((rc = apply_overrides(r, l)) != ECS_OK || (rc = parse_network(r, l)) != ECS_OK)
        return rc;
    if (l->lt != ECS_LAUNCH_FARGATE && !start_task) {
        if ((rc = parse_strategies(r, l)) != ECS_OK || (rc = parse_constraints(r, l)) != ECS_OK)
            return rc;
    }
    ecs_plane__launch_ports(l);
    return ECS_OK;
}

/* A new task (not yet in the cluster), with the request's overrides and tags. */
static ecs_status new_task(ecs_req *r, const launch *l, ecs_task **out)
{
    ecs_task *t = NULL;
    if (ecs_plane__launch_new_task(r->pl, l, &t) != ECS_OK)
        return ecs_req__nomem(r);
    if (l->overrides != NULL) {
        char *text;
        size_t tl;
        if (ecs_json_write_text(r->ctx, r->doc, l->overrides, 0, &text, &tl) != ECS_OK)
            goto oom;
        if (tl > 8192) {
            ecs_json_text_free(r->ctx, text, tl);
            ecs_plane__task_free(r->ctx, t);
            return FAIL_IP(r, "overrides: at most 8192 characters of JSON.");
        }
        if (ecs_json_parse(r->ctx, text, tl, NULL, &t->overrides) != ECS_OK) {
            ecs_json_text_free(r->ctx, text, tl);
            goto oom;
        }
        ecs_json_text_free(r->ctx, text, tl);
    }
    if (ecs_req__tags(r, ecs_req__member(r, r->root, "tags"), "tags", &t->tags) != ECS_OK) {
        ecs_plane__task_free(r->ctx, t);
        return r->err->code != NULL && strcmp(r->err->code, ECS_ERR_SERVER) == 0 ? ECS_E_NOMEM
                                                                                  : ECS_E_INVALID_ARG;
    }
    *out = t;
    return ECS_OK;
oom:
    ecs_plane__task_free(r->ctx, t);
    return ecs_req__nomem(r);
}

/* Tasks made by a call, before they join the cluster. */
typedef struct batch {
    ecs_task *tasks[10];
    size_t n;
    ecs_place_result *result;
    bool engine_has_them;
} batch;

/* Place EC2/EXTERNAL tasks through the engine. */
static ecs_status place_ec2(ecs_req *r, launch *l, batch *b, ecs_task **made, size_t count)
{
    ecs_status rc;
    if (l->c->registered_instances == 0)
        return FAIL_IP(r, "No Container Instances were found in your cluster.");
    rc = ecs_plane__launch_place_ec2(r->pl, l, made, count, &b->result);
    if (b->result != NULL)
        b->engine_has_them = true;
    if (rc == ECS_E_NOMEM)
        return ecs_req__nomem(r);
    if (rc == ECS_E_PARSE)
        return FAIL_IP(r, "placementConstraints: memberOf expression: %s", ecs_ctx_errmsg(r->ctx));
    if (rc != ECS_OK)
        return FAIL_IP(r, "placement: %s", ecs_ctx_errmsg(r->ctx));
    return ECS_OK;
}

/* Look up the request's clientToken: *out is the earlier call's record
 * (and *fp this request's fingerprint), or NULL for a new token or none. */
static ecs_status client_token(ecs_req *r, ecs_cluster *c, ecs_token **out, uint64_t *fp)
{
    size_t n = 0;
    const char *tok = ecs_req__str(r, r->root, "clientToken", &n);
    *out = NULL;
    if (tok == NULL)
        return ECS_OK;
    if (n == 0 || n > 64)
        return FAIL_IP(r, "clientToken: 1 to 64 characters.");
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)tok[i] < 33 || (unsigned char)tok[i] > 126)
            return FAIL_IP(r, "clientToken: printable ASCII characters only.");
    }
    for (size_t i = 0; i < c->ntokens; i++) {
        if (ecs_str__eq(&c->tokens[i]->token, tok, n)) {
            *out = c->tokens[i];
            return ecs_req__fingerprint(r, fp);
        }
    }
    return ECS_OK;
}

/* The same clientToken again: the same request gets the same tasks back;
 * another request is a conflict. */
static ecs_status replay_token(ecs_req *r, ecs_cluster *c, const ecs_token *tok, uint64_t fp)
{
    if (fp != tok->fingerprint) {
        ecs_api__fail(r->err, ECS_E_CONFLICT, "ConflictException",
                      "The clientToken was used before with different parameters (resourceIds: ");
        for (size_t i = 0; i < tok->ntasks; i++) {
            size_t used = strlen(r->err->message);
            snprintf(r->err->message + used, sizeof r->err->message - used, "%s%s",
                     i ? ", " : "", ecs_str__c(&tok->task_arns[i]));
        }
        {
            size_t used = strlen(r->err->message);
            snprintf(r->err->message + used, sizeof r->err->message - used, ").");
        }
        return ECS_E_CONFLICT;
    }
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "tasks", 5);
    ecs_json_write_arr_begin(r->w);
    for (size_t i = 0; i < tok->ntasks; i++) {
        const char *slash = strrchr(ecs_str__c(&tok->task_arns[i]), '/');
        const ecs_task *t = slash != NULL ? ecs_map__get(&c->task_by_id, slash + 1, strlen(slash + 1)) : NULL;
        if (t != NULL)
            ecs_plane__write_task(r->pl, r->w, t, ECS_WRITE_TAGS);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    ecs_json_write_arr_end(r->w);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

/* Remember a clientToken with the tasks it made (allocation before the
 * commit; *out is added to the cluster by the caller). */
static ecs_status token_record(ecs_req *r, ecs_cluster *c, ecs_task *const *tasks, size_t n,
                               ecs_token **out)
{
    size_t tl = 0;
    const char *tok = ecs_req__str(r, r->root, "clientToken", &tl);
    ecs_token *t;
    *out = NULL;
    if (tok == NULL)
        return ECS_OK;
    if (ecs_vec__reserve(r->ctx, (void **)&c->tokens, &c->tokens_cap, sizeof(ecs_token *),
                         c->ntokens + 1) != ECS_OK)
        return ecs_req__nomem(r);
    t = ecs_ctx__alloc(r->ctx, sizeof *t);
    if (t == NULL)
        return ecs_req__nomem(r);
    memset(t, 0, sizeof *t);
    if (ecs_req__fingerprint(r, &t->fingerprint) != ECS_OK ||
        ecs_str__dup(r->ctx, &t->token, tok, tl) != ECS_OK)
        goto oom;
    if (n > 0) {
        t->task_arns = ecs_ctx__alloc(r->ctx, n * sizeof(ecs_str));
        if (t->task_arns == NULL)
            goto oom;
        memset(t->task_arns, 0, n * sizeof(ecs_str));
        t->ntasks = n;
        for (size_t i = 0; i < n; i++) {
            if (ecs_str__dup(r->ctx, &t->task_arns[i], tasks[i]->arn.p, tasks[i]->arn.len) != ECS_OK)
                goto oom;
        }
    }
    *out = t;
    return ECS_OK;
oom:
    for (size_t i = 0; i < t->ntasks; i++)
        ecs_str__free(r->ctx, &t->task_arns[i]);
    if (t->task_arns != NULL)
        ecs_ctx__release(r->ctx, t->task_arns, t->ntasks * sizeof(ecs_str));
    ecs_str__free(r->ctx, &t->token);
    ecs_ctx__release(r->ctx, t, sizeof *t);
    return ecs_req__nomem(r);
}

/* Tasks split over a capacity provider strategy (spec 5): each task's
 * provider from the apportionment over this call's tasks. */
static ecs_status assign_providers(ecs_req *r, const launch *l, ecs_task **made, size_t count, size_t *which)
{
    uint32_t assigned[ECS_MAX_STRATEGY_ITEMS];
    ecs_capacity_item items[ECS_MAX_STRATEGY_ITEMS];
    memset(assigned, 0, sizeof assigned);
    for (size_t k = 0; k < l->ncp; k++) {
        items[k].base = l->cp[k].base;
        items[k].weight = l->cp[k].weight;
    }
    for (size_t i = 0; i < count; i++) {
        size_t k = 0;
        if (l->ncp > 1 && ecs_capacity_next(items, l->ncp, assigned, &k) != ECS_OK)
            return FAIL_IP(r, "capacityProviderStrategy: no capacity provider can take a task (every "
                              "weight is 0).");
        assigned[k]++;
        which[i] = k;
        if (ecs_str__dup(r->ctx, &made[i]->capacity_provider, l->cp[k].provider.p, l->cp[k].provider.len) != ECS_OK)
            return ecs_req__nomem(r);
    }
    return ECS_OK;
}

/* EC2 placement provider by provider: each group with the constraint that
 * keeps it on its provider's instances; outcomes recorded per task. */
static ecs_status place_ec2_by_provider(ecs_req *r, launch *l, batch *b, ecs_task **made, size_t count,
                                        const size_t *which, ecs_place_reason *reason, char (*inst)[600],
                                        char (*detail)[256])
{
    if (l->c->registered_instances == 0)
        return FAIL_IP(r, "No Container Instances were found in your cluster.");
    for (size_t k = 0; k < l->ncp; k++) {
        ecs_task *sub[10];
        size_t idx[10], n = 0, saved = l->nmember_of;
        char expr[300];
        ecs_place_result *res = NULL;
        ecs_status rc;
        int len;
        for (size_t i = 0; i < count; i++) {
            if (which[i] == k) {
                idx[n] = i;
                sub[n++] = made[i];
            }
        }
        if (n == 0)
            continue;
        if (l->nmember_of >= ECS_PLACE_MAX_CONSTRAINTS)
            return FAIL_IP(r, "placementConstraints: no room for the capacity provider's constraint.");
        len = snprintf(expr, sizeof expr, "attribute:%s == %s", ECS_CP_ATTRIBUTE, ecs_str__c(&l->cp[k].provider));
        l->member_of[l->nmember_of] = expr;
        l->member_of_len[l->nmember_of++] = len > 0 && (size_t)len < sizeof expr ? (size_t)len : 0;
        rc = ecs_plane__launch_place_ec2(r->pl, l, sub, n, &res);
        l->nmember_of = saved;
        if (res != NULL)
            b->engine_has_them = true;
        if (rc != ECS_OK) {
            ecs_place_result_free(res);
            return rc == ECS_E_NOMEM ? ecs_req__nomem(r) : FAIL_IP(r, "placement: %s", ecs_ctx_errmsg(r->ctx));
        }
        for (size_t j = 0; j < n; j++) {
            ecs_place_outcome o;
            if (ecs_place_result_get(res, j, &o) != ECS_OK || o.reason == ECS_PLACE_OK)
                continue;
            reason[idx[j]] = o.reason;
            snprintf(inst[idx[j]], 600, "%.*s", (int)o.instance_id_len, o.instance_id != NULL ? o.instance_id : "");
            snprintf(detail[idx[j]], 256, "%s", o.explanation != NULL ? o.explanation : "");
        }
        ecs_place_result_free(res);
    }
    return ECS_OK;
}

/* ECS's reason text for an outcome. A constraint that no instance meets
 * is reported with the texts ECS uses for them. */
static const char *failure_reason(const launch *l, const ecs_place_outcome *o)
{
    if (o->reason != ECS_PLACE_CONSTRAINT)
        return ecs_place_reason_str(o->reason);
    if (l->distinct && (l->nmember_of == 0 ||
                        (o->explanation != NULL && strstr(o->explanation, "distinctInstance") != NULL)))
        return "DistinctInstance placement constraint unsatisfied.";
    return "MemberOf placement constraint unsatisfied.";
}

static ecs_status run_or_start_with(ecs_req *r, bool start_task, launch *lp)
{
    batch b;
    ecs_task *made[10];
    bool placed[10];
    const ecs_json_val *targets = NULL;
    ecs_instance *named[10];
    size_t count, nmade = 0;
    ecs_status rc;

    uint32_t saved_hosts[16];
    ecs_token *new_token = NULL;
    ecs_place_reason start_reason[10];
    char start_detail[10][256];
    char fail_inst[10][600];
    size_t which[10];

    memset(&b, 0, sizeof b);
    if ((rc = decode_common(r, lp, start_task)) != ECS_OK)
        return rc;
    for (size_t i = 0; i < lp->nsubnets; i++)
        saved_hosts[i] = lp->subnets[i]->next_host;
    for (size_t i = 0; i < 10; i++) {
        start_reason[i] = ECS_PLACE_AGENT;
        start_detail[i][0] = '\0';
    }
    if (!start_task) {
        ecs_token *tok = NULL;
        uint64_t fp = 0;
        rc = client_token(r, lp->c, &tok, &fp);
        if (rc != ECS_OK)
            return rc;
        if (tok != NULL)
            return replay_token(r, lp->c, tok, fp);
    }
    if (start_task) {
        targets = ecs_req__member(r, r->root, "containerInstances");
        if (ecs_json_len(targets) == 0 || ecs_json_len(targets) > 10)
            return FAIL_IP(r, "containerInstances: name 1 to 10 container instances.");
        count = ecs_json_len(targets);
    } else {
        const ecs_json_val *cv = ecs_req__member(r, r->root, "count");
        int64_t v = 1;
        if (cv != NULL && (ecs_json_get_int(cv, &v) != ECS_OK || v < 1 || v > 10))
            return FAIL_IP(r, "count: 1 to 10 tasks per RunTask call.");
        count = (size_t)v;
    }
    for (nmade = 0; nmade < count; nmade++) {
        if ((rc = new_task(r, lp, &made[nmade])) != ECS_OK)
            goto fail;
        placed[nmade] = false;
    }
    if (start_task) {
        /* one task per named instance, checked by the engine with that
         * instance as the only candidate */
        size_t i = 0;
        if (lp->c->ninstances > 0 && (rc = ecs_plane__engine_sync(r->pl, lp->c)) != ECS_OK) {
            rc = rc == ECS_E_NOMEM ? ecs_req__nomem(r)
                                   : ecs_api__fail(r->err, ECS_E_INTERNAL, ECS_ERR_SERVER,
                                                   "the placement engine refused the cluster's state: %s",
                                                   ecs_ctx_errmsg(r->ctx));
            goto fail;
        }
        b.engine_has_them = true; /* from the first placement on, undo asks the engine */
        for (const ecs_json_val *v = ecs_json_first(targets); v != NULL; v = ecs_json_next(targets, v), i++) {
            size_t n = 0;
            const char *ref = ecs_json_str(r->doc, v, &n);
            named[i] = ecs_plane__instance_by_ref(r->pl, lp->c, ref, n);
        }
        for (i = 0; i < count; i++) {
            ecs_place_request q = ECS_PLACE_REQUEST_INIT;
            char expr[200];
            const char *exprs[1];
            size_t expr_lens[1];
            ecs_place_result *res = NULL;
            ecs_place_outcome o;
            int k;
            if (named[i] == NULL || named[i]->status == ECS_INST_INACTIVE || lp->c->engine == NULL)
                continue;
            k = snprintf(expr, sizeof expr, "ec2InstanceId == '%s'", ecs_str__c(&named[i]->ec2_instance_id));
            exprs[0] = expr;
            expr_lens[0] = k > 0 && (size_t)k < sizeof expr ? (size_t)k : 0;
            q.count = 1;
            q.need.cpu = lp->cpu;
            q.need.memory_mib = lp->mem;
            q.need.eni = lp->awsvpc;
            q.need.ports = lp->ports;
            q.need.nports = lp->nports;
            q.need.group = lp->group;
            q.need.group_len = lp->group_len;
            q.member_of = exprs;
            q.member_of_lens = expr_lens;
            q.nmember_of = 1;
            q.task_ids = (const char *const *)&made[i]->id.p;
            q.task_id_lens = &made[i]->id.len;
            rc = ecs_place_tasks(lp->c->engine, &q, &res);
            if (rc != ECS_OK) {
                rc = rc == ECS_E_NOMEM ? ecs_req__nomem(r) : FAIL_IP(r, "placement: %s", ecs_ctx_errmsg(r->ctx));
                goto fail;
            }
            if (ecs_place_result_get(res, 0, &o) == ECS_OK && o.reason != ECS_PLACE_OK) {
                start_reason[i] = o.reason;
                if (o.explanation != NULL)
                    snprintf(start_detail[i], sizeof start_detail[i], "%s", o.explanation);
            }
            if (ecs_place_result_get(res, 0, &o) == ECS_OK && o.reason == ECS_PLACE_OK) {
                made[i]->inst = named[i];
                for (size_t p = 0; p < made[i]->nbindings && p < o.nports; p++)
                    made[i]->bindings[p].host_port = o.ports[p];
                placed[i] = true;
                if (ecs_plane__task_set_az(r->pl, made[i], named[i]->availability_zone.p,
                                           named[i]->availability_zone.len) != ECS_OK) {
                    ecs_place_result_free(res);
                    b.engine_has_them = true;
                    rc = ecs_req__nomem(r);
                    goto fail;
                }
            }
            ecs_place_result_free(res);
        }
        b.engine_has_them = true;
    } else if (lp->lt == ECS_LAUNCH_FARGATE) {
        if (lp->ncp > 0 && (rc = assign_providers(r, lp, made, count, which)) != ECS_OK)
            goto fail;
        if (ecs_plane__launch_place_fargate(r->pl, lp, made, count, placed) != ECS_OK) {
            rc = ecs_req__nomem(r);
            goto fail;
        }
    } else if (lp->ncp > 0) {
        for (size_t i = 0; i < count; i++)
            fail_inst[i][0] = '\0';
        if ((rc = assign_providers(r, lp, made, count, which)) != ECS_OK ||
            (rc = place_ec2_by_provider(r, lp, &b, made, count, which, start_reason, fail_inst,
                                        start_detail)) != ECS_OK)
            goto fail;
        for (size_t i = 0; i < count; i++)
            placed[i] = made[i]->inst != NULL;
    } else {
        if ((rc = place_ec2(r, lp, &b, made, count)) != ECS_OK)
            goto fail;
        for (size_t i = 0; i < count; i++)
            placed[i] = made[i]->inst != NULL;
    }
    /* room in the cluster, and for the static ports the tasks will hold */
    {
        ecs_task *placed_tasks[10];
        size_t np = 0;
        for (size_t i = 0; i < count; i++) {
            if (placed[i])
                placed_tasks[np++] = made[i];
        }
        if (ecs_plane__launch_reserve(r->pl, lp->c, NULL, placed_tasks, np) != ECS_OK) {
            rc = ecs_req__nomem(r);
            goto fail;
        }
    }
    /* remember the clientToken (before the answer, so nothing fails after) */
    {
        ecs_task *placed_tasks[10];
        size_t np = 0;
        for (size_t i = 0; i < count; i++) {
            if (placed[i])
                placed_tasks[np++] = made[i];
        }
        if (!start_task && (rc = token_record(r, lp->c, placed_tasks, np, &new_token)) != ECS_OK)
            goto fail;
    }
    /* the answer: placed tasks, then failures */
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "tasks", 5);
    ecs_json_write_arr_begin(r->w);
    for (size_t i = 0; i < count; i++) {
        if (placed[i])
            ecs_plane__write_task(r->pl, r->w, made[i], ECS_WRITE_TAGS);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (size_t i = 0; i < count; i++) {
        if (placed[i])
            continue;
        if (start_task) {
            size_t n = 0;
            const char *ref = ecs_json_str(r->doc, ecs_json_arr_get(targets, i), &n);
            if (named[i] == NULL)
                ecs_req__write_failure(r, ref, n, "MISSING", NULL);
            else if (named[i]->status == ECS_INST_INACTIVE)
                ecs_req__write_failure(r, named[i]->arn.p, named[i]->arn.len, "INACTIVE", NULL);
            else if (named[i]->status != ECS_INST_ACTIVE)
                ecs_req__write_failure(r, named[i]->arn.p, named[i]->arn.len, "INACTIVE", NULL);
            else {
                ecs_place_outcome o;
                memset(&o, 0, sizeof o);
                o.reason = start_reason[i];
                o.explanation = start_detail[i];
                ecs_req__write_failure(r, named[i]->arn.p, named[i]->arn.len, failure_reason(lp, &o),
                              start_detail[i]);
            }
        } else if (lp->lt == ECS_LAUNCH_FARGATE) {
            ecs_req__write_failure(r, NULL, 0,
                          "Capacity is unavailable at this time. Please try again later or in a "
                          "different availability zone.", NULL);
        } else if (lp->ncp > 0) {
            ecs_place_outcome o;
            memset(&o, 0, sizeof o);
            o.reason = start_reason[i];
            o.explanation = start_detail[i];
            ecs_req__write_failure(r, fail_inst[i][0] != '\0' ? fail_inst[i] : NULL, strlen(fail_inst[i]),
                          failure_reason(lp, &o), start_detail[i]);
        } else {
            ecs_place_outcome o;
            if (ecs_place_result_get(b.result, i, &o) == ECS_OK)
                ecs_req__write_failure(r, o.instance_id, o.instance_id_len, failure_reason(lp, &o),
                              o.explanation);
        }
    }
    ecs_json_write_arr_end(r->w);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        rc = ecs_req__nomem(r);
        goto fail;
    }
    /* commit the placed tasks; free the others */
    {
        size_t k = 0;
        for (size_t i = 0; i < count; i++) {
            if (placed[i])
                b.tasks[k++] = made[i];
            else
                ecs_plane__task_free(r->ctx, made[i]);
        }
        b.n = k;
    }
    for (size_t i = 0; i < b.n; i++)
        ecs_plane__task_join(r->pl, b.tasks[i]);
    ecs_place_result_free(b.result);
    b.result = NULL;
    if (new_token != NULL)
        lp->c->tokens[lp->c->ntokens++] = new_token;
    return ECS_OK;
fail:
    if (new_token != NULL) {
        for (size_t i = 0; i < new_token->ntasks; i++)
            ecs_str__free(r->ctx, &new_token->task_arns[i]);
        if (new_token->task_arns != NULL)
            ecs_ctx__release(r->ctx, new_token->task_arns, new_token->ntasks * sizeof(ecs_str));
        ecs_str__free(r->ctx, &new_token->token);
        ecs_ctx__release(r->ctx, new_token, sizeof *new_token);
    }
    for (size_t i = 0; i < nmade; i++) {
        /* the engine recorded the tasks it placed: give their room back */
        if (b.engine_has_them && lp->c->engine != NULL)
            (void)ecs_place_remove_task(lp->c->engine, made[i]->id.p, made[i]->id.len);
        ecs_plane__task_free(r->ctx, made[i]);
    }
    for (size_t i = 0; i < lp->nsubnets; i++)
        lp->subnets[i]->next_host = saved_hosts[i];
    ecs_place_result_free(b.result);
    return rc;
}


static ecs_status run_or_start(ecs_req *r, bool start_task)
{
    launch l;
    ecs_status rc;
    memset(&l, 0, sizeof l);
    rc = run_or_start_with(r, start_task, &l);
    if (l.cp_owned != NULL)
        ecs_plane__cp_items_free(r->ctx, l.cp_owned, l.ncp);
    return rc;
}

ecs_status ecs_act__run_task(ecs_req *r)
{
    return run_or_start(r, false);
}

ecs_status ecs_act__start_task(ecs_req *r)
{
    return run_or_start(r, true);
}

ecs_status ecs_act__describe_tasks(ecs_req *r)
{
    ecs_cluster *c;
    const ecs_json_val *list = ecs_req__member(r, r->root, "tasks");
    uint32_t flags = ecs_req__include_tags(r);
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (ecs_json_len(list) > 100)
        return FAIL_IP(r, "tasks: at most 100 per call.");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "tasks", 5);
    ecs_json_write_arr_begin(r->w);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            ecs_json_write_arr_end(r->w);
            ecs_json_write_key(r->w, "failures", 8);
            ecs_json_write_arr_begin(r->w);
        }
        for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
            size_t n = 0;
            const char *ref = ecs_json_str(r->doc, v, &n);
            const ecs_task *t = ecs_plane__task_by_ref(c, ref, n);
            if (pass == 0 && t != NULL)
                ecs_plane__write_task(r->pl, r->w, t, flags);
            else if (pass == 1 && t == NULL)
                ecs_req__write_failure(r, ref, n, "MISSING", NULL);
        }
    }
    ecs_json_write_arr_end(r->w);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__list_tasks(ecs_req *r)
{
    ecs_cluster *c;
    char key[ECS_TOKEN_KEY_MAX];
    size_t max, key_len, emitted = 0, fl = 0, sbl = 0, dsl = 0, cil = 0, snl = 0, ltl = 0;
    bool has_key, more = false;
    const char *family = ecs_req__str(r, r->root, "family", &fl);
    const char *started_by = ecs_req__str(r, r->root, "startedBy", &sbl);
    const char *desired = ecs_req__str(r, r->root, "desiredStatus", &dsl);
    const char *ci_ref = ecs_req__str(r, r->root, "containerInstance", &cil);
    const char *service = ecs_req__str(r, r->root, "serviceName", &snl);
    const char *lt = ecs_req__str(r, r->root, "launchType", &ltl);
    const ecs_instance *ci = NULL;
    const ecs_task *last = NULL;
    char group[300];
    size_t group_len = 0;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if ((rc = ecs_req__page(r, 100, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    if (started_by != NULL && (family != NULL || ci_ref != NULL || service != NULL))
        return FAIL_IP(r, "startedBy cannot be combined with family, containerInstance or "
                          "serviceName.");
    if (ci_ref != NULL) {
        ci = ecs_plane__instance_by_ref(r->pl, c, ci_ref, cil);
        if (ci == NULL)
            return FAIL_IP(r, "containerInstance: '%.*s' is not in cluster %s.",
                           (int)(cil > 200 ? 200 : cil), ci_ref, ecs_str__c(&c->name));
    }
    if (service != NULL) {
        int k = snprintf(group, sizeof group, "service:%.*s", (int)(snl > 255 ? 255 : snl), service);
        group_len = k > 0 ? (size_t)k : 0;
    }
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "taskArns", 8);
    ecs_json_write_arr_begin(r->w);
    /* creation order; the token names the last task returned */
    {
        size_t i = 0;
        if (has_key) {
            const ecs_task *from = ecs_map__get(&c->task_by_id, key, key_len);
            if (from == NULL) {
                ecs_json_writer_reset(r->w);
                return FAIL_IP(r, "Invalid nextToken: the task it points to no longer exists.");
            }
            while (i < c->ntasks && c->tasks[i] != from)
                i++;
            i++;
        }
        for (; i < c->ntasks; i++) {
            const ecs_task *t = c->tasks[i];
            bool want_stopped = desired != NULL && dsl == 7 && memcmp(desired, "STOPPED", 7) == 0;
            if (desired != NULL && !want_stopped && !(dsl == 7 && memcmp(desired, "RUNNING", 7) == 0))
                continue; /* PENDING: ECS never sets it */
            if ((t->desired == ECS_TASK_STOPPED) != want_stopped)
                continue;
            if (family != NULL && !ecs_str__eq(&t->family->name, family, fl))
                continue;
            if (started_by != NULL && !ecs_str__eq(&t->started_by, started_by, sbl))
                continue;
            if (ci != NULL && t->inst != ci)
                continue;
            if (service != NULL && !ecs_str__eq(&t->group, group, group_len))
                continue;
            if (lt != NULL && !(strlen(ecs_plane__launch_type_name(t->launch_type)) == ltl &&
                                memcmp(ecs_plane__launch_type_name(t->launch_type), lt, ltl) == 0))
                continue;
            if (emitted == max) {
                more = true;
                break;
            }
            ecs_json_write_str(r->w, ecs_str__c(&t->arn), t->arn.len);
            emitted++;
            last = t;
        }
    }
    ecs_json_write_arr_end(r->w);
    if (more && last != NULL)
        ecs_req__write_token(r, last->id.p, last->id.len);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}
