/*
 * RegisterTaskDefinition request JSON -> ecs_taskdef, and back to the
 * members DescribeTaskDefinition shows.
 *
 * ecs_taskdef__from_request() runs, in order: strict mode's refusal of
 * describe output; a copy of the request without null members (lenient
 * mode: also unwrapped and without read-only members), which every later
 * step reads; decode (JSON types, the plain data of ecs_taskdef); the rule
 * passes of lib/model (taskdef_internal.h); and the normalised document of
 * taskdef_normalise.c. Everything is allocated through the context; on any
 * failure the partial definition is freed and *out is untouched.
 *
 * Normalisation, i.e. what td->doc holds (taskdef_normalise.c does it):
 *  - every member the request gave, in request order; when a name repeats,
 *    only its last member is kept (the one ecs_json_obj_get() reads), and
 *    members whose value is null are left out;
 *  - task `cpu` and `memory` as integer strings of CPU units and MiB
 *    ("1 vCPU" -> "1024", ".5 GB" -> "512"), as ECS stores them;
 *  - defaults ECS shows in describe output, appended after the given
 *    members in this order when absent. Per container: "cpu": 0,
 *    "essential": true, "portMappings": [], "environment": [],
 *    "mountPoints": [], "volumesFrom": []. Per port mapping with a
 *    containerPort: "hostPort" (the containerPort for awsvpc and host, 0 =
 *    dynamic for bridge; a given hostPort 0 under awsvpc/host is also
 *    rewritten to the containerPort) and "protocol": "tcp". Per healthCheck:
 *    "interval": 30, "timeout": 5, "retries": 3 (startPeriod stays absent:
 *    ECS shows it only when set). Per definition: "volumes": [] and
 *    "placementConstraints": [].
 *  - networkMode and requiresCompatibilities are not invented when absent
 *    (ECS leaves them out of describe output too).
 * Normalising twice gives the same text, so decode -> write -> decode ->
 * write is stable.
 */
#include <stdio.h>
#include <string.h>

#include "model/taskdef_internal.h"

static bool name_is(const char *k, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(k, lit, n) == 0;
}

/* ------------------------------------------------------------------------ */
/* Describe output in strict mode                                            */

static ecs_status refuse_describe_output(const ecs_tdscan *s)
{
    const ecs_json_val *k;

    if (ecs_json_type_of(s->req) != ECS_JSON_OBJECT)
        return ECS_OK;
    for (k = ecs_json_first(s->req); k != NULL;
         k = ecs_json_next(s->req, ecs_json_next(s->req, k))) {
        size_t n = 0;
        const char *name = ecs_json_str(s->doc, k, &n);
        if (name == NULL)
            continue;
        if (name_is(name, n, "taskDefinition"))
            return ecs_taskdef__invalid(
                s, "taskDefinition: the request is DescribeTaskDefinition output; send the "
                   "object inside \"taskDefinition\" as the request.");
        if (ecs_taskdef__is_readonly(name, n))
            return ecs_taskdef__invalid(s,
                                        "%.*s: read-only member of describe output, not a "
                                        "RegisterTaskDefinition parameter; leave it out.",
                                        (int)n, name);
    }
    return ECS_OK;
}

/* ------------------------------------------------------------------------ */
/* Decode                                                                    */

static int clip(size_t n)
{
    return n > 64 ? 64 : (int)n;
}

static ecs_status decode_network_mode(ecs_tdscan *s, const ecs_path *root, ecs_taskdef *td)
{
    ecs_tdstr nm;
    ecs_status rc = ecs_taskdef__str(s, s->req, root, "networkMode", &nm);

    td->network_mode = ECS_NET_BRIDGE;
    td->network_mode_set = false;
    if (rc != ECS_OK || nm.p == NULL)
        return rc;
    if (ecs_taskdef__str_eq(&nm, "bridge"))
        td->network_mode = ECS_NET_BRIDGE;
    else if (ecs_taskdef__str_eq(&nm, "host"))
        td->network_mode = ECS_NET_HOST;
    else if (ecs_taskdef__str_eq(&nm, "awsvpc"))
        td->network_mode = ECS_NET_AWSVPC;
    else if (ecs_taskdef__str_eq(&nm, "none"))
        td->network_mode = ECS_NET_NONE;
    else
        return ecs_taskdef__invalid(s,
                                    "networkMode: \"%.*s\" is not one of bridge, host, awsvpc, "
                                    "none.",
                                    clip(nm.len), nm.p);
    td->network_mode_set = true;
    return ECS_OK;
}

