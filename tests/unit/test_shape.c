/*
 * Tests of the request shape check (lib/api/shape.h): the action table,
 * every class of violation with its error code, status and the exact path
 * in the message, valid requests (the README's task definition among them),
 * hostile input (deep nesting, huge and multi-byte names, a non-object
 * root) and misuse. The last tests run the real task definitions and
 * service definitions of ../shared/conformance through the RegisterTaskDefinition
 * and CreateService shapes: every file expected `valid` must pass, and the
 * files that are invalid because of a type, an unknown member, a null or an
 * enum value must be refused; the report says which invalid files the shape
 * check alone refuses (the rest are semantic, for the model's checks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/shape.h"
#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_util.h"

#define REPO_DIR ECS_SOURCE_DIR
#define TASKDEF_DIR ECS_SHARED_DIR "/conformance/taskdefs/"
#define SERVICE_DIR ECS_SHARED_DIR "/conformance/services/"

typedef struct fixture {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_api_error err;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    if (f == NULL) {
        return -1;
    }
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    test_ctx_free_check(f->ctx, &f->ta);
    free(f);
    return 0;
}

/* Strict UTF-8 check (messages go into JSON responses). */
static bool utf8_valid(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k, need;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (need >= n - i) {
            return false; /* truncated sequence */
        }
        for (k = 1; k <= need; k++) {
            unsigned char d = (unsigned char)s[i + k];
            if ((d & 0xC0u) != 0x80u) {
                return false;
            }
            cp = (cp << 6) | (d & 0x3Fu);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
            return false;
        }
        i += need + 1;
    }
    return true;
}

/* Parse json (deep nesting allowed) and check it against action's input. */
static ecs_status run_len(fixture *f, const char *action, const char *json, size_t len)
{
    ecs_json_parse_options o = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_json_doc *doc = NULL;
    int shape = ecs_shape__action_input(action, strlen(action));
    ecs_status rc;

    assert_true(shape >= 0);
    o.max_depth = 400000;
    rc = ecs_json_parse(f->ctx, json, len, &o, &doc);
    if (rc != ECS_OK) {
        print_message("parse failed: %s\n", ecs_ctx_errmsg(f->ctx));
    }
    assert_int_equal(rc, ECS_OK);
    memset(&f->err, 0, sizeof f->err);
    rc = ecs_shape__check(&f->err, doc, ecs_json_root(doc), shape);
    ecs_json_doc_free(doc);
    if (rc != ECS_OK) {
        assert_non_null(f->err.code);
        assert_true(strlen(f->err.message) < sizeof f->err.message);
        assert_true(utf8_valid(f->err.message, strlen(f->err.message)));
    }
    return rc;
}

static ecs_status run(fixture *f, const char *action, const char *json)
{
    return run_len(f, action, json, strlen(json));
}

static void expect_ok_at(fixture *f, const char *action, const char *json, int line)
{
    ecs_status rc = run(f, action, json);

    if (rc != ECS_OK) {
        print_message("line %d: %s refused %s\n  %s: %s\n", line, action, json, f->err.code,
                      f->err.message);
    }
    assert_int_equal(rc, ECS_OK);
}

/* The check fails with status and code, and the message contains want. */
static void expect_fail_at(fixture *f, const char *action, const char *json, ecs_status status,
                           const char *code, const char *want, int line)
{
    ecs_status rc = run(f, action, json);

    if (rc != status || rc == ECS_OK || strcmp(f->err.code, code) != 0 ||
        strstr(f->err.message, want) == NULL) {
        print_message("line %d: %s %s\n  got %d %s: %s\n  want %d %s: ...%s...\n", line, action,
                      json, (int)rc, rc == ECS_OK ? "(none)" : f->err.code,
                      rc == ECS_OK ? "" : f->err.message, (int)status, code, want);
        fail();
    }
}

#define EXPECT_OK(f, action, json) expect_ok_at((f), (action), (json), __LINE__)
#define EXPECT_SERIAL(f, action, json, want)                                                   \
    expect_fail_at((f), (action), (json), ECS_E_PARSE, ECS_ERR_SERIALIZATION, (want), __LINE__)
#define EXPECT_INVALID(f, action, json, want)                                                  \
    expect_fail_at((f), (action), (json), ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, (want), \
                   __LINE__)

/* A task definition request with one container whose body is `container`
 * (JSON members, without braces) and `extra` task-level members. */
static const char *taskdef(char *buf, size_t cap, const char *container, const char *extra)
{
    int n = snprintf(buf, cap,
                     "{\"family\":\"web\",%s%s\"containerDefinitions\":[{\"name\":\"app\","
                     "\"image\":\"nginx\"%s%s}]}",
                     extra, extra[0] ? "," : "", container[0] ? "," : "", container);
    assert_true(n > 0 && (size_t)n < cap);
    return buf;
}

