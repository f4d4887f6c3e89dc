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

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)
#define FAIL_CL(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_CLIENT, __VA_ARGS__)

#define MAX_PORTS 100

/* Everything RunTask/StartTask decode before touching anything. */
typedef struct launch {
    ecs_cluster *c;
    ecs_family *family;
    ecs_revision *rev;
    ecs_launch_type lt;
    uint32_t count;
    const char *group, *started_by;
    size_t group_len, started_by_len;
    char group_buf[300];
    uint32_t cpu, mem;
    ecs_place_port ports[MAX_PORTS];
    ecs_binding bind_tmpl[MAX_PORTS];
    size_t nports;
    ecs_place_strategy strategies[ECS_PLACE_MAX_STRATEGIES];
    size_t nstrategies;
    const char *member_of[ECS_PLACE_MAX_CONSTRAINTS];
    size_t member_of_len[ECS_PLACE_MAX_CONSTRAINTS];
    size_t nmember_of;
    bool distinct;
    /* awsvpc */
    bool awsvpc, public_ip;
    ecs_subnet *subnets[16];
    size_t nsubnets;
    const char *zones[16];
    size_t zone_lens[16];
    size_t nzones;
    const ecs_json_val *overrides;
} launch;

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
    const ecs_json_val *list = ecs_req__member(r, r->root, "placementStrategy");
    size_t i = 0;
    if (ecs_json_len(list) > ECS_PLACE_MAX_STRATEGIES)
        return FAIL_IP(r, "placementStrategy: at most %d strategies.", ECS_PLACE_MAX_STRATEGIES);
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t tl = 0, fl = 0;
        const char *type = ecs_req__str(r, s, "type", &tl);
        const char *field = ecs_req__str(r, s, "field", &fl);
        ecs_place_strategy *st = &l->strategies[l->nstrategies];
        memset(st, 0, sizeof *st);
        if (type == NULL)
            return FAIL_IP(r, "placementStrategy[%zu].type is required.", i);
        if (tl == 6 && memcmp(type, "random", 6) == 0) {
            st->type = ECS_PLACE_RANDOM;
        } else if (tl == 7 && memcmp(type, "binpack", 7) == 0) {
            if (field != NULL && fl == 3 && memcmp(field, "cpu", 3) == 0)
                st->type = ECS_PLACE_BINPACK_CPU;
            else if (field != NULL && fl == 6 && memcmp(field, "memory", 6) == 0)
                st->type = ECS_PLACE_BINPACK_MEMORY;
            else
                return FAIL_IP(r, "placementStrategy[%zu].field: binpack takes cpu or memory.", i);
        } else if (tl == 6 && memcmp(type, "spread", 6) == 0) {
            if (field == NULL)
                return FAIL_IP(r, "placementStrategy[%zu].field: spread needs instanceId, host or "
                                  "attribute:NAME.", i);
            if ((fl == 10 && memcmp(field, "instanceId", 10) == 0) ||
                (fl == 4 && memcmp(field, "host", 4) == 0)) {
                st->type = ECS_PLACE_SPREAD_INSTANCE;
            } else if (fl > 10 && memcmp(field, "attribute:", 10) == 0) {
                st->type = ECS_PLACE_SPREAD_ATTRIBUTE;
                st->attribute = field + 10;
                st->attribute_len = fl - 10;
            } else {
                return FAIL_IP(r, "placementStrategy[%zu].field: spread needs instanceId, host or "
                                  "attribute:NAME, not '%.*s'.", i, (int)(fl > 64 ? 64 : fl), field);
            }
        } else {
            return FAIL_IP(r, "placementStrategy[%zu].type: random, spread or binpack.", i);
        }
        l->nstrategies++;
    }
    return ECS_OK;
}

