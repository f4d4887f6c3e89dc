/*
 * PutAttributes, DeleteAttributes and ListAttributes on container
 * instances (spec 6.2). Attribute names are 1..128 of letters, digits and
 * - _ / \ . ; values are absent or 1..128 of letters, digits and
 * - _ . @ / \ : and spaces inside. At most 10 attributes per call and 10
 * custom attributes per instance (names under ecs. and capability names do
 * not count). A targetId given as a short id needs targetType
 * container-instance. Deleting an attribute the instance does not have
 * succeeds (nothing to do); deleting a built-in attribute is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/req.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)

static bool value_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '@' || c == '/' || c == '\\' || c == ':' || c == ' ';
}

ecs_status ecs_req__attr_check(ecs_req *r, const char *path, const char *name, size_t nl,
                               const char *value, size_t vl, bool has_value)
{
    if (name == NULL || nl == 0 || nl > 128)
        return FAIL_IP(r, "%s.name: an attribute name has 1 to 128 characters.", path);
    if (!ecs_plane__attr_name_ok(name, nl))
        return FAIL_IP(r, "%s.name: '%.*s' may hold only letters, digits and - _ / \\ .", path,
                       (int)(nl > 128 ? 128 : nl), name);
    if (!has_value)
        return ECS_OK;
    if (vl == 0 || vl > 128)
        return FAIL_IP(r, "%s.value: an attribute value has 1 to 128 characters.", path);
    if (value[0] == ' ' || value[vl - 1] == ' ')
        return FAIL_IP(r, "%s.value: a value may not start or end with a space.", path);
    for (size_t i = 0; i < vl; i++) {
        if (!value_char(value[i]))
            return FAIL_IP(r, "%s.value: '%.*s' may hold only letters, digits, spaces and "
                              "- _ . @ / \\ :", path, (int)(vl > 128 ? 128 : vl), value);
    }
    return ECS_OK;
}

static bool counts_as_custom(const ecs_str *name)
{
    const char *n = ecs_str__c(name);
    return !(name->len > 4 && memcmp(n, "ecs.", 4) == 0) &&
           !(name->len > 29 && memcmp(n, "com.amazonaws.ecs.capability.", 29) == 0);
}

/* One attribute of a request, resolved. */
typedef struct item {
    ecs_instance *inst;
    const char *name, *value;
    size_t nl, vl;
    bool has_value;
    /* for PutAttributes: the new value string, and what to undo */
    ecs_str new_value, new_name;
    long index;        /* existing attribute index, or -1 when appended */
    ecs_str old_value; /* replaced value (freed on success) */
} item;

static ecs_status resolve(ecs_req *r, ecs_cluster *c, item *items, size_t *count, bool put)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "attributes");
    size_t i = 0;
    ecs_status rc;
    if (ecs_json_len(list) > 10)
        return FAIL_IP(r, "attributes: at most 10 attributes per call.");
    for (const ecs_json_val *a = ecs_json_first(list); a != NULL; a = ecs_json_next(list, a), i++) {
        item *it = &items[i];
        size_t tl = 0, tyl = 0;
        const char *tid = ecs_req__str(r, a, "targetId", &tl);
        const char *ttype = ecs_req__str(r, a, "targetType", &tyl);
        char path[32];
        memset(it, 0, sizeof *it);
        snprintf(path, sizeof path, "attributes[%zu]", i);
        it->name = ecs_req__str(r, a, "name", &it->nl);
        it->value = ecs_req__str(r, a, "value", &it->vl);
        it->has_value = it->value != NULL;
        if (put && (rc = ecs_req__attr_check(r, path, it->name, it->nl, it->value, it->vl,
                                              it->has_value)) != ECS_OK)
            return rc;
        if (!put && (it->name == NULL || it->nl == 0))
            return FAIL_IP(r, "%s.name is required.", path);
        if (tid == NULL)
            return FAIL_IP(r, "%s.targetId: name the container instance (id or ARN).", path);
        if (!(tl >= 4 && memcmp(tid, "arn:", 4) == 0) &&
            (ttype == NULL || tyl != 18 || memcmp(ttype, "container-instance", 18) != 0))
            return FAIL_IP(r, "%s.targetType: container-instance is required when targetId is "
                              "not an ARN.", path);
        it->inst = ecs_plane__instance_by_ref(r->pl, c, tid, tl);
        if (it->inst == NULL || it->inst->status == ECS_INST_INACTIVE)
            return ecs_api__fail(r->err, ECS_E_NOT_FOUND, "TargetNotFoundException",
                                 "%s.targetId: container instance '%.*s' was not found in "
                                 "cluster %s.",
                                 path, (int)(tl > 200 ? 200 : tl), tid, ecs_str__c(&c->name));
    }
    *count = i;
    return ECS_OK;
}