/* ------------------------------------------------------------------------ */

static void test_shape__action_table_is_sorted_and_searchable(void **state)
{
    size_t i, n = ecs_shape__action_count();

    (void)state;
    assert_int_equal(n, 56);
    for (i = 0; i < n; i++) {
        const char *name = ecs_shape__action_name(i);
        assert_non_null(name);
        if (i > 0) {
            assert_true(strcmp(ecs_shape__action_name(i - 1), name) < 0);
        }
        assert_true(ecs_shape__action_input(name, strlen(name)) >= 0);
    }
    assert_null(ecs_shape__action_name(n));
    assert_true(ecs_shape__action_input("RunTask", 7) >= 0);
    assert_true(ecs_shape__action_input("RegisterTaskDefinition", 22) >= 0);
    assert_true(ecs_shape__action_input("ListTasks", 9) != ecs_shape__action_input("RunTask", 7));
}

static void test_shape__unknown_action_gives_minus_one(void **state)
{
    (void)state;
    assert_int_equal(ecs_shape__action_input("RunTasks", 8), -1);
    assert_int_equal(ecs_shape__action_input("runTask", 7), -1);
    assert_int_equal(ecs_shape__action_input("RunTask", 3), -1); /* "Run" */
    /* only len bytes count */
    assert_int_equal(ecs_shape__action_input("RunTaskX", 7), ecs_shape__action_input("RunTask", 7));
    assert_int_equal(ecs_shape__action_input("", 0), -1);
    assert_int_equal(ecs_shape__action_input(NULL, 0), -1);
    assert_int_equal(ecs_shape__action_input("AAAA", 4), -1);
    assert_int_equal(ecs_shape__action_input("zzzz", 4), -1);
    assert_int_equal(ecs_shape__action_input("RunTask\0", 8), -1);
    assert_int_equal(ecs_shape__action_input("AmazonEC2ContainerServiceV20141113.RunTask", 42),
                     -1);
}

static void test_shape__readme_task_definition_is_valid(void **state)
{
    fixture *f = *state;
    size_t len = 0;
    char *json = test_read_file(REPO_DIR "/examples/my-api-taskdef.json", &len);

    assert_non_null(json);
    assert_int_equal(run_len(f, "RegisterTaskDefinition", json, len), ECS_OK);
    free(json);
}

static void test_shape__valid_requests_pass(void **state)
{
    fixture *f = *state;
    char buf[2048];

    EXPECT_OK(f, "ListClusters", "{}");
    EXPECT_OK(f, "ListClusters", "{\"maxResults\":100,\"nextToken\":\"x\"}");
    EXPECT_OK(f, "RunTask",
              "{\"cluster\":\"default\",\"taskDefinition\":\"web:1\",\"count\":10,"
              "\"launchType\":\"EC2\",\"startedBy\":\"me\",\"enableECSManagedTags\":false,"
              "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs."
              "availability-zone\"},{\"type\":\"binpack\",\"field\":\"memory\"}],"
              "\"placementConstraints\":[{\"type\":\"distinctInstance\"}],"
              "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"s-1\"],"
              "\"assignPublicIp\":\"DISABLED\"}},"
              "\"overrides\":{\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"a\"],"
              "\"environment\":[{\"name\":\"A\",\"value\":\"1\"}],\"memory\":512}],"
              "\"cpu\":\"256\"},\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}");
    EXPECT_OK(f, "RegisterContainerInstance",
              "{\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":2048,"
              "\"longValue\":9223372036854775807,\"doubleValue\":1},"
              "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"longValue\":-9223372036854775808,"
              "\"doubleValue\":1.5e300}]}");
    EXPECT_OK(f, "SubmitTaskStateChange",
              "{\"pullStartedAt\":1700000000,\"pullStoppedAt\":1700000000.25}");
    EXPECT_OK(f, "RegisterTaskDefinition",
              taskdef(buf, sizeof buf,
                      "\"cpu\":-2147483648,\"memory\":2147483647,\"essential\":true,"
                      "\"portMappings\":[{\"containerPort\":80},{\"containerPort\":443,"
                      "\"hostPort\":443,\"protocol\":\"udp\",\"appProtocol\":\"http2\"}],"
                      "\"dockerLabels\":{},\"ulimits\":[{\"name\":\"nofile\",\"softLimit\":1,"
                      "\"hardLimit\":2}],\"dependsOn\":[{\"containerName\":\"b\","
                      "\"condition\":\"HEALTHY\"}],\"linuxParameters\":{\"devices\":[{"
                      "\"hostPath\":\"/dev/x\",\"permissions\":[\"read\",\"mknod\"]}]}",
                      "\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"EC2\","
                      "\"FARGATE\",\"EXTERNAL\"],\"pidMode\":\"task\",\"ipcMode\":\"none\","
                      "\"enableFaultInjection\":false,\"runtimePlatform\":{"
                      "\"cpuArchitecture\":\"ARM64\",\"operatingSystemFamily\":\"LINUX\"}"));
    /* duplicate members are each checked; the required one counts */
    EXPECT_OK(f, "DeleteCluster", "{\"cluster\":\"a\",\"cluster\":\"b\"}");
    /* map keys are free text, including the empty string and non-ASCII */
    EXPECT_OK(f, "RegisterTaskDefinition",
              taskdef(buf, sizeof buf, "\"dockerLabels\":{\"\":\"\",\"\xC3\xA9t\xC3\xA9\":\"x\"}",
                      ""));
}

