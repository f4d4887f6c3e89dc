/*
 * Snapshot and restore: a restored plane behaves exactly like the original
 * (the rest of a scenario gives byte-identical answers on both), a snapshot
 * of a restored plane is the snapshot it came from, and damaged or foreign
 * snapshots are refused with ECS_E_PARSE naming the member, with nothing
 * made and nothing leaked, also when memory runs out half-way.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_util.h"

/* The calls of the shipped examples: {"action":..., "request":...} lines. */
typedef struct script {
    char **actions, **requests;
    size_t n;
} script;

static void script_add_file(script *s, ecs_ctx *ctx, const char *path)
{
    size_t len;
    char *text = test_read_file(path, &len);
    char *line = text;
    assert_non_null(text);
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        ecs_json_doc *doc;
        if (nl != NULL)
            *nl = '\0';
        if (line[0] != '#' && line[0] != '\0' &&
            ecs_json_parse(ctx, line, strlen(line), NULL, &doc) == ECS_OK) {
            const ecs_json_val *root = ecs_json_root(doc);
            size_t al;
            const char *a = ecs_json_str(doc, ecs_json_obj_get(doc, root, "action", 6), &al);
            const ecs_json_val *req = ecs_json_obj_get(doc, root, "request", 7);
            char *rt = NULL;
            size_t rl = 0;
            s->actions = realloc(s->actions, (s->n + 1) * sizeof(char *));
            s->requests = realloc(s->requests, (s->n + 1) * sizeof(char *));
            s->actions[s->n] = strndup(a, al);
            if (req != NULL && ecs_json_write_text(ctx, doc, req, 0, &rt, &rl) == ECS_OK) {
                s->requests[s->n] = strndup(rt, rl);
                ecs_json_text_free(ctx, rt, rl);
            } else {
                s->requests[s->n] = strdup("{}");
            }
            s->n++;
            ecs_json_doc_free(doc);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(text);
}

static void script_free(script *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->actions[i]);
        free(s->requests[i]);
    }
    free(s->actions);
    free(s->requests);
}

/* Run call i; returns a malloc'd copy of the answer. */
static char *run(ecs_plane *pl, const script *s, size_t i)
{
    const char *out = NULL;
    size_t len = 0;
    char *copy;
    if (strcmp(s->actions[i], "AdvanceTime") == 0) {
        /* {"seconds": N}: the step's orders are part of the answer */
        const char *sec = strstr(s->requests[i], "\"seconds\":");
        long long n = sec != NULL ? atoll(sec + 10) : 60;
        const ecs_plane_order *orders = NULL;
        size_t norders = 0, used;
        char *buf = malloc(64 + 400 * 64);
        ecs_plane_step(pl, ecs_plane_now_ms(pl) + n * 1000, &orders, &norders);
        used = (size_t)snprintf(buf, 64, "time %lld:", (long long)ecs_plane_now_ms(pl));
        for (size_t k = 0; k < norders && k < 64; k++)
            used += (size_t)snprintf(buf + used, 400, " %d %s %s", (int)orders[k].kind, orders[k].task_arn,
                                     orders[k].target_id != NULL ? orders[k].target_id : "-");
        return buf;
    }
    ecs_plane_call(pl, s->actions[i], strlen(s->actions[i]), s->requests[i], strlen(s->requests[i]),
                   &out, &len);
    copy = malloc(len + 1);
    memcpy(copy, out != NULL ? out : "", len);
    copy[len] = '\0';
    return copy;
}