static long find_attr(const ecs_instance *inst, const char *name, size_t nl)
{
    for (size_t i = 0; i < inst->nattrs; i++) {
        if (ecs_str__eq(&inst->attrs[i].name, name, nl))
            return (long)i;
    }
    return -1;
}

static void echo_attributes(ecs_req *r, const item *items, size_t n)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "attributes", 10);
    ecs_json_write_arr_begin(r->w);
    for (size_t i = 0; i < n; i++) {
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "name", 4);
        ecs_json_write_str(r->w, items[i].name, items[i].nl);
        if (items[i].has_value) {
            ecs_json_write_key(r->w, "value", 5);
            ecs_json_write_str(r->w, items[i].value, items[i].vl);
        }
        ecs_json_write_key(r->w, "targetType", 10);
        ecs_json_write_str(r->w, "container-instance", 18);
        ecs_json_write_key(r->w, "targetId", 8);
        ecs_json_write_str(r->w, ecs_str__c(&items[i].inst->arn), items[i].inst->arn.len);
        ecs_json_write_obj_end(r->w);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_obj_end(r->w);
}

ecs_status ecs_act__put_attributes(ecs_req *r)
{
    ecs_cluster *c;
    item items[10];
    size_t n = 0, applied = 0;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if ((rc = resolve(r, c, items, &n, true)) != ECS_OK)
        return rc;
    /* limits, counting names this call adds to each instance once */
    for (size_t i = 0; i < n; i++) {
        ecs_instance *inst = items[i].inst;
        size_t custom = 0, added = 0;
        if (i > 0) {
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                seen |= items[j].inst == inst;
            if (seen)
                continue;
        }
        for (size_t k = 0; k < inst->nattrs; k++)
            custom += counts_as_custom(&inst->attrs[k].name);
        for (size_t j = i; j < n; j++) {
            ecs_str nm;
            bool repeat = false;
            if (items[j].inst != inst || find_attr(inst, items[j].name, items[j].nl) >= 0)
                continue;
            for (size_t k = i; k < j; k++)
                repeat |= items[k].inst == inst && items[k].nl == items[j].nl &&
                          memcmp(items[k].name, items[j].name, items[j].nl) == 0;
            if (repeat)
                continue;
            nm.p = (char *)(uintptr_t)items[j].name;
            nm.len = items[j].nl;
            custom += counts_as_custom(&nm);
            added++;
        }
        if (custom > ECS_MAX_CUSTOM_ATTRIBUTES)
            return ecs_api__fail(r->err, ECS_E_LIMIT, "AttributeLimitExceededException",
                                 "Container instance %s would have %zu custom attributes; the "
                                 "limit is %u.",
                                 ecs_str__c(&inst->id), custom, ECS_MAX_CUSTOM_ATTRIBUTES);
        if (ecs_vec__reserve(r->ctx, (void **)&inst->attrs, &inst->attrs_cap, sizeof(ecs_attr),
                             inst->nattrs + added) != ECS_OK)
            return ecs_req__nomem(r);
    }
    /* allocate every new string before changing anything */
    for (size_t i = 0; i < n; i++) {
        if (ecs_str__dup(r->ctx, &items[i].new_value, items[i].has_value ? items[i].value : "",
                         items[i].has_value ? items[i].vl : 0) != ECS_OK ||
            ecs_str__dup(r->ctx, &items[i].new_name, items[i].name, items[i].nl) != ECS_OK) {
            for (size_t j = 0; j <= i; j++) {
                ecs_str__free(r->ctx, &items[j].new_value);
                ecs_str__free(r->ctx, &items[j].new_name);
            }
            return ecs_req__nomem(r);
        }
    }
    for (applied = 0; applied < n; applied++) {
        item *it = &items[applied];
        ecs_instance *inst = it->inst;
        it->index = find_attr(inst, it->name, it->nl);
        if (it->index >= 0) {
            it->old_value = inst->attrs[it->index].value;
            inst->attrs[it->index].value = it->new_value;
            it->new_value.p = NULL;
            it->new_value.len = 0;
        } else {
            ecs_attr *a = &inst->attrs[inst->nattrs++];
            a->name = it->new_name;
            a->name_static = false;
            a->value = it->new_value;
            a->builtin = !counts_as_custom(&it->new_name);
            it->new_name.p = NULL;
            it->new_name.len = 0;
            it->new_value.p = NULL;
            it->new_value.len = 0;
        }
        inst->version++;
    }
    echo_attributes(r, items, n);
    if (ecs_json_writer_result(r->w, &(const char *){ NULL }, NULL) != ECS_OK) {
        for (size_t i = n; i-- > 0;) {
            item *it = &items[i];
            ecs_instance *inst = it->inst;
            inst->version--;
            if (it->index >= 0) {
                ecs_str__free(r->ctx, &inst->attrs[it->index].value);
                inst->attrs[it->index].value = it->old_value;
            } else {
                ecs_plane__attr_free(r->ctx, &inst->attrs[--inst->nattrs]);
            }
        }
        for (size_t i = 0; i < n; i++)
            ecs_str__free(r->ctx, &items[i].new_name);
        return ecs_req__nomem(r);
    }
    for (size_t i = 0; i < n; i++) {
        long k = find_attr(items[i].inst, items[i].name, items[i].nl);
        ecs_str__free(r->ctx, &items[i].old_value);
        ecs_str__free(r->ctx, &items[i].new_name);
        if (k >= 0)
            ecs_plane__engine_put_attribute(c, items[i].inst, &items[i].inst->attrs[k]);
    }
    return ECS_OK;
}

