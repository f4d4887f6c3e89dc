/*
 * Tests of ecs_json_parse() and the document readers, written against
 * include/ecs/json.h. The inputs cover the classes of edge case that
 * JSONTestSuite covers (literals, number grammar and rounding, escapes,
 * UTF-8 validation, structure, limits), error positions, duplicate names,
 * iteration, an allocation-failure sweep and misuse. Doubles are compared by
 * bit pattern, so -0.0 and correct rounding are checked exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_util.h"

/* A string literal as pointer and length (embedded NULs included). */
#define S(lit) (lit), (sizeof(lit) - 1u)

/* A context on the checking allocator (tests/support/test_util.h). */
typedef test_ctx_fixture fixture;
#define setup test_ctx_setup
#define teardown test_ctx_teardown

/* A pointer no library call writes: outputs must stay untouched. */
static int sentinel_storage;
#define DOC_SENTINEL ((ecs_json_doc *)(void *)&sentinel_storage)


static void fail_on(const char *s, size_t len, const char *what, ecs_status got, ecs_status want)
{
    char buf[200];

    test_describe_bytes(s, len, buf, sizeof buf);
    print_error("input \"%s\" (%zu bytes): %s: got %s, want %s\n", buf, len, what,
                ecs_status_str(got), ecs_status_str(want));
    fail();
}

static size_t live_without_docs(const fixture *f)
{
    return f->ta.live_blocks;
}

/* Parse and expect success; returns the document. */
static ecs_json_doc *parse_ok_opts(fixture *f, const char *s, size_t len,
                                   const ecs_json_parse_options *opts)
{
    ecs_json_doc *doc = NULL;
    ecs_status rc = ecs_json_parse(f->ctx, s, len, opts, &doc);

    if (rc != ECS_OK) {
        char buf[200];
        test_describe_bytes(s, len, buf, sizeof buf);
        print_error("input \"%s\": %s\n", buf, ecs_ctx_errmsg(f->ctx));
        fail_on(s, len, "parse", rc, ECS_OK);
    }
    assert_non_null(doc);
    assert_non_null(ecs_json_root(doc));
    return doc;
}

static ecs_json_doc *parse_ok(fixture *f, const char *s, size_t len)
{
    return parse_ok_opts(f, s, len, NULL);
}

/* Parse and expect the failure want: out untouched, message and position
 * recorded, nothing left allocated. */
static void expect_fail_opts(fixture *f, const char *s, size_t len,
                             const ecs_json_parse_options *opts, ecs_status want)
{
    ecs_json_doc *doc = DOC_SENTINEL;
    size_t before = live_without_docs(f);
    ecs_errpos pos = { 0, 0, 0 };
    ecs_status rc = ecs_json_parse(f->ctx, s, len, opts, &doc);

    if (rc != want) {
        if (rc == ECS_OK && doc != DOC_SENTINEL) {
            ecs_json_doc_free(doc);
        }
        fail_on(s, len, "parse", rc, want);
    }
    assert_ptr_equal(doc, DOC_SENTINEL);
    assert_int_equal(ecs_ctx_errcode(f->ctx), want);
    assert_true(strlen(ecs_ctx_errmsg(f->ctx)) > 0);
    if (want == ECS_E_PARSE) {
        assert_true(ecs_ctx_errpos(f->ctx, &pos));
        assert_true(pos.offset <= len);
        assert_true(pos.line >= 1);
        assert_true(pos.column >= 1);
    }
    assert_int_equal(f->ta.live_blocks, before);
    assert_int_equal(f->ta.errors, 0);
}

static void expect_fail(fixture *f, const char *s, size_t len, ecs_status want)
{
    expect_fail_opts(f, s, len, NULL, want);
}

static void expect_parse_error(fixture *f, const char *s, size_t len)
{
    expect_fail(f, s, len, ECS_E_PARSE);
}

static uint64_t bits_of(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof u);
    return u;
}

/* Parse a number and expect an ECS_JSON_DOUBLE with these IEEE bits. */
static void expect_double_bits(fixture *f, const char *s, size_t len, uint64_t want)
{
    ecs_json_doc *doc = parse_ok(f, s, len);
    const ecs_json_val *v = ecs_json_root(doc);
    double d = -1.0;
    uint64_t got;

    assert_int_equal(ecs_json_type_of(v), ECS_JSON_DOUBLE);
    assert_int_equal(ecs_json_get_double(v, &d), ECS_OK);
    got = bits_of(d);
    if (got != want) {
        char buf[200];
        test_describe_bytes(s, len, buf, sizeof buf);
        print_error("input \"%s\": got bits 0x%016llX (%.17g), want 0x%016llX\n", buf,
                    (unsigned long long)got, d, (unsigned long long)want);
        fail();
    }
    ecs_json_doc_free(doc);
}

static void expect_int(fixture *f, const char *s, size_t len, int64_t want)
{
    ecs_json_doc *doc = parse_ok(f, s, len);
    const ecs_json_val *v = ecs_json_root(doc);
    int64_t got = 0;

    assert_int_equal(ecs_json_type_of(v), ECS_JSON_INT);
    assert_int_equal(ecs_json_get_int(v, &got), ECS_OK);
    assert_true(got == want);
    ecs_json_doc_free(doc);
}

/* Parse a JSON string and expect its decoded bytes. */
static void expect_decoded(fixture *f, const char *s, size_t len, const char *want,
                          size_t want_len)
{
    ecs_json_doc *doc = parse_ok(f, s, len);
    const ecs_json_val *v = ecs_json_root(doc);
    size_t got_len = 12345;
    const char *got;

    assert_int_equal(ecs_json_type_of(v), ECS_JSON_STRING);
    got = ecs_json_str(doc, v, &got_len);
    assert_non_null(got);
    if (got_len != want_len || memcmp(got, want, want_len) != 0) {
        char buf[200], buf2[200];
        test_describe_bytes(s, len, buf, sizeof buf);
        test_describe_bytes(got, got_len, buf2, sizeof buf2);
        print_error("input \"%s\": decoded to \"%s\" (%zu bytes), want %zu bytes\n", buf, buf2,
                    got_len, want_len);
        fail();
    }
    assert_int_equal(got[got_len], '\0');
    assert_non_null(ecs_json_str(doc, v, NULL));
    ecs_json_doc_free(doc);
}

/* A string of n c's followed by n d's, malloc'd. */
static char *nested(size_t n, char c, char d, size_t *len)
{
    char *s = malloc(2 * n + 1);

    assert_non_null(s);
    memset(s, c, n);
    memset(s + n, d, n);
    s[2 * n] = '\0';
    *len = 2 * n;
    return s;
}

