/*
 * RegisterContainerInstance, DeregisterContainerInstance,
 * DescribeContainerInstances, ListContainerInstances and
 * UpdateContainerInstancesState.
 *
 * Registration reads the EC2 instance identity document (a JSON string:
 * instanceId, availabilityZone, instanceType, imageId, architecture) into
 * ec2InstanceId and the built-in attributes ecs.availability-zone,
 * ecs.instance-type, ecs.ami-id, ecs.os-type, ecs.os-family and
 * ecs.cpu-architecture. Without a document the instance gets a generated
 * i-... id in zone "<region>a". totalResources must give CPU and MEMORY;
 * PORTS defaults to the agent's reserved ports (22, 2375, 2376, 51678,
 * 51679) and PORTS_UDP to none. When the request's attributes carry no
 * capability attributes, the instance advertises those of a current Linux
 * agent (ECS_DEFAULT_CAPABILITIES below), as a real agent would send them;
 * list capabilities yourself to model an older agent. Registering an EC2
 * instance id that is already ACTIVE or DRAINING in the cluster, or naming
 * an existing containerInstanceArn, returns that instance (marked
 * connected) instead of making a second one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/req.h"
#include "query/query.h"


static const uint16_t k_default_ports[] = { 22, 2375, 2376, 51678, 51679 };

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)

/* Everything a registration decodes before it touches the plane. */
typedef struct reg {
    char ec2_id[64], az[64], itype[64], ami[64], arch[16];
    size_t ec2_id_len, az_len, itype_len, ami_len;
    int64_t cpu, mem;
    bool have_cpu, have_mem, have_ports;
    uint16_t tcp[ECS_MAX_RESERVED_PORTS], udp[ECS_MAX_RESERVED_PORTS];
    size_t ntcp, nudp;
    const ecs_json_val *gpus;
} reg;

