/*
 * The regular-expression parser: recursive descent over the pattern
 * (alternation, sequence, repetition, atom), building the tree of
 * regex_parse.h. Groups nest at most ECS_REGEX_MAX_DEPTH deep, so the
 * recursion is bounded whatever the input. Classes become 256-bit byte
 * sets; \d \w \s and their negations are sets too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "query/regex_parse.h"
#include "util/str.h"

/* A class member: a single byte or a set (from \d, \w, \s and friends). */
typedef struct rx_item {
    bool is_set;
    unsigned char c;
    rx_set set;
} rx_item;

ecs_status ecs_regex__fail(rx_parser *p, ecs_status st, size_t at, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    return ecs_ctx__fail_at(p->ctx, st, p->in, at, "%s%s", p->prefix, msg);
}

static bool at_end(const rx_parser *p)
{
    return p->pos >= p->end;
}

static unsigned char peek(const rx_parser *p)
{
    return (unsigned char)p->in[p->pos];
}

static bool is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void set_add(rx_set *s, unsigned c)
{
    s->w[c >> 5] |= UINT32_C(1) << (c & 31u);
}

static void set_range(rx_set *s, unsigned lo, unsigned hi)
{
    unsigned c;
    for (c = lo; c <= hi; c++)
        set_add(s, c);
}

static void set_union(rx_set *s, const rx_set *t)
{
    size_t i;
    for (i = 0; i < 8; i++)
        s->w[i] |= t->w[i];
}

static void set_invert(rx_set *s)
{
    size_t i;
    for (i = 0; i < 8; i++)
        s->w[i] = ~s->w[i];
}

/* The sets of \d \D \w \W \s \S; false for any other letter. */
static bool escape_set(unsigned char e, rx_set *s)
{
    memset(s, 0, sizeof *s);
    switch (e) {
    case 'd':
    case 'D':
        set_range(s, '0', '9');
        break;
    case 'w':
    case 'W':
        set_range(s, '0', '9');
        set_range(s, 'a', 'z');
        set_range(s, 'A', 'Z');
        set_add(s, '_');
        break;
    case 's':
    case 'S':
        set_add(s, ' ');
        set_range(s, '\t', '\r'); /* \t \n \v \f \r */
        break;
    default:
        return false;
    }
    if (e == 'D' || e == 'W' || e == 'S')
        set_invert(s);
    return true;
}

