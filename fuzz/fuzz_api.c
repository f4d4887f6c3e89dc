/*
 * libFuzzer harness for the control plane through its public API: the
 * bytes choose a sequence of at most MAX_STEPS actions from a fixed
 * vocabulary (clusters, container instances joining with random resources,
 * zones and attributes, draining and leaving, attributes, task definitions
 * of every network mode, subnets, RunTask and StartTask with random counts,
 * strategies, constraints and launch types, the list and describe calls,
 * Fargate capacity, the clock, services created, updated, deleted and
 * described, agent reports (SubmitTaskStateChange with any status,
 * SubmitContainerStateChange, SubmitContainerHealth), StopTask, scale-in
 * protection, ecs_plane_step over seconds to hours, and garbage requests),
 * each action reading its parameters from the following bytes (a byte past
 * the end reads 0). The top bit of the last byte chooses the agent mode:
 * set, the plane runs simulated agents (ECS_PLANE_F_SIMULATED_AGENTS);
 * clear, tasks move only by the reports the bytes make.
 *
 * After every call the state is checked through the public API only
 * (ecs_plane_dump() parsed with ecs_json, and the typed readers); any
 * violation aborts:
 *  - a failing call, and any call of a read-only action, leaves the dump
 *    byte-identical; a failure carries an ECS error code, its document
 *    names that code, and it is never ServerException (nothing runs out of
 *    memory here) nor ECS_E_INTERNAL; every answer is a JSON object;
 *  - no instance has negative remaining CPU or memory, and each instance's
 *    remaining CPU and memory equal what it registered minus the sum of
 *    the CPU and memory of the live tasks on it;
 *  - counts agree with the tasks, as a snapshot restore derives them: an
 *    instance's runningTasksCount is the number of live tasks on it whose
 *    desired status is RUNNING and its pendingTasksCount those whose last
 *    status is PENDING; a cluster's runningTasksCount and pendingTasksCount
 *    count its tasks whose last status is RUNNING and PENDING;
 *  - no two live bridge or host tasks on one instance hold the same host
 *    port (per protocol), none holds a port the instance reserved, and
 *    every host port is in 1..65535;
 *  - a cluster's registeredContainerInstancesCount is the number of its
 *    ACTIVE and DRAINING instances; an INACTIVE cluster has no registered
 *    instance and no live task; the typed readers agree with the dump;
 *  - task ARNs are unique, an EC2 task names an instance of its own
 *    cluster and a Fargate task none, and every task's definition revision
 *    is still in the dump (a held revision is never purged);
 *  - RunTask and StartTask add exactly the tasks they answer with;
 *  - a live EC2 task sits on an ACTIVE or DRAINING instance;
 *  - each service's runningCount and pendingCount (DescribeServices) count
 *    the tasks of group "service:NAME" whose lastStatus is RUNNING and
 *    PENDING;
 *  - from one dump to the next, no task's lastStatus moves backwards and
 *    no desiredStatus goes from STOPPED back to RUNNING.
 * Each input gets a fresh context and a plane with a fixed seed; all is
 * freed. Dictionary: fuzz/dict/api.dict (the first bytes of useful
 * actions). lib/json carries no coverage instrumentation in this harness
 * (fuzz/api_coverage.ignore; the sanitizers still check it): writing and
 * parsing the dump after every call took ~60% of the time in comparison
 * tracing and gave most of the features, none about the control plane.
 * Input beyond MAX_STEPS actions is unused: -max_len=512 suits long runs.
 * Build with -DFUZZ_API_TRACE to print every call of a reproducer.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 48
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void check_at(bool ok, const char *what, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_api: invariant violated at line %d: %s\n", line, what);
        abort();
    }
}
#define check(x) check_at((x), #x, __LINE__)

/* ------------------------------------------------------------------------ */
/* Input bytes                                                               */

typedef struct rd {
    const uint8_t *p;
    size_t n, i;
} rd;

