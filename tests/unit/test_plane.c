/*
 * The control plane through its JSON entry point: clusters, container
 * instances, attributes and task definitions, their success and error
 * paths, ARN and name forms, pagination, the typed readers, determinism,
 * and the all-or-nothing rule: every failing call, including one whose
 * Nth allocation is refused, leaves the whole state (ecs_plane_dump)
 * byte-identical and leaks nothing.
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

#define INSTANCE(az, itype, id, cpu, mem)                                                          \
    "{\"cluster\":\"c1\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"" id               \
    "\\\",\\\"availabilityZone\\\":\\\"" az "\\\",\\\"instanceType\\\":\\\"" itype                 \
    "\\\"}\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":" #cpu    \
    "},{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":" #mem "}]}"

static const char k_taskdef[] =
    "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\","
    "\"memory\":256,\"cpu\":128,\"portMappings\":[{\"containerPort\":80}]}]}";

/* ------------------------------------------------------------------------ */

static void test_plane__create_describe_list_delete_cluster(void **state)
{
    fx *f = *state;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\",\"tags\":[{\"key\":\"team\",\"value\":\"a\"}]}");
    assert_string_equal(str_at(f, "cluster.clusterArn"), "arn:aws:ecs:us-east-1:123456789012:cluster/c1");
    assert_string_equal(str_at(f, "cluster.status"), "ACTIVE");
    assert_int_equal(int_at(f, "cluster.registeredContainerInstancesCount"), 0);
    assert_string_equal(str_at(f, "cluster.tags.0.key"), "team");
    ok(f, "CreateCluster", NULL); /* no name: "default" */
    assert_string_equal(str_at(f, "cluster.clusterName"), "default");
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}"); /* idempotent */
    assert_string_equal(str_at(f, "cluster.clusterName"), "c1");
    assert_int_equal(ecs_plane_cluster_count(f->pl), 2);

    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\",\"arn:aws:ecs:us-east-1:123456789012:cluster/default\",\"nope\"]}");
    assert_int_equal(len_at(f, "clusters"), 2);
    assert_null(at(f, "clusters.0.tags")); /* only with include TAGS */
    assert_string_equal(str_at(f, "failures.0.arn"), "arn:aws:ecs:us-east-1:123456789012:cluster/nope");
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"],\"include\":[\"TAGS\",\"SETTINGS\",\"STATISTICS\"]}");
    assert_string_equal(str_at(f, "clusters.0.tags.0.value"), "a");
    assert_string_equal(str_at(f, "clusters.0.settings.0.value"), "disabled");
    ok(f, "DescribeClusters", "{}"); /* the default cluster */
    assert_string_equal(str_at(f, "clusters.0.clusterName"), "default");

    ok(f, "ListClusters", "{}");
    assert_int_equal(len_at(f, "clusterArns"), 2);
    assert_string_equal(str_at(f, "clusterArns.0"), "arn:aws:ecs:us-east-1:123456789012:cluster/c1");

    ok(f, "DeleteCluster", "{\"cluster\":\"c1\"}");
    assert_string_equal(str_at(f, "cluster.status"), "INACTIVE");
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"]}");
    assert_string_equal(str_at(f, "clusters.0.status"), "INACTIVE");
    ok(f, "ListClusters", "{}");
    assert_int_equal(len_at(f, "clusterArns"), 1);
    fails(f, "DeleteCluster", "{\"cluster\":\"c1\"}", "ClusterNotFoundException", "c1");
    fails(f, "DeleteCluster", "{\"cluster\":\"arn:aws:ecs:eu-west-1:123456789012:cluster/default\"}",
          "ClusterNotFoundException", NULL);
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}"); /* a deleted name can be reused */
    assert_string_equal(str_at(f, "cluster.status"), "ACTIVE");
}

