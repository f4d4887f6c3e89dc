/*
 * The code generator of the regular-expression engine. The parser
 * (regex_parse.c) gives a tree; its program size is computed with
 * saturating arithmetic, so counted repetitions cannot overflow it and an
 * oversized program is refused before anything is emitted; then the tree
 * is emitted as a Thompson-NFA program (char, class, any, split, jmp, the
 * two anchors, match) into one block that also holds the matcher's thread
 * lists and marks, so that matching (regex_match.c) never allocates.
 */
#include <string.h>

#include "query/regex_parse.h"
#include "util/ckd.h"
#include "util/str.h"

#define NO_INST UINT16_MAX
/* Any program size above the limit is as good as any other. */
#define SIZE_CAP ((size_t)ECS_REGEX_MAX_PROGRAM + 1u)

static size_t sat_add(size_t a, size_t b)
{
    return a + b > SIZE_CAP ? SIZE_CAP : a + b;
}

static size_t sat_mul(size_t a, size_t b)
{
    return (a != 0 && b > SIZE_CAP / a) ? SIZE_CAP : (a * b > SIZE_CAP ? SIZE_CAP : a * b);
}

/* Instructions the node emits, at most SIZE_CAP. */
static size_t node_size(const rx_parser *p, uint32_t i)
{
    const rx_node *n = &p->nodes[i];
    size_t s = 0, k = 0;
    uint32_t c;

    switch (n->kind) {
    case N_EMPTY:
        return 0;
    case N_CAT:
    case N_ALT:
        for (c = n->child; c != NO_NODE; c = p->nodes[c].next, k++)
            s = sat_add(s, node_size(p, c));
        return n->kind == N_ALT ? sat_add(s, sat_mul(2, k - 1u)) : s;
    case N_REP:
        s = node_size(p, n->child);
        if (n->max == REP_INF)
            return n->min == 0 ? sat_add(s, 2) : sat_add(sat_mul(n->min, s), 1);
        return sat_add(sat_mul(n->min, s), sat_mul((size_t)(n->max - n->min), sat_add(s, 1)));
    default:
        return 1;
    }
}

typedef struct rx_emitter {
    rx_inst *prog;
    size_t n;
} rx_emitter;

static uint16_t put(rx_emitter *e, rx_op op, uint8_t c, uint16_t x)
{
    uint16_t at = (uint16_t)e->n++;
    e->prog[at].op = (uint8_t)op;
    e->prog[at].c = c;
    e->prog[at].x = x;
    e->prog[at].y = 0;
    return at;
}

static uint16_t here(const rx_emitter *e)
{
    return (uint16_t)e->n;
}

/* Point the y of every instruction on a chain (linked through y) at the
 * current end. */
static void patch_y(rx_emitter *e, uint16_t chain)
{
    while (chain != NO_INST) {
        uint16_t next = e->prog[chain].y;
        e->prog[chain].y = here(e);
        chain = next;
    }
}

static void emit(const rx_parser *p, rx_emitter *e, uint32_t i)
{
    const rx_node *n = &p->nodes[i];
    uint16_t at, jmp, chain = NO_INST;
    uint32_t c;
    unsigned k;

    switch (n->kind) {
    case N_EMPTY:
        return;
    case N_CHAR:
        put(e, RX_CHAR, n->c, 0);
        return;
    case N_CLASS:
        put(e, RX_CLASS, 0, (uint16_t)n->child);
        return;
    case N_ANY:
        put(e, RX_ANY, 0, 0);
        return;
    case N_BOL:
        put(e, RX_BOL, 0, 0);
        return;
    case N_EOL:
        put(e, RX_EOL, 0, 0);
        return;
    case N_CAT:
        for (c = n->child; c != NO_NODE; c = p->nodes[c].next)
            emit(p, e, c);
        return;
    case N_ALT:
        /* split L1, L2; L1: branch; jmp end; L2: split ... ; last branch; end: */
        for (c = n->child; c != NO_NODE; c = p->nodes[c].next) {
            if (p->nodes[c].next == NO_NODE) {
                emit(p, e, c);
                break;
            }
            at = put(e, RX_SPLIT, 0, 0);
            e->prog[at].x = here(e);
            emit(p, e, c);
            jmp = put(e, RX_JMP, 0, 0); /* x is patched below; y links the chain */
            e->prog[jmp].y = chain;
            chain = jmp;
            e->prog[at].y = here(e);
        }
        while (chain != NO_INST) {
            uint16_t next = e->prog[chain].y;
            e->prog[chain].x = here(e);
            e->prog[chain].y = 0;
            chain = next;
        }
        return;
    case N_REP:
        if (n->max == REP_INF && n->min > 0) {
            /* min - 1 copies, then L: x; split L, next */
            for (k = 1; k < n->min; k++)
                emit(p, e, n->child);
            at = here(e);
            emit(p, e, n->child);
            jmp = put(e, RX_SPLIT, 0, at); /* back to L, or on */
            e->prog[jmp].y = here(e);
        } else if (n->max == REP_INF) {
            /* L: split L1, end; L1: x; jmp L; end: */
            at = put(e, RX_SPLIT, 0, 0);
            e->prog[at].x = here(e);
            emit(p, e, n->child);
            put(e, RX_JMP, 0, at);
            e->prog[at].y = here(e);
        } else {
            /* min copies, then (max - min) times: split L, end; L: x */
            for (k = 0; k < n->min; k++)
                emit(p, e, n->child);
            for (; k < n->max; k++) {
                at = put(e, RX_SPLIT, 0, 0);
                e->prog[at].x = here(e);
                e->prog[at].y = chain;
                chain = at;
                emit(p, e, n->child);
            }
            patch_y(e, chain);
        }
        return;
    default:
        return;
    }
}