static uint8_t u8(rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static size_t pick(rd *r, size_t n)
{
    return (size_t)u8(r) % n;
}

/* ------------------------------------------------------------------------ */
/* Vocabulary                                                                */

static const char *const k_clusters[] = { "default", "c1", "c2" };
static const char *const k_zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const char *const k_types[] = { "t3.micro", "m5.large", "c5.xlarge", "m5.4xlarge", "x1" };
static const int k_cpus[] = { 256, 1024, 2048, 4096, 10240, 128 };
static const int k_mems[] = { 512, 1024, 3800, 7680, 16000, 100 };
static const char *const k_attr_names[] = { "stack", "tier", "color" };
static const char *const k_attr_values[] = { "prod", "dev", "blue", "" };
static const char *const k_kinds[] = { "fb", "fs", "fh", "fv", "ff" };
static const int k_td_cpus[] = { 0, 64, 128, 512, 1024, 4096 };
static const int k_td_mems[] = { 0, 128, 256, 512, 2048, 8192 };
static const int k_static_ports[] = { 80, 8080, 22, 443 };
static const char *const k_fargate_sizes[][2] = {
    { "256", "512" }, { "512", "1024" }, { "1024", "2048" }, { "256", "4096" }, { ".25 vcpu", "1 GB" },
};
static const char *const k_subnets[] = { "subnet-a", "subnet-b", "subnet-c", "subnet-d" };
static const char *const k_strategies[] = {
    "{\"type\":\"random\"}",
    "{\"type\":\"spread\",\"field\":\"instanceId\"}",
    "{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}",
    "{\"type\":\"binpack\",\"field\":\"cpu\"}",
    "{\"type\":\"binpack\",\"field\":\"memory\"}",
    "{\"type\":\"spread\",\"field\":\"host\"}",
    "{\"type\":\"spread\",\"field\":\"attribute:stack\"}",
    "{\"type\":\"binpack\",\"field\":\"disk\"}",
};
static const char *const k_expressions[] = {
    "attribute:ecs.availability-zone == us-east-1a",
    "attribute:stack == prod",
    "runningTasksCount < 3",
    "ec2InstanceId in [i-01, i-02, i-03]",
    "task:group == family:fb",
    "attribute:ecs.instance-type =~ m5.*",
    "agentConnected == true",
    "not(task:group == family:fs)",
    "attribute:color exists",
    "attribute:ecs.availability-zone != us-east-1b and runningTasksCount >= 1",
    "attribute:",
};
static const char *const k_garbage_actions[] = {
    "CreateCluster", "DescribeClusters", "RunTask", "RegisterContainerInstance",
    "RegisterTaskDefinition", "PutAttributes", "ListAttributes", "StartTask",
    "DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies",
    "RegisterSubnets", "SetFargateCapacity", "UpdateContainerInstancesState",
    "DeleteTaskDefinitions", "NoSuchAction", "CreateService", "UpdateService", "DeleteService",
    "SubmitTaskStateChange", "SubmitContainerStateChange", "SubmitContainerHealth", "StopTask",
    "UpdateTaskProtection", "GetTaskProtection", "DescribeServices",
};
static const char *const k_services[] = { "s0", "s1", "d0" };
static const char *const k_statuses[] = { "PROVISIONING", "PENDING",  "ACTIVATING",     "RUNNING",
                                          "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED" };

/* Actions that never change the state. */
static const char *const k_readonly[] = {
    "DescribeClusters", "ListClusters", "DescribeContainerInstances", "ListContainerInstances",
    "ListAttributes", "DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies",
    "DescribeTasks", "ListTasks", "DescribeServices", "ListServices", "GetTaskProtection",
};

/* ------------------------------------------------------------------------ */
/* Harness state                                                             */

typedef struct hx {
    ecs_ctx *ctx;
    ecs_plane *pl;
    char req[16384];
    size_t len;
    char *cur; /* the dump after the last change (malloc'd) */
    size_t cur_len;
    ecs_json_doc *dump; /* cur, parsed */
    size_t ntasks;      /* tasks in cur */
    ecs_json_doc *old;  /* the dump before the last change, parsed (or NULL) */
    bool sim;           /* simulated agents */
} hx;

static void reset(hx *h)
{
    h->len = 0;
    h->req[0] = '\0';
}

static void add(hx *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(hx *h, const char *fmt, ...)
{
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(h->req + h->len, sizeof h->req - h->len, fmt, ap);
    va_end(ap);
    check(k >= 0 && (size_t)k < sizeof h->req - h->len);
    h->len += (size_t)k;
}

/* ------------------------------------------------------------------------ */
/* Reading the dump                                                          */

static const ecs_json_val *get(const ecs_json_doc *d, const ecs_json_val *o, const char *k)
{
    return ecs_json_obj_get(d, o, k, strlen(k));
}

static const char *sget(const ecs_json_doc *d, const ecs_json_val *o, const char *k)
{
    return ecs_json_str(d, get(d, o, k), NULL);
}

static int64_t iget(const ecs_json_doc *d, const ecs_json_val *o, const char *k)
{
    int64_t v = 0;
    check(ecs_json_get_int(get(d, o, k), &v) == ECS_OK);
    return v;
}

static bool streq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* integerValue of resource `name` in a resources array */
static int64_t resource(const ecs_json_doc *d, const ecs_json_val *arr, const char *name)
{
    for (const ecs_json_val *r = ecs_json_first(arr); r != NULL; r = ecs_json_next(arr, r))
        if (streq(sget(d, r, "name"), name))
            return iget(d, r, "integerValue");
    check_at(false, "resource missing", __LINE__);
    return 0;
}

static bool set_has(const ecs_json_doc *d, const ecs_json_val *arr, const char *name, long port)
{
    for (const ecs_json_val *r = ecs_json_first(arr); r != NULL; r = ecs_json_next(arr, r)) {
        if (!streq(sget(d, r, "name"), name))
            continue;
        const ecs_json_val *set = get(d, r, "stringSetValue");
        for (const ecs_json_val *s = ecs_json_first(set); s != NULL; s = ecs_json_next(set, s)) {
            const char *t = ecs_json_str(d, s, NULL);
            if (t != NULL && strtol(t, NULL, 10) == port)
                return true;
        }
    }
    return false;
}

static bool live(const ecs_json_doc *d, const ecs_json_val *t)
{
    return !streq(sget(d, t, "lastStatus"), "STOPPED");
}

static int64_t num_str(const ecs_json_doc *d, const ecs_json_val *o, const char *k)
{
    const char *s = sget(d, o, k);
    char *end;
    long long v;
    check(s != NULL && s[0] >= '0' && s[0] <= '9');
    v = strtoll(s, &end, 10);
    check(*end == '\0');
    return v;
}

typedef struct port_use {
    long port;
    bool udp;
} port_use;

static bool revision_exists(const ecs_json_doc *d, const ecs_json_val *fams, const char *arn)
{
    for (const ecs_json_val *f = ecs_json_first(fams); f != NULL; f = ecs_json_next(fams, f)) {
        const ecs_json_val *revs = get(d, f, "revisions");
        for (const ecs_json_val *r = ecs_json_first(revs); r != NULL; r = ecs_json_next(revs, r))
            if (streq(sget(d, get(d, r, "taskDefinition"), "taskDefinitionArn"), arn))
                return true;
    }
    return false;
}

static void check_instance(hx *h, size_t ci, size_t ii, const ecs_json_val *inst,
                           const ecs_json_val *tasks)
{
    const ecs_json_doc *d = h->dump;
    const char *arn = sget(d, inst, "containerInstanceArn");
    const ecs_json_val *rem = get(d, inst, "remainingResources");
    const ecs_json_val *reg = get(d, inst, "registeredResources");
    int64_t cpu = 0, mem = 0, want_running = 0, want_pending = 0;
    port_use ports[1024];
    size_t nports = 0;
    ecs_instance_info info;

    check(arn != NULL);
    for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
        const ecs_json_val *cs = get(d, t, "containers");
        if (!streq(sget(d, t, "containerInstanceArn"), arn) || !live(d, t))
            continue;
        cpu += num_str(d, t, "cpu");
        mem += num_str(d, t, "memory");
        want_running += streq(sget(d, t, "desiredStatus"), "RUNNING");
        want_pending += streq(sget(d, t, "lastStatus"), "PENDING");
        if (ecs_json_len(get(d, t, "attachments")) > 0)
            continue; /* awsvpc: its own ENI, its own ports */
        for (const ecs_json_val *c = ecs_json_first(cs); c != NULL; c = ecs_json_next(cs, c)) {
            const ecs_json_val *bs = get(d, c, "networkBindings");
            for (const ecs_json_val *b = ecs_json_first(bs); b != NULL; b = ecs_json_next(bs, b)) {
                long port = (long)iget(d, b, "hostPort");
                bool udp = streq(sget(d, b, "protocol"), "udp");
                check(port >= 1 && port <= 65535);
                check(!set_has(d, reg, udp ? "PORTS_UDP" : "PORTS", port));
                for (size_t k = 0; k < nports; k++)
                    check(ports[k].port != port || ports[k].udp != udp);
                check(nports < ARRAY_LEN(ports));
                ports[nports].port = port;
                ports[nports].udp = udp;
                nports++;
            }
        }
    }
    check(resource(d, rem, "CPU") >= 0);
    check(resource(d, rem, "MEMORY") >= 0);
    check(resource(d, rem, "CPU") == resource(d, reg, "CPU") - cpu);
    check(resource(d, rem, "MEMORY") == resource(d, reg, "MEMORY") - mem);
    check(iget(d, inst, "runningTasksCount") == want_running);
    check(iget(d, inst, "pendingTasksCount") == want_pending);
    /* the typed reader sees the same instance */
    check(ecs_plane_instance_info(h->pl, ci, ii, &info) == ECS_OK);
    check(streq(info.arn, arn));
    check(streq(info.status, sget(d, inst, "status")));
    check(info.cpu_remaining == resource(d, rem, "CPU"));
    check(info.memory_remaining == resource(d, rem, "MEMORY"));
    check(info.cpu_registered == resource(d, reg, "CPU"));
    check(info.memory_registered == resource(d, reg, "MEMORY"));
}

static int status_rank(const char *st)
{
    for (int i = 0; st != NULL && i < (int)ARRAY_LEN(k_statuses); i++)
        if (strcmp(st, k_statuses[i]) == 0)
            return i;
    return -1;
}

/* Between the last dump and this one, no task's lastStatus moved back and
 * no desiredStatus went from STOPPED back to RUNNING. */
static void check_history(hx *h)
{
    const ecs_json_doc *d = h->dump, *o = h->old;
    const ecs_json_val *clusters = get(d, ecs_json_root(d), "clusters");
    const ecs_json_val *oclusters;
    if (o == NULL)
        return;
    oclusters = get(o, ecs_json_root(o), "clusters");
    for (const ecs_json_val *e = ecs_json_first(clusters); e != NULL; e = ecs_json_next(clusters, e)) {
        const ecs_json_val *tasks = get(d, e, "tasks");
        const char *carn = sget(d, get(d, e, "cluster"), "clusterArn");
        const ecs_json_val *otasks = NULL;
        for (const ecs_json_val *oe = ecs_json_first(oclusters); oe != NULL; oe = ecs_json_next(oclusters, oe))
            if (streq(sget(o, get(o, oe, "cluster"), "clusterArn"), carn))
                otasks = get(o, oe, "tasks");
        for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
            const char *arn = sget(d, t, "taskArn");
            int rank = status_rank(sget(d, t, "lastStatus"));
            check(rank >= 0);
            check(streq(sget(d, t, "desiredStatus"), "RUNNING") || streq(sget(d, t, "desiredStatus"), "STOPPED"));
            for (const ecs_json_val *u = ecs_json_first(otasks); u != NULL; u = ecs_json_next(otasks, u)) {
                if (!streq(sget(o, u, "taskArn"), arn))
                    continue;
                check(rank >= status_rank(sget(o, u, "lastStatus")));
                check(!(streq(sget(o, u, "desiredStatus"), "STOPPED") &&
                        streq(sget(d, t, "desiredStatus"), "RUNNING")));
            }
        }
    }
}