/* Case-insensitive substring test for messages. */
static bool mentions(const char *msg, const char *word)
{
    size_t i, n = strlen(word), m = strlen(msg);

    for (i = 0; i + n <= m; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)msg[i + k]) == tolower((unsigned char)word[k])) {
            k++;
        }
        if (k == n) {
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* Literals                                                                  */

static void test_json_parse__accepts_every_literal(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc;
    const ecs_json_val *root, *v;

    doc = parse_ok(f, S("null"));
    assert_int_equal(ecs_json_type_of(ecs_json_root(doc)), ECS_JSON_NULL);
    assert_false(ecs_json_is_true(ecs_json_root(doc)));
    ecs_json_doc_free(doc);

    doc = parse_ok(f, S("true"));
    assert_int_equal(ecs_json_type_of(ecs_json_root(doc)), ECS_JSON_TRUE);
    assert_true(ecs_json_is_true(ecs_json_root(doc)));
    ecs_json_doc_free(doc);

    doc = parse_ok(f, S("false"));
    assert_int_equal(ecs_json_type_of(ecs_json_root(doc)), ECS_JSON_FALSE);
    assert_false(ecs_json_is_true(ecs_json_root(doc)));
    ecs_json_doc_free(doc);

    doc = parse_ok(f, S(" [null,true,false,{\"t\":true,\"f\":false,\"n\":null}] "));
    root = ecs_json_root(doc);
    assert_int_equal(ecs_json_len(root), 4);
    assert_int_equal(ecs_json_type_of(ecs_json_arr_get(root, 0)), ECS_JSON_NULL);
    assert_int_equal(ecs_json_type_of(ecs_json_arr_get(root, 1)), ECS_JSON_TRUE);
    assert_int_equal(ecs_json_type_of(ecs_json_arr_get(root, 2)), ECS_JSON_FALSE);
    v = ecs_json_arr_get(root, 3);
    assert_int_equal(ecs_json_type_of(ecs_json_obj_get(doc, v, S("t"))), ECS_JSON_TRUE);
    assert_int_equal(ecs_json_type_of(ecs_json_obj_get(doc, v, S("f"))), ECS_JSON_FALSE);
    v = ecs_json_obj_get(doc, v, S("n"));
    assert_non_null(v);
    assert_int_equal(ecs_json_type_of(v), ECS_JSON_NULL);
    ecs_json_doc_free(doc);
}

static void test_json_parse__rejects_misspelt_literals(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "tru", "nul", "fals", "True", "FALSE", "NULL", "nulll", "truex", "t", "n", "f",
        "truefalse", "[true false]", "nan", "NaN", "Infinity", "-Infinity", "undefined",
        "[tru]", "{\"a\":nul}", "nil", "none", "tRue",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__type_names(void **state)
{
    (void)state;
    assert_string_equal(ecs_json_type_name(ECS_JSON_NULL), "null");
    assert_string_equal(ecs_json_type_name(ECS_JSON_FALSE), "boolean");
    assert_string_equal(ecs_json_type_name(ECS_JSON_TRUE), "boolean");
    assert_string_equal(ecs_json_type_name(ECS_JSON_INT), "integer");
    assert_string_equal(ecs_json_type_name(ECS_JSON_DOUBLE), "number");
    assert_string_equal(ecs_json_type_name(ECS_JSON_STRING), "string");
    assert_string_equal(ecs_json_type_name(ECS_JSON_ARRAY), "array");
    assert_string_equal(ecs_json_type_name(ECS_JSON_OBJECT), "object");
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

static void test_json_parse__accepts_number_grammar(void **state)
{
    fixture *f = *state;

    expect_int(f, S("0"), 0);
    expect_int(f, S("-0"), 0);
    expect_int(f, S("7"), 7);
    expect_int(f, S("-7"), -7);
    expect_int(f, S("1234567890"), 1234567890);
    expect_int(f, S(" 42 "), 42);
    expect_int(f, &"[-123]"[1], 4, -123); /* the length ends the number */
    expect_double_bits(f, S("1.5"), UINT64_C(0x3FF8000000000000));
    expect_double_bits(f, S("-1.5"), UINT64_C(0xBFF8000000000000));
    expect_double_bits(f, S("1.0"), UINT64_C(0x3FF0000000000000));
    expect_double_bits(f, S("0.0"), 0);
    expect_double_bits(f, S("-0.0"), UINT64_C(0x8000000000000000));
    expect_double_bits(f, S("-0e0"), UINT64_C(0x8000000000000000));
    expect_double_bits(f, S("0e0"), 0);
    expect_double_bits(f, S("0E+0"), 0);
    expect_double_bits(f, S("1e2"), UINT64_C(0x4059000000000000));
    expect_double_bits(f, S("1E2"), UINT64_C(0x4059000000000000));
    expect_double_bits(f, S("1e+2"), UINT64_C(0x4059000000000000));
    expect_double_bits(f, S("10000e-2"), UINT64_C(0x4059000000000000));
    expect_double_bits(f, S("1e007"), UINT64_C(0x416312D000000000));
    expect_double_bits(f, S("0.3e0"), UINT64_C(0x3FD3333333333333));
    expect_double_bits(f, S("3.0e-1"), UINT64_C(0x3FD3333333333333));
    expect_double_bits(f, S("-1.5E+3"), bits_of(-1500.0));
    expect_double_bits(f, S("123.456e-789"), 0);
    expect_double_bits(f, S("0e99999999999999999999"), 0);
    expect_double_bits(f, S("0.000e+400000"), 0);
    expect_double_bits(f, S("-0.0e-99999999999999999999"), UINT64_C(0x8000000000000000));
}

static void test_json_parse__rejects_number_grammar_errors(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "01",   "-01",  "00",   "1.",    ".5",     "+1",    "-",     "1e",    "1e+",
        "1e-",  "1E",   "-.5",  "1.e5",  "1.5.2",  "1ee2",  "1e2e3", "0x1",   "0x1F",
        "1e+-2", "--1", "- 1",  "-a",    "1 2",    "[01]",  "[1.]",  "[.5]",  "[+1]",
        "[-]",  "[1e]", "{\"a\":1.}", "1,",  "0.e1", "2.e-3", "012", "1_000", "1,000",
        "\xEF\xBC\x91", /* fullwidth digit one */
        "1e1.5", ".", "-e1", "e1", "1.0e", "1.0e+", "0-1", "1-", "[1.2.3]", "[0x42]",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__int64_limits_are_exact_ints(void **state)
{
    fixture *f = *state;

    expect_int(f, S("9223372036854775807"), INT64_MAX);
    expect_int(f, S("-9223372036854775808"), INT64_MIN);
    expect_int(f, S("9223372036854775806"), INT64_MAX - 1);
    expect_int(f, S("-9223372036854775807"), INT64_MIN + 1);
    /* Around the 60-bit and 53-bit marks, where representations change. */
    expect_int(f, S("576460752303423487"), (INT64_C(1) << 59) - 1);
    expect_int(f, S("576460752303423488"), INT64_C(1) << 59);
    expect_int(f, S("-576460752303423488"), -(INT64_C(1) << 59));
    expect_int(f, S("-576460752303423489"), -(INT64_C(1) << 59) - 1);
    expect_int(f, S("9007199254740993"), INT64_C(9007199254740993));
    expect_int(f, S("-9007199254740993"), -INT64_C(9007199254740993));
}

static void test_json_parse__integers_beyond_int64_are_doubles_with_limit(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text;
        uint64_t bits;
    } cases[] = {
        { "9223372036854775808", UINT64_C(0x43E0000000000000) },
        { "-9223372036854775809", UINT64_C(0xC3E0000000000000) },
        { "18446744073709551615", UINT64_C(0x43F0000000000000) },
        { "18446744073709551616", UINT64_C(0x43F0000000000000) },
        { "-18446744073709551616", UINT64_C(0xC3F0000000000000) },
        { "123456789012345678901234567890", UINT64_C(0x45F8EE90FF6C373E) },
        { "99999999999999999999999999999999999999999999999999", 0 },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ecs_json_doc *doc = parse_ok(f, cases[i].text, strlen(cases[i].text));
        const ecs_json_val *v = ecs_json_root(doc);
        int64_t iv = 77;
        double d = 0.0;

        assert_int_equal(ecs_json_type_of(v), ECS_JSON_DOUBLE);
        assert_int_equal(ecs_json_get_int(v, &iv), ECS_E_LIMIT);
        assert_true(iv == 77);
        assert_int_equal(ecs_json_get_double(v, &d), ECS_OK);
        if (cases[i].bits != 0) {
            assert_int_equal(bits_of(d), cases[i].bits);
        } else {
            assert_true(d > 9.9e49 && d < 1.1e50);
        }
        ecs_json_doc_free(doc);
    }
}

static void test_json_parse__get_int_and_get_double_check_types(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("[1.0,1e2,\"1\",true,null,[],{},9007199254740993,-5]"));
    const ecs_json_val *root = ecs_json_root(doc);
    int64_t iv = 77;
    double d = 7.5;
    size_t i;

    /* Doubles with integral values are not integers. */
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(root, 0), &iv), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(root, 1), &iv), ECS_E_INVALID_ARG);
    assert_true(iv == 77);
    assert_int_equal(ecs_json_get_double(ecs_json_arr_get(root, 0), &d), ECS_OK);
    assert_true(d == 1.0);
    assert_int_equal(ecs_json_get_double(ecs_json_arr_get(root, 1), &d), ECS_OK);
    assert_true(d == 100.0);
    for (i = 2; i <= 6; i++) {
        d = 7.5;
        iv = 77;
        assert_int_equal(ecs_json_get_int(ecs_json_arr_get(root, i), &iv), ECS_E_INVALID_ARG);
        assert_int_equal(ecs_json_get_double(ecs_json_arr_get(root, i), &d), ECS_E_INVALID_ARG);
        assert_true(iv == 77);
        assert_true(d == 7.5);
    }
    /* An integer read as a double rounds above 2^53 (ties to even). */
    assert_int_equal(ecs_json_get_double(ecs_json_arr_get(root, 7), &d), ECS_OK);
    assert_int_equal(bits_of(d), UINT64_C(0x4340000000000000));
    assert_int_equal(ecs_json_get_double(ecs_json_arr_get(root, 8), &d), ECS_OK);
    assert_true(d == -5.0);
    assert_int_equal(ecs_json_get_int(NULL, &iv), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_get_double(NULL, &d), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(root, 8), &iv), ECS_OK);
    assert_true(iv == -5);
    ecs_json_doc_free(doc);
}

