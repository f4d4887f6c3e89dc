/*
 * Tasks as the plane holds them: their JSON form (DescribeTasks, RunTask),
 * freeing, and the mirror of container instances in each cluster's
 * placement engine (lib/place), which decides where EC2 tasks go.
 *
 * ENI slots per instance (awsvpc tasks, no trunking): the instance type's
 * network interfaces minus the primary one, by size, as EC2's tables give
 * them for current general-purpose types: nano/micro 1, small/medium 2,
 * large 2, xlarge 3, 2xlarge 3, 4xlarge and larger 7; unknown types 2.
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"
#include "util/ckd.h"

static uint32_t eni_slots_for(const ecs_str *itype);

const char *ecs_plane__task_status_name(ecs_task_status s)
{
    switch (s) {
    case ECS_TASK_PROVISIONING: return "PROVISIONING";
    case ECS_TASK_PENDING: return "PENDING";
    case ECS_TASK_ACTIVATING: return "ACTIVATING";
    case ECS_TASK_RUNNING: return "RUNNING";
    case ECS_TASK_DEACTIVATING: return "DEACTIVATING";
    case ECS_TASK_STOPPING: return "STOPPING";
    case ECS_TASK_DEPROVISIONING: return "DEPROVISIONING";
    case ECS_TASK_STOPPED: return "STOPPED";
    }
    return "STOPPED";
}

const char *ecs_plane__launch_type_name(ecs_launch_type t)
{
    switch (t) {
    case ECS_LAUNCH_EC2: return "EC2";
    case ECS_LAUNCH_FARGATE: return "FARGATE";
    case ECS_LAUNCH_EXTERNAL: return "EXTERNAL";
    }
    return "EC2";
}

bool ecs_plane__revision_supports(const ecs_revision *rev, ecs_launch_type t)
{
    uint32_t need = t == ECS_LAUNCH_FARGATE    ? ECS_COMPAT_FARGATE
                    : t == ECS_LAUNCH_EXTERNAL ? ECS_COMPAT_EXTERNAL
                                               : ECS_COMPAT_EC2;
    return (rev->def->compatibilities & need) != 0;
}

/* Bytes for n items of size sz after `at`, aligned to `align`; false on
 * overflow. */
static bool block_add(size_t *at, size_t n, size_t sz, size_t align)
{
    size_t bytes;
    *at = (*at + align - 1) & ~(align - 1);
    return ecs_ckd_mul_size(&bytes, n, sz) && ecs_ckd_add_size(at, *at, bytes);
}

static char *block_text(char *dst, ecs_str *out, const char *const *parts, const size_t *lens, size_t n)
{
    out->p = dst;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] > 0)
            memcpy(dst, parts[i], lens[i]);
        dst += lens[i];
    }
    out->len = (size_t)(dst - out->p);
    *dst++ = '\0';
    if (out->len == 0)
        out->p = NULL;
    return dst;
}

ecs_task *ecs_plane__task_new(const ecs_plane *pl, ecs_cluster *c, ecs_revision *rev,
                              const char *id, size_t id_len, const char *group, size_t group_len,
                              const char *by, size_t by_len, size_t nbindings)
{
    size_t ncont = rev->def->ncontainers, size = sizeof(ecs_task), at_cont, at_bind, at_text;
    const char *arn_parts[] = { "arn:aws:ecs:", pl->region.p, ":", pl->account.p, ":task/",
                                c->name.p, "/", id };
    size_t arn_lens[] = { 12, pl->region.len, 1, pl->account.len, 6, c->name.len, 1, id_len };
    size_t text = 0;
    ecs_task *t;
    char *dst;
    if (nbindings > UINT16_MAX)
        return NULL;
    for (size_t i = 0; i < sizeof arn_lens / sizeof arn_lens[0]; i++)
        text += arn_lens[i];
    text += group_len + by_len + 3;
    if (!block_add(&size, ncont, sizeof(ecs_container_state), _Alignof(ecs_container_state)))
        return NULL;
    at_cont = size - ncont * sizeof(ecs_container_state);
    if (!block_add(&size, nbindings, sizeof(ecs_binding), _Alignof(ecs_binding)))
        return NULL;
    at_bind = size - nbindings * sizeof(ecs_binding);
    at_text = size;
    if (!ecs_ckd_add_size(&size, size, text) || size > UINT32_MAX)
        return NULL;
    t = ecs_ctx__alloc(pl->ctx, size);
    if (t == NULL)
        return NULL;
    memset(t, 0, at_text);
    t->block_size = (uint32_t)size;
    t->cluster = c;
    t->rev = rev;
    t->containers = ncont > 0 ? (ecs_container_state *)(void *)((char *)t + at_cont) : NULL;
    for (size_t i = 0; i < ncont; i++)
        t->containers[i].last = ECS_TASK_PENDING;
    t->bindings = nbindings > 0 ? (ecs_binding *)(void *)((char *)t + at_bind) : NULL;
    t->nbindings = (uint32_t)nbindings;
    dst = (char *)t + at_text;
    dst = block_text(dst, &t->arn, arn_parts, arn_lens, sizeof arn_lens / sizeof arn_lens[0]);
    t->id.p = id_len > 0 ? (char *)t->arn.p + t->arn.len - id_len : NULL;
    t->id.len = id_len;
    dst = block_text(dst, &t->group, &group, &group_len, 1);
    (void)block_text(dst, &t->started_by, &by, &by_len, 1);
    return t;
}