static ecs_status copy_field(ecs_req *r, const ecs_json_doc *d, const ecs_json_val *obj,
                             const char *key, char *buf, size_t cap, size_t *out_len)
{
    size_t n = 0;
    const char *s = ecs_json_str(d, ecs_json_obj_get(d, obj, key, strlen(key)), &n);
    if (s == NULL)
        return ECS_OK;
    if (n >= cap)
        return FAIL_IP(r, "instanceIdentityDocument.%s: longer than %zu characters.", key, cap - 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out_len = n;
    return ECS_OK;
}

static ecs_status read_identity(ecs_req *r, reg *g)
{
    size_t n = 0, arch_len = 0;
    const char *text = ecs_req__str(r, r->root, "instanceIdentityDocument", &n);
    ecs_json_doc *d = NULL;
    const ecs_json_val *root;
    ecs_status rc;

    if (text == NULL)
        return ECS_OK;
    rc = ecs_json_parse(r->ctx, text, n, NULL, &d);
    if (rc == ECS_E_NOMEM)
        return ecs_req__nomem(r);
    if (rc != ECS_OK)
        return FAIL_IP(r, "instanceIdentityDocument is not a JSON document: %s",
                       ecs_ctx_errmsg(r->ctx));
    root = ecs_json_root(d);
    if (ecs_json_type_of(root) != ECS_JSON_OBJECT) {
        ecs_json_doc_free(d);
        return FAIL_IP(r, "instanceIdentityDocument must be a JSON object.");
    }
    if ((rc = copy_field(r, d, root, "instanceId", g->ec2_id, sizeof g->ec2_id, &g->ec2_id_len)) ||
        (rc = copy_field(r, d, root, "availabilityZone", g->az, sizeof g->az, &g->az_len)) ||
        (rc = copy_field(r, d, root, "instanceType", g->itype, sizeof g->itype, &g->itype_len)) ||
        (rc = copy_field(r, d, root, "imageId", g->ami, sizeof g->ami, &g->ami_len)) ||
        (rc = copy_field(r, d, root, "architecture", g->arch, sizeof g->arch, &arch_len))) {
        ecs_json_doc_free(d);
        return rc;
    }
    ecs_json_doc_free(d);
    return ECS_OK;
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return x < y ? -1 : x > y;
}

static ecs_status read_ports(ecs_req *r, const ecs_json_val *res, size_t i, uint16_t *out,
                             size_t *n, size_t *total)
{
    const ecs_json_val *set = ecs_req__member(r, res, "stringSetValue");
    size_t k = 0;
    *n = 0;
    for (const ecs_json_val *p = ecs_json_first(set); p != NULL; p = ecs_json_next(set, p), k++) {
        size_t len = 0;
        const char *s = ecs_json_str(r->doc, p, &len);
        uint32_t v = 0;
        if (s == NULL || len == 0 || len > 5)
            goto bad;
        for (size_t j = 0; j < len; j++) {
            if (s[j] < '0' || s[j] > '9')
                goto bad;
            v = v * 10 + (uint32_t)(s[j] - '0');
        }
        if (v == 0 || v > 65535)
            goto bad;
        if (++*total > ECS_MAX_RESERVED_PORTS)
            return FAIL_IP(r, "totalResources[%zu]: at most %u reserved ports per instance.", i,
                           ECS_MAX_RESERVED_PORTS);
        out[(*n)++] = (uint16_t)v;
        continue;
    bad:
        return FAIL_IP(r, "totalResources[%zu].stringSetValue[%zu]: a port is a number from 1 "
                          "to 65535.", i, k);
    }
    qsort(out, *n, sizeof *out, cmp_u16);
    {
        size_t m = 0;
        for (size_t j = 0; j < *n; j++) {
            if (m == 0 || out[m - 1] != out[j])
                out[m++] = out[j];
        }
        *n = m;
    }
    return ECS_OK;
}

static ecs_status read_resources(ecs_req *r, reg *g)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "totalResources");
    size_t i = 0, total_ports = 0;
    bool have_udp = false;
    ecs_status rc;

    for (const ecs_json_val *res = ecs_json_first(list); res != NULL;
         res = ecs_json_next(list, res), i++) {
        size_t nl = 0;
        const char *name = ecs_req__str(r, res, "name", &nl);
        const ecs_json_val *iv = ecs_req__member(r, res, "integerValue");
        const ecs_json_val *lv = ecs_req__member(r, res, "longValue");
        int64_t v = 0;
        if (name == NULL)
            return FAIL_IP(r, "totalResources[%zu].name is required.", i);
        if ((nl == 3 && memcmp(name, "CPU", 3) == 0) || (nl == 6 && memcmp(name, "MEMORY", 6) == 0)) {
            if (ecs_json_get_int(iv != NULL ? iv : lv, &v) != ECS_OK || v <= 0 ||
                v > INT64_C(1) << 40)
                return FAIL_IP(r, "totalResources[%zu]: %.*s needs a positive integerValue.", i,
                               (int)nl, name);
            if (name[0] == 'C') {
                g->cpu = v;
                g->have_cpu = true;
            } else {
                g->mem = v;
                g->have_mem = true;
            }
        } else if (nl == 5 && memcmp(name, "PORTS", 5) == 0) {
            if ((rc = read_ports(r, res, i, g->tcp, &g->ntcp, &total_ports)) != ECS_OK)
                return rc;
            g->have_ports = true;
        } else if (nl == 9 && memcmp(name, "PORTS_UDP", 9) == 0) {
            if ((rc = read_ports(r, res, i, g->udp, &g->nudp, &total_ports)) != ECS_OK)
                return rc;
            have_udp = true;
        } else if (nl == 3 && memcmp(name, "GPU", 3) == 0) {
            g->gpus = ecs_req__member(r, res, "stringSetValue");
        } else {
            return FAIL_IP(r, "totalResources[%zu].name: '%.*s' is not a resource ECS schedules "
                              "(CPU, MEMORY, PORTS, PORTS_UDP, GPU).",
                           i, (int)(nl > 64 ? 64 : nl), name);
        }
    }
    (void)have_udp;
    if (!g->have_cpu || !g->have_mem)
        return FAIL_IP(r, "totalResources must give CPU and MEMORY as INTEGER resources.");
    if (!g->have_ports) {
        g->ntcp = sizeof k_default_ports / sizeof k_default_ports[0];
        memcpy(g->tcp, k_default_ports, sizeof k_default_ports);
    }
    return ECS_OK;
}

static bool is_capability(const char *name, size_t n)
{
    return (n > 15 && memcmp(name, "ecs.capability.", 15) == 0) ||
           (n > 29 && memcmp(name, "com.amazonaws.ecs.capability.", 29) == 0);
}

/* static_name: name is text that lives as long as the program (a literal
 * or a default capability), shared instead of copied. */