static void test_shape__every_action_accepts_or_names_the_missing_member(void **state)
{
    fixture *f = *state;
    size_t i;

    for (i = 0; i < ecs_shape__action_count(); i++) {
        const char *name = ecs_shape__action_name(i);
        ecs_status rc = run(f, name, "{}");
        if (rc != ECS_OK) {
            assert_int_equal(rc, ECS_E_INVALID_ARG);
            assert_string_equal(f->err.code, ECS_ERR_INVALID_PARAMETER);
            assert_non_null(strstr(f->err.message, "Missing required parameter in input: \""));
        }
    }
}

static void test_shape__type_errors_are_serialization_with_path(void **state)
{
    fixture *f = *state;
    char buf[2048];

    /* the exact message */
    assert_int_equal(run(f, "RegisterTaskDefinition",
                         taskdef(buf, sizeof buf,
                                 "\"portMappings\":[{\"containerPort\":80},"
                                 "{\"containerPort\":81,\"hostPort\":\"81\"}]",
                                 "")),
                     ECS_E_PARSE);
    assert_string_equal(f->err.code, ECS_ERR_SERIALIZATION);
    assert_string_equal(f->err.message,
                        "Invalid type for parameter containerDefinitions[0].portMappings[1]."
                        "hostPort: expected an integer, got string");

    /* integers: a double (even 1.0), out of 32 bits, beyond 64 bits, bool */
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"memory\":512.0", ""),
                  "containerDefinitions[0].memory: expected an integer");
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"memory\":5e2", ""),
                  "containerDefinitions[0].memory: expected an integer");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"memory\":2147483648", ""),
                  "containerDefinitions[0].memory: expected an integer, got an integer beyond 32");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"cpu\":-2147483649", ""),
                  "containerDefinitions[0].cpu: expected an integer");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"cpu\":99999999999999999999999", ""),
                  "containerDefinitions[0].cpu: expected an integer, got an integer beyond 64");
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"cpu\":true", ""),
                  "containerDefinitions[0].cpu: expected an integer, got boolean");
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"memory\":\"256\"", ""),
                  "containerDefinitions[0].memory: expected an integer, got string");
    /* longs */
    EXPECT_SERIAL(f, "RegisterContainerInstance",
                  "{\"totalResources\":[{},{\"longValue\":9223372036854775808}]}",
                  "totalResources[1].longValue: expected an integer, got an integer beyond 64");
    EXPECT_SERIAL(f, "RegisterContainerInstance", "{\"totalResources\":[{\"longValue\":1.5}]}",
                  "totalResources[0].longValue: expected an integer");
    /* doubles */
    EXPECT_SERIAL(f, "RegisterContainerInstance",
                  "{\"totalResources\":[{\"doubleValue\":\"1\"}]}",
                  "totalResources[0].doubleValue: expected a number, got string");
    /* booleans */
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"essential\":1", ""),
                  "containerDefinitions[0].essential: expected a boolean, got integer");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"essential\":\"true\"", ""),
                  "containerDefinitions[0].essential: expected a boolean, got string");
    /* timestamps are numbers, not strings */
    EXPECT_SERIAL(f, "SubmitTaskStateChange", "{\"pullStartedAt\":\"2024-01-01T00:00:00Z\"}",
                  "pullStartedAt: expected a timestamp");
    /* strings */
    EXPECT_SERIAL(f, "RegisterTaskDefinition", "{\"family\":7,\"containerDefinitions\":[]}",
                  "Invalid type for parameter family: expected a string, got integer");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"command\":[\"a\",[\"b\"]]", ""),
                  "containerDefinitions[0].command[1]: expected a string, got array");
    /* containers: object for list, list for structure, list for map */
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"portMappings\":{\"containerPort\":80}", ""),
                  "containerDefinitions[0].portMappings: expected a list (JSON array), got object");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"logConfiguration\":[]", ""),
                  "containerDefinitions[0].logConfiguration: expected a structure");
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"dockerLabels\":[]", ""),
                  "containerDefinitions[0].dockerLabels: expected a map (JSON object), got array");
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "\"dockerLabels\":{\"a\":\"1\",\"b\":2}", ""),
                  "containerDefinitions[0].dockerLabels.b: expected a string, got integer");
    EXPECT_SERIAL(f, "RegisterTaskDefinition", "{\"family\":\"x\",\"containerDefinitions\":{}}",
                  "Invalid type for parameter containerDefinitions: expected a list");
    /* list of structures: a string element */
    EXPECT_SERIAL(f, "RegisterTaskDefinition", "{\"family\":\"x\",\"containerDefinitions\":[\"a\"]}",
                  "containerDefinitions[0]: expected a structure (JSON object), got string");
}

