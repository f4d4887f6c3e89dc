/*
 * Tests of the JSON writer (include/ecs/json.h): exact compact and indented
 * output, string escaping and UTF-8 checking, exact integers, doubles that
 * read back to the same bits in the shortest form, the state machine that
 * rejects misuse with a sticky ECS_E_STATE, reset, copying parsed values,
 * ecs_json_write_text(), and allocation-failure sweeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h> /* INFINITY and NAN only: the tests do not link libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_util.h"

#define S(lit) (lit), (sizeof(lit) - 1u)

/* A context on the checking allocator (tests/support/test_util.h). */
typedef test_ctx_fixture fixture;
#define setup test_ctx_setup
#define teardown test_ctx_teardown

static int sentinel_storage;
#define WRITER_SENTINEL ((ecs_json_writer *)(void *)&sentinel_storage)
#define TEXT_SENTINEL ((char *)(void *)&sentinel_storage)

static ecs_json_writer *writer_new(fixture *f, uint32_t flags)
{
    ecs_json_writer *w = NULL;

    assert_int_equal(ecs_json_writer_new(f->ctx, flags, &w), ECS_OK);
    assert_non_null(w);
    return w;
}

/* The writer's result, which must be exactly want. */
static void expect_result(ecs_json_writer *w, const char *want)
{
    const char *out = NULL;
    size_t len = 0;
    ecs_status rc = ecs_json_writer_result(w, &out, &len);

    if (rc != ECS_OK) {
        print_error("result: %s\n", ecs_status_str(rc));
        fail();
    }
    assert_non_null(out);
    if (len != strlen(want) || memcmp(out, want, len) != 0) {
        print_error("got  (%zu bytes): %.*s\nwant (%zu bytes): %s\n", len, (int)len, out,
                    strlen(want), want);
        fail();
    }
    assert_int_equal(out[len], '\0');
}

static ecs_json_doc *parse_ok(fixture *f, const char *s, size_t len)
{
    ecs_json_doc *doc = NULL;
    ecs_status rc = ecs_json_parse(f->ctx, s, len, NULL, &doc);

    if (rc != ECS_OK) {
        print_error("parse of %.*s: %s (%s)\n", (int)len, s, ecs_status_str(rc),
                    ecs_ctx_errmsg(f->ctx));
        fail();
    }
    return doc;
}

static uint64_t bits_of(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof u);
    return u;
}

static double double_of(uint64_t u)
{
    double d;

    memcpy(&d, &u, sizeof d);
    return d;
}

/* ------------------------------------------------------------------------ */
/* Layout                                                                    */

static void build_sample(ecs_json_writer *w)
{
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("a")), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 1), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("b")), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_bool(w, true), ECS_OK);
    assert_int_equal(ecs_json_write_bool(w, false), ECS_OK);
    assert_int_equal(ecs_json_write_null(w), ECS_OK);
    assert_int_equal(ecs_json_write_str(w, S("x")), ECS_OK);
    assert_int_equal(ecs_json_write_double(w, 1.5), ECS_OK);
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("k")), ECS_OK);
    assert_int_equal(ecs_json_write_uint(w, 2), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("c")), ECS_OK);
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("d")), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
}

static void test_json_write__compact_output_is_exact(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);

    build_sample(w);
    expect_result(w, "{\"a\":1,\"b\":[true,false,null,\"x\",1.5,{\"k\":2}],\"c\":{},\"d\":[]}");
    /* The result can be read again. */
    expect_result(w, "{\"a\":1,\"b\":[true,false,null,\"x\",1.5,{\"k\":2}],\"c\":{},\"d\":[]}");
    ecs_json_writer_free(w);
}

static void test_json_write__indented_output_is_exact(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, ECS_JSON_W_F_INDENT);

    build_sample(w);
    expect_result(w, "{\n"
                     "  \"a\": 1,\n"
                     "  \"b\": [\n"
                     "    true,\n"
                     "    false,\n"
                     "    null,\n"
                     "    \"x\",\n"
                     "    1.5,\n"
                     "    {\n"
                     "      \"k\": 2\n"
                     "    }\n"
                     "  ],\n"
                     "  \"c\": {},\n"
                     "  \"d\": []\n"
                     "}");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_int(w, 5), ECS_OK);
    expect_result(w, "5");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    expect_result(w, "[\n  []\n]");
    ecs_json_writer_free(w);
}

static void test_json_write__scalars_at_top_level(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);

    assert_int_equal(ecs_json_write_null(w), ECS_OK);
    expect_result(w, "null");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_bool(w, true), ECS_OK);
    expect_result(w, "true");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_str(w, S("")), ECS_OK);
    expect_result(w, "\"\"");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_str(w, NULL, 0), ECS_OK);
    expect_result(w, "\"\"");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_double(w, 0.1), ECS_OK);
    expect_result(w, "0.1");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_double(w, -2.5), ECS_OK);
    expect_result(w, "-2.5");
    ecs_json_writer_free(w);
}

