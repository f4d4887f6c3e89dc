/*
 * requiresAttributes: the capability attributes a container instance must
 * carry to run the definition (spec 1.3; ECS publishes no derivation table,
 * so this is ours). Each entry is justified by the API reference ("this
 * parameter requires version 1.18 of the Docker Remote API") or by the
 * attributes real describe output shows for the same features; the
 * conformance files 066 and 072 carry such output:
 *
 *   awsvpc                          ecs.capability.task-eni
 *   taskRoleArn                     com.amazonaws.ecs.capability.task-iam-role
 *     ... with networkMode host     com.amazonaws.ecs.capability.task-iam-role-network-host
 *   proxyConfiguration              ecs.capability.aws-appmesh
 *   efsVolumeConfiguration          ecs.capability.efs
 *     ... with IAM, access point or transit encryption   ecs.capability.efsAuth
 *   fsxWindowsFileServerVolumeConfiguration   ecs.capability.fsxWindowsFileServer
 *   private ECR image               com.amazonaws.ecs.capability.ecr-auth
 *     ... with executionRoleArn     ecs.capability.execution-role-ecr-pull
 *   logConfiguration                com.amazonaws.ecs.capability.logging-driver.<driver>,
 *                                   com.amazonaws.ecs.capability.docker-remote-api.1.18
 *     ... with options              com.amazonaws.ecs.capability.docker-remote-api.1.19
 *     ... awslogs + executionRoleArn ecs.capability.execution-role-awslogs
 *     ... secretOptions             ecs.capability.secrets.{ssm,asm}.bootstrap.log-driver
 *   secrets                         ecs.capability.secrets.{ssm,asm}.environment-variables
 *   repositoryCredentials           com.amazonaws.ecs.capability.
 *                                     private-registry-authentication.secretsmanager
 *   environmentFiles                ecs.capability.env-files.s3
 *   healthCheck                     ecs.capability.container-health-check
 *   dependsOn, startTimeout, stopTimeout   ecs.capability.container-ordering
 *   firelensConfiguration           ecs.capability.firelens.<type>, and
 *                                   ecs.capability.firelens.options.config.<file|s3>
 *   dockerLabels, ulimits           com.amazonaws.ecs.capability.docker-remote-api.1.18
 *   linuxParameters.initProcessEnabled   com.amazonaws.ecs.capability.docker-remote-api.1.25
 *
 * A secret or secretOption whose valueFrom names Secrets Manager
 * (":secretsmanager:") needs the asm attribute, anything else the ssm one.
 * The list keeps first-derivation order, without duplicates.
 */
#include <stdio.h>
#include <string.h>

#include "model/taskdef_internal.h"

#define MAX_ATTRS 64
#define ATTR_LEN 128

typedef struct attrs {
    char name[MAX_ATTRS][ATTR_LEN];
    size_t n;
} attrs;

static void add(attrs *a, const char *prefix, const char *suffix, size_t suffix_len)
{
    char buf[ATTR_LEN];
    size_t i;
    int w = snprintf(buf, sizeof buf, "%s%.*s", prefix, (int)suffix_len, suffix);

    if (w < 0 || (size_t)w >= sizeof buf || memchr(buf, '\0', (size_t)w) != NULL)
        return; /* an odd driver name: no attribute rather than a cut one */
    for (i = 0; i < a->n; i++)
        if (strcmp(a->name[i], buf) == 0)
            return;
    if (a->n < MAX_ATTRS)
        memcpy(a->name[a->n++], buf, (size_t)w + 1);
}

static void add1(attrs *a, const char *name)
{
    add(a, name, "", 0);
}

static bool present(const ecs_tdscan *s, const ecs_json_val *obj, const char *key)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);
    ecs_json_type t = ecs_json_type_of(v);
    if (t == ECS_JSON_ARRAY || t == ECS_JSON_OBJECT)
        return ecs_json_len(v) > 0;
    if (t == ECS_JSON_FALSE)
        return false;
    if (t == ECS_JSON_STRING) {
        size_t n = 0;
        (void)ecs_json_str(s->doc, v, &n);
        return n > 0;
    }
    return v != NULL;
}

static bool str_is(const ecs_tdscan *s, const ecs_json_val *obj, const char *key,
                   const char *lit)
{
    ecs_tdstr v;
    v.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, obj, key), &v.len);
    return ecs_taskdef__str_eq(&v, lit);
}

static bool names_asm(const ecs_tdscan *s, const ecs_json_val *secret)
{
    size_t n = 0, i;
    const char *v = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, secret, "valueFrom"), &n);
    static const char needle[] = ":secretsmanager:";

    for (i = 0; v != NULL && i + sizeof needle - 1 <= n; i++)
        if (memcmp(v + i, needle, sizeof needle - 1) == 0)
            return true;
    return false;
}

static void secret_attrs(const ecs_tdscan *s, attrs *a, const ecs_json_val *list,
                         const char *kind)
{
    const ecs_json_val *e;
    for (e = ecs_json_first(list); e != NULL; e = ecs_json_next(list, e)) {
        char name[ATTR_LEN];
        int w = snprintf(name, sizeof name, "ecs.capability.secrets.%s.%s",
                         names_asm(s, e) ? "asm" : "ssm", kind);
        if (w > 0 && (size_t)w < sizeof name)
            add1(a, name);
    }
}

