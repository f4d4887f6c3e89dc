/*
 * Tests of the library-internal lazy arrays (lib/json/json_lazy.h):
 * ecs_json__parse_lazy(), ecs_json__lazy_of() and the element iterator
 * ecs_json__elems_begin/next/end.
 *
 * The core is differential: ~2000 random arrays (nested values, strings full
 * of brackets, braces, commas, escaped quotes and backslashes, \u escapes and
 * raw UTF-8, whitespace runs, empty arrays), plus arrays built so that every
 * string, escape and whitespace run falls across each position of the 64-byte
 * blocks the scanner reads, are embedded in a document at depth 1 and at
 * depth 3, parsed both by ecs_json_parse() and lazily, and compared: the lazy
 * record (text span, element count), the rest of the tree, and each element
 * read through the iterator against the same element of the ordinary parse
 * (both written out with ecs_json_write_text()). Then: which members are
 * lazy and which are not, errors inside elements (reported by the iterator,
 * with offsets in the whole input), unterminated lazy arrays and errors
 * outside them (reported by the lazy parse), documents the ordinary parser
 * rejects for a ']' / '}' mismatch or for nesting beyond the depth limit
 * (the lazy path must reject them too), and an allocation-failure sweep over
 * both the lazy parse and the iteration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "json/json_lazy.h"
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

static const char *const TASKS_KEYS[] = { "tasks", NULL };


static void report_input(const char *s, size_t len, const char *what)
{
    char buf[400];

    test_describe_bytes(s, len, buf, sizeof buf);
    print_error("input \"%s\" (%zu bytes): %s\n", buf, len, what);
}

/* ------------------------------------------------------------------------ */
/* A growable text buffer (plain malloc: not the allocator under test)       */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_put(buf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap == 0 ? 256 : b->cap;
        char *np;
        while (cap - b->len < n + 1) {
            cap *= 2;
        }
        np = realloc(b->p, cap);
        assert_non_null(np);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_puts(buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_putc(buf *b, char c)
{
    buf_put(b, &c, 1);
}

static void buf_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers over the library                                                  */

/* A value written compactly; free with ecs_json_text_free(). */
static char *write_val(fixture *f, const ecs_json_doc *doc, const ecs_json_val *val, size_t *len)
{
    char *out = NULL;
    ecs_status rc = ecs_json_write_text(f->ctx, doc, val, 0, &out, len);

    if (rc != ECS_OK) {
        print_error("ecs_json_write_text: %s: %s\n", ecs_status_str(rc), ecs_ctx_errmsg(f->ctx));
        fail();
    }
    assert_non_null(out);
    return out;
}

/* Two values (possibly of different documents) write out the same. */
static bool same_text(fixture *f, const ecs_json_doc *da, const ecs_json_val *a,
                      const ecs_json_doc *db, const ecs_json_val *b, const char *input,
                      size_t input_len)
{
    size_t la, lb;
    char *ta = write_val(f, da, a, &la);
    char *tb = write_val(f, db, b, &lb);
    bool same = la == lb && memcmp(ta, tb, la) == 0;

    if (!same) {
        report_input(input, input_len, "values differ");
        report_input(ta, la, "lazy side");
        report_input(tb, lb, "ordinary side");
    }
    ecs_json_text_free(f->ctx, ta, la);
    ecs_json_text_free(f->ctx, tb, lb);
    return same;
}

static ecs_json_doc *parse_ok(fixture *f, const char *s, size_t len)
{
    ecs_json_doc *doc = NULL;
    ecs_status rc = ecs_json_parse(f->ctx, s, len, NULL, &doc);

    if (rc != ECS_OK) {
        report_input(s, len, ecs_ctx_errmsg(f->ctx));
        fail();
    }
    assert_non_null(doc);
    return doc;
}

static ecs_json_doc *parse_lazy_ok(fixture *f, const char *s, size_t len,
                                   const char *const *keys, uint32_t depth)
{
    ecs_json_doc *doc = NULL;
    ecs_status rc = ecs_json__parse_lazy(f->ctx, s, len, ECS_DEFAULT_MAX_JSON_BYTES, keys, depth,
                                         &doc);

    if (rc != ECS_OK) {
        report_input(s, len, ecs_ctx_errmsg(f->ctx));
        print_error("lazy parse: got %s, want OK\n", ecs_status_str(rc));
        fail();
    }
    assert_non_null(doc);
    assert_non_null(ecs_json_root(doc));
    return doc;
}

static const ecs_json_val *get(const ecs_json_doc *doc, const ecs_json_val *obj, const char *key)
{
    const ecs_json_val *v = ecs_json_obj_get(doc, obj, key, strlen(key));

    assert_non_null(v);
    return v;
}

static int64_t get_int(const ecs_json_val *v)
{
    int64_t i = 0;

    assert_int_equal(ecs_json_get_int(v, &i), ECS_OK);
    return i;
}

/* ------------------------------------------------------------------------ */
/* Random JSON                                                               */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform-ish in [0, n). */
static size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

static void gen_ws(buf *b)
{
    static const char ws[4] = { ' ', '\t', '\n', '\r' };
    size_t r = rnd_below(20), n, i;

    if (r < 10) {
        return;
    }
    n = r < 19 ? 1 + rnd_below(4) : 40 + rnd_below(100); /* sometimes a long run */
    for (i = 0; i < n; i++) {
        buf_putc(b, ws[rnd_below(4)]);
    }
}

/* A string literal whose text is hostile to a scanner: brackets, braces,
 * commas and colons, escaped quotes and backslashes (in runs), \u escapes
 * (of ']' and '"' too, and surrogate pairs) and raw UTF-8. Lengths range so
 * that strings cross 64-byte blocks. */
static void gen_string(buf *b)
{
    static const char *const pieces[] = {
        "[", "]", "{", "}", ",", ":", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r",
        "\\u00e9", "\\u005D", "\\u0022", "\\u005c", "\\u0000", "\\ud83d\\ude00", "\\uD834\\uDD1E",
        "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\\\\\\\\\\\"", "\\\\\\\\", "\",\"",
        "\\\"]", "\\\\\"", "'"
    };
    size_t npieces = sizeof pieces / sizeof pieces[0];
    size_t n = rnd_below(4) == 0 ? 30 + rnd_below(120) : rnd_below(16), i;

    buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        size_t r = rnd_below(10);
        if (r < 5) {
            buf_putc(b, (char)('a' + (char)rnd_below(26)));
        } else if (r == 5) {
            buf_putc(b, ' ');
        } else {
            const char *pc = pieces[rnd_below(npieces)];
            if (strcmp(pc, "\",\"") == 0 || strcmp(pc, "\\\\\"") == 0) {
                /* these would end the string: escape every quote instead */
                buf_puts(b, "\\\",\\\"");
            } else {
                buf_puts(b, pc);
            }
        }
    }
    buf_putc(b, '"');
}

static void gen_number(buf *b)
{
    char t[64];
    size_t o = 0, nd, i;

    if (rnd_below(2) == 0) {
        t[o++] = '-';
    }
    if (rnd_below(5) == 0) {
        t[o++] = '0';
    } else {
        nd = 1 + rnd_below(rnd_below(4) == 0 ? 21 : 6); /* up to 21: beyond int64 too */
        t[o++] = (char)('1' + (char)rnd_below(9));
        for (i = 1; i < nd; i++) {
            t[o++] = (char)('0' + (char)rnd_below(10));
        }
    }
    if (rnd_below(4) == 0) {
        t[o++] = '.';
        nd = 1 + rnd_below(8);
        for (i = 0; i < nd; i++) {
            t[o++] = (char)('0' + (char)rnd_below(10));
        }
    }
    if (rnd_below(5) == 0) {
        t[o++] = rnd_below(2) ? 'e' : 'E';
        if (rnd_below(2)) {
            t[o++] = rnd_below(2) ? '-' : '+';
        }
        t[o++] = (char)('0' + (char)rnd_below(10));
        if (rnd_below(2)) {
            t[o++] = (char)('0' + (char)rnd_below(3));
        }
    }
    buf_put(b, t, o);
}

static void gen_value(buf *b, int depth);

static void gen_container(buf *b, int depth, bool obj)
{
    size_t n = rnd_below(5), i;

    buf_putc(b, obj ? '{' : '[');
    gen_ws(b);
    for (i = 0; i < n; i++) {
        if (i > 0) {
            buf_putc(b, ',');
            gen_ws(b);
        }
        if (obj) {
            gen_string(b);
            gen_ws(b);
            buf_putc(b, ':');
            gen_ws(b);
        }
        gen_value(b, depth + 1);
        gen_ws(b);
    }
    buf_putc(b, obj ? '}' : ']');
}

static void gen_value(buf *b, int depth)
{
    size_t r = rnd_below(depth >= 4 ? 70 : 100);

    if (r < 30) {
        gen_string(b);
    } else if (r < 55) {
        gen_number(b);
    } else if (r < 60) {
        buf_puts(b, "true");
    } else if (r < 65) {
        buf_puts(b, "false");
    } else if (r < 70) {
        buf_puts(b, "null");
    } else if (r < 85) {
        gen_container(b, depth, false);
    } else {
        gen_container(b, depth, true);
    }
}

/* The array that will be read lazily: empty ones in several forms, or
 * elements separated by random whitespace. */
static void gen_top_array(buf *b)
{
    size_t r = rnd_below(20), n, i;

    if (r == 0) {
        buf_puts(b, "[]");
        return;
    }
    if (r == 1) {
        buf_puts(b, "[ ]");
        return;
    }
    if (r == 2) {
        size_t k = rnd_below(150); /* pure whitespace, often across a block */
        buf_putc(b, '[');
        for (i = 0; i < k; i++) {
            buf_putc(b, " \t\n\r"[rnd_below(4)]);
        }
        buf_putc(b, ']');
        return;
    }
    n = rnd_below(4) == 0 ? 1 + rnd_below(40) : 1 + rnd_below(8);
    buf_putc(b, '[');
    gen_ws(b);
    for (i = 0; i < n; i++) {
        if (i > 0) {
            gen_ws(b);
            buf_putc(b, ',');
            gen_ws(b);
        }
        gen_value(b, 1);
    }
    gen_ws(b);
    buf_putc(b, ']');
}

/* ------------------------------------------------------------------------ */
/* The differential check                                                    */

/* Where the lazy array sits: `{"x":1,"tasks":ARR,"y":[1,2]}` (depth 1) or
 * `{"clusters":[{"name":"a","tasks":ARR,"z":0}]}` (depth 3). */
typedef struct embedded {
    buf text;     /* the document */
    buf empty;    /* the same with ARR replaced by [] */
    size_t off;   /* of ARR in text */
    size_t len;   /* of ARR */
    bool deep;
} embedded;

static void embed(embedded *e, const char *arr, size_t arr_len, bool deep, bool spaced)
{
    const char *pre = deep ? "{\"clusters\":[{\"name\":\"a\",\"tasks\":" : "{\"x\":1,\"tasks\":";
    const char *pre_sp = deep ? "{ \"clusters\" : [ { \"name\" : \"a\" , \"tasks\" :\n "
                              : "{\n  \"x\" : 1 ,\n  \"tasks\" :\t";
    const char *post = deep ? ",\"z\":0}]}" : ",\"y\":[1,2]}";
    const char *post_sp = deep ? " ,\n \"z\" : 0 } ]\n}\n" : " , \"y\" : [ 1 , 2 ]\n}\n";

    memset(e, 0, sizeof *e);
    e->deep = deep;
    buf_puts(&e->text, spaced ? pre_sp : pre);
    buf_puts(&e->empty, spaced ? pre_sp : pre);
    e->off = e->text.len;
    e->len = arr_len;
    buf_put(&e->text, arr, arr_len);
    buf_puts(&e->empty, "[]");
    buf_puts(&e->text, spaced ? post_sp : post);
    buf_puts(&e->empty, spaced ? post_sp : post);
}

static void embedded_free(embedded *e)
{
    buf_free(&e->text);
    buf_free(&e->empty);
}

/* The "tasks" array of either layout, and checks on its neighbours. */
static const ecs_json_val *find_tasks(const ecs_json_doc *doc, bool deep)
{
    const ecs_json_val *root = ecs_json_root(doc);
    const ecs_json_val *cl, *c0, *y;
    size_t slen = 0;
    const char *name;

    assert_int_equal(ecs_json_type_of(root), ECS_JSON_OBJECT);
    if (!deep) {
        assert_int_equal(ecs_json_len(root), 3);
        assert_int_equal(get_int(get(doc, root, "x")), 1);
        y = get(doc, root, "y");
        assert_int_equal(ecs_json_type_of(y), ECS_JSON_ARRAY);
        assert_int_equal(ecs_json_len(y), 2);
        assert_int_equal(get_int(ecs_json_arr_get(y, 0)), 1);
        assert_int_equal(get_int(ecs_json_arr_get(y, 1)), 2);
        assert_null(ecs_json_arr_get(y, 2));
        return get(doc, root, "tasks");
    }
    assert_int_equal(ecs_json_len(root), 1);
    cl = get(doc, root, "clusters");
    assert_int_equal(ecs_json_type_of(cl), ECS_JSON_ARRAY);
    assert_int_equal(ecs_json_len(cl), 1);
    c0 = ecs_json_arr_get(cl, 0);
    assert_int_equal(ecs_json_type_of(c0), ECS_JSON_OBJECT);
    assert_int_equal(ecs_json_len(c0), 3);
    name = ecs_json_str(doc, get(doc, c0, "name"), &slen);
    assert_non_null(name);
    assert_int_equal(slen, 1);
    assert_string_equal(name, "a");
    assert_int_equal(get_int(get(doc, c0, "z")), 0);
    assert_null(ecs_json_next(cl, c0));
    return get(doc, c0, "tasks");
}

/* Parse e both ways and compare everything. Returns the element count. */
static size_t check_embedded(fixture *f, const embedded *e)
{
    const char *text = e->text.p;
    size_t len = e->text.len, i, n, base = f->ta.live_blocks;
    uint32_t depth = e->deep ? 3u : 1u;
    ecs_json_doc *norm = parse_ok(f, text, len);
    ecs_json_doc *lazy = parse_lazy_ok(f, text, len, TASKS_KEYS, depth);
    ecs_json_doc *empty = parse_ok(f, e->empty.p, e->empty.len);
    const ecs_json_val *narr = find_tasks(norm, e->deep);
    const ecs_json_val *larr = find_tasks(lazy, e->deep);
    const ecs_json_val *nel, *lel = NULL;
    const ecs_json_doc *edoc = NULL;
    const ecs_json_lazy *lz;
    ecs_json_elems it;
    ecs_status rc;

    /* The lazy array: empty in the tree, its record right. */
    assert_int_equal(ecs_json_type_of(narr), ECS_JSON_ARRAY);
    assert_int_equal(ecs_json_type_of(larr), ECS_JSON_ARRAY);
    assert_int_equal(ecs_json_len(larr), 0);
    assert_null(ecs_json_first(larr));
    assert_null(ecs_json__lazy_of(norm, narr));
    lz = ecs_json__lazy_of(lazy, larr);
    if (lz == NULL) {
        report_input(text, len, "no lazy record for tasks");
        fail();
    }
    if (lz->off != e->off || lz->len != e->len || lz->count != ecs_json_len(narr)) {
        report_input(text, len, "wrong lazy record");
        print_error("off %zu len %zu count %zu, want %zu %zu %zu\n", lz->off, lz->len, lz->count,
                    e->off, e->len, ecs_json_len(narr));
        fail();
    }
    assert_true(text[lz->off] == '[' && text[lz->off + lz->len - 1] == ']');
    /* Nothing else in the tree is lazy, and the rest of it reads exactly
     * as the same document with [] in place of the array. */
    assert_null(ecs_json__lazy_of(lazy, ecs_json_root(lazy)));
    assert_true(same_text(f, lazy, ecs_json_root(lazy), empty, ecs_json_root(empty), text, len));

    /* The elements, one at a time, against the ordinary parse. */
    rc = ecs_json__elems_begin(f->ctx, text, lz, &it);
    assert_int_equal(rc, ECS_OK);
    nel = ecs_json_first(narr);
    for (i = 0; i < lz->count; i++) {
        rc = ecs_json__elems_next(&it, &edoc, &lel);
        if (rc != ECS_OK || lel == NULL) {
            report_input(text, len, ecs_ctx_errmsg(f->ctx));
            print_error("element %zu of %zu: %s, val %p\n", i, lz->count, ecs_status_str(rc),
                        (const void *)lel);
            fail();
        }
        assert_non_null(edoc);
        assert_non_null(nel);
        assert_ptr_equal(ecs_json_root(edoc), lel);
        if (!same_text(f, edoc, lel, norm, nel, text, len)) {
            print_error("element %zu\n", i);
            fail();
        }
        nel = ecs_json_next(narr, nel);
    }
    assert_null(nel);
    rc = ecs_json__elems_next(&it, &edoc, &lel);
    assert_int_equal(rc, ECS_OK);
    assert_null(lel);
    rc = ecs_json__elems_next(&it, &edoc, &lel); /* and stays at the end */
    assert_int_equal(rc, ECS_OK);
    assert_null(lel);
    ecs_json__elems_end(&it);

    n = ecs_json_len(narr);
    ecs_json_doc_free(empty);
    ecs_json_doc_free(lazy);
    ecs_json_doc_free(norm);
    assert_int_equal(f->ta.live_blocks, base);
    assert_int_equal(f->ta.errors, 0);
    return n;
}

static size_t check_array(fixture *f, const char *arr, size_t arr_len, bool deep, bool spaced)
{
    embedded e;
    size_t n;

    embed(&e, arr, arr_len, deep, spaced);
    n = check_embedded(f, &e);
    embedded_free(&e);
    return n;
}

static void test_json_lazy__random_arrays_match_ordinary_parse(void **state)
{
    fixture *f = *state;
    buf arr = { NULL, 0, 0 };
    size_t i, empty = 0, elements = 0, long_arrays = 0;

    rng_state = 0x9E3779B97F4A7C15ULL;
    for (i = 0; i < 2000; i++) {
        size_t n;
        arr.len = 0;
        gen_top_array(&arr);
        n = check_array(f, arr.p, arr.len, (i & 1) != 0, (i % 3) == 0);
        empty += n == 0;
        elements += n;
        long_arrays += arr.len > 128;
    }
    buf_free(&arr);
    /* The generator covered what it is meant to. */
    print_message("%zu empty arrays, %zu elements, %zu arrays over 128 bytes\n", empty, elements,
                  long_arrays);
    assert_true(empty >= 100);
    assert_true(elements >= 5000);
    assert_true(long_arrays >= 500);
}

/* Every trap put at every offset of the first 64-byte blocks: the bytes
 * after the '[' are read in blocks of 64 from there. */
static void test_json_lazy__traps_at_every_block_offset(void **state)
{
    fixture *f = *state;
    static const char *const traps[] = {
        "\\\"",           /* escaped quote */
        "\\\\",           /* escaped backslash */
        "\\\\\\\"",       /* \\ then \" */
        "\\\\\\\\",       /* two escaped backslashes */
        "\\u005D\\u0022", /* ] and " as escapes */
        "],[{,}]",        /* structure inside a string */
        "\xF0\x9F\x98\x80\xE2\x82\xAC", /* raw UTF-8 */
        "\\ud83d\\ude00", /* surrogate pair */
    };
    buf arr = { NULL, 0, 0 };
    size_t pad, t, k;

    for (pad = 0; pad < 140; pad++) {
        for (t = 0; t < sizeof traps / sizeof traps[0]; t++) {
            /* [ <pad spaces> "<trap>]", 1, ["<trap>", {"k]": "<trap>"}], "x" ] */
            arr.len = 0;
            buf_putc(&arr, '[');
            for (k = 0; k < pad; k++) {
                buf_putc(&arr, ' ');
            }
            buf_puts(&arr, "\"");
            buf_puts(&arr, traps[t]);
            buf_puts(&arr, "]\",1,[\"");
            buf_puts(&arr, traps[t]);
            buf_puts(&arr, "\",{\"k]\":\"");
            buf_puts(&arr, traps[t]);
            buf_puts(&arr, "\"}],\"x\"]");
            assert_int_equal(check_array(f, arr.p, arr.len, (pad & 1) != 0, false), 4);

            /* the trap at the end of a long string with commas: the
             * closing quote and ']' land at each block offset */
            arr.len = 0;
            buf_puts(&arr, "[\"");
            for (k = 0; k < pad; k++) {
                buf_putc(&arr, ",]["[k % 3]);
            }
            buf_puts(&arr, traps[t]);
            buf_puts(&arr, "\"]");
            assert_int_equal(check_array(f, arr.p, arr.len, (pad & 1) == 0, false), 1);
        }
        /* whitespace only, and whitespace before the first element */
        arr.len = 0;
        buf_putc(&arr, '[');
        for (k = 0; k < pad; k++) {
            buf_putc(&arr, " \t\r\n"[k % 4]);
        }
        buf_putc(&arr, ']');
        assert_int_equal(check_array(f, arr.p, arr.len, (pad & 1) != 0, false), 0);
        arr.p[arr.len - 1] = '7';
        buf_putc(&arr, ']');
        assert_int_equal(check_array(f, arr.p, arr.len, (pad & 1) == 0, true), 1);
        /* many short elements: commas before and after each block edge */
        arr.len = 0;
        buf_putc(&arr, '[');
        for (k = 0; k <= pad; k++) {
            buf_puts(&arr, k == 0 ? "0" : (k % 5 == 0 ? ",\"a,]\"" : ",1"));
        }
        buf_putc(&arr, ']');
        assert_int_equal(check_array(f, arr.p, arr.len, false, false), pad + 1);
    }
    buf_free(&arr);
}

static void test_json_lazy__empty_arrays(void **state)
{
    fixture *f = *state;

    assert_int_equal(check_array(f, S("[]"), false, false), 0);
    assert_int_equal(check_array(f, S("[ ]"), true, false), 0);
    assert_int_equal(check_array(f, S("[\t\r\n ]"), false, true), 0);
    assert_int_equal(check_array(f, S("[[]]"), false, false), 1);
    assert_int_equal(check_array(f, S("[ [ ] , { } ]"), true, false), 2);
    assert_int_equal(check_array(f, S("[\"\"]"), false, false), 1);
}

/* ------------------------------------------------------------------------ */
/* Which members are lazy                                                    */

static void test_json_lazy__only_named_members_at_the_depth(void **state)
{
    fixture *f = *state;
    static const char text[] =
        "{\"tasks\":[1,2],"
        "\"clusters\":[{\"tasks\":[3,4,5],\"Tasks\":[6],\"task\":[7],\"tasks2\":[8],"
        "\"services\":[9,10],\"nested\":{\"tasks\":[11]},\"list\":[\"tasks\",[12]]},"
        "{\"name\":\"b\",\"tasks\":{\"a\":[1]}},"
        "{\"task\\u0073\":[13,14]}]}";
    static const char *const two_keys[] = { "services", "tasks", NULL };
    ecs_json_doc *doc = parse_lazy_ok(f, S(text), TASKS_KEYS, 3);
    const ecs_json_val *root = ecs_json_root(doc), *cl, *c0, *c1, *c2, *v;
    const ecs_json_lazy *lz;

    /* depth 1 "tasks" is ordinary when depth 3 is asked */
    v = get(doc, root, "tasks");
    assert_null(ecs_json__lazy_of(doc, v));
    assert_int_equal(ecs_json_len(v), 2);
    assert_int_equal(get_int(ecs_json_arr_get(v, 1)), 2);
    cl = get(doc, root, "clusters");
    assert_null(ecs_json__lazy_of(doc, cl));
    assert_int_equal(ecs_json_len(cl), 3);
    c0 = ecs_json_arr_get(cl, 0);
    c1 = ecs_json_arr_get(cl, 1);
    c2 = ecs_json_arr_get(cl, 2);
    /* depth 3 "tasks" is lazy */
    v = get(doc, c0, "tasks");
    lz = ecs_json__lazy_of(doc, v);
    assert_non_null(lz);
    assert_int_equal(lz->count, 3);
    assert_int_equal(lz->len, 7);
    assert_memory_equal(text + lz->off, "[3,4,5]", 7);
    assert_int_equal(ecs_json_len(v), 0);
    /* other names, and "tasks" deeper or as an array element, are not */
    v = get(doc, c0, "Tasks");
    assert_null(ecs_json__lazy_of(doc, v));
    assert_int_equal(ecs_json_len(v), 1);
    v = get(doc, c0, "task");
    assert_null(ecs_json__lazy_of(doc, v));
    assert_int_equal(ecs_json_len(v), 1);
    v = get(doc, c0, "tasks2");
    assert_null(ecs_json__lazy_of(doc, v));
    assert_int_equal(get_int(ecs_json_arr_get(v, 0)), 8);
    v = get(doc, c0, "services");
    assert_null(ecs_json__lazy_of(doc, v));
    assert_int_equal(ecs_json_len(v), 2);
    v = get(doc, get(doc, c0, "nested"), "tasks");
    assert_null(ecs_json__lazy_of(doc, v));
    assert_int_equal(ecs_json_len(v), 1);
    v = get(doc, c0, "list");
    assert_int_equal(ecs_json_len(v), 2);
    assert_null(ecs_json__lazy_of(doc, ecs_json_arr_get(v, 1)));
    assert_int_equal(ecs_json_len(ecs_json_arr_get(v, 1)), 1);
    /* "tasks" whose value is not an array is read as usual */
    v = get(doc, c1, "tasks");
    assert_int_equal(ecs_json_type_of(v), ECS_JSON_OBJECT);
    assert_int_equal(ecs_json_len(get(doc, v, "a")), 1);
    assert_null(ecs_json__lazy_of(doc, get(doc, v, "a")));
    /* the name is compared decoded, like ecs_json_obj_get() */
    v = get(doc, c2, "tasks");
    lz = ecs_json__lazy_of(doc, v);
    assert_non_null(lz);
    assert_int_equal(lz->count, 2);
    assert_null(ecs_json__lazy_of(doc, NULL));
    assert_null(ecs_json__lazy_of(NULL, v));
    ecs_json_doc_free(doc);

    /* depth 1: only the top "tasks" */
    doc = parse_lazy_ok(f, S(text), TASKS_KEYS, 1);
    root = ecs_json_root(doc);
    lz = ecs_json__lazy_of(doc, get(doc, root, "tasks"));
    assert_non_null(lz);
    assert_int_equal(lz->count, 2);
    assert_int_equal(lz->off, 9);
    c0 = ecs_json_arr_get(get(doc, root, "clusters"), 0);
    assert_null(ecs_json__lazy_of(doc, get(doc, c0, "tasks")));
    assert_int_equal(ecs_json_len(get(doc, c0, "tasks")), 3);
    ecs_json_doc_free(doc);

    /* depth 2 (the clusters array): nothing is lazy, the tree is complete */
    doc = parse_lazy_ok(f, S(text), TASKS_KEYS, 2);
    {
        ecs_json_doc *norm = parse_ok(f, S(text));
        assert_true(same_text(f, doc, ecs_json_root(doc), norm, ecs_json_root(norm), S(text)));
        ecs_json_doc_free(norm);
    }
    ecs_json_doc_free(doc);

    /* two keys at depth 3: both lazy, in document order */
    doc = parse_lazy_ok(f, S(text), two_keys, 3);
    root = ecs_json_root(doc);
    c0 = ecs_json_arr_get(get(doc, root, "clusters"), 0);
    lz = ecs_json__lazy_of(doc, get(doc, c0, "services"));
    assert_non_null(lz);
    assert_int_equal(lz->count, 2);
    assert_memory_equal(text + lz->off, "[9,10]", 6);
    assert_non_null(ecs_json__lazy_of(doc, get(doc, c0, "tasks")));
    assert_null(ecs_json__lazy_of(doc, get(doc, c0, "Tasks")));
    ecs_json_doc_free(doc);
}

/* Many lazy arrays in one document (the records grow), each with its own
 * elements; the rest of the tree intact. */
static void test_json_lazy__many_lazy_arrays(void **state)
{
    fixture *f = *state;
    buf t = { NULL, 0, 0 };
    ecs_json_doc *doc;
    const ecs_json_val *cl, *c;
    size_t i, j;
    char tmp[64];

    buf_puts(&t, "{\"clusters\":[");
    for (i = 0; i < 40; i++) {
        snprintf(tmp, sizeof tmp, "%s{\"id\":%zu,\"tasks\":[", i ? "," : "", i);
        buf_puts(&t, tmp);
        for (j = 0; j < i; j++) {
            snprintf(tmp, sizeof tmp, "%s{\"n\":%zu}", j ? "," : "", i * 100 + j);
            buf_puts(&t, tmp);
        }
        buf_puts(&t, "],\"after\":\"x\"}");
    }
    buf_puts(&t, "]}");
    doc = parse_lazy_ok(f, t.p, t.len, TASKS_KEYS, 3);
    cl = get(doc, ecs_json_root(doc), "clusters");
    assert_int_equal(ecs_json_len(cl), 40);
    for (i = 0, c = ecs_json_first(cl); c != NULL; i++, c = ecs_json_next(cl, c)) {
        const ecs_json_lazy *lz = ecs_json__lazy_of(doc, get(doc, c, "tasks"));
        const ecs_json_doc *edoc;
        const ecs_json_val *el;
        ecs_json_elems it;

        assert_int_equal(get_int(get(doc, c, "id")), (int64_t)i);
        assert_string_equal(ecs_json_str(doc, get(doc, c, "after"), NULL), "x");
        assert_non_null(lz);
        assert_int_equal(lz->count, i);
        assert_int_equal(ecs_json__elems_begin(f->ctx, t.p, lz, &it), ECS_OK);
        for (j = 0;; j++) {
            assert_int_equal(ecs_json__elems_next(&it, &edoc, &el), ECS_OK);
            if (el == NULL) {
                break;
            }
            assert_int_equal(get_int(get(edoc, el, "n")), (int64_t)(i * 100 + j));
        }
        assert_int_equal(j, i);
        ecs_json__elems_end(&it);
    }
    assert_int_equal(i, 40);
    ecs_json_doc_free(doc);
    buf_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

/* A lazy parse that must succeed but whose elements are not JSON: `good`
 * elements read, then ECS_E_PARSE at byte err_at of arr (an offset in the
 * whole input is reported), the message containing `msg`. */
typedef struct elem_error_case {
    const char *arr;
    size_t arr_len;
    size_t good;
    size_t err_at;
    const char *msg;
} elem_error_case;

#define EC(lit, good, at, msg) { (lit), sizeof(lit) - 1u, (good), (at), (msg) }

static void check_elem_error(fixture *f, const elem_error_case *c, bool deep)
{
    embedded e;
    ecs_json_doc *doc, *norm = DOC_SENTINEL;
    const ecs_json_lazy *lz;
    const ecs_json_doc *edoc;
    const ecs_json_val *el = NULL;
    ecs_json_elems it;
    ecs_status rc = ECS_OK;
    ecs_errpos pos = { 0, 0, 0 };
    size_t i, base = f->ta.live_blocks;

    embed(&e, c->arr, c->arr_len, deep, false);
    /* not JSON for the ordinary parser */
    assert_int_equal(ecs_json_parse(f->ctx, e.text.p, e.text.len, NULL, &norm), ECS_E_PARSE);
    assert_ptr_equal(norm, DOC_SENTINEL);

    doc = parse_lazy_ok(f, e.text.p, e.text.len, TASKS_KEYS, deep ? 3u : 1u);
    lz = ecs_json__lazy_of(doc, find_tasks(doc, deep));
    assert_non_null(lz);
    assert_int_equal(lz->off, e.off);
    assert_int_equal(lz->len, e.len);
    assert_int_equal(ecs_json__elems_begin(f->ctx, e.text.p, lz, &it), ECS_OK);
    for (i = 0; i < c->good + 1; i++) {
        rc = ecs_json__elems_next(&it, &edoc, &el);
        if (rc != ECS_OK) {
            break;
        }
        if (el == NULL) {
            break;
        }
    }
    if (rc != ECS_E_PARSE || i != c->good) {
        report_input(e.text.p, e.text.len, "element error");
        print_error("got %s after %zu good elements (val %p), want ECS_E_PARSE after %zu\n",
                    ecs_status_str(rc), i, (const void *)el, c->good);
        fail();
    }
    assert_null(el);
    assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_PARSE);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    if (pos.offset != e.off + c->err_at || strstr(ecs_ctx_errmsg(f->ctx), c->msg) == NULL) {
        report_input(e.text.p, e.text.len, ecs_ctx_errmsg(f->ctx));
        print_error("error at byte %zu, want %zu, message with \"%s\"\n", pos.offset,
                    e.off + c->err_at, c->msg);
        fail();
    }
    assert_int_equal(pos.line, 1);
    ecs_json__elems_end(&it);
    ecs_json_doc_free(doc);
    embedded_free(&e);
    assert_int_equal(f->ta.live_blocks, base);
    assert_int_equal(f->ta.errors, 0);
}

static void test_json_lazy__invalid_elements_fail_when_read(void **state)
{
    fixture *f = *state;
    static const elem_error_case cases[] = {
        EC("[1,]", 1, 3, "expected a JSON value, found ']'"),
        EC("[1 2]", 0, 3, "expected ',' or ']' after an array element, found '2'"),
        EC("[1,2 3]", 1, 5, "expected ',' or ']'"),
        /* balanced for the scanner, which counts ']' and '}' alike inside */
        EC("[{\"a\":1]]", 0, 7, "expected ',' or '}' after an object member, found ']'"),
        EC("[tru]", 0, 1, "invalid literal: expected true"),
        EC("[nul,1]", 0, 1, "invalid literal"),
        EC("[1,fals]", 1, 3, "invalid literal: expected false"),
        EC("[\"a\x01\"]", 0, 3, "control character U+0001"),
        EC("[\"ok\",\"a\tb\"]", 1, 8, "control character U+0009"),
        EC("[\"\xC0\xAF\"]", 0, 2, "invalid UTF-8 (byte 0xC0)"),
        EC("[\"ab\xED\xA0\x80\"]", 0, 4, "invalid UTF-8 (byte 0xED)"),
        EC("[\"\xF4\x90\x80\x80\"]", 0, 2, "invalid UTF-8"),
        EC("[\"x\xE2\x82\"]", 0, 3, "invalid UTF-8"),
        EC("[\"\\ud800\"]", 0, 2, "lone high surrogate"),
        EC("[\"\\udc00x\"]", 0, 2, "lone low surrogate"),
        EC("[\"\\ud800\\u0041\"]", 0, 2, "lone high surrogate"),
        EC("[\"\\x\"]", 0, 3, "invalid escape"),
        EC("[\"\\u12\"]", 0, 2, "invalid \\u escape"),
        EC("[01]", 0, 1, "leading zeros"),
        EC("[1.]", 0, 3, "expected a digit after '.'"),
        EC("[-]", 0, 2, "expected a digit after '-'"),
        EC("[1e]", 0, 3, "exponent"),
        EC("[,1]", 0, 1, "expected a JSON value, found ','"),
        EC("[1,,2]", 1, 3, "expected a JSON value, found ','"),
        EC("[[1,2],[3,]]", 1, 10, "expected a JSON value, found ']'"),
        EC("[{\"a\" 1}]", 0, 6, "expected ':'"),
        EC("[{1:2}]", 0, 2, "expected '\"'"),
        EC("[{\"a\":1,}]", 0, 8, "expected '\"'"),
        EC("[\"x\":1]", 0, 4, "expected ',' or ']'"),
        EC("[true false]", 0, 6, "expected ',' or ']'"),
        EC("['a']", 0, 1, "expected a JSON value, found '''"),
        EC("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,x]", 25, 67,
           "expected a JSON value, found 'x'"),
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_elem_error(f, &cases[i], false);
        check_elem_error(f, &cases[i], true);
    }
}

/* The lazy parse itself fails: ECS_E_PARSE (or want), out untouched, no
 * leak, the message containing msg and the position at err_at. */
static void expect_lazy_fail(fixture *f, const char *s, size_t len, uint32_t depth,
                             ecs_status want, size_t err_at, const char *msg)
{
    ecs_json_doc *doc = DOC_SENTINEL;
    size_t base = f->ta.live_blocks;
    ecs_errpos pos = { 0, 0, 0 };
    ecs_status rc = ecs_json__parse_lazy(f->ctx, s, len, ECS_DEFAULT_MAX_JSON_BYTES, TASKS_KEYS,
                                         depth, &doc);

    if (rc != want) {
        report_input(s, len, ecs_ctx_errmsg(f->ctx));
        print_error("lazy parse: got %s, want %s\n", ecs_status_str(rc), ecs_status_str(want));
        if (rc == ECS_OK && doc != DOC_SENTINEL) {
            ecs_json_doc_free(doc);
        }
        fail();
    }
    assert_ptr_equal(doc, DOC_SENTINEL);
    assert_int_equal(ecs_ctx_errcode(f->ctx), want);
    if (strstr(ecs_ctx_errmsg(f->ctx), msg) == NULL) {
        report_input(s, len, ecs_ctx_errmsg(f->ctx));
        print_error("want a message with \"%s\"\n", msg);
        fail();
    }
    if (want == ECS_E_PARSE) {
        assert_true(ecs_ctx_errpos(f->ctx, &pos));
        if (pos.offset != err_at) {
            report_input(s, len, ecs_ctx_errmsg(f->ctx));
            print_error("error at byte %zu, want %zu\n", pos.offset, err_at);
            fail();
        }
    }
    assert_int_equal(f->ta.live_blocks, base);
    assert_int_equal(f->ta.errors, 0);
}

static void test_json_lazy__unterminated_array_fails_the_parse(void **state)
{
    fixture *f = *state;
    buf t = { NULL, 0, 0 };
    size_t i, k;

    expect_lazy_fail(f, S("{\"tasks\":[1,2"), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[\"]\""), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":["), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[ "), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[[1,2]"), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[\"\\\"]"), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[\"\\"), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[\"abc\\]"), 1, ECS_E_PARSE, 9, "unterminated array");
    expect_lazy_fail(f, S("{\"tasks\":[\"a\"]\"]"), 1, ECS_E_PARSE, 14, "expected ',' or '}'");
    expect_lazy_fail(f, S("{\"clusters\":[{\"tasks\":[1,{\"a\":[2]}"), 3, ECS_E_PARSE, 22,
                      "unterminated array");

    /* long ones, read in 64-byte blocks: the input ends at each offset of
     * a block, inside or outside a string, after an escape or not */
    for (i = 0; i < 200; i++) {
        static const char *const tails[] = { "", "\"", "\"]", "\"\\", "\"\\\"]", "[]", "\"a]\\\\" };
        for (k = 0; k < sizeof tails / sizeof tails[0]; k++) {
            size_t j;
            t.len = 0;
            buf_puts(&t, "{\"tasks\":[");
            for (j = 0; j < i; j++) {
                buf_puts(&t, j % 7 == 3 ? "\"s,]\"," : "1,");
            }
            buf_puts(&t, tails[k]);
            expect_lazy_fail(f, t.p, t.len, 1, ECS_E_PARSE, 9, "unterminated array");
        }
    }
    buf_free(&t);
}

