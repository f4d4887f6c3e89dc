/*
 * Tests of the context (options, allocator, error state), status names, the
 * version functions and the seeded random generator. The generator's output
 * is part of the ABI, so it is also compared with a reference
 * xoshiro256** seeded through splitmix64 written here from the published
 * algorithms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ecs/ecs.h"
#include "ecs/version.h"
#include "test_alloc.h"
#include "test_util.h"

/* A value no library call would write: outputs must stay untouched. */
static int sentinel_storage;
#define CTX_SENTINEL ((ecs_ctx *)(void *)&sentinel_storage)

static void test_context__new_with_null_opts_uses_defaults(void **state)
{
    ecs_ctx *ctx = NULL;
    ecs_errpos pos = { 7, 7, 7 };

    (void)state;
    assert_int_equal(ecs_ctx_new(NULL, &ctx), ECS_OK);
    assert_non_null(ctx);
    assert_string_equal(ecs_ctx_errmsg(ctx), "");
    assert_int_equal(ecs_ctx_errcode(ctx), ECS_OK);
    assert_false(ecs_ctx_errpos(ctx, &pos));
    assert_int_equal(pos.offset, 7);
    ecs_ctx_free(ctx);
}

static void test_context__new_rejects_null_out(void **state)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;

    (void)state;
    assert_int_equal(ecs_ctx_new(NULL, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_ctx_new(&opts, NULL), ECS_E_INVALID_ARG);
}

static void test_context__free_null_is_fine(void **state)
{
    (void)state;
    ecs_ctx_free(NULL);
    ecs_ctx_clear_error(NULL);
}

static void test_context__custom_allocator_gets_every_allocation(void **state)
{
    test_alloc ta;
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;
    ecs_json_writer *w = NULL;
    static const char text[] = "{\"a\":[1,2,3,\"xyz\"],\"b\":{\"c\":null}}";
    size_t blocks_ctx;

    (void)state;
    test_alloc_init(&ta);
    opts.allocator = &ta.alloc;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    /* The context itself lives in the host's memory. */
    assert_true(ta.live_blocks >= 1);
    assert_true(ta.calls >= 1);
    blocks_ctx = ta.live_blocks;

    assert_int_equal(ecs_json_parse(ctx, text, sizeof text - 1, NULL, &doc), ECS_OK);
    assert_true(ta.live_blocks > blocks_ctx);
    assert_true(ecs_json_doc_memory(doc) > 0);
    assert_true(ecs_json_doc_memory(doc) <= ta.live_bytes);
    assert_int_equal(ecs_json_writer_new(ctx, 0, &w), ECS_OK);
    assert_int_equal(ecs_json_write_val(w, doc, ecs_json_root(doc)), ECS_OK);
    ecs_json_writer_free(w);
    ecs_json_doc_free(doc);
    assert_int_equal(ta.live_blocks, blocks_ctx);
    test_ctx_free_check(ctx, &ta);
}

static void test_context__new_oom_leaks_nothing(void **state)
{
    test_alloc ta;
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    size_t n;

    (void)state;
    test_alloc_init(&ta);
    opts.allocator = &ta.alloc;
    for (n = 1;; n++) {
        ecs_ctx *ctx = CTX_SENTINEL;
        ecs_status rc;

        test_alloc_fail_at(&ta, n, true);
        rc = ecs_ctx_new(&opts, &ctx);
        if (ta.calls < n) {
            assert_int_equal(rc, ECS_OK);
            ecs_ctx_free(ctx);
            break;
        }
        assert_int_equal(rc, ECS_E_NOMEM);
        assert_ptr_equal(ctx, CTX_SENTINEL);
        assert_int_equal(ta.live_blocks, 0);
        assert_true(n < 1000);
    }
    assert_int_equal(ta.live_blocks, 0);
    assert_int_equal(ta.errors, 0);
}

static void test_context__struct_size_too_small_is_invalid(void **state)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = CTX_SENTINEL;
    uint32_t sizes[] = { 0u, 1u, 2u, 3u };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        opts.struct_size = sizes[i];
        assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_E_INVALID_ARG);
        assert_ptr_equal(ctx, CTX_SENTINEL);
    }
}