static void test_shape__root_must_be_an_object(void **state)
{
    fixture *f = *state;

    EXPECT_SERIAL(f, "ListClusters", "[]", "must be a JSON object, got array");
    EXPECT_SERIAL(f, "ListClusters", "\"x\"", "must be a JSON object, got string");
    EXPECT_SERIAL(f, "ListClusters", "1", "must be a JSON object, got integer");
    EXPECT_SERIAL(f, "ListClusters", "null", "must be a JSON object, got null");
}

static void test_shape__unknown_members_are_invalid_parameter(void **state)
{
    fixture *f = *state;
    char buf[2048];

    assert_int_equal(run(f, "ListClusters", "{\"maxResults\":1,\"foo\":{\"deep\":[1]}}"),
                     ECS_E_INVALID_ARG);
    assert_string_equal(f->err.code, ECS_ERR_INVALID_PARAMETER);
    assert_string_equal(f->err.message,
                        "Unknown parameter in input: \"foo\", must be one of: nextToken, "
                        "maxResults");

    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"portBindings\":[{\"containerPort\":80}]", ""),
                   "Unknown parameter in containerDefinitions[0]: \"portBindings\", must be one "
                   "of: name, image, repositoryCredentials, cpu, memory");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"portMappings\":[{},{\"ContainerPort\":80}]", ""),
                   "Unknown parameter in containerDefinitions[0].portMappings[1]: "
                   "\"ContainerPort\", must be one of: containerPort, hostPort, protocol, name, "
                   "appProtocol, containerPortRange");
    /* read-only describe fields and the describe wrapper */
    EXPECT_INVALID(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "", "\"revision\":3"),
                   "Unknown parameter in input: \"revision\", must be one of: family, "
                   "taskRoleArn, executionRoleArn, networkMode, containerDefinitions");
    EXPECT_INVALID(f, "RegisterTaskDefinition", "{\"taskDefinition\":{\"family\":\"x\"}}",
                   "Unknown parameter in input: \"taskDefinition\"");
    /* names are exact: case matters, and so do embedded NULs */
    EXPECT_INVALID(f, "ListClusters", "{\"MaxResults\":1}", "\"MaxResults\"");
    EXPECT_INVALID(f, "ListClusters", "{\"maxResults\\u0000\":1}", "Unknown parameter in input");
    EXPECT_INVALID(f, "ListClusters", "{\"\":1}", "Unknown parameter in input: \"\"");
    /* the overlay member is known, with its type */
    EXPECT_SERIAL(f, "RegisterTaskDefinition",
                  taskdef(buf, sizeof buf, "", "\"enableFaultInjection\":\"yes\""),
                  "enableFaultInjection: expected a boolean");
}

static void test_shape__long_member_lists_are_cut_cleanly(void **state)
{
    fixture *f = *state;
    char buf[2048];
    size_t n;

    EXPECT_INVALID(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "\"x\":1", ""),
                   "Unknown parameter in containerDefinitions[0]: \"x\", must be one of: name, ");
    n = strlen(f->err.message);
    assert_true(n < ECS_API_MSG_SIZE);
    assert_true(n >= 5 && strcmp(f->err.message + n - 5, ", ...") == 0);
    /* the root's list fits whole and ends with the overlay member */
    EXPECT_INVALID(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "", "\"x\":1"),
                   "runtimePlatform, enableFaultInjection");
    n = strlen(f->err.message);
    assert_string_equal(f->err.message + n - strlen("enableFaultInjection"),
                        "enableFaultInjection");
}