static void test_json_lazy__invalid_outside_the_array_fails(void **state)
{
    fixture *f = *state;

    expect_lazy_fail(f, S("{\"tasks\":[1,2] \"y\":1}"), 1, ECS_E_PARSE, 15,
                      "expected ',' or '}' after an object member, found '\"'");
    expect_lazy_fail(f, S("{\"tasks\":[1,2],}"), 1, ECS_E_PARSE, 15, "expected '\"'");
    expect_lazy_fail(f, S("{\"tasks\":[1,2]}x"), 1, ECS_E_PARSE, 15,
                      "unexpected 'x' after the JSON value");
    expect_lazy_fail(f, S("{\"tasks\":[1,2]}]"), 1, ECS_E_PARSE, 15,
                      "unexpected ']' after the JSON value");
    expect_lazy_fail(f, S("{\"tasks\":[1]]"), 1, ECS_E_PARSE, 12, "expected ',' or '}'");
    expect_lazy_fail(f, S("{\"tasks\":[1]"), 1, ECS_E_PARSE, 12,
                      "expected ',' or '}' after an object member, found end of input");
    expect_lazy_fail(f, S("{\"x\":tru,\"tasks\":[1]}"), 1, ECS_E_PARSE, 5, "invalid literal");
    expect_lazy_fail(f, S("{\"x\":\"\x01\",\"tasks\":[1]}"), 1, ECS_E_PARSE, 6,
                      "control character");
    expect_lazy_fail(f, S("{\"tasks\":[1],\"y\":[1,]}"), 1, ECS_E_PARSE, 20,
                      "expected a JSON value, found ']'");
    expect_lazy_fail(f, S("{\"tasks\" [1]}"), 1, ECS_E_PARSE, 9, "expected ':'");
    expect_lazy_fail(f, S("\xEF\xBB\xBF{\"tasks\":[1]}"), 1, ECS_E_PARSE, 0,
                      "expected a JSON value");
    expect_lazy_fail(f, S(""), 1, ECS_E_PARSE, 0, "expected a JSON value, found end of input");
    expect_lazy_fail(f, S("{\"clusters\":[{\"tasks\":[1]]}"), 3, ECS_E_PARSE, 25,
                      "expected ',' or '}'");
    expect_lazy_fail(f, S("{\"clusters\":[{\"tasks\":[1]}}]}"), 3, ECS_E_PARSE, 26,
                      "expected ',' or ']'");
    expect_lazy_fail(f, S("{\"clusters\":[{\"tasks\":[1],\"z\":-}]}"), 3, ECS_E_PARSE, 31,
                      "expected a digit after '-'");
    /* the size limit */
    {
        ecs_json_doc *doc = DOC_SENTINEL;
        assert_int_equal(ecs_json__parse_lazy(f->ctx, S("{\"tasks\":[1,2,3]}"), 10, TASKS_KEYS, 1,
                                              &doc),
                         ECS_E_LIMIT);
        assert_ptr_equal(doc, DOC_SENTINEL);
        assert_non_null(strstr(ecs_ctx_errmsg(f->ctx), "exceeds the limit"));
    }
}

