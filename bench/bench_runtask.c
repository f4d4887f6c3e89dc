/*
 * bench_runtask: placement through the control plane's JSON entry point,
 * as a host driving libecs with ECS API calls would do it.
 *
 * For 5,000 and then 50,000 container instances over three availability
 * zones (mixed instance types, custom attributes), it registers the
 * instances, registers a small task definition, and places 100,000 tasks
 * with RunTask calls of count 10, for four strategy cases:
 *   random; binpack(memory); spread(availability zone) then binpack(memory)
 *   with a memberOf expression; spread(instanceId) with distinctInstance
 *   (one task per instance, so that case places as many tasks as there are
 *   instances).
 * Tasks are 32 CPU units / 64 MiB, so that the memberOf case (a third of
 * the instances are m5) still holds 100,000 of them.
 * It prints tasks per second (whole RunTask calls: parse, checks,
 * placement, task records, response JSON) and bytes held per instance and
 * per task, measured with a counting allocator.
 *
 *   bench_runtask [--quick]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ecs/ecs.h>

typedef struct counter {
    size_t live, peak;
} counter;

static void *c_alloc(void *u, size_t n)
{
    counter *c = u;
    size_t *p = malloc(n + 16);
    if (p == NULL)
        return NULL;
    p[0] = n;
    c->live += n;
    if (c->live > c->peak)
        c->peak = c->live;
    return (char *)p + 16;
}

static void *c_resize(void *u, void *ptr, size_t old, size_t n)
{
    counter *c = u;
    size_t *p = (size_t *)(void *)((char *)ptr - 16);
    size_t *q = realloc(p, n + 16);
    (void)old;
    if (q == NULL)
        return NULL;
    c->live = c->live - q[0] + n;
    q[0] = n;
    if (c->live > c->peak)
        c->peak = c->live;
    return (char *)q + 16;
}

static void c_release(void *u, void *ptr, size_t n)
{
    counter *c = u;
    size_t *p = (size_t *)(void *)((char *)ptr - 16);
    (void)n;
    c->live -= p[0];
    free(p);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void must(ecs_plane *pl, ecs_ctx *ctx, const char *action, const char *req)
{
    const char *out;
    size_t len;
    if (ecs_plane_call(pl, action, strlen(action), req, strlen(req), &out, &len) != ECS_OK) {
        fprintf(stderr, "bench_runtask: %s failed: %s %s\n", action, ecs_plane_error_code(pl),
                ecs_ctx_errmsg(ctx));
        exit(1);
    }
}

static const struct {
    const char *type;
    int cpu, mem;
} k_types[] = { { "m5.large", 2048, 7680 }, { "c5.xlarge", 4096, 7500 }, { "r5.large", 2048, 15872 } };

static const char *const k_cases[] = { "random", "binpack(memory)",
                                       "spread(zone)+binpack(memory)+memberOf",
                                       "spread(instanceId)+distinctInstance" };

static const char *const k_strategies[] = {
    "\"placementStrategy\":[{\"type\":\"random\"}]",
    "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]",
    ("\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
     "{\"type\":\"binpack\",\"field\":\"memory\"}],\"placementConstraints\":[{\"type\":\"memberOf\","
     "\"expression\":\"attribute:ecs.instance-type =~ m5.*\"}]"),
    ("\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
     "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]"),
};

typedef struct row {
    double tasks_per_s, bytes_per_instance, bytes_per_task;
    size_t placed;
} row;

static row run_case(size_t instances, size_t tasks, int which)
{
    counter cnt = { 0, 0 };
    ecs_allocator al = { c_alloc, c_resize, c_release, &cnt };
    ecs_ctx_options co = ECS_CTX_OPTIONS_INIT;
    ecs_plane_options po = ECS_PLANE_OPTIONS_INIT;
    ecs_ctx *ctx;
    ecs_plane *pl;
    char req[2048];
    size_t before, placed = 0, calls = 0;
    double t0, t1;
    row rw;

    co.allocator = &al;
    po.seed = 7;
    po.max_instances_per_cluster = (uint32_t)instances;
    if (ecs_ctx_new(&co, &ctx) != ECS_OK || ecs_plane_new(ctx, &po, &pl) != ECS_OK)
        exit(1);
    must(pl, ctx, "CreateCluster", "{\"clusterName\":\"bench\"}");
    for (size_t i = 0; i < instances; i++) {
        int t = (int)(i % 3);
        snprintf(req, sizeof req,
                 "{\"cluster\":\"bench\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":"
                 "\\\"i-%017zx\\\",\\\"availabilityZone\\\":\\\"us-east-1%c\\\",\\\"instanceType\\\":"
                 "\\\"%s\\\"}\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\","
                 "\"integerValue\":%d},{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":%d}],"
                 "\"attributes\":[{\"name\":\"stack\",\"value\":\"%s\"},{\"name\":\"team\",\"value\":"
                 "\"t%zu\"}]}",
                 i, (char)('a' + (i / 3) % 3), k_types[t].type, k_types[t].cpu, k_types[t].mem,
                 i % 10 == 0 ? "canary" : "prod", i % 7);
        must(pl, ctx, "RegisterContainerInstance", req);
    }
    must(pl, ctx, "RegisterTaskDefinition",
         "{\"family\":\"bench\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"busybox\","
         "\"cpu\":32,\"memory\":64}]}");
    before = cnt.live;
    if (which == 3 && tasks > instances)
        tasks = instances; /* distinctInstance: one per instance */
    snprintf(req, sizeof req, "{\"cluster\":\"bench\",\"taskDefinition\":\"bench\",\"count\":10,%s}",
             k_strategies[which]);
    t0 = now_s();
    while (placed < tasks) {
        const char *out;
        size_t len;
        if (ecs_plane_call(pl, "RunTask", 7, req, strlen(req), &out, &len) != ECS_OK) {
            fprintf(stderr, "RunTask failed: %s\n", ecs_ctx_errmsg(ctx));
            exit(1);
        }
        calls++;
        placed += 10;
        if (strstr(out, "\"failures\":[]") == NULL) {
            fprintf(stderr, "bench_runtask: placement failures after %zu tasks (%s)\n", placed,
                    k_cases[which]);
            break;
        }
    }
    t1 = now_s();
    rw.placed = placed;
    rw.tasks_per_s = (double)placed / (t1 - t0);
    rw.bytes_per_task = (double)(cnt.live - before) / (double)placed;
    rw.bytes_per_instance = (double)before / (double)instances;
    (void)calls;
    ecs_plane_free(pl);
    ecs_ctx_free(ctx);
    return rw;
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    size_t sizes[2] = { 5000, 50000 };
    size_t tasks = 100000;
    row rows[2][4];
    if (quick) {
        sizes[0] = 50;
        sizes[1] = 500;
        tasks = 500;
    }
    printf("RunTask through ecs_plane_call (JSON in, JSON out), count 10 per call\n");
    printf("%-40s %10s %12s %12s %14s\n", "case", "instances", "tasks", "tasks/s", "bytes/task");
    for (int s = 0; s < 2; s++) {
        for (int c = 0; c < 4; c++) {
            rows[s][c] = run_case(sizes[s], tasks, c);
            printf("%-40s %10zu %12zu %12.0f %14.0f\n", k_cases[c], sizes[s], rows[s][c].placed,
                   rows[s][c].tasks_per_s, rows[s][c].bytes_per_task);
            fflush(stdout);
        }
        printf("%-40s %10zu  bytes per instance (with its attributes): %.0f\n", "", sizes[s],
               rows[s][0].bytes_per_instance);
    }
    printf("\ncost of one task at %zu instances relative to %zu:\n", sizes[1], sizes[0]);
    for (int c = 0; c < 4; c++)
        printf("  %-40s %.2fx\n", k_cases[c], rows[0][c].tasks_per_s / rows[1][c].tasks_per_s);
    return 0;
}
