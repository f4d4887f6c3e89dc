/*
 * The plane's lifecycle, clock, typed readers and whole-state dump. The
 * action handlers that change the state live in lib/api/.
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

static bool valid_region(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static bool valid_account(const char *s)
{
    if (strlen(s) != 12)
        return false;
    for (size_t i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

#define OPT_HAS(opts, member) \
    ((opts)->struct_size >= offsetof(ecs_plane_options, member) + sizeof((opts)->member))

ecs_status ecs_plane_new(ecs_ctx *ctx, const ecs_plane_options *opts, ecs_plane **out)
{
    const char *region = "us-east-1", *account = "123456789012";
    uint64_t seed = 0;
    uint32_t flags = 0;
    int64_t start = ECS_PLANE_DEFAULT_START_MS;
    uint32_t max_instances = ECS_MAX_INSTANCES_PER_CLUSTER;
    ecs_plane *pl;
    ecs_status rc;

    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_plane_new: out is NULL");
    if (opts != NULL) {
        if (opts->struct_size < sizeof(uint32_t))
            return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_plane_new: struct_size is not set");
        if (OPT_HAS(opts, flags))
            flags = opts->flags;
        if (OPT_HAS(opts, seed))
            seed = opts->seed;
        if (OPT_HAS(opts, region) && opts->region != NULL)
            region = opts->region;
        if (OPT_HAS(opts, account_id) && opts->account_id != NULL)
            account = opts->account_id;
        if (OPT_HAS(opts, start_ms) && opts->start_ms != 0)
            start = opts->start_ms;
        if (OPT_HAS(opts, max_instances_per_cluster) && opts->max_instances_per_cluster != 0)
            max_instances = opts->max_instances_per_cluster;
    }
    if ((flags & ~(ECS_PLANE_F_LENIENT_TASKDEF | ECS_PLANE_F_SIMULATED_AGENTS)) != 0)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_plane_new: unknown flag 0x%x",
                             (unsigned)flags);
    if (!valid_region(region))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG,
                             "ecs_plane_new: region '%.40s' is not a region name (a-z, 0-9, '-')",
                             region);
    if (!valid_account(account))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG,
                             "ecs_plane_new: account id '%.40s' is not twelve digits", account);
    if (start < 0)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_plane_new: start_ms is negative");

    pl = ecs_ctx__alloc(ctx, sizeof *pl);
    if (pl == NULL)
        return ECS_E_NOMEM;
    memset(pl, 0, sizeof *pl);
    pl->ctx = ctx;
    pl->flags = flags;
    pl->now_ms = start;
    pl->err_code = "";
    pl->seed = seed;
    pl->max_instances = max_instances;
    ecs_rng_seed(&pl->rng, seed);
    if ((rc = ecs_str__dup(ctx, &pl->region, region, strlen(region))) != ECS_OK ||
        (rc = ecs_str__dup(ctx, &pl->account, account, strlen(account))) != ECS_OK ||
        (rc = ecs_json_writer_new(ctx, 0, &pl->w)) != ECS_OK) {
        ecs_plane_free(pl);
        return rc;
    }
    *out = pl;
    return ECS_OK;
}

void ecs_plane_free(ecs_plane *pl)
{
    ecs_ctx *ctx;
    if (pl == NULL)
        return;
    ctx = pl->ctx;
    for (size_t i = 0; i < pl->nclusters; i++)
        ecs_plane__cluster_free(ctx, pl->clusters[i]);
    ecs_vec__free(ctx, pl->clusters, pl->clusters_cap, sizeof(ecs_cluster *));
    for (size_t i = 0; i < pl->nfamilies; i++)
        ecs_plane__family_free(ctx, pl->families[i]);
    ecs_vec__free(ctx, pl->families, pl->families_cap, sizeof(ecs_family *));
    for (size_t i = 0; i < pl->nsubnets; i++) {
        ecs_str__free(ctx, &pl->subnets[i].id);
        ecs_str__free(ctx, &pl->subnets[i].az);
    }
    ecs_vec__free(ctx, pl->subnets, pl->subnets_cap, sizeof(ecs_subnet));
    for (size_t i = 0; i < pl->nzones; i++)
        ecs_str__free(ctx, &pl->zones[i]);
    ecs_vec__free(ctx, pl->zones, pl->zones_cap, sizeof(ecs_str));
    ecs_str__free(ctx, &pl->region);
    ecs_str__free(ctx, &pl->account);
    ecs_json_writer_free(pl->w);
    ecs_json_writer_free(pl->dump_w);
    ecs_vec__free(ctx, pl->orders, pl->orders_cap, sizeof *pl->orders);
    for (size_t i = 0; i < pl->nproviders; i++)
        ecs_plane__provider_free(ctx, pl->providers[i]);
    ecs_vec__free(ctx, pl->providers, pl->providers_cap, sizeof *pl->providers);
    for (size_t i = 0; i < pl->ntarget_groups; i++)
        ecs_str__free(ctx, &pl->target_groups[i].arn);
    ecs_vec__free(ctx, pl->target_groups, pl->target_groups_cap, sizeof *pl->target_groups);
    for (size_t i = 0; i < pl->nalarms; i++)
        ecs_str__free(ctx, &pl->alarms[i].name);
    ecs_vec__free(ctx, pl->alarms, pl->alarms_cap, sizeof *pl->alarms);
    ecs_ctx__release(ctx, pl, sizeof *pl);
}

const char *ecs_plane_error_code(const ecs_plane *pl)
{
    return pl == NULL ? "" : pl->err_code;
}

int64_t ecs_plane_now_ms(const ecs_plane *pl)
{
    return pl == NULL ? 0 : pl->now_ms;
}

void ecs_plane__purge_deleted(ecs_plane *pl)
{
    /* A DELETE_IN_PROGRESS revision is purged at the first time step at
     * which no task holds it. Families keep their revision counter. */
    for (size_t i = 0; i < pl->nfamilies; i++) {
        ecs_family *f = pl->families[i];
        size_t k = 0;
        for (size_t j = 0; j < f->nrevs; j++) {
            if (f->revs[j]->status == ECS_TD_DELETE_IN_PROGRESS && f->revs[j]->refs == 0)
                ecs_plane__revision_free(pl->ctx, f->revs[j]);
            else
                f->revs[k++] = f->revs[j];
        }
        f->nrevs = k;
    }
}

