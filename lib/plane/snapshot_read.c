/*
 * ecs_plane_restore(): a plane from a snapshot (format in
 * snapshot_write.c). Every member is checked — type, range, references
 * between objects (a task's family, revision and instance; duplicate ids)
 * — and anything damaged or foreign is refused with ECS_E_PARSE and a
 * message naming the member by its path; nothing is returned then. What
 * can be derived is not trusted from the document but computed again:
 * remaining resources, task and order counts, held ports, revision
 * references (tasks' and deployments'), a service's live tasks.
 */
#include <stdio.h>
#include <string.h>

#include "util/api_error.h"
#include "json/json_lazy.h"
#include "plane/plane_internal.h"


typedef struct rd {
    ecs_ctx *ctx;
    const char *input;            /* the snapshot text (lazy lists read it) */
    const ecs_json_doc *doc;      /* the document values come from */
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

/*
 * A cluster's instances and tasks are most of a large snapshot: the parse
 * leaves them lazy (ecs_json__parse_lazy) and they are read one element at
 * a time, each parsed into the same small document, so the whole snapshot
 * is never held as a tree. While an element is being read, r->doc is its
 * document.
 */
static const char *const lazy_lists[] = { "inst", "tasks", NULL };
#define LAZY_LIST_DEPTH 3u /* members of clusters[i] */

typedef struct rd_list {
    const ecs_json_doc *outer;
    const ecs_json_lazy *lz;
    ecs_json_elems el;
    size_t count;
} rd_list;

static bool list_begin(rd *r, const ecs_json_val *arr, rd_list *l)
{
    memset(l, 0, sizeof *l);
    l->outer = r->doc;
    l->lz = ecs_json__lazy_of(r->doc, arr);
    if (l->lz == NULL)
        return bad(r, "expected an array");
    l->count = l->lz->count;
    if (ecs_json__elems_begin(r->ctx, r->input, l->lz, &l->el) != ECS_OK)
        return nomem(r);
    return true;
}

/* The next element in *out, or NULL after the last; false on a parse error. */
static bool list_next(rd *r, rd_list *l, const ecs_json_val **out)
{
    const ecs_json_doc *d = NULL;
    ecs_status rc = ecs_json__elems_next(&l->el, &d, out);
    r->doc = d;
    if (rc == ECS_E_NOMEM)
        return nomem(r);
    if (rc != ECS_OK) {
        if (r->rc == ECS_OK)
            r->rc = ecs_ctx__fail(r->ctx, ECS_E_PARSE, "snapshot: not JSON: %s",
                                  ecs_ctx_errmsg(r->ctx));
        return false;
    }
    return true;
}

static void list_end(rd *r, rd_list *l)
{
    ecs_json__elems_end(&l->el);
    r->doc = l->outer;
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
    const ecs_instance *prev = c->ninstances > 0 ? c->instances[c->ninstances - 1] : NULL;
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
        const ecs_attr *before = prev != NULL && in->nattrs < prev->nattrs ? &prev->attrs[in->nattrs] : NULL;
        if (name == NULL || value == NULL || ecs_json_get_int(ecs_json_arr_get(a, 2), &builtin) != ECS_OK)
            return bad(r, "attrs: expected [name, value, builtin]");
        memset(at_, 0, sizeof *at_);
        /* instances list the same names in the same order: share the
         * previous instance's well-known name without looking it up */
        if (before != NULL && before->name_static && before->name.len == nl &&
            memcmp(before->name.p, name, nl) == 0) {
            at_->name = before->name;
            at_->name_static = true;
        } else if (!ecs_plane__attr_name_ok(name, nl)) {
            /* (a well-known name, shared, is one by construction) */
            return bad(r, "attrs: an attribute name has 1 to 128 letters, digits and - _ / \\ .");
        } else if (ecs_plane__attr_set_name(r->ctx, at_, name, nl) != ECS_OK) {
            return nomem(r);
        }
        if (ecs_str__dup(r->ctx, &at_->value, value, vl) != ECS_OK) {
            ecs_plane__attr_free(r->ctx, at_);
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
    TK_CPU, TK_MEM, TK_B, TK_OV, TK_ENI, TK_SUB, TK_IP, TK_PIP, TK_MAC, TK_TAGS,
    TK_SVC, TK_DSEQ, TK_PULL0, TK_PULL1, TK_START, TK_STOPPING, TK_XSTOP, TK_STOPPED, TK_SREQ,
    TK_PROT, TK_SCODE, TK_SWHY, TK_STEXT, TK_HEALTH, TK_EVER, TK_ORD, TK_CONT, TK_LB, TK_COUNT
};
static const char *const k_task_keys[TK_COUNT] = { "id", "family", "revision", "instance",
                                                    "launchType", "group", "startedBy", "zone",
                                                    "lastStatus", "desiredStatus", "createdAt",
                                                    "version", "cpu", "memory", "bindings",
                                                    "overrides", "eni", "subnet", "ip", "publicIp",
                                                    "mac", "tags", "service", "deployment",
                                                    "pullStartedAt", "pullStoppedAt", "startedAt",
                                                    "stoppingAt", "executionStoppedAt",
                                                    "stoppedAt", "stopRequestedAt",
                                                    "protectedUntil", "stopCode", "stopWhy",
                                                    "stoppedReason", "health", "everRunning",
                                                    "orders", "containers", "more" };

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

/* One container's state: [last, health, hasExit, exitCode, reason, runtimeId]. */
static bool read_container_state(rd *r, const ecs_json_val *e, ecs_container_state *cs)
{
    const ecs_json_val *x[6];
    int64_t v[4];
    static const int64_t lo[4] = { 0, 0, 0, INT32_MIN };
    static const int64_t hi[4] = { ECS_TASK_STOPPED, ECS_HEALTH_UNHEALTHY, 1, INT32_MAX };
    if (ecs_json__elements(e, x, 6) != 6)
        return task_field_bad(r, TK_CONT, "expected [lastStatus, health, hasExit, exitCode, reason, runtimeId]");
    for (size_t k = 0; k < 4; k++) {
        if (ecs_json_get_int(x[k], &v[k]) != ECS_OK || v[k] < lo[k] || v[k] > hi[k])
            return task_field_bad(r, TK_CONT, "a container's status, health or exit is out of range");
    }
    cs->last = (ecs_task_status)v[0];
    cs->health = (ecs_health)v[1];
    cs->has_exit = v[2] != 0;
    cs->exit_code = (int32_t)v[3];
    for (size_t k = 4; k < 6; k++) {
        size_t sl = 0;
        const char *str = ecs_json_str(r->doc, x[k], &sl);
        if (str == NULL)
            return task_field_bad(r, TK_CONT, "a container's reason and runtime id are strings");
        if (ecs_str__dup(r->ctx, k == 4 ? &cs->reason : &cs->runtime_id, str, sl) != ECS_OK)
            return nomem(r);
    }
    return true;
}

/* The fields from TK_SVC on: service, lifecycle times, stop, health,
 * orders and the containers' states. t->rev is set. */
static bool read_task_lifecycle(rd *r, ecs_cluster *c, ecs_task *t, const ecs_json_val *const *m)
{
    int64_t svc = 0, dseq = 0, ts[8], code = 0, why = 0, health = 0, ever = 0, ord = 0;
    const ecs_json_val *cl;
    size_t i = 0;
    if (!task_int(r, m[TK_SVC], TK_SVC, -1, (int64_t)c->nservices - 1, &svc) ||
        !task_int(r, m[TK_DSEQ], TK_DSEQ, svc < 0 ? 0 : 1,
                  svc < 0 ? 0 : (int64_t)c->services[svc]->next_dep_seq - 1, &dseq))
        return false;
    for (int k = TK_PULL0; k <= TK_PROT; k++) {
        if (!task_int(r, m[k], k, 0, INT64_MAX, &ts[k - TK_PULL0]))
            return false;
    }
    if (!task_int(r, m[TK_SCODE], TK_SCODE, 0, ECS_STOP_TERMINATION_NOTICE, &code) ||
        !task_int(r, m[TK_SWHY], TK_SWHY, 0, ECS_WHY_TARGET_UNHEALTHY, &why) ||
        !task_str(r, m[TK_STEXT], TK_STEXT, false, &t->stop_text) ||
        !task_int(r, m[TK_HEALTH], TK_HEALTH, 0, ECS_HEALTH_UNHEALTHY, &health) ||
        !task_int(r, m[TK_EVER], TK_EVER, 0, 1, &ever) ||
        !task_int(r, m[TK_ORD], TK_ORD, 0,
                  ECS_ORDER_START_PENDING | ECS_ORDER_STOP_PENDING | ECS_ORDER_REGISTER_PENDING |
                      ECS_ORDER_DEREGISTER_PENDING,
                  &ord))
        return false;
    {
        const ecs_json_val *lb = m[TK_LB];
        int64_t eh = 0, reg = 0, th = 0, until = 0;
        size_t cpl = 0;
        const char *cp = ecs_json_str(r->doc, ecs_json_arr_get(lb, 4), &cpl);
        if (ecs_json_type_of(lb) != ECS_JSON_ARRAY || ecs_json_len(lb) != 5 || cp == NULL ||
            ecs_json_get_int(ecs_json_arr_get(lb, 0), &eh) != ECS_OK || eh < 0 || eh > 1 ||
            ecs_json_get_int(ecs_json_arr_get(lb, 1), &reg) != ECS_OK || reg < 0 || reg > 1 ||
            ecs_json_get_int(ecs_json_arr_get(lb, 2), &th) != ECS_OK || th < 0 || th > ECS_HEALTH_UNHEALTHY ||
            ecs_json_get_int(ecs_json_arr_get(lb, 3), &until) != ECS_OK || until < 0)
            return task_field_bad(r, TK_LB, "expected [everHealthy 0|1, targetRegistered 0|1, "
                                            "targetHealth 0..2, drainUntil >= 0, capacityProvider]");
        if (cpl > 0 && ecs_str__dup(r->ctx, &t->capacity_provider, cp, cpl) != ECS_OK)
            return nomem(r);
        t->ever_healthy = eh != 0;
        t->target_registered = reg != 0;
        t->target_health = (uint8_t)th;
        t->drain_until_ms = until;
    }
    t->svc = svc >= 0 ? c->services[svc] : NULL;
    t->dep_seq = (uint32_t)dseq;
    t->pull_started_ms = ts[0];
    t->pull_stopped_ms = ts[1];
    t->started_ms = ts[2];
    t->stopping_ms = ts[3];
    t->execution_stopped_ms = ts[4];
    t->stopped_ms = ts[5];
    t->stop_requested_ms = ts[6];
    t->protect_until_ms = ts[7];
    t->stop_code = (uint8_t)code;
    t->stop_why = (uint8_t)why;
    t->health = (uint8_t)health;
    t->ever_running = ever != 0;
    t->orders = (uint8_t)ord;
    cl = m[TK_CONT];
    if (ecs_json_type_of(cl) != ECS_JSON_ARRAY)
        return task_field_bad(r, TK_CONT, "expected an array");
    if (ecs_json_len(cl) != t->rev->def->ncontainers)
        return task_field_bad(r, TK_CONT, "not one state per container of the task definition");
    for (const ecs_json_val *e = ecs_json_first(cl); e != NULL; e = ecs_json_next(cl, e), i++) {
        if (!read_container_state(r, e, &t->containers[i]))
            return false;
    }
    return true;
}

/* A text member of the task block (id, group, startedBy). */
static bool task_text(rd *r, const ecs_json_val *v, int k, bool required, const char **s, size_t *n)
{
    *n = 0;
    *s = ecs_json_str(r->doc, v, n);
    if (*s == NULL)
        return task_field_bad(r, k, "expected a string");
    if (required && *n == 0)
        return task_field_bad(r, k, "must not be empty");
    return true;
}

static bool read_task(rd *r, ecs_plane *pl, ecs_cluster *c, const ecs_json_val *o, ecs_task **out)
{
    const ecs_json_val *m[TK_COUNT];
    ecs_task *t;
    ecs_family *family;
    ecs_revision *revision = NULL;
    const ecs_json_val *inst_v, *b, *ov;
    const char *id, *group, *by;
    size_t id_len, group_len, by_len;
    int64_t rev = 0, lt = 0, last = 0, des = 0, at = 0, ver = 0, cpu = 0, mem = 0;
    *out = NULL;
    if (ecs_json__elements(o, m, TK_COUNT) != TK_COUNT || ecs_json_type_of(o) != ECS_JSON_ARRAY) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected an array of %d task fields", (int)TK_COUNT);
        return bad(r, msg);
    }
    if (!task_text(r, m[TK_ID], TK_ID, true, &id, &id_len) ||
        !task_int(r, m[TK_REV], TK_REV, 1, ECS_MAX_REVISIONS, &rev) ||
        !task_text(r, m[TK_GRP], TK_GRP, true, &group, &group_len) ||
        !task_text(r, m[TK_BY], TK_BY, false, &by, &by_len))
        return false;
    {
        size_t fl = 0;
        const char *fs = ecs_json_str(r->doc, m[TK_FAM], &fl);
        bool found;
        size_t fi;
        if (fs == NULL)
            return task_field_bad(r, TK_FAM, "expected a string");
        fi = ecs_plane__family_find(pl, fs, fl, &found);
        if (!found)
            return task_field_bad(r, TK_FAM, "no such task definition family");
        family = pl->families[fi];
        for (size_t k = family->nrevs; k-- > 0;) {
            if (family->revs[k]->revision == rev) {
                revision = family->revs[k];
                break;
            }
        }
        if (revision == NULL)
            return task_field_bad(r, TK_REV, "no such revision");
    }
    b = m[TK_B];
    if (ecs_json_type_of(b) != ECS_JSON_ARRAY)
        return task_field_bad(r, TK_B, "expected an array");
    t = ecs_plane__task_new(pl, c, revision, id, id_len, group, group_len, by, by_len, ecs_json_len(b));
    if (t == NULL)
        return nomem(r);
    *out = t;
    t->family = family;
    if (!task_int(r, m[TK_LT], TK_LT, 0, ECS_LAUNCH_EXTERNAL, &lt) ||

        !task_int(r, m[TK_LAST], TK_LAST, 0, ECS_TASK_STOPPED, &last) ||
        !task_int(r, m[TK_DES], TK_DES, 0, ECS_TASK_STOPPED, &des) ||
        !task_int(r, m[TK_AT], TK_AT, 0, INT64_MAX, &at) ||
        !task_int(r, m[TK_VER], TK_VER, 0, INT64_MAX, &ver) ||
        !task_int(r, m[TK_CPU], TK_CPU, 0, UINT32_MAX, &cpu) ||
        !task_int(r, m[TK_MEM], TK_MEM, 0, UINT32_MAX, &mem))
        return false;
    {
        const char *az;
        size_t az_len;
        if (!task_text(r, m[TK_AZ], TK_AZ, false, &az, &az_len))
            return false;
        if (ecs_plane__task_set_az(pl, t, az, az_len) != ECS_OK)
            return nomem(r);
    }
    {
        ecs_str net[5];
        size_t any = 0;
        for (int k = TK_ENI; k <= TK_MAC; k++) {
            const char *p;
            if (!task_text(r, m[k], k, false, &p, &net[k - TK_ENI].len))
                return false;
            net[k - TK_ENI].p = (char *)(uintptr_t)p;
            any += net[k - TK_ENI].len;
        }
        if (any > 0 &&
            ecs_plane__task_set_net(r->ctx, t, &net[0], &net[1], &net[2], &net[3], &net[4]) != ECS_OK)
            return nomem(r);
    }
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
    t->launch_type = (uint8_t)lt;
    t->last = (uint8_t)last;
    t->desired = (uint8_t)des;
    t->created_at_ms = at;
    t->version = ver;
    t->cpu = (uint32_t)cpu;
    t->memory_mib = (uint32_t)mem;
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
    if (ecs_json_len(b) > 0) {
        size_t i = 0;
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
    return read_task_lifecycle(r, c, t, m);
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
                char msg[ECS_API_MSG_SIZE + 64];
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

/* An array of strings, at most max: *out gets exactly n of them. */
static bool read_strs(rd *r, const ecs_json_val *obj, const char *key, size_t max, ecs_str **out,
                      size_t *n)
{
    const ecs_json_val *list = get_arr(r, obj, key, false);
    size_t i = 0, mark;
    if (r->rc != ECS_OK)
        return false;
    if (list == NULL || ecs_json_len(list) == 0)
        return true;
    mark = ecs_path__key(&r->path, key, strlen(key));
    if (ecs_json_len(list) > max) {
        bad(r, "too many");
        ecs_path__pop(&r->path, mark);
        return false;
    }
    *out = ecs_ctx__alloc(r->ctx, ecs_json_len(list) * sizeof(ecs_str));
    if (*out == NULL)
        return nomem(r);
    memset(*out, 0, ecs_json_len(list) * sizeof(ecs_str));
    *n = ecs_json_len(list);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v), i++) {
        size_t sl = 0;
        const char *str = ecs_json_str(r->doc, v, &sl);
        if (str == NULL) {
            ecs_path__index(&r->path, i);
            bad(r, "expected a string");
            ecs_path__pop(&r->path, mark);
            return false;
        }
        if (ecs_str__dup(r->ctx, &(*out)[i], str, sl) != ECS_OK)
            return nomem(r);
    }
    ecs_path__pop(&r->path, mark);
    return true;
}

static bool get_flag(rd *r, const ecs_json_val *obj, const char *key, bool *out)
{
    int64_t v = 0;
    if (!get_int(r, obj, key, 0, 1, false, &v))
        return false;
    *out = v != 0;
    return true;
}

static bool get_u32(rd *r, const ecs_json_val *obj, const char *key, bool required, uint32_t *out)
{
    int64_t v = 0;
    if (!get_int(r, obj, key, 0, UINT32_MAX, required, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

/* A deployment: {"seq","id","fam","rev","st","ro","at","upd","failed"};
 * it takes a reference on its revision. */
static bool read_deployment(rd *r, ecs_plane *pl, ecs_service *s, const ecs_json_val *o)
{
    ecs_deployment *d = ecs_ctx__alloc(r->ctx, sizeof *d);
    ecs_str fam = { NULL, 0 };
    int64_t rev = 0, st = 0, ro = 0, at = 0, upd = 0;
    bool found;
    size_t fi;
    if (d == NULL)
        return nomem(r);
    memset(d, 0, sizeof *d);
    s->deps[s->ndeps++] = d; /* freed with the service */
    if (ecs_json_type_of(o) != ECS_JSON_OBJECT)
        return bad(r, "expected an object");
    if (!get_u32(r, o, "seq", true, &d->seq) || !get_str(r, o, "id", true, &d->id) ||
        !get_int(r, o, "rev", 1, ECS_MAX_REVISIONS, true, &rev) ||
        !get_int(r, o, "st", 0, ECS_DEP_INACTIVE, true, &st) ||
        !get_int(r, o, "ro", 0, ECS_ROLLOUT_FAILED, true, &ro) ||
        !get_int(r, o, "at", 0, INT64_MAX, true, &at) ||
        !get_int(r, o, "upd", 0, INT64_MAX, true, &upd) ||
        !get_u32(r, o, "failed", false, &d->failed_tasks) || !get_flag(r, o, "ran", &d->any_running) ||
        !get_flag(r, o, "byAlarm", &d->failed_by_alarm))
        return false;
    if (d->seq == 0 || d->seq >= s->next_dep_seq)
        return bad(r, "seq: deployments count from 1 and are below the service's nextDep");
    if (d->id.len == 0)
        return bad(r, "id: must not be empty");
    for (size_t i = 0; i + 1 < s->ndeps; i++) {
        if (s->deps[i]->seq == d->seq)
            return bad(r, "seq: duplicate deployment");
    }
    if (!get_str(r, o, "fam", true, &fam))
        return false;
    fi = ecs_plane__family_find(pl, fam.p != NULL ? fam.p : "", fam.len, &found);
    ecs_str__free(r->ctx, &fam);
    if (!found)
        return bad(r, "fam: no such task definition family");
    d->family = pl->families[fi];
    for (size_t k = d->family->nrevs; k-- > 0;) {
        if (d->family->revs[k]->revision == rev) {
            d->rev = d->family->revs[k];
            break;
        }
    }
    if (d->rev == NULL)
        return bad(r, "rev: no such revision");
    d->rev->refs++;
    d->status = (ecs_dep_status)st;
    d->rollout = (ecs_rollout)ro;
    d->created_ms = at;
    d->updated_ms = upd;
    if (d->status == ECS_DEP_PRIMARY && s->ndeps > 1)
        return bad(r, "st: only the first deployment is the primary one");
    return true;
}

/* "brkKind" 0..3 and "brkValue". */
static bool read_breaker_kind(rd *r, const ecs_json_val *o, ecs_service *s)
{
    int64_t k = 0;
    if (!get_int(r, o, "brkKind", 0, 3, false, &k) || !get_u32(r, o, "brkValue", false, &s->breaker_value))
        return false;
    s->breaker_kind = (uint8_t)k;
    return true;
}

/* A strategy [[provider, base, weight]...] (absent: none). */
static bool read_strategy(rd *r, const ecs_json_val *o, const char *key, ecs_cp_item **out, size_t *nout)
{
    const ecs_json_val *list = member(r, o, key);
    size_t n, i = 0;
    if (list == NULL)
        return true;
    n = ecs_json_len(list);
    if (ecs_json_type_of(list) != ECS_JSON_ARRAY || n == 0 || n > ECS_MAX_STRATEGY_ITEMS)
        return bad(r, "capacity provider strategy: expected 1 to 20 items");
    *out = ecs_ctx__alloc(r->ctx, n * sizeof **out);
    if (*out == NULL)
        return nomem(r);
    memset(*out, 0, n * sizeof **out);
    *nout = n;
    for (const ecs_json_val *e = ecs_json_first(list); e != NULL; e = ecs_json_next(list, e), i++) {
        size_t len = 0;
        const char *name = ecs_json_str(r->doc, ecs_json_arr_get(e, 0), &len);
        int64_t b = 0, w = 0;
        if (ecs_json_len(e) != 3 || name == NULL || len == 0 ||
            ecs_json_get_int(ecs_json_arr_get(e, 1), &b) != ECS_OK || b < 0 || b > 100000 ||
            ecs_json_get_int(ecs_json_arr_get(e, 2), &w) != ECS_OK || w < 0 || w > 1000)
            return bad(r, "capacity provider strategy: expected [provider, base 0..100000, weight 0..1000]");
        if (ecs_str__dup(r->ctx, &(*out)[i].provider, name, len) != ECS_OK)
            return nomem(r);
        (*out)[i].base = (uint32_t)b;
        (*out)[i].weight = (uint32_t)w;
    }
    return true;
}

/* "doneFam", "doneRev", "doneId": the last COMPLETED deployment (a
 * reference on its revision). */
static bool read_completed(rd *r, ecs_plane *pl, const ecs_json_val *o, ecs_service *s)
{
    ecs_str fam = { NULL, 0 };
    int64_t rev = 0;
    bool found = false;
    size_t fi;
    if (member(r, o, "doneFam") == NULL)
        return true;
    if (!get_str(r, o, "doneFam", true, &fam) || !get_int(r, o, "doneRev", 1, UINT32_MAX, true, &rev) ||
        !get_str(r, o, "doneId", true, &s->completed_id)) {
        ecs_str__free(r->ctx, &fam);
        return false;
    }
    fi = ecs_plane__family_find(pl, fam.p, fam.len, &found);
    ecs_str__free(r->ctx, &fam);
    if (!found)
        return bad(r, "doneFam: no such task definition family");
    for (size_t k = 0; k < pl->families[fi]->nrevs; k++) {
        if (pl->families[fi]->revs[k]->revision == (uint32_t)rev) {
            s->completed_family = pl->families[fi];
            s->completed_rev = pl->families[fi]->revs[k];
            s->completed_rev->refs++;
            return true;
        }
    }
    return bad(r, "doneRev: no such revision");
}

/* "lbs": [[targetGroupArn, loadBalancerName, containerName, port]] */
static bool read_lbs(rd *r, const ecs_json_val *o, ecs_service *s)
{
    const ecs_json_val *list = member(r, o, "lbs");
    size_t i = 0, n;
    if (list == NULL)
        return true;
    n = ecs_json_len(list);
    if (ecs_json_type_of(list) != ECS_JSON_ARRAY || n == 0 || n > 5)
        return bad(r, "lbs: expected 1 to 5 load balancers");
    s->lbs = ecs_ctx__alloc(r->ctx, n * sizeof *s->lbs);
    if (s->lbs == NULL)
        return nomem(r);
    memset(s->lbs, 0, n * sizeof *s->lbs);
    s->nlbs = n;
    for (const ecs_json_val *e = ecs_json_first(list); e != NULL; e = ecs_json_next(list, e), i++) {
        ecs_str *f[3] = { &s->lbs[i].target_group_arn, &s->lbs[i].load_balancer_name,
                          &s->lbs[i].container_name };
        int64_t port = 0;
        if (ecs_json_type_of(e) != ECS_JSON_ARRAY || ecs_json_len(e) != 4 ||
            ecs_json_get_int(ecs_json_arr_get(e, 3), &port) != ECS_OK || port < 0 || port > 65535)
            return bad(r, "lbs: expected [targetGroupArn, loadBalancerName, containerName, port]");
        for (size_t k = 0; k < 3; k++) {
            size_t len = 0;
            const char *v = ecs_json_str(r->doc, ecs_json_arr_get(e, k), &len);
            if (v == NULL)
                return bad(r, "lbs: expected strings");
            if (len > 0 && ecs_str__dup(r->ctx, f[k], v, len) != ECS_OK)
                return nomem(r);
        }
        s->lbs[i].container_port = (uint32_t)port;
    }
    return true;
}

static bool read_service(rd *r, ecs_plane *pl, ecs_cluster *c, const ecs_json_val *o, ecs_service *s)
{
    const ecs_json_val *strat, *deps, *events;
    int64_t st = 0, lt = 0;
    size_t i;
    s->cluster = c;
    if (ecs_json_type_of(o) != ECS_JSON_OBJECT)
        return bad(r, "expected an object");
    if (!get_str(r, o, "name", true, &s->name) || !get_str(r, o, "arn", true, &s->arn) ||
        !get_int(r, o, "st", 0, ECS_SVC_INACTIVE, true, &st) ||
        !get_int(r, o, "lt", 0, ECS_LAUNCH_EXTERNAL, true, &lt) ||
        !get_u32(r, o, "desired", true, &s->desired) || !get_u32(r, o, "min", true, &s->min_pct) ||
        !get_u32(r, o, "max", true, &s->max_pct) ||
        !get_int(r, o, "created", 0, INT64_MAX, true, &s->created_ms) ||
        !get_u32(r, o, "nextDep", true, &s->next_dep_seq) || !get_flag(r, o, "daemon", &s->daemon) ||
        !get_flag(r, o, "brk", &s->breaker_enable) || !get_flag(r, o, "brkRb", &s->breaker_rollback) ||
        !get_u32(r, o, "grace", false, &s->grace_s) ||
        !read_strs(r, o, "memberOf", ECS_PLACE_MAX_CONSTRAINTS, &s->member_of, &s->nmember_of) ||
        !get_flag(r, o, "distinct", &s->distinct) || !get_flag(r, o, "stratGiven", &s->strategies_given) ||
        !read_strs(r, o, "subnets", ECS_LAUNCH_MAX_SUBNETS, &s->subnets, &s->nsubnets) ||
        !read_strs(r, o, "sgs", SIZE_MAX, &s->security_groups, &s->nsecurity_groups) ||
        !get_flag(r, o, "pip", &s->public_ip) || !get_flag(r, o, "net", &s->has_network) ||
        !get_flag(r, o, "exec", &s->enable_execute_command) || !get_flag(r, o, "mtags", &s->managed_tags) ||
        !get_str(r, o, "ptags", false, &s->propagate_tags) ||
        !get_str(r, o, "token", false, &s->client_token) || !read_tags(r, o, &s->tags) ||
        !get_u32(r, o, "startFail", false, &s->start_failures) ||
        !get_int(r, o, "nextLaunch", 0, INT64_MAX, false, &s->next_launch_ms) ||
        !get_int(r, o, "steady", 0, INT64_MAX, false, &s->steady_event_ms) ||
        !get_u32(r, o, "pfKind", false, &s->place_fail_kind) ||
        !get_int(r, o, "pfAt", 0, INT64_MAX, false, &s->place_fail_ms) ||
        !get_int(r, o, "inactive", 0, INT64_MAX, false, &s->inactive_ms) ||
        !get_hex(r, member(r, o, "fp"), &s->fingerprint) || !read_lbs(r, o, s) ||
        !read_strs(r, o, "alarms", 10, &s->alarm_names, &s->nalarm_names) ||
        !get_flag(r, o, "alarmsOn", &s->alarms_enable) || !get_flag(r, o, "alarmsRb", &s->alarms_rollback) ||
        !get_flag(r, o, "newOnly", &s->spread_new_only) || !read_completed(r, pl, o, s) ||
        !get_flag(r, o, "brkCum", &s->breaker_cumulative) || !read_breaker_kind(r, o, s) ||
        !read_strategy(r, o, "cps", &s->strategy, &s->nstrategy))
        return false;
    if (s->name.len == 0 || s->arn.len == 0)
        return bad(r, "a service's name and ARN must not be empty");
    /* the deployment bounds UpdateService allows */
    if (s->min_pct > 100 || s->max_pct < 100 || s->max_pct > 2000 || (s->daemon && s->max_pct != 100))
        return bad(r, "min, max: minimumHealthyPercent is 0 to 100, maximumPercent 100 to 2000 "
                      "(100 for a DAEMON service)");
    s->status = (ecs_service_status)st;
    s->launch_type = (ecs_launch_type)lt;
    strat = get_arr(r, o, "strat", false);
    deps = get_arr(r, o, "deps", false);
    events = get_arr(r, o, "events", false);
    if (r->rc != ECS_OK)
        return false;
    if (strat != NULL && ecs_json_len(strat) > 0) {
        size_t mark = ecs_path__key(&r->path, "strat", 5);
        if (ecs_json_len(strat) > ECS_PLACE_MAX_STRATEGIES)
            return bad(r, "too many placement strategies");
        s->strategies = ecs_ctx__alloc(r->ctx, ecs_json_len(strat) * sizeof *s->strategies);
        if (s->strategies == NULL)
            return nomem(r);
        memset(s->strategies, 0, ecs_json_len(strat) * sizeof *s->strategies);
        s->nstrategies = ecs_json_len(strat);
        i = 0;
        for (const ecs_json_val *e = ecs_json_first(strat); e != NULL; e = ecs_json_next(strat, e), i++) {
            int64_t type = 0;
            size_t fl = 0;
            const char *f = ecs_json_str(r->doc, ecs_json_arr_get(e, 1), &fl);
            size_t m2 = ecs_path__index(&r->path, i);
            if (ecs_json_len(e) != 2 || ecs_json_get_int(ecs_json_arr_get(e, 0), &type) != ECS_OK ||
                type < 0 || type > ECS_PLACE_RANDOM || f == NULL)
                return bad(r, "expected [type, field]");
            s->strategies[i].type = (ecs_place_strategy_type)type;
            if (ecs_str__dup(r->ctx, &s->strategies[i].field, f, fl) != ECS_OK)
                return nomem(r);
            ecs_path__pop(&r->path, m2);
        }
        ecs_path__pop(&r->path, mark);
    }
    if (deps != NULL && ecs_json_len(deps) > 0) {
        size_t mark = ecs_path__key(&r->path, "deps", 4);
        if (ecs_vec__reserve(r->ctx, (void **)&s->deps, &s->deps_cap, sizeof *s->deps, ecs_json_len(deps)) != ECS_OK)
            return nomem(r);
        i = 0;
        for (const ecs_json_val *e = ecs_json_first(deps); e != NULL; e = ecs_json_next(deps, e), i++) {
            size_t m2 = ecs_path__index(&r->path, i);
            if (!read_deployment(r, pl, s, e))
                return false;
            ecs_path__pop(&r->path, m2);
        }
        ecs_path__pop(&r->path, mark);
    }
    if (events != NULL && ecs_json_len(events) > 0) {
        size_t mark = ecs_path__key(&r->path, "events", 6);
        if (ecs_json_len(events) > ECS_SERVICE_MAX_EVENTS)
            return bad(r, "too many events");
        if (ecs_vec__reserve(r->ctx, (void **)&s->events, &s->events_cap, sizeof *s->events, ecs_json_len(events)) != ECS_OK)
            return nomem(r);
        i = 0;
        for (const ecs_json_val *e = ecs_json_first(events); e != NULL; e = ecs_json_next(events, e), i++) {
            ecs_event *ev = &s->events[s->nevents];
            size_t il = 0, ml = 0;
            const char *id = ecs_json_str(r->doc, ecs_json_arr_get(e, 0), &il);
            const char *msg = ecs_json_str(r->doc, ecs_json_arr_get(e, 1), &ml);
            int64_t at = 0;
            size_t m2 = ecs_path__index(&r->path, i);
            if (ecs_json_len(e) != 3 || id == NULL || msg == NULL ||
                ecs_json_get_int(ecs_json_arr_get(e, 2), &at) != ECS_OK || at < 0)
                return bad(r, "expected [id, message, atMs]");
            memset(ev, 0, sizeof *ev);
            if (ecs_str__dup(r->ctx, &ev->id, id, il) != ECS_OK)
                return nomem(r);
            if (ecs_str__dup(r->ctx, &ev->message, msg, ml) != ECS_OK) {
                ecs_str__free(r->ctx, &ev->id);
                return nomem(r);
            }
            ev->at_ms = at;
            s->nevents++;
            ecs_path__pop(&r->path, m2);
        }
        ecs_path__pop(&r->path, mark);
    }
    return true;
}

/* Sort keys ascending, 11 bits at a time from the lowest (tmp: n more). */
static void radix_sort(uint64_t *keys, uint64_t *tmp, size_t n, uint64_t max)
{
    enum { BITS = 11, BUCKETS = 1 << BITS };
    uint64_t *src = keys, *dst = tmp, *swap;
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += BITS) {
        size_t count[BUCKETS + 1];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[((src[i] >> shift) & (BUCKETS - 1)) + 1]++;
        for (size_t b = 0; b < BUCKETS; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (BUCKETS - 1)]++] = src[i];
        swap = src;
        src = dst;
        dst = swap;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

/*
 * What a cluster's placement engine is built from (at its first placement)
 * must be what the engine accepts, or every later placement and step would
 * fail: per instance, the live tasks' host ports distinct and clear of the
 * instance's reserved ports, no more reserved and static ports than
 * ECS_PLACE_MAX_STATIC_PORTS, no more GPUs or network interfaces in use
 * than it has. The task loop notes what each live task uses (use_note);
 * use_check then sorts one key per port: instance, protocol, port, then
 * "a task's" and "static" bits.
 */
typedef struct rd_use {
    uint64_t *keys;               /* and as many again, for sorting */
    size_t nkeys, cap;
    uint32_t *gpus, *enis;        /* per instance (by index) */
    size_t ninst;
} rd_use;

#define USE_KEY(idx, udp, port, task, stat)                                                        \
    (((uint64_t)(idx) << 19) | ((uint64_t)(udp) << 18) | ((uint64_t)(port) << 2) |                   \
     ((uint64_t)(task) << 1) | (uint64_t)(stat))

static void use_free(rd *r, rd_use *u)
{
    if (u->keys != NULL)
        ecs_ctx__release(r->ctx, u->keys, 2 * u->cap * sizeof *u->keys);
    if (u->gpus != NULL)
        ecs_ctx__release(r->ctx, u->gpus, 2 * u->ninst * sizeof *u->gpus);
    memset(u, 0, sizeof *u);
}

static bool use_begin(rd *r, const ecs_cluster *c, size_t ntasks, rd_use *u)
{
    memset(u, 0, sizeof *u);
    u->ninst = c->ninstances > 0 ? c->ninstances : 1;
    u->gpus = ecs_ctx__alloc(r->ctx, 2 * u->ninst * sizeof *u->gpus);
    u->cap = ntasks + 16;
    for (size_t i = 0; i < c->ninstances; i++)
        u->cap += c->instances[i]->nports_tcp + c->instances[i]->nports_udp;
    u->keys = ecs_ctx__alloc(r->ctx, 2 * u->cap * sizeof *u->keys);
    if (u->gpus == NULL || u->keys == NULL)
        return nomem(r);
    memset(u->gpus, 0, 2 * u->ninst * sizeof *u->gpus);
    u->enis = u->gpus + u->ninst;
    for (size_t i = 0; i < c->ninstances; i++) {
        const ecs_instance *in = c->instances[i];
        for (size_t k = 0; k < in->nports_tcp; k++)
            u->keys[u->nkeys++] = USE_KEY(i, 0, in->ports_tcp[k], 0, 1);
        for (size_t k = 0; k < in->nports_udp; k++)
            u->keys[u->nkeys++] = USE_KEY(i, 1, in->ports_udp[k], 0, 1);
    }
    return true;
}

/* A live task on an instance: its GPUs, network interface and host ports. */
static bool use_note(rd *r, rd_use *u, const ecs_task *t)
{
    uint32_t idx = t->inst->index;
    char msg[160];
    for (size_t k = 0; k < t->rev->def->ncontainers; k++)
        u->gpus[idx] += t->rev->def->containers[k].gpus;
    u->enis[idx] += t->net != NULL;
    if (u->nkeys + t->nbindings > u->cap) {
        size_t cap = (u->cap + t->nbindings) * 2;
        uint64_t *grown = ecs_ctx__alloc(r->ctx, 2 * cap * sizeof *grown);
        if (grown == NULL)
            return nomem(r);
        memcpy(grown, u->keys, u->nkeys * sizeof *grown);
        ecs_ctx__release(r->ctx, u->keys, 2 * u->cap * sizeof *u->keys);
        u->keys = grown;
        u->cap = cap;
    }
    for (size_t p = 0; p < t->nbindings; p++) {
        if (t->bindings[p].host_port == 0) {
            snprintf(msg, sizeof msg, "bindings: a task on an instance has no host port for container port %u",
                     (unsigned)t->bindings[p].container_port);
            return bad(r, msg);
        }
        u->keys[u->nkeys++] = USE_KEY(idx, t->bindings[p].udp, t->bindings[p].host_port, 1,
                                      !t->bindings[p].dynamic);
    }
    return true;
}

static bool use_check(rd *r, const ecs_cluster *c, rd_use *u)
{
    size_t at = 0;
    char msg[160];
    radix_sort(u->keys, u->keys + u->cap, u->nkeys, USE_KEY(u->ninst, 1, 0xFFFF, 1, 1));
    while (at < u->nkeys) {
        size_t idx = (size_t)(u->keys[at] >> 19), nstatic = 0, end = at;
        const ecs_instance *in = c->instances[idx];
        while (end < u->nkeys && (size_t)(u->keys[end] >> 19) == idx)
            end++;
        for (size_t k = at; k < end; k++) {
            uint64_t key = u->keys[k];
            bool same = k > at && (key >> 2) == (u->keys[k - 1] >> 2);
            if (same && ((key & 2) != 0 || (u->keys[k - 1] & 2) != 0)) {
                snprintf(msg, sizeof msg, "container instance %s: host port %u/%s is held twice",
                         ecs_str__c(&in->id), (unsigned)((key >> 2) & 0xFFFF),
                         (key >> 18) & 1 ? "udp" : "tcp");
                return bad(r, msg);
            }
            nstatic += (key & 1) != 0 && !same;
        }
        if (nstatic > ECS_PLACE_MAX_STATIC_PORTS) {
            snprintf(msg, sizeof msg, "container instance %s: %zu reserved and static host ports, more than %d",
                     ecs_str__c(&in->id), nstatic, ECS_PLACE_MAX_STATIC_PORTS);
            return bad(r, msg);
        }
        at = end;
    }
    for (size_t i = 0; i < c->ninstances; i++) {
        const ecs_instance *in = c->instances[i];
        if (u->gpus[i] > in->ngpus || u->enis[i] > ecs_plane__eni_slots(in)) {
            snprintf(msg, sizeof msg, "container instance %s: its tasks use more %s than it has",
                     ecs_str__c(&in->id), u->gpus[i] > in->ngpus ? "GPUs" : "network interfaces");
            return bad(r, msg);
        }
    }
    return true;
}

static bool read_cluster(rd *r, ecs_plane *pl, const ecs_json_val *co, ecs_cluster *c)
{
    const ecs_json_val *insts, *svcs, *tasks, *tokens, *io, *to;
    int64_t active = 0, ci = 0;
    uint32_t asvc = 0, nactive = 0, ndraining = 0;
    size_t j, ninsts, ntasks;
    rd_list list;
    rd_use use;
    bool ok;
    if (!get_str(r, co, "name", true, &c->name) || !get_int(r, co, "active", 0, 1, true, &active) ||
        !get_int(r, co, "ci", 0, 1, true, &ci) || !read_tags(r, co, &c->tags) ||
        !get_u32(r, co, "asvc", false, &asvc) ||
        !read_strs(r, co, "cps", ECS_MAX_CLUSTER_PROVIDERS, &c->cps, &c->ncps) ||
        !read_strategy(r, co, "cpDefault", &c->default_strategy, &c->ndefault_strategy))
        return false;
    c->active = active != 0;
    c->container_insights = ci != 0;
    c->engine_stale = true;
    if (ecs_str__fmt(r->ctx, &c->arn, "arn:aws:ecs:%s:%s:cluster/%s", ecs_str__c(&pl->region),
                     ecs_str__c(&pl->account), ecs_str__c(&c->name)) != ECS_OK)
        return nomem(r);
    insts = get_arr(r, co, "inst", true);
    svcs = get_arr(r, co, "svcs", false);
    tasks = get_arr(r, co, "tasks", true);
    tokens = get_arr(r, co, "tokens", false);
    if (insts == NULL || tasks == NULL || r->rc != ECS_OK)
        return false;
    {
        const ecs_json_lazy *li = ecs_json__lazy_of(r->doc, insts), *lt = ecs_json__lazy_of(r->doc, tasks);
        ninsts = li != NULL ? li->count : 0;
        ntasks = lt != NULL ? lt->count : 0;
    }
    if (ecs_vec__reserve(r->ctx, (void **)&c->instances, &c->instances_cap, sizeof(ecs_instance *), ninsts) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->instance_by_id, ninsts) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->instance_by_ec2, ninsts) != ECS_OK ||
        ecs_vec__reserve(r->ctx, (void **)&c->tasks, &c->tasks_cap, sizeof(ecs_task *), ntasks) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->task_by_id, ntasks) != ECS_OK ||
        (svcs != NULL &&
         ecs_vec__reserve(r->ctx, (void **)&c->services, &c->services_cap, sizeof(ecs_service *), ecs_json_len(svcs)) != ECS_OK))
        return nomem(r);
    ok = list_begin(r, insts, &list);
    for (j = 0; ok && list_next(r, &list, &io) && io != NULL; j++) {
        size_t mark = ecs_path__key(&r->path, "inst", 4);
        ecs_instance *in = NULL;
        ecs_path__index(&r->path, j);
        if (j == ninsts) {
            ok = bad(r, "more instances than counted");
            break;
        }
        ok = read_instance(r, pl, c, io, &in);
        if (in != NULL) {
            in->index = (uint32_t)c->ninstances;
            c->instances[c->ninstances++] = in;
        }
        if (!ok)
            break;
        if (find_instance(c, &in->id) != NULL) {
            ok = bad(r, "id: duplicate container instance");
            break;
        }
        ecs_map__put(&c->instance_by_id, in->id.p, in->id.len, in);
        ecs_map__put(&c->instance_by_ec2, in->ec2_instance_id.p, in->ec2_instance_id.len, in);
        if (in->status != ECS_INST_INACTIVE)
            c->registered_instances++;
        ecs_path__pop(&r->path, mark);
    }
    list_end(r, &list);
    if (!ok || r->rc != ECS_OK)
        return false;
    j = 0;
    for (const ecs_json_val *so = ecs_json_first(svcs); so != NULL; so = ecs_json_next(svcs, so), j++) {
        size_t mark = ecs_path__key(&r->path, "svcs", 4);
        ecs_service *sv = ecs_ctx__alloc(r->ctx, sizeof *sv);
        ecs_path__index(&r->path, j);
        if (sv == NULL)
            return nomem(r);
        memset(sv, 0, sizeof *sv);
        c->services[c->nservices++] = sv; /* freed with the cluster */
        if (!read_service(r, pl, c, so, sv))
            return false;
        nactive += sv->status == ECS_SVC_ACTIVE;
        ndraining += sv->status == ECS_SVC_DRAINING;
        ecs_path__pop(&r->path, mark);
    }
    if (asvc < nactive || asvc > nactive + ndraining) {
        size_t mark = ecs_path__key(&r->path, "asvc", 4);
        bad(r, "not the count of the cluster's active services");
        ecs_path__pop(&r->path, mark);
        return false;
    }
    c->active_services = asvc;
    if (!use_begin(r, c, ntasks, &use)) {
        use_free(r, &use);
        return false;
    }
    ok = list_begin(r, tasks, &list);
    for (j = 0; ok && list_next(r, &list, &to) && to != NULL; j++) {
        size_t mark = ecs_path__key(&r->path, "tasks", 5);
        ecs_task *t = NULL;
        ecs_path__index(&r->path, j);
        if (j == ntasks) {
            ok = bad(r, "more tasks than counted");
            break;
        }
        ok = read_task(r, pl, c, to, &t);
        if (!ok) {
            ecs_plane__task_free(r->ctx, t);
            break;
        }
        c->tasks[c->ntasks++] = t; /* in task_by_id below */
        t->rev->refs++;
        ecs_plane__task_count(t, +1);
        if (t->svc != NULL && t->last != ECS_TASK_STOPPED) {
            ecs_service *sv = t->svc;
            if (ecs_vec__reserve(r->ctx, (void **)&sv->tasks, &sv->tasks_cap, sizeof(ecs_task *), sv->ntasks + 1) != ECS_OK) {
                ok = nomem(r);
                break;
            }
            sv->tasks[sv->ntasks++] = t;
        }
        if (t->inst != NULL && t->last != ECS_TASK_STOPPED) {
            ecs_instance *in = t->inst;
            size_t nstatic = 0;
            if (!use_note(r, &use, t)) {
                ok = false;
                break;
            }
            in->cpu_remaining -= t->cpu;
            in->mem_remaining -= t->memory_mib;
            for (size_t p = 0; p < t->nbindings; p++)
                nstatic += !t->bindings[p].dynamic;
            if (ecs_vec__reserve(r->ctx, (void **)&in->held, &in->held_cap, sizeof(ecs_held_port), in->nheld + nstatic) != ECS_OK) {
                ok = nomem(r);
                break;
            }
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
    list_end(r, &list);
    ok = ok && r->rc == ECS_OK && use_check(r, c, &use);
    use_free(r, &use);
    if (!ok)
        return false;
    /* The ids into their map a batch at a time: a million random slots miss
     * the cache, so each slot is asked for a few tasks ahead of its use. */
    {
        enum { AHEAD = 8 };
        uint64_t ring[AHEAD];
        for (j = 0; j < c->ntasks && j < AHEAD; j++) {
            ring[j] = ecs_map__hash(c->tasks[j]->id.p, c->tasks[j]->id.len);
            ecs_map__prefetch(&c->task_by_id, ring[j]);
        }
    for (j = 0; j < c->ntasks; j++) {
        ecs_task *t = c->tasks[j];
        uint64_t h = ring[j % AHEAD];
        if (j + AHEAD < c->ntasks) {
            const ecs_task *u = c->tasks[j + AHEAD];
            ring[j % AHEAD] = ecs_map__hash(u->id.p, u->id.len);
            ecs_map__prefetch(&c->task_by_id, ring[j % AHEAD]);
        }
        if (!ecs_map__put_new_h(&c->task_by_id, h, t->id.p, t->id.len, t)) {
            size_t mark = ecs_path__key(&r->path, "tasks", 5);
            ecs_path__index(&r->path, j);
            ecs_path__key(&r->path, "id", 2);
            bad(r, "duplicate task");
            ecs_path__pop(&r->path, mark);
            return false;
        }
    }
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

/* "targetGroups": [[arn, delaySeconds]], "alarms": [[name, inAlarm]],
 * "providers": [{...}] */
static bool read_lb_and_alarms(rd *r, ecs_plane *pl, const ecs_json_val *root)
{
    const ecs_json_val *tg = get_arr(r, root, "targetGroups", true);
    const ecs_json_val *al = get_arr(r, root, "alarms", true);
    const ecs_json_val *pv = get_arr(r, root, "providers", true);
    if (tg == NULL || al == NULL || pv == NULL)
        return false;
    if (ecs_vec__reserve(r->ctx, (void **)&pl->providers, &pl->providers_cap, sizeof *pl->providers,
                         ecs_json_len(pv)) != ECS_OK)
        return nomem(r);
    for (const ecs_json_val *e = ecs_json_first(pv); e != NULL; e = ecs_json_next(pv, e)) {
        ecs_capacity_provider *p = ecs_ctx__alloc(r->ctx, sizeof *p);
        if (p == NULL)
            return nomem(r);
        memset(p, 0, sizeof *p);
        pl->providers[pl->nproviders++] = p;
        if (ecs_json_type_of(e) != ECS_JSON_OBJECT || !get_str(r, e, "name", true, &p->name) ||
            !get_str(r, e, "arn", true, &p->arn) || !get_str(r, e, "asg", true, &p->asg_arn) ||
            !get_flag(r, e, "deleted", &p->deleted) ||
            !get_flag(r, e, "mtp", &p->managed_termination_protection) || !read_tags(r, e, &p->tags))
            return ecs_json_type_of(e) != ECS_JSON_OBJECT ? bad(r, "providers: expected objects") : false;
    }
    if (ecs_vec__reserve(r->ctx, (void **)&pl->target_groups, &pl->target_groups_cap,
                         sizeof *pl->target_groups, ecs_json_len(tg)) != ECS_OK ||
        ecs_vec__reserve(r->ctx, (void **)&pl->alarms, &pl->alarms_cap, sizeof *pl->alarms,
                         ecs_json_len(al)) != ECS_OK)
        return nomem(r);
    for (const ecs_json_val *e = ecs_json_first(tg); e != NULL; e = ecs_json_next(tg, e)) {
        ecs_target_group *g = &pl->target_groups[pl->ntarget_groups];
        size_t n = 0;
        const char *arn = ecs_json_str(r->doc, ecs_json_arr_get(e, 0), &n);
        int64_t d = 0;
        if (ecs_json_len(e) != 2 || arn == NULL || n == 0 ||
            ecs_json_get_int(ecs_json_arr_get(e, 1), &d) != ECS_OK || d < 0 || d > 3600)
            return bad(r, "targetGroups: expected [arn, delay 0..3600]");
        memset(g, 0, sizeof *g);
        if (ecs_str__dup(r->ctx, &g->arn, arn, n) != ECS_OK)
            return nomem(r);
        g->deregistration_delay_s = (uint32_t)d;
        pl->ntarget_groups++;
    }
    for (const ecs_json_val *e = ecs_json_first(al); e != NULL; e = ecs_json_next(al, e)) {
        ecs_alarm *a = &pl->alarms[pl->nalarms];
        size_t n = 0;
        const char *name = ecs_json_str(r->doc, ecs_json_arr_get(e, 0), &n);
        int64_t on = 0, at = 0;
        if (ecs_json_len(e) != 3 || name == NULL || n == 0 ||
            ecs_json_get_int(ecs_json_arr_get(e, 1), &on) != ECS_OK || on < 0 || on > 1 ||
            ecs_json_get_int(ecs_json_arr_get(e, 2), &at) != ECS_OK || at < 0)
            return bad(r, "alarms: expected [name, 0|1, changedMs]");
        memset(a, 0, sizeof *a);
        if (ecs_str__dup(r->ctx, &a->name, name, n) != ECS_OK)
            return nomem(r);
        a->in_alarm = on != 0;
        a->changed_ms = at;
        pl->nalarms++;
    }
    return true;
}

ecs_status ecs_plane_restore(ecs_ctx *ctx, const char *snapshot, size_t len, ecs_plane **out)
{
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
    rc = ecs_json__parse_lazy(ctx, snapshot, len, ECS_MAX_JSON_BYTES, lazy_lists, LAZY_LIST_DEPTH, &doc);
    if (rc != ECS_OK)
        return rc == ECS_E_NOMEM ? rc : ecs_ctx__fail(ctx, ECS_E_PARSE, "snapshot: not JSON: %s",
                                                      ecs_ctx_errmsg(ctx));
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.input = snapshot;
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
    if (version == 1) {
        /* no services and no task lifecycle in it: not enough to go on */
        r.rc = ecs_ctx__fail(ctx, ECS_E_PARSE, "snapshot: version 1 is not read by this libecs");
        goto done;
    }
    if (version != ECS_SNAPSHOT_VERSION) {
        bad(&r, "a snapshot format version this libecs does not read");
        goto done;
    }
    rng = get_arr(&r, root, "rng", true);
    if (rng == NULL || ecs_json_len(rng) != 4 || !get_hex(&r, member(&r, root, "seed"), &seed) ||
        !get_str(&r, root, "region", true, &region) || !get_str(&r, root, "account", true, &account) ||
        !get_int(&r, root, "flags", 0, ECS_PLANE_F_LENIENT_TASKDEF | ECS_PLANE_F_SIMULATED_AGENTS, true, &flags) ||
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
    if (!read_families(&r, pl, families) || !read_lb_and_alarms(&r, pl, root))
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
