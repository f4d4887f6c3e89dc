/*
 * host: a toy container host that embeds a libecs control plane WITHOUT
 * simulated agents, and so plays the ECS agent itself. It is the program
 * docs/embedding.md walks through.
 *
 *   host
 *
 * It makes a plane, registers a cluster, two container instances and a task
 * definition, creates a service of three tasks behind a target group, and
 * then runs the host's loop, one simulated second at a time:
 *
 *   1. ecs_plane_step(now + 1 s): the scheduler runs and hands out orders;
 *   2. each order is carried out: START "starts" the task (this toy host
 *      reports it PENDING at once and RUNNING 3 s later, as if pulling an
 *      image took that long), STOP stops it (reported STOPPED at once),
 *      REGISTER_TARGET puts it in the load balancer (whose health check is
 *      reported healthy at once), DEREGISTER_TARGET takes it out;
 *   3. reports go back with SubmitTaskStateChange and SubmitTargetHealth;
 *   4. DescribeServices tells whether the service is steady: as many tasks
 *      RUNNING as desired, and the host runs no other task.
 *
 * Once steady it scales the service in to one task and runs the loop again.
 * It prints what it does and exits 0 when both phases reach a steady state
 * (1 when a call fails or a phase is not steady within ten simulated
 * minutes). Only the public API is used, as any host would.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ecs/ecs.h>

#define TARGET_GROUP "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
#define START_DELAY_MS 3000 /* this toy host "starts" a task in 3 s */
#define MAX_TASKS 16
#define ARN_MAX 256

/* A task this host has been told to start and has not stopped yet. */
typedef struct task {
    char cluster_arn[ARN_MAX];
    char task_arn[ARN_MAX];
    int64_t running_at_ms; /* when to report RUNNING; 0 once reported */
    bool in_target_group;  /* registered in the load balancer */
} task;

/* An order copied out of the plane: the plane's order array and its
 * strings are only valid until the next call on the plane, and reporting
 * back is such a call. */
typedef struct order {
    ecs_plane_order_kind kind;
    char cluster_arn[ARN_MAX];
    char task_arn[ARN_MAX];
    char target_id[64];
    uint32_t target_port;
} order;

typedef struct host {
    ecs_ctx *ctx;
    ecs_plane *plane;
    task tasks[MAX_TASKS];
    size_t ntasks;
} host;

static bool copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= cap)
        return false;
    memcpy(dst, src != NULL ? src : "", n + 1);
    return true;
}

/* The task id: what follows the last '/' of the ARN. */
static const char *short_id(const char *arn)
{
    const char *slash = strrchr(arn, '/');
    return slash != NULL ? slash + 1 : arn;
}

static long seconds(const host *h)
{
    return (long)((ecs_plane_now_ms(h->plane) - ECS_PLANE_DEFAULT_START_MS) / 1000);
}

/*
 * Run one ECS API action whose request is formatted from fmt (the values
 * put in here are names and ARNs, which hold nothing JSON must escape; a
 * host with arbitrary text would build requests with ecs_json_writer).
 * Returns the response, owned by the plane, or NULL after printing the ECS
 * error.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static const char *call(host *h, const char *action, const char *fmt, ...)
{
    char req[4096];
    const char *out = NULL;
    size_t out_len = 0;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(req, sizeof req, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof req) {
        fprintf(stderr, "host: %s: request too long\n", action);
        return NULL;
    }
    if (ecs_plane_call(h->plane, action, strlen(action), req, (size_t)n, &out, &out_len) != ECS_OK) {
        fprintf(stderr, "host: %s: %s: %s\n", action, ecs_plane_error_code(h->plane),
                ecs_ctx_errmsg(h->ctx));
        return NULL;
    }
    return out;
}

static bool report(host *h, const char *cluster_arn, const char *task_arn, const char *status)
{
    printf("[%4lds] report  %-8s task %s\n", seconds(h), status, short_id(task_arn));
    return call(h, "SubmitTaskStateChange", "{\"cluster\":\"%s\",\"task\":\"%s\",\"status\":\"%s\"}",
                cluster_arn, task_arn, status) != NULL;
}

/* Carry out one order, as an agent (and a load balancer) would. */
static bool carry_out(host *h, const order *o)
{
    switch (o->kind) {
    case ECS_ORDER_START:
        if (h->ntasks == MAX_TASKS) {
            fprintf(stderr, "host: more than %d tasks\n", MAX_TASKS);
            return false;
        }
        printf("[%4lds] START   task %s: pulling the image\n", seconds(h), short_id(o->task_arn));
        task *t = &h->tasks[h->ntasks++];
        memcpy(t->cluster_arn, o->cluster_arn, sizeof t->cluster_arn);
        memcpy(t->task_arn, o->task_arn, sizeof t->task_arn);
        t->running_at_ms = ecs_plane_now_ms(h->plane) + START_DELAY_MS;
        return report(h, o->cluster_arn, o->task_arn, "PENDING");
    case ECS_ORDER_STOP:
        printf("[%4lds] STOP    task %s\n", seconds(h), short_id(o->task_arn));
        for (size_t i = 0; i < h->ntasks; i++) {
            if (strcmp(h->tasks[i].task_arn, o->task_arn) == 0) {
                h->tasks[i] = h->tasks[--h->ntasks];
                break;
            }
        }
        return report(h, o->cluster_arn, o->task_arn, "STOPPED");
    case ECS_ORDER_REGISTER_TARGET:
        for (size_t i = 0; i < h->ntasks; i++) {
            if (strcmp(h->tasks[i].task_arn, o->task_arn) == 0)
                h->tasks[i].in_target_group = true;
        }
        printf("[%4lds] REGISTER_TARGET   %s:%" PRIu32 " (task %s): health check passes\n",
               seconds(h), o->target_id, o->target_port, short_id(o->task_arn));
        return call(h, "SubmitTargetHealth", "{\"cluster\":\"%s\",\"task\":\"%s\",\"state\":\"healthy\"}",
                    o->cluster_arn, o->task_arn) != NULL;
    case ECS_ORDER_DEREGISTER_TARGET:
        for (size_t i = 0; i < h->ntasks; i++) {
            if (strcmp(h->tasks[i].task_arn, o->task_arn) == 0)
                h->tasks[i].in_target_group = false;
        }
        printf("[%4lds] DEREGISTER_TARGET %s:%" PRIu32 " (task %s): connections drain\n",
               seconds(h), o->target_id, o->target_port, short_id(o->task_arn));
        return true;
    }
    return false;
}