static ecs_status add_attr(ecs_req *r, ecs_instance *inst, const char *name, size_t nl,
                           const char *value, size_t vl, bool builtin, bool static_name)
{
    ecs_attr *a;
    for (size_t i = 0; i < inst->nattrs; i++) {
        if (ecs_str__eq(&inst->attrs[i].name, name, nl)) {
            /* the request's value wins over a built-in default */
            ecs_str nv;
            if (ecs_str__dup(r->ctx, &nv, value, vl) != ECS_OK)
                return ecs_req__nomem(r);
            ecs_str__free(r->ctx, &inst->attrs[i].value);
            inst->attrs[i].value = nv;
            return ECS_OK;
        }
    }
    if (ecs_vec__reserve(r->ctx, (void **)&inst->attrs, &inst->attrs_cap, sizeof(ecs_attr),
                         inst->nattrs + 1) != ECS_OK)
        return ecs_req__nomem(r);
    a = &inst->attrs[inst->nattrs];
    memset(a, 0, sizeof *a);
    if (static_name) {
        a->name.p = (char *)(uintptr_t)name;
        a->name.len = nl;
        a->name_static = true;
    } else if (ecs_plane__attr_set_name(r->ctx, a, name, nl) != ECS_OK) {
        return ecs_req__nomem(r);
    }
    if (ecs_str__dup(r->ctx, &a->value, value, vl) != ECS_OK) {
        ecs_plane__attr_free(r->ctx, a);
        return ecs_req__nomem(r);
    }
    a->builtin = builtin;
    inst->nattrs++;
    return ECS_OK;
}

#define ADD_BUILTIN(r, inst, n, v) add_attr((r), (inst), (n), strlen(n), (v), strlen(v), true, true)