/* One service against the tasks of its group "service:NAME". */
static void check_service(const ecs_json_doc *sd, const ecs_json_val *s, const ecs_json_doc *d,
                          const ecs_json_val *tasks)
{
    const char *name = sget(sd, s, "serviceName");
    char group[300];
    int64_t running = 0, pending = 0;
    check(name != NULL);
    snprintf(group, sizeof group, "service:%s", name);
    for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
        if (!streq(sget(d, t, "group"), group))
            continue;
        running += streq(sget(d, t, "lastStatus"), "RUNNING");
        pending += streq(sget(d, t, "lastStatus"), "PENDING");
    }
    check(iget(sd, s, "runningCount") == running);
    check(iget(sd, s, "pendingCount") == pending);
}

/* Every service the harness may have made in an ACTIVE cluster, described
 * (DescribeServices does not change the plane; the dump is a copy). */
static void check_services(hx *h, const char *cname, const ecs_json_val *tasks)
{
    char req[256];
    const char *out = NULL;
    size_t ol = 0;
    ecs_json_doc *sd = NULL;
    const ecs_json_val *svcs;
    int k = snprintf(req, sizeof req, "{\"cluster\":\"%s\",\"services\":[\"s0\",\"s1\",\"d0\"]}", cname);
    check(ecs_plane_call(h->pl, "DescribeServices", 16, req, (size_t)k, &out, &ol) == ECS_OK);
    check(ecs_json_parse(h->ctx, out, ol, NULL, &sd) == ECS_OK);
    svcs = get(sd, ecs_json_root(sd), "services");
    for (const ecs_json_val *s = ecs_json_first(svcs); s != NULL; s = ecs_json_next(svcs, s))
        check_service(sd, s, h->dump, tasks);
    ecs_json_doc_free(sd);
}