static ecs_status parse_constraints(ecs_req *r, launch *l)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "placementConstraints");
    const ecs_taskdef *td = l->rev->def;
    size_t i = 0;
    for (size_t k = 0; k < td->nmember_of && l->nmember_of < ECS_PLACE_MAX_CONSTRAINTS; k++) {
        l->member_of[l->nmember_of] = ecs_str__c(&td->member_of[k]);
        l->member_of_len[l->nmember_of++] = td->member_of[k].len;
    }
    if (td->nmember_of + ecs_json_len(list) > ECS_PLACE_MAX_CONSTRAINTS)
        return FAIL_IP(r, "placementConstraints: at most %d constraints, counting the task "
                          "definition's %zu.", ECS_PLACE_MAX_CONSTRAINTS, td->nmember_of);
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t tl = 0, el = 0;
        const char *type = ecs_req__str(r, s, "type", &tl);
        const char *expr = ecs_req__str(r, s, "expression", &el);
        if (type != NULL && tl == 16 && memcmp(type, "distinctInstance", 16) == 0) {
            if (expr != NULL)
                return FAIL_IP(r, "placementConstraints[%zu].expression: distinctInstance takes no "
                                  "expression.", i);
            l->distinct = true;
        } else if (type != NULL && tl == 8 && memcmp(type, "memberOf", 8) == 0) {
            if (expr == NULL || el == 0)
                return FAIL_IP(r, "placementConstraints[%zu].expression is required for memberOf.", i);
            if (el > 2000)
                return FAIL_IP(r, "placementConstraints[%zu].expression: at most 2000 characters.", i);
            l->member_of[l->nmember_of] = expr;
            l->member_of_len[l->nmember_of++] = el;
        } else {
            return FAIL_IP(r, "placementConstraints[%zu].type: distinctInstance or memberOf.", i);
        }
    }
    return ECS_OK;
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
        bool seen = false;
        if (sn == NULL)
            return FAIL_IP(r, "Error retrieving subnet information for [%.*s]: the subnet ID does not "
                              "exist (declare it with RegisterSubnets).",
                           (int)(n > 64 ? 64 : n), id);
        l->subnets[l->nsubnets++] = sn;
        for (size_t k = 0; k < l->nzones; k++)
            seen |= l->zone_lens[k] == sn->az.len && memcmp(l->zones[k], sn->az.p, sn->az.len) == 0;
        if (!seen) {
            l->zones[l->nzones] = ecs_str__c(&sn->az);
            l->zone_lens[l->nzones++] = sn->az.len;
        }
    }
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

static void collect_ports(launch *l)
{
    const ecs_taskdef *td = l->rev->def;
    l->nports = 0;
    if (td->network_mode == ECS_NET_AWSVPC || td->network_mode == ECS_NET_NONE)
        return;
    for (size_t c = 0; c < td->ncontainers; c++) {
        const ecs_container_def *cd = &td->containers[c];
        for (size_t p = 0; p < cd->nports && l->nports < MAX_PORTS; p++) {
            const ecs_port_mapping *m = &cd->ports[p];
            uint16_t host;
            if (m->container_port == 0)
                continue; /* a containerPortRange: the agent maps it */
            host = (uint16_t)(td->network_mode == ECS_NET_HOST ? m->container_port : m->host_port);
            l->ports[l->nports].port = host;
            l->ports[l->nports].udp = m->udp;
            l->bind_tmpl[l->nports].container_port = (uint16_t)m->container_port;
            l->bind_tmpl[l->nports].host_port = host;
            l->bind_tmpl[l->nports].udp = m->udp;
            l->bind_tmpl[l->nports].container = (uint16_t)c;
            l->bind_tmpl[l->nports].dynamic = host == 0;
            l->nports++;
        }
    }
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
    if (ecs_req__member(r, r->root, "capacityProviderStrategy") != NULL)
        return FAIL_IP(r, "capacityProviderStrategy: capacity providers are not supported by this "
                          "version of libecs; give a launchType.");
    {
        uint32_t need = l->lt == ECS_LAUNCH_FARGATE ? ECS_COMPAT_FARGATE
                        : l->lt == ECS_LAUNCH_EXTERNAL ? ECS_COMPAT_EXTERNAL
                                                       : ECS_COMPAT_EC2;
        if ((l->rev->def->compatibilities & need) == 0)
            return FAIL_CL(r, "Task definition does not support launch_type %s.",
                           ecs_plane__launch_type_name(l->lt));
    }
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
    collect_ports(l);
    return ECS_OK;
}