static ecs_status build_instance(ecs_req *r, ecs_cluster *c, const reg *g, ecs_instance **out)
{
    ecs_plane *pl = r->pl;
    ecs_instance *inst;
    const ecs_json_val *attrs = ecs_req__member(r, r->root, "attributes");
    const ecs_json_val *vi = ecs_req__member(r, r->root, "versionInfo");
    char id[33], ec2[20];
    size_t i = 0, custom = 0;
    bool has_caps = false;
    ecs_status rc;

    inst = ecs_ctx__alloc(r->ctx, sizeof *inst);
    if (inst == NULL)
        return ecs_req__nomem(r);
    memset(inst, 0, sizeof *inst);
    ecs_plane__hex_id(pl, id, 32);
    inst->status = ECS_INST_ACTIVE;
    inst->agent_connected = true;
    inst->registered_at_ms = pl->now_ms;
    inst->version = 1;
    inst->cpu_total = inst->cpu_remaining = g->cpu;
    inst->mem_total = inst->mem_remaining = g->mem;
    rc = ECS_E_NOMEM;
    if (ecs_str__dup(r->ctx, &inst->id, id, 32) != ECS_OK ||
        ecs_str__fmt(r->ctx, &inst->arn, "arn:aws:ecs:%s:%s:container-instance/%s/%s",
                     ecs_str__c(&pl->region), ecs_str__c(&pl->account), ecs_str__c(&c->name),
                     id) != ECS_OK)
        goto fail;
    if (g->ec2_id_len > 0) {
        if (ecs_str__dup(r->ctx, &inst->ec2_instance_id, g->ec2_id, g->ec2_id_len) != ECS_OK)
            goto fail;
    } else {
        ec2[0] = 'i';
        ec2[1] = '-';
        ecs_plane__hex_id(pl, ec2 + 2, 17);
        if (ecs_str__dup(r->ctx, &inst->ec2_instance_id, ec2, 19) != ECS_OK)
            goto fail;
    }
    if (g->az_len > 0) {
        if (ecs_str__dup(r->ctx, &inst->availability_zone, g->az, g->az_len) != ECS_OK)
            goto fail;
    } else if (ecs_str__fmt(r->ctx, &inst->availability_zone, "%sa", ecs_str__c(&pl->region)) !=
               ECS_OK) {
        goto fail;
    }
    if (ecs_str__dup(r->ctx, &inst->instance_type, g->itype, g->itype_len) != ECS_OK ||
        ecs_str__dup(r->ctx, &inst->ami_id, g->ami, g->ami_len) != ECS_OK)
        goto fail;
    {
        size_t n = 0;
        const char *s;
        if ((s = ecs_req__str(r, vi, "agentVersion", &n)) != NULL &&
            ecs_str__dup(r->ctx, &inst->agent_version, s, n) != ECS_OK)
            goto fail;
        if ((s = ecs_req__str(r, vi, "agentHash", &n)) != NULL &&
            ecs_str__dup(r->ctx, &inst->agent_hash, s, n) != ECS_OK)
            goto fail;
        if ((s = ecs_req__str(r, vi, "dockerVersion", &n)) != NULL &&
            ecs_str__dup(r->ctx, &inst->docker_version, s, n) != ECS_OK)
            goto fail;
    }
    if (g->ntcp > 0) {
        inst->ports_tcp = ecs_ctx__alloc(r->ctx, g->ntcp * sizeof(uint16_t));
        if (inst->ports_tcp == NULL)
            goto fail;
        memcpy(inst->ports_tcp, g->tcp, g->ntcp * sizeof(uint16_t));
        inst->nports_tcp = g->ntcp;
    }
    if (g->nudp > 0) {
        inst->ports_udp = ecs_ctx__alloc(r->ctx, g->nudp * sizeof(uint16_t));
        if (inst->ports_udp == NULL)
            goto fail;
        memcpy(inst->ports_udp, g->udp, g->nudp * sizeof(uint16_t));
        inst->nports_udp = g->nudp;
    }
    if (ecs_json_len(g->gpus) > 0) {
        size_t ng = ecs_json_len(g->gpus), k = 0;
        inst->gpus = ecs_ctx__alloc(r->ctx, ng * sizeof(ecs_str));
        if (inst->gpus == NULL)
            goto fail;
        memset(inst->gpus, 0, ng * sizeof(ecs_str));
        inst->ngpus = ng;
        for (const ecs_json_val *v = ecs_json_first(g->gpus); v != NULL;
             v = ecs_json_next(g->gpus, v), k++) {
            size_t n = 0;
            const char *s = ecs_json_str(r->doc, v, &n);
            if (ecs_str__dup(r->ctx, &inst->gpus[k], s != NULL ? s : "", s != NULL ? n : 0) != ECS_OK)
                goto fail;
        }
    }

    /* built-in attributes first, then the request's, then capabilities */
    if ((rc = ADD_BUILTIN(r, inst, "ecs.availability-zone", ecs_str__c(&inst->availability_zone))) ||
        (g->itype_len > 0 && (rc = ADD_BUILTIN(r, inst, "ecs.instance-type", g->itype))) ||
        (g->ami_len > 0 && (rc = ADD_BUILTIN(r, inst, "ecs.ami-id", g->ami))) ||
        (rc = ADD_BUILTIN(r, inst, "ecs.os-type", "linux")) ||
        (rc = ADD_BUILTIN(r, inst, "ecs.os-family", "LINUX")) ||
        (rc = ADD_BUILTIN(r, inst, "ecs.cpu-architecture",
                          strcmp(g->arch, "arm64") == 0 ? "arm64" : "x86_64")))
        goto fail_rc;
    for (const ecs_json_val *a = ecs_json_first(attrs); a != NULL; a = ecs_json_next(attrs, a), i++) {
        size_t nl = 0, vl = 0;
        const char *name = ecs_req__str(r, a, "name", &nl);
        const char *value = ecs_req__str(r, a, "value", &vl);
        char path[48];
        snprintf(path, sizeof path, "attributes[%zu]", i);
        if ((rc = ecs_req__attr_check(r, path, name, nl, value, vl, value != NULL)) != ECS_OK)
            goto fail_rc;
        bool counted = !is_capability(name, nl) && !(nl > 4 && memcmp(name, "ecs.", 4) == 0);
        has_caps |= is_capability(name, nl);
        if (counted && ++custom > ECS_MAX_CUSTOM_ATTRIBUTES) {
            rc = ecs_api__fail(r->err, ECS_E_LIMIT, "AttributeLimitExceededException",
                               "attributes: at most %u custom attributes per container instance.",
                               ECS_MAX_CUSTOM_ATTRIBUTES);
            goto fail_rc;
        }
        if ((rc = add_attr(r, inst, name, nl, value != NULL ? value : "", value != NULL ? vl : 0,
                           !counted, false)) != ECS_OK)
            goto fail_rc;
    }
    if (!has_caps) {
        for (size_t k = 0; k < ecs_plane__ndefault_capabilities; k++) {
            if ((rc = ADD_BUILTIN(r, inst, ecs_plane__default_capabilities[k], "")) != ECS_OK)
                goto fail_rc;
        }
    }
    if ((rc = ecs_req__tags(r, ecs_req__member(r, r->root, "tags"), "tags", &inst->tags)) != ECS_OK)
        goto fail_rc;
    *out = inst;
    return ECS_OK;
fail:
    rc = ecs_req__nomem(r);
fail_rc:
    ecs_plane__instance_free(r->ctx, inst);
    return rc;
}

