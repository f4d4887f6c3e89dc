/*
 * Randomized rollout invariants (spec 4.1 to 4.5), seen from outside.
 *
 * Each scenario (seeded, deterministic) makes a cluster of 2 to 4
 * instances (roomy, or tight: a few task slots each) and a REPLICA service
 * (D 1..12, minimumHealthyPercent 0..100, maximumPercent 100..200, some
 * pairs that cannot move), with revisions of random health: good ones
 * (RUNNING after libecs.sim.start-seconds, healthy after 40 s or by a
 * container healthCheck), and bad ones (libecs.sim.fail-start,
 * unhealthy-after-seconds with a healthCheck, exit-after-seconds). It then
 * plays a chaos phase, stepping 1 s at a time with random interruptions
 * (desiredCount changes, new revisions mid-rollout, percent changes,
 * instance drains and reactivations, StopTask), and a final phase: every
 * instance ACTIVE again and an UpdateService to a good revision.
 *
 * After every step the live tasks (desiredStatus RUNNING, lastStatus not
 * STOPPED) and the healthy ones (RUNNING with desiredStatus RUNNING, and
 * HEALTHY when the revision's essential container has a health check, else
 * RUNNING for 40 s: lib/plane/lifecycle.c ecs_plane__task_counts_healthy)
 * are read with ListTasks and DescribeTasks, and with D, min% and max% as
 * the service has them (the calls made before the step included):
 *  1. the scheduler's starts never push live tasks above upper =
 *     floor(D x max / 100): a step never ends with more live tasks than
 *     before and more than upper;
 *  2. its stops never take healthy tasks below lower = ceil(D x min / 100)
 *     when they were at or above it: the healthy count after the step plus
 *     the healthy tasks lost for reasons outside the scheduler (a container
 *     that exited, a health check that failed) stays at or above lower;
 *  3. the final rollout ends COMPLETED (one deployment, D tasks RUNNING)
 *     within a bound, whenever ecs_deploy_preview() says a rollout of this
 *     D and these percents completes in a cluster of that many task slots.
 *
 * Every observation is also compared with the library's own counts (the
 * plane's internals: ecs_plane__task_counts_healthy), so that the outside
 * rule the checks use is exactly the scheduler's.
 *
 * A violation fails with the seed and the step. Replay one scenario with
 * its calls printed:
 *   ECS_ROLLOUT_SEED=<seed> ./tests/test_rollout_invariants
 * ECS_ROLLOUT_SCENARIOS=<n> runs more (or fewer) scenarios.
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

#include "ecs/deploy.h"
#include "ecs/ecs.h"
#include "plane/plane_internal.h"
#include "test_alloc.h"
#include "test_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_SCENARIOS 400
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_SCENARIOS 400
#endif
#endif
#ifndef DEFAULT_SCENARIOS
#define DEFAULT_SCENARIOS 1500
#endif

#define T0 ECS_PLANE_DEFAULT_START_MS
#define SEC 1000
#define MAXT 128 /* tasks observed at once */
#define MAXREV 64
#define MAXINST 4

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

/* Revision kinds. */
enum { K_GOOD40, K_GOODHC, K_FAIL, K_UNHEALTHY, K_EXIT, NKINDS };
static const char *const k_kind_names[] = { "good-40s", "good-healthcheck", "fail-start", "unhealthy", "exits" };

typedef struct task_obs {
    char arn[128];
    bool live, healthy;
    bool sched_stop; /* desiredStatus STOPPED by the scheduler's own plan */
} task_obs;

typedef struct obs {
    task_obs t[MAXT];
    size_t n;
    int live, healthy;
} obs;

typedef struct scen {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *pl;
    ecs_json_doc *doc;
    rnd r;
    uint64_t seed;
    bool trace;
    int step;
    const char *phase;
    int d, minp, maxp;
    int nrev;
    int kind[MAXREV + 1]; /* by revision number */
    int start_s[MAXREV + 1];
    bool checks[MAXREV + 1]; /* an essential container with a healthCheck */
    int ninst;
    char inst[MAXINST][128];
    int slots[MAXINST]; /* tasks each instance holds */
    bool drained[MAXINST];
    char req[16384];
    char why[1024];
    obs before, after;
} scen;

static void fail_scen(scen *s, const char *what)
{
    fail_msg("rollout invariant violated: seed %llu, %s phase, step %d (D %d, %d/%d): %s\n"
             "replay: ECS_ROLLOUT_SEED=%llu ./tests/test_rollout_invariants",
             (unsigned long long)s->seed, s->phase, s->step, s->d, s->minp, s->maxp, what,
             (unsigned long long)s->seed);
}

