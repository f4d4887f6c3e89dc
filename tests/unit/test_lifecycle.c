/*
 * The task lifecycle driven by hand (no simulated agents): the agents'
 * reports SubmitTaskStateChange and SubmitContainerStateChange, the
 * extension SubmitContainerHealth, StopTask, scale-in protection
 * (UpdateTaskProtection, GetTaskProtection) and the orders and retention
 * of ecs_plane_step(). What a user sees: DescribeTasks (lastStatus,
 * desiredStatus, stopCode, stoppedReason, timestamps, healthStatus),
 * DescribeContainerInstances and DescribeClusters (resources and counts),
 * and the orders.
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

#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_plane_fx.h"
#include "test_util.h"


#define T0 ECS_PLANE_DEFAULT_START_MS

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

/* A timestamp of the last answer (seconds as a JSON number) in ms. */
static int64_t ms_at(fx *f, const char *path)
{
    double d = 0;
    if (ecs_json_get_double(at(f, path), &d) != ECS_OK)
        fail_msg("no timestamp at %s", path);
    return (int64_t)(d * 1000.0 + (d >= 0 ? 0.5 : -0.5));
}

static void reg(fx *f, const char *cluster, const char *az, const char *ec2, int cpu, int mem)
{
    ok(f, "RegisterContainerInstance",
       fmt(f,
           "{\"cluster\":\"%s\",\"instanceIdentityDocument\":\"{\\\"instanceId\\\":\\\"%s\\\","
           "\\\"availabilityZone\\\":\\\"%s\\\",\\\"instanceType\\\":\\\"m5.large\\\"}\","
           "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":%d},"
           "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":%d}]}",
           cluster, ec2, az, cpu, mem));
}

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

static void cluster_of(fx *f, const char *cluster, ecs_cluster_info *out)
{
    size_t ci;
    assert_int_equal(ecs_plane_find_cluster(f->pl, cluster, strlen(cluster), &ci), ECS_OK);
    assert_int_equal(ecs_plane_cluster_info(f->pl, ci, out), ECS_OK);
}

typedef struct tref {
    char arn[256];
} tref;

/* RunTask of one task of `td` on cluster c1; its ARN. */
static tref run1(fx *f, const char *td)
{
    tref t;
    ok(f, "RunTask", fmt(f, "{\"cluster\":\"c1\",\"taskDefinition\":\"%s\"}", td));
    assert_int_equal(len_at(f, "tasks"), 1);
    snprintf(t.arn, sizeof t.arn, "%s", str_at(f, "tasks.0.taskArn"));
    return t;
}

/* DescribeTasks of one task: the answer's tasks.0 is it. */
static void desc(fx *f, const tref *t)
{
    ok(f, "DescribeTasks", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"]}", t->arn));
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_int_equal(len_at(f, "failures"), 0);
}

static void report(fx *f, const tref *t, const char *status)
{
    ok(f, "SubmitTaskStateChange",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"%s\"}", t->arn, status));
    assert_string_equal(str_at(f, "acknowledgment"), "ACK");
}

static void report_container(fx *f, const tref *t, const char *name, const char *status, int exit_code)
{
    ok(f, "SubmitContainerStateChange",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"%s\",\"status\":\"%s\","
              "\"exitCode\":%d}",
           t->arn, name, status, exit_code));
}

static void health(fx *f, const tref *t, const char *name, const char *h)
{
    ok(f, "SubmitContainerHealth",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"%s\",\"healthStatus\":\"%s\"}",
           t->arn, name, h));
}

static void last_is(fx *f, const tref *t, const char *want)
{
    desc(f, t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), want);
}

/* Step to `now`; the orders into *o (copied: they live until the next call). */
typedef struct order_copy {
    ecs_plane_order_kind kind;
    char task[256], inst[256], cluster[256];
    bool has_inst;
} order_copy;

static size_t step(fx *f, int64_t now, order_copy *o, size_t cap)
{
    const ecs_plane_order *v = NULL;
    size_t n = 0;
    assert_int_equal(ecs_plane_step(f->pl, now, &v, &n), ECS_OK);
    for (size_t i = 0; i < n && i < cap; i++) {
        o[i].kind = v[i].kind;
        snprintf(o[i].task, sizeof o[i].task, "%s", v[i].task_arn);
        snprintf(o[i].cluster, sizeof o[i].cluster, "%s", v[i].cluster_arn);
        o[i].has_inst = v[i].container_instance_arn != NULL;
        snprintf(o[i].inst, sizeof o[i].inst, "%s", o[i].has_inst ? v[i].container_instance_arn : "");
    }
    return n;
}

