/*
 * Capacity provider strategies (spec 5):
 *  - level 1 (ecs/deploy.h): ecs_capacity_next() on the spec's worked
 *    example (the sequence A A B B B A B B B A), the 1:4 ratio, the all
 *    weights 0 conflict, base-only items; ecs_capacity_scale_in() (the
 *    provider furthest above its share goes first, the base provider
 *    never below its base while others hold tasks, ties to the later
 *    item); invalid arguments;
 *  - the plane with simulated agents: CreateCapacityProvider,
 *    DescribeCapacityProviders (FARGATE and FARGATE_SPOT built in, MISSING
 *    failures), DeleteCapacityProvider (refused while associated),
 *    PutClusterCapacityProviders and CreateCluster with a default strategy
 *    and their validation; a service of 10 tasks on the cluster default
 *    strategy ends cp-a 4, cp-b 6 with every task on an instance of its
 *    provider, and scaled in to 3 keeps cp-a 2, cp-b 1; RunTask with its
 *    own strategy; Fargate providers; snapshot and restore.
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
#include "test_alloc.h"
#include "test_plane_fx.h"
#include "test_util.h"


#define T0 ECS_PLANE_DEFAULT_START_MS
#define SEC 1000
#define ASG "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/"
#define CP_ARN "arn:aws:ecs:us-east-1:123456789012:capacity-provider/"

/* ======================================================================== */
/* Level 1                                                                   */

/* The first n picks of ecs_capacity_next() from nothing, as letters. */
static void sequence_of(const ecs_capacity_item *items, size_t nitems, size_t n, char *out, uint32_t *counts)
{
    memset(counts, 0, nitems * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        size_t k = 99;
        assert_int_equal(ecs_capacity_next(items, nitems, counts, &k), ECS_OK);
        assert_true(k < nitems);
        counts[k]++;
        out[i] = (char)('A' + k);
    }
    out[n] = '\0';
}

static void test_capacity__worked_example(void **state)
{
    const ecs_capacity_item items[] = { { 2, 1 }, { 0, 3 } };
    uint32_t c[2];
    char seq[64];
    (void)state;
    sequence_of(items, 2, 10, seq, c);
    assert_string_equal(seq, "AABBBABBBA");
    assert_int_equal(c[0], 4);
    assert_int_equal(c[1], 6);
    sequence_of(items, 2, 3, seq, c);
    assert_int_equal(c[0], 2);
    assert_int_equal(c[1], 1);
    /* and on: the cycle A B B B repeats beyond the base */
    sequence_of(items, 2, 22, seq, c);
    assert_string_equal(seq, "AABBBABBBABBBABBBABBBA");
}

static void test_capacity__ratio_one_to_four(void **state)
{
    const ecs_capacity_item items[] = { { 0, 1 }, { 0, 4 } };
    uint32_t c[2] = { 0, 0 };
    (void)state;
    for (uint32_t i = 1; i <= 100; i++) {
        size_t k;
        assert_int_equal(ecs_capacity_next(items, 2, c, &k), ECS_OK);
        c[k]++;
        if (i % 5 == 0) {
            if (c[0] != i / 5 || c[1] != 4 * (i / 5))
                fail_msg("%u tasks: A %u B %u, want one A for every four B", i, c[0], c[1]);
        }
    }
    /* the order of the items does not change the shares */
    {
        const ecs_capacity_item rev[] = { { 0, 4 }, { 0, 1 } };
        uint32_t r[2];
        char seq[16];
        sequence_of(rev, 2, 10, seq, r);
        assert_int_equal(r[0], 8);
        assert_int_equal(r[1], 2);
        /* ties to the larger weight: B (weight 4) first */
        sequence_of(items, 2, 5, seq, r);
        assert_string_equal(seq, "BBBBA");
    }
}

static void test_capacity__weights_zero(void **state)
{
    const ecs_capacity_item zeros[] = { { 0, 0 }, { 0, 0 } };
    const ecs_capacity_item base_only[] = { { 0, 0 }, { 2, 0 } };
    const ecs_capacity_item zero_and_one[] = { { 0, 0 }, { 0, 1 } };
    uint32_t c[2] = { 0, 0 };
    size_t k = 77;
    (void)state;
    assert_int_equal(ecs_capacity_next(zeros, 2, c, &k), ECS_E_CONFLICT);
    assert_int_equal(k, 77);
    /* a base with weight 0: the base, then nothing */
    assert_int_equal(ecs_capacity_next(base_only, 2, c, &k), ECS_OK);
    assert_int_equal(k, 1);
    c[1] = 1;
    assert_int_equal(ecs_capacity_next(base_only, 2, c, &k), ECS_OK);
    assert_int_equal(k, 1);
    c[1] = 2;
    assert_int_equal(ecs_capacity_next(base_only, 2, c, &k), ECS_E_CONFLICT);
    /* an item of weight 0 gets nothing beyond its base */
    c[0] = c[1] = 0;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(ecs_capacity_next(zero_and_one, 2, c, &k), ECS_OK);
        assert_int_equal(k, 1);
        c[k]++;
    }
}