static void test_shape__null_is_invalid_parameter_anywhere(void **state)
{
    fixture *f = *state;
    char buf[2048];

    assert_int_equal(run(f, "RegisterTaskDefinition",
                         taskdef(buf, sizeof buf, "\"ulimits\":null", "")),
                     ECS_E_INVALID_ARG);
    assert_string_equal(f->err.code, ECS_ERR_INVALID_PARAMETER);
    assert_string_equal(f->err.message,
                        "Invalid value for parameter containerDefinitions[0].ulimits: null is "
                        "not a value in the ECS API; leave the member out");
    EXPECT_INVALID(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "", "\"cpu\":null"),
                   "parameter cpu: null");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"command\":[\"a\",null]", ""),
                   "parameter containerDefinitions[0].command[1]: null");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"dockerLabels\":{\"a\":null}", ""),
                   "parameter containerDefinitions[0].dockerLabels.a: null");
    EXPECT_INVALID(f, "RegisterTaskDefinition", "{\"family\":\"x\",\"containerDefinitions\":[null]}",
                   "parameter containerDefinitions[0]: null");
    /* null for a required member is null, not missing */
    EXPECT_INVALID(f, "DeleteCluster", "{\"cluster\":null}", "parameter cluster: null");
}

static void test_shape__missing_required_members(void **state)
{
    fixture *f = *state;
    char buf[2048];

    assert_int_equal(run(f, "RegisterTaskDefinition", "{\"containerDefinitions\":[]}"),
                     ECS_E_INVALID_ARG);
    assert_string_equal(f->err.code, ECS_ERR_INVALID_PARAMETER);
    assert_string_equal(f->err.message, "Missing required parameter in input: \"family\"");
    EXPECT_INVALID(f, "RegisterTaskDefinition", "{\"family\":\"x\"}",
                   "Missing required parameter in input: \"containerDefinitions\"");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"healthCheck\":{\"interval\":5}", ""),
                   "Missing required parameter in containerDefinitions[0].healthCheck: "
                   "\"command\"");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf,
                           "\"ulimits\":[{\"name\":\"nofile\",\"softLimit\":1,\"hardLimit\":2},"
                           "{\"name\":\"core\",\"softLimit\":1}]",
                           ""),
                   "Missing required parameter in containerDefinitions[0].ulimits[1]: "
                   "\"hardLimit\"");
    EXPECT_INVALID(f, "CreateService",
                   "{\"serviceName\":\"s\",\"deploymentConfiguration\":{\"alarms\":{"
                   "\"alarmNames\":[],\"enable\":true}}}",
                   "Missing required parameter in deploymentConfiguration.alarms: \"rollback\"");
    EXPECT_INVALID(f, "UpdateTaskProtection", "{\"cluster\":\"c\",\"tasks\":[]}",
                   "Missing required parameter in input: \"protectionEnabled\"");
}

