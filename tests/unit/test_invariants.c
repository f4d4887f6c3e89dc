/*
 * Randomized invariants of the control plane: many seeded, deterministic
 * sequences of operations (instances joining in three zones with random
 * sizes, draining, reactivating and leaving by force, attributes, task
 * definitions, some with the libecs.sim.* knobs of the simulated agent,
 * REPLICA and DAEMON services created, updated and deleted, RunTask,
 * StopTask, scale-in protection, and time steps of random length), in both
 * agent modes: simulated agents, and manual mode where the test plays the
 * agents and reports random forward statuses with SubmitTaskStateChange
 * (and container health with SubmitContainerHealth).
 *
 * After every operation the state is read through the public API and
 * fx_check_plane() (tests/support/test_plane_fx.c) checks its invariants:
 * resources, task counts of clusters, instances and services, live tasks on
 * ACTIVE or DRAINING instances, lastStatus never backwards, desiredStatus
 * never from STOPPED back to RUNNING. Besides: every call ends in success
 * or an ECS error (never ServerException, nothing runs out of memory), a
 * failed call leaves ecs_plane_dump byte-identical, and nothing leaks.
 *
 * A violation fails with the seed, the agent mode and the step; replay one
 * sequence with its calls printed by
 *   ECS_INVARIANTS_SEED=<seed> ./tests/test_invariants
 * ECS_INVARIANTS_SEQUENCES=<n> runs more (or fewer) sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_plane_fx.h"
#include "test_util.h"

/* Fewer under AddressSanitizer, to stay within ~20 s. */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_SEQUENCES 300
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_SEQUENCES 300
#endif
#endif
#ifndef DEFAULT_SEQUENCES
#define DEFAULT_SEQUENCES 1000
#endif
#define STEPS 24

/* splitmix64: the test's own generator (the plane has its own). */
typedef struct rnd {
    uint64_t s;
} rnd;