/* Lay out the block: the struct, then arrays in order of decreasing
 * alignment (see struct ecs_regex). */
static ecs_status build(rx_parser *p, uint32_t root, size_t n, ecs_regex **out)
{
    size_t bytes = sizeof(struct ecs_regex), part;
    unsigned char *mem;
    ecs_regex *re;
    rx_emitter e;

    if (!ecs_ckd_mul_size(&part, p->nsets, sizeof *p->sets) ||
        !ecs_ckd_add_size(&bytes, bytes, part) ||
        !ecs_ckd_add_size(&bytes, bytes,
                          n * (sizeof(size_t) + sizeof(rx_inst) + 3u * sizeof(uint16_t))))
        return ecs_regex__fail(p, ECS_E_LIMIT, p->pos, "pattern too large");
    mem = ecs_ctx__alloc(p->ctx, bytes);
    if (mem == NULL)
        return ECS_E_NOMEM;
    re = (ecs_regex *)(void *)mem;
    memset(re, 0, sizeof *re);
    re->block_size = bytes;
    re->n = n;
    re->nclasses = p->nsets;
    mem += sizeof *re;
    re->mark = (size_t *)(void *)mem;
    memset(re->mark, 0, n * sizeof *re->mark);
    mem += n * sizeof *re->mark;
    re->classes = (uint32_t *)(void *)mem;
    if (part > 0)
        memcpy(re->classes, p->sets, part);
    mem += part;
    re->prog = (rx_inst *)(void *)mem;
    mem += n * sizeof *re->prog;
    re->clist = (uint16_t *)(void *)mem;
    re->nlist = re->clist + n;
    re->stack = re->nlist + n;

    e.prog = re->prog;
    e.n = 0;
    emit(p, &e, root);
    put(&e, RX_MATCH, 0, 0);
    *out = re;
    return ECS_OK;
}

ecs_status ecs_regex__compile_in(ecs_ctx *ctx, const char *input, size_t start, size_t len,
                                 const char *prefix, ecs_regex **out)
{
    rx_parser p;
    uint32_t root = NO_NODE;
    size_t n;
    ecs_status rc;

    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || (input == NULL && len > 0))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "regex: no output or no pattern");
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.in = input;
    p.pos = start;
    p.end = start + len;
    p.prefix = prefix != NULL ? prefix : "";
    rc = ecs_regex__parse(&p, &root);
    if (rc == ECS_OK) {
        n = node_size(&p, root);
        if (n >= ECS_REGEX_MAX_PROGRAM) /* the final match makes it one more */
            rc = ecs_regex__fail(
                &p, ECS_E_LIMIT, start,
                "the pattern needs more than %d instructions (counted repetitions expand)",
                ECS_REGEX_MAX_PROGRAM);
        else
            rc = build(&p, root, n + 1u, out);
    }
    ecs_vec__free(ctx, p.nodes, p.nodes_cap, sizeof *p.nodes);
    ecs_vec__free(ctx, p.sets, p.sets_cap, sizeof *p.sets);
    return rc;
}

ecs_status ecs_regex__compile(ecs_ctx *ctx, const char *pattern, size_t len, ecs_regex **out)
{
    return ecs_regex__compile_in(ctx, pattern, 0, len, "", out);
}

void ecs_regex__free(ecs_ctx *ctx, ecs_regex *re)
{
    if (ctx != NULL && re != NULL)
        ecs_ctx__release(ctx, re, re->block_size);
}

size_t ecs_regex__program_size(const ecs_regex *re)
{
    return re != NULL ? re->n : 0;
}

size_t ecs_regex__last_steps(const ecs_regex *re)
{
    return re != NULL ? re->last_steps : 0;
}
