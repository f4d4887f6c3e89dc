/*
 * Tasks through the plane's JSON entry point: RunTask (EC2, awsvpc on EC2,
 * FARGATE), StartTask, DescribeTasks, ListTasks, the extension actions
 * RegisterSubnets and SetFargateCapacity, and ListContainerInstances'
 * filter over tasks. Placement outcomes (failure reasons, dynamic and
 * static host ports, ENI slots, zones, strategies, constraints), the
 * clientToken, determinism, and the all-or-nothing rule under refused
 * allocations.
 */
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
#include "test_plane_fx.h"
#include "test_util.h"


#define ACCT "arn:aws:ecs:us-east-1:123456789012:"
#define CAPACITY_TEXT                                                                              \
    "Capacity is unavailable at this time. Please try again later or in a different availability " \
    "zone."

static const ecs_json_val *pat(fx *f, const char *format, ...) TFMT(2, 3);
static const ecs_json_val *pat(fx *f, const char *format, ...)
{
    char p[256];
    va_list ap;
    va_start(ap, format);
    vsnprintf(p, sizeof p, format, ap);
    va_end(ap);
    return at(f, p);
}

/* The value of the name/value pair called `name` in the array at `path`
 * (attachment details), or NULL. */
static const char *detail(fx *f, const char *path, const char *name)
{
    const ecs_json_val *arr = at(f, path);
    for (const ecs_json_val *d = ecs_json_first(arr); d != NULL; d = ecs_json_next(arr, d)) {
        const char *n = ecs_json_str(f->doc, ecs_json_obj_get(f->doc, d, "name", 4), NULL);
        if (n != NULL && strcmp(n, name) == 0)
            return ecs_json_str(f->doc, ecs_json_obj_get(f->doc, d, "value", 5), NULL);
    }
    return NULL;
}

/* Does the string set at `path` hold `s`? */
static bool set_has(fx *f, const char *path, const char *s)
{
    const ecs_json_val *arr = at(f, path);
    if (arr == NULL)
        fail_msg("nothing at %s", path);
    for (const ecs_json_val *v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
        const char *x = ecs_json_str(f->doc, v, NULL);
        if (x != NULL && strcmp(x, s) == 0)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* Instances                                                                 */

/* Register an EC2 instance; `extra` is appended to the request's members
 * (",\"attributes\":[...]"), or "". */
static void reg(fx *f, const char *cluster, const char *az, const char *itype, const char *ec2,
                int cpu, int mem, const char *extra)
{
    ok(f, "RegisterContainerInstance",
       fmt(f,
           "{\"cluster\":\"%s\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"%s\\\","
           "\\\"availabilityZone\\\":\\\"%s\\\",\\\"instanceType\\\":\\\"%s\\\"}\","
           "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":%d},"
           "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":%d}]%s}",
           cluster, ec2, az, itype, cpu, mem, extra));
}

/* The typed view of the instance with EC2 id `ec2` in `cluster`. */
static void info_of(fx *f, const char *cluster, const char *ec2, ecs_instance_info *out)
{
    size_t ci;
    assert_int_equal(ecs_plane_find_cluster(f->pl, cluster, strlen(cluster), &ci), ECS_OK);
    for (size_t i = 0; i < ecs_plane_instance_count(f->pl, ci); i++) {
        assert_int_equal(ecs_plane_instance_info(f->pl, ci, i, out), ECS_OK);
        if (strcmp(out->ec2_instance_id, ec2) == 0)
            return;
    }
    fail_msg("no instance %s in %s", ec2, cluster);
}

typedef struct iref {
    char arn[192], id[64];
} iref;

static iref ref_of(fx *f, const char *cluster, const char *ec2)
{
    ecs_instance_info in;
    iref r;
    info_of(f, cluster, ec2, &in);
    snprintf(r.arn, sizeof r.arn, "%s", in.arn);
    snprintf(r.id, sizeof r.id, "%s", in.id);
    return r;
}

/* The EC2 id of the container instance ARN `arn` in `cluster`. */
static const char *ec2_of(fx *f, const char *cluster, const char *arn)
{
    static char buf[64];
    size_t ci;
    ecs_instance_info in;
    assert_int_equal(ecs_plane_find_cluster(f->pl, cluster, strlen(cluster), &ci), ECS_OK);
    for (size_t i = 0; i < ecs_plane_instance_count(f->pl, ci); i++) {
        assert_int_equal(ecs_plane_instance_info(f->pl, ci, i, &in), ECS_OK);
        if (strcmp(in.arn, arn) == 0) {
            snprintf(buf, sizeof buf, "%s", in.ec2_instance_id);
            return buf;
        }
    }
    fail_msg("no instance %s in %s", arn, cluster);
    return "";
}

/* How many of the response's tasks[] run on the instance with EC2 id ec2. */
static size_t tasks_on(fx *f, const char *cluster, const char *ec2)
{
    size_t n = 0, total = len_at(f, "tasks");
    iref r = ref_of(f, cluster, ec2);
    for (size_t i = 0; i < total; i++) {
        const char *a = ecs_json_str(f->doc, pat(f, "tasks.%zu.containerInstanceArn", i), NULL);
        n += a != NULL && strcmp(a, r.arn) == 0;
    }
    return n;
}

/* Whether the ListContainerInstances answer is exactly this set of EC2
 * ids (comma-separated, any order). */
static void instances_are(fx *f, const char *cluster, const char *want)
{
    size_t n = 0;
    const char *p = want;
    while (*p != '\0') {
        char ec2[32];
        size_t k = strcspn(p, ",");
        iref r;
        bool found = false;
        snprintf(ec2, sizeof ec2, "%.*s", (int)k, p);
        r = ref_of(f, cluster, ec2);
        for (size_t i = 0; i < len_at(f, "containerInstanceArns"); i++)
            found |= strcmp(pstr(f, "containerInstanceArns.%zu", i), r.arn) == 0;
        if (!found)
            fail_msg("%s not listed (want %s)", ec2, want);
        n++;
        p += k;
        if (*p == ',')
            p++;
    }
    if (len_at(f, "containerInstanceArns") != n)
        fail_msg("%zu instances listed, want %zu (%s)", len_at(f, "containerInstanceArns"), n, want);
}

/* ------------------------------------------------------------------------ */
/* Task definitions                                                          */

static const char k_web[] =
    "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\","
    "\"memory\":256,\"cpu\":128,\"portMappings\":[{\"containerPort\":80}]}]}";
static const char k_static80[] =
    "{\"family\":\"static80\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\","
    "\"memory\":128,\"cpu\":64,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80}]}]}";
static const char k_udp80[] =
    "{\"family\":\"udp80\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"dns\","
    "\"memory\":128,\"cpu\":64,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80,"
    "\"protocol\":\"udp\"}]}]}";
static const char k_ssh[] =
    "{\"family\":\"ssh\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"sshd\","
    "\"memory\":128,\"portMappings\":[{\"containerPort\":22,\"hostPort\":22}]}]}";
static const char k_mixed[] =
    "{\"family\":\"mixed\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\","
    "\"memory\":128,\"portMappings\":[{\"containerPort\":80,\"hostPort\":8080},"
    "{\"containerPort\":81,\"hostPort\":0}]}]}";
static const char k_vpc[] =
    "{\"family\":\"vpc\",\"networkMode\":\"awsvpc\",\"containerDefinitions\":[{\"name\":\"app\","
    "\"image\":\"nginx\",\"memory\":256,\"cpu\":128,\"portMappings\":[{\"containerPort\":80}]}]}";
static const char k_m512[] =
    "{\"family\":\"m512\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"memory\":512}]}";

static void register_my_api(fx *f)
{
    size_t n;
    char *text = test_read_file(ECS_SOURCE_DIR "/examples/my-api-taskdef.json", &n);
    assert_non_null(text);
    ok(f, "RegisterTaskDefinition", text);
    free(text);
}

static void subnets(fx *f)
{
    ok(f, "RegisterSubnets",
       "{\"subnets\":[{\"subnetId\":\"subnet-a\",\"availabilityZone\":\"us-east-1a\"},"
       "{\"subnetId\":\"subnet-b\",\"availabilityZone\":\"us-east-1b\"},"
       "{\"subnetId\":\"subnet-c\",\"availabilityZone\":\"us-east-1c\"}]}");
}

#define NETCFG(subs) "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[" subs "]}}"

/* ------------------------------------------------------------------------ */
/* RunTask on EC2                                                            */