static void reqf(scen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reqf(scen *s, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(s->req, sizeof s->req, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof s->req);
}

/* Run s->req as action; the answer parsed into s->doc. Fails the scenario
 * unless it succeeds (or, with may_fail, fails with an ECS client error). */
static ecs_status scall(scen *s, const char *action, bool may_fail)
{
    const char *out = NULL;
    size_t ol = 0;
    ecs_status rc = ecs_plane_call(s->pl, action, strlen(action), s->req, strlen(s->req), &out, &ol);
    if (s->trace && strcmp(action, "ListTasks") != 0 && strcmp(action, "DescribeTasks") != 0 &&
        strcmp(action, "DescribeServices") != 0)
        fprintf(stderr, "[%d %s] %s %s -> %s\n", s->step, s->phase, action, s->req,
                rc == ECS_OK ? "OK" : ecs_plane_error_code(s->pl));
    if (rc != ECS_OK && (!may_fail || rc == ECS_E_NOMEM || rc == ECS_E_INTERNAL)) {
        snprintf(s->why, sizeof s->why, "%s %.400s: %s (%.300s)", action, s->req, ecs_plane_error_code(s->pl),
                 ecs_ctx_errmsg(s->ctx));
        fail_scen(s, s->why);
    }
    ecs_json_doc_free(s->doc);
    s->doc = NULL;
    if (ecs_json_parse(s->ctx, out, ol, NULL, &s->doc) != ECS_OK)
        fail_scen(s, "an answer that does not parse");
    return rc;
}

static const ecs_json_val *get(scen *s, const ecs_json_val *o, const char *k)
{
    return ecs_json_obj_get(s->doc, o, k, strlen(k));
}

static const char *gstr(scen *s, const ecs_json_val *o, const char *k)
{
    return ecs_json_str(s->doc, get(s, o, k), NULL);
}

static uint32_t lower_of(int d, int minp)
{
    return (uint32_t)((d * minp + 99) / 100);
}

static uint32_t upper_of(int d, int maxp)
{
    return (uint32_t)(d * maxp / 100);
}

/* ---- building ----------------------------------------------------------- */

/* Register a revision of family "web" of this kind; returns its number. */
static int new_revision(scen *s, int kind)
{
    char labels[256], hc[160] = "";
    int start = 1 + (int)below(&s->r, 6);
    if (kind == K_GOODHC || kind == K_UNHEALTHY || (kind == K_EXIT && below(&s->r, 2) == 0))
        snprintf(hc, sizeof hc, ",\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":%u}",
                 5 + below(&s->r, 6));
    switch (kind) {
    case K_FAIL:
        snprintf(labels, sizeof labels, "\"libecs.sim.fail-start\":\"CannotPullContainerError: x\","
                                        "\"libecs.sim.start-seconds\":\"%d\"", start);
        break;
    case K_UNHEALTHY:
        snprintf(labels, sizeof labels, "\"libecs.sim.unhealthy-after-seconds\":\"%u\","
                                        "\"libecs.sim.start-seconds\":\"%d\"", 5 + below(&s->r, 40), start);
        break;
    case K_EXIT:
        snprintf(labels, sizeof labels, "\"libecs.sim.exit-after-seconds\":\"%u\","
                                        "\"libecs.sim.start-seconds\":\"%d\"", 3 + below(&s->r, 60), start);
        break;
    default:
        snprintf(labels, sizeof labels, "\"libecs.sim.start-seconds\":\"%d\"", start);
        break;
    }
    reqf(s, "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"img:%d\",\"cpu\":64,"
            "\"memory\":128,\"essential\":true%s,\"dockerLabels\":{%s}}]}",
         s->nrev + 1, hc, labels);
    scall(s, "RegisterTaskDefinition", false);
    s->nrev++;
    assert_true(s->nrev <= MAXREV);
    s->kind[s->nrev] = kind;
    s->start_s[s->nrev] = start;
    s->checks[s->nrev] = hc[0] != '\0';
    return s->nrev;
}

static int random_kind(scen *s)
{
    unsigned k = below(&s->r, 10);
    return k < 3 ? K_GOOD40 : k < 6 ? K_GOODHC : k < 7 ? K_FAIL : k < 8 ? K_UNHEALTHY : K_EXIT;
}

