/*
 * One request of the AWS JSON 1.1 protocol, turned into a call on the
 * control plane: POST / with "X-Amz-Target: AmazonEC2ContainerServiceV20141113.
 * <Action>" and "Content-Type: application/x-amz-json-1.1". The plane's
 * response document comes back with 200; an ECS error comes back as the
 * plane writes it, {"__type": CODE, "message": TEXT}, with 400 (500 for
 * ServerException), which is what botocore reads to raise the modelled
 * exception class. Requests that are not the protocol (another method,
 * another content type, a target outside ECS) get the protocol's
 * UnknownOperationException; with credentials configured, an unsigned or
 * badly signed request gets the authentication errors of sigv4.c first.
 *
 * AdvanceTime {"seconds": N}, ecs-sim's extension, is answered here: it
 * moves the simulated clock, which otherwise follows the wall clock (or
 * stays put with --frozen-time).
 */
#include "serve_internal.h"

#include <stdio.h>
#include <string.h>

static const char k_target_prefix[] = "AmazonEC2ContainerServiceV20141113.";

void sim_serve_error(sim_server *srv, int status, const char *code, const char *message,
                     sim_reply *out)
{
    const char *doc = NULL;
    size_t len = 0;
    ecs_json_writer *w = srv->w;
    ecs_status rc;

    memset(out, 0, sizeof *out);
    out->status = status;
    ecs_json_writer_reset(w);
    rc = ecs_json_write_obj_begin(w);
    if (rc == ECS_OK)
        rc = ecs_json_write_key(w, "__type", 6);
    if (rc == ECS_OK)
        rc = ecs_json_write_str(w, code, strlen(code));
    if (rc == ECS_OK)
        rc = ecs_json_write_key(w, "message", 7);
    if (rc == ECS_OK && ecs_json_write_str(w, message, strlen(message)) != ECS_OK) {
        /* The message quoted bytes that are not UTF-8: say less. */
        ecs_json_writer_reset(w);
        sim_serve_error(srv, status, code, "(the message quoted bytes that are not UTF-8)", out);
        return;
    }
    if (rc == ECS_OK)
        rc = ecs_json_write_obj_end(w);
    if (rc == ECS_OK)
        rc = ecs_json_writer_result(w, &doc, &len);
    if (rc != ECS_OK) {
        static const char oom[] = "{\"__type\":\"ServerException\",\"message\":\"out of memory\"}";
        out->status = 500;
        doc = oom;
        len = sizeof oom - 1;
    }
    out->body = doc;
    out->body_len = len;
}

static int64_t simulated_wall_ms(const sim_server *srv)
{
    return sim_serve_wall_ms() + srv->offset_ms;
}

/* Before each call: the plane's clock follows the wall clock, unless frozen. */
static void sync_time(sim_server *srv)
{
    int64_t target;
    if (srv->frozen_time)
        return;
    target = simulated_wall_ms(srv);
    if (target > ecs_plane_now_ms(srv->plane))
        (void)ecs_plane_set_time(srv->plane, target);
}

static void advance_time(sim_server *srv, const char *body, size_t body_len, sim_reply *out)
{
    ecs_json_doc *doc = NULL;
    const ecs_json_val *root, *sec;
    double secs = 0;
    int64_t now;

    if (body_len > 0) {
        if (ecs_json_parse(srv->ctx, body, body_len, NULL, &doc) != ECS_OK) {
            char msg[600];
            snprintf(msg, sizeof msg, "request body is not valid JSON: %s",
                     ecs_ctx_errmsg(srv->ctx));
            sim_serve_error(srv, 400, "SerializationException", msg, out);
            return;
        }
    }
    root = doc != NULL ? ecs_json_root(doc) : NULL;
    if (root != NULL && ecs_json_type_of(root) != ECS_JSON_OBJECT) {
        ecs_json_doc_free(doc);
        sim_serve_error(srv, 400, "SerializationException", "request must be a JSON object", out);
        return;
    }
    sec = root != NULL ? ecs_json_obj_get(doc, root, "seconds", 7) : NULL;
    if (sec == NULL || ecs_json_get_double(sec, &secs) != ECS_OK || !(secs >= 0) || secs > 1e9) {
        ecs_json_doc_free(doc);
        sim_serve_error(srv, 400, "InvalidParameterException",
                        "seconds: a number of seconds from 0 to 1000000000 is required.", out);
        return;
    }
    ecs_json_doc_free(doc);
    sync_time(srv);
    now = ecs_plane_now_ms(srv->plane) + (int64_t)(secs * 1000.0 + 0.5);
    if (ecs_plane_set_time(srv->plane, now) != ECS_OK) {
        sim_serve_error(srv, 500, "ServerException", ecs_ctx_errmsg(srv->ctx), out);
        return;
    }
    if (!srv->frozen_time)
        srv->offset_ms = now - sim_serve_wall_ms();
    memset(out, 0, sizeof *out);
    out->status = 200;
    out->body_len = (size_t)snprintf(srv->advance_buf, sizeof srv->advance_buf,
                                     "{\"now\":%lld.%03lld,\"events\":[]}",
                                     (long long)(now / 1000), (long long)(now % 1000));
    out->body = srv->advance_buf;
}