static void test_json_write__members_keep_insertion_order(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);

    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("zeta")), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 1), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("alpha")), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 2), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("mid")), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 3), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("alpha")), ECS_OK); /* duplicates are kept */
    assert_int_equal(ecs_json_write_int(w, 4), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    expect_result(w, "{\"zeta\":1,\"alpha\":2,\"mid\":3,\"alpha\":4}");
    ecs_json_writer_free(w);
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */

/* Write s as a string; return a malloc'd copy of the output. */
static char *write_one_str(fixture *f, const char *s, size_t len, size_t *out_len)
{
    ecs_json_writer *w = writer_new(f, 0);
    const char *out = NULL;
    char *copy;

    assert_int_equal(ecs_json_write_str(w, s, len), ECS_OK);
    assert_int_equal(ecs_json_writer_result(w, &out, out_len), ECS_OK);
    copy = malloc(*out_len + 1);
    assert_non_null(copy);
    memcpy(copy, out, *out_len + 1);
    ecs_json_writer_free(w);
    return copy;
}

static bool is_one_of(const char *got, size_t len, const char *const *alts, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (alts[i] != NULL && strlen(alts[i]) == len && memcmp(alts[i], got, len) == 0) {
            return true;
        }
    }
    return false;
}

static void test_json_write__escapes_control_characters(void **state)
{
    fixture *f = *state;
    unsigned c;

    for (c = 0; c < 0x20; c++) {
        char in[3] = { 'a', (char)c, 'b' };
        char lower[16], upper[16];
        const char *shortform = NULL;
        const char *alts[3];
        size_t len;
        char *out = write_one_str(f, in, 3, &len);

        switch (c) {
        case '\b': shortform = "\"a\\bb\""; break;
        case '\f': shortform = "\"a\\fb\""; break;
        case '\n': shortform = "\"a\\nb\""; break;
        case '\r': shortform = "\"a\\rb\""; break;
        case '\t': shortform = "\"a\\tb\""; break;
        default: break;
        }
        (void)snprintf(lower, sizeof lower, "\"a\\u%04xb\"", c);
        (void)snprintf(upper, sizeof upper, "\"a\\u%04Xb\"", c);
        alts[0] = shortform;
        alts[1] = lower;
        alts[2] = upper;
        if (!is_one_of(out, len, alts, 3)) {
            print_error("control 0x%02X written as %s\n", c, out);
            fail();
        }
        free(out);
    }
}

static void test_json_write__escapes_quote_backslash_and_allows_slash(void **state)
{
    fixture *f = *state;
    size_t len;
    char *out;
    static const char *const slash[] = { "\"a/b\"", "\"a\\/b\"" };
    static const char *const del[] = { ("\"a\x7F" "b\""), "\"a\\u007fb\"", "\"a\\u007Fb\"" };

    out = write_one_str(f, S("say \"hi\""), &len);
    assert_string_equal(out, "\"say \\\"hi\\\"\"");
    free(out);
    out = write_one_str(f, S("C:\\dir\\"), &len);
    assert_string_equal(out, "\"C:\\\\dir\\\\\"");
    free(out);
    out = write_one_str(f, S("a/b"), &len);
    assert_true(is_one_of(out, len, slash, 2));
    free(out);
    out = write_one_str(f, S("a\x7F" "b"), &len);
    assert_true(is_one_of(out, len, del, 3));
    free(out);
    out = write_one_str(f, "a\0b", 3, &len);
    assert_true(len == 10);
    assert_true(strcmp(out, "\"a\\u0000b\"") == 0);
    free(out);
}

static void test_json_write__strings_round_trip_through_the_parser(void **state)
{
    fixture *f = *state;
    static const char *const inputs[] = {
        "", "plain", "caf\xC3\xA9", "\xE2\x82\xAC" "100", "\xF0\x9F\x98\x80 smile",
        "\xF4\x8F\xBF\xBF", "\xEF\xBB\xBF" "bom", "quote\" back\\ slash/ tab\t nl\n",
        "\x01\x02\x1F\x7F", "\xED\x9F\xBF\xEE\x80\x80",
    };
    size_t i, k;

    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        size_t len, in_len = strlen(inputs[i]), got_len = 0;
        char *out = write_one_str(f, inputs[i], in_len, &len);
        ecs_json_doc *doc = parse_ok(f, out, len);
        const char *got = ecs_json_str(doc, ecs_json_root(doc), &got_len);

        for (k = 0; k < len; k++) {
            assert_true((unsigned char)out[k] >= 0x20); /* no raw control characters */
        }
        assert_non_null(got);
        assert_int_equal(got_len, in_len);
        assert_memory_equal(got, inputs[i], in_len);
        ecs_json_doc_free(doc);
        free(out);
    }
}

static void test_json_write__rejects_invalid_utf8(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "\xC0\xAF",         "\xC1\xBF",         "\xE0\x80\xAF",    "\xF0\x80\x80\xAF",
        "\xED\xA0\x80",     "\xED\xBF\xBF",     "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
        "\xFF",             "\xFE",             "\x80",            "a\xBF",
        "\xC3",             "\xE2\x82",         "\xF0\x9F\x98",     "\xC3\x41",
        "\xE2\x28\xA1",     "ok\xF8\x88\x80\x80\x80",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ecs_json_writer *w = writer_new(f, 0);
        const char *out = NULL;

        assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
        if (ecs_json_write_str(w, bad[i], strlen(bad[i])) != ECS_E_INVALID_ARG) {
            print_error("invalid UTF-8 #%zu was accepted\n", i);
            fail();
        }
        assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_INVALID_ARG);
        assert_true(strlen(ecs_ctx_errmsg(f->ctx)) > 0);
        /* Sticky: nothing more is written. */
        assert_int_equal(ecs_json_write_arr_end(w), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_json_writer_result(w, &out, NULL), ECS_E_INVALID_ARG);
        assert_null(out);
        ecs_json_writer_free(w);

        /* In a member name too. */
        w = writer_new(f, 0);
        assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
        assert_int_equal(ecs_json_write_key(w, bad[i], strlen(bad[i])), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_json_write_int(w, 1), ECS_E_INVALID_ARG);
        ecs_json_writer_free(w);
    }
}

