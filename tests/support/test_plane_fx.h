/*
 * The fixture the control-plane tests share (cmocka): a plane with seed
 * 42 on a counting, failing allocator (f->ta), and helpers:
 *   call()    run an action; the parsed answer (or error document) is f->doc
 *   ok()      call() and fail the test unless it succeeded
 *   fails()   call() and fail the test unless it failed with this ECS code,
 *             a message mentioning `needle`, and a byte-identical
 *             ecs_plane_dump (the all-or-nothing rule)
 *   at(), str_at(), int_at(), len_at()
 *             read the last answer at a path such as "tasks.0.group"
 *             (numbers index arrays)
 * setup/teardown are cmocka fixtures; teardown checks nothing leaked.
 */
#ifndef ECS_TEST_PLANE_FX_H
#define ECS_TEST_PLANE_FX_H

#include <stddef.h>
#include <stdint.h>

#include "ecs/ecs.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc ta;
    ecs_ctx *ctx;
    ecs_plane *pl;
    ecs_json_doc *doc; /* last response, parsed */
    char req[16384];   /* for tests that build requests */
} fx;

int setup(void **state);
int teardown(void **state);
ecs_status call(fx *f, const char *action, const char *req);
void ok(fx *f, const char *action, const char *req);
void fails(fx *f, const char *action, const char *req, const char *code, const char *needle);
const ecs_json_val *at(fx *f, const char *path);
const char *str_at(fx *f, const char *path);
int64_t int_at(fx *f, const char *path);
size_t len_at(fx *f, const char *path);

#endif /* ECS_TEST_PLANE_FX_H */