static void test_shape__enum_values_are_checked(void **state)
{
    fixture *f = *state;
    char buf[2048];

    assert_int_equal(run(f, "RegisterTaskDefinition",
                         taskdef(buf, sizeof buf, "", "\"networkMode\":\"default\"")),
                     ECS_E_INVALID_ARG);
    assert_string_equal(f->err.code, ECS_ERR_INVALID_PARAMETER);
    assert_string_equal(f->err.message,
                        "Invalid value for parameter networkMode: \"default\", must be one of: "
                        "awsvpc, bridge, host, none");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "", "\"requiresCompatibilities\":[\"EC2\",\"fargate\"]"),
                   "parameter requiresCompatibilities[1]: \"fargate\", must be one of: EC2, ");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"portMappings\":[{\"protocol\":\"http\"}]", ""),
                   "parameter containerDefinitions[0].portMappings[0].protocol: \"http\", must be "
                   "one of: tcp, udp");
    EXPECT_INVALID(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "", "\"ipcMode\":\"\""),
                   "parameter ipcMode: \"\", must be one of: host, none, task");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"logConfiguration\":{\"logDriver\":\"AWSLOGS\"}", ""),
                   "containerDefinitions[0].logConfiguration.logDriver: \"AWSLOGS\"");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "\"dependsOn\":[{\"containerName\":\"a\","
                                            "\"condition\":\"STARTED\"}]",
                           ""),
                   "containerDefinitions[0].dependsOn[0].condition: \"STARTED\"");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf,
                           "\"linuxParameters\":{\"devices\":[{\"hostPath\":\"/d\","
                           "\"permissions\":[\"read\",\"exec\"]}]}",
                           ""),
                   "containerDefinitions[0].linuxParameters.devices[0].permissions[1]: \"exec\"");
    EXPECT_INVALID(f, "RunTask",
                   "{\"taskDefinition\":\"t\",\"placementStrategy\":[{\"type\":\"pack\"}]}",
                   "placementStrategy[0].type: \"pack\", must be one of: binpack, random, spread");
    EXPECT_INVALID(f, "UpdateService",
                   "{\"service\":\"s\",\"placementConstraints\":[{\"type\":\"memberof\"}]}",
                   "placementConstraints[0].type: \"memberof\", must be one of: "
                   "distinctInstance, memberOf");
    EXPECT_INVALID(f, "RegisterTaskDefinition",
                   taskdef(buf, sizeof buf, "", "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]"),
                   "placementConstraints[0].type: \"distinctInstance\", must be one of: memberOf");
    EXPECT_INVALID(f, "ListTasks", "{\"desiredStatus\":\"running\"}",
                   "desiredStatus: \"running\", must be one of: PENDING, RUNNING, STOPPED");
    EXPECT_INVALID(f, "DescribeClusters", "{\"include\":[\"TAGS\",\"tags\"]}",
                   "include[1]: \"tags\"");
    EXPECT_INVALID(f, "UpdateContainerInstancesState",
                   "{\"containerInstances\":[],\"status\":\"DRAIN\"}", "status: \"DRAIN\"");
    /* an enum value is a string first */
    EXPECT_SERIAL(f, "RegisterTaskDefinition", taskdef(buf, sizeof buf, "", "\"networkMode\":1"),
                  "networkMode: expected a string, got integer");
    /* long values are quoted shortened, and stay valid UTF-8 */
    {
        char json[1024];
        size_t i, o;
        o = (size_t)snprintf(json, sizeof json, "{\"desiredStatus\":\"");
        for (i = 0; i < 100; i++) {
            json[o++] = '\xE2';
            json[o++] = '\x82';
            json[o++] = '\xAC'; /* U+20AC */
        }
        memcpy(json + o, "\"}", 3);
        EXPECT_INVALID(f, "ListTasks", json, "...\", must be one of: PENDING");
    }
    /* values the enums allow */
    EXPECT_OK(f, "ListTaskDefinitions", "{\"status\":\"ACTIVE\",\"sort\":\"DESC\"}");
    EXPECT_OK(f, "ListTaskDefinitionFamilies", "{\"status\":\"ALL\"}");
    EXPECT_OK(f, "ListContainerInstances", "{\"status\":\"DRAINING\"}");
    EXPECT_OK(f, "DescribeTaskDefinition", "{\"taskDefinition\":\"t\",\"include\":[\"TAGS\"]}");
    EXPECT_OK(f, "CreateService",
              "{\"serviceName\":\"s\",\"schedulingStrategy\":\"DAEMON\",\"propagateTags\":"
              "\"SERVICE\",\"deploymentController\":{\"type\":\"CODE_DEPLOY\"},\"launchType\":"
              "\"FARGATE\"}");
}

static void test_shape__paths_cut_and_names_quoted_stay_utf8(void **state)
{
    fixture *f = *state;
    static char json[40000];
    size_t o = 0, i;

    /* a 1000-byte map key of multi-byte characters, then a bad value */
    o += (size_t)snprintf(json + o, sizeof json - o,
                          "{\"family\":\"x\",\"containerDefinitions\":[{\"dockerLabels\":{\"");
    for (i = 0; i < 500; i++) {
        json[o++] = '\xC3';
        json[o++] = '\xA9';
    }
    o += (size_t)snprintf(json + o, sizeof json - o, "\":1}}]}");
    assert_int_equal(run_len(f, "RegisterTaskDefinition", json, o), ECS_E_PARSE);
    assert_non_null(strstr(f->err.message, "containerDefinitions[0].dockerLabels..."));

    /* a 30000-byte unknown member name */
    o = 0;
    json[o++] = '{';
    json[o++] = '"';
    for (i = 0; i < 10000; i++) {
        json[o++] = '\xE6';
        json[o++] = '\x97';
        json[o++] = '\xA5';
    }
    o += (size_t)snprintf(json + o, sizeof json - o, "\":1}");
    assert_int_equal(run_len(f, "ListClusters", json, o), ECS_E_INVALID_ARG);
    assert_non_null(strstr(f->err.message, "...\", must be one of: nextToken, maxResults"));
}

