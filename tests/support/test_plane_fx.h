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
 *             (numbers index arrays); pstr() with a printf-style path
 *   fmt()     a request built printf-style in f->req
 * setup/teardown are cmocka fixtures; teardown checks nothing leaked;
 * setup_sim is setup with ECS_PLANE_F_SIMULATED_AGENTS.
 */
#ifndef ECS_TEST_PLANE_FX_H
#define ECS_TEST_PLANE_FX_H

#include <stdbool.h>
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

#if defined(__GNUC__) || defined(__clang__)
#define TFMT(a, b) __attribute__((format(printf, a, b)))
#else
#define TFMT(a, b)
#endif

int setup(void **state);
int teardown(void **state);
/* setup() with ECS_PLANE_F_SIMULATED_AGENTS (the simulated agents). */
int setup_sim(void **state);
ecs_status call(fx *f, const char *action, const char *req);
void ok(fx *f, const char *action, const char *req);
void fails(fx *f, const char *action, const char *req, const char *code, const char *needle);
const ecs_json_val *at(fx *f, const char *path);
const char *str_at(fx *f, const char *path);
int64_t int_at(fx *f, const char *path);
size_t len_at(fx *f, const char *path);
/* A request built printf-style in f->req (fails the test when it does not fit). */
const char *fmt(fx *f, const char *format, ...) TFMT(2, 3);
/* str_at() with a printf-style path. */
const char *pstr(fx *f, const char *format, ...) TFMT(2, 3);


/*
 * The invariants of a plane's state, read through its public API
 * (ecs_plane_dump, ListServices, DescribeServices), as the invariant test,
 * the allocation-failure test and fuzz/fuzz_api.c check them:
 *  - no instance is over-committed, and each one's remaining CPU and memory
 *    are what it registered minus what its live tasks (lastStatus not
 *    STOPPED) reserve;
 *  - an instance's runningTasksCount counts its live tasks whose
 *    desiredStatus is RUNNING, its pendingTasksCount those whose lastStatus
 *    is PENDING; a cluster's runningTasksCount and pendingTasksCount count
 *    its tasks whose lastStatus is RUNNING and PENDING;
 *  - a service's runningCount and pendingCount count the tasks of group
 *    "service:NAME" whose lastStatus is RUNNING and PENDING;
 *  - every live task sits on an ACTIVE or DRAINING instance of its cluster,
 *    or is a Fargate task;
 *  - with a history (fx_history_new), between two checks no task's
 *    lastStatus moves backwards and no desiredStatus goes from STOPPED back
 *    to RUNNING.
 * fx_check_plane returns true when all hold; otherwise false with what is
 * wrong in why. It calls only read-only actions (the state is unchanged).
 * Allocations go through the plane's context.
 */
typedef struct fx_history fx_history;
fx_history *fx_history_new(void);
void fx_history_free(fx_history *h);
bool fx_check_plane(ecs_ctx *ctx, ecs_plane *pl, fx_history *hist, char *why, size_t cap);
/* Likewise with the plane's dump already in hand (dt, dl: ecs_plane_dump's
 * text, which must stay valid; the calls made here do not change it when
 * it is a copy). */
bool fx_check_dump(ecs_ctx *ctx, ecs_plane *pl, fx_history *hist, const char *dt, size_t dl, char *why,
                   size_t cap);
/* The rank of a task status name (PROVISIONING 0 .. STOPPED 7), -1 if none. */
int fx_status_rank(const char *s);

#endif /* ECS_TEST_PLANE_FX_H */
