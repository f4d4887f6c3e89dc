/*
 * CreateService, UpdateService, DeleteService, DescribeServices and
 * ListServices (spec 1.6). The scheduler that runs services is in
 * lib/plane/scheduler.c and acts when time moves (ecs_plane_step): a call
 * records what is wanted; tasks start at the next step, as in ECS, where
 * CreateService answers before any task exists.
 *
 * Choices where ECS leaves room:
 *  - deploymentConfiguration: minimumHealthyPercent 0..100 and
 *    maximumPercent 100..2000 (REPLICA defaults 100 and 200); DAEMON
 *    services default to 0 and 100 and refuse any maximumPercent but 100.
 *  - DAEMON services take no desiredCount (it is ignored, as ECS derives it)
 *    and no placementStrategy; they run on EC2 or EXTERNAL instances only.
 *  - loadBalancers are recorded and checked against the task definition
 *    (container name and port); target registration comes with
 *    deployments.
 *  - CreateService with the name of an ACTIVE service and the same request
 *    (clientToken aside) answers with the existing service (idempotent);
 *    with another request it is refused as ECS refuses it.
 *  - capacityProviderStrategy is refused until capacity providers exist.
 */
#include <stdio.h>
#include <string.h>

#include "api/req.h"
#include "query/query.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)
#define FAIL_CL(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_CLIENT, __VA_ARGS__)

static int clip(size_t n)
{
    return (int)(n > 200 ? 200 : n);
}

static ecs_status svc_not_found(ecs_req *r)
{
    return ecs_api__fail(r->err, ECS_E_NOT_FOUND, "ServiceNotFoundException", "Service not found.");
}

/* ---- the parts of a service a request can set ------------------------- */

/* Decoded parts; each group is applied only when `has_*` says so. Arrays
 * are owned here until swapped into the service. */
typedef struct parts {
    bool has_placement_c, has_placement_s, has_network, has_lbs;
    ecs_str *member_of;
    size_t nmember_of;
    bool distinct;
    ecs_svc_strategy *strategies;
    size_t nstrategies;
    ecs_str *subnets, *sgs;
    size_t nsubnets, nsgs;
    bool public_ip;
    ecs_svc_lb *lbs;
    size_t nlbs;
    bool has_alarms;
    ecs_str *alarm_names;
    size_t nalarm_names;
} parts;

static void parts_free(ecs_ctx *ctx, parts *p)
{
    ecs_plane__strs_free(ctx, p->member_of, p->nmember_of);
    ecs_plane__strs_free(ctx, p->alarm_names, p->nalarm_names);
    if (p->strategies != NULL) {
        for (size_t i = 0; i < p->nstrategies; i++)
            ecs_str__free(ctx, &p->strategies[i].field);
        ecs_ctx__release(ctx, p->strategies, p->nstrategies * sizeof *p->strategies);
    }
    ecs_plane__strs_free(ctx, p->subnets, p->nsubnets);
    ecs_plane__strs_free(ctx, p->sgs, p->nsgs);
    if (p->lbs != NULL) {
        for (size_t i = 0; i < p->nlbs; i++) {
            ecs_str__free(ctx, &p->lbs[i].target_group_arn);
            ecs_str__free(ctx, &p->lbs[i].load_balancer_name);
            ecs_str__free(ctx, &p->lbs[i].container_name);
        }
        ecs_ctx__release(ctx, p->lbs, p->nlbs * sizeof *p->lbs);
    }
    memset(p, 0, sizeof *p);
}

static ecs_str *strs_alloc(ecs_ctx *ctx, size_t n)
{
    ecs_str *v;
    if (n == 0)
        return NULL;
    v = ecs_ctx__alloc(ctx, n * sizeof *v);
    if (v != NULL)
        memset(v, 0, n * sizeof *v);
    return v;
}

static ecs_status decode_placement(ecs_req *r, const ecs_taskdef *td, bool fargate, bool daemon, parts *p)
{
    const ecs_json_val *cl = ecs_req__member(r, r->root, "placementConstraints");
    const ecs_json_val *sl = ecs_req__member(r, r->root, "placementStrategy");
    const char *exprs[ECS_PLACE_MAX_CONSTRAINTS];
    size_t lens[ECS_PLACE_MAX_CONSTRAINTS], nexpr = 0;
    ecs_place_strategy st[ECS_PLACE_MAX_STRATEGIES];
    size_t nst = 0;
    ecs_status rc;

    if (fargate && (ecs_json_len(cl) > 0 || ecs_json_len(sl) > 0))
        return FAIL_IP(r, "Placement constraints and strategies are not supported with the FARGATE "
                          "launch type.");
    if (daemon && ecs_json_len(sl) > 0)
        return FAIL_IP(r, "placementStrategy: a DAEMON service places one task on each instance and "
                          "takes no placement strategy.");
    if (cl != NULL) {
        p->has_placement_c = true;
        if ((rc = ecs_req__constraints(r, cl, td->nmember_of, exprs, lens, &nexpr, &p->distinct)) != ECS_OK)
            return rc;
        for (size_t i = 0; i < nexpr; i++) {
            ecs_query *q = NULL;
            rc = ecs_query__compile(r->ctx, exprs[i], lens[i], &q);
            if (rc == ECS_E_NOMEM)
                return ecs_req__nomem(r);
            if (rc != ECS_OK)
                return FAIL_IP(r, "placementConstraints: memberOf expression: %s", ecs_ctx_errmsg(r->ctx));
            ecs_query__free(r->ctx, q);
        }
        p->member_of = strs_alloc(r->ctx, nexpr);
        if (nexpr > 0 && p->member_of == NULL)
            return ecs_req__nomem(r);
        p->nmember_of = nexpr;
        for (size_t i = 0; i < nexpr; i++) {
            if (ecs_str__dup(r->ctx, &p->member_of[i], exprs[i], lens[i]) != ECS_OK)
                return ecs_req__nomem(r);
        }
    }
    if (sl != NULL) {
        size_t i = 0;
        p->has_placement_s = true;
        if ((rc = ecs_req__strategies(r, sl, st, &nst)) != ECS_OK)
            return rc;
        if (nst > 0) {
            p->strategies = ecs_ctx__alloc(r->ctx, nst * sizeof *p->strategies);
            if (p->strategies == NULL)
                return ecs_req__nomem(r);
            memset(p->strategies, 0, nst * sizeof *p->strategies);
            p->nstrategies = nst;
        }
        for (const ecs_json_val *v = ecs_json_first(sl); v != NULL; v = ecs_json_next(sl, v), i++) {
            size_t fl = 0;
            const char *field = ecs_req__str(r, v, "field", &fl);
            p->strategies[i].type = st[i].type;
            if (st[i].type == ECS_PLACE_SPREAD_INSTANCE) {
                field = "instanceId";
                fl = 10;
            }
            if (st[i].type != ECS_PLACE_RANDOM && field != NULL &&
                ecs_str__dup(r->ctx, &p->strategies[i].field, field, fl) != ECS_OK)
                return ecs_req__nomem(r);
        }
    }
    return ECS_OK;
}

