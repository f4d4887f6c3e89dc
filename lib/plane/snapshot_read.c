/*
 * ecs_plane_restore(): a plane from a snapshot (format in
 * snapshot_write.c). Every member is checked — type, range, references
 * between objects (a task's family, revision and instance; duplicate ids)
 * — and anything damaged or foreign is refused with ECS_E_PARSE and a
 * message naming the member by its path; nothing is returned then. What
 * can be derived is not trusted from the document but computed again:
 * remaining resources, task counts, held ports, revision references.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"
#include "plane/plane_internal.h"

typedef struct rd {
    ecs_ctx *ctx;
    const ecs_json_doc *doc;
    ecs_path path;
    ecs_status rc;
} rd;

static bool bad(rd *r, const char *what)
{
    if (r->rc == ECS_OK)
        r->rc = ecs_ctx__fail(r->ctx, ECS_E_PARSE, "snapshot: %s%s%s", ecs_path__str(&r->path),
                              r->path.len > 0 ? ": " : "", what);
    return false;
}

static bool nomem(rd *r)
{
    if (r->rc == ECS_OK)
        r->rc = ECS_E_NOMEM;
    return false;
}

static const ecs_json_val *member(rd *r, const ecs_json_val *obj, const char *key)
{
    return ecs_json_obj_get(r->doc, obj, key, strlen(key));
}

static bool get_int(rd *r, const ecs_json_val *obj, const char *key, int64_t lo, int64_t hi,
                    bool required, int64_t *out)
{
    const ecs_json_val *v = member(r, obj, key);
    size_t mark;
    int64_t x;
    bool ok;
    if (v == NULL) {
        if (!required) {
            *out = 0;
            return true;
        }
        mark = ecs_path__key(&r->path, key, strlen(key));
        ok = bad(r, "missing");
        ecs_path__pop(&r->path, mark);
        return ok;
    }
    mark = ecs_path__key(&r->path, key, strlen(key));
    ok = ecs_json_get_int(v, &x) == ECS_OK && x >= lo && x <= hi;
    if (!ok)
        bad(r, "expected an integer in range");
    else
        *out = x;
    ecs_path__pop(&r->path, mark);
    return ok;
}

static bool get_str(rd *r, const ecs_json_val *obj, const char *key, bool required, ecs_str *out)
{
    const ecs_json_val *v = member(r, obj, key);
    size_t n = 0, mark;
    const char *s;
    out->p = NULL;
    out->len = 0;
    if (v == NULL) {
        if (!required)
            return true;
        mark = ecs_path__key(&r->path, key, strlen(key));
        bad(r, "missing");
        ecs_path__pop(&r->path, mark);
        return false;
    }
    s = ecs_json_str(r->doc, v, &n);
    if (s == NULL) {
        mark = ecs_path__key(&r->path, key, strlen(key));
        bad(r, "expected a string");
        ecs_path__pop(&r->path, mark);
        return false;
    }
    if (ecs_str__dup(r->ctx, out, s, n) != ECS_OK)
        return nomem(r);
    return true;
}

static bool get_hex(rd *r, const ecs_json_val *v, uint64_t *out)
{
    size_t n = 0;
    const char *s = ecs_json_str(r->doc, v, &n);
    uint64_t x = 0;
    if (s == NULL || n == 0 || n > 16)
        return bad(r, "expected 1 to 16 hex digits");
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return bad(r, "expected 1 to 16 hex digits");
        x = x * 16 + (uint64_t)d;
    }
    *out = x;
    return true;
}

static const ecs_json_val *get_arr(rd *r, const ecs_json_val *obj, const char *key, bool required)
{
    const ecs_json_val *v = member(r, obj, key);
    if (v == NULL && !required)
        return NULL;
    if (ecs_json_type_of(v) != ECS_JSON_ARRAY) {
        size_t mark = ecs_path__key(&r->path, key, strlen(key));
        bad(r, v == NULL ? "missing" : "expected an array");
        ecs_path__pop(&r->path, mark);
        return NULL;
    }
    return v;
}

static bool read_tags(rd *r, const ecs_json_val *obj, ecs_tags *out)
{
    const ecs_json_val *list = get_arr(r, obj, "tags", false);
    size_t i = 0;
    if (r->rc != ECS_OK)
        return false;
    if (list == NULL)
        return true;
    if (ecs_vec__reserve(r->ctx, (void **)&out->items, &out->cap, sizeof(ecs_tag), ecs_json_len(list)) != ECS_OK)
        return nomem(r);
    for (const ecs_json_val *t = ecs_json_first(list); t != NULL; t = ecs_json_next(list, t), i++) {
        size_t kl = 0, vl = 0;
        const char *k = ecs_json_str(r->doc, ecs_json_arr_get(t, 0), &kl);
        const char *v = ecs_json_str(r->doc, ecs_json_arr_get(t, 1), &vl);
        ecs_tag *tg = &out->items[out->n];
        if (k == NULL || v == NULL || ecs_json_len(t) != 2) {
            size_t mark = ecs_path__key(&r->path, "tags", 4);
            ecs_path__index(&r->path, i);
            bad(r, "expected [key, value]");
            ecs_path__pop(&r->path, mark);
            return false;
        }
        if (ecs_str__dup(r->ctx, &tg->key, k, kl) != ECS_OK)
            return nomem(r);
        if (ecs_str__dup(r->ctx, &tg->value, v, vl) != ECS_OK) {
            ecs_str__free(r->ctx, &tg->key);
            return nomem(r);
        }
        out->n++;
    }
    return true;
}

static bool read_ports(rd *r, const ecs_json_val *obj, const char *key, uint16_t **out, size_t *n)
{
    const ecs_json_val *list = get_arr(r, obj, key, false);
    size_t i = 0;
    if (r->rc != ECS_OK)
        return false;
    if (list == NULL || ecs_json_len(list) == 0)
        return true;
    if (ecs_json_len(list) > ECS_MAX_RESERVED_PORTS)
        return bad(r, "too many reserved ports");
    *out = ecs_ctx__alloc(r->ctx, ecs_json_len(list) * sizeof(uint16_t));
    if (*out == NULL)
        return nomem(r);
    *n = ecs_json_len(list);
    for (const ecs_json_val *p = ecs_json_first(list); p != NULL; p = ecs_json_next(list, p), i++) {
        int64_t v;
        if (ecs_json_get_int(p, &v) != ECS_OK || v < 1 || v > 65535)
            return bad(r, "a port is 1 to 65535");
        (*out)[i] = (uint16_t)v;
    }
    return true;
}

static bool read_instance(rd *r, ecs_plane *pl, ecs_cluster *c, const ecs_json_val *o,
                          ecs_instance **out)
{
    ecs_instance *in = ecs_ctx__alloc(r->ctx, sizeof *in);
    const ecs_json_val *attrs, *gpus;
    int64_t st = 0, conn = 0, at = 0, ver = 0, cpu = 0, mem = 0;
    size_t i = 0;
    if (in == NULL)
        return nomem(r);
    memset(in, 0, sizeof *in);
    *out = in; /* the caller frees it, whatever happens */
    if (!get_str(r, o, "id", true, &in->id) || !get_str(r, o, "ec2", false, &in->ec2_instance_id) ||
        !get_str(r, o, "az", false, &in->availability_zone) ||
        !get_str(r, o, "type", false, &in->instance_type) || !get_str(r, o, "ami", false, &in->ami_id) ||
        !get_str(r, o, "av", false, &in->agent_version) || !get_str(r, o, "ah", false, &in->agent_hash) ||
        !get_str(r, o, "dv", false, &in->docker_version) ||
        !get_int(r, o, "st", 0, ECS_INST_INACTIVE, true, &st) || !get_int(r, o, "conn", 0, 1, true, &conn) ||
        !get_int(r, o, "at", 0, INT64_MAX, true, &at) || !get_int(r, o, "ver", 0, INT64_MAX, true, &ver) ||
        !get_int(r, o, "cpu", 1, INT64_C(1) << 40, true, &cpu) ||
        !get_int(r, o, "mem", 1, INT64_C(1) << 40, true, &mem) ||
        !read_ports(r, o, "tcp", &in->ports_tcp, &in->nports_tcp) ||
        !read_ports(r, o, "udp", &in->ports_udp, &in->nports_udp) || !read_tags(r, o, &in->tags))
        return false;
    if (in->id.len != 32)
        return bad(r, "id: a container instance id has 32 hex digits");
    in->status = (ecs_instance_status)st;
    in->agent_connected = conn != 0;
    in->registered_at_ms = at;
    in->version = ver;
    in->cpu_total = in->cpu_remaining = cpu;
    in->mem_total = in->mem_remaining = mem;
    if (ecs_str__fmt(r->ctx, &in->arn, "arn:aws:ecs:%s:%s:container-instance/%s/%s",
                     ecs_str__c(&pl->region), ecs_str__c(&pl->account), ecs_str__c(&c->name),
                     ecs_str__c(&in->id)) != ECS_OK)
        return nomem(r);
    gpus = get_arr(r, o, "gpus", false);
    if (r->rc != ECS_OK)
        return false;
    if (gpus != NULL && ecs_json_len(gpus) > 0) {
        in->gpus = ecs_ctx__alloc(r->ctx, ecs_json_len(gpus) * sizeof(ecs_str));
        if (in->gpus == NULL)
            return nomem(r);
        memset(in->gpus, 0, ecs_json_len(gpus) * sizeof(ecs_str));
        in->ngpus = ecs_json_len(gpus);
        for (const ecs_json_val *g = ecs_json_first(gpus); g != NULL; g = ecs_json_next(gpus, g), i++) {
            size_t n = 0;
            const char *s = ecs_json_str(r->doc, g, &n);
            if (s == NULL)
                return bad(r, "gpus: expected strings");
            if (ecs_str__dup(r->ctx, &in->gpus[i], s, n) != ECS_OK)
                return nomem(r);
        }
    }
    attrs = get_arr(r, o, "attrs", true);
    if (attrs == NULL)
        return false;
    if (ecs_vec__reserve(r->ctx, (void **)&in->attrs, &in->attrs_cap, sizeof(ecs_attr), ecs_json_len(attrs)) != ECS_OK)
        return nomem(r);
    for (const ecs_json_val *a = ecs_json_first(attrs); a != NULL; a = ecs_json_next(attrs, a)) {
        size_t nl = 0, vl = 0;
        const char *name = ecs_json_str(r->doc, ecs_json_arr_get(a, 0), &nl);
        const char *value = ecs_json_str(r->doc, ecs_json_arr_get(a, 1), &vl);
        int64_t builtin = 0;
        ecs_attr *at_ = &in->attrs[in->nattrs];
        if (name == NULL || value == NULL || ecs_json_get_int(ecs_json_arr_get(a, 2), &builtin) != ECS_OK)
            return bad(r, "attrs: expected [name, value, builtin]");
        memset(at_, 0, sizeof *at_);
        if (ecs_str__dup(r->ctx, &at_->name, name, nl) != ECS_OK)
            return nomem(r);
        if (ecs_str__dup(r->ctx, &at_->value, value, vl) != ECS_OK) {
            ecs_str__free(r->ctx, &at_->name);
            return nomem(r);
        }
        at_->builtin = builtin != 0;
        in->nattrs++;
    }
    return true;
}

