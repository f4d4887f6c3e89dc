/*
 * ecs-sim: drives a libecs control plane with ECS API calls read as JSON
 * Lines, on a simulated clock, and prints one JSON line per call.
 *
 *   ecs-sim [--seed N] [--agent auto|manual] [--lenient] [FILE]
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

#include "serve.h"

typedef struct sim {
    ecs_ctx *ctx;
    ecs_plane *plane;
    ecs_json_writer *w;
    bool manual_agent;
} sim;

static void usage(FILE *f)
{
    fputs("usage: ecs-sim [--seed N] [--agent auto|manual] [--lenient] [--subnets ID=ZONE,...] [FILE]\n"
          "       ecs-sim --serve [ADDR:]PORT [--frozen-time]\n"
          "               [--credentials ACCESS_KEY:SECRET | --credentials-file FILE] [...]\n"
          "\n"
          "Reads ECS API calls as JSON Lines from FILE (or standard input when FILE is\n"
          "absent or -), runs them on a libecs control plane with a simulated clock,\n"
          "and prints one JSON line per call.\n"
          "\n"
          "  --seed N          seed of every random choice (default 0)\n"
          "  --agent auto      simulated agents carry out what the control plane asks\n"
          "                    (the default)\n"
          "  --agent manual    tasks change only through SubmitTaskStateChange calls\n"
          "  --lenient         accept pasted DescribeTaskDefinition output in\n"
          "                    RegisterTaskDefinition (read-only members are dropped)\n"
          "  --subnets ID=ZONE[,ID=ZONE...]\n"
          "                    declare subnets and their availability zones at start,\n"
          "                    as the RegisterSubnets action does (for awsvpc tasks and\n"
          "                    services; handy with --serve, where the AWS CLI cannot\n"
          "                    call extension actions)\n"
          "  --serve [ADDR:]PORT\n"
          "                    serve the ECS API over HTTP (AWS JSON 1.1 protocol, for the\n"
          "                    AWS CLI and SDKs with --endpoint-url) on ADDR (default\n"
          "                    127.0.0.1) instead of reading JSON Lines; port 0 picks a\n"
          "                    free port; the address bound is printed on standard error\n"
          "  --frozen-time     with --serve: time stays put and moves only with the\n"
          "                    AdvanceTime action (default: it follows the wall clock)\n"
          "  --credentials ACCESS_KEY:SECRET\n"
          "                    with --serve: requests must carry a valid AWS Signature\n"
          "                    Version 4 by this key (service ecs, region us-east-1)\n"
          "  --credentials-file FILE\n"
          "                    the same with ACCESS_KEY:SECRET lines read from FILE\n"
          "  --help            this text\n"
          "\n"
          "Input line:  {\"action\": NAME, \"request\": {...}}\n"
          "Output line: {\"action\": NAME, \"response\": {...}} or\n"
          "             {\"action\": NAME, \"error\": {\"code\": CODE, \"message\": TEXT}}\n"
          "Extension:   {\"action\": \"AdvanceTime\", \"request\": {\"seconds\": N}}\n"
          "The clock starts at 2026-01-01T00:00:00Z (1767225600).\n",
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
    if (ecs_plane_step(s->plane, now, &orders, &norders) != ECS_OK) {
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
            fputs(orders[i].kind == ECS_ORDER_STOP ? "\"STOP\"" : "\"START\"", out);
            fputs(",\"clusterArn\":", out);
            put_json_string(s, out, orders[i].cluster_arn, strlen(orders[i].cluster_arn));
            fputs(",\"taskArn\":", out);
            put_json_string(s, out, orders[i].task_arn, strlen(orders[i].task_arn));
            if (orders[i].container_instance_arn != NULL) {
                fputs(",\"containerInstanceArn\":", out);
                put_json_string(s, out, orders[i].container_instance_arn,
                                strlen(orders[i].container_instance_arn));
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
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "ecs-sim: unknown option %s\n", a);
            usage(stderr);
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
    while ((n = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (blank_or_comment(line, len))
            continue;
        handle_line(&s, out, line, len);
        fflush(out);
    }
    free(line);
    if (in != stdin)
        fclose(in);
    ecs_json_writer_free(s.w);
    ecs_plane_free(s.plane);
    ecs_ctx_free(s.ctx);
    return ferror(out) ? 1 : 0;
}