ecs_status ecs_plane_dump(ecs_plane *pl, const char **out, size_t *out_len)
{
    ecs_json_writer *w;
    ecs_status rc;
    if (pl == NULL || out == NULL)
        return pl == NULL ? ECS_E_INVALID_ARG
                          : ecs_ctx__fail(pl->ctx, ECS_E_INVALID_ARG, "ecs_plane_dump: out is NULL");
    if (pl->dump_w == NULL && (rc = ecs_json_writer_new(pl->ctx, 0, &pl->dump_w)) != ECS_OK)
        return rc;
    w = pl->dump_w;
    ecs_json_writer_reset(w);
    ecs_json_write_obj_begin(w);
    ecs_json_write_key(w, "nowMs", 5);
    ecs_json_write_int(w, pl->now_ms);
    ecs_json_write_key(w, "clusters", 8);
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nclusters; i++) {
        const ecs_cluster *c = pl->clusters[i];
        ecs_json_write_obj_begin(w);
        ecs_json_write_key(w, "cluster", 7);
        ecs_plane__write_cluster(w, c, ECS_WRITE_TAGS | ECS_WRITE_SETTINGS);
        ecs_json_write_key(w, "containerInstances", 18);
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < c->ninstances; j++)
            ecs_plane__write_instance(pl, w, c->instances[j], ECS_WRITE_TAGS);
        ecs_json_write_arr_end(w);
        ecs_json_write_key(w, "tasks", 5);
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < c->ntasks; j++)
            ecs_plane__write_task(pl, w, c->tasks[j], ECS_WRITE_TAGS);
        ecs_json_write_arr_end(w);
        ecs_json_write_key(w, "clientTokens", 12);
        ecs_json_write_int(w, (int64_t)c->ntokens);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_key(w, "taskDefinitionFamilies", 22);
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nfamilies; i++) {
        const ecs_family *f = pl->families[i];
        ecs_json_write_obj_begin(w);
        ecs_json_write_key(w, "family", 6);
        ecs_json_write_str(w, ecs_str__c(&f->name), f->name.len);
        ecs_json_write_key(w, "lastRevision", 12);
        ecs_json_write_int(w, f->last_revision);
        ecs_json_write_key(w, "revisions", 9);
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < f->nrevs; j++) {
            ecs_json_write_obj_begin(w);
            ecs_json_write_key(w, "taskDefinition", 14);
            ecs_plane__write_revision(pl, w, f, f->revs[j]);
            ecs_json_write_key(w, "tags", 4);
            ecs_plane__write_tags(w, &f->revs[j]->tags);
            ecs_json_write_obj_end(w);
        }
        ecs_json_write_arr_end(w);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_key(w, "subnets", 7);
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nsubnets; i++) {
        ecs_json_write_obj_begin(w);
        ecs_json_write_key(w, "subnetId", 8);
        ecs_json_write_str(w, ecs_str__c(&pl->subnets[i].id), pl->subnets[i].id.len);
        ecs_json_write_key(w, "availabilityZone", 16);
        ecs_json_write_str(w, ecs_str__c(&pl->subnets[i].az), pl->subnets[i].az.len);
        ecs_json_write_key(w, "nextHost", 8);
        ecs_json_write_int(w, pl->subnets[i].next_host);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_key(w, "fargateLimit", 12);
    ecs_json_write_int(w, pl->fargate_limit);
    ecs_json_write_obj_end(w);
    return ecs_json_writer_result(w, out, out_len);
}