/* Does the remaining PORTS of the instance (DescribeContainerInstances
 * answer at index 0) hold `port`? */
static bool port_held(fx *f, const char *port)
{
    const ecs_json_val *rr = at(f, "containerInstances.0.remainingResources");
    for (const ecs_json_val *r = ecs_json_first(rr); r != NULL; r = ecs_json_next(rr, r)) {
        const char *n = ecs_json_str(f->doc, ecs_json_obj_get(f->doc, r, "name", 4), NULL);
        const ecs_json_val *set;
        if (n == NULL || strcmp(n, "PORTS") != 0)
            continue;
        set = ecs_json_obj_get(f->doc, r, "stringSetValue", 14);
        for (const ecs_json_val *p = ecs_json_first(set); p != NULL; p = ecs_json_next(set, p)) {
            const char *s = ecs_json_str(f->doc, p, NULL);
            if (s != NULL && strcmp(s, port) == 0)
                return true;
        }
    }
    return false;
}

static bool is_false(const ecs_json_val *v)
{
    return v != NULL && ecs_json_type_of(v) == ECS_JSON_FALSE;
}

/* DescribeContainerInstances of i-aaa (by its container instance id). */
static void describe_instance(fx *f)
{
    ecs_instance_info in;
    info_of(f, "c1", "i-aaa", &in);
    ok(f, "DescribeContainerInstances", fmt(f, "{\"cluster\":\"c1\",\"containerInstances\":[\"%s\"]}", in.id));
    assert_int_equal(len_at(f, "containerInstances"), 1);
}

static char *dump_copy(fx *f)
{
    const char *d;
    size_t n;
    char *c;
    assert_int_equal(ecs_plane_dump(f->pl, &d, &n), ECS_OK);
    c = malloc(n + 1);
    assert_non_null(c);
    memcpy(c, d, n + 1);
    return c;
}

static void same_dump(fx *f, const char *before)
{
    const char *d;
    size_t n;
    assert_int_equal(ecs_plane_dump(f->pl, &d, &n), ECS_OK);
    assert_string_equal(before, d);
}

/* ------------------------------------------------------------------------ */
/* Task definitions                                                          */

static const char k_web[] =
    "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\","
    "\"memory\":256,\"cpu\":128,\"portMappings\":[{\"containerPort\":80,\"hostPort\":80}]}]}";

/* an essential container and a non-essential side car */
static const char k_pair[] =
    "{\"family\":\"pair\",\"containerDefinitions\":["
    "{\"name\":\"app\",\"image\":\"nginx\",\"memory\":128,\"cpu\":64},"
    "{\"name\":\"side\",\"image\":\"log\",\"memory\":64,\"essential\":false}]}";

/* two essential containers with health checks, a non-essential one with
 * a health check, and an essential one without */
static const char k_checked[] =
    "{\"family\":\"checked\",\"containerDefinitions\":["
    "{\"name\":\"a\",\"image\":\"x\",\"memory\":64,"
    "\"healthCheck\":{\"command\":[\"CMD\",\"true\"]}},"
    "{\"name\":\"b\",\"image\":\"x\",\"memory\":64,"
    "\"healthCheck\":{\"command\":[\"CMD\",\"true\"]}},"
    "{\"name\":\"n\",\"image\":\"x\",\"memory\":64,\"essential\":false,"
    "\"healthCheck\":{\"command\":[\"CMD\",\"true\"]}},"
    "{\"name\":\"plain\",\"image\":\"x\",\"memory\":64}]}";

static void base(fx *f)
{
    ok(f, "CreateCluster", "{\"clusterName\":\"c1\"}");
    reg(f, "c1", "us-east-1a", "i-aaa", 2048, 4096);
    ok(f, "RegisterTaskDefinition", k_web);
    ok(f, "RegisterTaskDefinition", k_pair);
    ok(f, "RegisterTaskDefinition", k_checked);
}

/* ------------------------------------------------------------------------ */
/* Transitions                                                               */