static void test_tasks__run_task_ec2_basics(void **state)
{
    fx *f = *state;
    ecs_instance_info in;
    iref a;

    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 2048, 7680, "");
    ok(f, "RegisterTaskDefinition", k_web);
    a = ref_of(f, "c1", "i-aaa");

    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":0}",
          "InvalidParameterException", "count");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":11}",
          "InvalidParameterException", "count");

    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3,\"startedBy\":\"me\"}");
    assert_int_equal(len_at(f, "tasks"), 3);
    assert_int_equal(len_at(f, "failures"), 0);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(pstr(f, "tasks.%zu.lastStatus", i), "PROVISIONING");
        assert_string_equal(pstr(f, "tasks.%zu.desiredStatus", i), "RUNNING");
        assert_string_equal(pstr(f, "tasks.%zu.group", i), "family:web");
        assert_string_equal(pstr(f, "tasks.%zu.startedBy", i), "me");
        assert_string_equal(pstr(f, "tasks.%zu.launchType", i), "EC2");
        assert_string_equal(pstr(f, "tasks.%zu.taskDefinitionArn", i), ACCT "task-definition/web:1");
        assert_string_equal(pstr(f, "tasks.%zu.clusterArn", i), ACCT "cluster/c1");
        assert_string_equal(pstr(f, "tasks.%zu.containerInstanceArn", i), a.arn);
        assert_string_equal(pstr(f, "tasks.%zu.availabilityZone", i), "us-east-1a");
        assert_string_equal(pstr(f, "tasks.%zu.cpu", i), "128");
        assert_string_equal(pstr(f, "tasks.%zu.memory", i), "256");
        assert_non_null(strstr(pstr(f, "tasks.%zu.taskArn", i), ACCT "task/c1/"));
        assert_string_equal(pstr(f, "tasks.%zu.containers.0.name", i), "app");
    }
    assert_string_not_equal(str_at(f, "tasks.0.taskArn"), str_at(f, "tasks.1.taskArn"));

    /* the instance gave exactly what the tasks reserve */
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(in.cpu_registered, 2048);
    assert_int_equal(in.cpu_remaining, 2048 - 3 * 128);
    assert_int_equal(in.memory_remaining, 7680 - 3 * 256);
    assert_int_equal(in.running_tasks + in.pending_tasks, 3);
    ok(f, "DescribeContainerInstances", fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"]}", a.id));
    assert_string_equal(str_at(f, "containerInstances.0.remainingResources.0.name"), "CPU");
    assert_int_equal(int_at(f, "containerInstances.0.remainingResources.0.integerValue"), 2048 - 384);
    assert_string_equal(str_at(f, "containerInstances.0.remainingResources.1.name"), "MEMORY");
    assert_int_equal(int_at(f, "containerInstances.0.remainingResources.1.integerValue"), 7680 - 768);
    assert_int_equal(int_at(f, "containerInstances.0.registeredResources.0.integerValue"), 2048);

    /* the upper bound, an explicit group and a revision by number */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web:1\",\"count\":10,\"group\":\"batch\"}");
    assert_int_equal(len_at(f, "tasks"), 10);
    assert_string_equal(str_at(f, "tasks.9.group"), "batch");
    assert_null(at(f, "tasks.0.startedBy"));
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(in.cpu_remaining, 2048 - 13 * 128);
    assert_int_equal(in.memory_remaining, 7680 - 13 * 256);
}

/* The counters follow the spec's definitions: an instance's runningTasksCount
 * counts tasks whose desiredStatus is RUNNING; a cluster's runningTasksCount
 * and pendingTasksCount count tasks whose lastStatus is RUNNING or PENDING,
 * so freshly placed (PROVISIONING) tasks count on the instance only. A
 * cluster with live tasks cannot be deleted. */
static void test_tasks__cluster_counts_follow_instances(void **state)
{
    fx *f = *state;
    ecs_instance_info in;
    ecs_cluster_info ci;
    size_t idx;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 2048, 7680, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3}");
    assert_int_equal(len_at(f, "tasks"), 3);
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(ecs_plane_find_cluster(f->pl, "c1", 2, &idx), ECS_OK);
    assert_int_equal(ecs_plane_cluster_info(f->pl, idx, &ci), ECS_OK);
    assert_int_equal(in.running_tasks, 3);
    assert_int_equal(ci.running_tasks, 0);
    assert_int_equal(ci.pending_tasks, 0);
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"]}");
    assert_int_equal(int_at(f, "clusters.0.runningTasksCount"), 0);
    assert_int_equal(int_at(f, "clusters.0.pendingTasksCount"), 0);
    ok(f, "DescribeContainerInstances", "{\"cluster\":\"c1\",\"containerInstances\":[\"i-aaa\"]}");
    fails(f, "DeleteCluster", "{\"cluster\":\"c1\"}", "ClusterContainsContainerInstancesException", NULL);
}

static void test_tasks__run_task_errors(void **state)
{
    fx *f = *state;
    char big[400];

    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    ok(f, "CreateCluster", "{\"clusterName\":\"empty\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 2048, 7680, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition", k_vpc);
    ok(f, "DeregisterTaskDefinition", "{\"taskDefinition\":\"web:1\"}");

    fails(f, "RunTask", "{\"cluster\":\"empty\",\"taskDefinition\":\"web\"}", "InvalidParameterException",
          "No Container Instances were found in your cluster.");
    fails(f, "RunTask", "{\"cluster\":\"nope\",\"taskDefinition\":\"web\"}", "ClusterNotFoundException", NULL);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web:1\"}", "ClientException", NULL);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"nosuch\"}", "ClientException", "nosuch");
    fails(f, "RunTask", "{\"cluster\":\"c1\"}", "InvalidParameterException", "taskDefinition");
    /* launch types the definition does not support */
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"launchType\":\"FARGATE\"}",
          "ClientException", "FARGATE");
    fails(f, "RunTask",
          "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\",\"launchType\":\"EXTERNAL\"," NETCFG("\"subnet-a\"") "}",
          "ClientException", "EXTERNAL");
    fails(f, "RunTask",
          "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"capacityProviderStrategy\":[{\"capacityProvider\":\"x\"}]}",
          "InvalidParameterException", "capacityProviderStrategy");
    /* startedBy and group */
    memset(big, 'a', sizeof big);
    big[129] = '\0';
    fails(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"startedBy\":\"%s\"}", big),
          "InvalidParameterException", "startedBy");
    big[128] = '\0';
    ok(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"startedBy\":\"%s\"}", big));
    assert_int_equal(strlen(str_at(f, "tasks.0.startedBy")), 128);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"startedBy\":\"a b\"}",
          "InvalidParameterException", "startedBy");
    memset(big, 'g', 256);
    big[256] = '\0';
    fails(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"group\":\"%s\"}", big),
          "InvalidParameterException", "group");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"tags\":[{\"key\":\"aws:x\",\"value\":\"v\"}]}",
          "InvalidParameterException", "tags");
}

/* ------------------------------------------------------------------------ */
/* Failure reasons                                                           */

static void test_tasks__failure_reasons_cpu_memory_partial(void **state)
{
    fx *f = *state;
    iref a, x, y;
    ecs_instance_info in;

    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 1024, 1024, "");
    a = ref_of(f, "c1", "i-aaa");
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"cpu\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":2048,\"memory\":64}]}");
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"mem\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":64,\"memory\":2048}]}");
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"part\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":400,\"memory\":64}]}");

    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"cpu\"}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:CPU");
    assert_string_equal(str_at(f, "failures.0.arn"), a.arn);
    assert_true(strlen(str_at(f, "failures.0.detail")) > 0);

    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"mem\",\"count\":2}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 2); /* one per task not placed */
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:MEMORY");
    assert_string_equal(str_at(f, "failures.1.reason"), "RESOURCE:MEMORY");
    assert_string_equal(str_at(f, "failures.0.arn"), a.arn);
    assert_true(strlen(str_at(f, "failures.0.detail")) > 0);
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(in.cpu_remaining, 1024); /* failures reserve nothing */
    assert_int_equal(in.memory_remaining, 1024);

    /* partial success: 2 of 3 fit */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"part\",\"count\":3}");
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:CPU");
    assert_string_equal(str_at(f, "failures.0.arn"), a.arn);
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(in.cpu_remaining, 1024 - 800);
    assert_int_equal(in.memory_remaining, 1024 - 128);

    /* the closest instance is the one that fails the fewest checks: x lacks
     * both CPU and memory, y only memory */
    ok(f, "CreateCluster", "{\"clusterName\":\"c2\"}");
    reg(f, "c2", "us-east-1a", "m5.large", "i-xxx", 256, 256, "");
    reg(f, "c2", "us-east-1b", "m5.large", "i-yyy", 8192, 256, "");
    x = ref_of(f, "c2", "i-xxx");
    y = ref_of(f, "c2", "i-yyy");
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"both\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":512,\"memory\":512}]}");
    ok(f, "RunTask", "{\"cluster\":\"c2\",\"taskDefinition\":\"both\"}");
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.arn"), y.arn);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:MEMORY");
    assert_string_not_equal(str_at(f, "failures.0.arn"), x.arn);
}

