/*
 * RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition,
 * DeleteTaskDefinitions, ListTaskDefinitions, ListTaskDefinitionFamilies.
 *
 * Revisions count from 1 per family and are never reused, even after
 * deletion. A bare family resolves to its latest ACTIVE revision.
 * Deregistering an INACTIVE revision again succeeds and changes nothing.
 * DeleteTaskDefinitions needs INACTIVE revisions and moves them to
 * DELETE_IN_PROGRESS; they are purged at the first time step
 * (ecs_plane_set_time) at which no task holds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/req.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)
#define FAIL_CL(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_CLIENT, __VA_ARGS__)

static ecs_status answer(ecs_req *r, const ecs_family *f, const ecs_revision *rev, bool tags)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "taskDefinition", 14);
    ecs_plane__write_revision(r->pl, r->w, f, rev);
    if (tags) {
        ecs_json_write_key(r->w, "tags", 4);
        ecs_plane__write_tags(r->w, &rev->tags);
    }
    return ecs_json_write_obj_end(r->w);
}

ecs_status ecs_act__register_task_definition(ecs_req *r)
{
    ecs_plane *pl = r->pl;
    ecs_taskdef *td = NULL;
    ecs_revision *rev = NULL;
    ecs_family *f = NULL, *new_family = NULL;
    ecs_tags tags;
    size_t idx;
    bool found;
    ecs_status rc;

    rc = ecs_taskdef__from_request(r->ctx, r->err, r->doc, r->root, 0, &td);
    if (rc != ECS_OK) {
        if (rc == ECS_E_NOMEM)
            return ecs_req__nomem(r);
        return rc;
    }
    if ((rc = ecs_req__tags(r, ecs_req__member(r, r->root, "tags"), "tags", &tags)) != ECS_OK) {
        ecs_taskdef__free(r->ctx, td);
        return rc;
    }
    idx = ecs_plane__family_find(pl, ecs_str__c(&td->family), td->family.len, &found);
    if (found) {
        f = pl->families[idx];
        if (f->last_revision >= ECS_MAX_REVISIONS) {
            ecs_taskdef__free(r->ctx, td);
            ecs_plane__tags_free(r->ctx, &tags);
            return ecs_api__fail(r->err, ECS_E_LIMIT, ECS_ERR_LIMIT_EXCEEDED,
                                 "Family %s has reached the limit of %u revisions.",
                                 ecs_str__c(&f->name), ECS_MAX_REVISIONS);
        }
    } else {
        new_family = ecs_ctx__alloc(r->ctx, sizeof *new_family);
        if (new_family == NULL)
            goto oom;
        memset(new_family, 0, sizeof *new_family);
        if (ecs_str__dup(r->ctx, &new_family->name, ecs_str__c(&td->family), td->family.len) != ECS_OK ||
            ecs_vec__reserve(r->ctx, (void **)&pl->families, &pl->families_cap,
                             sizeof(ecs_family *), pl->nfamilies + 1) != ECS_OK)
            goto oom;
        f = new_family;
    }
    rev = ecs_ctx__alloc(r->ctx, sizeof *rev);
    if (rev == NULL)
        goto oom;
    memset(rev, 0, sizeof *rev);
    rev->revision = f->last_revision + 1;
    rev->status = ECS_TD_ACTIVE;
    rev->registered_at_ms = pl->now_ms;
    rev->def = td;
    rev->tags = tags;
    td = NULL;
    tags.items = NULL;
    tags.n = tags.cap = 0;
    if (ecs_str__fmt(r->ctx, &rev->arn, "arn:aws:ecs:%s:%s:task-definition/%s:%u",
                     ecs_str__c(&pl->region), ecs_str__c(&pl->account), ecs_str__c(&f->name),
                     (unsigned)rev->revision) != ECS_OK ||
        ecs_vec__reserve(r->ctx, (void **)&f->revs, &f->revs_cap, sizeof(ecs_revision *),
                         f->nrevs + 1) != ECS_OK ||
        answer(r, f, rev, rev->tags.n > 0) != ECS_OK)
        goto oom;
    /* commit: nothing below can fail */
    f->revs[f->nrevs++] = rev;
    f->last_revision = rev->revision;
    if (new_family != NULL) {
        memmove(&pl->families[idx + 1], &pl->families[idx],
                (pl->nfamilies - idx) * sizeof(ecs_family *));
        pl->families[idx] = new_family;
        pl->nfamilies++;
    }
    return ECS_OK;
oom:
    ecs_taskdef__free(r->ctx, td);
    ecs_plane__tags_free(r->ctx, &tags);
    ecs_plane__revision_free(r->ctx, rev);
    ecs_plane__family_free(r->ctx, new_family);
    return ecs_req__nomem(r);
}

static bool wants_tags(ecs_req *r)
{
    const ecs_json_val *inc = ecs_req__member(r, r->root, "include");
    for (const ecs_json_val *v = ecs_json_first(inc); v != NULL; v = ecs_json_next(inc, v)) {
        size_t n = 0;
        const char *s = ecs_json_str(r->doc, v, &n);
        if (s != NULL && n == 4 && memcmp(s, "TAGS", 4) == 0)
            return true;
    }
    return false;
}