static void test_lifecycle__every_forward_transition(void **state)
{
    fx *f = *state;
    static const char *const path[] = { "PENDING",    "ACTIVATING",     "RUNNING", "DEACTIVATING",
                                        "STOPPING",   "DEPROVISIONING", "STOPPED" };
    tref t;
    int64_t version;
    base(f);
    t = run1(f, "web");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "PROVISIONING");
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "RUNNING");
    version = int_at(f, "tasks.0.version");
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        report(f, &t, path[i]);
        desc(f, &t);
        assert_string_equal(str_at(f, "tasks.0.lastStatus"), path[i]);
        assert_true(int_at(f, "tasks.0.version") > version);
        version = int_at(f, "tasks.0.version");
        if (strcmp(path[i], "STOPPED") != 0) {
            assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "RUNNING");
            assert_null(at(f, "tasks.0.stopCode"));
        }
    }
    /* an agent stopped a task that ran without being told to */
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.stopCode"), "EssentialContainerExited");
    assert_string_equal(str_at(f, "tasks.0.stoppedReason"), "Essential container in task exited");
    assert_string_equal(str_at(f, "tasks.0.containers.0.lastStatus"), "STOPPED");
}

static void test_lifecycle__skipped_states(void **state)
{
    fx *f = *state;
    tref a, b;
    base(f);
    /* bridge-mode path: PENDING -> RUNNING -> STOPPED */
    a = run1(f, "web");
    report(f, &a, "PENDING");
    last_is(f, &a, "PENDING");
    report(f, &a, "RUNNING");
    last_is(f, &a, "RUNNING");
    assert_string_equal(str_at(f, "tasks.0.containers.0.lastStatus"), "RUNNING");
    report(f, &a, "STOPPED");
    last_is(f, &a, "STOPPED");

    /* a task that never ran: PROVISIONING -> STOPPED with the agent's reason */
    b = run1(f, "pair");
    ok(f, "SubmitTaskStateChange",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"STOPPED\","
              "\"reason\":\"CannotPullContainerError: no such image\"}",
           b.arn));
    desc(f, &b);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.stopCode"), "TaskFailedToStart");
    assert_string_equal(str_at(f, "tasks.0.stoppedReason"), "CannotPullContainerError: no such image");
    assert_null(at(f, "tasks.0.startedAt"));
}

static void test_lifecycle__illegal_transitions_change_nothing(void **state)
{
    fx *f = *state;
    tref t;
    char *before;
    int64_t version;
    base(f);
    t = run1(f, "web");
    report(f, &t, "ACTIVATING");

    fails(f, "SubmitTaskStateChange", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"PENDING\"}", t.arn),
          "ClientException", "PENDING");
    fails(f, "SubmitTaskStateChange",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"PROVISIONING\"}", t.arn), "ClientException",
          NULL);
    fails(f, "SubmitTaskStateChange", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"LAUNCHED\"}", t.arn),
          "InvalidParameterException", "LAUNCHED");
    fails(f, "SubmitTaskStateChange", "{\"cluster\":\"c1\",\"task\":\"nosuchtask\",\"status\":\"RUNNING\"}",
          "InvalidParameterException", "nosuchtask");
    fails(f, "SubmitTaskStateChange",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"RUNNING\","
                 "\"containers\":[{\"containerName\":\"ghost\",\"status\":\"RUNNING\"}]}",
              t.arn),
          "InvalidParameterException", "ghost");
    last_is(f, &t, "ACTIVATING");

    /* the status it already has: acknowledged, nothing moves */
    version = int_at(f, "tasks.0.version");
    before = dump_copy(f);
    report(f, &t, "ACTIVATING");
    same_dump(f, before);
    free(before);
    desc(f, &t);
    assert_int_equal(int_at(f, "tasks.0.version"), version);

    /* STOPPED is final */
    report(f, &t, "STOPPED");
    fails(f, "SubmitTaskStateChange", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"RUNNING\"}", t.arn),
          "ClientException", NULL);
    fails(f, "SubmitTaskStateChange",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"DEPROVISIONING\"}", t.arn), "ClientException",
          NULL);
    fails(f, "SubmitContainerStateChange",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"app\",\"status\":\"RUNNING\"}", t.arn),
          "ClientException", NULL);
    last_is(f, &t, "STOPPED");
}

static void test_lifecycle__running_refused_once_told_to_stop(void **state)
{
    fx *f = *state;
    tref t;
    base(f);
    t = run1(f, "web");
    report(f, &t, "PENDING");
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", t.arn));
    fails(f, "SubmitTaskStateChange", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"RUNNING\"}", t.arn),
          "ClientException", "STOPPED");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "PENDING");
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "STOPPED");
    assert_null(at(f, "tasks.0.startedAt"));
    /* stopping is what it may do */
    report(f, &t, "STOPPED");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.stopCode"), "UserInitiated");
    assert_string_equal(str_at(f, "tasks.0.stoppedReason"), "Task stopped by user");
}

/* ------------------------------------------------------------------------ */
/* StopTask and orders                                                       */

