/*
 * Launch types (spec 1.3): the checks of EC2, FARGATE, EXTERNAL and
 * MANAGED_INSTANCES, run for each type the request lists in
 * requiresCompatibilities (EC2 when it lists none) with their refusals
 * reported, then again silently for every type to decide the
 * `compatibilities` ECS would show:
 *   EC2       passes unless a task cpu is outside 128-196608 units, or a
 *             container has neither memory nor memoryReservation while the
 *             task has no memory;
 *   EXTERNAL  as EC2, and networkMode is not awsvpc;
 *   FARGATE   awsvpc, task cpu and memory forming one of the 74 sizes,
 *             nothing Fargate leaves out (see fargate_check), timeouts of
 *             at most 120 s, and an executionRoleArn when awslogs, private
 *             ECR images, repository credentials, secrets or environment
 *             files need one;
 *   MANAGED_INSTANCES  listed only when requested: as EC2, with an explicit
 *             networkMode of awsvpc, host or none.
 */
#include <string.h>

#include "model/taskdef_internal.h"

#define TRY(expr)                        \
    do {                                 \
        ecs_status rc_ = (expr);         \
        if (rc_ != ECS_OK)               \
            return rc_;                  \
    } while (0)

/* Fargate task sizes: memory from min to max in steps, per cpu. */
static const struct fargate_row {
    uint32_t cpu, min_mib, max_mib, step_mib;
    bool windows; /* also offered for Windows */
} fargate_rows[] = {
    { 256, 512, 512, 512, false },      /* 512, then 1024 and 2048 below */
    { 256, 1024, 2048, 1024, false },
    { 512, 1024, 4096, 1024, false },
    { 1024, 2048, 8192, 1024, true },
    { 2048, 4096, 16384, 1024, true },
    { 4096, 8192, 30720, 1024, true },
    { 8192, 16384, 61440, 4096, false },
    { 16384, 32768, 122880, 8192, false },
};

bool ecs_taskdef__fargate_size_ok(uint32_t cpu, uint32_t memory_mib)
{
    size_t i;

    for (i = 0; i < sizeof fargate_rows / sizeof fargate_rows[0]; i++) {
        const struct fargate_row *r = &fargate_rows[i];
        if (r->cpu == cpu && memory_mib >= r->min_mib && memory_mib <= r->max_mib &&
            (memory_mib - r->min_mib) % r->step_mib == 0)
            return true;
    }
    return false;
}

static bool fargate_windows_cpu_ok(uint32_t cpu)
{
    size_t i;
    for (i = 0; i < sizeof fargate_rows / sizeof fargate_rows[0]; i++)
        if (fargate_rows[i].cpu == cpu && fargate_rows[i].windows)
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* EC2, EXTERNAL, MANAGED_INSTANCES                                          */

static ecs_status ec2_check(const ecs_tdscan *s, const ecs_taskdef *td)
{
    size_t i;

    if (td->cpu != 0 && (td->cpu < 128 || td->cpu > 196608))
        return ecs_taskdef__client(s, "Invalid 'cpu' setting for task.");
    if (td->memory_mib == 0)
        for (i = 0; i < td->ncontainers; i++) {
            const ecs_container_def *c = &td->containers[i];
            if (c->memory_mib == 0 && c->memory_reservation_mib == 0)
                return ecs_taskdef__client(s,
                                           "Invalid setting for container '%s'. At least one of "
                                           "'memory' or 'memoryReservation' must be specified.",
                                           ecs_str__c(&c->name));
        }
    return ECS_OK;
}

static ecs_status external_check(const ecs_tdscan *s, const ecs_taskdef *td)
{
    TRY(ec2_check(s, td));
    if (td->network_mode == ECS_NET_AWSVPC)
        return ecs_taskdef__client(s, "networkMode: EXTERNAL (ECS Anywhere) does not support "
                                      "network mode 'awsvpc'.");
    return ECS_OK;
}

static ecs_status managed_check(const ecs_tdscan *s, const ecs_taskdef *td)
{
    TRY(ec2_check(s, td));
    if (!td->network_mode_set || td->network_mode == ECS_NET_BRIDGE)
        return ecs_taskdef__client(s, "networkMode: MANAGED_INSTANCES needs networkMode awsvpc, "
                                      "host or none.");
    return ECS_OK;
}

/* ------------------------------------------------------------------------ */
/* FARGATE                                                                   */

static bool non_empty(const ecs_tdscan *s, const ecs_json_val *obj, const char *key)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);
    ecs_json_type t = ecs_json_type_of(v);
    if (t == ECS_JSON_ARRAY || t == ECS_JSON_OBJECT)
        return ecs_json_len(v) > 0;
    if (t == ECS_JSON_FALSE)
        return false;
    return v != NULL;
}