static void load_examples(script *s, ecs_ctx *ctx)
{
    script_add_file(s, ctx, ECS_SOURCE_DIR "/examples/quickstart.jsonl");
    script_add_file(s, ctx, ECS_SOURCE_DIR "/examples/placement.jsonl");
    script_add_file(s, ctx, ECS_SOURCE_DIR "/examples/services.jsonl");
    script_add_file(s, ctx, ECS_SOURCE_DIR "/examples/deployments.jsonl");
    script_add_file(s, ctx, ECS_SOURCE_DIR "/examples/capacity.jsonl");
    /* more placements after the halfway point, random ones included */
    {
        static const char *const extra[][2] = {
            { "RunTask", "{\"cluster\":\"prod\",\"taskDefinition\":\"web\",\"count\":5,\"placementStrategy\":[{\"type\":\"random\"}]}" },
            { "RunTask", "{\"cluster\":\"prod\",\"taskDefinition\":\"web\",\"count\":4}" },
            { "RunTask", "{\"cluster\":\"prod\",\"taskDefinition\":\"web\",\"count\":3,\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]}" },
            { "RunTask", "{\"cluster\":\"prod\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\",\"count\":3,\"clientToken\":\"t-1\",\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-0a1\",\"subnet-0b2\"]}}}" },
            { "RunTask", "{\"cluster\":\"prod\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\",\"count\":3,\"clientToken\":\"t-1\",\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-0a1\",\"subnet-0b2\"]}}}" },
            { "ListTasks", "{\"cluster\":\"prod\",\"maxResults\":7}" },
            { "RegisterContainerInstance", "{\"cluster\":\"prod\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":1024},{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":2048}]}" },
            { "DescribeClusters", "{\"clusters\":[\"prod\",\"demo\"],\"include\":[\"TAGS\",\"SETTINGS\"]}" },
        };
        for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
            s->actions = realloc(s->actions, (s->n + 1) * sizeof(char *));
            s->requests = realloc(s->requests, (s->n + 1) * sizeof(char *));
            s->actions[s->n] = strdup(extra[i][0]);
            s->requests[s->n] = strdup(extra[i][1]);
            s->n++;
        }
    }
}

/* Run the script on a plane up to call `cut`, snapshot, restore, run the
 * rest on both and compare every answer and the final states. */
static void restore_at(ecs_ctx *ctx, script *s, uint32_t flags, size_t cut)
{
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    ecs_plane *a, *b = NULL;
    const char *snap;
    size_t snap_len;
    o.seed = 1234;
    o.flags = flags;
    assert_int_equal(ecs_plane_new(ctx, &o, &a), ECS_OK);
    for (size_t i = 0; i <= cut; i++)
        free(run(a, s, i));
    assert_int_equal(ecs_plane_snapshot(a, &snap, &snap_len), ECS_OK);
    assert_int_equal(ecs_plane_restore(ctx, snap, snap_len, &b), ECS_OK);
    for (size_t i = cut + 1; i < s->n; i++) {
        char *ra = run(a, s, i), *rb = run(b, s, i);
        if (strcmp(ra, rb) != 0)
            fail_msg("flags %u, cut after call %zu: call %zu (%s) answers differently after "
                     "restore:\n%.300s\n%.300s", (unsigned)flags, cut, i, s->actions[i], ra, rb);
        free(ra);
        free(rb);
    }
    {
        const char *da, *db;
        size_t la, lb;
        char *copy;
        assert_int_equal(ecs_plane_dump(a, &da, &la), ECS_OK);
        copy = strndup(da, la);
        assert_int_equal(ecs_plane_dump(b, &db, &lb), ECS_OK);
        assert_string_equal(copy, db);
        free(copy);
    }
    ecs_plane_free(a);
    ecs_plane_free(b);
}

static size_t nth_call(const script *s, const char *action, size_t nth)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->actions[i], action) == 0 && nth-- == 0)
            return i;
    }
    fail_msg("the script has no call %s number %zu", action, nth);
    return 0;
}

/* Cut points: the first placement; a service scaled out with an instance
 * about to drain; a rollout under way behind a load balancer (targets
 * draining); a rollout that is about to trip the circuit breaker. Both with
 * and without simulated agents. */
static void test_snapshot__restored_plane_answers_like_the_original(void **state)
{
    ecs_ctx *ctx = test_ctx_new(NULL);
    script s = { NULL, NULL, 0 };
    size_t cuts[6];
    (void)state;
    load_examples(&s, ctx);
    assert_true(s.n > 40);
    cuts[0] = nth_call(&s, "RunTask", 0);
    cuts[1] = nth_call(&s, "UpdateContainerInstancesState", 0);
    cuts[2] = nth_call(&s, "UpdateService", 2);     /* deployments: v2 rolls out */
    cuts[3] = cuts[2] + 1;                          /* ... and time passes */
    cuts[4] = nth_call(&s, "UpdateService", 3);     /* v3, which fails */
    cuts[5] = nth_call(&s, "CreateService", 4);     /* capacity providers */
    for (uint32_t flags = 0; flags <= ECS_PLANE_F_SIMULATED_AGENTS; flags += ECS_PLANE_F_SIMULATED_AGENTS) {
        for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
            restore_at(ctx, &s, flags, cuts[k]);
    }
    script_free(&s);
    ecs_ctx_free(ctx);
}