static void test_json_parse__doubles_are_correctly_rounded(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text;
        uint64_t bits;
    } cases[] = {
        { "0.1", UINT64_C(0x3FB999999999999A) },
        { "-0.1", UINT64_C(0xBFB999999999999A) },
        { "0.2", UINT64_C(0x3FC999999999999A) },
        { "0.3", UINT64_C(0x3FD3333333333333) },
        { "1e23", UINT64_C(0x44B52D02C7E14AF6) },
        { "8.98846567431158e307", UINT64_C(0x7FE0000000000000) },
        /* Largest subnormal and smallest normal (the strtod hang of 2011). */
        { "2.2250738585072011e-308", UINT64_C(0x000FFFFFFFFFFFFF) },
        { "2.2250738585072012e-308", UINT64_C(0x0010000000000000) },
        { "2.2250738585072014e-308", UINT64_C(0x0010000000000000) },
        { "2.225073858507201136057409796709131975934819546351645648e-308",
          UINT64_C(0x000FFFFFFFFFFFFF) },
        /* Smallest subnormal, written several ways. */
        { "4.9e-324", UINT64_C(0x0000000000000001) },
        { "5e-324", UINT64_C(0x0000000000000001) },
        { "4.9406564584124654e-324", UINT64_C(0x0000000000000001) },
        { "3e-324", UINT64_C(0x0000000000000001) },
        { "2.4703282292062328e-324", UINT64_C(0x0000000000000001) },
        { "2.4703282292062327e-324", 0 },
        { "1e-400", 0 },
        { "-1e-400", UINT64_C(0x8000000000000000) },
        { "1e-99999999999999999999", 0 },
        /* Largest finite and what rounds down to it. */
        { "1.7976931348623157e308", UINT64_C(0x7FEFFFFFFFFFFFFF) },
        { "1.7976931348623158e308", UINT64_C(0x7FEFFFFFFFFFFFFF) },
        { "-1.7976931348623157e308", UINT64_C(0xFFEFFFFFFFFFFFFF) },
        { "1.79769313486231580793e308", UINT64_C(0x7FEFFFFFFFFFFFFF) },
        /* 2^53 + 1 is an INT when written as one, a rounded double otherwise. */
        { "9007199254740993.0", UINT64_C(0x4340000000000000) },
        { "9007199254740993e0", UINT64_C(0x4340000000000000) },
        { "9007199254740995e0", UINT64_C(0x4340000000000002) },
        { "9007199254740994.5", UINT64_C(0x4340000000000001) },
        { "9007199254740993.00000000000000000000000001", UINT64_C(0x4340000000000001) },
        { "90071992547409930e-1", UINT64_C(0x4340000000000000) },
        /* The exact decimal value of the double nearest 0.1. */
        { "0.1000000000000000055511151231257827021181583404541015625",
          UINT64_C(0x3FB999999999999A) },
        /* Exactly halfway between 0.1 and the next double: ties to even (A). */
        { "0.100000000000000012490009027033011079765856266021728515625",
          UINT64_C(0x3FB999999999999A) },
        { "0.100000000000000012490009027033011079765856266021728515626",
          UINT64_C(0x3FB999999999999B) },
        { "0.100000000000000012490009027033011079765856266021728515624",
          UINT64_C(0x3FB999999999999A) },
        /* 1 + 2^-53 exactly is a tie (to 1.0); anything above rounds up. */
        { "1.00000000000000011102230246251565404236316680908203125",
          UINT64_C(0x3FF0000000000000) },
        { "1.00000000000000011102230246251565404236316680908203126",
          UINT64_C(0x3FF0000000000001) },
        { "1.00000000000000011102230246251565404236316680908203124",
          UINT64_C(0x3FF0000000000000) },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_double_bits(f, cases[i].text, strlen(cases[i].text), cases[i].bits);
    }
}

/* Build digits: prefix, then `zeros` '0's, then suffix. */
static char *build_number(const char *prefix, size_t zeros, const char *suffix, size_t *len)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *t = malloc(p + zeros + s + 1);

    assert_non_null(t);
    memcpy(t, prefix, p);
    memset(t + p, '0', zeros);
    memcpy(t + p + zeros, suffix, s + 1);
    *len = p + zeros + s;
    return t;
}

/* The digits of 2^-1075 (half the smallest subnormal) times 10^324. */
static const char half_min_subnormal[] =
    "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593"
    "264991818081799618989828234772285886546332835517796989819938739800539093906315035659"
    "515570226392290858392449105184435931802849936536152500319370457678249219365623669863"
    "658480757001585769269903706311928279558551332927834338409351978015531246597263579574"
    "622766465272827220056374006485499977096599470454020828166226237857393450736339007967"
    "761930577506740176324673600968951340535537458516661134223766678604162159680461914467"
    "291840300530057530849048765391711386591646239524912623653881879636239373280423891018"
    "672348497668235089863388587925628302755995657524455507255189313690836254779186948667"
    "994968324049705821028513185451396213837722826145437693412532098591327667236328125";

/* Exactly halfway between the largest double and 2^1024. */
static const char half_over_max[] =
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946"
    "649017977587207096330286416692887910946555547851940402630657488671505820681908902000"
    "708383676273854845817711531764475730270069855571366959622842914819860834936475292719"
    "074168444365510704342711559699508093042880177904174497792";

static void test_json_parse__long_mantissas_round_correctly(void **state)
{
    fixture *f = *state;
    char *t;
    size_t len;
    char buf[sizeof half_min_subnormal + 16];

    /* 1 followed by hundreds of zeros then a 1: just above 1.0, rounds to 1. */
    t = build_number("1.", 1000, "1", &len);
    expect_double_bits(f, t, len, UINT64_C(0x3FF0000000000000));
    free(t);
    /* The 1 + 2^-53 tie with a 1 far beyond: above the tie, rounds up. */
    t = build_number("1.00000000000000011102230246251565404236316680908203125", 800, "1", &len);
    expect_double_bits(f, t, len, UINT64_C(0x3FF0000000000001));
    free(t);
    /* The tie with trailing zeros stays a tie. */
    t = build_number("1.00000000000000011102230246251565404236316680908203125", 800, "", &len);
    expect_double_bits(f, t, len, UINT64_C(0x3FF0000000000000));
    free(t);
    /* Many digits scaled by an exponent. */
    t = build_number("1", 800, "e-800", &len);
    expect_double_bits(f, t, len, UINT64_C(0x3FF0000000000000));
    free(t);
    t = build_number("0.", 800, "1e801", &len);
    expect_double_bits(f, t, len, UINT64_C(0x3FF0000000000000));
    free(t);
    t = build_number("1", 300, "", &len); /* an integer literal 10^300 */
    {
        ecs_json_doc *doc = parse_ok(f, t, len);
        int64_t iv = 5;
        double d = 0.0;
        assert_int_equal(ecs_json_type_of(ecs_json_root(doc)), ECS_JSON_DOUBLE);
        assert_int_equal(ecs_json_get_int(ecs_json_root(doc), &iv), ECS_E_LIMIT);
        assert_int_equal(ecs_json_get_double(ecs_json_root(doc), &d), ECS_OK);
        assert_int_equal(bits_of(d), bits_of(1e300));
        ecs_json_doc_free(doc);
    }
    free(t);
    t = build_number("0.", 400, "1e400", &len);
    expect_double_bits(f, t, len, bits_of(0.1));
    free(t);
    /* Exactly half the smallest subnormal: a tie, to even (zero). */
    memcpy(buf, half_min_subnormal, sizeof half_min_subnormal - 1u);
    memcpy(buf + sizeof half_min_subnormal - 1u, "e-324", 6);
    expect_double_bits(f, buf, strlen(buf), 0);
    /* The same digits then a 1: just above the tie, rounds up. */
    memcpy(buf + sizeof half_min_subnormal - 1u, "1e-324", 7);
    expect_double_bits(f, buf, strlen(buf), UINT64_C(0x0000000000000001));
    /* Negative: a tie to -0.0. */
    buf[0] = '-';
    memcpy(buf + 1, half_min_subnormal, sizeof half_min_subnormal - 1u);
    memcpy(buf + sizeof half_min_subnormal, "e-324", 6);
    expect_double_bits(f, buf, strlen(buf), UINT64_C(0x8000000000000000));
    /* One below the tie over the largest double rounds down to it. */
    memcpy(buf, half_over_max, sizeof half_over_max);
    buf[sizeof half_over_max - 2u] = '1'; /* ...7792 -> ...7791 */
    expect_double_bits(f, buf, strlen(buf), UINT64_C(0x7FEFFFFFFFFFFFFF));
    /* The tie itself rounds to even, 2^1024, beyond double: rejected. */
    expect_fail(f, half_over_max, sizeof half_over_max - 1u, ECS_E_LIMIT);
}

static void test_json_parse__huge_numbers_are_rejected_with_limit(void **state)
{
    fixture *f = *state;
    static const char *const huge[] = {
        "1.8e308",     "-1.8e308",    "1e309",       "1.7976931348623159e308",
        "1e400",       "-1e400",      "[1e99999]",   "{\"a\":1E+999}",
        "1e99999999999999999999",     "123456789e99999999999999999",
        "0.1e310",
    };
    size_t i;
    char *t;
    size_t len;

    for (i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        expect_fail(f, huge[i], strlen(huge[i]), ECS_E_LIMIT);
    }
    /* An integer literal with 400 digits. */
    t = build_number("1", 400, "", &len);
    expect_fail(f, t, len, ECS_E_LIMIT);
    free(t);
    t = build_number("-9", 400, "", &len);
    expect_fail(f, t, len, ECS_E_LIMIT);
    free(t);
}

static void test_json_parse__number_limit_error_has_position(void **state)
{
    fixture *f = *state;
    ecs_errpos pos = { 0, 0, 0 };

    expect_fail(f, S("[1, 1e400]"), ECS_E_LIMIT);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    assert_int_equal(pos.offset, 4);
    assert_int_equal(pos.line, 1);
    assert_int_equal(pos.column, 5);
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */

static void test_json_parse__decodes_every_escape(void **state)
{
    fixture *f = *state;

    expect_decoded(f, S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), S("\"\\/\b\f\n\r\t"));
    expect_decoded(f, S("\"a\\\"b\""), S("a\"b"));
    expect_decoded(f, S("\"\\u0041\\u0062\""), S("Ab"));
    expect_decoded(f, S("\"\\u00e9\\u00E9\""), S("\xC3\xA9\xC3\xA9"));
    expect_decoded(f, S("\"\\u007F\""), S("\x7F"));
    expect_decoded(f, S("\"\\u0080\""), S("\xC2\x80"));
    expect_decoded(f, S("\"\\u07FF\""), S("\xDF\xBF"));
    expect_decoded(f, S("\"\\u0800\""), S("\xE0\xA0\x80"));
    expect_decoded(f, S("\"\\u20ac\\u20AC\""), S("\xE2\x82\xAC\xE2\x82\xAC"));
    expect_decoded(f, S("\"\\uD7FF\""), S("\xED\x9F\xBF"));
    expect_decoded(f, S("\"\\uE000\""), S("\xEE\x80\x80"));
    expect_decoded(f, S("\"\\uFEFF\""), S("\xEF\xBB\xBF"));
    expect_decoded(f, S("\"\\uFFFF\""), S("\xEF\xBF\xBF"));
    expect_decoded(f, S("\"\\u001f\\u0001\""), S("\x1F\x01"));
    expect_decoded(f, S("\"\""), S(""));
    expect_decoded(f, S("\"\\/\""), S("/"));
    expect_decoded(f, S("\"/\""), S("/"));
}

