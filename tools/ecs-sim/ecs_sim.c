/*
 * ecs-sim: drives a libecs control plane with ECS API calls read as JSON
 * Lines, on a simulated clock, and prints one JSON line per call.
 *
 *   ecs-sim [--seed N] [--agent auto|manual] [--lenient] [--subnets ...] [FILE]
 *   ecs-sim --serve [ADDR:]PORT [...]       (serve.c)
 *
 * usage() below is the manual (ecs-sim --help); the README's ECS-SIM
 * section says the same at more length, with an example for each part.
 *
 * Each input line is {"action": NAME, "request": {...}} ("request" may be
 * left out). Blank lines and lines starting with '#' are skipped. For each
 * call one line goes to standard output, flushed at once:
 *   {"action": NAME, "response": {...}}                  on success
 *   {"action": NAME, "error": {"code": C, "message": M}}  on an ECS error
 *   {"error": {"code": "SerializationException", ...}}    for a line that is
 *                                                         not a call
 * The clock starts at 2026-01-01T00:00:00Z and moves only with the
 * extension action AdvanceTime {"seconds": N}, whose response holds "now"
 * (epoch seconds) and the "events" of the interval.
 *
 * ecs-sim uses only libecs's public API, as any host would.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ecs/ecs.h>

#include "progress.h"
#include "record.h"
#include "serve.h"

typedef struct sim {
    ecs_ctx *ctx;
    ecs_plane *plane;
    ecs_json_writer *w;
    bool manual_agent;
    rec *rec; /* --pretty, --timeline, --cluster-map (record.c); else NULL */
} sim;