ecs_status ecs_act__describe_task_definition(ecs_req *r)
{
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "taskDefinition", &n);
    ecs_family *f = NULL;
    ecs_revision *rev = ecs_plane__taskdef_by_ref(r->pl, ref, n, &f);
    if (rev == NULL)
        return FAIL_CL(r, "Unable to describe task definition '%.*s': no such %s.",
                       (int)(n > 300 ? 300 : n), ref,
                       memchr(ref, ':', n) != NULL ? "revision" : "family with an ACTIVE revision");
    return answer(r, f, rev, wants_tags(r)) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__deregister_task_definition(ecs_req *r)
{
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "taskDefinition", &n);
    ecs_family *f = NULL;
    ecs_revision *rev;
    ecs_td_status old;
    int64_t old_at;

    if (ref == NULL || memchr(ref, ':', n) == NULL)
        return FAIL_CL(r, "taskDefinition: give the family and revision (family:revision) or the "
                          "full ARN of the revision to deregister.");
    rev = ecs_plane__taskdef_by_ref(r->pl, ref, n, &f);
    if (rev == NULL || rev->status == ECS_TD_DELETE_IN_PROGRESS)
        return FAIL_CL(r, "The specified task definition '%.*s' does not exist.",
                       (int)(n > 300 ? 300 : n), ref);
    old = rev->status;
    old_at = rev->deregistered_at_ms;
    if (rev->status == ECS_TD_ACTIVE) {
        rev->status = ECS_TD_INACTIVE;
        rev->deregistered_at_ms = r->pl->now_ms;
    }
    if (answer(r, f, rev, false) != ECS_OK) {
        rev->status = old;
        rev->deregistered_at_ms = old_at;
        return ecs_req__nomem(r);
    }
    return ECS_OK;
}

ecs_status ecs_act__delete_task_definitions(ecs_req *r)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "taskDefinitions");
    ecs_revision *targets[10];
    ecs_family *families[10];
    size_t nt = 0;

    if (ecs_json_len(list) == 0 || ecs_json_len(list) > 10)
        return FAIL_IP(r, "taskDefinitions: give 1 to 10 task definition revisions.");
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        ecs_family *f = NULL;
        ecs_revision *rev = (ref != NULL && memchr(ref, ':', n) != NULL)
                                ? ecs_plane__taskdef_by_ref(r->pl, ref, n, &f)
                                : NULL;
        bool dup = false;
        for (size_t j = 0; j < nt; j++)
            dup |= targets[j] == rev;
        if (rev != NULL && rev->status == ECS_TD_INACTIVE && !dup) {
            targets[nt] = rev;
            families[nt] = f;
            nt++;
        }
    }
    for (size_t i = 0; i < nt; i++)
        targets[i]->status = ECS_TD_DELETE_IN_PROGRESS;
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "taskDefinitions", 15);
    ecs_json_write_arr_begin(r->w);
    for (size_t i = 0; i < nt; i++)
        ecs_plane__write_revision(r->pl, r->w, families[i], targets[i]);
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        ecs_revision *rev = ref != NULL && memchr(ref, ':', n) != NULL
                                ? ecs_plane__taskdef_by_ref(r->pl, ref, n, NULL)
                                : NULL;
        const char *reason = NULL, *detail = NULL;
        bool listed = false;
        for (size_t j = 0; j < nt; j++)
            listed |= targets[j] == rev;
        if (listed)
            continue;
        if (rev == NULL) {
            reason = "TASK_DEFINITION_NOT_FOUND";
            detail = "The specified task definition does not exist. Specify a valid revision "
                     "(family:revision or ARN).";
        } else if (rev->status == ECS_TD_ACTIVE) {
            reason = "TASK_DEFINITION_NOT_INACTIVE";
            detail = "The specified task definition is still in ACTIVE status. Please deregister "
                     "the target and try again.";
        } else {
            continue; /* already DELETE_IN_PROGRESS: nothing to report */
        }
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "arn", 3);
        ecs_json_write_str(r->w, ref != NULL ? ref : "", ref != NULL ? n : 0);
        ecs_json_write_key(r->w, "reason", 6);
        ecs_json_write_str(r->w, reason, strlen(reason));
        ecs_json_write_key(r->w, "detail", 6);
        ecs_json_write_str(r->w, detail, strlen(detail));
        ecs_json_write_obj_end(r->w);
    }
    ecs_json_write_arr_end(r->w);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        for (size_t i = 0; i < nt; i++)
            targets[i]->status = ECS_TD_INACTIVE;
        return ecs_req__nomem(r);
    }
    return ECS_OK;
}

