/*
 * Tests of the placement engine (include/ecs/place.h): each strategy and
 * the spec's chained examples, every failure reason, host ports (static,
 * reserved, the 100-port limit, dynamic assignment), ENI slots, draining
 * instances, distinctInstance and memberOf (task:group and
 * runningTasksCount as tasks arrive), dry runs, task bookkeeping,
 * explanations, an allocation-failure sweep and misuse. Most cases run
 * twice: through the cached views (the fast paths) and through the full
 * scan, and the cached views are cross-checked against a rebuild.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "place/place_internal.h"
#include "test_alloc.h"
#include "test_util.h"

#define S(lit) (lit), (sizeof(lit) - 1u)

typedef struct fixture {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_place *e;
    ecs_pl_mode mode;
} fixture;

static int setup_mode(void **state, ecs_pl_mode mode)
{
    fixture *f = calloc(1, sizeof *f);
    ecs_place_options o = ECS_PLACE_OPTIONS_INIT;

    if (f == NULL)
        return -1;
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    o.seed = 42;
    if (ecs_place_new(f->ctx, &o, &f->e) != ECS_OK)
        return -1;
    f->mode = mode;
    ecs_place__set_mode(f->e, mode);
    *state = f;
    return 0;
}

static int setup_fast(void **state)
{
    return setup_mode(state, ECS_PL_MODE_FAST);
}

static int setup_general(void **state)
{
    return setup_mode(state, ECS_PL_MODE_GENERAL);
}

static int teardown(void **state)
{
    fixture *f = *state;

    assert_true(ecs_place__views_check(f->e));
    ecs_place_free(f->e);
    test_ctx_free_check(f->ctx, &f->ta);
    free(f);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static void add_inst_full(ecs_place *e, const char *id, uint32_t cpu, uint32_t mem, const char *az,
                          bool active, bool agent)
{
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    in.id = id;
    in.id_len = strlen(id);
    in.cpu = cpu;
    in.memory_mib = mem;
    in.eni_slots = 3;
    in.active = active;
    in.agent_connected = agent;
    assert_int_equal(ecs_place_set_instance(e, &in), ECS_OK);
    if (az != NULL)
        assert_int_equal(
            ecs_place_set_attribute(e, id, strlen(id), S("ecs.availability-zone"), az, strlen(az)),
            ECS_OK);
}

static void add_inst(ecs_place *e, const char *id, uint32_t cpu, uint32_t mem, const char *az)
{
    add_inst_full(e, id, cpu, mem, az, true, true);
}

static void set_attr(ecs_place *e, const char *id, const char *name, const char *value)
{
    assert_int_equal(ecs_place_set_attribute(e, id, strlen(id), name, strlen(name), value,
                                             value ? strlen(value) : 0),
                     ECS_OK);
}

static ecs_place_request req_new(uint32_t count, uint32_t cpu, uint32_t mem, const char *group)
{
    ecs_place_request r = ECS_PLACE_REQUEST_INIT;
    r.count = count;
    r.need.cpu = cpu;
    r.need.memory_mib = mem;
    r.need.group = group;
    r.need.group_len = group ? strlen(group) : 0;
    return r;
}

static ecs_place_result *place(fixture *f, const ecs_place_request *r)
{
    ecs_place_result *res = NULL;
    ecs_status rc = ecs_place_tasks(f->e, r, &res);
    if (rc != ECS_OK)
        print_error("ecs_place_tasks: %s: %s\n", ecs_status_str(rc), ecs_ctx_errmsg(f->ctx));
    assert_int_equal(rc, ECS_OK);
    assert_non_null(res);
    assert_true(ecs_place__views_check(f->e));
    return res;
}

static ecs_place_outcome outcome(const ecs_place_result *res, size_t i)
{
    ecs_place_outcome o;
    assert_int_equal(ecs_place_result_get(res, i, &o), ECS_OK);
    return o;
}

static bool is(const ecs_place_outcome *o, const char *id)
{
    return o->instance_id != NULL && o->instance_id_len == strlen(id) &&
           memcmp(o->instance_id, id, o->instance_id_len) == 0;
}

static void expect_at(const ecs_place_result *res, size_t i, const char *id)
{
    ecs_place_outcome o = outcome(res, i);
    if (o.reason != ECS_PLACE_OK || !is(&o, id)) {
        print_error("task %zu: want %s, got %s on %.*s (%s)\n", i, id,
                    ecs_place_reason_str(o.reason), (int)o.instance_id_len,
                    o.instance_id ? o.instance_id : "-", o.explanation ? o.explanation : "");
        fail();
    }
}

static void expect_reason(const ecs_place_result *res, size_t i, ecs_place_reason want)
{
    ecs_place_outcome o = outcome(res, i);
    if (o.reason != want) {
        print_error("task %zu: want %s, got %s (%.*s) %s\n", i, ecs_place_reason_str(want),
                    ecs_place_reason_str(o.reason), (int)o.instance_id_len,
                    o.instance_id ? o.instance_id : "-", o.explanation ? o.explanation : "");
        fail();
    }
    if (want != ECS_PLACE_OK)
        assert_non_null(o.explanation);
}

/* Place one task (recorded under id) and return where it went. */
static const char *place_one(fixture *f, ecs_place_request *r, const char *task_id, char *buf,
                             size_t cap)
{
    const char *ids[1];
    size_t lens[1];
    ecs_place_result *res;
    ecs_place_outcome o;

    ids[0] = task_id;
    lens[0] = strlen(task_id);
    r->count = 1;
    r->task_ids = ids;
    r->task_id_lens = lens;
    res = place(f, r);
    r->task_ids = NULL;
    r->task_id_lens = NULL;
    o = outcome(res, 0);
    if (o.reason == ECS_PLACE_OK)
        snprintf(buf, cap, "%.*s", (int)o.instance_id_len, o.instance_id);
    else
        snprintf(buf, cap, "!%s", ecs_place_reason_str(o.reason));
    ecs_place_result_free(res);
    return buf;
}

static uint32_t rem_mem(fixture *f, const char *id)
{
    uint32_t m = 0;
    assert_int_equal(ecs_place_remaining(f->e, id, strlen(id), NULL, &m, NULL, NULL, NULL), ECS_OK);
    return m;
}

static uint32_t running(fixture *f, const char *id)
{
    uint32_t n = 0;
    assert_int_equal(ecs_place_remaining(f->e, id, strlen(id), NULL, NULL, NULL, NULL, &n), ECS_OK);
    return n;
}

static ecs_place_strategy strat(ecs_place_strategy_type t, const char *attr)
{
    ecs_place_strategy s;
    s.type = t;
    s.attribute = attr;
    s.attribute_len = attr ? strlen(attr) : 0;
    return s;
}

/* ------------------------------------------------------------------------ */
/* Strategies                                                                */

static void test_place__binpack_fills_fullest_instance_first(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    ecs_place_request r = req_new(1, 10, 500, "family:a");
    char buf[64];

    add_inst(f->e, "big", 4096, 3000, "az1");
    add_inst(f->e, "small", 4096, 1000, "az1");
    add_inst(f->e, "mid", 4096, 2000, "az2");
    r.strategies = &s;
    r.nstrategies = 1;
    assert_string_equal(place_one(f, &r, "t1", buf, sizeof buf), "small");
    assert_string_equal(place_one(f, &r, "t2", buf, sizeof buf), "small");
    assert_string_equal(place_one(f, &r, "t3", buf, sizeof buf), "mid");
    assert_string_equal(place_one(f, &r, "t4", buf, sizeof buf), "mid");
    assert_string_equal(place_one(f, &r, "t5", buf, sizeof buf), "mid");
    assert_string_equal(place_one(f, &r, "t6", buf, sizeof buf), "mid");
    assert_string_equal(place_one(f, &r, "t7", buf, sizeof buf), "big");
    assert_int_equal(rem_mem(f, "small"), 0);
    assert_int_equal(rem_mem(f, "mid"), 0);
    assert_int_equal(rem_mem(f, "big"), 2500);
}