static ecs_status answer_instance(ecs_req *r, const ecs_instance *inst)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "containerInstance", 17);
    ecs_plane__write_instance(r->pl, r->w, inst, ECS_WRITE_TAGS);
    return ecs_json_write_obj_end(r->w);
}

ecs_status ecs_act__register_container_instance(ecs_req *r)
{
    ecs_cluster *c;
    ecs_instance *inst = NULL;
    reg g;
    size_t n = 0;
    const char *existing_ref = ecs_req__str(r, r->root, "containerInstanceArn", &n);
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    memset(&g, 0, sizeof g);
    if (existing_ref != NULL) {
        ecs_instance *old = ecs_plane__instance_by_ref(r->pl, c, existing_ref, n);
        if (old == NULL || old->status == ECS_INST_INACTIVE)
            return FAIL_IP(r, "containerInstanceArn: no registered container instance '%.*s' in "
                              "cluster %s.",
                           (int)(n > 200 ? 200 : n), existing_ref, ecs_str__c(&c->name));
        inst = old;
    }
    if ((rc = read_identity(r, &g)) != ECS_OK || (rc = read_resources(r, &g)) != ECS_OK)
        return rc;
    if (inst == NULL && g.ec2_id_len > 0) {
        ecs_instance *o = ecs_map__get(&c->instance_by_ec2, g.ec2_id, g.ec2_id_len);
        if (o != NULL && o->status != ECS_INST_INACTIVE)
            inst = o;
    }
    if (inst != NULL) {
        /* re-registration: the same instance, connected again */
        bool was = inst->agent_connected;
        int64_t version = inst->version;
        inst->agent_connected = true;
        inst->version++;
        if (answer_instance(r, inst) != ECS_OK) {
            inst->agent_connected = was;
            inst->version = version;
            return ecs_req__nomem(r);
        }
        ecs_plane__engine_put_instance(r->pl, c, inst);
        return ECS_OK;
    }
    if (c->registered_instances >= r->pl->max_instances)
        return ecs_api__fail(r->err, ECS_E_LIMIT, ECS_ERR_LIMIT_EXCEEDED,
                             "Cluster %s has reached the limit of %u container instances.",
                             ecs_str__c(&c->name), (unsigned)r->pl->max_instances);
    if ((rc = build_instance(r, c, &g, &inst)) != ECS_OK)
        return rc;
    if (ecs_vec__reserve(r->ctx, (void **)&c->instances, &c->instances_cap, sizeof(ecs_instance *),
                         c->ninstances + 1) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->instance_by_id, 1) != ECS_OK ||
        ecs_map__reserve(r->ctx, &c->instance_by_ec2, 1) != ECS_OK) {
        ecs_plane__instance_free(r->ctx, inst);
        return ecs_req__nomem(r);
    }
    if (answer_instance(r, inst) != ECS_OK) {
        ecs_plane__instance_free(r->ctx, inst);
        return ecs_req__nomem(r);
    }
    inst->index = (uint32_t)c->ninstances;
    c->instances[c->ninstances++] = inst;
    ecs_map__put(&c->instance_by_id, inst->id.p, inst->id.len, inst);
    ecs_map__put(&c->instance_by_ec2, inst->ec2_instance_id.p, inst->ec2_instance_id.len, inst);
    c->registered_instances++;
    ecs_plane__engine_put_instance(r->pl, c, inst);
    return ECS_OK;
}

static ecs_status instance_not_found(ecs_req *r, const char *ref, size_t n)
{
    return FAIL_IP(r, "The referenced container instance '%.*s' was not found in the cluster.",
                   (int)(n > 200 ? 200 : n), ref);
}

