/*
 * The query compiler: a recursive-descent parser (or < and < not;
 * parentheses nest at most ECS_QUERY_MAX_DEPTH deep and runs of `not` are
 * read in a loop, so recursion is bounded) over the tokens of query_lex.c.
 * It emits the comparisons of the expression in source order as leaves with
 * forward jumps (see query_internal.h). Jumps not yet known are kept on
 * patch lists threaded through the leaves' own jump fields: `and` points its
 * left side's true exits at its right side's first leaf, `or` its false
 * exits, `not` swaps the two lists, and the end points what is left at
 * accept and reject. Literals are checked and converted by subject as they
 * are read, and each pattern is compiled once.
 */
#include <stdio.h>
#include <string.h>

#include "query/query_lex.h"
#include "query/regex_internal.h"
#include "util/str.h"

/* Jumps of a compiled sub-expression still to be set: lists of slots
 * (leaf * 2 for the true exit, + 1 for the false exit) linked through the
 * slots themselves. Never empty. */
typedef struct q_exits {
    uint32_t t_head, t_tail, f_head, f_tail;
} q_exits;

#define SUBJECTS_HELP                                                                              \
    "agentConnected, agentVersion, attribute:NAME, ec2InstanceId, registeredAt, "                  \
    "runningTasksCount, task:group"

static const q_name k_subjects[] = {
    { "agentConnected", 14, QS_AGENT_CONNECTED },        { "agentVersion", 12, QS_AGENT_VERSION },
    { "ec2InstanceId", 13, QS_EC2_INSTANCE_ID },         { "registeredAt", 12, QS_REGISTERED_AT },
    { "runningTasksCount", 17, QS_RUNNING_TASKS_COUNT }, { "task:group", 10, QS_TASK_GROUP },
};

/* Indexed by q_subject. */
static const char *const k_subject_names[] = { "agentConnected", "agentVersion",
                                               "attribute:NAME", "ec2InstanceId",
                                               "registeredAt",   "runningTasksCount",
                                               "task:group" };

#define OPB(op) (1u << (op))
#define OPS_ORDER (OPB(QO_EQ) | OPB(QO_NE) | OPB(QO_GT) | OPB(QO_GE) | OPB(QO_LT) | OPB(QO_LE))
#define OPS_SET                                                                                    \
    (OPB(QO_EQ) | OPB(QO_NE) | OPB(QO_IN) | OPB(QO_NIN) | OPB(QO_MATCH) | OPB(QO_NMATCH))

/* Operators each subject accepts (spec 3.2), indexed by q_subject. */
static const uint16_t k_subject_ops[] = {
    OPS_SET,                                                /* agentConnected */
    OPS_ORDER,                                              /* agentVersion */
    OPS_ORDER | OPS_SET | OPB(QO_EXISTS) | OPB(QO_NEXISTS), /* attribute:NAME */
    OPS_SET,                                                /* ec2InstanceId */
    OPS_ORDER,                                              /* registeredAt */
    OPS_ORDER,                                              /* runningTasksCount */
    OPS_SET | OPB(QO_EXISTS) | OPB(QO_NEXISTS),             /* task:group */
};

static uint32_t *slot(q_parser *p, uint32_t s)
{
    q_leaf *l = &p->q->leaves[s >> 1];
    return (s & 1u) ? &l->on_false : &l->on_true;
}

/* Point every slot on the list at target. */
static void patch(q_parser *p, uint32_t head, uint32_t target)
{
    while (head != Q_NONE) {
        uint32_t *r = slot(p, head);
        head = *r;
        *r = target;
    }
}

static bool parse_bool(const q_value *v, uint8_t *bit)
{
    if (v->len == 4 && memcmp(v->p, "true", 4) == 0)
        *bit = 2;
    else if (v->len == 5 && memcmp(v->p, "false", 5) == 0)
        *bit = 1;
    else
        return false;
    return true;
}

static ecs_status bad_bool(q_parser *p, const q_value *v, size_t at)
{
    return ecs_query__fail(p, ECS_E_PARSE, at,
                           "agentConnected compares with true or false, found '%.*s%s'",
                           ecs_query__show_len(v->len), v->p, ecs_query__show_more(v->len));
}

static ecs_status push_value(q_parser *p, const q_value *v)
{
    void *items = p->q->values;
    ecs_status rc = ecs_vec__reserve(p->ctx, &items, &p->q->values_cap, sizeof *p->q->values,
                                     p->q->nvalues + 1);
    p->q->values = items;
    if (rc == ECS_OK)
        p->q->values[p->q->nvalues++] = *v;
    return rc;
}