static void test_place__binpack_cpu_counts_cpu_not_memory(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_BINPACK_CPU, NULL);
    ecs_place_request r = req_new(3, 512, 10, "family:a");
    ecs_place_result *res;

    add_inst(f->e, "a", 2048, 100, NULL);  /* most CPU left, least memory */
    add_inst(f->e, "b", 1024, 8000, NULL); /* least CPU */
    add_inst(f->e, "c", 1536, 4000, NULL);
    r.strategies = &s;
    r.nstrategies = 1;
    res = place(f, &r);
    expect_at(res, 0, "b");
    expect_at(res, 1, "b");
    expect_at(res, 2, "c"); /* b has 0 left; c has 1536 < a's 2048 */
    ecs_place_result_free(res);
}

/* Spec 2.4: spread AZ, then spread instanceId inside each AZ. */
static void test_place__spread_az_then_spread_instance(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s[2];
    ecs_place_request r = req_new(12, 10, 10, "service:web");
    ecs_place_result *res;
    const char *ids[] = {"a1", "a2", "a3", "b1", "b2", "c1"};
    size_t i;

    add_inst(f->e, "a1", 4096, 8192, "az-a");
    add_inst(f->e, "a2", 4096, 8192, "az-a");
    add_inst(f->e, "a3", 4096, 8192, "az-a");
    add_inst(f->e, "b1", 4096, 8192, "az-b");
    add_inst(f->e, "b2", 4096, 8192, "az-b");
    add_inst(f->e, "c1", 4096, 8192, "az-c");
    s[0] = strat(ECS_PLACE_SPREAD_ATTRIBUTE, "ecs.availability-zone");
    s[1] = strat(ECS_PLACE_SPREAD_INSTANCE, NULL);
    r.strategies = s;
    r.nstrategies = 2;
    {
        const char *tid[12];
        size_t tl[12];
        char names[12][8];
        for (i = 0; i < 12; i++) {
            snprintf(names[i], sizeof names[i], "t%zu", i);
            tid[i] = names[i];
            tl[i] = strlen(names[i]);
        }
        r.task_ids = tid;
        r.task_id_lens = tl;
        res = place(f, &r);
        for (i = 0; i < 12; i++)
            expect_reason(res, i, ECS_PLACE_OK);
        ecs_place_result_free(res);
    }
    /* 4 per zone; inside az-a 1-2 per instance, az-b 2 each, c1 4. */
    assert_int_equal(running(f, "a1") + running(f, "a2") + running(f, "a3"), 4);
    assert_int_equal(running(f, "b1"), 2);
    assert_int_equal(running(f, "b2"), 2);
    assert_int_equal(running(f, "c1"), 4);
    for (i = 0; i < 3; i++) {
        uint32_t n = running(f, ids[i]);
        assert_true(n >= 1 && n <= 2);
    }
}

/* Spec 2.4: spread AZ, then binpack memory inside each AZ. */
static void test_place__spread_az_then_binpack_memory(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s[2];
    ecs_place_request r = req_new(1, 10, 1000, "service:web");
    char buf[64], tid[16];
    int i;

    add_inst(f->e, "a-big", 4096, 8000, "az-a");
    add_inst(f->e, "a-small", 4096, 2000, "az-a");
    add_inst(f->e, "b-big", 4096, 6000, "az-b");
    add_inst(f->e, "b-small", 4096, 3000, "az-b");
    s[0] = strat(ECS_PLACE_SPREAD_ATTRIBUTE, "ecs.availability-zone");
    s[1] = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    r.strategies = s;
    r.nstrategies = 2;
    /* Both zones start at 0 tasks: the fullest instance of both wins; a
     * zone ahead by one waits for the other; on a tie the fullest fitting
     * instance of either zone wins. */
    assert_string_equal(place_one(f, &r, "t0", buf, sizeof buf), "a-small");
    assert_string_equal(place_one(f, &r, "t1", buf, sizeof buf), "b-small");
    assert_string_equal(place_one(f, &r, "t2", buf, sizeof buf), "a-small");
    assert_string_equal(place_one(f, &r, "t3", buf, sizeof buf), "b-small");
    /* a-small is full (0 left), b-small has 1000: the tie goes to b. */
    assert_string_equal(place_one(f, &r, "t4", buf, sizeof buf), "b-small");
    assert_string_equal(place_one(f, &r, "t5", buf, sizeof buf), "a-big");
    {
        int na = 3, nb = 3;
        for (i = 6; i < 14; i++) {
            snprintf(tid, sizeof tid, "t%d", i);
            place_one(f, &r, tid, buf, sizeof buf);
            if (buf[0] == 'a')
                na++;
            else
                nb++;
            assert_true(na - nb <= 1 && nb - na <= 1);
        }
    }
    assert_int_equal(rem_mem(f, "a-big") + rem_mem(f, "b-big"), 14000 - 9000);
}

static void test_place__spread_attribute_missing_is_its_own_partition(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_SPREAD_ATTRIBUTE, "rack");
    ecs_place_request r = req_new(4, 1, 1, "g");
    ecs_place_result *res;
    int ok_norack = 0, ok_r1 = 0, ok_r2 = 0;
    size_t i;

    add_inst(f->e, "x", 100, 100, NULL);
    add_inst(f->e, "y", 100, 100, NULL);
    set_attr(f->e, "y", "rack", "r1");
    add_inst(f->e, "z", 100, 100, NULL);
    set_attr(f->e, "z", "rack", "r2");
    r.strategies = &s;
    r.nstrategies = 1;
    r.count = 3;
    {
        const char *tid[] = {"p", "q", "s"};
        size_t tl[] = {1, 1, 1};
        r.task_ids = tid;
        r.task_id_lens = tl;
        res = place(f, &r);
        for (i = 0; i < 3; i++) {
            ecs_place_outcome o = outcome(res, i);
            ok_norack += is(&o, "x");
            ok_r1 += is(&o, "y");
            ok_r2 += is(&o, "z");
        }
        ecs_place_result_free(res);
    }
    assert_int_equal(ok_norack, 1);
    assert_int_equal(ok_r1, 1);
    assert_int_equal(ok_r2, 1);
}

