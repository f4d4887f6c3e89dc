/*
 * Validating a placement request and turning it into what the engine
 * works with: atoms for names and values, static ports sorted and
 * encoded, memberOf expressions compiled (from the engine's cache) and
 * split into those a view may cache per instance and those that depend on
 * the tasks, and the strategy chain normalised (a strategy repeating an
 * earlier one is dropped, random ends the chain, no strategy means random)
 * and classified: does a view serve it, and which.
 */
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

ecs_status ecs_place__need_prepare(ecs_place *e, const ecs_place_need *need, ecs_pl_req *q)
{
    size_t i;
    ecs_status rc;

    memset(q, 0, sizeof *q);
    q->e = e;
    q->part_attr = ECS_PL_NIL;
    if (need->nports != 0 && need->ports == NULL)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "need: ports is NULL");
    if (need->nports > ECS_PL_MAX_TASK_PORTS)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "need: %zu host ports, limit is %u",
                             need->nports, ECS_PL_MAX_TASK_PORTS);
    if (need->group == NULL && need->group_len != 0)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "need: group is NULL");
    q->cpu = need->cpu;
    q->mem = need->memory_mib;
    q->gpu = need->gpus;
    q->eni = need->eni ? 1u : 0u;
    q->ports = need->ports;
    q->nports = (uint32_t)need->nports;
    for (i = 0; i < need->nports; i++) {
        uint32_t enc = (uint32_t)need->ports[i].port | (need->ports[i].udp ? ECS_PL_PORT_UDP : 0u);
        uint32_t j;
        if (need->ports[i].port == 0) {
            q->ndyn[need->ports[i].udp ? 1 : 0]++;
            continue;
        }
        if (need->ports[i].dynamic) {
            /* held already: not the task's other ports (here), not taken
             * on the instance (when applied) */
            for (j = 0; j < need->nports; j++) {
                if (j != i && need->ports[j].port == need->ports[i].port &&
                    need->ports[j].udp == need->ports[i].udp)
                    return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "need: host port %u/%s twice",
                                         (unsigned)need->ports[i].port,
                                         need->ports[i].udp ? "udp" : "tcp");
            }
            q->nheld++;
            continue;
        }
        if (q->nsports >= ECS_PL_PORT_LIMIT)
            return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "need: more than %u static host ports",
                                 ECS_PL_PORT_LIMIT);
        /* insertion into the sorted list, refusing duplicates */
        for (j = q->nsports; j > 0 && q->sports[j - 1] > enc; j--)
            q->sports[j] = q->sports[j - 1];
        if (j > 0 && q->sports[j - 1] == enc) {
            memmove(&q->sports[j], &q->sports[j + 1], (q->nsports - j) * sizeof *q->sports);
            return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "need: host port %u/%s twice",
                                 (unsigned)need->ports[i].port, need->ports[i].udp ? "udp" : "tcp");
        }
        q->sports[j] = enc;
        q->nsports++;
    }
    rc = ecs_place__atom_intern(e, need->group != NULL ? need->group : "", need->group_len,
                                &q->group);
    return rc;
}

