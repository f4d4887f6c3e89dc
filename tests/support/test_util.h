/**
 * @file test_util.h
 * @brief Small helpers shared by the unit tests: files and contexts.
 *
 * The context helpers use cmocka assertions, so call them from inside a
 * cmocka test only.
 */
#ifndef ECS_TEST_UTIL_H
#define ECS_TEST_UTIL_H

#include <stddef.h>

#include "ecs/context.h"
#include "test_alloc.h"

/**
 * Read a whole file.
 * @param path  File to read.
 * @param len   Receives its length in bytes; may be NULL.
 * @return A malloc'd buffer (NUL-terminated after len bytes, for
 *         convenience; free() it), or NULL when the file cannot be read.
 */
char *test_read_file(const char *path, size_t *len);

/** A context whose allocator is ta (NULL: the default allocator); asserts
 *  that it was made. */
ecs_ctx *test_ctx_new(test_alloc *ta);

/** Free ctx and assert that ta saw no leak and no allocator misuse. */
void test_ctx_free_check(ecs_ctx *ctx, test_alloc *ta);

/** s[0..len) readably for a failure message: printable ASCII as is,
 *  other bytes and the backslash as \xHH, "..." when cap cuts it short. */
void test_describe_bytes(const char *s, size_t len, char *buf, size_t cap);

/** The fixture of tests that need only a context on a checking allocator:
 *  test_ctx_setup() makes it (cmocka's state), test_ctx_teardown() frees it
 *  and asserts that nothing leaked. */
typedef struct test_ctx_fixture {
    test_alloc ta;
    ecs_ctx *ctx;
} test_ctx_fixture;

int test_ctx_setup(void **state);
int test_ctx_teardown(void **state);

#endif /* ECS_TEST_UTIL_H */