static void test_plane__cluster_errors(void **state)
{
    fx *f = *state;
    fails(f, "CreateCluster", "{\"clusterName\":\"bad name\"}", "InvalidParameterException", "clusterName");
    fails(f, "CreateCluster", "{\"clusterName\":7}", "SerializationException", "clusterName");
    fails(f, "CreateCluster", "{\"clusterName\":null}", "InvalidParameterException", "clusterName");
    fails(f, "CreateCluster", "{\"clustername\":\"x\"}", "InvalidParameterException", "clustername");
    fails(f, "CreateCluster", "{\"clusterName\":\"x\",\"tags\":[{\"key\":\"aws:x\",\"value\":\"v\"}]}",
          "InvalidParameterException", "tags[0].key");
    fails(f, "CreateCluster", "[1]", "SerializationException", "object");
    fails(f, "CreateCluster", "{\"clusterName\":", "SerializationException", "line 1");
    fails(f, "CreateCluster", "{\"settings\":[{\"name\":\"containerInsights\",\"value\":\"maybe\"}]}",
          "InvalidParameterException", "settings[0].value");
    fails(f, "DescribeClusters", "{\"clusters\":\"c1\"}", "SerializationException", "clusters");
    fails(f, "ListClusters", "{\"maxResults\":0}", "InvalidParameterException", "maxResults");
    fails(f, "ListClusters", "{\"nextToken\":\"garbage\"}", "InvalidParameterException", "nextToken");
    fails(f, "NoSuchAction", "{}", "UnknownOperationException", "NoSuchAction");
    fails(f, "ExecuteCommand", "{}", "UnknownOperationException", "does not serve");
    fails(f, "DeleteCluster", "{}", "InvalidParameterException", "cluster");
    assert_int_equal(ecs_plane_cluster_count(f->pl), 0);
}

static void test_plane__list_clusters_pages(void **state)
{
    fx *f = *state;
    char req[512], token[256];
    size_t seen = 0;
    for (int i = 0; i < 7; i++) {
        snprintf(req, sizeof req, "{\"clusterName\":\"c%d\"}", i);
        ok(f, "CreateCluster", req);
    }
    token[0] = '\0';
    for (int page = 0; page < 10; page++) {
        const ecs_json_val *t;
        if (token[0] == '\0')
            snprintf(req, sizeof req, "{\"maxResults\":3}");
        else
            snprintf(req, sizeof req, "{\"maxResults\":3,\"nextToken\":\"%s\"}", token);
        ok(f, "ListClusters", req);
        for (size_t i = 0; i < len_at(f, "clusterArns"); i++) {
            char want[80];
            snprintf(want, sizeof want, "arn:aws:ecs:us-east-1:123456789012:cluster/c%zu", seen++);
            assert_string_equal(ecs_json_str(f->doc, ecs_json_arr_get(at(f, "clusterArns"), i), NULL), want);
        }
        t = at(f, "nextToken");
        if (t == NULL)
            break;
        snprintf(token, sizeof token, "%s", ecs_json_str(f->doc, t, NULL));
    }
    assert_int_equal(seen, 7);
}

static void register_three(fx *f)
{
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    ok(f, "RegisterContainerInstance", INSTANCE("us-east-1a", "m5.large", "i-aaa", 2048, 7680));
    ok(f, "RegisterContainerInstance", INSTANCE("us-east-1b", "m5.large", "i-bbb", 2048, 7680));
    ok(f, "RegisterContainerInstance", INSTANCE("us-east-1c", "c5.xlarge", "i-ccc", 4096, 7500));
}