/* Large weights and counts: the comparison must not overflow. */
static void test_capacity__large_values(void **state)
{
    const ecs_capacity_item items[] = { { 0, UINT32_MAX }, { 0, UINT32_MAX - 1 } };
    uint32_t c[2] = { UINT32_MAX - 1, 0 };
    size_t k = 9;
    (void)state;
    /* A holds ~2^32 tasks at weight ~2^32 (share ~1), B none (share ~0) */
    assert_int_equal(ecs_capacity_next(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 1);
    c[0] = 0;
    c[1] = UINT32_MAX - 1;
    assert_int_equal(ecs_capacity_next(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 0);
}

/* The state of n tasks apportioned from nothing. */
static void share_of(const ecs_capacity_item *items, size_t nitems, uint32_t n, uint32_t *out)
{
    memset(out, 0, nitems * sizeof *out);
    for (uint32_t i = 0; i < n; i++) {
        size_t k;
        if (ecs_capacity_next(items, nitems, out, &k) != ECS_OK)
            return;
        out[k]++;
    }
}

static void test_capacity__scale_in_order(void **state)
{
    const ecs_capacity_item items[] = { { 2, 1 }, { 0, 3 } };
    uint32_t c[2], want[2];
    size_t k;
    (void)state;
    /* from 10 down to 0: each removal leaves the apportionment of one task
     * fewer; A stays at its base of 2 while B holds tasks */
    share_of(items, 2, 10, c);
    for (uint32_t n = 10; n > 0; n--) {
        assert_int_equal(ecs_capacity_scale_in(items, 2, c, &k), ECS_OK);
        assert_true(c[k] > 0);
        c[k]--;
        share_of(items, 2, n - 1, want);
        if (c[0] != want[0] || c[1] != want[1])
            fail_msg("scale-in to %u: A %u B %u, want A %u B %u", n - 1, c[0], c[1], want[0], want[1]);
        if (c[1] > 0 && c[0] < 2)
            fail_msg("scale-in to %u: the base provider below its base while B holds %u", n - 1, c[1]);
    }
    assert_int_equal(ecs_capacity_scale_in(items, 2, c, &k), ECS_E_CONFLICT);
    /* the provider furthest above its share goes first */
    c[0] = 1; /* share of 9: A 3, B 6 */
    c[1] = 9;
    assert_int_equal(ecs_capacity_scale_in(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 1);
    c[0] = 8;
    c[1] = 2;
    assert_int_equal(ecs_capacity_scale_in(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 0);
    /* the base provider at its base, B above nothing: B goes */
    c[0] = 2;
    c[1] = 1;
    assert_int_equal(ecs_capacity_scale_in(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 1);
    /* only the base provider holds tasks: it gives */
    c[0] = 2;
    c[1] = 0;
    assert_int_equal(ecs_capacity_scale_in(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 0);
    /* a base of weight 0 is kept while the weighted provider holds tasks */
    {
        const ecs_capacity_item b0[] = { { 2, 0 }, { 0, 1 } };
        uint32_t d[2] = { 2, 5 };
        for (int i = 0; i < 5; i++) {
            assert_int_equal(ecs_capacity_scale_in(b0, 2, d, &k), ECS_OK);
            assert_int_equal(k, 1);
            d[k]--;
        }
        assert_int_equal(ecs_capacity_scale_in(b0, 2, d, &k), ECS_OK);
        assert_int_equal(k, 0);
    }
    /* ties to the later item */
    {
        const ecs_capacity_item eq[] = { { 0, 1 }, { 0, 1 }, { 0, 1 } };
        uint32_t d[3] = { 0, 2, 2 }; /* share of 3: 1, 1, 1 */
        assert_int_equal(ecs_capacity_scale_in(eq, 3, d, &k), ECS_OK);
        assert_int_equal(k, 2);
        d[0] = 1;
        d[1] = 1;
        d[2] = 1; /* share of 2: 1, 1, 0 */
        assert_int_equal(ecs_capacity_scale_in(eq, 3, d, &k), ECS_OK);
        assert_int_equal(k, 2);
    }
    /* a provider with no task is never chosen, even far below its share */
    {
        const ecs_capacity_item eq[] = { { 0, 1 }, { 0, 1 } };
        uint32_t d[2] = { 0, 1 };
        assert_int_equal(ecs_capacity_scale_in(eq, 2, d, &k), ECS_OK);
        assert_int_equal(k, 1);
    }
}

static void test_capacity__invalid_args(void **state)
{
    const ecs_capacity_item items[] = { { 2, 1 }, { 0, 3 } };
    uint32_t c[2] = { 1, 1 };
    size_t k;
    (void)state;
    assert_int_equal(ecs_capacity_next(NULL, 2, c, &k), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_next(items, 2, NULL, &k), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_next(items, 2, c, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_next(items, 0, c, &k), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_scale_in(NULL, 2, c, &k), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_scale_in(items, 2, NULL, &k), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_scale_in(items, 2, c, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_scale_in(items, 0, c, &k), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_capacity_next(items, 2, c, &k), ECS_OK);
    assert_int_equal(k, 0);
}

/* ======================================================================== */
/* The plane                                                                 */

static const char *opt_str(fx *f, const char *format, ...) TFMT(2, 3);
static const char *opt_str(fx *f, const char *format, ...)
{
    char path[128];
    va_list ap;
    va_start(ap, format);
    vsnprintf(path, sizeof path, format, ap);
    va_end(ap);
    return ecs_json_str(f->doc, at(f, path), NULL);
}

static void at_ms(fx *f, int64_t ms)
{
    assert_int_equal(ecs_plane_set_time(f->pl, T0 + ms), ECS_OK);
}

static void provider(fx *f, const char *name)
{
    ok(f, "CreateCapacityProvider",
       fmt(f, "{\"name\":\"%s\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"" ASG "%s\"}}", name,
           name));
    assert_string_equal(str_at(f, "capacityProvider.name"), name);
    assert_string_equal(str_at(f, "capacityProvider.status"), "ACTIVE");
}

/* An instance of cluster c in zone az, of the capacity provider cp ("" for none). */
static void reg(fx *f, const char *c, const char *ec2, const char *az, const char *cp)
{
    char attrs[128] = "";
    if (cp[0] != '\0')
        snprintf(attrs, sizeof attrs, ",\"attributes\":[{\"name\":\"ecs.capacity-provider\",\"value\":\"%s\"}]", cp);
    ok(f, "RegisterContainerInstance",
       fmt(f,
           "{\"cluster\":\"%s\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"%s\\\","
           "\\\"availabilityZone\\\":\\\"%s\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
           "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":4096},"
           "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":8192}]%s}",
           c, ec2, az, attrs));
}

static void taskdef_w(fx *f)
{
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"w\",\"containerDefinitions\":[{\"name\":\"w\",\"image\":\"x\",\"cpu\":128,\"memory\":128}]}");
}

/* Two providers, cp-a and cp-b, three instances each over two zones, and a
 * cluster c1 with the default strategy [{cp-a, base 2, weight 1}, {cp-b,
 * weight 3}]. */
static void cp_cluster(fx *f)
{
    provider(f, "cp-a");
    provider(f, "cp-b");
    ok(f, "CreateCluster",
       "{\"clusterName\":\"c1\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":"
       "[{\"capacityProvider\":\"cp-a\",\"base\":2,\"weight\":1},{\"capacityProvider\":\"cp-b\",\"weight\":3}]}");
    assert_string_equal(str_at(f, "cluster.capacityProviders.0"), "cp-a");
    assert_string_equal(str_at(f, "cluster.capacityProviders.1"), "cp-b");
    assert_int_equal(int_at(f, "cluster.defaultCapacityProviderStrategy.0.base"), 2);
    assert_int_equal(int_at(f, "cluster.defaultCapacityProviderStrategy.0.weight"), 1);
    assert_string_equal(str_at(f, "cluster.defaultCapacityProviderStrategy.1.capacityProvider"), "cp-b");
    assert_int_equal(int_at(f, "cluster.defaultCapacityProviderStrategy.1.weight"), 3);
    assert_int_equal(int_at(f, "cluster.defaultCapacityProviderStrategy.1.base"), 0);
    reg(f, "c1", "i-a1", "us-east-1a", "cp-a");
    reg(f, "c1", "i-a2", "us-east-1b", "cp-a");
    reg(f, "c1", "i-a3", "us-east-1a", "cp-a");
    reg(f, "c1", "i-b1", "us-east-1a", "cp-b");
    reg(f, "c1", "i-b2", "us-east-1b", "cp-b");
    reg(f, "c1", "i-b3", "us-east-1b", "cp-b");
    taskdef_w(f);
}

typedef struct by_provider {
    int a, b, fargate, spot, other;
    int total;
} by_provider;

/* The provider of the instance with this ARN, by its attribute (NULL when
 * it has none). Reads DescribeContainerInstances; f->doc changes. */
static bool instance_has_provider(fx *f, const char *cluster, const char *inst_arn, const char *cp)
{
    const ecs_json_val *attrs;
    bool found = false;
    ok(f, "DescribeContainerInstances",
       fmt(f, "{\"cluster\":\"%s\",\"containerInstances\":[\"%s\"]}", cluster, inst_arn));
    assert_int_equal(len_at(f, "containerInstances"), 1);
    attrs = at(f, "containerInstances.0.attributes");
    for (const ecs_json_val *a = ecs_json_first(attrs); a != NULL; a = ecs_json_next(attrs, a)) {
        const char *n = ecs_json_str(f->doc, ecs_json_obj_get(f->doc, a, "name", 4), NULL);
        const char *v = ecs_json_str(f->doc, ecs_json_obj_get(f->doc, a, "value", 5), NULL);
        if (n != NULL && strcmp(n, "ecs.capacity-provider") == 0)
            found = v != NULL && strcmp(v, cp) == 0;
    }
    /* the instance also says it itself */
    if (found)
        assert_string_equal(str_at(f, "containerInstances.0.capacityProviderName"), cp);
    return found;
}

/* Count the tasks of arns[0..n) by capacityProviderName, checking that an
 * EC2 task sits on an instance of its provider and a Fargate one on none. */
static by_provider count_tasks(fx *f, const char *cluster, char (*arns)[256], size_t n)
{
    by_provider r;
    char prov[100][32], inst[100][256];
    size_t len;
    memset(&r, 0, sizeof r);
    assert_true(n <= 100);
    if (n == 0)
        return r;
    len = (size_t)snprintf(f->req, sizeof f->req, "{\"cluster\":\"%s\",\"tasks\":[", cluster);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(f->req + len, sizeof f->req - len, "%s\"%s\"", i ? "," : "", arns[i]);
    snprintf(f->req + len, sizeof f->req - len, "]}");
    ok(f, "DescribeTasks", f->req);
    assert_int_equal(len_at(f, "tasks"), n);
    for (size_t i = 0; i < n; i++) {
        const char *p = opt_str(f, "tasks.%zu.capacityProviderName", i);
        const char *ci = opt_str(f, "tasks.%zu.containerInstanceArn", i);
        if (p == NULL)
            fail_msg("task %zu has no capacityProviderName", i);
        snprintf(prov[i], sizeof prov[i], "%s", p);
        snprintf(inst[i], sizeof inst[i], "%s", ci != NULL ? ci : "");
        if (strcmp(p, "FARGATE") == 0 || strcmp(p, "FARGATE_SPOT") == 0) {
            assert_null(ci);
            assert_string_equal(opt_str(f, "tasks.%zu.launchType", i), "FARGATE");
        }
    }
    for (size_t i = 0; i < n; i++) {
        r.total++;
        if (strcmp(prov[i], "cp-a") == 0)
            r.a++;
        else if (strcmp(prov[i], "cp-b") == 0)
            r.b++;
        else if (strcmp(prov[i], "FARGATE") == 0)
            r.fargate++;
        else if (strcmp(prov[i], "FARGATE_SPOT") == 0)
            r.spot++;
        else
            r.other++;
        if (inst[i][0] != '\0' && !instance_has_provider(f, cluster, inst[i], prov[i]))
            fail_msg("task %zu of provider %s sits on %s, not an instance of its provider", i, prov[i], inst[i]);
    }
    return r;
}

/* The live tasks (desiredStatus RUNNING) of a service, by provider. */
static by_provider service_tasks(fx *f, const char *service)
{
    char arns[100][256];
    size_t n;
    ok(f, "ListTasks", fmt(f, "{\"cluster\":\"c1\",\"serviceName\":\"%s\",\"desiredStatus\":\"RUNNING\"}", service));
    n = len_at(f, "taskArns");
    assert_true(n <= 100);
    for (size_t i = 0; i < n; i++)
        snprintf(arns[i], sizeof arns[i], "%s", opt_str(f, "taskArns.%zu", i));
    return count_tasks(f, "c1", arns, n);
}

/* The tasks of the last RunTask answer, by provider. */
static by_provider run_task_answer(fx *f, const char *cluster)
{
    char arns[100][256];
    size_t n = len_at(f, "tasks");
    assert_int_equal(len_at(f, "failures"), 0);
    for (size_t i = 0; i < n; i++)
        snprintf(arns[i], sizeof arns[i], "%s", opt_str(f, "tasks.%zu.taskArn", i));
    return count_tasks(f, cluster, arns, n);
}

static void test_capacity__providers_crud(void **state)
{
    fx *f = *state;
    provider(f, "cp-a");
    assert_string_equal(str_at(f, "capacityProvider.capacityProviderArn"), CP_ARN "cp-a");
    assert_string_equal(str_at(f, "capacityProvider.autoScalingGroupProvider.autoScalingGroupArn"), ASG "cp-a");
    provider(f, "cp-b");
    fails(f, "CreateCapacityProvider",
          "{\"name\":\"cp-a\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"" ASG "x\"}}", "ClientException",
          "already exists");
    fails(f, "CreateCapacityProvider",
          "{\"name\":\"FARGATE\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"" ASG "x\"}}",
          "InvalidParameterException", "cannot begin with");
    fails(f, "CreateCapacityProvider",
          "{\"name\":\"ecs-x\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"" ASG "x\"}}",
          "InvalidParameterException", "cannot begin with");
    fails(f, "CreateCapacityProvider", "{\"name\":\"cp-c\",\"autoScalingGroupProvider\":{}}",
          "InvalidParameterException", "autoScalingGroupArn");
    fails(f, "CreateCapacityProvider",
          "{\"name\":\"bad name\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"" ASG "x\"}}",
          "InvalidParameterException", "name");

    /* all of them: the two built in, then the account's */
    ok(f, "DescribeCapacityProviders", "{}");
    assert_int_equal(len_at(f, "capacityProviders"), 4);
    assert_string_equal(str_at(f, "capacityProviders.0.name"), "FARGATE");
    assert_string_equal(str_at(f, "capacityProviders.1.name"), "FARGATE_SPOT");
    assert_string_equal(str_at(f, "capacityProviders.1.status"), "ACTIVE");
    assert_string_equal(str_at(f, "capacityProviders.2.name"), "cp-a");
    assert_string_equal(str_at(f, "capacityProviders.3.name"), "cp-b");
    assert_int_equal(len_at(f, "failures"), 0);
    /* by name and ARN; unknown ones are MISSING failures */
    ok(f, "DescribeCapacityProviders",
       "{\"capacityProviders\":[\"" CP_ARN "cp-b\",\"nope\",\"FARGATE_SPOT\"]}");
    assert_int_equal(len_at(f, "capacityProviders"), 2);
    assert_string_equal(str_at(f, "capacityProviders.0.name"), "cp-b");
    assert_string_equal(str_at(f, "capacityProviders.1.name"), "FARGATE_SPOT");
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.arn"), "nope");
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");

    /* refused while a cluster has it */
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\",\"capacityProviders\":[\"cp-a\"]}");
    fails(f, "DeleteCapacityProvider", "{\"capacityProvider\":\"cp-a\"}", "InvalidParameterException", "c1");
    fails(f, "DeleteCapacityProvider", "{\"capacityProvider\":\"nope\"}", "InvalidParameterException", "nope");
    ok(f, "DeleteCapacityProvider", "{\"capacityProvider\":\"cp-b\"}");
    assert_string_equal(str_at(f, "capacityProvider.name"), "cp-b");
    assert_string_equal(str_at(f, "capacityProvider.status"), "INACTIVE");
    fails(f, "DeleteCapacityProvider", "{\"capacityProvider\":\"cp-b\"}", "InvalidParameterException", NULL);
    ok(f, "DescribeCapacityProviders", "{}");
    assert_int_equal(len_at(f, "capacityProviders"), 3);
    /* a deleted provider cannot be associated */
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":[]}",
          "InvalidParameterException", "cp-b");
    /* once the cluster lets it go, it can be deleted */
    ok(f, "PutClusterCapacityProviders",
       "{\"cluster\":\"c1\",\"capacityProviders\":[],\"defaultCapacityProviderStrategy\":[]}");
    assert_int_equal(len_at(f, "cluster.capacityProviders"), 0);
    ok(f, "DeleteCapacityProvider", "{\"capacityProvider\":\"" CP_ARN "cp-a\"}");
    assert_string_equal(str_at(f, "capacityProvider.status"), "INACTIVE");
}

static void test_capacity__strategy_validation(void **state)
{
    fx *f = *state;
    provider(f, "cp-a");
    provider(f, "cp-b");
    provider(f, "cp-c");
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    /* PutClusterCapacityProviders */
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\",\"zz\"],\"defaultCapacityProviderStrategy\":[]}",
          "InvalidParameterException", "zz");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-b\",\"weight\":1}]}",
          "InvalidParameterException", "not associated");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"zz\",\"weight\":1}]}",
          "InvalidParameterException", "zz");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"base\":1,\"weight\":1},{\"capacityProvider\":\"cp-b\",\"base\":2,"
          "\"weight\":1}]}",
          "InvalidParameterException", "only one");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"base\":1},{\"capacityProvider\":\"cp-b\",\"weight\":0}]}",
          "InvalidParameterException", "weight greater than 0");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\",\"FARGATE\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"weight\":1},{\"capacityProvider\":\"FARGATE\",\"weight\":1}]}",
          "InvalidParameterException", "mix");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"weight\":1001}]}",
          "InvalidParameterException", "weight");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"base\":100001}]}",
          "InvalidParameterException", "base");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"weight\":1},{\"capacityProvider\":\"cp-a\",\"weight\":1}]}",
          "InvalidParameterException", "twice");
    fails(f, "PutClusterCapacityProviders",
          "{\"cluster\":\"nope\",\"capacityProviders\":[],\"defaultCapacityProviderStrategy\":[]}",
          "ClusterNotFoundException", NULL);
    /* one item of weight 0 is fine (its base or all the tasks) */
    ok(f, "PutClusterCapacityProviders",
       "{\"cluster\":\"c1\",\"capacityProviders\":[\"cp-a\"],\"defaultCapacityProviderStrategy\":"
       "[{\"capacityProvider\":\"cp-a\"}]}");
    assert_int_equal(int_at(f, "cluster.defaultCapacityProviderStrategy.0.weight"), 0);
    /* Fargate providers alone are fine, by themselves */
    ok(f, "PutClusterCapacityProviders",
       "{\"cluster\":\"c1\",\"capacityProviders\":[\"FARGATE\",\"FARGATE_SPOT\"],\"defaultCapacityProviderStrategy\":"
       "[{\"capacityProvider\":\"FARGATE\",\"base\":1,\"weight\":1},{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3}]}");
    assert_string_equal(str_at(f, "cluster.capacityProviders.1"), "FARGATE_SPOT");

    /* CreateCluster refuses the same and makes nothing */
    fails(f, "CreateCluster", "{\"clusterName\":\"c2\",\"capacityProviders\":[\"zz\"]}", "InvalidParameterException",
          "zz");
    fails(f, "CreateCluster",
          "{\"clusterName\":\"c2\",\"capacityProviders\":[\"cp-a\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-b\",\"weight\":1}]}",
          "InvalidParameterException", "not associated");
    fails(f, "CreateCluster",
          "{\"clusterName\":\"c2\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"base\":1,\"weight\":1},{\"capacityProvider\":\"cp-b\",\"base\":1}]}",
          "InvalidParameterException", "only one");
    fails(f, "CreateCluster",
          "{\"clusterName\":\"c2\",\"capacityProviders\":[\"cp-a\",\"cp-b\",\"cp-c\"],"
          "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\"},{\"capacityProvider\":\"cp-b\"},"
          "{\"capacityProvider\":\"cp-c\",\"weight\":0}]}",
          "InvalidParameterException", "weight greater than 0");
    fails(f, "CreateCluster",
          "{\"clusterName\":\"c2\",\"capacityProviders\":[\"cp-a\",\"FARGATE_SPOT\"],"
          "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1},"
          "{\"capacityProvider\":\"cp-a\",\"weight\":1}]}",
          "InvalidParameterException", "mix");
    ok(f, "DescribeClusters", "{\"clusters\":[\"c2\"]}");
    assert_int_equal(len_at(f, "clusters"), 0);

    /* a cluster with ASG providers: strategies of RunTask and CreateService */
    ok(f, "CreateCluster",
       "{\"clusterName\":\"c3\",\"capacityProviders\":[\"cp-a\",\"cp-b\"],\"defaultCapacityProviderStrategy\":"
       "[{\"capacityProvider\":\"cp-a\",\"weight\":1}]}");
    taskdef_w(f);
    fails(f, "RunTask",
          "{\"cluster\":\"c3\",\"taskDefinition\":\"w\",\"launchType\":\"EC2\",\"capacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-a\",\"weight\":1}]}",
          "InvalidParameterException", "launchType");
    fails(f, "CreateService",
          "{\"cluster\":\"c3\",\"serviceName\":\"s\",\"taskDefinition\":\"w\",\"desiredCount\":1,\"launchType\":\"EC2\","
          "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"weight\":1}]}",
          "InvalidParameterException", "launchType");
    fails(f, "RunTask",
          "{\"cluster\":\"c3\",\"taskDefinition\":\"w\",\"capacityProviderStrategy\":"
          "[{\"capacityProvider\":\"cp-c\",\"weight\":1}]}",
          "InvalidParameterException", "not associated");
    fails(f, "CreateService",
          "{\"cluster\":\"c3\",\"serviceName\":\"s\",\"taskDefinition\":\"w\",\"desiredCount\":1,"
          "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\"},{\"capacityProvider\":\"cp-b\"}]}",
          "InvalidParameterException", "weight greater than 0");
    fails(f, "CreateService",
          "{\"cluster\":\"c3\",\"serviceName\":\"s\",\"taskDefinition\":\"w\",\"desiredCount\":1,"
          "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"base\":1,\"weight\":1},"
          "{\"capacityProvider\":\"cp-b\",\"base\":1,\"weight\":1}]}",
          "InvalidParameterException", "only one");
}

