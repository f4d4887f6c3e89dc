/*
 * Inside the query module: the compiled form shared by the compiler
 * (query_parse.c), the evaluator (query.c) and the literal readers
 * (query_value.c).
 *
 * A compiled expression is an array of comparisons ("leaves") in source
 * order. Each leaf names the leaf to evaluate next when it is true and when
 * it is false, or Q_ACCEPT / Q_REJECT; jumps only go forward. So `and`,
 * `or` and `not` cost nothing at evaluation time, evaluation
 * short-circuits, and it needs neither a stack nor memory.
 */
#ifndef ECS_QUERY_INTERNAL_H
#define ECS_QUERY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/query.h"
#include "query/regex.h"

/* Deepest nesting of parentheses (ECS_E_LIMIT beyond). */
#define ECS_QUERY_MAX_DEPTH 100
/* Most components of an agentVersion literal (1.14.5 has 3). */
#define ECS_QUERY_MAX_VERSION_PARTS 8

#define Q_NONE UINT32_MAX          /* end of a patch list while compiling */
#define Q_ACCEPT (UINT32_MAX - 1u) /* the expression is true */
#define Q_REJECT (UINT32_MAX - 2u) /* the expression is false */

typedef enum q_subject {
    QS_AGENT_CONNECTED,
    QS_AGENT_VERSION,
    QS_ATTRIBUTE,
    QS_EC2_INSTANCE_ID,
    QS_REGISTERED_AT,
    QS_RUNNING_TASKS_COUNT,
    QS_TASK_GROUP
} q_subject;

typedef enum q_op {
    QO_EQ,
    QO_NE,
    QO_GT,
    QO_GE,
    QO_LT,
    QO_LE,
    QO_MATCH,
    QO_NMATCH,
    QO_EXISTS,
    QO_NEXISTS,
    QO_IN,
    QO_NIN
} q_op;

typedef struct q_value {
    const char *p; /* into ecs_query.text */
    size_t len;
} q_value;

/* A decimal number [+-]digits[.digits], without leading zeros in the
 * integer part or trailing zeros in the fraction (zero is never negative). */
typedef struct q_decimal {
    bool neg;
    const char *ip, *fp;
    size_t il, fl;
} q_decimal;

typedef struct q_leaf {
    uint8_t subject;   /* q_subject */
    uint8_t op;        /* q_op */
    uint8_t bool_mask; /* agentConnected: bit 0 accepts false, bit 1 accepts true */
    bool numeric;      /* attribute ordering: the literal is a decimal number */
    uint32_t on_true, on_false;
    const char *name; /* attribute name, into ecs_query.text */
    size_t name_len;
    q_value lit;                     /* the literal value */
    q_decimal dec;                   /* the literal as a number, when numeric */
    uint32_t list_first, list_count; /* in and !in: ecs_query.values[first..] */
    ecs_regex *re;                   /* =~ and !~ (not for agentConnected) */
    uint64_t num;                    /* runningTasksCount */
    int64_t time_unit_ms;            /* registeredAt: precision of the literal */
    int64_t time_units;              /* registeredAt: the literal in those units */
    uint32_t nver;                   /* agentVersion */
    uint32_t ver[ECS_QUERY_MAX_VERSION_PARTS];
} q_leaf;

struct ecs_query {
    q_leaf *leaves;
    size_t nleaves, leaves_cap;
    q_value *values;
    size_t nvalues, values_cap;
    char *text; /* a copy of the expression; names and values point into it */
    size_t text_len;
    bool depends_on_tasks;
};

/* query_value.c: literals. Each returns false when s is not of the form. */

/* A whole number of at most 19 digits. */
bool ecs_query__parse_uint(const char *s, size_t len, uint64_t *out);
/* A registeredAt literal: 2018-06-18, 2018-06-18T22:28:28, optionally with
 * a fraction .123 and a zone Z, +00:00 or +0000. *out_ms is milliseconds
 * since the epoch (UTC when no zone is given); *out_unit_ms the precision
 * written (a day, a second or a millisecond). */
bool ecs_query__parse_time(const char *s, size_t len, int64_t *out_ms, int64_t *out_unit_ms);
/* A version literal N(.N)* of at most ECS_QUERY_MAX_VERSION_PARTS parts. */
bool ecs_query__parse_version(const char *s, size_t len, uint32_t *parts, uint32_t *out_n);
/* Compare an instance's version string (its leading N(.N)*; anything after
 * is ignored, missing parts count as 0) with parsed parts: *out is <0, 0
 * or >0. False when the string does not start with a digit. */
bool ecs_query__version_cmp(const char *s, size_t len, const uint32_t *parts, uint32_t n, int *out);
bool ecs_query__parse_decimal(const char *s, size_t len, q_decimal *out);
int ecs_query__decimal_cmp(const q_decimal *a, const q_decimal *b);
/* Floor division for b > 0. */
int64_t ecs_query__floor_div(int64_t a, int64_t b);

#endif /* ECS_QUERY_INTERNAL_H */