static ecs_status decode_network(ecs_req *r, const ecs_taskdef *td, bool required, parts *p)
{
    const ecs_json_val *nc = ecs_req__member(r, r->root, "networkConfiguration");
    const ecs_json_val *av = ecs_req__member(r, nc, "awsvpcConfiguration");
    const ecs_json_val *subnets = ecs_req__member(r, av, "subnets");
    const ecs_json_val *sgs = ecs_req__member(r, av, "securityGroups");
    size_t al = 0, i = 0;
    const char *assign = ecs_req__str(r, av, "assignPublicIp", &al);
    bool awsvpc = td->network_mode == ECS_NET_AWSVPC;

    if (nc == NULL) {
        if (awsvpc && required)
            return FAIL_IP(r, "Network Configuration must be provided when networkMode 'awsvpc' is "
                              "specified.");
        return ECS_OK;
    }
    if (!awsvpc)
        return FAIL_IP(r, "networkConfiguration is only for task definitions with network mode awsvpc "
                          "(this one uses %s).", ecs_plane__network_mode_name(td->network_mode));
    if (av == NULL)
        return FAIL_IP(r, "networkConfiguration.awsvpcConfiguration is required.");
    if (ecs_json_len(subnets) == 0 || ecs_json_len(subnets) > 16)
        return FAIL_IP(r, "networkConfiguration.awsvpcConfiguration.subnets: give 1 to 16 subnets.");
    if (ecs_json_len(sgs) > 5)
        return FAIL_IP(r, "networkConfiguration.awsvpcConfiguration.securityGroups: at most 5.");
    p->has_network = true;
    p->public_ip = assign != NULL && al == 7 && memcmp(assign, "ENABLED", 7) == 0;
    /* the counts are the arrays' sizes from the moment they exist, so that
     * parts_free() releases them whole whichever step fails */
    p->subnets = strs_alloc(r->ctx, ecs_json_len(subnets));
    if (p->subnets == NULL)
        return ecs_req__nomem(r);
    p->nsubnets = ecs_json_len(subnets);
    p->sgs = strs_alloc(r->ctx, ecs_json_len(sgs));
    if (ecs_json_len(sgs) > 0 && p->sgs == NULL)
        return ecs_req__nomem(r);
    p->nsgs = ecs_json_len(sgs);
    for (const ecs_json_val *v = ecs_json_first(subnets); v != NULL; v = ecs_json_next(subnets, v), i++) {
        size_t n = 0;
        const char *id = ecs_json_str(r->doc, v, &n);
        if (ecs_plane__subnet(r->pl, id, n) == NULL)
            return FAIL_IP(r, "Error retrieving subnet information for [%.*s]: the subnet ID does not "
                              "exist (declare it with RegisterSubnets).", clip(n), id);
        if (ecs_str__dup(r->ctx, &p->subnets[i], id, n) != ECS_OK)
            return ecs_req__nomem(r);
    }
    i = 0;
    for (const ecs_json_val *v = ecs_json_first(sgs); v != NULL; v = ecs_json_next(sgs, v), i++) {
        size_t n = 0;
        const char *id = ecs_json_str(r->doc, v, &n);
        if (ecs_str__dup(r->ctx, &p->sgs[i], id, n) != ECS_OK)
            return ecs_req__nomem(r);
    }
    return ECS_OK;
}