static void test_context__reads_only_fields_within_struct_size(void **state)
{
    test_alloc ta;
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;

    (void)state;
    test_alloc_init(&ta);
    /* Only struct_size fits: the allocator and limits must be ignored. */
    opts.struct_size = (uint32_t)sizeof(uint32_t);
    opts.allocator = &ta.alloc;
    opts.max_json_depth = 1;
    opts.max_json_bytes = 2;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    assert_int_equal(ta.calls, 0);
    assert_int_equal(ecs_json_parse(ctx, "[[[1]]]", 7, NULL, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    ecs_ctx_free(ctx);

    /* The allocator fits but not the limits. */
    opts.struct_size = (uint32_t)offsetof(ecs_ctx_options, max_json_depth);
    ctx = NULL;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    assert_true(ta.live_blocks >= 1);
    assert_int_equal(ecs_json_parse(ctx, "[[[1]]]", 7, NULL, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    test_ctx_free_check(ctx, &ta);
}

static void test_context__limits_from_options_apply(void **state)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;

    (void)state;
    opts.max_json_depth = 2;
    opts.max_json_bytes = 8;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    assert_int_equal(ecs_json_parse(ctx, "[[1]]", 5, NULL, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    doc = NULL;
    assert_int_equal(ecs_json_parse(ctx, "[[[1]]]", 7, NULL, &doc), ECS_E_LIMIT);
    assert_null(doc);
    assert_int_equal(ecs_ctx_errcode(ctx), ECS_E_LIMIT);
    assert_int_equal(ecs_json_parse(ctx, "[1,2,3,4]", 9, NULL, &doc), ECS_E_LIMIT);
    assert_null(doc);
    assert_int_equal(ecs_json_parse(ctx, "[1,2,34]", 8, NULL, &doc), ECS_OK);
    ecs_json_doc_free(doc);
    ecs_ctx_free(ctx);
}

static void *never_alloc(void *user, size_t size)
{
    (void)user;
    (void)size;
    return NULL;
}

static void *never_resize(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)user;
    (void)ptr;
    (void)old_size;
    (void)new_size;
    return NULL;
}

static void never_release(void *user, void *ptr, size_t size)
{
    (void)user;
    (void)ptr;
    (void)size;
}

static void test_context__allocator_missing_a_function_is_invalid(void **state)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_allocator full = { never_alloc, never_resize, never_release, NULL };
    ecs_allocator a;
    ecs_ctx *ctx = CTX_SENTINEL;
    int which;

    (void)state;
    opts.allocator = &a;
    for (which = 0; which < 3; which++) {
        a = full;
        if (which == 0) {
            a.alloc = NULL;
        } else if (which == 1) {
            a.resize = NULL;
        } else {
            a.release = NULL;
        }
        assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_E_INVALID_ARG);
        assert_ptr_equal(ctx, CTX_SENTINEL);
    }
    /* A complete allocator that refuses everything gives NOMEM. */
    a = full;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_E_NOMEM);
    assert_ptr_equal(ctx, CTX_SENTINEL);
}

static void test_context__max_json_bytes_above_limit_is_invalid(void **state)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = CTX_SENTINEL;

    (void)state;
    opts.max_json_bytes = ECS_MAX_JSON_BYTES;
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    assert_ptr_not_equal(ctx, CTX_SENTINEL);
    ecs_ctx_free(ctx);
    if (SIZE_MAX > ECS_MAX_JSON_BYTES) {
        ctx = CTX_SENTINEL;
        opts.max_json_bytes = ECS_MAX_JSON_BYTES + 1u;
        assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_E_INVALID_ARG);
        assert_ptr_equal(ctx, CTX_SENTINEL);
        opts.max_json_bytes = SIZE_MAX;
        assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_E_INVALID_ARG);
        assert_ptr_equal(ctx, CTX_SENTINEL);
    }
}

static void test_context__errmsg_of_null_is_not_null(void **state)
{
    ecs_errpos pos = { 1, 2, 3 };

    (void)state;
    assert_non_null(ecs_ctx_errmsg(NULL));
    assert_string_equal(ecs_ctx_errmsg(NULL), "no context");
    assert_false(ecs_ctx_errpos(NULL, &pos));
    assert_int_equal(pos.offset, 1);
    assert_int_equal(pos.line, 2);
    assert_int_equal(pos.column, 3);
}

