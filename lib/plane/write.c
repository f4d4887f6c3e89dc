/*
 * The JSON forms of the plane's objects, as ECS's describe calls return
 * them. Timestamps are epoch seconds (the AWS JSON protocol's form), with
 * millisecond precision.
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

#define KEY(w, lit) ecs_json_write_key((w), (lit), sizeof(lit) - 1)

static void str_member(ecs_json_writer *w, const char *key, const ecs_str *s)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_str(w, ecs_str__c(s), s->len);
}

static void cstr_member(ecs_json_writer *w, const char *key, const char *s)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_str(w, s, strlen(s));
}

static void int_member(ecs_json_writer *w, const char *key, int64_t v)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_int(w, v);
}

ecs_status ecs_plane__write_time(ecs_json_writer *w, int64_t ms)
{
    /* whole seconds print as integers would read back as integers; ECS
     * clients expect a number either way, and a double keeps the ms */
    return ecs_json_write_double(w, (double)ms / 1000.0);
}

ecs_status ecs_plane__write_tags(ecs_json_writer *w, const ecs_tags *tags)
{
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < tags->n; i++) {
        ecs_json_write_obj_begin(w);
        str_member(w, "key", &tags->items[i].key);
        str_member(w, "value", &tags->items[i].value);
        ecs_json_write_obj_end(w);
    }
    return ecs_json_write_arr_end(w);
}

ecs_status ecs_plane__write_cluster(ecs_json_writer *w, const ecs_cluster *c, uint32_t flags)
{
    ecs_json_write_obj_begin(w);
    str_member(w, "clusterArn", &c->arn);
    str_member(w, "clusterName", &c->name);
    cstr_member(w, "status", c->active ? "ACTIVE" : "INACTIVE");
    int_member(w, "registeredContainerInstancesCount", c->registered_instances);
    int_member(w, "runningTasksCount", c->running_tasks);
    int_member(w, "pendingTasksCount", c->pending_tasks);
    int_member(w, "activeServicesCount", c->active_services);
    if (flags & ECS_WRITE_STATISTICS) {
        KEY(w, "statistics");
        ecs_json_write_arr_begin(w);
        ecs_json_write_arr_end(w);
    }
    if ((flags & ECS_WRITE_TAGS) && c->tags.n > 0) {
        KEY(w, "tags");
        ecs_plane__write_tags(w, &c->tags);
    }
    if (flags & ECS_WRITE_SETTINGS) {
        KEY(w, "settings");
        ecs_json_write_arr_begin(w);
        ecs_json_write_obj_begin(w);
        cstr_member(w, "name", "containerInsights");
        cstr_member(w, "value", c->container_insights ? "enabled" : "disabled");
        ecs_json_write_obj_end(w);
        ecs_json_write_arr_end(w);
    }
    KEY(w, "capacityProviders");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < c->ncps; i++)
        ecs_json_write_str(w, c->cps[i].p, c->cps[i].len);
    ecs_json_write_arr_end(w);
    KEY(w, "defaultCapacityProviderStrategy");
    ecs_plane__write_strategy(w, c->default_strategy, c->ndefault_strategy);
    return ecs_json_write_obj_end(w);
}

static void resource_head(ecs_json_writer *w, const char *name, const char *type, int64_t ival)
{
    ecs_json_write_obj_begin(w);
    cstr_member(w, "name", name);
    cstr_member(w, "type", type);
    KEY(w, "doubleValue");
    ecs_json_write_double(w, 0.0);
    int_member(w, "longValue", 0);
    int_member(w, "integerValue", ival);
}

static void ports_resource(ecs_json_writer *w, const char *name, const uint16_t *ports, size_t n)
{
    char buf[8];
    resource_head(w, name, "STRINGSET", 0);
    KEY(w, "stringSetValue");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(buf, sizeof buf, "%u", (unsigned)ports[i]);
        ecs_json_write_str(w, buf, k > 0 ? (size_t)k : 0);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_obj_end(w);
}

static size_t sort_unique(uint16_t *p, size_t n)
{
    size_t m = 0;
    for (size_t i = 1; i < n; i++) { /* insertion sort: n <= 256 */
        uint16_t v = p[i];
        size_t j = i;
        while (j > 0 && p[j - 1] > v) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = v;
    }
    for (size_t i = 0; i < n; i++) {
        if (m == 0 || p[m - 1] != p[i])
            p[m++] = p[i];
    }
    return m;
}