/* A new task (not yet in the cluster). */
static ecs_status new_task(ecs_req *r, const launch *l, ecs_task **out)
{
    ecs_plane *pl = r->pl;
    ecs_task *t = ecs_ctx__alloc(r->ctx, sizeof *t);
    char id[33];
    if (t == NULL)
        return ecs_req__nomem(r);
    memset(t, 0, sizeof *t);
    ecs_plane__hex_id(pl, id, 32);
    t->cluster = l->c;
    t->family = l->family;
    t->rev = l->rev;
    t->launch_type = l->lt;
    t->last = ECS_TASK_PROVISIONING;
    t->desired = ECS_TASK_RUNNING;
    t->created_at_ms = pl->now_ms;
    t->version = 1;
    t->cpu = l->cpu;
    t->memory_mib = l->mem;
    if (ecs_str__dup(r->ctx, &t->id, id, 32) != ECS_OK ||
        ecs_str__fmt(r->ctx, &t->arn, "arn:aws:ecs:%s:%s:task/%s/%s", ecs_str__c(&pl->region),
                     ecs_str__c(&pl->account), ecs_str__c(&l->c->name), id) != ECS_OK ||
        ecs_str__dup(r->ctx, &t->group, l->group, l->group_len) != ECS_OK ||
        ecs_str__dup(r->ctx, &t->started_by, l->started_by, l->started_by != NULL ? l->started_by_len : 0) != ECS_OK)
        goto oom;
    if (l->nports > 0) {
        t->bindings = ecs_ctx__alloc(r->ctx, l->nports * sizeof(ecs_binding));
        if (t->bindings == NULL)
            goto oom;
        memcpy(t->bindings, l->bind_tmpl, l->nports * sizeof(ecs_binding));
        t->nbindings = l->nports;
    }
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

/* Give an awsvpc task its ENI in subnet sn, with the subnet's next private
 * address (the caller restores next_host if the call fails). */
static ecs_status give_eni(ecs_req *r, ecs_task *t, ecs_subnet *sn, bool public_ip)
{
    char eni[24], mac[24];
    uint64_t h = 0;
    uint32_t host = 10 + sn->next_host++;
    for (size_t i = 0; i < t->id.len; i++)
        h = (h ^ (unsigned char)t->id.p[i]) * 0x100000001b3u;
    snprintf(eni, sizeof eni, "eni-%017llx", (unsigned long long)(h & 0xFFFFFFFFFFFFFull));
    snprintf(mac, sizeof mac, "0a:%02x:%02x:%02x:%02x:%02x", (unsigned)(h >> 8) & 0xFF,
             (unsigned)(h >> 16) & 0xFF, (unsigned)(h >> 24) & 0xFF, (unsigned)(h >> 32) & 0xFF,
             (unsigned)(h >> 40) & 0xFF);
    if (ecs_str__dup(r->ctx, &t->eni_id, eni, strlen(eni)) != ECS_OK ||
        ecs_str__dup(r->ctx, &t->mac, mac, strlen(mac)) != ECS_OK ||
        ecs_str__dup(r->ctx, &t->subnet_id, sn->id.p, sn->id.len) != ECS_OK ||
        ecs_str__fmt(r->ctx, &t->private_ip, "10.%u.%u.%u",
                     (unsigned)((size_t)(sn - r->pl->subnets) & 0xFF),
                     (unsigned)((host >> 8) & 0xFF), (unsigned)(host & 0xFF)) != ECS_OK ||
        (public_ip && ecs_str__fmt(r->ctx, &t->public_ip, "203.0.113.%u",
                                   (unsigned)(host % 254u) + 1u) != ECS_OK))
        return ecs_req__nomem(r);
    return ECS_OK;
}

/* Tasks made by a call, before they join the cluster. */
typedef struct batch {
    ecs_task *tasks[10];
    size_t n;
    ecs_place_result *result;
    bool engine_has_them;
} batch;

/* Room for the batch in the cluster, so that joining cannot fail. */
static ecs_status batch_reserve(ecs_req *r, ecs_cluster *c, size_t n)
{
    if (ecs_vec__reserve(r->ctx, (void **)&c->tasks, &c->tasks_cap, sizeof(ecs_task *),
                         c->ntasks + n) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->task_by_id, n) != ECS_OK)
        return ecs_req__nomem(r);
    return ECS_OK;
}