static void test_place__random_is_deterministic_and_covers_feasible(void **state)
{
    fixture *f = *state;
    ecs_place *e2 = NULL;
    ecs_place_options o = ECS_PLACE_OPTIONS_INIT;
    ecs_place_request r = req_new(1, 100, 100, "family:r");
    int hits[6] = {0};
    const char *ids[] = {"i0", "i1", "i2", "i3", "i4", "i5"};
    size_t k, i;

    o.seed = 42;
    assert_int_equal(ecs_place_new(f->ctx, &o, &e2), ECS_OK);
    ecs_place__set_mode(e2, f->mode);
    for (i = 0; i < 6; i++) {
        add_inst(f->e, ids[i], 1000, i == 5 ? 50 : 1000, NULL); /* i5 lacks memory */
        add_inst(e2, ids[i], 1000, i == 5 ? 50 : 1000, NULL);
    }
    for (k = 0; k < 600; k++) {
        ecs_place_result *a = place(f, &r), *b = NULL;
        ecs_place_outcome oa, ob;
        assert_int_equal(ecs_place_tasks(e2, &r, &b), ECS_OK);
        oa = outcome(a, 0);
        ob = outcome(b, 0);
        assert_int_equal(oa.reason, ECS_PLACE_OK);
        assert_true(oa.instance_id_len == ob.instance_id_len &&
                    memcmp(oa.instance_id, ob.instance_id, oa.instance_id_len) == 0);
        for (i = 0; i < 6; i++)
            hits[i] += is(&oa, ids[i]);
        ecs_place_result_free(a);
        ecs_place_result_free(b);
    }
    for (i = 0; i < 5; i++)
        assert_true(hits[i] > 60); /* about 120 each */
    assert_int_equal(hits[5], 0);
    /* Another seed gives another sequence. */
    {
        ecs_place *e3 = NULL;
        int same = 0;
        o.seed = 43;
        assert_int_equal(ecs_place_new(f->ctx, &o, &e3), ECS_OK);
        for (i = 0; i < 6; i++)
            add_inst(e3, ids[i], 1000, 1000, NULL);
        for (k = 0; k < 20; k++) {
            ecs_place_result *a = NULL, *b = NULL;
            ecs_place_outcome oa, ob;
            assert_int_equal(ecs_place_tasks(e2, &r, &a), ECS_OK);
            assert_int_equal(ecs_place_tasks(e3, &r, &b), ECS_OK);
            oa = outcome(a, 0);
            ob = outcome(b, 0);
            same += oa.instance_id_len == ob.instance_id_len &&
                    memcmp(oa.instance_id, ob.instance_id, oa.instance_id_len) == 0;
            ecs_place_result_free(a);
            ecs_place_result_free(b);
        }
        assert_true(same < 20);
        ecs_place_free(e3);
    }
    ecs_place_free(e2);
}

static void test_place__ties_fall_by_seeded_rank(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    ecs_place_request r = req_new(1, 1, 1, "g");
    char first[64], buf[64];
    int k;

    add_inst(f->e, "p", 10, 10, NULL);
    add_inst(f->e, "q", 10, 10, NULL);
    add_inst(f->e, "r", 10, 10, NULL);
    r.strategies = &s;
    r.nstrategies = 1;
    r.dry_run = true;
    place_one(f, &r, "x", first, sizeof first);
    for (k = 0; k < 5; k++)
        assert_string_equal(place_one(f, &r, "x", buf, sizeof buf), first);
}

/* ------------------------------------------------------------------------ */
/* Failure reasons                                                           */

static ecs_place_reason one_reason(fixture *f, ecs_place_request *r, char *expl, size_t cap)
{
    ecs_place_result *res = place(f, r);
    ecs_place_outcome o = outcome(res, 0);
    ecs_place_reason why = o.reason;
    if (expl != NULL)
        snprintf(expl, cap, "%s", o.explanation ? o.explanation : "");
    ecs_place_result_free(res);
    return why;
}

static void test_place__every_failure_reason(void **state)
{
    fixture *f = *state;
    ecs_place_request r = req_new(1, 100, 100, "g");
    ecs_place_port p80 = {80, false, false};
    const char *attrs[] = {"ecs.capability.task-eni"};
    size_t attr_lens[] = {23};
    const char *zones[] = {"az-b"};
    size_t zone_lens[] = {4};
    const char *expr[] = {"attribute:tier == gold"};
    size_t expr_lens[] = {22};
    char expl[1100];

    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_NO_INSTANCES);
    add_inst_full(f->e, "drain", 1000, 1000, "az-a", false, true);
    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_NO_INSTANCES);
    assert_non_null(strstr(expl, "not ACTIVE"));

    add_inst_full(f->e, "i", 1000, 1000, "az-a", true, false);
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_AGENT);
    add_inst(f->e, "i", 1000, 1000, "az-a"); /* reconnected */
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_OK);

    r.required_attributes = attrs;
    r.required_attribute_lens = attr_lens;
    r.nrequired_attributes = 1;
    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_ATTRIBUTE);
    assert_non_null(strstr(expl, "attribute 'ecs.capability.task-eni'"));
    set_attr(f->e, "i", "ecs.capability.task-eni", NULL);
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_OK);

    r.zones = zones;
    r.zone_lens = zone_lens;
    r.nzones = 1;
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_LOCATION);
    set_attr(f->e, "i", "ecs.availability-zone", "az-b");
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_OK);

    r.need.cpu = 2000;
    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_CPU);
    assert_non_null(strstr(expl, "1000 more CPU units"));
    r.need.cpu = 100;
    r.need.memory_mib = 1512;
    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_MEMORY);
    assert_non_null(strstr(expl, "1 lacks memory"));
    assert_non_null(strstr(expl, "closest (i) needs 512 MiB more memory"));
    r.need.memory_mib = 100;

    {
        ecs_place_need n = r.need;
        n.ports = &p80;
        n.nports = 1;
        assert_int_equal(ecs_place_add_task(f->e, S("web"), S("i"), &n, NULL), ECS_OK);
        r.need.ports = &p80;
        r.need.nports = 1;
        assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_PORTS);
        assert_non_null(strstr(expl, "the port 80/tcp"));
        assert_non_null(strstr(expl, "port 80/tcp free"));
        r.need.ports = NULL;
        r.need.nports = 0;
        assert_int_equal(ecs_place_remove_task(f->e, S("web")), ECS_OK);
    }

    r.need.eni = true;
    {
        ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
        in.id = "i";
        in.id_len = 1;
        in.cpu = 1000;
        in.memory_mib = 1000;
        in.eni_slots = 0;
        assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
        assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_ENI);
        assert_non_null(strstr(expl, "a free ENI slot"));
        in.eni_slots = 1;
        in.gpus = 1;
        assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    }
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_OK);
    r.need.gpus = 2;
    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_GPU);
    assert_non_null(strstr(expl, "1 more GPUs"));
    r.need.gpus = 1;
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_OK);

    r.member_of = expr;
    r.member_of_lens = expr_lens;
    r.nmember_of = 1;
    assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_CONSTRAINT);
    assert_non_null(strstr(expl, "memberOf 'attribute:tier == gold' to hold"));
    set_attr(f->e, "i", "tier", "gold");
    assert_int_equal(one_reason(f, &r, NULL, 0), ECS_PLACE_OK);

    r.distinct_instance = true;
    r.need.gpus = 0;
    r.need.eni = false;
    {
        ecs_place_need n = r.need;
        assert_int_equal(ecs_place_add_task(f->e, S("g1"), S("i"), &n, NULL), ECS_OK);
        assert_int_equal(one_reason(f, &r, expl, sizeof expl), ECS_PLACE_CONSTRAINT);
        assert_non_null(strstr(expl, "distinctInstance"));
    }
    assert_string_equal(ecs_place_reason_str(ECS_PLACE_MEMORY), "RESOURCE:MEMORY");
    assert_string_equal(ecs_place_reason_str(ECS_PLACE_NO_INSTANCES),
                        "No Container Instances were found in your cluster.");
    assert_string_equal(ecs_place_reason_str((ecs_place_reason)99), "UNKNOWN");
}