static void test_snapshot__snapshot_of_restored_is_identical(void **state)
{
    ecs_ctx *ctx = test_ctx_new(NULL);
    ecs_plane *a, *b;
    script s = { NULL, NULL, 0 };
    const char *snap, *snap2;
    size_t l1, l2;
    char *copy;
    (void)state;
    load_examples(&s, ctx);
    {
        ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
        o.flags = ECS_PLANE_F_SIMULATED_AGENTS;
        assert_int_equal(ecs_plane_new(ctx, &o, &a), ECS_OK);
    }
    for (size_t i = 0; i < s.n; i++) {
        free(run(a, &s, i));
        if (strcmp(s.actions[i], "UpdateService") == 0 && strstr(s.requests[i], "checkout:2") != NULL) {
            /* mid-rollout: new targets registered, old ones draining */
            assert_int_equal(ecs_plane_set_time(a, ecs_plane_now_ms(a) + 8000), ECS_OK);
            break;
        }
    }
    assert_int_equal(ecs_plane_snapshot(a, &snap, &l1), ECS_OK);
    copy = strndup(snap, l1);
    assert_int_equal(ecs_plane_restore(ctx, copy, l1, &b), ECS_OK);
    assert_int_equal(ecs_plane_snapshot(b, &snap2, &l2), ECS_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(copy, snap2, l1);
    free(copy);
    ecs_plane_free(a);
    ecs_plane_free(b);
    script_free(&s);
    ecs_ctx_free(ctx);
}

/* Take a good snapshot, damage it with a replacement, expect ECS_E_PARSE. */
static void expect_refused(ecs_ctx *ctx, test_alloc *ta, const char *good, const char *from,
                           const char *to, const char *needle)
{
    const char *at = strstr(good, from);
    size_t n = strlen(good) + strlen(to) + 1;
    char *bad = malloc(n);
    ecs_plane *pl = (ecs_plane *)(uintptr_t)1;
    size_t live = ta->live_blocks;
    ecs_status rc;
    if (at == NULL)
        fail_msg("'%s' is not in the snapshot", from);
    snprintf(bad, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    rc = ecs_plane_restore(ctx, bad, strlen(bad), &pl);
    if (rc != ECS_E_PARSE)
        fail_msg("replacing '%s' by '%s': %s (%s)", from, to, ecs_status_str(rc), ecs_ctx_errmsg(ctx));
    assert_ptr_equal(pl, (ecs_plane *)(uintptr_t)1);
    if (needle != NULL && strstr(ecs_ctx_errmsg(ctx), needle) == NULL)
        fail_msg("message '%s' does not mention '%s'", ecs_ctx_errmsg(ctx), needle);
    assert_int_equal(ta->live_blocks, live);
    free(bad);
}

static void test_snapshot__damaged_or_foreign_snapshots_are_refused(void **state)
{
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *a;
    script s = { NULL, NULL, 0 };
    const char *snap;
    size_t len;
    char *good;
    ecs_plane *pl = NULL;
    (void)state;
    test_alloc_init(&ta);
    ctx = test_ctx_new(&ta);
    load_examples(&s, ctx);
    {
        ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
        o.flags = ECS_PLANE_F_SIMULATED_AGENTS;
        assert_int_equal(ecs_plane_new(ctx, &o, &a), ECS_OK);
    }
    for (size_t i = 0; i < s.n; i++) {
        free(run(a, &s, i));
        if (strcmp(s.actions[i], "UpdateService") == 0 && strstr(s.requests[i], "checkout:2") != NULL) {
            /* mid-rollout: new targets registered, old ones draining */
            assert_int_equal(ecs_plane_set_time(a, ecs_plane_now_ms(a) + 8000), ECS_OK);
            break;
        }
    }
    assert_int_equal(ecs_plane_snapshot(a, &snap, &len), ECS_OK);
    good = strndup(snap, len);
    expect_refused(ctx, &ta, good, "libecs-snapshot", "other-snapshot", "format");
    expect_refused(ctx, &ta, good, "\"version\":2", "\"version\":99", "version");
    expect_refused(ctx, &ta, good, "\"version\":2", "\"version\":1", "version 1 is not read");
    expect_refused(ctx, &ta, good, "\"clusters\":[", "\"clusters\":7,\"x\":[", "clusters");
    expect_refused(ctx, &ta, good, "\"cpu\":2048", "\"cpu\":-5", "cpu");
    /* a task: ["id","web",REVISION,"instance id",...] */
    {
        const char *t = strstr(good, "\",\"web\",");
        char from[32], to[40];
        int rev;
        assert_non_null(t);
        rev = atoi(t + 8);
        snprintf(from, sizeof from, "\",\"web\",%d,\"", rev);
        snprintf(to, sizeof to, "\",\"nope\",%d,\"", rev);
        expect_refused(ctx, &ta, good, from, to, "family");
        snprintf(to, sizeof to, "\",\"web\",%d,\"", rev + 50);
        expect_refused(ctx, &ta, good, from, to, "revision");
        snprintf(to, sizeof to, "\",\"web\",%d,\"0", rev);
        expect_refused(ctx, &ta, good, from, to, "instance");
        snprintf(to, sizeof to, "\",\"web\",\"%d\",\"", rev);
        expect_refused(ctx, &ta, good, from, to, "revision");
    }
    expect_refused(ctx, &ta, good, "\"rng\":[\"", "\"rng\":[\"zz", NULL);
    /* states the placement engine or the planner would refuse later, which
     * would stop every step (found by fuzz/fuzz_snapshot.c) */
    expect_refused(ctx, &ta, good, "\"min\":100,\"max\":200", "\"min\":101,\"max\":200", "minimumHealthyPercent");
    expect_refused(ctx, &ta, good, "\"min\":100,\"max\":200", "\"min\":100,\"max\":99", "maximumPercent");
    expect_refused(ctx, &ta, good, "[\"ecs.os-type\",\"linux\",1]", "[\"\",\"linux\",1]", "attribute name");
    expect_refused(ctx, &ta, good, "[\"ecs.os-type\",\"linux\",1]", "[\"ecs os-type\",\"linux\",1]", "attribute name");
    expect_refused(ctx, &ta, good, "\"def\":{\"family\":\"web\"", "\"def\":{\"family\":\"bad name\"", "def");
    /* truncated at many points: never accepted, never leaked */
    for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
        size_t live = ta.live_blocks;
        assert_int_equal(ecs_plane_restore(ctx, good, cut, &pl), ECS_E_PARSE);
        assert_null(pl);
        assert_int_equal(ta.live_blocks, live);
    }
    assert_int_equal(ecs_plane_restore(ctx, "{}", 2, &pl), ECS_E_PARSE);
    assert_int_equal(ecs_plane_restore(ctx, NULL, 0, &pl), ECS_E_PARSE);
    assert_int_equal(ecs_plane_restore(ctx, good, len, NULL), ECS_E_INVALID_ARG);
    free(good);
    ecs_plane_free(a);
    script_free(&s);
    test_ctx_free_check(ctx, &ta);
}

/* Host ports in a snapshot: two live tasks may not hold one port, nor a
 * task a port its instance reserves; and an instance running more tasks
 * with dynamic ports than the static-port limit restores and goes on
 * placing (its placement engine is rebuilt from the restored tasks). */
static void test_snapshot__host_ports(void **state)
{
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *a, *b = NULL;
    const char *snap, *snap2, *out;
    size_t len, len2, olen;
    char *good, *copy;
    static const char run1[] = "{\"cluster\":\"c\",\"taskDefinition\":\"d\",\"count\":10}";
    (void)state;
    test_alloc_init(&ta);
    ctx = test_ctx_new(&ta);
    assert_int_equal(ecs_plane_new(ctx, NULL, &a), ECS_OK);
#define CALL(pl, action, req)                                                                      \
    assert_int_equal(ecs_plane_call(pl, action, strlen(action), req, strlen(req), &out, &olen), ECS_OK)
    CALL(a, "CreateCluster", "{\"clusterName\":\"c\"}");
    CALL(a, "RegisterContainerInstance",
         "{\"cluster\":\"c\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-1\\\","
         "\\\"availabilityZone\\\":\\\"az1\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
         "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":4096},"
         "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":16000}]}");
    CALL(a, "RegisterTaskDefinition",
         "{\"family\":\"d\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"x\",\"cpu\":16,"
         "\"memory\":32,\"portMappings\":[{\"containerPort\":80,\"hostPort\":0}]}]}");
    for (int k = 0; k < 12; k++)
        CALL(a, "RunTask", run1);
    assert_null(strstr(out, "\"failures\":[{"));
    assert_int_equal(ecs_plane_snapshot(a, &snap, &len), ECS_OK);
    good = strndup(snap, len);
    assert_non_null(strstr(good, ",49153,2,0]"));
    assert_non_null(strstr(good, ",49154,2,0]"));
    expect_refused(ctx, &ta, good, ",49154,2,0]", ",49153,2,0]", "49153/tcp is held twice");
    expect_refused(ctx, &ta, good, "\"tcp\":[22,2375,2376,51678,51679]", "\"tcp\":[22,2375,2376,51678,49153]",
                   "49153/tcp is held twice");
    expect_refused(ctx, &ta, good, ",49153,2,0]", ",0,2,0]", "no host port");
    /* 120 tasks with a dynamic port each on one instance */
    assert_int_equal(ecs_plane_restore(ctx, good, len, &b), ECS_OK);
    CALL(b, "RunTask", run1);
    CALL(a, "RunTask", run1);
    assert_int_equal(ecs_plane_snapshot(a, &snap, &len), ECS_OK);
    copy = strndup(snap, len);
    assert_int_equal(ecs_plane_snapshot(b, &snap2, &len2), ECS_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(copy, snap2, len);
#undef CALL
    free(copy);
    free(good);
    ecs_plane_free(a);
    ecs_plane_free(b);
    test_ctx_free_check(ctx, &ta);
}