ecs_status ecs_act__delete_attributes(ecs_req *r)
{
    ecs_cluster *c;
    item items[10];
    ecs_attr removed[10];
    size_t removed_at[10];
    ecs_instance *removed_from[10];
    size_t n = 0, nr = 0;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if ((rc = resolve(r, c, items, &n, false)) != ECS_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        long k = find_attr(items[i].inst, items[i].name, items[i].nl);
        if (k >= 0 && items[i].inst->attrs[k].builtin &&
            !counts_as_custom(&items[i].inst->attrs[k].name) &&
            items[i].nl > 4 && memcmp(items[i].name, "ecs.", 4) == 0 &&
            !(items[i].nl > 15 && memcmp(items[i].name, "ecs.capability.", 15) == 0))
            return FAIL_IP(r, "attributes[%zu].name: %.*s is a built-in attribute and cannot be "
                              "deleted.", i, (int)items[i].nl, items[i].name);
    }
    for (size_t i = 0; i < n; i++) {
        ecs_instance *inst = items[i].inst;
        long k = find_attr(inst, items[i].name, items[i].nl);
        if (k < 0)
            continue;
        removed[nr] = inst->attrs[k];
        removed_at[nr] = (size_t)k;
        removed_from[nr] = inst;
        nr++;
        memmove(&inst->attrs[k], &inst->attrs[k + 1],
                (inst->nattrs - (size_t)k - 1) * sizeof(ecs_attr));
        inst->nattrs--;
        inst->version++;
    }
    echo_attributes(r, items, n);
    if (ecs_json_writer_result(r->w, &(const char *){ NULL }, NULL) != ECS_OK) {
        for (size_t i = nr; i-- > 0;) {
            ecs_instance *inst = removed_from[i];
            size_t k = removed_at[i];
            memmove(&inst->attrs[k + 1], &inst->attrs[k], (inst->nattrs - k) * sizeof(ecs_attr));
            inst->attrs[k] = removed[i];
            inst->nattrs++;
            inst->version--;
        }
        return ecs_req__nomem(r);
    }
    for (size_t i = 0; i < nr; i++) {
        ecs_plane__engine_unset_attribute(c, removed_from[i], &removed[i].name);
        ecs_plane__attr_free(r->ctx, &removed[i]);
    }
    return ECS_OK;
}

