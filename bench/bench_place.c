/*
 * bench_place: placements per second through the public placement engine
 * (include/ecs/place.h), and its memory per instance and per task.
 *
 * A cluster of N instances over three availability zones, mixed types
 * (half m5.large 2048 CPU / 7680 MiB, a quarter each c5.xlarge 4096/7500
 * and r5.large 2048/15872), each with the built-in attributes
 * ecs.availability-zone and ecs.instance-type and two custom ones. Then
 * T tasks of 32 CPU / 128 MiB are placed in batches (each task recorded
 * under its own id, as a control plane would), for each case:
 *
 *   random       no strategy (random)
 *   binpack      binpack(memory)
 *   spread+bp    spread(attribute:ecs.availability-zone), binpack(memory),
 *                memberOf "attribute:ecs.instance-type =~ m5.*"
 *   distinct     spread(instanceId) with distinctInstance, one group, and
 *                fewer tasks than instances so that it stays feasible: 80% of
 *                the smaller cluster's size, at both sizes (same work)
 *   distinct/g   the same with T tasks in groups of N/2 (a new group, and
 *                so a new index, every N/2 tasks; its builds are timed)
 *
 * at N = 5,000 and N = 50,000 (T = 100,000 both times), and prints the
 * ratio of the cost of one placement at 50k to that at 5k. Memory comes
 * from a counting allocator passed through ecs_ctx_options.allocator:
 * engine bytes per instance (instances and attributes), index bytes per
 * instance (the cached view the case builds), bytes per recorded task.
 *
 * Each case runs --reps times (default 3) on a fresh engine; the fastest
 * run is reported (the machine is shared; the best run is the least
 * disturbed one).
 *
 * Usage: bench_place [--quick] [--batch N] [--tasks T] [--only CASE] [--instances N]
 *                    [--reps R]
 *   --quick      small sizes (smoke test): 500 / 5,000 instances, 5,000 tasks
 *   --only       one case: random, binpack, spread or distinct
 *   --instances  one cluster size instead of both
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ecs/ecs.h"

#if !defined(ECS_BENCH_BUILD_TYPE)
#define ECS_BENCH_BUILD_TYPE "unknown"
#endif
#if !defined(ECS_BENCH_C_FLAGS)
#define ECS_BENCH_C_FLAGS ""
#endif

#if defined(__GNUC__) || defined(__clang__)
#define BENCH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BENCH_NORETURN __attribute__((noreturn))
#else
#define BENCH_PRINTF(f, a)
#define BENCH_NORETURN
#endif

static void die(const char *fmt, ...) BENCH_PRINTF(1, 2) BENCH_NORETURN;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_place: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        die("clock_gettime failed");
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------------ */
/* Counting allocator                                                        */

typedef struct counter {
    size_t live, peak;
} counter;

static void *c_alloc(void *user, size_t size)
{
    counter *c = user;
    void *p = malloc(size);
    if (p != NULL) {
        c->live += size;
        if (c->live > c->peak)
            c->peak = c->live;
    }
    return p;
}

static void *c_resize(void *user, void *ptr, size_t old_size, size_t new_size)
{
    counter *c = user;
    void *p = realloc(ptr, new_size);
    if (p != NULL) {
        c->live = c->live - old_size + new_size;
        if (c->live > c->peak)
            c->peak = c->live;
    }
    return p;
}

static void c_release(void *user, void *ptr, size_t size)
{
    counter *c = user;
    c->live -= size;
    free(ptr);
}

/* ------------------------------------------------------------------------ */
/* Cases                                                                     */

enum { CASE_RANDOM, CASE_BINPACK, CASE_SPREAD, CASE_DISTINCT, CASE_GROUPS, NCASES };

static const char *const case_names[NCASES] = {"random", "binpack(memory)",
                                               "spread(az)+binpack+memberOf", "spread(id)+distinct",
                                               "spread(id)+distinct, groups"};

typedef struct result {
    double per_sec;    /* placements per second */
    double ns_per;     /* nanoseconds per placement */
    double inst_bytes; /* engine bytes per instance */
    double view_bytes; /* cached index bytes per instance */
    double task_bytes; /* bytes per recorded task */
    size_t failed;
    size_t ntasks;
} result;

static const char *const zones[3] = {"us-east-1a", "us-east-1b", "us-east-1c"};

