/*
 * libFuzzer harness for ecs_plane_restore(): the input is a snapshot
 * document. Properties (any violation aborts):
 *  - a refused document gives ECS_E_PARSE or ECS_E_INVALID_ARG (never
 *    ECS_E_NOMEM nor ECS_E_INTERNAL: nothing runs out of memory here), a
 *    message, and no plane (*out untouched); whatever restore allocated on
 *    the way is freed (AddressSanitizer's leak check, valgrind in the
 *    memcheck replay);
 *  - an accepted document gives plane P1 whose snapshot S1 is restored
 *    again into P2; P2's snapshot is S1 byte for byte (a snapshot is a
 *    fixed point of restore), and P1 and P2 have the same dump;
 *  - P1 and P2 then behave alike: both are stepped (ecs_plane_step) to
 *    1 s, 1 min and 1 h after the snapshot's nowMs (saturating at the end
 *    of time); each step gives the same status and the same orders, and
 *    after each the two snapshots and the two dumps are identical.
 * Each input gets a fresh context; all is freed. Dictionary:
 * fuzz/dict/snapshot.dict (the snapshot's member names and values at the
 * edges of the ranges restore checks). The JSON writer carries no coverage
 * instrumentation here (fuzz/snapshot_coverage.ignore): it writes 19
 * snapshots and dumps per accepted input, and its comparison tracing was
 * half the time. Build with
 * -DFUZZ_SNAPSHOT_LET_STEP_FAIL to go on fuzzing past a known step failure
 * (ecs_plane_step() may then fail, but on both planes alike).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_at(bool ok, const char *what, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_snapshot: check failed at line %d: %s\n", line, what);
        abort();
    }
}
#define check(x) check_at((x), #x, __LINE__)

/* A copy of a text the plane owns (valid only until its next call). */
typedef struct text {
    char *p;
    size_t n;
} text;

static text take(const char *p, size_t n)
{
    text t;
    t.p = malloc(n + 1);
    check(t.p != NULL);
    memcpy(t.p, p, n);
    t.p[n] = '\0';
    t.n = n;
    return t;
}

static text snapshot_of(ecs_plane *pl)
{
    const char *s = NULL;
    size_t n = 0;
    check(ecs_plane_snapshot(pl, &s, &n) == ECS_OK);
    check(s != NULL && n > 0);
    return take(s, n);
}

static text dump_of(ecs_plane *pl)
{
    const char *s = NULL;
    size_t n = 0;
    check(ecs_plane_dump(pl, &s, &n) == ECS_OK);
    check(s != NULL);
    return take(s, n);
}

/* Print where two texts first differ, then abort (what names the pair). */
static void same_at(const text *a, const text *b, const char *what, int line)
{
    size_t i = 0;
    if (a->n == b->n && memcmp(a->p, b->p, a->n) == 0)
        return;
    while (i < a->n && i < b->n && a->p[i] == b->p[i])
        i++;
    {
        size_t from = i > 80 ? i - 80 : 0;
        fprintf(stderr,
                "fuzz_snapshot: %s differ at byte %zu (lengths %zu, %zu)\n"
                "  first:  ...%.*s\n  second: ...%.*s\n",
                what, i, a->n, b->n, (int)(a->n - from > 240 ? 240 : a->n - from), a->p + from,
                (int)(b->n - from > 240 ? 240 : b->n - from), b->p + from);
    }
    check_at(false, what, line);
}
#define same(a, b, what) same_at((a), (b), (what), __LINE__)