static void test_tasks__ports_static_dynamic(void **state)
{
    fx *f = *state;
    iref a, b;

    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    a = ref_of(f, "c1", "i-aaa");
    ok(f, "RegisterTaskDefinition", k_static80);
    ok(f, "RegisterTaskDefinition", k_udp80);
    ok(f, "RegisterTaskDefinition", k_ssh);
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition", k_mixed);

    /* static TCP 80, twice */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"static80\"}");
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.hostPort"), 80);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.containerPort"), 80);
    assert_string_equal(str_at(f, "tasks.0.containers.0.networkBindings.0.protocol"), "tcp");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"static80\"}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:PORTS");
    assert_string_equal(str_at(f, "failures.0.arn"), a.arn);
    assert_true(strlen(str_at(f, "failures.0.detail")) > 0);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"static80\",\"count\":2}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 2);

    /* UDP 80 is another port */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"udp80\"}");
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_string_equal(str_at(f, "tasks.0.containers.0.networkBindings.0.protocol"), "udp");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"udp80\"}");
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:PORTS");

    /* 22 is reserved by registration */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"ssh\"}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:PORTS");
    assert_string_equal(str_at(f, "failures.0.arn"), a.arn);

    /* what the instance now reports as taken */
    ok(f, "DescribeContainerInstances", fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"]}", a.arn));
    assert_string_equal(str_at(f, "containerInstances.0.remainingResources.2.name"), "PORTS");
    assert_true(set_has(f, "containerInstances.0.remainingResources.2.stringSetValue", "80"));
    assert_true(set_has(f, "containerInstances.0.remainingResources.2.stringSetValue", "22"));
    assert_string_equal(str_at(f, "containerInstances.0.remainingResources.3.name"), "PORTS_UDP");
    assert_true(set_has(f, "containerInstances.0.remainingResources.3.stringSetValue", "80"));
    /* registered resources do not change */
    assert_false(set_has(f, "containerInstances.0.registeredResources.2.stringSetValue", "80"));

    /* dynamic ports: from 49153 up, distinct on the instance, not listed */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3}");
    assert_int_equal(len_at(f, "tasks"), 3);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.containerPort"), 80);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.hostPort"), 49153);
    assert_int_equal(int_at(f, "tasks.1.containers.0.networkBindings.0.hostPort"), 49154);
    assert_int_equal(int_at(f, "tasks.2.containers.0.networkBindings.0.hostPort"), 49155);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"mixed\"}");
    assert_int_equal(len_at(f, "tasks.0.containers.0.networkBindings"), 2);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.hostPort"), 8080);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.1.containerPort"), 81);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.1.hostPort"), 49156);
    ok(f, "DescribeContainerInstances", fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"]}", a.arn));
    assert_true(set_has(f, "containerInstances.0.remainingResources.2.stringSetValue", "8080"));
    assert_false(set_has(f, "containerInstances.0.remainingResources.2.stringSetValue", "49153"));
    assert_false(set_has(f, "containerInstances.0.remainingResources.2.stringSetValue", "49156"));

    /* another instance has its own range */
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "");
    b = ref_of(f, "c1", "i-bbb");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-bbb\"}]}");
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_string_equal(str_at(f, "tasks.0.containerInstanceArn"), b.arn);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.hostPort"), 49153);
    assert_int_equal(int_at(f, "tasks.1.containers.0.networkBindings.0.hostPort"), 49154);
    /* and static 80 is still free there */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"static80\"}");
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_string_equal(str_at(f, "tasks.0.containerInstanceArn"), b.arn);
}

static void test_tasks__awsvpc_on_ec2(void **state)
{
    fx *f = *state;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_vpc);
    ok(f, "RegisterTaskDefinition", k_web);

    /* subnets must be declared first */
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\"," NETCFG("\"subnet-a\"") "}",
          "InvalidParameterException", "subnet-a");
    fails(f, "RegisterSubnets", "{\"subnets\":[{\"subnetId\":\"subnet-a\"}]}", "InvalidParameterException",
          "availabilityZone");
    fails(f, "RegisterSubnets", "{\"subnets\":[],\"x\":1}", "InvalidParameterException", NULL);
    subnets(f);
    assert_int_equal(len_at(f, "subnets"), 3);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\"}", "InvalidParameterException",
          "Network Configuration");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\"," NETCFG("\"subnet-a\"") "}",
          "InvalidParameterException", "networkConfiguration");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\"," NETCFG("\"subnet-zzz\"") "}",
          "InvalidParameterException", "subnet-zzz");

    /* m5.large: 2 task ENIs each */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\",\"count\":5,"
                     NETCFG("\"subnet-a\",\"subnet-b\"") "}");
    assert_int_equal(len_at(f, "tasks"), 4);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:ENI");
    assert_non_null(strstr(str_at(f, "failures.0.arn"), ACCT "container-instance/c1/"));
    assert_true(strlen(str_at(f, "failures.0.detail")) > 0);
    assert_int_equal(tasks_on(f, "c1", "i-aaa"), 2);
    assert_int_equal(tasks_on(f, "c1", "i-bbb"), 2);
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        const char *az = pstr(f, "tasks.%zu.availabilityZone", i);
        const char *ip;
        snprintf(path, sizeof path, "tasks.%zu.attachments.0.details", i);
        assert_string_equal(pstr(f, "tasks.%zu.attachments.0.type", i), "ElasticNetworkInterface");
        assert_non_null(detail(f, path, "subnetId"));
        assert_string_equal(detail(f, path, "subnetId"),
                            strcmp(az, "us-east-1a") == 0 ? "subnet-a" : "subnet-b");
        ip = detail(f, path, "privateIPv4Address");
        assert_non_null(ip);
        assert_int_equal(strncmp(ip, "10.", 3), 0);
        assert_null(detail(f, path, "publicIPv4Address"));
        for (size_t k = 0; k < i; k++) {
            char p2[64];
            snprintf(p2, sizeof p2, "tasks.%zu.attachments.0.details", k);
            assert_string_not_equal(detail(f, p2, "privateIPv4Address"), ip);
        }
    }
    /* ENIs are full; bridge tasks still fit */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2}");
    assert_int_equal(len_at(f, "tasks"), 2);

    /* LOCATION: no instance in the subnets' zones */
    ok(f, "CreateCluster", "{\"clusterName\":\"c2\"}");
    reg(f, "c2", "us-east-1c", "m5.large", "i-ccc", 4096, 8192, "");
    ok(f, "RunTask", "{\"cluster\":\"c2\",\"taskDefinition\":\"vpc\"," NETCFG("\"subnet-a\",\"subnet-b\"") "}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), "LOCATION");
    assert_string_equal(str_at(f, "failures.0.arn"), ref_of(f, "c2", "i-ccc").arn);
    ok(f, "RunTask", "{\"cluster\":\"c2\",\"taskDefinition\":\"vpc\"," NETCFG("\"subnet-c\"") "}");
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_string_equal(str_at(f, "tasks.0.availabilityZone"), "us-east-1c");

    /* ATTRIBUTE: an agent without task-eni */
    ok(f, "CreateCluster", "{\"clusterName\":\"c3\"}");
    reg(f, "c3", "us-east-1a", "m5.large", "i-old", 4096, 8192,
        ",\"attributes\":[{\"name\":\"com.amazonaws.ecs.capability.docker-remote-api.1.17\"}]");
    ok(f, "RunTask", "{\"cluster\":\"c3\",\"taskDefinition\":\"vpc\"," NETCFG("\"subnet-a\"") "}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), "ATTRIBUTE");
    assert_string_equal(str_at(f, "failures.0.arn"), ref_of(f, "c3", "i-old").arn);
    assert_true(strlen(str_at(f, "failures.0.detail")) > 0);
    ok(f, "RunTask", "{\"cluster\":\"c3\",\"taskDefinition\":\"web\"}"); /* needs no attribute */
    assert_int_equal(len_at(f, "tasks"), 1);
}

static void test_tasks__draining_instances_are_never_chosen(void **state)
{
    fx *f = *state;
    iref a;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);
    a = ref_of(f, "c1", "i-aaa");
    ok(f, "UpdateContainerInstancesState",
       fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"],\"status\":\"DRAINING\"}", a.id));
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":6,"
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]}");
    assert_int_equal(len_at(f, "tasks"), 6);
    assert_int_equal(tasks_on(f, "c1", "i-bbb"), 6);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":4,"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-aaa\"}]}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 4);
    /* back to ACTIVE: chosen again */
    ok(f, "UpdateContainerInstancesState",
       fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"],\"status\":\"ACTIVE\"}", a.id));
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":4,"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-aaa\"}]}");
    assert_int_equal(len_at(f, "tasks"), 4);
}

