/*
 * libFuzzer harness for ecs-sim's HTTP request parser
 * (tools/ecs-sim/http_parse.c) and, behind it, its SigV4 check
 * (tools/ecs-sim/sigv4.c): find the end of the head both in one piece and
 * fed in uneven pieces (the two must agree), parse it, check that every
 * parsed piece lies inside the head, and when the head parses run the
 * signature check on it and the bytes after it with fixed keys and a fixed
 * clock. Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static int inside(const char *p, size_t n, const char *base, size_t len)
{
    return n == 0 || (p >= base && p + n <= base + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sim_credential creds[] = {
        { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    };
    static const char *const regions[] = { "us-east-1" };
    const char *buf = (const char *)data;
    size_t scan = 0, end, end2 = 0, step = 1, fed = 0;
    sim_http_request req;
    const char *why = NULL;
    int st;

    end = sim_http_head_end(buf, size, &scan);
    check(end <= size);
    /* The same bytes arriving in pieces of 1, 2, 3, ... bytes. */
    scan = 0;
    while (fed < size && end2 == 0) {
        fed = fed + step < size ? fed + step : size;
        end2 = sim_http_head_end(buf, fed, &scan);
        step = step % 7 + 1;
    }
    check(end2 == end);
    st = sim_http_parse_head(buf, end != 0 ? end : size, &req, &why);
    check(why != NULL);
    if (st != 0) {
        check(st >= 400 && st <= 505 && why[0] != '\0');
        return 0;
    }
    check(end != 0);
    check(inside(req.method, req.method_len, buf, end) && req.method_len > 0);
    check(inside(req.target, req.target_len, buf, end) && req.target_len > 0);
    check(req.path_len > 0 && (req.path_len == 1 || inside(req.path, req.path_len, buf, end)));
    check(req.query == NULL || inside(req.query, req.query_len, buf, end));
    check(req.nfields <= SIM_HTTP_MAX_FIELDS);
    for (size_t i = 0; i < req.nfields; i++) {
        const sim_http_field *f = &req.fields[i];
        check(f->name_len > 0 && inside(f->name, f->name_len, buf, end));
        check(inside(f->value, f->value_len, buf, end));
        check(f->value_len == 0 || (f->value[0] != ' ' && f->value[f->value_len - 1] != ' '));
    }
    {
        sim_sigv4_config cfg;
        sim_sigv4_error err;
        size_t body_len = size - end;
        if (req.content_length < body_len)
            body_len = (size_t)req.content_length;
        cfg.creds = creds;
        cfg.ncreds = 1;
        cfg.regions = regions;
        cfg.nregions = 1;
        cfg.service = "ecs";
        cfg.max_skew_s = 900;
        if (!sim_sigv4_check(&cfg, &req, buf + end, body_len, INT64_C(1440938160), &err))
            check(err.status >= 400 && err.code != NULL && err.code[0] != '\0');
    }
    return 0;
}
