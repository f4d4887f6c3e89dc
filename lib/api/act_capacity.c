/*
 * Capacity providers: CreateCapacityProvider, DescribeCapacityProviders,
 * DeleteCapacityProvider, PutClusterCapacityProviders (and CreateCluster's
 * capacityProviders members), and the decoding of capacityProviderStrategy
 * that RunTask, CreateService and UpdateService share.
 *
 * Rules (spec 5): a strategy has 1 to 20 items, bases 0..100,000 (at most
 * one item with a base), weights 0..1,000; several items all of weight 0
 * are refused; Fargate providers (FARGATE, FARGATE_SPOT) and Auto Scaling
 * group providers do not mix; every provider must be associated with the
 * cluster and ACTIVE. A provider in use by a cluster cannot be deleted.
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

static bool in_list(const ecs_str *v, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (ecs_str__eq(&v[i], s, len))
            return true;
    }
    return false;
}

ecs_status ecs_req__cp_strategy(ecs_req *r, const ecs_json_val *list, const char *path,
                                const ecs_str *allowed, size_t nallowed, ecs_cp_item **out, size_t *nout)
{
    size_t n = ecs_json_len(list), i = 0, nbase = 0, nfargate = 0;
    uint32_t weights = 0;
    ecs_cp_item *items;
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return ECS_OK;
    if (n > ECS_MAX_STRATEGY_ITEMS)
        return FAIL_IP(r, "%s: at most %u capacity providers.", path, ECS_MAX_STRATEGY_ITEMS);
    items = ecs_ctx__alloc(r->ctx, n * sizeof *items);
    if (items == NULL)
        return ecs_req__nomem(r);
    memset(items, 0, n * sizeof *items);
    for (const ecs_json_val *e = ecs_json_first(list); e != NULL; e = ecs_json_next(list, e), i++) {
        size_t pl = 0;
        const char *p = ecs_req__str(r, e, "capacityProvider", &pl);
        const ecs_json_val *b = ecs_req__member(r, e, "base"), *w = ecs_req__member(r, e, "weight");
        int64_t v;
        if (p == NULL || pl == 0)
            goto bad_name;
        if (b != NULL) {
            if (ecs_json_get_int(b, &v) != ECS_OK || v < 0 || v > 100000) {
                ecs_plane__cp_items_free(r->ctx, items, n);
                return FAIL_IP(r, "%s[%zu].base: 0 to 100000.", path, i);
            }
            items[i].base = (uint32_t)v;
            nbase += v > 0;
        }
        if (w != NULL) {
            if (ecs_json_get_int(w, &v) != ECS_OK || v < 0 || v > 1000) {
                ecs_plane__cp_items_free(r->ctx, items, n);
                return FAIL_IP(r, "%s[%zu].weight: 0 to 1000.", path, i);
            }
            items[i].weight = (uint32_t)v;
            weights += (uint32_t)v;
        }
        if (!ecs_plane__provider_is_fargate(p, pl)) {
            const ecs_capacity_provider *cp = ecs_plane__provider(r->pl, p, pl);
            if (cp == NULL || cp->deleted)
                goto bad_name;
        } else {
            nfargate++;
        }
        if (allowed != NULL && !in_list(allowed, nallowed, p, pl)) {
            ecs_plane__cp_items_free(r->ctx, items, n);
            return FAIL_IP(r, "%s[%zu]: the capacity provider %.*s is not associated with the cluster.",
                           path, i, clip(pl), p);
        }
        for (size_t k = 0; k < i; k++) {
            if (ecs_str__eq(&items[k].provider, p, pl)) {
                ecs_plane__cp_items_free(r->ctx, items, n);
                return FAIL_IP(r, "%s[%zu]: capacity provider %.*s is named twice.", path, i, clip(pl), p);
            }
        }
        if (ecs_str__dup(r->ctx, &items[i].provider, p, pl) != ECS_OK) {
            ecs_plane__cp_items_free(r->ctx, items, n);
            return ecs_req__nomem(r);
        }
        continue;
bad_name:
        ecs_plane__cp_items_free(r->ctx, items, n);
        return FAIL_IP(r, "%s[%zu].capacityProvider: the capacity provider '%.*s' was not found.", path, i,
                       clip(pl), p != NULL ? p : "");
    }
    if (nbase > 1) {
        ecs_plane__cp_items_free(r->ctx, items, n);
        return FAIL_IP(r, "%s: only one capacity provider in a strategy can have a base.", path);
    }
    if (n > 1 && weights == 0) {
        ecs_plane__cp_items_free(r->ctx, items, n);
        return FAIL_IP(r, "%s: at least one capacity provider must have a weight greater than 0.", path);
    }
    if (nfargate != 0 && nfargate != n) {
        ecs_plane__cp_items_free(r->ctx, items, n);
        return FAIL_IP(r, "%s: a strategy cannot mix Fargate capacity providers with Auto Scaling group "
                          "capacity providers.", path);
    }
    *out = items;
    *nout = n;
    return ECS_OK;
}

static ecs_status answer_provider(ecs_req *r, const ecs_capacity_provider *p)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "capacityProvider", 16);
    ecs_plane__write_provider(r->pl, r->w, p->name.p, p->name.len, p);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__create_capacity_provider(ecs_req *r)
{
    size_t nl = 0, al = 0, tl = 0;
    const char *name = ecs_req__str(r, r->root, "name", &nl);
    const ecs_json_val *asg = ecs_req__member(r, r->root, "autoScalingGroupProvider");
    const char *arn = ecs_req__str(r, asg, "autoScalingGroupArn", &al);
    const char *mtp = ecs_req__str(r, asg, "managedTerminationProtection", &tl);
    ecs_capacity_provider *p;
    ecs_status rc;
    if (name == NULL || !ecs_req__valid_name(name, nl))
        return FAIL_IP(r, "name: 1 to 255 letters, digits, hyphens and underscores.");
    if ((nl >= 3 && (memcmp(name, "aws", 3) == 0 || memcmp(name, "ecs", 3) == 0)) ||
        (nl >= 7 && memcmp(name, "fargate", 7) == 0) || (nl >= 7 && memcmp(name, "FARGATE", 7) == 0))
        return FAIL_IP(r, "name: a capacity provider name cannot begin with aws, ecs or fargate.");
    if (ecs_plane__provider(r->pl, name, nl) != NULL)
        return FAIL_CL(r, "The specified capacity provider already exists.");
    if (arn == NULL || al == 0)
        return FAIL_IP(r, "autoScalingGroupProvider.autoScalingGroupArn is required.");
    if (ecs_vec__reserve(r->ctx, (void **)&r->pl->providers, &r->pl->providers_cap,
                         sizeof *r->pl->providers, r->pl->nproviders + 1) != ECS_OK)
        return ecs_req__nomem(r);
    p = ecs_ctx__alloc(r->ctx, sizeof *p);
    if (p == NULL)
        return ecs_req__nomem(r);
    memset(p, 0, sizeof *p);
    p->managed_termination_protection = mtp != NULL && tl == 7 && memcmp(mtp, "ENABLED", 7) == 0;
    if (ecs_str__dup(r->ctx, &p->name, name, nl) != ECS_OK || ecs_str__dup(r->ctx, &p->asg_arn, arn, al) != ECS_OK ||
        ecs_str__fmt(r->ctx, &p->arn, "arn:aws:ecs:%s:%s:capacity-provider/%.*s", ecs_str__c(&r->pl->region),
                     ecs_str__c(&r->pl->account), (int)nl, name) != ECS_OK) {
        ecs_plane__provider_free(r->ctx, p);
        return ecs_req__nomem(r);
    }
    if (ecs_req__tags(r, ecs_req__member(r, r->root, "tags"), "tags", &p->tags) != ECS_OK) {
        ecs_plane__provider_free(r->ctx, p);
        return r->err->code != NULL && strcmp(r->err->code, ECS_ERR_SERVER) == 0 ? ECS_E_NOMEM : ECS_E_INVALID_ARG;
    }
    if ((rc = answer_provider(r, p)) != ECS_OK) {
        ecs_plane__provider_free(r->ctx, p);
        return rc;
    }
    r->pl->providers[r->pl->nproviders++] = p;
    return ECS_OK;
}

ecs_status ecs_act__describe_capacity_providers(ecs_req *r)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "capacityProviders");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "capacityProviders", 17);
    ecs_json_write_arr_begin(r->w);
    if (list == NULL) {
        ecs_plane__write_provider(r->pl, r->w, "FARGATE", 7, NULL);
        ecs_plane__write_provider(r->pl, r->w, "FARGATE_SPOT", 12, NULL);
        for (size_t i = 0; i < r->pl->nproviders; i++) {
            const ecs_capacity_provider *p = r->pl->providers[i];
            if (!p->deleted)
                ecs_plane__write_provider(r->pl, r->w, p->name.p, p->name.len, p);
        }
    }
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        const ecs_capacity_provider *p = ecs_plane__provider(r->pl, ref, n);
        if (ecs_plane__provider_is_fargate(ref, n))
            ecs_plane__write_provider(r->pl, r->w, ref, n, NULL);
        else if (p != NULL)
            ecs_plane__write_provider(r->pl, r->w, p->name.p, p->name.len, p);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        if (ecs_plane__provider_is_fargate(ref, n) || ecs_plane__provider(r->pl, ref, n) != NULL)
            continue;
        ecs_req__write_failure(r, ref, n, "MISSING", NULL);
    }
    ecs_json_write_arr_end(r->w);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__delete_capacity_provider(ecs_req *r)
{
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "capacityProvider", &n);
    ecs_capacity_provider *p = ref != NULL ? ecs_plane__provider(r->pl, ref, n) : NULL;
    ecs_status rc;
    if (p == NULL || p->deleted)
        return FAIL_IP(r, "The specified capacity provider '%.*s' does not exist.", clip(n), ref != NULL ? ref : "");
    for (size_t i = 0; i < r->pl->nclusters; i++) {
        const ecs_cluster *c = r->pl->clusters[i];
        if (c->active && in_list(c->cps, c->ncps, p->name.p, p->name.len))
            return FAIL_IP(r, "The capacity provider %s is associated with cluster %s; remove it first "
                              "(PutClusterCapacityProviders).", ecs_str__c(&p->name), ecs_str__c(&c->name));
    }
    p->deleted = true;
    if ((rc = answer_provider(r, p)) != ECS_OK) {
        p->deleted = false;
        return rc;
    }
    return ECS_OK;
}

/* capacityProviders + defaultCapacityProviderStrategy into c (used by
 * PutClusterCapacityProviders and CreateCluster); *old_* receive what the
 * cluster had, for the caller to free or to put back. */