static ecs_status decode_lbs(ecs_req *r, const ecs_taskdef *td, parts *p)
{
    const ecs_json_val *list = ecs_req__member(r, r->root, "loadBalancers");
    size_t i = 0, n = ecs_json_len(list);
    if (list == NULL)
        return ECS_OK;
    p->has_lbs = true;
    if (n > 5)
        return FAIL_IP(r, "loadBalancers: at most 5 target groups per service.");
    if (n == 0)
        return ECS_OK;
    p->lbs = ecs_ctx__alloc(r->ctx, n * sizeof *p->lbs);
    if (p->lbs == NULL)
        return ecs_req__nomem(r);
    memset(p->lbs, 0, n * sizeof *p->lbs);
    p->nlbs = n;
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v), i++) {
        size_t tl = 0, ll = 0, cl = 0;
        const char *tg = ecs_req__str(r, v, "targetGroupArn", &tl);
        const char *lb = ecs_req__str(r, v, "loadBalancerName", &ll);
        const char *cn = ecs_req__str(r, v, "containerName", &cl);
        int64_t port = 0;
        size_t ci = SIZE_MAX;
        bool port_ok = false;
        if ((tg == NULL) == (lb == NULL))
            return FAIL_IP(r, "loadBalancers[%zu]: give a targetGroupArn or a loadBalancerName.", i);
        if (cn == NULL || ecs_json_get_int(ecs_req__member(r, v, "containerPort"), &port) != ECS_OK)
            return FAIL_IP(r, "loadBalancers[%zu]: containerName and containerPort are required.", i);
        for (size_t k = 0; k < td->ncontainers; k++) {
            if (ecs_str__eq(&td->containers[k].name, cn, cl))
                ci = k;
        }
        if (ci == SIZE_MAX)
            return FAIL_IP(r, "loadBalancers[%zu].containerName: the task definition has no container "
                              "'%.*s'.", i, clip(cl), cn);
        for (size_t k = 0; k < td->containers[ci].nports; k++)
            port_ok |= td->containers[ci].ports[k].container_port == port;
        if (!port_ok)
            return FAIL_IP(r, "loadBalancers[%zu].containerPort: container '%.*s' has no port mapping "
                              "for port %lld.", i, clip(cl), cn, (long long)port);
        p->lbs[i].container_port = (uint32_t)port;
        if ((tg != NULL && ecs_str__dup(r->ctx, &p->lbs[i].target_group_arn, tg, tl) != ECS_OK) ||
            (lb != NULL && ecs_str__dup(r->ctx, &p->lbs[i].load_balancer_name, lb, ll) != ECS_OK) ||
            ecs_str__dup(r->ctx, &p->lbs[i].container_name, cn, cl) != ECS_OK)
            return ecs_req__nomem(r);
    }
    return ECS_OK;
}

/* Swap the groups p carries into the service (and the old values into p). */
static void parts_swap(ecs_service *s, parts *p)
{
#define SWAP(a, b)                                                                                     \
    do {                                                                                               \
        unsigned char tmp_[sizeof(a)];                                                                 \
        memcpy(tmp_, &(a), sizeof(a));                                                                 \
        memcpy(&(a), &(b), sizeof(a));                                                                 \
        memcpy(&(b), tmp_, sizeof(a));                                                                 \
    } while (0)
    if (p->has_placement_c) {
        SWAP(s->member_of, p->member_of);
        SWAP(s->nmember_of, p->nmember_of);
        SWAP(s->distinct, p->distinct);
    }
    if (p->has_placement_s) {
        SWAP(s->strategies, p->strategies);
        SWAP(s->nstrategies, p->nstrategies);
        s->strategies_given = true; /* an undo restores the saved service */
    }
    if (p->has_network) {
        SWAP(s->subnets, p->subnets);
        SWAP(s->nsubnets, p->nsubnets);
        SWAP(s->security_groups, p->sgs);
        SWAP(s->nsecurity_groups, p->nsgs);
        SWAP(s->public_ip, p->public_ip);
        s->has_network = true;
    }
    if (p->has_lbs) {
        SWAP(s->lbs, p->lbs);
        SWAP(s->nlbs, p->nlbs);
    }
    if (p->has_alarms) {
        SWAP(s->alarm_names, p->alarm_names);
        SWAP(s->nalarm_names, p->nalarm_names);
    }
#undef SWAP
}