static void test_place__closest_has_fewest_failed_checks(void **state)
{
    fixture *f = *state;
    ecs_place_request r = req_new(1, 2000, 2000, "g");
    char expl[1100];
    ecs_place_result *res;
    ecs_place_outcome o;

    add_inst(f->e, "both-short", 1000, 1000, NULL);   /* fails CPU and memory */
    add_inst(f->e, "mem-short-big", 4000, 100, NULL); /* fails memory by 1900 */
    add_inst(f->e, "mem-short", 4000, 1500, NULL);    /* fails memory by 500: closest */
    add_inst(f->e, "cpu-short", 1900, 4000, NULL);    /* fails CPU by 100: closer still */
    res = place(f, &r);
    o = outcome(res, 0);
    assert_int_equal(o.reason, ECS_PLACE_CPU);
    assert_true(is(&o, "cpu-short"));
    snprintf(expl, sizeof expl, "%s", o.explanation);
    assert_non_null(strstr(expl, "no instance fits: 2 lack CPU, 2 lack memory"));
    assert_non_null(strstr(expl, "closest (cpu-short) needs 100 more CPU units"));
    ecs_place_result_free(res);
}

/* ------------------------------------------------------------------------ */
/* Ports, ENIs                                                               */

static void test_place__static_ports_per_protocol_and_reserved(void **state)
{
    fixture *f = *state;
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    uint16_t reserved[] = {22, 2376, 51678};
    ecs_place_port tcp80 = {80, false, false}, udp80 = {80, true, false}, tcp22 = {22, false, false};
    ecs_place_port udp22 = {22, true, false};
    ecs_place_request r = req_new(1, 1, 1, "g");
    char buf[64];

    in.id = "h";
    in.id_len = 1;
    in.cpu = 1000;
    in.memory_mib = 1000;
    in.reserved_tcp = reserved;
    in.nreserved_tcp = 3;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    r.need.ports = &tcp80;
    r.need.nports = 1;
    assert_string_equal(place_one(f, &r, "a", buf, sizeof buf), "h");
    assert_string_equal(place_one(f, &r, "b", buf, sizeof buf), "!RESOURCE:PORTS");
    r.need.ports = &udp80;
    assert_string_equal(place_one(f, &r, "c", buf, sizeof buf), "h");
    r.need.ports = &tcp22;
    assert_string_equal(place_one(f, &r, "d", buf, sizeof buf), "!RESOURCE:PORTS");
    r.need.ports = &udp22;
    assert_string_equal(place_one(f, &r, "e", buf, sizeof buf), "h");
    /* Removing the task frees its port. */
    assert_int_equal(ecs_place_remove_task(f->e, S("a")), ECS_OK);
    r.need.ports = &tcp80;
    assert_string_equal(place_one(f, &r, "f", buf, sizeof buf), "h");
    /* A re-registration may not reserve a port a task holds. */
    reserved[0] = 80;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_CONFLICT);
}

static void test_place__reserved_port_limit_of_100(void **state)
{
    fixture *f = *state;
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    uint16_t reserved[101];
    ecs_place_port two[2] = {{8000, false, false}, {8001, true, false}};
    ecs_place_port dyn[3] = {{0, false, false}, {0, false, false}, {0, true, false}};
    ecs_place_request r = req_new(1, 1, 1, "g");
    char buf[64];
    uint16_t i;

    for (i = 0; i < 101; i++)
        reserved[i] = (uint16_t)(1000 + i);
    in.id = "h";
    in.id_len = 1;
    in.cpu = 1000;
    in.memory_mib = 1000;
    in.reserved_tcp = reserved;
    in.nreserved_tcp = 101;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_INVALID_ARG);
    in.nreserved_tcp = 98;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    r.need.ports = two;
    r.need.nports = 2;
    assert_string_equal(place_one(f, &r, "a", buf, sizeof buf), "h"); /* 100 */
    r.need.ports = &two[0];
    r.need.nports = 1;
    two[0].port = 9000;
    assert_string_equal(place_one(f, &r, "b", buf, sizeof buf), "!RESOURCE:PORTS");
    /* Dynamic ports do not count. */
    r.need.ports = dyn;
    r.need.nports = 3;
    assert_string_equal(place_one(f, &r, "c", buf, sizeof buf), "h");
    /* The reserved set may not grow past the limit with tasks holding ports. */
    in.nreserved_tcp = 99;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_CONFLICT);
}

/* A running task recorded with the dynamic ports it holds (a host
 * rebuilding its engine): the ports are taken, but as dynamic ports they do
 * not count against the 100 static-port limit; a held port that is taken,
 * or twice in one task, is refused and changes nothing. */