/* The list of `in` and `!in`: '[' value { ',' value } ']'. */
static ecs_status parse_list(q_parser *p, q_leaf *leaf, const char *after)
{
    char what[96];
    size_t at;
    ecs_status rc;

    ecs_query__skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '[') {
        snprintf(what, sizeof what, "'[' %s", after);
        return ecs_query__fail_expected(p, p->pos, what);
    }
    p->pos++;
    leaf->list_first = (uint32_t)p->q->nvalues;
    for (;;) {
        q_value v;
        uint8_t bit;

        rc = ecs_query__lex_value(p, "in the list", &v, &at);
        if (rc != ECS_OK)
            return rc;
        if (leaf->subject == QS_AGENT_CONNECTED) {
            if (!parse_bool(&v, &bit))
                return bad_bool(p, &v, at);
            leaf->bool_mask |= bit;
        }
        rc = push_value(p, &v);
        if (rc != ECS_OK)
            return rc;
        ecs_query__skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
        } else if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            break;
        } else {
            return ecs_query__fail_expected(p, p->pos, "',' or ']' in the list");
        }
    }
    leaf->list_count = (uint32_t)(p->q->nvalues - leaf->list_first);
    if (leaf->op == QO_NIN)
        leaf->bool_mask = (uint8_t)(~leaf->bool_mask & 3u);
    return ECS_OK;
}

/* The pattern of =~ or !~, compiled once. For agentConnected, whose value
 * is "true" or "false", the answers are worked out here instead. */
static ecs_status compile_pattern(q_parser *p, q_leaf *leaf, size_t at)
{
    ecs_regex *re = NULL;
    uint8_t mask;
    ecs_status rc =
        ecs_regex__compile_in(p->ctx, p->s, at, leaf->lit.len, "in regular expression: ", &re);

    if (rc != ECS_OK)
        return rc;
    if (leaf->subject != QS_AGENT_CONNECTED) {
        leaf->re = re;
        return ECS_OK;
    }
    mask = (uint8_t)((ecs_regex__match(re, "false", 5) ? 1u : 0u) |
                     (ecs_regex__match(re, "true", 4) ? 2u : 0u));
    leaf->bool_mask = leaf->op == QO_MATCH ? mask : (uint8_t)(~mask & 3u);
    ecs_regex__free(p->ctx, re);
    return ECS_OK;
}

/* Check and convert the single value of a comparison by its subject. */
static ecs_status typed_value(q_parser *p, q_leaf *leaf, size_t at)
{
    const q_value *v = &leaf->lit;
    int64_t ms, unit;
    uint8_t bit;

    switch ((q_subject)leaf->subject) {
    case QS_AGENT_CONNECTED:
        if (!parse_bool(v, &bit))
            return bad_bool(p, v, at);
        leaf->bool_mask = leaf->op == QO_EQ ? bit : (uint8_t)(~bit & 3u);
        return ECS_OK;
    case QS_AGENT_VERSION:
        if (!ecs_query__parse_version(v->p, v->len, leaf->ver, &leaf->nver))
            return ecs_query__fail(
                p, ECS_E_PARSE, at,
                "agentVersion compares with a version such as 1.14.5, found '%.*s%s'",
                ecs_query__show_len(v->len), v->p, ecs_query__show_more(v->len));
        return ECS_OK;
    case QS_ATTRIBUTE:
        leaf->numeric = ecs_query__parse_decimal(v->p, v->len, &leaf->dec);
        return ECS_OK;
    case QS_REGISTERED_AT:
        if (!ecs_query__parse_time(v->p, v->len, &ms, &unit))
            return ecs_query__fail(p, ECS_E_PARSE, at,
                                   "registeredAt compares with a date such as 2018-06-18 or "
                                   "2018-06-18T22:28:28Z, found '%.*s%s'",
                                   ecs_query__show_len(v->len), v->p, ecs_query__show_more(v->len));
        leaf->time_unit_ms = unit;
        leaf->time_units = ecs_query__floor_div(ms, unit);
        return ECS_OK;
    case QS_RUNNING_TASKS_COUNT:
        if (!ecs_query__parse_uint(v->p, v->len, &leaf->num))
            return ecs_query__fail(p, ECS_E_PARSE, at,
                                   "runningTasksCount compares with a whole number, found '%.*s%s'",
                                   ecs_query__show_len(v->len), v->p, ecs_query__show_more(v->len));
        return ECS_OK;
    case QS_EC2_INSTANCE_ID:
    case QS_TASK_GROUP:
        return ECS_OK;
    }
    return ECS_OK;
}