/* An element with an error on a later line: the position is a line and
 * column of the whole input. */
static void test_json_lazy__element_error_position_in_whole_input(void **state)
{
    fixture *f = *state;
    static const char text[] = "{\n\"x\": 1,\n\"tasks\": [\n  1,\n  {\"a\": [1, 2,]}\n]\n}";
    ecs_json_doc *doc = parse_lazy_ok(f, S(text), TASKS_KEYS, 1);
    const ecs_json_lazy *lz = ecs_json__lazy_of(doc, get(doc, ecs_json_root(doc), "tasks"));
    const ecs_json_doc *edoc;
    const ecs_json_val *el;
    ecs_json_elems it;
    ecs_errpos pos;

    assert_non_null(lz);
    assert_int_equal(lz->count, 2);
    assert_int_equal(ecs_json__elems_begin(f->ctx, text, lz, &it), ECS_OK);
    assert_int_equal(ecs_json__elems_next(&it, &edoc, &el), ECS_OK);
    assert_int_equal(get_int(el), 1);
    assert_int_equal(ecs_json__elems_next(&it, &edoc, &el), ECS_E_PARSE);
    assert_null(el);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    assert_int_equal(pos.offset, (size_t)(strstr(text, ",]") - text) + 1);
    assert_int_equal(pos.line, 5);
    assert_int_equal(pos.column, 15);
    assert_non_null(strstr(ecs_ctx_errmsg(f->ctx), "line 5, column 15"));
    ecs_json__elems_end(&it);
    ecs_json_doc_free(doc);
}