ecs_status ecs_plane__task_set_az(ecs_plane *pl, ecs_task *t, const char *az, size_t len)
{
    ecs_str shared = { NULL, 0 };
    for (size_t i = 0; i < pl->nzones && len > 0; i++) {
        if (ecs_str__eq(&pl->zones[i], az, len)) {
            shared = pl->zones[i];
            break;
        }
    }
    if (shared.p == NULL && len > 0 && pl->nzones < ECS_PLANE_SHARED_ZONES) {
        if (ecs_vec__reserve(pl->ctx, (void **)&pl->zones, &pl->zones_cap, sizeof(ecs_str),
                             pl->nzones + 1) != ECS_OK ||
            ecs_str__dup(pl->ctx, &pl->zones[pl->nzones], az, len) != ECS_OK)
            return ECS_E_NOMEM;
        shared = pl->zones[pl->nzones++];
    }
    if (shared.p == NULL && len > 0) {
        ecs_str own;
        if (ecs_str__dup(pl->ctx, &own, az, len) != ECS_OK)
            return ECS_E_NOMEM;
        if (t->az_owned)
            ecs_str__free(pl->ctx, &t->az);
        t->az = own;
        t->az_owned = true;
        return ECS_OK;
    }
    if (t->az_owned)
        ecs_str__free(pl->ctx, &t->az);
    t->az = shared;
    t->az_owned = false;
    return ECS_OK;
}

const ecs_task_net ecs_plane__no_net = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 },
                                         { NULL, 0 }, 0 };

ecs_status ecs_plane__task_set_net(ecs_ctx *ctx, ecs_task *t, const ecs_str *eni_id,
                                   const ecs_str *subnet_id, const ecs_str *private_ip,
                                   const ecs_str *public_ip, const ecs_str *mac)
{
    const ecs_str *src[5] = { eni_id, subnet_id, private_ip, public_ip, mac };
    size_t size = sizeof(ecs_task_net);
    ecs_task_net *n;
    ecs_str *dst[5];
    char *at;
    for (size_t i = 0; i < 5; i++) {
        if (!ecs_ckd_add_size(&size, size, src[i]->len + 1))
            return ECS_E_NOMEM;
    }
    n = ecs_ctx__alloc(ctx, size);
    if (n == NULL)
        return ECS_E_NOMEM;
    n->block_size = size;
    dst[0] = &n->eni_id;
    dst[1] = &n->subnet_id;
    dst[2] = &n->private_ip;
    dst[3] = &n->public_ip;
    dst[4] = &n->mac;
    at = (char *)(n + 1);
    for (size_t i = 0; i < 5; i++) {
        const char *p = src[i]->p;
        at = block_text(at, dst[i], &p, &src[i]->len, 1);
    }
    if (t->net != NULL)
        ecs_ctx__release(ctx, t->net, t->net->block_size);
    t->net = n;
    return ECS_OK;
}

