/*
 * The two rewrites of a RegisterTaskDefinition request:
 *
 * ecs_taskdef__strip_readonly() turns pasted describe output into a request
 * (lenient mode): unwrap {"taskDefinition": {...}}, drop the read-only
 * members, drop null members at any depth. ecs_taskdef__strip_nulls() only
 * drops null members (strict mode, where the shape check has refused them
 * already: it makes sure the rule passes and td->doc see the same thing).
 *
 * ecs_taskdef__build_doc() writes the normalised definition kept in
 * td->doc, with the choices listed at the top of taskdef_codec.c, and holds
 * its compact text to the 64 KiB limit. It drops null members as well
 * (the readers treat them as absent; after the shape check there are none),
 * so the stored definition never holds a null member.
 *
 * Both write through an ecs_json_writer and parse the text back, so the
 * result is an ordinary immutable document from the context's allocator.
 * The copy recurses only over the first levels (the API's shapes are at
 * most seven deep); anything deeper is copied by ecs_json_write_val(),
 * which does not recurse, so no input can exhaust the stack.
 */
#include <stdio.h>
#include <string.h>

#include "model/taskdef_internal.h"

#define STRIP_MAX_DEPTH 32u

static bool name_is(const char *k, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(k, lit, n) == 0;
}

/* Writer text -> document; the writer is freed. */
static ecs_status finish(ecs_ctx *ctx, ecs_json_writer *w, size_t limit, size_t *out_len,
                         ecs_json_doc **out)
{
    const char *text = NULL;
    size_t len = 0;
    ecs_status rc = ecs_json_writer_result(w, &text, &len);

    if (rc == ECS_OK && limit != 0 && len > limit) {
        *out_len = len;
        rc = ECS_E_LIMIT;
    } else if (rc == ECS_OK) {
        rc = ecs_json_parse(ctx, text, len, NULL, out);
    }
    ecs_json_writer_free(w);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Lenient preprocessing                                                     */

/* Copy v without null members; at the top (top), also without the
 * read-only describe members, adding wrapper_tags when there are no tags. */
static void copy_stripped(ecs_json_writer *w, const ecs_json_doc *doc, const ecs_json_val *v,
                          unsigned depth, bool top, const ecs_json_val *wrapper_tags)
{
    const ecs_json_val *k, *e;
    bool has_tags = false;

    if (depth >= STRIP_MAX_DEPTH) {
        ecs_json_write_val(w, doc, v);
        return;
    }
    switch (ecs_json_type_of(v)) {
    case ECS_JSON_OBJECT:
        ecs_json_write_obj_begin(w);
        for (k = ecs_json_first(v); k != NULL; k = ecs_json_next(v, e)) {
            size_t n = 0;
            const char *name = ecs_json_str(doc, k, &n);
            e = ecs_json_next(v, k);
            if (name == NULL || ecs_json_type_of(e) == ECS_JSON_NULL)
                continue;
            if (top && ecs_taskdef__is_readonly(name, n))
                continue;
            if (top && name_is(name, n, "tags"))
                has_tags = true;
            ecs_json_write_key(w, name, n);
            copy_stripped(w, doc, e, depth + 1, false, NULL);
        }
        if (top && !has_tags && wrapper_tags != NULL) {
            ecs_json_write_key(w, "tags", 4);
            copy_stripped(w, doc, wrapper_tags, depth + 1, false, NULL);
        }
        ecs_json_write_obj_end(w);
        break;
    case ECS_JSON_ARRAY:
        ecs_json_write_arr_begin(w);
        for (e = ecs_json_first(v); e != NULL; e = ecs_json_next(v, e))
            copy_stripped(w, doc, e, depth + 1, false, NULL);
        ecs_json_write_arr_end(w);
        break;
    case ECS_JSON_NULL:
    case ECS_JSON_FALSE:
    case ECS_JSON_TRUE:
    case ECS_JSON_INT:
    case ECS_JSON_DOUBLE:
    case ECS_JSON_STRING:
        ecs_json_write_val(w, doc, v);
        break;
    }
}

/* {"taskDefinition": {...}} with at most "tags" beside it. */
static const ecs_json_val *unwrap(const ecs_json_doc *doc, const ecs_json_val *req,
                                  const ecs_json_val **tags)
{
    const ecs_json_val *inner = ecs_json_obj_get(doc, req, "taskDefinition", 14), *k;

    *tags = NULL;
    if (ecs_json_type_of(inner) != ECS_JSON_OBJECT)
        return NULL;
    for (k = ecs_json_first(req); k != NULL; k = ecs_json_next(req, ecs_json_next(req, k))) {
        size_t n = 0;
        const char *name = ecs_json_str(doc, k, &n);
        if (name == NULL || (!name_is(name, n, "taskDefinition") && !name_is(name, n, "tags")))
            return NULL;
    }
    *tags = ecs_json_obj_get(doc, req, "tags", 4);
    if (ecs_json_type_of(*tags) == ECS_JSON_NULL)
        *tags = NULL;
    return inner;
}

static ecs_status strip(ecs_ctx *ctx, const ecs_json_doc *doc, const ecs_json_val *req,
                        bool describe, ecs_json_doc **out)
{
    ecs_json_writer *w = NULL;
    const ecs_json_val *src = req, *inner, *tags = NULL;
    ecs_json_doc *result = NULL;
    size_t unused = 0;
    ecs_status rc;

    if (ctx == NULL || doc == NULL || req == NULL || out == NULL)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_taskdef__strip_readonly: NULL argument");
    if ((rc = ecs_json_writer_new(ctx, 0, &w)) != ECS_OK)
        return rc;
    if (describe && ecs_json_type_of(req) == ECS_JSON_OBJECT &&
        (inner = unwrap(doc, req, &tags)) != NULL)
        src = inner;
    if (ecs_json_type_of(src) == ECS_JSON_OBJECT)
        copy_stripped(w, doc, src, 0, describe, tags);
    else
        ecs_json_write_val(w, doc, src);
    rc = finish(ctx, w, 0, &unused, &result);
    if (rc == ECS_OK)
        *out = result;
    return rc;
}

ecs_status ecs_taskdef__strip_readonly(ecs_ctx *ctx, const ecs_json_doc *doc,
                                       const ecs_json_val *req, ecs_json_doc **out)
{
    return strip(ctx, doc, req, true, out);
}

ecs_status ecs_taskdef__strip_nulls(ecs_ctx *ctx, const ecs_json_doc *doc, const ecs_json_val *req,
                                    ecs_json_doc **out)
{
    return strip(ctx, doc, req, false, out);
}

/* ------------------------------------------------------------------------ */
/* The normalised definition                                                 */

/* Only the last member of a repeated name counts (as for ecs_json_obj_get),
 * and null members count as absent. */
static const char *member_name(const ecs_json_doc *doc, const ecs_json_val *obj,
                               const ecs_json_val *k, size_t *n)
{
    const char *name = ecs_json_str(doc, k, n);
    const ecs_json_val *v = ecs_json_next(obj, k);

    if (name == NULL || ecs_json_type_of(v) == ECS_JSON_NULL ||
        ecs_json_obj_get(doc, obj, name, *n) != v)
        return NULL;
    return name;
}

static void write_uint_str(ecs_json_writer *w, uint32_t v)
{
    char buf[16];
    int n = snprintf(buf, sizeof buf, "%u", (unsigned)v);
    ecs_json_write_str(w, buf, n > 0 ? (size_t)n : 0);
}

static void key(ecs_json_writer *w, const char *k)
{
    ecs_json_write_key(w, k, strlen(k));
}

static void empty_list(ecs_json_writer *w, const char *k)
{
    key(w, k);
    ecs_json_write_arr_begin(w);
    ecs_json_write_arr_end(w);
}

static void write_port(ecs_json_writer *w, const ecs_tdscan *s, const ecs_taskdef *td,
                       const ecs_json_val *m, const ecs_port_mapping *port)
{
    const ecs_json_val *k;
    bool has_host = false, has_proto = false;
    bool same_port = td->network_mode == ECS_NET_AWSVPC || td->network_mode == ECS_NET_HOST;
    bool has_cp = ecs_taskdef__get(s->doc, m, "containerPort") != NULL;

    ecs_json_write_obj_begin(w);
    for (k = ecs_json_first(m); k != NULL; k = ecs_json_next(m, ecs_json_next(m, k))) {
        size_t n = 0;
        const char *name = member_name(s->doc, m, k, &n);
        if (name == NULL)
            continue;
        ecs_json_write_key(w, name, n);
        if (name_is(name, n, "hostPort")) {
            has_host = true;
            if (same_port && has_cp) {
                ecs_json_write_uint(w, port->host_port);
                continue;
            }
        } else if (name_is(name, n, "protocol")) {
            has_proto = true;
        }
        copy_stripped(w, s->doc, ecs_json_next(m, k), 3, false, NULL);
    }
    if (!has_host && has_cp) {
        key(w, "hostPort");
        ecs_json_write_uint(w, port->host_port);
    }
    if (!has_proto) {
        key(w, "protocol");
        ecs_json_write_str(w, "tcp", 3);
    }
    ecs_json_write_obj_end(w);
}

static void write_health(ecs_json_writer *w, const ecs_tdscan *s, const ecs_json_val *h)
{
    static const struct {
        char name[12];
        int64_t value;
    } defaults[] = { { "interval", 30 }, { "timeout", 5 }, { "retries", 3 } };
    const ecs_json_val *k;
    size_t i;

    ecs_json_write_obj_begin(w);
    for (k = ecs_json_first(h); k != NULL; k = ecs_json_next(h, ecs_json_next(h, k))) {
        size_t n = 0;
        const char *name = member_name(s->doc, h, k, &n);
        if (name == NULL)
            continue;
        ecs_json_write_key(w, name, n);
        copy_stripped(w, s->doc, ecs_json_next(h, k), 3, false, NULL);
    }
    for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (ecs_taskdef__get(s->doc, h, defaults[i].name) == NULL) {
            key(w, defaults[i].name);
            ecs_json_write_int(w, defaults[i].value);
        }
    ecs_json_write_obj_end(w);
}

static void write_container(ecs_json_writer *w, const ecs_tdscan *s, const ecs_taskdef *td,
                            size_t i)
{
    static const char lists[][16] = { "portMappings", "environment", "mountPoints",
                                         "volumesFrom" };
    const ecs_json_val *c = s->cobj[i], *k;
    const ecs_container_def *cd = &td->containers[i];
    size_t j;

    ecs_json_write_obj_begin(w);
    for (k = ecs_json_first(c); k != NULL; k = ecs_json_next(c, ecs_json_next(c, k))) {
        size_t n = 0;
        const char *name = member_name(s->doc, c, k, &n);
        const ecs_json_val *v = ecs_json_next(c, k);
        if (name == NULL)
            continue;
        ecs_json_write_key(w, name, n);
        if (name_is(name, n, "portMappings") && ecs_json_type_of(v) == ECS_JSON_ARRAY) {
            const ecs_json_val *m;
            ecs_json_write_arr_begin(w);
            for (m = ecs_json_first(v), j = 0; m != NULL && j < cd->nports;
                 m = ecs_json_next(v, m), j++)
                write_port(w, s, td, m, &cd->ports[j]);
            ecs_json_write_arr_end(w);
        } else if (name_is(name, n, "healthCheck") && ecs_json_type_of(v) == ECS_JSON_OBJECT) {
            write_health(w, s, v);
        } else {
            copy_stripped(w, s->doc, v, 2, false, NULL);
        }
    }
    if (ecs_taskdef__get(s->doc, c, "cpu") == NULL) {
        key(w, "cpu");
        ecs_json_write_int(w, 0);
    }
    if (ecs_taskdef__get(s->doc, c, "essential") == NULL) {
        key(w, "essential");
        ecs_json_write_bool(w, cd->essential);
    }
    for (j = 0; j < sizeof lists / sizeof lists[0]; j++)
        if (ecs_taskdef__get(s->doc, c, lists[j]) == NULL)
            empty_list(w, lists[j]);
    ecs_json_write_obj_end(w);
}

static void write_definition(ecs_json_writer *w, const ecs_tdscan *s, const ecs_taskdef *td)
{
    const ecs_json_val *req = s->req, *k;
    size_t i;

    ecs_json_write_obj_begin(w);
    for (k = ecs_json_first(req); k != NULL; k = ecs_json_next(req, ecs_json_next(req, k))) {
        size_t n = 0;
        const char *name = member_name(s->doc, req, k, &n);
        const ecs_json_val *v = ecs_json_next(req, k);
        if (name == NULL || ecs_taskdef__is_readonly(name, n))
            continue;
        ecs_json_write_key(w, name, n);
        if (name_is(name, n, "cpu") && td->cpu != 0) {
            write_uint_str(w, td->cpu);
        } else if (name_is(name, n, "memory") && td->memory_mib != 0) {
            write_uint_str(w, td->memory_mib);
        } else if (name_is(name, n, "containerDefinitions")) {
            ecs_json_write_arr_begin(w);
            for (i = 0; i < td->ncontainers; i++)
                write_container(w, s, td, i);
            ecs_json_write_arr_end(w);
        } else {
            copy_stripped(w, s->doc, v, 1, false, NULL);
        }
    }
    if (ecs_taskdef__get(s->doc, req, "volumes") == NULL)
        empty_list(w, "volumes");
    if (ecs_taskdef__get(s->doc, req, "placementConstraints") == NULL)
        empty_list(w, "placementConstraints");
    ecs_json_write_obj_end(w);
}

ecs_status ecs_taskdef__build_doc(const ecs_tdscan *s, ecs_taskdef *td)
{
    ecs_json_writer *w = NULL;
    ecs_json_doc *doc = NULL;
    size_t len = 0;
    ecs_status rc = ecs_json_writer_new(s->ctx, 0, &w);

    if (rc == ECS_OK) {
        write_definition(w, s, td);
        rc = finish(s->ctx, w, ECS_TASKDEF_MAX_BYTES, &len, &doc);
    }
    if (rc == ECS_OK) {
        td->doc = doc;
        return ECS_OK;
    }
    if (rc == ECS_E_NOMEM)
        return ecs_taskdef__nomem(s);
    if (len > ECS_TASKDEF_MAX_BYTES)
        return ecs_taskdef__limit(s,
                                  "The task definition is too large: %zu bytes of JSON once "
                                  "normalised; the limit is %u bytes.",
                                  len, ECS_TASKDEF_MAX_BYTES);
    return ecs_taskdef__invalid(s, "%s", ecs_ctx_errmsg(s->ctx));
}