static void text_free(text *t)
{
    free(t->p);
    t->p = NULL;
    t->n = 0;
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The planes compare alike: same snapshot, same dump. */
static void compare(ecs_plane *p1, ecs_plane *p2, const char *when)
{
    text s1 = snapshot_of(p1), s2 = snapshot_of(p2);
    text d1 = dump_of(p1), d2 = dump_of(p2);
    char what[96];
    check(ecs_plane_now_ms(p1) == ecs_plane_now_ms(p2));
    snprintf(what, sizeof what, "snapshots %s", when);
    same(&s1, &s2, what);
    snprintf(what, sizeof what, "dumps %s", when);
    same(&d1, &d2, what);
    text_free(&s1);
    text_free(&s2);
    text_free(&d1);
    text_free(&d2);
}

/* Step both planes to `to`: same status, same orders. */
static void step_both(ecs_ctx *ctx, ecs_plane *p1, ecs_plane *p2, int64_t to)
{
    const ecs_plane_order *o1 = NULL, *o2 = NULL;
    size_t n1 = 0, n2 = 0;
    int64_t from = ecs_plane_now_ms(p1);
    ecs_status r1 = ecs_plane_step(p1, to, &o1, &n1);
    /* p1's orders stay valid while p2 steps (each plane owns its own) */
    ecs_status r2 = ecs_plane_step(p2, to, &o2, &n2);
    if (r1 != ECS_OK || r2 != ECS_OK)
        fprintf(stderr, "fuzz_snapshot: step from %lld to %lld: status %d and %d (%s)\n",
                (long long)from, (long long)to, (int)r1, (int)r2,
                ecs_ctx_errmsg(ctx));
#ifndef FUZZ_SNAPSHOT_LET_STEP_FAIL
    check(r1 == ECS_OK);
#endif
    check(r1 == r2);
    check(ecs_plane_now_ms(p1) == ecs_plane_now_ms(p2));
    check(r1 != ECS_OK || ecs_plane_now_ms(p1) == to);
    if (n1 != n2)
        fprintf(stderr, "fuzz_snapshot: step to %lld: %zu orders, %zu from the copy\n",
                (long long)to, n1, n2);
    check(n1 == n2);
    check(n1 == 0 || (o1 != NULL && o2 != NULL));
    for (size_t i = 0; i < n1; i++) {
        check(o1[i].kind == o2[i].kind);
        check(str_eq(o1[i].cluster_arn, o2[i].cluster_arn));
        check(str_eq(o1[i].task_arn, o2[i].task_arn));
        check(str_eq(o1[i].container_instance_arn, o2[i].container_instance_arn));
        check(str_eq(o1[i].target_group_arn, o2[i].target_group_arn));
        check(str_eq(o1[i].target_id, o2[i].target_id));
        check(o1[i].target_port == o2[i].target_port);
    }
}

static int64_t later(int64_t t, int64_t dt)
{
    return t > INT64_MAX - dt ? INT64_MAX : t + dt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t k_steps[] = { 1000, 60000, 3600000 };
    ecs_ctx *ctx = NULL;
    ecs_plane *p1 = NULL, *p2 = NULL;
    ecs_status rc;
    text s1, s1b, s2;
    int64_t t0;

    check(ecs_ctx_new(NULL, &ctx) == ECS_OK);
    rc = ecs_plane_restore(ctx, (const char *)data, size, &p1);
    if (rc != ECS_OK) {
        check(p1 == NULL);
        check(rc == ECS_E_PARSE || rc == ECS_E_INVALID_ARG);
        check(ecs_ctx_errcode(ctx) == rc);
        check(ecs_ctx_errmsg(ctx)[0] != '\0');
        ecs_ctx_free(ctx);
        return 0;
    }
    check(p1 != NULL);
    s1 = snapshot_of(p1);
    /* taking a snapshot changes nothing */
    s1b = snapshot_of(p1);
    same(&s1, &s1b, "two snapshots of one plane");
    text_free(&s1b);
    rc = ecs_plane_restore(ctx, s1.p, s1.n, &p2);
    if (rc != ECS_OK)
        fprintf(stderr, "fuzz_snapshot: restoring the restored plane's snapshot failed: %s\n",
                ecs_ctx_errmsg(ctx));
    check(rc == ECS_OK && p2 != NULL);
    s2 = snapshot_of(p2);
    same(&s1, &s2, "snapshot of the restored plane and of its copy");
    text_free(&s2);
    compare(p1, p2, "after restore");

    t0 = ecs_plane_now_ms(p1);
    for (size_t i = 0; i < sizeof k_steps / sizeof k_steps[0]; i++) {
        char when[64];
        int64_t to = later(t0, k_steps[i]);
        step_both(ctx, p1, p2, to);
        snprintf(when, sizeof when, "after a step to nowMs + %lld ms", (long long)k_steps[i]);
        compare(p1, p2, when);
    }
    text_free(&s1);
    ecs_plane_free(p1);
    ecs_plane_free(p2);
    ecs_ctx_free(ctx);
    return 0;
}