static void test_json_write__keys_are_escaped(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);

    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, "a\0b", 3), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 1), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("q\"\\")), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 2), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("")), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 3), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    expect_result(w, "{\"a\\u0000b\":1,\"q\\\"\\\\\":2,\"\":3}");
    ecs_json_writer_free(w);
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

static void test_json_write__integers_are_exact(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);

    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, INT64_MIN), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, INT64_MAX), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 0), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, -1), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, INT64_C(9007199254740993)), ECS_OK);
    assert_int_equal(ecs_json_write_uint(w, UINT64_MAX), ECS_OK);
    assert_int_equal(ecs_json_write_uint(w, 0), ECS_OK);
    assert_int_equal(ecs_json_write_uint(w, (uint64_t)INT64_MAX + 1u), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    expect_result(w, "[-9223372036854775808,9223372036854775807,0,-1,9007199254740993,"
                     "18446744073709551615,0,9223372036854775808]");
    ecs_json_writer_free(w);
}

/* Significant digits in a JSON number's mantissa, leading and trailing
 * zeros dropped. */
static size_t significant_digits(const char *s, size_t len)
{
    size_t i, first = SIZE_MAX, last = 0, count = 0;
    size_t digits[64];

    for (i = 0; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] >= '0' && s[i] <= '9' && count < 64) {
            digits[count++] = (size_t)(s[i] - '0');
        }
    }
    for (i = 0; i < count; i++) {
        if (digits[i] != 0) {
            if (first == SIZE_MAX) {
                first = i;
            }
            last = i;
        }
    }
    return first == SIZE_MAX ? 0 : last - first + 1;
}

/* The fewest significant digits that read back to d. */
static size_t shortest_digits(double d)
{
    int p;
    char buf[64];

    if (d == 0.0) {
        return 0;
    }
    for (p = 1; p < 17; p++) {
        (void)snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (bits_of(strtod(buf, NULL)) == bits_of(d)) {
            return (size_t)p;
        }
    }
    return 17;
}

/* Write d, parse it back, and check the bits, the type and the length. */
static void check_double_round_trip(fixture *f, ecs_json_writer *w, double d)
{
    const char *out = NULL;
    size_t len = 0;
    ecs_json_doc *doc;
    double back = 0.0;
    ecs_status rc;

    ecs_json_writer_reset(w);
    rc = ecs_json_write_double(w, d);
    if (rc != ECS_OK) {
        print_error("write_double(%.17g, bits 0x%016llX): %s\n", d,
                    (unsigned long long)bits_of(d), ecs_status_str(rc));
        fail();
    }
    assert_int_equal(ecs_json_writer_result(w, &out, &len), ECS_OK);
    doc = parse_ok(f, out, len);
    if (ecs_json_type_of(ecs_json_root(doc)) != ECS_JSON_DOUBLE) {
        print_error("%.17g written as %s reads back as %s\n", d, out,
                    ecs_json_type_name(ecs_json_type_of(ecs_json_root(doc))));
        fail();
    }
    assert_int_equal(ecs_json_get_double(ecs_json_root(doc), &back), ECS_OK);
    if (bits_of(back) != bits_of(d)) {
        print_error("0x%016llX written as %s reads back as 0x%016llX\n",
                    (unsigned long long)bits_of(d), out, (unsigned long long)bits_of(back));
        fail();
    }
    if (significant_digits(out, len) > shortest_digits(d) || len > 25) {
        print_error("%.17g written as %s: not the shortest form (%zu digits suffice)\n", d, out,
                    shortest_digits(d));
        fail();
    }
    ecs_json_doc_free(doc);
}

static void test_json_write__doubles_round_trip_exactly(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);
    static const uint64_t special[] = {
        UINT64_C(0x0000000000000001), /* 5e-324 */
        UINT64_C(0x8000000000000001),
        UINT64_C(0x000FFFFFFFFFFFFF), /* largest subnormal */
        UINT64_C(0x0010000000000000), /* smallest normal */
        UINT64_C(0x7FEFFFFFFFFFFFFF), /* largest */
        UINT64_C(0xFFEFFFFFFFFFFFFF),
        UINT64_C(0x8000000000000000), /* -0.0 */
        UINT64_C(0x0000000000000000),
        UINT64_C(0x3FB999999999999A), /* 0.1 */
        UINT64_C(0x3FB999999999999B),
        UINT64_C(0x4340000000000001), /* 2^53 + 2 */
        UINT64_C(0x44B52D02C7E14AF6), /* 1e23 */
        UINT64_C(0x44B52D02C7E14AF5),
        UINT64_C(0x3FF0000000000001),
        UINT64_C(0x3FEFFFFFFFFFFFFF),
        UINT64_C(0x0000000000000ABC),
        UINT64_C(0x7FE0000000000000),
    };
    static const double decimals[] = {
        0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0, 1e300, -1e300, 1e-300, 5e-324, 1e21, 1e22, 1e23,
        123456.789, 3.141592653589793, 2.718281828459045, 1.7976931348623157e308,
        2.2250738585072014e-308, 4.35, 0.000001, 1e-7, 100.0, 1234567890123456789.0, 0.5,
        9007199254740993.0, 5e-310, 1.1e-309,
    };
    ecs_rng rng;
    size_t i;

    for (i = 0; i < sizeof special / sizeof special[0]; i++) {
        check_double_round_trip(f, w, double_of(special[i]));
    }
    for (i = 0; i < sizeof decimals / sizeof decimals[0]; i++) {
        check_double_round_trip(f, w, decimals[i]);
        check_double_round_trip(f, w, -decimals[i]);
    }
    /* Random bit patterns cover every exponent; subnormals get their own. */
    ecs_rng_seed(&rng, 20240601u);
    for (i = 0; i < 20000; i++) {
        uint64_t u = ecs_rng_next(&rng);
        if (((u >> 52) & 0x7FFu) == 0x7FFu) {
            continue; /* infinities and NaNs: see the next test */
        }
        check_double_round_trip(f, w, double_of(u));
    }
    for (i = 0; i < 2000; i++) {
        uint64_t u = ecs_rng_next(&rng) & UINT64_C(0x800FFFFFFFFFFFFF);
        check_double_round_trip(f, w, double_of(u));
    }
    /* Short decimals, which must come out short. */
    for (i = 0; i < 2000; i++) {
        static const double tens[] = { 1e0, 1e1, 1e2, 1e3, 1e4,  1e5,
                                       1e6, 1e7, 1e8, 1e9, 1e10, 1e11 };
        double d = (double)(int64_t)ecs_rng_below(&rng, 1000000) /
                   tens[ecs_rng_below(&rng, sizeof tens / sizeof tens[0])];
        check_double_round_trip(f, w, d);
    }
    ecs_json_writer_free(w);
}