static void resources(ecs_json_writer *w, const ecs_instance *inst, bool remaining)
{
    ecs_json_write_arr_begin(w);
    resource_head(w, "CPU", "INTEGER", remaining ? inst->cpu_remaining : inst->cpu_total);
    ecs_json_write_obj_end(w);
    resource_head(w, "MEMORY", "INTEGER", remaining ? inst->mem_remaining : inst->mem_total);
    ecs_json_write_obj_end(w);
    if (remaining && inst->nheld > 0) {
        /* what registration reserved plus the static ports tasks hold */
        uint16_t tcp[256], udp[256];
        size_t nt = 0, nu = 0;
        for (size_t i = 0; i < inst->nports_tcp && nt < 256; i++)
            tcp[nt++] = inst->ports_tcp[i];
        for (size_t i = 0; i < inst->nports_udp && nu < 256; i++)
            udp[nu++] = inst->ports_udp[i];
        for (size_t i = 0; i < inst->nheld; i++) {
            if (inst->held[i].udp && nu < 256)
                udp[nu++] = inst->held[i].port;
            else if (!inst->held[i].udp && nt < 256)
                tcp[nt++] = inst->held[i].port;
        }
        nt = sort_unique(tcp, nt);
        nu = sort_unique(udp, nu);
        ports_resource(w, "PORTS", tcp, nt);
        ports_resource(w, "PORTS_UDP", udp, nu);
    } else {
        ports_resource(w, "PORTS", inst->ports_tcp, inst->nports_tcp);
        ports_resource(w, "PORTS_UDP", inst->ports_udp, inst->nports_udp);
    }
    if (inst->ngpus > 0) {
        resource_head(w, "GPU", "STRINGSET", 0);
        KEY(w, "stringSetValue");
        ecs_json_write_arr_begin(w);
        for (size_t i = 0; i < inst->ngpus; i++)
            ecs_json_write_str(w, ecs_str__c(&inst->gpus[i]), inst->gpus[i].len);
        ecs_json_write_arr_end(w);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
}

ecs_status ecs_plane__write_instance(const ecs_plane *pl, ecs_json_writer *w,
                                     const ecs_instance *inst, uint32_t flags)
{
    (void)pl;
    ecs_json_write_obj_begin(w);
    str_member(w, "containerInstanceArn", &inst->arn);
    if (inst->ec2_instance_id.len > 0)
        str_member(w, "ec2InstanceId", &inst->ec2_instance_id);
    if (ecs_plane__instance_provider(inst)->len > 0)
        str_member(w, "capacityProviderName", ecs_plane__instance_provider(inst));
    int_member(w, "version", inst->version);
    KEY(w, "versionInfo");
    ecs_json_write_obj_begin(w);
    if (inst->agent_version.len > 0)
        str_member(w, "agentVersion", &inst->agent_version);
    if (inst->agent_hash.len > 0)
        str_member(w, "agentHash", &inst->agent_hash);
    if (inst->docker_version.len > 0)
        str_member(w, "dockerVersion", &inst->docker_version);
    ecs_json_write_obj_end(w);
    KEY(w, "remainingResources");
    resources(w, inst, true);
    KEY(w, "registeredResources");
    resources(w, inst, false);
    cstr_member(w, "status", ecs_plane__instance_status_name(inst->status));
    KEY(w, "agentConnected");
    ecs_json_write_bool(w, inst->agent_connected);
    int_member(w, "runningTasksCount", inst->running_tasks);
    int_member(w, "pendingTasksCount", inst->pending_tasks);
    KEY(w, "attributes");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < inst->nattrs; i++) {
        ecs_json_write_obj_begin(w);
        str_member(w, "name", &inst->attrs[i].name);
        if (inst->attrs[i].value.len > 0)
            str_member(w, "value", &inst->attrs[i].value);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    KEY(w, "registeredAt");
    ecs_plane__write_time(w, inst->registered_at_ms);
    KEY(w, "attachments");
    ecs_json_write_arr_begin(w);
    ecs_json_write_arr_end(w);
    if ((flags & ECS_WRITE_TAGS) && inst->tags.n > 0) {
        KEY(w, "tags");
        ecs_plane__write_tags(w, &inst->tags);
    }
    return ecs_json_write_obj_end(w);
}

ecs_status ecs_plane__write_revision(const ecs_plane *pl, ecs_json_writer *w,
                                     const ecs_family *f, const ecs_revision *r)
{
    (void)pl;
    ecs_json_write_obj_begin(w);
    str_member(w, "taskDefinitionArn", &r->arn);
    ecs_taskdef__write_members(w, r->def);
    /* family and containerDefinitions come from the definition itself */
    (void)f;
    int_member(w, "revision", r->revision);
    cstr_member(w, "status", ecs_plane__td_status_name(r->status));
    KEY(w, "registeredAt");
    ecs_plane__write_time(w, r->registered_at_ms);
    if (r->deregistered_at_ms != 0) {
        KEY(w, "deregisteredAt");
        ecs_plane__write_time(w, r->deregistered_at_ms);
    }
    KEY(w, "registeredBy");
    {
        char by[64];
        int n = snprintf(by, sizeof by, "arn:aws:iam::%s:root", ecs_str__c(&pl->account));
        ecs_json_write_str(w, by, n > 0 ? (size_t)n : 0);
    }
    return ecs_json_write_obj_end(w);
}
