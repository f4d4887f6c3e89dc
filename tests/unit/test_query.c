/*
 * Tests of the cluster query language (lib/query/query.h, spec section 3):
 * every documented example expression of spec 3.4 over a small fleet of
 * fake instances, every operator in its symbolic and word forms, each
 * subject's semantics (versions, dates, counts, booleans, multi-valued task
 * groups, missing attributes), precedence (also against a reference
 * evaluator on random expressions), quoting and bare-value rules,
 * malformed expressions with their exact positions and messages, limits,
 * short-circuit evaluation without allocation, an allocation-failure sweep
 * and misuse.
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
#include "query/query.h"
#include "test_alloc.h"
#include "test_util.h"

/* A context on the checking allocator (tests/support/test_util.h). */
typedef test_ctx_fixture fixture;
#define setup test_ctx_setup
#define teardown test_ctx_teardown

/* ------------------------------------------------------------------------ */
/* Fake instances                                                            */

typedef struct fake_attr {
    const char *name;
    const char *value; /* NULL: an attribute without a value */
} fake_attr;

typedef struct fake_inst {
    char label;
    const char *ec2;
    const char *agent_version;
    int64_t registered_at_ms;
    uint32_t running;
    bool connected;
    fake_attr attrs[8];    /* ends at a NULL name */
    const char *groups[4]; /* ends at NULL */
    size_t *lookups;       /* counts attribute look-ups when set */
} fake_inst;

static bool fake_attribute(const void *inst, const char *name, size_t name_len, const char **value,
                           size_t *value_len)
{
    const fake_inst *fi = inst;
    size_t i;

    if (fi->lookups != NULL)
        (*fi->lookups)++;
    for (i = 0; i < 8 && fi->attrs[i].name != NULL; i++) {
        if (strlen(fi->attrs[i].name) == name_len &&
            memcmp(fi->attrs[i].name, name, name_len) == 0) {
            *value = fi->attrs[i].value;
            *value_len = fi->attrs[i].value != NULL ? strlen(fi->attrs[i].value) : 0;
            return true;
        }
    }
    return false;
}

static size_t fake_group_count(const void *inst)
{
    const fake_inst *fi = inst;
    size_t n = 0;

    while (n < 4 && fi->groups[n] != NULL)
        n++;
    return n;
}

static const char *fake_group_at(const void *inst, size_t i, size_t *len)
{
    const fake_inst *fi = inst;

    *len = strlen(fi->groups[i]);
    return fi->groups[i];
}

static ecs_query_subject subject_of(const fake_inst *fi)
{
    ecs_query_subject s;

    memset(&s, 0, sizeof s);
    s.inst = fi;
    s.ec2_instance_id = fi->ec2;
    s.ec2_instance_id_len = fi->ec2 != NULL ? strlen(fi->ec2) : 0;
    s.agent_version = fi->agent_version;
    s.agent_version_len = fi->agent_version != NULL ? strlen(fi->agent_version) : 0;
    s.registered_at_ms = fi->registered_at_ms;
    s.running_tasks_count = fi->running;
    s.agent_connected = fi->connected;
    s.attribute = fake_attribute;
    s.group_count = fake_group_count;
    s.group_at = fake_group_at;
    return s;
}

#define DAY_MS INT64_C(86400000)
/* 2018-01-01T00:00:00Z and friends, in milliseconds. */
#define T_2017_12_31_235959 INT64_C(1514764799000)
#define T_2018_01_01 INT64_C(1514764800000)
#define T_2018_02_13 INT64_C(1518480000000)
#define T_2018_03_01 INT64_C(1519862400000)
#define T_2018_06_18_222828 INT64_C(1529360908000)

/* The fleet behind the documented examples. */
static const fake_inst k_fleet[] = {
    { 'A',
      "i-abcd1234",
      "1.14.4",
      T_2018_01_01,
      1,
      true,
      { { "ecs.instance-type", "t2.small" },
        { "ecs.availability-zone", "us-east-1a" },
        { "stack", "prod" },
        { "ecs.os-family", "LINUX" } },
      { "service:production" },
      NULL },
    { 'B',
      "i-wxyx7890",
      "1.14.5",
      T_2018_02_13 + 10 * 3600 * 1000,
      2,
      true,
      { { "ecs.instance-type", "t2.medium" },
        { "ecs.availability-zone", "us-east-1b" },
        { "stack", "dev" } },
      { "database", "databases" },
      NULL },
    { 'C',
      "i-00000003",
      "1.9.0",
      T_2018_03_01,
      0,
      true,
      { { "ecs.instance-type", "g2.2xlarge" }, { "ecs.availability-zone", "us-east-1d" } },
      { "service:daemon-service" },
      NULL },
    { 'D',
      "i-00000004",
      "1.20.0",
      T_2017_12_31_235959,
      1,
      false,
      { { "ecs.instance-type", "g2.8xlarge" },
        { "ecs.availability-zone", "us-east-1a" },
        { "stack", "prod" },
        { "ecs.os-family", "WINDOWS_SERVER_2022_FULL" } },
      { NULL },
      NULL },
    { 'E',
      "i-00000005",
      NULL,
      T_2018_02_13 - 1,
      3,
      true,
      { { "ecs.instance-type", "m5.large" },
        { "ecs.availability-zone", "us-east-1c" },
        { "stack", "test" } },
      { "database" },
      NULL },
};
#define FLEET_SIZE (sizeof k_fleet / sizeof k_fleet[0])

static ecs_query *compile_ok(fixture *f, const char *expr)
{
    ecs_query *q = NULL;
    ecs_status rc = ecs_query__compile(f->ctx, expr, strlen(expr), &q);

    if (rc != ECS_OK) {
        print_error("expression \"%s\": %s: %s\n", expr, ecs_status_str(rc),
                    ecs_ctx_errmsg(f->ctx));
        fail();
    }
    assert_non_null(q);
    return q;
}

/* Labels of the fleet instances the expression selects, in fleet order. */
static void selected(fixture *f, const char *expr, const fake_inst *fleet, size_t n, char *out)
{
    ecs_query *q = compile_ok(f, expr);
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        ecs_query_subject s = subject_of(&fleet[i]);
        if (ecs_query__eval(q, &s))
            out[k++] = fleet[i].label;
    }
    out[k] = '\0';
    ecs_query__free(f->ctx, q);
}