static void test_json_parse__nul_escape_keeps_length(void **state)
{
    fixture *f = *state;

    expect_decoded(f, S("\"\\u0000\""), "\0", 1);
    expect_decoded(f, S("\"a\\u0000b\""), "a\0b", 3);
    expect_decoded(f, S("\"\\u0000\\u0000x\\u0000\""), "\0\0x\0", 4);
}

static void test_json_parse__surrogate_pairs_decode_to_four_bytes(void **state)
{
    fixture *f = *state;

    expect_decoded(f, S("\"\\uD800\\uDC00\""), S("\xF0\x90\x80\x80"));
    expect_decoded(f, S("\"\\uD83D\\uDE00\""), S("\xF0\x9F\x98\x80"));
    expect_decoded(f, S("\"\\ud83d\\ude00\""), S("\xF0\x9F\x98\x80"));
    expect_decoded(f, S("\"\\uDBFF\\uDFFF\""), S("\xF4\x8F\xBF\xBF"));
    expect_decoded(f, S("\"x\\uD834\\uDD1Ey\""), S("x\xF0\x9D\x84\x9Ey"));
    expect_decoded(f, S("\"\\uD83D\\uDE00\\uD83D\\uDE00\""),
                  S("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));
}

static void test_json_parse__rejects_lone_surrogate(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "\"\\uD800\"",
        "\"\\uDBFF\"",
        "\"\\uDC00\"",
        "\"\\uDFFF\"",
        "\"\\uD800x\"",
        "\"\\uD800\\u0041\"",
        "\"\\uD800\\uD800\"",
        "\"\\uD800\\uDBFF\"",
        "\"\\uDC00\\uD800\"",
        "\"\\uD800\\n\"",
        "\"\\uD800\\\"",
        "\"\\uD800\\u\"",
        "\"\\uD800\\uDC0\"",
        "\"\\uD800",
        "\"\\uD800\\",
        "\"\\uDE00\\uD83D\"",
        "[\"a\\uD800\"]",
        "{\"\\uDC00\":1}",
        "\"\\uD800\\uE000\"",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_bad_escapes(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "\"\\x41\"", "\"\\U0041\"", "\"\\u004\"", "\"\\u00G1\"", "\"\\a\"",   "\"\\'\"",
        "\"\\0\"",   "\"\\ \"",     "\"\\",       "\"\\u",       "\"\\u12",   "\"\\u-123\"",
        "\"\\u+123\"", "\"\\u 123\"", "\"\\v\"",  "\"\\e\"",     "\"\\B\"",   "\"\\N\"",
        "\"\\\xC3\xA9\"", "\"\\u0x12\"", "\"\\\n\"", "\"\\uD83D\\uDE0\"", "\"\\/\\u\"",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__accepts_valid_utf8(void **state)
{
    fixture *f = *state;
    static const char *const good[] = {
        "\xC2\x80",         /* U+0080 */
        "\xDF\xBF",         /* U+07FF */
        "\xE0\xA0\x80",     /* U+0800 */
        "\xED\x9F\xBF",     /* U+D7FF */
        "\xEE\x80\x80",     /* U+E000 */
        "\xEF\xBF\xBD",     /* U+FFFD */
        "\xEF\xBF\xBE",     /* U+FFFE, a noncharacter but valid */
        "\xEF\xBF\xBF",     /* U+FFFF */
        "\xEF\xBB\xBF",     /* a BOM inside a string is just a character */
        "\xF0\x90\x80\x80", /* U+10000 */
        "\xF0\x9F\x98\x80", /* U+1F600 */
        "\xF4\x8F\xBF\xBF", /* U+10FFFF */
        "a\xC3\xA9z\xE2\x82\xAC\xF0\x9F\x98\x80",
    };
    size_t i;
    char buf[64];

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        size_t n = strlen(good[i]);
        buf[0] = '"';
        memcpy(buf + 1, good[i], n);
        buf[n + 1] = '"';
        expect_decoded(f, buf, n + 2, good[i], n);
    }
}

static void test_json_parse__rejects_invalid_utf8(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        /* Overlong forms. */
        "\"\xC0\xAF\"", "\"\xC0\x80\"", "\"\xC1\xBF\"", "\"\xE0\x80\xAF\"", "\"\xE0\x9F\xBF\"",
        "\"\xF0\x80\x80\xAF\"", "\"\xF0\x8F\xBF\xBF\"",
        /* Surrogates encoded in UTF-8, alone and as a CESU-8 pair. */
        "\"\xED\xA0\x80\"", "\"\xED\xAF\xBF\"", "\"\xED\xB0\x80\"", "\"\xED\xBF\xBF\"",
        "\"\xED\xA0\xBD\xED\xB8\x80\"",
        /* Beyond U+10FFFF, and bytes that never appear in UTF-8. */
        "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"", "\"\xF7\xBF\xBF\xBF\"",
        "\"\xF8\x88\x80\x80\x80\"", "\"\xFC\x84\x80\x80\x80\x80\"", "\"\xFE\"", "\"\xFF\"",
        "\"\xFF\xFE\"",
        /* Truncated sequences, before a quote and at the end of input. */
        "\"\xC3\"", "\"\xE2\x82\"", "\"\xF0\x9F\x98\"", "\"\xF0\x9F\"", "\"\xF0\"",
        "\"\xC3", "\"\xE2\x82", "\"\xF0\x9F\x98",
        /* A lead byte followed by a non-continuation. */
        "\"\xC3\x41\"", "\"\xE2\x28\xA1\"", "\"\xE2\x82\x28\"", "\"\xF0\x28\x8C\xBC\"",
        "\"\xF0\x9F\x98\x41\"", "\"\xC3\xC3\xA9\"",
        /* Stray continuation bytes. */
        "\"\x80\"", "\"\xBF\"", ("\"a\x80" "b\""), "\"\xC3\xA9\xA9\"", "\"\xE2\x82\xAC\x80\"",
        /* Outside strings as well. */
        "\xC3\xA9", "[\xC3\xA9]", "[1,\xFF]", "{\"a\xC0\xAF\":1}", "{\"a\":\"\xED\xA0\x80\"}",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_raw_control_chars(void **state)
{
    fixture *f = *state;
    unsigned c;

    for (c = 0; c < 0x20; c++) {
        char s[5] = { '"', 'a', (char)c, 'b', '"' };
        char k[9] = { '{', '"', (char)c, '"', ':', '1', '}', 0, 0 };
        expect_parse_error(f, s, sizeof s);
        expect_parse_error(f, k, 7);
    }
}

static void test_json_parse__accepts_del_and_high_ascii_text(void **state)
{
    fixture *f = *state;

    expect_decoded(f, S("\"a\x7F" "b\""), S("a\x7F" "b"));
    expect_decoded(f, S("\"\x7F\""), S("\x7F"));
    expect_decoded(f, S("\" ~!@#$%^&*()_+{}|:<>?`-=[];',./\""),
                  S(" ~!@#$%^&*()_+{}|:<>?`-=[];',./"));
}

static void test_json_parse__rejects_unterminated_strings(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "\"", "\"abc", "[\"abc]", "{\"a:1}", "{\"a\":\"b}", "\"abc\\\"", "'abc'", "[\"a\",\"b]",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__long_string_with_escapes(void **state)
{
    fixture *f = *state;
    size_t n = 100000, i, len;
    char *text = malloc(n * 6 + 3), *want = malloc(n * 2);
    size_t tl = 0, wl = 0;

    assert_non_null(text);
    assert_non_null(want);
    text[tl++] = '"';
    for (i = 0; i < n; i++) {
        if (i % 3 == 0) {
            memcpy(text + tl, "\\u00e9", 6);
            tl += 6;
            memcpy(want + wl, "\xC3\xA9", 2);
            wl += 2;
        } else {
            text[tl++] = (char)('a' + (char)(i % 26));
            want[wl++] = (char)('a' + (char)(i % 26));
        }
    }
    text[tl++] = '"';
    len = tl;
    expect_decoded(f, text, len, want, wl);
    free(text);
    free(want);
}

/* ------------------------------------------------------------------------ */
/* Structure                                                                 */

static void test_json_parse__accepts_structures_and_whitespace(void **state)
{
    fixture *f = *state;
    static const char *const good[] = {
        "[]", "{}", "[[]]", "[{}]", "{\"a\":[]}", "{\"\":0}", " \t\r\n[ 1 , 2 ] \t\r\n",
        "{ \"a\" : 1 , \"b\" : [ ] }", "\"\"", "[\"\"]", "1", " 1", "1 ", "\n\n[\n]\n",
        "[1,[2,[3,[4]]]]", "{\"a\":{\"a\":{\"a\":{}}}}", "[null,1,\"x\",{},[],true,false,-0.5]",
    };
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        ecs_json_doc *doc = parse_ok(f, good[i], strlen(good[i]));
        ecs_json_doc_free(doc);
    }
}

static void test_json_parse__rejects_trailing_commas(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "[1,]", "[1,2,]", "{\"a\":1,}", "[,]", "{,}", "[,1]", "{,\"a\":1}", "[1,,2]",
        "{\"a\":1,,\"b\":2}", "[[],]", "[{},]", "[1,]  ", "[\n1,\n]",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_missing_commas_and_colons(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "[1 2]", "[\"a\" \"b\"]", "[[] []]", "[{} {}]", "{\"a\" 1}", "{\"a\"}", "{\"a\":}",
        "{\"a\":1 \"b\":2}", "{\"a\"::1}", "{\"a\":1:2}", "{\"a\",1}", "[1:2]", "{\"a\"=1}",
        "{\"a\":1,\"b\"}", "[1;2]",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_non_string_keys(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "{1:2}", "{null:1}", "{true:1}", "{a:1}", "{'a':1}", "{[]:1}", "{{}:1}",
        "{\"a\":1,2:3}", "{-1:0}",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_trailing_garbage(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "[1]x", "[1]]", "{}}", "1 2", "\"a\"\"b\"", "[][]", "{}[]", "null null", "true,",
        "1,", "[1],", "{\"a\":1}x", "1/", "1 /* comment */", "[1]\x80", "0 0",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_nul_byte_after_value(void **state)
{
    fixture *f = *state;

    expect_parse_error(f, "123\0", 4);
    expect_parse_error(f, "[]\0", 3);
    expect_parse_error(f, "\"a\"\0", 4);
    expect_parse_error(f, "\0", 1);
    expect_parse_error(f, "\0" "1", 2);
    expect_parse_error(f, "[1,\0" "2]", 6);
    expect_parse_error(f, "1 \0 ", 4);
    /* The same bytes without the NUL are fine: the length is what counts. */
    ecs_json_doc_free(parse_ok(f, "123\0", 3));
}

static void test_json_parse__rejects_bom(void **state)
{
    fixture *f = *state;

    expect_parse_error(f, S("\xEF\xBB\xBF" "1"));
    expect_parse_error(f, S("\xEF\xBB\xBF{}"));
    expect_parse_error(f, S("\xEF\xBB\xBF"));
    expect_parse_error(f, S("[1]\xEF\xBB\xBF"));
    expect_parse_error(f, S("\xFE\xFF\x00[\x00]"));
}

static void test_json_parse__form_feed_and_others_are_not_whitespace(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "\f1", "1\f", "[1,\f2]", "[\f]", "\v1", "[1,\v2]", "\x85" "1",
        "\xC2\xA0" "1",     /* U+00A0 no-break space */
        "\xE2\x80\xA8" "1", /* U+2028 line separator */
        "\xE3\x80\x80" "1", /* U+3000 ideographic space */
        "[1\x1F]", "{\"a\":\x0B" "1}",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_empty_and_whitespace_only_input(void **state)
{
    fixture *f = *state;

    expect_parse_error(f, "", 0);
    expect_parse_error(f, NULL, 0);
    expect_parse_error(f, "1", 0); /* a length of zero, whatever follows */
    expect_parse_error(f, S(" "));
    expect_parse_error(f, S(" \t\r\n "));
    expect_parse_error(f, S("\n\n\n"));
}

static void test_json_parse__rejects_unclosed_containers(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "[", "{", "[1", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "[[]", "[{}",
        "{\"a\":[}", "[}", "{]", "]", "}", "[1}", "{\"a\":1]", ":", ",", "[[[[[[[[]]]]]]]",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

static void test_json_parse__rejects_comments_and_extensions(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "/* c */ 1", "// c\n1", "[1 /* c */]", "# c\n1", "{a:1}", "['a']", "[1,2,3,]",
        "0x10", "Infinity", "[NaN]", "\"\\x41\"", "{\"a\":1;}", "(1)", "<1>",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_parse_error(f, bad[i], strlen(bad[i]));
    }
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */

static void test_json_parse__default_depth_limit(void **state)
{
    fixture *f = *state;
    size_t len;
    char *s = nested(ECS_DEFAULT_MAX_JSON_DEPTH, '[', ']', &len);
    ecs_errpos pos = { 0, 0, 0 };

    ecs_json_doc_free(parse_ok(f, s, len));
    free(s);
    s = nested(ECS_DEFAULT_MAX_JSON_DEPTH + 1u, '[', ']', &len);
    expect_fail(f, s, len, ECS_E_LIMIT);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    assert_int_equal(pos.offset, ECS_DEFAULT_MAX_JSON_DEPTH);
    assert_int_equal(pos.line, 1);
    assert_true(mentions(ecs_ctx_errmsg(f->ctx), "dep") || mentions(ecs_ctx_errmsg(f->ctx), "nest"));
    free(s);
}

static void test_json_parse__depth_limit_from_options(void **state)
{
    fixture *f = *state;
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;

    opts.max_depth = 3;
    ecs_json_doc_free(parse_ok_opts(f, S("[[[]]]"), &opts));
    ecs_json_doc_free(parse_ok_opts(f, S("[[[1,2]],[[3]]]"), &opts));
    ecs_json_doc_free(parse_ok_opts(f, S("{\"a\":{\"b\":[1]}}"), &opts));
    ecs_json_doc_free(parse_ok_opts(f, S("\"scalars do not nest\""), &opts));
    expect_fail_opts(f, S("[[[[]]]]"), &opts, ECS_E_LIMIT);
    expect_fail_opts(f, S("{\"a\":{\"b\":[{}]}}"), &opts, ECS_E_LIMIT);
    expect_fail_opts(f, S("[1,[2,[3,{\"x\":4}]]]"), &opts, ECS_E_LIMIT);
    /* Depth is nesting, not count: many siblings at depth 1 are fine. */
    opts.max_depth = 1;
    ecs_json_doc_free(parse_ok_opts(f, S("[1,2,3,4,5,6,7,8]"), &opts));
    ecs_json_doc_free(parse_ok_opts(f, S("{\"a\":1,\"b\":2}"), &opts));
    expect_fail_opts(f, S("[[]]"), &opts, ECS_E_LIMIT);
    expect_fail_opts(f, S("[1,[]]"), &opts, ECS_E_LIMIT);
    /* A limit above the default is honoured too. */
    {
        size_t len;
        char *s = nested(1000, '[', ']', &len);
        opts.max_depth = 1000;
        ecs_json_doc_free(parse_ok_opts(f, s, len, &opts));
        opts.max_depth = 999;
        expect_fail_opts(f, s, len, &opts, ECS_E_LIMIT);
        opts.max_depth = 0; /* the context's limit, 512 */
        expect_fail_opts(f, s, len, &opts, ECS_E_LIMIT);
        free(s);
    }
}

static void test_json_parse__depth_limit_from_context(void **state)
{
    test_alloc ta;
    ecs_ctx_options copts = ECS_CTX_OPTIONS_INIT;
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = DOC_SENTINEL;

    (void)state;
    test_alloc_init(&ta);
    copts.allocator = &ta.alloc;
    copts.max_json_depth = 2;
    assert_int_equal(ecs_ctx_new(&copts, &ctx), ECS_OK);
    assert_int_equal(ecs_json_parse(ctx, S("[[1]]"), NULL, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    doc = DOC_SENTINEL;
    assert_int_equal(ecs_json_parse(ctx, S("[[[1]]]"), NULL, &doc), ECS_E_LIMIT);
    assert_int_equal(ecs_json_parse(ctx, S("[[[1]]]"), &opts, &doc), ECS_E_LIMIT);
    assert_ptr_equal(doc, DOC_SENTINEL);
    opts.max_depth = 3;
    assert_int_equal(ecs_json_parse(ctx, S("[[[1]]]"), &opts, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    test_ctx_free_check(ctx, &ta);
}

static void test_json_parse__hundred_thousand_open_brackets_is_limit_without_crash(void **state)
{
    fixture *f = *state;
    size_t n = 100000, len;
    char *s = nested(n, '[', ']', &len);
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;

    /* Unclosed, then balanced, then objects. */
    expect_fail(f, s, n, ECS_E_LIMIT);
    expect_fail(f, s, len, ECS_E_LIMIT);
    opts.max_depth = 99999;
    expect_fail_opts(f, s, len, &opts, ECS_E_LIMIT);
    free(s);
    {
        char *o = malloc(n * 5 + 2);
        size_t i, ol = 0;
        assert_non_null(o);
        for (i = 0; i < n; i++) {
            memcpy(o + ol, "{\"a\":", 5);
            ol += 5;
        }
        expect_fail(f, o, ol, ECS_E_LIMIT);
        free(o);
    }
}

static void test_json_parse__deep_document_within_raised_limit_parses_and_frees(void **state)
{
    fixture *f = *state;
    size_t n = 100000, len, i;
    char *s = nested(n, '[', ']', &len);
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_json_doc *doc;
    const ecs_json_val *v;

    opts.max_depth = (uint32_t)n;
    doc = parse_ok_opts(f, s, len, &opts);
    v = ecs_json_root(doc);
    for (i = 1; i < n; i++) {
        assert_int_equal(ecs_json_len(v), 1);
        v = ecs_json_first(v);
        assert_non_null(v);
    }
    assert_int_equal(ecs_json_type_of(v), ECS_JSON_ARRAY);
    assert_int_equal(ecs_json_len(v), 0);
    assert_null(ecs_json_first(v));
    ecs_json_doc_free(doc);
    free(s);
}

static void test_json_parse__size_limit_from_options(void **state)
{
    fixture *f = *state;
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;

    opts.max_bytes = 10;
    ecs_json_doc_free(parse_ok_opts(f, S("[1,2,3,4]"), &opts));
    ecs_json_doc_free(parse_ok_opts(f, S("[1,2,3,45]"), &opts));
    expect_fail_opts(f, S("[1,2,3,4,5]"), &opts, ECS_E_LIMIT);
    /* Whitespace counts: the limit is on the input, not the value. */
    expect_fail_opts(f, S("1          "), &opts, ECS_E_LIMIT);
    opts.max_bytes = 1;
    ecs_json_doc_free(parse_ok_opts(f, S("7"), &opts));
    expect_fail_opts(f, S("77"), &opts, ECS_E_LIMIT);
}

static void test_json_parse__size_limit_from_context(void **state)
{
    test_alloc ta;
    ecs_ctx_options copts = ECS_CTX_OPTIONS_INIT;
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = DOC_SENTINEL;

    (void)state;
    test_alloc_init(&ta);
    copts.allocator = &ta.alloc;
    copts.max_json_bytes = 4;
    assert_int_equal(ecs_ctx_new(&copts, &ctx), ECS_OK);
    assert_int_equal(ecs_json_parse(ctx, S("1234"), NULL, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    doc = DOC_SENTINEL;
    assert_int_equal(ecs_json_parse(ctx, S("12345"), NULL, &doc), ECS_E_LIMIT);
    assert_int_equal(ecs_json_parse(ctx, S("12345"), &opts, &doc), ECS_E_LIMIT);
    assert_ptr_equal(doc, DOC_SENTINEL);
    opts.max_bytes = 5;
    assert_int_equal(ecs_json_parse(ctx, S("12345"), &opts, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    test_ctx_free_check(ctx, &ta);
}

static void test_json_parse__max_bytes_beyond_absolute_limit_is_invalid(void **state)
{
    fixture *f = *state;
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;
    ecs_json_doc *doc = DOC_SENTINEL;

    opts.max_bytes = ECS_MAX_JSON_BYTES;
    ecs_json_doc_free(parse_ok_opts(f, S("[1]"), &opts));
    if (SIZE_MAX > ECS_MAX_JSON_BYTES) {
        ecs_status rc;
        /* As ecs_ctx_new() does for max_json_bytes: a limit the library
         * cannot honour is a caller error, not something to clamp. */
        opts.max_bytes = ECS_MAX_JSON_BYTES + 1u;
        rc = ecs_json_parse(f->ctx, S("[1]"), &opts, &doc);
        if (rc == ECS_OK) {
            ecs_json_doc_free(doc);
        }
        assert_int_equal(rc, ECS_E_INVALID_ARG);
        assert_ptr_equal(doc, DOC_SENTINEL);
    }
}

static void test_json_parse__options_read_only_fields_within_struct_size(void **state)
{
    fixture *f = *state;
    ecs_json_parse_options opts = ECS_JSON_PARSE_OPTIONS_INIT;

    /* max_bytes lies beyond struct_size: it must be ignored. */
    opts.struct_size = (uint32_t)offsetof(ecs_json_parse_options, max_bytes);
    opts.max_depth = 2;
    opts.max_bytes = 1;
    ecs_json_doc_free(parse_ok_opts(f, S("[[1,2]]"), &opts));
    expect_fail_opts(f, S("[[[1]]]"), &opts, ECS_E_LIMIT);
    /* Only struct_size fits: the context's limits apply. */
    opts.struct_size = (uint32_t)sizeof(uint32_t);
    ecs_json_doc_free(parse_ok_opts(f, S("[[[1]]]"), &opts));
    /* An unset struct_size is a caller error. */
    {
        ecs_json_doc *doc = DOC_SENTINEL;
        opts.struct_size = 0;
        assert_int_equal(ecs_json_parse(f->ctx, S("[1]"), &opts, &doc), ECS_E_INVALID_ARG);
        assert_ptr_equal(doc, DOC_SENTINEL);
    }
}

static void test_json_parse__every_prefix_of_a_document_is_rejected(void **state)
{
    fixture *f = *state;
    static const char text[] =
        "{\"a\":[1,-2.5e3,\"x\\u00e9\\uD83D\\uDE00\xC3\xA9\"],\"b\":{\"c\":null,\"d\":true},"
        "\"e\":false}";
    size_t len;

    for (len = 0; len < sizeof text - 1u; len++) {
        expect_parse_error(f, text, len);
    }
    ecs_json_doc_free(parse_ok(f, text, sizeof text - 1u));
}

static void test_json_parse__doc_memory_matches_allocator(void **state)
{
    fixture *f = *state;
    size_t before = f->ta.live_bytes, len;
    char *text = nested(300, '[', ']', &len);
    ecs_json_doc *doc = parse_ok(f, text, len);

    assert_int_equal(ecs_json_doc_memory(doc), f->ta.live_bytes - before);
    ecs_json_doc_free(doc);
    assert_int_equal(f->ta.live_bytes, before);
    doc = parse_ok(f, S("{\"key\":\"a longer string value than most\",\"n\":[1,2,3]}"));
    assert_int_equal(ecs_json_doc_memory(doc), f->ta.live_bytes - before);
    ecs_json_doc_free(doc);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Error positions and messages                                              */

static void expect_pos(fixture *f, const char *s, size_t len, ecs_status want, size_t offset,
                       size_t line, size_t column)
{
    ecs_errpos pos = { 0, 0, 0 };

    expect_fail(f, s, len, want);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    if (pos.offset != offset || pos.line != line || pos.column != column) {
        char buf[200];
        test_describe_bytes(s, len, buf, sizeof buf);
        print_error("input \"%s\": position offset %zu line %zu column %zu, want %zu %zu %zu "
                    "(message: %s)\n",
                    buf, pos.offset, pos.line, pos.column, offset, line, column,
                    ecs_ctx_errmsg(f->ctx));
        fail();
    }
}

static void test_json_parse__error_position_counts_lines(void **state)
{
    fixture *f = *state;

    /* The '1' where ':' belongs: offset 8, line 2, column 7. */
    expect_pos(f, S("{\n  \"a\" 1}"), ECS_E_PARSE, 8, 2, 7);
    expect_pos(f, S("[\n1,\n2,\nx]"), ECS_E_PARSE, 8, 4, 1);
    expect_pos(f, S("[1,2,x]"), ECS_E_PARSE, 5, 1, 6);
    expect_pos(f, S("[1] x"), ECS_E_PARSE, 4, 1, 5);
    expect_pos(f, S("\n\n\n   }"), ECS_E_PARSE, 6, 4, 4);
    /* CR LF ends a line once (LF counts, CR is whitespace). */
    expect_pos(f, S("[1,\r\n  ]"), ECS_E_PARSE, 7, 2, 3);
}

static void test_json_parse__error_position_columns_count_code_points(void **state)
{
    fixture *f = *state;

    /* "é" is two bytes but one column: x is at offset 7, column 7. */
    expect_pos(f, S("[\"\xC3\xA9\", x]"), ECS_E_PARSE, 7, 1, 7);
    /* A four-byte character: one column. */
    expect_pos(f, S("[\"\xF0\x9F\x98\x80\",?]"), ECS_E_PARSE, 8, 1, 6);
    /* Escapes are counted as the characters of the text they are. */
    expect_pos(f, S("{\"\\u00e9\":1,}"), ECS_E_PARSE, 12, 1, 13);
}

static void test_json_parse__error_position_at_end_of_input(void **state)
{
    fixture *f = *state;

    expect_pos(f, S("[1,"), ECS_E_PARSE, 3, 1, 4);
    expect_pos(f, S("{\"a\":\n"), ECS_E_PARSE, 6, 2, 1);
}

static void test_json_parse__error_messages_are_useful(void **state)
{
    fixture *f = *state;
    const char *msg;

    expect_fail(f, S("{\n  \"a\" 1}"), ECS_E_PARSE);
    msg = ecs_ctx_errmsg(f->ctx);
    assert_true(mentions(msg, "':'") || mentions(msg, "colon"));

    expect_fail(f, S("\"\\uD800\""), ECS_E_PARSE);
    msg = ecs_ctx_errmsg(f->ctx);
    assert_true(mentions(msg, "surrogate"));

    expect_fail(f, S("\"\xC0\xAF\""), ECS_E_PARSE);
    msg = ecs_ctx_errmsg(f->ctx);
    assert_true(mentions(msg, "utf-8") || mentions(msg, "utf8") || mentions(msg, "encoding"));

    expect_fail(f, S("[1]x"), ECS_E_PARSE);
    msg = ecs_ctx_errmsg(f->ctx);
    assert_true(strlen(msg) > 5);

    expect_fail(f, S("1e400"), ECS_E_LIMIT);
    msg = ecs_ctx_errmsg(f->ctx);
    assert_true(mentions(msg, "range") || mentions(msg, "large") || mentions(msg, "big") ||
                mentions(msg, "overflow") || mentions(msg, "double"));

    expect_fail(f, S(""), ECS_E_PARSE);
    msg = ecs_ctx_errmsg(f->ctx);
    assert_true(strlen(msg) > 5);
}

/* ------------------------------------------------------------------------ */
/* Documents: duplicates, iteration, access                                  */

static void test_json_parse__duplicate_keys_get_returns_last(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("{\"a\":1,\"b\":2,\"a\":3,\"c\":{\"a\":9},\"a\":[4]}"));
    const ecs_json_val *root = ecs_json_root(doc), *v;
    int64_t iv = 0;
    size_t n = 0, names_a = 0;
    const char *name;
    size_t name_len;

    assert_int_equal(ecs_json_len(root), 5);
    v = ecs_json_obj_get(doc, root, S("a"));
    assert_int_equal(ecs_json_type_of(v), ECS_JSON_ARRAY);
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(v, 0), &iv), ECS_OK);
    assert_true(iv == 4);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, S("b")), &iv), ECS_OK);
    assert_true(iv == 2);
    /* Iteration sees every member, in input order. */
    for (v = ecs_json_first(root); v != NULL; v = ecs_json_next(root, ecs_json_next(root, v))) {
        name = ecs_json_str(doc, v, &name_len);
        assert_non_null(name);
        if (name_len == 1 && name[0] == 'a') {
            names_a++;
        }
        n++;
    }
    assert_int_equal(n, 5);
    assert_int_equal(names_a, 3);
    ecs_json_doc_free(doc);
}

static void test_json_parse__obj_get_compares_names_byte_for_byte(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc =
        parse_ok(f, S("{\"a\\u0000b\":1,\"a\":2,\"ab\":3,\"\":4,\"\\u00e9\":5,\"A\":6}"));
    const ecs_json_val *root = ecs_json_root(doc);
    int64_t iv = 0;

    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, "a\0b", 3), &iv), ECS_OK);
    assert_true(iv == 1);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, S("a")), &iv), ECS_OK);
    assert_true(iv == 2);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, "abc", 2), &iv), ECS_OK);
    assert_true(iv == 3);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, "", 0), &iv), ECS_OK);
    assert_true(iv == 4);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, S("\xC3\xA9")), &iv), ECS_OK);
    assert_true(iv == 5);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, S("A")), &iv), ECS_OK);
    assert_true(iv == 6);
    assert_null(ecs_json_obj_get(doc, root, S("abc")));
    assert_null(ecs_json_obj_get(doc, root, S("b")));
    assert_null(ecs_json_obj_get(doc, root, "a\0", 2));
    ecs_json_doc_free(doc);
}