static void test_context__error_is_recorded_and_cleared(void **state)
{
    ecs_ctx *ctx = test_ctx_new(NULL);
    ecs_json_doc *doc = NULL;
    ecs_errpos pos = { 0, 0, 0 };

    (void)state;
    assert_int_equal(ecs_json_parse(ctx, "[1,]", 4, NULL, &doc), ECS_E_PARSE);
    assert_int_equal(ecs_ctx_errcode(ctx), ECS_E_PARSE);
    assert_true(strlen(ecs_ctx_errmsg(ctx)) > 0);
    assert_true(ecs_ctx_errpos(ctx, &pos));
    assert_int_equal(pos.line, 1);
    ecs_ctx_clear_error(ctx);
    assert_int_equal(ecs_ctx_errcode(ctx), ECS_OK);
    assert_string_equal(ecs_ctx_errmsg(ctx), "");
    pos.line = 99;
    assert_false(ecs_ctx_errpos(ctx, &pos));
    assert_int_equal(pos.line, 99);
    ecs_ctx_free(ctx);
}

static void test_context__status_str_names_every_status(void **state)
{
    static const struct {
        ecs_status status;
        const char *name;
    } names[] = {
        { ECS_OK, "ECS_OK" },
        { ECS_DONE, "ECS_DONE" },
        { ECS_E_NOMEM, "ECS_E_NOMEM" },
        { ECS_E_INVALID_ARG, "ECS_E_INVALID_ARG" },
        { ECS_E_PARSE, "ECS_E_PARSE" },
        { ECS_E_NOT_FOUND, "ECS_E_NOT_FOUND" },
        { ECS_E_CONFLICT, "ECS_E_CONFLICT" },
        { ECS_E_NO_CAPACITY, "ECS_E_NO_CAPACITY" },
        { ECS_E_LIMIT, "ECS_E_LIMIT" },
        { ECS_E_STATE, "ECS_E_STATE" },
        { ECS_E_INTERNAL, "ECS_E_INTERNAL" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_non_null(ecs_status_str(names[i].status));
        assert_string_equal(ecs_status_str(names[i].status), names[i].name);
    }
    assert_string_equal(ecs_status_str((ecs_status)2), "ECS_E_UNKNOWN");
    assert_string_equal(ecs_status_str((ecs_status)-9), "ECS_E_UNKNOWN");
    assert_string_equal(ecs_status_str((ecs_status)-100), "ECS_E_UNKNOWN");
    assert_string_equal(ecs_status_str((ecs_status)12345), "ECS_E_UNKNOWN");
}

static void test_context__version_matches_headers(void **state)
{
    char expect[32];

    (void)state;
    assert_int_equal(ecs_version(), ECS_VERSION_NUMBER);
    assert_non_null(ecs_version_string());
    assert_string_equal(ecs_version_string(), ECS_VERSION_STRING);
    (void)snprintf(expect, sizeof expect, "%d.%d.%d", ECS_VERSION_MAJOR, ECS_VERSION_MINOR,
                   ECS_VERSION_PATCH);
    assert_string_equal(ECS_VERSION_STRING, expect);
}

static void test_context__rng_same_seed_same_sequence(void **state)
{
    ecs_rng a, b, c;
    size_t i;

    (void)state;
    ecs_rng_seed(&a, 42);
    ecs_rng_seed(&b, 42);
    for (i = 0; i < 1000; i++) {
        assert_int_equal(ecs_rng_next(&a), ecs_rng_next(&b));
    }
    /* A copy continues the same sequence. */
    c = a;
    for (i = 0; i < 100; i++) {
        assert_int_equal(ecs_rng_next(&a), ecs_rng_next(&c));
    }
    /* Reseeding restarts it. */
    ecs_rng_seed(&a, 42);
    ecs_rng_seed(&b, 42);
    for (i = 0; i < 100; i++) {
        assert_int_equal(ecs_rng_below(&a, 1000), ecs_rng_below(&b, 1000));
    }
}

static void test_context__rng_different_seeds_differ(void **state)
{
    static const uint64_t seeds[] = { 0u, 1u, 2u, 42u, UINT64_MAX };
    uint64_t first[sizeof seeds / sizeof seeds[0]][4];
    size_t i, j, k;

    (void)state;
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        ecs_rng r;
        uint64_t or_all = 0;
        ecs_rng_seed(&r, seeds[i]);
        for (k = 0; k < 4; k++) {
            first[i][k] = ecs_rng_next(&r);
            or_all |= first[i][k];
        }
        assert_true(or_all != 0); /* seed 0 too gives a live generator */
    }
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        for (j = i + 1; j < sizeof seeds / sizeof seeds[0]; j++) {
            assert_true(memcmp(first[i], first[j], sizeof first[i]) != 0);
        }
    }
}