static void test_lifecycle__stop_task(void **state)
{
    fx *f = *state;
    tref a, b;
    base(f);
    a = run1(f, "pair");
    b = run1(f, "pair");
    report(f, &a, "RUNNING");

    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", a.arn));
    assert_string_equal(str_at(f, "task.taskArn"), a.arn);
    assert_string_equal(str_at(f, "task.desiredStatus"), "STOPPED");
    assert_string_equal(str_at(f, "task.lastStatus"), "RUNNING");
    assert_string_equal(str_at(f, "task.stopCode"), "UserInitiated");
    assert_string_equal(str_at(f, "task.stoppedReason"), "Task stopped by user");
    desc(f, &a);
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "RUNNING");

    /* a reason of the caller's; by id as well as by ARN */
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"reason\":\"deploy 42\"}",
                          strrchr(b.arn, '/') + 1));
    assert_string_equal(str_at(f, "task.stoppedReason"), "deploy 42");
    assert_string_equal(str_at(f, "task.stopCode"), "UserInitiated");
    /* stopping again changes nothing: the first reason stays */
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"reason\":\"again\"}", b.arn));
    assert_string_equal(str_at(f, "task.stoppedReason"), "deploy 42");

    fails(f, "StopTask", "{\"cluster\":\"c1\",\"task\":\"0123456789abcdef0123456789abcdef\"}",
          "InvalidParameterException", NULL);
    fails(f, "StopTask", "{\"cluster\":\"c1\"}", "InvalidParameterException", "task");
    fails(f, "StopTask", fmt(f, "{\"cluster\":\"nope\",\"task\":\"%s\"}", a.arn), "ClusterNotFoundException",
          NULL);
}

static void test_lifecycle__orders_once_each(void **state)
{
    fx *f = *state;
    order_copy o[8];
    tref a, b;
    ecs_instance_info in;
    size_t n;
    base(f);
    info_of(f, "c1", "i-aaa", &in);
    a = run1(f, "pair");
    b = run1(f, "pair");

    n = step(f, T0 + 1000, o, 8);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(o[i].kind, ECS_ORDER_START);
        assert_true(o[i].has_inst);
        assert_string_equal(o[i].inst, in.arn);
        assert_string_equal(o[i].cluster, "arn:aws:ecs:us-east-1:123456789012:cluster/c1");
    }
    assert_true((strcmp(o[0].task, a.arn) == 0 && strcmp(o[1].task, b.arn) == 0) ||
                (strcmp(o[0].task, b.arn) == 0 && strcmp(o[1].task, a.arn) == 0));
    /* never twice */
    assert_int_equal(step(f, T0 + 2000, o, 8), 0);
    report(f, &a, "RUNNING");
    assert_int_equal(step(f, T0 + 3000, o, 8), 0);

    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", a.arn));
    n = step(f, T0 + 4000, o, 8);
    assert_int_equal(n, 1);
    assert_int_equal(o[0].kind, ECS_ORDER_STOP);
    assert_string_equal(o[0].task, a.arn);
    assert_string_equal(o[0].inst, in.arn);
    assert_int_equal(step(f, T0 + 5000, o, 8), 0);
    /* StopTask again: no second order */
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", a.arn));
    assert_int_equal(step(f, T0 + 6000, o, 8), 0);

    /* stopped before its START was handed out: only the STOP */
    b = run1(f, "pair");
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", b.arn));
    n = step(f, T0 + 7000, o, 8);
    assert_int_equal(n, 1);
    assert_int_equal(o[0].kind, ECS_ORDER_STOP);
    assert_string_equal(o[0].task, b.arn);

    /* time never runs backwards */
    assert_int_equal(ecs_plane_step(f->pl, T0, NULL, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_plane_now_ms(f->pl), T0 + 7000);
}

/* ------------------------------------------------------------------------ */
/* Containers                                                                */