static int random_min(scen *s)
{
    static const int v[] = { 0, 25, 50, 75, 100, 100 };
    return below(&s->r, 3) == 0 ? (int)below(&s->r, 101) : v[below(&s->r, 6)];
}

static int random_max(scen *s)
{
    static const int v[] = { 100, 125, 150, 200, 200 };
    return below(&s->r, 3) == 0 ? 100 + (int)below(&s->r, 101) : v[below(&s->r, 5)];
}

static void register_instances(scen *s)
{
    static const char *const zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
    bool tight = below(&s->r, 10) < 3;
    s->ninst = 2 + (int)below(&s->r, 3);
    for (int i = 0; i < s->ninst; i++) {
        int slots = tight ? 2 + (int)below(&s->r, 7) : 32;
        reqf(s,
             "{\"cluster\":\"c1\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-%d\\\","
             "\\\"availabilityZone\\\":\\\"%s\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
             "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":4096},"
             "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":%d}]}",
             i, zones[i % 3], slots * 128);
        scall(s, "RegisterContainerInstance", false);
        snprintf(s->inst[i], sizeof s->inst[i], "%s",
                 gstr(s, get(s, ecs_json_root(s->doc), "containerInstance"), "containerInstanceArn"));
        s->slots[i] = slots;
        s->drained[i] = false;
    }
}

/* ---- observing ------------------------------------------------------------ */

static int64_t ms_of(const ecs_json_val *v)
{
    double d = 0;
    if (ecs_json_get_double(v, &d) != ECS_OK)
        return -1;
    return (int64_t)(d * 1000.0 + 0.5);
}

static int rev_of(const char *td_arn)
{
    const char *c = td_arn != NULL ? strrchr(td_arn, ':') : NULL;
    return c != NULL ? atoi(c + 1) : 0;
}

/* The live tasks of the service, and the tasks of prev (so that the fate
 * of the healthy ones is known). */
static void observe(scen *s, const obs *prev, obs *o)
{
    char arns[MAXT][128];
    size_t n = 0, len;
    const ecs_json_val *list, *tasks;
    int64_t now = ecs_plane_now_ms(s->pl);
    reqf(s, "{\"cluster\":\"c1\",\"serviceName\":\"web\",\"desiredStatus\":\"RUNNING\"}");
    scall(s, "ListTasks", false);
    list = get(s, ecs_json_root(s->doc), "taskArns");
    for (const ecs_json_val *v = ecs_json_first(list); v != NULL; v = ecs_json_next(list, v)) {
        if (n == MAXT)
            fail_scen(s, "too many tasks");
        snprintf(arns[n++], sizeof arns[0], "%s", ecs_json_str(s->doc, v, NULL));
    }
    if (ecs_json_len(list) >= 100)
        fail_scen(s, "a page of ListTasks is full");
    for (size_t i = 0; prev != NULL && i < prev->n; i++) {
        bool have = false;
        if (!prev->t[i].healthy)
            continue;
        for (size_t k = 0; k < n && !have; k++)
            have = strcmp(arns[k], prev->t[i].arn) == 0;
        if (!have) {
            if (n == MAXT)
                fail_scen(s, "too many tasks");
            snprintf(arns[n++], sizeof arns[0], "%s", prev->t[i].arn);
        }
    }
    memset(o, 0, sizeof *o);
    if (n == 0)
        return;
    if (n > 100)
        fail_scen(s, "more than 100 tasks to describe");
    len = (size_t)snprintf(s->req, sizeof s->req, "{\"cluster\":\"c1\",\"tasks\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s->req + len, sizeof s->req - len, "%s\"%s\"", i ? "," : "", arns[i]);
    snprintf(s->req + len, sizeof s->req - len, "]}");
    scall(s, "DescribeTasks", false);
    tasks = get(s, ecs_json_root(s->doc), "tasks");
    if (ecs_json_len(tasks) != n)
        fail_scen(s, "DescribeTasks lost a task");
    for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
        task_obs *x = &o->t[o->n++];
        const char *desired = gstr(s, t, "desiredStatus"), *last = gstr(s, t, "lastStatus");
        const char *hs = gstr(s, t, "healthStatus"), *reason = gstr(s, t, "stoppedReason");
        int rev = rev_of(gstr(s, t, "taskDefinitionArn"));
        const ecs_json_val *sa = get(s, t, "startedAt");
        snprintf(x->arn, sizeof x->arn, "%s", gstr(s, t, "taskArn"));
        if (desired == NULL || last == NULL || rev < 1 || rev > s->nrev)
            fail_scen(s, "a task without desiredStatus, lastStatus or a known revision");
        x->live = strcmp(desired, "RUNNING") == 0 && strcmp(last, "STOPPED") != 0;
        if (strcmp(desired, "RUNNING") == 0 && strcmp(last, "RUNNING") == 0) {
            if (s->checks[rev])
                x->healthy = hs != NULL && strcmp(hs, "HEALTHY") == 0;
            else
                x->healthy = sa != NULL && now - ms_of(sa) >= 40 * SEC;
        }
        x->sched_stop = strcmp(desired, "STOPPED") == 0 && reason != NULL &&
                        strncmp(reason, "Scaling activity initiated by", 29) == 0;
        o->live += x->live;
        o->healthy += x->healthy;
    }
    /* the count seen from outside is the library's own (lifecycle.c) */
    {
        const ecs_cluster *c = s->pl->clusters[0];
        int inside = 0, live_inside = 0;
        for (size_t i = 0; i < c->nservices; i++) {
            const ecs_service *sv = c->services[i];
            for (size_t k = 0; k < sv->ntasks; k++) {
                inside += ecs_plane__task_counts_healthy(s->pl, sv->tasks[k]);
                live_inside += sv->tasks[k]->desired == ECS_TASK_RUNNING && sv->tasks[k]->last != ECS_TASK_STOPPED;
            }
        }
        if (inside != o->healthy || live_inside != o->live) {
            snprintf(s->why, sizeof s->why, "seen from outside %d healthy and %d live tasks, the library counts %d "
                                            "and %d", o->healthy, o->live, inside, live_inside);
            fail_scen(s, s->why);
        }
    }
}

