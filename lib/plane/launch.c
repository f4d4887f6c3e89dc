/*
 * Launching tasks: what RunTask and the service scheduler share. A launch
 * (ecs_launch) is decoded by its caller; here its tasks are made, placed
 * (EC2 and EXTERNAL through the cluster's placement engine, Fargate over the
 * subnets' zones) and given their ENIs. Joining the cluster is
 * ecs_plane__task_join (lifecycle.c), after ecs_plane__launch_reserve made
 * room so that it cannot fail.
 *
 * Fargate tasks go on no instance: each gets an ENI in one of its subnets,
 * the subnets' zones taken in turn so that the group's tasks spread over
 * them (fewest live tasks of the group first, then the subnets' order).
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

const char *ecs_plane__engine_group(const ecs_service *svc, uint32_t dep_seq, const char *group,
                                    size_t group_len, char *buf, size_t *out_len)
{
    int k;
    if (svc == NULL || !svc->spread_new_only) {
        *out_len = group_len;
        return group;
    }
    k = snprintf(buf, 320, "%.*s#%u", (int)(group_len > 300 ? 300 : group_len), group, (unsigned)dep_seq);
    *out_len = k > 0 && k < 320 ? (size_t)k : 0;
    return buf;
}

void ecs_plane__launch_ports(ecs_launch *l)
{
    const ecs_taskdef *td = l->rev->def;
    l->nports = 0;
    if (td->network_mode == ECS_NET_AWSVPC || td->network_mode == ECS_NET_NONE)
        return;
    for (size_t c = 0; c < td->ncontainers; c++) {
        const ecs_container_def *cd = &td->containers[c];
        for (size_t p = 0; p < cd->nports && l->nports < ECS_LAUNCH_MAX_PORTS; p++) {
            const ecs_port_mapping *m = &cd->ports[p];
            uint16_t host;
            if (m->container_port == 0)
                continue; /* a containerPortRange: the agent maps it */
            host = (uint16_t)(td->network_mode == ECS_NET_HOST ? m->container_port : m->host_port);
            l->ports[l->nports].port = host;
            l->ports[l->nports].udp = m->udp;
            l->ports[l->nports].dynamic = false; /* 0 asks for one */
            l->bind_tmpl[l->nports].container_port = (uint16_t)m->container_port;
            l->bind_tmpl[l->nports].host_port = host;
            l->bind_tmpl[l->nports].udp = m->udp;
            l->bind_tmpl[l->nports].container = (uint16_t)c;
            l->bind_tmpl[l->nports].dynamic = host == 0;
            l->nports++;
        }
    }
}

void ecs_plane__launch_zones(ecs_launch *l)
{
    l->nzones = 0;
    for (size_t i = 0; i < l->nsubnets; i++) {
        const ecs_subnet *sn = l->subnets[i];
        bool seen = false;
        for (size_t k = 0; k < l->nzones; k++)
            seen |= l->zone_lens[k] == sn->az.len && memcmp(l->zones[k], sn->az.p, sn->az.len) == 0;
        if (!seen) {
            l->zones[l->nzones] = ecs_str__c(&sn->az);
            l->zone_lens[l->nzones++] = sn->az.len;
        }
    }
}

ecs_status ecs_plane__launch_new_task(ecs_plane *pl, const ecs_launch *l, ecs_task **out)
{
    char id[33];
    ecs_task *t;
    ecs_plane__hex_id(pl, id, 32);
    t = ecs_plane__task_new(pl, l->c, l->rev, id, 32, l->group, l->group_len, l->started_by,
                            l->started_by != NULL ? l->started_by_len : 0, l->nports);
    if (t == NULL)
        return ECS_E_NOMEM;
    t->svc = l->svc;
    t->dep_seq = l->dep_seq;
    t->family = l->family;
    t->launch_type = (uint8_t)l->lt;
    t->last = ECS_TASK_PROVISIONING;
    t->desired = ECS_TASK_RUNNING;
    t->created_at_ms = pl->now_ms;
    t->version = 1;
    t->cpu = l->cpu;
    t->memory_mib = l->mem;
    if (l->capacity_provider != NULL &&
        ecs_str__dup(pl->ctx, &t->capacity_provider, l->capacity_provider, strlen(l->capacity_provider)) != ECS_OK) {
        ecs_plane__task_free(pl->ctx, t);
        return ECS_E_NOMEM;
    }
    if (l->nports > 0)
        memcpy(t->bindings, l->bind_tmpl, l->nports * sizeof(ecs_binding));
    *out = t;
    return ECS_OK;
}