/* Every invariant of the dump in h->dump. */
static void check_dump(hx *h)
{
    const ecs_json_doc *d = h->dump;
    const ecs_json_val *root = ecs_json_root(d);
    const ecs_json_val *clusters = get(d, root, "clusters");
    const ecs_json_val *fams = get(d, root, "taskDefinitionFamilies");
    size_t ci = 0, ntasks = 0;

    check(ecs_json_type_of(clusters) == ECS_JSON_ARRAY);
    check(ecs_json_len(clusters) == ecs_plane_cluster_count(h->pl));
    for (const ecs_json_val *e = ecs_json_first(clusters); e != NULL; e = ecs_json_next(clusters, e), ci++) {
        const ecs_json_val *c = get(d, e, "cluster");
        const ecs_json_val *insts = get(d, e, "containerInstances");
        const ecs_json_val *tasks = get(d, e, "tasks");
        const char *carn = sget(d, c, "clusterArn");
        bool active = streq(sget(d, c, "status"), "ACTIVE");
        int64_t registered = 0, live_tasks = 0, running = 0, pending = 0;
        size_t ii = 0;
        ecs_cluster_info info;

        check(ecs_json_len(insts) == ecs_plane_instance_count(h->pl, ci));
        for (const ecs_json_val *in = ecs_json_first(insts); in != NULL; in = ecs_json_next(insts, in), ii++) {
            const char *st = sget(d, in, "status");
            check(streq(st, "ACTIVE") || streq(st, "DRAINING") || streq(st, "INACTIVE"));
            registered += !streq(st, "INACTIVE");
            check_instance(h, ci, ii, in, tasks);
        }
        check(iget(d, c, "registeredContainerInstancesCount") == registered);
        check(ecs_plane_cluster_info(h->pl, ci, &info) == ECS_OK);
        check(info.registered_instances == registered);
        check(streq(info.arn, carn) && streq(info.status, sget(d, c, "status")));
        for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
            const char *iarn = sget(d, t, "containerInstanceArn");
            const char *lt = sget(d, t, "launchType");
            const char *tarn = sget(d, t, "taskArn");
            ntasks++;
            live_tasks += live(d, t);
            running += streq(sget(d, t, "lastStatus"), "RUNNING");
            pending += streq(sget(d, t, "lastStatus"), "PENDING");
            check(streq(sget(d, t, "clusterArn"), carn));
            check(tarn != NULL);
            check(revision_exists(d, fams, sget(d, t, "taskDefinitionArn")));
            if (streq(lt, "FARGATE")) {
                check(iarn == NULL);
            } else {
                bool found = false;
                const char *ist = NULL;
                check(iarn != NULL);
                for (const ecs_json_val *in = ecs_json_first(insts); in != NULL; in = ecs_json_next(insts, in)) {
                    if (streq(sget(d, in, "containerInstanceArn"), iarn)) {
                        found = true;
                        ist = sget(d, in, "status");
                    }
                }
                check(found);
                /* a live task sits on an ACTIVE or DRAINING instance */
                check(!live(d, t) || streq(ist, "ACTIVE") || streq(ist, "DRAINING"));
            }
            /* unique ARNs across the whole plane */
            for (const ecs_json_val *e2 = ecs_json_first(clusters); e2 != NULL; e2 = ecs_json_next(clusters, e2)) {
                const ecs_json_val *ts = get(d, e2, "tasks");
                size_t same = 0;
                for (const ecs_json_val *u = ecs_json_first(ts); u != NULL; u = ecs_json_next(ts, u))
                    same += streq(sget(d, u, "taskArn"), tarn);
                check(same == (e2 == e ? 1u : 0u));
            }
        }
        check(iget(d, c, "runningTasksCount") == running && info.running_tasks == running);
        check(iget(d, c, "pendingTasksCount") == pending && info.pending_tasks == pending);
        if (!active) {
            check(registered == 0);
            check(live_tasks == 0);
        } else {
            check_services(h, sget(d, c, "clusterName"), tasks);
        }
    }
    h->ntasks = ntasks;
    check_history(h);
}

/* ------------------------------------------------------------------------ */
/* Calls                                                                     */

static bool readonly(const char *action)
{
    for (size_t i = 0; i < ARRAY_LEN(k_readonly); i++)
        if (strcmp(k_readonly[i], action) == 0)
            return true;
    return false;
}

/* After anything that may have changed the plane: compare the dump with
 * the last one; when it changed (and may), check every invariant. */
static void after(hx *h, bool may_change)
{
    const char *d;
    size_t dl;
    check(ecs_plane_dump(h->pl, &d, &dl) == ECS_OK);
    if (dl == h->cur_len && memcmp(d, h->cur, dl) == 0)
        return;
    check(may_change);
    free(h->cur);
    h->cur = malloc(dl + 1);
    check(h->cur != NULL);
    memcpy(h->cur, d, dl + 1);
    h->cur_len = dl;
    ecs_json_doc_free(h->old);
    h->old = h->dump;
    h->dump = NULL;
    check(ecs_json_parse(h->ctx, h->cur, h->cur_len, NULL, &h->dump) == ECS_OK);
    check_dump(h);
}

/* Run h->req as `action`; check the answer and the state. Returns the
 * number of tasks the answer lists on success, or -1 on failure. */
static long call(hx *h, const char *action)
{
    const char *out = NULL;
    size_t out_len = 0, before_tasks = h->ntasks;
    ecs_json_doc *ans = NULL;
    long listed = 0;
    ecs_status rc = ecs_plane_call(h->pl, action, strlen(action), h->req, h->len, &out, &out_len);

    check(rc != ECS_E_INTERNAL && rc != ECS_E_NOMEM);
    check(out != NULL);
    check(ecs_json_parse(h->ctx, out, out_len, NULL, &ans) == ECS_OK);
    check(ecs_json_type_of(ecs_json_root(ans)) == ECS_JSON_OBJECT);
    if (rc == ECS_OK) {
        check(ecs_plane_error_code(h->pl)[0] == '\0');
        listed = (long)ecs_json_len(get(ans, ecs_json_root(ans), "tasks"));
    } else {
        check(rc < 0);
        check(ecs_plane_error_code(h->pl)[0] != '\0');
        check(strcmp(ecs_plane_error_code(h->pl), "ServerException") != 0);
        check(streq(sget(ans, ecs_json_root(ans), "__type"), ecs_plane_error_code(h->pl)));
        listed = -1;
    }
#ifdef FUZZ_API_TRACE /* -DFUZZ_API_TRACE: print each call, for reading a reproducer */
    fprintf(stderr, "%s %.*s -> %s %s\n", action, (int)h->len, h->req,
            rc == ECS_OK ? "OK" : ecs_plane_error_code(h->pl), rc == ECS_OK ? out : ecs_ctx_errmsg(h->ctx));
#endif
    ecs_json_doc_free(ans);
    after(h, rc == ECS_OK && !readonly(action));
    if (rc == ECS_OK && (strcmp(action, "RunTask") == 0 || strcmp(action, "StartTask") == 0))
        check(h->ntasks == before_tasks + (size_t)listed);
    return listed;
}

/* ------------------------------------------------------------------------ */
/* Picking references                                                        */

static const char *cluster_name(rd *r)
{
    return k_clusters[pick(r, ARRAY_LEN(k_clusters))];
}

/* An instance of `cluster` by id or ARN (typed readers), or an unknown id. */
static void instance_ref(hx *h, rd *r, const char *cluster, char *buf, size_t cap)
{
    size_t ci, n;
    uint8_t b = u8(r);
    ecs_instance_info info;
    if (ecs_plane_find_cluster(h->pl, cluster, strlen(cluster), &ci) != ECS_OK ||
        (n = ecs_plane_instance_count(h->pl, ci)) == 0 || (b >> 1) % (n + 1) == n ||
        ecs_plane_instance_info(h->pl, ci, (b >> 1) % (n + 1), &info) != ECS_OK) {
        snprintf(buf, cap, "feedfacefeedfacefeedfacefeedface");
        return;
    }
    snprintf(buf, cap, "%s", (b & 1) ? info.arn : info.id);
}