static void test_place__add_task_with_held_dynamic_ports(void **state)
{
    fixture *f = *state;
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    uint16_t reserved[] = {22, 2375};
    ecs_place_port held = {0, false, true};
    ecs_place_port twice[2] = {{49200, false, true}, {49200, false, true}};
    ecs_place_port mixed[2] = {{49201, false, true}, {49201, false, false}};
    ecs_place_port stat = {8080, false, false};
    ecs_place_need need = {1, 1, 0, false, &held, 1, "g", 1};
    ecs_place_request r = req_new(1, 1, 1, "g");
    char id[16], buf[64];
    uint32_t tasks = 0;

    in.id = "h";
    in.id_len = 1;
    in.cpu = 100000;
    in.memory_mib = 100000;
    in.reserved_tcp = reserved;
    in.nreserved_tcp = 2;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    for (uint16_t i = 0; i < 150; i++) {
        held.port = (uint16_t)(49153 + i);
        snprintf(id, sizeof id, "t%u", (unsigned)i);
        assert_int_equal(ecs_place_add_task(f->e, id, strlen(id), S("h"), &need, NULL), ECS_OK);
    }
    /* taken: by a task, by the instance's reservation */
    held.port = 49160;
    assert_int_equal(ecs_place_add_task(f->e, S("x"), S("h"), &need, NULL), ECS_E_CONFLICT);
    held.port = 22;
    assert_int_equal(ecs_place_add_task(f->e, S("x"), S("h"), &need, NULL), ECS_E_CONFLICT);
    need.ports = twice;
    need.nports = 2;
    assert_int_equal(ecs_place_add_task(f->e, S("x"), S("h"), &need, NULL), ECS_E_INVALID_ARG);
    need.ports = mixed;
    assert_int_equal(ecs_place_add_task(f->e, S("x"), S("h"), &need, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_remaining(f->e, S("h"), NULL, NULL, NULL, NULL, &tasks), ECS_OK);
    assert_int_equal(tasks, 150);
    /* 150 dynamic ports held, yet a static port still fits */
    r.need.ports = &stat;
    r.need.nports = 1;
    assert_string_equal(place_one(f, &r, "s", buf, sizeof buf), "h");
    /* a placement's dynamic port skips the held ones */
    r.need.ports = &held;
    held.port = 0;
    held.dynamic = false;
    {
        ecs_place_result *res;
        ecs_place_outcome o;
        const char *tid[] = {"d"};
        size_t tl[] = {1};
        r.task_ids = tid;
        r.task_id_lens = tl;
        res = place(f, &r);
        o = outcome(res, 0);
        assert_int_equal(o.reason, ECS_PLACE_OK);
        assert_true(o.ports[0] < 49153 || o.ports[0] > 49153 + 149);
        ecs_place_result_free(res);
    }
    /* removing a task frees its held port */
    assert_int_equal(ecs_place_remove_task(f->e, S("t7")), ECS_OK);
    need.ports = &held;
    need.nports = 1;
    held.port = 49160;
    held.dynamic = true;
    assert_int_equal(ecs_place_add_task(f->e, S("y"), S("h"), &need, NULL), ECS_OK);
}

static void test_place__dynamic_ports_lowest_free_of_range(void **state)
{
    fixture *f = *state;
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    ecs_place_port ports[3] = {{0, false, false}, {40001, false, false}, {0, true, false}};
    ecs_place_request r = req_new(1, 1, 1, "g");
    ecs_place_result *res;
    ecs_place_outcome o;
    uint16_t got[3];
    const char *tid[] = {"x"};
    size_t tl[] = {1};

    in.id = "h";
    in.id_len = 1;
    in.cpu = 1000;
    in.memory_mib = 1000;
    in.ephemeral_first = 40000;
    in.ephemeral_last = 40003;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    r.need.ports = ports;
    r.need.nports = 3;
    r.task_ids = tid;
    r.task_id_lens = tl;
    res = place(f, &r);
    o = outcome(res, 0);
    assert_int_equal(o.reason, ECS_PLACE_OK);
    assert_int_equal(o.nports, 3);
    assert_int_equal(o.ports[0], 40000);
    assert_int_equal(o.ports[1], 40001);
    assert_int_equal(o.ports[2], 40000); /* udp is separate */
    ecs_place_result_free(res);
    /* Next task: tcp 40002 (40000, 40001 taken), but 40001 is static and taken. */
    ports[1].port = 0;
    assert_int_equal(ecs_place_add_task(f->e, S("y"), S("h"), &r.need, got), ECS_OK);
    assert_int_equal(got[0], 40002);
    assert_int_equal(got[1], 40003);
    assert_int_equal(got[2], 40001);
    /* The tcp range is used up now. */
    ports[1].port = 0;
    r.need.nports = 1;
    r.task_ids = NULL;
    r.task_id_lens = NULL;
    res = place(f, &r);
    expect_reason(res, 0, ECS_PLACE_PORTS);
    o = outcome(res, 0);
    assert_non_null(strstr(o.explanation, "ephemeral range 40000..40003"));
    ecs_place_result_free(res);
    assert_int_equal(ecs_place_add_task(f->e, S("z"), S("h"), &r.need, got), ECS_E_CONFLICT);
    /* Freed ports are reused, lowest first. */
    assert_int_equal(ecs_place_remove_task(f->e, S("x")), ECS_OK);
    assert_int_equal(ecs_place_add_task(f->e, S("z"), S("h"), &r.need, got), ECS_OK);
    assert_int_equal(got[0], 40000);
}

static void test_place__eni_slots_run_out(void **state)
{
    fixture *f = *state;
    ecs_place_request r = req_new(3, 1, 1, "g");
    ecs_place_result *res;
    uint32_t eni = 9;

    add_inst(f->e, "h", 1000, 1000, NULL); /* 3 slots */
    r.need.eni = true;
    r.count = 4;
    res = place(f, &r);
    expect_at(res, 0, "h");
    expect_at(res, 1, "h");
    expect_at(res, 2, "h");
    expect_reason(res, 3, ECS_PLACE_ENI);
    ecs_place_result_free(res);
    /* Without task ids nothing stays reserved. */
    assert_int_equal(ecs_place_remaining(f->e, S("h"), NULL, NULL, NULL, &eni, NULL), ECS_OK);
    assert_int_equal(eni, 3);
}

/* ------------------------------------------------------------------------ */
/* Status, constraints                                                       */

static void test_place__draining_instances_are_never_chosen(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    ecs_place_request r = req_new(5, 1, 100, "g");
    ecs_place_result *res;
    size_t i;

    add_inst_full(f->e, "drain", 1000, 200, NULL, false, true);
    add_inst(f->e, "ok", 1000, 1000, NULL);
    r.strategies = &s;
    r.nstrategies = 1;
    res = place(f, &r);
    for (i = 0; i < 5; i++)
        expect_at(res, i, "ok");
    ecs_place_result_free(res);
    add_inst_full(f->e, "ok", 1000, 1000, NULL, false, true); /* drain it too */
    res = place(f, &r);
    expect_reason(res, 0, ECS_PLACE_NO_INSTANCES);
    assert_null(outcome(res, 0).instance_id);
    ecs_place_result_free(res);
}

static void test_place__distinct_instance_counts_same_request(void **state)
{
    fixture *f = *state;
    ecs_place_request r = req_new(4, 1, 1, "service:x");
    ecs_place_result *res;
    ecs_place_need other = r.need;
    int seen[3] = {0, 0, 0};
    size_t i;

    add_inst(f->e, "a", 100, 100, NULL);
    add_inst(f->e, "b", 100, 100, NULL);
    add_inst(f->e, "c", 100, 100, NULL);
    add_inst(f->e, "d", 100, 100, NULL);
    assert_int_equal(ecs_place_add_task(f->e, S("old"), S("d"), &r.need, NULL), ECS_OK);
    other.group = "service:y";
    other.group_len = 9;
    assert_int_equal(ecs_place_add_task(f->e, S("other"), S("a"), &other, NULL), ECS_OK);
    r.distinct_instance = true;
    res = place(f, &r);
    for (i = 0; i < 3; i++) {
        ecs_place_outcome o = outcome(res, i);
        assert_int_equal(o.reason, ECS_PLACE_OK);
        seen[0] += is(&o, "a");
        seen[1] += is(&o, "b");
        seen[2] += is(&o, "c");
    }
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 1);
    assert_int_equal(seen[2], 1);
    expect_reason(res, 3, ECS_PLACE_CONSTRAINT);
    ecs_place_result_free(res);
}

static void test_place__member_of_sees_tasks_as_they_arrive(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    ecs_place_request r = req_new(7, 1, 1, "service:web");
    const char *lt2[] = {"runningTasksCount < 2"};
    size_t lt2_len[] = {21};
    const char *aff[] = {"task:group == service:db"};
    size_t aff_len[] = {24};
    const char *anti[] = {"not(task:group == service:web)"};
    size_t anti_len[] = {30};
    ecs_place_result *res;
    ecs_place_need db = r.need;
    size_t i;

    add_inst(f->e, "a", 100, 100, NULL);
    add_inst(f->e, "b", 100, 200, NULL);
    add_inst(f->e, "c", 100, 300, NULL);
    r.strategies = &s;
    r.nstrategies = 1;
    r.member_of = lt2;
    r.member_of_lens = lt2_len;
    r.nmember_of = 1;
    res = place(f, &r);
    for (i = 0; i < 6; i++)
        expect_at(res, i, i < 2 ? "a" : (i < 4 ? "b" : "c"));
    expect_reason(res, 6, ECS_PLACE_CONSTRAINT);
    ecs_place_result_free(res);

    db.group = "service:db";
    db.group_len = 10;
    assert_int_equal(ecs_place_add_task(f->e, S("db1"), S("c"), &db, NULL), ECS_OK);
    r.member_of = aff;
    r.member_of_lens = aff_len;
    r.count = 3;
    res = place(f, &r);
    for (i = 0; i < 3; i++)
        expect_at(res, i, "c");
    ecs_place_result_free(res);

    r.member_of = anti;
    r.member_of_lens = anti_len;
    r.count = 4;
    res = place(f, &r);
    expect_at(res, 0, "a");
    expect_at(res, 1, "b");
    expect_at(res, 2, "c");
    expect_reason(res, 3, ECS_PLACE_CONSTRAINT);
    ecs_place_result_free(res);
}

