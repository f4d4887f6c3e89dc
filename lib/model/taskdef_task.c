/*
 * Task-level rules of spec 1.3 that hold for every launch type:
 * placementConstraints (memberOf only, with an expression; at most 10),
 * ephemeralStorage (21-200 GiB), volumes (valid and unique names, one kind
 * of configuration each, Docker autoprovision only for shared scope, EFS
 * IAM authorization and access points only with transit encryption) and
 * inferenceAccelerators (unique device names). Message conventions as in
 * taskdef_rules.c.
 */
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

static ecs_status check_placement(const ecs_tdscan *s)
{
    const ecs_json_val *arr, *v;
    ecs_path root, pp;
    size_t i = 0, n;

    ecs_path__init(&root);
    pp = ecs_taskdef__path_key(&root, "placementConstraints");
    TRY(ecs_taskdef__arr(s, s->req, &root, "placementConstraints", &arr));
    n = ecs_json_len(arr);
    if (n > 10)
        return ecs_taskdef__limit(s, "placementConstraints: at most 10 placement constraints are "
                                     "allowed (%zu given).",
                                  n);
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), i++) {
        ecs_path ep = ecs_taskdef__path_index(&pp, i);
        ecs_tdstr type, expr;
        TRY(ecs_taskdef__elem_obj(s, v, &ep));
        TRY(ecs_taskdef__str(s, v, &ep, "type", &type));
        TRY(ecs_taskdef__str(s, v, &ep, "expression", &expr));
        if (ecs_taskdef__str_eq(&type, "distinctInstance"))
            return ecs_taskdef__client(s,
                                       "%s.type: constraint.type 'distinctInstance' is not "
                                       "supported; a task definition allows memberOf only.",
                                       ecs_path__str(&ep));
        if (type.p == NULL)
            return ecs_taskdef__client(
                s, "%s.type: required; only memberOf is allowed in a task definition.",
                ecs_path__str(&ep));
        if (!ecs_taskdef__str_eq(&type, "memberOf"))
            return ecs_taskdef__invalid(s, "%s.type must be memberOf (got \"%.*s\").",
                                        ecs_path__str(&ep), clip(type.len), type.p);
        if (expr.p == NULL || expr.len == 0)
            return ecs_taskdef__client(s,
                                       "%s.expression: a memberOf constraint needs an expression.",
                                       ecs_path__str(&ep));
        if (expr.len > 2000)
            return ecs_taskdef__invalid(s, "%s.expression is longer than 2000 characters.",
                                        ecs_path__str(&ep));
    }
    return ECS_OK;
}

static ecs_status check_ephemeral(const ecs_tdscan *s)
{
    const ecs_json_val *es;
    ecs_path root;
    bool has;
    int64_t gib;

    ecs_path__init(&root);
    TRY(ecs_taskdef__obj(s, s->req, &root, "ephemeralStorage", &es));
    if (es == NULL)
        return ECS_OK;
    root = ecs_taskdef__path_key(&root, "ephemeralStorage");
    TRY(ecs_taskdef__int(s, es, &root, "sizeInGiB", &has, &gib));
    if (!has)
        return ecs_taskdef__invalid(s, "ephemeralStorage.sizeInGiB: required member is missing.");
    if (gib < 21 || gib > 200)
        return ecs_taskdef__invalid(s,
                                    "ephemeralStorage.sizeInGiB must be between 21 and 200 GiB "
                                    "(%lld).",
                                    (long long)gib);
    return ECS_OK;
}

static ecs_status check_efs(const ecs_tdscan *s, const ecs_json_val *efs, const ecs_path *ep)
{
    const ecs_json_val *auth;
    ecs_tdstr tls, iam, ap, root;
    ecs_path authp = ecs_taskdef__path_key(ep, "authorizationConfig");

    TRY(ecs_taskdef__str(s, efs, ep, "transitEncryption", &tls));
    TRY(ecs_taskdef__str(s, efs, ep, "rootDirectory", &root));
    TRY(ecs_taskdef__obj(s, efs, ep, "authorizationConfig", &auth));
    TRY(ecs_taskdef__str(s, auth, &authp, "iam", &iam));
    TRY(ecs_taskdef__str(s, auth, &authp, "accessPointId", &ap));
    if (ecs_taskdef__str_eq(&iam, "ENABLED") && !ecs_taskdef__str_eq(&tls, "ENABLED"))
        return ecs_taskdef__client(s, "%s.iam: IAM authorization needs transitEncryption ENABLED.",
                                   ecs_path__str(&authp));
    if (ap.p != NULL && !ecs_taskdef__str_eq(&tls, "ENABLED"))
        return ecs_taskdef__client(s,
                                   "%s.accessPointId: an access point needs transitEncryption "
                                   "ENABLED.",
                                   ecs_path__str(&authp));
    if (ap.p != NULL && root.p != NULL && !ecs_taskdef__str_eq(&root, "/"))
        return ecs_taskdef__client(s,
                                   "%s.rootDirectory: must be omitted or \"/\" when an access "
                                   "point is used.",
                                   ecs_path__str(ep));
    return ECS_OK;
}