static void sort_unique(uint32_t *v, uint32_t *n)
{
    uint32_t i, j, k = 0;
    for (i = 1; i < *n; i++) {
        uint32_t x = v[i];
        for (j = i; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    for (i = 0; i < *n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    *n = k;
}

static ecs_status atoms_of(ecs_place *e, const char *const *names, const size_t *lens, size_t n,
                           const char *what, uint32_t **buf, size_t *cap, uint32_t *out_n,
                           bool keep_unknown)
{
    size_t i, bytes;
    uint32_t k = 0;

    if (n == 0)
        return ECS_OK;
    if (names == NULL || lens == NULL)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: %s is NULL", what);
    if (n > UINT32_MAX / 2 || !ecs_ckd_mul_size(&bytes, n, sizeof **buf))
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: too many %s", what);
    *buf = ecs_ctx__alloc(e->ctx, bytes);
    if (*buf == NULL)
        return ECS_E_NOMEM;
    *cap = n;
    for (i = 0; i < n; i++) {
        uint32_t a;
        if (names[i] == NULL && lens[i] != 0)
            return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: %s[%zu] is NULL", what, i);
        a = ecs_place__atom_find(e, names[i] != NULL ? names[i] : "", lens[i]);
        /* An unknown required attribute is missing everywhere (kept as
         * NIL); an unknown zone matches no instance (dropped). */
        if (a != ECS_PL_NIL || keep_unknown)
            (*buf)[k++] = a;
    }
    sort_unique(*buf, &k);
    *out_n = k;
    return ECS_OK;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= ecs_place__hash_u32((uint32_t)v) + (v >> 32) + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2);
    return h;
}

static ecs_status prepare_member_of(ecs_place *e, const ecs_place_request *r, ecs_pl_req *q)
{
    size_t i;
    uint32_t a, b;

    if (r->nmember_of != 0 && (r->member_of == NULL || r->member_of_lens == NULL))
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: member_of is NULL");
    for (i = 0; i < r->nmember_of; i++) {
        ecs_query *cq;
        bool dep;
        ecs_status rc;
        if (r->member_of[i] == NULL)
            return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: member_of[%zu] is NULL", i);
        rc = ecs_place__query_get(e, r->member_of[i], r->member_of_lens[i], &cq, &dep);
        if (rc != ECS_OK)
            return rc;
        q->qall[q->nqall++] = cq;
        if (dep) {
            q->qd[q->nqd++] = cq;
        } else {
            q->qs[q->f.nq] = cq;
            q->qs_text[q->f.nq] = r->member_of[i];
            q->qs_len[q->f.nq] = r->member_of_lens[i];
            q->f.nq++;
        }
    }
    /* Static ones in text order, so that a view's key does not depend on
     * the order they were given in. */
    for (a = 1; a < q->f.nq; a++) {
        for (b = a; b > 0; b--) {
            size_t la = q->qs_len[b - 1], lb = q->qs_len[b];
            int c = memcmp(q->qs_text[b - 1], q->qs_text[b], la < lb ? la : lb);
            ecs_query *tq;
            const char *tt;
            size_t tl;
            if (c < 0 || (c == 0 && la <= lb))
                break;
            tq = q->qs[b - 1];
            q->qs[b - 1] = q->qs[b];
            q->qs[b] = tq;
            tt = q->qs_text[b - 1];
            q->qs_text[b - 1] = q->qs_text[b];
            q->qs_text[b] = tt;
            tl = q->qs_len[b - 1];
            q->qs_len[b - 1] = q->qs_len[b];
            q->qs_len[b] = tl;
        }
    }
    q->f.q = q->qs;
    return ECS_OK;
}

static ecs_status prepare_chain(ecs_place *e, const ecs_place_request *r, ecs_pl_req *q)
{
    size_t i;
    uint32_t j, k;

    if (r->nstrategies > ECS_PLACE_MAX_STRATEGIES)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: %zu strategies, limit is %d",
                             r->nstrategies, ECS_PLACE_MAX_STRATEGIES);
    if (r->nstrategies != 0 && r->strategies == NULL)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: strategies is NULL");
    for (i = 0; i < r->nstrategies; i++) {
        const ecs_place_strategy *s = &r->strategies[i];
        uint8_t kind;
        uint32_t attr = ECS_PL_NIL;
        switch (s->type) {
        case ECS_PLACE_BINPACK_CPU:
            kind = ECS_PL_S_CPU;
            break;
        case ECS_PLACE_BINPACK_MEMORY:
            kind = ECS_PL_S_MEM;
            break;
        case ECS_PLACE_SPREAD_INSTANCE:
            kind = ECS_PL_S_GCOUNT;
            break;
        case ECS_PLACE_SPREAD_ATTRIBUTE: {
            ecs_status rc;
            if (s->attribute == NULL || s->attribute_len == 0)
                return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG,
                                     "request: strategy %zu: spread attribute without a name", i);
            rc = ecs_place__atom_intern(e, s->attribute, s->attribute_len, &attr);
            if (rc != ECS_OK)
                return rc;
            kind = ECS_PL_S_ATTR;
            break;
        }
        case ECS_PLACE_RANDOM:
            kind = ECS_PL_S_RANDOM;
            break;
        default:
            return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG,
                                 "request: strategy %zu: unknown type %d", i, (int)s->type);
        }
        if (q->nsteps > 0 && q->step[q->nsteps - 1] == ECS_PL_S_RANDOM)
            continue; /* nothing after random can matter */
        for (j = 0; j < q->nsteps; j++)
            if (q->step[j] == kind && q->step_attr[j] == attr)
                break;
        if (j < q->nsteps)
            continue; /* a repeat cannot break any tie its first use left */
        q->step[q->nsteps] = kind;
        q->step_attr[q->nsteps] = attr;
        q->nsteps++;
    }
    if (q->nsteps == 0) {
        q->step[0] = ECS_PL_S_RANDOM;
        q->step_attr[0] = ECS_PL_NIL;
        q->nsteps = 1;
    }
    /* Fast-path shapes: [random]; [spread attr]? then up to three of
     * binpack cpu, binpack memory, spread instanceId. */
    if (q->step[0] == ECS_PL_S_RANDOM) {
        q->fast_ok = true;
        q->random = true;
        return ECS_OK;
    }
    j = 0;
    if (q->step[0] == ECS_PL_S_ATTR) {
        q->part_attr = q->step_attr[0];
        j = 1;
    }
    q->fast_ok = true;
    for (k = 0; j < q->nsteps; j++) {
        if (q->step[j] == ECS_PL_S_ATTR || q->step[j] == ECS_PL_S_RANDOM || k >= 3) {
            q->fast_ok = false;
            break;
        }
        q->keys[k++] = q->step[j];
    }
    q->nkeys = k;
    if (!q->fast_ok) {
        q->part_attr = ECS_PL_NIL;
        q->nkeys = 0;
    }
    return ECS_OK;
}