/* What the scenarios exercised (printed at the end). */
static struct {
    unsigned long steps, at_upper, floor_checked, floor_tight, must, completed, stuck_ok;
} stats;

/* ---- the invariants of one step -------------------------------------------- */

static void check_step(scen *s)
{
    uint32_t lower = lower_of(s->d, s->minp), upper = upper_of(s->d, s->maxp);
    const obs *b = &s->before, *a = &s->after;
    if ((uint32_t)a->live > upper && a->live > b->live) {
        snprintf(s->why, sizeof s->why, "live tasks went from %d to %d, upper %u", b->live, a->live, upper);
        fail_scen(s, s->why);
    }
    stats.steps++;
    stats.at_upper += (uint32_t)a->live == upper && a->live > b->live;
    if ((uint32_t)b->healthy >= lower) {
        int ext = 0;
        stats.floor_checked++;
        for (size_t i = 0; i < b->n; i++) {
            const task_obs *x = NULL;
            if (!b->t[i].healthy)
                continue;
            for (size_t k = 0; k < a->n && x == NULL; k++)
                if (strcmp(a->t[k].arn, b->t[i].arn) == 0)
                    x = &a->t[k];
            if (x == NULL) {
                fail_scen(s, "a healthy task vanished");
                continue;
            }
            ext += !x->healthy && !x->sched_stop;
        }
        stats.floor_tight += a->healthy + ext == (int)lower && a->healthy < b->healthy;
        if (a->healthy + ext < (int)lower) {
            snprintf(s->why, sizeof s->why,
                     "healthy tasks went from %d to %d (%d lost outside the scheduler), lower %u", b->healthy,
                     a->healthy, ext, lower);
            fail_scen(s, s->why);
        }
    }
}

static bool dirty; /* a call changed the plane since s->after was read */


/* One second forward, checked. */
static void step1(scen *s)
{
    if (dirty)
        observe(s, NULL, &s->before);
    else
        s->before = s->after;
    s->step++;
    if (ecs_plane_set_time(s->pl, ecs_plane_now_ms(s->pl) + SEC) != ECS_OK)
        fail_scen(s, "ecs_plane_set_time failed");
    observe(s, &s->before, &s->after);
    dirty = false;
    check_step(s);
}

/* ---- interruptions ---------------------------------------------------------- */

static void update_service(scen *s, const char *members)
{
    reqf(s, "{\"cluster\":\"c1\",\"service\":\"web\"%s}", members);
    scall(s, "UpdateService", false);
    dirty = true;
}

static void set_desired(scen *s, int d)
{
    char m[64];
    snprintf(m, sizeof m, ",\"desiredCount\":%d", d);
    s->d = d;
    update_service(s, m);
}

