/*
 * bench_rollout: CPU time of a whole rolling deployment through the control
 * plane, with simulated agents.
 *
 * A service of 5,000 tasks on 5,000 container instances (three
 * availability zones, each instance sized for exactly two tasks, so that
 * the cluster has room for a maximumPercent 200 rollout) is brought to a
 * steady state; then a new revision is rolled out with
 * deploymentConfiguration 100/200, and, on a fresh plane, with 50/100. The
 * clock moves in 1 s steps (ecs_plane_step) until the service has one
 * deployment again, COMPLETED, with runningCount 5,000.
 *
 * "Healthy at once": the task definition's container has the docker label
 * "libecs.sim.start-seconds": "0" (RUNNING at the instant of placement)
 * and a healthCheck with interval 5, the smallest ECS accepts (the
 * simulated agent turns a container HEALTHY after its check's interval of
 * running; without a check a task would count healthy 40 s after RUNNING).
 * So a new task counts healthy 5 s after it is placed.
 *
 * Measured with CLOCK_PROCESS_CPUTIME_ID around the library calls of the
 * rollout only (UpdateService and every ecs_plane_step; the DescribeServices
 * calls that watch progress are not counted): total CPU, number of steps,
 * mean and max per step, and the steps where nothing changed ("idle": no
 * order handed out, DescribeServices byte for byte as after the step
 * before, cluster counts unchanged), which show the per-step cost for the
 * tasks that did not change. It also times the level-1 planner's
 * ecs_deploy_preview() for D = 5,000 with both settings.
 *
 * Target (issue): a whole rollout under one second of CPU, and a per-step
 * cost that does not grow with the number of unchanged tasks.
 *
 *   bench_rollout [--quick] [--tasks N]
 *     --quick   200 tasks on 200 instances (smoke test)
 *     --tasks N N tasks on N instances (at most 5,000: ECS's desiredCount
 *               limit)
 *     --trace   one line per rollout step
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ecs/ecs.h>

#if !defined(ECS_BENCH_BUILD_TYPE)
#define ECS_BENCH_BUILD_TYPE "unknown"
#endif
#if !defined(ECS_BENCH_C_FLAGS)
#define ECS_BENCH_C_FLAGS ""
#endif

#define MAX_STEPS 3600 /* an hour of 1 s steps: the rollout is stuck */

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void call_out(ecs_plane *pl, ecs_ctx *ctx, const char *action, const char *req,
                     const char **out)
{
    if (ecs_plane_call(pl, action, strlen(action), req, strlen(req), out, NULL) != ECS_OK) {
        fprintf(stderr, "bench_rollout: %s failed: %s %s\n", action, ecs_plane_error_code(pl),
                ecs_ctx_errmsg(ctx));
        exit(1);
    }
}

static void call(ecs_plane *pl, ecs_ctx *ctx, const char *action, const char *req)
{
    const char *out;
    call_out(pl, ctx, action, req, &out);
}

static bool g_trace;

static void step(ecs_plane *pl, ecs_ctx *ctx, int64_t to, size_t *norders, size_t *nstarts)
{
    const ecs_plane_order *orders;
    if (ecs_plane_step(pl, to, &orders, norders) != ECS_OK) {
        fprintf(stderr, "bench_rollout: ecs_plane_step failed: %s\n", ecs_ctx_errmsg(ctx));
        exit(1);
    }
    *nstarts = 0;
    for (size_t i = 0; i < *norders; i++)
        *nstarts += orders[i].kind == ECS_ORDER_START;
}

/* What DescribeServices says of the service: the service's runningCount
 * (the first one in the document), the number of deployments and the
 * PRIMARY's rolloutState (the first deployment listed). */
typedef struct svc_state {
    long running;
    int ndeps;
    char rollout[32];
} svc_state;