static void test_json_parse__iterates_arrays_skipping_nested_values(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("[1,[2,[3,4]],{\"x\":[5,{\"y\":6}]},\"s\",[],{},7]"));
    const ecs_json_val *root = ecs_json_root(doc), *v;
    static const ecs_json_type want[] = {
        ECS_JSON_INT,   ECS_JSON_ARRAY, ECS_JSON_OBJECT, ECS_JSON_STRING,
        ECS_JSON_ARRAY, ECS_JSON_OBJECT, ECS_JSON_INT,
    };
    size_t i = 0;
    int64_t iv = 0;

    assert_int_equal(ecs_json_type_of(root), ECS_JSON_ARRAY);
    for (v = ecs_json_first(root); v != NULL; v = ecs_json_next(root, v)) {
        assert_true(i < sizeof want / sizeof want[0]);
        assert_int_equal(ecs_json_type_of(v), want[i]);
        assert_ptr_equal(v, ecs_json_arr_get(root, i));
        i++;
    }
    assert_int_equal(i, 7);
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(root, 6), &iv), ECS_OK);
    assert_true(iv == 7);
    /* Inner arrays iterate on their own. */
    v = ecs_json_arr_get(root, 1);
    assert_int_equal(ecs_json_len(v), 2);
    assert_int_equal(ecs_json_get_int(ecs_json_first(v), &iv), ECS_OK);
    assert_true(iv == 2);
    v = ecs_json_next(v, ecs_json_first(v));
    assert_int_equal(ecs_json_type_of(v), ECS_JSON_ARRAY);
    assert_null(ecs_json_next(ecs_json_arr_get(root, 1), v));
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(v, 1), &iv), ECS_OK);
    assert_true(iv == 4);
    /* Empty containers have no first element. */
    assert_null(ecs_json_first(ecs_json_arr_get(root, 4)));
    assert_null(ecs_json_first(ecs_json_arr_get(root, 5)));
    /* Scalars have none either. */
    assert_null(ecs_json_first(ecs_json_arr_get(root, 0)));
    assert_null(ecs_json_first(ecs_json_arr_get(root, 3)));
    assert_null(ecs_json_first(NULL));
    ecs_json_doc_free(doc);
}

