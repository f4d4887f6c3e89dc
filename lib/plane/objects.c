/* Freeing the plane's objects, and the API's names for their states. */
#include <stdint.h>
#include <string.h>

#include "plane/plane_internal.h"

const char *ecs_plane__instance_status_name(ecs_instance_status s)
{
    switch (s) {
    case ECS_INST_ACTIVE: return "ACTIVE";
    case ECS_INST_DRAINING: return "DRAINING";
    case ECS_INST_INACTIVE: return "INACTIVE";
    }
    return "INACTIVE";
}

const char *ecs_plane__td_status_name(ecs_td_status s)
{
    switch (s) {
    case ECS_TD_ACTIVE: return "ACTIVE";
    case ECS_TD_INACTIVE: return "INACTIVE";
    case ECS_TD_DELETE_IN_PROGRESS: return "DELETE_IN_PROGRESS";
    }
    return "INACTIVE";
}

const char *ecs_plane__network_mode_name(ecs_network_mode m)
{
    switch (m) {
    case ECS_NET_BRIDGE: return "bridge";
    case ECS_NET_HOST: return "host";
    case ECS_NET_AWSVPC: return "awsvpc";
    case ECS_NET_NONE: return "none";
    }
    return "bridge";
}

void ecs_plane__tags_free(ecs_ctx *ctx, ecs_tags *tags)
{
    for (size_t i = 0; i < tags->n; i++) {
        ecs_str__free(ctx, &tags->items[i].key);
        ecs_str__free(ctx, &tags->items[i].value);
    }
    ecs_vec__free(ctx, tags->items, tags->cap, sizeof(ecs_tag));
    tags->items = NULL;
    tags->n = tags->cap = 0;
}

const char *const ecs_plane__default_capabilities[] = {
    "com.amazonaws.ecs.capability.docker-remote-api.1.17",
    "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    "com.amazonaws.ecs.capability.docker-remote-api.1.19",
    "com.amazonaws.ecs.capability.docker-remote-api.1.21",
    "com.amazonaws.ecs.capability.docker-remote-api.1.22",
    "com.amazonaws.ecs.capability.docker-remote-api.1.23",
    "com.amazonaws.ecs.capability.docker-remote-api.1.24",
    "com.amazonaws.ecs.capability.docker-remote-api.1.25",
    "com.amazonaws.ecs.capability.docker-remote-api.1.29",
    "com.amazonaws.ecs.capability.docker-remote-api.1.32",
    "com.amazonaws.ecs.capability.docker-remote-api.1.44",
    "com.amazonaws.ecs.capability.ecr-auth",
    "com.amazonaws.ecs.capability.logging-driver.awslogs",
    "com.amazonaws.ecs.capability.logging-driver.fluentd",
    "com.amazonaws.ecs.capability.logging-driver.gelf",
    "com.amazonaws.ecs.capability.logging-driver.journald",
    "com.amazonaws.ecs.capability.logging-driver.json-file",
    "com.amazonaws.ecs.capability.logging-driver.none",
    "com.amazonaws.ecs.capability.logging-driver.splunk",
    "com.amazonaws.ecs.capability.logging-driver.syslog",
    "com.amazonaws.ecs.capability.privileged-container",
    "com.amazonaws.ecs.capability.task-iam-role",
    "com.amazonaws.ecs.capability.task-iam-role-network-host",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.docker-plugin.local",
    "ecs.capability.efs",
    "ecs.capability.env-files.s3",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.execution-role-ecr-pull",
    "ecs.capability.firelens.fluentbit",
    "ecs.capability.firelens.fluentd",
    "ecs.capability.full-sync",
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.task-cpu-mem-limit",
    "ecs.capability.task-eni",
};
const size_t ecs_plane__ndefault_capabilities =
    sizeof ecs_plane__default_capabilities / sizeof ecs_plane__default_capabilities[0];

/* The built-in attributes registration sets, besides the capabilities. */
static const char *const k_builtin_attr_names[] = {
    "ecs.availability-zone", "ecs.instance-type", "ecs.ami-id",
    "ecs.os-type",           "ecs.os-family",     "ecs.cpu-architecture",
};

const char *ecs_plane__static_attr_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof k_builtin_attr_names / sizeof k_builtin_attr_names[0]; i++) {
        if (strlen(k_builtin_attr_names[i]) == len && memcmp(k_builtin_attr_names[i], name, len) == 0)
            return k_builtin_attr_names[i];
    }
    for (size_t i = 0; i < ecs_plane__ndefault_capabilities; i++) {
        const char *c = ecs_plane__default_capabilities[i];
        if (strlen(c) == len && memcmp(c, name, len) == 0)
            return c;
    }
    return NULL;
}

bool ecs_plane__attr_name_ok(const char *name, size_t len)
{
    if (name == NULL || len == 0 || len > 128)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '/' || c == '\\' || c == '.'))
            return false;
    }
    return true;
}