static const char *describe(ecs_plane *pl, ecs_ctx *ctx, svc_state *st)
{
    const char *out = NULL, *p;
    call_out(pl, ctx, "DescribeServices", "{\"cluster\":\"bench\",\"services\":[\"web\"]}", &out);
    p = strstr(out, "\"runningCount\":");
    st->running = p != NULL ? strtol(p + 15, NULL, 10) : -1;
    st->ndeps = 0;
    st->rollout[0] = '\0';
    for (p = strstr(out, "\"rolloutState\":\""); p != NULL; p = strstr(p + 1, "\"rolloutState\":\"")) {
        if (st->ndeps++ == 0) {
            const char *q = p + 16;
            size_t n = 0;
            while (q[n] != '"' && q[n] != '\0' && n + 1 < sizeof st->rollout)
                n++;
            memcpy(st->rollout, q, n);
            st->rollout[n] = '\0';
        }
    }
    return out;
}

static const char *taskdef(int revision)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx:1.%d\","
             "\"cpu\":256,\"memory\":512,\"essential\":true,"
             "\"dockerLabels\":{\"libecs.sim.start-seconds\":\"0\"},"
             "\"healthCheck\":{\"command\":[\"CMD-SHELL\",\"true\"],\"interval\":5}}]}",
             24 + revision);
    return buf;
}

typedef struct result {
    double setup_cpu;       /* CPU to register and reach steady (not the target) */
    int setup_steps;
    double update_cpu;      /* UpdateService */
    double total_cpu;       /* UpdateService + all steps */
    int steps;
    double step_sum, step_max;
    int max_at;             /* the step (1-based) that took step_max */
    int idle;
    double idle_sum, idle_max;
    size_t orders, starts;
    bool completed;
    svc_state last;
    double steady_step;     /* mean 1 s step once the service is steady again */
} result;