/* The spec's worked example as a service on the cluster's default strategy. */
static void test_capacity__service_default_strategy(void **state)
{
    fx *f = *state;
    by_provider p;
    cp_cluster(f);
    ok(f, "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"s\",\"taskDefinition\":\"w\",\"desiredCount\":10}");
    /* the service takes the cluster's strategy as it is */
    assert_int_equal(len_at(f, "service.capacityProviderStrategy"), 2);
    assert_string_equal(str_at(f, "service.capacityProviderStrategy.0.capacityProvider"), "cp-a");
    assert_int_equal(int_at(f, "service.capacityProviderStrategy.0.base"), 2);
    assert_null(at(f, "service.launchType"));
    at_ms(f, 60 * SEC);
    ok(f, "DescribeServices", "{\"cluster\":\"c1\",\"services\":[\"s\"]}");
    assert_int_equal(int_at(f, "services.0.runningCount"), 10);
    assert_string_equal(str_at(f, "services.0.deployments.0.rolloutState"), "COMPLETED");
    p = service_tasks(f, "s");
    assert_int_equal(p.total, 10);
    assert_int_equal(p.a, 4);
    assert_int_equal(p.b, 6);

    /* scale in to 3: cp-a keeps its base of 2 */
    ok(f, "UpdateService", "{\"cluster\":\"c1\",\"service\":\"s\",\"desiredCount\":3}");
    at_ms(f, 120 * SEC);
    p = service_tasks(f, "s");
    assert_int_equal(p.total, 3);
    assert_int_equal(p.a, 2);
    assert_int_equal(p.b, 1);
    ok(f, "DescribeServices", "{\"cluster\":\"c1\",\"services\":[\"s\"]}");
    assert_int_equal(int_at(f, "services.0.runningCount"), 3);

    /* and out to 7 again: the apportionment of 7 from where it stands */
    ok(f, "UpdateService", "{\"cluster\":\"c1\",\"service\":\"s\",\"desiredCount\":7}");
    at_ms(f, 180 * SEC);
    p = service_tasks(f, "s");
    assert_int_equal(p.total, 7);
    assert_int_equal(p.a, 3); /* A A B B B A B */
    assert_int_equal(p.b, 4);
    {
        char why[512];
        assert_true(fx_check_plane(f->ctx, f->pl, NULL, why, sizeof why));
    }
}

