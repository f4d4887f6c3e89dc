/*
 * The launch-type independent rules of spec 1.3 and 1.4 for containers,
 * run on a decoded definition (ecs_taskdef) and on the request it came from
 * for what the struct does not keep. Task-level members (volumes,
 * placementConstraints, ephemeralStorage, inferenceAccelerators) are in
 * taskdef_task.c, links/volumesFrom/dependsOn in taskdef_deps.c, the checks
 * of each launch type in taskdef_launch.c.
 *
 * Message conventions: a rule whose AWS wording spec 6.4 gives uses that
 * text byte for byte; every other message starts with the path of the
 * field at fault ("containerDefinitions[1].memoryReservation: ..."), and
 * reuses AWS's wording after the path where independent reports quote it.
 * A malformed single value is InvalidParameterException; a broken rule
 * between fields is ClientException.
 */
#include <stdio.h>
#include <string.h>

#include "model/taskdef_internal.h"

#define TRY(expr)                        \
    do {                                 \
        ecs_status rc_ = (expr);         \
        if (rc_ != ECS_OK)               \
            return rc_;                  \
    } while (0)

static int clip(size_t n)
{
    return n > 64 ? 64 : (int)n;
}

static const char *network_mode_name(ecs_network_mode m)
{
    switch (m) {
    case ECS_NET_BRIDGE:
        return "bridge";
    case ECS_NET_HOST:
        return "host";
    case ECS_NET_AWSVPC:
        return "awsvpc";
    case ECS_NET_NONE:
        return "none";
    }
    return "?";
}

/* ------------------------------------------------------------------------ */
/* Containers                                                                */

static ecs_status check_image(const ecs_tdscan *s, size_t i, const ecs_path *cp)
{
    ecs_tdstr image;

    TRY(ecs_taskdef__str(s, s->cobj[i], cp, "image", &image));
    if (image.p == NULL || image.len == 0)
        return ecs_taskdef__client(s, "%s.image: Container.image should not be null or empty.",
                                   ecs_path__str(cp));
    switch (ecs_taskdef__check_image(image.p, image.len)) {
    case ECS_IMAGE_OK:
        return ECS_OK;
    case ECS_IMAGE_TOO_LONG:
        return ecs_taskdef__client(s,
                                   "%s.image: the repository part is longer than 255 characters.",
                                   ecs_path__str(cp));
    case ECS_IMAGE_BAD_CHARS:
        break;
    }
    return ecs_taskdef__client(s, "%s.image: Container.image contains invalid characters.",
                               ecs_path__str(cp));
}