static result run(size_t n, int min_pct, int max_pct)
{
    ecs_ctx_options co = ECS_CTX_OPTIONS_INIT;
    ecs_plane_options po = ECS_PLANE_OPTIONS_INIT;
    ecs_ctx *ctx;
    ecs_plane *pl;
    char req[2048];
    result r;
    svc_state st;
    int64_t now;
    double t0, t1;
    size_t norders, nstarts;
    char *prev = NULL;

    memset(&r, 0, sizeof r);
    po.seed = 7;
    po.flags = ECS_PLANE_F_SIMULATED_AGENTS;
    po.max_instances_per_cluster = (uint32_t)(n > 5000 ? n : 5000);
    if (ecs_ctx_new(&co, &ctx) != ECS_OK || ecs_plane_new(ctx, &po, &pl) != ECS_OK) {
        fprintf(stderr, "bench_rollout: cannot make a plane\n");
        exit(1);
    }
    t0 = cpu_s();
    call(pl, ctx, "CreateCluster", "{\"clusterName\":\"bench\"}");
    for (size_t i = 0; i < n; i++) {
        snprintf(req, sizeof req,
                 "{\"cluster\":\"bench\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":"
                 "\\\"i-%017zx\\\",\\\"availabilityZone\\\":\\\"us-east-1%c\\\",\\\"instanceType\\\":"
                 "\\\"t3.small\\\"}\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\","
                 "\"integerValue\":512},{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":1024}]}",
                 i, (char)('a' + i % 3));
        call(pl, ctx, "RegisterContainerInstance", req);
    }
    call(pl, ctx, "RegisterTaskDefinition", taskdef(1));
    call(pl, ctx, "RegisterTaskDefinition", taskdef(2));
    snprintf(req, sizeof req,
             "{\"cluster\":\"bench\",\"serviceName\":\"web\",\"taskDefinition\":\"web:1\","
             "\"desiredCount\":%zu,\"launchType\":\"EC2\"}",
             n);
    call(pl, ctx, "CreateService", req);
    now = ecs_plane_now_ms(pl);
    for (;;) {
        now += 1000;
        step(pl, ctx, now, &norders, &nstarts);
        r.setup_steps++;
        describe(pl, ctx, &st);
        if (st.running == (long)n && st.ndeps == 1 && strcmp(st.rollout, "COMPLETED") == 0)
            break; /* steady: every task RUNNING and healthy */
        if (r.setup_steps > MAX_STEPS) {
            fprintf(stderr, "bench_rollout: the service never reached %zu running tasks "
                            "(runningCount %ld, %d deployments)\n", n, st.running, st.ndeps);
            exit(1);
        }
    }
    r.setup_cpu = cpu_s() - t0;

    /* the rollout */
    snprintf(req, sizeof req,
             "{\"cluster\":\"bench\",\"service\":\"web\",\"taskDefinition\":\"web:2\","
             "\"deploymentConfiguration\":{\"minimumHealthyPercent\":%d,\"maximumPercent\":%d}}",
             min_pct, max_pct);
    t0 = cpu_s();
    call(pl, ctx, "UpdateService", req);
    t1 = cpu_s();
    r.update_cpu = t1 - t0;
    r.total_cpu = r.update_cpu;
    {
        const char *d = describe(pl, ctx, &st);
        prev = strdup(d);
    }
    {
        ecs_cluster_info ci0;
        ecs_plane_cluster_info(pl, 0, &ci0);
        for (;;) {
            ecs_cluster_info ci;
            const char *d;
            double dt;
            bool same;
            now += 1000;
            t0 = cpu_s();
            step(pl, ctx, now, &norders, &nstarts);
            t1 = cpu_s();
            dt = t1 - t0;
            r.total_cpu += dt;
            r.steps++;
            r.step_sum += dt;
            r.orders += norders;
            r.starts += nstarts;
            if (dt > r.step_max) {
                r.step_max = dt;
                r.max_at = r.steps;
            }
            d = describe(pl, ctx, &st);
            ecs_plane_cluster_info(pl, 0, &ci);
            same = norders == 0 && strcmp(d, prev) == 0 && ci.running_tasks == ci0.running_tasks &&
                   ci.pending_tasks == ci0.pending_tasks;
            if (same) {
                r.idle++;
                r.idle_sum += dt;
                if (dt > r.idle_max)
                    r.idle_max = dt;
            }
            if (g_trace)
                printf("    step %3d  %8.3f ms  orders %5zu (starts %5zu)  running %5u pending %5u  "
                       "service runningCount %5ld  deployments %d  PRIMARY %s%s\n",
                       r.steps, dt * 1e3, norders, nstarts, ci.running_tasks, ci.pending_tasks,
                       st.running, st.ndeps, st.rollout, same ? "  (idle)" : "");
            ci0 = ci;
            free(prev);
            prev = strdup(d);
            if (st.ndeps == 1 && strcmp(st.rollout, "COMPLETED") == 0 && st.running == (long)n) {
                r.completed = true;
                break;
            }
            if (r.steps >= MAX_STEPS)
                break;
        }
    }
    r.last = st;
    /* steady again: 60 idle 1 s steps (no call in between) */
    if (r.completed) {
        size_t no, ns;
        t0 = cpu_s();
        for (int k = 0; k < 60; k++) {
            now += 1000;
            step(pl, ctx, now, &no, &ns);
        }
        r.steady_step = (cpu_s() - t0) / 60;
    }
    free(prev);
    ecs_plane_free(pl);
    ecs_ctx_free(ctx);
    return r;
}

/* ecs_deploy_preview for D tasks with a capacity of 2 x D (two per
 * instance): microseconds per call, over enough calls to measure. */
static double preview_us(uint32_t d, uint32_t min_pct, uint32_t max_pct, size_t *nsteps,
                         ecs_status *rc)
{
    static ecs_deploy_step steps[1024];
    size_t reps = 0;
    double t0 = cpu_s(), t1;
    do {
        *rc = ecs_deploy_preview(d, min_pct, max_pct, 2 * d, steps, 1024, nsteps);
        reps++;
        t1 = cpu_s();
    } while (t1 - t0 < 0.05 || reps < 10);
    return (t1 - t0) / (double)reps * 1e6;
}