static void test_lifecycle__essential_container_exit(void **state)
{
    fx *f = *state;
    order_copy o[4];
    tref t;
    base(f);
    t = run1(f, "pair");
    (void)step(f, T0, o, 4);
    report(f, &t, "RUNNING");

    /* the side car exits: the task runs on */
    report_container(f, &t, "side", "STOPPED", 0);
    assert_string_equal(str_at(f, "acknowledgment"), "ACK");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "RUNNING");
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "RUNNING");
    assert_string_equal(str_at(f, "tasks.0.containers.1.lastStatus"), "STOPPED");
    assert_int_equal(int_at(f, "tasks.0.containers.1.exitCode"), 0);
    assert_null(at(f, "tasks.0.stopCode"));
    assert_int_equal(step(f, T0 + 1000, o, 4), 0);
    /* a container does not come back */
    fails(f, "SubmitContainerStateChange",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"side\",\"status\":\"RUNNING\"}", t.arn),
          "ClientException", NULL);
    fails(f, "SubmitContainerStateChange",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"side\",\"status\":\"EXITED\"}", t.arn),
          "InvalidParameterException", NULL);

    /* the essential one exits: the task is told to stop */
    report_container(f, &t, "app", "STOPPED", 137);
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "RUNNING");
    assert_string_equal(str_at(f, "tasks.0.stopCode"), "EssentialContainerExited");
    assert_string_equal(str_at(f, "tasks.0.stoppedReason"), "Essential container in task exited");
    assert_int_equal(int_at(f, "tasks.0.containers.0.exitCode"), 137);
    assert_int_equal(step(f, T0 + 2000, o, 4), 1);
    assert_int_equal(o[0].kind, ECS_ORDER_STOP);
    assert_string_equal(o[0].task, t.arn);
    report(f, &t, "STOPPED");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.stopCode"), "EssentialContainerExited");
    assert_string_equal(str_at(f, "tasks.0.stoppedReason"), "Essential container in task exited");
}

/* The containers a SubmitTaskStateChange carries move with it. */
static void test_lifecycle__task_report_with_containers(void **state)
{
    fx *f = *state;
    tref t;
    base(f);
    t = run1(f, "pair");
    ok(f, "SubmitTaskStateChange",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"PENDING\",\"containers\":["
              "{\"containerName\":\"side\",\"status\":\"RUNNING\",\"runtimeId\":\"abc123\"}]}",
           t.arn));
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "PENDING");
    assert_string_equal(str_at(f, "tasks.0.containers.0.lastStatus"), "PENDING");
    assert_string_equal(str_at(f, "tasks.0.containers.1.lastStatus"), "RUNNING");
    assert_string_equal(str_at(f, "tasks.0.containers.1.runtimeId"), "abc123");
    /* an essential container reported STOPPED inside a task report */
    ok(f, "SubmitTaskStateChange",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containers\":["
              "{\"containerName\":\"app\",\"status\":\"STOPPED\",\"exitCode\":2,\"reason\":\"oom\"}]}",
           t.arn));
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.desiredStatus"), "STOPPED");
    assert_string_equal(str_at(f, "tasks.0.stopCode"), "EssentialContainerExited");
    assert_string_equal(str_at(f, "tasks.0.containers.0.reason"), "oom");
    assert_int_equal(int_at(f, "tasks.0.containers.0.exitCode"), 2);
}

/* ------------------------------------------------------------------------ */
/* Timestamps                                                                */

static void test_lifecycle__timestamps(void **state)
{
    fx *f = *state;
    tref t, u;
    base(f);
    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 10000), ECS_OK);
    t = run1(f, "web");
    desc(f, &t);
    assert_int_equal(ms_at(f, "tasks.0.createdAt"), T0 + 10000);
    assert_null(at(f, "tasks.0.pullStartedAt"));
    assert_null(at(f, "tasks.0.pullStoppedAt"));
    assert_null(at(f, "tasks.0.startedAt"));
    assert_null(at(f, "tasks.0.stoppingAt"));
    assert_null(at(f, "tasks.0.stoppedAt"));
    assert_null(at(f, "tasks.0.executionStoppedAt"));

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 11000), ECS_OK);
    report(f, &t, "PENDING");
    desc(f, &t);
    assert_int_equal(ms_at(f, "tasks.0.pullStartedAt"), T0 + 11000);
    assert_null(at(f, "tasks.0.startedAt"));

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 14000), ECS_OK);
    report(f, &t, "RUNNING");
    desc(f, &t);
    assert_int_equal(ms_at(f, "tasks.0.pullStartedAt"), T0 + 11000);
    assert_int_equal(ms_at(f, "tasks.0.startedAt"), T0 + 14000);
    assert_null(at(f, "tasks.0.stoppingAt"));
    assert_null(at(f, "tasks.0.stoppedAt"));

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 20000), ECS_OK);
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", t.arn));
    desc(f, &t);
    assert_null(at(f, "tasks.0.stoppedAt"));
    assert_null(at(f, "tasks.0.executionStoppedAt"));

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 21000), ECS_OK);
    report(f, &t, "STOPPING");
    desc(f, &t);
    assert_int_equal(ms_at(f, "tasks.0.stoppingAt"), T0 + 21000);
    assert_null(at(f, "tasks.0.stoppedAt"));

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 23000), ECS_OK);
    report(f, &t, "STOPPED");
    desc(f, &t);
    assert_int_equal(ms_at(f, "tasks.0.stoppedAt"), T0 + 23000);
    assert_int_equal(ms_at(f, "tasks.0.executionStoppedAt"), T0 + 23000);
    assert_int_equal(ms_at(f, "tasks.0.stoppingAt"), T0 + 21000);
    assert_int_equal(ms_at(f, "tasks.0.startedAt"), T0 + 14000);
    assert_int_equal(ms_at(f, "tasks.0.createdAt"), T0 + 10000);

    /* the agent's own times win */
    u = run1(f, "pair");
    ok(f, "SubmitTaskStateChange",
       fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"STOPPED\",\"pullStartedAt\":%lld.5,"
              "\"executionStoppedAt\":%lld}",
           u.arn, (long long)(T0 / 1000 + 15), (long long)(T0 / 1000 + 22)));
    desc(f, &u);
    assert_int_equal(ms_at(f, "tasks.0.pullStartedAt"), T0 + 15500);
    assert_int_equal(ms_at(f, "tasks.0.executionStoppedAt"), T0 + 22000);
    assert_int_equal(ms_at(f, "tasks.0.stoppedAt"), T0 + 23000);
    assert_null(at(f, "tasks.0.startedAt"));
}

