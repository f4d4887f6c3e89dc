/*
 * The placement engine's lifecycle and its instances: adding, updating and
 * removing them, and what they have left.
 *
 * Instances live in slots of one array of ecs_pl_inst, whose first cache
 * line holds what choosing and applying a task touch (remaining resources,
 * the first task groups, counts), so that one placement costs few cache
 * misses even when the cluster is far larger than the caches; the tie rank
 * and status flags sit in arrays of their own. Slots are stable and reused
 * through a free list. Any change is written to the views' change log.
 */
#include <stdlib.h>
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

/* The instance array is aligned to 64 bytes so that the first 64 bytes of
 * each (what a placement touches) are one cache line. */
#define INST_ALIGN 64u

static const char *const reason_text[] = {
    "OK",
    "No Container Instances were found in your cluster.",
    "AGENT",
    "ATTRIBUTE",
    "LOCATION",
    "RESOURCE:CPU",
    "RESOURCE:MEMORY",
    "RESOURCE:PORTS",
    "RESOURCE:ENI",
    "RESOURCE:GPU",
    "CONSTRAINT",
};

const char *ecs_place_reason_str(ecs_place_reason reason)
{
    size_t i = (size_t)reason;
    if (i >= sizeof reason_text / sizeof reason_text[0])
        return "UNKNOWN";
    return reason_text[i];
}

#define OPT_HAS(opts, type, member)                                                                \
    ((opts)->struct_size >= offsetof(type, member) + sizeof((opts)->member))

ecs_status ecs_place_new(ecs_ctx *ctx, const ecs_place_options *opts, ecs_place **out)
{
    ecs_place *e;
    uint64_t seed = 0;
    ecs_status rc;

    if (ctx == NULL || out == NULL)
        return ctx == NULL ? ECS_E_INVALID_ARG
                           : ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_place_new: out is NULL");
    if (opts != NULL) {
        if (opts->struct_size < sizeof(uint32_t))
            return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_place_options: bad struct_size");
        if (OPT_HAS(opts, ecs_place_options, seed))
            seed = opts->seed;
    }
    e = ecs_ctx__alloc(ctx, sizeof *e);
    if (e == NULL)
        return ECS_E_NOMEM;
    memset(e, 0, sizeof *e);
    e->ctx = ctx;
    e->free_slot = ECS_PL_NIL;
    e->free_task = ECS_PL_NIL;
    ecs_rng_seed(&e->rank_rng, seed);
    ecs_rng_seed(&e->rng, seed ^ 0x5DEECE66D2545F49u);
    e->seed = seed;
    rc = ecs_place__atom_intern(e, "", 0, &e->empty_atom);
    if (rc == ECS_OK)
        rc = ecs_place__atom_intern(e, "ecs.availability-zone", 21, &e->az_atom);
    if (rc != ECS_OK) {
        ecs_place_free(e);
        return rc;
    }
    *out = e;
    return ECS_OK;
}

static void inst_release(ecs_ctx *ctx, ecs_pl_inst *in)
{
    int p;
    ecs_str__free(ctx, &in->id);
    ecs_str__free(ctx, &in->ec2);
    ecs_str__free(ctx, &in->agent);
    ecs_vec__free(ctx, in->attrs, in->cattrs, sizeof *in->attrs);
    if (in->cgroups != 0)
        ecs_vec__free(ctx, in->groups, in->cgroups, sizeof *in->groups);
    for (p = 0; p < 2; p++) {
        ecs_place__ports_free(ctx, &in->used[p]);
        ecs_place__ports_free(ctx, &in->res[p]);
    }
    in->attrs = NULL;
    in->groups = NULL;
    in->nattrs = in->cattrs = in->ngroups = in->cgroups = 0;
}

static void task_release(ecs_ctx *ctx, ecs_pl_task *t)
{
    ecs_str__free(ctx, &t->id);
    if (t->ports != NULL)
        ecs_ctx__release(ctx, t->ports, (size_t)t->nports * sizeof *t->ports);
    t->ports = NULL;
}