static void set_revision(scen *s, int rev)
{
    char m[64];
    snprintf(m, sizeof m, ",\"taskDefinition\":\"web:%d\"", rev);
    update_service(s, m);
}

static void set_instance(scen *s, int i, bool drain)
{
    reqf(s, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"],\"status\":\"%s\"}", s->inst[i],
         drain ? "DRAINING" : "ACTIVE");
    scall(s, "UpdateContainerInstancesState", false);
    s->drained[i] = drain;
    dirty = true;
}

static void interrupt(scen *s)
{
    switch (below(&s->r, 8)) {
    case 0:
    case 1:
        set_desired(s, 1 + (int)below(&s->r, 12));
        break;
    case 2:
    case 3:
        set_revision(s, new_revision(s, random_kind(s)));
        break;
    case 4: {
        char m[160];
        s->minp = random_min(s);
        s->maxp = random_max(s);
        snprintf(m, sizeof m, ",\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d}",
                 s->minp, s->maxp);
        update_service(s, m);
        break;
    }
    case 5: {
        int i = (int)below(&s->r, (unsigned)s->ninst);
        set_instance(s, i, !s->drained[i]);
        break;
    }
    case 6: {
        /* StopTask on a live task */
        size_t nl = 0, pick;
        for (size_t i = 0; i < s->after.n; i++)
            nl += s->after.t[i].live;
        if (nl == 0)
            break;
        pick = below(&s->r, (unsigned)nl);
        for (size_t i = 0; i < s->after.n; i++) {
            if (!s->after.t[i].live || pick-- != 0)
                continue;
            reqf(s, "{\"cluster\":\"c1\",\"task\":\"%s\",\"reason\":\"chaos\"}", s->after.t[i].arn);
            scall(s, "StopTask", false);
            dirty = true;
            break;
        }
        break;
    }
    default: {
        /* a new revision and a new count at once */
        int rev = new_revision(s, random_kind(s));
        char m[96];
        s->d = 1 + (int)below(&s->r, 12);
        snprintf(m, sizeof m, ",\"taskDefinition\":\"web:%d\",\"desiredCount\":%d", rev, s->d);
        update_service(s, m);
        break;
    }
    }
}

/* ---- one scenario ------------------------------------------------------------ */