static ecs_status decode_requires(ecs_tdscan *s, const ecs_path *root, ecs_taskdef *td)
{
    static const uint32_t bits[] = { ECS_COMPAT_EC2, ECS_COMPAT_FARGATE, ECS_COMPAT_EXTERNAL,
                                     ECS_COMPAT_MANAGED_INSTANCES };
    const ecs_json_val *arr, *v;
    ecs_path p = ecs_taskdef__path_key(root, "requiresCompatibilities");
    ecs_status rc = ecs_taskdef__arr(s, s->req, root, "requiresCompatibilities", &arr);
    size_t i = 0, b;

    for (v = ecs_json_first(arr); rc == ECS_OK && v != NULL; v = ecs_json_next(arr, v), i++) {
        ecs_path ep = ecs_taskdef__path_index(&p, i);
        ecs_tdstr c;
        uint32_t bit = 0;
        if ((rc = ecs_taskdef__elem_str(s, v, &ep, &c)) != ECS_OK)
            break;
        for (b = 0; b < sizeof bits / sizeof bits[0]; b++)
            if (ecs_taskdef__str_eq(&c, ecs_taskdef__compat_name(bits[b])))
                bit = bits[b];
        if (bit == 0)
            return ecs_taskdef__invalid(
                s, "%s: \"%.*s\" is not one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.",
                ecs_path__str(&ep), clip(c.len), c.p);
        td->requires |= bit;
    }
    return rc;
}

static ecs_status decode_size(ecs_tdscan *s, const ecs_path *root, const char *key,
                              const char *unit, uint32_t *out)
{
    ecs_tdstr v;
    ecs_status rc = ecs_taskdef__str(s, s->req, root, key, &v);
    uint32_t units = 0;

    *out = 0;
    if (rc != ECS_OK || v.p == NULL)
        return rc;
    if (!ecs_taskdef__parse_units(v.p, v.len, unit, &units) || units == 0)
        return ecs_taskdef__client(s, "Invalid '%s' setting for task.", key);
    *out = units;
    return ECS_OK;
}

/* A positive count in a string ("1" GPU). */
static bool parse_count(const char *p, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 9)
        return false;
    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v == 0)
        return false;
    *out = (uint32_t)v;
    return true;
}

