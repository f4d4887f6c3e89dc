/*
 * bench_snapshot: snapshot and restore of a large control plane.
 *
 * Builds a plane with 50,000 container instances and 1,000,000 tasks
 * (through the JSON entry point, RunTask count 10; simulated agents, and a
 * 10 s step so that every task is RUNNING with its timestamps, as a host
 * persisting a live cluster would have them), then times
 * ecs_plane_snapshot() and ecs_plane_restore() and prints the snapshot's
 * size. Checks that the restored plane's snapshot is byte-identical.
 * Restore is also timed in fresh processes (as a host restoring at start
 * would run it), reading the snapshot from a file: five runs
 * (BENCH_SNAPSHOT_RUNS=N for another number), each printed.
 *
 *   bench_snapshot [--quick]
 *   bench_snapshot --restore FILE     (the fresh-process part)
 *
 * With BENCH_SNAPSHOT_KEEP=PATH in the environment, the snapshot file is
 * written to PATH and kept (to profile the --restore part on its own).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ecs/ecs.h>

#include "bench_stats.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (user + system): what the work costs, whatever
 * else the machine is doing. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void must(ecs_plane *pl, ecs_ctx *ctx, const char *action, const char *req)
{
    const char *out;
    size_t len;
    if (ecs_plane_call(pl, action, strlen(action), req, strlen(req), &out, &len) != ECS_OK) {
        fprintf(stderr, "bench_snapshot: %s failed: %s\n", action, ecs_ctx_errmsg(ctx));
        exit(1);
    }
}

/* Restores the snapshot in FILE and prints the time; with result_fd >= 0,
 * also writes the wall time there for the parent's summary. */
static int restore_file(const char *path, int result_fd)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    ecs_ctx *ctx;
    ecs_plane *pl;
    double c0, c1, t0, t1;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        return 1;
    buf = malloc((size_t)n);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    if (ecs_ctx_new(NULL, &ctx) != ECS_OK)
        return 1;
    t0 = now_s();
    c0 = cpu_s();
    if (ecs_plane_restore(ctx, buf, (size_t)n, &pl) != ECS_OK) {
        fprintf(stderr, "restore failed: %s\n", ecs_ctx_errmsg(ctx));
        return 1;
    }
    t1 = now_s();
    c1 = cpu_s();
    printf("restore in a fresh process: %.3f s wall, %.3f s CPU\n", t1 - t0, c1 - c0);
    if (result_fd >= 0)
        dprintf(result_fd, "%.6f\n", t1 - t0);
    ecs_plane_free(pl);
    ecs_ctx_free(ctx);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (argc > 2 && strcmp(argv[1], "--restore") == 0)
        return restore_file(argv[2], argc > 3 ? atoi(argv[3]) : -1);
    size_t instances = quick ? 200 : 50000, tasks = quick ? 4000 : 1000000;
    ecs_plane_options po = ECS_PLANE_OPTIONS_INIT;
    ecs_ctx *ctx;
    ecs_plane *pl, *back;
    const char *snap, *snap2;
    size_t len, len2, placed = 0;
    char req[1024], *copy;
    double t0, t1, t2, t3, t4, c1, c2, c3;

    po.seed = 3;
    po.flags = ECS_PLANE_F_SIMULATED_AGENTS;
    po.max_instances_per_cluster = (uint32_t)instances;
    if (ecs_ctx_new(NULL, &ctx) != ECS_OK || ecs_plane_new(ctx, &po, &pl) != ECS_OK)
        return 1;
    must(pl, ctx, "CreateCluster", "{\"clusterName\":\"big\"}");
    t0 = now_s();
    for (size_t i = 0; i < instances; i++) {
        snprintf(req, sizeof req,
                 "{\"cluster\":\"big\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-%017zx\\\","
                 "\\\"availabilityZone\\\":\\\"us-east-1%c\\\",\\\"instanceType\\\":\\\"m5.xlarge\\\"}\","
                 "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":4096},"
                 "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":15000}]}",
                 i, (char)('a' + i % 3));
        must(pl, ctx, "RegisterContainerInstance", req);
    }
    must(pl, ctx, "RegisterTaskDefinition",
         "{\"family\":\"app\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"busybox\","
         "\"cpu\":64,\"memory\":128,\"portMappings\":[{\"containerPort\":80,\"hostPort\":0}]}]}");
    while (placed < tasks) {
        must(pl, ctx, "RunTask",
             "{\"cluster\":\"big\",\"taskDefinition\":\"app\",\"count\":10,\"placementStrategy\":"
             "[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
             "{\"type\":\"binpack\",\"field\":\"memory\"}]}");
        placed += 10;
    }
    {
        const ecs_plane_order *orders;
        size_t norders;
        if (ecs_plane_step(pl, ecs_plane_now_ms(pl) + 10000, &orders, &norders) != ECS_OK) {
            fprintf(stderr, "bench_snapshot: step failed: %s\n", ecs_ctx_errmsg(ctx));
            return 1;
        }
    }
    t1 = now_s();
    c1 = cpu_s();
    printf("built %zu instances and %zu RUNNING tasks in %.1f s\n", instances, placed, t1 - t0);
    if (ecs_plane_snapshot(pl, &snap, &len) != ECS_OK)
        return 1;
    t2 = now_s();
    c2 = cpu_s();
    copy = malloc(len);
    memcpy(copy, snap, len);
    if (ecs_plane_restore(ctx, copy, len, &back) != ECS_OK) {
        fprintf(stderr, "restore failed: %s\n", ecs_ctx_errmsg(ctx));
        return 1;
    }
    t3 = now_s();
    c3 = cpu_s();
    if (ecs_plane_snapshot(back, &snap2, &len2) != ECS_OK || len2 != len ||
        memcmp(snap2, copy, len) != 0) {
        fprintf(stderr, "the restored plane's snapshot differs\n");
        return 1;
    }
    t4 = now_s();
    printf("snapshot: %.3f s wall, %.3f s CPU, %zu bytes (%.1f MB, %.0f bytes per task)\n",
           t2 - t1, c2 - c1, len, (double)len / 1e6, (double)len / (double)placed);
    /* This restore runs in a process that already holds the source plane
     * and the text (about 2 GB at full size): on a virtual machine its new
     * memory is memory the host has yet to back, which costs more per page
     * than the library's own work. The fresh-process runs below are the
     * figure a host restoring at start sees. */
    printf("restore:  %.3f s wall, %.3f s CPU (in the process that built the source plane)\n",
           t3 - t2, c3 - c2);
    printf("check:    the restored plane's snapshot is byte-identical (%.3f s)\n", t4 - t3);
    /* give the memory back first: the fresh process should not restore
     * under the pressure of two planes this one still holds */
    ecs_plane_free(back);
    ecs_plane_free(pl);
    back = pl = NULL;
