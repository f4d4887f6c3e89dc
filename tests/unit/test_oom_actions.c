/*
 * Allocation-failure injection over every action the library serves, as
 * SQLite tests it: one scenario calls each served action (RunTask on EC2,
 * awsvpc and FARGATE, StartTask, the extension actions RegisterSubnets and
 * SetFargateCapacity, and the error paths of several), and each call is
 * repeated with its Nth allocation refused, N = 1, 2, ... until the call
 * reaches its real outcome. Every refused attempt must return ECS_E_NOMEM
 * with ServerException and leave ecs_plane_dump() byte-identical; the real
 * outcome is then the expected success or ECS error. A second pass refuses
 * every allocation from the Nth on. Nothing may leak (the fixture's
 * allocator checks at teardown), and the scenario must cover every action
 * the plane serves (asked of the plane itself, so a new action fails this
 * test until the scenario calls it). The number of injected failures
 * checked per action is printed.
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

#include "api/shape.h"
#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_util.h"

typedef struct fx {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *pl;
    char task_arn[256]; /* the first task RunTask made, for $T */
    char req[8192];     /* the step's request, expanded */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    if (f == NULL)
        return -1;
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    o.seed = 42;
    if (ecs_plane_new(f->ctx, &o, &f->pl) != ECS_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ecs_plane_free(f->pl);
    test_ctx_free_check(f->ctx, &f->ta);
    free(f);
    return 0;
}