static void test_json_write__integral_doubles_stay_doubles(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);
    static const double values[] = {
        1.0, -1.0, 0.0, 2.0, 10.0, 1e15, 1e16, 1e17, 9007199254740992.0, 123456789.0,
        9223372036854775808.0, -9223372036854775808.0, 18446744073709551616.0, 1e300, 4096.0,
    };
    size_t i;

    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        check_double_round_trip(f, w, values[i]);
    }
    check_double_round_trip(f, w, -0.0);
    ecs_json_writer_free(w);
}

static void test_json_write__rejects_non_finite_doubles(void **state)
{
    fixture *f = *state;
    const double bad[] = { (double)INFINITY, -(double)INFINITY, (double)NAN,
                           double_of(UINT64_C(0x7FF0000000000001)),
                           double_of(UINT64_C(0xFFF8000000000000)) };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ecs_json_writer *w = writer_new(f, 0);
        const char *out = NULL;

        assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
        assert_int_equal(ecs_json_write_double(w, bad[i]), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_json_write_int(w, 1), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_json_write_arr_end(w), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_json_writer_result(w, &out, NULL), ECS_E_INVALID_ARG);
        ecs_json_writer_free(w);
    }
}

/* ------------------------------------------------------------------------ */
/* Misuse                                                                    */

typedef enum op {
    OP_END = 0,
    OP_OBJ_BEGIN,
    OP_OBJ_END,
    OP_ARR_BEGIN,
    OP_ARR_END,
    OP_KEY,
    OP_STR,
    OP_INT,
    OP_NULL,
    OP_VAL,
    OP_RESULT
} op;

static ecs_status run_op(ecs_json_writer *w, const ecs_json_doc *doc, op o)
{
    const char *out = NULL;

    switch (o) {
    case OP_OBJ_BEGIN: return ecs_json_write_obj_begin(w);
    case OP_OBJ_END: return ecs_json_write_obj_end(w);
    case OP_ARR_BEGIN: return ecs_json_write_arr_begin(w);
    case OP_ARR_END: return ecs_json_write_arr_end(w);
    case OP_KEY: return ecs_json_write_key(w, S("k"));
    case OP_STR: return ecs_json_write_str(w, S("s"));
    case OP_INT: return ecs_json_write_int(w, 1);
    case OP_NULL: return ecs_json_write_null(w);
    case OP_VAL: return ecs_json_write_val(w, doc, ecs_json_root(doc));
    case OP_RESULT: return ecs_json_writer_result(w, &out, NULL);
    case OP_END: break;
    }
    return ECS_E_INTERNAL;
}