/* ------------------------------------------------------------------------ */
/* Strategies and constraints                                                */

static void test_tasks__binpack_memory(void **state)
{
    fx *f = *state;
    ecs_instance_info in;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-big", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-small", 4096, 2048, "");
    reg(f, "c1", "us-east-1c", "m5.large", "i-mid", 4096, 4096, "");
    ok(f, "RegisterTaskDefinition", k_m512);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"m512\",\"count\":6,"
                     "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]}");
    assert_int_equal(len_at(f, "tasks"), 6);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(ec2_of(f, "c1", pstr(f, "tasks.%zu.containerInstanceArn", i)), "i-small");
    assert_string_equal(ec2_of(f, "c1", str_at(f, "tasks.4.containerInstanceArn")), "i-mid");
    assert_string_equal(ec2_of(f, "c1", str_at(f, "tasks.5.containerInstanceArn")), "i-mid");
    info_of(f, "c1", "i-small", &in);
    assert_int_equal(in.memory_remaining, 0);
    info_of(f, "c1", "i-big", &in);
    assert_int_equal(in.memory_remaining, 8192);
}

static void test_tasks__spread(void **state)
{
    fx *f = *state;
    size_t per_zone[3] = { 0, 0, 0 };
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-a1", 4096, 8192, "");
    reg(f, "c1", "us-east-1a", "m5.large", "i-a2", 4096, 8192, "");
    reg(f, "c1", "us-east-1a", "m5.large", "i-a3", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-b1", 4096, 8192, "");
    reg(f, "c1", "us-east-1c", "m5.large", "i-c1", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":6,"
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}]}");
    assert_int_equal(len_at(f, "tasks"), 6);
    for (size_t i = 0; i < 6; i++) {
        const char *az = pstr(f, "tasks.%zu.availabilityZone", i);
        assert_int_equal(strncmp(az, "us-east-1", 9), 0);
        assert_true(az[9] >= 'a' && az[9] <= 'c');
        per_zone[az[9] - 'a']++;
    }
    assert_int_equal(per_zone[0], 2);
    assert_int_equal(per_zone[1], 2);
    assert_int_equal(per_zone[2], 2);

    /* spread instanceId over the five, in another group */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":10,\"group\":\"g2\","
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]}");
    assert_int_equal(len_at(f, "tasks"), 10);
    assert_int_equal(tasks_on(f, "c1", "i-a1"), 2);
    assert_int_equal(tasks_on(f, "c1", "i-a2"), 2);
    assert_int_equal(tasks_on(f, "c1", "i-a3"), 2);
    assert_int_equal(tasks_on(f, "c1", "i-b1"), 2);
    assert_int_equal(tasks_on(f, "c1", "i-c1"), 2);
    /* "host" is the same field */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":5,\"group\":\"g3\","
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"host\"}]}");
    assert_int_equal(tasks_on(f, "c1", "i-a1"), 1);
    assert_int_equal(tasks_on(f, "c1", "i-c1"), 1);
}

/* Run the same calls on a fresh plane with seed `seed`; returns a copy of
 * the last RunTask response. */
static char *random_run(fx *f, uint64_t seed)
{
    static const char *const calls[][2] = {
        { "CreateCluster", "{\"clusterName\":\"c1\"}" },
        { "RegisterTaskDefinition", k_web },
    };
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    ecs_plane *pl;
    const char *out;
    size_t len;
    char *copy = NULL;
    o.seed = seed;
    assert_int_equal(ecs_plane_new(f->ctx, &o, &pl), ECS_OK);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(ecs_plane_call(pl, calls[i][0], strlen(calls[i][0]), calls[i][1],
                                        strlen(calls[i][1]), &out, &len), ECS_OK);
    for (int i = 0; i < 6; i++) {
        char req[1024];
        snprintf(req, sizeof req,
                 "{\"cluster\":\"c1\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-%d\\\","
                 "\\\"availabilityZone\\\":\\\"us-east-1a\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
                 "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":4096},"
                 "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":8192}]}", i);
        assert_int_equal(ecs_plane_call(pl, "RegisterContainerInstance", 25, req, strlen(req), &out, &len),
                         ECS_OK);
    }
    for (int k = 0; k < 3; k++) {
        static const char run[] = "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":10,"
                                  "\"placementStrategy\":[{\"type\":\"random\"}]}";
        assert_int_equal(ecs_plane_call(pl, "RunTask", 7, run, strlen(run), &out, &len), ECS_OK);
        free(copy);
        copy = malloc(len + 1);
        memcpy(copy, out, len + 1);
    }
    ecs_plane_free(pl);
    return copy;
}

static void test_tasks__random_is_deterministic(void **state)
{
    fx *f = *state;
    char *a = random_run(f, 7), *b = random_run(f, 7);
    assert_string_equal(a, b);
    free(a);
    free(b);
    /* and the tasks do spread (random is not "always the first") */
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "i-%d", i);
        reg(f, "c1", "us-east-1a", "m5.large", id, 4096, 8192, "");
    }
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":10,"
                     "\"placementStrategy\":[{\"type\":\"random\"}]}");
    assert_int_equal(len_at(f, "tasks"), 10);
    assert_true(tasks_on(f, "c1", "i-0") < 10 && tasks_on(f, "c1", "i-1") < 10 &&
                tasks_on(f, "c1", "i-2") < 10 && tasks_on(f, "c1", "i-3") < 10);
}

static void test_tasks__distinct_instance(void **state)
{
    fx *f = *state;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3,"
                     "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}");
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_int_equal(tasks_on(f, "c1", "i-aaa"), 1);
    assert_int_equal(tasks_on(f, "c1", "i-bbb"), 1);
    assert_true(strlen(str_at(f, "failures.0.reason")) > 0);
    /* the group already sits on both */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                     "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 1);
    /* another group does not */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"group\":\"other\",\"count\":2,"
                     "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}");
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(tasks_on(f, "c1", "i-aaa"), 1);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                        "\"placementConstraints\":[{\"type\":\"distinctInstance\",\"expression\":\"x\"}]}",
          "InvalidParameterException", "placementConstraints[0]");
}

static void test_tasks__member_of(void **state)
{
    fx *f = *state;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-m5a", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.xlarge", "i-m5b", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "c5.large", "i-c5", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);

    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":8,"
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type =~ m5.*\"}]}");
    assert_int_equal(len_at(f, "tasks"), 8);
    assert_int_equal(tasks_on(f, "c1", "i-c5"), 0);
    assert_int_equal(tasks_on(f, "c1", "i-m5a"), 4);

    /* from the task definition */
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"zb\",\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":"
       "\"attribute:ecs.availability-zone == us-east-1b\"}],\"containerDefinitions\":[{\"name\":\"a\","
       "\"image\":\"x\",\"memory\":64}]}");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"zb\",\"count\":6,"
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]}");
    assert_int_equal(len_at(f, "tasks"), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(pstr(f, "tasks.%zu.availabilityZone", i), "us-east-1b");
    /* both: the definition's and the request's hold together */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"zb\",\"count\":3,"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type == c5.large\"}]}");
    assert_int_equal(tasks_on(f, "c1", "i-c5"), 3);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"zb\","
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-m5a\"}]}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 1);

    /* task:group affinity and anti-affinity */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"group\":\"db\","
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-m5b\"}]}");
    assert_int_equal(tasks_on(f, "c1", "i-m5b"), 1);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"group\":\"app\",\"count\":4,"
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"task:group == db\"}]}");
    assert_int_equal(len_at(f, "tasks"), 4);
    assert_int_equal(tasks_on(f, "c1", "i-m5b"), 4);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"group\":\"app2\",\"count\":4,"
                     "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}],"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"not(task:group == db)\"}]}");
    assert_int_equal(len_at(f, "tasks"), 4);
    assert_int_equal(tasks_on(f, "c1", "i-m5b"), 0);

    /* nothing matches */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type == z9.huge\"}]}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_true(strlen(str_at(f, "failures.0.reason")) > 0);

    /* malformed: the message names the position */
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                        "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type ==\"}]}",
          "InvalidParameterException", "column 31");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                        "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"(runningTasksCount == 1\"}]}",
          "InvalidParameterException", "column 24");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                        "\"placementConstraints\":[{\"type\":\"memberOf\"}]}",
          "InvalidParameterException", "placementConstraints[0].expression");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\","
                        "\"placementConstraints\":[{\"type\":\"sameZone\"}]}",
          "InvalidParameterException", "placementConstraints[0].type");
}