static void test_snapshot__restore_under_oom_leaks_nothing(void **state)
{
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *a, *b = NULL;
    script s = { NULL, NULL, 0 };
    const char *snap;
    size_t len, n;
    char *good;
    (void)state;
    test_alloc_init(&ta);
    ctx = test_ctx_new(&ta);
    load_examples(&s, ctx);
    assert_int_equal(ecs_plane_new(ctx, NULL, &a), ECS_OK);
    for (size_t i = 0; i < s.n && i < 30; i++)
        free(run(a, &s, i));
    assert_int_equal(ecs_plane_snapshot(a, &snap, &len), ECS_OK);
    good = strndup(snap, len);
    for (n = 1;; n++) {
        size_t live = ta.live_blocks;
        ecs_status rc;
        test_alloc_fail_at(&ta, n, false);
        rc = ecs_plane_restore(ctx, good, len, &b);
        test_alloc_fail_at(&ta, 0, false);
        if (rc == ECS_OK)
            break;
        if (rc != ECS_E_NOMEM)
            fail_msg("allocation %zu refused: %s (%s)", n, ecs_status_str(rc), ecs_ctx_errmsg(ctx));
        assert_null(b);
        assert_int_equal(ta.live_blocks, live);
        assert_true(n < 200000);
    }
    print_message("restore checked with each of %zu allocations refused\n", n - 1);
    ecs_plane_free(b);
    ecs_plane_free(a);
    free(good);
    script_free(&s);
    test_ctx_free_check(ctx, &ta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot__restored_plane_answers_like_the_original),
        cmocka_unit_test(test_snapshot__snapshot_of_restored_is_identical),
        cmocka_unit_test(test_snapshot__damaged_or_foreign_snapshots_are_refused),
        cmocka_unit_test(test_snapshot__host_ports),
        cmocka_unit_test(test_snapshot__restore_under_oom_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