static ecs_instance *find_instance(const ecs_cluster *c, const ecs_str *id)
{
    return ecs_map__get(&c->instance_by_id, id->p, id->len);
}

/* The fields of a task's positional array (see snapshot_write.c). */
enum {
    TK_ID, TK_FAM, TK_REV, TK_INST, TK_LT, TK_GRP, TK_BY, TK_AZ, TK_LAST, TK_DES, TK_AT, TK_VER,
    TK_CPU, TK_MEM, TK_B, TK_OV, TK_ENI, TK_SUB, TK_IP, TK_PIP, TK_MAC, TK_TAGS, TK_COUNT
};
static const char *const k_task_keys[TK_COUNT] = { "id", "family", "revision", "instance",
                                                    "launchType", "group", "startedBy", "zone",
                                                    "lastStatus", "desiredStatus", "createdAt",
                                                    "version", "cpu", "memory", "bindings",
                                                    "overrides", "eni", "subnet", "ip", "publicIp",
                                                    "mac", "tags" };

static bool task_field_bad(rd *r, int k, const char *what)
{
    size_t mark = ecs_path__index(&r->path, (size_t)k);
    char msg[160];
    snprintf(msg, sizeof msg, "%s (%s)", what, k_task_keys[k]);
    bad(r, msg);
    ecs_path__pop(&r->path, mark);
    return false;
}