static void run_scenario(uint64_t seed, bool trace)
{
    scen *s = calloc(1, sizeof *s);
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    int rev, chaos, total_slots = 0, health_s, limit;
    char dep[64];
    bool must, done = false;
    ecs_deploy_step st[512];
    size_t nst = 0;
    assert_non_null(s);
    s->seed = seed;
    s->trace = trace;
    s->r.s = seed;
    s->phase = "setup";
    test_alloc_init(&s->ta);
    s->ctx = test_ctx_new(&s->ta);
    o.seed = seed;
    o.flags = ECS_PLANE_F_SIMULATED_AGENTS;
    assert_int_equal(ecs_plane_new(s->ctx, &o, &s->pl), ECS_OK);
    dirty = true;

    reqf(s, "{\"clusterName\":\"c1\"}");
    scall(s, "CreateCluster", false);
    register_instances(s);
    rev = new_revision(s, random_kind(s));
    s->d = 1 + (int)below(&s->r, 12);
    s->minp = random_min(s);
    s->maxp = random_max(s);
    {
        char breaker[128] = "";
        if (below(&s->r, 4) == 0)
            snprintf(breaker, sizeof breaker, ",\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":%s}",
                     below(&s->r, 2) ? "true" : "false");
        reqf(s,
             "{\"cluster\":\"c1\",\"serviceName\":\"web\",\"taskDefinition\":\"web:%d\",\"desiredCount\":%d,"
             "\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d%s}}",
             rev, s->d, s->minp, s->maxp, breaker);
        scall(s, "CreateService", false);
    }

    /* chaos */
    s->phase = "chaos";
    chaos = 20 + (int)below(&s->r, 40);
    for (int i = 0; i < chaos; i++) {
        if (below(&s->r, 12) == 0)
            interrupt(s);
        step1(s);
    }

    /* the final rollout: every instance ACTIVE, a good revision */
    s->phase = "final";
    for (int i = 0; i < s->ninst; i++) {
        if (s->drained[i])
            set_instance(s, i, false);
        total_slots += s->slots[i];
    }
    rev = new_revision(s, below(&s->r, 3) == 0 ? K_GOOD40 : K_GOODHC);
    set_revision(s, rev);
    {
        const ecs_json_val *d0 = ecs_json_arr_get(get(s, get(s, ecs_json_root(s->doc), "service"), "deployments"), 0);
        snprintf(dep, sizeof dep, "%s", gstr(s, d0, "id"));
    }
    must = ecs_deploy_preview((uint32_t)s->d, (uint32_t)s->minp, (uint32_t)s->maxp, (uint32_t)total_slots, st,
                              sizeof st / sizeof st[0], &nst) == ECS_OK;
    health_s = s->checks[rev] ? 10 : 40;
    limit = must ? 60 + (int)(nst + 2) * (s->start_s[rev] + health_s + 10) : 60;
    if (trace)
        fprintf(stderr, "final: revision %d (%s), D %d %d/%d, %d slots: %s in %d s\n", rev, k_kind_names[s->kind[rev]],
                s->d, s->minp, s->maxp, total_slots, must ? "must complete" : "may not complete", limit);
    for (int t = 0; t < limit && !done; t++) {
        step1(s);
        if (t % 3 != 2 && t != limit - 1)
            continue;
        reqf(s, "{\"cluster\":\"c1\",\"services\":[\"web\"]}");
        scall(s, "DescribeServices", false);
        {
            const ecs_json_val *sv = ecs_json_arr_get(get(s, ecs_json_root(s->doc), "services"), 0);
            const ecs_json_val *deps = get(s, sv, "deployments");
            const ecs_json_val *d0 = ecs_json_arr_get(deps, 0);
            const char *id = gstr(s, d0, "id"), *rs = gstr(s, d0, "rolloutState");
            int64_t running = -1;
            if (id == NULL || strcmp(id, dep) != 0)
                fail_scen(s, "the final deployment is no longer the PRIMARY");
            if (rs != NULL && strcmp(rs, "COMPLETED") == 0) {
                done = true;
                if (ecs_json_len(deps) != 1)
                    fail_scen(s, "COMPLETED with older deployments left");
                ecs_json_get_int(get(s, sv, "runningCount"), &running);
                if (running != s->d) {
                    snprintf(s->why, sizeof s->why, "COMPLETED with %lld tasks RUNNING", (long long)running);
                    fail_scen(s, s->why);
                }
            }
        }
    }
    stats.must += must;
    stats.completed += done;
    stats.stuck_ok += !must && done;
    if (must && !done) {
        snprintf(s->why, sizeof s->why, "the final rollout (D %d, %d/%d, %d slots, %zu planner steps) is not "
                                        "COMPLETED after %d s",
                 s->d, s->minp, s->maxp, total_slots, nst, limit);
        fail_scen(s, s->why);
    }
    if (trace)
        fprintf(stderr, "scenario %llu: %s after %d steps\n", (unsigned long long)seed,
                done ? "completed" : "not completed", s->step);
    ecs_json_doc_free(s->doc);
    ecs_plane_free(s->pl);
    test_ctx_free_check(s->ctx, &s->ta);
    free(s);
}

static void test_rollout__invariants(void **state)
{
    const char *one = getenv("ECS_ROLLOUT_SEED");
    const char *many = getenv("ECS_ROLLOUT_SCENARIOS");
    unsigned n = DEFAULT_SCENARIOS;
    (void)state;
    if (one != NULL && one[0] != '\0') {
        run_scenario(strtoull(one, NULL, 10), true);
        return;
    }
    if (many != NULL && many[0] != '\0')
        n = (unsigned)strtoul(many, NULL, 10);
    memset(&stats, 0, sizeof stats);
    for (unsigned i = 0; i < n; i++)
        run_scenario(0x5eed0000ull + i, false);
    print_message("%u scenarios, %lu steps: %lu starts up to upper, %lu steps with the floor held, %lu of them "
                  "stopping down to it; %lu final rollouts had to complete, %lu completed (%lu beyond the "
                  "planner's promise)\n",
                  n, stats.steps, stats.at_upper, stats.floor_checked, stats.floor_tight, stats.must,
                  stats.completed, stats.stuck_ok);
}

/* One scenario end to end (a quick check of the harness; every step of
 * every scenario also checks that the healthy and live counts seen from
 * outside are the library's own). */
static void test_rollout__one_scenario(void **state)
{
    (void)state;
    run_scenario(1, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollout__one_scenario),
        cmocka_unit_test(test_rollout__invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