/* A task ARN of the cluster from the last dump, or an unknown one. */
static const char *task_ref(hx *h, rd *r, const char *cluster)
{
    const ecs_json_doc *d = h->dump;
    const ecs_json_val *clusters = get(d, ecs_json_root(d), "clusters");
    uint8_t b = u8(r);
    for (const ecs_json_val *e = ecs_json_first(clusters); e != NULL; e = ecs_json_next(clusters, e)) {
        const ecs_json_val *tasks = get(d, e, "tasks");
        size_t n = ecs_json_len(tasks);
        if (!streq(sget(d, get(d, e, "cluster"), "clusterName"), cluster) || n == 0 || b % (n + 1) == n)
            continue;
        return sget(d, ecs_json_arr_get(tasks, b % (n + 1)), "taskArn");
    }
    return "0123456789abcdef0123456789abcdef";
}

/* "family" or "family:revision" */
static void taskdef_ref(rd *r, char *buf, size_t cap)
{
    uint8_t b = u8(r);
    const char *kind = k_kinds[(b & 7u) % ARRAY_LEN(k_kinds)];
    unsigned variant = (b >> 3) & 1, rev = (b >> 4) & 3;
    if (rev == 0)
        snprintf(buf, cap, "%s%u", kind, variant);
    else
        snprintf(buf, cap, "%s%u:%u", kind, variant, rev);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                   */

static void create_cluster(hx *h, rd *r)
{
    size_t k = pick(r, ARRAY_LEN(k_clusters));
    reset(h);
    if (k != 0)
        add(h, "{\"clusterName\":\"%s\"}", k_clusters[k]);
    call(h, "CreateCluster");
}

static void delete_cluster(hx *h, rd *r)
{
    reset(h);
    add(h, "{\"cluster\":\"%s\"}", cluster_name(r));
    call(h, "DeleteCluster");
}

static void register_instance(hx *h, rd *r)
{
    uint8_t a = u8(r), b = u8(r), c = u8(r), e = u8(r);
    int cpu = (c & 7) == 7 ? (int)u8(r) * 64 : k_cpus[(c & 7) % ARRAY_LEN(k_cpus)];
    int mem = ((c >> 3) & 7) == 7 ? (int)u8(r) * 64 : k_mems[((c >> 3) & 7) % ARRAY_LEN(k_mems)];
    reset(h);
    add(h, "{\"cluster\":\"%s\"", k_clusters[(a & 3u) % ARRAY_LEN(k_clusters)]);
    if (!(e & 0x80))
        add(h, ",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-%02x\\\","
               "\\\"availabilityZone\\\":\\\"%s\\\",\\\"instanceType\\\":\\\"%s\\\"}\"",
            b & 15u, k_zones[((b >> 4) & 3u) % ARRAY_LEN(k_zones)], k_types[((a >> 2) & 7u) % ARRAY_LEN(k_types)]);
    add(h, ",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":%d},"
           "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":%d}",
        cpu, mem);
    if (e & 0x40)
        add(h, ",{\"name\":\"PORTS\",\"type\":\"STRINGSET\",\"stringSetValue\":[\"22\",\"80\"]}");
    if (e & 0x20)
        add(h, ",{\"name\":\"PORTS_UDP\",\"type\":\"STRINGSET\",\"stringSetValue\":[\"80\"]}");
    add(h, "]");
    if (e & 0x1f) {
        bool first = true;
        add(h, ",\"attributes\":[");
        for (size_t i = 0; i < ARRAY_LEN(k_attr_names); i++) {
            if (!(e & (1u << i)))
                continue;
            add(h, "%s{\"name\":\"%s\",\"value\":\"%s\"}", first ? "" : ",", k_attr_names[i],
                k_attr_values[(e >> 3) % 3]);
            first = false;
        }
        if (e & 0x10) /* an old agent: only this capability */
            add(h, "%s{\"name\":\"com.amazonaws.ecs.capability.docker-remote-api.1.17\"}",
                first ? "" : ",");
        add(h, "]");
    }
    add(h, "}");
    call(h, "RegisterContainerInstance");
}

static void deregister_instance(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char ref[256];
    uint8_t f = u8(r);
    instance_ref(h, r, c, ref, sizeof ref);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"containerInstance\":\"%s\"%s}", c, ref,
        (f & 1) ? ",\"force\":true" : "");
    call(h, "DeregisterContainerInstance");
}

static void update_state(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char a[256], b[256];
    uint8_t f = u8(r);
    instance_ref(h, r, c, a, sizeof a);
    instance_ref(h, r, c, b, sizeof b);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"containerInstances\":[\"%s\"", c, a);
    if (f & 2)
        add(h, ",\"%s\"", b);
    add(h, "],\"status\":\"%s\"}", (f & 1) ? "DRAINING" : "ACTIVE");
    call(h, "UpdateContainerInstancesState");
}

static void put_or_delete_attributes(hx *h, rd *r, bool put)
{
    const char *c = cluster_name(r);
    char ref[256];
    uint8_t f = u8(r);
    instance_ref(h, r, c, ref, sizeof ref);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"attributes\":[{\"name\":\"%s\"", c,
        (f & 3) == 3 ? "ecs.availability-zone" : k_attr_names[f & 3]);
    if (put && k_attr_values[(f >> 2) & 3][0] != '\0')
        add(h, ",\"value\":\"%s\"", k_attr_values[(f >> 2) & 3]);
    if (strlen(ref) < 64) /* a short id needs its type */
        add(h, ",\"targetType\":\"container-instance\"");
    add(h, ",\"targetId\":\"%s\"}]}", ref);
    call(h, put ? "PutAttributes" : "DeleteAttributes");
}