static ecs_status decode_port(ecs_tdscan *s, const ecs_taskdef *td, const ecs_json_val *m,
                              const ecs_path *mp, ecs_port_mapping *out)
{
    bool has_cp, has_hp;
    int64_t cp, hp;
    ecs_tdstr range, proto;
    ecs_status rc;

    if ((rc = ecs_taskdef__elem_obj(s, m, mp)) != ECS_OK ||
        (rc = ecs_taskdef__int(s, m, mp, "containerPort", &has_cp, &cp)) != ECS_OK ||
        (rc = ecs_taskdef__int(s, m, mp, "hostPort", &has_hp, &hp)) != ECS_OK ||
        (rc = ecs_taskdef__str(s, m, mp, "containerPortRange", &range)) != ECS_OK ||
        (rc = ecs_taskdef__str(s, m, mp, "protocol", &proto)) != ECS_OK)
        return rc;
    if (has_cp && (cp < 1 || cp > 65535))
        return ecs_taskdef__invalid(s, "%s.containerPort must be between 1 and 65535 (%lld).",
                                    ecs_path__str(mp), (long long)cp);
    if (has_hp && (hp < 0 || hp > 65535))
        return ecs_taskdef__invalid(s, "%s.hostPort must be between 0 and 65535 (%lld).",
                                    ecs_path__str(mp), (long long)hp);
    if (range.p != NULL &&
        !ecs_taskdef__parse_port_range(range.p, range.len, &out->range_first, &out->range_last))
        return ecs_taskdef__invalid(s,
                                    "%s.containerPortRange must be \"first-last\" with 1 <= "
                                    "first < last <= 65535 (got \"%.*s\").",
                                    ecs_path__str(mp), clip(range.len), range.p);
    if (proto.p != NULL && !ecs_taskdef__str_eq(&proto, "tcp") && !ecs_taskdef__str_eq(&proto, "udp"))
        return ecs_taskdef__invalid(s, "%s.protocol must be tcp or udp (got \"%.*s\").",
                                    ecs_path__str(mp), clip(proto.len), proto.p);
    out->container_port = has_cp ? (uint32_t)cp : 0;
    out->udp = ecs_taskdef__str_eq(&proto, "udp");
    if (has_hp && hp != 0)
        out->host_port = (uint32_t)hp;
    else if (td->network_mode == ECS_NET_AWSVPC || td->network_mode == ECS_NET_HOST)
        out->host_port = out->container_port; /* blank means "the same port" there */
    else
        out->host_port = 0;
    return ECS_OK;
}

static ecs_status decode_ports(ecs_tdscan *s, const ecs_taskdef *td, const ecs_json_val *cobj,
                               const ecs_path *cp, ecs_container_def *c)
{
    const ecs_json_val *arr, *m;
    ecs_path pp = ecs_taskdef__path_key(cp, "portMappings");
    size_t n, j = 0;
    ecs_status rc = ecs_taskdef__arr(s, cobj, cp, "portMappings", &arr);

    if (rc != ECS_OK || (n = ecs_json_len(arr)) == 0)
        return rc;
    if (n > SIZE_MAX / sizeof *c->ports)
        return ecs_taskdef__invalid(s, "%s has too many elements.", ecs_path__str(&pp));
    c->ports = ecs_ctx__alloc(s->ctx, n * sizeof *c->ports);
    if (c->ports == NULL)
        return ecs_taskdef__nomem(s);
    memset(c->ports, 0, n * sizeof *c->ports);
    c->nports = n;
    for (m = ecs_json_first(arr); m != NULL; m = ecs_json_next(arr, m), j++) {
        ecs_path mp = ecs_taskdef__path_index(&pp, j);
        if ((rc = decode_port(s, td, m, &mp, &c->ports[j])) != ECS_OK)
            return rc;
    }
    return ECS_OK;
}

static ecs_status decode_gpus(ecs_tdscan *s, const ecs_json_val *cobj, const ecs_path *cp,
                              ecs_container_def *c)
{
    const ecs_json_val *arr, *r;
    ecs_path rp = ecs_taskdef__path_key(cp, "resourceRequirements");
    ecs_status rc = ecs_taskdef__arr(s, cobj, cp, "resourceRequirements", &arr);
    size_t j = 0;

    for (r = ecs_json_first(arr); rc == ECS_OK && r != NULL; r = ecs_json_next(arr, r), j++) {
        ecs_path ep = ecs_taskdef__path_index(&rp, j);
        ecs_tdstr type, value;
        uint32_t count = 0;
        if ((rc = ecs_taskdef__elem_obj(s, r, &ep)) != ECS_OK ||
            (rc = ecs_taskdef__str(s, r, &ep, "type", &type)) != ECS_OK ||
            (rc = ecs_taskdef__str(s, r, &ep, "value", &value)) != ECS_OK)
            return rc;
        if (!ecs_taskdef__str_eq(&type, "GPU"))
            continue;
        if (value.p == NULL || !parse_count(value.p, value.len, &count))
            return ecs_taskdef__invalid(s, "%s.value must be a positive number of GPUs.",
                                        ecs_path__str(&ep));
        c->gpus = c->gpus > UINT32_MAX - count ? UINT32_MAX : c->gpus + count;
    }
    return rc;
}