void ecs_place_free(ecs_place *e)
{
    ecs_ctx *ctx;
    size_t i;

    if (e == NULL)
        return;
    ctx = e->ctx;
    ecs_place__views_free(e);
    for (i = 0; i < ECS_PL_MAX_QCACHE; i++) {
        if (e->qcache[i].q != NULL) {
            ecs_query__free(ctx, e->qcache[i].q);
            ecs_ctx__release(ctx, e->qcache[i].text, e->qcache[i].len + 1);
        }
    }
    for (i = 0; i < e->nslots; i++)
        if (e->flags[i] & ECS_PL_LIVE)
            inst_release(ctx, &e->inst[i]);
    for (i = 0; i < e->ntasks_rec; i++)
        if (e->tasks[i].live)
            task_release(ctx, &e->tasks[i]);
    ecs_vec__free(ctx, e->tasks, e->ctasks, sizeof *e->tasks);
    ecs_place__map_free(ctx, &e->task_map);
    ecs_place__map_free(ctx, &e->ids);
    for (i = 0; i < e->natoms; i++)
        ecs_str__free(ctx, &e->atoms[i]);
    ecs_vec__free(ctx, e->atoms, e->catoms, sizeof *e->atoms);
    ecs_place__map_free(ctx, &e->atom_map);
    if (e->cslots != 0) {
        ecs_ctx__release(ctx, e->rank, e->cslots * sizeof *e->rank);
        ecs_ctx__release(ctx, e->flags, e->cslots * sizeof *e->flags);
        ecs_ctx__release(ctx, e->inst_raw, e->cslots * sizeof *e->inst + INST_ALIGN);
    }
    if (e->scr_count != NULL)
        ecs_ctx__release(ctx, e->scr_count, e->scr_count_cap * sizeof *e->scr_count);
    if (e->scr_slots != NULL)
        ecs_ctx__release(ctx, e->scr_slots, e->scr_slots_cap * sizeof *e->scr_slots);
    if (e->log != NULL)
        ecs_ctx__release(ctx, e->log, e->logcap * sizeof *e->log);
    if (e->rank_order != NULL)
        ecs_ctx__release(ctx, e->rank_order, e->rank_order_cap * sizeof *e->rank_order);
    ecs_ctx__release(ctx, e, sizeof *e);
}

void ecs_place__set_mode(ecs_place *e, ecs_pl_mode mode)
{
    if (e != NULL)
        e->mode = mode;
}

/* ------------------------------------------------------------------------ */
/* Slots                                                                     */

typedef struct id_probe {
    const ecs_place *e;
    const char *s;
    size_t len;
} id_probe;

static bool id_eq(const void *probe, uint32_t v)
{
    const id_probe *p = probe;
    return ecs_str__eq(&p->e->inst[v].id, p->s, p->len);
}

uint32_t ecs_place__slot_find(const ecs_place *e, const char *id, size_t len)
{
    id_probe p;
    p.e = e;
    p.s = id;
    p.len = len;
    return ecs_place__map_find(&e->ids, ecs_place__hash(id, len), id_eq, &p);
}

static ecs_pl_inst *inst_aligned(void *raw)
{
    uintptr_t p = (uintptr_t)raw;
    return (ecs_pl_inst *)(p + ((INST_ALIGN - p % INST_ALIGN) % INST_ALIGN));
}

/* Room for one more slot. The arrays are replaced by new ones only when
 * every one of them could be allocated, so a failure leaves the engine as
 * it was. */
static ecs_status reserve_slot(ecs_place *e)
{
    void *rank, *flags, *inst;
    size_t ncap, c = e->cslots, b_rank, b_flags, b_inst;

    if (e->free_slot != ECS_PL_NIL || e->nslots < e->cslots)
        return ecs_place__map_reserve(e->ctx, &e->ids, (size_t)e->nlive + 1);
    if (e->cslots >= ECS_PL_MAX_SLOTS)
        return ecs_ctx__fail(e->ctx, ECS_E_LIMIT, "too many instances");
    ncap = c < 16 ? 16 : c * 2;
    if (ncap > ECS_PL_MAX_SLOTS)
        ncap = ECS_PL_MAX_SLOTS;
    if (!ecs_ckd_mul_size(&b_rank, ncap, sizeof *e->rank) ||
        !ecs_ckd_mul_size(&b_flags, ncap, sizeof *e->flags) ||
        !ecs_ckd_mul_size(&b_inst, ncap, sizeof *e->inst) ||
        !ecs_ckd_add_size(&b_inst, b_inst, INST_ALIGN))
        return ecs_ctx__fail(e->ctx, ECS_E_LIMIT, "too many instances");
    rank = ecs_ctx__alloc(e->ctx, b_rank);
    flags = rank != NULL ? ecs_ctx__alloc(e->ctx, b_flags) : NULL;
    inst = flags != NULL ? ecs_ctx__alloc(e->ctx, b_inst) : NULL;
    if (inst == NULL || ecs_place__map_reserve(e->ctx, &e->ids, (size_t)e->nlive + 1) != ECS_OK) {
        if (inst != NULL)
            ecs_ctx__release(e->ctx, inst, b_inst);
        if (flags != NULL)
            ecs_ctx__release(e->ctx, flags, b_flags);
        if (rank != NULL)
            ecs_ctx__release(e->ctx, rank, b_rank);
        return ECS_E_NOMEM;
    }
    if (c != 0) {
        memcpy(rank, e->rank, c * sizeof *e->rank);
        memcpy(flags, e->flags, c * sizeof *e->flags);
        memcpy(inst_aligned(inst), e->inst, c * sizeof *e->inst);
        ecs_ctx__release(e->ctx, e->rank, c * sizeof *e->rank);
        ecs_ctx__release(e->ctx, e->flags, c * sizeof *e->flags);
        ecs_ctx__release(e->ctx, e->inst_raw, c * sizeof *e->inst + INST_ALIGN);
    }
    e->rank = rank;
    e->flags = flags;
    e->inst_raw = inst;
    e->inst = inst_aligned(inst);
    e->cslots = (uint32_t)ncap;
    ecs_place__views_outgrown(e);
    return ECS_OK;
}