static ecs_status new_node(rx_parser *p, uint8_t kind, uint32_t *out)
{
    void *items = p->nodes;
    ecs_status rc;
    rx_node *n;

    if (p->nnodes >= NO_NODE)
        return ecs_regex__fail(p, ECS_E_LIMIT, p->pos, "pattern too large");
    rc = ecs_vec__reserve(p->ctx, &items, &p->nodes_cap, sizeof *p->nodes, p->nnodes + 1);
    p->nodes = items;
    if (rc != ECS_OK)
        return rc;
    n = &p->nodes[p->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->child = NO_NODE;
    n->next = NO_NODE;
    *out = (uint32_t)p->nnodes++;
    return ECS_OK;
}

static ecs_status new_set_node(rx_parser *p, const rx_set *set, uint32_t *out)
{
    void *items = p->sets;
    ecs_status rc;

    if (p->nsets >= NO_NODE)
        return ecs_regex__fail(p, ECS_E_LIMIT, p->pos, "pattern too large");
    rc = ecs_vec__reserve(p->ctx, &items, &p->sets_cap, sizeof *p->sets, p->nsets + 1);
    p->sets = items;
    if (rc != ECS_OK)
        return rc;
    rc = new_node(p, N_CLASS, out);
    if (rc != ECS_OK)
        return rc;
    p->sets[p->nsets] = *set;
    p->nodes[*out].child = (uint32_t)p->nsets++;
    return ECS_OK;
}

/* After a backslash at p->pos: a set escape, a control-character escape or
 * an escaped punctuation character. */
static ecs_status parse_escape(rx_parser *p, rx_item *it)
{
    size_t at = p->pos;
    unsigned char e;

    memset(it, 0, sizeof *it);
    p->pos++;
    if (at_end(p))
        return ecs_regex__fail(p, ECS_E_PARSE, at, "bad escape: the pattern ends with '\\'");
    e = peek(p);
    p->pos++;
    if (escape_set(e, &it->set)) {
        it->is_set = true;
        return ECS_OK;
    }
    switch (e) {
    case 't':
        it->c = '\t';
        return ECS_OK;
    case 'n':
        it->c = '\n';
        return ECS_OK;
    case 'r':
        it->c = '\r';
        return ECS_OK;
    case 'f':
        it->c = '\f';
        return ECS_OK;
    default:
        break;
    }
    if (is_digit(e))
        return ecs_regex__fail(p, ECS_E_PARSE, at,
                               "bad escape '\\%c' (back-references are not supported)", (char)e);
    if (is_alpha(e))
        return ecs_regex__fail(p, ECS_E_PARSE, at, "bad escape '\\%c'", (char)e);
    if (e < 0x20u || e >= 0x7Fu)
        return ecs_regex__fail(p, ECS_E_PARSE, at, "bad escape: '\\' before byte 0x%02X",
                               (unsigned)e);
    it->c = e; /* escaped punctuation or space: the character itself */
    return ECS_OK;
}

/* One member of a class at p->pos (not '[', which is refused). */
static ecs_status class_item(rx_parser *p, rx_item *it)
{
    if (peek(p) == '[')
        return ecs_regex__fail(p, ECS_E_PARSE, p->pos,
                               "nested character classes are not supported (write \\[ for '[')");
    if (peek(p) == '\\')
        return parse_escape(p, it);
    memset(it, 0, sizeof *it);
    it->c = peek(p);
    p->pos++;
    return ECS_OK;
}

/* A class at p->pos, which is '['. A ']' first in the class is literal, as
 * is a '-' first or last. */
static ecs_status parse_class(rx_parser *p, uint32_t *out)
{
    size_t open = p->pos;
    bool negate = false, first = true;
    rx_set set;
    ecs_status rc;

    memset(&set, 0, sizeof set);
    p->pos++;
    if (!at_end(p) && peek(p) == '^') {
        negate = true;
        p->pos++;
    }
    for (;;) {
        rx_item lo, hi;
        size_t item_at;

        if (at_end(p))
            return ecs_regex__fail(p, ECS_E_PARSE, open, "unterminated character class");
        if (peek(p) == ']' && !first) {
            p->pos++;
            break;
        }
        first = false;
        item_at = p->pos;
        rc = class_item(p, &lo);
        if (rc != ECS_OK)
            return rc;
        if (!lo.is_set && p->pos + 1 < p->end && p->in[p->pos] == '-' && p->in[p->pos + 1] != ']') {
            p->pos++;
            rc = class_item(p, &hi);
            if (rc != ECS_OK)
                return rc;
            if (hi.is_set)
                return ecs_regex__fail(p, ECS_E_PARSE, item_at,
                                       "bad class range: a range cannot end in a class escape");
            if (lo.c > hi.c)
                return ecs_regex__fail(p, ECS_E_PARSE, item_at,
                                       "bad class range: its start is after its end");
            set_range(&set, lo.c, hi.c);
        } else if (lo.is_set) {
            set_union(&set, &lo.set);
        } else {
            set_add(&set, lo.c);
        }
    }
    if (negate)
        set_invert(&set);
    return new_set_node(p, &set, out);
}

static ecs_status parse_alt(rx_parser *p, uint32_t *out);

static ecs_status parse_group(rx_parser *p, uint32_t *out)
{
    size_t open = p->pos;
    ecs_status rc;

    p->pos++;
    if (!at_end(p) && peek(p) == '?') {
        if (p->pos + 1 < p->end && p->in[p->pos + 1] == ':')
            p->pos += 2;
        else
            return ecs_regex__fail(p, ECS_E_PARSE, open,
                                   "unsupported group construct '(?' (only '(?:' is supported)");
    }
    if (p->depth >= ECS_REGEX_MAX_DEPTH)
        return ecs_regex__fail(p, ECS_E_LIMIT, open, "groups nested more than %d deep",
                               ECS_REGEX_MAX_DEPTH);
    p->depth++;
    rc = parse_alt(p, out);
    p->depth--;
    if (rc != ECS_OK)
        return rc;
    if (at_end(p) || peek(p) != ')')
        return ecs_regex__fail(p, ECS_E_PARSE, open, "unbalanced '(' (missing ')')");
    p->pos++;
    return ECS_OK;
}

static ecs_status parse_atom(rx_parser *p, uint32_t *out)
{
    rx_item it;
    ecs_status rc;
    unsigned char c = peek(p);

    switch (c) {
    case '(':
        return parse_group(p, out);
    case '*':
    case '+':
    case '?':
    case '{':
        return ecs_regex__fail(p, ECS_E_PARSE, p->pos, "nothing to repeat before '%c'", (char)c);
    case '.':
    case '^':
    case '$':
        p->pos++;
        return new_node(p, c == '.' ? N_ANY : (c == '^' ? N_BOL : N_EOL), out);
    case '[':
        return parse_class(p, out);
    case '\\':
        rc = parse_escape(p, &it);
        if (rc != ECS_OK)
            return rc;
        if (it.is_set)
            return new_set_node(p, &it.set, out);
        c = it.c;
        break;
    default:
        p->pos++;
        break;
    }
    rc = new_node(p, N_CHAR, out);
    if (rc == ECS_OK)
        p->nodes[*out].c = c;
    return rc;
}

/* A decimal count of a {m,n} repetition at p->pos. */
static ecs_status parse_count(rx_parser *p, size_t open, uint16_t *out)
{
    unsigned v = 0;

    if (at_end(p) || !is_digit(peek(p)))
        return ecs_regex__fail(p, ECS_E_PARSE, open, "bad repetition: expected {m}, {m,} or {m,n}");
    while (!at_end(p) && is_digit(peek(p))) {
        v = v * 10u + (unsigned)(peek(p) - '0');
        if (v > ECS_REGEX_MAX_COUNT)
            return ecs_regex__fail(p, ECS_E_LIMIT, open, "repetition count above %d",
                                   ECS_REGEX_MAX_COUNT);
        p->pos++;
    }
    *out = (uint16_t)v;
    return ECS_OK;
}

static ecs_status parse_braces(rx_parser *p, uint16_t *min, uint16_t *max)
{
    size_t open = p->pos;
    ecs_status rc;

    p->pos++;
    rc = parse_count(p, open, min);
    if (rc != ECS_OK)
        return rc;
    *max = *min;
    if (!at_end(p) && peek(p) == ',') {
        p->pos++;
        *max = REP_INF;
        if (!at_end(p) && peek(p) != '}') {
            rc = parse_count(p, open, max);
            if (rc != ECS_OK)
                return rc;
        }
    }
    if (at_end(p) || peek(p) != '}')
        return ecs_regex__fail(p, ECS_E_PARSE, open, "bad repetition: expected {m}, {m,} or {m,n}");
    p->pos++;
    if (*min > *max)
        return ecs_regex__fail(p, ECS_E_PARSE, open,
                               "bad repetition {%u,%u}: the minimum exceeds the maximum",
                               (unsigned)*min, (unsigned)*max);
    return ECS_OK;
}

static bool is_quantifier(unsigned char c)
{
    return c == '*' || c == '+' || c == '?' || c == '{';
}

static ecs_status parse_repeat(rx_parser *p, uint32_t *out)
{
    uint32_t atom, rep;
    uint16_t min, max;
    ecs_status rc = parse_atom(p, &atom);

    if (rc != ECS_OK)
        return rc;
    if (at_end(p) || !is_quantifier(peek(p))) {
        *out = atom;
        return ECS_OK;
    }
    switch (peek(p)) {
    case '*':
        min = 0;
        max = REP_INF;
        p->pos++;
        break;
    case '+':
        min = 1;
        max = REP_INF;
        p->pos++;
        break;
    case '?':
        min = 0;
        max = 1;
        p->pos++;
        break;
    default:
        rc = parse_braces(p, &min, &max);
        if (rc != ECS_OK)
            return rc;
        break;
    }
    /* A lazy quantifier finds the same whole-subject matches. */
    if (!at_end(p) && peek(p) == '?')
        p->pos++;
    if (!at_end(p) && is_quantifier(peek(p)))
        return ecs_regex__fail(p, ECS_E_PARSE, p->pos, "nothing to repeat before '%c'",
                               (char)peek(p));
    rc = new_node(p, N_REP, &rep);
    if (rc != ECS_OK)
        return rc;
    p->nodes[rep].child = atom;
    p->nodes[rep].min = min;
    p->nodes[rep].max = max;
    *out = rep;
    return ECS_OK;
}

/* A sequence or an alternation: items up to end, '|' or ')' (kind N_CAT)
 * or branches separated by '|' (kind N_ALT). */
static ecs_status parse_list(rx_parser *p, uint8_t kind, uint32_t *out)
{
    uint32_t first = NO_NODE, last = NO_NODE, item, list;
    size_t count = 0;
    ecs_status rc;

    for (;;) {
        if (kind == N_CAT && (at_end(p) || peek(p) == '|' || peek(p) == ')'))
            break;
        rc = kind == N_CAT ? parse_repeat(p, &item) : parse_list(p, N_CAT, &item);
        if (rc != ECS_OK)
            return rc;
        if (last == NO_NODE)
            first = item;
        else
            p->nodes[last].next = item;
        last = item;
        count++;
        if (kind == N_ALT) {
            if (at_end(p) || peek(p) != '|')
                break;
            p->pos++;
        }
    }
    if (count == 1) {
        *out = first;
        return ECS_OK;
    }
    rc = new_node(p, count == 0 ? (uint8_t)N_EMPTY : kind, &list);
    if (rc != ECS_OK)
        return rc;
    p->nodes[list].child = first;
    *out = list;
    return ECS_OK;
}

static ecs_status parse_alt(rx_parser *p, uint32_t *out)
{
    return parse_list(p, N_ALT, out);
}

ecs_status ecs_regex__parse(rx_parser *p, uint32_t *out)
{
    ecs_status rc = parse_alt(p, out);

    if (rc == ECS_OK && !at_end(p))
        rc = ecs_regex__fail(p, ECS_E_PARSE, p->pos, "unbalanced ')'");
    return rc;
}