/* A whole number of seconds in a docker label's text, or -1. */
static int32_t label_seconds(const char *v, size_t n)
{
    int32_t x = 0;
    if (v == NULL || n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

/* What the lifecycle needs at run time: health check, stop timeout, and
 * the simulated agent's knobs (dockerLabels "libecs.sim.*"). The rules
 * checked these members' types already; odd label values are ignored. */
static ecs_status decode_runtime(ecs_tdscan *s, const ecs_json_val *cobj, ecs_container_def *c)
{
    const ecs_json_val *hc = ecs_taskdef__get(s->doc, cobj, "healthCheck");
    const ecs_json_val *labels = ecs_taskdef__get(s->doc, cobj, "dockerLabels");
    int64_t v;
    c->health_check = hc != NULL && ecs_json_type_of(hc) == ECS_JSON_OBJECT;
    c->hc_interval_s = 30;
    if (c->health_check && ecs_json_get_int(ecs_taskdef__get(s->doc, hc, "interval"), &v) == ECS_OK &&
        v > 0 && v <= 300)
        c->hc_interval_s = (uint32_t)v;
    c->stop_timeout_s = 30;
    if (ecs_json_get_int(ecs_taskdef__get(s->doc, cobj, "stopTimeout"), &v) == ECS_OK && v >= 0 &&
        v <= 86400)
        c->stop_timeout_s = (uint32_t)v;
    c->sim_start_s = c->sim_exit_after_s = c->sim_unhealthy_after_s = c->sim_stop_s = -1;
    c->sim_target_unhealthy_after_s = -1;
    c->sim_exit_code = 1;
    if (labels == NULL || ecs_json_type_of(labels) != ECS_JSON_OBJECT)
        return ECS_OK;
    for (const ecs_json_val *k = ecs_json_first(labels); k != NULL;
         k = ecs_json_next(labels, ecs_json_next(labels, k))) {
        size_t kl = 0, vl = 0;
        const char *key = ecs_json_str(s->doc, k, &kl);
        const char *val = ecs_json_str(s->doc, ecs_json_next(labels, k), &vl);
        if (key == NULL || val == NULL || kl < 11 || memcmp(key, "libecs.sim.", 11) != 0)
            continue;
        key += 11;
        kl -= 11;
#define LABEL(lit) (kl == sizeof(lit) - 1 && memcmp(key, lit, kl) == 0)
        if (LABEL("start-seconds"))
            c->sim_start_s = label_seconds(val, vl);
        else if (LABEL("exit-after-seconds"))
            c->sim_exit_after_s = label_seconds(val, vl);
        else if (LABEL("exit-code") && label_seconds(val, vl) >= 0)
            c->sim_exit_code = label_seconds(val, vl);
        else if (LABEL("unhealthy-after-seconds"))
            c->sim_unhealthy_after_s = label_seconds(val, vl);
        else if (LABEL("stop-seconds"))
            c->sim_stop_s = label_seconds(val, vl);
        else if (LABEL("target-unhealthy-after-seconds"))
            c->sim_target_unhealthy_after_s = label_seconds(val, vl);
        else if (LABEL("fail-start") && vl > 0 && c->sim_fail_start.len == 0 && s->ctx != NULL &&
                 ecs_str__dup(s->ctx, &c->sim_fail_start, val, vl > 255 ? 255 : vl) != ECS_OK)
            return ecs_taskdef__nomem(s);
#undef LABEL
    }
    return ECS_OK;
}

static ecs_status decode_container(ecs_tdscan *s, ecs_taskdef *td, size_t i,
                                   const ecs_json_val *cobj)
{
    ecs_container_def *c = &td->containers[i];
    ecs_path cp = ecs_taskdef__cpath(i);
    ecs_tdstr name;
    bool has, b;
    int64_t v;
    size_t other;
    ecs_status rc;

    if ((rc = ecs_taskdef__elem_obj(s, cobj, &cp)) != ECS_OK ||
        (rc = ecs_taskdef__str(s, cobj, &cp, "name", &name)) != ECS_OK)
        return rc;
    if (name.p == NULL || name.len == 0)
        return ecs_taskdef__client(s, "%s.name: Container.name should not be null or empty.",
                                   ecs_path__str(&cp));
    if (!ecs_taskdef__valid_name(name.p, name.len))
        return ecs_taskdef__client(
            s, "%s.name: must be 1 to 255 letters, digits, hyphens and underscores (got \"%.*s\").",
            ecs_path__str(&cp), clip(name.len), name.p);
    other = ecs_taskdef__find(td, name.p, name.len);
    if (other != ECS_TD_NONE)
        return ecs_taskdef__client(
            s, "%s.name: duplicate container name '%.*s' (also containerDefinitions[%zu].name).",
            ecs_path__str(&cp), (int)name.len, name.p, other);
    if (ecs_str__dup(s->ctx, &c->name, name.p, name.len) != ECS_OK)
        return ecs_taskdef__nomem(s);

    if ((rc = ecs_taskdef__int(s, cobj, &cp, "cpu", &has, &v)) != ECS_OK)
        return rc;
    if (has && v < 0)
        return ecs_taskdef__invalid(s, "%s.cpu must not be negative (%lld).", ecs_path__str(&cp),
                                    (long long)v);
    c->cpu = has ? (uint32_t)v : 0;
    if ((rc = ecs_taskdef__int(s, cobj, &cp, "memory", &has, &v)) != ECS_OK)
        return rc;
    if (has && v <= 0)
        return ecs_taskdef__invalid(s, "%s.memory must be a positive number of MiB (%lld).",
                                    ecs_path__str(&cp), (long long)v);
    c->memory_mib = has ? (uint32_t)v : 0;
    if ((rc = ecs_taskdef__int(s, cobj, &cp, "memoryReservation", &has, &v)) != ECS_OK)
        return rc;
    if (has && v <= 0)
        return ecs_taskdef__invalid(s,
                                    "%s.memoryReservation must be a positive number of MiB (%lld).",
                                    ecs_path__str(&cp), (long long)v);
    c->memory_reservation_mib = has ? (uint32_t)v : 0;
    if ((rc = ecs_taskdef__bool(s, cobj, &cp, "essential", &has, &b)) != ECS_OK)
        return rc;
    c->essential = has ? b : true;
    if ((rc = decode_runtime(s, cobj, c)) != ECS_OK)
        return rc;
    if ((rc = decode_ports(s, td, cobj, &cp, c)) != ECS_OK)
        return rc;
    return decode_gpus(s, cobj, &cp, c);
}

static ecs_status decode_containers(ecs_tdscan *s, const ecs_path *root, ecs_taskdef *td)
{
    const ecs_json_val *arr, *v;
    size_t n, i = 0;
    ecs_status rc = ecs_taskdef__arr(s, s->req, root, "containerDefinitions", &arr);

    if (rc != ECS_OK)
        return rc;
    if (arr == NULL)
        return ecs_taskdef__invalid(s, "containerDefinitions: required member is missing.");
    n = ecs_json_len(arr);
    if (n == 0)
        return ecs_taskdef__client(s, "containerDefinitions: Container list cannot be empty.");
    if (n > ECS_TASKDEF_MAX_CONTAINERS)
        return ecs_taskdef__limit(s,
                                  "containerDefinitions: Too many containers (%zu); a task "
                                  "definition holds at most %u.",
                                  n, ECS_TASKDEF_MAX_CONTAINERS);
    td->containers = ecs_ctx__alloc(s->ctx, n * sizeof *td->containers);
    if (td->containers == NULL)
        return ecs_taskdef__nomem(s);
    memset(td->containers, 0, n * sizeof *td->containers);
    td->ncontainers = n;
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), i++) {
        s->cobj[i] = v;
        /* find() must not see containers not decoded yet */
        td->ncontainers = i;
        rc = decode_container(s, td, i, v);
        td->ncontainers = n;
        if (rc != ECS_OK)
            return rc;
    }
    return ECS_OK;
}