static void test_plane__register_and_describe_instances(void **state)
{
    fx *f = *state;
    ecs_instance_info info;
    ecs_cluster_info ci;
    size_t idx;
    const char *name, *value;
    bool saw_az = false, saw_type = false, saw_cap = false;

    register_three(f);
    assert_string_equal(str_at(f, "containerInstance.ec2InstanceId"), "i-ccc");
    assert_string_equal(str_at(f, "containerInstance.status"), "ACTIVE");
    assert_true(ecs_json_is_true(at(f, "containerInstance.agentConnected")));
    assert_string_equal(str_at(f, "containerInstance.registeredResources.0.name"), "CPU");
    assert_int_equal(int_at(f, "containerInstance.registeredResources.0.integerValue"), 4096);
    assert_int_equal(int_at(f, "containerInstance.remainingResources.1.integerValue"), 7500);
    assert_string_equal(str_at(f, "containerInstance.registeredResources.2.stringSetValue.0"), "22");
    assert_int_equal(ecs_plane_find_cluster(f->pl, "c1", 2, &idx), ECS_OK);
    assert_int_equal(ecs_plane_cluster_info(f->pl, idx, &ci), ECS_OK);
    assert_int_equal(ci.registered_instances, 3);
    assert_int_equal(ecs_plane_instance_count(f->pl, idx), 3);
    assert_int_equal(ecs_plane_instance_info(f->pl, idx, 2, &info), ECS_OK);
    assert_string_equal(info.availability_zone, "us-east-1c");
    assert_string_equal(info.instance_type, "c5.xlarge");
    assert_int_equal(info.cpu_registered, 4096);
    assert_int_equal(strlen(info.id), 32);
    for (size_t a = 0; a < info.attribute_count; a++) {
        assert_int_equal(ecs_plane_instance_attribute(f->pl, idx, 2, a, &name, &value), ECS_OK);
        saw_az |= strcmp(name, "ecs.availability-zone") == 0 && strcmp(value, "us-east-1c") == 0;
        saw_type |= strcmp(name, "ecs.instance-type") == 0 && strcmp(value, "c5.xlarge") == 0;
        saw_cap |= strcmp(name, "ecs.capability.task-eni") == 0 && value == NULL;
    }
    assert_true(saw_az && saw_type && saw_cap);
    assert_int_equal(ecs_plane_instance_info(f->pl, idx, 3, &info), ECS_E_INVALID_ARG);

    /* by id, by ARN, and a miss */
    {
        char req[512];
        ecs_plane_instance_info(f->pl, idx, 0, &info);
        snprintf(req, sizeof req,
                 "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\",\"%s\",\"feedface\"]}", info.id,
                 info.arn);
        ok(f, "DescribeContainerInstances", req);
        assert_int_equal(len_at(f, "containerInstances"), 2);
        assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
        assert_string_equal(str_at(f, "failures.0.arn"),
                            "arn:aws:ecs:us-east-1:123456789012:container-instance/c1/feedface");
    }
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"]}");
    assert_int_equal(int_at(f, "clusters.0.registeredContainerInstancesCount"), 3);
    fails(f, "DeleteCluster", "{\"cluster\":\"c1\"}", "ClusterContainsContainerInstancesException", NULL);
    /* the same EC2 instance again is the same container instance */
    ok(f, "RegisterContainerInstance", INSTANCE("us-east-1a", "m5.large", "i-aaa", 2048, 7680));
    assert_int_equal(ecs_plane_instance_count(f->pl, idx), 3);
}

static void test_plane__register_instance_errors(void **state)
{
    fx *f = *state;
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    fails(f, "RegisterContainerInstance", "{\"cluster\":\"c2\",\"totalResources\":[]}",
          "ClusterNotFoundException", "c2");
    fails(f, "RegisterContainerInstance", "{\"cluster\":\"c1\"}", "InvalidParameterException", "CPU and MEMORY");
    fails(f, "RegisterContainerInstance",
          "{\"cluster\":\"c1\",\"instanceIdentityDocument\":\"{nope\",\"totalResources\":[]}",
          "InvalidParameterException", "instanceIdentityDocument");
    fails(f, "RegisterContainerInstance",
          "{\"cluster\":\"c1\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":-1},"
          "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":10}]}",
          "InvalidParameterException", "totalResources[0]");
    fails(f, "RegisterContainerInstance",
          "{\"cluster\":\"c1\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":1},"
          "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":10},"
          "{\"name\":\"PORTS\",\"type\":\"STRINGSET\",\"stringSetValue\":[\"70000\"]}]}",
          "InvalidParameterException", "totalResources[2].stringSetValue[0]");
    fails(f, "RegisterContainerInstance",
          "{\"cluster\":\"c1\",\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":1},"
          "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":10}],"
          "\"attributes\":[{\"name\":\"bad name!\"}]}",
          "InvalidParameterException", "attributes[0].name");
    fails(f, "RegisterContainerInstance",
          "{\"cluster\":\"c1\",\"containerInstanceArn\":\"nope\",\"totalResources\":[]}",
          "InvalidParameterException", "containerInstanceArn");
}