static ecs_status check_volumes(const ecs_tdscan *s)
{
    static const char kinds[][48] = { "host", "dockerVolumeConfiguration",
                                         "efsVolumeConfiguration",
                                         "fsxWindowsFileServerVolumeConfiguration" };
    const ecs_json_val *arr, *v, *w;
    ecs_path root, vp;
    size_t i = 0, k;

    ecs_path__init(&root);
    vp = ecs_taskdef__path_key(&root, "volumes");
    TRY(ecs_taskdef__arr(s, s->req, &root, "volumes", &arr));
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), i++) {
        ecs_path ep = ecs_taskdef__path_index(&vp, i);
        const ecs_json_val *cfg[4], *dvc, *efs;
        ecs_tdstr name, scope;
        size_t nkinds = 0, j;
        bool has, autoprov;
        TRY(ecs_taskdef__elem_obj(s, v, &ep));
        TRY(ecs_taskdef__str(s, v, &ep, "name", &name));
        for (k = 0; k < 4; k++) {
            TRY(ecs_taskdef__obj(s, v, &ep, kinds[k], &cfg[k]));
            nkinds += cfg[k] != NULL;
        }
        if (name.p != NULL) {
            if (!ecs_taskdef__valid_name(name.p, name.len))
                return ecs_taskdef__invalid(
                    s, "%s.name must be 1 to 255 letters, digits, hyphens and underscores.",
                    ecs_path__str(&ep));
            /* a later volume of the same name */
            for (w = ecs_json_next(arr, v), j = i + 1; w != NULL; w = ecs_json_next(arr, w), j++) {
                size_t n2 = 0;
                const char *o = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, w, "name"), &n2);
                if (o != NULL && n2 == name.len && memcmp(o, name.p, n2) == 0)
                    return ecs_taskdef__client(s, "volumes[%zu].name: duplicate volume name '%s' "
                                                  "(also volumes[%zu].name).",
                                               j, o, i);
            }
        }
        if (nkinds > 1)
            return ecs_taskdef__client(s,
                                       "%s: host, dockerVolumeConfiguration, "
                                       "efsVolumeConfiguration and "
                                       "fsxWindowsFileServerVolumeConfiguration exclude each "
                                       "other.",
                                       ecs_path__str(&ep));
        dvc = cfg[1];
        if (dvc != NULL) {
            ecs_path dp = ecs_taskdef__path_key(&ep, "dockerVolumeConfiguration");
            TRY(ecs_taskdef__str(s, dvc, &dp, "scope", &scope));
            TRY(ecs_taskdef__bool(s, dvc, &dp, "autoprovision", &has, &autoprov));
            if (autoprov && ecs_taskdef__str_eq(&scope, "task"))
                return ecs_taskdef__client(s,
                                           "%s.autoprovision: only allowed when scope is shared.",
                                           ecs_path__str(&dp));
        }
        efs = cfg[2];
        if (efs != NULL) {
            ecs_path fp = ecs_taskdef__path_key(&ep, "efsVolumeConfiguration");
            TRY(check_efs(s, efs, &fp));
        }
    }
    return ECS_OK;
}

static ecs_status check_accelerators(const ecs_tdscan *s)
{
    const ecs_json_val *arr, *v, *w;
    ecs_path root, ap;
    size_t i = 0, j;

    ecs_path__init(&root);
    ap = ecs_taskdef__path_key(&root, "inferenceAccelerators");
    TRY(ecs_taskdef__arr(s, s->req, &root, "inferenceAccelerators", &arr));
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), i++) {
        ecs_path ep = ecs_taskdef__path_index(&ap, i);
        ecs_tdstr name, type;
        TRY(ecs_taskdef__elem_obj(s, v, &ep));
        TRY(ecs_taskdef__str(s, v, &ep, "deviceName", &name));
        TRY(ecs_taskdef__str(s, v, &ep, "deviceType", &type));
        if (name.p == NULL || name.len == 0)
            return ecs_taskdef__client(s, "%s.deviceName: required.", ecs_path__str(&ep));
        for (w = ecs_json_first(arr), j = 0; j < i; w = ecs_json_next(arr, w), j++) {
            size_t n2 = 0;
            const char *o = ecs_json_str(s->doc, ecs_taskdef__get(s->doc, w, "deviceName"), &n2);
            if (o != NULL && n2 == name.len && memcmp(o, name.p, n2) == 0)
                return ecs_taskdef__client(s, "%s.deviceName: duplicate device name '%s'.",
                                           ecs_path__str(&ep), o);
        }
    }
    return ECS_OK;
}

ecs_status ecs_taskdef__check_task(const ecs_tdscan *s)
{
    TRY(check_volumes(s));
    TRY(check_placement(s));
    TRY(check_ephemeral(s));
    return check_accelerators(s);
}