static uint64_t ref_rotl(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

static uint64_t ref_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t ref_xoshiro_next(uint64_t s[4])
{
    uint64_t result = ref_rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

static void test_context__rng_matches_reference_xoshiro256starstar(void **state)
{
    static const uint64_t seeds[] = { 0u, 1u, 12345u, UINT64_MAX };
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        ecs_rng r;
        uint64_t s[4], x = seeds[i];
        for (k = 0; k < 4; k++) {
            s[k] = ref_splitmix64(&x);
        }
        ecs_rng_seed(&r, seeds[i]);
        for (k = 0; k < 64; k++) {
            assert_int_equal(ecs_rng_next(&r), ref_xoshiro_next(s));
        }
    }
}

static void test_context__rng_below_zero_is_zero(void **state)
{
    ecs_rng r;
    size_t i;

    (void)state;
    ecs_rng_seed(&r, 7);
    for (i = 0; i < 10; i++) {
        assert_int_equal(ecs_rng_below(&r, 0), 0);
        assert_int_equal(ecs_rng_below(&r, 1), 0);
    }
}

static void test_context__rng_below_respects_bounds(void **state)
{
    static const uint64_t bounds[] = {
        2u, 3u, 5u, 7u, 10u, 1000u, 65537u, UINT64_C(1) << 32, (UINT64_C(1) << 63) + 1u,
        UINT64_MAX - 1u, UINT64_MAX,
    };
    ecs_rng r;
    size_t i, k;

    (void)state;
    ecs_rng_seed(&r, 99);
    for (i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        uint64_t max_seen = 0;
        for (k = 0; k < 20000; k++) {
            uint64_t v = ecs_rng_below(&r, bounds[i]);
            assert_true(v < bounds[i]);
            if (v > max_seen) {
                max_seen = v;
            }
        }
        /* Draws reach the upper part of the range. */
        assert_true(max_seen >= bounds[i] - bounds[i] / 4u - 1u);
    }
}

static void test_context__rng_below_three_is_roughly_uniform(void **state)
{
    ecs_rng r;
    size_t counts[3] = { 0, 0, 0 };
    size_t i;
    const size_t draws = 300000;

    (void)state;
    ecs_rng_seed(&r, 2024);
    for (i = 0; i < draws; i++) {
        uint64_t v = ecs_rng_below(&r, 3);
        assert_true(v < 3);
        counts[v]++;
    }
    /* Expected 100000 each, standard deviation about 258: allow 8 sigma. */
    for (i = 0; i < 3; i++) {
        assert_true(counts[i] > 98000 && counts[i] < 102000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context__new_with_null_opts_uses_defaults),
        cmocka_unit_test(test_context__new_rejects_null_out),
        cmocka_unit_test(test_context__free_null_is_fine),
        cmocka_unit_test(test_context__custom_allocator_gets_every_allocation),
        cmocka_unit_test(test_context__new_oom_leaks_nothing),
        cmocka_unit_test(test_context__struct_size_too_small_is_invalid),
        cmocka_unit_test(test_context__reads_only_fields_within_struct_size),
        cmocka_unit_test(test_context__limits_from_options_apply),
        cmocka_unit_test(test_context__allocator_missing_a_function_is_invalid),
        cmocka_unit_test(test_context__max_json_bytes_above_limit_is_invalid),
        cmocka_unit_test(test_context__errmsg_of_null_is_not_null),
        cmocka_unit_test(test_context__error_is_recorded_and_cleared),
        cmocka_unit_test(test_context__status_str_names_every_status),
        cmocka_unit_test(test_context__version_matches_headers),
        cmocka_unit_test(test_context__rng_same_seed_same_sequence),
        cmocka_unit_test(test_context__rng_different_seeds_differ),
        cmocka_unit_test(test_context__rng_matches_reference_xoshiro256starstar),
        cmocka_unit_test(test_context__rng_below_zero_is_zero),
        cmocka_unit_test(test_context__rng_below_respects_bounds),
        cmocka_unit_test(test_context__rng_below_three_is_roughly_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