/* A new revision rolled out keeps the shares (the old tasks leave, the new
 * ones are apportioned over the live tasks). */
static void test_capacity__service_rollout_keeps_shares(void **state)
{
    fx *f = *state;
    by_provider p;
    cp_cluster(f);
    ok(f, "CreateService",
       "{\"cluster\":\"c1\",\"serviceName\":\"s\",\"taskDefinition\":\"w\",\"desiredCount\":4,"
       "\"capacityProviderStrategy\":[{\"capacityProvider\":\"cp-b\",\"weight\":1},"
       "{\"capacityProvider\":\"cp-a\",\"weight\":1}]}");
    at_ms(f, 60 * SEC);
    p = service_tasks(f, "s");
    assert_int_equal(p.a, 2);
    assert_int_equal(p.b, 2);
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"w\",\"containerDefinitions\":[{\"name\":\"w\",\"image\":\"y\",\"cpu\":128,\"memory\":128}]}");
    ok(f, "UpdateService", "{\"cluster\":\"c1\",\"service\":\"s\",\"taskDefinition\":\"w:2\"}");
    at_ms(f, 200 * SEC);
    ok(f, "DescribeServices", "{\"cluster\":\"c1\",\"services\":[\"s\"]}");
    assert_string_equal(str_at(f, "services.0.deployments.0.rolloutState"), "COMPLETED");
    assert_int_equal(len_at(f, "services.0.deployments"), 1);
    p = service_tasks(f, "s");
    assert_int_equal(p.total, 4);
    assert_int_equal(p.a, 2);
    assert_int_equal(p.b, 2);
}