/* Arrays whose brackets balance only if ']' and '}' are taken as equal:
 * the ordinary parser rejects every one of these documents, and so must
 * the lazy path, either in the parse or when the elements are read. */
static void test_json_lazy__array_closed_by_brace_is_rejected(void **state)
{
    fixture *f = *state;
    static const char *const docs[] = {
        "{\"tasks\":[1}}",
        "{\"tasks\":[1,2}}",
        "{\"tasks\":[}}",
        "{\"tasks\":[ }}",
        "{\"tasks\":[[1]}}",
        "{\"tasks\":[{\"a\":1}}}",
        "{\"x\":1,\"tasks\":[1,2},\"y\":[1,2]}",
    };
    size_t i, accepted = 0, base = f->ta.live_blocks;

    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        const char *s = docs[i];
        size_t len = strlen(s), n = 0, count = 0;
        ecs_json_doc *doc = DOC_SENTINEL;
        ecs_status rc;

        assert_int_equal(ecs_json_parse(f->ctx, s, len, NULL, &doc), ECS_E_PARSE);
        rc = ecs_json__parse_lazy(f->ctx, s, len, ECS_DEFAULT_MAX_JSON_BYTES, TASKS_KEYS, 1, &doc);
        if (rc == ECS_OK) {
            const ecs_json_lazy *lz = ecs_json__lazy_of(doc, get(doc, ecs_json_root(doc), "tasks"));
            const ecs_json_doc *edoc;
            const ecs_json_val *el;
            ecs_json_elems it;

            assert_non_null(lz);
            count = lz->count;
            assert_int_equal(ecs_json__elems_begin(f->ctx, s, lz, &it), ECS_OK);
            for (;;) {
                rc = ecs_json__elems_next(&it, &edoc, &el);
                if (rc != ECS_OK || el == NULL) {
                    break;
                }
                n++;
            }
            ecs_json__elems_end(&it);
            ecs_json_doc_free(doc);
            if (rc != ECS_E_PARSE) {
                report_input(s, len, "accepted by the lazy parse and by its elements");
                print_error("  lazy count %zu, %zu elements read, then %s; want ECS_E_PARSE\n",
                            count, n, ecs_status_str(rc));
                accepted++;
            }
        } else {
            assert_int_equal(rc, ECS_E_PARSE);
            assert_ptr_equal(doc, DOC_SENTINEL);
        }
    }
    assert_int_equal(f->ta.live_blocks, base);
    assert_int_equal(accepted, 0);
}