#define INSTANCE(cluster, az, itype, id, cpu, mem, extra)                                          \
    "{\"cluster\":\"" cluster "\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"" id       \
    "\\\",\\\"availabilityZone\\\":\\\"" az "\\\",\\\"instanceType\\\":\\\"" itype                 \
    "\\\"}\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":" #cpu    \
    "},{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":" #mem "}" extra "}"

#define NETCFG(subs) "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[" subs "]}}"

/* One call of the scenario. `code` NULL: the call must succeed; else the
 * ECS error it must end with. In requests, $A, $B and $C stand for the ids
 * of the instances i-aaa, i-bbb and i-ccc of cluster c1, $T for the first
 * task ARN RunTask returned. */
typedef struct step {
    const char *action, *req, *code;
} step;

static const step k_scenario[] = {
    { "CreateCluster", "{\"clusterName\":\"c1\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}],"
                       "\"settings\":[{\"name\":\"containerInsights\",\"value\":\"enabled\"}]}", NULL },
    { "CreateCluster", "{\"clusterName\":\"fg\"}", NULL },
    { "CreateCluster", "{\"clusterName\":\"c2\"}", NULL },
    { "CreateCluster", "{\"clusterName\":\"bad name\"}", "InvalidParameterException" },
    { "CreateCluster", "{\"clusterName\":", "SerializationException" },
    { "DescribeClusters", "{\"clusters\":[\"c1\",\"nope\"],\"include\":[\"TAGS\",\"SETTINGS\",\"STATISTICS\"]}", NULL },
    { "ListClusters", "{\"maxResults\":2}", NULL },
    { "RegisterContainerInstance",
      INSTANCE("c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192,
               "],\"attributes\":[{\"name\":\"stack\",\"value\":\"prod\"}]"), NULL },
    { "RegisterContainerInstance", INSTANCE("c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "]"), NULL },
    { "RegisterContainerInstance",
      INSTANCE("c1", "us-east-1c", "c5.xlarge", "i-ccc", 2048, 4096,
               ",{\"name\":\"PORTS\",\"type\":\"STRINGSET\",\"stringSetValue\":[\"22\",\"8080\"]}]"), NULL },
    { "RegisterContainerInstance", INSTANCE("nope", "us-east-1a", "m5.large", "i-ddd", 1024, 1024, "]"),
      "ClusterNotFoundException" },
    { "DescribeContainerInstances", "{\"cluster\":\"c1\",\"containerInstances\":[\"$A\",\"$B\",\"nope\"],"
                                    "\"include\":[\"TAGS\"]}", NULL },
    { "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:ecs.availability-zone != us-east-1c\"}", NULL },
    { "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:ecs.instance-type ==\"}",
      "InvalidParameterException" },
    { "PutAttributes", "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"tier\",\"value\":\"web\","
                       "\"targetType\":\"container-instance\",\"targetId\":\"$B\"}]}", NULL },
    { "PutAttributes", "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"tier\",\"targetType\":"
                       "\"container-instance\",\"targetId\":\"feedface\"}]}", "TargetNotFoundException" },
    { "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"attributeName\":\"tier\"}", NULL },
    { "DeleteAttributes", "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"tier\",\"targetType\":"
                          "\"container-instance\",\"targetId\":\"$B\"}]}", NULL },
    { "RegisterTaskDefinition", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":"
                                "\"nginx\",\"memory\":256,\"cpu\":128,\"portMappings\":[{\"containerPort\":80}]}],"
                                "\"tags\":[{\"key\":\"team\",\"value\":\"a\"}]}", NULL },
    { "RegisterTaskDefinition", "{\"family\":\"static80\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":"
                                "\"nginx\",\"memory\":128,\"cpu\":64,\"portMappings\":[{\"containerPort\":80,"
                                "\"hostPort\":80}]}]}", NULL },
    { "RegisterTaskDefinition", "{\"family\":\"vpc\",\"networkMode\":\"awsvpc\",\"containerDefinitions\":[{"
                                "\"name\":\"app\",\"image\":\"nginx\",\"memory\":256,\"cpu\":128}]}", NULL },
    { "RegisterTaskDefinition", "{\"family\":\"my-api\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":"
                                "[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\",\"executionRoleArn\":\"arn:aws:iam::123456789012:role/exec\",\"containerDefinitions\":[{"
                                "\"name\":\"api\",\"image\":\"my-api:latest\",\"portMappings\":[{\"containerPort\":"
                                "8080}],\"logConfiguration\":{\"logDriver\":\"awslogs\",\"options\":{"
                                "\"awslogs-group\":\"/ecs/my-api\",\"awslogs-region\":\"us-east-1\"}}}]}", NULL },
    { "RegisterTaskDefinition", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":"
                                "\"nginx\",\"memory\":256,\"cpu\":128}]}", NULL },
    { "RegisterTaskDefinition", "{\"family\":\"bad\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"x\"}]}",
      "ClientException" },
    { "DescribeTaskDefinition", "{\"taskDefinition\":\"web:1\",\"include\":[\"TAGS\"]}", NULL },
    { "DescribeTaskDefinition", "{\"taskDefinition\":\"nope\"}", "ClientException" },
    { "ListTaskDefinitions", "{\"familyPrefix\":\"web\",\"sort\":\"DESC\"}", NULL },
    { "ListTaskDefinitionFamilies", "{\"status\":\"ALL\"}", NULL },
    { "RegisterSubnets", "{\"subnets\":[{\"subnetId\":\"subnet-a\",\"availabilityZone\":\"us-east-1a\"},"
                         "{\"subnetId\":\"subnet-b\",\"availabilityZone\":\"us-east-1b\"}]}", NULL },
    { "RegisterSubnets", "{\"subnets\":[{\"subnetId\":\"subnet-c\"}]}", "InvalidParameterException" },
    { "SetFargateCapacity", "{\"maxTasks\":10}", NULL },
    { "SetFargateCapacity", "{\"maxTasks\":-1}", "InvalidParameterException" },
    /* EC2: strategies, a constraint, then static ports (one placed, a RESOURCE:PORTS failure) */
    { "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web:1\",\"count\":3,\"startedBy\":\"oom\","
                 "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
                 "{\"type\":\"binpack\",\"field\":\"memory\"}],\"placementConstraints\":[{\"type\":"
                 "\"memberOf\",\"expression\":\"attribute:ecs.instance-type =~ m5.*\"}]}", NULL },
    { "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"static80\",\"count\":4,\"placementConstraints\":"
                 "[{\"type\":\"distinctInstance\"}],\"tags\":[{\"key\":\"a\",\"value\":\"b\"}]}", NULL },
    /* awsvpc on EC2 */
    { "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\",\"count\":2," NETCFG("\"subnet-a\",\"subnet-b\"") "}", NULL },
    /* FARGATE */
    { "RunTask", "{\"cluster\":\"fg\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\",\"count\":3,"
                 "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-a\",\"subnet-b\"],"
                 "\"assignPublicIp\":\"ENABLED\"}}}", NULL },
    { "RunTask", "{\"cluster\":\"nope\",\"taskDefinition\":\"web\"}", "ClusterNotFoundException" },
    { "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\"}", "InvalidParameterException" },
    { "StartTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"$A\",\"$B\",\"feedface\"],"
                   "\"startedBy\":\"starter\",\"group\":\"g1\"}", NULL },
    { "StartTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[]}", "InvalidParameterException" },
    { "ListTasks", "{\"cluster\":\"c1\",\"family\":\"web\",\"maxResults\":2}", NULL },
    { "ListTasks", "{\"cluster\":\"c1\",\"containerInstance\":\"$A\"}", NULL },
    { "DescribeTasks", "{\"cluster\":\"c1\",\"tasks\":[\"$T\",\"nope\"],\"include\":[\"TAGS\"]}", NULL },
    { "UpdateContainerInstancesState", "{\"cluster\":\"c1\",\"containerInstances\":[\"$C\"],\"status\":\"DRAINING\"}", NULL },
    { "UpdateContainerInstancesState", "{\"cluster\":\"c1\",\"containerInstances\":[\"$C\"],\"status\":\"ACTIVE\"}", NULL },
    { "DeregisterContainerInstance", "{\"cluster\":\"c1\",\"containerInstance\":\"$C\",\"force\":true}", NULL },
    { "DeregisterContainerInstance", "{\"cluster\":\"c1\",\"containerInstance\":\"feedface\"}",
      "InvalidParameterException" },
    { "DeregisterTaskDefinition", "{\"taskDefinition\":\"web:2\"}", NULL },
    { "DeleteTaskDefinitions", "{\"taskDefinitions\":[\"web:2\",\"web:9\"]}", NULL },
    { "DeleteCluster", "{\"cluster\":\"c1\"}", "ClusterContainsContainerInstancesException" },
    { "DeleteCluster", "{\"cluster\":\"c2\"}", NULL },
    { "NoSuchAction", "{}", "UnknownOperationException" },
};

/* What the scenario ran, per action. */
typedef struct tally {
    const char *action;
    size_t calls, injected;
} tally;

static tally *tally_of(tally *t, size_t *n, const char *action)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(t[i].action, action) == 0)
            return &t[i];
    t[*n].action = action;
    t[*n].calls = t[*n].injected = 0;
    return &t[(*n)++];
}