static uint64_t next(rnd *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned below(rnd *r, unsigned n)
{
    return (unsigned)(next(r) % n);
}

typedef struct seq {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *pl;
    rnd r;
    uint64_t seed;
    bool sim;     /* simulated agents */
    bool trace;   /* print every call */
    size_t step;
    unsigned next_instance;
    fx_history *hist;
    char *prev;   /* the dump after the last check */
    size_t prev_len;
    bool prev_stale; /* prev is older than the last successful call */
    char req[8192];
    char why[10240];
    /* task ARNs of the last task listing */
    char tasks[128][128];
    size_t ntasks;
} seq;

static const char *const k_zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const char *const k_families[] = { "plain", "port", "health", "exits", "fails", "vpc", "big" };
#define NFAM (sizeof k_families / sizeof k_families[0])
static const char *const k_services[] = { "s0", "s1", "s2", "s3", "d0" };
#define NSVC (sizeof k_services / sizeof k_services[0])
static const char *const k_strategies[] = {
    "{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}",
    "{\"type\":\"spread\",\"field\":\"instanceId\"}",
    "{\"type\":\"binpack\",\"field\":\"memory\"}",
    "{\"type\":\"binpack\",\"field\":\"cpu\"}",
    "{\"type\":\"random\"}",
};

static void fail_seq(seq *s, const char *what)
{
    fail_msg("invariant violated: seed %llu (%s agents), step %zu: %s\n"
             "replay: ECS_INVARIANTS_SEED=%llu ./tests/test_invariants",
             (unsigned long long)s->seed, s->sim ? "simulated" : "manual", s->step, what,
             (unsigned long long)s->seed);
}

/* Copy the current dump into s->prev. */
static void keep_dump(seq *s)
{
    const char *d;
    size_t dl;
    if (ecs_plane_dump(s->pl, &d, &dl) != ECS_OK)
        fail_seq(s, "ecs_plane_dump failed");
    free(s->prev);
    s->prev = malloc(dl + 1);
    assert_non_null(s->prev);
    memcpy(s->prev, d, dl + 1);
    s->prev_len = dl;
    s->prev_stale = false;
}

/* Check every invariant; remember the dump. */
static void check(seq *s)
{
    keep_dump(s);
    if (!fx_check_dump(s->ctx, s->pl, s->hist, s->prev, s->prev_len, s->why, sizeof s->why))
        fail_seq(s, s->why);
}

/* Run s->req as action. A failure must be an ECS error other than
 * ServerException and leave the dump as it was. Returns the status. */
static ecs_status scall(seq *s, const char *action)
{
    const char *out = NULL;
    size_t ol = 0;
    ecs_status rc;
    if (s->prev_stale) {
        keep_dump(s);
        s->prev_stale = false;
    }
    rc = ecs_plane_call(s->pl, action, strlen(action), s->req, strlen(s->req), &out, &ol);
    if (s->trace)
        fprintf(stderr, "[%zu] %s %s -> %s %s\n", s->step, action, s->req,
                rc == ECS_OK ? "OK" : ecs_plane_error_code(s->pl), rc == ECS_OK ? "" : ecs_ctx_errmsg(s->ctx));
    if (rc == ECS_OK) {
        s->prev_stale = true; /* dumped again before the next call, if any */
        return rc;
    }
    if (rc == ECS_E_NOMEM || rc == ECS_E_INTERNAL || strcmp(ecs_plane_error_code(s->pl), "ServerException") == 0) {
        snprintf(s->why, sizeof s->why, "%s %s: %s (%s)", action, s->req, ecs_plane_error_code(s->pl),
                 ecs_ctx_errmsg(s->ctx));
        fail_seq(s, s->why);
    }
    {
        const char *d;
        size_t dl;
        assert_int_equal(ecs_plane_dump(s->pl, &d, &dl), ECS_OK);
        if (dl != s->prev_len || memcmp(d, s->prev, dl) != 0) {
            snprintf(s->why, sizeof s->why, "%s %s failed (%s) but changed the state", action, s->req,
                     ecs_plane_error_code(s->pl));
            fail_seq(s, s->why);
        }
    }
    return rc;
}

static void reqf(seq *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reqf(seq *s, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(s->req, sizeof s->req, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof s->req);
}

/* Append to s->req. */
static void addf(seq *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(seq *s, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(s->req);
    int k;
    va_start(ap, fmt);
    k = vsnprintf(s->req + n, sizeof s->req - n, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof s->req - n);
}

/* ---- references ----------------------------------------------------------- */

/* A random instance of cluster c (its ARN), or false when it has none. */
static bool pick_instance(seq *s, char *out, size_t cap)
{
    size_t ci, n;
    ecs_instance_info in;
    if (ecs_plane_find_cluster(s->pl, "c", 1, &ci) != ECS_OK || (n = ecs_plane_instance_count(s->pl, ci)) == 0)
        return false;
    assert_int_equal(ecs_plane_instance_info(s->pl, ci, below(&s->r, (unsigned)n), &in), ECS_OK);
    snprintf(out, cap, "%s", in.arn);
    return true;
}

/* List cluster c's tasks (desired RUNNING, or STOPPED too) into s->tasks. */
static void list_tasks(seq *s, bool stopped_too)
{
    const char *out;
    size_t ol;
    ecs_json_doc *d = NULL;
    s->ntasks = 0;
    for (int pass = 0; pass < (stopped_too ? 2 : 1); pass++) {
        const ecs_json_val *arns;
        reqf(s, "{\"cluster\":\"c\",\"maxResults\":100,\"desiredStatus\":\"%s\"}", pass ? "STOPPED" : "RUNNING");
        if (ecs_plane_call(s->pl, "ListTasks", 9, s->req, strlen(s->req), &out, &ol) != ECS_OK)
            fail_seq(s, "ListTasks failed");
        assert_int_equal(ecs_json_parse(s->ctx, out, ol, NULL, &d), ECS_OK);
        arns = ecs_json_obj_get(d, ecs_json_root(d), "taskArns", 8);
        for (const ecs_json_val *a = ecs_json_first(arns); a != NULL && s->ntasks < 128; a = ecs_json_next(arns, a))
            snprintf(s->tasks[s->ntasks++], sizeof s->tasks[0], "%s", ecs_json_str(d, a, NULL));
        ecs_json_doc_free(d);
        d = NULL;
    }
}

static const char *pick_task(seq *s)
{
    return s->ntasks == 0 ? NULL : s->tasks[below(&s->r, (unsigned)s->ntasks)];
}

/* lastStatus and whether a health check runs, of a task (DescribeTasks). */
static bool task_status(seq *s, const char *arn, char *last, size_t cap, bool *desired_stopped, char *container,
                        size_t ccap)
{
    const char *out;
    size_t ol;
    ecs_json_doc *d = NULL;
    const ecs_json_val *t;
    bool found = false;
    reqf(s, "{\"cluster\":\"c\",\"tasks\":[\"%s\"]}", arn);
    if (ecs_plane_call(s->pl, "DescribeTasks", 13, s->req, strlen(s->req), &out, &ol) != ECS_OK)
        fail_seq(s, "DescribeTasks failed");
    assert_int_equal(ecs_json_parse(s->ctx, out, ol, NULL, &d), ECS_OK);
    t = ecs_json_arr_get(ecs_json_obj_get(d, ecs_json_root(d), "tasks", 5), 0);
    if (t != NULL) {
        const char *ls = ecs_json_str(d, ecs_json_obj_get(d, t, "lastStatus", 10), NULL);
        const char *ds = ecs_json_str(d, ecs_json_obj_get(d, t, "desiredStatus", 13), NULL);
        const ecs_json_val *c0 = ecs_json_arr_get(ecs_json_obj_get(d, t, "containers", 10), 0);
        const char *cn = ecs_json_str(d, ecs_json_obj_get(d, c0, "name", 4), NULL);
        snprintf(last, cap, "%s", ls ? ls : "");
        snprintf(container, ccap, "%s", cn ? cn : "app");
        *desired_stopped = ds != NULL && strcmp(ds, "STOPPED") == 0;
        found = true;
    }
    ecs_json_doc_free(d);
    return found;
}

/* ---- operations ----------------------------------------------------------- */

static void op_register_instance(seq *s)
{
    unsigned id = s->next_instance++;
    unsigned cpu = 1024u * (1u + below(&s->r, 4));
    unsigned mem = 1024u * (2u + below(&s->r, 7));
    reqf(s, "{\"cluster\":\"c\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-%04u\\\","
            "\\\"availabilityZone\\\":\\\"%s\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
            "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":%u},"
            "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":%u}]",
         id, k_zones[below(&s->r, 3)], cpu, mem);
    if (below(&s->r, 2))
        addf(s, ",\"attributes\":[{\"name\":\"stack\",\"value\":\"%s\"}]", below(&s->r, 2) ? "prod" : "dev");
    addf(s, "}");
    scall(s, "RegisterContainerInstance");
}