static bool port_name_ok(const char *p, size_t len)
{
    size_t i;
    if (len == 0 || len > 64 || p[0] == '-')
        return false;
    for (i = 0; i < len; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Whether port p of protocol udp falls in mapping m (a range or a port). */
static bool covers(const ecs_port_mapping *m, uint32_t lo, uint32_t hi, bool udp)
{
    uint32_t a = m->range_first != 0 ? m->range_first : m->container_port;
    uint32_t b = m->range_first != 0 ? m->range_last : m->container_port;
    return m->udp == udp && a != 0 && lo <= b && a <= hi;
}

static ecs_status check_ports(const ecs_tdscan *s, const ecs_taskdef *td, size_t i,
                              const ecs_path *cp)
{
    const ecs_container_def *c = &td->containers[i];
    const ecs_json_val *arr, *m;
    ecs_path pp = ecs_taskdef__path_key(cp, "portMappings");
    ecs_network_mode nm = td->network_mode;
    size_t j = 0, k, nranges = 0;

    TRY(ecs_taskdef__arr(s, s->cobj[i], cp, "portMappings", &arr));
    if (c->nports > 0 && nm == ECS_NET_NONE)
        return ecs_taskdef__client(s,
                                   "%s: port mappings are not allowed when networkMode is none.",
                                   ecs_path__str(&pp));
    for (m = ecs_json_first(arr); m != NULL && j < c->nports; m = ecs_json_next(arr, m), j++) {
        const ecs_port_mapping *pm = &c->ports[j];
        ecs_path mp = ecs_taskdef__path_index(&pp, j);
        bool has_hp, has_cp;
        int64_t hp, cport;
        ecs_tdstr name;
        TRY(ecs_taskdef__int(s, m, &mp, "hostPort", &has_hp, &hp));
        TRY(ecs_taskdef__int(s, m, &mp, "containerPort", &has_cp, &cport));
        TRY(ecs_taskdef__str(s, m, &mp, "name", &name));
        if (!has_cp && pm->range_first == 0)
            return ecs_taskdef__invalid(s, "%s: containerPort or containerPortRange is required.",
                                        ecs_path__str(&mp));
        if (has_cp && pm->range_first != 0)
            return ecs_taskdef__invalid(s,
                                        "%s: containerPort and containerPortRange cannot both be "
                                        "set.",
                                        ecs_path__str(&mp));
        if (pm->range_first != 0) {
            if (has_hp)
                return ecs_taskdef__invalid(s,
                                            "%s.hostPort cannot be set with containerPortRange.",
                                            ecs_path__str(&mp));
            if (nm != ECS_NET_BRIDGE && nm != ECS_NET_AWSVPC)
                return ecs_taskdef__client(s,
                                           "%s.containerPortRange is only supported when "
                                           "networkMode is bridge or awsvpc (networkMode is %s).",
                                           ecs_path__str(&mp), network_mode_name(nm));
            if (++nranges > 100)
                return ecs_taskdef__limit(s,
                                          "%s: at most 100 containerPortRange mappings per "
                                          "container.",
                                          ecs_path__str(&pp));
        }
        if (has_hp && hp != 0 && has_cp && hp != cport) {
            if (nm == ECS_NET_AWSVPC)
                return ecs_taskdef__client(s, "When networkMode=awsvpc, the host ports and "
                                              "container ports in port mappings must match.");
            if (nm == ECS_NET_HOST)
                return ecs_taskdef__client(s, "When networkMode=host, the host ports and "
                                              "container ports in port mappings must match.");
        }
        if (name.p != NULL && !port_name_ok(name.p, name.len))
            return ecs_taskdef__invalid(s,
                                        "%s.name must be 1 to 64 lowercase letters, digits, "
                                        "underscores and hyphens, not starting with a hyphen.",
                                        ecs_path__str(&mp));
        /* a port may sit in one mapping only, when a range is involved */
        for (k = 0; k < j; k++) {
            const ecs_port_mapping *o = &c->ports[k];
            uint32_t lo = pm->range_first != 0 ? pm->range_first : pm->container_port;
            uint32_t hi = pm->range_first != 0 ? pm->range_last : pm->container_port;
            bool ranged = pm->range_first != 0 || o->range_first != 0;
            if (ranged && lo != 0 && covers(o, lo, hi, pm->udp))
                return ecs_taskdef__client(s,
                                           "%s: its ports overlap portMappings[%zu]; a port may be "
                                           "in only one port mapping per container.",
                                           ecs_path__str(&mp), k);
        }
    }
    return ECS_OK;
}

static ecs_status check_health(const ecs_tdscan *s, size_t i, const ecs_path *cp)
{
    static const struct {
        char name[16];
        int64_t lo, hi;
    } ranges[] = { { "interval", 5, 300 },
                   { "timeout", 2, 60 },
                   { "retries", 1, 10 },
                   { "startPeriod", 0, 300 } };
    const ecs_json_val *hc, *cmd, *e;
    ecs_path hp = ecs_taskdef__path_key(cp, "healthCheck"), mp;
    size_t k = 0;

    TRY(ecs_taskdef__obj(s, s->cobj[i], cp, "healthCheck", &hc));
    if (hc == NULL)
        return ECS_OK;
    TRY(ecs_taskdef__arr(s, hc, &hp, "command", &cmd));
    mp = ecs_taskdef__path_key(&hp, "command");
    if (cmd == NULL)
        return ecs_taskdef__invalid(s, "%s: required member is missing.", ecs_path__str(&mp));
    if (ecs_json_len(cmd) == 0)
        return ecs_taskdef__client(s, "%s must not be empty.", ecs_path__str(&mp));
    for (e = ecs_json_first(cmd); e != NULL; e = ecs_json_next(cmd, e), k++) {
        ecs_path ep = ecs_taskdef__path_index(&mp, k);
        ecs_tdstr part;
        TRY(ecs_taskdef__elem_str(s, e, &ep, &part));
    }
    for (k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
        bool has;
        int64_t v;
        TRY(ecs_taskdef__int(s, hc, &hp, ranges[k].name, &has, &v));
        if (has && (v < ranges[k].lo || v > ranges[k].hi))
            return ecs_taskdef__invalid(s, "%s.%s must be between %lld and %lld (%lld).",
                                        ecs_path__str(&hp), ranges[k].name,
                                        (long long)ranges[k].lo, (long long)ranges[k].hi,
                                        (long long)v);
    }
    return ECS_OK;
}

static bool has_volume(const ecs_tdscan *s, const char *name, size_t len)
{
    const ecs_json_val *arr = ecs_taskdef__get(s->doc, s->req, "volumes"), *v;

    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
        size_t n = 0;
        const char *o = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, v, "name"), &n);
        if (o != NULL && n == len && memcmp(o, name, n) == 0)
            return true;
    }
    return false;
}

