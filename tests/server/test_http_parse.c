/*
 * Tests of ecs-sim's HTTP/1.1 request parser (tools/ecs-sim/http_parse.c):
 * finding the end of a head fed a byte at a time, request lines and
 * target forms, header fields and their values, body framing by
 * Content-Length, keep-alive rules of HTTP/1.0 and 1.1, and the answer
 * status for each malformed or refused form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

static int parse_text(const char *text, sim_http_request *r, const char **why)
{
    size_t scan = 0, len = strlen(text), end = sim_http_head_end(text, len, &scan);
    if (end == 0)
        return -1;
    return sim_http_parse_head(text, end, r, why);
}

static void test_http__head_end_found_across_pieces(void **state)
{
    static const char req[] = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
    size_t head = sizeof req - 1 - 2;
    (void)state;
    /* Feed 1, 2, ... bytes: the end is found exactly when the blank line is in. */
    for (size_t n = 0; n <= sizeof req - 1; n++) {
        size_t scan = 0, end = 0;
        for (size_t k = 1; k <= n && end == 0; k++)
            end = sim_http_head_end(req, k, &scan);
        assert_int_equal(end, n >= head ? head : 0);
    }
    {
        size_t scan = 0;
        assert_int_equal(sim_http_head_end("GET / HTTP/1.1\n\nrest", 20, &scan), 16);
    }
}

static void test_http__post_with_fields(void **state)
{
    sim_http_request r;
    const char *why;
    const sim_http_field *f;
    (void)state;
    assert_int_equal(parse_text("POST /a/b?x=1&y HTTP/1.1\r\n"
                                "Host: 127.0.0.1:8080\r\n"
                                "X-Amz-Target:   AmazonEC2ContainerServiceV20141113.ListClusters  \r\n"
                                "content-type: application/x-amz-json-1.1\r\n"
                                "Content-Length: 2\r\n\r\n{}",
                                &r, &why),
                     0);
    assert_int_equal(r.method_len, 4);
    assert_memory_equal(r.method, "POST", 4);
    assert_int_equal(r.path_len, 4);
    assert_memory_equal(r.path, "/a/b", 4);
    assert_int_equal(r.query_len, 5);
    assert_memory_equal(r.query, "x=1&y", 5);
    assert_int_equal(r.version_minor, 1);
    assert_int_equal(r.nfields, 4);
    assert_true(r.has_content_length);
    assert_int_equal(r.content_length, 2);
    assert_true(r.keep_alive);
    assert_false(r.expect_continue);
    f = sim_http_field_get(&r, "x-amz-target");
    assert_non_null(f);
    assert_int_equal(f->value_len, strlen("AmazonEC2ContainerServiceV20141113.ListClusters"));
    assert_memory_equal(f->value, "AmazonEC2ContainerServiceV20141113.ListClusters", f->value_len);
    assert_int_equal(sim_http_field_count(&r, "content-type"), 1);
    assert_null(sim_http_field_get(&r, "authorization"));
}

static void test_http__target_forms(void **state)
{
    sim_http_request r;
    const char *why;
    (void)state;
    assert_int_equal(parse_text("POST http://localhost:9/ HTTP/1.1\r\nHost: x\r\n\r\n", &r, &why), 0);
    assert_int_equal(r.path_len, 1);
    assert_null(r.query);
    assert_int_equal(parse_text("POST http://localhost:9 HTTP/1.1\r\nHost: x\r\n\r\n", &r, &why), 0);
    assert_memory_equal(r.path, "/", 1);
    assert_int_equal(parse_text("POST https://h?q HTTP/1.1\r\nHost: x\r\n\r\n", &r, &why), 0);
    assert_memory_equal(r.path, "/", 1);
    assert_int_equal(r.query_len, 1);
    assert_int_equal(parse_text("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", &r, &why), 0);
    assert_int_equal(parse_text("GET foo HTTP/1.1\r\nHost: x\r\n\r\n", &r, &why), 400);
}