static void op_deregister_instance(seq *s)
{
    char arn[256];
    if (!pick_instance(s, arn, sizeof arn))
        return;
    reqf(s, "{\"cluster\":\"c\",\"containerInstance\":\"%s\",\"force\":true}", arn);
    scall(s, "DeregisterContainerInstance");
}

static void op_instance_state(seq *s)
{
    char arn[256];
    if (!pick_instance(s, arn, sizeof arn))
        return;
    reqf(s, "{\"cluster\":\"c\",\"containerInstances\":[\"%s\"],\"status\":\"%s\"}", arn,
         below(&s->r, 2) ? "DRAINING" : "ACTIVE");
    scall(s, "UpdateContainerInstancesState");
}

static void op_put_attributes(seq *s)
{
    char arn[256];
    if (!pick_instance(s, arn, sizeof arn))
        return;
    reqf(s, "{\"cluster\":\"c\",\"attributes\":[{\"name\":\"stack\",\"value\":\"%s\",\"targetId\":\"%s\"}]}",
         below(&s->r, 2) ? "prod" : "dev", arn);
    scall(s, "PutAttributes");
}

/* A revision of family k_families[k], with random sizes. */
static void register_taskdef(seq *s, unsigned k)
{
    unsigned cpu = 128u * (1u + below(&s->r, 8)), mem = 256u * (1u + below(&s->r, 6));
    const char *fam = k_families[k];
    reqf(s, "{\"family\":\"%s\"", fam);
    if (strcmp(fam, "vpc") == 0)
        addf(s, ",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"EC2\",\"FARGATE\"],"
                "\"cpu\":\"256\",\"memory\":\"512\"");
    addf(s, ",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\"");
    if (strcmp(fam, "vpc") != 0)
        addf(s, ",\"cpu\":%u,\"memory\":%u", strcmp(fam, "big") == 0 ? cpu * 4 : cpu,
             strcmp(fam, "big") == 0 ? mem * 3 : mem);
    if (strcmp(fam, "port") == 0)
        addf(s, ",\"portMappings\":[{\"containerPort\":80,\"hostPort\":8080}]");
    else if (strcmp(fam, "plain") == 0)
        addf(s, ",\"portMappings\":[{\"containerPort\":80}]");
    if (strcmp(fam, "health") == 0)
        addf(s, ",\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":%u},\"dockerLabels\":{"
                "\"libecs.sim.unhealthy-after-seconds\":\"%u\"}",
             5u + below(&s->r, 30), 20u + below(&s->r, 200));
    else if (strcmp(fam, "exits") == 0)
        addf(s, ",\"dockerLabels\":{\"libecs.sim.exit-after-seconds\":\"%u\",\"libecs.sim.stop-seconds\":\"%u\"}",
             10u + below(&s->r, 300), 1u + below(&s->r, 30));
    else if (strcmp(fam, "fails") == 0)
        addf(s, ",\"dockerLabels\":{\"libecs.sim.fail-start\":\"image pull failed\","
                "\"libecs.sim.start-seconds\":\"%u\"}", 2u + below(&s->r, 20));
    addf(s, "}]}");
    scall(s, "RegisterTaskDefinition");
}

