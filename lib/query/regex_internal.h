/*
 * Inside the regular-expression engine: the compiled program shared by the
 * compiler (regex.c) and the matcher (regex_match.c), and the entry point
 * the query compiler uses to compile a pattern that sits inside a larger
 * input, so that errors name positions in that input.
 */
#ifndef ECS_QUERY_REGEX_INTERNAL_H
#define ECS_QUERY_REGEX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "query/regex.h"

/* Deepest nesting of groups a pattern may have (ECS_E_LIMIT beyond). */
#define ECS_REGEX_MAX_DEPTH 100
/* Largest count in {m}, {m,} and {m,n} (ECS_E_LIMIT beyond). */
#define ECS_REGEX_MAX_COUNT 100

typedef enum rx_op {
    RX_CHAR,  /* consume the byte c */
    RX_CLASS, /* consume a byte in class x */
    RX_ANY,   /* consume any byte */
    RX_SPLIT, /* continue at x and at y */
    RX_JMP,   /* continue at x */
    RX_BOL,   /* continue only at the start of the subject */
    RX_EOL,   /* continue only at the end of the subject */
    RX_MATCH  /* accept (when the whole subject has been consumed) */
} rx_op;

typedef struct rx_inst {
    uint8_t op; /* rx_op */
    uint8_t c;
    uint16_t x, y;
} rx_inst;

/* One block from the allocator holds the struct and every array after it,
 * in order of decreasing alignment. */
struct ecs_regex {
    size_t block_size;
    size_t n; /* instructions, the final RX_MATCH included */
    size_t nclasses;
    size_t gen; /* generation of the marks (see regex_match.c) */
    size_t last_steps;
    size_t *mark;      /* [n] generation in which an instruction was queued */
    uint32_t *classes; /* [nclasses * 8] 256-bit byte sets */
    rx_inst *prog;     /* [n] */
    uint16_t *clist;   /* [n] threads at the current position */
    uint16_t *nlist;   /* [n] threads at the next position */
    uint16_t *stack;   /* [n] work stack of the epsilon closure */
};

_Static_assert(ECS_REGEX_MAX_PROGRAM < UINT16_MAX, "instruction indexes fit in 16 bits");

/*
 * Compile input[start, start + len). Error positions are byte offsets in
 * `input`, and every error message starts with `prefix` (may be "").
 * Otherwise as ecs_regex__compile().
 */
ecs_status ecs_regex__compile_in(ecs_ctx *ctx, const char *input, size_t start, size_t len,
                                 const char *prefix, ecs_regex **out);

/* Instructions in the compiled program (the bound on steps per position). */
size_t ecs_regex__program_size(const ecs_regex *re);

#endif /* ECS_QUERY_REGEX_INTERNAL_H */