static void test_tasks__placement_request_limits(void **state)
{
    fx *f = *state;
    char list[4096];
    size_t n = 0;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"two\",\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"agentConnected == true\"},"
       "{\"type\":\"memberOf\",\"expression\":\"runningTasksCount >= 0\"}],\"containerDefinitions\":[{\"name\":\"a\","
       "\"image\":\"x\",\"memory\":64}]}");

    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s{\"type\":\"memberOf\",\"expression\":\"runningTasksCount >= %d\"}",
                              i ? "," : "", i);
    fails(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementConstraints\":[%s]}", list),
          "InvalidParameterException", "placementConstraints");
    /* 10 are fine */
    n = 0;
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s{\"type\":\"memberOf\",\"expression\":\"runningTasksCount < %d\"}",
                              i ? "," : "", 100 + i);
    ok(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementConstraints\":[%s]}", list));
    assert_int_equal(len_at(f, "tasks"), 1);
    /* ... but not with the definition's two */
    fails(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"two\",\"placementConstraints\":[%s]}", list),
          "InvalidParameterException", "placementConstraints");

    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":["
                        "{\"type\":\"random\"},{\"type\":\"random\"},{\"type\":\"random\"},{\"type\":\"random\"},"
                        "{\"type\":\"random\"},{\"type\":\"random\"}]}",
          "InvalidParameterException", "placementStrategy");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":["
                     "{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},{\"type\":\"binpack\",\"field\":\"cpu\"},"
                     "{\"type\":\"binpack\",\"field\":\"memory\"},{\"type\":\"spread\",\"field\":\"host\"},{\"type\":\"random\"}]}");
    assert_int_equal(len_at(f, "tasks"), 1);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":[{\"type\":\"binpack\"}]}",
          "InvalidParameterException", "placementStrategy[0].field");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"disk\"}]}",
          "InvalidParameterException", "placementStrategy[0].field");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":["
                        "{\"type\":\"random\"},{\"type\":\"spread\",\"field\":\"memory\"}]}",
          "InvalidParameterException", "placementStrategy[1].field");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":[{\"type\":\"spread\"}]}",
          "InvalidParameterException", "placementStrategy[0].field");
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"placementStrategy\":[{\"type\":\"pack\"}]}",
          "InvalidParameterException", "placementStrategy[0].type");
}

/* ------------------------------------------------------------------------ */
/* Fargate                                                                   */

static void test_tasks__fargate(void **state)
{
    fx *f = *state;
    size_t a = 0, b = 0;
    ok(f, "CreateCluster", "{\"clusterName\":\"fg\"}");
    register_my_api(f);
    ok(f, "RegisterTaskDefinition", k_web);
    subnets(f);

    fails(f, "RunTask", "{\"cluster\":\"fg\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\"}",
          "InvalidParameterException", "Network Configuration");
    fails(f, "RunTask", "{\"cluster\":\"fg\",\"taskDefinition\":\"web\",\"launchType\":\"FARGATE\"}",
          "ClientException", NULL);

    /* no container instances needed; two zones, two tasks each */
    ok(f, "RunTask", "{\"cluster\":\"fg\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\",\"count\":4,"
                     NETCFG("\"subnet-a\",\"subnet-b\"") "}");
    assert_int_equal(len_at(f, "tasks"), 4);
    assert_int_equal(len_at(f, "failures"), 0);
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        const char *az = pstr(f, "tasks.%zu.availabilityZone", i);
        snprintf(path, sizeof path, "tasks.%zu.attachments.0.details", i);
        a += strcmp(az, "us-east-1a") == 0;
        b += strcmp(az, "us-east-1b") == 0;
        assert_null(pat(f, "tasks.%zu.containerInstanceArn", i));
        assert_string_equal(pstr(f, "tasks.%zu.launchType", i), "FARGATE");
        assert_true(strlen(pstr(f, "tasks.%zu.platformVersion", i)) > 0);
        assert_string_equal(pstr(f, "tasks.%zu.cpu", i), "256");
        assert_string_equal(pstr(f, "tasks.%zu.memory", i), "512");
        assert_string_equal(pstr(f, "tasks.%zu.lastStatus", i), "PROVISIONING");
        assert_string_equal(pstr(f, "tasks.%zu.group", i), "family:my-api");
        assert_string_equal(pstr(f, "tasks.%zu.attachments.0.type", i), "ElasticNetworkInterface");
        assert_string_equal(detail(f, path, "subnetId"), strcmp(az, "us-east-1a") == 0 ? "subnet-a" : "subnet-b");
        assert_non_null(detail(f, path, "privateIPv4Address"));
        assert_null(detail(f, path, "publicIPv4Address"));
    }
    assert_int_equal(a, 2);
    assert_int_equal(b, 2);

    ok(f, "RunTask", "{\"cluster\":\"fg\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\","
                     "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-c\"],"
                     "\"assignPublicIp\":\"ENABLED\"}}}");
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_string_equal(str_at(f, "tasks.0.availabilityZone"), "us-east-1c");
    assert_non_null(detail(f, "tasks.0.attachments.0.details", "publicIPv4Address"));

    /* capacity */
    fails(f, "SetFargateCapacity", "{\"maxTasks\":-1}", "InvalidParameterException", "maxTasks");
    fails(f, "SetFargateCapacity", "{\"maxTasks\":3,\"x\":1}", "InvalidParameterException", NULL);
    ok(f, "SetFargateCapacity", "{\"maxTasks\":3}");
    ok(f, "CreateCluster", "{\"clusterName\":\"fg2\"}");
    ok(f, "RunTask", "{\"cluster\":\"fg2\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\",\"count\":4,"
                     NETCFG("\"subnet-a\",\"subnet-b\"") "}");
    assert_int_equal(len_at(f, "tasks"), 3);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.reason"), CAPACITY_TEXT);
    ok(f, "RunTask", "{\"cluster\":\"fg2\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\","
                     NETCFG("\"subnet-a\"") "}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), CAPACITY_TEXT);
    ok(f, "SetFargateCapacity", "{\"maxTasks\":0}");
    ok(f, "RunTask", "{\"cluster\":\"fg2\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\","
                     NETCFG("\"subnet-a\"") "}");
    assert_int_equal(len_at(f, "tasks"), 1);
}

/* ------------------------------------------------------------------------ */
/* StartTask                                                                 */

static void test_tasks__start_task(void **state)
{
    fx *f = *state;
    iref a, b, c;
    char big[64];
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "");
    reg(f, "c1", "us-east-1c", "m5.large", "i-ccc", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"huge\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":8192,\"memory\":64}]}");
    a = ref_of(f, "c1", "i-aaa");
    b = ref_of(f, "c1", "i-bbb");
    c = ref_of(f, "c1", "i-ccc");
    ok(f, "DeregisterContainerInstance", fmt(f, "{\"cluster\":\"c1\",\"containerInstance\":\"%s\"}", c.id));

    ok(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\",\"%s\"],"
                              "\"startedBy\":\"starter\"}", a.id, b.arn));
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(len_at(f, "failures"), 0);
    assert_string_equal(str_at(f, "tasks.0.containerInstanceArn"), a.arn);
    assert_string_equal(str_at(f, "tasks.1.containerInstanceArn"), b.arn);
    assert_string_equal(str_at(f, "tasks.0.availabilityZone"), "us-east-1a");
    assert_string_equal(str_at(f, "tasks.1.availabilityZone"), "us-east-1b");
    assert_string_equal(str_at(f, "tasks.0.startedBy"), "starter");
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "PROVISIONING");
    assert_string_equal(str_at(f, "tasks.0.group"), "family:web");
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.hostPort"), 49153);
    {
        ecs_instance_info in;
        info_of(f, "c1", "i-aaa", &in);
        assert_int_equal(in.cpu_remaining, 4096 - 128);
        assert_int_equal(in.memory_remaining, 8192 - 256);
    }
    /* the same instance twice: two tasks there */
    ok(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\",\"%s\"]}",
                           a.id, a.id));
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(int_at(f, "tasks.0.containers.0.networkBindings.0.hostPort"), 49154);
    assert_int_equal(int_at(f, "tasks.1.containers.0.networkBindings.0.hostPort"), 49155);

    ok(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\",\"feedface\",\"%s\"]}",
                           b.id, c.id));
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_int_equal(len_at(f, "failures"), 2);
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
    assert_non_null(strstr(str_at(f, "failures.0.arn"), "feedface"));
    assert_string_equal(str_at(f, "failures.1.reason"), "INACTIVE");
    assert_string_equal(str_at(f, "failures.1.arn"), c.arn);

    memset(big, 's', sizeof big);
    big[37] = '\0';
    fails(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\"],"
                                 "\"startedBy\":\"%s\"}", a.id, big),
          "InvalidParameterException", "startedBy");
    big[36] = '\0';
    ok(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\"],"
                              "\"startedBy\":\"%s\"}", a.id, big));
    assert_int_equal(len_at(f, "tasks"), 1);
    fails(f, "StartTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[]}",
          "InvalidParameterException", "containerInstances");
    fails(f, "StartTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":"
                          "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}",
          "InvalidParameterException", "containerInstances");
    fails(f, "StartTask", fmt(f, "{\"cluster\":\"nope\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\"]}", a.id),
          "ClusterNotFoundException", NULL);

    /* an instance without room: the reason is ECS's resource reason */
    ok(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"huge\",\"containerInstances\":[\"%s\"]}", a.id));
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.arn"), a.arn);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:CPU");
    assert_true(strlen(str_at(f, "failures.0.detail")) > 0);
}