static void usage(FILE *f)
{
    fputs("usage: ecs-sim [--seed N] [--agent auto|manual] [--lenient]\n"
          "               [--subnets ID=ZONE,...] [FILE]\n"
          "       ecs-sim --serve [ADDR:]PORT [--frozen-time]\n"
          "               [--credentials ACCESS_KEY:SECRET] [--credentials-file FILE]\n"
          "               [--seed N] [--agent auto|manual] [--lenient]\n"
          "               [--subnets ID=ZONE,...]\n"
          "       ecs-sim --help\n"
          "\n"
          "Runs ECS API calls on a libecs control plane with a simulated clock. It\n"
          "reads them as JSON Lines from FILE (standard input when FILE is absent or\n"
          "-) and prints one JSON line per call; with --serve it answers them over\n"
          "HTTP instead, as the AWS CLI and SDKs send them.\n"
          "\n"
          "Options:\n"
          "  --seed N          seed of every random choice (ids, placement ties),\n"
          "                    0 to 2^64-1 (default 0): the same seed and the same\n"
          "                    input give the same output, byte for byte\n"
          "  --agent auto      simulated agents carry out what the control plane\n"
          "                    asks: tasks start and stop as time moves (the default)\n"
          "  --agent manual    no agents: tasks change only through\n"
          "                    SubmitTaskStateChange, and each AdvanceTime answer\n"
          "                    lists the orders the host's agents must carry out\n"
          "  --lenient         accept pasted DescribeTaskDefinition output in\n"
          "                    RegisterTaskDefinition: the {\"taskDefinition\": ...}\n"
          "                    wrapper, read-only members and nulls are dropped\n"
          "  --subnets ID=ZONE[,ID=ZONE...]\n"
          "                    declare subnets and their availability zones at start,\n"
          "                    as the RegisterSubnets action does (awsvpc tasks and\n"
          "                    Fargate need them; handy with --serve, where the AWS\n"
          "                    CLI cannot call extension actions)\n",
          f);
    fputs("  --pretty          print what happens for people instead of JSON: one\n"
          "                    aligned line per event in time order (calls, placements,\n"
          "                    task states, deployment counts with their lower and\n"
          "                    upper bounds, breaker trips, rollbacks, errors), then a\n"
          "                    summary (tasks started and stopped, placements per\n"
          "                    strategy, failures by reason, simulated and wall time)\n"
          "  --color WHEN      with --pretty: always, never or auto (the default:\n"
          "                    colour when standard output is a terminal and NO_COLOR\n"
          "                    is unset or empty); --color=WHEN also works\n"
          "  --timeline FILE.svg\n"
          "                    at the end, write a rollout timeline: tasks per\n"
          "                    deployment over simulated time, the minimum-healthy and\n"
          "                    maximum bounds, breaker, rollback and completion marked\n"
          "  --cluster-map FILE.svg\n"
          "                    at the end, write a cluster map: instances by zone, their\n"
          "                    CPU and memory filled by their tasks (Fargate per zone)\n"
          "                    (both pictures leave the JSON output as it is; a progress\n"
          "                    line shows on standard error, when it is a terminal,\n"
          "                    for runs longer than a second)\n",
          f);
    fputs("  --serve [ADDR:]PORT\n"
          "                    serve the ECS API over HTTP (AWS JSON 1.1, POST / with\n"
          "                    X-Amz-Target) on ADDR (default 127.0.0.1) instead of\n"
          "                    reading JSON Lines; port 0 picks a free port; the\n"
          "                    address bound is printed on standard error; SIGINT or\n"
          "                    SIGTERM stops it\n"
          "  --frozen-time     with --serve: the clock stays put and moves only with\n"
          "                    AdvanceTime (default: it follows the wall clock)\n"
          "  --credentials ACCESS_KEY:SECRET\n"
          "                    with --serve: every request must carry a valid AWS\n"
          "                    Signature Version 4 by this key (service ecs, region\n"
          "                    us-east-1, dated within 15 minutes)\n"
          "  --credentials-file FILE\n"
          "                    the same with ACCESS_KEY:SECRET lines read from FILE\n"
          "                    (blank lines and lines starting with # are skipped)\n"
          "  --help, -h        this text\n"
          "\n"
          "Input and output (JSON Lines):\n"
          "  in    {\"action\": NAME, \"request\": {...}}   (\"request\" may be left out);\n"
          "        blank lines and lines starting with # are skipped\n"
          "  out   {\"action\": NAME, \"response\": {...}}                    success\n"
          "        {\"action\": NAME, \"error\": {\"code\": CODE, \"message\": TEXT}}\n"
          "                                                   an ECS error, such as\n"
          "                              ClusterNotFoundException or ClientException\n"
          "        {\"error\": {\"code\": \"SerializationException\", \"message\": TEXT}}\n"
          "                       a line that is not JSON or has no \"action\" string\n"
          "  One line per call, in order, flushed at once, so another program can\n"
          "  drive ecs-sim through a pipe; reading goes on after every error. The\n"
          "  clock starts at 2026-01-01T00:00:00Z (epoch 1767225600) and moves only\n"
          "  with AdvanceTime; timestamps in responses are epoch seconds.\n"
          "\n",
          f);
    fputs("Extension actions (libecs's own, not ECS's; \"e.g.\" shows a request):\n"
          "  AdvanceTime {\"seconds\": N}\n"
          "      moves the clock N seconds (0 to 1e9): the service scheduler and the\n"
          "      agents run; answers {\"now\": EPOCH_SECONDS, \"events\": []} and, with\n"
          "      --agent manual, \"orders\": [{\"order\": \"START\"|\"STOP\"|\n"
          "      \"REGISTER_TARGET\"|\"DEREGISTER_TARGET\", \"clusterArn\", \"taskArn\",\n"
          "      \"containerInstanceArn\"?, \"targetGroupArn\"?, \"targetId\"?,\n"
          "      \"targetPort\"?}]              e.g. {\"seconds\": 60}\n"
          "  RegisterSubnets {\"subnets\": [{\"subnetId\", \"availabilityZone\"}]}\n"
          "      declares subnets and their zones, for awsvpc tasks\n"
          "      e.g. {\"subnets\": [{\"subnetId\": \"subnet-a\",\n"
          "                         \"availabilityZone\": \"us-east-1a\"}]}\n"
          "  SetFargateCapacity {\"maxTasks\": N}\n"
          "      limits live Fargate tasks per cluster (0, the default: no limit)\n"
          "      e.g. {\"maxTasks\": 2}\n"
          "  SubmitContainerHealth {\"cluster\", \"task\", \"containerName\",\n"
          "                         \"healthStatus\": \"HEALTHY\"|\"UNHEALTHY\"|\"UNKNOWN\"}\n"
          "      an agent's report of a container's health check\n"
          "      e.g. {\"cluster\": \"demo\", \"task\": \"TASK_ID\", \"containerName\": \"web\",\n"
          "            \"healthStatus\": \"HEALTHY\"}\n"
          "  SubmitTargetHealth {\"cluster\", \"task\", \"state\": \"healthy\"|\"unhealthy\"}\n"
          "      what the load balancer's health checks say of a task's targets\n"
          "      e.g. {\"cluster\": \"demo\", \"task\": \"TASK_ID\", \"state\": \"unhealthy\"}\n"
          "  ModifyTargetGroupAttributes {\"targetGroupArn\", \"attributes\": [{\"key\":\n"
          "      \"deregistration_delay.timeout_seconds\", \"value\": \"0\"..\"3600\"}]}\n"
          "      how long a deregistered target drains before its task stops\n"
          "      (default 300 s)\n"
          "      e.g. {\"targetGroupArn\": \"TARGET_GROUP_ARN\", \"attributes\": [{\"key\":\n"
          "            \"deregistration_delay.timeout_seconds\", \"value\": \"30\"}]}\n"
          "  SetAlarmState {\"alarmName\", \"stateValue\": \"ALARM\"|\"OK\"|\n"
          "                 \"INSUFFICIENT_DATA\", \"stateReason\"?}\n"
          "      a CloudWatch alarm's state: a rollout whose service watches the\n"
          "      alarm fails (and rolls back if asked) when it goes into ALARM\n"
          "      e.g. {\"alarmName\": \"web-5xx\", \"stateValue\": \"ALARM\"}\n"
          "  PreviewDeployment {\"cluster\", \"service\", \"desiredCount\"?,\n"
          "                     \"minimumHealthyPercent\"?, \"maximumPercent\"?}\n"
          "      plays a rollout of the service forward and answers each step's\n"
          "      counts; changes nothing\n"
          "      e.g. {\"cluster\": \"demo\", \"service\": \"web\", \"maximumPercent\": 150}\n"
          "  UpdateServiceOptions {\"cluster\", \"service\", \"spreadNewRevisionOnly\"}\n"
          "      spread strategies count only the tasks of the deployment placed\n"
          "      e.g. {\"cluster\": \"demo\", \"service\": \"web\",\n"
          "            \"spreadNewRevisionOnly\": true}\n"
          "\n",
          f);
    fputs("Simulated agent (--agent auto): a placed task is PENDING after 1 s and\n"
          "RUNNING after 5 s; a stopped one is STOPPED 2 s after the order; a\n"
          "container with a healthCheck turns HEALTHY after its interval; targets\n"
          "turn healthy 10 s after the task starts. dockerLabels on a container\n"
          "change that (values are strings; seconds are whole numbers):\n"
          "  libecs.sim.start-seconds          seconds from placement to RUNNING\n"
          "  libecs.sim.fail-start             the task never runs: it stops with\n"
          "                                    stopCode TaskFailedToStart, this text\n"
          "                                    as its reason\n"
          "  libecs.sim.exit-after-seconds     the container exits after running so\n"
          "                                    long; an essential one stops its task\n"
          "  libecs.sim.exit-code              its exit code (default 1)\n"
          "  libecs.sim.unhealthy-after-seconds\n"
          "                                    a container with a healthCheck turns\n"
          "                                    UNHEALTHY after running so long\n"
          "  libecs.sim.stop-seconds           seconds from the stop order to STOPPED\n"
          "  libecs.sim.target-unhealthy-after-seconds\n"
          "                                    the task's load-balancer targets turn\n"
          "                                    unhealthy after it has run so long\n"
          "  e.g. \"dockerLabels\": {\"libecs.sim.start-seconds\": \"30\"}\n"
          "\n"
          "Exit status: 0 when the input was read to its end (ECS errors included)\n"
          "or the server was stopped by a signal; 1 when standard output could not\n"
          "be written; 2 for a bad command line, an input file that cannot be\n"
          "opened, or a server that cannot start.\n"
          "\n"
          "Examples:\n"
          "  ecs-sim examples/quickstart.jsonl\n"
          "  printf '%s\\n' '{\"action\":\"CreateCluster\",\"request\":{\"clusterName\":\"demo\"}}' \\\n"
          "      '{\"action\":\"AdvanceTime\",\"request\":{\"seconds\":60}}' | ecs-sim --seed 7\n"
          "  ecs-sim --agent manual examples/services.jsonl\n"
          "  ecs-sim --serve 8080 --subnets subnet-a=us-east-1a,subnet-b=us-east-1b\n"
          "  aws ecs list-clusters --endpoint-url http://127.0.0.1:8080\n"
          "\n"
          "The README's ECS-SIM section has a copy-paste example for each option and\n"
          "extension action, and lists the ECS actions served.\n",
          f);
}