static void test_json_write__misuse_is_a_sticky_state_error(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("[1]"));
    /* Each case: valid calls, then the misplaced one; then a call that would
     * have been valid before the mistake, which must fail the same way. */
    static const struct {
        const char *what;
        op ok[4];
        op bad;
        op after;
    } cases[] = {
        { "value where a name is due", { OP_OBJ_BEGIN }, OP_INT, OP_KEY },
        { "string where a name is due", { OP_OBJ_BEGIN }, OP_STR, OP_KEY },
        { "array where a name is due", { OP_OBJ_BEGIN }, OP_ARR_BEGIN, OP_OBJ_END },
        { "object where a name is due", { OP_OBJ_BEGIN }, OP_OBJ_BEGIN, OP_OBJ_END },
        { "parsed value where a name is due", { OP_OBJ_BEGIN }, OP_VAL, OP_OBJ_END },
        { "name in an array", { OP_ARR_BEGIN }, OP_KEY, OP_ARR_END },
        { "name at top level", { OP_END }, OP_KEY, OP_INT },
        { "name after name", { OP_OBJ_BEGIN, OP_KEY }, OP_KEY, OP_INT },
        { "object end in an array", { OP_ARR_BEGIN }, OP_OBJ_END, OP_ARR_END },
        { "array end in an object", { OP_OBJ_BEGIN }, OP_ARR_END, OP_OBJ_END },
        { "object end at top level", { OP_END }, OP_OBJ_END, OP_NULL },
        { "array end at top level", { OP_END }, OP_ARR_END, OP_NULL },
        { "end after a dangling name", { OP_OBJ_BEGIN, OP_KEY }, OP_OBJ_END, OP_INT },
        { "second top-level value", { OP_INT }, OP_INT, OP_RESULT },
        { "second top-level container", { OP_ARR_BEGIN, OP_ARR_END }, OP_ARR_BEGIN, OP_RESULT },
        { "value after a parsed value", { OP_VAL }, OP_NULL, OP_RESULT },
        { "extra end", { OP_ARR_BEGIN, OP_ARR_END }, OP_ARR_END, OP_RESULT },
        { "name after top-level value", { OP_NULL }, OP_KEY, OP_RESULT },
    };
    size_t i, k;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ecs_json_writer *w = writer_new(f, 0);
        ecs_status rc;
        const char *out = NULL;
        ecs_json_doc *bad = NULL;
        ecs_errpos pos = { 0, 0, 0 };

        /* Leave a parse failure with a position in the context first. */
        assert_int_equal(ecs_json_parse(f->ctx, S("[1,]"), NULL, &bad), ECS_E_PARSE);
        assert_true(ecs_ctx_errpos(f->ctx, &pos));
        for (k = 0; k < 4 && cases[i].ok[k] != OP_END; k++) {
            assert_int_equal(run_op(w, doc, cases[i].ok[k]), ECS_OK);
        }
        rc = run_op(w, doc, cases[i].bad);
        if (rc != ECS_E_STATE) {
            print_error("%s: got %s, want ECS_E_STATE\n", cases[i].what, ecs_status_str(rc));
            fail();
        }
        assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_STATE);
        assert_true(strlen(ecs_ctx_errmsg(f->ctx)) > 0);
        /* A writer error concerns no input: no position, not a stale one. */
        assert_false(ecs_ctx_errpos(f->ctx, &pos));
        rc = run_op(w, doc, cases[i].after);
        if (rc != ECS_E_STATE) {
            print_error("%s: the error is not sticky (%s)\n", cases[i].what, ecs_status_str(rc));
            fail();
        }
        assert_int_equal(ecs_json_writer_result(w, &out, NULL), ECS_E_STATE);
        assert_null(out);
        ecs_json_writer_free(w);
    }
    ecs_json_doc_free(doc);
}

static void test_json_write__result_needs_a_complete_value(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);
    const char *out = NULL;
    size_t len = 77;

    assert_int_equal(ecs_json_writer_result(w, &out, &len), ECS_E_STATE);
    assert_null(out);
    assert_int_equal(len, 77);
    ecs_json_writer_free(w);

    w = writer_new(f, 0);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_writer_result(w, &out, &len), ECS_E_STATE);
    assert_null(out);
    ecs_json_writer_free(w);

    w = writer_new(f, 0);
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("a")), ECS_OK);
    assert_int_equal(ecs_json_writer_result(w, &out, &len), ECS_E_STATE);
    assert_null(out);
    ecs_json_writer_free(w);
}

static void test_json_write__reset_clears_error_and_content(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);

    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_str(w, S("abc")), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("k")), ECS_E_STATE);
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_int(w, 1), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    expect_result(w, "[1]");
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    expect_result(w, "{}");
    /* After a non-finite double too. */
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_double(w, (double)INFINITY), ECS_E_INVALID_ARG);
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_double(w, 2.5), ECS_OK);
    expect_result(w, "2.5");
    ecs_json_writer_reset(NULL);
    ecs_json_writer_free(w);
}

static void test_json_write__writer_new_rejects_bad_arguments(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = WRITER_SENTINEL;

    assert_int_equal(ecs_json_writer_new(NULL, 0, &w), ECS_E_INVALID_ARG);
    assert_ptr_equal(w, WRITER_SENTINEL);
    assert_int_equal(ecs_json_writer_new(f->ctx, 0, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_writer_new(f->ctx, 0x2u, &w), ECS_E_INVALID_ARG);
    assert_ptr_equal(w, WRITER_SENTINEL);
    assert_int_equal(ecs_json_writer_new(f->ctx, 0x80000000u, &w), ECS_E_INVALID_ARG);
    assert_ptr_equal(w, WRITER_SENTINEL);
    ecs_json_writer_free(NULL);
}

static void test_json_write__null_arguments_fail_without_crashing(void **state)
{
    fixture *f = *state;
    ecs_json_writer *w = writer_new(f, 0);
    ecs_json_doc *doc = parse_ok(f, S("[1]"));
    const char *out = NULL;

    assert_true(ecs_json_write_obj_begin(NULL) < 0);
    assert_true(ecs_json_write_obj_end(NULL) < 0);
    assert_true(ecs_json_write_arr_begin(NULL) < 0);
    assert_true(ecs_json_write_arr_end(NULL) < 0);
    assert_true(ecs_json_write_key(NULL, S("a")) < 0);
    assert_true(ecs_json_write_str(NULL, S("a")) < 0);
    assert_true(ecs_json_write_int(NULL, 1) < 0);
    assert_true(ecs_json_write_uint(NULL, 1) < 0);
    assert_true(ecs_json_write_double(NULL, 1.0) < 0);
    assert_true(ecs_json_write_bool(NULL, true) < 0);
    assert_true(ecs_json_write_null(NULL) < 0);
    assert_true(ecs_json_write_val(NULL, doc, ecs_json_root(doc)) < 0);
    assert_true(ecs_json_writer_result(NULL, &out, NULL) < 0);
    assert_int_equal(ecs_json_write_str(w, NULL, 1), ECS_E_INVALID_ARG);
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_val(w, doc, NULL), ECS_E_INVALID_ARG);
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_val(w, NULL, ecs_json_root(doc)), ECS_E_INVALID_ARG);
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_null(w), ECS_OK);
    assert_int_equal(ecs_json_writer_result(w, NULL, NULL), ECS_E_INVALID_ARG);
    ecs_json_writer_free(w);
    ecs_json_doc_free(doc);
}