/* ecs_json_parse() limits the nesting of the whole document; elements read
 * lazily must be held to the same limit, counted from the root. */
static void test_json_lazy__depth_limit_counts_from_the_root(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text;
        uint32_t depth;
    } docs[] = {
        { "{\"tasks\":[[[[1]]]]}", 1 },             /* 5 deep */
        { "{\"tasks\":[1,{\"a\":{\"b\":[2]}}]}", 1 },  /* 5 deep */
        { "{\"clusters\":[{\"tasks\":[[1]]}]}", 3 }, /* 5 deep */
        { "{\"clusters\":[{\"tasks\":[1,[[[[[[2]]]]]]]}]}", 3 },
    };
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    size_t i, accepted = 0;

    opts.allocator = &f->ta.alloc;
    opts.max_json_depth = 4;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    /* within the limit: read the same both ways */
    {
        static const char ok[] = "{\"tasks\":[[[1]],2]}"; /* 4 deep */
        ecs_json_doc *doc = NULL;
        const ecs_json_lazy *lz;
        const ecs_json_doc *edoc;
        const ecs_json_val *el;
        ecs_json_elems it;

        assert_int_equal(ecs_json_parse(ctx, S(ok), NULL, &doc), ECS_OK);
        ecs_json_doc_free(doc);
        assert_int_equal(ecs_json__parse_lazy(ctx, S(ok), 1000, TASKS_KEYS, 1, &doc), ECS_OK);
        lz = ecs_json__lazy_of(doc, ecs_json_obj_get(doc, ecs_json_root(doc), S("tasks")));
        assert_non_null(lz);
        assert_int_equal(ecs_json__elems_begin(ctx, ok, lz, &it), ECS_OK);
        assert_int_equal(ecs_json__elems_next(&it, &edoc, &el), ECS_OK);
        assert_int_equal(ecs_json_type_of(el), ECS_JSON_ARRAY);
        assert_int_equal(ecs_json__elems_next(&it, &edoc, &el), ECS_OK);
        assert_int_equal(get_int(el), 2);
        assert_int_equal(ecs_json__elems_next(&it, &edoc, &el), ECS_OK);
        assert_null(el);
        ecs_json__elems_end(&it);
        ecs_json_doc_free(doc);
    }
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        const char *s = docs[i].text;
        size_t len = strlen(s);
        ecs_json_doc *doc = DOC_SENTINEL;
        ecs_status rc;

        assert_int_equal(ecs_json_parse(ctx, s, len, NULL, &doc), ECS_E_LIMIT);
        rc = ecs_json__parse_lazy(ctx, s, len, 1000, TASKS_KEYS, docs[i].depth, &doc);
        if (rc == ECS_OK) {
            const ecs_json_val *root = ecs_json_root(doc), *t;
            const ecs_json_lazy *lz;
            const ecs_json_doc *edoc;
            const ecs_json_val *el;
            ecs_json_elems it;

            t = docs[i].depth == 1
                    ? get(doc, root, "tasks")
                    : get(doc, ecs_json_arr_get(get(doc, root, "clusters"), 0), "tasks");
            lz = ecs_json__lazy_of(doc, t);
            assert_non_null(lz);
            assert_int_equal(ecs_json__elems_begin(ctx, s, lz, &it), ECS_OK);
            do {
                rc = ecs_json__elems_next(&it, &edoc, &el);
            } while (rc == ECS_OK && el != NULL);
            ecs_json__elems_end(&it);
            ecs_json_doc_free(doc);
            if (rc != ECS_E_LIMIT) {
                report_input(s, len, "nesting beyond the limit of 4 accepted");
                print_error("  elements: %s; want ECS_E_LIMIT as from ecs_json_parse\n",
                            ecs_status_str(rc));
                accepted++;
            } else {
                assert_non_null(strstr(ecs_ctx_errmsg(ctx), "nesting deeper"));
            }
        } else {
            assert_int_equal(rc, ECS_E_LIMIT);
            assert_ptr_equal(doc, DOC_SENTINEL);
        }
    }
    ecs_ctx_free(ctx);
    assert_int_equal(accepted, 0);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                       */