static bool task_str(rd *r, const ecs_json_val *v, int k, bool required, ecs_str *out)
{
    size_t n = 0;
    const char *s = ecs_json_str(r->doc, v, &n);
    out->p = NULL;
    out->len = 0;
    if (s == NULL)
        return task_field_bad(r, k, "expected a string");
    if (required && n == 0)
        return task_field_bad(r, k, "must not be empty");
    if (ecs_str__dup(r->ctx, out, s, n) != ECS_OK)
        return nomem(r);
    return true;
}

static bool task_int(rd *r, const ecs_json_val *v, int k, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t x;
    if (v == NULL || ecs_json_get_int(v, &x) != ECS_OK || x < lo || x > hi)
        return task_field_bad(r, k, "expected an integer in range");
    *out = x;
    return true;
}

/* "arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID" without printf. */
static ecs_status task_arn(ecs_ctx *ctx, const ecs_plane *pl, const ecs_cluster *c, ecs_task *t)
{
    const ecs_str *parts[4] = { &pl->region, &pl->account, &c->name, &t->id };
    static const char *const seps[5] = { "arn:aws:ecs:", ":", ":task/", "/", "" };
    size_t len = 0, k = 0;
    char *p;
    for (int i = 0; i < 5; i++)
        len += strlen(seps[i]) + (i < 4 ? parts[i]->len : 0);
    p = ecs_ctx__alloc(ctx, len + 1);
    if (p == NULL)
        return ECS_E_NOMEM;
    for (int i = 0; i < 5; i++) {
        size_t sl = strlen(seps[i]);
        memcpy(p + k, seps[i], sl);
        k += sl;
        if (i < 4 && parts[i]->len > 0) {
            memcpy(p + k, parts[i]->p, parts[i]->len);
            k += parts[i]->len;
        }
    }
    p[k] = '\0';
    t->arn.p = p;
    t->arn.len = k;
    return ECS_OK;
}