/* One turn of the loop: step one second, carry out the orders, report the
 * tasks whose start has finished. */
static bool turn(host *h)
{
    const ecs_plane_order *orders = NULL;
    size_t norders = 0;
    order copies[4 * MAX_TASKS];
    size_t ncopies = 0;

    if (ecs_plane_step(h->plane, ecs_plane_now_ms(h->plane) + 1000, &orders, &norders) != ECS_OK) {
        fprintf(stderr, "host: step: %s\n", ecs_ctx_errmsg(h->ctx));
        return false;
    }
    for (size_t i = 0; i < norders; i++) {
        order *o = &copies[ncopies];
        if (ncopies == sizeof copies / sizeof copies[0] ||
            !copy(o->cluster_arn, sizeof o->cluster_arn, orders[i].cluster_arn) ||
            !copy(o->task_arn, sizeof o->task_arn, orders[i].task_arn) ||
            !copy(o->target_id, sizeof o->target_id, orders[i].target_id)) {
            fprintf(stderr, "host: too many orders, or one too long\n");
            return false;
        }
        o->kind = orders[i].kind;
        o->target_port = orders[i].target_port;
        ncopies++;
    }
    for (size_t i = 0; i < ncopies; i++) {
        if (!carry_out(h, &copies[i]))
            return false;
    }
    for (size_t i = 0; i < h->ntasks; i++) {
        task *t = &h->tasks[i];
        if (t->running_at_ms != 0 && ecs_plane_now_ms(h->plane) >= t->running_at_ms) {
            t->running_at_ms = 0;
            if (!report(h, t->cluster_arn, t->task_arn, "RUNNING"))
                return false;
        }
    }
    return true;
}

/*
 * DescribeServices: *steady when the service has one deployment, COMPLETED,
 * runningCount == desiredCount, and the host runs exactly that many tasks,
 * all RUNNING and in the target group (none starting, none left over).
 * *event receives the service's newest event (in buf).
 */
static bool service_state(host *h, const char *service, bool *steady, int64_t *running,
                          int64_t *desired, char *event, size_t event_cap)
{
    const char *out = call(h, "DescribeServices", "{\"cluster\":\"demo\",\"services\":[\"%s\"]}", service);
    ecs_json_doc *doc = NULL;
    const ecs_json_val *svc, *deployments;
    const char *rollout, *message;
    bool ok;

    if (out == NULL)
        return false;
    if (ecs_json_parse(h->ctx, out, strlen(out), NULL, &doc) != ECS_OK) {
        fprintf(stderr, "host: DescribeServices: %s\n", ecs_ctx_errmsg(h->ctx));
        return false;
    }
    svc = ecs_json_arr_get(ecs_json_obj_get(doc, ecs_json_root(doc), "services", 8), 0);
    deployments = ecs_json_obj_get(doc, svc, "deployments", 11);
    rollout = ecs_json_str(doc, ecs_json_obj_get(doc, ecs_json_arr_get(deployments, 0), "rolloutState", 12), NULL);
    message = ecs_json_str(doc, ecs_json_obj_get(doc, ecs_json_arr_get(ecs_json_obj_get(doc, svc, "events", 6), 0),
                                                 "message", 7), NULL);
    ok = ecs_json_get_int(ecs_json_obj_get(doc, svc, "runningCount", 12), running) == ECS_OK &&
         ecs_json_get_int(ecs_json_obj_get(doc, svc, "desiredCount", 12), desired) == ECS_OK;
    *steady = ok && ecs_json_len(deployments) == 1 && rollout != NULL && strcmp(rollout, "COMPLETED") == 0 &&
              *running == *desired && (int64_t)h->ntasks == *desired;
    for (size_t i = 0; i < h->ntasks; i++)
        *steady = *steady && h->tasks[i].running_at_ms == 0 && h->tasks[i].in_target_group;
    if (!copy(event, event_cap, message))
        copy(event, event_cap, "");
    ecs_json_doc_free(doc);
    if (!ok)
        fprintf(stderr, "host: DescribeServices: no service %s\n", service);
    return ok;
}