/* deploymentConfiguration into *min, *max and the breaker flags. */
static ecs_status decode_deploy_config(ecs_req *r, bool daemon, ecs_service *s, parts *p)
{
    const ecs_json_val *dc = ecs_req__member(r, r->root, "deploymentConfiguration");
    const ecs_json_val *cb = ecs_req__member(r, dc, "deploymentCircuitBreaker");
    const ecs_json_val *al = ecs_req__member(r, dc, "alarms");
    int64_t v;
    if (dc == NULL)
        return ECS_OK;
    if (al != NULL) {
        const ecs_json_val *names = ecs_req__member(r, al, "alarmNames");
        size_t i = 0, n = ecs_json_len(names);
        if (names == NULL || ecs_req__member(r, al, "enable") == NULL ||
            ecs_req__member(r, al, "rollback") == NULL)
            return FAIL_IP(r, "deploymentConfiguration.alarms: alarmNames, enable and rollback are all "
                              "required.");
        if (n > 10)
            return FAIL_IP(r, "deploymentConfiguration.alarms.alarmNames: at most 10 alarms.");
        p->has_alarms = true;
        s->alarms_enable = ecs_req__bool(r, al, "enable", false);
        s->alarms_rollback = ecs_req__bool(r, al, "rollback", false);
        p->alarm_names = strs_alloc(r->ctx, n);
        if (n > 0 && p->alarm_names == NULL)
            return ecs_req__nomem(r);
        for (const ecs_json_val *e = ecs_json_first(names); e != NULL; e = ecs_json_next(names, e), i++) {
            size_t len = 0;
            const char *name = ecs_json_str(r->doc, e, &len);
            if (len == 0 || len > 255)
                return FAIL_IP(r, "deploymentConfiguration.alarms.alarmNames[%zu]: 1 to 255 characters.", i);
            if (ecs_str__dup(r->ctx, &p->alarm_names[p->nalarm_names++], name, len) != ECS_OK)
                return ecs_req__nomem(r);
        }
    }
    if (ecs_req__member(r, dc, "maximumPercent") != NULL) {
        if (ecs_json_get_int(ecs_req__member(r, dc, "maximumPercent"), &v) != ECS_OK || v < 100 || v > 2000)
            return FAIL_IP(r, "deploymentConfiguration.maximumPercent: 100 to 2000.");
        if (daemon && v != 100)
            return FAIL_IP(r, "deploymentConfiguration.maximumPercent: a DAEMON service's must be 100.");
        s->max_pct = (uint32_t)v;
    }
    if (ecs_req__member(r, dc, "minimumHealthyPercent") != NULL) {
        if (ecs_json_get_int(ecs_req__member(r, dc, "minimumHealthyPercent"), &v) != ECS_OK || v < 0 ||
            v > 100)
            return FAIL_IP(r, "deploymentConfiguration.minimumHealthyPercent: 0 to 100.");
        s->min_pct = (uint32_t)v;
    }
    if (cb != NULL) {
        if (ecs_req__member(r, cb, "enable") == NULL || ecs_req__member(r, cb, "rollback") == NULL)
            return FAIL_IP(r, "deploymentConfiguration.deploymentCircuitBreaker: enable and rollback "
                              "are both required.");
        s->breaker_enable = ecs_req__bool(r, cb, "enable", false);
        s->breaker_rollback = ecs_req__bool(r, cb, "rollback", false);
        s->breaker_cumulative = !ecs_req__bool(r, cb, "resetOnHealthyTask", true);
        s->breaker_kind = 0;
        s->breaker_value = 0;
        if (ecs_req__member(r, cb, "thresholdConfiguration") != NULL) {
            const ecs_json_val *tc = ecs_req__member(r, cb, "thresholdConfiguration");
            size_t tl = 0;
            const char *type = ecs_req__str(r, tc, "type", &tl);
            int64_t tv = 0;
            if (type != NULL && tl == 15 && memcmp(type, "BOUNDED_PERCENT", 15) == 0)
                s->breaker_kind = 1;
            else if (type != NULL && tl == 17 && memcmp(type, "UNBOUNDED_PERCENT", 17) == 0)
                s->breaker_kind = 2;
            else if (type != NULL && tl == 5 && memcmp(type, "COUNT", 5) == 0)
                s->breaker_kind = 3;
            else
                return FAIL_IP(r, "deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration.type: "
                                  "BOUNDED_PERCENT, UNBOUNDED_PERCENT or COUNT.");
            if (ecs_json_get_int(ecs_req__member(r, tc, "value"), &tv) != ECS_OK || tv < 1 ||
                tv > (s->breaker_kind == 3 ? 100000 : 1000))
                return FAIL_IP(r, "deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration.value: "
                                  "1 to %d.", s->breaker_kind == 3 ? 100000 : 1000);
            s->breaker_value = (uint32_t)tv;
        }
    }
    return ECS_OK;
}

static ecs_status decode_grace(ecs_req *r, ecs_service *s)
{
    const ecs_json_val *g = ecs_req__member(r, r->root, "healthCheckGracePeriodSeconds");
    int64_t v;
    if (g == NULL)
        return ECS_OK;
    if (ecs_json_get_int(g, &v) != ECS_OK || v < 0 || v > 2147483647)
        return FAIL_IP(r, "healthCheckGracePeriodSeconds: 0 to 2147483647.");
    s->grace_s = (uint32_t)v;
    return ECS_OK;
}

static ecs_status decode_propagate(ecs_req *r, ecs_service *s, ecs_str *out)
{
    size_t n = 0;
    const char *v = ecs_req__str(r, r->root, "propagateTags", &n);
    (void)s;
    if (v == NULL)
        return ECS_OK;
    if (!((n == 15 && memcmp(v, "TASK_DEFINITION", 15) == 0) || (n == 7 && memcmp(v, "SERVICE", 7) == 0) ||
          (n == 4 && memcmp(v, "NONE", 4) == 0)))
        return FAIL_IP(r, "propagateTags: TASK_DEFINITION, SERVICE or NONE.");
    if (ecs_str__dup(r->ctx, out, v, n) != ECS_OK)
        return ecs_req__nomem(r);
    return ECS_OK;
}

/* A new deployment of rev (not yet in the service). */
static ecs_status new_deployment(ecs_req *r, ecs_service *s, ecs_family *f, ecs_revision *rev,
                                 ecs_deployment **out)
{
    if (ecs_plane__deployment_new(r->pl, s, f, rev, out) != ECS_OK)
        return ecs_req__nomem(r);
    return ECS_OK;
}

/* The static host ports a task of rev needs must be distinct (as RunTask
 * finds when it places one): the scheduler could never place a task of a
 * revision that maps one host port twice, and ecs_plane_step would fail on
 * it at every step. Refused here as RunTask refuses it. */
static ecs_status check_host_ports(ecs_req *r, const ecs_revision *rev)
{
    const ecs_taskdef *td = rev->def;
    uint32_t seen[ECS_LAUNCH_MAX_PORTS];
    size_t n = 0;
    if (td->network_mode == ECS_NET_AWSVPC || td->network_mode == ECS_NET_NONE)
        return ECS_OK;
    for (size_t c = 0; c < td->ncontainers; c++) {
        for (size_t p = 0; p < td->containers[c].nports; p++) {
            const ecs_port_mapping *m = &td->containers[c].ports[p];
            uint32_t host = td->network_mode == ECS_NET_HOST ? m->container_port : m->host_port;
            uint32_t enc = host | (m->udp ? 0x10000u : 0u);
            if (m->container_port == 0 || host == 0)
                continue;
            for (size_t k = 0; k < n; k++) {
                if (seen[k] == enc)
                    return FAIL_IP(r, "placement: task definition %s maps host port %u/%s twice; its tasks "
                                      "cannot be placed.", ecs_str__c(&rev->arn), (unsigned)host,
                                   m->udp ? "udp" : "tcp");
            }
            if (n == ECS_LAUNCH_MAX_PORTS)
                return FAIL_IP(r, "placement: task definition %s maps more than %u static host ports.",
                               ecs_str__c(&rev->arn), (unsigned)ECS_LAUNCH_MAX_PORTS);
            seen[n++] = enc;
        }
    }
    return ECS_OK;
}