static void test_plane__list_update_deregister_instances(void **state)
{
    fx *f = *state;
    ecs_instance_info a, b;
    size_t idx;
    char req[512];

    register_three(f);
    ecs_plane_find_cluster(f->pl, "c1", 2, &idx);
    ecs_plane_instance_info(f->pl, idx, 0, &a);
    ecs_plane_instance_info(f->pl, idx, 1, &b);
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"maxResults\":2}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 2);
    assert_non_null(at(f, "nextToken"));
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"maxResults\":2,\"nextToken\":\"%s\"}",
             str_at(f, "nextToken"));
    ok(f, "ListContainerInstances", req);
    assert_int_equal(len_at(f, "containerInstanceArns"), 1);
    assert_null(at(f, "nextToken"));

    snprintf(req, sizeof req,
             "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\",\"missing\"],\"status\":\"DRAINING\"}",
             a.id);
    ok(f, "UpdateContainerInstancesState", req);
    assert_string_equal(str_at(f, "containerInstances.0.status"), "DRAINING");
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"status\":\"DRAINING\"}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 1);
    assert_string_equal(str_at(f, "containerInstanceArns.0"), a.arn);
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"],\"status\":\"REGISTERING\"}", a.id);
    fails(f, "UpdateContainerInstancesState", req, "InvalidParameterException", "ACTIVE or DRAINING");
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"],\"status\":\"SLEEPING\"}", a.id);
    fails(f, "UpdateContainerInstancesState", req, "InvalidParameterException", "status");
    /* filter: the cluster query language */
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:ecs.instance-type == c5.xlarge\"}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 1);
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:ecs.availability-zone in [us-east-1a, us-east-1c] and not(attribute:ecs.instance-type =~ c5.*)\"}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 1);
    assert_string_equal(str_at(f, "containerInstanceArns.0"), a.arn);
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:nosuch != x\"}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 0); /* missing subject: false */
    fails(f, "ListContainerInstances", "{\"cluster\":\"c1\",\"filter\":\"attribute:x ==\"}",
          "InvalidParameterException", "filter");

    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"containerInstance\":\"%s\"}", b.arn);
    ok(f, "DeregisterContainerInstance", req);
    assert_string_equal(str_at(f, "containerInstance.status"), "INACTIVE");
    fails(f, "DeregisterContainerInstance", req, "InvalidParameterException", "not found");
    ok(f, "ListContainerInstances", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "containerInstanceArns"), 2);
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"]}");
    assert_int_equal(int_at(f, "clusters.0.registeredContainerInstancesCount"), 2);
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"],\"status\":\"ACTIVE\"}", b.id);
    ok(f, "UpdateContainerInstancesState", req);
    assert_string_equal(str_at(f, "failures.0.reason"), "INACTIVE");
}