static void test_http__keep_alive_rules(void **state)
{
    sim_http_request r;
    const char *why;
    (void)state;
    assert_int_equal(parse_text("GET / HTTP/1.0\r\n\r\n", &r, &why), 0);
    assert_false(r.keep_alive);
    assert_int_equal(parse_text("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r, &why), 0);
    assert_true(r.keep_alive);
    assert_int_equal(parse_text("GET / HTTP/1.1\r\nHost: a\r\nConnection: TE, close\r\n\r\n", &r,
                                &why),
                     0);
    assert_false(r.keep_alive);
    assert_int_equal(parse_text("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n", &r,
                                &why),
                     0);
    assert_true(r.expect_continue);
}

static void test_http__malformed_heads(void **state)
{
    static const struct {
        const char *text;
        int status;
    } cases[] = {
        { "GARBAGE\r\n\r\n", 400 },
        { "GET /\r\n\r\n", 400 },
        { "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
        { "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400 },
        { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
        { "GET / HTTP/1.1\r\n\r\n", 400 },                               /* no Host */
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },                    /* space before colon */
        { "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400 },                  /* bare CR */
        { "GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501 },
        { "GET / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n", 417 },
        { "G\xc3\xa9T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
        { "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_http_request r;
        const char *why = NULL;
        int st = parse_text(cases[i].text, &r, &why);
        if (st != cases[i].status)
            fail_msg("case %zu: status %d, want %d (%s)", i, st, cases[i].status,
                     why != NULL ? why : "");
        assert_non_null(why);
        assert_true(why[0] != '\0');
    }
}

static void test_http__same_content_length_twice_is_fine(void **state)
{
    sim_http_request r;
    const char *why;
    (void)state;
    assert_int_equal(parse_text("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                                "Content-Length: 5\r\n\r\n",
                                &r, &why),
                     0);
    assert_int_equal(r.content_length, 5);
}

static void test_http__field_count_limit(void **state)
{
    char *text = malloc(64 * (SIM_HTTP_MAX_FIELDS + 2));
    size_t o = 0;
    sim_http_request r;
    const char *why;
    (void)state;
    assert_non_null(text);
    o += (size_t)sprintf(text + o, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (unsigned i = 0; i < SIM_HTTP_MAX_FIELDS - 1; i++)
        o += (size_t)sprintf(text + o, "X-%u: v\r\n", i);
    sprintf(text + o, "\r\n");
    assert_int_equal(parse_text(text, &r, &why), 0);
    assert_int_equal(r.nfields, SIM_HTTP_MAX_FIELDS);
    sprintf(text + o, "X-last: v\r\n\r\n");
    assert_int_equal(parse_text(text, &r, &why), 431);
    free(text);
}

static void test_http__long_target_is_414(void **state)
{
    size_t n = SIM_HTTP_MAX_TARGET + 1;
    char *text = malloc(n + 64);
    sim_http_request r;
    const char *why;
    (void)state;
    assert_non_null(text);
    memcpy(text, "GET /", 5);
    memset(text + 5, 'a', n - 1);
    strcpy(text + 4 + n, " HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(parse_text(text, &r, &why), 414);
    free(text);
}

static void test_http__reasons_and_case(void **state)
{
    (void)state;
    assert_string_equal(sim_http_reason(200), "OK");
    assert_string_equal(sim_http_reason(431), "Request Header Fields Too Large");
    assert_true(sim_http_eq_nocase("X-AMZ-Date", 10, "x-amz-date"));
    assert_false(sim_http_eq_nocase("X-AMZ-Dat", 9, "x-amz-date"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http__head_end_found_across_pieces),
        cmocka_unit_test(test_http__post_with_fields),
        cmocka_unit_test(test_http__target_forms),
        cmocka_unit_test(test_http__keep_alive_rules),
        cmocka_unit_test(test_http__malformed_heads),
        cmocka_unit_test(test_http__same_content_length_twice_is_fine),
        cmocka_unit_test(test_http__field_count_limit),
        cmocka_unit_test(test_http__long_target_is_414),
        cmocka_unit_test(test_http__reasons_and_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