typedef struct entry {
    const ecs_instance *inst;
    const ecs_attr *attr;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = ecs_str__cmp(&x->inst->arn, &y->inst->arn);
    return c != 0 ? c : ecs_str__cmp(&x->attr->name, &y->attr->name);
}

/* The page key of an entry: ARN, a newline, the attribute name. */
static size_t entry_key(const entry *e, char *buf)
{
    size_t n = 0;
    size_t al = e->inst->arn.len, nl = e->attr->name.len;
    if (al + 1 + nl > ECS_TOKEN_KEY_MAX)
        nl = ECS_TOKEN_KEY_MAX - al - 1;
    memcpy(buf, e->inst->arn.p, al);
    n = al;
    buf[n++] = '\n';
    memcpy(buf + n, e->attr->name.p, nl);
    return n + nl;
}

ecs_status ecs_act__list_attributes(ecs_req *r)
{
    ecs_cluster *c;
    char key[ECS_TOKEN_KEY_MAX], ekey[ECS_TOKEN_KEY_MAX];
    size_t max, key_len, n = 0, total = 0, bytes, i = 0, emitted = 0, nl = 0, vl = 0;
    bool has_key;
    const char *name = ecs_req__str(r, r->root, "attributeName", &nl);
    const char *value = ecs_req__str(r, r->root, "attributeValue", &vl);
    entry *entries;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (value != NULL && name == NULL)
        return FAIL_IP(r, "attributeValue can only be given together with attributeName.");
    if ((rc = ecs_req__page(r, 100, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    for (size_t j = 0; j < c->ninstances; j++)
        total += c->instances[j]->nattrs;
    bytes = (total + 1) * sizeof *entries;
    entries = ecs_ctx__alloc(r->ctx, bytes);
    if (entries == NULL)
        return ecs_req__nomem(r);
    for (size_t j = 0; j < c->ninstances; j++) {
        const ecs_instance *inst = c->instances[j];
        if (inst->status == ECS_INST_INACTIVE)
            continue;
        for (size_t k = 0; k < inst->nattrs; k++) {
            const ecs_attr *a = &inst->attrs[k];
            if (name != NULL && !ecs_str__eq(&a->name, name, nl))
                continue;
            if (value != NULL && !ecs_str__eq(&a->value, value, vl))
                continue;
            entries[n].inst = inst;
            entries[n].attr = a;
            n++;
        }
    }
    qsort(entries, n, sizeof *entries, cmp_entry);
    while (has_key && i < n) {
        size_t el = entry_key(&entries[i], ekey);
        size_t m = el < key_len ? el : key_len;
        int cmp = memcmp(ekey, key, m);
        if (cmp > 0 || (cmp == 0 && el > key_len))
            break;
        i++;
    }
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "attributes", 10);
    ecs_json_write_arr_begin(r->w);
    for (; i < n && emitted < max; i++, emitted++) {
        const entry *e = &entries[i];
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "name", 4);
        ecs_json_write_str(r->w, ecs_str__c(&e->attr->name), e->attr->name.len);
        if (e->attr->value.len > 0) {
            ecs_json_write_key(r->w, "value", 5);
            ecs_json_write_str(r->w, e->attr->value.p, e->attr->value.len);
        }
        ecs_json_write_key(r->w, "targetType", 10);
        ecs_json_write_str(r->w, "container-instance", 18);
        ecs_json_write_key(r->w, "targetId", 8);
        ecs_json_write_str(r->w, ecs_str__c(&e->inst->arn), e->inst->arn.len);
        ecs_json_write_obj_end(r->w);
    }
    ecs_json_write_arr_end(r->w);
    if (i < n) {
        size_t el = entry_key(&entries[i - 1], ekey);
        ecs_req__write_token(r, ekey, el);
    }
    ecs_ctx__release(r->ctx, entries, bytes);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}