static bool read_task(rd *r, ecs_plane *pl, ecs_cluster *c, const ecs_json_val *o, ecs_task **out)
{
    const ecs_json_val *m[TK_COUNT];
    ecs_task *t = ecs_ctx__alloc(r->ctx, sizeof *t);
    const ecs_json_val *fam, *inst_v, *b, *ov;
    int64_t rev = 0, lt = 0, last = 0, des = 0, at = 0, ver = 0, cpu = 0, mem = 0;
    if (t == NULL)
        return nomem(r);
    memset(t, 0, sizeof *t);
    *out = t;
    t->cluster = c;
    memset(m, 0, sizeof m);
    if (ecs_json_type_of(o) != ECS_JSON_ARRAY || ecs_json_len(o) != TK_COUNT)
        return bad(r, "expected an array of 22 task fields");
    {
        int i = 0;
        for (const ecs_json_val *v = ecs_json_first(o); v != NULL && i < TK_COUNT; v = ecs_json_next(o, v))
            m[i++] = v;
    }
    if (!task_str(r, m[TK_ID], TK_ID, true, &t->id) ||
        !task_int(r, m[TK_REV], TK_REV, 1, ECS_MAX_REVISIONS, &rev) ||
        !task_int(r, m[TK_LT], TK_LT, 0, ECS_LAUNCH_EXTERNAL, &lt) ||
        !task_str(r, m[TK_GRP], TK_GRP, true, &t->group) ||
        !task_str(r, m[TK_BY], TK_BY, false, &t->started_by) ||
        !task_str(r, m[TK_AZ], TK_AZ, false, &t->az) ||
        !task_int(r, m[TK_LAST], TK_LAST, 0, ECS_TASK_STOPPED, &last) ||
        !task_int(r, m[TK_DES], TK_DES, 0, ECS_TASK_STOPPED, &des) ||
        !task_int(r, m[TK_AT], TK_AT, 0, INT64_MAX, &at) ||
        !task_int(r, m[TK_VER], TK_VER, 0, INT64_MAX, &ver) ||
        !task_int(r, m[TK_CPU], TK_CPU, 0, UINT32_MAX, &cpu) ||
        !task_int(r, m[TK_MEM], TK_MEM, 0, UINT32_MAX, &mem) ||
        !task_str(r, m[TK_ENI], TK_ENI, false, &t->eni_id) ||
        !task_str(r, m[TK_SUB], TK_SUB, false, &t->subnet_id) ||
        !task_str(r, m[TK_IP], TK_IP, false, &t->private_ip) ||
        !task_str(r, m[TK_PIP], TK_PIP, false, &t->public_ip) ||
        !task_str(r, m[TK_MAC], TK_MAC, false, &t->mac))
        return false;
    if (ecs_json_type_of(m[TK_TAGS]) != ECS_JSON_ARRAY)
        return task_field_bad(r, TK_TAGS, "expected an array");
    if (ecs_json_len(m[TK_TAGS]) > 0) {
        const ecs_json_val *list = m[TK_TAGS];
        if (ecs_vec__reserve(r->ctx, (void **)&t->tags.items, &t->tags.cap, sizeof(ecs_tag), ecs_json_len(list)) != ECS_OK)
            return nomem(r);
        for (const ecs_json_val *tg = ecs_json_first(list); tg != NULL; tg = ecs_json_next(list, tg)) {
            size_t kl = 0, vl = 0;
            const char *k = ecs_json_str(r->doc, ecs_json_arr_get(tg, 0), &kl);
            const char *v = ecs_json_str(r->doc, ecs_json_arr_get(tg, 1), &vl);
            ecs_tag *x = &t->tags.items[t->tags.n];
            if (k == NULL || v == NULL || ecs_json_len(tg) != 2)
                return task_field_bad(r, TK_TAGS, "expected [key, value] pairs");
            if (ecs_str__dup(r->ctx, &x->key, k, kl) != ECS_OK)
                return nomem(r);
            if (ecs_str__dup(r->ctx, &x->value, v, vl) != ECS_OK) {
                ecs_str__free(r->ctx, &x->key);
                return nomem(r);
            }
            t->tags.n++;
        }
    }
    t->launch_type = (ecs_launch_type)lt;
    t->last = (ecs_task_status)last;
    t->desired = (ecs_task_status)des;
    t->created_at_ms = at;
    t->version = ver;
    t->cpu = (uint32_t)cpu;
    t->memory_mib = (uint32_t)mem;
    fam = m[TK_FAM];
    {
        size_t fl = 0;
        const char *fs = ecs_json_str(r->doc, fam, &fl);
        bool found;
        size_t fi;
        if (fs == NULL)
            return task_field_bad(r, TK_FAM, "expected a string");
        fi = ecs_plane__family_find(pl, fs, fl, &found);
        if (!found)
            return task_field_bad(r, TK_FAM, "no such task definition family");
        t->family = pl->families[fi];
        for (size_t k = t->family->nrevs; k-- > 0;) {
            if (t->family->revs[k]->revision == rev) {
                t->rev = t->family->revs[k];
                break;
            }
        }
        if (t->rev == NULL)
            return task_field_bad(r, TK_REV, "no such revision");
    }
    inst_v = m[TK_INST];
    {
        size_t il = 0;
        const char *is = ecs_json_str(r->doc, inst_v, &il);
        if (is == NULL)
            return task_field_bad(r, TK_INST, "expected a string");
        if (il > 0) {
            t->inst = ecs_map__get(&c->instance_by_id, is, il);
            if (t->inst == NULL)
                return task_field_bad(r, TK_INST, "no such container instance in the cluster");
        }
    }
    if (task_arn(r->ctx, pl, c, t) != ECS_OK)
        return nomem(r);
    b = m[TK_B];
    if (ecs_json_type_of(b) != ECS_JSON_ARRAY)
        return task_field_bad(r, TK_B, "expected an array");
    if (b != NULL && ecs_json_len(b) > 0) {
        size_t i = 0;
        t->bindings = ecs_ctx__alloc(r->ctx, ecs_json_len(b) * sizeof(ecs_binding));
        if (t->bindings == NULL)
            return nomem(r);
        t->nbindings = ecs_json_len(b);
        for (const ecs_json_val *e = ecs_json_first(b); e != NULL; e = ecs_json_next(b, e), i++) {
            int64_t v[4];
            const ecs_json_val *x = ecs_json_first(e);
            for (size_t k = 0; k < 4; k++, x = ecs_json_next(e, x)) {
                if (x == NULL || ecs_json_get_int(x, &v[k]) != ECS_OK || v[k] < 0 || v[k] > 65535)
                    return task_field_bad(r, TK_B, "expected [containerPort, hostPort, flags, container]");
            }
            if ((size_t)v[3] >= t->rev->def->ncontainers)
                return task_field_bad(r, TK_B, "container index out of range");
            t->bindings[i].container_port = (uint16_t)v[0];
            t->bindings[i].host_port = (uint16_t)v[1];
            t->bindings[i].udp = (v[2] & 1) != 0;
            t->bindings[i].dynamic = (v[2] & 2) != 0;
            t->bindings[i].container = (uint16_t)v[3];
        }
    }
    ov = m[TK_OV];
    if (ecs_json_type_of(ov) != ECS_JSON_NULL) {
        char *text;
        size_t tl;
        if (ecs_json_type_of(ov) != ECS_JSON_OBJECT)
            return task_field_bad(r, TK_OV, "expected an object or null");
        if (ecs_json_write_text(r->ctx, r->doc, ov, 0, &text, &tl) != ECS_OK)
            return nomem(r);
        if (ecs_json_parse(r->ctx, text, tl, NULL, &t->overrides) != ECS_OK) {
            ecs_json_text_free(r->ctx, text, tl);
            return nomem(r);
        }
        ecs_json_text_free(r->ctx, text, tl);
    }
    return true;
}

