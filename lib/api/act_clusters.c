/*
 * CreateCluster, DescribeClusters, ListClusters, DeleteCluster.
 *
 * Choices where ECS's documentation is silent, least surprising first:
 * CreateCluster with the name of an ACTIVE cluster returns that cluster
 * unchanged (ECS is idempotent here); with the name of a deleted (INACTIVE)
 * one it creates a new cluster, and the INACTIVE one stays describable by
 * ARN until then. ListClusters lists ACTIVE clusters by ARN.
 * DescribeClusters returns `statistics`, `tags` and `settings` only when
 * asked with include (STATISTICS, TAGS, SETTINGS), as ECS does; CreateCluster
 * answers with tags and settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/req.h"

static uint32_t include_flags(ecs_req *r)
{
    const ecs_json_val *inc = ecs_req__member(r, r->root, "include");
    uint32_t flags = 0;
    for (const ecs_json_val *v = ecs_json_first(inc); v != NULL; v = ecs_json_next(inc, v)) {
        size_t n = 0;
        const char *s = ecs_json_str(r->doc, v, &n);
        if (s == NULL)
            continue;
        if (n == 4 && memcmp(s, "TAGS", 4) == 0)
            flags |= ECS_WRITE_TAGS;
        else if (n == 8 && memcmp(s, "SETTINGS", 8) == 0)
            flags |= ECS_WRITE_SETTINGS;
        else if (n == 10 && memcmp(s, "STATISTICS", 10) == 0)
            flags |= ECS_WRITE_STATISTICS;
    }
    return flags;
}

static ecs_status parse_settings(ecs_req *r, bool *insights)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "settings");
    size_t i = 0;
    *insights = false;
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t nl = 0, vl = 0;
        const char *name = ecs_req__str(r, s, "name", &nl);
        const char *value = ecs_req__str(r, s, "value", &vl);
        if (name == NULL || nl != 17 || memcmp(name, "containerInsights", 17) != 0)
            return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                                 "settings[%zu].name: the only cluster setting is containerInsights.",
                                 i);
        if (value == NULL || !((vl == 7 && memcmp(value, "enabled", 7) == 0) ||
                               (vl == 8 && memcmp(value, "disabled", 8) == 0) ||
                               (vl == 8 && memcmp(value, "enhanced", 8) == 0)))
            return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                                 "settings[%zu].value: containerInsights is enabled, enhanced or "
                                 "disabled.",
                                 i);
        *insights = value[0] == 'e';
    }
    return ECS_OK;
}

ecs_status ecs_act__create_cluster(ecs_req *r)
{
    ecs_plane *pl = r->pl;
    size_t nl = 0;
    const char *name = ecs_req__str(r, r->root, "clusterName", &nl);
    ecs_cluster *c, *existing;
    ecs_tags tags;
    bool insights;
    ecs_status rc;

    if (name == NULL) {
        name = "default";
        nl = 7;
    }
    if (!ecs_req__valid_name(name, nl))
        return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                             "clusterName: up to 255 letters (uppercase and lowercase), numbers, "
                             "underscores, and hyphens are allowed.");
    if ((rc = parse_settings(r, &insights)) != ECS_OK)
        return rc;
    existing = ecs_plane__cluster_by_ref(pl, name, nl);
    if (existing != NULL && existing->active) {
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "cluster", 7);
        ecs_plane__write_cluster(r->w, existing, ECS_WRITE_TAGS | ECS_WRITE_SETTINGS);
        return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
    }
    if (pl->nclusters >= ECS_MAX_CLUSTERS)
        return ecs_api__fail(r->err, ECS_E_LIMIT, ECS_ERR_LIMIT_EXCEEDED,
                             "You have reached the limit of %u clusters.", ECS_MAX_CLUSTERS);
    if ((rc = ecs_req__tags(r, ecs_req__member(r, r->root, "tags"), "tags", &tags)) != ECS_OK)
        return rc;
    c = ecs_ctx__alloc(r->ctx, sizeof *c);
    if (c == NULL) {
        ecs_plane__tags_free(r->ctx, &tags);
        return ecs_req__nomem(r);
    }
    memset(c, 0, sizeof *c);
    c->tags = tags;
    c->active = true;
    c->container_insights = insights;
    if (ecs_str__dup(r->ctx, &c->name, name, nl) != ECS_OK ||
        ecs_str__fmt(r->ctx, &c->arn, "arn:aws:ecs:%s:%s:cluster/%.*s", ecs_str__c(&pl->region),
                     ecs_str__c(&pl->account), (int)nl, name) != ECS_OK ||
        ecs_vec__reserve(r->ctx, (void **)&pl->clusters, &pl->clusters_cap, sizeof(ecs_cluster *),
                         pl->nclusters + 1) != ECS_OK) {
        ecs_plane__cluster_free(r->ctx, c);
        return ecs_req__nomem(r);
    }
    {
        ecs_str *oc;
        ecs_cp_item *oi;
        size_t on, oni;
        if ((rc = ecs_req__cluster_providers(r, c, &oc, &on, &oi, &oni)) != ECS_OK) {
            ecs_plane__cluster_free(r->ctx, c);
            return rc;
        }
    }
    /* write the answer first: once it is complete the change cannot fail */
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "cluster", 7);
    ecs_plane__write_cluster(r->w, c, ECS_WRITE_TAGS | ECS_WRITE_SETTINGS);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        ecs_plane__cluster_free(r->ctx, c);
        return ecs_req__nomem(r);
    }
    pl->clusters[pl->nclusters++] = c;
    return ECS_OK;
}