ecs_status ecs_plane__launch_eni(ecs_plane *pl, ecs_task *t, ecs_subnet *sn, bool public_ip)
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
    {
        char ip[24], pip[24];
        ecs_str e = { eni, strlen(eni) }, m = { mac, strlen(mac) }, a, b = { pip, 0 };
        snprintf(ip, sizeof ip, "10.%u.%u.%u", (unsigned)((size_t)(sn - pl->subnets) & 0xFF),
                 (unsigned)((host >> 8) & 0xFF), (unsigned)(host & 0xFF));
        a.p = ip;
        a.len = strlen(ip);
        if (public_ip) {
            snprintf(pip, sizeof pip, "203.0.113.%u", (unsigned)(host % 254u) + 1u);
            b.len = strlen(pip);
        }
        return ecs_plane__task_set_net(pl->ctx, t, &e, &sn->id, &a, &b, &m);
    }
}

ecs_status ecs_plane__launch_place_ec2(ecs_plane *pl, ecs_launch *l, ecs_task **made, size_t n,
                                       ecs_place_result **result)
{
    ecs_place_request q = ECS_PLACE_REQUEST_INIT;
    const char **ids = NULL;
    size_t *id_lens = NULL;
    const char *req_attrs[64];
    size_t req_attr_lens[64];
    char group_buf[320];
    const ecs_taskdef *td = l->rev->def;
    ecs_status rc;

    *result = NULL;
    if ((rc = ecs_plane__engine_sync(pl, l->c)) != ECS_OK)
        return rc == ECS_E_NOMEM ? rc
                                 : ecs_ctx__fail(pl->ctx, ECS_E_INTERNAL,
                                                 "the placement engine refused the cluster's state: %s",
                                                 ecs_ctx_errmsg(pl->ctx));
    ids = ecs_ctx__alloc(pl->ctx, n * sizeof *ids);
    id_lens = ecs_ctx__alloc(pl->ctx, n * sizeof *id_lens);
    if (ids == NULL || id_lens == NULL) {
        rc = ECS_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = made[i]->id.p;
        id_lens[i] = made[i]->id.len;
    }
    for (size_t i = 0; i < td->nrequires_attributes && i < 64; i++) {
        req_attrs[i] = ecs_str__c(&td->requires_attributes[i]);
        req_attr_lens[i] = td->requires_attributes[i].len;
    }
    q.count = (uint32_t)n;
    q.need.cpu = l->cpu;
    q.need.memory_mib = l->mem;
    for (size_t i = 0; i < td->ncontainers; i++)
        q.need.gpus += td->containers[i].gpus;
    q.need.eni = l->awsvpc;
    q.need.ports = l->ports;
    q.need.nports = l->nports;
    q.need.group = ecs_plane__engine_group(l->svc, l->dep_seq, l->group, l->group_len, group_buf,
                                           &q.need.group_len);
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
    rc = ecs_place_tasks(l->c->engine, &q, result);
    if (rc != ECS_OK)
        goto done;
    for (size_t i = 0; i < n; i++) {
        ecs_place_outcome o;
        ecs_task *t = made[i];
        if (ecs_place_result_get(*result, i, &o) != ECS_OK || o.reason != ECS_PLACE_OK)
            continue;
        t->inst = ecs_plane__instance_by_ref(pl, l->c, o.instance_id, o.instance_id_len);
        for (size_t p = 0; p < t->nbindings && p < o.nports; p++)
            t->bindings[p].host_port = o.ports[p];
        if (t->inst != NULL &&
            ecs_plane__task_set_az(pl, t, t->inst->availability_zone.p, t->inst->availability_zone.len) != ECS_OK) {
            rc = ECS_E_NOMEM;
            goto done;
        }
        if (l->awsvpc && t->inst != NULL && l->nsubnets > 0) {
            ecs_subnet *sn = l->subnets[0];
            for (size_t k = 0; k < l->nsubnets; k++) {
                if (ecs_str__eq(&l->subnets[k]->az, t->inst->availability_zone.p,
                                t->inst->availability_zone.len)) {
                    sn = l->subnets[k];
                    break;
                }
            }
            if ((rc = ecs_plane__launch_eni(pl, t, sn, false)) != ECS_OK)
                goto done;
        }
    }
done:
    if (ids != NULL)
        ecs_ctx__release(pl->ctx, ids, n * sizeof *ids);
    if (id_lens != NULL)
        ecs_ctx__release(pl->ctx, id_lens, n * sizeof *id_lens);
    return rc;
}