static void test_json_write__depth_limit_from_context(void **state)
{
    test_alloc ta;
    ecs_ctx_options copts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_writer *w = NULL;
    const char *out = NULL;

    (void)state;
    test_alloc_init(&ta);
    copts.allocator = &ta.alloc;
    copts.max_json_depth = 3;
    assert_int_equal(ecs_ctx_new(&copts, &ctx), ECS_OK);
    assert_int_equal(ecs_json_writer_new(ctx, 0, &w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("a")), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_E_LIMIT);
    assert_int_equal(ecs_ctx_errcode(ctx), ECS_E_LIMIT);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_E_LIMIT);
    assert_int_equal(ecs_json_writer_result(w, &out, NULL), ECS_E_LIMIT);
    ecs_json_writer_reset(w);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
    expect_result(w, "[[[]]]");
    ecs_json_writer_free(w);
    test_ctx_free_check(ctx, &ta);
}

/* ------------------------------------------------------------------------ */
/* Parsed values                                                             */

static void test_json_write__write_val_reproduces_canonical_text(void **state)
{
    fixture *f = *state;
    static const char *const canonical[] = {
        "{\"b\":[1,-2,3.5,\"x\\\"y\\\\z\",true,false,null,{}],\"a\":{\"c\":[]},\"a\":0}",
        "[]",
        "{}",
        "0",
        "-9223372036854775808",
        "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"",
        "[[[[[]]]],{\"\":{\"\":[null]}}]",
        "[0.1,-0.25,1e+300,5e-324]",
        "{\"k\":\"v\",\"list\":[1,2,3],\"nested\":{\"deep\":{\"deeper\":[true]}}}",
    };
    size_t i;

    for (i = 0; i < sizeof canonical / sizeof canonical[0]; i++) {
        size_t len = strlen(canonical[i]), out_len = 0;
        ecs_json_doc *doc = parse_ok(f, canonical[i], len);
        char *out = TEXT_SENTINEL;
        ecs_json_writer *w = writer_new(f, 0);

        assert_int_equal(ecs_json_write_text(f->ctx, doc, ecs_json_root(doc), 0, &out, &out_len),
                         ECS_OK);
        if (i == 7) {
            /* Exponent spelling is free: check by re-parsing instead. */
            ecs_json_doc *back = parse_ok(f, out, out_len);
            size_t k;
            for (k = 0; k < 4; k++) {
                double a = 0.0, b = 1.0;
                assert_int_equal(ecs_json_get_double(ecs_json_arr_get(ecs_json_root(doc), k), &a),
                                 ECS_OK);
                assert_int_equal(ecs_json_get_double(ecs_json_arr_get(ecs_json_root(back), k), &b),
                                 ECS_OK);
                assert_int_equal(bits_of(a), bits_of(b));
            }
            ecs_json_doc_free(back);
        } else {
            if (out_len != len || memcmp(out, canonical[i], len) != 0) {
                print_error("got  %s\nwant %s\n", out, canonical[i]);
                fail();
            }
            assert_int_equal(out[out_len], '\0');
            /* The same through a writer, inside an array. */
            assert_int_equal(ecs_json_write_arr_begin(w), ECS_OK);
            assert_int_equal(ecs_json_write_val(w, doc, ecs_json_root(doc)), ECS_OK);
            assert_int_equal(ecs_json_write_val(w, doc, ecs_json_root(doc)), ECS_OK);
            assert_int_equal(ecs_json_write_arr_end(w), ECS_OK);
            {
                const char *res = NULL;
                size_t res_len = 0;
                assert_int_equal(ecs_json_writer_result(w, &res, &res_len), ECS_OK);
                assert_int_equal(res_len, 2 * len + 3);
                assert_int_equal(res[0], '[');
                assert_memory_equal(res + 1, canonical[i], len);
                assert_int_equal(res[len + 1], ',');
                assert_memory_equal(res + len + 2, canonical[i], len);
                assert_int_equal(res[res_len - 1], ']');
            }
        }
        ecs_json_text_free(f->ctx, out, out_len);
        ecs_json_writer_free(w);
        ecs_json_doc_free(doc);
    }
}

static void test_json_write__write_val_of_members_and_names(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("{\"name\":[1,{\"x\":null}],\"other\":2}"));
    const ecs_json_val *root = ecs_json_root(doc);
    ecs_json_writer *w = writer_new(f, 0);
    const ecs_json_val *name = ecs_json_first(root);

    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("copy")), ECS_OK);
    assert_int_equal(ecs_json_write_val(w, doc, ecs_json_next(root, name)), ECS_OK);
    assert_int_equal(ecs_json_write_key(w, S("name")), ECS_OK);
    assert_int_equal(ecs_json_write_val(w, doc, name), ECS_OK); /* a member name is a string */
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    expect_result(w, "{\"copy\":[1,{\"x\":null}],\"name\":\"name\"}");
    ecs_json_writer_free(w);
    ecs_json_doc_free(doc);
}

