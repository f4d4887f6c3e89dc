/*
 * libFuzzer harness for the cluster query language (lib/query): the bytes
 * before the first NUL are an expression, the bytes after it describe one
 * generated container instance (see make_instance below; no NUL: an
 * instance with nothing set). The expression is compiled twice, and the two
 * compilations must agree in every detail (status, message and position on
 * failure; the compiled program, literal offsets and regex programs on
 * success). A compiled query is then evaluated against the instance, which
 * must not crash (ASan and UBSan watch), must give the same answer twice
 * and from both compilations, and, when ecs_query__depends_on_tasks() says
 * the answer does not depend on tasks, must not change when the instance's
 * task groups and runningTasksCount do. Every string the evaluator reads
 * sits in a block of its own exact size, so any read past its length is
 * caught. Dictionary: fuzz/dict/query.dict (subjects, operators, values).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "query/query.h"
#include "query/query_internal.h"
#include "query/regex_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ATTRS 16
#define MAX_GROUPS 8

static void check(bool ok)
{
    if (!ok)
        abort();
}

typedef struct span {
    char *p; /* exact-size block (1 byte when empty), never NULL */
    size_t n;
} span;

typedef struct fake {
    span ec2, version;
    bool has_version;
    span names[MAX_ATTRS], values[MAX_ATTRS];
    size_t nattrs;
    span groups[MAX_GROUPS];
    size_t ngroups;
    bool hide_groups;
} fake;

static span copy_span(const uint8_t *p, size_t n)
{
    span s;
    s.p = malloc(n > 0 ? n : 1);
    check(s.p != NULL);
    if (n > 0)
        memcpy(s.p, p, n);
    s.n = n;
    return s;
}

static bool fake_attribute(const void *inst, const char *name, size_t name_len, const char **value,
                           size_t *value_len)
{
    const fake *f = inst;
    for (size_t i = f->nattrs; i-- > 0;) { /* the last one given wins */
        if (f->names[i].n == name_len && memcmp(f->names[i].p, name, name_len) == 0) {
            *value = f->values[i].p;
            *value_len = f->values[i].n;
            return true;
        }
    }
    return false;
}

static size_t fake_group_count(const void *inst)
{
    const fake *f = inst;
    return f->hide_groups ? 0 : f->ngroups;
}

static const char *fake_group_at(const void *inst, size_t i, size_t *len)
{
    const fake *f = inst;
    check(!f->hide_groups && i < f->ngroups);
    *len = f->groups[i].n;
    return f->groups[i].p;
}

static const int64_t k_times[8] = {
    INT64_C(1514764800000), /* 2018-01-01 */
    INT64_C(1529360908000), /* 2018-06-18T22:28:28 */
    INT64_C(1767225600000), /* 2026-01-01 */
    0,
    -1,
    INT64_C(253402300799999), /* 9999-12-31T23:59:59.999 */
    INT64_MIN / 2,
    INT64_MAX / 2,
};

/*
 * The instance: byte 0 flags (bit 0 agentConnected, bit 1 an agentVersion
 * is known), byte 1 runningTasksCount (255: 2^32 - 1), byte 2 picks a base
 * time and byte 3 adds hours to it; then lines separated by '\n': the
 * ec2InstanceId, the agentVersion, and then attributes "name=value" or
 * "name" (no value), or task groups "@group".
 */