static void test_plane__attributes(void **state)
{
    fx *f = *state;
    ecs_instance_info a;
    size_t idx;
    char req[4096];

    register_three(f);
    ecs_plane_find_cluster(f->pl, "c1", 2, &idx);
    ecs_plane_instance_info(f->pl, idx, 0, &a);
    snprintf(req, sizeof req,
             "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"stack\",\"value\":\"prod\",\"targetType\":"
             "\"container-instance\",\"targetId\":\"%s\"},{\"name\":\"flag\",\"targetId\":\"%s\"}]}",
             a.id, a.arn);
    ok(f, "PutAttributes", req);
    assert_int_equal(len_at(f, "attributes"), 2);
    assert_string_equal(str_at(f, "attributes.0.targetId"), a.arn);
    ok(f, "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"attributeName\":\"stack\"}");
    assert_int_equal(len_at(f, "attributes"), 1);
    assert_string_equal(str_at(f, "attributes.0.value"), "prod");
    ok(f, "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"attributeName\":\"ecs.availability-zone\",\"attributeValue\":\"us-east-1b\"}");
    assert_int_equal(len_at(f, "attributes"), 1);
    ok(f, "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"maxResults\":5}");
    assert_int_equal(len_at(f, "attributes"), 5);
    assert_non_null(at(f, "nextToken"));

    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"stack\",\"targetId\":\"%s\"}]}", a.id);
    fails(f, "PutAttributes", req, "InvalidParameterException", "targetType");
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"stack\",\"value\":\" x\",\"targetId\":\"%s\"}]}", a.arn);
    fails(f, "PutAttributes", req, "InvalidParameterException", "attributes[0].value");
    fails(f, "PutAttributes",
          "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"stack\",\"targetType\":\"container-instance\",\"targetId\":\"nope\"}]}",
          "TargetNotFoundException", "nope");
    {
        /* 2 custom now; 9 more would make 11 */
        size_t n = (size_t)snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"attributes\":[");
        for (int i = 0; i < 9; i++)
            n += (size_t)snprintf(req + n, sizeof req - n, "%s{\"name\":\"k%d\",\"targetId\":\"%s\"}",
                                  i ? "," : "", i, a.arn);
        snprintf(req + n, sizeof req - n, "]}");
        fails(f, "PutAttributes", req, "AttributeLimitExceededException", "limit");
    }
    fails(f, "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"attributeValue\":\"x\"}",
          "InvalidParameterException", "attributeName");
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"stack\",\"targetId\":\"%s\"}]}", a.arn);
    ok(f, "DeleteAttributes", req);
    ok(f, "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"attributeName\":\"stack\"}");
    assert_int_equal(len_at(f, "attributes"), 0);
    snprintf(req, sizeof req, "{\"cluster\":\"c1\",\"attributes\":[{\"name\":\"ecs.availability-zone\",\"targetId\":\"%s\"}]}", a.arn);
    fails(f, "DeleteAttributes", req, "InvalidParameterException", "built-in");
}