static void test_place__member_of_cache_follows_attribute_changes(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    ecs_place_request r = req_new(1, 1, 1, "g");
    const char *gold[] = {"attribute:tier == gold and attribute:ecs.instance-type =~ m5.*"};
    size_t gold_len[1];
    char buf[64];

    gold_len[0] = strlen(gold[0]);
    add_inst(f->e, "a", 100, 100, NULL);
    add_inst(f->e, "b", 100, 200, NULL);
    set_attr(f->e, "a", "ecs.instance-type", "m5.large");
    set_attr(f->e, "b", "ecs.instance-type", "m5.xlarge");
    set_attr(f->e, "b", "tier", "gold");
    r.strategies = &s;
    r.nstrategies = 1;
    r.member_of = gold;
    r.member_of_lens = gold_len;
    r.nmember_of = 1;
    r.dry_run = true;
    assert_string_equal(place_one(f, &r, "x", buf, sizeof buf), "b");
    set_attr(f->e, "a", "tier", "gold");
    assert_string_equal(place_one(f, &r, "x", buf, sizeof buf), "a");
    assert_int_equal(ecs_place_unset_attribute(f->e, S("a"), S("tier")), ECS_OK);
    assert_string_equal(place_one(f, &r, "x", buf, sizeof buf), "b");
    set_attr(f->e, "b", "ecs.instance-type", "c5.large");
    assert_string_equal(place_one(f, &r, "x", buf, sizeof buf), "!CONSTRAINT");
    assert_int_equal(ecs_place_remove_instance(f->e, S("b")), ECS_OK);
    set_attr(f->e, "a", "tier", "gold");
    assert_string_equal(place_one(f, &r, "x", buf, sizeof buf), "a");
}

/* ------------------------------------------------------------------------ */
/* Bookkeeping                                                               */

static void test_place__dry_run_changes_nothing(void **state)
{
    fixture *f = *state;
    ecs_place_request r = req_new(3, 100, 300, "g");
    const char *tid[] = {"t1", "t2", "t3"};
    size_t tl[] = {2, 2, 2};
    ecs_place_result *dry, *real;
    ecs_place_outcome od, orl;

    add_inst(f->e, "a", 1000, 1000, NULL);
    add_inst(f->e, "b", 1000, 1000, NULL);
    add_inst(f->e, "c", 1000, 1000, NULL);
    r.task_ids = tid;
    r.task_id_lens = tl;
    r.dry_run = true;
    dry = place(f, &r);
    assert_int_equal(rem_mem(f, "a") + rem_mem(f, "b") + rem_mem(f, "c"), 3000);
    assert_int_equal(running(f, "a") + running(f, "b") + running(f, "c"), 0);
    /* Every dry-run task is judged against the same state. */
    od = outcome(dry, 0);
    orl = outcome(dry, 2);
    assert_true(od.instance_id_len == orl.instance_id_len &&
                memcmp(od.instance_id, orl.instance_id, od.instance_id_len) == 0);
    /* The real run's first task goes where the dry run said (random too). */
    r.dry_run = false;
    real = place(f, &r);
    orl = outcome(real, 0);
    assert_true(od.instance_id_len == orl.instance_id_len &&
                memcmp(od.instance_id, orl.instance_id, od.instance_id_len) == 0);
    assert_int_equal(rem_mem(f, "a") + rem_mem(f, "b") + rem_mem(f, "c"), 2100);
    ecs_place_result_free(dry);
    ecs_place_result_free(real);
    /* The ids are known now. */
    assert_int_equal(ecs_place_tasks(f->e, &r, &dry), ECS_E_CONFLICT);
}

static void test_place__add_and_remove_task_restore_resources(void **state)
{
    fixture *f = *state;
    ecs_place_need n = {300, 700, 1, true, NULL, 0, "g", 1};
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    uint32_t c, m, g, eni, t;

    in.id = "h";
    in.id_len = 1;
    in.cpu = 1024;
    in.memory_mib = 2048;
    in.gpus = 2;
    in.eni_slots = 2;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    assert_int_equal(ecs_place_add_task(f->e, S("t1"), S("h"), &n, NULL), ECS_OK);
    assert_int_equal(ecs_place_add_task(f->e, S("t2"), S("h"), &n, NULL), ECS_OK);
    assert_int_equal(ecs_place_add_task(f->e, S("t1"), S("h"), &n, NULL), ECS_E_CONFLICT);
    assert_int_equal(ecs_place_add_task(f->e, S("t3"), S("h"), &n, NULL), ECS_E_CONFLICT);
    assert_int_equal(ecs_place_add_task(f->e, S("t3"), S("nope"), &n, NULL), ECS_E_NOT_FOUND);
    assert_int_equal(ecs_place_remaining(f->e, S("h"), &c, &m, &g, &eni, &t), ECS_OK);
    assert_int_equal(c, 424);
    assert_int_equal(m, 648);
    assert_int_equal(g, 0);
    assert_int_equal(eni, 0);
    assert_int_equal(t, 2);
    /* The registration may not shrink below what tasks use. */
    in.memory_mib = 1000;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_CONFLICT);
    in.memory_mib = 4096;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    assert_int_equal(rem_mem(f, "h"), 2696);
    assert_int_equal(ecs_place_remove_task(f->e, S("t1")), ECS_OK);
    assert_int_equal(ecs_place_remove_task(f->e, S("t1")), ECS_E_NOT_FOUND);
    assert_int_equal(ecs_place_remove_task(f->e, S("t2")), ECS_OK);
    assert_int_equal(ecs_place_remaining(f->e, S("h"), &c, &m, &g, &eni, &t), ECS_OK);
    assert_int_equal(c, 1024);
    assert_int_equal(m, 4096);
    assert_int_equal(g, 2);
    assert_int_equal(eni, 2);
    assert_int_equal(t, 0);
    /* Removing an instance forgets its tasks. */
    assert_int_equal(ecs_place_add_task(f->e, S("t9"), S("h"), &n, NULL), ECS_OK);
    assert_int_equal(ecs_place_instance_count(f->e), 1);
    assert_int_equal(ecs_place_remove_instance(f->e, S("h")), ECS_OK);
    assert_int_equal(ecs_place_remove_instance(f->e, S("h")), ECS_E_NOT_FOUND);
    assert_int_equal(ecs_place_instance_count(f->e), 0);
    assert_int_equal(ecs_place_remove_task(f->e, S("t9")), ECS_E_NOT_FOUND);
    assert_int_equal(ecs_place_remaining(f->e, S("h"), &c, &m, &g, &eni, &t), ECS_E_NOT_FOUND);
    /* The slot is reused cleanly. */
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    assert_int_equal(ecs_place_add_task(f->e, S("t9"), S("h"), &n, NULL), ECS_OK);
    assert_int_equal(running(f, "h"), 1);
}