static void container(hx *h, rd *r, const char *kind, const char *name)
{
    uint8_t a = u8(r), b = u8(r);
    int cpu = k_td_cpus[(a & 7u) % ARRAY_LEN(k_td_cpus)];
    int mem = k_td_mems[((a >> 3) & 7u) % ARRAY_LEN(k_td_mems)];
    add(h, "{\"name\":\"%s\",\"image\":\"nginx\"", name);
    if (cpu > 0)
        add(h, ",\"cpu\":%d", cpu);
    if (mem > 0)
        add(h, (a & 0x40) ? ",\"memoryReservation\":%d" : ",\"memory\":%d", mem);
    if (kind[1] == 's' || kind[1] == 'h' || (b & 1)) {
        int port = k_static_ports[(b >> 1) % ARRAY_LEN(k_static_ports)];
        const char *proto = (b & 0x10) ? ",\"protocol\":\"udp\"" : "";
        if (kind[1] == 's')
            add(h, ",\"portMappings\":[{\"containerPort\":%d,\"hostPort\":%d%s}]", 8000 + (b >> 5), port,
                proto);
        else /* host and awsvpc: the container port; bridge: a dynamic one */
            add(h, ",\"portMappings\":[{\"containerPort\":%d%s}]", port, proto);
    }
    add(h, "}");
}

static void register_taskdef(hx *h, rd *r)
{
    uint8_t a = u8(r);
    const char *kind = k_kinds[(a & 7u) % ARRAY_LEN(k_kinds)];
    unsigned variant = (a >> 3) & 1;
    reset(h);
    add(h, "{\"family\":\"%s%u\"", kind, variant);
    switch (kind[1]) {
    case 'h': add(h, ",\"networkMode\":\"host\""); break;
    case 'v': add(h, ",\"networkMode\":\"awsvpc\""); break;
    case 'f': {
        const char *const *sz = k_fargate_sizes[pick(r, ARRAY_LEN(k_fargate_sizes))];
        add(h, ",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
               "\"cpu\":\"%s\",\"memory\":\"%s\"",
            sz[0], sz[1]);
        break;
    }
    default:
        if (a & 0x80)
            add(h, ",\"networkMode\":\"bridge\"");
        break;
    }
    add(h, ",\"containerDefinitions\":[");
    container(h, r, kind, "app");
    if (a & 0x40) {
        add(h, ",");
        container(h, r, kind, "side");
    }
    add(h, "]");
    if (a & 0x20)
        add(h, ",\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"%s\"}]",
            k_expressions[pick(r, ARRAY_LEN(k_expressions))]);
    add(h, "}");
    call(h, "RegisterTaskDefinition");
}

static void deregister_taskdef(hx *h, rd *r, bool del)
{
    char ref[64];
    taskdef_ref(r, ref, sizeof ref);
    reset(h);
    if (del)
        add(h, "{\"taskDefinitions\":[\"%s\"]}", ref);
    else
        add(h, "{\"taskDefinition\":\"%s\"}", ref);
    call(h, del ? "DeleteTaskDefinitions" : "DeregisterTaskDefinition");
}

static void register_subnets(hx *h, rd *r)
{
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"subnets\":[{\"subnetId\":\"%s\",\"availabilityZone\":\"%s\"}",
        k_subnets[a & 3], k_zones[((a >> 2) & 3) % ARRAY_LEN(k_zones)]);
    if (a & 0x10)
        add(h, ",{\"subnetId\":\"%s\",\"availabilityZone\":\"%s\"}", k_subnets[(a >> 5) & 3],
            k_zones[(a >> 7) % ARRAY_LEN(k_zones)]);
    add(h, "]}");
    call(h, "RegisterSubnets");
}

static void run_task(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char td[64];
    uint8_t a = u8(r), b = u8(r), s = u8(r);
    size_t nstrat = s & 3, ncons = (s >> 2) & 3;
    taskdef_ref(r, td, sizeof td);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"taskDefinition\":\"%s\",\"count\":%u", c, td, (unsigned)((a & 15u) % 12u));
    if (((a >> 4) & 3u) % 3u == 1)
        add(h, ",\"launchType\":\"EC2\"");
    else if (((a >> 4) & 3u) % 3u == 2)
        add(h, ",\"launchType\":\"FARGATE\"");
    if (a & 0x80)
        add(h, ",\"group\":\"g%u\"", (unsigned)(b & 1));
    if (nstrat > 0) {
        add(h, ",\"placementStrategy\":[");
        for (size_t i = 0; i < nstrat; i++)
            add(h, "%s%s", i ? "," : "", k_strategies[pick(r, ARRAY_LEN(k_strategies))]);
        add(h, "]");
    }
    if (ncons > 0) {
        add(h, ",\"placementConstraints\":[");
        for (size_t i = 0; i < ncons; i++) {
            size_t k = pick(r, ARRAY_LEN(k_expressions) + 1);
            if (k == ARRAY_LEN(k_expressions))
                add(h, "%s{\"type\":\"distinctInstance\"}", i ? "," : "");
            else
                add(h, "%s{\"type\":\"memberOf\",\"expression\":\"%s\"}", i ? "," : "", k_expressions[k]);
        }
        add(h, "]");
    }
    if (b & 2) {
        add(h, ",\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"%s\"",
            k_subnets[(b >> 2) & 3]);
        if (b & 0x10)
            add(h, ",\"%s\"", k_subnets[(b >> 5) & 3]);
        add(h, "]%s}}", (b & 0x80) ? ",\"assignPublicIp\":\"ENABLED\"" : "");
    }
    add(h, "}");
    call(h, "RunTask");
}

static void start_task(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char td[64], ref[256];
    uint8_t a = u8(r);
    size_t n = 1u + (size_t)(a & 3u) % 3u;
    taskdef_ref(r, td, sizeof td);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"taskDefinition\":\"%s\",\"containerInstances\":[", c, td);
    for (size_t i = 0; i < n; i++) {
        instance_ref(h, r, c, ref, sizeof ref);
        add(h, "%s\"%s\"", i ? "," : "", ref);
    }
    add(h, "]");
    if (a & 4)
        add(h, ",\"group\":\"g1\"");
    if (a & 8)
        add(h, ",\"startedBy\":\"fuzz\"");
    if (a & 16) {
        add(h, ",\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"%s\"]}}",
            k_subnets[(a >> 5) & 3]);
    }
    add(h, "}");
    call(h, "StartTask");
}

static void list_tasks(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char ref[256];
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"cluster\":\"%s\"", c);
    if (a & 1) {
        instance_ref(h, r, c, ref, sizeof ref);
        add(h, ",\"containerInstance\":\"%s\"", ref);
    }
    if (a & 2)
        add(h, ",\"family\":\"%s0\"", k_kinds[(a >> 4) % ARRAY_LEN(k_kinds)]);
    if (a & 4)
        add(h, ",\"desiredStatus\":\"%s\"", (a & 8) ? "STOPPED" : "RUNNING");
    if (a & 0x80)
        add(h, ",\"maxResults\":2");
    add(h, "}");
    call(h, "ListTasks");
}

