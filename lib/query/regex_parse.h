/*
 * The regular-expression parser's tree, shared by the parser
 * (regex_parse.c) and the code generator (regex.c): nodes in one growable
 * array, linked by index.
 */
#ifndef ECS_QUERY_REGEX_PARSE_H
#define ECS_QUERY_REGEX_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/regex_internal.h"

enum { N_EMPTY, N_CHAR, N_CLASS, N_ANY, N_BOL, N_EOL, N_CAT, N_ALT, N_REP };

#define REP_INF UINT16_MAX
#define NO_NODE UINT32_MAX

typedef struct rx_node {
    uint8_t kind;
    uint8_t c;
    uint16_t min, max; /* N_REP; max is REP_INF when unbounded */
    uint32_t child;    /* N_CAT, N_ALT: first child; N_REP: the repeated node; N_CLASS: set */
    uint32_t next;     /* next sibling inside an N_CAT or N_ALT */
} rx_node;

typedef struct rx_set {
    uint32_t w[8];
} rx_set;

typedef struct rx_parser {
    ecs_ctx *ctx;
    const char *in;  /* the whole input; the pattern ends at in[end] */
    size_t end, pos; /* pos: next byte to read */
    const char *prefix;
    unsigned depth;
    rx_node *nodes;
    size_t nnodes, nodes_cap;
    rx_set *sets;
    size_t nsets, sets_cap;
} rx_parser;

/* Record a failure at input offset `at`, the message after p->prefix. */
ecs_status ecs_regex__fail(rx_parser *p, ecs_status st, size_t at, const char *fmt, ...)
    ECS_PRINTF(4, 5);

/* Parse the whole pattern in[pos, end) into p->nodes; *out: the root. */
ecs_status ecs_regex__parse(rx_parser *p, uint32_t *out);

#endif /* ECS_QUERY_REGEX_PARSE_H */