ecs_status ecs_req__cluster_providers(ecs_req *r, ecs_cluster *c, ecs_str **old_cps, size_t *old_ncps,
                                      ecs_cp_item **old_items, size_t *old_nitems)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "capacityProviders");
    const ecs_json_val *strat = ecs_req__member(r, r->root, "defaultCapacityProviderStrategy");
    size_t n = ecs_json_len(list), i = 0;
    ecs_str *cps = NULL;
    ecs_cp_item *items = NULL;
    size_t nitems = 0;
    ecs_status rc;
    if (n > ECS_MAX_CLUSTER_PROVIDERS)
        return FAIL_IP(r, "capacityProviders: at most %u per cluster.", ECS_MAX_CLUSTER_PROVIDERS);
    if (n > 0) {
        cps = ecs_ctx__alloc(r->ctx, n * sizeof *cps);
        if (cps == NULL)
            return ecs_req__nomem(r);
        memset(cps, 0, n * sizeof *cps);
    }
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v), i++) {
        size_t len = 0;
        const char *ref = ecs_json_str(r->doc, v, &len);
        const ecs_capacity_provider *p = ecs_plane__provider(r->pl, ref, len);
        if (!ecs_plane__provider_is_fargate(ref, len) && (p == NULL || p->deleted)) {
            rc = FAIL_IP(r, "capacityProviders[%zu]: the capacity provider '%.*s' was not found.", i, clip(len), ref);
            goto fail;
        }
        if (p != NULL) {
            ref = p->name.p;
            len = p->name.len;
        }
        if (in_list(cps, i, ref, len)) {
            rc = FAIL_IP(r, "capacityProviders[%zu]: %.*s is named twice.", i, clip(len), ref);
            goto fail;
        }
        if (ecs_str__dup(r->ctx, &cps[i], ref, len) != ECS_OK) {
            rc = ecs_req__nomem(r);
            goto fail;
        }
    }
    if ((rc = ecs_req__cp_strategy(r, strat, "defaultCapacityProviderStrategy", cps, n, &items, &nitems)) != ECS_OK)
        goto fail;
    /* a provider a service's strategy uses cannot leave the cluster */
    for (size_t s = 0; s < c->nservices; s++) {
        const ecs_service *svc = c->services[s];
        if (svc->status == ECS_SVC_INACTIVE)
            continue;
        for (size_t k = 0; k < svc->nstrategy; k++) {
            if (!in_list(cps, n, svc->strategy[k].provider.p, svc->strategy[k].provider.len)) {
                rc = ecs_api__fail(r->err, ECS_E_CONFLICT, "ResourceInUseException",
                                   "The capacity provider %s is in use by service %s.",
                                   ecs_str__c(&svc->strategy[k].provider), ecs_str__c(&svc->name));
                ecs_plane__cp_items_free(r->ctx, items, nitems);
                goto fail;
            }
        }
    }
    *old_cps = c->cps;
    *old_ncps = c->ncps;
    *old_items = c->default_strategy;
    *old_nitems = c->ndefault_strategy;
    c->cps = cps;
    c->ncps = n;
    c->default_strategy = items;
    c->ndefault_strategy = nitems;
    return ECS_OK;
fail:
    ecs_plane__strs_free(r->ctx, cps, n);
    return rc;
}

ecs_status ecs_act__put_cluster_capacity_providers(ecs_req *r)
{
    ecs_cluster *c;
    ecs_str *old_cps = NULL;
    ecs_cp_item *old_items = NULL;
    size_t old_ncps = 0, old_nitems = 0;
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if ((rc = ecs_req__cluster_providers(r, c, &old_cps, &old_ncps, &old_items, &old_nitems)) != ECS_OK)
        return rc;
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "cluster", 7);
    ecs_plane__write_cluster(r->w, c, ECS_WRITE_SETTINGS);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        ecs_plane__strs_free(r->ctx, c->cps, c->ncps);
        ecs_plane__cp_items_free(r->ctx, c->default_strategy, c->ndefault_strategy);
        c->cps = old_cps;
        c->ncps = old_ncps;
        c->default_strategy = old_items;
        c->ndefault_strategy = old_nitems;
        return ecs_req__nomem(r);
    }
    ecs_plane__strs_free(r->ctx, old_cps, old_ncps);
    ecs_plane__cp_items_free(r->ctx, old_items, old_nitems);
    return ECS_OK;
}