void ecs_plane__task_free(ecs_ctx *ctx, ecs_task *t)
{
    if (t == NULL)
        return;
    if (t->az_owned)
        ecs_str__free(ctx, &t->az);
    if (t->net != NULL)
        ecs_ctx__release(ctx, t->net, t->net->block_size);
    ecs_json_doc_free(t->overrides);
    ecs_plane__tags_free(ctx, &t->tags);
    ecs_str__free(ctx, &t->stop_text);
    ecs_str__free(ctx, &t->capacity_provider);
    for (size_t i = 0; t->containers != NULL && i < t->rev->def->ncontainers; i++) {
        ecs_str__free(ctx, &t->containers[i].reason);
        ecs_str__free(ctx, &t->containers[i].runtime_id);
    }
    ecs_ctx__release(ctx, t, t->block_size);
}

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

/* A stable 32-hex-digit id derived from a task id and a number, for the
 * task's containers and attachments (no state needed to reproduce it). */
static void derived_id(const ecs_str *task_id, unsigned salt, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t h1 = 0xcbf29ce484222325u ^ salt, h2 = 0x84222325cbf29ce4u + salt;
    size_t k = 0;
    for (size_t i = 0; i < task_id->len; i++) {
        h1 = (h1 ^ (unsigned char)task_id->p[i]) * 0x100000001b3u;
        h2 = (h2 ^ (unsigned char)task_id->p[i]) * 0x1000193u + 0x9e3779b97f4a7c15u;
    }
    for (int part = 0; part < 2; part++) {
        uint64_t v = part == 0 ? h1 : h2;
        for (int i = 0; i < 16; i++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                out[k++] = '-';
            out[k++] = hex[v & 15u];
            v >>= 4;
        }
    }
    out[k] = '\0';
}

static const char *container_image(const ecs_task *t, size_t i, size_t *len)
{
    const ecs_json_doc *doc = t->rev->def->doc;
    const ecs_json_val *defs = ecs_json_obj_get(doc, ecs_json_root(doc), "containerDefinitions", 20);
    const ecs_json_val *c = ecs_json_arr_get(defs, i);
    const char *s = ecs_json_str(doc, ecs_json_obj_get(doc, c, "image", 5), len);
    if (s == NULL) {
        *len = 0;
        return "";
    }
    return s;
}

static void write_eni_details(ecs_json_writer *w, const ecs_task *t)
{
    const ecs_task_net *n = ecs_task__net(t);
    struct { const char *name; const ecs_str *v; } d[] = {
        { "subnetId", &n->subnet_id },         { "networkInterfaceId", &n->eni_id },
        { "macAddress", &n->mac },             { "privateIPv4Address", &n->private_ip },
        { "publicIPv4Address", &n->public_ip },
    };
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        if (d[i].v->len == 0)
            continue;
        ecs_json_write_obj_begin(w);
        cstr_member(w, "name", d[i].name);
        str_member(w, "value", d[i].v);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
}