static void test_place__many_instances_and_views_stay_consistent(void **state)
{
    fixture *f = *state;
    ecs_place_strategy chains[4][2];
    ecs_place_request r = req_new(20, 64, 128, "service:a");
    const char *expr[] = {"attribute:ecs.instance-type =~ m5.*"};
    size_t expr_len[] = {35};
    char id[32], tid[40];
    const char *tids[20];
    size_t tls[20];
    char tbuf[20][40];
    int round, i, c;

    for (i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "i-%03d", i);
        add_inst(f->e, id, 2048, (uint32_t)(4096 + (i % 7) * 512),
                 i % 3 == 0 ? "az1" : (i % 3 == 1 ? "az2" : "az3"));
        set_attr(f->e, id, "ecs.instance-type", i % 2 ? "m5.large" : "c5.large");
    }
    chains[0][0] = strat(ECS_PLACE_SPREAD_ATTRIBUTE, "ecs.availability-zone");
    chains[0][1] = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    chains[1][0] = strat(ECS_PLACE_BINPACK_CPU, NULL);
    chains[1][1] = strat(ECS_PLACE_SPREAD_INSTANCE, NULL);
    chains[2][0] = strat(ECS_PLACE_RANDOM, NULL);
    chains[2][1] = strat(ECS_PLACE_BINPACK_CPU, NULL);
    chains[3][0] = strat(ECS_PLACE_SPREAD_INSTANCE, NULL);
    chains[3][1] = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    r.member_of = expr;
    r.member_of_lens = expr_len;
    for (round = 0; round < 12; round++) {
        ecs_place_result *res;
        c = round % 4;
        r.strategies = chains[c];
        r.nstrategies = 2;
        r.nmember_of = (size_t)(round % 2);
        r.distinct_instance = c == 3;
        for (i = 0; i < 20; i++) {
            snprintf(tbuf[i], sizeof tbuf[i], "r%d-%d", round, i);
            tids[i] = tbuf[i];
            tls[i] = strlen(tbuf[i]);
        }
        r.task_ids = tids;
        r.task_id_lens = tls;
        res = place(f, &r);
        for (i = 0; i < 20; i++)
            expect_reason(res, (size_t)i, ECS_PLACE_OK);
        ecs_place_result_free(res);
        /* churn: remove some tasks, flip some attributes */
        snprintf(tid, sizeof tid, "r%d-%d", round, 3);
        assert_int_equal(ecs_place_remove_task(f->e, tid, strlen(tid)), ECS_OK);
        snprintf(id, sizeof id, "i-%03d", round * 7);
        set_attr(f->e, id, "ecs.instance-type", "m5.xlarge");
        set_attr(f->e, id, "ecs.availability-zone", "az4");
        assert_true(ecs_place__views_check(f->e));
    }
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                       */

static void build_oom_engine(ecs_ctx *ctx, ecs_place **out)
{
    ecs_place_options o = ECS_PLACE_OPTIONS_INIT;
    ecs_place *e = NULL;
    char id[16];
    int i;

    o.seed = 7;
    assert_int_equal(ecs_place_new(ctx, &o, &e), ECS_OK);
    ecs_place__set_mode(e, ECS_PL_MODE_FAST);
    for (i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "i%d", i);
        add_inst(e, id, 1024, (uint32_t)(2048 + 256 * (i % 5)), i % 2 ? "az1" : "az2");
        set_attr(e, id, "ecs.instance-type", i % 3 ? "m5.large" : "r5.large");
    }
    *out = e;
}

static void snapshot(ecs_place *e, uint32_t *out)
{
    char id[16];
    int i;
    for (i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "i%d", i);
        assert_int_equal(ecs_place_remaining(e, id, strlen(id), &out[i * 3], &out[i * 3 + 1], NULL,
                                             NULL, &out[i * 3 + 2]),
                         ECS_OK);
    }
}

static void test_place__oom_at_each_allocation_leaks_nothing(void **state)
{
    fixture *f = *state;
    ecs_place_strategy s[2];
    ecs_place_port ports[2] = {{0, false, false}, {8080, false, false}};
    const char *expr[] = {"attribute:ecs.instance-type =~ m5.*", "runningTasksCount < 5"};
    size_t expr_len[] = {35, 21};
    const char *tids[12];
    size_t tls[12];
    char tbuf[12][8];
    uint32_t before[120], after[120];
    size_t n, base = f->ta.live_blocks, calls, sweeps = 0;
    int i, variant;

    for (i = 0; i < 12; i++) {
        snprintf(tbuf[i], sizeof tbuf[i], "t%d", i);
        tids[i] = tbuf[i];
        tls[i] = strlen(tbuf[i]);
    }
    s[0] = strat(ECS_PLACE_SPREAD_ATTRIBUTE, "ecs.availability-zone");
    s[1] = strat(ECS_PLACE_BINPACK_MEMORY, NULL);
    for (variant = 0; variant < 3; variant++) {
        for (n = 1;; n++) {
            ecs_place *e = NULL;
            ecs_place_request r = req_new(12, 100, 300, "service:oom");
            ecs_place_result *res = (ecs_place_result *)(void *)&base;
            ecs_status rc;

            build_oom_engine(f->ctx, &e);
            if (variant == 2)
                ecs_place__set_mode(e, ECS_PL_MODE_GENERAL);
            snapshot(e, before);
            r.strategies = s;
            r.nstrategies = variant == 1 ? 0 : 2;
            r.need.ports = ports;
            r.need.nports = 2;
            r.member_of = expr;
            r.member_of_lens = expr_len;
            r.nmember_of = 2;
            r.task_ids = tids;
            r.task_id_lens = tls;
            test_alloc_fail_at(&f->ta, n, false);
            rc = ecs_place_tasks(e, &r, &res);
            calls = f->ta.calls;
            test_alloc_fail_at(&f->ta, 0, false);
            if (rc == ECS_OK) {
                ecs_place_outcome o;
                assert_int_equal(ecs_place_result_count(res), 12);
                assert_int_equal(ecs_place_result_get(res, 11, &o), ECS_OK);
                assert_int_equal(o.reason, ECS_PLACE_OK);
                ecs_place_result_free(res);
            } else {
                assert_int_equal(rc, ECS_E_NOMEM);
                assert_ptr_equal(res, (ecs_place_result *)(void *)&base);
                snapshot(e, after);
                assert_memory_equal(before, after, sizeof before);
                assert_int_equal(ecs_place_remove_task(e, S("t0")), ECS_E_NOT_FOUND);
            }
            assert_true(ecs_place__views_check(e));
            ecs_place_free(e);
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            if (rc == ECS_OK && calls < n)
                break;
            assert_true(n < 5000);
        }
        assert_true(n > 10); /* the sweep did fail allocations */
        sweeps += n;
    }
    print_message("OOM sweep of ecs_place_tasks: %zu failure points\n", sweeps);
}