/* ------------------------------------------------------------------------ */
/* Resources and counts                                                      */

static void instance_has(fx *f, int64_t cpu, int64_t mem, bool port80)
{
    describe_instance(f);
    assert_string_equal(str_at(f, "containerInstances.0.remainingResources.0.name"), "CPU");
    assert_int_equal(int_at(f, "containerInstances.0.remainingResources.0.integerValue"), cpu);
    assert_string_equal(str_at(f, "containerInstances.0.remainingResources.1.name"), "MEMORY");
    assert_int_equal(int_at(f, "containerInstances.0.remainingResources.1.integerValue"), mem);
    assert_true(port_held(f, "80") == port80);
}

static void test_lifecycle__resources_return_at_stopped(void **state)
{
    fx *f = *state;
    static const char *const path[] = { "PENDING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING" };
    tref t;
    base(f);
    instance_has(f, 2048, 4096, false);
    t = run1(f, "web");
    instance_has(f, 2048 - 128, 4096 - 256, true);
    /* the static port is taken */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\"}");
    assert_int_equal(len_at(f, "tasks"), 0);
    assert_string_equal(str_at(f, "failures.0.reason"), "RESOURCE:PORTS");
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        report(f, &t, path[i]);
        instance_has(f, 2048 - 128, 4096 - 256, true);
        if (i == 1) {
            ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", t.arn));
            instance_has(f, 2048 - 128, 4096 - 256, true);
        }
    }
    report(f, &t, "STOPPED");
    instance_has(f, 2048, 4096, false);
    /* and the port serves again */
    ok(f, "RunTask", "{\"cluster\":\"c1\",\"taskDefinition\":\"web\"}");
    assert_int_equal(len_at(f, "tasks"), 1);
    instance_has(f, 2048 - 128, 4096 - 256, true);
}

/* cluster running/pending, instance running/pending, as DescribeClusters
 * and DescribeContainerInstances tell them */
static void counts_are(fx *f, int64_t crun, int64_t cpend, int64_t irun, int64_t ipend)
{
    ecs_cluster_info ci;
    ecs_instance_info in;
    ok(f, "DescribeClusters", "{\"clusters\":[\"c1\"]}");
    assert_int_equal(int_at(f, "clusters.0.runningTasksCount"), crun);
    assert_int_equal(int_at(f, "clusters.0.pendingTasksCount"), cpend);
    describe_instance(f);
    assert_int_equal(int_at(f, "containerInstances.0.runningTasksCount"), irun);
    assert_int_equal(int_at(f, "containerInstances.0.pendingTasksCount"), ipend);
    cluster_of(f, "c1", &ci);
    info_of(f, "c1", "i-aaa", &in);
    assert_int_equal(ci.running_tasks, crun);
    assert_int_equal(ci.pending_tasks, cpend);
    assert_int_equal(in.running_tasks, irun);
    assert_int_equal(in.pending_tasks, ipend);
}