static void batch_commit(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        ecs_task *t = b->tasks[i];
        ecs_cluster *c = t->cluster;
        c->tasks[c->ntasks++] = t;
        ecs_map__put(&c->task_by_id, t->id.p, t->id.len, t);
        t->rev->refs++;
        if (t->inst != NULL) {
            t->inst->cpu_remaining -= t->cpu;
            t->inst->mem_remaining -= t->memory_mib;
            t->inst->running_tasks++; /* counts desiredStatus RUNNING */
            for (size_t p = 0; p < t->nbindings; p++) {
                if (!t->bindings[p].dynamic) {
                    t->inst->held[t->inst->nheld].port = t->bindings[p].host_port;
                    t->inst->held[t->inst->nheld].udp = t->bindings[p].udp;
                    t->inst->nheld++;
                }
            }
        }
        if (t->launch_type == ECS_LAUNCH_FARGATE)
            c->fargate_tasks++;
    }
    ecs_place_result_free(b->result);
    b->result = NULL;
    b->n = 0;
}

static void write_failure(ecs_req *r, const char *arn, size_t arn_len, const char *reason,
                          const char *detail)
{
    ecs_json_write_obj_begin(r->w);
    if (arn != NULL) {
        ecs_json_write_key(r->w, "arn", 3);
        ecs_json_write_str(r->w, arn, arn_len);
    }
    ecs_json_write_key(r->w, "reason", 6);
    ecs_json_write_str(r->w, reason, strlen(reason));
    if (detail != NULL && detail[0] != '\0') {
        ecs_json_write_key(r->w, "detail", 6);
        ecs_json_write_str(r->w, detail, strlen(detail));
    }
    ecs_json_write_obj_end(r->w);
}

/* Place EC2/EXTERNAL tasks through the engine; fill b with the placed ones. */
static ecs_status place_ec2(ecs_req *r, launch *l, batch *b, ecs_task **made, size_t count)
{
    ecs_place_request q = ECS_PLACE_REQUEST_INIT;
    const char *ids[10];
    size_t id_lens[10];
    const char *req_attrs[64];
    size_t req_attr_lens[64];
    const ecs_taskdef *td = l->rev->def;
    ecs_status rc;

    if (l->c->registered_instances == 0)
        return FAIL_IP(r, "No Container Instances were found in your cluster.");
    if (ecs_plane__engine_sync(r->pl, l->c) != ECS_OK)
        return ecs_req__nomem(r);
    for (size_t i = 0; i < count; i++) {
        ids[i] = made[i]->id.p;
        id_lens[i] = made[i]->id.len;
    }
    for (size_t i = 0; i < td->nrequires_attributes && i < 64; i++) {
        req_attrs[i] = ecs_str__c(&td->requires_attributes[i]);
        req_attr_lens[i] = td->requires_attributes[i].len;
    }
    q.count = (uint32_t)count;
    q.need.cpu = l->cpu;
    q.need.memory_mib = l->mem;
    for (size_t i = 0; i < td->ncontainers; i++)
        q.need.gpus += td->containers[i].gpus;
    q.need.eni = l->awsvpc;
    q.need.ports = l->ports;
    q.need.nports = l->nports;
    q.need.group = l->group;
    q.need.group_len = l->group_len;
    q.required_attributes = req_attrs;
    q.required_attribute_lens = req_attr_lens;
    q.nrequired_attributes = td->nrequires_attributes < 64 ? td->nrequires_attributes : 64;
    if (l->awsvpc) {
        q.zones = l->zones;
        q.zone_lens = l->zone_lens;
        q.nzones = l->nzones;
    }
    q.distinct_instance = l->distinct;
    q.member_of = l->member_of;
    q.member_of_lens = l->member_of_len;
    q.nmember_of = l->nmember_of;
    q.strategies = l->strategies;
    q.nstrategies = l->nstrategies;
    q.task_ids = ids;
    q.task_id_lens = id_lens;
    rc = ecs_place_tasks(l->c->engine, &q, &b->result);
    if (rc == ECS_E_NOMEM)
        return ecs_req__nomem(r);
    if (rc == ECS_E_PARSE)
        return FAIL_IP(r, "placementConstraints: memberOf expression: %s", ecs_ctx_errmsg(r->ctx));
    if (rc != ECS_OK)
        return FAIL_IP(r, "placement: %s", ecs_ctx_errmsg(r->ctx));
    b->engine_has_them = true;
    for (size_t i = 0; i < count; i++) {
        ecs_place_outcome o;
        ecs_task *t = made[i];
        if (ecs_place_result_get(b->result, i, &o) != ECS_OK || o.reason != ECS_PLACE_OK)
            continue;
        t->inst = ecs_plane__instance_by_ref(r->pl, l->c, o.instance_id, o.instance_id_len);
        for (size_t p = 0; p < t->nbindings && p < o.nports; p++)
            t->bindings[p].host_port = o.ports[p];
        if (t->inst != NULL &&
            ecs_str__dup(r->ctx, &t->az, t->inst->availability_zone.p, t->inst->availability_zone.len) != ECS_OK)
            return ecs_req__nomem(r);
        if (l->awsvpc && t->inst != NULL) {
            ecs_subnet *sn = l->subnets[0];
            for (size_t k = 0; k < l->nsubnets; k++) {
                if (ecs_str__eq(&l->subnets[k]->az, t->inst->availability_zone.p, t->inst->availability_zone.len)) {
                    sn = l->subnets[k];
                    break;
                }
            }
            if ((rc = give_eni(r, t, sn, false)) != ECS_OK)
                return rc;
        }
    }
    return ECS_OK;
}