static void task_attrs(const ecs_tdscan *s, const ecs_taskdef *td, attrs *a)
{
    const ecs_json_val *vols = ecs_taskdef__get(s->doc, s->req, "volumes"), *v;

    if (td->network_mode == ECS_NET_AWSVPC)
        add1(a, "ecs.capability.task-eni");
    if (present(s, s->req, "taskRoleArn")) {
        add1(a, "com.amazonaws.ecs.capability.task-iam-role");
        if (td->network_mode == ECS_NET_HOST)
            add1(a, "com.amazonaws.ecs.capability.task-iam-role-network-host");
    }
    if (present(s, s->req, "proxyConfiguration"))
        add1(a, "ecs.capability.aws-appmesh");
    for (v = ecs_json_first(vols); v != NULL; v = ecs_json_next(vols, v)) {
        const ecs_json_val *efs = ecs_taskdef__get(s->doc, v, "efsVolumeConfiguration");
        if (efs != NULL) {
            const ecs_json_val *auth = ecs_taskdef__get(s->doc, efs, "authorizationConfig");
            add1(a, "ecs.capability.efs");
            if (str_is(s, efs, "transitEncryption", "ENABLED") ||
                str_is(s, auth, "iam", "ENABLED") || present(s, auth, "accessPointId"))
                add1(a, "ecs.capability.efsAuth");
        }
        if (ecs_taskdef__get(s->doc, v, "fsxWindowsFileServerVolumeConfiguration") != NULL)
            add1(a, "ecs.capability.fsxWindowsFileServer");
    }
}

static void container_attrs(const ecs_tdscan *s, const ecs_json_val *c, attrs *a, bool exec_role)
{
    const ecs_json_val *lc = ecs_taskdef__get(s->doc, c, "logConfiguration");
    const ecs_json_val *fl = ecs_taskdef__get(s->doc, c, "firelensConfiguration");
    ecs_tdstr image, driver, ftype;

    image.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, c, "image"), &image.len);
    if (image.p != NULL && ecs_taskdef__is_ecr_image(image.p, image.len)) {
        add1(a, "com.amazonaws.ecs.capability.ecr-auth");
        if (exec_role)
            add1(a, "ecs.capability.execution-role-ecr-pull");
    }
    driver.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, lc, "logDriver"), &driver.len);
    if (driver.p != NULL) {
        add(a, "com.amazonaws.ecs.capability.logging-driver.", driver.p, driver.len);
        add1(a, "com.amazonaws.ecs.capability.docker-remote-api.1.18");
        if (present(s, lc, "options"))
            add1(a, "com.amazonaws.ecs.capability.docker-remote-api.1.19");
        if (exec_role && ecs_taskdef__str_eq(&driver, "awslogs"))
            add1(a, "ecs.capability.execution-role-awslogs");
        secret_attrs(s, a, ecs_taskdef__get(s->doc, lc, "secretOptions"), "bootstrap.log-driver");
    }
    secret_attrs(s, a, ecs_taskdef__get(s->doc, c, "secrets"), "environment-variables");
    if (present(s, c, "repositoryCredentials"))
        add1(a, "com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager");
    if (present(s, c, "environmentFiles"))
        add1(a, "ecs.capability.env-files.s3");
    if (ecs_taskdef__get(s->doc, c, "healthCheck") != NULL)
        add1(a, "ecs.capability.container-health-check");
    if (present(s, c, "dependsOn") || present(s, c, "startTimeout") ||
        present(s, c, "stopTimeout"))
        add1(a, "ecs.capability.container-ordering");
    if (fl != NULL) {
        const ecs_json_val *opts = ecs_taskdef__get(s->doc, fl, "options");
        ftype.p = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, fl, "type"), &ftype.len);
        if (ftype.p != NULL)
            add(a, "ecs.capability.firelens.", ftype.p, ftype.len);
        if (str_is(s, opts, "config-file-type", "s3"))
            add1(a, "ecs.capability.firelens.options.config.s3");
        else if (str_is(s, opts, "config-file-type", "file"))
            add1(a, "ecs.capability.firelens.options.config.file");
    }
    if (present(s, c, "dockerLabels") || present(s, c, "ulimits"))
        add1(a, "com.amazonaws.ecs.capability.docker-remote-api.1.18");
    if (ecs_json_is_true(ecs_taskdef__get(
            s->doc, ecs_taskdef__get(s->doc, c, "linuxParameters"), "initProcessEnabled")))
        add1(a, "com.amazonaws.ecs.capability.docker-remote-api.1.25");
}

ecs_status ecs_taskdef__derive_attributes(const ecs_tdscan *s, ecs_taskdef *td)
{
    attrs *a;
    size_t i;
    bool exec_role = present(s, s->req, "executionRoleArn");
    ecs_status rc = ECS_OK;

    /* 8 KiB: off the stack, through the context like everything else */
    a = ecs_ctx__alloc(s->ctx, sizeof *a);
    if (a == NULL)
        return ecs_taskdef__nomem(s);
    a->n = 0;
    task_attrs(s, td, a);
    for (i = 0; i < td->ncontainers; i++)
        container_attrs(s, s->cobj[i], a, exec_role);
    if (a->n > 0) {
        td->requires_attributes = ecs_ctx__alloc(s->ctx, a->n * sizeof *td->requires_attributes);
        if (td->requires_attributes == NULL) {
            rc = ecs_taskdef__nomem(s);
            goto done;
        }
        memset(td->requires_attributes, 0, a->n * sizeof *td->requires_attributes);
        td->nrequires_attributes = a->n;
        for (i = 0; i < a->n; i++)
            if (ecs_str__dup(s->ctx, &td->requires_attributes[i], a->name[i],
                             strlen(a->name[i])) != ECS_OK) {
                rc = ecs_taskdef__nomem(s);
                goto done;
            }
    }
done:
    ecs_ctx__release(s->ctx, a, sizeof *a);
    return rc;
}