/* Write `text` as a JSON string (quotes included) to out. */
static void put_json_string(sim *s, FILE *out, const char *text, size_t len)
{
    const char *js;
    size_t jl;
    ecs_json_writer_reset(s->w);
    if (ecs_json_write_str(s->w, text, len) != ECS_OK ||
        ecs_json_writer_result(s->w, &js, &jl) != ECS_OK) {
        fputs("\"(not valid UTF-8)\"", out);
        return;
    }
    fwrite(js, 1, jl, out);
}

static void put_error(sim *s, FILE *out, const char *action, size_t alen, const char *code,
                      const char *message)
{
    fputc('{', out);
    if (action != NULL) {
        fputs("\"action\":", out);
        put_json_string(s, out, action, alen);
        fputc(',', out);
    }
    fputs("\"error\":{\"code\":", out);
    put_json_string(s, out, code, strlen(code));
    fputs(",\"message\":", out);
    put_json_string(s, out, message, strlen(message));
    fputs("}}\n", out);
    if (s->rec != NULL)
        rec_error(s->rec, action, alen, code, message);
}

/* AdvanceTime {"seconds": N}: the only action ecs-sim adds to the API. */
static void advance_time(sim *s, FILE *out, const ecs_json_doc *doc, const ecs_json_val *req)
{
    static const char name[] = "AdvanceTime";
    const ecs_json_val *sec = ecs_json_obj_get(doc, req, "seconds", 7);
    double secs = 0;
    int64_t now;
    char buf[160];
    const ecs_plane_order *orders = NULL;
    size_t norders = 0;

    if (req != NULL && ecs_json_type_of(req) != ECS_JSON_OBJECT) {
        put_error(s, out, name, sizeof name - 1, "SerializationException",
                  "request must be a JSON object");
        return;
    }
    if (sec == NULL || ecs_json_get_double(sec, &secs) != ECS_OK || !(secs >= 0) ||
        secs > 1e9) {
        put_error(s, out, name, sizeof name - 1, "InvalidParameterException",
                  "seconds: a number of seconds from 0 to 1000000000 is required.");
        return;
    }
    now = ecs_plane_now_ms(s->plane) + (int64_t)(secs * 1000.0 + 0.5);
    /* the recorder plays the interval second by second on a copy of the
     * plane for the views, then takes this same one step */
    if ((s->rec != NULL ? rec_advance(s->rec, now, &orders, &norders)
                        : ecs_plane_step(s->plane, now, &orders, &norders)) != ECS_OK) {
        put_error(s, out, name, sizeof name - 1, "ServerException", ecs_ctx_errmsg(s->ctx));
        return;
    }
    snprintf(buf, sizeof buf, "{\"action\":\"AdvanceTime\",\"response\":{\"now\":%lld.%03lld,\"events\":[]",
             (long long)(now / 1000), (long long)(now % 1000));
    fputs(buf, out);
    if (s->manual_agent) {
        /* what the host's agents must do: the orders of this step */
        fputs(",\"orders\":[", out);
        for (size_t i = 0; i < norders; i++) {
            fputs(i ? ",{\"order\":" : "{\"order\":", out);
            fputs(orders[i].kind == ECS_ORDER_STOP                ? "\"STOP\""
                  : orders[i].kind == ECS_ORDER_REGISTER_TARGET   ? "\"REGISTER_TARGET\""
                  : orders[i].kind == ECS_ORDER_DEREGISTER_TARGET ? "\"DEREGISTER_TARGET\""
                                                                  : "\"START\"",
                  out);
            fputs(",\"clusterArn\":", out);
            put_json_string(s, out, orders[i].cluster_arn, strlen(orders[i].cluster_arn));
            fputs(",\"taskArn\":", out);
            put_json_string(s, out, orders[i].task_arn, strlen(orders[i].task_arn));
            if (orders[i].container_instance_arn != NULL) {
                fputs(",\"containerInstanceArn\":", out);
                put_json_string(s, out, orders[i].container_instance_arn,
                                strlen(orders[i].container_instance_arn));
            }
            if (orders[i].target_group_arn != NULL) {
                /* target orders: the target group, the target and its port */
                char port[32];
                fputs(",\"targetGroupArn\":", out);
                put_json_string(s, out, orders[i].target_group_arn, strlen(orders[i].target_group_arn));
                fputs(",\"targetId\":", out);
                put_json_string(s, out, orders[i].target_id, strlen(orders[i].target_id));
                snprintf(port, sizeof port, ",\"targetPort\":%u", (unsigned)orders[i].target_port);
                fputs(port, out);
            }
            fputs("}", out);
        }
        fputs("]", out);
    }
    fputs("}}\n", out);
}