static bool read_families(rd *r, ecs_plane *pl, const ecs_json_val *list)
{
    size_t i = 0;
    if (ecs_vec__reserve(r->ctx, (void **)&pl->families, &pl->families_cap, sizeof(ecs_family *), ecs_json_len(list)) != ECS_OK)
        return nomem(r);
    for (const ecs_json_val *fo = ecs_json_first(list); fo != NULL; fo = ecs_json_next(list, fo), i++) {
        size_t mark = ecs_path__key(&r->path, "families", 8), j = 0;
        ecs_family *f = ecs_ctx__alloc(r->ctx, sizeof *f);
        const ecs_json_val *revs;
        int64_t last = 0;
        ecs_path__index(&r->path, i);
        if (f == NULL)
            return nomem(r);
        memset(f, 0, sizeof *f);
        pl->families[pl->nfamilies++] = f;
        if (!get_str(r, fo, "name", true, &f->name) ||
            !get_int(r, fo, "last", 0, ECS_MAX_REVISIONS, true, &last))
            return false;
        f->last_revision = (uint32_t)last;
        if (pl->nfamilies > 1 && ecs_str__cmp(&pl->families[pl->nfamilies - 2]->name, &f->name) >= 0)
            return bad(r, "families must be sorted by name, without duplicates");
        revs = get_arr(r, fo, "revs", true);
        if (revs == NULL)
            return false;
        if (ecs_vec__reserve(r->ctx, (void **)&f->revs, &f->revs_cap, sizeof(ecs_revision *), ecs_json_len(revs)) != ECS_OK)
            return nomem(r);
        for (const ecs_json_val *ro = ecs_json_first(revs); ro != NULL; ro = ecs_json_next(revs, ro), j++) {
            size_t m2 = ecs_path__key(&r->path, "revs", 4);
            ecs_revision *rv = ecs_ctx__alloc(r->ctx, sizeof *rv);
            int64_t rev = 0, st = 0, at = 0, dat = 0;
            const ecs_json_val *def;
            ecs_api_error err;
            ecs_status rc;
            ecs_path__index(&r->path, j);
            if (rv == NULL)
                return nomem(r);
            memset(rv, 0, sizeof *rv);
            f->revs[f->nrevs++] = rv;
            if (!get_int(r, ro, "rev", 1, last, true, &rev) ||
                !get_int(r, ro, "st", 0, ECS_TD_DELETE_IN_PROGRESS, true, &st) ||
                !get_int(r, ro, "at", 0, INT64_MAX, true, &at) ||
                !get_int(r, ro, "dat", 0, INT64_MAX, true, &dat) || !read_tags(r, ro, &rv->tags))
                return false;
            if (f->nrevs > 1 && f->revs[f->nrevs - 2]->revision >= rev)
                return bad(r, "revisions must ascend");
            rv->revision = (uint32_t)rev;
            rv->status = (ecs_td_status)st;
            rv->registered_at_ms = at;
            rv->deregistered_at_ms = dat;
            def = member(r, ro, "def");
            err.code = "";
            err.message[0] = '\0';
            rc = ecs_json_type_of(def) == ECS_JSON_OBJECT
                     ? ecs_taskdef__from_request(r->ctx, &err, r->doc, def, 0, &rv->def)
                     : ECS_E_PARSE;
            if (rc == ECS_E_NOMEM)
                return nomem(r);
            if (rc != ECS_OK) {
                char msg[ECS_API_MSG_SIZE + 32];
                snprintf(msg, sizeof msg, "def: not a valid task definition (%s)", err.message);
                return bad(r, msg);
            }
            if (!ecs_str__eq(&rv->def->family, f->name.p, f->name.len))
                return bad(r, "def: the definition's family is not the family's name");
            if (ecs_str__fmt(r->ctx, &rv->arn, "arn:aws:ecs:%s:%s:task-definition/%s:%u",
                             ecs_str__c(&pl->region), ecs_str__c(&pl->account), ecs_str__c(&f->name),
                             (unsigned)rv->revision) != ECS_OK)
                return nomem(r);
            ecs_path__pop(&r->path, m2);
        }
        ecs_path__pop(&r->path, mark);
    }
    return true;
}

