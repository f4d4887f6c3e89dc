/*
 * Reading a parsed document: types, iteration, member lookup and scalar
 * access over the slot layout described in json_internal.h.
 */
#include <string.h>

#include "json/json_internal.h"

void ecs_json_doc_free(ecs_json_doc *doc)
{
    if (doc == NULL)
        return;
    ecs_ctx *ctx = doc->ctx;
    ecs_ctx__release(ctx, doc->slots, doc->slots_cap * sizeof(ecs_json_val));
    ecs_ctx__release(ctx, doc->pool, doc->pool_cap);
    ecs_ctx__release(ctx, doc->lazy, doc->lazy_cap * sizeof(ecs_json_lazy));
    ecs_ctx__release(ctx, doc, sizeof *doc);
}

const ecs_json_val *ecs_json_root(const ecs_json_doc *doc)
{
    return (doc == NULL || doc->nslots == 0) ? NULL : &doc->slots[0];
}

size_t ecs_json_doc_memory(const ecs_json_doc *doc)
{
    if (doc == NULL)
        return 0;
    return sizeof *doc + doc->slots_cap * sizeof(ecs_json_val) + doc->pool_cap +
           doc->lazy_cap * sizeof(ecs_json_lazy);
}

size_t ecs_json__elements(const ecs_json_val *arr, const ecs_json_val **out, size_t max)
{
    const ecs_json_val *v;
    size_t n;
    if (arr == NULL || JV_TYPE(arr) != ECS_JSON_ARRAY)
        return 0;
    n = (size_t)(arr->w >> 3);
    v = arr + 2;
    for (size_t i = 0; i < n && i < max; i++) {
        out[i] = v;
        v += ecs_json__slots_of(v);
    }
    return n;
}

const ecs_json_lazy *ecs_json__lazy_of(const ecs_json_doc *doc, const ecs_json_val *val)
{
    size_t lo = 0, hi, idx;
    if (doc == NULL || val == NULL || doc->nlazy == 0 || val < doc->slots ||
        val >= doc->slots + doc->nslots)
        return NULL;
    idx = (size_t)(val - doc->slots);
    hi = doc->nlazy;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc->lazy[mid].slot < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < doc->nlazy && doc->lazy[lo].slot == idx ? &doc->lazy[lo] : NULL;
}

ecs_json_type ecs_json_type_of(const ecs_json_val *val)
{
    return val == NULL ? ECS_JSON_NULL : JV_TYPE(val);
}

const char *ecs_json_type_name(ecs_json_type type)
{
    switch (type) {
    case ECS_JSON_NULL: return "null";
    case ECS_JSON_FALSE:
    case ECS_JSON_TRUE: return "boolean";
    case ECS_JSON_INT: return "integer";
    case ECS_JSON_DOUBLE: return "number";
    case ECS_JSON_STRING: return "string";
    case ECS_JSON_ARRAY: return "array";
    case ECS_JSON_OBJECT: return "object";
    }
    return "unknown";
}

static bool is_container(const ecs_json_val *v)
{
    return v != NULL && (JV_TYPE(v) == ECS_JSON_ARRAY || JV_TYPE(v) == ECS_JSON_OBJECT);
}

size_t ecs_json_len(const ecs_json_val *val)
{
    return is_container(val) ? (size_t)(val->w >> 3) : 0;
}

const ecs_json_val *ecs_json_first(const ecs_json_val *container)
{
    if (!is_container(container) || container[1].w == 0)
        return NULL;
    return container + 2;
}

const ecs_json_val *ecs_json_next(const ecs_json_val *container, const ecs_json_val *val)
{
    const ecs_json_val *end, *next;
    if (!is_container(container) || val == NULL)
        return NULL;
    end = container + 2 + container[1].w;
    if (val < container + 2 || val >= end)
        return NULL;
    next = val + ecs_json__slots_of(val);
    return next < end ? next : NULL;
}

const ecs_json_val *ecs_json_arr_get(const ecs_json_val *arr, size_t index)
{
    const ecs_json_val *v;
    if (arr == NULL || JV_TYPE(arr) != ECS_JSON_ARRAY || index >= ecs_json_len(arr))
        return NULL;
    v = arr + 2;
    while (index-- > 0)
        v += ecs_json__slots_of(v);
    return v;
}

static const char *str_of(const ecs_json_doc *doc, const ecs_json_val *v, size_t *len)
{
    *len = (size_t)((v->w >> 3) & 0x1FFFFFFFu);
    return doc->pool + (v->w >> 32);
}

const ecs_json_val *ecs_json_obj_get(const ecs_json_doc *doc, const ecs_json_val *obj,
                                     const char *key, size_t key_len)
{
    const ecs_json_val *v, *end, *found = NULL;
    if (doc == NULL || obj == NULL || JV_TYPE(obj) != ECS_JSON_OBJECT ||
        (key == NULL && key_len != 0))
        return NULL;
    v = obj + 2;
    end = v + obj[1].w;
    while (v < end) {
        size_t len;
        const char *name = str_of(doc, v, &len);
        const ecs_json_val *value = v + 1;
        if (len == key_len && (len == 0 || memcmp(name, key, len) == 0))
            found = value; /* keep looking: the last duplicate wins */
        v = value + ecs_json__slots_of(value);
    }
    return found;
}

const char *ecs_json_str(const ecs_json_doc *doc, const ecs_json_val *val, size_t *out_len)
{
    size_t len;
    const char *s;
    if (doc == NULL || val == NULL || JV_TYPE(val) != ECS_JSON_STRING)
        return NULL;
    s = str_of(doc, val, &len);
    if (out_len != NULL)
        *out_len = len;
    return s;
}

bool ecs_json_is_true(const ecs_json_val *val)
{
    return val != NULL && JV_TYPE(val) == ECS_JSON_TRUE;
}

static int64_t inline_int(uint64_t w)
{
    uint64_t u = w >> 4;
    if (u & ((uint64_t)1 << 59))
        u |= ~(((uint64_t)1 << 60) - 1); /* sign-extend the 60-bit value */
    return (int64_t)u;
}

ecs_status ecs_json_get_int(const ecs_json_val *val, int64_t *out)
{
    if (val == NULL || out == NULL)
        return ECS_E_INVALID_ARG;
    if (JV_TYPE(val) == ECS_JSON_INT) {
        *out = (val->w & JV_FLAG) ? (int64_t)val[1].w : inline_int(val->w);
        return ECS_OK;
    }
    if (JV_TYPE(val) == ECS_JSON_DOUBLE && (val->w & JV_FLAG))
        return ECS_E_LIMIT;
    return ECS_E_INVALID_ARG;
}

ecs_status ecs_json_get_double(const ecs_json_val *val, double *out)
{
    int64_t i;
    if (val == NULL || out == NULL)
        return ECS_E_INVALID_ARG;
    if (JV_TYPE(val) == ECS_JSON_DOUBLE) {
        memcpy(out, &val[1].w, sizeof *out);
        return ECS_OK;
    }
    if (ecs_json_get_int(val, &i) == ECS_OK) {
        *out = (double)i;
        return ECS_OK;
    }
    return ECS_E_INVALID_ARG;
}