static void test_json_parse__iterates_objects_names_then_values(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc =
        parse_ok(f, S("{\"one\":1,\"nested\":{\"a\":[1,2],\"b\":{}},\"list\":[{\"c\":3}],\"z\":null}"));
    const ecs_json_val *root = ecs_json_root(doc), *name, *val;
    static const char *const names[] = { "one", "nested", "list", "z" };
    static const ecs_json_type types[] = { ECS_JSON_INT, ECS_JSON_OBJECT, ECS_JSON_ARRAY,
                                           ECS_JSON_NULL };
    size_t i = 0, len;
    const char *s;

    assert_int_equal(ecs_json_len(root), 4);
    for (name = ecs_json_first(root); name != NULL; name = ecs_json_next(root, val)) {
        assert_true(i < 4);
        assert_int_equal(ecs_json_type_of(name), ECS_JSON_STRING);
        s = ecs_json_str(doc, name, &len);
        assert_int_equal(len, strlen(names[i]));
        assert_memory_equal(s, names[i], len);
        val = ecs_json_next(root, name);
        assert_non_null(val);
        assert_int_equal(ecs_json_type_of(val), types[i]);
        assert_ptr_equal(val, ecs_json_obj_get(doc, root, names[i], strlen(names[i])));
        i++;
    }
    assert_int_equal(i, 4);
    /* A nested object walks on its own. */
    val = ecs_json_obj_get(doc, root, S("nested"));
    assert_int_equal(ecs_json_len(val), 2);
    name = ecs_json_first(val);
    s = ecs_json_str(doc, name, &len);
    assert_int_equal(len, 1);
    assert_int_equal(s[0], 'a');
    name = ecs_json_next(val, ecs_json_next(val, name));
    s = ecs_json_str(doc, name, &len);
    assert_int_equal(len, 1);
    assert_int_equal(s[0], 'b');
    assert_int_equal(ecs_json_type_of(ecs_json_next(val, name)), ECS_JSON_OBJECT);
    assert_null(ecs_json_next(val, ecs_json_next(val, name)));
    ecs_json_doc_free(doc);
}