ecs_status ecs_plane__attr_set_name(ecs_ctx *ctx, ecs_attr *a, const char *name, size_t len)
{
    const char *known = ecs_plane__static_attr_name(name, len);
    if (known != NULL) {
        if (!a->name_static)
            ecs_str__free(ctx, &a->name);
        a->name.p = (char *)(uintptr_t)known;
        a->name.len = len;
        a->name_static = true;
        return ECS_OK;
    }
    {
        ecs_str own;
        if (ecs_str__dup(ctx, &own, name, len) != ECS_OK)
            return ECS_E_NOMEM;
        if (!a->name_static)
            ecs_str__free(ctx, &a->name);
        a->name = own;
        a->name_static = false;
    }
    return ECS_OK;
}

void ecs_plane__attr_free(ecs_ctx *ctx, ecs_attr *a)
{
    if (!a->name_static)
        ecs_str__free(ctx, &a->name);
    a->name.p = NULL;
    a->name.len = 0;
    a->name_static = false;
    ecs_str__free(ctx, &a->value);
}

void ecs_plane__instance_free(ecs_ctx *ctx, ecs_instance *inst)
{
    if (inst == NULL)
        return;
    ecs_str__free(ctx, &inst->id);
    ecs_str__free(ctx, &inst->arn);
    ecs_str__free(ctx, &inst->ec2_instance_id);
    ecs_str__free(ctx, &inst->availability_zone);
    ecs_str__free(ctx, &inst->instance_type);
    ecs_str__free(ctx, &inst->ami_id);
    ecs_str__free(ctx, &inst->agent_version);
    ecs_str__free(ctx, &inst->agent_hash);
    ecs_str__free(ctx, &inst->docker_version);
    if (inst->ports_tcp != NULL)
        ecs_ctx__release(ctx, inst->ports_tcp, inst->nports_tcp * sizeof(uint16_t));
    if (inst->ports_udp != NULL)
        ecs_ctx__release(ctx, inst->ports_udp, inst->nports_udp * sizeof(uint16_t));
    for (size_t i = 0; i < inst->ngpus; i++)
        ecs_str__free(ctx, &inst->gpus[i]);
    if (inst->gpus != NULL)
        ecs_ctx__release(ctx, inst->gpus, inst->ngpus * sizeof(ecs_str));
    for (size_t i = 0; i < inst->nattrs; i++)
        ecs_plane__attr_free(ctx, &inst->attrs[i]);
    ecs_vec__free(ctx, inst->attrs, inst->attrs_cap, sizeof(ecs_attr));
    ecs_plane__tags_free(ctx, &inst->tags);
    ecs_vec__free(ctx, inst->held, inst->held_cap, sizeof(ecs_held_port));
    ecs_ctx__release(ctx, inst, sizeof *inst);
}

void ecs_plane__cluster_free(ecs_ctx *ctx, ecs_cluster *c)
{
    if (c == NULL)
        return;
    ecs_plane__strs_free(ctx, c->cps, c->ncps);
    ecs_plane__cp_items_free(ctx, c->default_strategy, c->ndefault_strategy);
    for (size_t i = 0; i < c->nservices; i++)
        ecs_plane__service_free(ctx, c->services[i]);
    ecs_vec__free(ctx, c->services, c->services_cap, sizeof(ecs_service *));
    for (size_t i = 0; i < c->ntasks; i++)
        ecs_plane__task_free(ctx, c->tasks[i]);
    ecs_vec__free(ctx, c->tasks, c->tasks_cap, sizeof(ecs_task *));
    ecs_map__free(ctx, &c->task_by_id);
    for (size_t i = 0; i < c->ntokens; i++) {
        ecs_token *t = c->tokens[i];
        ecs_str__free(ctx, &t->token);
        for (size_t k = 0; k < t->ntasks; k++)
            ecs_str__free(ctx, &t->task_arns[k]);
        if (t->task_arns != NULL)
            ecs_ctx__release(ctx, t->task_arns, t->ntasks * sizeof(ecs_str));
        ecs_ctx__release(ctx, t, sizeof *t);
    }
    ecs_vec__free(ctx, c->tokens, c->tokens_cap, sizeof(ecs_token *));
    ecs_place_free(c->engine);
    for (size_t i = 0; i < c->ninstances; i++)
        ecs_plane__instance_free(ctx, c->instances[i]);
    ecs_vec__free(ctx, c->instances, c->instances_cap, sizeof(ecs_instance *));
    ecs_map__free(ctx, &c->instance_by_id);
    ecs_map__free(ctx, &c->instance_by_ec2);
    ecs_str__free(ctx, &c->name);
    ecs_str__free(ctx, &c->arn);
    ecs_plane__tags_free(ctx, &c->tags);
    ecs_ctx__release(ctx, c, sizeof *c);
}

void ecs_plane__revision_free(ecs_ctx *ctx, ecs_revision *r)
{
    if (r == NULL)
        return;
    ecs_str__free(ctx, &r->arn);
    ecs_taskdef__free(ctx, r->def);
    ecs_plane__tags_free(ctx, &r->tags);
    ecs_ctx__release(ctx, r, sizeof *r);
}

void ecs_plane__family_free(ecs_ctx *ctx, ecs_family *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nrevs; i++)
        ecs_plane__revision_free(ctx, f->revs[i]);
    ecs_vec__free(ctx, f->revs, f->revs_cap, sizeof(ecs_revision *));
    ecs_str__free(ctx, &f->name);
    ecs_ctx__release(ctx, f, sizeof *f);
}