static ecs_query_subject make_instance(fake *f, const uint8_t *p, size_t n)
{
    ecs_query_subject s;
    uint8_t flags = n > 0 ? p[0] : 0, run = n > 1 ? p[1] : 0;
    uint8_t tb = n > 2 ? p[2] : 0, th = n > 3 ? p[3] : 0;
    size_t pos = n > 4 ? 4 : n, line = 0;

    memset(f, 0, sizeof *f);
    memset(&s, 0, sizeof s);
    f->ec2 = copy_span(p, 0);
    f->version = copy_span(p, 0);
    while (pos < n) {
        const uint8_t *nl = memchr(p + pos, '\n', n - pos);
        size_t end = nl != NULL ? (size_t)(nl - p) : n, len = end - pos;
        const uint8_t *l = p + pos;
        if (line == 0) {
            free(f->ec2.p);
            f->ec2 = copy_span(l, len);
        } else if (line == 1) {
            free(f->version.p);
            f->version = copy_span(l, len);
        } else if (len > 0 && l[0] == '@') {
            if (f->ngroups < MAX_GROUPS)
                f->groups[f->ngroups++] = copy_span(l + 1, len - 1);
        } else if (f->nattrs < MAX_ATTRS) {
            const uint8_t *eq = len > 0 ? memchr(l, '=', len) : NULL;
            size_t nlen = eq != NULL ? (size_t)(eq - l) : len;
            f->names[f->nattrs] = copy_span(l, nlen);
            f->values[f->nattrs] = eq != NULL ? copy_span(eq + 1, len - nlen - 1) : copy_span(l, 0);
            f->nattrs++;
        }
        line++;
        pos = end + 1;
    }
    f->has_version = (flags & 2) != 0;
    s.inst = f;
    s.ec2_instance_id = f->ec2.p;
    s.ec2_instance_id_len = f->ec2.n;
    s.agent_version = f->has_version ? f->version.p : NULL;
    s.agent_version_len = f->has_version ? f->version.n : 0;
    s.registered_at_ms = k_times[tb & 7] + (int64_t)th * 3600000 * ((tb & 8) ? -1 : 1);
    s.running_tasks_count = run == 255 ? UINT32_MAX : run;
    s.agent_connected = (flags & 1) != 0;
    s.attribute = fake_attribute;
    s.group_count = fake_group_count;
    s.group_at = fake_group_at;
    return s;
}

static void free_instance(fake *f)
{
    free(f->ec2.p);
    free(f->version.p);
    for (size_t i = 0; i < f->nattrs; i++) {
        free(f->names[i].p);
        free(f->values[i].p);
    }
    for (size_t i = 0; i < f->ngroups; i++)
        free(f->groups[i].p);
}

/* Offset of a pointer into the query's copy of the text (SIZE_MAX for NULL). */
static size_t off(const ecs_query *q, const char *p)
{
    if (p == NULL)
        return SIZE_MAX;
    check(p >= q->text && p <= q->text + q->text_len);
    return (size_t)(p - q->text);
}

static void same_regex(const ecs_regex *a, const ecs_regex *b)
{
    check((a == NULL) == (b == NULL));
    if (a == NULL)
        return;
    check(a->n == b->n && a->nclasses == b->nclasses);
    check(memcmp(a->prog, b->prog, a->n * sizeof a->prog[0]) == 0);
    check(a->nclasses == 0 || memcmp(a->classes, b->classes, a->nclasses * 8 * sizeof(uint32_t)) == 0);
}