/* --subnets ID=ZONE[,ID=ZONE...]: RegisterSubnets before anything else. */
static int declare_subnets(sim *s, const char *list)
{
    const char *p = list, *out;
    ecs_json_writer_reset(s->w);
    ecs_json_write_obj_begin(s->w);
    ecs_json_write_key(s->w, "subnets", 7);
    ecs_json_write_arr_begin(s->w);
    while (*p != '\0') {
        const char *end = strchr(p, ','), *eq;
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        eq = memchr(p, '=', n);
        if (eq == NULL || eq == p || eq == p + n - 1) {
            fprintf(stderr, "ecs-sim: --subnets takes ID=ZONE pairs separated by commas, as in "
                            "subnet-a=us-east-1a,subnet-b=us-east-1b\n");
            return 2;
        }
        ecs_json_write_obj_begin(s->w);
        ecs_json_write_key(s->w, "subnetId", 8);
        ecs_json_write_str(s->w, p, (size_t)(eq - p));
        ecs_json_write_key(s->w, "availabilityZone", 16);
        ecs_json_write_str(s->w, eq + 1, n - (size_t)(eq - p) - 1);
        ecs_json_write_obj_end(s->w);
        p += n;
        if (*p == ',')
            p++;
    }
    ecs_json_write_arr_end(s->w);
    ecs_json_write_obj_end(s->w);
    {
        const char *req;
        size_t req_len;
        if (ecs_json_writer_result(s->w, &req, &req_len) != ECS_OK ||
            ecs_plane_call(s->plane, "RegisterSubnets", 15, req, req_len, &out, NULL) != ECS_OK) {
            fprintf(stderr, "ecs-sim: --subnets: %s\n", ecs_ctx_errmsg(s->ctx));
            return 2;
        }
    }
    return 0;
}