static void op_register_taskdef(seq *s)
{
    register_taskdef(s, below(&s->r, NFAM));
}

static void network(seq *s)
{
    addf(s, ",\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-%c\"]}}",
         "abc"[below(&s->r, 3)]);
}

static void op_create_service(seq *s)
{
    unsigned k = below(&s->r, NSVC);
    const char *fam = k_families[below(&s->r, NFAM)];
    bool daemon = k == NSVC - 1;
    bool fargate = !daemon && strcmp(fam, "vpc") == 0 && below(&s->r, 2);
    reqf(s, "{\"cluster\":\"c\",\"serviceName\":\"%s\",\"taskDefinition\":\"%s\"", k_services[k], fam);
    if (daemon) {
        addf(s, ",\"schedulingStrategy\":\"DAEMON\"");
    } else {
        static const unsigned mins[] = { 0, 50, 100 }, maxs[] = { 100, 150, 200 };
        unsigned mn = mins[below(&s->r, 3)], mx = maxs[below(&s->r, 3)];
        if (mn == 100 && mx == 100)
            mx = 200;
        addf(s, ",\"desiredCount\":%u,\"deploymentConfiguration\":{\"minimumHealthyPercent\":%u,"
                "\"maximumPercent\":%u}", below(&s->r, 7), mn, mx);
        if (fargate) {
            addf(s, ",\"launchType\":\"FARGATE\"");
        } else if (below(&s->r, 2)) {
            unsigned n = 1 + below(&s->r, 2);
            addf(s, ",\"placementStrategy\":[");
            for (unsigned i = 0; i < n; i++)
                addf(s, "%s%s", i ? "," : "", k_strategies[below(&s->r, 5)]);
            addf(s, "]");
        }
    }
    if (!fargate && below(&s->r, 4) == 0)
        addf(s, ",\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:stack == prod\"}]");
    if (strcmp(fam, "vpc") == 0)
        network(s);
    addf(s, "}");
    scall(s, "CreateService");
}

static void op_update_service(seq *s)
{
    unsigned k = below(&s->r, NSVC), what = below(&s->r, 3);
    reqf(s, "{\"cluster\":\"c\",\"service\":\"%s\"", k_services[k]);
    if (what == 0 && k != NSVC - 1)
        addf(s, ",\"desiredCount\":%u", below(&s->r, 8));
    else if (what == 1)
        addf(s, ",\"taskDefinition\":\"%s\"", k_families[below(&s->r, NFAM)]);
    else
        addf(s, ",\"forceNewDeployment\":true");
    addf(s, "}");
    scall(s, "UpdateService");
}

static void op_delete_service(seq *s)
{
    reqf(s, "{\"cluster\":\"c\",\"service\":\"%s\",\"force\":true}", k_services[below(&s->r, NSVC)]);
    scall(s, "DeleteService");
}

static void op_run_task(seq *s)
{
    const char *fam = k_families[below(&s->r, NFAM)];
    bool fargate = strcmp(fam, "vpc") == 0 && below(&s->r, 2);
    reqf(s, "{\"cluster\":\"c\",\"taskDefinition\":\"%s\",\"count\":%u", fam, 1 + below(&s->r, 3));
    if (fargate)
        addf(s, ",\"launchType\":\"FARGATE\"");
    else if (below(&s->r, 2))
        addf(s, ",\"placementStrategy\":[%s]", k_strategies[below(&s->r, 5)]);
    if (strcmp(fam, "vpc") == 0)
        network(s);
    addf(s, "}");
    scall(s, "RunTask");
}