static ecs_status parse_subject(q_parser *p, size_t at, size_t run, q_leaf *leaf)
{
    size_t i;

    if (run == 0)
        return ecs_query__fail_expected(p, at, "a subject, 'not' or '('");
    for (i = 0; i < sizeof k_subjects / sizeof k_subjects[0]; i++) {
        if (ecs_query__word_at(p, at, run, k_subjects[i].text, k_subjects[i].len)) {
            leaf->subject = k_subjects[i].value;
            return ECS_OK;
        }
    }
    if (run >= 10 && memcmp(p->s + at, "attribute:", 10) == 0) {
        if (run == 10)
            return ecs_query__fail_expected(p, at + 10, "an attribute name after 'attribute:'");
        leaf->subject = QS_ATTRIBUTE;
        leaf->name = p->s + at + 10;
        leaf->name_len = run - 10;
        return ECS_OK;
    }
    return ecs_query__fail(p, ECS_E_PARSE, at,
                           "unknown subject '%.*s%s' (subjects: " SUBJECTS_HELP ")",
                           ecs_query__show_len(run), p->s + at, ecs_query__show_more(run));
}

/* subject operator [value | list] */
static ecs_status parse_comparison(q_parser *p, q_exits *out)
{
    q_leaf leaf;
    size_t at = p->pos, run = ecs_query__name_run(p, at), op_at, op_len = 0, vat;
    uint8_t op = 0;
    uint32_t n;
    char after[80];
    ecs_status rc;

    memset(&leaf, 0, sizeof leaf);
    rc = parse_subject(p, at, run, &leaf);
    if (rc != ECS_OK)
        return rc;
    p->pos += run;
    ecs_query__skip_ws(p);
    op_at = p->pos;
    if (!ecs_query__lex_op(p, &op, &op_len)) {
        snprintf(after, sizeof after, "an operator after subject '%.*s%s'",
                 ecs_query__show_len(run), p->s + at, ecs_query__show_more(run));
        return ecs_query__fail_expected(p, op_at, after);
    }
    if ((k_subject_ops[leaf.subject] & OPB(op)) == 0)
        return ecs_query__fail(p, ECS_E_PARSE, op_at, "operator '%.*s' does not apply to %s",
                               (int)op_len, p->s + op_at, k_subject_names[leaf.subject]);
    p->pos += op_len;
    leaf.op = op;
    snprintf(after, sizeof after, "after '%.*s'", (int)op_len, p->s + op_at);
    {
        void *items = p->q->leaves;
        rc = ecs_vec__reserve(p->ctx, &items, &p->q->leaves_cap, sizeof *p->q->leaves,
                              p->q->nleaves + 1);
        p->q->leaves = items;
        if (rc != ECS_OK)
            return rc;
    }
    switch ((q_op)op) {
    case QO_EXISTS:
    case QO_NEXISTS:
        break;
    case QO_IN:
    case QO_NIN:
        rc = parse_list(p, &leaf, after);
        break;
    case QO_MATCH:
    case QO_NMATCH:
        rc = ecs_query__lex_value(p, after, &leaf.lit, &vat);
        if (rc == ECS_OK)
            rc = compile_pattern(p, &leaf, vat); /* last: nothing can fail after it */
        break;
    case QO_EQ:
    case QO_NE:
    case QO_GT:
    case QO_GE:
    case QO_LT:
    case QO_LE:
        rc = ecs_query__lex_value(p, after, &leaf.lit, &vat);
        if (rc == ECS_OK)
            rc = typed_value(p, &leaf, vat);
        break;
    }
    if (rc != ECS_OK)
        return rc;
    leaf.on_true = Q_NONE;
    leaf.on_false = Q_NONE;
    n = (uint32_t)p->q->nleaves++;
    p->q->leaves[n] = leaf;
    if (leaf.subject == QS_TASK_GROUP || leaf.subject == QS_RUNNING_TASKS_COUNT)
        p->q->depends_on_tasks = true;
    out->t_head = out->t_tail = n * 2u;
    out->f_head = out->f_tail = n * 2u + 1u;
    return ECS_OK;
}

static ecs_status parse_or(q_parser *p, q_exits *out);

/* '(' expression ')' or a comparison. */
static ecs_status parse_primary(q_parser *p, q_exits *out)
{
    size_t open;
    char what[80];
    ecs_status rc;

    ecs_query__skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '(')
        return parse_comparison(p, out);
    open = p->pos;
    if (p->depth >= ECS_QUERY_MAX_DEPTH)
        return ecs_query__fail(p, ECS_E_LIMIT, open, "parentheses nested more than %d deep",
                               ECS_QUERY_MAX_DEPTH);
    p->depth++;
    p->pos++;
    rc = parse_or(p, out);
    p->depth--;
    if (rc != ECS_OK)
        return rc;
    ecs_query__skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ')') {
        p->pos++;
        return ECS_OK;
    }
    if (p->pos >= p->len)
        snprintf(what, sizeof what, "')' to close the '(' at byte %zu", open);
    else
        snprintf(what, sizeof what, "'and', 'or' or ')'");
    return ecs_query__fail_expected(p, p->pos, what);
}