/* Run the loop until the service is steady (at most ten minutes). */
static bool run_until_steady(host *h, const char *service)
{
    for (int i = 0; i < 600; i++) {
        bool steady = false;
        int64_t running = 0, desired = 0;
        char event[512];
        if (!turn(h) || !service_state(h, service, &steady, &running, &desired, event, sizeof event))
            return false;
        if (steady) {
            printf("[%4lds] service %s is steady: %" PRId64 " running of %" PRId64 "\n", seconds(h),
                   service, running, desired);
            printf("[%4lds] its last event: %s\n", seconds(h), event);
            return true;
        }
    }
    fprintf(stderr, "host: service %s not steady after ten minutes\n", service);
    return false;
}

static bool setup(host *h)
{
    static const char *const zones[] = { "us-east-1a", "us-east-1b" };
    if (call(h, "CreateCluster", "{\"clusterName\":\"demo\"}") == NULL)
        return false;
    for (int i = 0; i < 2; i++) {
        /* As the ECS agent registers an EC2 instance it runs on. */
        if (call(h, "RegisterContainerInstance",
                 "{\"cluster\":\"demo\",\"instanceIdentityDocument\":"
                 "\"{\\\"instanceId\\\":\\\"i-0a0000000000000%d\\\",\\\"availabilityZone\\\":"
                 "\\\"%s\\\",\\\"instanceType\\\":\\\"m5.large\\\",\\\"region\\\":\\\"us-east-1\\\"}\","
                 "\"totalResources\":[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":2048},"
                 "{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":7680}]}",
                 i, zones[i]) == NULL)
            return false;
    }
    if (call(h, "RegisterTaskDefinition",
             "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"web\",\"image\":"
             "\"public.ecr.aws/nginx/nginx:1.27\",\"cpu\":256,\"memory\":512,\"essential\":true,"
             "\"portMappings\":[{\"containerPort\":80,\"hostPort\":0}]}]}") == NULL)
        return false;
    /* The load balancer drains a deregistered target for 5 s (ELB: 300). */
    if (call(h, "ModifyTargetGroupAttributes",
             "{\"targetGroupArn\":\"" TARGET_GROUP "\",\"attributes\":[{\"key\":"
             "\"deregistration_delay.timeout_seconds\",\"value\":\"5\"}]}") == NULL)
        return false;
    printf("[%4lds] CreateService web, 3 tasks behind target group web\n", seconds(h));
    return call(h, "CreateService",
                "{\"cluster\":\"demo\",\"serviceName\":\"web\",\"taskDefinition\":\"web\","
                "\"desiredCount\":3,\"placementStrategy\":[{\"type\":\"spread\",\"field\":"
                "\"attribute:ecs.availability-zone\"}],\"loadBalancers\":[{\"targetGroupArn\":\""
                TARGET_GROUP "\",\"containerName\":\"web\",\"containerPort\":80}]}") != NULL;
}

int main(void)
{
    ecs_plane_options opts = ECS_PLANE_OPTIONS_INIT;
    host h;
    bool ok;

    memset(&h, 0, sizeof h);
    opts.seed = 42; /* flags 0: no ECS_PLANE_F_SIMULATED_AGENTS, this host is the agent */
    if (ecs_ctx_new(NULL, &h.ctx) != ECS_OK) {
        fprintf(stderr, "host: out of memory\n");
        return 1;
    }
    if (ecs_plane_new(h.ctx, &opts, &h.plane) != ECS_OK) {
        fprintf(stderr, "host: %s\n", ecs_ctx_errmsg(h.ctx));
        ecs_ctx_free(h.ctx);
        return 1;
    }
    ok = setup(&h) && run_until_steady(&h, "web");
    if (ok) {
        printf("[%4lds] UpdateService web, desiredCount 1\n", seconds(&h));
        ok = call(&h, "UpdateService", "{\"cluster\":\"demo\",\"service\":\"web\",\"desiredCount\":1}") != NULL &&
             run_until_steady(&h, "web");
    }
    ecs_plane_free(h.plane);
    ecs_ctx_free(h.ctx);
    return ok ? 0 : 1;
}