ecs_status ecs_act__describe_clusters(ecs_req *r)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "clusters");
    uint32_t flags = include_flags(r);
    ecs_json_writer *w = r->w;
    static const char dflt[] = "default";

    if (ecs_json_len(list) > 100)
        return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                             "clusters: at most 100 clusters per call.");
    ecs_json_write_obj_begin(w);
    ecs_json_write_key(w, "clusters", 8);
    ecs_json_write_arr_begin(w);
    if (list == NULL || ecs_json_len(list) == 0) {
        const ecs_cluster *c = ecs_plane__cluster_by_ref(r->pl, dflt, sizeof dflt - 1);
        if (c != NULL)
            ecs_plane__write_cluster(w, c, flags);
    } else {
        for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
            size_t n = 0;
            const char *ref = ecs_json_str(r->doc, v, &n);
            const ecs_cluster *c = ecs_plane__cluster_by_ref(r->pl, ref, n);
            if (c != NULL)
                ecs_plane__write_cluster(w, c, flags);
        }
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_key(w, "failures", 8);
    ecs_json_write_arr_begin(w);
    if ((list == NULL || ecs_json_len(list) == 0) &&
        ecs_plane__cluster_by_ref(r->pl, dflt, sizeof dflt - 1) == NULL) {
        ecs_str arn;
        if (ecs_str__fmt(r->ctx, &arn, "arn:aws:ecs:%s:%s:cluster/default",
                         ecs_str__c(&r->pl->region), ecs_str__c(&r->pl->account)) != ECS_OK)
            return ecs_req__nomem(r);
        ecs_json_write_obj_begin(w);
        ecs_json_write_key(w, "arn", 3);
        ecs_json_write_str(w, ecs_str__c(&arn), arn.len);
        ecs_json_write_key(w, "reason", 6);
        ecs_json_write_str(w, "MISSING", 7);
        ecs_json_write_obj_end(w);
        ecs_str__free(r->ctx, &arn);
    }
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        if (ecs_plane__cluster_by_ref(r->pl, ref, n) != NULL)
            continue;
        ecs_json_write_obj_begin(w);
        ecs_json_write_key(w, "arn", 3);
        if (n >= 4 && memcmp(ref, "arn:", 4) == 0) {
            ecs_json_write_str(w, ref, n);
        } else {
            ecs_str arn;
            if (ecs_str__fmt(r->ctx, &arn, "arn:aws:ecs:%s:%s:cluster/%.*s",
                             ecs_str__c(&r->pl->region), ecs_str__c(&r->pl->account), (int)n,
                             ref) != ECS_OK)
                return ecs_req__nomem(r);
            ecs_json_write_str(w, ecs_str__c(&arn), arn.len);
            ecs_str__free(r->ctx, &arn);
        }
        ecs_json_write_key(w, "reason", 6);
        ecs_json_write_str(w, "MISSING", 7);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    return ecs_json_write_obj_end(w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

static int cmp_cluster_arn(const void *a, const void *b)
{
    const ecs_cluster *x = *(const ecs_cluster *const *)a, *y = *(const ecs_cluster *const *)b;
    return ecs_str__cmp(&x->arn, &y->arn);
}

ecs_status ecs_act__list_clusters(ecs_req *r)
{
    ecs_plane *pl = r->pl;
    char key[ECS_TOKEN_KEY_MAX];
    size_t max, key_len, n = 0, emitted = 0, bytes;
    bool has_key;
    const ecs_cluster **sorted;
    ecs_status rc;

    if ((rc = ecs_req__page(r, 100, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    bytes = (pl->nclusters + 1) * sizeof *sorted;
    sorted = ecs_ctx__alloc(r->ctx, bytes);
    if (sorted == NULL)
        return ecs_req__nomem(r);
    for (size_t i = 0; i < pl->nclusters; i++) {
        if (pl->clusters[i]->active)
            sorted[n++] = pl->clusters[i];
    }
    qsort(sorted, n, sizeof *sorted, cmp_cluster_arn);
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "clusterArns", 11);
    ecs_json_write_arr_begin(r->w);
    {
        ecs_str k;
        size_t i = 0;
        k.p = key;
        k.len = key_len;
        while (has_key && i < n && ecs_str__cmp(&sorted[i]->arn, &k) <= 0)
            i++;
        for (; i < n && emitted < max; i++, emitted++)
            ecs_json_write_str(r->w, ecs_str__c(&sorted[i]->arn), sorted[i]->arn.len);
        ecs_json_write_arr_end(r->w);
        if (i < n)
            ecs_req__write_token(r, sorted[i - 1]->arn.p, sorted[i - 1]->arn.len);
    }
    ecs_ctx__release(r->ctx, sorted, bytes);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__delete_cluster(ecs_req *r)
{
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "cluster", &n);
    ecs_cluster *c = ecs_plane__cluster_by_ref(r->pl, ref, n);
    if (c == NULL || !c->active)
        return ecs_api__fail(r->err, ECS_E_NOT_FOUND, ECS_ERR_CLUSTER_NOT_FOUND,
                             "Cluster not found: '%.*s'.", (int)(n > 300 ? 300 : n), ref);
    if (c->registered_instances > 0)
        return ecs_api__fail(r->err, ECS_E_CONFLICT, "ClusterContainsContainerInstancesException",
                             "The Cluster cannot be deleted while Container Instances are active "
                             "or draining (%u registered).",
                             c->registered_instances);
    if (c->active_services > 0)
        return ecs_api__fail(r->err, ECS_E_CONFLICT, "ClusterContainsServicesException",
                             "The Cluster cannot be deleted while Services are active.");
    for (size_t i = 0; i < c->ntasks; i++) {
        if (c->tasks[i]->last != ECS_TASK_STOPPED)
            return ecs_api__fail(r->err, ECS_E_CONFLICT, "ClusterContainsTasksException",
                                 "The Cluster cannot be deleted while Tasks are active.");
    }
    c->active = false;
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "cluster", 7);
    ecs_plane__write_cluster(r->w, c, 0);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        c->active = true; /* undo */
        return ecs_req__nomem(r);
    }
    return ECS_OK;
}