/* ------------------------------------------------------------------------ */
/* Instances                                                                 */

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* A sorted, duplicate-free copy of ports[0..n). */
static ecs_status ports_from(ecs_ctx *ctx, const uint16_t *ports, size_t n, ecs_pl_ports *out)
{
    size_t i, k = 0;
    uint16_t *v;

    out->v = NULL;
    out->n = out->cap = 0;
    if (n == 0)
        return ECS_OK;
    v = ecs_ctx__alloc(ctx, n * sizeof *v);
    if (v == NULL)
        return ECS_E_NOMEM;
    memcpy(v, ports, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_u16);
    for (i = 0; i < n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    out->v = v;
    out->n = (uint32_t)k;
    out->cap = (uint32_t)n;
    return ECS_OK;
}

/* (used \ old_res) u new_res, sorted, into *out. */
static ecs_status ports_rebase(ecs_ctx *ctx, const ecs_pl_ports *used, const ecs_pl_ports *old_res,
                               const ecs_pl_ports *new_res, ecs_pl_ports *out)
{
    size_t cap = (size_t)used->n + new_res->n, i = 0, j = 0, k = 0;
    uint16_t *v;

    out->v = NULL;
    out->n = out->cap = 0;
    if (cap == 0)
        return ECS_OK;
    v = ecs_ctx__alloc(ctx, cap * sizeof *v);
    if (v == NULL)
        return ECS_E_NOMEM;
    while (i < used->n || j < new_res->n) {
        uint16_t p;
        if (j >= new_res->n || (i < used->n && used->v[i] < new_res->v[j])) {
            p = used->v[i++];
            if (ecs_place__ports_has(old_res, p))
                continue;
        } else if (i >= used->n || new_res->v[j] < used->v[i]) {
            p = new_res->v[j++];
        } else {
            p = used->v[i++];
            j++;
        }
        v[k++] = p;
    }
    out->v = v;
    out->n = (uint32_t)k;
    out->cap = (uint32_t)cap;
    return ECS_OK;
}

static bool bad_str(const char *s, size_t len)
{
    return s == NULL && len != 0;
}

ecs_status ecs_place_set_instance(ecs_place *e, const ecs_place_instance *in)
{
    ecs_ctx *ctx;
    ecs_pl_ports res[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
    ecs_pl_ports used[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
    ecs_str id = {NULL, 0}, ec2 = {NULL, 0}, agent = {NULL, 0};
    uint16_t first, last;
    uint32_t slot;
    ecs_pl_inst *it;
    ecs_status rc;
    int p;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    ctx = e->ctx;
    if (in == NULL || in->struct_size < sizeof *in)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "instance: NULL or bad struct_size");
    if (in->id == NULL || in->id_len == 0)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "instance: the id is empty");
    if (bad_str(in->ec2_instance_id, in->ec2_instance_id_len) ||
        bad_str(in->agent_version, in->agent_version_len) ||
        (in->nreserved_tcp != 0 && in->reserved_tcp == NULL) ||
        (in->nreserved_udp != 0 && in->reserved_udp == NULL))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "instance: NULL pointer with a length");
    first = in->ephemeral_first;
    last = in->ephemeral_last;
    if (first == 0 && last == 0) {
        first = (uint16_t)ECS_PL_EPH_FIRST;
        last = (uint16_t)ECS_PL_EPH_LAST;
    } else if (first == 0 || last < first) {
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "instance: ephemeral port range %u..%u",
                             (unsigned)in->ephemeral_first, (unsigned)in->ephemeral_last);
    }
    if ((rc = ports_from(ctx, in->reserved_tcp, in->nreserved_tcp, &res[0])) != ECS_OK ||
        (rc = ports_from(ctx, in->reserved_udp, in->nreserved_udp, &res[1])) != ECS_OK)
        goto done;
    if ((res[0].n != 0 && res[0].v[0] == 0) || (res[1].n != 0 && res[1].v[0] == 0)) {
        rc = ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "instance: reserved port 0");
        goto done;
    }
    if ((size_t)res[0].n + res[1].n > ECS_PL_PORT_LIMIT) {
        rc = ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "instance: %u reserved ports, limit is %u",
                           (unsigned)(res[0].n + res[1].n), ECS_PL_PORT_LIMIT);
        goto done;
    }
    if ((rc = ecs_str__dup(ctx, &ec2, in->ec2_instance_id, in->ec2_instance_id_len)) != ECS_OK ||
        (rc = ecs_str__dup(ctx, &agent, in->agent_version, in->agent_version_len)) != ECS_OK)
        goto done;

    slot = ecs_place__slot_find(e, in->id, in->id_len);
    if (slot != ECS_PL_NIL) {
        it = &e->inst[slot];
        if (in->cpu < it->cap_cpu - e->inst[slot].rem.cpu ||
            in->memory_mib < it->cap_mem - e->inst[slot].rem.mem ||
            in->gpus < it->cap_gpu - e->inst[slot].rem.gpu ||
            in->eni_slots < it->cap_eni - e->inst[slot].rem.eni) {
            rc = ecs_ctx__fail(ctx, ECS_E_CONFLICT,
                               "instance '%.*s': its tasks use more than the new registration",
                               (int)(in->id_len > 200 ? 200 : in->id_len), in->id);
            goto done;
        }
        for (p = 0; p < 2; p++) {
            uint32_t i;
            for (i = 0; i < res[p].n; i++) {
                if (ecs_place__ports_has(&it->used[p], res[p].v[i]) &&
                    !ecs_place__ports_has(&it->res[p], res[p].v[i])) {
                    rc = ecs_ctx__fail(ctx, ECS_E_CONFLICT,
                                       "instance '%.*s': port %u/%s is held by a task",
                                       (int)(in->id_len > 200 ? 200 : in->id_len), in->id,
                                       (unsigned)res[p].v[i], p ? "udp" : "tcp");
                    goto done;
                }
            }
        }
        if ((size_t)res[0].n + res[1].n + it->nstatic > ECS_PL_PORT_LIMIT) {
            rc = ecs_ctx__fail(
                ctx, ECS_E_CONFLICT, "instance '%.*s': reserved and task ports would exceed %u",
                (int)(in->id_len > 200 ? 200 : in->id_len), in->id, ECS_PL_PORT_LIMIT);
            goto done;
        }
        for (p = 0; p < 2; p++)
            if ((rc = ports_rebase(ctx, &it->used[p], &it->res[p], &res[p], &used[p])) != ECS_OK)
                goto done;
        /* Commit: nothing below can fail. */
        for (p = 0; p < 2; p++) {
            ecs_place__ports_free(ctx, &it->used[p]);
            ecs_place__ports_free(ctx, &it->res[p]);
            it->used[p] = used[p];
            it->res[p] = res[p];
            used[p].v = res[p].v = NULL;
        }
        e->inst[slot].rem.cpu = in->cpu - (it->cap_cpu - e->inst[slot].rem.cpu);
        e->inst[slot].rem.mem = in->memory_mib - (it->cap_mem - e->inst[slot].rem.mem);
        e->inst[slot].rem.gpu = in->gpus - (it->cap_gpu - e->inst[slot].rem.gpu);
        e->inst[slot].rem.eni = in->eni_slots - (it->cap_eni - e->inst[slot].rem.eni);
    } else {
        for (p = 0; p < 2; p++) {
            used[p].n = 0;
            if (res[p].n != 0) {
                used[p].v = ecs_ctx__alloc(ctx, res[p].n * sizeof *used[p].v);
                if (used[p].v == NULL) {
                    rc = ECS_E_NOMEM;
                    goto done;
                }
                memcpy(used[p].v, res[p].v, res[p].n * sizeof *used[p].v);
                used[p].n = used[p].cap = res[p].n;
            }
        }
        if ((rc = ecs_str__dup(ctx, &id, in->id, in->id_len)) != ECS_OK)
            goto done;
        if ((rc = reserve_slot(e)) != ECS_OK)
            goto done;
        if (e->free_slot != ECS_PL_NIL) {
            slot = e->free_slot;
            e->free_slot = e->inst[slot].next_free;
        } else {
            slot = e->nslots++;
        }
        it = &e->inst[slot];
        memset(it, 0, sizeof *it);
        it->id = id;
        id.p = NULL;
        it->first_task = ECS_PL_NIL;
        it->next_free = ECS_PL_NIL;
        for (p = 0; p < 2; p++) {
            it->used[p] = used[p];
            it->res[p] = res[p];
            used[p].v = res[p].v = NULL;
        }
        e->inst[slot].rem.cpu = in->cpu;
        e->inst[slot].rem.mem = in->memory_mib;
        e->inst[slot].rem.gpu = in->gpus;
        e->inst[slot].rem.eni = in->eni_slots;
        e->rank[slot] = ecs_rng_next(&e->rank_rng);
        e->nlive++;
        e->rank_order_ok = false;
        ecs_place__map_put(&e->ids, ecs_place__hash(in->id, in->id_len), slot);
    }
    it->cap_cpu = in->cpu;
    it->cap_mem = in->memory_mib;
    it->cap_gpu = in->gpus;
    it->cap_eni = in->eni_slots;
    ecs_str__free(ctx, &it->ec2);
    ecs_str__free(ctx, &it->agent);
    it->ec2 = ec2;
    it->agent = agent;
    ec2.p = agent.p = NULL;
    it->has_agent = in->agent_version != NULL;
    it->registered_at_ms = in->registered_at_ms;
    it->eph_first = first;
    it->eph_last = last;
    e->flags[slot] = (uint8_t)(ECS_PL_LIVE | (in->active ? ECS_PL_ACTIVE : 0u) |
                               (in->agent_connected ? ECS_PL_AGENT : 0u));
    ecs_place__views_touch(e, slot, true);
    rc = ECS_OK;