ecs_status ecs_act__deregister_container_instance(ecs_req *r)
{
    ecs_cluster *c;
    ecs_instance *inst;
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "containerInstance", &n);
    bool force = ecs_req__bool(r, r->root, "force", false);
    ecs_instance saved;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    inst = ecs_plane__instance_by_ref(r->pl, c, ref, n);
    if (inst == NULL || inst->status == ECS_INST_INACTIVE)
        return instance_not_found(r, ref, n);
    if (!force && inst->running_tasks + inst->pending_tasks > 0)
        return FAIL_IP(r, "Found running tasks on the instance; stop them or deregister with force.");
    saved = *inst;
    inst->status = ECS_INST_INACTIVE;
    inst->agent_connected = false;
    inst->version++;
    c->registered_instances--;
    if (answer_instance(r, inst) != ECS_OK) {
        *inst = saved;
        c->registered_instances++;
        return ecs_req__nomem(r);
    }
    /* the engine keeps it as never to be chosen */
    ecs_plane__engine_put_instance(r->pl, c, inst);
    /* its agent is gone: the tasks on it stop now (every live task sits
     * on an ACTIVE or DRAINING instance); services replace theirs */
    for (size_t i = 0; i < c->ntasks; i++) {
        ecs_task *t = c->tasks[i];
        if (t->inst != inst || t->last == ECS_TASK_STOPPED)
            continue;
        ecs_plane__task_stop(r->pl, t, ECS_STOP_TERMINATION_NOTICE, ECS_WHY_DEREGISTERED, NULL);
        ecs_plane__task_advance(r->pl, t, ECS_TASK_STOPPED);
    }
    return ECS_OK;
}

static void write_missing(ecs_req *r, const ecs_cluster *c, const char *ref, size_t n,
                          const char *reason)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "arn", 3);
    if (n >= 4 && memcmp(ref, "arn:", 4) == 0) {
        ecs_json_write_str(r->w, ref, n);
    } else {
        char buf[640];
        int k = snprintf(buf, sizeof buf, "arn:aws:ecs:%s:%s:container-instance/%s/%.*s",
                         ecs_str__c(&r->pl->region), ecs_str__c(&r->pl->account),
                         ecs_str__c(&c->name), (int)(n > 200 ? 200 : n), ref);
        size_t len = k < 0 ? 0 : ((size_t)k >= sizeof buf ? sizeof buf - 1 : (size_t)k);
        ecs_json_write_str(r->w, buf, len);
    }
    ecs_json_write_key(r->w, "reason", 6);
    ecs_json_write_str(r->w, reason, strlen(reason));
    ecs_json_write_obj_end(r->w);
}

ecs_status ecs_act__describe_container_instances(ecs_req *r)
{
    ecs_cluster *c;
    const ecs_json_val *list = ecs_req__member(r, r->root, "containerInstances");
    uint32_t flags = ecs_req__include_tags(r);
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (ecs_json_len(list) > 100)
        return FAIL_IP(r, "containerInstances: at most 100 per call.");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "containerInstances", 18);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        const ecs_instance *inst = ecs_plane__instance_by_ref(r->pl, c, ref, n);
        if (inst != NULL)
            ecs_plane__write_instance(r->pl, r->w, inst, flags);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        if (ecs_plane__instance_by_ref(r->pl, c, ref, n) == NULL)
            write_missing(r, c, ref, n, "MISSING");
    }
    ecs_json_write_arr_end(r->w);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

/* For ListContainerInstances' filter: the instance's own properties and
 * attributes, and the distinct groups of the live tasks on it. */
typedef struct group_ref {
    const ecs_instance *inst;
    const ecs_str *group;
} group_ref;

typedef struct group_table {
    group_ref *refs; /* sorted by instance, then group; duplicates removed */
    size_t n, cap;
} group_table;

typedef struct inst_groups {
    const ecs_instance *inst;
    const group_table *table;
} inst_groups;

static int cmp_group_ref(const void *a, const void *b)
{
    const group_ref *x = a, *y = b;
    if (x->inst != y->inst)
        return (uintptr_t)x->inst < (uintptr_t)y->inst ? -1 : 1;
    return ecs_str__cmp(x->group, y->group);
}