static void test_json_write__write_text_indented(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("{\"a\":[1,{\"b\":null}],\"c\":\"d\",\"e\":{},\"f\":[]}"));
    char *out = NULL;
    size_t len = 0;
    static const char want[] = "{\n"
                               "  \"a\": [\n"
                               "    1,\n"
                               "    {\n"
                               "      \"b\": null\n"
                               "    }\n"
                               "  ],\n"
                               "  \"c\": \"d\",\n"
                               "  \"e\": {},\n"
                               "  \"f\": []\n"
                               "}";

    assert_int_equal(ecs_json_write_text(f->ctx, doc, ecs_json_root(doc), ECS_JSON_W_F_INDENT,
                                         &out, &len),
                     ECS_OK);
    assert_non_null(out);
    if (len != sizeof want - 1u || strcmp(out, want) != 0) {
        print_error("got:\n%s\nwant:\n%s\n", out, want);
        fail();
    }
    ecs_json_text_free(f->ctx, out, len);
    /* A value inside the document. */
    assert_int_equal(ecs_json_write_text(f->ctx, doc,
                                         ecs_json_obj_get(doc, ecs_json_root(doc), S("a")), 0,
                                         &out, &len),
                     ECS_OK);
    assert_string_equal(out, "[1,{\"b\":null}]");
    assert_int_equal(len, 14);
    ecs_json_text_free(f->ctx, out, len);
    ecs_json_text_free(f->ctx, NULL, 0);
    ecs_json_doc_free(doc);
}

static void test_json_write__write_text_failure_leaves_outputs_untouched(void **state)
{
    test_alloc ta;
    ecs_ctx_options copts = ECS_CTX_OPTIONS_INIT;
    ecs_json_parse_options popts = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;
    char *out = TEXT_SENTINEL;
    size_t len = 77;

    (void)state;
    test_alloc_init(&ta);
    copts.allocator = &ta.alloc;
    copts.max_json_depth = 2;
    assert_int_equal(ecs_ctx_new(&copts, &ctx), ECS_OK);
    popts.max_depth = 5;
    assert_int_equal(ecs_json_parse(ctx, S("[[[1]]]"), &popts, &doc), ECS_OK);
    assert_int_equal(ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0, &out, &len),
                     ECS_E_LIMIT);
    assert_ptr_equal(out, TEXT_SENTINEL);
    assert_int_equal(len, 77);
    assert_int_equal(ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0x4u, &out, &len),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_write_text(ctx, doc, NULL, 0, &out, &len), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_write_text(NULL, doc, ecs_json_root(doc), 0, &out, &len),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0, NULL, &len),
                     ECS_E_INVALID_ARG);
    assert_ptr_equal(out, TEXT_SENTINEL);
    assert_int_equal(len, 77);
    ecs_json_doc_free(doc);
    test_ctx_free_check(ctx, &ta);
}

static void test_json_write__write_val_of_deep_document(void **state)
{
    test_alloc ta;
    ecs_ctx_options copts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;
    const size_t n = 100000;
    char *text = malloc(2 * n), *out = NULL;
    size_t len = 0;

    (void)state;
    assert_non_null(text);
    memset(text, '[', n);
    memset(text + n, ']', n);
    test_alloc_init(&ta);
    copts.allocator = &ta.alloc;
    copts.max_json_depth = (uint32_t)n;
    assert_int_equal(ecs_ctx_new(&copts, &ctx), ECS_OK);
    assert_int_equal(ecs_json_parse(ctx, text, 2 * n, NULL, &doc), ECS_OK);
    assert_int_equal(ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0, &out, &len), ECS_OK);
    assert_int_equal(len, 2 * n);
    assert_memory_equal(out, text, 2 * n);
    ecs_json_text_free(ctx, out, len);
    ecs_json_doc_free(doc);
    test_ctx_free_check(ctx, &ta);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                       */

/* Track the first failure and check that every later call repeats it. */
#define STEP(call)                                                                   \
    do {                                                                             \
        ecs_status step_rc_ = (call);                                                \
        if (first != ECS_OK) {                                                       \
            assert_int_equal(step_rc_, first);                                       \
        } else {                                                                     \
            first = step_rc_;                                                        \
        }                                                                            \
    } while (0)

/* Build a document big enough to grow every buffer; returns the first error. */
static ecs_status build_big(ecs_json_writer *w, const ecs_json_doc *doc)
{
    ecs_status first = ECS_OK;
    size_t i;
    char key[32];

    STEP(ecs_json_write_obj_begin(w));
    STEP(ecs_json_write_key(w, S("items")));
    STEP(ecs_json_write_arr_begin(w));
    for (i = 0; i < 300; i++) {
        int n = snprintf(key, sizeof key, "item-%zu", i);
        STEP(ecs_json_write_obj_begin(w));
        STEP(ecs_json_write_key(w, S("id")));
        STEP(ecs_json_write_uint(w, (uint64_t)i));
        STEP(ecs_json_write_key(w, S("name")));
        STEP(ecs_json_write_str(w, key, (size_t)n));
        STEP(ecs_json_write_key(w, S("ratio")));
        STEP(ecs_json_write_double(w, (double)i / 7.0));
        STEP(ecs_json_write_key(w, S("tags")));
        STEP(ecs_json_write_arr_begin(w));
        STEP(ecs_json_write_bool(w, (i & 1u) != 0));
        STEP(ecs_json_write_null(w));
        STEP(ecs_json_write_str(w, S("caf\xC3\xA9\n\t\"")));
        STEP(ecs_json_write_arr_end(w));
        STEP(ecs_json_write_obj_end(w));
    }
    STEP(ecs_json_write_arr_end(w));
    STEP(ecs_json_write_key(w, S("deep")));
    for (i = 0; i < 40; i++) {
        STEP(ecs_json_write_arr_begin(w));
    }
    STEP(ecs_json_write_val(w, doc, ecs_json_root(doc)));
    for (i = 0; i < 40; i++) {
        STEP(ecs_json_write_arr_end(w));
    }
    STEP(ecs_json_write_key(w, S("min")));
    STEP(ecs_json_write_int(w, INT64_MIN));
    STEP(ecs_json_write_obj_end(w));
    return first;
}