/* ------------------------------------------------------------------------ */
/* DescribeTasks, ListTasks                                                  */

static void test_tasks__describe_and_list(void **state)
{
    fx *f = *state;
    char web0[192], web0_id[64], api0[192], fg0[192];
    iref a, b;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    ok(f, "CreateCluster", "{\"clusterName\":\"other\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 4096, 8192, "");
    reg(f, "other", "us-east-1b", "m5.large", "i-zzz", 4096, 8192, "");
    a = ref_of(f, "c1", "i-aaa");
    b = ref_of(f, "c1", "i-bbb");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition", k_m512);
    register_my_api(f);
    subnets(f);

    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,\"startedBy\":\"alice\","
                     "\"tags\":[{\"key\":\"team\",\"value\":\"blue\"}],"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-aaa\"}]}");
    assert_string_equal(str_at(f, "tasks.0.tags.0.key"), "team"); /* RunTask answers with tags */
    snprintf(web0, sizeof web0, "%s", str_at(f, "tasks.0.taskArn"));
    snprintf(web0_id, sizeof web0_id, "%s", strrchr(web0, '/') + 1);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"m512\",\"startedBy\":\"bob\","
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-bbb\"}]}");
    snprintf(api0, sizeof api0, "%s", str_at(f, "tasks.0.taskArn"));
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\","
                     NETCFG("\"subnet-a\"") "}");
    snprintf(fg0, sizeof fg0, "%s", str_at(f, "tasks.0.taskArn"));
    ok(f, "RunTask", "{\"cluster\":\"other\",\"taskDefinition\":\"web\"}");

    /* by ARN and by id; misses are MISSING failures */
    ok(f, "DescribeTasks", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\",\"%s\",\"feedface\"]}", web0_id, api0));
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_string_equal(str_at(f, "tasks.0.taskArn"), web0);
    assert_string_equal(str_at(f, "tasks.1.taskArn"), api0);
    assert_string_equal(str_at(f, "tasks.0.containerInstanceArn"), a.arn);
    assert_string_equal(str_at(f, "tasks.1.containerInstanceArn"), b.arn);
    assert_string_equal(str_at(f, "tasks.0.startedBy"), "alice");
    assert_string_equal(str_at(f, "tasks.0.taskDefinitionArn"), ACCT "task-definition/web:1");
    assert_null(at(f, "tasks.0.tags")); /* only with include TAGS */
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
    assert_non_null(strstr(str_at(f, "failures.0.arn"), "feedface"));
    ok(f, "DescribeTasks", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"],\"include\":[\"TAGS\"]}", web0));
    assert_string_equal(str_at(f, "tasks.0.tags.0.key"), "team");
    assert_string_equal(str_at(f, "tasks.0.tags.0.value"), "blue");
    /* a task of another cluster is missing here */
    ok(f, "DescribeTasks", fmt(f, "{\"cluster\":\"other\",\"tasks\":[\"%s\"]}", web0));
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
    fails(f, "DescribeTasks", fmt(f, "{\"cluster\":\"nope\",\"tasks\":[\"%s\"]}", web0), "ClusterNotFoundException", NULL);

    ok(f, "ListTasks", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "taskArns"), 4);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"family\":\"web\"}");
    assert_int_equal(len_at(f, "taskArns"), 2);
    assert_string_equal(str_at(f, "taskArns.0"), web0);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"startedBy\":\"bob\"}");
    assert_int_equal(len_at(f, "taskArns"), 1);
    assert_string_equal(str_at(f, "taskArns.0"), api0);
    ok(f, "ListTasks", fmt(f, "{\"cluster\":\"c1\",\"containerInstance\":\"%s\"}", a.arn));
    assert_int_equal(len_at(f, "taskArns"), 2);
    ok(f, "ListTasks", fmt(f, "{\"cluster\":\"c1\",\"containerInstance\":\"%s\"}", b.id));
    assert_int_equal(len_at(f, "taskArns"), 1);
    assert_string_equal(str_at(f, "taskArns.0"), api0);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"desiredStatus\":\"RUNNING\"}");
    assert_int_equal(len_at(f, "taskArns"), 4);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"desiredStatus\":\"STOPPED\"}");
    assert_int_equal(len_at(f, "taskArns"), 0);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"desiredStatus\":\"PENDING\"}");
    assert_int_equal(len_at(f, "taskArns"), 0);
    ok(f, "ListTasks", "{\"cluster\":\"other\"}");
    assert_int_equal(len_at(f, "taskArns"), 1);
    fails(f, "ListTasks", "{\"cluster\":\"c1\",\"startedBy\":\"bob\",\"family\":\"web\"}",
          "InvalidParameterException", "startedBy");
    fails(f, "ListTasks", "{\"cluster\":\"nope\"}", "ClusterNotFoundException", NULL);
    /* launchType */
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"launchType\":\"EXTERNAL\"}");
    assert_int_equal(len_at(f, "taskArns"), 0);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"launchType\":\"FARGATE\"}");
    assert_int_equal(len_at(f, "taskArns"), 1);
    assert_string_equal(str_at(f, "taskArns.0"), fg0);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"launchType\":\"EC2\"}");
    assert_int_equal(len_at(f, "taskArns"), 3);
}

static void test_tasks__list_tasks_pages(void **state)
{
    fx *f = *state;
    char all[25][192], token[512];
    size_t seen = 0;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 8192, 16384, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":10}");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":10}");
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":5}");
    ok(f, "ListTasks", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "taskArns"), 25);
    assert_null(at(f, "nextToken"));
    for (size_t i = 0; i < 25; i++)
        snprintf(all[i], sizeof all[i], "%s", pstr(f, "taskArns.%zu", i));
    token[0] = '\0';
    for (int page = 0; page < 10; page++) {
        if (token[0] == '\0')
            ok(f, "ListTasks", "{\"cluster\":\"c1\",\"maxResults\":10}");
        else
            ok(f, "ListTasks", fmt(f, "{\"cluster\":\"c1\",\"maxResults\":10,\"nextToken\":\"%s\"}", token));
        assert_int_equal(len_at(f, "taskArns"), page < 2 ? 10 : 5);
        for (size_t i = 0; i < len_at(f, "taskArns"); i++)
            assert_string_equal(pstr(f, "taskArns.%zu", i), all[seen++]);
        if (at(f, "nextToken") == NULL)
            break;
        snprintf(token, sizeof token, "%s", str_at(f, "nextToken"));
    }
    assert_int_equal(seen, 25);
    fails(f, "ListTasks", "{\"cluster\":\"c1\",\"nextToken\":\"garbage\"}", "InvalidParameterException", "nextToken");
    fails(f, "ListTasks", "{\"cluster\":\"c1\",\"maxResults\":0}", "InvalidParameterException", "maxResults");
}

/* ------------------------------------------------------------------------ */
/* clientToken                                                               */