/* The id of the instance with EC2 id `ec2` in cluster c1. */
static const char *instance_id(fx *f, const char *ec2)
{
    size_t ci;
    ecs_instance_info in;
    assert_int_equal(ecs_plane_find_cluster(f->pl, "c1", 2, &ci), ECS_OK);
    for (size_t i = 0; i < ecs_plane_instance_count(f->pl, ci); i++) {
        assert_int_equal(ecs_plane_instance_info(f->pl, ci, i, &in), ECS_OK);
        if (strcmp(in.ec2_instance_id, ec2) == 0)
            return in.id;
    }
    fail_msg("no instance %s in c1", ec2);
    return "";
}

/* req with $A, $B, $C and $T replaced, into out. */
static void expand(fx *f, const char *req, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = req; *p != '\0'; p++) {
        const char *sub = NULL;
        if (p[0] == '$' && (p[1] == 'A' || p[1] == 'B' || p[1] == 'C'))
            sub = instance_id(f, p[1] == 'A' ? "i-aaa" : p[1] == 'B' ? "i-bbb" : "i-ccc");
        else if (p[0] == '$' && p[1] == 'T')
            sub = f->task_arn;
        if (sub != NULL) {
            size_t k = strlen(sub);
            assert_true(n + k < cap);
            memcpy(out + n, sub, k);
            n += k;
            p++;
        } else {
            assert_true(n + 1 < cap);
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

/* Remember the first task ARN of a RunTask answer. */
static void note_task(fx *f, const char *out, size_t len)
{
    ecs_json_doc *doc = NULL;
    const ecs_json_val *tasks, *arn;
    if (f->task_arn[0] != '\0')
        return;
    assert_int_equal(ecs_json_parse(f->ctx, out, len, NULL, &doc), ECS_OK);
    tasks = ecs_json_obj_get(doc, ecs_json_root(doc), "tasks", 5);
    arn = ecs_json_obj_get(doc, ecs_json_arr_get(tasks, 0), "taskArn", 7);
    if (arn != NULL)
        snprintf(f->task_arn, sizeof f->task_arn, "%s", ecs_json_str(doc, arn, NULL));
    ecs_json_doc_free(doc);
}

/* One step: refuse allocation n (and every later one when fail_all) for
 * n = 1, 2, ... until the call reaches its real outcome. Returns how many
 * refused attempts were checked. */
static size_t run_step(fx *f, const step *s, bool fail_all)
{
    const char *req = f->req;
    size_t n;
    expand(f, s->req, f->req, sizeof f->req);
    for (n = 1;; n++) {
        const char *d, *out = NULL;
        size_t dl, ol = 0;
        char *before;
        ecs_status rc;
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        before = malloc(dl + 1);
        assert_non_null(before);
        memcpy(before, d, dl + 1);
        test_alloc_fail_at(&f->ta, n, fail_all);
        rc = ecs_plane_call(f->pl, s->action, strlen(s->action), req, strlen(req), &out, &ol);
        test_alloc_fail_at(&f->ta, 0, false);
        if (rc != ECS_E_NOMEM) {
            if (s->code == NULL && rc != ECS_OK)
                fail_msg("%s %s: %s %s", s->action, req, ecs_plane_error_code(f->pl), ecs_ctx_errmsg(f->ctx));
            if (s->code != NULL && (rc == ECS_OK || strcmp(ecs_plane_error_code(f->pl), s->code) != 0))
                fail_msg("%s %s: got %s (%s), expected %s", s->action, req,
                         rc == ECS_OK ? "success" : ecs_plane_error_code(f->pl), ecs_ctx_errmsg(f->ctx),
                         s->code);
            if (rc == ECS_OK && strcmp(s->action, "RunTask") == 0)
                note_task(f, out, ol);
            if (rc != ECS_OK) {
                assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
                if (strcmp(before, d) != 0)
                    fail_msg("%s %s failed with %s but changed the state", s->action, req, s->code);
            }
            free(before);
            return n - 1;
        }
        if (strcmp(ecs_plane_error_code(f->pl), "ServerException") != 0)
            fail_msg("%s with allocation %zu refused: ECS_E_NOMEM but %s", s->action, n,
                     ecs_plane_error_code(f->pl));
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        if (strcmp(before, d) != 0)
            fail_msg("%s with allocation %zu refused%s changed the state", s->action, n,
                     fail_all ? " (and every later one)" : "");
        free(before);
        if (n >= 100000)
            fail_msg("%s: still refused after %zu allocations", s->action, n);
    }
}

/* Is `action` served by the plane (as opposed to unknown, or known to the
 * API model but not served yet)? Asked of a scratch plane. */
static bool served(ecs_plane *scratch, const char *action)
{
    const char *out;
    (void)ecs_plane_call(scratch, action, strlen(action), "[]", 2, &out, NULL);
    return strcmp(ecs_plane_error_code(scratch), "UnknownOperationException") != 0;
}

static void run_scenario(fx *f, bool fail_all)
{
    tally t[64];
    size_t nt = 0, total = 0, nserved = 0;
    ecs_plane *scratch;
    static const char *const k_extensions[] = { "RegisterSubnets", "SetFargateCapacity" };

    for (size_t i = 0; i < sizeof k_scenario / sizeof k_scenario[0]; i++) {
        tally *x = tally_of(t, &nt, k_scenario[i].action);
        size_t k = run_step(f, &k_scenario[i], fail_all);
        x->calls++;
        x->injected += k;
        total += k;
    }
    /* every action the plane serves was called at least once */
    assert_int_equal(ecs_plane_new(f->ctx, NULL, &scratch), ECS_OK);
    for (size_t i = 0; i < ecs_shape__action_count() + 2; i++) {
        const char *a = i < ecs_shape__action_count() ? ecs_shape__action_name(i)
                                                      : k_extensions[i - ecs_shape__action_count()];
        bool called = false;
        if (!served(scratch, a))
            continue;
        nserved++;
        for (size_t k = 0; k < nt; k++)
            called |= strcmp(t[k].action, a) == 0 && t[k].calls > 0;
        if (!called)
            fail_msg("the plane serves %s but the scenario does not call it", a);
    }
    ecs_plane_free(scratch);
    print_message("%s: %zu actions served, %zu calls, %zu injected failures checked\n",
                  fail_all ? "every allocation from the Nth on refused" : "the Nth allocation refused",
                  nserved, sizeof k_scenario / sizeof k_scenario[0], total);
    for (size_t k = 0; k < nt; k++)
        print_message("  %-32s %2zu call%s %6zu injected failures\n", t[k].action, t[k].calls,
                      t[k].calls == 1 ? ", " : "s,", t[k].injected);
    assert_true(nserved >= 24);
    assert_int_equal(f->ta.errors, 0);
}

static void test_oom_actions__nth_allocation_refused(void **state)
{
    run_scenario(*state, false);
}

static void test_oom_actions__every_allocation_from_nth_refused(void **state)
{
    run_scenario(*state, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_oom_actions__nth_allocation_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_actions__every_allocation_from_nth_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