/* memberOf expressions, for the scheduler; the rules pass checks the rest. */
static ecs_status decode_member_of(ecs_tdscan *s, const ecs_path *root, ecs_taskdef *td)
{
    const ecs_json_val *arr, *v;
    ecs_path pp = ecs_taskdef__path_key(root, "placementConstraints");
    ecs_status rc = ecs_taskdef__arr(s, s->req, root, "placementConstraints", &arr);
    size_t n = 0, i = 0, cap;

    if (rc != ECS_OK)
        return rc;
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), i++) {
        ecs_path ep = ecs_taskdef__path_index(&pp, i);
        ecs_tdstr type, expr;
        if ((rc = ecs_taskdef__elem_obj(s, v, &ep)) != ECS_OK ||
            (rc = ecs_taskdef__str(s, v, &ep, "type", &type)) != ECS_OK ||
            (rc = ecs_taskdef__str(s, v, &ep, "expression", &expr)) != ECS_OK)
            return rc;
        if (ecs_taskdef__str_eq(&type, "memberOf") && expr.p != NULL)
            n++;
    }
    if (n == 0)
        return ECS_OK;
    cap = n;
    td->member_of = ecs_ctx__alloc(s->ctx, cap * sizeof *td->member_of);
    if (td->member_of == NULL)
        return ecs_taskdef__nomem(s);
    memset(td->member_of, 0, cap * sizeof *td->member_of);
    td->nmember_of = cap;
    n = 0;
    for (v = ecs_json_first(arr); v != NULL && n < cap; v = ecs_json_next(arr, v)) {
        ecs_tdstr type, expr;
        expr.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, v, "expression"), &expr.len);
        type.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, v, "type"), &type.len);
        if (!ecs_taskdef__str_eq(&type, "memberOf") || expr.p == NULL)
            continue;
        if (ecs_str__dup(s->ctx, &td->member_of[n++], expr.p, expr.len) != ECS_OK)
            return ecs_taskdef__nomem(s);
    }
    return ECS_OK;
}