done:
    for (p = 0; p < 2; p++) {
        ecs_place__ports_free(ctx, &res[p]);
        ecs_place__ports_free(ctx, &used[p]);
    }
    ecs_str__free(ctx, &id);
    ecs_str__free(ctx, &ec2);
    ecs_str__free(ctx, &agent);
    return rc;
}

ecs_status ecs_place_remove_instance(ecs_place *e, const char *id, size_t id_len)
{
    uint32_t slot, t;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    if (bad_str(id, id_len))
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "remove_instance: NULL id");
    slot = ecs_place__slot_find(e, id, id_len);
    if (slot == ECS_PL_NIL)
        return ecs_ctx__fail(e->ctx, ECS_E_NOT_FOUND, "no instance '%.*s'",
                             (int)(id_len > 200 ? 200 : id_len), id);
    /* Forget its tasks without giving resources back one by one. */
    for (t = e->inst[slot].first_task; t != ECS_PL_NIL;) {
        ecs_pl_task *tk = &e->tasks[t];
        uint32_t next = tk->next;
        ecs_place__map_del(&e->task_map, ecs_place__hash(tk->id.p, tk->id.len), t);
        task_release(e->ctx, tk);
        tk->live = false;
        tk->next = e->free_task;
        e->free_task = t;
        t = next;
    }
    ecs_place__views_forget(e, slot);
    ecs_place__map_del(&e->ids, ecs_place__hash(id, id_len), slot);
    inst_release(e->ctx, &e->inst[slot]);
    e->flags[slot] = 0;
    e->inst[slot].ntasks = 0;
    e->inst[slot].next_free = e->free_slot;
    e->free_slot = slot;
    e->nlive--;
    e->rank_order_ok = false;
    return ECS_OK;
}

size_t ecs_place_instance_count(const ecs_place *e)
{
    return e == NULL ? 0 : e->nlive;
}

ecs_status ecs_place_remaining(const ecs_place *e, const char *id, size_t id_len, uint32_t *out_cpu,
                               uint32_t *out_memory_mib, uint32_t *out_gpus,
                               uint32_t *out_eni_slots, uint32_t *out_running_tasks)
{
    uint32_t slot;

    if (e == NULL || bad_str(id, id_len))
        return ECS_E_INVALID_ARG;
    slot = ecs_place__slot_find(e, id, id_len);
    if (slot == ECS_PL_NIL)
        return ECS_E_NOT_FOUND;
    if (out_cpu != NULL)
        *out_cpu = e->inst[slot].rem.cpu;
    if (out_memory_mib != NULL)
        *out_memory_mib = e->inst[slot].rem.mem;
    if (out_gpus != NULL)
        *out_gpus = e->inst[slot].rem.gpu;
    if (out_eni_slots != NULL)
        *out_eni_slots = e->inst[slot].rem.eni;
    if (out_running_tasks != NULL)
        *out_running_tasks = e->inst[slot].ntasks;
    return ECS_OK;
}
