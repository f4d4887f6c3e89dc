/*
 * The text that goes with a failed placement: how many instances each
 * check turned away (each instance counted under the first check it
 * fails, in ECS's order), then what would make the closest instance fit,
 * for example
 *
 *   no instance fits: 1200 lack memory, 3 lack the port 80/tcp; closest
 *   (i-abc) needs 512 MiB more memory
 *
 * Texts are bounded (about 1 KiB; long expressions and names are cut).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "place/place_internal.h"

#define EXPLAIN_MAX 1024

typedef struct text {
    char buf[EXPLAIN_MAX];
    size_t len;
} text;

static void add(text *t, const char *fmt, ...) ECS_PRINTF(2, 3);

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (t->len + 1 >= sizeof t->buf)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->len += (size_t)n;
    if (t->len >= sizeof t->buf)
        t->len = sizeof t->buf - 1;
}

static int clip(size_t len, size_t max)
{
    return (int)(len > max ? max : len);
}

static const char *const phrase[][2] = {
    {"", ""},
    {"", ""},
    {"has a disconnected agent", "have a disconnected agent"},
    {"lacks a required attribute", "lack a required attribute"},
    {"is outside the allowed zones", "are outside the allowed zones"},
    {"lacks CPU", "lack CPU"},
    {"lacks memory", "lack memory"},
    {"lacks a required port", "lack a required port"},
    {"has no free ENI slot", "have no free ENI slot"},
    {"lacks GPUs", "lack GPUs"},
    {"fails a placement constraint", "fail a placement constraint"},
};

static void add_port(text *t, uint32_t enc)
{
    add(t, "%u/%s", (unsigned)(enc & 0xFFFFu), (enc & ECS_PL_PORT_UDP) ? "udp" : "tcp");
}

/* Items of the "needs" list, joined "a, b and c". */
typedef struct needs {
    text *t;
    size_t n, total;
} needs;

static void item_start(needs *nd)
{
    if (nd->n > 0)
        add(nd->t, nd->n + 1 == nd->total ? " and " : ", ");
    nd->n++;
}