static void test_lifecycle__counts_follow(void **state)
{
    fx *f = *state;
    tref a, b;
    base(f);
    counts_are(f, 0, 0, 0, 0);
    a = run1(f, "pair");
    b = run1(f, "pair");
    counts_are(f, 0, 0, 2, 0); /* PROVISIONING: the instance's desired RUNNING only */
    report(f, &a, "PENDING");
    counts_are(f, 0, 1, 2, 1);
    report(f, &b, "PENDING");
    counts_are(f, 0, 2, 2, 2);
    report(f, &a, "ACTIVATING");
    counts_are(f, 0, 1, 2, 1);
    report(f, &a, "RUNNING");
    counts_are(f, 1, 1, 2, 1);
    report(f, &b, "RUNNING");
    counts_are(f, 2, 0, 2, 0);
    ok(f, "StopTask", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\"}", a.arn));
    counts_are(f, 2, 0, 1, 0); /* lastStatus still RUNNING; desired STOPPED */
    report(f, &a, "STOPPING");
    counts_are(f, 1, 0, 1, 0);
    report(f, &a, "STOPPED");
    counts_are(f, 1, 0, 1, 0);
    report(f, &b, "STOPPED");
    counts_are(f, 0, 0, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* Health                                                                    */

static void test_lifecycle__health_from_containers(void **state)
{
    fx *f = *state;
    tref t, p;
    base(f);
    t = run1(f, "checked");
    /* health is for RUNNING tasks */
    fails(f, "SubmitContainerHealth",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"a\",\"healthStatus\":\"HEALTHY\"}", t.arn),
          "ClientException", NULL);
    report(f, &t, "RUNNING");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "UNKNOWN");
    assert_string_equal(str_at(f, "tasks.0.containers.0.healthStatus"), "UNKNOWN");
    assert_null(at(f, "tasks.0.containers.3.healthStatus")); /* no check, no status */

    health(f, &t, "a", "HEALTHY");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.containers.0.healthStatus"), "HEALTHY");
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "UNKNOWN"); /* b not yet */
    health(f, &t, "n", "UNHEALTHY");                                   /* not essential */
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "UNKNOWN");
    assert_string_equal(str_at(f, "tasks.0.containers.2.healthStatus"), "UNHEALTHY");
    health(f, &t, "b", "HEALTHY");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "HEALTHY");
    health(f, &t, "a", "UNHEALTHY");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "UNHEALTHY");
    health(f, &t, "a", "UNKNOWN");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "UNKNOWN");
    health(f, &t, "a", "HEALTHY");
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "HEALTHY");

    fails(f, "SubmitContainerHealth",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"a\",\"healthStatus\":\"GOOD\"}", t.arn),
          "InvalidParameterException", "healthStatus");
    fails(f, "SubmitContainerHealth",
          fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"containerName\":\"zz\",\"healthStatus\":\"HEALTHY\"}", t.arn),
          "InvalidParameterException", "zz");

    /* no container with a check: the task's health stays UNKNOWN */
    p = run1(f, "pair");
    report(f, &p, "RUNNING");
    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 3600000), ECS_OK);
    desc(f, &p);
    assert_string_equal(str_at(f, "tasks.0.healthStatus"), "UNKNOWN");
}

/* ------------------------------------------------------------------------ */
/* Retention                                                                 */

static void test_lifecycle__retention_one_hour(void **state)
{
    fx *f = *state;
    tref t, live;
    base(f);
    t = run1(f, "pair");
    live = run1(f, "pair");
    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 5000), ECS_OK);
    report(f, &t, "STOPPED");

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 5000 + 3600000 - 1), ECS_OK);
    desc(f, &t);
    assert_string_equal(str_at(f, "tasks.0.lastStatus"), "STOPPED");
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"desiredStatus\":\"STOPPED\"}");
    assert_int_equal(len_at(f, "taskArns"), 1);
    assert_string_equal(str_at(f, "taskArns.0"), t.arn);

    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 5000 + 3600000), ECS_OK);
    ok(f, "DescribeTasks", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\",\"%s\"]}", t.arn, live.arn));
    assert_int_equal(len_at(f, "tasks"), 1);
    assert_string_equal(str_at(f, "tasks.0.taskArn"), live.arn);
    assert_int_equal(len_at(f, "failures"), 1);
    assert_string_equal(str_at(f, "failures.0.arn"), t.arn);
    assert_string_equal(str_at(f, "failures.0.reason"), "MISSING");
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"desiredStatus\":\"STOPPED\"}");
    assert_int_equal(len_at(f, "taskArns"), 0);
    /* and it is no longer there to report on */
    fails(f, "SubmitTaskStateChange", fmt(f, "{\"cluster\":\"c1\",\"task\":\"%s\",\"status\":\"STOPPED\"}", t.arn),
          "InvalidParameterException", NULL);
}

/* ------------------------------------------------------------------------ */
/* Scale-in protection                                                       */