static void test_tasks__client_token(void **state)
{
    fx *f = *state;
    static const char run[] = "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,\"clientToken\":\"tok-1\"}";
    char first[2][192], tok[80];
    ecs_instance_info in;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RunTask", run);
    assert_int_equal(len_at(f, "tasks"), 2);
    snprintf(first[0], sizeof first[0], "%s", str_at(f, "tasks.0.taskArn"));
    snprintf(first[1], sizeof first[1], "%s", str_at(f, "tasks.1.taskArn"));

    /* the same call again: the same tasks, nothing new */
    {
        const char *d;
        size_t dl;
        char *before;
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        before = malloc(dl + 1);
        memcpy(before, d, dl + 1);
        ok(f, "RunTask", run);
        assert_int_equal(len_at(f, "tasks"), 2);
        assert_string_equal(str_at(f, "tasks.0.taskArn"), first[0]);
        assert_string_equal(str_at(f, "tasks.1.taskArn"), first[1]);
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        assert_string_equal(before, d);
        free(before);
    }
    ok(f, "ListTasks", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "taskArns"), 2);
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(in.cpu_remaining, 4096 - 256);

    /* the same token with another request */
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3,\"clientToken\":\"tok-1\"}",
          "ConflictException", first[0]);
    fails(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,\"startedBy\":\"x\",\"clientToken\":\"tok-1\"}",
          "ConflictException", NULL);
    /* another token is another call */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,\"clientToken\":\"tok-2\"}");
    assert_string_not_equal(str_at(f, "tasks.0.taskArn"), first[0]);
    ok(f, "ListTasks", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "taskArns"), 4);

    memset(tok, 't', sizeof tok);
    tok[65] = '\0';
    fails(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"clientToken\":\"%s\"}", tok),
          "InvalidParameterException", "clientToken");
    tok[64] = '\0';
    ok(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"clientToken\":\"%s\"}", tok));
    assert_int_equal(len_at(f, "tasks"), 1);
}

/* ------------------------------------------------------------------------ */
/* ListContainerInstances filter                                             */

static void test_tasks__list_container_instances_filter(void **state)
{
    fx *f = *state;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 4096, 8192, ",\"attributes\":[{\"name\":\"stack\",\"value\":\"prod\"}]");
    reg(f, "c1", "us-east-1b", "t2.small", "i-bbb", 4096, 8192, ",\"attributes\":[{\"name\":\"stack\",\"value\":\"dev\"}]");
    reg(f, "c1", "us-east-1a", "t2.medium", "i-ccc", 4096, 8192, "");
    reg(f, "c1", "us-east-1d", "g2.2xlarge", "i-ddd", 4096, 8192, "");
    ok(f, "RegisterTaskDefinition", k_web);

#define FILTER(expr) ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"" expr "\"}")
    FILTER("attribute:ecs.instance-type == t2.small");
    instances_are(f, "c1", "i-bbb");
    FILTER("attribute:ecs.instance-type in [t2.small, t2.medium]");
    instances_are(f, "c1", "i-bbb,i-ccc");
    FILTER("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]");
    instances_are(f, "c1", "i-aaa,i-bbb,i-ccc");
    FILTER("attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a");
    instances_are(f, "c1", "i-ccc");
    FILTER("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d");
    assert_int_equal(len_at(f, "containerInstanceArns"), 0);
    FILTER("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1a");
    instances_are(f, "c1", "i-ddd");
    FILTER("attribute:ecs.instance-type == g2.2xlarge");
    instances_are(f, "c1", "i-ddd");
    FILTER("attribute:stack == prod");
    instances_are(f, "c1", "i-aaa");
    FILTER("attribute:stack != prod");
    instances_are(f, "c1", "i-bbb");
    FILTER("ec2InstanceId in ['i-aaa', 'i-ddd']");
    instances_are(f, "c1", "i-aaa,i-ddd");
    FILTER("runningTasksCount == 0");
    instances_are(f, "c1", "i-aaa,i-bbb,i-ccc,i-ddd");
    FILTER("task:group == family:web");
    assert_int_equal(len_at(f, "containerInstanceArns"), 0);

    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,"
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-ccc\"}]}");
    assert_int_equal(len_at(f, "tasks"), 2);
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"group\":\"database\","
                     "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"ec2InstanceId == i-aaa\"}]}");
    assert_int_equal(len_at(f, "tasks"), 1);
    FILTER("runningTasksCount > 0");
    instances_are(f, "c1", "i-aaa,i-ccc");
    FILTER("runningTasksCount == 0");
    instances_are(f, "c1", "i-bbb,i-ddd");
    FILTER("runningTasksCount == 2");
    instances_are(f, "c1", "i-ccc");
    FILTER("task:group == family:web");
    instances_are(f, "c1", "i-ccc");
    FILTER("not(task:group == database)");
    instances_are(f, "c1", "i-bbb,i-ccc,i-ddd");
    FILTER("task:group == database or attribute:stack == dev");
    instances_are(f, "c1", "i-aaa,i-bbb");
    /* with status and paging */
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"maxResults\":1,\"filter\":\"runningTasksCount > 0\"}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 1);
    assert_non_null(at(f, "nextToken"));
#undef FILTER

    fails(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:ecs.instance-type ==\"}",
          "InvalidParameterException", "column 31");
    fails(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"runningTasksCount == 1 and\"}",
          "InvalidParameterException", "column 27");
    fails(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"nosuchsubject == 1\"}",
          "InvalidParameterException", "filter");
}

/* ------------------------------------------------------------------------ */
/* All or nothing                                                            */

/* Run one call with its Nth allocation refused for N = 1, 2, ... until it
 * succeeds; each refusal must be a ServerException that leaves the dump
 * byte-identical. Leaves the successful response parsed in f->doc. */
static void oom_call(fx *f, const char *action, const char *req)
{
    for (size_t n = 1;; n++) {
        const char *d, *out;
        size_t dl, ol;
        char *before;
        ecs_status rc;
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        before = malloc(dl + 1);
        memcpy(before, d, dl + 1);
        test_alloc_fail_at(&f->ta, n, false);
        rc = ecs_plane_call(f->pl, action, strlen(action), req, strlen(req), &out, &ol);
        test_alloc_fail_at(&f->ta, 0, false);
        if (rc == ECS_OK) {
            free(before);
            ecs_json_doc_free(f->doc);
            f->doc = NULL;
            assert_int_equal(ecs_json_parse(f->ctx, out, ol, NULL, &f->doc), ECS_OK);
            return;
        }
        if (rc != ECS_E_NOMEM)
            fail_msg("%s with allocation %zu refused: %s %s", action, n, ecs_plane_error_code(f->pl),
                     ecs_ctx_errmsg(f->ctx));
        assert_string_equal(ecs_plane_error_code(f->pl), "ServerException");
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        if (strcmp(before, d) != 0)
            fail_msg("%s with allocation %zu refused changed the state", action, n);
        free(before);
        assert_true(n < 20000);
    }
}

static void test_tasks__every_call_is_all_or_nothing_under_oom(void **state)
{
    fx *f = *state;
    char *my_api;
    size_t n;
    iref a, b;
    char t0[192];

    my_api = test_read_file(ECS_SOURCE_DIR "/examples/my-api-taskdef.json", &n);
    assert_non_null(my_api);
    oom_call(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 2048, 4096, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 2048, 4096, "");
    a = ref_of(f, "c1", "i-aaa");
    b = ref_of(f, "c1", "i-bbb");
    oom_call(f, "RegisterTaskDefinition", k_web);
    oom_call(f, "RegisterTaskDefinition", k_vpc);
    oom_call(f, "RegisterTaskDefinition", k_static80);
    oom_call(f, "RegisterTaskDefinition", my_api);
    free(my_api);
    oom_call(f, "RegisterSubnets",
             "{\"subnets\":[{\"subnetId\":\"subnet-a\",\"availabilityZone\":\"us-east-1a\"},"
             "{\"subnetId\":\"subnet-b\",\"availabilityZone\":\"us-east-1b\"}]}");
    oom_call(f, "SetFargateCapacity", "{\"maxTasks\":100}");

    oom_call(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3,\"startedBy\":\"s\","
                           "\"clientToken\":\"tok\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}],"
                           "\"overrides\":{\"containerOverrides\":[{\"name\":\"app\",\"cpu\":100}]},"
                           "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]}");
    assert_int_equal(len_at(f, "tasks"), 3);
    snprintf(t0, sizeof t0, "%s", str_at(f, "tasks.0.taskArn"));
    oom_call(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":3,\"startedBy\":\"s\","
                           "\"clientToken\":\"tok\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}],"
                           "\"overrides\":{\"containerOverrides\":[{\"name\":\"app\",\"cpu\":100}]},"
                           "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]}");
    assert_string_equal(str_at(f, "tasks.0.taskArn"), t0); /* the replay */
    oom_call(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"static80\",\"count\":3,"
                           "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}],"
                           "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type =~ m5.*\"}]}");
    assert_int_equal(len_at(f, "tasks"), 2);
    assert_int_equal(len_at(f, "failures"), 1);
    oom_call(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"vpc\",\"count\":2,"
                           NETCFG("\"subnet-a\",\"subnet-b\"") "}");
    assert_int_equal(len_at(f, "tasks"), 2);
    oom_call(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\",\"count\":3,"
                           "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-a\",\"subnet-b\"],"
                           "\"assignPublicIp\":\"ENABLED\"}}}");
    assert_int_equal(len_at(f, "tasks"), 3);
    oom_call(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\",\"%s\",\"nope\"]}",
                                 a.id, b.arn));
    assert_int_equal(len_at(f, "tasks"), 2);
    oom_call(f, "DescribeTasks", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\",\"nope\"],\"include\":[\"TAGS\"]}", t0));
    assert_int_equal(len_at(f, "tasks"), 1);
    oom_call(f, "ListTasks", "{\"cluster\":\"c1\",\"maxResults\":4}");
    assert_int_equal(len_at(f, "taskArns"), 4);
    oom_call(f, "ListTasks", "{\"cluster\":\"c1\",\"family\":\"web\"}");
    assert_int_equal(len_at(f, "taskArns"), 5);
    oom_call(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"task:group == family:web and runningTasksCount > 1\"}");
    assert_true(len_at(f, "containerInstanceArns") >= 1);
    oom_call(f, "DescribeContainerInstances", fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"]}", a.id));
    assert_int_equal(f->ta.errors, 0);
}