/* Fargate: spread the group's tasks over the subnets' zones. */
static ecs_status place_fargate(ecs_req *r, launch *l, batch *b, ecs_task **made, size_t count,
                                bool *placed)
{
    uint32_t per_zone[16];
    memset(per_zone, 0, sizeof per_zone);
    for (size_t i = 0; i < l->c->ntasks; i++) {
        const ecs_task *t = l->c->tasks[i];
        if (t->launch_type != ECS_LAUNCH_FARGATE || t->last == ECS_TASK_STOPPED ||
            !ecs_str__eq(&t->group, l->group, l->group_len))
            continue;
        for (size_t z = 0; z < l->nzones; z++) {
            if (ecs_str__eq(&t->az, l->zones[z], l->zone_lens[z]))
                per_zone[z]++;
        }
    }
    (void)b;
    for (size_t i = 0; i < count; i++) {
        size_t best = 0;
        ecs_subnet *sn = NULL;
        ecs_status rc;
        placed[i] = false;
        if (r->pl->fargate_limit != 0 && l->c->fargate_tasks + i >= r->pl->fargate_limit)
            continue;
        for (size_t z = 1; z < l->nzones; z++) {
            if (per_zone[z] < per_zone[best])
                best = z;
        }
        for (size_t k = 0; k < l->nsubnets; k++) {
            if (ecs_str__eq(&l->subnets[k]->az, l->zones[best], l->zone_lens[best])) {
                sn = l->subnets[k];
                break;
            }
        }
        per_zone[best]++;
        if (ecs_str__dup(r->ctx, &made[i]->az, l->zones[best], l->zone_lens[best]) != ECS_OK)
            return ecs_req__nomem(r);
        if ((rc = give_eni(r, made[i], sn, l->public_ip)) != ECS_OK)
            return rc;
        placed[i] = true;
    }
    return ECS_OK;
}

/* A fingerprint of the request without its clientToken: members in order,
 * as canonical JSON. */