static ecs_status fargate_task_level(const ecs_tdscan *s, const ecs_taskdef *td)
{
    const ecs_json_val *vols, *v;
    ecs_tdstr pid;
    ecs_path root;
    size_t i = 0;

    ecs_path__init(&root);
    if (td->network_mode != ECS_NET_AWSVPC)
        return ecs_taskdef__client(s, "Fargate only supports network mode 'awsvpc'.");
    if (td->cpu == 0)
        return ecs_taskdef__client(s, "Fargate requires that 'cpu' be defined at the task level.");
    if (td->memory_mib == 0)
        return ecs_taskdef__client(s,
                                   "Fargate requires that 'memory' be defined at the task level.");
    if (!ecs_taskdef__fargate_size_ok(td->cpu, td->memory_mib))
        return ecs_taskdef__client(s,
                                   "No Fargate configuration exists for given values: %u CPU, %u "
                                   "memory. See the Amazon ECS documentation for the valid values.",
                                   td->cpu, td->memory_mib);
    if (ecs_taskdef__is_windows(s) && !fargate_windows_cpu_ok(td->cpu))
        return ecs_taskdef__client(s,
                                   "runtimePlatform.operatingSystemFamily: Fargate runs Windows "
                                   "tasks with cpu 1024, 2048 or 4096 only (cpu is %u).",
                                   td->cpu);
    if (non_empty(s, s->req, "placementConstraints"))
        return ecs_taskdef__client(s, "placementConstraints: not supported on Fargate.");
    if (non_empty(s, s->req, "ipcMode"))
        return ecs_taskdef__client(s, "ipcMode: not supported on Fargate.");
    TRY(ecs_taskdef__str(s, s->req, &root, "pidMode", &pid));
    if (ecs_taskdef__str_eq(&pid, "host"))
        return ecs_taskdef__client(s, "pidMode: host is not supported on Fargate (only task).");
    vols = ecs_taskdef__get(s->doc, s->req, "volumes");
    for (v = ecs_json_first(vols); v != NULL; v = ecs_json_next(vols, v), i++) {
        if (non_empty(s, ecs_taskdef__get(s->doc, v, "host"), "sourcePath"))
            return ecs_taskdef__client(s,
                                       "volumes[%zu].host.sourcePath: host paths are not supported "
                                       "on Fargate.",
                                       i);
        if (ecs_taskdef__get(s->doc, v, "dockerVolumeConfiguration") != NULL)
            return ecs_taskdef__client(s,
                                       "volumes[%zu].dockerVolumeConfiguration: Docker volumes are "
                                       "not supported on Fargate.",
                                       i);
    }
    return ECS_OK;
}

static ecs_status fargate_container(const ecs_tdscan *s, const ecs_taskdef *td, size_t i)
{
    static const char unsupported[][24] = { "privileged",      "disableNetworking",
                                                "dnsServers",      "dnsSearchDomains",
                                                "extraHosts",      "dockerSecurityOptions",
                                                "links" };
    static const char linux_unsupported[][20] = { "devices", "sharedMemorySize", "tmpfs",
                                                     "maxSwap", "swappiness" };
    const ecs_json_val *c = s->cobj[i], *lp, *lc, *add, *e;
    ecs_path cp = ecs_taskdef__cpath(i);
    ecs_tdstr driver;
    size_t k;
    bool has;
    int64_t v;

    for (k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++)
        if (non_empty(s, c, unsupported[k]))
            return ecs_taskdef__client(s, "%s.%s: not supported on Fargate.", ecs_path__str(&cp),
                                       unsupported[k]);
    lp = ecs_taskdef__get(s->doc, c, "linuxParameters");
    for (k = 0; k < sizeof linux_unsupported / sizeof linux_unsupported[0]; k++)
        if (non_empty(s, lp, linux_unsupported[k]))
            return ecs_taskdef__client(s, "%s.linuxParameters.%s: not supported on Fargate.",
                                       ecs_path__str(&cp), linux_unsupported[k]);
    add = ecs_taskdef__get(s->doc, ecs_taskdef__get(s->doc, lp, "capabilities"), "add");
    for (e = ecs_json_first(add); e != NULL; e = ecs_json_next(add, e)) {
        size_t n = 0;
        const char *cap = ecs_json_str(s->doc, e, &n);
        if (cap == NULL || !((n == 10 && memcmp(cap, "SYS_PTRACE", 10) == 0) ||
                             (n == 14 && memcmp(cap, "CAP_SYS_PTRACE", 14) == 0)))
            return ecs_taskdef__client(s,
                                       "%s.linuxParameters.capabilities.add: Fargate only allows "
                                       "adding SYS_PTRACE.",
                                       ecs_path__str(&cp));
    }
    if (td->containers[i].gpus != 0)
        return ecs_taskdef__client(s, "%s.resourceRequirements: GPUs are not supported on Fargate.",
                                   ecs_path__str(&cp));
    lc = ecs_taskdef__get(s->doc, c, "logConfiguration");
    driver.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, lc, "logDriver"), &driver.len);
    if (driver.p != NULL && !ecs_taskdef__str_eq(&driver, "awslogs") &&
        !ecs_taskdef__str_eq(&driver, "splunk") && !ecs_taskdef__str_eq(&driver, "awsfirelens"))
        return ecs_taskdef__client(s,
                                   "%s.logConfiguration.logDriver: Fargate supports awslogs, "
                                   "splunk and awsfirelens only.",
                                   ecs_path__str(&cp));
    /* startTimeout: the API reference states no Fargate bound (stopTimeout's
     * 120 s is documented; a 2-120 s range for startTimeout appears only in
     * older guides), and real Fargate definitions use 600: only a negative
     * value is refused, in the general rules. */
    TRY(ecs_taskdef__int(s, c, &cp, "stopTimeout", &has, &v));
    if (has && v > 120)
        return ecs_taskdef__client(s, "%s.stopTimeout: at most 120 seconds on Fargate (%lld).",
                                   ecs_path__str(&cp), (long long)v);
    return ECS_OK;
}

