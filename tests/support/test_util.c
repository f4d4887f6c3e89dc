/*
 * Helpers shared by the unit tests: reading a fixture file into memory, and
 * making and checking contexts that allocate through a test_alloc.
 */
#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *test_read_file(const char *path, size_t *len)
{
    FILE *f;
    char *buf = NULL;
    size_t cap = 0, used = 0;

    if (path == NULL) {
        return NULL;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        size_t got;
        if (cap - used < 2) {
            size_t ncap = cap == 0 ? 4096 : cap * 2;
            char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nbuf;
            cap = ncap;
        }
        got = fread(buf + used, 1, cap - used - 1, f);
        used += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[used] = '\0';
    if (len != NULL) {
        *len = used;
    }
    return buf;
}

ecs_ctx *test_ctx_new(test_alloc *ta)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;

    if (ta != NULL) {
        opts.allocator = &ta->alloc;
    }
    assert_int_equal(ecs_ctx_new(&opts, &ctx), ECS_OK);
    assert_non_null(ctx);
    return ctx;
}

void test_ctx_free_check(ecs_ctx *ctx, test_alloc *ta)
{
    ecs_ctx_free(ctx);
    if (ta != NULL) {
        assert_int_equal(ta->live_blocks, 0);
        assert_int_equal(ta->live_bytes, 0);
        assert_int_equal(ta->errors, 0);
    }
}

int test_ctx_setup(void **state)
{
    test_ctx_fixture *f = calloc(1, sizeof *f);

    if (f == NULL) {
        return -1;
    }
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    *state = f;
    return 0;
}

int test_ctx_teardown(void **state)
{
    test_ctx_fixture *f = *state;

    test_ctx_free_check(f->ctx, &f->ta);
    free(f);
    return 0;
}

void test_describe_bytes(const char *s, size_t len, char *buf, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; i < len && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            buf[o++] = (char)c;
        } else {
            int n = snprintf(buf + o, cap - o, "\\x%02X", (unsigned)c);
            o += (size_t)n;
        }
    }
    if (i < len && o + 4 < cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
}