static void test_plane__task_definition_revisions(void **state)
{
    fx *f = *state;
    ecs_taskdef_info info;
    ok(f, "RegisterTaskDefinition", k_taskdef);
    assert_int_equal(int_at(f, "taskDefinition.revision"), 1);
    assert_string_equal(str_at(f, "taskDefinition.taskDefinitionArn"),
                        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1");
    assert_string_equal(str_at(f, "taskDefinition.status"), "ACTIVE");
    assert_string_equal(str_at(f, "taskDefinition.family"), "web");
    ok(f, "RegisterTaskDefinition", k_taskdef);
    ok(f, "RegisterTaskDefinition", k_taskdef);
    assert_int_equal(int_at(f, "taskDefinition.revision"), 3);
    assert_int_equal(ecs_plane_find_taskdef(f->pl, "web", 3, &info), ECS_OK);
    assert_int_equal(info.revision, 3);
    assert_int_equal(info.memory_mib, 256);
    assert_int_equal(info.cpu_units, 128);

    ok(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"web:2\"}");
    assert_int_equal(int_at(f, "taskDefinition.revision"), 2);
    ok(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"arn:aws:ecs:us-east-1:123456789012:task-definition/web:1\"}");
    assert_int_equal(int_at(f, "taskDefinition.revision"), 1);
    ok(f, "DeregisterTaskDefinition", "{\"taskDefinition\":\"web:3\"}");
    assert_string_equal(str_at(f, "taskDefinition.status"), "INACTIVE");
    assert_non_null(at(f, "taskDefinition.deregisteredAt"));
    ok(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"web\"}"); /* latest ACTIVE */
    assert_int_equal(int_at(f, "taskDefinition.revision"), 2);
    ok(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"web:3\"}"); /* still describable */
    assert_string_equal(str_at(f, "taskDefinition.status"), "INACTIVE");
    fails(f, "DeregisterTaskDefinition", "{\"taskDefinition\":\"web\"}", "ClientException", "revision");
    fails(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"nope\"}", "ClientException", "nope");
    fails(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"web:9\"}", "ClientException", "web:9");

    ok(f, "DeleteTaskDefinitions", "{\"taskDefinitions\":[\"web:3\",\"web:1\",\"web:7\"]}");
    assert_int_equal(len_at(f, "taskDefinitions"), 1);
    assert_string_equal(str_at(f, "taskDefinitions.0.status"), "DELETE_IN_PROGRESS");
    assert_int_equal(len_at(f, "failures"), 2);
    ok(f, "ListTaskDefinitions", "{\"status\":\"DELETE_IN_PROGRESS\"}");
    assert_int_equal(len_at(f, "taskDefinitionArns"), 1);
    assert_int_equal(ecs_plane_set_time(f->pl, ecs_plane_now_ms(f->pl) + 1000), ECS_OK);
    ok(f, "ListTaskDefinitions", "{\"status\":\"DELETE_IN_PROGRESS\"}");
    assert_int_equal(len_at(f, "taskDefinitionArns"), 0);
    fails(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"web:3\"}", "ClientException", NULL);
    ok(f, "RegisterTaskDefinition", k_taskdef); /* never reuses 3 */
    assert_int_equal(int_at(f, "taskDefinition.revision"), 4);
    assert_int_equal(ecs_plane_set_time(f->pl, 0), ECS_E_INVALID_ARG);
}

static void test_plane__list_task_definitions_and_families(void **state)
{
    fx *f = *state;
    char req[512];
    const char *fams[] = { "b-svc", "a-svc", "c-job" };
    for (int i = 0; i < 3; i++) {
        for (int r = 0; r < 2; r++) {
            snprintf(req, sizeof req,
                     "{\"family\":\"%s\",\"containerDefinitions\":[{\"name\":\"x\",\"image\":\"busybox\",\"memory\":64}]}",
                     fams[i]);
            ok(f, "RegisterTaskDefinition", req);
        }
    }
    ok(f, "DeregisterTaskDefinition", "{\"taskDefinition\":\"c-job:1\"}");
    ok(f, "DeregisterTaskDefinition", "{\"taskDefinition\":\"c-job:2\"}");
    ok(f, "ListTaskDefinitions", "{}");
    assert_int_equal(len_at(f, "taskDefinitionArns"), 4);
    assert_string_equal(str_at(f, "taskDefinitionArns.0"), "arn:aws:ecs:us-east-1:123456789012:task-definition/a-svc:1");
    assert_string_equal(str_at(f, "taskDefinitionArns.3"), "arn:aws:ecs:us-east-1:123456789012:task-definition/b-svc:2");
    ok(f, "ListTaskDefinitions", "{\"sort\":\"DESC\",\"maxResults\":3}");
    assert_string_equal(str_at(f, "taskDefinitionArns.0"), "arn:aws:ecs:us-east-1:123456789012:task-definition/b-svc:2");
    assert_int_equal(len_at(f, "taskDefinitionArns"), 3);
    snprintf(req, sizeof req, "{\"sort\":\"DESC\",\"maxResults\":3,\"nextToken\":\"%s\"}", str_at(f, "nextToken"));
    ok(f, "ListTaskDefinitions", req);
    assert_int_equal(len_at(f, "taskDefinitionArns"), 1);
    assert_string_equal(str_at(f, "taskDefinitionArns.0"), "arn:aws:ecs:us-east-1:123456789012:task-definition/a-svc:1");
    ok(f, "ListTaskDefinitions", "{\"familyPrefix\":\"c-\",\"status\":\"INACTIVE\"}");
    assert_int_equal(len_at(f, "taskDefinitionArns"), 2);
    ok(f, "ListTaskDefinitionFamilies", "{}");
    assert_int_equal(len_at(f, "families"), 2);
    assert_string_equal(str_at(f, "families.0"), "a-svc");
    ok(f, "ListTaskDefinitionFamilies", "{\"status\":\"INACTIVE\"}");
    assert_int_equal(len_at(f, "families"), 1);
    assert_string_equal(str_at(f, "families.0"), "c-job");
    ok(f, "ListTaskDefinitionFamilies", "{\"status\":\"ALL\",\"maxResults\":2}");
    assert_int_equal(len_at(f, "families"), 2);
    snprintf(req, sizeof req, "{\"status\":\"ALL\",\"maxResults\":2,\"nextToken\":\"%s\"}", str_at(f, "nextToken"));
    ok(f, "ListTaskDefinitionFamilies", req);
    assert_int_equal(len_at(f, "families"), 1);
    assert_string_equal(str_at(f, "families.0"), "c-job");
    fails(f, "ListTaskDefinitions", "{\"status\":\"GONE\"}", "InvalidParameterException", "status");
}

/* Register, describe, register what describe returned (lenient plane),
 * describe again: the definitions are equal but for the ARN and revision. */
static void test_plane__task_definition_round_trip(void **state)
{
    fx *f = *state;
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    ecs_plane *lenient;
    char *first;
    const char *out;
    size_t len;
    size_t fl;
    char *text = test_read_file(ECS_SOURCE_DIR "/examples/my-api-taskdef.json", &fl);
    assert_non_null(text);
    ok(f, "RegisterTaskDefinition", text);
    free(text);
    ok(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"my-api:1\"}");
    {
        char *t;
        size_t tl;
        assert_int_equal(ecs_json_write_text(f->ctx, f->doc, ecs_json_root(f->doc), 0, &t, &tl), ECS_OK);
        first = malloc(tl + 1);
        memcpy(first, t, tl + 1);
        ecs_json_text_free(f->ctx, t, tl);
    }
    /* strict: the pasted describe output is refused */
    fails(f, "RegisterTaskDefinition", first, "InvalidParameterException", "taskDefinition");
    o.flags = ECS_PLANE_F_LENIENT_TASKDEF;
    assert_int_equal(ecs_plane_new(f->ctx, &o, &lenient), ECS_OK);
    assert_int_equal(ecs_plane_call(lenient, "RegisterTaskDefinition", 22, first, strlen(first), &out, &len), ECS_OK);
    assert_int_equal(ecs_plane_call(lenient, "DescribeTaskDefinition", 22,
                                    "{\"taskDefinition\":\"my-api:1\"}", 29, &out, &len), ECS_OK);
    assert_string_equal(out, first);
    ecs_plane_free(lenient);
    free(first);
}

/* Every call of a scenario, with its Nth allocation refused for N = 1, 2,
 * ... until it succeeds: each refused call returns ECS_E_NOMEM and leaves
 * the dump unchanged; nothing leaks. */
static void test_plane__every_call_is_all_or_nothing_under_oom(void **state)
{
    fx *f = *state;
    static const struct { const char *action, *req; } script[] = {
        { "CreateCluster", "{\"clusterName\":\"c1\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}" },
        { "RegisterContainerInstance", INSTANCE("us-east-1a", "m5.large", "i-aaa", 2048, 7680) },
        { "RegisterContainerInstance", INSTANCE("us-east-1b", "m5.large", "i-bbb", 2048, 7680) },
        { "DescribeClusters", "{\"clusters\":[\"c1\",\"x\"],\"include\":[\"TAGS\"]}" },
        { "ListContainerInstances", "{\"cluster\":\"c1\",\"maxResults\":1}" },
        { "RegisterTaskDefinition", k_taskdef },
        { "RegisterTaskDefinition", "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"memory\":64}],\"tags\":[{\"key\":\"a\",\"value\":\"b\"}]}" },
        { "DescribeTaskDefinition", "{\"taskDefinition\":\"web\",\"include\":[\"TAGS\"]}" },
        { "DeregisterTaskDefinition", "{\"taskDefinition\":\"web:1\"}" },
        { "ListTaskDefinitions", "{\"status\":\"INACTIVE\"}" },
        { "ListTaskDefinitionFamilies", "{}" },
        { "DeleteTaskDefinitions", "{\"taskDefinitions\":[\"web:1\"]}" },
        { "ListAttributes", "{\"cluster\":\"c1\",\"targetType\":\"container-instance\",\"maxResults\":3}" },
        { "ListClusters", "{}" },
        { "CreateCluster", "{\"clusterName\":\"c2\"}" },
        { "DeleteCluster", "{\"cluster\":\"c2\"}" },
    };
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        for (size_t n = 1;; n++) {
            const char *d, *out;
            size_t dl, ol;
            char *before;
            ecs_status rc;
            assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
            before = malloc(dl + 1);
            memcpy(before, d, dl + 1);
            test_alloc_fail_at(&f->ta, n, false);
            rc = ecs_plane_call(f->pl, script[i].action, strlen(script[i].action), script[i].req,
                                strlen(script[i].req), &out, &ol);
            test_alloc_fail_at(&f->ta, 0, false);
            if (rc == ECS_OK) {
                free(before);
                break;
            }
            if (rc != ECS_E_NOMEM)
                fail_msg("%s with allocation %zu refused: %s %s", script[i].action, n,
                         ecs_plane_error_code(f->pl), ecs_ctx_errmsg(f->ctx));
            assert_string_equal(ecs_plane_error_code(f->pl), "ServerException");
            assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
            if (strcmp(before, d) != 0)
                fail_msg("%s with allocation %zu refused changed the state", script[i].action, n);
            free(before);
            assert_true(n < 10000);
        }
    }
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"]}");
    assert_int_equal(int_at(f, "clusters.0.registeredContainerInstancesCount"), 2);
    assert_int_equal(f->ta.errors, 0);
}