static void test_json_write__oom_at_each_allocation_leaks_nothing(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("{\"copied\":[1,2,{\"three\":\"3\"}],\"x\":1.25}"));
    size_t base = f->ta.live_blocks, n, want_len = 0;
    char *want = NULL;
    bool fail_all;

    /* The text without failures. */
    {
        ecs_json_writer *w = writer_new(f, ECS_JSON_W_F_INDENT);
        const char *out = NULL;
        assert_int_equal(build_big(w, doc), ECS_OK);
        assert_int_equal(ecs_json_writer_result(w, &out, &want_len), ECS_OK);
        want = malloc(want_len + 1);
        assert_non_null(want);
        memcpy(want, out, want_len + 1);
        ecs_json_writer_free(w);
    }
    for (fail_all = false;; fail_all = true) {
        for (n = 1;; n++) {
            ecs_json_writer *w = WRITER_SENTINEL;
            ecs_status rc;
            const char *out = NULL;
            size_t out_len = 0;
            bool injected;

            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_json_writer_new(f->ctx, ECS_JSON_W_F_INDENT, &w);
            if (rc != ECS_OK) {
                assert_int_equal(rc, ECS_E_NOMEM);
                assert_ptr_equal(w, WRITER_SENTINEL);
                assert_int_equal(f->ta.live_blocks, base);
                continue;
            }
            rc = build_big(w, doc);
            {
                ecs_status rc2 = ecs_json_writer_result(w, &out, &out_len);
                if (rc == ECS_OK) {
                    rc = rc2;
                } else {
                    assert_int_equal(rc2, rc);
                }
            }
            injected = f->ta.calls >= n;
            if (!injected) {
                assert_int_equal(rc, ECS_OK);
            }
            if (rc == ECS_OK) {
                assert_int_equal(out_len, want_len);
                assert_memory_equal(out, want, want_len);
            } else {
                assert_int_equal(rc, ECS_E_NOMEM);
                assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
                /* Reset recovers the writer once memory is back. */
                test_alloc_fail_at(&f->ta, 0, false);
                ecs_json_writer_reset(w);
                assert_int_equal(ecs_json_write_int(w, 7), ECS_OK);
                expect_result(w, "7");
            }
            ecs_json_writer_free(w);
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            if (!injected) {
                break;
            }
            assert_true(n < 100000);
        }
        if (fail_all) {
            break;
        }
    }
    test_alloc_fail_at(&f->ta, 0, false);
    free(want);
    ecs_json_doc_free(doc);
}

static void test_json_write__write_text_oom_leaves_outputs_untouched(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(
        f, S("{\"a\":[1,2,3,\"four\",{\"five\":5.5}],\"long\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"));
    size_t base = f->ta.live_blocks, n;

    for (n = 1;; n++) {
        char *out = TEXT_SENTINEL;
        size_t len = 77;
        ecs_status rc;

        test_alloc_fail_at(&f->ta, n, true);
        rc = ecs_json_write_text(f->ctx, doc, ecs_json_root(doc), ECS_JSON_W_F_INDENT, &out, &len);
        if (f->ta.calls < n) {
            assert_int_equal(rc, ECS_OK);
            assert_non_null(out);
            assert_true(len > 100);
            ecs_json_text_free(f->ctx, out, len);
            break;
        }
        assert_int_equal(rc, ECS_E_NOMEM);
        assert_ptr_equal(out, TEXT_SENTINEL);
        assert_int_equal(len, 77);
        assert_int_equal(f->ta.live_blocks, base);
        assert_true(n < 10000);
    }
    test_alloc_fail_at(&f->ta, 0, false);
    assert_int_equal(f->ta.live_blocks, base);
    ecs_json_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_json_write__compact_output_is_exact),
        T(test_json_write__indented_output_is_exact),
        T(test_json_write__scalars_at_top_level),
        T(test_json_write__members_keep_insertion_order),
        T(test_json_write__escapes_control_characters),
        T(test_json_write__escapes_quote_backslash_and_allows_slash),
        T(test_json_write__strings_round_trip_through_the_parser),
        T(test_json_write__rejects_invalid_utf8),
        T(test_json_write__keys_are_escaped),
        T(test_json_write__integers_are_exact),
        T(test_json_write__doubles_round_trip_exactly),
        T(test_json_write__integral_doubles_stay_doubles),
        T(test_json_write__rejects_non_finite_doubles),
        T(test_json_write__misuse_is_a_sticky_state_error),
        T(test_json_write__result_needs_a_complete_value),
        T(test_json_write__reset_clears_error_and_content),
        T(test_json_write__writer_new_rejects_bad_arguments),
        T(test_json_write__null_arguments_fail_without_crashing),
        T(test_json_write__depth_limit_from_context),
        T(test_json_write__write_val_reproduces_canonical_text),
        T(test_json_write__write_val_of_members_and_names),
        T(test_json_write__write_text_indented),
        T(test_json_write__write_text_failure_leaves_outputs_untouched),
        T(test_json_write__oom_at_each_allocation_leaks_nothing),
        T(test_json_write__write_text_oom_leaves_outputs_untouched),
        T(test_json_write__write_val_of_deep_document),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