static void describe_tasks(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    uint8_t a = u8(r);
    size_t n = 1u + (size_t)(a & 3u) % 3u;
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"tasks\":[", c);
    for (size_t i = 0; i < n; i++)
        add(h, "%s\"%s\"", i ? "," : "", task_ref(h, r, c));
    add(h, "]%s}", (a & 4) ? ",\"include\":[\"TAGS\"]" : "");
    call(h, "DescribeTasks");
}

static void list_instances(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"cluster\":\"%s\"", c);
    if (a & 1)
        add(h, ",\"filter\":\"%s\"", k_expressions[(a >> 3) % ARRAY_LEN(k_expressions)]);
    if (a & 2)
        add(h, ",\"status\":\"%s\"", (a & 4) ? "DRAINING" : "ACTIVE");
    add(h, "}");
    call(h, "ListContainerInstances");
}

static void describe_instances(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char ref[256];
    instance_ref(h, r, c, ref, sizeof ref);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"containerInstances\":[\"%s\"],\"include\":[\"TAGS\"]}", c, ref);
    call(h, "DescribeContainerInstances");
}

static void describe_clusters(hx *h, rd *r)
{
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"clusters\":[\"%s\"],\"include\":[\"STATISTICS\",\"TAGS\"]}",
        k_clusters[(a & 3u) % ARRAY_LEN(k_clusters)]);
    call(h, (a & 0x80) ? "ListClusters" : "DescribeClusters");
}

static void advance_time(hx *h, rd *r)
{
    uint8_t a = u8(r);
    int64_t now = ecs_plane_now_ms(h->pl);
    if (a == 0xff) {
        check(ecs_plane_set_time(h->pl, now - 1) == ECS_E_INVALID_ARG);
        after(h, false);
        return;
    }
    {
        ecs_status rc = ecs_plane_set_time(h->pl, now + (int64_t)a * 60000);
#ifdef FUZZ_API_TRACE
        fprintf(stderr, "set_time +%d min -> %d %s\n", a, (int)rc, rc == ECS_OK ? "" : ecs_ctx_errmsg(h->ctx));
#endif
        check(rc == ECS_OK);
    }
    check(ecs_plane_now_ms(h->pl) == now + (int64_t)a * 60000);
    after(h, true);
}

static void fargate_capacity(hx *h, rd *r)
{
    static const int caps[] = { 0, 1, 2, 5 };
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"maxTasks\":%d}", caps[a & 3]);
    call(h, "SetFargateCapacity");
}

/* A request made of raw input bytes, for any action. */
static void garbage(hx *h, rd *r)
{
    const char *action = k_garbage_actions[pick(r, ARRAY_LEN(k_garbage_actions))];
    size_t n = u8(r) % 48;
    reset(h);
    for (size_t i = 0; i < n && r->i < r->n; i++)
        h->req[h->len++] = (char)u8(r);
    h->req[h->len] = '\0';
    call(h, action);
}

/* ---- services, agent reports, protection, the step function ---------- */

static const char *service_name(rd *r)
{
    return k_services[pick(r, ARRAY_LEN(k_services))];
}

static void create_service(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    char td[64];
    size_t k = pick(r, ARRAY_LEN(k_services));
    uint8_t a = u8(r), b = u8(r);
    static const int mins[] = { 0, 50, 100, 100 }, maxs[] = { 100, 150, 200, 300 };
    taskdef_ref(r, td, sizeof td);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"serviceName\":\"%s\",\"taskDefinition\":\"%s\"", c, k_services[k], td);
    if (k == 2 || (a & 0x80)) {
        add(h, ",\"schedulingStrategy\":\"DAEMON\"");
    } else {
        add(h, ",\"desiredCount\":%u", (unsigned)(a & 7u));
        add(h, ",\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d}",
            mins[(a >> 3) & 3], maxs[(a >> 5) & 3]);
        if (b & 1)
            add(h, ",\"placementStrategy\":[%s]", k_strategies[(b >> 1) % ARRAY_LEN(k_strategies)]);
    }
    if ((b & 0x30) == 0x10)
        add(h, ",\"launchType\":\"FARGATE\"");
    else if ((b & 0x30) == 0x20)
        add(h, ",\"launchType\":\"EC2\"");
    if (b & 0x40)
        add(h, ",\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"%s\"}]",
            k_expressions[pick(r, ARRAY_LEN(k_expressions))]);
    if (b & 0x80)
        add(h, ",\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"%s\"]}}",
            k_subnets[pick(r, ARRAY_LEN(k_subnets))]);
    add(h, "}");
    call(h, "CreateService");
}

static void update_service(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    const char *s = service_name(r);
    uint8_t a = u8(r);
    char td[64];
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"service\":\"%s\"", c, s);
    if (a & 1)
        add(h, ",\"desiredCount\":%u", (unsigned)((a >> 4) & 7u));
    if (a & 2) {
        taskdef_ref(r, td, sizeof td);
        add(h, ",\"taskDefinition\":\"%s\"", td);
    }
    if (a & 4)
        add(h, ",\"forceNewDeployment\":true");
    if (a & 8)
        add(h, ",\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d}", (a & 0x80) ? 0 : 50);
    add(h, "}");
    call(h, "UpdateService");
}

static void delete_service(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    const char *s = service_name(r);
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"service\":\"%s\"%s}", c, s, (a & 1) ? ",\"force\":true" : "");
    call(h, "DeleteService");
}

static void describe_services(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    uint8_t a = u8(r);
    reset(h);
    if (a & 1) {
        add(h, "{\"cluster\":\"%s\"%s}", c, (a & 2) ? ",\"schedulingStrategy\":\"DAEMON\"" : "");
        call(h, "ListServices");
    } else {
        add(h, "{\"cluster\":\"%s\",\"services\":[\"%s\",\"%s\"]}", c, service_name(r), service_name(r));
        call(h, "DescribeServices");
    }
}

static void submit_task_state(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    const char *t = task_ref(h, r, c);
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"task\":\"%s\",\"status\":\"%s\"", c, t, k_statuses[a & 7]);
    if (a & 8)
        add(h, ",\"reason\":\"fuzz\"");
    if (a & 0x10)
        add(h, ",\"containers\":[{\"containerName\":\"%s\",\"status\":\"%s\"%s}]", (a & 0x20) ? "side" : "app",
            (a & 0x40) ? "STOPPED" : "RUNNING", (a & 0x80) ? ",\"exitCode\":1" : "");
    add(h, "}");
    call(h, "SubmitTaskStateChange");
}