static ecs_status decode(ecs_tdscan *s, ecs_taskdef *td)
{
    ecs_path root;
    ecs_tdstr family;
    ecs_status rc;

    ecs_path__init(&root);
    if ((rc = ecs_taskdef__str(s, s->req, &root, "family", &family)) != ECS_OK)
        return rc;
    if (family.p == NULL)
        return ecs_taskdef__invalid(s, "family: required member is missing.");
    if (!ecs_taskdef__valid_name(family.p, family.len))
        return ecs_taskdef__client(
            s, "family: must be 1 to 255 letters, digits, hyphens and underscores (got \"%.*s\").",
            clip(family.len), family.p);
    if (ecs_str__dup(s->ctx, &td->family, family.p, family.len) != ECS_OK)
        return ecs_taskdef__nomem(s);
    if ((rc = decode_network_mode(s, &root, td)) != ECS_OK ||
        (rc = decode_requires(s, &root, td)) != ECS_OK ||
        (rc = decode_size(s, &root, "cpu", "vcpu", &td->cpu)) != ECS_OK ||
        (rc = decode_size(s, &root, "memory", "gb", &td->memory_mib)) != ECS_OK ||
        (rc = decode_containers(s, &root, td)) != ECS_OK)
        return rc;
    return decode_member_of(s, &root, td);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

ecs_status ecs_taskdef__from_request(ecs_ctx *ctx, ecs_api_error *err, const ecs_json_doc *doc,
                                     const ecs_json_val *req, uint32_t flags, ecs_taskdef **out)
{
    ecs_tdscan s;
    ecs_json_doc *stripped = NULL;
    ecs_taskdef *td = NULL;
    ecs_status rc;

    if (ctx == NULL || doc == NULL || req == NULL || out == NULL ||
        (flags & ~ECS_TASKDEF_F_LENIENT) != 0) {
        (void)ecs_api__fail(err, ECS_E_INVALID_ARG, ECS_ERR_SERVER,
                            "ecs_taskdef__from_request: invalid argument");
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_taskdef__from_request: invalid argument");
    }
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    s.err = err;
    s.doc = doc;
    s.req = req;
    /* Every pass reads the copy, with null members gone (a request that
     * passed the shape check has none): readers and td->doc agree on what
     * is present. */
    if (!(flags & ECS_TASKDEF_F_LENIENT) && (rc = refuse_describe_output(&s)) != ECS_OK)
        return rc;
    rc = (flags & ECS_TASKDEF_F_LENIENT) ? ecs_taskdef__strip_readonly(ctx, doc, req, &stripped)
                                          : ecs_taskdef__strip_nulls(ctx, doc, req, &stripped);
    if (rc == ECS_E_NOMEM)
        return ecs_taskdef__nomem(&s);
    if (rc != ECS_OK)
        return ecs_taskdef__invalid(&s, "%s", ecs_ctx_errmsg(ctx));
    s.doc = stripped;
    s.req = ecs_json_root(stripped);
    if (ecs_json_type_of(s.req) != ECS_JSON_OBJECT) {
        rc = ecs_taskdef__invalid(&s, "The request must be a JSON object, not %s.",
                                  ecs_json_type_name(ecs_json_type_of(s.req)));
        goto done;
    }
    td = ecs_ctx__alloc(ctx, sizeof *td);
    if (td == NULL) {
        rc = ecs_taskdef__nomem(&s);
        goto done;
    }
    memset(td, 0, sizeof *td);
    if ((rc = decode(&s, td)) != ECS_OK || (rc = ecs_taskdef__check_rules(&s, td)) != ECS_OK ||
        (rc = ecs_taskdef__check_deps(&s, td)) != ECS_OK ||
        (rc = ecs_taskdef__check_launch(&s, td)) != ECS_OK ||
        (rc = ecs_taskdef__derive_attributes(&s, td)) != ECS_OK ||
        (rc = ecs_taskdef__build_doc(&s, td)) != ECS_OK)
        goto done;
    *out = td;
    td = NULL;
done:
    ecs_taskdef__free(ctx, td);
    ecs_json_doc_free(stripped);
    return rc;
}

ecs_status ecs_taskdef__write_members(ecs_json_writer *w, const ecs_taskdef *td)
{
    const ecs_json_val *root, *k;
    static const uint32_t order[] = { ECS_COMPAT_EXTERNAL, ECS_COMPAT_EC2, ECS_COMPAT_FARGATE,
                                      ECS_COMPAT_MANAGED_INSTANCES };
    size_t i;
    ecs_status rc = ECS_OK;

    if (w == NULL || td == NULL || td->doc == NULL)
        return ECS_E_INVALID_ARG;
    root = ecs_json_root(td->doc);
    for (k = ecs_json_first(root); k != NULL && rc == ECS_OK;
         k = ecs_json_next(root, ecs_json_next(root, k))) {
        size_t n = 0;
        const char *name = ecs_json_str(td->doc, k, &n);
        if (name == NULL || name_is(name, n, "tags"))
            continue;
        if ((rc = ecs_json_write_key(w, name, n)) == ECS_OK)
            rc = ecs_json_write_val(w, td->doc, ecs_json_next(root, k));
    }
    ecs_json_write_key(w, "requiresAttributes", 18);
    ecs_json_write_arr_begin(w);
    for (i = 0; i < td->nrequires_attributes; i++) {
        ecs_json_write_obj_begin(w);
        ecs_json_write_key(w, "name", 4);
        ecs_json_write_str(w, ecs_str__c(&td->requires_attributes[i]),
                           td->requires_attributes[i].len);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_key(w, "compatibilities", 15);
    ecs_json_write_arr_begin(w);
    for (i = 0; i < sizeof order / sizeof order[0]; i++)
        if (td->compatibilities & order[i]) {
            const char *c = ecs_taskdef__compat_name(order[i]);
            ecs_json_write_str(w, c, strlen(c));
        }
    /* the writer's errors are sticky: the last call reports the first one */
    return ecs_json_write_arr_end(w);
}