static ecs_status answer(ecs_req *r, const ecs_service *s)
{
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "service", 7);
    ecs_plane__write_service(r->pl, r->w, s, ECS_WRITE_TAGS);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

/* ---- CreateService ------------------------------------------------------ */

ecs_status ecs_act__create_service(ecs_req *r)
{
    ecs_cluster *c;
    size_t nl = 0, tl = 0, ll = 0, sl = 0, ctl = 0;
    const char *name = ecs_req__str(r, r->root, "serviceName", &nl);
    const char *tdref = ecs_req__str(r, r->root, "taskDefinition", &tl);
    const char *lt = ecs_req__str(r, r->root, "launchType", &ll);
    const char *sched = ecs_req__str(r, r->root, "schedulingStrategy", &sl);
    const char *token = ecs_req__str(r, r->root, "clientToken", &ctl);
    const ecs_json_val *dcv = ecs_req__member(r, r->root, "desiredCount");
    const ecs_json_val *ctl_v = ecs_req__member(r, r->root, "deploymentController");
    ecs_service *s = NULL, *old;
    ecs_deployment *d = NULL;
    ecs_family *f = NULL;
    ecs_revision *rev;
    parts p;
    uint64_t fp = 0;
    ecs_status rc;

    memset(&p, 0, sizeof p);
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (name == NULL || !ecs_req__valid_name(name, nl))
        return FAIL_IP(r, "serviceName: 1 to 255 letters, digits, hyphens and underscores.");
    if ((rc = ecs_req__fingerprint(r, &fp)) != ECS_OK)
        return rc;
    old = ecs_plane__service_by_ref(c, name, nl);
    if (old != NULL && old->status == ECS_SVC_ACTIVE) {
        if (old->fingerprint == fp)
            return answer(r, old);
        return FAIL_IP(r, "Creation of service was not idempotent.");
    }
    if (old != NULL && old->status == ECS_SVC_DRAINING)
        return FAIL_IP(r, "Unable to Start a service that is still Draining.");
    if (token != NULL && (ctl == 0 || ctl > 36))
        return FAIL_IP(r, "clientToken: 1 to 36 characters.");
    if (ecs_req__member(r, r->root, "capacityProviderStrategy") != NULL && lt != NULL)
        return FAIL_IP(r, "launchType and capacityProviderStrategy cannot both be given.");
    if (ctl_v != NULL) {
        size_t n = 0;
        const char *type = ecs_req__str(r, ctl_v, "type", &n);
        if (type == NULL || !(n == 3 && memcmp(type, "ECS", 3) == 0))
            return FAIL_IP(r, "deploymentController.type: libecs runs the ECS (rolling) controller.");
    }
    if (tdref == NULL)
        return FAIL_IP(r, "taskDefinition is required for the ECS deployment controller.");
    rev = ecs_plane__taskdef_by_ref(r->pl, tdref, tl, &f);
    if (rev == NULL)
        return FAIL_CL(r, "Unable to find task definition '%.*s'.", clip(tl), tdref);
    if (rev->status != ECS_TD_ACTIVE)
        return FAIL_CL(r, "TaskDefinition is inactive (%s).", ecs_str__c(&rev->arn));
    if ((rc = check_host_ports(r, rev)) != ECS_OK)
        return rc;
    s = ecs_ctx__alloc(r->ctx, sizeof *s);
    if (s == NULL)
        return ecs_req__nomem(r);
    memset(s, 0, sizeof *s);
    s->cluster = c;
    s->fingerprint = fp;
    s->launch_type = ECS_LAUNCH_EC2;
    {
        const ecs_json_val *cps = ecs_req__member(r, r->root, "capacityProviderStrategy");
        if (cps != NULL) {
            if ((rc = ecs_req__cp_strategy(r, cps, "capacityProviderStrategy", c->cps, c->ncps, &s->strategy,
                                           &s->nstrategy)) != ECS_OK)
                goto fail;
        } else if (lt == NULL && c->ndefault_strategy > 0) {
            /* the cluster's default strategy, as it is now */
            s->strategy = ecs_ctx__alloc(r->ctx, c->ndefault_strategy * sizeof *s->strategy);
            if (s->strategy == NULL) {
                rc = ecs_req__nomem(r);
                goto fail;
            }
            memset(s->strategy, 0, c->ndefault_strategy * sizeof *s->strategy);
            s->nstrategy = c->ndefault_strategy;
            for (size_t k = 0; k < c->ndefault_strategy; k++) {
                s->strategy[k].base = c->default_strategy[k].base;
                s->strategy[k].weight = c->default_strategy[k].weight;
                if (ecs_str__dup(r->ctx, &s->strategy[k].provider, c->default_strategy[k].provider.p,
                                 c->default_strategy[k].provider.len) != ECS_OK) {
                    rc = ecs_req__nomem(r);
                    goto fail;
                }
            }
        }
        if (s->nstrategy > 0 && ecs_plane__provider_is_fargate(s->strategy[0].provider.p, s->strategy[0].provider.len))
            s->launch_type = ECS_LAUNCH_FARGATE;
    }
    if (lt != NULL) {
        if (ll == 7 && memcmp(lt, "FARGATE", 7) == 0)
            s->launch_type = ECS_LAUNCH_FARGATE;
        else if (ll == 8 && memcmp(lt, "EXTERNAL", 8) == 0)
            s->launch_type = ECS_LAUNCH_EXTERNAL;
        else if (!(ll == 3 && memcmp(lt, "EC2", 3) == 0)) {
            rc = FAIL_IP(r, "launchType: EC2, FARGATE or EXTERNAL.");
            goto fail;
        }
    }
    if (!ecs_plane__revision_supports(rev, s->launch_type)) {
        rc = FAIL_IP(r, "Task definition does not support launch_type %s.",
                     ecs_plane__launch_type_name(s->launch_type));
        goto fail;
    }
    if (sched != NULL) {
        if (sl == 6 && memcmp(sched, "DAEMON", 6) == 0)
            s->daemon = true;
        else if (!(sl == 7 && memcmp(sched, "REPLICA", 7) == 0)) {
            rc = FAIL_IP(r, "schedulingStrategy: REPLICA or DAEMON.");
            goto fail;
        }
    }
    if (s->daemon && s->launch_type == ECS_LAUNCH_FARGATE) {
        rc = FAIL_IP(r, "The daemon scheduling strategy is not supported with the FARGATE launch type.");
        goto fail;
    }
    if (!s->daemon) {
        int64_t v = 0;
        if (dcv == NULL) {
            rc = FAIL_IP(r, "desiredCount is required for a REPLICA service.");
            goto fail;
        }
        if (ecs_json_get_int(dcv, &v) != ECS_OK || v < 0 || v > 5000) {
            rc = FAIL_IP(r, "desiredCount: 0 to 5000 tasks per service.");
            goto fail;
        }
        s->desired = (uint32_t)v;
    }
    s->min_pct = s->daemon ? 0 : 100;
    s->max_pct = s->daemon ? 100 : 200;
    s->enable_execute_command = ecs_req__bool(r, r->root, "enableExecuteCommand", false);
    s->managed_tags = ecs_req__bool(r, r->root, "enableECSManagedTags", false);
    if ((rc = decode_deploy_config(r, s->daemon, s, &p)) != ECS_OK || (rc = decode_grace(r, s)) != ECS_OK ||
        (rc = decode_placement(r, rev->def, s->launch_type == ECS_LAUNCH_FARGATE, s->daemon, &p)) != ECS_OK ||
        (rc = decode_network(r, rev->def, true, &p)) != ECS_OK || (rc = decode_lbs(r, rev->def, &p)) != ECS_OK ||
        (rc = decode_propagate(r, s, &s->propagate_tags)) != ECS_OK)
        goto fail;
    if (ecs_req__tags(r, ecs_req__member(r, r->root, "tags"), "tags", &s->tags) != ECS_OK) {
        rc = r->err->code != NULL && strcmp(r->err->code, ECS_ERR_SERVER) == 0 ? ECS_E_NOMEM : ECS_E_INVALID_ARG;
        goto fail;
    }
    parts_swap(s, &p);
    s->created_ms = r->pl->now_ms;
    s->next_dep_seq = 1;
    if (ecs_str__dup(r->ctx, &s->name, name, nl) != ECS_OK ||
        ecs_str__fmt(r->ctx, &s->arn, "arn:aws:ecs:%s:%s:service/%s/%.*s", ecs_str__c(&r->pl->region),
                     ecs_str__c(&r->pl->account), ecs_str__c(&c->name), (int)nl, name) != ECS_OK ||
        (token != NULL && ecs_str__dup(r->ctx, &s->client_token, token, ctl) != ECS_OK) ||
        ecs_vec__reserve(r->ctx, (void **)&s->deps, &s->deps_cap, sizeof *s->deps, 1) != ECS_OK ||
        ecs_vec__reserve(r->ctx, (void **)&c->services, &c->services_cap, sizeof *c->services,
                         c->nservices + 1) != ECS_OK) {
        rc = ecs_req__nomem(r);
        goto fail;
    }
    if ((rc = new_deployment(r, s, f, rev, &d)) != ECS_OK)
        goto fail;
    s->next_dep_seq++;
    s->deps[s->ndeps++] = d;
    rev->refs++;
    c->services[c->nservices++] = s;
    c->active_services++;
    if ((rc = answer(r, s)) != ECS_OK) {
        c->nservices--;
        c->active_services--;
        rev->refs--;
        goto fail;
    }
    parts_free(r->ctx, &p);
    return ECS_OK;
fail:
    parts_free(r->ctx, &p);
    ecs_plane__service_free(r->ctx, s);
    return rc;
}