static void op_stop_task(seq *s)
{
    const char *t;
    list_tasks(s, false);
    if ((t = pick_task(s)) == NULL)
        return;
    reqf(s, "{\"cluster\":\"c\",\"task\":\"%s\",\"reason\":\"test\"}", t);
    scall(s, "StopTask");
}

static void op_protect(seq *s)
{
    unsigned n = 1 + below(&s->r, 3);
    bool on = below(&s->r, 3) != 0;
    list_tasks(s, below(&s->r, 4) == 0);
    if (s->ntasks == 0)
        return;
    {
        char arns[3][128];
        for (unsigned i = 0; i < n; i++)
            snprintf(arns[i], sizeof arns[i], "%s", pick_task(s));
        reqf(s, "{\"cluster\":\"c\",\"tasks\":[");
        for (unsigned i = 0; i < n; i++)
            addf(s, "%s\"%s\"", i ? "," : "", arns[i]);
        addf(s, "],\"protectionEnabled\":%s", on ? "true" : "false");
        if (on && below(&s->r, 2))
            addf(s, ",\"expiresInMinutes\":%u", 1 + below(&s->r, 120));
        addf(s, "}");
    }
    scall(s, "UpdateTaskProtection");
}

/* Manual mode: the test is the agent. Move a few tasks to a random later
 * status; sometimes report a container's health. */
static void op_agent(seq *s)
{
    static const char *const k_status[] = { "PROVISIONING", "PENDING",  "ACTIVATING",     "RUNNING",
                                            "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED" };
    unsigned n = 1 + below(&s->r, 4);
    list_tasks(s, false);
    for (unsigned i = 0; i < n && s->ntasks > 0; i++) {
        char arn[128], last[32], cname[64];
        bool dstop = false;
        int rank;
        snprintf(arn, sizeof arn, "%s", pick_task(s));
        if (!task_status(s, arn, last, sizeof last, &dstop, cname, sizeof cname))
            continue;
        rank = fx_status_rank(last);
        if (rank < 0 || rank == 7)
            continue;
        if (rank == 3 && below(&s->r, 3) == 0) {
            static const char *const k_health[] = { "HEALTHY", "UNHEALTHY", "UNKNOWN" };
            reqf(s, "{\"cluster\":\"c\",\"task\":\"%s\",\"containerName\":\"%s\",\"healthStatus\":\"%s\"}", arn,
                 cname, k_health[below(&s->r, 3)]);
            scall(s, "SubmitContainerHealth");
            continue;
        }
        {
            /* forward: a told-to-stop task mostly goes to STOPPED */
            int to = dstop && below(&s->r, 2) ? 7 : rank + 1 + (int)below(&s->r, (unsigned)(7 - rank));
            reqf(s, "{\"cluster\":\"c\",\"task\":\"%s\",\"status\":\"%s\"", arn, k_status[to]);
            if (to == 7 && below(&s->r, 2))
                addf(s, ",\"reason\":\"exited\"");
            if (to >= 3 && below(&s->r, 3) == 0)
                addf(s, ",\"containers\":[{\"containerName\":\"%s\",\"status\":\"%s\"}]", cname,
                     to == 7 ? "STOPPED" : "RUNNING");
            addf(s, "}");
            scall(s, "SubmitTaskStateChange");
        }
    }
}

static void op_time(seq *s)
{
    int64_t dt;
    const ecs_plane_order *orders = NULL;
    size_t norders = 0;
    ecs_status rc;
    switch (below(&s->r, 16)) {
    case 0: dt = 3600000 + (int64_t)below(&s->r, 600000); break; /* past retention */
    case 1: dt = 0; break;
    case 2: case 3: dt = 1000 * (int64_t)(1 + below(&s->r, 5)); break;
    case 4: case 5: case 6: dt = 60000 * (int64_t)(1 + below(&s->r, 30)); break;
    default: dt = 500 + (int64_t)below(&s->r, 45000); break;
    }
    rc = ecs_plane_step(s->pl, ecs_plane_now_ms(s->pl) + dt, &orders, &norders);
    if (s->trace)
        fprintf(stderr, "[%zu] step +%lld ms -> %d, %zu orders\n", s->step, (long long)dt, (int)rc, norders);
    if (rc != ECS_OK) {
        snprintf(s->why, sizeof s->why, "ecs_plane_step +%lld ms: %d %s", (long long)dt, (int)rc,
                 ecs_ctx_errmsg(s->ctx));
        fail_seq(s, s->why);
    }
    for (size_t i = 0; i < norders; i++) {
        if (orders[i].task_arn == NULL || orders[i].cluster_arn == NULL ||
            (orders[i].kind != ECS_ORDER_START && orders[i].kind != ECS_ORDER_STOP))
            fail_seq(s, "a malformed order");
    }
}