/* A document with many lazy arrays (the records grow several times), a
 * large tree around them, and elements big enough to grow the element
 * document's slots, pool use and the parser's stack. */
/* Elements whose strings outgrow the element document's first pool (4 KB)
 * and every later size: escapes, surrogate pairs and UTF-8 runs land on
 * each side of the points where the pool must grow; each element must read
 * exactly as the ordinary parse reads it. */
static void test_json_lazy__long_strings_grow_the_element_pool(void **state)
{
    fixture *f = *state;
    static const char *const pieces[] = { "a", "\\n", "\\u00e9", "\\ud83d\\ude00", "\xc3\xa9",
                                          "\xf0\x9f\x98\x80", "\\\"", "\\\\", "]", "," };
    buf arr = { NULL, 0, 0 };
    size_t total = 0;

    rng_state = 12345;
    for (size_t round = 0; round < 40; round++) {
        size_t nelem = 1 + rnd_below(4);
        arr.len = 0;
        buf_putc(&arr, '[');
        for (size_t e = 0; e < nelem; e++) {
            /* strings of 1 to 40 KB in one element, several per element */
            size_t nstr = 1 + rnd_below(3);
            buf_puts(&arr, e ? ",[" : "[");
            for (size_t k = 0; k < nstr; k++) {
                size_t target = 1 + rnd_below(round < 20 ? 5000 : 40000);
                size_t len = 0;
                buf_puts(&arr, k ? ",\"" : "\"");
                while (len < target) {
                    const char *pc = pieces[rnd_below(sizeof pieces / sizeof pieces[0])];
                    buf_puts(&arr, pc);
                    len += strlen(pc);
                }
                buf_putc(&arr, '"');
            }
            buf_putc(&arr, ']');
        }
        buf_putc(&arr, ']');
        total += check_array(f, arr.p, arr.len, (round & 1) != 0, false);
    }
    buf_free(&arr);
    assert_true(total >= 40);
}

