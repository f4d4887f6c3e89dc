/*
 * The matcher of the regular-expression engine: a Thompson-NFA simulation.
 * The set of live threads (instruction indexes) advances one subject byte
 * at a time; the epsilon closure (split, jmp, anchors) is followed with an
 * explicit stack, and each instruction is queued at most once per position
 * because it carries the generation in which it was last queued. So a match
 * visits at most (length + 1) x program-size instructions, whatever the
 * pattern, and uses only the lists preallocated in the compiled regex. No
 * captures and no priorities are tracked: a whole-subject match only asks
 * whether any thread reaches the match instruction at the end.
 */
#include <string.h>

#include "query/regex_internal.h"

typedef struct rx_run {
    ecs_regex *re;
    size_t len;   /* subject length, for the end anchor */
    size_t steps; /* instructions visited */
} rx_run;

/* Queue pc unless it is already queued at this position. */
static void push(ecs_regex *re, size_t *sp, uint16_t pc)
{
    if (re->mark[pc] != re->gen) {
        re->mark[pc] = re->gen;
        re->stack[(*sp)++] = pc;
    }
}

/* Add pc and everything reachable from it without consuming a byte to
 * list; `at` is the position the threads stand at. */
static void add_closure(rx_run *run, uint16_t *list, size_t *count, uint16_t pc, size_t at)
{
    ecs_regex *re = run->re;
    size_t sp = 0;

    push(re, &sp, pc);
    while (sp > 0) {
        const rx_inst *in;

        pc = re->stack[--sp];
        in = &re->prog[pc];
        run->steps++;
        switch ((rx_op)in->op) {
        case RX_JMP:
            push(re, &sp, in->x);
            break;
        case RX_SPLIT:
            push(re, &sp, in->y);
            push(re, &sp, in->x);
            break;
        case RX_BOL:
            if (at == 0)
                push(re, &sp, (uint16_t)(pc + 1u));
            break;
        case RX_EOL:
            if (at == run->len)
                push(re, &sp, (uint16_t)(pc + 1u));
            break;
        case RX_CHAR:
        case RX_CLASS:
        case RX_ANY:
        case RX_MATCH:
            list[(*count)++] = pc;
            break;
        }
    }
}

static bool consumes(const ecs_regex *re, const rx_inst *in, unsigned char c)
{
    switch ((rx_op)in->op) {
    case RX_CHAR:
        return in->c == c;
    case RX_CLASS:
        return ((re->classes[(size_t)in->x * 8u + (c >> 5)] >> (c & 31u)) & 1u) != 0;
    case RX_ANY:
        return true;
    case RX_SPLIT:
    case RX_JMP:
    case RX_BOL:
    case RX_EOL:
    case RX_MATCH:
        return false;
    }
    return false;
}

bool ecs_regex__match(ecs_regex *re, const char *s, size_t len)
{
    rx_run run;
    uint16_t *cur, *next, *tmp;
    size_t ncur = 0, nnext, i, k;
    bool matched = false;

    if (re == NULL)
        return false;
    re->last_steps = 0;
    if ((s == NULL && len > 0) || len > SIZE_MAX / 2)
        return false;
    /* One generation per position; restart the marks before they wrap. */
    if (re->gen > SIZE_MAX - 2u - len) {
        memset(re->mark, 0, re->n * sizeof *re->mark);
        re->gen = 0;
    }
    run.re = re;
    run.len = len;
    run.steps = 0;
    cur = re->clist;
    next = re->nlist;

    re->gen++;
    add_closure(&run, cur, &ncur, 0, 0);
    for (i = 0; i < len && ncur > 0; i++) {
        unsigned char c = (unsigned char)s[i];

        re->gen++;
        nnext = 0;
        for (k = 0; k < ncur; k++) {
            if (consumes(re, &re->prog[cur[k]], c))
                add_closure(&run, next, &nnext, (uint16_t)(cur[k] + 1u), i + 1u);
        }
        tmp = cur;
        cur = next;
        next = tmp;
        ncur = nnext;
    }
    if (i == len) {
        for (k = 0; k < ncur && !matched; k++)
            matched = re->prog[cur[k]].op == RX_MATCH;
    }
    re->last_steps = run.steps;
    return matched;
}