int main(int argc, char **argv)
{
    size_t n = 5000;
    static const int cfg[2][2] = { { 100, 200 }, { 50, 100 } };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            n = 200;
        } else if (strcmp(argv[i], "--trace") == 0) {
            g_trace = true;
        } else if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc) {
            n = strtoul(argv[++i], NULL, 10);
            if (n == 0 || n > 5000) {
                fprintf(stderr, "bench_rollout: --tasks 1..5000\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: bench_rollout [--quick] [--tasks N] [--trace]\n");
            return 2;
        }
    }
    printf("bench_rollout: build %s, flags \"%s\"\n", ECS_BENCH_BUILD_TYPE, ECS_BENCH_C_FLAGS);
    printf("service of %zu tasks on %zu instances (3 zones, room for 2 tasks each), simulated agents;\n"
           "tasks RUNNING at placement (libecs.sim.start-seconds 0), HEALTHY 5 s later "
           "(healthCheck interval 5);\n"
           "rollout to revision 2 stepped in 1 s steps; CPU = CLOCK_PROCESS_CPUTIME_ID inside "
           "UpdateService + ecs_plane_step\n\n",
           n, n);
    bool all_ok = true;
    for (int c = 0; c < 2; c++) {
        result r = run(n, cfg[c][0], cfg[c][1]);
        size_t psteps = 0;
        ecs_status prc;
        double pus;
        printf("rollout %d/%d (minimumHealthyPercent/maximumPercent), D = %zu\n", cfg[c][0], cfg[c][1], n);
        printf("  setup (register, create, %d steps to steady)  %10.3f s CPU (not the target)\n",
               r.setup_steps, r.setup_cpu);
        printf("  1 s step once steady again (60 steps)         %10.3f us\n", r.steady_step * 1e6);
        printf("  rollout completed                             %10s%s\n", r.completed ? "yes" : "NO",
               r.completed ? "" : " (gave up)");
        if (!r.completed)
            printf("  last state: runningCount %ld, %d deployments, PRIMARY %s\n", r.last.running,
                   r.last.ndeps, r.last.rollout);
        printf("  total CPU (UpdateService + steps)             %10.3f s   (target < 1 s: %s)\n",
               r.total_cpu, r.total_cpu < 1.0 ? "met" : "MISSED");
        printf("  UpdateService                                 %10.3f ms\n", r.update_cpu * 1e3);
        printf("  steps (1 s each)                              %10d\n", r.steps);
        printf("  orders handed out (starts / stops)            %10zu  (%zu / %zu)\n", r.orders,
               r.starts, r.orders - r.starts);
        printf("  mean per step                                 %10.3f ms\n",
               r.steps > 0 ? r.step_sum / r.steps * 1e3 : 0.0);
        printf("  max per step (step %3d)                       %10.3f ms\n", r.max_at, r.step_max * 1e3);
        printf("  idle steps (nothing changed)                  %10d\n", r.idle);
        printf("  mean per idle step                            %10.3f ms\n",
               r.idle > 0 ? r.idle_sum / r.idle * 1e3 : 0.0);
        printf("  max per idle step                             %10.3f ms\n", r.idle_max * 1e3);
        printf("  mean per idle step per desired task           %10.1f ns\n",
               r.idle > 0 ? r.idle_sum / r.idle / (double)n * 1e9 : 0.0);
        pus = preview_us((uint32_t)n, (uint32_t)cfg[c][0], (uint32_t)cfg[c][1], &psteps, &prc);
        printf("  ecs_deploy_preview D=%zu capacity %zu          %10.3f us  (%zu steps, %s)\n", n,
               2 * n, pus, psteps, prc == ECS_OK ? "completes" : "does not complete");
        printf("\n");
        fflush(stdout);
        all_ok &= r.completed;
    }
    /* Does an idle step cost more when more tasks sit unchanged? The same
     * 100/200 rollout at D/8, D/4, D/2 and D: the idle steps hold 2 x D
     * RUNNING tasks (old and new) of which none changes. */
    printf("idle step cost against unchanged tasks (100/200 rollout, idle steps hold 2 x D tasks)\n");
    printf("  %8s %14s %18s %16s\n", "D", "idle steps", "mean idle step ms", "ns per task held");
    for (size_t k = 8; k >= 1; k /= 2) {
        size_t d = n / k;
        result r;
        if (d == 0)
            continue;
        r = run(d, 100, 200);
        printf("  %8zu %14d %18.3f %16.1f\n", d, r.idle, r.idle > 0 ? r.idle_sum / r.idle * 1e3 : 0.0,
               r.idle > 0 ? r.idle_sum / r.idle / (double)(2 * d) * 1e9 : 0.0);
        all_ok &= r.completed;
    }
    return all_ok ? 0 : 1;
}