static char *oom_document(size_t *len)
{
    buf t = { NULL, 0, 0 };
    size_t i, j;
    char tmp[64];

    buf_puts(&t, "{\"meta\":[");
    for (i = 0; i < 300; i++) {
        snprintf(tmp, sizeof tmp, "%s{\"k\":%zu,\"s\":\"v\\u00e9%zu\"}", i ? "," : "", i, i);
        buf_puts(&t, tmp);
    }
    buf_puts(&t, "],\"clusters\":[");
    for (i = 0; i < 20; i++) {
        snprintf(tmp, sizeof tmp, "%s{\"name\":\"c%zu\",\"tasks\":[", i ? "," : "", i);
        buf_puts(&t, tmp);
        for (j = 0; j < 3; j++) {
            snprintf(tmp, sizeof tmp, "%s{\"id\":%zu,\"s\":\"a,]\\\"b\"}", j ? "," : "", j);
            buf_puts(&t, tmp);
        }
        buf_puts(&t, "]}");
    }
    buf_puts(&t, "],\"tasks\":[");
    /* one big element: 300 members, one of them 50 arrays deep */
    buf_putc(&t, '{');
    for (i = 0; i < 300; i++) {
        snprintf(tmp, sizeof tmp, "\"m%zu\":[%zu,\"x\\\\y\"],", i, i);
        buf_puts(&t, tmp);
    }
    buf_puts(&t, "\"deep\":");
    for (i = 0; i < 50; i++) {
        buf_putc(&t, '[');
    }
    for (i = 0; i < 50; i++) {
        buf_putc(&t, ']');
    }
    buf_puts(&t, "},2,\"three\"]}");
    *len = t.len;
    return t.p;
}