static bool read_cluster(rd *r, ecs_plane *pl, const ecs_json_val *co, ecs_cluster *c)
{
    const ecs_json_val *insts, *tasks, *tokens;
    int64_t active = 0, ci = 0;
    size_t j;
    if (!get_str(r, co, "name", true, &c->name) || !get_int(r, co, "active", 0, 1, true, &active) ||
        !get_int(r, co, "ci", 0, 1, true, &ci) || !read_tags(r, co, &c->tags))
        return false;
    c->active = active != 0;
    c->container_insights = ci != 0;
    c->engine_stale = true;
    if (ecs_str__fmt(r->ctx, &c->arn, "arn:aws:ecs:%s:%s:cluster/%s", ecs_str__c(&pl->region),
                     ecs_str__c(&pl->account), ecs_str__c(&c->name)) != ECS_OK)
        return nomem(r);
    insts = get_arr(r, co, "inst", true);
    tasks = get_arr(r, co, "tasks", true);
    tokens = get_arr(r, co, "tokens", false);
    if (insts == NULL || tasks == NULL || r->rc != ECS_OK)
        return false;
    if (ecs_vec__reserve(r->ctx, (void **)&c->instances, &c->instances_cap, sizeof(ecs_instance *), ecs_json_len(insts)) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->instance_by_id, ecs_json_len(insts)) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->instance_by_ec2, ecs_json_len(insts)) != ECS_OK ||
        ecs_vec__reserve(r->ctx, (void **)&c->tasks, &c->tasks_cap, sizeof(ecs_task *), ecs_json_len(tasks)) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->task_by_id, ecs_json_len(tasks)) != ECS_OK)
        return nomem(r);
    j = 0;
    for (const ecs_json_val *io = ecs_json_first(insts); io != NULL; io = ecs_json_next(insts, io), j++) {
        size_t mark = ecs_path__key(&r->path, "inst", 4);
        ecs_instance *in = NULL;
        bool ok;
        ecs_path__index(&r->path, j);
        ok = read_instance(r, pl, c, io, &in);
        if (in != NULL)
            c->instances[c->ninstances++] = in;
        if (!ok)
            return false;
        if (find_instance(c, &in->id) != NULL)
            return bad(r, "id: duplicate container instance");
        ecs_map__put(&c->instance_by_id, in->id.p, in->id.len, in);
        ecs_map__put(&c->instance_by_ec2, in->ec2_instance_id.p, in->ec2_instance_id.len, in);
        if (in->status != ECS_INST_INACTIVE)
            c->registered_instances++;
        ecs_path__pop(&r->path, mark);
    }
    j = 0;
    for (const ecs_json_val *to = ecs_json_first(tasks); to != NULL; to = ecs_json_next(tasks, to), j++) {
        size_t mark = ecs_path__key(&r->path, "tasks", 5);
        ecs_task *t = NULL;
        bool ok;
        ecs_path__index(&r->path, j);
        ok = read_task(r, pl, c, to, &t);
        if (!ok) {
            ecs_plane__task_free(r->ctx, t);
            return false;
        }
        if (!ecs_map__put_new(&c->task_by_id, t->id.p, t->id.len, t)) {
            ecs_plane__task_free(r->ctx, t);
            return bad(r, "id: duplicate task");
        }
        c->tasks[c->ntasks++] = t;
        t->rev->refs++;
        if (t->last == ECS_TASK_RUNNING)
            c->running_tasks++;
        if (t->last == ECS_TASK_PENDING)
            c->pending_tasks++;
        if (t->last != ECS_TASK_STOPPED && t->launch_type == ECS_LAUNCH_FARGATE)
            c->fargate_tasks++;
        if (t->inst != NULL && t->last != ECS_TASK_STOPPED) {
            ecs_instance *in = t->inst;
            size_t nstatic = 0;
            in->cpu_remaining -= t->cpu;
            in->mem_remaining -= t->memory_mib;
            if (t->desired == ECS_TASK_RUNNING)
                in->running_tasks++;
            if (t->last == ECS_TASK_PENDING)
                in->pending_tasks++;
            for (size_t p = 0; p < t->nbindings; p++)
                nstatic += !t->bindings[p].dynamic;
            if (ecs_vec__reserve(r->ctx, (void **)&in->held, &in->held_cap, sizeof(ecs_held_port), in->nheld + nstatic) != ECS_OK)
                return nomem(r);
            for (size_t p = 0; p < t->nbindings; p++) {
                if (!t->bindings[p].dynamic) {
                    in->held[in->nheld].port = t->bindings[p].host_port;
                    in->held[in->nheld].udp = t->bindings[p].udp;
                    in->nheld++;
                }
            }
        }
        ecs_path__pop(&r->path, mark);
    }
    j = 0;
    for (const ecs_json_val *ko = ecs_json_first(tokens); ko != NULL; ko = ecs_json_next(tokens, ko), j++) {
        size_t mark = ecs_path__key(&r->path, "tokens", 6), k = 0;
        ecs_token *t;
        const ecs_json_val *arns;
        ecs_path__index(&r->path, j);
        if (ecs_vec__reserve(r->ctx, (void **)&c->tokens, &c->tokens_cap, sizeof(ecs_token *), c->ntokens + 1) != ECS_OK)
            return nomem(r);
        t = ecs_ctx__alloc(r->ctx, sizeof *t);
        if (t == NULL)
            return nomem(r);
        memset(t, 0, sizeof *t);
        c->tokens[c->ntokens++] = t;
        if (!get_str(r, ko, "token", true, &t->token))
            return false;
        {
            size_t m2 = ecs_path__key(&r->path, "fp", 2);
            if (!get_hex(r, member(r, ko, "fp"), &t->fingerprint))
                return false;
            ecs_path__pop(&r->path, m2);
        }
        arns = get_arr(r, ko, "arns", true);
        if (arns == NULL)
            return false;
        if (ecs_json_len(arns) > 0) {
            t->task_arns = ecs_ctx__alloc(r->ctx, ecs_json_len(arns) * sizeof(ecs_str));
            if (t->task_arns == NULL)
                return nomem(r);
            memset(t->task_arns, 0, ecs_json_len(arns) * sizeof(ecs_str));
            t->ntasks = ecs_json_len(arns);
            for (const ecs_json_val *a = ecs_json_first(arns); a != NULL; a = ecs_json_next(arns, a), k++) {
                size_t n = 0;
                const char *s = ecs_json_str(r->doc, a, &n);
                if (s == NULL)
                    return bad(r, "arns: expected strings");
                if (ecs_str__dup(r->ctx, &t->task_arns[k], s, n) != ECS_OK)
                    return nomem(r);
            }
        }
        ecs_path__pop(&r->path, mark);
    }
    for (size_t i = 0; i < c->ninstances; i++) {
        if (c->instances[i]->cpu_remaining < 0 || c->instances[i]->mem_remaining < 0)
            return bad(r, "tasks reserve more than their instance has");
    }
    return true;
}

