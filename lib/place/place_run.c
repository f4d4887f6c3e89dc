/*
 * ecs_place_tasks: place a request's tasks one after the other, and the
 * result object that reports each task's outcome.
 *
 * Each task is chosen through a view when the chain has a fast path (and
 * the view exists or is worth building), else by the full scan; when the
 * chosen way finds nothing, the scan also explains why. A placed task is
 * applied to the engine at once, so the next task sees it. Once a task
 * fails, the rest fail the same way (nothing changed in between).
 *
 * The engine is unchanged when the call fails: every task applied so far
 * is undone (undoing never allocates) and the random generator restored.
 * Without task ids, the placements are undone at the end as well; with
 * dry_run every task is judged against the engine as it stands, and the
 * generator is restored too, so a dry run says what the next real one
 * would do first.
 */
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

typedef struct outrec {
    ecs_place_reason reason;
    bool has_id;
    size_t id_off, id_len;
    size_t ports_off, nports;
    size_t expl_off; /* SIZE_MAX: none */
} outrec;

struct ecs_place_result {
    ecs_ctx *ctx;
    size_t n;
    outrec *recs;
    char *buf;
    size_t blen, bcap;
    uint16_t *ports;
    size_t nports;
};

void ecs_place_result_free(ecs_place_result *res)
{
    if (res == NULL)
        return;
    if (res->recs != NULL)
        ecs_ctx__release(res->ctx, res->recs, res->n * sizeof *res->recs);
    if (res->buf != NULL)
        ecs_ctx__release(res->ctx, res->buf, res->bcap);
    if (res->ports != NULL)
        ecs_ctx__release(res->ctx, res->ports, res->nports * sizeof *res->ports);
    ecs_ctx__release(res->ctx, res, sizeof *res);
}

size_t ecs_place_result_count(const ecs_place_result *res)
{
    return res == NULL ? 0 : res->n;
}

ecs_status ecs_place_result_get(const ecs_place_result *res, size_t index, ecs_place_outcome *out)
{
    const outrec *r;

    if (res == NULL || out == NULL || index >= res->n)
        return ECS_E_INVALID_ARG;
    r = &res->recs[index];
    out->reason = r->reason;
    out->instance_id = r->has_id ? res->buf + r->id_off : NULL;
    out->instance_id_len = r->has_id ? r->id_len : 0;
    out->ports = r->nports != 0 ? res->ports + r->ports_off : NULL;
    out->nports = r->nports;
    out->explanation = r->expl_off != SIZE_MAX ? res->buf + r->expl_off : NULL;
    return ECS_OK;
}

/* Append s[0..len) and a NUL to the result's text buffer. */
static ecs_status put_text(ecs_place_result *res, const char *s, size_t len, size_t *off)
{
    size_t need;
    if (!ecs_ckd_add_size(&need, res->blen, len) || !ecs_ckd_add_size(&need, need, 1))
        return ecs_ctx__fail(res->ctx, ECS_E_LIMIT, "result too large");
    if (need > res->bcap) {
        size_t ncap = res->bcap < 256 ? 256 : res->bcap;
        /* First text: room for one like it per outcome (ids are alike). */
        if (res->bcap == 0 && need <= 4096 && need * res->n <= ((size_t)1 << 20))
            ncap = need * res->n > ncap ? need * res->n : ncap;
        char *p;
        while (ncap < need) {
            if (ncap > SIZE_MAX / 2)
                return ecs_ctx__fail(res->ctx, ECS_E_LIMIT, "result too large");
            ncap *= 2;
        }
        p = res->buf == NULL ? ecs_ctx__alloc(res->ctx, ncap)
                             : ecs_ctx__resize(res->ctx, res->buf, res->bcap, ncap);
        if (p == NULL)
            return ECS_E_NOMEM;
        res->buf = p;
        res->bcap = ncap;
    }
    if (len != 0)
        memcpy(res->buf + res->blen, s, len);
    res->buf[res->blen + len] = '\0';
    *off = res->blen;
    res->blen += len + 1;
    return ECS_OK;
}

static ecs_status result_new(ecs_ctx *ctx, uint32_t count, uint32_t nports, ecs_place_result **out)
{
    ecs_place_result *res = ecs_ctx__alloc(ctx, sizeof *res);
    size_t bytes, np;

    if (res == NULL)
        return ECS_E_NOMEM;
    memset(res, 0, sizeof *res);
    res->ctx = ctx;
    res->n = count;
    res->recs = ecs_ctx__alloc(ctx, (size_t)count * sizeof *res->recs);
    if (res->recs == NULL) {
        res->n = 0;
        ecs_place_result_free(res);
        return ECS_E_NOMEM;
    }
    memset(res->recs, 0, (size_t)count * sizeof *res->recs);
    if (nports != 0) {
        if (!ecs_ckd_mul_size(&np, count, nports) ||
            !ecs_ckd_mul_size(&bytes, np, sizeof *res->ports)) {
            ecs_place_result_free(res);
            return ecs_ctx__fail(ctx, ECS_E_LIMIT, "result too large");
        }
        res->ports = ecs_ctx__alloc(ctx, bytes);
        if (res->ports == NULL) {
            ecs_place_result_free(res);
            return ECS_E_NOMEM;
        }
        res->nports = np;
    }
    *out = res;
    return ECS_OK;
}