/* ---- UpdateService ------------------------------------------------------ */

ecs_status ecs_act__update_service(ecs_req *r)
{
    ecs_cluster *c;
    ecs_service *s = NULL, saved;
    ecs_deployment *d = NULL;
    ecs_family *f = NULL;
    ecs_revision *rev;
    size_t tl = 0;
    const char *tdref = ecs_req__str(r, r->root, "taskDefinition", &tl);
    const ecs_json_val *dcv = ecs_req__member(r, r->root, "desiredCount");
    bool force = ecs_req__bool(r, r->root, "forceNewDeployment", false);
    bool new_rev, deploy, has_new_cp = false;
    ecs_str propagate = { NULL, 0 };
    ecs_cp_item *new_cp = NULL;
    size_t nnew_cp = 0;
    parts p;
    ecs_status rc;

    memset(&p, 0, sizeof p);
    if ((rc = ecs_req__service(r, true, &c, &s)) != ECS_OK || s == NULL)
        return rc != ECS_OK ? rc : svc_not_found(r);
    saved = *s;
    rev = s->deps[0]->rev;
    f = s->deps[0]->family;
    if (tdref != NULL) {
        rev = ecs_plane__taskdef_by_ref(r->pl, tdref, tl, &f);
        if (rev == NULL)
            return FAIL_CL(r, "Unable to find task definition '%.*s'.", clip(tl), tdref);
        if (rev->status != ECS_TD_ACTIVE)
            return FAIL_CL(r, "TaskDefinition is inactive (%s).", ecs_str__c(&rev->arn));
        if ((rc = check_host_ports(r, rev)) != ECS_OK)
            return rc;
        if (!ecs_plane__revision_supports(rev, s->launch_type))
            return FAIL_IP(r, "Task definition does not support launch_type %s.",
                           ecs_plane__launch_type_name(s->launch_type));
    }
    if (dcv != NULL) {
        int64_t v = 0;
        if (s->daemon)
            return FAIL_IP(r, "desiredCount: a DAEMON service runs one task per instance; it has no "
                              "desired count to set.");
        if (ecs_json_get_int(dcv, &v) != ECS_OK || v < 0 || v > 5000)
            return FAIL_IP(r, "desiredCount: 0 to 5000 tasks per service.");
        s->desired = (uint32_t)v;
    }
    if ((rc = decode_deploy_config(r, s->daemon, s, &p)) != ECS_OK || (rc = decode_grace(r, s)) != ECS_OK)
        goto fail;
    if (s->daemon && s->max_pct != 100) {
        rc = FAIL_IP(r, "deploymentConfiguration.maximumPercent: a DAEMON service's must be 100.");
        goto fail;
    }
    if ((rc = decode_placement(r, rev->def, s->launch_type == ECS_LAUNCH_FARGATE, s->daemon, &p)) != ECS_OK ||
        (rc = decode_network(r, rev->def, false, &p)) != ECS_OK || (rc = decode_lbs(r, rev->def, &p)) != ECS_OK ||
        (rc = decode_propagate(r, s, &propagate)) != ECS_OK)
        goto fail;
    if (rev->def->network_mode == ECS_NET_AWSVPC && !s->has_network && !p.has_network) {
        rc = FAIL_IP(r, "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
        goto fail;
    }
    if (rev->def->network_mode != ECS_NET_AWSVPC && s->has_network && !p.has_network) {
        rc = FAIL_IP(r, "networkConfiguration: the service has one, and task definition %s does not use "
                        "awsvpc.", ecs_str__c(&rev->arn));
        goto fail;
    }
    {
        const ecs_json_val *cps = ecs_req__member(r, r->root, "capacityProviderStrategy");
        if (cps != NULL) {
            if (s->nstrategy == 0 && ecs_json_len(cps) > 0) {
                rc = FAIL_IP(r, "capacityProviderStrategy: the service was created with a launch type; "
                                "it cannot move to a capacity provider strategy (libecs keeps it).");
                goto fail;
            }
            if ((rc = ecs_req__cp_strategy(r, cps, "capacityProviderStrategy", c->cps, c->ncps, &new_cp,
                                           &nnew_cp)) != ECS_OK)
                goto fail;
            if (nnew_cp > 0 && ecs_plane__provider_is_fargate(new_cp[0].provider.p, new_cp[0].provider.len) !=
                                   (s->launch_type == ECS_LAUNCH_FARGATE)) {
                rc = FAIL_IP(r, "capacityProviderStrategy: a service cannot move between Fargate and Auto "
                                "Scaling group capacity providers.");
                goto fail;
            }
            has_new_cp = true;
        }
    }
    s->enable_execute_command = ecs_req__bool(r, r->root, "enableExecuteCommand", s->enable_execute_command);
    s->managed_tags = ecs_req__bool(r, r->root, "enableECSManagedTags", s->managed_tags);
    new_rev = rev != s->deps[0]->rev;
    deploy = new_rev || force || p.has_network || p.has_lbs;
    if (deploy) {
        if (ecs_vec__reserve(r->ctx, (void **)&s->deps, &s->deps_cap, sizeof *s->deps, s->ndeps + 1) != ECS_OK) {
            rc = ecs_req__nomem(r);
            goto fail;
        }
        if ((rc = new_deployment(r, s, f, rev, &d)) != ECS_OK)
            goto fail;
        memmove(&s->deps[1], &s->deps[0], s->ndeps * sizeof *s->deps);
        s->deps[0] = d;
        s->ndeps++;
        s->next_dep_seq++;
        s->deps[1]->status = ECS_DEP_ACTIVE;
        rev->refs++;
        if (new_rev) {
            s->start_failures = 0;
            s->next_launch_ms = 0;
        }
        s->steady_event_ms = 0;
    }
    parts_swap(s, &p);
    if (propagate.len > 0)
        s->propagate_tags = propagate;
    if (has_new_cp) {
        s->strategy = new_cp;
        s->nstrategy = nnew_cp;
    }
    if ((rc = answer(r, s)) != ECS_OK) {
        parts_swap(s, &p); /* the new arrays back into p, freed below */
        if (d != NULL) {
            memmove(&s->deps[0], &s->deps[1], (s->ndeps - 1) * sizeof *s->deps);
            s->ndeps--;
            s->deps[0]->status = ECS_DEP_PRIMARY;
            rev->refs--;
        }
        goto fail;
    }
    if (propagate.len > 0)
        ecs_str__free(r->ctx, &saved.propagate_tags);
    if (has_new_cp)
        ecs_plane__cp_items_free(r->ctx, saved.strategy, saved.nstrategy);
    parts_free(r->ctx, &p);
    return ECS_OK;
fail:
    ecs_plane__cp_items_free(r->ctx, new_cp, nnew_cp);
    if (d != NULL)
        ecs_plane__deployment_free(r->ctx, d);
    /* the service as it was (its deployments array may have moved) */
    saved.deps = s->deps;
    saved.deps_cap = s->deps_cap;
    *s = saved;
    ecs_str__free(r->ctx, &propagate);
    parts_free(r->ctx, &p);
    return rc;
}

/* ---- DeleteService ------------------------------------------------------ */

ecs_status ecs_act__delete_service(ecs_req *r)
{
    ecs_cluster *c;
    ecs_service *s = NULL, saved;
    bool force = ecs_req__bool(r, r->root, "force", false);
    ecs_status rc;
    if ((rc = ecs_req__service(r, true, &c, &s)) != ECS_OK || s == NULL)
        return rc != ECS_OK ? rc : svc_not_found(r);
    if (!s->daemon && s->desired > 0 && !force)
        return FAIL_IP(r, "The service cannot be stopped while it is scaled above 0.");
    saved = *s;
    s->status = ECS_SVC_DRAINING;
    s->desired = 0;
    c->active_services--;
    if ((rc = answer(r, s)) != ECS_OK) {
        *s = saved;
        c->active_services++;
        return rc;
    }
    return ECS_OK;
}

/* ---- DescribeServices, ListServices ------------------------------------ */

ecs_status ecs_act__describe_services(ecs_req *r)
{
    ecs_cluster *c;
    const ecs_json_val *list = ecs_req__member(r, r->root, "services");
    uint32_t flags = ecs_req__include_tags(r);
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if (ecs_json_len(list) == 0 || ecs_json_len(list) > 10)
        return FAIL_IP(r, "services: name 1 to 10 services.");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "services", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        const ecs_service *s = ecs_plane__service_by_ref(c, ref, n);
        if (s != NULL)
            ecs_plane__write_service(r->pl, r->w, s, flags);
    }
    ecs_json_write_arr_end(r->w);
    ecs_json_write_key(r->w, "failures", 8);
    ecs_json_write_arr_begin(r->w);
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        size_t n = 0;
        const char *ref = ecs_json_str(r->doc, v, &n);
        char arn[700];
        int k;
        if (ecs_plane__service_by_ref(c, ref, n) != NULL)
            continue;
        if (n >= 4 && memcmp(ref, "arn:", 4) == 0)
            k = snprintf(arn, sizeof arn, "%.*s", clip(n), ref);
        else
            k = snprintf(arn, sizeof arn, "arn:aws:ecs:%s:%s:service/%s/%.*s", ecs_str__c(&r->pl->region),
                         ecs_str__c(&r->pl->account), ecs_str__c(&c->name), clip(n), ref);
        ecs_req__write_failure(r, arn, k > 0 && (size_t)k < sizeof arn ? (size_t)k : 0, "MISSING", NULL);
    }
    ecs_json_write_arr_end(r->w);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}

