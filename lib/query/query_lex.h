/*
 * The query language's lexer (query_lex.c), used by the parser
 * (query_parse.c): the parser state and the token readers, which read at
 * p->pos and report errors with positions in the expression.
 */
#ifndef ECS_QUERY_LEX_H
#define ECS_QUERY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/query_internal.h"

typedef struct q_parser {
    ecs_ctx *ctx;
    ecs_query *q;
    const char *s; /* the query's copy of the expression */
    size_t len, pos;
    unsigned depth;
} q_parser;

/* A keyword and the enum value it stands for. */
typedef struct q_name {
    const char *text;
    uint8_t len;
    uint8_t value;
} q_name;

/* At most this many bytes of a name or value are quoted in messages. */
#define ECS_QUERY_SHOW_MAX 40

/* For "'%.*s%s'": the length to print and the ellipsis after it. */
static inline int ecs_query__show_len(size_t n)
{
    return (int)(n > ECS_QUERY_SHOW_MAX ? ECS_QUERY_SHOW_MAX : n);
}

static inline const char *ecs_query__show_more(size_t n)
{
    return n > ECS_QUERY_SHOW_MAX ? "..." : "";
}

/* Record a parse failure at byte `at`; returns st. */
ecs_status ecs_query__fail(q_parser *p, ecs_status st, size_t at, const char *fmt, ...)
    ECS_PRINTF(4, 5);
/* "expected <what>, found <what stands at `at`>". */
ecs_status ecs_query__fail_expected(q_parser *p, size_t at, const char *what);

void ecs_query__skip_ws(q_parser *p);
/* Length of the run of name characters at `at`. */
size_t ecs_query__name_run(const q_parser *p, size_t at);
/* Is the run of `run` bytes at `at` the word w? */
bool ecs_query__word_at(const q_parser *p, size_t at, size_t run, const char *w, size_t wlen);
/* The operator at p->pos (q_op in *op, its length in *n); false if none. */
bool ecs_query__lex_op(const q_parser *p, uint8_t *op, size_t *n);
/* The value at p->pos (after whitespace); `what` says where it stands
 * ("after '=='") for messages. *out_at: offset of its first character
 * (after the quote). */
ecs_status ecs_query__lex_value(q_parser *p, const char *what, q_value *out, size_t *out_at);

#endif /* ECS_QUERY_LEX_H */