static void handle_line(sim *s, FILE *out, const char *line, size_t len)
{
    ecs_json_doc *doc = NULL;
    const ecs_json_val *root, *action, *req;
    const char *name, *resp = NULL, *reqtext = NULL;
    char *owned = NULL;
    size_t nlen = 0, resp_len = 0, reqlen = 0, owned_len = 0;
    ecs_status rc;

    if (ecs_json_parse(s->ctx, line, len, NULL, &doc) != ECS_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "line is not valid JSON: %s", ecs_ctx_errmsg(s->ctx));
        put_error(s, out, NULL, 0, "SerializationException", msg);
        return;
    }
    root = ecs_json_root(doc);
    action = ecs_json_obj_get(doc, root, "action", 6);
    name = ecs_json_str(doc, action, &nlen);
    if (ecs_json_type_of(root) != ECS_JSON_OBJECT || name == NULL) {
        put_error(s, out, NULL, 0, "SerializationException",
                  "each line must be a JSON object with a string member \"action\"");
        ecs_json_doc_free(doc);
        return;
    }
    req = ecs_json_obj_get(doc, root, "request", 7);
    if (nlen == 11 && memcmp(name, "AdvanceTime", 11) == 0) {
        advance_time(s, out, doc, req);
        ecs_json_doc_free(doc);
        return;
    }
    if (req != NULL) {
        if (ecs_json_write_text(s->ctx, doc, req, 0, &owned, &owned_len) != ECS_OK) {
            put_error(s, out, name, nlen, "ServerException", ecs_ctx_errmsg(s->ctx));
            ecs_json_doc_free(doc);
            return;
        }
        reqtext = owned;
        reqlen = owned_len;
    }
    rc = ecs_plane_call(s->plane, name, nlen, reqtext, reqlen, &resp, &resp_len);
    if (rc == ECS_OK) {
        fputs("{\"action\":", out);
        put_json_string(s, out, name, nlen);
        fputs(",\"response\":", out);
        fwrite(resp, 1, resp_len, out);
        fputs("}\n", out);
        if (s->rec != NULL)
            rec_call(s->rec, name, nlen, reqtext, reqlen, resp, resp_len);
    } else {
        put_error(s, out, name, nlen, ecs_plane_error_code(s->plane), ecs_ctx_errmsg(s->ctx));
    }
    ecs_json_text_free(s->ctx, owned, owned_len);
    ecs_json_doc_free(doc);
}