static void test_json_parse__len_and_arr_get(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("[10,\"abc\",{\"k\":1,\"l\":2,\"m\":3},[],null]"));
    const ecs_json_val *root = ecs_json_root(doc);
    int64_t iv = 0;

    assert_int_equal(ecs_json_len(root), 5);
    assert_int_equal(ecs_json_len(ecs_json_arr_get(root, 0)), 0);
    assert_int_equal(ecs_json_len(ecs_json_arr_get(root, 1)), 0); /* strings have no length */
    assert_int_equal(ecs_json_len(ecs_json_arr_get(root, 2)), 3);
    assert_int_equal(ecs_json_len(ecs_json_arr_get(root, 3)), 0);
    assert_int_equal(ecs_json_len(NULL), 0);
    assert_int_equal(ecs_json_get_int(ecs_json_arr_get(root, 0), &iv), ECS_OK);
    assert_true(iv == 10);
    assert_int_equal(ecs_json_type_of(ecs_json_arr_get(root, 4)), ECS_JSON_NULL);
    assert_null(ecs_json_arr_get(root, 5));
    assert_null(ecs_json_arr_get(root, SIZE_MAX));
    assert_null(ecs_json_arr_get(ecs_json_arr_get(root, 2), 0)); /* an object */
    assert_null(ecs_json_arr_get(ecs_json_arr_get(root, 3), 0));
    assert_null(ecs_json_arr_get(NULL, 0));
    ecs_json_doc_free(doc);
}

static void test_json_parse__accessors_tolerate_null_and_wrong_types(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = parse_ok(f, S("[\"s\",1,{\"a\":1}]"));
    const ecs_json_val *root = ecs_json_root(doc);
    size_t len = 99;

    assert_null(ecs_json_root(NULL));
    assert_int_equal(ecs_json_type_of(NULL), ECS_JSON_NULL);
    assert_false(ecs_json_is_true(NULL));
    assert_null(ecs_json_obj_get(doc, root, S("a"))); /* an array */
    assert_null(ecs_json_obj_get(doc, ecs_json_arr_get(root, 0), S("a")));
    assert_null(ecs_json_obj_get(doc, NULL, S("a")));
    assert_null(ecs_json_str(doc, ecs_json_arr_get(root, 1), &len));
    assert_null(ecs_json_str(doc, root, NULL));
    assert_null(ecs_json_str(doc, NULL, NULL));
    assert_int_equal(ecs_json_doc_memory(NULL), 0);
    assert_true(ecs_json_doc_memory(doc) > 0);
    ecs_json_doc_free(doc);
    ecs_json_doc_free(NULL);
}

