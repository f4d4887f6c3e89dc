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

/* From tests/support/test_plane_fx.h (not included: this test has its own
 * fixture named fx). */
typedef struct fx_history fx_history;
bool fx_check_plane(ecs_ctx *ctx, ecs_plane *pl, fx_history *hist, char *why, size_t cap);

typedef struct fx {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *pl;
    char task_arn[256]; /* the first task RunTask made, for $T */
    char svc_task[256]; /* the first task of service svc, for $S */
    bool fail_all;      /* the pass refuses every allocation from the Nth on */
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
 * task ARN RunTask returned, $S for the first task of service svc (looked up
 * when first needed). */
typedef struct step {
    const char *action, *req, *code;
} step;

/* A step of the clock: ecs_plane_step() to now + ms. */
#define STEP_MS(ms) { NULL, #ms, NULL }

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
    /* services, agent reports, protection (the plane runs without simulated
     * agents: tasks move only by the reports below) */
    { "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"svc\",\"taskDefinition\":\"web:1\",\"desiredCount\":2,"
                       "\"launchType\":\"EC2\",\"deploymentConfiguration\":{\"minimumHealthyPercent\":50,"
                       "\"maximumPercent\":200},\"placementStrategy\":[{\"type\":\"spread\",\"field\":"
                       "\"attribute:ecs.availability-zone\"}],\"placementConstraints\":[{\"type\":\"memberOf\","
                       "\"expression\":\"attribute:ecs.instance-type =~ m5.*\"}],\"tags\":[{\"key\":\"k\","
                       "\"value\":\"v\"}],\"clientToken\":\"tok-1\"}", NULL },
    { "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"svc\",\"taskDefinition\":\"web:1\",\"desiredCount\":5}",
      "InvalidParameterException" },
    { "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"d1\",\"taskDefinition\":\"web:1\","
                       "\"schedulingStrategy\":\"DAEMON\"}", NULL },
    { "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"v1\",\"taskDefinition\":\"vpc\",\"desiredCount\":1,"
                       NETCFG("\"subnet-a\"") "}", NULL },
    { "CreateService", "{\"cluster\":\"fg\",\"serviceName\":\"api\",\"taskDefinition\":\"my-api\",\"desiredCount\":1,"
                       "\"launchType\":\"FARGATE\"," NETCFG("\"subnet-b\"") "}", NULL },
    { "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"v2\",\"taskDefinition\":\"vpc\",\"desiredCount\":1}",
      "InvalidParameterException" },
    /* capacity providers, load balancers, alarms, rollout preview */
    { "CreateCapacityProvider", "{\"name\":\"cp1\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":"
                                "\"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/a\","
                                "\"managedTerminationProtection\":\"DISABLED\"},\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}",
      NULL },
    { "CreateCapacityProvider", "{\"name\":\"cp2\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"arn:b\"}}",
      NULL },
    { "CreateCapacityProvider", "{\"name\":\"cp1\",\"autoScalingGroupProvider\":{\"autoScalingGroupArn\":\"arn:c\"}}",
      "ClientException" },
    { "DescribeCapacityProviders", "{\"capacityProviders\":[\"cp1\",\"FARGATE\",\"nope\"]}", NULL },
    { "PutClusterCapacityProviders", "{\"cluster\":\"c2\",\"capacityProviders\":[\"cp1\",\"cp2\"],"
                                     "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp1\",\"base\":1,"
                                     "\"weight\":1},{\"capacityProvider\":\"cp2\",\"weight\":2}]}", NULL },
    { "PutClusterCapacityProviders", "{\"cluster\":\"c2\",\"capacityProviders\":[\"cp1\"],"
                                     "\"defaultCapacityProviderStrategy\":[{\"capacityProvider\":\"cp2\"}]}",
      "InvalidParameterException" },
    { "DeleteCapacityProvider", "{\"capacityProvider\":\"cp1\"}", "InvalidParameterException" },
    { "PutClusterCapacityProviders", "{\"cluster\":\"c2\",\"capacityProviders\":[\"cp1\"],"
                                     "\"defaultCapacityProviderStrategy\":[]}", NULL },
    { "DeleteCapacityProvider", "{\"capacityProvider\":\"cp2\"}", NULL },
    { "ModifyTargetGroupAttributes", "{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                                     "targetgroup/tg/1\",\"attributes\":[{\"key\":"
                                     "\"deregistration_delay.timeout_seconds\",\"value\":\"30\"}]}", NULL },
    { "ModifyTargetGroupAttributes", "{\"targetGroupArn\":\"arn:tg\",\"attributes\":[{\"key\":"
                                     "\"deregistration_delay.timeout_seconds\",\"value\":\"9999\"}]}",
      "InvalidParameterException" },
    { "SetAlarmState", "{\"alarmName\":\"cpu-high\",\"stateValue\":\"OK\"}", NULL },
    { "SetAlarmState", "{\"alarmName\":\"cpu-high\",\"stateValue\":\"MAYBE\"}", "InvalidParameterException" },
    { "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"lb\",\"taskDefinition\":\"web:1\",\"desiredCount\":1,"
                       "\"loadBalancers\":[{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                       "targetgroup/tg/1\",\"containerName\":\"app\",\"containerPort\":80}],"
                       "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":{\"enable\":true,\"rollback\":true},"
                       "\"alarms\":{\"alarmNames\":[\"cpu-high\"],\"enable\":true,\"rollback\":false}}}", NULL },
    { "PreviewDeployment", "{\"cluster\":\"c1\",\"service\":\"svc\",\"minimumHealthyPercent\":50}", NULL },
    { "PreviewDeployment", "{\"cluster\":\"c1\",\"service\":\"nope\"}", "ServiceNotFoundException" },
    { "UpdateServiceOptions", "{\"cluster\":\"c1\",\"service\":\"svc\",\"spreadNewRevisionOnly\":true}", NULL },
    { "SubmitTargetHealth", "{\"cluster\":\"c1\",\"task\":\"$T\",\"state\":\"healthy\"}",
      "InvalidParameterException" },
    { "DescribeServices", "{\"cluster\":\"c1\",\"services\":[\"svc\",\"d1\",\"nope\"],\"include\":[\"TAGS\"]}", NULL },
    { "ListServices", "{\"cluster\":\"c1\",\"maxResults\":1}", NULL },
    { "ListServices", "{\"cluster\":\"c1\",\"schedulingStrategy\":\"DAEMON\"}", NULL },
    { "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"$T\",\"status\":\"PENDING\",\"pullStartedAt\":1767225601}",
      NULL },
    { "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"$T\",\"status\":\"RUNNING\",\"pullStoppedAt\":1767225602,"
                               "\"containers\":[{\"containerName\":\"app\",\"status\":\"RUNNING\",\"runtimeId\":"
                               "\"rt-1\",\"networkBindings\":[{\"containerPort\":80,\"hostPort\":32768}]}]}", NULL },
    { "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"$T\",\"status\":\"PENDING\"}", "ClientException" },
    { "SubmitContainerStateChange", "{\"cluster\":\"c1\",\"task\":\"$T\",\"containerName\":\"app\",\"status\":"
                                    "\"RUNNING\",\"runtimeId\":\"rt-2\",\"reason\":\"started\"}", NULL },
    { "SubmitContainerStateChange", "{\"cluster\":\"c1\",\"task\":\"$T\",\"containerName\":\"nope\"}",
      "InvalidParameterException" },
    { "SubmitContainerHealth", "{\"cluster\":\"c1\",\"task\":\"$T\",\"containerName\":\"app\",\"healthStatus\":"
                               "\"HEALTHY\"}", NULL },
    { "SubmitContainerHealth", "{\"cluster\":\"c1\",\"task\":\"$T\",\"containerName\":\"app\",\"healthStatus\":"
                               "\"SICK\"}", "InvalidParameterException" },
    STEP_MS(10000), /* the scheduler places the services' tasks */
    { "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"$S\",\"status\":\"RUNNING\"}", NULL },
    { "UpdateTaskProtection", "{\"cluster\":\"c1\",\"tasks\":[\"$S\",\"$T\",\"nope\"],\"protectionEnabled\":true,"
                              "\"expiresInMinutes\":60}", NULL },
    { "UpdateTaskProtection", "{\"cluster\":\"c1\",\"tasks\":[\"$S\"],\"protectionEnabled\":true,"
                              "\"expiresInMinutes\":0}", "InvalidParameterException" },
    { "GetTaskProtection", "{\"cluster\":\"c1\",\"tasks\":[\"$S\",\"$T\"]}", NULL },
    { "GetTaskProtection", "{\"cluster\":\"c1\"}", NULL },
    { "UpdateService", "{\"cluster\":\"c1\",\"service\":\"svc\",\"desiredCount\":3,\"taskDefinition\":\"web:2\","
                       "\"deploymentConfiguration\":{\"minimumHealthyPercent\":100,\"maximumPercent\":150},"
                       "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]}", NULL },
    { "UpdateService", "{\"cluster\":\"c1\",\"service\":\"svc\",\"forceNewDeployment\":true}", NULL },
    { "UpdateService", "{\"cluster\":\"c1\",\"service\":\"d1\",\"desiredCount\":3}", "InvalidParameterException" },
    { "UpdateService", "{\"cluster\":\"c1\",\"service\":\"nope\",\"desiredCount\":1}", "ServiceNotFoundException" },
    STEP_MS(30000),
    { "StopTask", "{\"cluster\":\"c1\",\"task\":\"$T\",\"reason\":\"done\"}", NULL },
    { "StopTask", "{\"cluster\":\"c1\",\"task\":\"$S\"}", NULL },
    { "StopTask", "{\"cluster\":\"c1\",\"task\":\"nope\"}", "InvalidParameterException" },
    { "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"$T\",\"status\":\"STOPPED\",\"executionStoppedAt\":"
                               "1767225700}", NULL },
    { "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"$S\",\"status\":\"STOPPED\",\"reason\":\"gone\"}", NULL },
    { "DeleteService", "{\"cluster\":\"c1\",\"service\":\"svc\"}", "InvalidParameterException" },
    { "DeleteService", "{\"cluster\":\"c1\",\"service\":\"svc\",\"force\":true}", NULL },
    { "DeleteService", "{\"cluster\":\"c1\",\"service\":\"d1\"}", NULL },
    STEP_MS(5000),
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

/* The first live task of service svc in cluster c1 (from the dump). */
static const char *svc_task(fx *f)
{
    const char *d;
    size_t dl;
    ecs_json_doc *doc = NULL;
    const ecs_json_val *clusters;
    if (f->svc_task[0] != '\0')
        return f->svc_task;
    assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
    assert_int_equal(ecs_json_parse(f->ctx, d, dl, NULL, &doc), ECS_OK);
    clusters = ecs_json_obj_get(doc, ecs_json_root(doc), "clusters", 8);
    for (const ecs_json_val *e = ecs_json_first(clusters); e != NULL; e = ecs_json_next(clusters, e)) {
        const ecs_json_val *tasks = ecs_json_obj_get(doc, e, "tasks", 5);
        for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL && f->svc_task[0] == '\0';
             t = ecs_json_next(tasks, t)) {
            const char *g = ecs_json_str(doc, ecs_json_obj_get(doc, t, "group", 5), NULL);
            const char *ls = ecs_json_str(doc, ecs_json_obj_get(doc, t, "lastStatus", 10), NULL);
            if (g != NULL && strcmp(g, "service:svc") == 0 && ls != NULL && strcmp(ls, "STOPPED") != 0)
                snprintf(f->svc_task, sizeof f->svc_task, "%s",
                         ecs_json_str(doc, ecs_json_obj_get(doc, t, "taskArn", 7), NULL));
        }
    }
    ecs_json_doc_free(doc);
    if (f->svc_task[0] == '\0')
        fail_msg("service svc has no live task");
    return f->svc_task;
}

/* req with $A, $B, $C, $T and $S replaced, into out. */
static void expand(fx *f, const char *req, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = req; *p != '\0'; p++) {
        const char *sub = NULL;
        if (p[0] == '$' && (p[1] == 'A' || p[1] == 'B' || p[1] == 'C'))
            sub = instance_id(f, p[1] == 'A' ? "i-aaa" : p[1] == 'B' ? "i-bbb" : "i-ccc");
        else if (p[0] == '$' && p[1] == 'T')
            sub = f->task_arn;
        else if (p[0] == '$' && p[1] == 'S')
            sub = svc_task(f);
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

/* A copy of the plane's snapshot (the whole state, services and the
 * random generator included, which ecs_plane_dump does not show). */
static char *snapshot_copy(fx *f)
{
    const char *d;
    size_t dl;
    char *copy;
    assert_int_equal(ecs_plane_snapshot(f->pl, &d, &dl), ECS_OK);
    copy = malloc(dl + 1);
    assert_non_null(copy);
    memcpy(copy, d, dl);
    copy[dl] = '\0';
    return copy;
}

/* A clock step: ecs_plane_step() to now + ms with allocation n refused (and
 * every later one when fail_all), n = 1, 2, ... until it succeeds. A step
 * that runs out of memory keeps the work it did (the clock included) and
 * must leave a consistent state (the invariants of fx_check_plane); the
 * next attempt, to the same time, does the rest. Returns the number of
 * refused attempts. */
static size_t run_clock_step(fx *f, const char *ms)
{
    int64_t target = ecs_plane_now_ms(f->pl) + strtoll(ms, NULL, 10);
    char why[1024];
    size_t n;
    for (n = 1;; n++) {
        const ecs_plane_order *orders = NULL;
        size_t norders = 0;
        ecs_status rc;
        test_alloc_fail_at(&f->ta, n, f->fail_all);
        rc = ecs_plane_step(f->pl, target, &orders, &norders);
        test_alloc_fail_at(&f->ta, 0, false);
        if (!fx_check_plane(f->ctx, f->pl, NULL, why, sizeof why))
            fail_msg("step to +%s ms with allocation %zu refused (rc %d): inconsistent state: %s", ms, n,
                     (int)rc, why);
        if (rc == ECS_OK)
            break;
        if (rc != ECS_E_NOMEM)
            fail_msg("step to +%s ms with allocation %zu refused: %d, not ECS_E_NOMEM", ms, n, (int)rc);
        if (n >= 100000)
            fail_msg("step: still refused after %zu allocations", n);
    }
    assert_true(ecs_plane_now_ms(f->pl) == target);
    return n - 1;
}

/* One step: refuse allocation n (and every later one when fail_all) for
 * n = 1, 2, ... until the call reaches its real outcome. Returns how many
 * refused attempts were checked. */
static size_t run_step(fx *f, const step *s, bool fail_all)
{
    const char *req = f->req;
    size_t n;
    if (s->action == NULL)
        return run_clock_step(f, s->req);
    expand(f, s->req, f->req, sizeof f->req);
    for (n = 1;; n++) {
        const char *d, *out = NULL;
        size_t dl, ol = 0;
        char *before, *snap_before, *snap_after;
        ecs_status rc;
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        before = malloc(dl + 1);
        assert_non_null(before);
        memcpy(before, d, dl + 1);
        snap_before = snapshot_copy(f);
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
                snap_after = snapshot_copy(f);
                if (strcmp(snap_before, snap_after) != 0)
                    fail_msg("%s %s failed with %s but changed the snapshot", s->action, req, s->code);
                free(snap_after);
            }
            free(before);
            free(snap_before);
            return n - 1;
        }
        if (strcmp(ecs_plane_error_code(f->pl), "ServerException") != 0)
            fail_msg("%s with allocation %zu refused: ECS_E_NOMEM but %s", s->action, n,
                     ecs_plane_error_code(f->pl));
        assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
        if (strcmp(before, d) != 0)
            fail_msg("%s with allocation %zu refused%s changed the state", s->action, n,
                     fail_all ? " (and every later one)" : "");
        snap_after = snapshot_copy(f);
        if (strcmp(snap_before, snap_after) != 0)
            fail_msg("%s with allocation %zu refused%s changed the snapshot (services or the random "
                     "generator)", s->action, n, fail_all ? " (and every later one)" : "");
        free(snap_after);
        free(before);
        free(snap_before);
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
    static const char *const k_extensions[] = { "RegisterSubnets", "SetFargateCapacity",
                                                "SubmitContainerHealth", "SubmitTargetHealth",
                                                "ModifyTargetGroupAttributes", "SetAlarmState",
                                                "PreviewDeployment", "UpdateServiceOptions" };
    const size_t next = sizeof k_extensions / sizeof k_extensions[0];

    f->fail_all = fail_all;
    for (size_t i = 0; i < sizeof k_scenario / sizeof k_scenario[0]; i++) {
        tally *x = tally_of(t, &nt, k_scenario[i].action != NULL ? k_scenario[i].action : "(ecs_plane_step)");
        size_t k = run_step(f, &k_scenario[i], fail_all);
        x->calls++;
        x->injected += k;
        total += k;
    }
    /* every action the plane serves was called at least once */
    assert_int_equal(ecs_plane_new(f->ctx, NULL, &scratch), ECS_OK);
    for (size_t i = 0; i < ecs_shape__action_count() + next; i++) {
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