static ecs_status check_mounts(const ecs_tdscan *s, size_t i, const ecs_path *cp)
{
    const ecs_json_val *arr, *m;
    ecs_path mp = ecs_taskdef__path_key(cp, "mountPoints");
    size_t j = 0;

    TRY(ecs_taskdef__arr(s, s->cobj[i], cp, "mountPoints", &arr));
    for (m = ecs_json_first(arr); m != NULL; m = ecs_json_next(arr, m), j++) {
        ecs_path ep = ecs_taskdef__path_index(&mp, j);
        ecs_tdstr src, path;
        bool has, ro;
        TRY(ecs_taskdef__elem_obj(s, m, &ep));
        TRY(ecs_taskdef__str(s, m, &ep, "sourceVolume", &src));
        TRY(ecs_taskdef__str(s, m, &ep, "containerPath", &path));
        TRY(ecs_taskdef__bool(s, m, &ep, "readOnly", &has, &ro));
        if (src.p == NULL || src.len == 0)
            return ecs_taskdef__client(s, "%s.sourceVolume: required.", ecs_path__str(&ep));
        if (!has_volume(s, src.p, src.len))
            return ecs_taskdef__client(s, "%s.sourceVolume: no volume named '%.*s' in volumes.",
                                       ecs_path__str(&ep), (int)src.len, src.p);
        if (path.p == NULL || path.len == 0)
            return ecs_taskdef__client(s, "%s.containerPath: required.", ecs_path__str(&ep));
    }
    return ECS_OK;
}

static ecs_status check_timeouts(const ecs_tdscan *s, size_t i, const ecs_path *cp)
{
    static const char keys[][16] = { "startTimeout", "stopTimeout" };
    size_t k;

    for (k = 0; k < 2; k++) {
        bool has;
        int64_t v;
        TRY(ecs_taskdef__int(s, s->cobj[i], cp, keys[k], &has, &v));
        if (has && v < 0)
            return ecs_taskdef__invalid(s, "%s.%s must not be negative (%lld).", ecs_path__str(cp),
                                        keys[k], (long long)v);
    }
    return ECS_OK;
}

static size_t firelens_router(const ecs_tdscan *s, const ecs_taskdef *td)
{
    size_t i;
    for (i = 0; i < td->ncontainers; i++)
        if (ecs_taskdef__get(s->doc, s->cobj[i], "firelensConfiguration") != NULL)
            return i;
    return ECS_TD_NONE;
}