/* { '!' | 'not' } primary */
static ecs_status parse_unary(q_parser *p, q_exits *out)
{
    bool negate = false;
    uint32_t h, t;
    ecs_status rc;

    for (;;) {
        ecs_query__skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == '!') {
            p->pos++;
        } else if (ecs_query__word_at(p, p->pos, ecs_query__name_run(p, p->pos), "not", 3)) {
            p->pos += 3;
        } else {
            break;
        }
        negate = !negate;
    }
    rc = parse_primary(p, out);
    if (rc == ECS_OK && negate) {
        h = out->t_head;
        t = out->t_tail;
        out->t_head = out->f_head;
        out->t_tail = out->f_tail;
        out->f_head = h;
        out->f_tail = t;
    }
    return rc;
}

/* Is 'and' (want_and) or 'or' next? Consumes it if so. */
static bool take_connective(q_parser *p, bool want_and)
{
    size_t run;
    const char *s;

    ecs_query__skip_ws(p);
    s = p->s + p->pos;
    if (p->len - p->pos >= 2 && s[0] == (want_and ? '&' : '|') && s[1] == s[0]) {
        p->pos += 2;
        return true;
    }
    run = ecs_query__name_run(p, p->pos);
    if (want_and ? ecs_query__word_at(p, p->pos, run, "and", 3)
                 : ecs_query__word_at(p, p->pos, run, "or", 2)) {
        p->pos += run;
        return true;
    }
    return false;
}

/* unary { and unary } or, with want_and false, and-chains joined by or. */
static ecs_status parse_chain(q_parser *p, bool want_and, q_exits *out)
{
    q_exits a, b;
    uint32_t first;
    ecs_status rc = want_and ? parse_unary(p, &a) : parse_chain(p, true, &a);

    if (rc != ECS_OK)
        return rc;
    while (take_connective(p, want_and)) {
        first = (uint32_t)p->q->nleaves;
        rc = want_and ? parse_unary(p, &b) : parse_chain(p, true, &b);
        if (rc != ECS_OK)
            return rc;
        if (want_and) {
            /* a true: go on to b; a false: the whole is false */
            patch(p, a.t_head, first);
            a.t_head = b.t_head;
            a.t_tail = b.t_tail;
            *slot(p, a.f_tail) = b.f_head;
            a.f_tail = b.f_tail;
        } else {
            patch(p, a.f_head, first);
            a.f_head = b.f_head;
            a.f_tail = b.f_tail;
            *slot(p, a.t_tail) = b.t_head;
            a.t_tail = b.t_tail;
        }
    }
    *out = a;
    return ECS_OK;
}

static ecs_status parse_or(q_parser *p, q_exits *out)
{
    return parse_chain(p, false, out);
}

ecs_status ecs_query__compile(ecs_ctx *ctx, const char *expr, size_t len, ecs_query **out)
{
    q_parser p;
    q_exits ex;
    ecs_query *q;
    size_t i;
    ecs_status rc;

    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || (expr == NULL && len > 0))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "query: no expression or no output");
    if (len > ECS_QUERY_MAX_EXPR)
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "expression is %zu bytes long; the limit is %d", len,
                             ECS_QUERY_MAX_EXPR);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)expr[i];
        if ((c < 0x20u && c != '\t' && c != '\n' && c != '\r') || c == 0x7Fu)
            return ecs_ctx__fail_at(ctx, ECS_E_PARSE, expr, i,
                                    "unexpected control character 0x%02X", (unsigned)c);
    }
    q = ecs_ctx__alloc(ctx, sizeof *q);
    if (q == NULL)
        return ECS_E_NOMEM;
    memset(q, 0, sizeof *q);
    if (len > 0) {
        q->text = ecs_ctx__alloc(ctx, len);
        if (q->text == NULL) {
            ecs_ctx__release(ctx, q, sizeof *q);
            return ECS_E_NOMEM;
        }
        memcpy(q->text, expr, len);
        q->text_len = len;
    }
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.q = q;
    p.s = q->text;
    p.len = len;
    rc = parse_or(&p, &ex);
    if (rc == ECS_OK) {
        ecs_query__skip_ws(&p);
        if (p.pos < p.len && p.s[p.pos] == ')')
            rc = ecs_query__fail(&p, ECS_E_PARSE, p.pos, "unbalanced ')'");
        else if (p.pos < p.len)
            rc = ecs_query__fail_expected(&p, p.pos, "'and', 'or' or end of expression");
    }
    if (rc != ECS_OK) {
        ecs_query__free(ctx, q);
        return rc;
    }
    patch(&p, ex.t_head, Q_ACCEPT);
    patch(&p, ex.f_head, Q_REJECT);
    *out = q;
    return ECS_OK;
}