static ecs_status groups_build(ecs_req *r, const ecs_cluster *c, group_table *out)
{
    size_t n = 0, m = 0;
    out->refs = NULL;
    out->n = out->cap = 0;
    if (c->ntasks == 0)
        return ECS_OK;
    out->refs = ecs_ctx__alloc(r->ctx, c->ntasks * sizeof(group_ref));
    if (out->refs == NULL)
        return ecs_req__nomem(r);
    out->cap = c->ntasks;
    for (size_t i = 0; i < c->ntasks; i++) {
        const ecs_task *t = c->tasks[i];
        if (t->inst == NULL || t->last == ECS_TASK_STOPPED)
            continue;
        out->refs[n].inst = t->inst;
        out->refs[n].group = &t->group;
        n++;
    }
    qsort(out->refs, n, sizeof(group_ref), cmp_group_ref);
    for (size_t i = 0; i < n; i++) {
        if (m == 0 || cmp_group_ref(&out->refs[m - 1], &out->refs[i]) != 0)
            out->refs[m++] = out->refs[i];
    }
    out->n = m;
    return ECS_OK;
}

static void groups_free(ecs_req *r, group_table *g)
{
    if (g->refs != NULL)
        ecs_ctx__release(r->ctx, g->refs, g->cap * sizeof(group_ref));
    g->refs = NULL;
    g->n = g->cap = 0;
}

/* Range of table entries for inst: [*first, *first + count). */
static size_t groups_of(const group_table *t, const ecs_instance *inst, size_t *first)
{
    size_t lo = 0, hi = t->n, count = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)t->refs[mid].inst < (uintptr_t)inst)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (lo + count < t->n && t->refs[lo + count].inst == inst)
        count++;
    return count;
}

static bool subj_attribute(const void *p, const char *name, size_t nl, const char **value,
                           size_t *vl)
{
    const inst_groups *ig = p;
    for (size_t i = 0; i < ig->inst->nattrs; i++) {
        const ecs_attr *a = &ig->inst->attrs[i];
        if (ecs_str__eq(&a->name, name, nl)) {
            *value = ecs_str__c(&a->value);
            *vl = a->value.len;
            return true;
        }
    }
    return false;
}

static size_t subj_group_count(const void *p)
{
    const inst_groups *ig = p;
    size_t first;
    return ig->table->refs == NULL ? 0 : groups_of(ig->table, ig->inst, &first);
}

static const char *subj_group_at(const void *p, size_t i, size_t *len)
{
    const inst_groups *ig = p;
    size_t first;
    (void)groups_of(ig->table, ig->inst, &first);
    *len = ig->table->refs[first + i].group->len;
    return ecs_str__c(ig->table->refs[first + i].group);
}

static void subject_of(const ecs_instance *inst, const inst_groups *ig, ecs_query_subject *s)
{
    memset(s, 0, sizeof *s);
    s->inst = ig;
    s->ec2_instance_id = ecs_str__c(&inst->ec2_instance_id);
    s->ec2_instance_id_len = inst->ec2_instance_id.len;
    s->agent_version = inst->agent_version.len > 0 ? inst->agent_version.p : NULL;
    s->agent_version_len = inst->agent_version.len;
    s->registered_at_ms = inst->registered_at_ms;
    s->running_tasks_count = inst->running_tasks;
    s->agent_connected = inst->agent_connected;
    s->attribute = subj_attribute;
    s->group_count = subj_group_count;
    s->group_at = subj_group_at;
}

static int cmp_inst_arn(const void *a, const void *b)
{
    const ecs_instance *x = *(const ecs_instance *const *)a, *y = *(const ecs_instance *const *)b;
    return ecs_str__cmp(&x->arn, &y->arn);
}