static void test_capacity__run_task_strategy(void **state)
{
    fx *f = *state;
    by_provider p;
    cp_cluster(f);
    /* its own strategy: 4 on cp-a for 1 on cp-b */
    ok(f, "RunTask",
       "{\"cluster\":\"c1\",\"taskDefinition\":\"w\",\"count\":5,\"capacityProviderStrategy\":"
       "[{\"capacityProvider\":\"cp-b\",\"weight\":1},{\"capacityProvider\":\"cp-a\",\"weight\":4}]}");
    p = run_task_answer(f, "c1");
    assert_int_equal(p.total, 5);
    assert_int_equal(p.a, 4);
    assert_int_equal(p.b, 1);
    /* the cluster's default, over this call's tasks only (the five above
     * change nothing): 3 tasks, A A B */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"w\",\"count\":3}");
    p = run_task_answer(f, "c1");
    assert_int_equal(p.a, 2);
    assert_int_equal(p.b, 1);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"w\",\"count\":10}");
    p = run_task_answer(f, "c1");
    assert_int_equal(p.a, 4);
    assert_int_equal(p.b, 6);
    /* a single provider */
    ok(f, "RunTask",
       "{\"cluster\":\"c1\",\"taskDefinition\":\"w\",\"count\":3,\"capacityProviderStrategy\":"
       "[{\"capacityProvider\":\"cp-b\"}]}");
    p = run_task_answer(f, "c1");
    assert_int_equal(p.b, 3);
    /* a launch type: no provider */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"w\",\"launchType\":\"EC2\"}");
    assert_null(at(f, "tasks.0.capacityProviderName"));
    assert_string_equal(str_at(f, "tasks.0.launchType"), "EC2");
    at_ms(f, 10 * SEC);
    {
        char why[512];
        assert_true(fx_check_plane(f->ctx, f->pl, NULL, why, sizeof why));
    }
}