static void check_oom_lazy_doc(fixture *f, const ecs_json_doc *doc, const char *text,
                               size_t len)
{
    ecs_json_doc *norm = parse_ok(f, text, len);
    const ecs_json_val *root = ecs_json_root(doc);
    const ecs_json_val *cl = get(doc, root, "clusters"), *c;
    size_t n = 0;

    assert_int_equal(ecs_json_len(get(doc, root, "meta")), 300);
    assert_true(same_text(f, doc, get(doc, root, "meta"), norm,
                          get(norm, ecs_json_root(norm), "meta"), text, len));
    for (c = ecs_json_first(cl); c != NULL; c = ecs_json_next(cl, c)) {
        const ecs_json_lazy *lz = ecs_json__lazy_of(doc, get(doc, c, "tasks"));
        assert_non_null(lz);
        assert_int_equal(lz->count, 3);
        n++;
    }
    assert_int_equal(n, 20);
    /* the top "tasks" is at depth 1: ordinary */
    assert_null(ecs_json__lazy_of(doc, get(doc, root, "tasks")));
    assert_int_equal(ecs_json_len(get(doc, root, "tasks")), 3);
    ecs_json_doc_free(norm);
}

static void test_json_lazy__oom_in_lazy_parse_leaks_nothing(void **state)
{
    fixture *f = *state;
    size_t len, n, base = f->ta.live_blocks;
    char *text = oom_document(&len);
    bool fail_all;

    for (fail_all = false;; fail_all = true) {
        for (n = 1;; n++) {
            ecs_json_doc *doc = DOC_SENTINEL;
            ecs_status rc;

            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_json__parse_lazy(f->ctx, text, len, ECS_DEFAULT_MAX_JSON_BYTES, TASKS_KEYS,
                                      3, &doc);
            if (f->ta.calls < n) {
                /* No failure was injected: the sweep is complete. */
                test_alloc_fail_at(&f->ta, 0, false);
                assert_int_equal(rc, ECS_OK);
                check_oom_lazy_doc(f, doc, text, len);
                ecs_json_doc_free(doc);
                break;
            }
            test_alloc_fail_at(&f->ta, 0, false);
            if (rc == ECS_OK && !fail_all) {
                check_oom_lazy_doc(f, doc, text, len);
                ecs_json_doc_free(doc);
            } else {
                if (rc != ECS_E_NOMEM) {
                    print_error("failing allocation %zu (fail_all %d): got %s\n", n,
                                (int)fail_all, ecs_status_str(rc));
                    fail();
                }
                assert_ptr_equal(doc, DOC_SENTINEL);
                assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
            }
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            assert_true(n < 100000);
        }
        assert_true(n > 4); /* the sweep failed more than the first blocks */
        if (fail_all) {
            break;
        }
    }
    free(text);
}

static void test_json_lazy__oom_in_elements_leaks_nothing(void **state)
{
    fixture *f = *state;
    /* The ordinary parse and the writes that check each element go through
     * a second context, so that f->ta sees only the iterator's requests. */
    test_alloc wta;
    ecs_ctx *wctx;
    fixture wf;
    size_t len, n, base;
    char *text = oom_document(&len);
    ecs_json_doc *doc = parse_lazy_ok(f, text, len, TASKS_KEYS, 1);
    ecs_json_doc *norm;
    const ecs_json_val *narr;
    const ecs_json_lazy *lz = ecs_json__lazy_of(doc, get(doc, ecs_json_root(doc), "tasks"));
    bool fail_all;

    test_alloc_init(&wta);
    wctx = test_ctx_new(&wta);
    memset(&wf, 0, sizeof wf);
    wf.ctx = wctx;
    norm = parse_ok(&wf, text, len);
    narr = get(norm, ecs_json_root(norm), "tasks");
    assert_non_null(lz);
    assert_int_equal(lz->count, 3);
    /* at depth 1 the clusters' "tasks" are ordinary */
    assert_null(ecs_json__lazy_of(
        doc, get(doc, ecs_json_arr_get(get(doc, ecs_json_root(doc), "clusters"), 0), "tasks")));
    base = f->ta.live_blocks;
    for (fail_all = false;; fail_all = true) {
        size_t failures = 0;
        for (n = 1;; n++) {
            ecs_json_elems it;
            const ecs_json_doc *edoc = NULL;
            const ecs_json_val *el = NULL, *nel = ecs_json_first(narr);
            ecs_status rc;
            size_t got = 0, calls;

            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_json__elems_begin(f->ctx, text, lz, &it);
            while (rc == ECS_OK) {
                rc = ecs_json__elems_next(&it, &edoc, &el);
                if (rc != ECS_OK || el == NULL) {
                    break;
                }
                assert_non_null(nel);
                assert_true(same_text(&wf, edoc, el, norm, nel, text, len));
                nel = ecs_json_next(narr, nel);
                got++;
            }
            calls = f->ta.calls;
            test_alloc_fail_at(&f->ta, 0, false);
            ecs_json__elems_end(&it);
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            if (rc == ECS_OK) {
                /* every element read, and rightly */
                assert_int_equal(got, 3);
                assert_null(nel);
                assert_false(fail_all && calls >= n);
                if (calls < n) {
                    break; /* no failure was injected: the sweep is complete */
                }
            } else {
                if (rc != ECS_E_NOMEM) {
                    print_error("failing allocation %zu (fail_all %d): got %s: %s\n", n,
                                (int)fail_all, ecs_status_str(rc), ecs_ctx_errmsg(f->ctx));
                    fail();
                }
                assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
                assert_true(calls >= n);
                failures++;
            }
            assert_true(n < 100000);
        }
        /* the iterator allocates its document, pool and slots, and grows
         * the slots and its stack for the big element */
        assert_true(failures >= 5);
        if (fail_all) {
            break;
        }
    }
    ecs_json_doc_free(norm);
    ecs_json_doc_free(doc);
    test_ctx_free_check(wctx, &wta);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_lazy__random_arrays_match_ordinary_parse, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__traps_at_every_block_offset, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__empty_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__only_named_members_at_the_depth, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__many_lazy_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__invalid_elements_fail_when_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__unterminated_array_fails_the_parse, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__invalid_outside_the_array_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__element_error_position_in_whole_input,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__array_closed_by_brace_is_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__depth_limit_counts_from_the_root, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__long_strings_grow_the_element_pool, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__oom_in_lazy_parse_leaks_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_lazy__oom_in_elements_leaks_nothing, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