#ifdef __GLIBC__
    /* and really back: glibc keeps freed small blocks inside its heap, so
     * this process would go on holding ~1 GB of freed pages (1.4 GB
     * resident before the trim, 0.4 GB after: the snapshot text it keeps)
     * that the children cannot reuse; they would fault in pages the host
     * has to back anew (the "cold memory" cost above): median of five
     * 2.8 s in one run without the trim, 1.6-2.1 s with it */
    malloc_trim(0);
#endif
    {
        char path[] = "/tmp/bench_snapshot_XXXXXX";
        const char *keep = getenv("BENCH_SNAPSHOT_KEEP");
        const char *file = keep != NULL && keep[0] != '\0' ? keep : path;
        int fd = file == path ? mkstemp(path) : open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        pid_t pid;
        int status = 1;
        fflush(stdout);
        if (fd >= 0 && write(fd, copy, len) == (ssize_t)len) {
            /* several fresh processes: on a virtual machine the first touch
             * of memory costs what the host makes it cost, which varies from
             * run to run; the median says more than any one run */
            const char *runs_env = getenv("BENCH_SNAPSHOT_RUNS");
            int runs = runs_env != NULL && atoi(runs_env) > 0 ? atoi(runs_env) : (quick ? 1 : 5);
            int fds[2];
            char fd_arg[16];
            bool piped;
            if (runs > 64)
                runs = 64;
            close(fd);
            piped = pipe(fds) == 0;
            status = piped ? 0 : 1;
            if (piped)
                snprintf(fd_arg, sizeof fd_arg, "%d", fds[1]);
            for (int k = 0; k < runs && status == 0; k++) {
                fflush(stdout);
                pid = fork();
                if (pid == 0) {
                    char *args[] = { argv[0], (char *)(uintptr_t)"--restore", (char *)(uintptr_t)file,
                                     fd_arg, NULL };
                    close(fds[0]);
                    execv(argv[0], args);
                    _exit(127);
                }
                status = 1;
                if (pid > 0)
                    waitpid(pid, &status, 0);
            }
            if (piped) {
                /* the children's wall times, read back once all have run
                 * (a few bytes each: the pipe holds them) */
                double times[64];
                int got = 0;
                FILE *r;
                close(fds[1]);
                r = fdopen(fds[0], "r");
                while (r != NULL && got < runs && fscanf(r, "%lf", &times[got]) == 1)
                    got++;
                if (r != NULL)
                    fclose(r);
                else
                    close(fds[0]);
                if (status == 0 && got == runs && got > 1) {
                    double median = bench_sort_median(times, (size_t)got);
                    printf("restore in a fresh process, %d runs: median %.3f s, fastest %.3f s, "
                           "slowest %.3f s\n", got, median, times[0], times[got - 1]);
                }
            }
        }
        if (file == path)
            unlink(path);
        if (status != 0)
            fprintf(stderr, "the fresh-process restore failed\n");
    }
    free(copy);
    ecs_plane_free(back);
    ecs_plane_free(pl);
    ecs_ctx_free(ctx);
    return 0;
}