static void test_shape__deep_nesting_does_not_crash(void **state)
{
    fixture *f = *state;
    const size_t depth = 100000;
    size_t cap = depth * 2 + 256, o, i;
    char *json = malloc(cap);

    assert_non_null(json);

    /* under an unknown member */
    o = (size_t)snprintf(json, cap, "{\"maxResults\":1,\"deep\":");
    for (i = 0; i < depth; i++) {
        json[o++] = '[';
    }
    for (i = 0; i < depth; i++) {
        json[o++] = ']';
    }
    json[o++] = '}';
    assert_int_equal(run_len(f, "ListClusters", json, o), ECS_E_INVALID_ARG);
    assert_non_null(strstr(f->err.message, "Unknown parameter in input: \"deep\""));

    /* under a list of strings */
    o = (size_t)snprintf(json, cap, "{\"family\":\"x\",\"containerDefinitions\":[{\"command\":");
    for (i = 0; i < depth; i++) {
        json[o++] = '[';
    }
    for (i = 0; i < depth; i++) {
        json[o++] = ']';
    }
    json[o++] = '}';
    json[o++] = ']';
    json[o++] = '}';
    assert_int_equal(run_len(f, "RegisterTaskDefinition", json, o), ECS_E_PARSE);
    assert_non_null(strstr(f->err.message, "containerDefinitions[0].command[0]: expected a string"));

    /* objects under a map value */
    o = (size_t)snprintf(json, cap,
                         "{\"family\":\"x\",\"containerDefinitions\":[{\"dockerLabels\":");
    for (i = 0; i < depth / 4; i++) {
        memcpy(json + o, "{\"a\":", 5);
        o += 5;
    }
    json[o++] = '1';
    for (i = 0; i < depth / 4; i++) {
        json[o++] = '}';
    }
    json[o++] = '}';
    json[o++] = ']';
    json[o++] = '}';
    assert_int_equal(run_len(f, "RegisterTaskDefinition", json, o), ECS_E_PARSE);
    assert_non_null(strstr(f->err.message, "containerDefinitions[0].dockerLabels.a: expected a "
                                           "string, got object"));
    free(json);
}

static void test_shape__misuse_is_refused_without_crash(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = NULL;
    int shape = ecs_shape__action_input("ListClusters", 12);

    assert_int_equal(ecs_json_parse(f->ctx, "{}", 2, NULL, &doc), ECS_OK);
    assert_int_equal(ecs_shape__check(&f->err, NULL, ecs_json_root(doc), shape),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_shape__check(&f->err, doc, ecs_json_root(doc), -1), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_shape__check(&f->err, doc, ecs_json_root(doc), 1 << 20),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_shape__check(&f->err, doc, NULL, shape), ECS_E_PARSE);
    assert_string_equal(f->err.code, ECS_ERR_SERIALIZATION);
    /* err may be NULL: the status still says what happened */
    assert_int_equal(ecs_shape__check(NULL, doc, ecs_json_root(doc), shape), ECS_OK);
    assert_int_equal(ecs_shape__check(NULL, doc, NULL, shape), ECS_E_PARSE);
    ecs_json_doc_free(doc);
}

/* The table types are written once, in shape_check.c; the generator copies
 * them into shapes_gen.c. The two copies must be the same text. */
/* The generated tables and the checker read one definition of the table
 * layout (lib/api/shape_table.h); neither defines its own. */
static void test_shape__generated_tables_match_the_checker(void **state)
{
    static const char inc[] = "#include \"api/shape_table.h\"";
    char *check = test_read_file(REPO_DIR "/lib/api/shape_check.c", NULL);
    char *gen = test_read_file(REPO_DIR "/lib/api/shapes_gen.c", NULL);

    (void)state;
    if (check == NULL || gen == NULL) {
        free(check);
        free(gen);
        print_message("skipped: sources not found beside the tests\n");
        skip();
    }
    assert_non_null(strstr(check, inc));
    assert_non_null(strstr(gen, inc));
    assert_null(strstr(check, "typedef struct ecs_shape_node"));
    assert_null(strstr(gen, "typedef struct ecs_shape_node"));
    assert_non_null(strstr(gen, "GENERATED by tools/gen_shapes.py"));
    free(check);
    free(gen);
}

/* ------------------------------------------------------------------------ */
/* Conformance files                                                         */

/* Invalid task definitions whose fault is a type, an unknown member, a null
 * or an enum value: the shape check alone must refuse them. */
static const char *const taskdef_shape_invalid[] = {
    "002", "025", "026", "028", "032", "033", "038", "039", "040",
    "041", "044", "048", "059", "061", "063", "066", "072",
};
/* Invalid ones whose fault is semantic only: the shape check must let them
 * through (a refusal would mean a shape too strict). */
static const char *const taskdef_semantic_invalid[] = {
    "036", "055", "056", "057", "071",
};

static bool listed(const char *file, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strncmp(file, list[i], 3) == 0) {
            return true;
        }
    }
    return false;
}

/* Split line (modified in place) on tabs into at most max fields. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;

    while (n < max) {
        char *tab = strchr(p, '\t');
        fields[n++] = p;
        if (tab == NULL) {
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* Run every well-formed file of dir/SOURCES.tsv through action's shape.
 * Returns the number of wrong verdicts; -1 when dir is absent. */