static void test_plane__same_seed_same_output(void **state)
{
    fx *f = *state;
    ecs_plane *p[3];
    char out[3][4096];
    for (int k = 0; k < 3; k++) {
        ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
        const char *r;
        size_t rl;
        o.seed = k == 2 ? 7 : 99;
        assert_int_equal(ecs_plane_new(f->ctx, &o, &p[k]), ECS_OK);
        assert_int_equal(ecs_plane_call(p[k], "CreateCluster", 13, "{\"clusterName\":\"c1\"}", 20, &r, &rl), ECS_OK);
        assert_int_equal(ecs_plane_call(p[k], "RegisterContainerInstance", 25,
                                        INSTANCE("us-east-1a", "m5.large", "i-aaa", 2048, 7680),
                                        strlen(INSTANCE("us-east-1a", "m5.large", "i-aaa", 2048, 7680)),
                                        &r, &rl), ECS_OK);
        snprintf(out[k], sizeof out[k], "%s", r);
    }
    assert_string_equal(out[0], out[1]);
    assert_string_not_equal(out[0], out[2]); /* the id comes from the seed */
    for (int k = 0; k < 3; k++)
        ecs_plane_free(p[k]);
}

static void test_plane__misuse(void **state)
{
    fx *f = *state;
    const char *out;
    ecs_plane *pl = NULL;
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    assert_int_equal(ecs_plane_call(NULL, "X", 1, NULL, 0, &out, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_plane_call(f->pl, "X", 1, NULL, 0, NULL, NULL), ECS_E_INVALID_ARG);
    o.region = "Mars 1";
    assert_int_equal(ecs_plane_new(f->ctx, &o, &pl), ECS_E_INVALID_ARG);
    assert_null(pl);
    o.region = NULL;
    o.account_id = "12";
    assert_int_equal(ecs_plane_new(f->ctx, &o, &pl), ECS_E_INVALID_ARG);
    o.account_id = "000000000001";
    o.region = "eu-west-1";
    assert_int_equal(ecs_plane_new(f->ctx, &o, &pl), ECS_OK);
    assert_int_equal(ecs_plane_call(pl, "CreateCluster", 13, NULL, 0, &out, NULL), ECS_OK);
    assert_non_null(strstr(out, "arn:aws:ecs:eu-west-1:000000000001:cluster/default"));
    ecs_plane_free(pl);
    ecs_plane_free(NULL);
    assert_int_equal(ecs_plane_now_ms(f->pl), ECS_PLANE_DEFAULT_START_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plane__create_describe_list_delete_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__cluster_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__list_clusters_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__register_and_describe_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__register_instance_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__list_update_deregister_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__task_definition_revisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__list_task_definitions_and_families, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__task_definition_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__every_call_is_all_or_nothing_under_oom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__same_seed_same_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plane__misuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