static ecs_status check_logging(const ecs_tdscan *s, const ecs_taskdef *td, size_t i,
                                const ecs_path *cp)
{
    const ecs_json_val *lc, *opts, *fl;
    ecs_path lp = ecs_taskdef__path_key(cp, "logConfiguration");
    ecs_tdstr driver;
    size_t router = firelens_router(s, td);

    TRY(ecs_taskdef__obj(s, s->cobj[i], cp, "firelensConfiguration", &fl));
    if (fl != NULL && router != i)
        return ecs_taskdef__client(s,
                                   "%s.firelensConfiguration: only one container may be the log "
                                   "router (containerDefinitions[%zu] has firelensConfiguration).",
                                   ecs_path__str(cp), router);
    TRY(ecs_taskdef__obj(s, s->cobj[i], cp, "logConfiguration", &lc));
    if (lc == NULL)
        return ECS_OK;
    TRY(ecs_taskdef__str(s, lc, &lp, "logDriver", &driver));
    TRY(ecs_taskdef__obj(s, lc, &lp, "options", &opts));
    if (driver.p == NULL)
        return ecs_taskdef__invalid(s, "%s.logDriver: required member is missing.",
                                    ecs_path__str(&lp));
    if (ecs_taskdef__str_eq(&driver, "awslogs")) {
        bool region = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, opts, "awslogs-region"),
                                   NULL) != NULL;
        bool group = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, opts, "awslogs-group"),
                                  NULL) != NULL;
        if (!region || !group)
            return ecs_taskdef__client(s, "%s.options: Log driver awslogs requires options: %s%s%s",
                                       ecs_path__str(&lp), region ? "" : "awslogs-region",
                                       !region && !group ? ", " : "", group ? "" : "awslogs-group");
    }
    if (ecs_taskdef__str_eq(&driver, "awsfirelens") && router == ECS_TD_NONE)
        return ecs_taskdef__client(s,
                                   "%s.logDriver: awsfirelens needs a log router, a container "
                                   "with firelensConfiguration, in the task definition.",
                                   ecs_path__str(&lp));
    return ECS_OK;
}

static bool has_accelerator(const ecs_tdscan *s, const char *name, size_t len)
{
    const ecs_json_val *arr = ecs_taskdef__get(s->doc, s->req, "inferenceAccelerators"), *v;
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
        size_t n = 0;
        const char *o = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, v, "deviceName"), &n);
        if (o != NULL && n == len && memcmp(o, name, n) == 0)
            return true;
    }
    return false;
}

static ecs_status check_resources(const ecs_tdscan *s, size_t i, const ecs_path *cp)
{
    const ecs_json_val *arr, *r, *o;
    ecs_path rp = ecs_taskdef__path_key(cp, "resourceRequirements");
    size_t j = 0, k;

    TRY(ecs_taskdef__arr(s, s->cobj[i], cp, "resourceRequirements", &arr));
    for (r = ecs_json_first(arr); r != NULL; r = ecs_json_next(arr, r), j++) {
        ecs_path ep = ecs_taskdef__path_index(&rp, j);
        ecs_tdstr type, value;
        TRY(ecs_taskdef__elem_obj(s, r, &ep));
        TRY(ecs_taskdef__str(s, r, &ep, "type", &type));
        TRY(ecs_taskdef__str(s, r, &ep, "value", &value));
        if (type.p == NULL || value.p == NULL)
            return ecs_taskdef__invalid(s, "%s: type and value are required.", ecs_path__str(&ep));
        if (!ecs_taskdef__str_eq(&type, "GPU") && !ecs_taskdef__str_eq(&type, "InferenceAccelerator"))
            return ecs_taskdef__invalid(s, "%s.type must be GPU or InferenceAccelerator.",
                                        ecs_path__str(&ep));
        for (o = ecs_json_first(arr), k = 0; k < j; o = ecs_json_next(arr, o), k++) {
            size_t n2 = 0;
            const char *t2 = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, o, "type"), &n2);
            if (t2 != NULL && n2 == type.len && memcmp(t2, type.p, n2) == 0)
                return ecs_taskdef__client(s, "%s.type: %.*s is already given in %s[%zu].",
                                           ecs_path__str(&ep), (int)type.len, type.p,
                                           ecs_path__str(&rp), k);
        }
        if (ecs_taskdef__str_eq(&type, "InferenceAccelerator") &&
            !has_accelerator(s, value.p, value.len))
            return ecs_taskdef__client(s,
                                       "%s.value: no inferenceAccelerators entry has deviceName "
                                       "'%.*s'.",
                                       ecs_path__str(&ep), clip(value.len), value.p);
    }
    return ECS_OK;
}