ecs_status ecs_plane_restore(ecs_ctx *ctx, const char *snapshot, size_t len, ecs_plane **out)
{
    ecs_json_parse_options po = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_plane_options opts = ECS_PLANE_OPTIONS_INIT;
    ecs_json_doc *doc = NULL;
    ecs_plane *pl = NULL;
    const ecs_json_val *root, *rng, *subnets, *families, *clusters;
    ecs_str region = { NULL, 0 }, account = { NULL, 0 }, format = { NULL, 0 };
    int64_t version = 0, flags = 0, now = 0, maxi = 0, flim = 0;
    uint64_t seed = 0;
    rd r;
    ecs_status rc;

    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || (snapshot == NULL && len != 0))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_plane_restore: %s is NULL",
                             out == NULL ? "out" : "snapshot");
    po.max_bytes = ECS_MAX_JSON_BYTES;
    rc = ecs_json_parse(ctx, snapshot, len, &po, &doc);
    if (rc != ECS_OK)
        return rc == ECS_E_NOMEM ? rc : ecs_ctx__fail(ctx, ECS_E_PARSE, "snapshot: not JSON: %s",
                                                      ecs_ctx_errmsg(ctx));
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.doc = doc;
    r.rc = ECS_OK;
    ecs_path__init(&r.path);
    root = ecs_json_root(doc);
    if (ecs_json_type_of(root) != ECS_JSON_OBJECT || !get_str(&r, root, "format", true, &format) ||
        !ecs_str__eq(&format, "libecs-snapshot", 15)) {
        if (r.rc != ECS_E_NOMEM) {
            r.rc = ECS_OK;
            bad(&r, "not a libecs snapshot (format is not \"libecs-snapshot\")");
        }
        goto done;
    }
    if (!get_int(&r, root, "version", 0, INT64_MAX, true, &version))
        goto done;
    if (version != ECS_SNAPSHOT_VERSION) {
        bad(&r, "a snapshot format version this libecs does not read");
        goto done;
    }
    rng = get_arr(&r, root, "rng", true);
    if (rng == NULL || ecs_json_len(rng) != 4 || !get_hex(&r, member(&r, root, "seed"), &seed) ||
        !get_str(&r, root, "region", true, &region) || !get_str(&r, root, "account", true, &account) ||
        !get_int(&r, root, "flags", 0, ECS_PLANE_F_LENIENT_TASKDEF, true, &flags) ||
        !get_int(&r, root, "nowMs", 0, INT64_MAX, true, &now) ||
        !get_int(&r, root, "maxInstances", 1, UINT32_MAX, true, &maxi) ||
        !get_int(&r, root, "fargateLimit", 0, UINT32_MAX, true, &flim)) {
        bad(&r, "the header members are damaged");
        goto done;
    }
    opts.flags = (uint32_t)flags;
    opts.seed = seed;
    opts.region = ecs_str__c(&region);
    opts.account_id = ecs_str__c(&account);
    opts.start_ms = now;
    opts.max_instances_per_cluster = (uint32_t)maxi;
    if ((rc = ecs_plane_new(ctx, &opts, &pl)) != ECS_OK) {
        r.rc = rc == ECS_E_NOMEM ? rc : ecs_ctx__fail(ctx, ECS_E_PARSE, "snapshot: %s", ecs_ctx_errmsg(ctx));
        goto done;
    }
    pl->now_ms = now;
    pl->fargate_limit = (uint32_t)flim;
    for (size_t i = 0; i < 4; i++) {
        if (!get_hex(&r, ecs_json_arr_get(rng, i), &pl->rng.s[i]))
            goto done;
    }
    subnets = get_arr(&r, root, "subnets", true);
    families = get_arr(&r, root, "families", true);
    clusters = get_arr(&r, root, "clusters", true);
    if (subnets == NULL || families == NULL || clusters == NULL)
        goto done;
    if (ecs_vec__reserve(ctx, (void **)&pl->subnets, &pl->subnets_cap, sizeof(ecs_subnet), ecs_json_len(subnets)) != ECS_OK) {
        nomem(&r);
        goto done;
    }
    for (const ecs_json_val *so = ecs_json_first(subnets); so != NULL; so = ecs_json_next(subnets, so)) {
        ecs_subnet *sn = &pl->subnets[pl->nsubnets];
        int64_t next = 0;
        memset(sn, 0, sizeof *sn);
        pl->nsubnets++;
        if (!get_str(&r, so, "id", true, &sn->id) || !get_str(&r, so, "az", true, &sn->az) ||
            !get_int(&r, so, "next", 0, UINT32_MAX, true, &next))
            goto done;
        sn->next_host = (uint32_t)next;
    }
    if (!read_families(&r, pl, families))
        goto done;
    if (ecs_vec__reserve(ctx, (void **)&pl->clusters, &pl->clusters_cap, sizeof(ecs_cluster *), ecs_json_len(clusters)) != ECS_OK) {
        nomem(&r);
        goto done;
    }
    {
        size_t i = 0;
        for (const ecs_json_val *co = ecs_json_first(clusters); co != NULL; co = ecs_json_next(clusters, co), i++) {
            size_t mark = ecs_path__key(&r.path, "clusters", 8);
            ecs_cluster *c = ecs_ctx__alloc(ctx, sizeof *c);
            ecs_path__index(&r.path, i);
            if (c == NULL) {
                nomem(&r);
                goto done;
            }
            memset(c, 0, sizeof *c);
            pl->clusters[pl->nclusters++] = c;
            if (!read_cluster(&r, pl, co, c))
                goto done;
            ecs_path__pop(&r.path, mark);
        }
    }
done:
    ecs_str__free(ctx, &format);
    ecs_str__free(ctx, &region);
    ecs_str__free(ctx, &account);
    ecs_json_doc_free(doc);
    if (r.rc != ECS_OK) {
        ecs_plane_free(pl);
        if (r.rc == ECS_E_NOMEM)
            ecs_ctx__fail(ctx, ECS_E_NOMEM, "out of memory restoring a snapshot");
        return r.rc;
    }
    *out = pl;
    return ECS_OK;
}