static int run_conformance(fixture *f, const char *dir, const char *action,
                           const char *const *must_reject, size_t n_reject,
                           const char *const *must_accept, size_t n_accept)
{
    char path[1024];
    char *tsv, *line, *next;
    int wrong = 0;
    size_t valid = 0, refused = 0, invalid = 0;

    snprintf(path, sizeof path, "%sSOURCES.tsv", dir);
    tsv = test_read_file(path, NULL);
    if (tsv == NULL) {
        return -1;
    }
    print_message("%s through %s:\n", dir, action);
    for (line = tsv; line != NULL && *line != '\0'; line = next) {
        char *fields[8];
        size_t nf, len = 0;
        char *json;
        bool is_valid;
        ecs_status rc;
        ecs_json_doc *doc = NULL;

        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        if (line[0] != '\0' && line[strlen(line) - 1] == '\r') {
            line[strlen(line) - 1] = '\0';
        }
        nf = split_tabs(line, fields, 8);
        if (nf < 7 || strcmp(fields[0], "file") == 0 || strcmp(fields[5], "yes") != 0) {
            continue; /* header, or not JSON (the parser's business) */
        }
        snprintf(path, sizeof path, "%s%s", dir, fields[0]);
        json = test_read_file(path, &len);
        if (json == NULL) {
            print_message("  MISSING %s\n", fields[0]);
            wrong++;
            continue;
        }
        is_valid = strcmp(fields[6], "valid") == 0;
        rc = ecs_json_parse(f->ctx, json, len, NULL, &doc);
        if (rc == ECS_OK) {
            memset(&f->err, 0, sizeof f->err);
            rc = ecs_shape__check(&f->err, doc, ecs_json_root(doc),
                                  ecs_shape__action_input(action, strlen(action)));
            ecs_json_doc_free(doc);
        } else {
            f->err.code = "(parse)";
            snprintf(f->err.message, sizeof f->err.message, "%s", ecs_ctx_errmsg(f->ctx));
        }
        free(json);
        if (is_valid) {
            valid++;
            if (rc != ECS_OK) {
                print_message("  WRONG %s is valid but was refused: %s: %s\n", fields[0],
                              f->err.code, f->err.message);
                wrong++;
            }
            continue;
        }
        invalid++;
        if (rc != ECS_OK) {
            refused++;
            print_message("  refused  %s: %s: %s\n", fields[0], f->err.code, f->err.message);
            if (listed(fields[0], must_accept, n_accept)) {
                print_message("  WRONG %s is only semantically invalid (%s)\n", fields[0],
                              fields[6]);
                wrong++;
            }
        } else {
            print_message("  accepted %s (left to semantic checks: %s)\n", fields[0], fields[6]);
            if (listed(fields[0], must_reject, n_reject)) {
                print_message("  WRONG %s should be refused by its shape\n", fields[0]);
                wrong++;
            }
        }
    }
    print_message("  %zu valid accepted; %zu of %zu invalid refused by the shape check\n",
                  valid, refused, invalid);
    free(tsv);
    return wrong;
}

static void test_shape__conformance_taskdefs(void **state)
{
    fixture *f = *state;
    int wrong = run_conformance(
        f, TASKDEF_DIR, "RegisterTaskDefinition", taskdef_shape_invalid,
        sizeof taskdef_shape_invalid / sizeof taskdef_shape_invalid[0], taskdef_semantic_invalid,
        sizeof taskdef_semantic_invalid / sizeof taskdef_semantic_invalid[0]);

    if (wrong < 0) {
        print_message("skipped: %s not found\n", TASKDEF_DIR);
        skip();
    }
    assert_int_equal(wrong, 0);
}

static void test_shape__conformance_services(void **state)
{
    fixture *f = *state;
    static const char *const shape_invalid[] = { "003", "016" };
    int wrong = run_conformance(f, SERVICE_DIR, "CreateService", shape_invalid,
                                sizeof shape_invalid / sizeof shape_invalid[0], NULL, 0);

    if (wrong < 0) {
        print_message("skipped: %s not found\n", SERVICE_DIR);
        skip();
    }
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_shape__action_table_is_sorted_and_searchable),
        T(test_shape__unknown_action_gives_minus_one),
        T(test_shape__readme_task_definition_is_valid),
        T(test_shape__valid_requests_pass),
        T(test_shape__every_action_accepts_or_names_the_missing_member),
        T(test_shape__type_errors_are_serialization_with_path),
        T(test_shape__root_must_be_an_object),
        T(test_shape__unknown_members_are_invalid_parameter),
        T(test_shape__long_member_lists_are_cut_cleanly),
        T(test_shape__null_is_invalid_parameter_anywhere),
        T(test_shape__missing_required_members),
        T(test_shape__enum_values_are_checked),
        T(test_shape__paths_cut_and_names_quoted_stay_utf8),
        T(test_shape__deep_nesting_does_not_crash),
        T(test_shape__misuse_is_refused_without_crash),
        T(test_shape__generated_tables_match_the_checker),
        T(test_shape__conformance_taskdefs),
        T(test_shape__conformance_services),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