static void submit_container(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    const char *t = task_ref(h, r, c);
    uint8_t a = u8(r);
    static const char *const k_health[] = { "HEALTHY", "UNHEALTHY", "UNKNOWN", "SICK" };
    reset(h);
    if (a & 1) {
        add(h, "{\"cluster\":\"%s\",\"task\":\"%s\",\"containerName\":\"%s\",\"healthStatus\":\"%s\"}", c, t,
            (a & 2) ? "side" : "app", k_health[(a >> 2) & 3]);
        call(h, "SubmitContainerHealth");
    } else {
        add(h, "{\"cluster\":\"%s\",\"task\":\"%s\",\"containerName\":\"%s\",\"status\":\"%s\"%s}", c, t,
            (a & 2) ? "side" : "app", k_statuses[1 + ((a >> 2) % 3) * 2 + ((a >> 2) % 3 == 2)],
            (a & 0x40) ? ",\"exitCode\":0,\"reason\":\"done\"" : "");
        call(h, "SubmitContainerStateChange");
    }
}

static void stop_task(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    const char *t = task_ref(h, r, c);
    uint8_t a = u8(r);
    reset(h);
    add(h, "{\"cluster\":\"%s\",\"task\":\"%s\"%s}", c, t, (a & 1) ? ",\"reason\":\"fuzz\"" : "");
    call(h, "StopTask");
}

static void task_protection(hx *h, rd *r)
{
    const char *c = cluster_name(r);
    uint8_t a = u8(r);
    const char *t1 = task_ref(h, r, c), *t2 = task_ref(h, r, c);
    char a1[256], a2[256];
    snprintf(a1, sizeof a1, "%s", t1);
    snprintf(a2, sizeof a2, "%s", t2);
    reset(h);
    if (a & 1) {
        if (a & 2)
            add(h, "{\"cluster\":\"%s\"}", c);
        else
            add(h, "{\"cluster\":\"%s\",\"tasks\":[\"%s\",\"%s\"]}", c, a1, a2);
        call(h, "GetTaskProtection");
    } else {
        add(h, "{\"cluster\":\"%s\",\"tasks\":[\"%s\",\"%s\"],\"protectionEnabled\":%s", c, a1, a2,
            (a & 2) ? "true" : "false");
        if (a & 4)
            add(h, ",\"expiresInMinutes\":%u", (unsigned)(a >> 3) * 10u);
        add(h, "}");
        call(h, "UpdateTaskProtection");
    }
}

/* ecs_plane_step: a few seconds, minutes, or past retention; the orders
 * name tasks of the plane. */
static void step_time(hx *h, rd *r)
{
    uint8_t a = u8(r);
    int64_t now = ecs_plane_now_ms(h->pl), dt;
    const ecs_plane_order *orders = NULL;
    size_t n = 0;
    if ((a & 0xc0) == 0xc0)
        dt = (int64_t)(a & 0x3f) * 120000; /* up to two hours */
    else
        dt = (int64_t)a * 500;
    check(ecs_plane_step(h->pl, now + dt, &orders, &n) == ECS_OK);
    check(ecs_plane_now_ms(h->pl) == now + dt);
    check(n == 0 || orders != NULL);
    for (size_t i = 0; i < n; i++) {
        check(orders[i].kind == ECS_ORDER_START || orders[i].kind == ECS_ORDER_STOP);
        check(orders[i].cluster_arn != NULL && orders[i].task_arn != NULL);
    }
    after(h, true);
}

typedef void (*action_fn)(hx *h, rd *r);

static void put_attributes(hx *h, rd *r)
{
    put_or_delete_attributes(h, r, true);
}
static void delete_attributes(hx *h, rd *r)
{
    put_or_delete_attributes(h, r, false);
}
static void deregister_td(hx *h, rd *r)
{
    deregister_taskdef(h, r, false);
}
static void delete_tds(hx *h, rd *r)
{
    deregister_taskdef(h, r, true);
}

/* The opcode byte modulo the table's length picks the action. */
static const action_fn k_table[] = {
    create_cluster,     /* 0 */
    delete_cluster,     /* 1 */
    register_instance,  /* 2 */
    deregister_instance, /* 3 */
    update_state,       /* 4 */
    put_attributes,     /* 5 */
    delete_attributes,  /* 6 */
    register_taskdef,   /* 7 */
    deregister_td,      /* 8 */
    delete_tds,         /* 9 */
    register_subnets,   /* 10 */
    run_task,           /* 11 */
    start_task,         /* 12 */
    list_tasks,         /* 13 */
    describe_tasks,     /* 14 */
    list_instances,     /* 15 */
    describe_instances, /* 16 */
    describe_clusters,  /* 17 */
    advance_time,       /* 18 */
    fargate_capacity,   /* 19 */
    garbage,            /* 20 */
    create_service,     /* 21 */
    update_service,     /* 22 */
    delete_service,     /* 23 */
    describe_services,  /* 24 */
    submit_task_state,  /* 25 */
    submit_container,   /* 26 */
    stop_task,          /* 27 */
    task_protection,    /* 28 */
    step_time,          /* 29 */
    step_time,          /* 30: time moves often */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    rd r = { data, size, 0 };
    hx *h = calloc(1, sizeof *h);
    const char *d;
    size_t dl;

    check(h != NULL);
    o.seed = 20260101;
    /* the agent mode: the top bit of the last byte */
    h->sim = size > 0 && (data[size - 1] & 0x80) != 0;
    o.flags = h->sim ? ECS_PLANE_F_SIMULATED_AGENTS : 0;
    check(ecs_ctx_new(NULL, &h->ctx) == ECS_OK);
    check(ecs_plane_new(h->ctx, &o, &h->pl) == ECS_OK);
    check(ecs_plane_dump(h->pl, &d, &dl) == ECS_OK);
    h->cur = malloc(dl + 1);
    check(h->cur != NULL);
    memcpy(h->cur, d, dl + 1);
    h->cur_len = dl;
    check(ecs_json_parse(h->ctx, h->cur, h->cur_len, NULL, &h->dump) == ECS_OK);
    check_dump(h);
    for (size_t step = 0; step < MAX_STEPS && r.i < r.n; step++)
        k_table[u8(&r) % ARRAY_LEN(k_table)](h, &r);
    ecs_json_doc_free(h->dump);
    ecs_json_doc_free(h->old);
    free(h->cur);
    ecs_plane_free(h->pl);
    ecs_ctx_free(h->ctx);
    free(h);
    return 0;
}