static void test_json_parse__input_may_be_freed_after_parse(void **state)
{
    fixture *f = *state;
    static const char text[] = "{\"name\":\"value\\n\",\"list\":[\"x\",\"y\"]}";
    char *copy = malloc(sizeof text);
    ecs_json_doc *doc;
    const ecs_json_val *v;
    const char *s;
    size_t len;

    assert_non_null(copy);
    memcpy(copy, text, sizeof text);
    doc = parse_ok(f, copy, sizeof text - 1u);
    memset(copy, 'Z', sizeof text);
    free(copy);
    v = ecs_json_obj_get(doc, ecs_json_root(doc), S("name"));
    s = ecs_json_str(doc, v, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(s, "value\n", 6);
    v = ecs_json_arr_get(ecs_json_obj_get(doc, ecs_json_root(doc), S("list")), 1);
    s = ecs_json_str(doc, v, &len);
    assert_int_equal(len, 1);
    assert_string_equal(s, "y");
    ecs_json_doc_free(doc);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                       */

/* A medium document: many members, long and escaped strings, numbers of
 * every kind, nesting and duplicates, so the parser grows each buffer. */
static char *medium_document(size_t *len)
{
    size_t cap = 64 * 1024, o = 0, i;
    char *s = malloc(cap);

    assert_non_null(s);
    o += (size_t)snprintf(s + o, cap - o, "{\"items\":[");
    for (i = 0; i < 200; i++) {
        o += (size_t)snprintf(s + o, cap - o,
                              "%s{\"id\":%zu,\"name\":\"item-%zu\\u00e9\\n\",\"w\":%zu.25e-1,"
                              "\"big\":-92233720368547758%02zu,\"tags\":[true,false,null]}",
                              i ? "," : "", i, i, i, i % 10);
    }
    o += (size_t)snprintf(s + o, cap - o, "],\"long\":\"");
    for (i = 0; i < 3000; i++) {
        s[o++] = (char)('a' + (char)(i % 26));
    }
    o += (size_t)snprintf(s + o, cap - o,
                          "\",\"dup\":1,\"dup\":2,\"deep\":[[[[[[[[{}]]]]]]]],\"huge\":1e300}");
    assert_true(o < cap);
    *len = o;
    return s;
}

static void check_medium_document(ecs_json_doc *doc)
{
    const ecs_json_val *root = ecs_json_root(doc), *v;
    int64_t iv = 0;
    size_t len = 0;

    assert_int_equal(ecs_json_len(root), 6);
    v = ecs_json_obj_get(doc, root, S("items"));
    assert_int_equal(ecs_json_len(v), 200);
    v = ecs_json_obj_get(doc, ecs_json_arr_get(v, 199), S("id"));
    assert_int_equal(ecs_json_get_int(v, &iv), ECS_OK);
    assert_true(iv == 199);
    assert_non_null(ecs_json_str(doc, ecs_json_obj_get(doc, root, S("long")), &len));
    assert_int_equal(len, 3000);
    assert_int_equal(ecs_json_get_int(ecs_json_obj_get(doc, root, S("dup")), &iv), ECS_OK);
    assert_true(iv == 2);
}

static void test_json_parse__oom_at_each_allocation_leaks_nothing(void **state)
{
    fixture *f = *state;
    size_t len, n, base = f->ta.live_blocks;
    char *text = medium_document(&len);
    bool fail_all;

    for (fail_all = false;; fail_all = true) {
        for (n = 1;; n++) {
            ecs_json_doc *doc = DOC_SENTINEL;
            ecs_status rc;

            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_json_parse(f->ctx, text, len, NULL, &doc);
            if (f->ta.calls < n) {
                /* No failure was injected: the sweep is complete. */
                assert_int_equal(rc, ECS_OK);
                check_medium_document(doc);
                ecs_json_doc_free(doc);
                break;
            }
            if (rc == ECS_OK && !fail_all) {
                /* The parser may recover from one refusal; the result must
                 * still be right. */
                check_medium_document(doc);
                ecs_json_doc_free(doc);
            } else {
                if (rc != ECS_E_NOMEM) {
                    print_error("failing allocation %zu (fail_all %d): got %s\n", n, (int)fail_all,
                                ecs_status_str(rc));
                    fail();
                }
                assert_ptr_equal(doc, DOC_SENTINEL);
                assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
            }
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            assert_true(n < 100000);
        }
        if (fail_all) {
            break;
        }
    }
    test_alloc_fail_at(&f->ta, 0, false);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Misuse                                                                    */

static void test_json_parse__misuse_returns_invalid_arg(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = DOC_SENTINEL;

    assert_int_equal(ecs_json_parse(NULL, S("1"), NULL, &doc), ECS_E_INVALID_ARG);
    assert_ptr_equal(doc, DOC_SENTINEL);
    assert_int_equal(ecs_json_parse(f->ctx, NULL, 1, NULL, &doc), ECS_E_INVALID_ARG);
    assert_ptr_equal(doc, DOC_SENTINEL);
    assert_int_equal(ecs_json_parse(f->ctx, NULL, 100, NULL, &doc), ECS_E_INVALID_ARG);
    assert_ptr_equal(doc, DOC_SENTINEL);
    assert_int_equal(ecs_json_parse(f->ctx, S("1"), NULL, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_json_parse(NULL, NULL, 0, NULL, NULL), ECS_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_json_parse__accepts_every_literal),
        T(test_json_parse__rejects_misspelt_literals),
        T(test_json_parse__type_names),
        T(test_json_parse__accepts_number_grammar),
        T(test_json_parse__rejects_number_grammar_errors),
        T(test_json_parse__int64_limits_are_exact_ints),
        T(test_json_parse__integers_beyond_int64_are_doubles_with_limit),
        T(test_json_parse__get_int_and_get_double_check_types),
        T(test_json_parse__doubles_are_correctly_rounded),
        T(test_json_parse__long_mantissas_round_correctly),
        T(test_json_parse__huge_numbers_are_rejected_with_limit),
        T(test_json_parse__number_limit_error_has_position),
        T(test_json_parse__decodes_every_escape),
        T(test_json_parse__nul_escape_keeps_length),
        T(test_json_parse__surrogate_pairs_decode_to_four_bytes),
        T(test_json_parse__rejects_lone_surrogate),
        T(test_json_parse__rejects_bad_escapes),
        T(test_json_parse__accepts_valid_utf8),
        T(test_json_parse__rejects_invalid_utf8),
        T(test_json_parse__rejects_raw_control_chars),
        T(test_json_parse__accepts_del_and_high_ascii_text),
        T(test_json_parse__rejects_unterminated_strings),
        T(test_json_parse__long_string_with_escapes),
        T(test_json_parse__accepts_structures_and_whitespace),
        T(test_json_parse__rejects_trailing_commas),
        T(test_json_parse__rejects_missing_commas_and_colons),
        T(test_json_parse__rejects_non_string_keys),
        T(test_json_parse__rejects_trailing_garbage),
        T(test_json_parse__rejects_nul_byte_after_value),
        T(test_json_parse__rejects_bom),
        T(test_json_parse__form_feed_and_others_are_not_whitespace),
        T(test_json_parse__rejects_empty_and_whitespace_only_input),
        T(test_json_parse__rejects_unclosed_containers),
        T(test_json_parse__rejects_comments_and_extensions),
        T(test_json_parse__default_depth_limit),
        T(test_json_parse__depth_limit_from_options),
        T(test_json_parse__depth_limit_from_context),
        T(test_json_parse__hundred_thousand_open_brackets_is_limit_without_crash),
        T(test_json_parse__deep_document_within_raised_limit_parses_and_frees),
        T(test_json_parse__size_limit_from_options),
        T(test_json_parse__size_limit_from_context),
        T(test_json_parse__max_bytes_beyond_absolute_limit_is_invalid),
        T(test_json_parse__options_read_only_fields_within_struct_size),
        T(test_json_parse__every_prefix_of_a_document_is_rejected),
        T(test_json_parse__doc_memory_matches_allocator),
        T(test_json_parse__error_position_counts_lines),
        T(test_json_parse__error_position_columns_count_code_points),
        T(test_json_parse__error_position_at_end_of_input),
        T(test_json_parse__error_messages_are_useful),
        T(test_json_parse__duplicate_keys_get_returns_last),
        T(test_json_parse__obj_get_compares_names_byte_for_byte),
        T(test_json_parse__iterates_arrays_skipping_nested_values),
        T(test_json_parse__iterates_objects_names_then_values),
        T(test_json_parse__len_and_arr_get),
        T(test_json_parse__accessors_tolerate_null_and_wrong_types),
        T(test_json_parse__input_may_be_freed_after_parse),
        T(test_json_parse__oom_at_each_allocation_leaks_nothing),
        T(test_json_parse__misuse_returns_invalid_arg),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