static ecs_status check_memory_pair(const ecs_tdscan *s, const ecs_container_def *c,
                                    const ecs_path *cp)
{
    if (c->memory_mib != 0 && c->memory_reservation_mib > c->memory_mib)
        return ecs_taskdef__client(s,
                                   "%s.memoryReservation: must not be greater than memory (%u > "
                                   "%u MiB).",
                                   ecs_path__str(cp), c->memory_reservation_mib, c->memory_mib);
    return ECS_OK;
}

/* ------------------------------------------------------------------------ */
/* Across containers                                                         */

static ecs_status check_sums(const ecs_tdscan *s, const ecs_taskdef *td)
{
    uint64_t cpu = 0, reserved = 0;
    bool any_reservation = false;
    size_t i;

    for (i = 0; i < td->ncontainers; i++) {
        const ecs_container_def *c = &td->containers[i];
        cpu += c->cpu;
        reserved += c->memory_reservation_mib != 0 ? c->memory_reservation_mib : c->memory_mib;
        any_reservation = any_reservation || c->memory_reservation_mib != 0;
        if (td->memory_mib != 0 && c->memory_mib > td->memory_mib) {
            ecs_path cp = ecs_taskdef__cpath(i);
            return ecs_taskdef__client(s,
                                       "%s.memory: The 'memory' setting for container '%s' is "
                                       "greater than for the task (%u > %u MiB).",
                                       ecs_path__str(&cp), ecs_str__c(&c->name), c->memory_mib,
                                       td->memory_mib);
        }
    }
    if (td->cpu != 0 && cpu > td->cpu)
        return ecs_taskdef__client(s,
                                   "cpu: The sum of all container 'cpu' values cannot be greater "
                                   "than the value of the task 'cpu' (%llu > %u).",
                                   (unsigned long long)cpu, td->cpu);
    if (td->memory_mib != 0 && reserved > td->memory_mib)
        return ecs_taskdef__client(s,
                                   "memory: The sum of all container '%s' values cannot be "
                                   "greater than the value of the task 'memory' (%llu > %u MiB).",
                                   any_reservation ? "memoryReservation" : "memory",
                                   (unsigned long long)reserved, td->memory_mib);
    return ECS_OK;
}

ecs_status ecs_taskdef__check_rules(const ecs_tdscan *s, const ecs_taskdef *td)
{
    size_t i;
    bool essential = false;

    TRY(ecs_taskdef__check_task(s));
    for (i = 0; i < td->ncontainers; i++) {
        ecs_path cp = ecs_taskdef__cpath(i);
        TRY(check_image(s, i, &cp));
        TRY(check_memory_pair(s, &td->containers[i], &cp));
        TRY(check_ports(s, td, i, &cp));
        TRY(check_health(s, i, &cp));
        TRY(check_mounts(s, i, &cp));
        TRY(check_timeouts(s, i, &cp));
        TRY(check_logging(s, td, i, &cp));
        TRY(check_resources(s, i, &cp));
        essential = essential || td->containers[i].essential;
    }
    if (!essential)
        return ecs_taskdef__client(s, "containerDefinitions: at least one container must be "
                                      "essential (essential defaults to true).");
    return check_sums(s, td);
}