/* A provider whose instances are full: the tasks it is given fail to place
 * (they do not go to the other provider's instances). */
static void test_capacity__provider_without_instances(void **state)
{
    fx *f = *state;
    provider(f, "cp-a");
    provider(f, "cp-b");
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\",\"capacityProviders\":[\"cp-a\",\"cp-b\"]}");
    reg(f, "c1", "i-a1", "us-east-1a", "cp-a");
    taskdef_w(f);
    ok(f, "RunTask",
       "{\"cluster\":\"c1\",\"taskDefinition\":\"w\",\"count\":4,\"capacityProviderStrategy\":"
       "[{\"capacityProvider\":\"cp-a\",\"weight\":1},{\"capacityProvider\":\"cp-b\",\"weight\":1}]}");
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(len_at(f, "failures"), 2);
    assert_string_equal(str_at(f, "tasks.0.capacityProviderName"), "cp-a");
    assert_string_equal(str_at(f, "tasks.1.capacityProviderName"), "cp-a");
}

static void fargate_setup(fx *f)
{
    ok(f, "CreateCluster",
       "{\"clusterName\":\"fg\",\"capacityProviders\":[\"FARGATE\",\"FARGATE_SPOT\"],"
       "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"base\":1,\"weight\":1},"
       "{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3}]}");
    ok(f, "RegisterSubnets",
       "{\"subnets\":[{\"subnetId\":\"subnet-a\",\"availabilityZone\":\"us-east-1a\"},"
       "{\"subnetId\":\"subnet-b\",\"availabilityZone\":\"us-east-1b\"}]}");
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"api\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\","
       "\"memory\":\"512\",\"containerDefinitions\":[{\"name\":\"api\",\"image\":\"x\",\"essential\":true,"
       "\"portMappings\":[{\"containerPort\":8080}]}]}");
}