static void add_instances(ecs_place *e, ecs_ctx *ctx, size_t n)
{
    size_t i;
    char id[96], ec2[40];

    for (i = 0; i < n; i++) {
        ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
        const char *type;
        uint16_t reserved[] = {22, 2375, 2376, 51678, 51679};
        size_t kind = i % 4; /* m5, c5, m5, r5 */
        int idlen = snprintf(
            id, sizeof id, "arn:aws:ecs:us-east-1:123456789012:container-instance/bench/%08zx", i);
        int ec2len = snprintf(ec2, sizeof ec2, "i-%017zx", i);

        in.id = id;
        in.id_len = (size_t)idlen;
        in.ec2_instance_id = ec2;
        in.ec2_instance_id_len = (size_t)ec2len;
        in.agent_version = "1.70.0";
        in.agent_version_len = 6;
        in.registered_at_ms = 1700000000000;
        in.eni_slots = 2;
        in.reserved_tcp = reserved;
        in.nreserved_tcp = 5;
        if (kind == 1) {
            type = "c5.xlarge";
            in.cpu = 4096;
            in.memory_mib = 7500;
        } else if (kind == 3) {
            type = "r5.large";
            in.cpu = 2048;
            in.memory_mib = 15872;
        } else {
            type = "m5.large";
            in.cpu = 2048;
            in.memory_mib = 7680;
        }
        if (ecs_place_set_instance(e, &in) != ECS_OK ||
            ecs_place_set_attribute(e, id, (size_t)idlen, "ecs.availability-zone", 21, zones[i % 3],
                                    strlen(zones[i % 3])) != ECS_OK ||
            ecs_place_set_attribute(e, id, (size_t)idlen, "ecs.instance-type", 17, type,
                                    strlen(type)) != ECS_OK ||
            ecs_place_set_attribute(e, id, (size_t)idlen, "stack", 5, (i % 5) ? "prod" : "dev",
                                    (i % 5) ? 4 : 3) != ECS_OK ||
            ecs_place_set_attribute(e, id, (size_t)idlen, "team", 4, "team-7", 6) != ECS_OK)
            die("adding instance %zu: %s", i, ecs_ctx_errmsg(ctx));
    }
}

static void run_case(int c, size_t ninst, size_t ntasks, size_t distinct_tasks, size_t batch,
                     result *out)
{
    counter cnt = {0, 0};
    ecs_allocator a = {c_alloc, c_resize, c_release, NULL};
    ecs_ctx_options co = ECS_CTX_OPTIONS_INIT;
    ecs_place_options po = ECS_PLACE_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_place *e = NULL;
    ecs_place_strategy strat[2];
    const char *expr[] = {"attribute:ecs.instance-type =~ m5.*"};
    size_t expr_len[] = {35};
    ecs_place_request r = ECS_PLACE_REQUEST_INIT;
    char group[48];
    char *idbuf;
    const char **ids;
    size_t *lens;
    size_t before, after_inst, after_view, done = 0, k, failed = 0;
    size_t group_size = ninst / 2 > 0 ? ninst / 2 : 1;

    if (c == CASE_DISTINCT)
        ntasks = distinct_tasks < ntasks ? distinct_tasks : ntasks;
    double t0, t = 0;

    a.user = &cnt;
    co.allocator = &a;
    po.seed = 12345;
    if (ecs_ctx_new(&co, &ctx) != ECS_OK || ecs_place_new(ctx, &po, &e) != ECS_OK)
        die("setup failed");
    before = cnt.live;
    add_instances(e, ctx, ninst);
    after_inst = cnt.live;

    r.need.cpu = 32;
    r.need.memory_mib = 128;
    snprintf(group, sizeof group, "service:bench");
    r.need.group = group;
    r.need.group_len = strlen(group);
    switch (c) {
    case CASE_RANDOM:
        break;
    case CASE_BINPACK:
        strat[0].type = ECS_PLACE_BINPACK_MEMORY;
        strat[0].attribute = NULL;
        strat[0].attribute_len = 0;
        r.strategies = strat;
        r.nstrategies = 1;
        break;
    case CASE_SPREAD:
        strat[0].type = ECS_PLACE_SPREAD_ATTRIBUTE;
        strat[0].attribute = "ecs.availability-zone";
        strat[0].attribute_len = 21;
        strat[1].type = ECS_PLACE_BINPACK_MEMORY;
        strat[1].attribute = NULL;
        strat[1].attribute_len = 0;
        r.strategies = strat;
        r.nstrategies = 2;
        r.member_of = expr;
        r.member_of_lens = expr_len;
        r.nmember_of = 1;
        break;
    default:
        strat[0].type = ECS_PLACE_SPREAD_INSTANCE;
        strat[0].attribute = NULL;
        strat[0].attribute_len = 0;
        r.strategies = strat;
        r.nstrategies = 1;
        r.distinct_instance = true;
        break;
    }

    /* A dry run first builds the case's index, so that its memory can be
     * told apart from the tasks'. Not timed. */
    r.count = 4;
    r.dry_run = true;
    {
        ecs_place_result *res = NULL;
        if (ecs_place_tasks(e, &r, &res) != ECS_OK)
            die("dry run: %s", ecs_ctx_errmsg(ctx));
        ecs_place_result_free(res);
    }
    r.dry_run = false;
    after_view = cnt.live;

    idbuf = malloc(batch * 24);
    ids = malloc(batch * sizeof *ids);
    lens = malloc(batch * sizeof *lens);
    if (idbuf == NULL || ids == NULL || lens == NULL)
        die("out of memory");
    while (done < ntasks) {
        ecs_place_result *res = NULL;
        size_t n = ntasks - done < batch ? ntasks - done : batch;
        ecs_status rc;

        if (c == CASE_GROUPS) {
            /* a new group every ninst/2 tasks; a batch stays in one group */
            size_t gi = done / group_size, left = group_size - done % group_size;
            snprintf(group, sizeof group, "service:bench-%zu", gi);
            r.need.group_len = strlen(group);
            if (n > left)
                n = left;
        }
        for (k = 0; k < n; k++) {
            int len = snprintf(idbuf + k * 24, 24, "task-%zu", done + k);
            ids[k] = idbuf + k * 24;
            lens[k] = (size_t)len;
        }
        r.count = (uint32_t)n;
        r.task_ids = ids;
        r.task_id_lens = lens;
        t0 = now_s();
        rc = ecs_place_tasks(e, &r, &res);
        t += now_s() - t0;
        if (rc != ECS_OK)
            die("%s: %s", case_names[c], ecs_ctx_errmsg(ctx));
        for (k = 0; k < n; k++) {
            ecs_place_outcome o;
            if (ecs_place_result_get(res, k, &o) != ECS_OK)
                die("result");
            if (o.reason != ECS_PLACE_OK)
                failed++;
        }
        ecs_place_result_free(res);
        done += n;
    }
    out->ntasks = ntasks;
    out->per_sec = (double)ntasks / t;
    out->ns_per = t * 1e9 / (double)ntasks;
    out->inst_bytes = (double)(after_inst - before) / (double)ninst;
    out->view_bytes = (double)(after_view - after_inst) / (double)ninst;
    out->task_bytes = (double)(cnt.live - after_view) / (double)(ntasks - failed);
    out->failed = failed;
    free(idbuf);
    free(ids);
    free(lens);
    ecs_place_free(e);
    ecs_ctx_free(ctx);
    if (cnt.live != 0)
        die("leak: %zu bytes", cnt.live);
}

