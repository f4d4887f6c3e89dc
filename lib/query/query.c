/*
 * Evaluation of a compiled query (see query_internal.h for its form): walk
 * the leaves from the first, following each leaf's true or false jump until
 * accept or reject. No allocation, no strlen: names and values carry their
 * lengths, typed literals were converted when compiling.
 *
 * Semantics (spec 3.2, 3.3): a missing subject (an attribute the instance
 * lacks, an empty ec2InstanceId, an unknown or unreadable agentVersion)
 * makes `exists` false, `!exists` true and every other operator false.
 * task:group is the set of groups of the instance's tasks: ==, in and =~
 * are true when some group qualifies, !=, !in and !~ when none does (so on
 * an instance without tasks they are true), exists when there is a task.
 * registeredAt compares at the precision of the literal (a date compares
 * days, a time without fraction seconds). Ordering of attribute values is
 * numeric when both are decimal numbers, byte-wise otherwise.
 *
 * The compiled regexes hold their own match state, so one compiled query
 * must not be evaluated from two threads at once.
 */
#include <string.h>

#include "query/query_internal.h"
#include "util/str.h"

static bool str_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static int str_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;

    if (c != 0)
        return c < 0 ? -1 : 1;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* The outcome of an ordering or equality operator from a comparison. */
static bool order_holds(uint8_t op, int c)
{
    switch ((q_op)op) {
    case QO_EQ:
        return c == 0;
    case QO_NE:
        return c != 0;
    case QO_GT:
        return c > 0;
    case QO_GE:
        return c >= 0;
    case QO_LT:
        return c < 0;
    case QO_LE:
        return c <= 0;
    case QO_MATCH:
    case QO_NMATCH:
    case QO_EXISTS:
    case QO_NEXISTS:
    case QO_IN:
    case QO_NIN:
        return false;
    }
    return false;
}

static bool in_list(const ecs_query *q, const q_leaf *l, const char *v, size_t len)
{
    const q_value *it = q->values + l->list_first, *end = it + l->list_count;

    for (; it < end; it++) {
        if (str_eq(it->p, it->len, v, len))
            return true;
    }
    return false;
}

/* A present single string value (attribute, ec2InstanceId). */
static bool string_holds(const ecs_query *q, const q_leaf *l, const char *v, size_t len)
{
    q_decimal d;

    switch ((q_op)l->op) {
    case QO_EXISTS:
        return true;
    case QO_NEXISTS:
        return false;
    case QO_EQ:
        return str_eq(v, len, l->lit.p, l->lit.len);
    case QO_NE:
        return !str_eq(v, len, l->lit.p, l->lit.len);
    case QO_IN:
        return in_list(q, l, v, len);
    case QO_NIN:
        return !in_list(q, l, v, len);
    case QO_MATCH:
        return ecs_regex__match(l->re, v, len);
    case QO_NMATCH:
        return !ecs_regex__match(l->re, v, len);
    case QO_GT:
    case QO_GE:
    case QO_LT:
    case QO_LE:
        if (l->numeric && ecs_query__parse_decimal(v, len, &d))
            return order_holds(l->op, ecs_query__decimal_cmp(&d, &l->dec));
        return order_holds(l->op, str_cmp(v, len, l->lit.p, l->lit.len));
    }
    return false;
}

/* Does some task group qualify for the positive form of the operator? */
static bool some_group(const ecs_query *q, const q_leaf *l, const ecs_query_subject *s,
                       size_t count)
{
    size_t i;

    for (i = 0; i < count; i++) {
        size_t len = 0;
        const char *g = s->group_at(s->inst, i, &len);

        if (g == NULL) {
            g = "";
            len = 0;
        }
        switch ((q_op)l->op) {
        case QO_EQ:
        case QO_NE:
            if (str_eq(g, len, l->lit.p, l->lit.len))
                return true;
            break;
        case QO_IN:
        case QO_NIN:
            if (in_list(q, l, g, len))
                return true;
            break;
        case QO_MATCH:
        case QO_NMATCH:
            if (ecs_regex__match(l->re, g, len))
                return true;
            break;
        case QO_GT:
        case QO_GE:
        case QO_LT:
        case QO_LE:
        case QO_EXISTS:
        case QO_NEXISTS:
            return false;
        }
    }
    return false;
}