ecs_status ecs_act__list_container_instances(ecs_req *r)
{
    ecs_cluster *c;
    char key[ECS_TOKEN_KEY_MAX];
    size_t max, key_len, n = 0, bytes, i = 0, emitted = 0, sl = 0;
    bool has_key;
    const char *status = ecs_req__str(r, r->root, "status", &sl);
    size_t fl = 0;
    const char *filter_text = ecs_req__str(r, r->root, "filter", &fl);
    ecs_query *filter = NULL;
    group_table groups = { NULL, 0, 0 };
    const ecs_instance **sorted;
    ecs_str k;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if ((rc = ecs_req__page(r, 100, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    if (filter_text != NULL) {
        rc = ecs_query__compile(r->ctx, filter_text, fl, &filter);
        if (rc == ECS_E_NOMEM)
            return ecs_req__nomem(r);
        if (rc != ECS_OK)
            return FAIL_IP(r, "filter: %s", ecs_ctx_errmsg(r->ctx));
        if ((rc = groups_build(r, c, &groups)) != ECS_OK) {
            ecs_query__free(r->ctx, filter);
            return rc;
        }
    }
    bytes = (c->ninstances + 1) * sizeof *sorted;
    sorted = ecs_ctx__alloc(r->ctx, bytes);
    if (sorted == NULL) {
        ecs_query__free(r->ctx, filter);
        groups_free(r, &groups);
        return ecs_req__nomem(r);
    }
    for (size_t j = 0; j < c->ninstances; j++) {
        const ecs_instance *inst = c->instances[j];
        const char *name = ecs_plane__instance_status_name(inst->status);
        if (!(status != NULL ? (strlen(name) == sl && memcmp(name, status, sl) == 0)
                             : inst->status != ECS_INST_INACTIVE))
            continue;
        if (filter != NULL) {
            ecs_query_subject subj;
            inst_groups ig = { inst, &groups };
            subject_of(inst, &ig, &subj);
            if (!ecs_query__eval(filter, &subj))
                continue;
        }
        sorted[n++] = inst;
    }
    ecs_query__free(r->ctx, filter);
    groups_free(r, &groups);
    qsort(sorted, n, sizeof *sorted, cmp_inst_arn);
    k.p = key;
    k.len = key_len;
    while (has_key && i < n && ecs_str__cmp(&sorted[i]->arn, &k) <= 0)
        i++;
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "containerInstanceArns", 21);
    ecs_json_write_arr_begin(r->w);
    for (; i < n && emitted < max; i++, emitted++)
        ecs_json_write_str(r->w, ecs_str__c(&sorted[i]->arn), sorted[i]->arn.len);
    ecs_json_write_arr_end(r->w);
    if (i < n)
        ecs_req__write_token(r, sorted[i - 1]->arn.p, sorted[i - 1]->arn.len);
    ecs_ctx__release(r->ctx, sorted, bytes);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__update_container_instances_state(ecs_req *r)
{
    ecs_cluster *c;
    const ecs_json_val *list = ecs_req__member(r, r->root, "containerInstances");
    size_t sl = 0, k = 0;
    const char *status = ecs_req__str(r, r->root, "status", &sl);
    ecs_instance *targets[10];
    ecs_instance_status old[10];
    int64_t old_version[10];
    size_t nt = 0;
    ecs_instance_status want;
    ecs_status rc;

    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (status != NULL && sl == 6 && memcmp(status, "ACTIVE", 6) == 0)
        want = ECS_INST_ACTIVE;
    else if (status != NULL && sl == 8 && memcmp(status, "DRAINING", 8) == 0)
        want = ECS_INST_DRAINING;
    else
        return FAIL_IP(r, "status: container instances can only be set to ACTIVE or DRAINING.");
    if (ecs_json_len(list) > 10)
        return FAIL_IP(r, "containerInstances: at most 10 per call.");
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        ecs_instance *inst = ecs_plane__instance_by_ref(r->pl, c, ref, n);
        bool dup = false;
        if (inst == NULL || inst->status == ECS_INST_INACTIVE)
            continue;
        for (size_t j = 0; j < nt; j++)
            dup |= targets[j] == inst;
        if (!dup)
            targets[nt++] = inst;
    }
    for (k = 0; k < nt; k++) {
        old[k] = targets[k]->status;
        old_version[k] = targets[k]->version;
        if (targets[k]->status != want) {
            targets[k]->status = want;
            targets[k]->version++;
        }
    }
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "containerInstances", 18);
    ecs_json_write_arr_begin(r->w);
    for (k = 0; k < nt; k++)
        ecs_plane__write_instance(r->pl, r->w, targets[k], 0);
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        const ecs_instance *inst = ecs_plane__instance_by_ref(r->pl, c, ref, n);
        if (inst == NULL)
            write_missing(r, c, ref, n, "MISSING");
        else if (inst->status == ECS_INST_INACTIVE)
            write_missing(r, c, ecs_str__c(&inst->arn), inst->arn.len, "INACTIVE");
    }
    ecs_json_write_arr_end(r->w);
    if (ecs_json_write_obj_end(r->w) != ECS_OK) {
        for (k = 0; k < nt; k++) {
            targets[k]->status = old[k];
            targets[k]->version = old_version[k];
        }
        return ecs_req__nomem(r);
    }
    for (k = 0; k < nt; k++) {
        if (old[k] != targets[k]->status)
            ecs_plane__engine_put_instance(r->pl, c, targets[k]);
    }
    return ECS_OK;
}