#define NETCFG "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-a\",\"subnet-b\"]}}"

static void test_capacity__fargate_providers(void **state)
{
    fx *f = *state;
    by_provider p;
    fargate_setup(f);
    /* an explicit strategy: FARGATE 1, FARGATE_SPOT 3 of 4 */
    ok(f, "RunTask",
       "{\"cluster\":\"fg\",\"taskDefinition\":\"api\",\"count\":4,\"capacityProviderStrategy\":"
       "[{\"capacityProvider\":\"FARGATE\",\"weight\":1},{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3}],"
       NETCFG "}");
    p = run_task_answer(f, "fg");
    assert_int_equal(p.total, 4);
    assert_int_equal(p.fargate, 1);
    assert_int_equal(p.spot, 3);
    /* the cluster's default: base 1 on FARGATE, then 1:3 */
    ok(f, "RunTask", "{\"cluster\":\"fg\",\"taskDefinition\":\"api\",\"count\":5," NETCFG "}");
    p = run_task_answer(f, "fg");
    assert_int_equal(p.fargate, 2);
    assert_int_equal(p.spot, 3);
    /* a Fargate definition cannot go to an ASG provider's instances, and a
     * launch type with a strategy is refused */
    fails(f, "RunTask",
          "{\"cluster\":\"fg\",\"taskDefinition\":\"api\",\"launchType\":\"FARGATE\",\"capacityProviderStrategy\":"
          "[{\"capacityProvider\":\"FARGATE\",\"weight\":1}]," NETCFG "}",
          "InvalidParameterException", "launchType");
    /* a service on the default strategy */
    ok(f, "CreateService",
       "{\"cluster\":\"fg\",\"serviceName\":\"api\",\"taskDefinition\":\"api\",\"desiredCount\":5," NETCFG "}");
    at_ms(f, 60 * SEC);
    {
        char arns[100][256];
        size_t n;
        ok(f, "ListTasks", "{\"cluster\":\"fg\",\"serviceName\":\"api\",\"desiredStatus\":\"RUNNING\"}");
        n = len_at(f, "taskArns");
        assert_int_equal(n, 5);
        for (size_t i = 0; i < n; i++)
            snprintf(arns[i], sizeof arns[i], "%s", opt_str(f, "taskArns.%zu", i));
        p = count_tasks(f, "fg", arns, n);
        assert_int_equal(p.fargate, 2);
        assert_int_equal(p.spot, 3);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(opt_str(f, "tasks.%zu.lastStatus", i), "RUNNING");
    }
    ok(f, "DescribeServices", "{\"cluster\":\"fg\",\"services\":[\"api\"]}");
    assert_int_equal(int_at(f, "services.0.runningCount"), 5);
    assert_string_equal(str_at(f, "services.0.deployments.0.rolloutState"), "COMPLETED");
}