static bool group_holds(const ecs_query *q, const q_leaf *l, const ecs_query_subject *s)
{
    size_t count = 0;

    if (s->group_count != NULL && s->group_at != NULL)
        count = s->group_count(s->inst);
    switch ((q_op)l->op) {
    case QO_EXISTS:
        return count > 0;
    case QO_NEXISTS:
        return count == 0;
    case QO_EQ:
    case QO_IN:
    case QO_MATCH:
        return some_group(q, l, s, count);
    case QO_NE:
    case QO_NIN:
    case QO_NMATCH:
        return !some_group(q, l, s, count);
    case QO_GT:
    case QO_GE:
    case QO_LT:
    case QO_LE:
        return false;
    }
    return false;
}

static bool leaf_holds(const ecs_query *q, const q_leaf *l, const ecs_query_subject *s)
{
    const char *v = NULL;
    size_t len = 0;
    int c;

    switch ((q_subject)l->subject) {
    case QS_AGENT_CONNECTED:
        return ((l->bool_mask >> (s->agent_connected ? 1 : 0)) & 1u) != 0;
    case QS_AGENT_VERSION:
        if (s->agent_version == NULL ||
            !ecs_query__version_cmp(s->agent_version, s->agent_version_len, l->ver, l->nver, &c))
            return false;
        return order_holds(l->op, c);
    case QS_ATTRIBUTE:
        if (s->attribute == NULL || !s->attribute(s->inst, l->name, l->name_len, &v, &len))
            return l->op == QO_NEXISTS;
        if (v == NULL)
            len = 0;
        return string_holds(q, l, v != NULL ? v : "", len);
    case QS_EC2_INSTANCE_ID:
        if (s->ec2_instance_id == NULL || s->ec2_instance_id_len == 0)
            return false;
        return string_holds(q, l, s->ec2_instance_id, s->ec2_instance_id_len);
    case QS_REGISTERED_AT: {
        int64_t t = ecs_query__floor_div(s->registered_at_ms, l->time_unit_ms);
        return order_holds(l->op, t < l->time_units ? -1 : (t > l->time_units ? 1 : 0));
    }
    case QS_RUNNING_TASKS_COUNT:
        c = s->running_tasks_count < l->num ? -1 : (s->running_tasks_count > l->num ? 1 : 0);
        return order_holds(l->op, c);
    case QS_TASK_GROUP:
        return group_holds(q, l, s);
    }
    return false;
}

bool ecs_query__eval(const ecs_query *q, const ecs_query_subject *s)
{
    uint32_t pc = 0;

    if (q == NULL || s == NULL || q->nleaves == 0)
        return false;
    while (pc < q->nleaves) {
        const q_leaf *l = &q->leaves[pc];
        pc = leaf_holds(q, l, s) ? l->on_true : l->on_false;
    }
    return pc == Q_ACCEPT;
}

bool ecs_query__depends_on_tasks(const ecs_query *q)
{
    return q != NULL && q->depends_on_tasks;
}

void ecs_query__free(ecs_ctx *ctx, ecs_query *q)
{
    size_t i;

    if (ctx == NULL || q == NULL)
        return;
    for (i = 0; i < q->nleaves; i++)
        ecs_regex__free(ctx, q->leaves[i].re);
    ecs_vec__free(ctx, q->leaves, q->leaves_cap, sizeof *q->leaves);
    ecs_vec__free(ctx, q->values, q->values_cap, sizeof *q->values);
    if (q->text != NULL)
        ecs_ctx__release(ctx, q->text, q->text_len);
    ecs_ctx__release(ctx, q, sizeof *q);
}
