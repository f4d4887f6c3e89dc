/*
 * The lexer of the query language. What a token is depends on where the
 * parser stands, so the parser calls these readers by position: names
 * (subjects and keywords) are runs of name characters (letters, digits and
 * _ . : @ / \ -); operators are symbols or words; values are quoted or
 * bare. A bare value runs to whitespace, or to a ',' ')' or ']' that does
 * not close a bracket opened inside the value, so regular expressions such
 * as t2.(micro|small) and [a-z]+ need no quotes. A quoted value runs to the
 * next identical quote; there are no escapes, so a value always is a piece
 * of the expression and its positions (regex errors included) are
 * positions in the expression.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "query/query_lex.h"

static const q_name k_op_words[] = {
    { "equals", 6, QO_EQ },
    { "not_equals", 10, QO_NE },
    { "greater_than", 12, QO_GT },
    { "greater_than_equal", 18, QO_GE },
    { "less_than", 9, QO_LT },
    { "less_than_equal", 15, QO_LE },
    { "matches", 7, QO_MATCH },
    { "not_matches", 11, QO_NMATCH },
    { "exists", 6, QO_EXISTS },
    { "not_exists", 10, QO_NEXISTS },
    { "in", 2, QO_IN },
    { "not_in", 6, QO_NIN },
};

ecs_status ecs_query__fail(q_parser *p, ecs_status st, size_t at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    return ecs_ctx__fail_at(p->ctx, st, p->s, at, "%s", msg);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '@' || c == '/' || c == '\\' || c == '-';
}

static bool is_op_char(char c)
{
    return c == '=' || c == '!' || c == '<' || c == '>' || c == '~' || c == '&' || c == '|';
}

void ecs_query__skip_ws(q_parser *p)
{
    while (p->pos < p->len && is_ws(p->s[p->pos]))
        p->pos++;
}

size_t ecs_query__name_run(const q_parser *p, size_t at)
{
    size_t i = at;
    while (i < p->len && is_name_char(p->s[i]))
        i++;
    return i - at;
}

bool ecs_query__word_at(const q_parser *p, size_t at, size_t run, const char *w, size_t wlen)
{
    return run == wlen && memcmp(p->s + at, w, wlen) == 0;
}

/* What stands at `at`, for "found ..." in messages: a name, a run of
 * operator characters or one character, quoted; or the end. */
static void describe(const q_parser *p, size_t at, char *buf, size_t cap)
{
    size_t n;

    if (at >= p->len) {
        snprintf(buf, cap, "end of expression");
        return;
    }
    n = ecs_query__name_run(p, at);
    if (n == 0 && is_op_char(p->s[at])) {
        while (at + n < p->len && is_op_char(p->s[at + n]))
            n++;
    } else if (n == 0) {
        n = 1; /* one character: a whole UTF-8 sequence */
        while (at + n < p->len && ((unsigned char)p->s[at + n] & 0xC0u) == 0x80u)
            n++;
    }
    snprintf(buf, cap, "'%.*s%s'", ecs_query__show_len(n), p->s + at, ecs_query__show_more(n));
}

ecs_status ecs_query__fail_expected(q_parser *p, size_t at, const char *what)
{
    char found[64];
    describe(p, at, found, sizeof found);
    return ecs_query__fail(p, ECS_E_PARSE, at, "expected %s, found %s", what, found);
}

/* The operator at p->pos; false when there is none. */
bool ecs_query__lex_op(const q_parser *p, uint8_t *op, size_t *n)
{
    const char *s = p->s + p->pos;
    size_t rest = p->len - p->pos, run, i;
    char c1;

    if (rest == 0)
        return false;
    c1 = rest > 1 ? s[1] : '\0';
    if (is_name_char(s[0])) {
        run = ecs_query__name_run(p, p->pos);
        for (i = 0; i < sizeof k_op_words / sizeof k_op_words[0]; i++) {
            if (ecs_query__word_at(p, p->pos, run, k_op_words[i].text, k_op_words[i].len)) {
                *op = k_op_words[i].value;
                *n = run;
                return true;
            }
        }
        return false;
    }
    *n = 2;
    switch (s[0]) {
    case '=':
        *op = c1 == '=' ? QO_EQ : QO_MATCH;
        return c1 == '=' || c1 == '~';
    case '!':
        if (c1 == '=' || c1 == '~') {
            *op = c1 == '=' ? QO_NE : QO_NMATCH;
            return true;
        }
        run = ecs_query__name_run(p, p->pos + 1);
        *n = run + 1;
        *op = run == 2 ? QO_NIN : QO_NEXISTS;
        return ecs_query__word_at(p, p->pos + 1, run, "in", 2) ||
               ecs_query__word_at(p, p->pos + 1, run, "exists", 6);
    case '>':
    case '<':
        *n = c1 == '=' ? 2 : 1;
        *op = s[0] == '>' ? (c1 == '=' ? QO_GE : QO_GT) : (c1 == '=' ? QO_LE : QO_LT);
        return true;
    default:
        return false;
    }
}

/*
 * A value at p->pos. `what` says where it stands ("after '=='") for
 * messages. *out_at: offset of its first character (after the quote).
 */
ecs_status ecs_query__lex_value(q_parser *p, const char *what, q_value *out, size_t *out_at)
{
    const char *s = p->s;
    size_t at, i;
    unsigned depth = 0;

    ecs_query__skip_ws(p);
    at = p->pos;
    if (at < p->len && (s[at] == '\'' || s[at] == '"')) {
        const char *close = memchr(s + at + 1, s[at], p->len - at - 1);
        if (close == NULL)
            return ecs_query__fail(p, ECS_E_PARSE, at, "unterminated quoted value (no closing %c)",
                                   s[at]);
        out->p = s + at + 1;
        out->len = (size_t)(close - out->p);
        *out_at = at + 1;
        p->pos = (size_t)(close - s) + 1;
        return ECS_OK;
    }
    for (i = at; i < p->len; i++) {
        char c = s[i];
        if (is_ws(c) || (c == ',' && depth == 0))
            break;
        if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth > 0)
                depth--;
            else if (c != '}')
                break;
        }
    }
    if (i == at) {
        char found[64];
        describe(p, at, found, sizeof found);
        return ecs_query__fail(p, ECS_E_PARSE, at, "expected a value %s, found %s", what, found);
    }
    out->p = s + at;
    out->len = i - at;
    *out_at = at;
    p->pos = i;
    return ECS_OK;
}