static void test_place__oom_in_instance_and_task_calls(void **state)
{
    fixture *f = *state;
    size_t n, base = f->ta.live_blocks;
    ecs_place_port p = {0, false, false};
    ecs_place_need need = {1, 1, 0, false, &p, 1, "g", 1};

    for (n = 1;; n++) {
        ecs_place *e = NULL;
        ecs_place_options o = ECS_PLACE_OPTIONS_INIT;
        ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
        uint16_t res_tcp[] = {22};
        ecs_status rc;
        bool done;

        in.id = "h";
        in.id_len = 1;
        in.cpu = 100;
        in.memory_mib = 100;
        in.reserved_tcp = res_tcp;
        in.nreserved_tcp = 1;
        in.agent_version = "1.70.0";
        in.agent_version_len = 6;
        test_alloc_fail_at(&f->ta, n, false);
        rc = ecs_place_new(f->ctx, &o, &e);
        if (rc == ECS_OK) {
            rc = ecs_place_set_instance(e, &in);
            if (rc == ECS_OK)
                rc = ecs_place_set_attribute(e, S("h"), S("k"), S("v"));
            if (rc == ECS_OK)
                rc = ecs_place_add_task(e, S("t"), S("h"), &need, NULL);
            if (rc == ECS_OK)
                rc = ecs_place_set_instance(e, &in); /* update */
        }
        done = f->ta.calls < n;
        test_alloc_fail_at(&f->ta, 0, false);
        if (rc != ECS_OK)
            assert_int_equal(rc, ECS_E_NOMEM);
        if (e != NULL && rc != ECS_OK && ecs_place_instance_count(e) == 1) {
            /* what got in is consistent */
            uint32_t t = 9;
            assert_int_equal(ecs_place_remaining(e, S("h"), NULL, NULL, NULL, NULL, &t), ECS_OK);
            assert_true(t <= 1);
        }
        ecs_place_free(e);
        assert_int_equal(f->ta.live_blocks, base);
        assert_int_equal(f->ta.errors, 0);
        if (done) {
            assert_int_equal(rc, ECS_OK);
            break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Misuse                                                                    */

static void test_place__misuse_returns_status(void **state)
{
    fixture *f = *state;
    ecs_place *e = NULL;
    ecs_place_request r = req_new(1, 1, 1, "g");
    ecs_place_result *res = NULL;
    ecs_place_outcome o;
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    ecs_place_strategy bad = strat((ecs_place_strategy_type)77, NULL);
    ecs_place_strategy noattr = strat(ECS_PLACE_SPREAD_ATTRIBUTE, NULL);
    ecs_place_strategy six[6];
    ecs_place_port dup[2] = {{80, false, false}, {80, false, false}};
    const char *bad_expr[] = {"attribute:x =="};
    size_t bad_len[] = {14};
    size_t i;

    assert_int_equal(ecs_place_new(NULL, NULL, &e), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_new(f->ctx, NULL, NULL), ECS_E_INVALID_ARG);
    ecs_place_free(NULL);
    assert_int_equal(ecs_place_set_instance(NULL, &in), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_set_instance(f->e, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_INVALID_ARG); /* no id */
    in.id = "h";
    in.id_len = 1;
    in.ephemeral_first = 100;
    in.ephemeral_last = 50;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_INVALID_ARG);
    in.ephemeral_first = in.ephemeral_last = 0;
    in.nreserved_udp = 2;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_INVALID_ARG);
    in.nreserved_udp = 0;
    in.struct_size = 4;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_E_INVALID_ARG);
    in.struct_size = sizeof in;
    in.cpu = in.memory_mib = 100;
    assert_int_equal(ecs_place_set_instance(f->e, &in), ECS_OK);
    assert_int_equal(ecs_place_remove_instance(NULL, S("h")), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_remove_instance(f->e, NULL, 3), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_set_attribute(NULL, S("h"), S("a"), S("b")), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_set_attribute(f->e, S("h"), NULL, 0, S("b")), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_set_attribute(f->e, S("h"), S("a"), NULL, 2), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_set_attribute(f->e, S("zz"), S("a"), S("b")), ECS_E_NOT_FOUND);
    assert_int_equal(ecs_place_unset_attribute(f->e, S("zz"), S("a")), ECS_E_NOT_FOUND);
    assert_int_equal(ecs_place_unset_attribute(f->e, S("h"), S("never")), ECS_OK);
    assert_int_equal(ecs_place_unset_attribute(NULL, S("h"), S("a")), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_instance_count(NULL), 0);
    assert_int_equal(ecs_place_remaining(NULL, S("h"), NULL, NULL, NULL, NULL, NULL),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_add_task(NULL, S("t"), S("h"), &r.need, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_add_task(f->e, NULL, 0, S("h"), &r.need, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_add_task(f->e, S("t"), S("h"), NULL, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_remove_task(NULL, S("t")), ECS_E_INVALID_ARG);

    assert_int_equal(ecs_place_tasks(NULL, &r, &res), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_tasks(f->e, NULL, &res), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_tasks(f->e, &r, NULL), ECS_E_INVALID_ARG);
    r.count = 0;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.count = ECS_PLACE_MAX_COUNT + 1;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.count = 1;
    r.strategies = &bad;
    r.nstrategies = 1;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.strategies = &noattr;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    for (i = 0; i < 6; i++)
        six[i] = strat(ECS_PLACE_RANDOM, NULL);
    r.strategies = six;
    r.nstrategies = 6;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.nstrategies = 5;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_OK);
    ecs_place_result_free(res);
    res = NULL;
    r.strategies = NULL;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.nstrategies = 0;
    r.need.ports = dup;
    r.need.nports = 2;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.need.ports = NULL;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.need.nports = 0;
    r.member_of = bad_expr;
    r.member_of_lens = bad_len;
    r.nmember_of = 1;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_PARSE);
    r.nmember_of = 11;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.nmember_of = 0;
    r.nzones = 1;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.nzones = 0;
    r.nrequired_attributes = 1;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    r.nrequired_attributes = 0;
    {
        const char *ids[] = {"a"};
        r.task_ids = ids;
        r.task_id_lens = NULL;
        assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
        r.task_ids = NULL;
    }
    {
        const char *ids[] = {"a", "a"};
        size_t lens[] = {1, 1};
        r.count = 2;
        r.task_ids = ids;
        r.task_id_lens = lens;
        assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_CONFLICT);
        r.task_ids = NULL;
        r.count = 1;
    }
    r.struct_size = 8;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_E_INVALID_ARG);
    assert_null(res);
    assert_int_equal(running(f, "h"), 0);

    assert_int_equal(ecs_place_result_count(NULL), 0);
    assert_int_equal(ecs_place_result_get(NULL, 0, &o), ECS_E_INVALID_ARG);
    ecs_place_result_free(NULL);
    r.struct_size = sizeof r;
    assert_int_equal(ecs_place_tasks(f->e, &r, &res), ECS_OK);
    assert_int_equal(ecs_place_result_get(res, 1, &o), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_place_result_get(res, 0, NULL), ECS_E_INVALID_ARG);
    ecs_place_result_free(res);
}

int main(void)
{
#define BOTH(name)                                                                                 \
    cmocka_unit_test_setup_teardown(name, setup_fast, teardown),                                   \
        cmocka_unit_test_setup_teardown(name, setup_general, teardown)
    const struct CMUnitTest tests[] = {
        BOTH(test_place__binpack_fills_fullest_instance_first),
        BOTH(test_place__binpack_cpu_counts_cpu_not_memory),
        BOTH(test_place__spread_az_then_spread_instance),
        BOTH(test_place__spread_az_then_binpack_memory),
        BOTH(test_place__spread_attribute_missing_is_its_own_partition),
        BOTH(test_place__random_is_deterministic_and_covers_feasible),
        BOTH(test_place__ties_fall_by_seeded_rank),
        BOTH(test_place__every_failure_reason),
        BOTH(test_place__closest_has_fewest_failed_checks),
        BOTH(test_place__static_ports_per_protocol_and_reserved),
        BOTH(test_place__reserved_port_limit_of_100),
        BOTH(test_place__add_task_with_held_dynamic_ports),
        BOTH(test_place__dynamic_ports_lowest_free_of_range),
        BOTH(test_place__eni_slots_run_out),
        BOTH(test_place__draining_instances_are_never_chosen),
        BOTH(test_place__distinct_instance_counts_same_request),
        BOTH(test_place__member_of_sees_tasks_as_they_arrive),
        BOTH(test_place__member_of_cache_follows_attribute_changes),
        BOTH(test_place__dry_run_changes_nothing),
        BOTH(test_place__add_and_remove_task_restore_resources),
        BOTH(test_place__many_instances_and_views_stay_consistent),
        cmocka_unit_test_setup_teardown(test_place__oom_at_each_allocation_leaks_nothing,
                                        setup_fast, teardown),
        cmocka_unit_test_setup_teardown(test_place__oom_in_instance_and_task_calls, setup_fast,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_place__misuse_returns_status, setup_fast, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