ecs_status ecs_act__list_services(ecs_req *r)
{
    ecs_cluster *c;
    char key[ECS_TOKEN_KEY_MAX];
    size_t max, key_len, emitted = 0, ll = 0, sl = 0, i = 0;
    bool has_key, more = false;
    const char *lt = ecs_req__str(r, r->root, "launchType", &ll);
    const char *sched = ecs_req__str(r, r->root, "schedulingStrategy", &sl);
    const ecs_service *last = NULL;
    ecs_status rc;
    if ((rc = ecs_req__cluster(r, &c)) != ECS_OK)
        return rc;
    if ((rc = ecs_req__page(r, 10, &max, key, &key_len, &has_key)) != ECS_OK)
        return rc;
    if (sched != NULL && !((sl == 6 && memcmp(sched, "DAEMON", 6) == 0) ||
                           (sl == 7 && memcmp(sched, "REPLICA", 7) == 0)))
        return FAIL_IP(r, "schedulingStrategy: REPLICA or DAEMON.");
    if (has_key) {
        while (i < c->nservices && !ecs_str__eq(&c->services[i]->arn, key, key_len))
            i++;
        if (i == c->nservices)
            return FAIL_IP(r, "Invalid nextToken: the service it points to no longer exists.");
        i++;
    }
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "serviceArns", 11);
    ecs_json_write_arr_begin(r->w);
    for (; i < c->nservices; i++) {
        const ecs_service *s = c->services[i];
        const char *ltn = ecs_plane__launch_type_name(s->launch_type);
        if (s->status != ECS_SVC_ACTIVE)
            continue;
        if (lt != NULL && !(strlen(ltn) == ll && memcmp(ltn, lt, ll) == 0))
            continue;
        if (sched != NULL && s->daemon != (sl == 6))
            continue;
        if (emitted == max) {
            more = true;
            break;
        }
        ecs_json_write_str(r->w, s->arn.p, s->arn.len);
        emitted++;
        last = s;
    }
    ecs_json_write_arr_end(r->w);
    if (more && last != NULL)
        ecs_req__write_token(r, last->arn.p, last->arn.len);
    return ecs_json_write_obj_end(r->w) == ECS_OK ? ECS_OK : ecs_req__nomem(r);
}