static bool status_filter(ecs_req *r, const char *member, const char *dflt, char *out, size_t cap)
{
    size_t n = 0;
    const char *s = ecs_req__str(r, r->root, member, &n);
    if (s == NULL) {
        s = dflt;
        n = strlen(dflt);
    }
    if (n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static bool has_prefix(const ecs_str *name, const char *prefix, size_t pl)
{
    return prefix == NULL || (name->len >= pl && memcmp(name->p, prefix, pl) == 0);
}

ecs_status ecs_act__list_task_definitions(ecs_req *r)
{
    ecs_plane *pl = r->pl;
    char key[ECS_TOKEN_KEY_MAX], status[32], buf[300];
    size_t max, key_len, pfl = 0, sl = 0, emitted = 0;
    bool has_key, desc;
    const char *prefix = ecs_req__str(r, r->root, "familyPrefix", &pfl);
    const char *sort = ecs_req__str(r, r->root, "sort", &sl);
    const ecs_revision *last = NULL;
    const ecs_family *last_f = NULL;
    bool more = false;
    ecs_status rc;

    if ((rc = ecs_req__page(r, 100, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    if (!status_filter(r, "status", "ACTIVE", status, sizeof status))
        return FAIL_IP(r, "status: ACTIVE, INACTIVE or DELETE_IN_PROGRESS.");
    desc = sort != NULL && sl == 4 && memcmp(sort, "DESC", 4) == 0;
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "taskDefinitionArns", 18);
    ecs_json_write_arr_begin(r->w);
    /* the key is "family:revision" with the revision zero-padded, so that
     * byte order is the list's order */
    for (size_t fi = 0; fi < pl->nfamilies && !more; fi++) {
        size_t fidx = desc ? pl->nfamilies - 1 - fi : fi;
        const ecs_family *f = pl->families[fidx];
        if (!has_prefix(&f->name, prefix, pfl))
            continue;
        for (size_t ri = 0; ri < f->nrevs; ri++) {
            const ecs_revision *rev = f->revs[desc ? f->nrevs - 1 - ri : ri];
            int kl;
            if (strcmp(ecs_plane__td_status_name(rev->status), status) != 0)
                continue;
            kl = snprintf(buf, sizeof buf, "%s:%07u", ecs_str__c(&f->name), (unsigned)rev->revision);
            if (has_key && kl > 0) {
                size_t bl = (size_t)kl < sizeof buf ? (size_t)kl : sizeof buf - 1;
                size_t m = bl < key_len ? bl : key_len;
                int c = memcmp(buf, key, m);
                if (c == 0)
                    c = bl < key_len ? -1 : (bl > key_len ? 1 : 0);
                if (desc ? c >= 0 : c <= 0)
                    continue;
            }
            if (emitted == max) {
                more = true;
                break;
            }
            ecs_json_write_str(r->w, ecs_str__c(&rev->arn), rev->arn.len);
            emitted++;
            last = rev;
            last_f = f;
        }
    }
    ecs_json_write_arr_end(r->w);
    if (more && last != NULL) {
        int kl = snprintf(buf, sizeof buf, "%s:%07u", ecs_str__c(&last_f->name),
                          (unsigned)last->revision);
        ecs_req__write_token(r, buf, kl > 0 && (size_t)kl < sizeof buf ? (size_t)kl : 0);
    }
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__list_task_definition_families(ecs_req *r)
{
    ecs_plane *pl = r->pl;
    char key[ECS_TOKEN_KEY_MAX], status[32];
    size_t max, key_len, pfl = 0, emitted = 0;
    bool has_key, more = false;
    const char *prefix = ecs_req__str(r, r->root, "familyPrefix", &pfl);
    const ecs_family *last = NULL;
    ecs_status rc;

    if ((rc = ecs_req__page(r, 100, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    if (!status_filter(r, "status", "ACTIVE", status, sizeof status))
        return FAIL_IP(r, "status: ACTIVE, INACTIVE or ALL.");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "families", 8);
    ecs_json_write_arr_begin(r->w);
    for (size_t fi = 0; fi < pl->nfamilies; fi++) {
        const ecs_family *f = pl->families[fi];
        bool any_active = false, any = false;
        ecs_str k;
        for (size_t ri = 0; ri < f->nrevs; ri++) {
            any = any || f->revs[ri]->status != ECS_TD_DELETE_IN_PROGRESS;
            any_active = any_active || f->revs[ri]->status == ECS_TD_ACTIVE;
        }
        if (!has_prefix(&f->name, prefix, pfl) || !any)
            continue;
        if (strcmp(status, "ACTIVE") == 0 ? !any_active
            : strcmp(status, "INACTIVE") == 0 ? any_active
                                              : false)
            continue;
        k.p = key;
        k.len = key_len;
        if (has_key && ecs_str__cmp(&f->name, &k) <= 0)
            continue;
        if (emitted == max) {
            more = true;
            break;
        }
        ecs_json_write_str(r->w, ecs_str__c(&f->name), f->name.len);
        emitted++;
        last = f;
    }
    ecs_json_write_arr_end(r->w);
    if (more && last != NULL)
        ecs_req__write_token(r, last->name.p, last->name.len);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}