/* Features that make Fargate pull or read with the task execution role. */
static ecs_status fargate_execution_role(const ecs_tdscan *s, const ecs_taskdef *td)
{
    size_t i, n = 0;
    const char *why = NULL;

    if (ecs_json_str(s->doc, ecs_taskdef__get(s->doc, s->req, "executionRoleArn"), &n) != NULL &&
        n > 0)
        return ECS_OK;
    for (i = 0; i < td->ncontainers && why == NULL; i++) {
        const ecs_json_val *c = s->cobj[i];
        const ecs_json_val *lc = ecs_taskdef__get(s->doc, c, "logConfiguration");
        ecs_tdstr driver, image;
        driver.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, lc, "logDriver"), &driver.len);
        image.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, c, "image"), &image.len);
        if (ecs_taskdef__str_eq(&driver, "awslogs"))
            why = "log driver awslogs";
        else if (image.p != NULL && ecs_taskdef__is_ecr_image(image.p, image.len))
            why = "ECR images";
        else if (ecs_taskdef__get(s->doc, c, "repositoryCredentials") != NULL)
            why = "private registry authentication";
        else if (non_empty(s, c, "secrets") || non_empty(s, lc, "secretOptions"))
            why = "secrets";
        else if (non_empty(s, c, "environmentFiles"))
            why = "environment files";
    }
    if (why != NULL)
        return ecs_taskdef__client(s,
                                   "executionRoleArn: Fargate requires task definition to have "
                                   "execution role ARN to support %s.",
                                   why);
    return ECS_OK;
}

static ecs_status fargate_check(const ecs_tdscan *s, const ecs_taskdef *td)
{
    size_t i;

    TRY(fargate_task_level(s, td));
    for (i = 0; i < td->ncontainers; i++)
        TRY(fargate_container(s, td, i));
    return fargate_execution_role(s, td);
}

/* ------------------------------------------------------------------------ */
/* The pass                                                                  */

typedef ecs_status (*launch_check)(const ecs_tdscan *, const ecs_taskdef *);

static launch_check check_of(uint32_t bit)
{
    switch (bit) {
    case ECS_COMPAT_EC2:
        return ec2_check;
    case ECS_COMPAT_FARGATE:
        return fargate_check;
    case ECS_COMPAT_EXTERNAL:
        return external_check;
    case ECS_COMPAT_MANAGED_INSTANCES:
        return managed_check;
    default:
        return NULL;
    }
}

ecs_status ecs_taskdef__check_launch(const ecs_tdscan *s, ecs_taskdef *td)
{
    static const uint32_t bits[] = { ECS_COMPAT_EC2, ECS_COMPAT_FARGATE, ECS_COMPAT_EXTERNAL,
                                     ECS_COMPAT_MANAGED_INSTANCES };
    uint32_t want = td->requires != 0 ? td->requires : ECS_COMPAT_EC2;
    uint32_t compat = 0;
    ecs_api_error scratch;
    ecs_tdscan probe = *s;
    size_t i;

    for (i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (want & bits[i])
            TRY(check_of(bits[i])(s, td));
    /* probes report nowhere */
    probe.ctx = NULL;
    probe.err = &scratch;
    if (ec2_check(&probe, td) == ECS_OK) {
        compat |= ECS_COMPAT_EC2;
        if (td->network_mode != ECS_NET_AWSVPC)
            compat |= ECS_COMPAT_EXTERNAL;
    }
    if (fargate_check(&probe, td) == ECS_OK)
        compat |= ECS_COMPAT_FARGATE;
    if (want & ECS_COMPAT_MANAGED_INSTANCES)
        compat |= ECS_COMPAT_MANAGED_INSTANCES;
    td->compatibilities = compat;
    return ECS_OK;
}