ecs_status ecs_plane__write_task(const ecs_plane *pl, ecs_json_writer *w, const ecs_task *t,
                                 uint32_t flags)
{
    const ecs_taskdef *td = t->rev->def;
    char buf[48], idbuf[37];
    ecs_json_write_obj_begin(w);
    KEY(w, "attachments");
    ecs_json_write_arr_begin(w);
    if (t->net != NULL) {
        ecs_json_write_obj_begin(w);
        derived_id(&t->id, 1000, idbuf);
        cstr_member(w, "id", idbuf);
        cstr_member(w, "type", "ElasticNetworkInterface");
        cstr_member(w, "status", t->last >= ECS_TASK_STOPPED ? "DELETED" : "PRECREATED");
        KEY(w, "details");
        write_eni_details(w, t);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    cstr_member(w, "availabilityZone", ecs_str__c(&t->az));
    if (t->capacity_provider.len > 0)
        str_member(w, "capacityProviderName", &t->capacity_provider);
    str_member(w, "clusterArn", &t->cluster->arn);
    if (t->inst != NULL)
        str_member(w, "containerInstanceArn", &t->inst->arn);
    KEY(w, "containers");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < td->ncontainers; i++) {
        const ecs_container_def *cd = &td->containers[i];
        size_t il;
        const char *image = container_image(t, i, &il);
        char arn[512];
        int n;
        derived_id(&t->id, (unsigned)i, idbuf);
        n = snprintf(arn, sizeof arn, "arn:aws:ecs:%s:%s:container/%s/%s/%s",
                     ecs_str__c(&pl->region), ecs_str__c(&pl->account), ecs_str__c(&t->cluster->name),
                     ecs_str__c(&t->id), idbuf);
        ecs_json_write_obj_begin(w);
        KEY(w, "containerArn");
        ecs_json_write_str(w, arn, n > 0 && (size_t)n < sizeof arn ? (size_t)n : 0);
        str_member(w, "taskArn", &t->arn);
        str_member(w, "name", &cd->name);
        KEY(w, "image");
        ecs_json_write_str(w, image, il);
        cstr_member(w, "lastStatus", ecs_plane__task_status_name(t->containers[i].last));
        if (t->containers[i].has_exit) {
            KEY(w, "exitCode");
            ecs_json_write_int(w, t->containers[i].exit_code);
        }
        if (t->containers[i].reason.len > 0)
            str_member(w, "reason", &t->containers[i].reason);
        if (t->containers[i].runtime_id.len > 0)
            str_member(w, "runtimeId", &t->containers[i].runtime_id);
        if (cd->health_check)
            cstr_member(w, "healthStatus", ecs_plane__health_name(t->containers[i].health));
        KEY(w, "networkBindings");
        ecs_json_write_arr_begin(w);
        for (size_t b = 0; b < t->nbindings; b++) {
            if (t->bindings[b].container != i)
                continue;
            ecs_json_write_obj_begin(w);
            cstr_member(w, "bindIP", "0.0.0.0");
            KEY(w, "containerPort");
            ecs_json_write_int(w, t->bindings[b].container_port);
            KEY(w, "hostPort");
            ecs_json_write_int(w, t->bindings[b].host_port);
            cstr_member(w, "protocol", t->bindings[b].udp ? "udp" : "tcp");
            ecs_json_write_obj_end(w);
        }
        ecs_json_write_arr_end(w);
        KEY(w, "networkInterfaces");
        ecs_json_write_arr_begin(w);
        if (t->net != NULL) {
            ecs_json_write_obj_begin(w);
            derived_id(&t->id, 1000, idbuf);
            cstr_member(w, "attachmentId", idbuf);
            str_member(w, "privateIpv4Address", &t->net->private_ip);
            ecs_json_write_obj_end(w);
        }
        ecs_json_write_arr_end(w);
        snprintf(buf, sizeof buf, "%u", (unsigned)cd->cpu);
        cstr_member(w, "cpu", buf);
        if (cd->memory_mib > 0) {
            snprintf(buf, sizeof buf, "%u", (unsigned)cd->memory_mib);
            cstr_member(w, "memory", buf);
        }
        if (cd->memory_reservation_mib > 0) {
            snprintf(buf, sizeof buf, "%u", (unsigned)cd->memory_reservation_mib);
            cstr_member(w, "memoryReservation", buf);
        }
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    cstr_member(w, "connectivity", t->last == ECS_TASK_STOPPED ? "DISCONNECTED" : "CONNECTED");
    KEY(w, "connectivityAt");
    ecs_plane__write_time(w, t->created_at_ms);
    snprintf(buf, sizeof buf, "%u", (unsigned)t->cpu);
    cstr_member(w, "cpu", buf);
    KEY(w, "createdAt");
    ecs_plane__write_time(w, t->created_at_ms);
    cstr_member(w, "desiredStatus", ecs_plane__task_status_name(t->desired));
    KEY(w, "enableExecuteCommand");
    ecs_json_write_bool(w, false);
    if (t->execution_stopped_ms != 0) {
        KEY(w, "executionStoppedAt");
        ecs_plane__write_time(w, t->execution_stopped_ms);
    }
    str_member(w, "group", &t->group);
    cstr_member(w, "healthStatus", ecs_plane__health_name(t->health));
    cstr_member(w, "lastStatus", ecs_plane__task_status_name(t->last));
    cstr_member(w, "launchType", ecs_plane__launch_type_name(t->launch_type));
    snprintf(buf, sizeof buf, "%u", (unsigned)t->memory_mib);
    cstr_member(w, "memory", buf);
    KEY(w, "overrides");
    if (t->overrides != NULL) {
        ecs_json_write_val(w, t->overrides, ecs_json_root(t->overrides));
    } else {
        ecs_json_write_obj_begin(w);
        KEY(w, "containerOverrides");
        ecs_json_write_arr_begin(w);
        ecs_json_write_arr_end(w);
        KEY(w, "inferenceAcceleratorOverrides");
        ecs_json_write_arr_begin(w);
        ecs_json_write_arr_end(w);
        ecs_json_write_obj_end(w);
    }
    if (t->launch_type == ECS_LAUNCH_FARGATE) {
        cstr_member(w, "platformVersion", "1.4.0");
        cstr_member(w, "platformFamily", "Linux");
    }
    if (t->pull_started_ms != 0) {
        KEY(w, "pullStartedAt");
        ecs_plane__write_time(w, t->pull_started_ms);
    }
    if (t->pull_stopped_ms != 0) {
        KEY(w, "pullStoppedAt");
        ecs_plane__write_time(w, t->pull_stopped_ms);
    }
    if (t->started_ms != 0) {
        KEY(w, "startedAt");
        ecs_plane__write_time(w, t->started_ms);
    }
    if (t->started_by.len > 0)
        str_member(w, "startedBy", &t->started_by);
    if (t->stop_code != ECS_STOP_NONE)
        cstr_member(w, "stopCode", ecs_plane__stop_code_name(t->stop_code));
    if (t->stopped_ms != 0) {
        KEY(w, "stoppedAt");
        ecs_plane__write_time(w, t->stopped_ms);
    }
    {
        char reason[320];
        const char *why = ecs_plane__stop_reason(t, reason, sizeof reason);
        if (why != NULL)
            cstr_member(w, "stoppedReason", why);
    }
    if (t->stopping_ms != 0) {
        KEY(w, "stoppingAt");
        ecs_plane__write_time(w, t->stopping_ms);
    }
    if ((flags & ECS_WRITE_TAGS) && t->tags.n > 0) {
        KEY(w, "tags");
        ecs_plane__write_tags(w, &t->tags);
    }
    str_member(w, "taskArn", &t->arn);
    str_member(w, "taskDefinitionArn", &t->rev->arn);
    KEY(w, "version");
    ecs_json_write_int(w, t->version);
    return ecs_json_write_obj_end(w);
}

uint32_t ecs_plane__eni_slots(const ecs_instance *inst)
{
    return eni_slots_for(&inst->instance_type);
}

static uint32_t eni_slots_for(const ecs_str *itype)
{
    const char *s = ecs_str__c(itype), *dot = strrchr(s, '.');
    const char *size = dot != NULL ? dot + 1 : "";
    if (strcmp(size, "nano") == 0 || strcmp(size, "micro") == 0)
        return 1;
    if (strcmp(size, "small") == 0 || strcmp(size, "medium") == 0 || strcmp(size, "large") == 0)
        return 2;
    if (strcmp(size, "xlarge") == 0 || strcmp(size, "2xlarge") == 0)
        return 3;
    if (strstr(size, "xlarge") != NULL || strcmp(size, "metal") == 0)
        return 7;
    return 2;
}

static void instance_view(const ecs_instance *inst, ecs_place_instance *v)
{
    v->id = inst->arn.p;
    v->id_len = inst->arn.len;
    v->ec2_instance_id = inst->ec2_instance_id.p;
    v->ec2_instance_id_len = inst->ec2_instance_id.len;
    v->agent_version = inst->agent_version.p;
    v->agent_version_len = inst->agent_version.len;
    v->registered_at_ms = inst->registered_at_ms;
    v->active = inst->status == ECS_INST_ACTIVE;
    v->agent_connected = inst->agent_connected;
    v->cpu = (uint32_t)(inst->cpu_total > UINT32_MAX ? UINT32_MAX : inst->cpu_total);
    v->memory_mib = (uint32_t)(inst->mem_total > UINT32_MAX ? UINT32_MAX : inst->mem_total);
    v->gpus = (uint32_t)inst->ngpus;
    v->eni_slots = eni_slots_for(&inst->instance_type);
    v->reserved_tcp = inst->ports_tcp;
    v->nreserved_tcp = inst->nports_tcp;
    v->reserved_udp = inst->ports_udp;
    v->nreserved_udp = inst->nports_udp;
}

/* Add one instance with all its attributes to engine e. */
static ecs_status engine_add(ecs_place *e, const ecs_instance *inst)
{
    ecs_place_instance v = ECS_PLACE_INSTANCE_INIT;
    ecs_status rc;
    instance_view(inst, &v);
    if ((rc = ecs_place_set_instance(e, &v)) != ECS_OK)
        return rc;
    for (size_t i = 0; i < inst->nattrs; i++) {
        const ecs_attr *a = &inst->attrs[i];
        rc = ecs_place_set_attribute(e, inst->arn.p, inst->arn.len, a->name.p, a->name.len,
                                     a->value.p, a->value.len);
        if (rc != ECS_OK)
            return rc;
    }
    return ECS_OK;
}

void ecs_plane__engine_put_instance(ecs_plane *pl, ecs_cluster *c, const ecs_instance *inst)
{
    ecs_place_instance v = ECS_PLACE_INSTANCE_INIT;
    uint32_t a, b, g, e, n;
    (void)pl;
    if (c->engine == NULL || c->engine_stale) {
        c->engine_stale = true; /* built on the next placement */
        return;
    }
    if (ecs_place_remaining(c->engine, inst->arn.p, inst->arn.len, &a, &b, &g, &e, &n) != ECS_OK) {
        if (engine_add(c->engine, inst) != ECS_OK)
            c->engine_stale = true;
        return;
    }
    instance_view(inst, &v);
    if (ecs_place_set_instance(c->engine, &v) != ECS_OK)
        c->engine_stale = true;
}

void ecs_plane__engine_put_attribute(ecs_cluster *c, const ecs_instance *inst, const ecs_attr *a)
{
    if (c->engine == NULL || c->engine_stale)
        return;
    if (ecs_place_set_attribute(c->engine, inst->arn.p, inst->arn.len, a->name.p, a->name.len,
                                a->value.p, a->value.len) != ECS_OK)
        c->engine_stale = true;
}

void ecs_plane__engine_unset_attribute(ecs_cluster *c, const ecs_instance *inst, const ecs_str *name)
{
    if (c->engine == NULL || c->engine_stale)
        return;
    if (ecs_place_unset_attribute(c->engine, inst->arn.p, inst->arn.len, name->p, name->len) != ECS_OK)
        c->engine_stale = true;
}

ecs_status ecs_plane__engine_sync(ecs_plane *pl, ecs_cluster *c)
{
    ecs_place_options o = ECS_PLACE_OPTIONS_INIT;
    ecs_place *e = NULL;
    ecs_status rc;
    if (c->engine != NULL && !c->engine_stale)
        return ECS_OK;
    /* each cluster's ties fall by its own seed, derived from the plane's
     * seed and the cluster's name (not from the generator, so a rebuild
     * does not change the ids the plane hands out) */
    o.seed = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < c->name.len; i++)
        o.seed = (o.seed ^ (unsigned char)c->name.p[i]) * 0x100000001b3u;
    o.seed ^= pl->seed;
    if ((rc = ecs_place_new(pl->ctx, &o, &e)) != ECS_OK)
        return rc;
    for (size_t i = 0; i < c->ninstances; i++) {
        if ((rc = engine_add(e, c->instances[i])) != ECS_OK)
            goto fail;
    }
    for (size_t i = 0; i < c->ntasks; i++) {
        const ecs_task *t = c->tasks[i];
        ecs_place_need need;
        ecs_place_port ports[100];
        char group_buf[320];
        size_t np = t->nbindings < 100 ? t->nbindings : 100;
        if (t->inst == NULL || t->last == ECS_TASK_STOPPED)
            continue;
        memset(&need, 0, sizeof need);
        need.cpu = t->cpu;
        need.memory_mib = t->memory_mib;
        need.eni = t->net != NULL;
        for (size_t p = 0; p < np; p++) {
            ports[p].port = t->bindings[p].host_port;
            ports[p].udp = t->bindings[p].udp;
            ports[p].dynamic = t->bindings[p].dynamic;
        }
        need.ports = ports;
        need.nports = np;
        need.group = ecs_plane__engine_group(t->svc, t->dep_seq, t->group.p, t->group.len, group_buf,
                                             &need.group_len);
        for (size_t k = 0; k < t->rev->def->ncontainers; k++)
            need.gpus += t->rev->def->containers[k].gpus;
        rc = ecs_place_add_task(e, t->id.p, t->id.len, t->inst->arn.p, t->inst->arn.len, &need, NULL);
        if (rc != ECS_OK)
            goto fail;
    }
    ecs_place_free(c->engine);
    c->engine = e;
    c->engine_stale = false;
    return ECS_OK;
fail:
    ecs_place_free(e);
    return rc;
}

ecs_subnet *ecs_plane__subnet(const ecs_plane *pl, const char *id, size_t len)
{
    for (size_t i = 0; i < pl->nsubnets; i++) {
        if (ecs_str__eq(&pl->subnets[i].id, id, len))
            return &pl->subnets[i];
    }
    return NULL;
}