static ecs_status fingerprint(ecs_req *r, uint64_t *out)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const ecs_json_val *k = ecs_json_first(r->root); k != NULL;
         k = ecs_json_next(r->root, ecs_json_next(r->root, k))) {
        size_t kl = 0;
        const char *key = ecs_json_str(r->doc, k, &kl);
        char *text;
        size_t tl;
        if (kl == 11 && memcmp(key, "clientToken", 11) == 0)
            continue;
        if (ecs_json_write_text(r->ctx, r->doc, ecs_json_next(r->root, k), 0, &text, &tl) != ECS_OK)
            return ecs_req__nomem(r);
        for (size_t i = 0; i < kl; i++)
            h = (h ^ (unsigned char)key[i]) * 0x100000001b3u;
        h = (h ^ 0xFFu) * 0x100000001b3u;
        for (size_t i = 0; i < tl; i++)
            h = (h ^ (unsigned char)text[i]) * 0x100000001b3u;
        ecs_json_text_free(r->ctx, text, tl);
    }
    *out = h;
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
            return fingerprint(r, fp);
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
    if (fingerprint(r, &t->fingerprint) != ECS_OK ||
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

static ecs_status run_or_start(ecs_req *r, bool start_task)
{
    launch l;
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

    memset(&b, 0, sizeof b);
    if ((rc = decode_common(r, &l, start_task)) != ECS_OK)
        return rc;
    for (size_t i = 0; i < l.nsubnets; i++)
        saved_hosts[i] = l.subnets[i]->next_host;
    for (size_t i = 0; i < 10; i++) {
        start_reason[i] = ECS_PLACE_AGENT;
        start_detail[i][0] = '\0';
    }
    if (!start_task) {
        ecs_token *tok = NULL;
        uint64_t fp = 0;
        rc = client_token(r, l.c, &tok, &fp);
        if (rc != ECS_OK)
            return rc;
        if (tok != NULL)
            return replay_token(r, l.c, tok, fp);
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
    if ((rc = batch_reserve(r, l.c, count)) != ECS_OK)
        return rc;
    for (nmade = 0; nmade < count; nmade++) {
        if ((rc = new_task(r, &l, &made[nmade])) != ECS_OK)
            goto fail;
        placed[nmade] = false;
    }
    if (start_task) {
        /* one task per named instance, checked by the engine with that
         * instance as the only candidate */
        size_t i = 0;
        if (l.c->ninstances > 0 && ecs_plane__engine_sync(r->pl, l.c) != ECS_OK) {
            rc = ecs_req__nomem(r);
            goto fail;
        }
        b.engine_has_them = true; /* from the first placement on, undo asks the engine */
        for (const ecs_json_val *v = ecs_json_first(targets); v != NULL; v = ecs_json_next(targets, v), i++) {
            size_t n = 0;
            const char *ref = ecs_json_str(r->doc, v, &n);
            named[i] = ecs_plane__instance_by_ref(r->pl, l.c, ref, n);
        }
        for (i = 0; i < count; i++) {
            ecs_place_request q = ECS_PLACE_REQUEST_INIT;
            char expr[200];
            const char *exprs[1];
            size_t expr_lens[1];
            ecs_place_result *res = NULL;
            ecs_place_outcome o;
            int k;
            if (named[i] == NULL || named[i]->status == ECS_INST_INACTIVE || l.c->engine == NULL)
                continue;
            k = snprintf(expr, sizeof expr, "ec2InstanceId == '%s'", ecs_str__c(&named[i]->ec2_instance_id));
            exprs[0] = expr;
            expr_lens[0] = k > 0 && (size_t)k < sizeof expr ? (size_t)k : 0;
            q.count = 1;
            q.need.cpu = l.cpu;
            q.need.memory_mib = l.mem;
            q.need.eni = l.awsvpc;
            q.need.ports = l.ports;
            q.need.nports = l.nports;
            q.need.group = l.group;
            q.need.group_len = l.group_len;
            q.member_of = exprs;
            q.member_of_lens = expr_lens;
            q.nmember_of = 1;
            q.task_ids = (const char *const *)&made[i]->id.p;
            q.task_id_lens = &made[i]->id.len;
            rc = ecs_place_tasks(l.c->engine, &q, &res);
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
                if (ecs_str__dup(r->ctx, &made[i]->az, named[i]->availability_zone.p,
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
    } else if (l.lt == ECS_LAUNCH_FARGATE) {
        if ((rc = place_fargate(r, &l, &b, made, count, placed)) != ECS_OK)
            goto fail;
    } else {
        if ((rc = place_ec2(r, &l, &b, made, count)) != ECS_OK)
            goto fail;
        for (size_t i = 0; i < count; i++)
            placed[i] = made[i]->inst != NULL;
    }
    /* room for the static ports the tasks will hold on their instances */
    for (size_t i = 0; i < count; i++) {
        ecs_instance *in = made[i]->inst;
        size_t need = 0;
        if (!placed[i] || in == NULL)
            continue;
        for (size_t k = 0; k <= i; k++) {
            if (placed[k] && made[k]->inst == in) {
                for (size_t p = 0; p < made[k]->nbindings; p++)
                    need += !made[k]->bindings[p].dynamic;
            }
        }
        if (ecs_vec__reserve(r->ctx, (void **)&in->held, &in->held_cap, sizeof(ecs_held_port),
                             in->nheld + need) != ECS_OK) {
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
        if (!start_task && (rc = token_record(r, l.c, placed_tasks, np, &new_token)) != ECS_OK)
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
                write_failure(r, ref, n, "MISSING", NULL);
            else if (named[i]->status == ECS_INST_INACTIVE)
                write_failure(r, named[i]->arn.p, named[i]->arn.len, "INACTIVE", NULL);
            else if (named[i]->status != ECS_INST_ACTIVE)
                write_failure(r, named[i]->arn.p, named[i]->arn.len, "INACTIVE", NULL);
            else {
                ecs_place_outcome o;
                memset(&o, 0, sizeof o);
                o.reason = start_reason[i];
                o.explanation = start_detail[i];
                write_failure(r, named[i]->arn.p, named[i]->arn.len, failure_reason(&l, &o),
                              start_detail[i]);
            }
        } else if (l.lt == ECS_LAUNCH_FARGATE) {
            write_failure(r, NULL, 0,
                          "Capacity is unavailable at this time. Please try again later or in a "
                          "different availability zone.", NULL);
        } else {
            ecs_place_outcome o;
            if (ecs_place_result_get(b.result, i, &o) == ECS_OK)
                write_failure(r, o.instance_id, o.instance_id_len, failure_reason(&l, &o),
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
    batch_commit(&b);
    if (new_token != NULL)
        l.c->tokens[l.c->ntokens++] = new_token;
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
        if (b.engine_has_them && l.c->engine != NULL)
            (void)ecs_place_remove_task(l.c->engine, made[i]->id.p, made[i]->id.len);
        ecs_plane__task_free(r->ctx, made[i]);
    }
    for (size_t i = 0; i < l.nsubnets; i++)
        l.subnets[i]->next_host = saved_hosts[i];
    ecs_place_result_free(b.result);
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
    uint32_t flags = 0;
    const ecs_json_val *inc = ecs_req__member(r, r->root, "include");
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (ecs_json_len(list) > 100)
        return FAIL_IP(r, "tasks: at most 100 per call.");
    for (const ecs_json_val *v = ecs_json_first(inc); v != NULL; v = ecs_json_next(inc, v)) {
        size_t n = 0;
        const char *s = ecs_json_str(r->doc, v, &n);
        if (s != NULL && n == 4 && memcmp(s, "TAGS", 4) == 0)
            flags |= ECS_WRITE_TAGS;
    }
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
            const char *id = ref, *slash = NULL;
            const ecs_task *t;
            for (size_t k = 0; k < n; k++) {
                if (ref[k] == '/')
                    slash = ref + k;
            }
            if (slash != NULL)
                id = slash + 1;
            t = ecs_map__get(&c->task_by_id, id, n - (size_t)(id - ref));
            if (t != NULL && slash != NULL && !ecs_str__eq(&t->arn, ref, n))
                t = NULL;
            if (pass == 0 && t != NULL)
                ecs_plane__write_task(r->pl, r->w, t, flags);
            else if (pass == 1 && t == NULL)
                write_failure(r, ref, n, "MISSING", NULL);
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