static void closest_needs(const ecs_place *e, const ecs_pl_req *q, uint32_t c,
                          const ecs_pl_eval *ev, text *t)
{
    const ecs_pl_inst *it = &e->inst[c];
    const ecs_place_request *r = q->r;
    needs nd;
    uint32_t i, m;

    nd.t = t;
    nd.n = 0;
    nd.total = 0;
    for (m = ev->mask & ~(uint32_t)ECS_PL_F_MEMBER; m != 0; m &= m - 1)
        nd.total++;
    if (ev->mask & ECS_PL_F_MEMBER)
        for (i = 0; i < q->nqall; i++) {
            ecs_pl_qinst qi;
            ecs_query_subject s;
            ecs_place__subject(e, c, &qi, &s);
            if (!ecs_query__eval(q->qall[i], &s))
                nd.total++;
        }

    add(t, "; closest (%.*s) needs ", clip(it->id.len, 200), ecs_str__c(&it->id));
    if (ev->mask & ECS_PL_F_AGENT) {
        item_start(&nd);
        add(t, "a connected agent");
    }
    if (ev->mask & ECS_PL_F_ATTRIBUTE) {
        item_start(&nd);
        for (i = 0; r != NULL && i < r->nrequired_attributes; i++) {
            const char *name = r->required_attributes[i];
            size_t len = r->required_attribute_lens[i];
            uint32_t a = ecs_place__atom_find(e, name, len);
            if (a == ECS_PL_NIL || ecs_place__attr_value(e, c, a) == ECS_PL_NIL) {
                add(t, "attribute '%.*s'", clip(len, 100), name);
                break;
            }
        }
    }
    if (ev->mask & ECS_PL_F_LOCATION) {
        uint32_t z = ecs_place__attr_value(e, c, e->az_atom);
        item_start(&nd);
        if (z == ECS_PL_NIL)
            add(t, "an allowed zone (it has no ecs.availability-zone)");
        else
            add(t, "an allowed zone (it is in %.*s)", clip(e->atoms[z].len, 100),
                ecs_str__c(&e->atoms[z]));
    }
    if (ev->mask & ECS_PL_F_CPU) {
        item_start(&nd);
        add(t, "%u more CPU units", (unsigned)(q->cpu - e->inst[c].rem.cpu));
    }
    if (ev->mask & ECS_PL_F_MEMORY) {
        item_start(&nd);
        add(t, "%u MiB more memory", (unsigned)(q->mem - e->inst[c].rem.mem));
    }
    if (ev->mask & ECS_PL_F_PORTS) {
        bool said = false;
        item_start(&nd);
        for (i = 0; i < q->nsports && !said; i++) {
            uint32_t one = q->sports[i];
            if (ecs_place__ports_has(&it->used[(one & ECS_PL_PORT_UDP) ? 1 : 0],
                                     (uint16_t)(one & 0xFFFFu))) {
                add(t, "port ");
                add_port(t, one);
                add(t, " free");
                said = true;
            }
        }
        if (!said && ecs_place__ports_blocked(e, c, q->sports, q->nsports)) {
            add(t, "room for %u more static ports under the limit of %u", (unsigned)q->nsports,
                ECS_PL_PORT_LIMIT);
            said = true;
        }
        if (!said)
            add(t, "a free port in its ephemeral range %u..%u", (unsigned)it->eph_first,
                (unsigned)it->eph_last);
    }
    if (ev->mask & ECS_PL_F_ENI) {
        item_start(&nd);
        add(t, "a free ENI slot");
    }
    if (ev->mask & ECS_PL_F_GPU) {
        item_start(&nd);
        add(t, "%u more GPUs", (unsigned)(q->gpu - e->inst[c].rem.gpu));
    }
    if (ev->mask & ECS_PL_F_DISTINCT) {
        const ecs_str *g = &e->atoms[q->group];
        item_start(&nd);
        add(t, "no task of group '%.*s' (distinctInstance)", clip(g->len, 100), ecs_str__c(g));
    }
    if ((ev->mask & ECS_PL_F_MEMBER) && r != NULL) {
        /* r->member_of[i] and q->qall[i] are in the same order. */
        for (i = 0; i < q->nqall; i++) {
            ecs_pl_qinst qi;
            ecs_query_subject s;
            ecs_place__subject(e, c, &qi, &s);
            if (ecs_query__eval(q->qall[i], &s))
                continue;
            item_start(&nd);
            add(t, "memberOf '%.*s%s' to hold", clip(r->member_of_lens[i], 80), r->member_of[i],
                r->member_of_lens[i] > 80 ? "..." : "");
        }
    }
}

ecs_status ecs_place__explain(ecs_place *e, const ecs_pl_req *q, const ecs_pl_fail *fail,
                              ecs_str *out)
{
    text t;
    size_t r;
    bool first = true;

    t.len = 0;
    t.buf[0] = '\0';
    if (fail->ncand == 0) {
        add(&t, "No Container Instances were found in your cluster.");
        if (fail->ninactive != 0)
            add(&t, " (%zu %s not ACTIVE)", fail->ninactive,
                fail->ninactive == 1 ? "instance is" : "instances are");
        return ecs_str__dup(e->ctx, out, t.buf, t.len);
    }
    add(&t, "no instance fits: ");
    for (r = ECS_PLACE_AGENT; r <= ECS_PLACE_CONSTRAINT; r++) {
        size_t n = fail->by_reason[r];
        if (n == 0)
            continue;
        add(&t, "%s%zu ", first ? "" : ", ", n);
        if (r == ECS_PLACE_PORTS && q->nsports == 1 && q->ndyn[0] + q->ndyn[1] == 0) {
            add(&t, "%s the port ", n == 1 ? "lacks" : "lack");
            add_port(&t, q->sports[0]);
        } else {
            add(&t, "%s", phrase[r][n == 1 ? 0 : 1]);
        }
        first = false;
    }
    if (fail->closest != ECS_PL_NIL)
        closest_needs(e, q, fail->closest, &fail->closest_eval, &t);
    if (fail->ninactive != 0)
        add(&t, "; %zu %s not ACTIVE", fail->ninactive,
            fail->ninactive == 1 ? "instance is" : "instances are");
    return ecs_str__dup(e->ctx, out, t.buf, t.len);
}