/* Snapshot and restore keep providers, the cluster's strategy and the
 * service's, and the tasks' providers; both planes then go on alike. */
static void test_capacity__snapshot_restore(void **state)
{
    fx *f = *state;
    const char *snap, *d1, *d2, *o1, *o2;
    size_t sl, dl1, dl2, ol1, ol2;
    char *snap_copy, *dump_copy, *out_copy;
    ecs_plane *pl2 = NULL;
    static const char *const asks[][2] = {
        { "DescribeClusters", "{\"clusters\":[\"c1\"],\"include\":[\"SETTINGS\"]}" },
        { "DescribeCapacityProviders", "{}" },
        { "DescribeServices", "{\"cluster\":\"c1\",\"services\":[\"s\"]}" },
        { "ListTasks", "{\"cluster\":\"c1\",\"serviceName\":\"s\"}" },
    };
    cp_cluster(f);
    provider(f, "cp-gone");
    ok(f, "DeleteCapacityProvider", "{\"capacityProvider\":\"cp-gone\"}");
    ok(f, "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"s\",\"taskDefinition\":\"w\",\"desiredCount\":10}");
    at_ms(f, 60 * SEC);
    ok(f, "UpdateService", "{\"cluster\":\"c1\",\"service\":\"s\",\"desiredCount\":3}");

    assert_int_equal(ecs_plane_snapshot(f->pl, &snap, &sl), ECS_OK);
    snap_copy = malloc(sl + 1);
    memcpy(snap_copy, snap, sl + 1);
    assert_int_equal(ecs_plane_restore(f->ctx, snap_copy, sl, &pl2), ECS_OK);
    assert_int_equal(ecs_plane_dump(f->pl, &d1, &dl1), ECS_OK);
    dump_copy = malloc(dl1 + 1);
    memcpy(dump_copy, d1, dl1 + 1);
    assert_int_equal(ecs_plane_dump(pl2, &d2, &dl2), ECS_OK);
    assert_string_equal(dump_copy, d2);
    free(dump_copy);
    /* the same answers, byte for byte */
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        assert_int_equal(ecs_plane_call(f->pl, asks[i][0], strlen(asks[i][0]), asks[i][1], strlen(asks[i][1]), &o1,
                                        &ol1),
                         ECS_OK);
        out_copy = malloc(ol1 + 1);
        memcpy(out_copy, o1, ol1 + 1);
        assert_int_equal(ecs_plane_call(pl2, asks[i][0], strlen(asks[i][0]), asks[i][1], strlen(asks[i][1]), &o2,
                                        &ol2),
                         ECS_OK);
        if (strcmp(out_copy, o2) != 0)
            fail_msg("%s differs after restore:\n%s\n%s", asks[i][0], out_copy, o2);
        free(out_copy);
    }
    /* the restored plane holds the strategy */
    assert_int_equal(ecs_plane_call(pl2, "DescribeClusters", 16, "{\"clusters\":[\"c1\"]}", 19, &o2, &ol2), ECS_OK);
    assert_non_null(strstr(o2, "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp-a\",\"weight\":1,"
                               "\"base\":2},{\"capacityProvider\":\"cp-b\",\"weight\":3,\"base\":0}]"));
    /* both go on alike: the scale-in keeps cp-a 2, cp-b 1 in each */
    at_ms(f, 120 * SEC);
    assert_int_equal(ecs_plane_set_time(pl2, T0 + 120 * SEC), ECS_OK);
    assert_int_equal(ecs_plane_dump(f->pl, &d1, &dl1), ECS_OK);
    dump_copy = malloc(dl1 + 1);
    memcpy(dump_copy, d1, dl1 + 1);
    assert_int_equal(ecs_plane_dump(pl2, &d2, &dl2), ECS_OK);
    assert_string_equal(dump_copy, d2);
    free(dump_copy);
    {
        by_provider p = service_tasks(f, "s");
        assert_int_equal(p.a, 2);
        assert_int_equal(p.b, 1);
    }
    /* a deleted provider stays deleted */
    assert_int_equal(ecs_plane_call(pl2, "DescribeCapacityProviders", 25, "{\"capacityProviders\":[\"cp-gone\"]}", 33,
                                    &o2, &ol2),
                     ECS_OK);
    assert_non_null(strstr(o2, "\"INACTIVE\""));
    ecs_plane_free(pl2);
    free(snap_copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity__worked_example),
        cmocka_unit_test(test_capacity__ratio_one_to_four),
        cmocka_unit_test(test_capacity__weights_zero),
        cmocka_unit_test(test_capacity__large_values),
        cmocka_unit_test(test_capacity__scale_in_order),
        cmocka_unit_test(test_capacity__invalid_args),
        cmocka_unit_test_setup_teardown(test_capacity__providers_crud, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__strategy_validation, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__service_default_strategy, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__service_rollout_keeps_shares, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__run_task_strategy, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__provider_without_instances, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__fargate_providers, setup_sim, teardown),
        cmocka_unit_test_setup_teardown(test_capacity__snapshot_restore, setup_sim, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