typedef void (*op_fn)(seq *s);

typedef struct op {
    op_fn fn;
    unsigned weight;
} op;

static const op k_ops[] = {
    { op_register_instance, 6 }, { op_deregister_instance, 2 }, { op_instance_state, 4 },
    { op_put_attributes, 2 },    { op_register_taskdef, 3 },    { op_create_service, 6 },
    { op_update_service, 5 },    { op_delete_service, 2 },      { op_run_task, 5 },
    { op_stop_task, 3 },         { op_protect, 3 },             { op_agent, 10 },
    { op_time, 14 },
};

static void run_sequence(uint64_t seed, bool trace)
{
    seq *s = calloc(1, sizeof *s);
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    unsigned total = 0;
    assert_non_null(s);
    s->seed = seed;
    s->r.s = seed * 0x2545f4914f6cdd1dull + 1;
    s->sim = (seed & 1) != 0;
    s->trace = trace;
    test_alloc_init(&s->ta);
    s->ctx = test_ctx_new(&s->ta);
    o.seed = seed;
    o.flags = s->sim ? ECS_PLANE_F_SIMULATED_AGENTS : 0;
    assert_int_equal(ecs_plane_new(s->ctx, &o, &s->pl), ECS_OK);
    s->hist = fx_history_new();
    assert_non_null(s->hist);
    keep_dump(s);

    /* the stage: a cluster, subnets in the three zones, Fargate room, a few
     * instances and one revision of each family */
    reqf(s, "{\"clusterName\":\"c\"}");
    assert_int_equal(scall(s, "CreateCluster"), ECS_OK);
    reqf(s, "{\"subnets\":[{\"subnetId\":\"subnet-a\",\"availabilityZone\":\"us-east-1a\"},{\"subnetId\":"
            "\"subnet-b\",\"availabilityZone\":\"us-east-1b\"},{\"subnetId\":\"subnet-c\","
            "\"availabilityZone\":\"us-east-1c\"}]}");
    assert_int_equal(scall(s, "RegisterSubnets"), ECS_OK);
    reqf(s, "{\"maxTasks\":%u}", 2 + below(&s->r, 6));
    assert_int_equal(scall(s, "SetFargateCapacity"), ECS_OK);
    for (unsigned i = 0, n = 2 + below(&s->r, 3); i < n; i++)
        op_register_instance(s);
    for (unsigned k = 0; k < NFAM; k++)
        register_taskdef(s, k);
    check(s);

    for (size_t i = 0; i < sizeof k_ops / sizeof k_ops[0]; i++)
        total += k_ops[i].weight;
    for (s->step = 1; s->step <= STEPS; s->step++) {
        unsigned w = below(&s->r, total);
        size_t i = 0;
        while (w >= k_ops[i].weight)
            w -= k_ops[i++].weight;
        if (k_ops[i].fn == op_agent && s->sim)
            i = sizeof k_ops / sizeof k_ops[0] - 1; /* the agents are simulated: time instead */
        k_ops[i].fn(s);
        check(s);
    }
    /* let everything settle: long steps, then check once more */
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ecs_plane_step(s->pl, ecs_plane_now_ms(s->pl) + 90000, NULL, NULL), ECS_OK);
        check(s);
    }
    fx_history_free(s->hist);
    free(s->prev);
    ecs_plane_free(s->pl);
    test_ctx_free_check(s->ctx, &s->ta);
    free(s);
}

static void test_invariants__random_sequences(void **state)
{
    const char *one = getenv("ECS_INVARIANTS_SEED");
    const char *count = getenv("ECS_INVARIANTS_SEQUENCES");
    unsigned long n = count != NULL ? strtoul(count, NULL, 10) : DEFAULT_SEQUENCES;
    (void)state;
    if (one != NULL) {
        run_sequence(strtoull(one, NULL, 10), true);
        return;
    }
    for (unsigned long seed = 1; seed <= n; seed++)
        run_sequence(seed, false);
    print_message("%lu sequences of %d operations, both agent modes: every invariant held\n", n, STEPS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariants__random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