static void expect_selects(fixture *f, const char *expr, const char *want)
{
    char got[16];

    selected(f, expr, k_fleet, FLEET_SIZE, got);
    if (strcmp(got, want) != 0) {
        print_error("\"%s\" selected \"%s\", want \"%s\"\n", expr, got, want);
        fail();
    }
}

/* One instance: does it satisfy the expression? */
static bool holds(fixture *f, const char *expr, const fake_inst *fi)
{
    ecs_query *q = compile_ok(f, expr);
    ecs_query_subject s = subject_of(fi);
    bool r = ecs_query__eval(q, &s);

    ecs_query__free(f->ctx, q);
    return r;
}

#define HOLDS(expr, inst)                                                                          \
    do {                                                                                           \
        if (!holds(f, (expr), (inst))) {                                                           \
            print_error("\"%s\" should hold\n", (expr));                                           \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define FAILS(expr, inst)                                                                          \
    do {                                                                                           \
        if (holds(f, (expr), (inst))) {                                                            \
            print_error("\"%s\" should not hold\n", (expr));                                       \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Compile must fail with st at byte `offset` and exactly this message
 * (after the "line 1, column N (byte M): " prefix when want_msg is given). */
static void expect_error(fixture *f, const char *expr, ecs_status st, size_t offset,
                         const char *want_msg)
{
    ecs_query *q = (ecs_query *)(void *)f;
    ecs_errpos pos;
    size_t live = f->ta.live_blocks;
    const char *msg, *colon;
    ecs_status rc = ecs_query__compile(f->ctx, expr, strlen(expr), &q);

    if (rc != st) {
        print_error("\"%s\": got %s (%s), want %s\n", expr, ecs_status_str(rc),
                    ecs_ctx_errmsg(f->ctx), ecs_status_str(st));
        fail();
    }
    assert_ptr_equal(q, (ecs_query *)(void *)f);
    assert_int_equal(f->ta.live_blocks, live);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    msg = ecs_ctx_errmsg(f->ctx);
    colon = strstr(msg, "): ");
    assert_non_null(colon);
    if (pos.offset != offset || strcmp(colon + 3, want_msg) != 0) {
        print_error("\"%s\":\n  got  %zu: %s\n  want %zu: %s\n", expr, pos.offset, colon + 3,
                    offset, want_msg);
        fail();
    }
}

/* ------------------------------------------------------------------------ */
/* Documented examples (spec 3.4)                                            */

static void test_query__documented_examples_select_the_documented_hosts(void **state)
{
    fixture *f = *state;

    expect_selects(f, "attribute:ecs.instance-type == t2.small", "A");
    expect_selects(f, "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", "ABD");
    expect_selects(f,
                   "attribute:ecs.instance-type =~ g2.* and "
                   "attribute:ecs.availability-zone != us-east-1d",
                   "D");
    expect_selects(f, "task:group == service:production", "A");
    expect_selects(f, "not(task:group == database)", "ACD");
    expect_selects(f, "runningTasksCount == 1", "AD");
    expect_selects(f, "agentVersion < 1.14.5", "AC");
    expect_selects(f, "registeredAt < 2018-02-13", "ADE");
    expect_selects(f, "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", "AB");
    expect_selects(f, "attribute:ecs.instance-type =~ t2.*", "AB");
    expect_selects(f, "task:group == databases", "B");
    expect_selects(f, "task:group == service:daemon-service", "C");
    expect_selects(f, "attribute:ecs.instance-type == g2.2xlarge", "C");
    expect_selects(f, "attribute:stack == prod", "AD");
    expect_selects(f, "attribute:stack != prod", "BE");
    expect_selects(f, "attribute:ecs.instance-type in [t2.small, t2.medium]", "AB");
    expect_selects(f,
                   "attribute:ecs.instance-type =~ t2.* and "
                   "attribute:ecs.availability-zone == us-east-1a",
                   "A");
    expect_selects(f, "attribute:ecs.os-family == WINDOWS_SERVER_2022_FULL", "D");
    /* (expression1 or expression2) and expression3 */
    expect_selects(
        f, "(attribute:stack == prod or attribute:stack == dev) and runningTasksCount >= 2", "B");
    expect_selects(
        f, "attribute:stack == prod or attribute:stack == dev and runningTasksCount >= 2", "ABD");
}

/* ------------------------------------------------------------------------ */
/* Operators                                                                 */

static void test_query__word_operators_equal_symbolic_ones(void **state)
{
    fixture *f = *state;
    static const char *const pairs[][3] = {
        { "attribute:stack == prod", "attribute:stack equals prod", "AD" },
        { "attribute:stack != prod", "attribute:stack not_equals prod", "BE" },
        { "runningTasksCount > 1", "runningTasksCount greater_than 1", "BE" },
        { "runningTasksCount >= 1", "runningTasksCount greater_than_equal 1", "ABDE" },
        { "runningTasksCount < 1", "runningTasksCount less_than 1", "C" },
        { "runningTasksCount <= 1", "runningTasksCount less_than_equal 1", "ACD" },
        { "attribute:ecs.instance-type =~ g2.*", "attribute:ecs.instance-type matches g2.*", "CD" },
        { "attribute:ecs.instance-type !~ g2.*", "attribute:ecs.instance-type not_matches g2.*",
          "ABE" },
        { "attribute:stack !exists", "attribute:stack not_exists", "C" },
        { "attribute:stack in [dev, test]", "attribute:stack in [dev,test]", "BE" },
        { "attribute:stack !in [dev, test]", "attribute:stack not_in [dev, test]", "AD" },
        { "attribute:stack exists and task:group exists",
          "attribute:stack exists && task:group exists", "ABE" },
        { "attribute:stack == dev or runningTasksCount == 0",
          "attribute:stack == dev || runningTasksCount == 0", "BC" },
        { "not attribute:stack exists", "!attribute:stack exists", "C" },
    };
    size_t i;

    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        expect_selects(f, pairs[i][0], pairs[i][2]);
        expect_selects(f, pairs[i][1], pairs[i][2]);
    }
}

static void test_query__precedence_not_over_and_over_or(void **state)
{
    fixture *f = *state;
    fake_inst inst[8];
    static const char *const names[] = { "a", "b", "c" };
    size_t i, j;

    memset(inst, 0, sizeof inst);
    for (i = 0; i < 8; i++) {
        inst[i].label = (char)('0' + i);
        for (j = 0; j < 3; j++) {
            inst[i].attrs[j].name = names[j];
            inst[i].attrs[j].value = (i >> j) & 1u ? "1" : "0";
        }
    }
#define A "attribute:a == 1"
#define B "attribute:b == 1"
#define C "attribute:c == 1"
    for (i = 0; i < 8; i++) {
        bool a = i & 1u, b = (i >> 1) & 1u, c = (i >> 2) & 1u;
        const fake_inst *x = &inst[i];

        assert_int_equal(holds(f, A " or " B " and " C, x), a || (b && c));
        assert_int_equal(holds(f, A " and " B " or " C, x), (a && b) || c);
        assert_int_equal(holds(f, "(" A " or " B ") and " C, x), (a || b) && c);
        assert_int_equal(holds(f, "not " A " and " B, x), !a && b);
        assert_int_equal(holds(f, "not " A " or " B, x), !a || b);
        assert_int_equal(holds(f, "not (" A " or " B ")", x), !(a || b));
        assert_int_equal(holds(f, "not(" A " and " B ")", x), !(a && b));
        assert_int_equal(holds(f, "!" A " && !" B " || " C, x), (!a && !b) || c);
        assert_int_equal(holds(f, "not not " A, x), a);
        assert_int_equal(holds(f, "! ! ! " A, x), !a);
        assert_int_equal(holds(f, "!(!(" A "))", x), a);
        assert_int_equal(holds(f, A " and " B " and " C, x), a && b && c);
        assert_int_equal(holds(f, A " or " B " or " C, x), a || b || c);
        assert_int_equal(holds(f, "((" A "))", x), a);
        assert_int_equal(holds(f, A " and not " B " or not " C " and " A, x),
                         (a && !b) || (!c && a));
    }
#undef A
#undef B
#undef C
}

/* Random expressions over three comparisons, printed with as few
 * parentheses as precedence allows, against a reference evaluator. */
typedef struct rexpr {
    char s[1600];
    size_t n;
    uint64_t st;
} rexpr;

static uint32_t rnd(uint64_t *st, uint32_t n)
{
    *st = *st * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)((*st >> 33) % n);
}

static void rput(rexpr *r, const char *t)
{
    size_t l = strlen(t);
    assert_true(r->n + l < sizeof r->s);
    memcpy(r->s + r->n, t, l);
    r->n += l;
    r->s[r->n] = '\0';
}

/* Appends an expression whose top level binds at least as tightly as
 * `level` (0 or, 1 and, 2 not/primary); returns its value for the
 * assignment bits. */
static bool rgen(rexpr *r, unsigned depth, unsigned level, unsigned bits)
{
    static const char *const atoms[] = { "attribute:a == 1", "attribute:b exists",
                                         "attribute:c in [1]" };
    uint32_t kind = depth == 0 ? 3 : rnd(&r->st, 6);
    bool v, w;

    if (kind == 0 || kind == 1) { /* or / and */
        unsigned my = kind == 0 ? 0u : 1u;
        bool paren = my < level;
        if (paren)
            rput(r, rnd(&r->st, 2) ? "(" : "( ");
        v = rgen(r, depth - 1, my, bits);
        if (my == 0)
            rput(r, rnd(&r->st, 2) ? " or " : " || ");
        else
            rput(r, rnd(&r->st, 2) ? " and " : " && ");
        w = rgen(r, depth - 1, my + 1u, bits);
        if (paren)
            rput(r, rnd(&r->st, 2) ? ")" : " )");
        return my == 0 ? (v || w) : (v && w);
    }
    if (kind == 2) { /* not */
        static const char *const nots[] = { "not ", "!", "not(", "! " };
        uint32_t k = rnd(&r->st, 4);
        rput(r, nots[k]);
        v = rgen(r, depth - 1, k == 2 ? 0u : 2u, bits);
        if (k == 2)
            rput(r, ")");
        return !v;
    }
    if (kind == 5) {
        rput(r, "(");
        v = rgen(r, depth - 1, 0, bits);
        rput(r, ")");
        return v;
    }
    kind = rnd(&r->st, 3);
    rput(r, atoms[kind]);
    return (bits >> kind) & 1u;
}

static void test_query__random_expressions_agree_with_reference(void **state)
{
    fixture *f = *state;
    fake_inst inst[8];
    size_t round, i;

    memset(inst, 0, sizeof inst);
    for (i = 0; i < 8; i++) {
        size_t k = 0;
        if (i & 1u)
            inst[i].attrs[k++] = (fake_attr){ "a", "1" };
        else
            inst[i].attrs[k++] = (fake_attr){ "a", "0" };
        if (i & 2u)
            inst[i].attrs[k++] = (fake_attr){ "b", NULL };
        inst[i].attrs[k++] = (fake_attr){ "c", (i & 4u) ? "1" : "2" };
    }
    for (round = 0; round < 400; round++) {
        rexpr r;
        ecs_query *q;
        bool want[8];
        unsigned bits;

        for (bits = 0; bits < 8; bits++) {
            r.n = 0;
            r.s[0] = '\0';
            r.st = UINT64_C(1000) + round;
            want[bits] = rgen(&r, 4, 0, bits);
        }
        q = compile_ok(f, r.s);
        for (bits = 0; bits < 8; bits++) {
            ecs_query_subject s = subject_of(&inst[bits]);
            if (ecs_query__eval(q, &s) != want[bits]) {
                print_error("\"%s\" with bits %u: want %d\n", r.s, bits, (int)want[bits]);
                fail();
            }
        }
        ecs_query__free(f->ctx, q);
    }
}

/* ------------------------------------------------------------------------ */
/* Subjects                                                                  */

static void test_query__agent_version_compares_numerically_per_part(void **state)
{
    fixture *f = *state;
    fake_inst v = { 'v', NULL, "1.14.5", 0, 0, true, { { NULL, NULL } }, { NULL }, NULL };
    fake_inst rc = { 'r', NULL, "1.14.5-rc1", 0, 0, true, { { NULL, NULL } }, { NULL }, NULL };
    fake_inst bad = { 'b', NULL, "v1.2", 0, 0, true, { { NULL, NULL } }, { NULL }, NULL };
    fake_inst none = { 'n', NULL, NULL, 0, 0, true, { { NULL, NULL } }, { NULL }, NULL };
    fake_inst big = { 'g', NULL, "1.99999999999", 0, 0, true, { { NULL, NULL } }, { NULL }, NULL };

    HOLDS("agentVersion == 1.14.5", &v);
    HOLDS("agentVersion equals 1.14.5.0", &v);
    HOLDS("agentVersion > 1.9.0", &v); /* 14 > 9 numerically */
    FAILS("agentVersion < 1.9.0", &v);
    HOLDS("agentVersion > 1.9", &v);
    HOLDS("agentVersion < 1.14.10", &v);
    HOLDS("agentVersion >= 1.14.5", &v);
    HOLDS("agentVersion <= 1.14.5", &v);
    FAILS("agentVersion != 1.14.5", &v);
    HOLDS("agentVersion != 1.14", &v);
    HOLDS("agentVersion < 2", &v);
    HOLDS("agentVersion > 1", &v);
    HOLDS("agentVersion > 1.14", &v);
    HOLDS("agentVersion == '1.14.5'", &v);
    HOLDS("agentVersion == 1.14.5", &rc); /* a suffix after the numbers is ignored */
    FAILS("agentVersion != 1.0", &bad);   /* unreadable: missing */
    FAILS("agentVersion > 0", &bad);
    FAILS("agentVersion < 99", &none);
    FAILS("agentVersion != 1", &none);
    HOLDS("agentVersion > 1.4294967295", &big); /* parts beyond 32 bits stay larger */
}

static void test_query__registered_at_compares_at_the_literal_precision(void **state)
{
    fixture *f = *state;
    fake_inst t = { 't',      NULL, NULL, T_2018_06_18_222828 + 500, 0, true, { { NULL, NULL } },
                    { NULL }, NULL };
    fake_inst pre = { 'p', NULL, NULL, -1, 0, true, { { NULL, NULL } }, { NULL }, NULL };

    HOLDS("registeredAt == 2018-06-18", &t);
    HOLDS("registeredAt == 2018-06-18T22:28:28Z", &t);
    HOLDS("registeredAt == 2018-06-18T22:28:28", &t);
    HOLDS("registeredAt == 2018-06-18T22:28:28+00:00", &t);
    HOLDS("registeredAt == 2018-06-19T00:28:28+02:00", &t);
    HOLDS("registeredAt == 2018-06-18T17:28:28-0500", &t);
    HOLDS("registeredAt == 2018-06-18T22:28:28.5Z", &t);
    HOLDS("registeredAt == 2018-06-18T22:28:28.500Z", &t);
    HOLDS("registeredAt == 2018-06-18T22:28:28.500999999Z", &t);
    FAILS("registeredAt == 2018-06-18T22:28:28.501Z", &t);
    FAILS("registeredAt == 2018-06-18T22:28:29Z", &t);
    FAILS("registeredAt != 2018-06-18", &t);
    HOLDS("registeredAt > 2018-06-17", &t);
    FAILS("registeredAt > 2018-06-18", &t);
    HOLDS("registeredAt >= 2018-06-18", &t);
    HOLDS("registeredAt < 2018-06-19", &t);
    FAILS("registeredAt < 2018-06-18", &t);
    HOLDS("registeredAt <= 2018-06-18", &t);
    HOLDS("registeredAt > 2018-06-18T22:28:27Z", &t);
    HOLDS("registeredAt < 2018-06-18T22:28:29Z", &t);
    HOLDS("registeredAt greater_than 2000-02-29", &t);
    HOLDS("registeredAt less_than '9999-12-31T23:59:59Z'", &t);
    HOLDS("registeredAt == 1969-12-31", &pre);
    HOLDS("registeredAt < 1970-01-01", &pre);
    HOLDS("registeredAt == 1969-12-31T23:59:59Z", &pre);
    HOLDS("registeredAt < 1970-01-01T00:00:00Z", &pre);
    HOLDS("registeredAt > 0001-01-01", &pre);
}

static void test_query__running_tasks_count_is_numeric(void **state)
{
    fixture *f = *state;
    fake_inst n = { 'n', NULL, NULL, 0, 10, true, { { NULL, NULL } }, { NULL }, NULL };

    HOLDS("runningTasksCount == 10", &n);
    HOLDS("runningTasksCount == 010", &n);
    HOLDS("runningTasksCount > 9", &n); /* 10 > 9, not "10" < "9" */
    FAILS("runningTasksCount > 10", &n);
    HOLDS("runningTasksCount < 9999999999999999999", &n);
    HOLDS("runningTasksCount != 0", &n);
    HOLDS("runningTasksCount <= '10'", &n);
}

static void test_query__agent_connected_is_boolean(void **state)
{
    fixture *f = *state;
    fake_inst on = { 'y', NULL, NULL, 0, 0, true, { { NULL, NULL } }, { NULL }, NULL };
    fake_inst off = { 'n', NULL, NULL, 0, 0, false, { { NULL, NULL } }, { NULL }, NULL };

    HOLDS("agentConnected == true", &on);
    FAILS("agentConnected == true", &off);
    HOLDS("agentConnected == false", &off);
    FAILS("agentConnected != true", &on);
    HOLDS("agentConnected != true", &off);
    HOLDS("agentConnected equals 'true'", &on);
    HOLDS("agentConnected not_equals \"false\"", &on);
    HOLDS("agentConnected in [true]", &on);
    FAILS("agentConnected in [false]", &on);
    HOLDS("agentConnected in [true, false]", &off);
    HOLDS("agentConnected !in [false]", &on);
    FAILS("agentConnected not_in [true, false]", &on);
    HOLDS("agentConnected =~ t.*", &on);
    FAILS("agentConnected =~ t.*", &off);
    HOLDS("agentConnected matches 'true|false'", &off);
    FAILS("agentConnected !~ t.*", &on);
    HOLDS("agentConnected not_matches t.*", &off);
    FAILS("agentConnected =~ yes", &on);
    FAILS("agentConnected =~ yes", &off);
}

static void test_query__task_group_is_multi_valued(void **state)
{
    fixture *f = *state;
    static const fake_inst g[] = {
        { '0', NULL, NULL, 0, 0, true, { { NULL, NULL } }, { NULL }, NULL },
        { '1', NULL, NULL, 0, 1, true, { { NULL, NULL } }, { "database" }, NULL },
        { '2', NULL, NULL, 0, 2, true, { { NULL, NULL } }, { "web", "service:api" }, NULL },
    };
    static const char *const cases[][2] = {
        { "task:group == database", "1" },
        { "task:group != database", "02" },
        { "task:group in [web, database]", "12" },
        { "task:group !in [web, database]", "0" },
        { "task:group in ['nothing']", "" },
        { "task:group =~ service:.*", "2" },
        { "task:group !~ service:.*", "01" },
        { "task:group =~ .*", "12" },
        { "task:group exists", "12" },
        { "task:group !exists", "0" },
        { "task:group not_exists", "0" },
        { "not(task:group == database)", "02" },
        { "task:group == web and task:group == service:api", "2" },
        { "task:group == web and task:group == database", "" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[8];
        selected(f, cases[i][0], g, 3, got);
        if (strcmp(got, cases[i][1]) != 0) {
            print_error("\"%s\" selected \"%s\", want \"%s\"\n", cases[i][0], got, cases[i][1]);
            fail();
        }
    }
}

static void test_query__missing_subject_only_satisfies_not_exists(void **state)
{
    fixture *f = *state;
    fake_inst x = { 'x', NULL, NULL, 0, 0, true, { { "other", "v" } }, { NULL }, NULL };
    static const char *const never[] = {
        "attribute:stack == prod", "attribute:stack != prod", "attribute:stack > a",
        "attribute:stack >= a",    "attribute:stack < z",     "attribute:stack <= z",
        "attribute:stack =~ .*",   "attribute:stack !~ prod", "attribute:stack in [a]",
        "attribute:stack !in [a]", "attribute:stack exists",  "ec2InstanceId != i-1",
        "ec2InstanceId =~ .*",     "ec2InstanceId !in [i-1]", "ec2InstanceId !~ i-1",
    };
    ecs_query *q;
    ecs_query_subject s;
    size_t i;

    for (i = 0; i < sizeof never / sizeof never[0]; i++)
        FAILS(never[i], &x);
    HOLDS("attribute:stack !exists", &x);
    HOLDS("attribute:stack not_exists", &x);
    HOLDS("not attribute:stack == prod", &x);
    HOLDS("attribute:other exists", &x);
    /* No attribute callback at all: every attribute is missing. */
    q = compile_ok(f, "attribute:other !exists");
    s = subject_of(&x);
    s.attribute = NULL;
    assert_true(ecs_query__eval(q, &s));
    ecs_query__free(f->ctx, q);
    /* No group callbacks: no tasks. */
    q = compile_ok(f, "task:group !exists and task:group != x");
    s.group_count = NULL;
    assert_true(ecs_query__eval(q, &s));
    ecs_query__free(f->ctx, q);
}

static void test_query__attribute_values(void **state)
{
    fixture *f = *state;
    fake_inst x = { 'x',
                    "i-1",
                    NULL,
                    0,
                    0,
                    true,
                    { { "flag", NULL },
                      { "num", "10" },
                      { "name", "beta" },
                      { "note", "two words" },
                      { "path", "C:\\dir" },
                      { "quote", "say \"hi\"" },
                      { "apos", "it's" },
                      { "list", "a, b" } },
                    { NULL },
                    NULL };

    /* A value-less attribute exists with the empty value. */
    HOLDS("attribute:flag exists", &x);
    HOLDS("attribute:flag == ''", &x);
    HOLDS("attribute:flag != x", &x);
    HOLDS("attribute:flag =~ ''", &x);
    HOLDS("attribute:flag =~ .*", &x);
    FAILS("attribute:flag =~ .+", &x);
    HOLDS("attribute:flag in ['', x]", &x);
    /* Ordering: numeric when both are numbers, byte-wise otherwise. */
    HOLDS("attribute:num > 9", &x);
    HOLDS("attribute:num < 10.5", &x);
    HOLDS("attribute:num >= 10.000", &x);
    HOLDS("attribute:num <= +10", &x);
    HOLDS("attribute:num > -3", &x);
    FAILS("attribute:num < 9.99", &x);
    FAILS("attribute:num == 10.0", &x); /* equality is string equality */
    HOLDS("attribute:num < abc", &x);
    HOLDS("attribute:num > 0x1", &x);
    HOLDS("attribute:name > alpha", &x);
    HOLDS("attribute:name < gamma", &x);
    HOLDS("attribute:name >= beta", &x);
    FAILS("attribute:name > beta", &x);
    HOLDS("attribute:name > bet", &x);
    /* Values compare case-sensitively. */
    FAILS("attribute:name == Beta", &x);
    /* Quoting. */
    HOLDS("attribute:note == 'two words'", &x);
    HOLDS("attribute:note == \"two words\"", &x);
    HOLDS("attribute:note =~ 'two .*'", &x);
    HOLDS("attribute:path == 'C:\\dir'", &x);
    HOLDS("attribute:path == C:\\dir", &x);
    HOLDS("attribute:quote == 'say \"hi\"'", &x);
    HOLDS("attribute:apos == \"it's\"", &x);
    HOLDS("attribute:apos == it's", &x);
    HOLDS("attribute:list in [\"a, b\", 'c]']", &x);
    HOLDS("attribute:list in [x,'a, b']", &x);
    HOLDS("ec2InstanceId == \"i-1\"", &x);
}

static void test_query__bare_values_and_whitespace(void **state)
{
    fixture *f = *state;
    fake_inst x = { 'x',
                    "i-0123",
                    NULL,
                    0,
                    0,
                    true,
                    { { "ecs.instance-type", "t2.micro" },
                      { "p", "/usr/local-bin:x*" },
                      { "g", "a(b,c)" },
                      { "r", "aaa" },
                      { "stack", "prod" } },
                    { "service:production" },
                    NULL };

    HOLDS("attribute:ecs.instance-type =~ t2.(micro|small)", &x);
    HOLDS("(attribute:ecs.instance-type =~ t2.(micro|small))", &x);
    HOLDS("attribute:ecs.instance-type =~ [a-z]2\\.[a-z]+", &x);
    HOLDS("attribute:ecs.instance-type in [t2.small,t2.micro]", &x);
    HOLDS("attribute:p == /usr/local-bin:x*", &x);
    HOLDS("attribute:g in [a(b,c), d]", &x);
    HOLDS("attribute:r =~ a{1,3}", &x);
    FAILS("attribute:r in [x, a{3}]", &x); /* a bare value keeps its braces */
    HOLDS("task:group == service:production", &x);
    HOLDS("not(task:group == database)", &x);
    HOLDS("attribute:stack==prod", &x);
    HOLDS("attribute:stack ==prod", &x);
    HOLDS("attribute:stack== prod", &x);
    HOLDS("\tattribute:stack\n==\r\nprod\t ", &x);
    HOLDS("not(attribute:stack==prod)or(attribute:stack==prod)", &x);
    HOLDS("attribute:stack exists&&attribute:p exists", &x);
    HOLDS("attribute:stack exists||attribute:zz exists", &x);
    HOLDS("attribute:stack in[prod]", &x);
    HOLDS("attribute:stack!in[dev]", &x);
    HOLDS("(attribute:stack == prod)and(ec2InstanceId =~ i-\\d+)", &x);
    HOLDS("!(attribute:stack == dev)", &x);
    FAILS("not attribute:stack exists", &x);
}

static void test_query__depends_on_tasks(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *expr;
        bool depends;
    } cases[] = {
        { "attribute:a exists", false },
        { "agentConnected == true and ec2InstanceId =~ i-.*", false },
        { "registeredAt < 2018-01-01 or agentVersion > 1", false },
        { "task:group == x", true },
        { "not(task:group exists)", true },
        { "attribute:a exists or runningTasksCount > 1", true },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ecs_query *q = compile_ok(f, cases[i].expr);
        assert_int_equal(ecs_query__depends_on_tasks(q), cases[i].depends);
        ecs_query__free(f->ctx, q);
    }
    assert_false(ecs_query__depends_on_tasks(NULL));
}

/* ------------------------------------------------------------------------ */
/* Errors and limits                                                         */

#define SUBJECTS                                                                                   \
    " (subjects: agentConnected, agentVersion, attribute:NAME, ec2InstanceId, registeredAt, "      \
    "runningTasksCount, task:group)"

static void test_query__syntax_errors_name_position_and_expectation(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *expr;
        size_t at;
        const char *msg;
    } cases[] = {
        { "", 0, "expected a subject, 'not' or '(', found end of expression" },
        { "   ", 3, "expected a subject, 'not' or '(', found end of expression" },
        { "not", 3, "expected a subject, 'not' or '(', found end of expression" },
        { "foo == bar", 0, "unknown subject 'foo'" SUBJECTS },
        { "AgentConnected == true", 0, "unknown subject 'AgentConnected'" SUBJECTS },
        { "attribute: == x", 10, "expected an attribute name after 'attribute:', found ' '" },
        { "attribute:stack", 15,
          "expected an operator after subject 'attribute:stack', found end of expression" },
        { "attribute:stack prod", 16,
          "expected an operator after subject 'attribute:stack', found 'prod'" },
        { "attribute:stack = prod", 16,
          "expected an operator after subject 'attribute:stack', found '='" },
        { "attribute:a EXISTS", 12,
          "expected an operator after subject 'attribute:a', found 'EXISTS'" },
        { "attribute:a !exist", 12, "expected an operator after subject 'attribute:a', found '!'" },
        { "ec2InstanceId > i-1", 14, "operator '>' does not apply to ec2InstanceId" },
        { "runningTasksCount =~ 1", 18, "operator '=~' does not apply to runningTasksCount" },
        { "agentVersion in [1]", 13, "operator 'in' does not apply to agentVersion" },
        { "registeredAt exists", 13, "operator 'exists' does not apply to registeredAt" },
        { "agentConnected greater_than true", 15,
          "operator 'greater_than' does not apply to agentConnected" },
        { "task:group < x", 11, "operator '<' does not apply to task:group" },
        { "attribute:stack ==", 18, "expected a value after '==', found end of expression" },
        { "attribute:stack equals )", 23, "expected a value after 'equals', found ')'" },
        { "attribute:a in [x, y", 20, "expected ',' or ']' in the list, found end of expression" },
        { "attribute:a in x", 15, "expected '[' after 'in', found 'x'" },
        { "attribute:a not_in", 18, "expected '[' after 'not_in', found end of expression" },
        { "attribute:a in []", 16, "expected a value in the list, found ']'" },
        { "attribute:a in [x,]", 18, "expected a value in the list, found ']'" },
        { "attribute:a in [x y]", 18, "expected ',' or ']' in the list, found 'y'" },
        { "attribute:a in ['a', 'b'", 24,
          "expected ',' or ']' in the list, found end of expression" },
        { "attribute:a == 'x", 15, "unterminated quoted value (no closing ')" },
        { "attribute:a == \"x'", 15, "unterminated quoted value (no closing \")" },
        { "(attribute:a exists", 19,
          "expected ')' to close the '(' at byte 0, found end of expression" },
        { "((attribute:a exists)", 21,
          "expected ')' to close the '(' at byte 0, found end of expression" },
        { "attribute:a exists)", 18, "unbalanced ')'" },
        { "attribute:a exists attribute:b exists", 19,
          "expected 'and', 'or' or end of expression, found 'attribute:b'" },
        { "(attribute:a exists attribute:b exists)", 20,
          "expected 'and', 'or' or ')', found 'attribute:b'" },
        { "attribute:a exists AND attribute:b exists", 19,
          "expected 'and', 'or' or end of expression, found 'AND'" },
        { "task:group == a, b", 15, "expected 'and', 'or' or end of expression, found ','" },
        { "attribute:a == x and", 20, "expected a subject, 'not' or '(', found end of expression" },
        { "attribute:a == x && && attribute:b exists", 20,
          "expected a subject, 'not' or '(', found '&&'" },
        { "attribute:a == x & attribute:b exists", 17,
          "expected 'and', 'or' or end of expression, found '&'" },
        { "runningTasksCount > many", 20,
          "runningTasksCount compares with a whole number, found 'many'" },
        { "runningTasksCount > -1", 20,
          "runningTasksCount compares with a whole number, found '-1'" },
        { "runningTasksCount == 1.5", 21,
          "runningTasksCount compares with a whole number, found '1.5'" },
        { "runningTasksCount == 99999999999999999999", 21,
          "runningTasksCount compares with a whole number, found '99999999999999999999'" },
        { "registeredAt < 2018-02-30", 15,
          "registeredAt compares with a date such as 2018-06-18 or 2018-06-18T22:28:28Z, "
          "found '2018-02-30'" },
        { "registeredAt < '2018-13-01'", 16,
          "registeredAt compares with a date such as 2018-06-18 or 2018-06-18T22:28:28Z, "
          "found '2018-13-01'" },
        { "agentConnected == yes", 18, "agentConnected compares with true or false, found 'yes'" },
        { "agentConnected == True", 18,
          "agentConnected compares with true or false, found 'True'" },
        { "agentConnected in [true, maybe]", 25,
          "agentConnected compares with true or false, found 'maybe'" },
        { "agentVersion < 1.x", 15,
          "agentVersion compares with a version such as 1.14.5, found '1.x'" },
        { "attribute:a =~ 'ab(c'", 18, "in regular expression: unbalanced '(' (missing ')')" },
        { "attribute:a =~ t2.*)", 19, "unbalanced ')'" },
        { "attribute:a =~ a**", 17, "in regular expression: nothing to repeat before '*'" },
        { "task:group !~ \"x\\q\"", 16, "in regular expression: bad escape '\\q'" },
        { "agentConnected =~ [x", 18, "in regular expression: unterminated character class" },
        { "attribute:a == x\x01", 16, "unexpected control character 0x01" },
        { "attribute:a == 'x\x7F'", 17, "unexpected control character 0x7F" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(f, cases[i].expr, ECS_E_PARSE, cases[i].at, cases[i].msg);
}

static void test_query__bad_dates_and_versions_are_refused(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "registeredAt < 2019-02-29",
        "registeredAt < 1900-02-29",
        "registeredAt < 0000-01-01",
        "registeredAt < 2018-6-18",
        "registeredAt < 2018-06-18T24:00:00Z",
        "registeredAt < 2018-06-18T22:60:00Z",
        "registeredAt < 2018-06-18T22:28:60Z",
        "registeredAt < 2018-06-18T22:28Z",
        "registeredAt < 2018-06-18T22:28:28.",
        "registeredAt < 2018-06-18T22:28:28.1234567890",
        "registeredAt < 2018-06-18T22:28:28+25:00",
        "registeredAt < 2018-06-18T22:28:28+01:60",
        "registeredAt < 2018-06-18T22:28:28+1",
        "registeredAt < 2018-06-18T22:28:28z",
        "registeredAt < '2018-06-18 22:28:28'",
        "registeredAt < 2018-06-18Z",
        "registeredAt < 2018-06-18T",
        "registeredAt < yesterday",
        "registeredAt < 1529360908",
        "agentVersion < 1.",
        "agentVersion < .1",
        "agentVersion < 1..2",
        "agentVersion < v1.2",
        "agentVersion < 1.2.3.4.5.6.7.8.9",
        "agentVersion < 4294967296",
        "agentVersion < ''",
        "runningTasksCount > ''",
        "runningTasksCount > +1",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ecs_query *q = NULL;
        if (ecs_query__compile(f->ctx, bad[i], strlen(bad[i]), &q) != ECS_E_PARSE) {
            print_error("\"%s\" should be refused\n", bad[i]);
            fail();
        }
        assert_null(q);
    }
    /* Valid edge forms. */
    ecs_query__free(f->ctx, compile_ok(f, "registeredAt < 2020-02-29"));
    ecs_query__free(f->ctx, compile_ok(f, "registeredAt < 2000-02-29T23:59:59-23:59"));
    ecs_query__free(f->ctx, compile_ok(f, "agentVersion < 1.2.3.4.5.6.7.8"));
    ecs_query__free(f->ctx, compile_ok(f, "agentVersion < 4294967295"));
}

static void test_query__length_and_nesting_limits(void **state)
{
    fixture *f = *state;
    char *e = malloc(8192);
    size_t n, i;
    ecs_query *q = NULL;
    fake_inst x = { 'x', NULL, NULL, 0, 0, true, { { "a", "x" } }, { NULL }, NULL };
    ecs_query_subject s = subject_of(&x);

    assert_non_null(e);
    /* Exactly ECS_QUERY_MAX_EXPR bytes compile; one more is refused. */
    n = (size_t)snprintf(e, 8192, "attribute:a == ");
    memset(e + n, 'x', ECS_QUERY_MAX_EXPR - n);
    e[ECS_QUERY_MAX_EXPR] = '\0';
    q = compile_ok(f, e);
    ecs_query__free(f->ctx, q);
    e[ECS_QUERY_MAX_EXPR] = 'x';
    e[ECS_QUERY_MAX_EXPR + 1] = '\0';
    q = NULL;
    assert_int_equal(ecs_query__compile(f->ctx, e, ECS_QUERY_MAX_EXPR + 1, &q), ECS_E_LIMIT);
    assert_null(q);
    assert_non_null(strstr(ecs_ctx_errmsg(f->ctx), "limit is 2000"));

    /* 100 nested parentheses compile; 101 are refused at the 101st. */
    for (n = 0, i = 0; i < 100; i++)
        e[n++] = '(';
    n += (size_t)snprintf(e + n, 64, "attribute:a exists");
    for (i = 0; i < 100; i++)
        e[n++] = ')';
    e[n] = '\0';
    q = compile_ok(f, e);
    assert_true(ecs_query__eval(q, &s));
    ecs_query__free(f->ctx, q);
    for (n = 0, i = 0; i < 101; i++)
        e[n++] = '(';
    n += (size_t)snprintf(e + n, 64, "attribute:a exists");
    for (i = 0; i < 101; i++)
        e[n++] = ')';
    e[n] = '\0';
    expect_error(f, e, ECS_E_LIMIT, 100, "parentheses nested more than 100 deep");
    /* Unclosed parentheses at the limit fail the same way, without recursion. */
    memset(e, '(', 2000);
    e[2000] = '\0';
    expect_error(f, e, ECS_E_LIMIT, 100, "parentheses nested more than 100 deep");

    /* Long runs of `not` need no nesting. */
    for (n = 0, i = 0; i < 400; i++)
        n += (size_t)snprintf(e + n, 8, "not ");
    snprintf(e + n, 64, "attribute:a exists");
    q = compile_ok(f, e);
    assert_true(ecs_query__eval(q, &s));
    ecs_query__free(f->ctx, q);
    memset(e, '!', 1981);
    snprintf(e + 1981, 64, "attribute:a exists");
    q = compile_ok(f, e);
    assert_false(ecs_query__eval(q, &s)); /* 1981 negations */
    ecs_query__free(f->ctx, q);

    /* Many comparisons in one expression. */
    for (n = 0; n + 30 < ECS_QUERY_MAX_EXPR;)
        n += (size_t)snprintf(e + n, 64, "%sattribute:b == %zu", n > 0 ? " or " : "", n);
    q = compile_ok(f, e);
    assert_false(ecs_query__eval(q, &s));
    ecs_query__free(f->ctx, q);

    /* A regular expression beyond the engine's size limit. */
    expect_error(f, "attribute:a =~ ((a{100}){100}){100}", ECS_E_LIMIT, 15,
                 "in regular expression: the pattern needs more than 4096 instructions "
                 "(counted repetitions expand)");
    free(e);
}

/* ------------------------------------------------------------------------ */
/* Evaluation cost                                                           */

static void test_query__evaluation_short_circuits(void **state)
{
    fixture *f = *state;
    size_t lookups = 0;
    fake_inst x = {
        'x', NULL, NULL, 0, 0, true, { { "a", "z" }, { "b", "y" } }, { NULL }, &lookups
    };

    FAILS("attribute:a == x and attribute:b == y", &x);
    assert_int_equal(lookups, 1);
    lookups = 0;
    HOLDS("attribute:a == z or attribute:b == y", &x);
    assert_int_equal(lookups, 1);
    lookups = 0;
    FAILS("not attribute:a == z and attribute:b exists", &x);
    assert_int_equal(lookups, 1);
    lookups = 0;
    HOLDS("(attribute:a == x or attribute:b == y) and attribute:a exists", &x);
    assert_int_equal(lookups, 3);
}

static void test_query__fifty_thousand_evaluations_allocate_nothing(void **state)
{
    fixture *f = *state;
    ecs_query *q = compile_ok(f, "attribute:ecs.instance-type =~ t2.* and "
                                 "attribute:ecs.availability-zone in [us-east-1a, us-east-1b] and "
                                 "not(task:group == database) and agentVersion >= 1.14");
    size_t i, hits = 0, calls;

    test_alloc_fail_at(&f->ta, 0, false);
    calls = f->ta.calls;
    for (i = 0; i < 50000; i++) {
        ecs_query_subject s = subject_of(&k_fleet[i % FLEET_SIZE]);
        hits += ecs_query__eval(q, &s) ? 1u : 0u;
    }
    assert_int_equal(f->ta.calls, calls);
    assert_int_equal(hits, 10000); /* only A qualifies */
    ecs_query__free(f->ctx, q);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure and misuse                                             */

static void test_query__oom_at_each_allocation_leaks_nothing(void **state)
{
    fixture *f = *state;
    static const char expr[] =
        "(attribute:ecs.instance-type =~ t2.* or ec2InstanceId in [i-1, 'i-2', \"i-3\", i-4, "
        "i-5, i-6, i-7, i-8, i-9, i-10]) and not task:group =~ 'service:.*' and registeredAt > "
        "2018-01-01 and agentVersion >= 1.14 and agentConnected !~ f.* or attribute:a exists or "
        "attribute:b exists or attribute:c exists or attribute:d exists or attribute:e exists or "
        "attribute:f exists or attribute:g exists or attribute:h exists or attribute:i exists";
    size_t n, base = f->ta.live_blocks;
    bool fail_all;

    for (fail_all = false;; fail_all = true) {
        for (n = 1;; n++) {
            ecs_query *q = NULL;
            ecs_status rc;

            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_query__compile(f->ctx, expr, sizeof expr - 1, &q);
            if (f->ta.calls < n) {
                ecs_query_subject s = subject_of(&k_fleet[1]);
                assert_int_equal(rc, ECS_OK);
                assert_true(ecs_query__eval(q, &s));
                ecs_query__free(f->ctx, q);
                break;
            }
            if (rc != ECS_E_NOMEM) {
                print_error("failing allocation %zu: got %s\n", n, ecs_status_str(rc));
                fail();
            }
            assert_null(q);
            assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            assert_true(n < 1000);
        }
        if (fail_all)
            break;
    }
    test_alloc_fail_at(&f->ta, 0, false);
}

static void test_query__misuse_returns_status(void **state)
{
    fixture *f = *state;
    ecs_query *q = NULL;
    ecs_query_subject s = subject_of(&k_fleet[0]);

    assert_int_equal(ecs_query__compile(NULL, "attribute:a exists", 18, &q), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_query__compile(f->ctx, "attribute:a exists", 18, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_query__compile(f->ctx, NULL, 3, &q), ECS_E_INVALID_ARG);
    assert_null(q);
    assert_int_equal(ecs_query__compile(f->ctx, NULL, 0, &q), ECS_E_PARSE);
    assert_null(q);
    /* The expression is read only within its length. */
    q = compile_ok(f, "attribute:stack == prod");
    ecs_query__free(f->ctx, q);
    assert_int_equal(ecs_query__compile(f->ctx, "attribute:stack == prodXYZ", 23, &q), ECS_OK);
    assert_true(ecs_query__eval(q, &s));
    assert_false(ecs_query__eval(q, NULL));
    assert_false(ecs_query__eval(NULL, &s));
    ecs_query__free(f->ctx, q);
    ecs_query__free(f->ctx, NULL);
    ecs_query__free(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_query__documented_examples_select_the_documented_hosts),
        T(test_query__word_operators_equal_symbolic_ones),
        T(test_query__precedence_not_over_and_over_or),
        T(test_query__random_expressions_agree_with_reference),
        T(test_query__agent_version_compares_numerically_per_part),
        T(test_query__registered_at_compares_at_the_literal_precision),
        T(test_query__running_tasks_count_is_numeric),
        T(test_query__agent_connected_is_boolean),
        T(test_query__task_group_is_multi_valued),
        T(test_query__missing_subject_only_satisfies_not_exists),
        T(test_query__attribute_values),
        T(test_query__bare_values_and_whitespace),
        T(test_query__depends_on_tasks),
        T(test_query__syntax_errors_name_position_and_expectation),
        T(test_query__bad_dates_and_versions_are_refused),
        T(test_query__length_and_nesting_limits),
        T(test_query__evaluation_short_circuits),
        T(test_query__fifty_thousand_evaluations_allocate_nothing),
        T(test_query__oom_at_each_allocation_leaks_nothing),
        T(test_query__misuse_returns_status),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