size_t ecs_plane_cluster_count(const ecs_plane *pl)
{
    return pl == NULL ? 0 : pl->nclusters;
}

ecs_status ecs_plane_cluster_info(const ecs_plane *pl, size_t index, ecs_cluster_info *out)
{
    const ecs_cluster *c;
    if (pl == NULL || out == NULL || index >= pl->nclusters)
        return ECS_E_INVALID_ARG;
    c = pl->clusters[index];
    out->name = ecs_str__c(&c->name);
    out->arn = ecs_str__c(&c->arn);
    out->status = c->active ? "ACTIVE" : "INACTIVE";
    out->registered_instances = c->registered_instances;
    out->running_tasks = c->running_tasks;
    out->pending_tasks = c->pending_tasks;
    out->active_services = c->active_services;
    return ECS_OK;
}

ecs_status ecs_plane_find_cluster(const ecs_plane *pl, const char *ref, size_t ref_len,
                                  size_t *out_index)
{
    const ecs_cluster *c;
    if (pl == NULL || out_index == NULL || (ref == NULL && ref_len != 0))
        return ECS_E_INVALID_ARG;
    c = ecs_plane__cluster_by_ref(pl, ref, ref_len);
    if (c == NULL)
        return ECS_E_NOT_FOUND;
    for (size_t i = 0; i < pl->nclusters; i++) {
        if (pl->clusters[i] == c) {
            *out_index = i;
            return ECS_OK;
        }
    }
    return ECS_E_NOT_FOUND;
}

size_t ecs_plane_instance_count(const ecs_plane *pl, size_t cluster_index)
{
    if (pl == NULL || cluster_index >= pl->nclusters)
        return 0;
    return pl->clusters[cluster_index]->ninstances;
}

static const ecs_instance *instance_at(const ecs_plane *pl, size_t ci, size_t ii)
{
    if (pl == NULL || ci >= pl->nclusters || ii >= pl->clusters[ci]->ninstances)
        return NULL;
    return pl->clusters[ci]->instances[ii];
}

ecs_status ecs_plane_instance_info(const ecs_plane *pl, size_t cluster_index, size_t index,
                                   ecs_instance_info *out)
{
    const ecs_instance *in = instance_at(pl, cluster_index, index);
    if (in == NULL || out == NULL)
        return ECS_E_INVALID_ARG;
    out->arn = ecs_str__c(&in->arn);
    out->id = ecs_str__c(&in->id);
    out->ec2_instance_id = ecs_str__c(&in->ec2_instance_id);
    out->availability_zone = ecs_str__c(&in->availability_zone);
    out->instance_type = ecs_str__c(&in->instance_type);
    out->status = ecs_plane__instance_status_name(in->status);
    out->agent_connected = in->agent_connected;
    out->cpu_registered = in->cpu_total;
    out->cpu_remaining = in->cpu_remaining;
    out->memory_registered = in->mem_total;
    out->memory_remaining = in->mem_remaining;
    out->running_tasks = in->running_tasks;
    out->pending_tasks = in->pending_tasks;
    out->attribute_count = in->nattrs;
    return ECS_OK;
}

ecs_status ecs_plane_instance_attribute(const ecs_plane *pl, size_t cluster_index, size_t index,
                                        size_t attr_index, const char **out_name,
                                        const char **out_value)
{
    const ecs_instance *in = instance_at(pl, cluster_index, index);
    if (in == NULL || attr_index >= in->nattrs || out_name == NULL || out_value == NULL)
        return ECS_E_INVALID_ARG;
    *out_name = ecs_str__c(&in->attrs[attr_index].name);
    *out_value = in->attrs[attr_index].value.len > 0 ? in->attrs[attr_index].value.p : NULL;
    return ECS_OK;
}

ecs_status ecs_plane_find_taskdef(const ecs_plane *pl, const char *ref, size_t ref_len,
                                  ecs_taskdef_info *out)
{
    ecs_family *f = NULL;
    const ecs_revision *r;
    if (pl == NULL || out == NULL || (ref == NULL && ref_len != 0))
        return ECS_E_INVALID_ARG;
    r = ecs_plane__taskdef_by_ref(pl, ref, ref_len, &f);
    if (r == NULL)
        return ECS_E_NOT_FOUND;
    out->family = ecs_str__c(&f->name);
    out->arn = ecs_str__c(&r->arn);
    out->status = ecs_plane__td_status_name(r->status);
    out->network_mode = ecs_plane__network_mode_name(r->def->network_mode);
    out->revision = r->revision;
    out->cpu_units = ecs_taskdef__reserved_cpu(r->def);
    out->memory_mib = ecs_taskdef__reserved_memory(r->def);
    out->container_count = r->def->ncontainers;
    return ECS_OK;
}