/* "application/x-amz-json-1.1", optionally followed by parameters. */
static bool json11_content_type(const sim_http_field *f)
{
    static const char want[] = "application/x-amz-json-1.1";
    size_t n = sizeof want - 1, end;
    if (f == NULL || f->value_len < n || !sim_http_eq_nocase(f->value, n, want))
        return false;
    end = n;
    while (end < f->value_len && (f->value[end] == ' ' || f->value[end] == '\t'))
        end++;
    return end == f->value_len || f->value[end] == ';';
}

/* Quote up to 64 bytes of a request value in a message, visible ASCII only. */
static void quote_value(char *dst, size_t cap, const char *v, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < 64 && o + 2 < cap; i++)
        dst[o++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
    dst[o] = '\0';
}

void sim_serve_handle(sim_server *srv, const sim_http_request *req, const char *body,
                      size_t body_len, sim_reply *out)
{
    const sim_http_field *target, *ctype;
    const char *action, *resp = NULL;
    size_t action_len, resp_len = 0, plen = sizeof k_target_prefix - 1;
    char msg[400], quoted[80];
    ecs_status rc;

    memset(out, 0, sizeof *out);
    if (srv->auth) {
        sim_sigv4_error err;
        if (!sim_sigv4_check(&srv->sigv4, req, body, body_len, sim_serve_wall_ms() / 1000,
                             &err)) {
            sim_serve_error(srv, err.status, err.code, err.message, out);
            return;
        }
    }
    if (!sim_http_eq_nocase(req->method, req->method_len, "post")) {
        quote_value(quoted, sizeof quoted, req->method, req->method_len);
        snprintf(msg, sizeof msg,
                 "this endpoint speaks the AWS JSON 1.1 protocol: POST / with X-Amz-Target "
                 "%s<Action> (got %s)", k_target_prefix, quoted);
        sim_serve_error(srv, 405, "UnknownOperationException", msg, out);
        out->allow_post = true;
        return;
    }
    ctype = sim_http_field_get(req, "content-type");
    if (!json11_content_type(ctype)) {
        quote_value(quoted, sizeof quoted, ctype != NULL ? ctype->value : "(none)",
                    ctype != NULL ? ctype->value_len : 6);
        snprintf(msg, sizeof msg,
                 "Content-Type must be application/x-amz-json-1.1 (got %s)", quoted);
        sim_serve_error(srv, 400, "UnknownOperationException", msg, out);
        return;
    }
    target = sim_http_field_get(req, "x-amz-target");
    if (target == NULL || sim_http_field_count(req, "x-amz-target") != 1 ||
        target->value_len <= plen || memcmp(target->value, k_target_prefix, plen) != 0) {
        quote_value(quoted, sizeof quoted, target != NULL ? target->value : "(none)",
                    target != NULL ? target->value_len : 6);
        snprintf(msg, sizeof msg, "Unknown operation: X-Amz-Target must be %s<Action> (got %s)",
                 k_target_prefix, quoted);
        sim_serve_error(srv, 400, "UnknownOperationException", msg, out);
        return;
    }
    action = target->value + plen;
    action_len = target->value_len - plen;
    if (action_len == 11 && memcmp(action, "AdvanceTime", 11) == 0) {
        advance_time(srv, body, body_len, out);
        return;
    }
    sync_time(srv);
    rc = ecs_plane_call(srv->plane, action, action_len, body_len > 0 ? body : NULL, body_len,
                        &resp, &resp_len);
    if (rc == ECS_OK) {
        out->status = 200;
        out->body = resp;
        out->body_len = resp_len;
        return;
    }
    if (resp == NULL) {
        sim_serve_error(srv, 500, "ServerException", ecs_ctx_errmsg(srv->ctx), out);
        return;
    }
    out->status = strcmp(ecs_plane_error_code(srv->plane), "ServerException") == 0 ? 500 : 400;
    out->body = resp;
    out->body_len = resp_len;
}