static bool blank_or_comment(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = line[i];
        if (c == '#')
            return true;
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return false;
    }
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (*s == '\0' || *s == '-')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    ecs_plane_options popts = ECS_PLANE_OPTIONS_INIT;
    sim_serve_options sopts = { NULL, false, NULL, NULL, NULL };
    const char *path = NULL, *subnets = NULL;
    FILE *in = stdin, *out = stdout;
    sim s;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    rec_options ropts = { false, false, NULL, NULL };
    pretty_color_mode color = PRETTY_COLOR_AUTO;
    progress prog;
    int exit_status = 0;

    memset(&s, 0, sizeof s);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &popts.seed)) {
                fprintf(stderr, "ecs-sim: --seed takes a number from 0 to 2^64-1\n");
                return 2;
            }
        } else if (strcmp(a, "--agent") == 0 && i + 1 < argc) {
            const char *m = argv[++i];
            if (strcmp(m, "manual") == 0)
                s.manual_agent = true;
            else if (strcmp(m, "auto") != 0) {
                fprintf(stderr, "ecs-sim: --agent takes auto or manual\n");
                return 2;
            }
        } else if (strcmp(a, "--subnets") == 0 && i + 1 < argc) {
            subnets = argv[++i];
        } else if (strcmp(a, "--lenient") == 0) {
            popts.flags |= ECS_PLANE_F_LENIENT_TASKDEF;
        } else if (strcmp(a, "--serve") == 0 && i + 1 < argc) {
            sopts.listen = argv[++i];
        } else if (strcmp(a, "--frozen-time") == 0) {
            sopts.frozen_time = true;
        } else if (strcmp(a, "--credentials") == 0 && i + 1 < argc) {
            sopts.credentials = argv[++i];
        } else if (strcmp(a, "--credentials-file") == 0 && i + 1 < argc) {
            sopts.credentials_file = argv[++i];
        } else if (strcmp(a, "--pretty") == 0) {
            ropts.pretty = true;
        } else if ((strcmp(a, "--color") == 0 && i + 1 < argc) || strncmp(a, "--color=", 8) == 0) {
            if (!pretty_parse_color(a[7] == '=' ? a + 8 : argv[++i], &color)) {
                fprintf(stderr, "ecs-sim: --color takes always, never or auto\n");
                return 2;
            }
        } else if (strcmp(a, "--timeline") == 0 && i + 1 < argc) {
            ropts.timeline_path = argv[++i];
        } else if (strcmp(a, "--cluster-map") == 0 && i + 1 < argc) {
            ropts.cluster_map_path = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "ecs-sim: unknown option %s (ecs-sim --help lists them)\n", a);
            return 2;
        } else if (path == NULL) {
            path = a;
        } else {
            fprintf(stderr, "ecs-sim: only one input file\n");
            return 2;
        }
    }
    if (sopts.listen == NULL && (sopts.frozen_time || sopts.credentials != NULL ||
                                 sopts.credentials_file != NULL)) {
        fprintf(stderr, "ecs-sim: --frozen-time and --credentials go with --serve\n");
        return 2;
    }
    if (sopts.listen != NULL && path != NULL) {
        fprintf(stderr, "ecs-sim: --serve reads no input file\n");
        return 2;
    }
    if (sopts.listen != NULL && (ropts.pretty || ropts.timeline_path != NULL ||
                                 ropts.cluster_map_path != NULL)) {
        fprintf(stderr, "ecs-sim: --pretty, --timeline and --cluster-map go with JSON Lines input, "
                        "not --serve\n");
        return 2;
    }
    if (sopts.listen != NULL && !sopts.frozen_time)
        popts.start_ms = sim_serve_wall_ms();
    if (path != NULL && strcmp(path, "-") != 0) {
        in = fopen(path, "r");
        if (in == NULL) {
            fprintf(stderr, "ecs-sim: cannot open %s: %s\n", path, strerror(errno));
            return 2;
        }
    }
    if (!s.manual_agent)
        popts.flags |= ECS_PLANE_F_SIMULATED_AGENTS;
    if (ecs_ctx_new(NULL, &s.ctx) != ECS_OK || ecs_plane_new(s.ctx, &popts, &s.plane) != ECS_OK ||
        ecs_json_writer_new(s.ctx, 0, &s.w) != ECS_OK) {
        fprintf(stderr, "ecs-sim: cannot start: %s\n", ecs_ctx_errmsg(s.ctx));
        return 2;
    }
    if (subnets != NULL && declare_subnets(&s, subnets) != 0) {
        ecs_json_writer_free(s.w);
        ecs_plane_free(s.plane);
        ecs_ctx_free(s.ctx);
        return 2;
    }
    if (sopts.listen != NULL) {
        int status = sim_serve_run(&sopts, s.ctx, s.plane);
        ecs_json_writer_free(s.w);
        ecs_plane_free(s.plane);
        ecs_ctx_free(s.ctx);
        return status;
    }
    progress_init(&prog, true);
    if (ropts.pretty || ropts.timeline_path != NULL || ropts.cluster_map_path != NULL) {
        ropts.color = ropts.pretty && pretty_color_wanted(color);
        s.rec = rec_new(s.ctx, s.plane, &ropts, &prog);
        /* the human view takes standard output's place: no JSON then */
        if (s.rec == NULL || (ropts.pretty && (out = fopen("/dev/null", "w")) == NULL)) {
            fprintf(stderr, "ecs-sim: cannot start the recorder\n");
            return 2;
        }
    }
    while ((n = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (blank_or_comment(line, len))
            continue;
        progress_before_output(&prog);
        handle_line(&s, out, line, len);
        fflush(out);
        if (s.rec != NULL)
            rec_sample(s.rec);
        progress_call(&prog, ecs_plane_now_ms(s.plane) - ECS_PLANE_DEFAULT_START_MS);
    }
    progress_end(&prog);
    free(line);
    if (in != stdin)
        fclose(in);
    if (s.rec != NULL) {
        exit_status = rec_finish(s.rec);
        rec_free(s.rec);
    }
    ecs_json_writer_free(s.w);
    ecs_plane_free(s.plane);
    ecs_ctx_free(s.ctx);
    if (ferror(out) || ferror(stdout))
        exit_status = 1;
    if (out != stdout)
        fclose(out);
    return exit_status;
}