static void same_query(const ecs_query *a, const ecs_query *b)
{
    check(a->nleaves == b->nleaves && a->nvalues == b->nvalues && a->text_len == b->text_len);
    check(memcmp(a->text, b->text, a->text_len) == 0);
    check(a->depends_on_tasks == b->depends_on_tasks);
    for (size_t i = 0; i < a->nvalues; i++)
        check(off(a, a->values[i].p) == off(b, b->values[i].p) && a->values[i].len == b->values[i].len);
    for (size_t i = 0; i < a->nleaves; i++) {
        const q_leaf *x = &a->leaves[i], *y = &b->leaves[i];
        check(x->subject == y->subject && x->op == y->op && x->bool_mask == y->bool_mask);
        check(x->numeric == y->numeric && x->on_true == y->on_true && x->on_false == y->on_false);
        check(off(a, x->name) == off(b, y->name) && x->name_len == y->name_len);
        check(off(a, x->lit.p) == off(b, y->lit.p) && x->lit.len == y->lit.len);
        check(x->list_first == y->list_first && x->list_count == y->list_count);
        check(x->num == y->num && x->time_unit_ms == y->time_unit_ms && x->time_units == y->time_units);
        check(x->nver == y->nver && x->nver <= ECS_QUERY_MAX_VERSION_PARTS);
        check(memcmp(x->ver, y->ver, x->nver * sizeof x->ver[0]) == 0);
        if (x->numeric) {
            check(x->dec.neg == y->dec.neg && x->dec.il == y->dec.il && x->dec.fl == y->dec.fl);
            check(off(a, x->dec.ip) == off(b, y->dec.ip) && off(a, x->dec.fp) == off(b, y->dec.fp));
        }
        /* jumps go forward, to a leaf or to the end */
        check(x->on_true == Q_ACCEPT || x->on_true == Q_REJECT || (x->on_true > i && x->on_true < a->nleaves));
        check(x->on_false == Q_ACCEPT || x->on_false == Q_REJECT ||
              (x->on_false > i && x->on_false < a->nleaves));
        check(x->list_count == 0 || (size_t)x->list_first + x->list_count <= a->nvalues);
        same_regex(x->re, y->re);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecs_ctx *ctx = NULL;
    ecs_query *q1 = NULL, *q2 = NULL;
    const uint8_t *nul = size > 0 ? memchr(data, 0, size) : NULL;
    size_t elen = nul != NULL ? (size_t)(nul - data) : size;
    size_t ilen = nul != NULL ? size - elen - 1 : 0;
    span expr;
    ecs_status rc1, rc2;

    if (size > 16384 || ecs_ctx_new(NULL, &ctx) != ECS_OK)
        return 0;
    expr = copy_span(data, elen);
    rc1 = ecs_query__compile(ctx, expr.p, expr.n, &q1);
    if (rc1 != ECS_OK) {
        char msg[1024];
        ecs_errpos p1, p2;
        bool h1, h2;
        check(q1 == NULL && (rc1 == ECS_E_PARSE || rc1 == ECS_E_LIMIT));
        check(ecs_ctx_errmsg(ctx)[0] != '\0');
        strncpy(msg, ecs_ctx_errmsg(ctx), sizeof msg - 1);
        msg[sizeof msg - 1] = '\0';
        memset(&p1, 0, sizeof p1);
        memset(&p2, 0, sizeof p2);
        h1 = ecs_ctx_errpos(ctx, &p1);
        check(!h1 || p1.offset <= expr.n);
        ecs_ctx_clear_error(ctx);
        rc2 = ecs_query__compile(ctx, expr.p, expr.n, &q2);
        h2 = ecs_ctx_errpos(ctx, &p2);
        check(rc2 == rc1 && q2 == NULL);
        check(strncmp(msg, ecs_ctx_errmsg(ctx), sizeof msg - 1) == 0);
        check(h1 == h2 && p1.offset == p2.offset && p1.line == p2.line && p1.column == p2.column);
    } else {
        fake f;
        ecs_query_subject s = make_instance(&f, data + elen + (nul != NULL), ilen);
        bool r1, r2;
        rc2 = ecs_query__compile(ctx, expr.p, expr.n, &q2);
        check(rc2 == ECS_OK);
        same_query(q1, q2);
        r1 = ecs_query__eval(q1, &s);
        check(ecs_query__eval(q1, &s) == r1);
        check(ecs_query__eval(q2, &s) == r1);
        if (!ecs_query__depends_on_tasks(q1)) {
            s.running_tasks_count = s.running_tasks_count == 0 ? 7 : 0;
            f.hide_groups = true;
            r2 = ecs_query__eval(q1, &s);
            check(r2 == r1);
        }
        free_instance(&f);
    }
    ecs_query__free(ctx, q1);
    ecs_query__free(ctx, q2);
    free(expr.p);
    ecs_ctx_free(ctx);
    return 0;
}