typedef struct id_probe {
    const char *const *ids;
    const size_t *lens;
    const char *s;
    size_t len;
} id_probe;

static bool id_eq(const void *probe, uint32_t v)
{
    const id_probe *p = probe;
    return p->lens[v] == p->len && memcmp(p->ids[v], p->s, p->len) == 0;
}

/* Task ids: present, unknown to the engine, distinct. */
static ecs_status check_ids(ecs_place *e, const ecs_place_request *r)
{
    ecs_pl_map seen = {NULL, 0, 0};
    ecs_status rc = ECS_OK;
    uint32_t i;

    if (r->task_id_lens == NULL)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: task_id_lens is NULL");
    if ((rc = ecs_place__map_reserve(e->ctx, &seen, r->count)) != ECS_OK)
        return rc;
    for (i = 0; i < r->count; i++) {
        const char *id = r->task_ids[i];
        size_t len = r->task_id_lens[i];
        uint64_t h;
        id_probe p;
        if (id == NULL || len == 0) {
            rc = ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "request: task id %u is empty",
                               (unsigned)i);
            break;
        }
        h = ecs_place__hash(id, len);
        p.ids = r->task_ids;
        p.lens = r->task_id_lens;
        p.s = id;
        p.len = len;
        if (ecs_place__task_find(e, id, len) != ECS_PL_NIL ||
            ecs_place__map_find(&seen, h, id_eq, &p) != ECS_PL_NIL) {
            rc = ecs_ctx__fail(e->ctx, ECS_E_CONFLICT, "task '%.*s' is already known",
                               (int)(len > 200 ? 200 : len), id);
            break;
        }
        ecs_place__map_put(&seen, h, i);
    }
    ecs_place__map_free(e->ctx, &seen);
    return rc;
}

/* One task's instance: through the view when there is one, else (or when
 * the view is dropped for want of memory) by the full scan. When nothing
 * fits, *fail explains why. */
static ecs_status choose(ecs_place *e, const ecs_pl_req *q, ecs_pl_view **view, uint32_t *slot,
                         ecs_pl_fail *fail)
{
    ecs_status rc;

    if (*view != NULL) {
        rc = ecs_place__view_pick(e, *view, q, slot);
        if (rc == ECS_OK && *slot != ECS_PL_NIL)
            return ECS_OK;
        if (rc != ECS_OK)
            *view = NULL; /* dropped; carry on with the scan */
    }
    return ecs_place__scan(e, q, slot, fail);
}

typedef struct undo {
    uint32_t slot;
    uint32_t task; /* recorded task, or NIL */
} undo;

static void roll_back(ecs_place *e, const ecs_pl_req *q, const undo *log, size_t n,
                      const uint32_t *ports)
{
    while (n-- > 0) {
        if (log[n].task != ECS_PL_NIL)
            ecs_place__task_remove(e, log[n].task);
        else
            ecs_place__unapply(e, log[n].slot, q->cpu, q->mem, q->gpu, q->eni != 0, q->group,
                               ports != NULL ? ports + n * q->nports : NULL, q->nports);
    }
}

