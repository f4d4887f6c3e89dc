/**
 * @file test_alloc.h
 * @brief A counting, failing ecs_allocator for the unit tests.
 *
 * Every block carries a hidden header with its size, its owner and a magic
 * value, so a release or resize with the wrong size, a double free or a
 * pointer from elsewhere is counted in `errors` instead of crashing. Failure
 * injection: test_alloc_fail_at(ta, N, fail_all) makes the Nth allocation
 * request from then on fail (and every later one when fail_all is true); an
 * allocation request is an alloc or a resize to a larger size.
 *
 * Ownership: the struct belongs to the test (usually on its stack) and must
 * outlive every context that uses it. Not thread-safe.
 */
#ifndef ECS_TEST_ALLOC_H
#define ECS_TEST_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "ecs/context.h"

typedef struct test_alloc {
    ecs_allocator alloc; /* pass &ta.alloc as ecs_ctx_options.allocator */
    size_t live_blocks, live_bytes, peak_bytes;
    size_t calls;   /* allocation requests seen (alloc, and resize to a larger
                       size) since init or last test_alloc_fail_at */
    size_t fail_at; /* 0: never; N: the Nth request from now fails (and every
                       later one when fail_all is true) */
    bool fail_all;
    size_t errors; /* release/resize with a size or pointer that does not
                      match the block: counted here */
} test_alloc;

/** Zero every counter, disable failures and point ta->alloc at ta. */
void test_alloc_init(test_alloc *ta);

/** Fail the nth request from now (n == 0: never); resets ta->calls. */
void test_alloc_fail_at(test_alloc *ta, size_t n, bool fail_all);

#endif /* ECS_TEST_ALLOC_H */