static void test_lifecycle__task_protection(void **state)
{
    fx *f = *state;
    tref standalone, s1, s2;
    base(f);
    ok(f, "CreateService", "{\"cluster\":\"c1\",\"serviceName\":\"svc\",\"taskDefinition\":\"pair\","
                           "\"desiredCount\":2}");
    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 1000), ECS_OK);
    ok(f, "ListTasks", "{\"cluster\":\"c1\",\"serviceName\":\"svc\"}");
    assert_int_equal(len_at(f, "taskArns"), 2);
    snprintf(s1.arn, sizeof s1.arn, "%s", str_at(f, "taskArns.0"));
    snprintf(s2.arn, sizeof s2.arn, "%s", str_at(f, "taskArns.1"));
    standalone = run1(f, "pair");

    ok(f, "GetTaskProtection", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "protectedTasks"), 0);

    ok(f, "UpdateTaskProtection",
       fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\",\"%s\",\"%s\"],\"protectionEnabled\":true,"
              "\"expiresInMinutes\":60}",
           s1.arn, standalone.arn, "arn:aws:ecs:us-east-1:123456789012:task/c1/ffffffffffffffffffffffffffffffff"));
    assert_int_equal(len_at(f, "protectedTasks"), 1);
    assert_string_equal(str_at(f, "protectedTasks.0.taskArn"), s1.arn);
    assert_true(ecs_json_is_true(at(f, "protectedTasks.0.protectionEnabled")));
    assert_int_equal(ms_at(f, "protectedTasks.0.expirationDate"), T0 + 1000 + 3600000);
    assert_int_equal(len_at(f, "failures"), 2);
    assert_string_equal(str_at(f, "failures.0.arn"), standalone.arn);
    assert_string_equal(str_at(f, "failures.0.reason"), "TASK_NOT_VALID");
    assert_string_equal(str_at(f, "failures.1.reason"), "MISSING");

    ok(f, "GetTaskProtection", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "protectedTasks"), 1);
    assert_string_equal(str_at(f, "protectedTasks.0.taskArn"), s1.arn);
    ok(f, "GetTaskProtection", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"]}", s2.arn));
    assert_int_equal(len_at(f, "protectedTasks"), 1);
    assert_true(is_false(at(f, "protectedTasks.0.protectionEnabled")));
    assert_null(at(f, "protectedTasks.0.expirationDate"));

    /* the default is 120 minutes */
    ok(f, "UpdateTaskProtection",
       fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"],\"protectionEnabled\":true}", s2.arn));
    assert_int_equal(ms_at(f, "protectedTasks.0.expirationDate"), T0 + 1000 + 120 * 60000);
    /* off again */
    ok(f, "UpdateTaskProtection",
       fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"],\"protectionEnabled\":false}", s2.arn));
    assert_true(is_false(at(f, "protectedTasks.0.protectionEnabled")));

    fails(f, "UpdateTaskProtection",
          fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"],\"protectionEnabled\":true,\"expiresInMinutes\":0}", s1.arn),
          "InvalidParameterException", "expiresInMinutes");
    fails(f, "UpdateTaskProtection",
          fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"],\"protectionEnabled\":true,\"expiresInMinutes\":2881}",
              s1.arn),
          "InvalidParameterException", "expiresInMinutes");
    fails(f, "UpdateTaskProtection",
          fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"],\"protectionEnabled\":false,\"expiresInMinutes\":5}",
              s1.arn),
          "InvalidParameterException", "expiresInMinutes");
    fails(f, "UpdateTaskProtection", "{\"cluster\":\"c1\",\"tasks\":[],\"protectionEnabled\":true}",
          "InvalidParameterException", "tasks");
    fails(f, "UpdateTaskProtection", fmt(f, "{\"cluster\":\"nope\",\"tasks\":[\"%s\"],\"protectionEnabled\":true}", s1.arn),
          "ClusterNotFoundException", NULL);

    /* it expires */
    assert_int_equal(ecs_plane_set_time(f->pl, T0 + 1000 + 3600000), ECS_OK);
    ok(f, "GetTaskProtection", "{\"cluster\":\"c1\"}");
    assert_int_equal(len_at(f, "protectedTasks"), 0);
    ok(f, "GetTaskProtection", fmt(f, "{\"cluster\":\"c1\",\"tasks\":[\"%s\"]}", s1.arn));
    assert_true(is_false(at(f, "protectedTasks.0.protectionEnabled")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle__every_forward_transition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__skipped_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__illegal_transitions_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__running_refused_once_told_to_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__stop_task, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__orders_once_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__essential_container_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__task_report_with_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__resources_return_at_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__counts_follow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__health_from_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__retention_one_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle__task_protection, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