ecs_status ecs_place__req_prepare(ecs_place *e, const ecs_place_request *r, ecs_pl_req *q)
{
    ecs_status rc;
    uint64_t h;
    uint32_t i;

    if (r->struct_size < sizeof *r)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: bad struct_size");
    if (r->count == 0 || r->count > ECS_PLACE_MAX_COUNT)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: count %u is not in 1..%d",
                             (unsigned)r->count, ECS_PLACE_MAX_COUNT);
    if (r->nmember_of + (r->distinct_instance ? 1u : 0u) > ECS_PLACE_MAX_CONSTRAINTS)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: more than %d constraints",
                             ECS_PLACE_MAX_CONSTRAINTS);
    if ((rc = ecs_place__need_prepare(e, &r->need, q)) != ECS_OK)
        return rc;
    q->r = r;
    q->distinct = r->distinct_instance;
    if ((rc = atoms_of(e, r->required_attributes, r->required_attribute_lens,
                       r->nrequired_attributes, "required_attributes", &q->attr_buf, &q->attr_cap,
                       &q->f.nattrs, true)) != ECS_OK)
        return rc;
    q->f.attrs = q->attr_buf;
    if (r->nzones != 0) {
        q->f.zones_given = true;
        if ((rc = atoms_of(e, r->zones, r->zone_lens, r->nzones, "zones", &q->zone_buf,
                           &q->zone_cap, &q->f.nzones, false)) != ECS_OK)
            return rc;
        q->f.zones = q->zone_buf;
    }
    if ((rc = prepare_member_of(e, r, q)) != ECS_OK)
        return rc;
    if ((rc = prepare_chain(e, r, q)) != ECS_OK)
        return rc;

    h = 0x243F6A8885A308D3u;
    h = mix(h, q->part_attr);
    h = mix(h, ecs_place__view_group(q));
    h = mix(h, ((uint64_t)q->nkeys << 8) | ((uint64_t)q->random << 4) | (uint64_t)q->distinct);
    for (i = 0; i < q->nkeys; i++)
        h = mix(h, q->keys[i]);
    for (i = 0; i < q->nsports; i++)
        h = mix(h, q->sports[i]);
    h = mix(h, q->f.nattrs);
    for (i = 0; i < q->f.nattrs; i++)
        h = mix(h, q->f.attrs[i]);
    h = mix(h, ((uint64_t)q->f.zones_given << 32) | q->f.nzones);
    for (i = 0; i < q->f.nzones; i++)
        h = mix(h, q->f.zones[i]);
    for (i = 0; i < q->f.nq; i++)
        h = mix(h, ecs_place__hash(q->qs_text[i], q->qs_len[i]));
    q->spec_hash = h;
    return ECS_OK;
}

void ecs_place__req_release(ecs_place *e, ecs_pl_req *q)
{
    if (q->attr_buf != NULL)
        ecs_ctx__release(e->ctx, q->attr_buf, q->attr_cap * sizeof *q->attr_buf);
    if (q->zone_buf != NULL)
        ecs_ctx__release(e->ctx, q->zone_buf, q->zone_cap * sizeof *q->zone_buf);
    q->attr_buf = q->zone_buf = NULL;
}