ecs_status ecs_place_tasks(ecs_place *e, const ecs_place_request *r, ecs_place_result **out)
{
    ecs_pl_req q;
    ecs_place_result *res = NULL;
    ecs_pl_view *view = NULL;
    undo *log = NULL;
    uint32_t *ports = NULL; /* encoded ports of each placed task */
    size_t nplaced = 0, k, nlog = 0;
    ecs_rng saved;
    ecs_status rc;
    bool record, failed = false;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    if (r == NULL || out == NULL)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "ecs_place_tasks: NULL request or out");
    saved = e->rng;
    memset(&q, 0, sizeof q);
    if ((rc = ecs_place__req_prepare(e, r, &q)) != ECS_OK)
        goto done;
    record = r->task_ids != NULL && !r->dry_run;
    if (record && (rc = check_ids(e, r)) != ECS_OK)
        goto done;
    if ((rc = result_new(e->ctx, r->count, q.nports, &res)) != ECS_OK)
        goto done;
    nlog = r->dry_run ? 1 : r->count;
    log = ecs_ctx__alloc(e->ctx, nlog * sizeof *log);
    if (log == NULL) {
        rc = ECS_E_NOMEM;
        goto done;
    }
    if (q.nports != 0) {
        ports = ecs_ctx__alloc(e->ctx, nlog * q.nports * sizeof *ports);
        if (ports == NULL) {
            rc = ECS_E_NOMEM;
            goto done;
        }
    }
    view = ecs_place__view_get(e, &q);

    for (k = 0; k < r->count; k++) {
        outrec *rec = &res->recs[k];
        uint32_t slot, i;
        ecs_pl_fail fail;
        uint32_t *tp = ports != NULL ? ports + nplaced * q.nports : NULL;

        rec->expl_off = SIZE_MAX;
        if (failed || (r->dry_run && k > 0)) {
            /* Same engine state, same answer. */
            *rec = res->recs[k - 1];
            if (rec->nports != 0) {
                rec->ports_off = k * q.nports;
                memcpy(res->ports + rec->ports_off, res->ports + res->recs[k - 1].ports_off,
                       q.nports * sizeof *res->ports);
            }
            continue;
        }
        if (record) {
            /* A recorded task's random draws come from its own id: the
             * same task places the same way in an engine rebuilt from the
             * same state (a restored plane), whatever was drawn before. */
            uint64_t h = e->seed ^ 0x9E3779B97F4A7C15u;
            for (size_t c = 0; c < r->task_id_lens[k]; c++)
                h = (h ^ (unsigned char)r->task_ids[k][c]) * 0x100000001B3u;
            ecs_rng_seed(&e->rng, h);
        }
        if ((rc = choose(e, &q, &view, &slot, &fail)) != ECS_OK)
            goto done;
        if (slot == ECS_PL_NIL) {
            ecs_str text = {NULL, 0};
            failed = true;
            rec->reason = fail.closest != ECS_PL_NIL ? ecs_place__reason_of(fail.closest_eval.mask)
                                                     : ECS_PLACE_NO_INSTANCES;
            if (fail.closest != ECS_PL_NIL) {
                const ecs_str *id = &e->inst[fail.closest].id;
                if ((rc = put_text(res, id->p, id->len, &rec->id_off)) != ECS_OK)
                    goto done;
                rec->has_id = true;
                rec->id_len = id->len;
            }
            if ((rc = ecs_place__explain(e, &q, &fail, &text)) != ECS_OK)
                goto done;
            rc = put_text(res, text.p, text.len, &rec->expl_off);
            ecs_str__free(e->ctx, &text);
            if (rc != ECS_OK)
                goto done;
            continue;
        }
        ECS_PL_PREFETCH(&e->inst[slot].id); /* its second line, read below */
        if ((rc = ecs_place__apply(e, slot, &q, tp)) != ECS_OK) {
            if (rc == ECS_E_CONFLICT)
                rc = ecs_ctx__fail(e->ctx, ECS_E_INTERNAL,
                                   "placement chose an instance that does not fit");
            goto done;
        }
        ECS_PL_PREFETCH(e->inst[slot].id.p); /* copied into the result below */
        log[nplaced].slot = slot;
        log[nplaced].task = ECS_PL_NIL;
        nplaced++;
        if (record) {
            rc = ecs_place__record(e, r->task_ids[k], r->task_id_lens[k], slot, &q, tp,
                                   &log[nplaced - 1].task);
            if (rc != ECS_OK)
                goto done;
        }
        rec->reason = ECS_PLACE_OK;
        rec->has_id = true;
        rec->id_len = e->inst[slot].id.len;
        if ((rc = put_text(res, e->inst[slot].id.p, rec->id_len, &rec->id_off)) != ECS_OK)
            goto done;
        rec->nports = q.nports;
        rec->ports_off = k * q.nports;
        for (i = 0; i < q.nports; i++)
            res->ports[rec->ports_off + i] = (uint16_t)(tp[i] & 0xFFFFu);
        if (r->dry_run) {
            roll_back(e, &q, log, nplaced, ports);
            nplaced = 0;
        }
    }
    if (!record)
        roll_back(e, &q, log, nplaced, ports);
    if (r->dry_run)
        e->rng = saved;
    *out = res;
    res = NULL;
    rc = ECS_OK;
done:
    if (rc != ECS_OK) {
        roll_back(e, &q, log, nplaced, ports);
        e->rng = saved;
    }
    if (log != NULL)
        ecs_ctx__release(e->ctx, log, nlog * sizeof *log);
    if (ports != NULL)
        ecs_ctx__release(e->ctx, ports, nlog * q.nports * sizeof *ports);
    ecs_place_result_free(res);
    ecs_place__req_release(e, &q);
    return rc;
}