int main(int argc, char **argv)
{
    size_t small = 5000, large = 50000, ntasks = 100000, batch = 100, only_n = 0, reps = 3, rep;
    result res[2][NCASES];
    int i, c, only = -1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            small = 500;
            large = 5000;
            ntasks = 5000;
            reps = 1;
        } else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
            batch = (size_t)strtoul(argv[++i], NULL, 10);
            if (batch == 0 || batch > ECS_PLACE_MAX_COUNT)
                die("--batch must be 1..%d", ECS_PLACE_MAX_COUNT);
        } else if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc) {
            ntasks = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = (size_t)strtoul(argv[++i], NULL, 10);
            if (reps == 0)
                die("--reps must be positive");
        } else if (strcmp(argv[i], "--instances") == 0 && i + 1 < argc) {
            only_n = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            const char *w = argv[++i];
            only = strcmp(w, "random") == 0     ? CASE_RANDOM
                   : strcmp(w, "binpack") == 0  ? CASE_BINPACK
                   : strcmp(w, "spread") == 0   ? CASE_SPREAD
                   : strcmp(w, "distinct") == 0 ? CASE_DISTINCT
                   : strcmp(w, "groups") == 0   ? CASE_GROUPS
                                                : -2;
            if (only == -2)
                die("--only random|binpack|spread|distinct|groups");
        } else {
            die("usage: bench_place [--quick] [--batch N] [--tasks T] [--only CASE] "
                "[--instances N] [--reps R]");
        }
    }
    printf("bench_place: build %s, flags \"%s\"\n", ECS_BENCH_BUILD_TYPE, ECS_BENCH_C_FLAGS);
    printf("tasks of 32 CPU / 128 MiB in batches of %zu, each recorded with its id; "
           "best of %zu runs\n\n",
           batch, reps);
    if (ntasks == 0)
        die("--tasks must be positive");
    for (i = 0; i < 2; i++) {
        size_t n = i == 0 ? small : large;
        if (only_n != 0) {
            if (i == 1)
                break;
            n = only_n;
        }
        printf("%zu instances\n", n);
        printf("  %-28s %8s %13s %9s %8s %9s %7s %6s\n", "case", "tasks", "placements/s",
               "ns/place", "B/inst", "index B/i", "B/task", "failed");
        for (c = 0; c < NCASES; c++) {
            result *r = &res[i][c];
            if (only >= 0 && c != only)
                continue;
            for (rep = 0; rep < reps; rep++) {
                result one;
                run_case(c, n, ntasks, only_n ? only_n * 8 / 10 : small * 8 / 10, batch, &one);
                if (rep == 0 || one.ns_per < r->ns_per)
                    *r = one;
            }
            printf("  %-28s %8zu %13.0f %9.1f %8.1f %9.1f %7.1f %6zu\n", case_names[c], r->ntasks,
                   r->per_sec, r->ns_per, r->inst_bytes, r->view_bytes, r->task_bytes, r->failed);
            fflush(stdout);
        }
        printf("\n");
    }
    if (only_n != 0)
        return 0;
    printf("cost of one placement, %zu vs %zu instances\n", large, small);
    for (c = 0; c < NCASES; c++)
        if (only < 0 || c == only)
            printf("  %-28s %6.2fx\n", case_names[c], res[1][c].ns_per / res[0][c].ns_per);
    return 0;
}