/* A StartTask whose later allocation fails must give back what the engine
 * reserved for its earlier tasks: afterwards both instances still take one. */
static void test_tasks__start_task_oom_gives_room_back(void **state)
{
    fx *f = *state;
    iref a, b;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "m5.large", "i-aaa", 256, 4096, "");
    reg(f, "c1", "us-east-1b", "m5.large", "i-bbb", 256, 4096, "");
    a = ref_of(f, "c1", "i-aaa");
    b = ref_of(f, "c1", "i-bbb");
    ok(f, "RegisterTaskDefinition",
       "{\"family\":\"fill\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":64}]}");
    /* build the placement engine first, so that the refusals reach the
     * second instance's placement */
    ok(f, "StartTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"fill\",\"containerInstances\":[\"nope\"]}");
    assert_int_equal(len_at(f, "tasks"), 0);
    oom_call(f, "StartTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"fill\",\"containerInstances\":[\"%s\",\"%s\"]}",
                                 a.id, b.id));
    assert_int_equal(len_at(f, "failures"), 0);
    assert_int_equal(len_at(f, "tasks"), 2);
}

/* A failed call leaves the plane as it was, including what later calls
 * will hand out: the same later call gives the same answer as on a plane
 * that never saw the failed one. */
static void test_tasks__failed_calls_do_not_change_later_answers(void **state)
{
    fx *f = *state;
    static const char *const setup_calls[][2] = {
        { "CreateCluster", "{\"clusterName\":\"c1\"}" },
        { "RegisterTaskDefinition", k_web },
    };
    static const char inst[] =
        "{\"cluster\":\"c1\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"i-aaa\\\","
        "\\\"availabilityZone\\\":\\\"us-east-1a\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
        "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":4096},"
        "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":8192}]}";
    static const char good[] = "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2}";
    static const char bad_tags[] =
        "{\"cluster\":\"c1\",\"taskDefinition\":\"web\",\"count\":2,\"tags\":[{\"key\":\"aws:x\",\"value\":\"v\"}]}";
    ecs_plane *p[2];
    char *answer[2];
    bool same;
    for (int k = 0; k < 2; k++) {
        ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
        const char *out;
        size_t len;
        o.seed = 5;
        assert_int_equal(ecs_plane_new(f->ctx, &o, &p[k]), ECS_OK);
        for (size_t i = 0; i < 2; i++)
            assert_int_equal(ecs_plane_call(p[k], setup_calls[i][0], strlen(setup_calls[i][0]), setup_calls[i][1],
                                            strlen(setup_calls[i][1]), &out, &len), ECS_OK);
        assert_int_equal(ecs_plane_call(p[k], "RegisterContainerInstance", 25, inst, strlen(inst), &out, &len), ECS_OK);
        if (k == 1) {
            /* refused for its tags, then with an allocation refused */
            assert_int_equal(ecs_plane_call(p[k], "RunTask", 7, bad_tags, strlen(bad_tags), &out, &len),
                             ECS_E_INVALID_ARG);
            for (size_t n = 1;; n++) {
                ecs_status rc;
                test_alloc_fail_at(&f->ta, n, false);
                rc = ecs_plane_call(p[k], "RunTask", 7, good, strlen(good), &out, &len);
                test_alloc_fail_at(&f->ta, 0, false);
                if (rc == ECS_OK)
                    break;
                assert_int_equal(rc, ECS_E_NOMEM);
            }
        } else {
            assert_int_equal(ecs_plane_call(p[k], "RunTask", 7, good, strlen(good), &out, &len), ECS_OK);
        }
        answer[k] = malloc(len + 1);
        memcpy(answer[k], out, len + 1);
    }
    same = strcmp(answer[0], answer[1]) == 0;
    for (int k = 0; k < 2; k++) {
        free(answer[k]);
        ecs_plane_free(p[k]);
    }
    if (!same)
        fail_msg("after failed RunTask calls the same RunTask answers differently (task ids "
                 "or placement drawn by the failed calls were not given back)");
}

/* Zone names are shared by the plane up to a bound and copied past it;
 * well-known attribute names are shared static text. Neither may show:
 * every task names its own instance's zone, attributes read back as set,
 * a snapshot restores to the same snapshot, nothing leaks (teardown). */
static void test_tasks__many_zones_and_shared_attribute_names(void **state)
{
    fx *f = *state;
    enum { ZONES = 70 };
    const char *snap, *snap2;
    size_t len, len2;
    char *copy;
    ecs_plane *back;

    ok(f, "CreateCluster", "{\"clusterName\":\"z\"}");
    for (int k = 0; k < ZONES; k++) {
        char az[32], ec2[32];
        snprintf(az, sizeof az, "zone-%02d", k);
        snprintf(ec2, sizeof ec2, "i-%04d", k);
        reg(f, "z", az, "m5.large", ec2, 2048, 7680, "");
    }
    ok(f, "RegisterTaskDefinition", k_web);
    for (int k = 0; k < ZONES; k++) {
        char ec2[32];
        iref r;
        snprintf(ec2, sizeof ec2, "i-%04d", k);
        r = ref_of(f, "z", ec2);
        ok(f, "StartTask", fmt(f, "{\"cluster\":\"z\",\"taskDefinition\":\"web\",\"containerInstances\":[\"%s\"]}",
                               r.arn));
        assert_int_equal(len_at(f, "tasks"), 1);
        assert_string_equal(str_at(f, "tasks.0.availabilityZone"), fmt(f, "zone-%02d", k));
    }
    /* a capability (a shared name) given a value, another deleted, a
     * custom attribute added: on one instance only */
    {
        iref r = ref_of(f, "z", "i-0003");
        ok(f, "PutAttributes",
           fmt(f, "{\"cluster\":\"z\",\"attributes\":[{\"name\":\"ecs.capability.task-eni\",\"value\":\"v2\","
                  "\"targetId\":\"%s\"},{\"name\":\"team\",\"value\":\"red\",\"targetId\":\"%s\"}]}",
               r.arn, r.arn));
        ok(f, "DeleteAttributes",
           fmt(f, "{\"cluster\":\"z\",\"attributes\":[{\"name\":\"ecs.capability.efs\",\"targetId\":\"%s\"}]}",
               r.arn));
        ok(f, "ListAttributes",
           "{\"cluster\":\"z\",\"targetType\":\"container-instance\",\"attributeName\":\"ecs.capability.task-eni\","
           "\"attributeValue\":\"v2\"}");
        assert_int_equal(len_at(f, "attributes"), 1);
        assert_string_equal(str_at(f, "attributes.0.targetId"), r.arn);
        ok(f, "ListAttributes",
           "{\"cluster\":\"z\",\"targetType\":\"container-instance\",\"attributeName\":\"ecs.capability.efs\"}");
        assert_int_equal(len_at(f, "attributes"), ZONES - 1);
    }
    assert_int_equal(ecs_plane_snapshot(f->pl, &snap, &len), ECS_OK);
    copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, snap, len);
    assert_int_equal(ecs_plane_restore(f->ctx, copy, len, &back), ECS_OK);
    assert_int_equal(ecs_plane_snapshot(back, &snap2, &len2), ECS_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(copy, snap2, len);
    ecs_plane_free(back);
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tasks__run_task_ec2_basics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__cluster_counts_follow_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__run_task_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__failure_reasons_cpu_memory_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__ports_static_dynamic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__awsvpc_on_ec2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__draining_instances_are_never_chosen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__binpack_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__spread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__random_is_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__distinct_instance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__member_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__placement_request_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__fargate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__start_task, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__describe_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__list_tasks_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__client_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__list_container_instances_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__every_call_is_all_or_nothing_under_oom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__start_task_oom_gives_room_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__failed_calls_do_not_change_later_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tasks__many_zones_and_shared_attribute_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
