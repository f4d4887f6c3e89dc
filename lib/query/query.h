/*
 * The ECS cluster query language (spec section 3): expressions such as
 *   attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d
 * compiled once into a small program and evaluated against container
 * instances many times. Used by memberOf placement constraints and by
 * ListContainerInstances' filter. Knows no ECS noun beyond the subjects of
 * the language: an instance is seen only through ecs_query_subject.
 */
#ifndef ECS_QUERY_H
#define ECS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ctx_internal.h"

/* Longest expression accepted (ECS's limit). */
#define ECS_QUERY_MAX_EXPR 2000

typedef struct ecs_query ecs_query;

/*
 * What the evaluator may ask of one container instance. Strings are
 * pointer + length and need not be NUL-terminated. The callbacks receive
 * `inst` back unchanged.
 */
typedef struct ecs_query_subject {
    const void *inst;
    const char *ec2_instance_id;
    size_t ec2_instance_id_len;
    const char *agent_version;      /* NULL when unknown: the subject is missing */
    size_t agent_version_len;
    int64_t registered_at_ms;
    uint32_t running_tasks_count;
    bool agent_connected;
    /* Value of attribute `name`: true and *value, *value_len set when the
     * instance has it (a value-less attribute gives *value_len 0). */
    bool (*attribute)(const void *inst, const char *name, size_t name_len, const char **value,
                      size_t *value_len);
    /* Task groups of the tasks on the instance (distinct), i = 0..count-1. */
    size_t (*group_count)(const void *inst);
    const char *(*group_at)(const void *inst, size_t i, size_t *len);
} ecs_query_subject;

/*
 * Compile an expression. On a syntax error returns ECS_E_PARSE with the
 * context's message naming the position (ecs_ctx_errpos: byte offset,
 * column) and what was expected there, for example
 *   "column 24: expected a value after '==', found end of expression".
 * ECS_E_LIMIT for an expression longer than ECS_QUERY_MAX_EXPR or a regular
 * expression beyond the engine's size limit; ECS_E_NOMEM. *out untouched
 * on failure.
 */
ecs_status ecs_query__compile(ecs_ctx *ctx, const char *expr, size_t len, ecs_query **out);
void ecs_query__free(ecs_ctx *ctx, ecs_query *q);

/* Does the instance satisfy the expression? Never allocates, never fails.
 * Regex operators use match state kept inside the compiled query, so one
 * query must not be evaluated from two threads at once. */
bool ecs_query__eval(const ecs_query *q, const ecs_query_subject *s);

/* True when the expression's result can change as tasks come and go on an
 * instance (it mentions task:group or runningTasksCount); false means the
 * result depends only on the instance's own properties and attributes, so
 * a caller may cache it per instance until those change. */
bool ecs_query__depends_on_tasks(const ecs_query *q);

#endif /* ECS_QUERY_H */