ecs_status ecs_plane__launch_place_fargate(ecs_plane *pl, ecs_launch *l, ecs_task **made, size_t n,
                                           bool *placed)
{
    uint32_t per_zone[ECS_LAUNCH_MAX_SUBNETS];
    memset(per_zone, 0, sizeof per_zone);
    for (size_t i = 0; i < l->c->ntasks; i++) {
        const ecs_task *t = l->c->tasks[i];
        if (t->launch_type != ECS_LAUNCH_FARGATE || t->last == ECS_TASK_STOPPED ||
            t->desired == ECS_TASK_STOPPED || !ecs_str__eq(&t->group, l->group, l->group_len))
            continue;
        for (size_t z = 0; z < l->nzones; z++) {
            if (ecs_str__eq(&t->az, l->zones[z], l->zone_lens[z]))
                per_zone[z]++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        ecs_subnet *sn = NULL;
        ecs_status rc;
        placed[i] = false;
        if (pl->fargate_limit != 0 && l->c->fargate_tasks + i >= pl->fargate_limit)
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
        if (sn == NULL)
            continue;
        per_zone[best]++;
        if (ecs_plane__task_set_az(pl, made[i], l->zones[best], l->zone_lens[best]) != ECS_OK)
            return ECS_E_NOMEM;
        if ((rc = ecs_plane__launch_eni(pl, made[i], sn, l->public_ip)) != ECS_OK)
            return rc;
        placed[i] = true;
    }
    return ECS_OK;
}

ecs_status ecs_plane__launch_reserve(ecs_plane *pl, ecs_cluster *c, ecs_service *svc,
                                     ecs_task *const *made, size_t n)
{
    if (ecs_vec__reserve(pl->ctx, (void **)&c->tasks, &c->tasks_cap, sizeof(ecs_task *),
                         c->ntasks + n) != ECS_OK ||
        ecs_map__reserve(pl->ctx, &c->task_by_id, n) != ECS_OK)
        return ECS_E_NOMEM;
    if (svc != NULL && ecs_vec__reserve(pl->ctx, (void **)&svc->tasks, &svc->tasks_cap,
                                        sizeof(ecs_task *), svc->ntasks + n) != ECS_OK)
        return ECS_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        ecs_instance *in = made[i]->inst;
        size_t need = 0;
        if (in == NULL)
            continue;
        for (size_t k = 0; k <= i; k++) {
            if (made[k]->inst == in) {
                for (size_t p = 0; p < made[k]->nbindings; p++)
                    need += !made[k]->bindings[p].dynamic;
            }
        }
        if (ecs_vec__reserve(pl->ctx, (void **)&in->held, &in->held_cap, sizeof(ecs_held_port),
                             in->nheld + need) != ECS_OK)
            return ECS_E_NOMEM;
    }
    return ECS_OK;
}
