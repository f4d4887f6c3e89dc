/*
 * Resolving references the way the ECS API does: a cluster by name or ARN;
 * a container instance by id or ARN (the current form with the cluster name,
 * and the older one without); a task definition by "family" (its latest
 * ACTIVE revision), "family:revision" or ARN. ARNs must name this plane's
 * region and account: anything else refers to nothing here.
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

/* If ref is "arn:aws:ecs:<region>:<account>:<kind>/..." return the part
 * after "<kind>/", else NULL. */
static const char *arn_rest(const ecs_plane *pl, const char *ref, size_t len, const char *kind,
                            size_t *rest_len)
{
    char prefix[160];
    int n = snprintf(prefix, sizeof prefix, "arn:aws:ecs:%s:%s:%s/", ecs_str__c(&pl->region),
                     ecs_str__c(&pl->account), kind);
    if (n <= 0 || (size_t)n >= sizeof prefix || len < (size_t)n ||
        memcmp(ref, prefix, (size_t)n) != 0)
        return NULL;
    *rest_len = len - (size_t)n;
    return ref + n;
}

static bool is_arn(const char *ref, size_t len)
{
    return len >= 4 && memcmp(ref, "arn:", 4) == 0;
}

ecs_cluster *ecs_plane__cluster_by_ref(const ecs_plane *pl, const char *ref, size_t len)
{
    const char *name = ref;
    size_t name_len = len;
    if (is_arn(ref, len)) {
        name = arn_rest(pl, ref, len, "cluster", &name_len);
        if (name == NULL)
            return NULL;
    }
    /* the newest cluster of that name: a deleted name may be created again */
    for (size_t i = pl->nclusters; i-- > 0;) {
        ecs_cluster *c = pl->clusters[i];
        if (ecs_str__eq(&c->name, name, name_len))
            return c;
    }
    return NULL;
}

ecs_instance *ecs_plane__instance_by_ref(const ecs_plane *pl, const ecs_cluster *c,
                                         const char *ref, size_t len)
{
    const char *id = ref;
    size_t id_len = len;
    if (is_arn(ref, len)) {
        const char *rest = arn_rest(pl, ref, len, "container-instance", &id_len);
        const char *slash;
        if (rest == NULL)
            return NULL;
        slash = memchr(rest, '/', id_len);
        if (slash != NULL) {
            size_t cl = (size_t)(slash - rest);
            if (!ecs_str__eq(&c->name, rest, cl))
                return NULL;
            id = slash + 1;
            id_len -= cl + 1;
        } else {
            id = rest;
        }
    }
    return ecs_map__get(&c->instance_by_id, id, id_len);
}

size_t ecs_plane__family_find(const ecs_plane *pl, const char *name, size_t len, bool *found)
{
    size_t lo = 0, hi = pl->nfamilies;
    ecs_str key;
    key.p = (char *)(uintptr_t)name; /* read only */
    key.len = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ecs_str__cmp(&pl->families[mid]->name, &key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

ecs_revision *ecs_plane__taskdef_by_ref(const ecs_plane *pl, const char *ref, size_t len,
                                        ecs_family **out_family)
{
    const char *fam = ref, *colon;
    size_t fam_len = len;
    bool found, has_rev = false;
    uint64_t rev = 0;
    ecs_family *f;

    if (is_arn(ref, len)) {
        fam = arn_rest(pl, ref, len, "task-definition", &fam_len);
        if (fam == NULL)
            return NULL;
    }
    colon = memchr(fam, ':', fam_len);
    if (colon != NULL) {
        const char *d = colon + 1, *end = fam + fam_len;
        if (d == end)
            return NULL;
        for (; d < end; d++) {
            if (*d < '0' || *d > '9' || rev > 100000000u)
                return NULL;
            rev = rev * 10 + (uint64_t)(*d - '0');
        }
        has_rev = true;
        fam_len = (size_t)(colon - fam);
    } else if (is_arn(ref, len)) {
        return NULL; /* an ARN always names a revision */
    }
    {
        size_t i = ecs_plane__family_find(pl, fam, fam_len, &found);
        if (!found)
            return NULL;
        f = pl->families[i];
    }
    if (out_family != NULL)
        *out_family = f;
    for (size_t i = f->nrevs; i-- > 0;) {
        ecs_revision *r = f->revs[i];
        if (has_rev ? r->revision == rev : r->status == ECS_TD_ACTIVE)
            return r;
    }
    return NULL;
}

void ecs_plane__hex_id(ecs_plane *pl, char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            bits = ecs_rng_next(&pl->rng);
        buf[i] = hex[bits & 15u];
        bits >>= 4;
    }
    buf[n] = '\0';
}

ecs_task *ecs_plane__task_by_ref(const ecs_cluster *c, const char *ref, size_t len)
{
    const char *id = ref;
    ecs_task *t;
    if (ref == NULL)
        return NULL;
    for (size_t k = 0; k < len; k++) {
        if (ref[k] == '/')
            id = ref + k + 1;
    }
    t = ecs_map__get(&c->task_by_id, id, len - (size_t)(id - ref));
    if (t != NULL && id != ref && !ecs_str__eq(&t->arn, ref, len))
        return NULL;
    return t;
}
