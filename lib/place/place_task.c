/*
 * Tasks on instances: what one takes (resources, a group count, host
 * ports) and how it is given back.
 *
 * ecs_place__apply checks and takes; it first makes room for everything it
 * will store (a group entry, port set capacity) so that once it starts
 * changing the instance nothing can fail. ecs_place__unapply is its exact
 * inverse and never allocates, which is what lets a failed or simulated
 * request roll back completely. Host ports are sorted sets per protocol
 * holding both the ports reserved at registration and those held by tasks;
 * a dynamic port is the lowest free one of the instance's ephemeral range.
 */
#include <string.h>

#include "place/place_internal.h"
#include "util/ckd.h"

void ecs_place__ports_free(ecs_ctx *ctx, ecs_pl_ports *p)
{
    if (p->v != NULL)
        ecs_ctx__release(ctx, p->v, (size_t)p->cap * sizeof *p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

static uint32_t lower_bound(const ecs_pl_ports *p, uint32_t port)
{
    uint32_t lo = 0, hi = p->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->v[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool ecs_place__ports_has(const ecs_pl_ports *p, uint16_t port)
{
    uint32_t i = lower_bound(p, port);
    return i < p->n && p->v[i] == port;
}

static ecs_status ports_reserve(ecs_ctx *ctx, ecs_pl_ports *p, uint32_t more)
{
    size_t cap = p->cap;
    ecs_status rc;
    if ((size_t)p->n + more <= p->cap)
        return ECS_OK;
    rc = ecs_vec__reserve(ctx, (void **)&p->v, &cap, sizeof *p->v, (size_t)p->n + more);
    if (rc == ECS_OK)
        p->cap = (uint32_t)cap;
    return rc;
}

static void ports_insert(ecs_pl_ports *p, uint16_t port)
{
    uint32_t i = lower_bound(p, port);
    memmove(&p->v[i + 1], &p->v[i], (p->n - i) * sizeof *p->v);
    p->v[i] = port;
    p->n++;
}

static void ports_erase(ecs_pl_ports *p, uint16_t port)
{
    uint32_t i = lower_bound(p, port);
    if (i < p->n && p->v[i] == port) {
        memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof *p->v);
        p->n--;
    }
}

uint32_t ecs_place__group_count(const ecs_place *e, uint32_t slot, uint32_t group)
{
    const ecs_pl_inst *it = &e->inst[slot];
    const ecs_pl_gc *g = ecs_pl_groups(it);
    uint32_t i;
    for (i = 0; i < it->ngroups; i++)
        if (g[i].group == group)
            return g[i].count;
    return 0;
}

bool ecs_place__ports_blocked(const ecs_place *e, uint32_t slot, const uint32_t *sports,
                              uint32_t nsports)
{
    const ecs_pl_inst *it = &e->inst[slot];
    uint32_t i;

    if (nsports == 0)
        return false;
    if ((size_t)it->res[0].n + it->res[1].n + it->nstatic + nsports > ECS_PL_PORT_LIMIT)
        return true;
    for (i = 0; i < nsports; i++)
        if (ecs_place__ports_has(&it->used[(sports[i] & ECS_PL_PORT_UDP) ? 1 : 0],
                                 (uint16_t)(sports[i] & 0xFFFFu)))
            return true;
    return false;
}

bool ecs_place__dyn_ports_ok(const ecs_place *e, uint32_t slot, const ecs_pl_req *q)
{
    const ecs_pl_inst *it = &e->inst[slot];
    int p;

    for (p = 0; p < 2; p++) {
        uint32_t range, used, i;
        if (q->ndyn[p] == 0)
            continue;
        range = (uint32_t)it->eph_last - it->eph_first + 1u;
        used = lower_bound(&it->used[p], (uint32_t)it->eph_last + 1u) -
               lower_bound(&it->used[p], it->eph_first);
        for (i = 0; i < q->nsports; i++) {
            uint32_t sp = q->sports[i] & 0xFFFFu;
            if (((q->sports[i] & ECS_PL_PORT_UDP) != 0) == (p == 1) && sp >= it->eph_first &&
                sp <= it->eph_last)
                used++;
        }
        if (used > range || range - used < q->ndyn[p])
            return false;
    }
    return true;
}

static bool chosen_has(const uint32_t *out, uint32_t n, uint32_t enc)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        if ((out[i] & (0xFFFFu | ECS_PL_PORT_UDP)) == enc)
            return true;
    return false;
}

/* Assign the dynamic ports of q (in need order) into out; false when the
 * ephemeral range runs out. Static entries are copied as they are. */
static bool assign_ports(const ecs_place *e, uint32_t slot, const ecs_pl_req *q, uint32_t *out)
{
    const ecs_pl_inst *it = &e->inst[slot];
    uint32_t cursor[2], k;

    cursor[0] = cursor[1] = it->eph_first;
    for (k = 0; k < q->nports; k++)
        out[k] = (uint32_t)q->ports[k].port | (q->ports[k].udp ? ECS_PL_PORT_UDP : 0u) |
                 (q->ports[k].port != 0 && q->ports[k].dynamic ? ECS_PL_PORT_DYN : 0u);
    for (k = 0; k < q->nports; k++) {
        int p = q->ports[k].udp ? 1 : 0;
        const ecs_pl_ports *u = &it->used[p];
        uint32_t port = cursor[p], idx;
        if (q->ports[k].port != 0)
            continue;
        idx = lower_bound(u, port);
        for (;;) {
            uint32_t enc = port | (p ? ECS_PL_PORT_UDP : 0u);
            if (port > it->eph_last)
                return false;
            while (idx < u->n && u->v[idx] < port)
                idx++;
            if (idx < u->n && u->v[idx] == port) {
                port++;
                continue;
            }
            if (chosen_has(out, q->nports, enc)) {
                port++;
                continue;
            }
            break;
        }
        out[k] = port | (p ? ECS_PL_PORT_UDP : 0u) | ECS_PL_PORT_DYN;
        cursor[p] = port + 1;
    }
    return true;
}

ecs_status ecs_place__apply(ecs_place *e, uint32_t slot, const ecs_pl_req *q, uint32_t *ports_out)
{
    ecs_pl_inst *it = &e->inst[slot];
    uint32_t i, more[2] = {0, 0}, gi;
    const ecs_pl_gc *g;
    ecs_pl_gc *gw;
    ecs_status rc;

    if (it->rem.cpu < q->cpu || it->rem.mem < q->mem || it->rem.gpu < q->gpu ||
        it->rem.eni < q->eni)
        return ecs_ctx__fail(e->ctx, ECS_E_CONFLICT,
                             "instance '%s' lacks the resources: it has %u CPU units, %u MiB, "
                             "%u GPUs and %u ENI slots left; the task needs %u, %u, %u and %u",
                             ecs_str__c(&it->id), (unsigned)it->rem.cpu, (unsigned)it->rem.mem,
                             (unsigned)it->rem.gpu, (unsigned)it->rem.eni, (unsigned)q->cpu,
                             (unsigned)q->mem, (unsigned)q->gpu, (unsigned)q->eni);
    if (ecs_place__ports_blocked(e, slot, q->sports, q->nsports))
        return ecs_ctx__fail(e->ctx, ECS_E_CONFLICT,
                             "instance '%s': a static host port is taken or the %u-port limit "
                             "would be exceeded",
                             ecs_str__c(&it->id), ECS_PL_PORT_LIMIT);
    for (i = 0; q->nheld != 0 && i < q->nports; i++) {
        if (q->ports[i].port != 0 && q->ports[i].dynamic &&
            ecs_place__ports_has(&it->used[q->ports[i].udp ? 1 : 0], q->ports[i].port))
            return ecs_ctx__fail(e->ctx, ECS_E_CONFLICT, "instance '%s': host port %u/%s is taken",
                                 ecs_str__c(&it->id), (unsigned)q->ports[i].port,
                                 q->ports[i].udp ? "udp" : "tcp");
    }
    if (q->nports != 0 && !assign_ports(e, slot, q, ports_out))
        return ecs_ctx__fail(e->ctx, ECS_E_CONFLICT,
                             "instance '%s': no free port in its ephemeral range %u..%u",
                             ecs_str__c(&it->id), (unsigned)it->eph_first, (unsigned)it->eph_last);
    /* Make room first: nothing below may fail. */
    g = ecs_pl_groups(it);
    for (gi = 0; gi < it->ngroups; gi++)
        if (g[gi].group == q->group)
            break;
    if (gi == it->ngroups && it->cgroups != 0) {
        size_t cap = it->cgroups;
        rc = ecs_vec__reserve(e->ctx, (void **)&it->groups, &cap, sizeof *it->groups,
                              (size_t)it->ngroups + 1);
        if (rc != ECS_OK)
            return rc;
        it->cgroups = (uint32_t)cap;
    } else if (gi == it->ngroups && it->ngroups == 2) {
        /* the third group: move them all to the heap */
        size_t cap = 0;
        ecs_pl_gc *heap = NULL;
        rc = ecs_vec__reserve(e->ctx, (void **)&heap, &cap, sizeof *heap, 3);
        if (rc != ECS_OK)
            return rc;
        memcpy(heap, it->gin, sizeof it->gin);
        it->groups = heap;
        it->cgroups = (uint32_t)cap;
    }
    for (i = 0; i < q->nports; i++)
        more[(ports_out[i] & ECS_PL_PORT_UDP) ? 1 : 0]++;
    if ((more[0] && (rc = ports_reserve(e->ctx, &it->used[0], more[0])) != ECS_OK) ||
        (more[1] && (rc = ports_reserve(e->ctx, &it->used[1], more[1])) != ECS_OK))
        return rc;

    e->inst[slot].rem.cpu -= q->cpu;
    e->inst[slot].rem.mem -= q->mem;
    e->inst[slot].rem.gpu -= q->gpu;
    e->inst[slot].rem.eni -= q->eni;
    e->inst[slot].ntasks++;
    gw = it->cgroups != 0 ? it->groups : it->gin;
    if (gi == it->ngroups) {
        gw[gi].group = q->group;
        gw[gi].count = 0;
        it->ngroups++;
    }
    gw[gi].count++;
    for (i = 0; i < q->nports; i++) {
        ports_insert(&it->used[(ports_out[i] & ECS_PL_PORT_UDP) ? 1 : 0],
                     (uint16_t)(ports_out[i] & 0xFFFFu));
        if (!(ports_out[i] & ECS_PL_PORT_DYN))
            it->nstatic++;
    }
    ecs_place__views_touch(e, slot, false);
    return ECS_OK;
}

void ecs_place__unapply(ecs_place *e, uint32_t slot, uint32_t cpu, uint32_t mem, uint32_t gpu,
                        bool eni, uint32_t group, const uint32_t *ports, uint32_t nports)
{
    ecs_pl_inst *it = &e->inst[slot];
    ecs_pl_gc *gw;
    uint32_t i;

    e->inst[slot].rem.cpu += cpu;
    e->inst[slot].rem.mem += mem;
    e->inst[slot].rem.gpu += gpu;
    e->inst[slot].rem.eni += eni ? 1u : 0u;
    e->inst[slot].ntasks--;
    gw = it->cgroups != 0 ? it->groups : it->gin;
    for (i = 0; i < it->ngroups; i++) {
        if (gw[i].group == group) {
            if (--gw[i].count == 0)
                gw[i] = gw[--it->ngroups];
            break;
        }
    }
    for (i = 0; i < nports; i++) {
        ports_erase(&it->used[(ports[i] & ECS_PL_PORT_UDP) ? 1 : 0],
                    (uint16_t)(ports[i] & 0xFFFFu));
        if (!(ports[i] & ECS_PL_PORT_DYN))
            it->nstatic--;
    }
    ecs_place__views_touch(e, slot, false);
}

/* ------------------------------------------------------------------------ */
/* Task records                                                              */

typedef struct task_probe {
    const ecs_place *e;
    const char *s;
    size_t len;
} task_probe;

static bool task_eq(const void *probe, uint32_t v)
{
    const task_probe *p = probe;
    return ecs_str__eq(&p->e->tasks[v].id, p->s, p->len);
}

uint32_t ecs_place__task_find(const ecs_place *e, const char *id, size_t len)
{
    task_probe p;
    p.e = e;
    p.s = id;
    p.len = len;
    return ecs_place__map_find(&e->task_map, ecs_place__hash(id, len), task_eq, &p);
}

ecs_status ecs_place__record(ecs_place *e, const char *id, size_t id_len, uint32_t slot,
                             const ecs_pl_req *q, const uint32_t *ports, uint32_t *out_task)
{
    ecs_str copy = {NULL, 0};
    uint32_t *pcopy = NULL, t;
    ecs_pl_task *tk;
    ecs_pl_inst *it = &e->inst[slot];
    ecs_status rc;

    if (e->free_task == ECS_PL_NIL) {
        size_t cap = e->ctasks;
        if (e->ntasks_rec >= ECS_PL_MAX_SLOTS)
            return ecs_ctx__fail(e->ctx, ECS_E_LIMIT, "too many tasks");
        rc = ecs_vec__reserve(e->ctx, (void **)&e->tasks, &cap, sizeof *e->tasks,
                              (size_t)e->ntasks_rec + 1);
        if (rc != ECS_OK)
            return rc;
        e->ctasks = (uint32_t)cap;
    }
    if ((rc = ecs_place__map_reserve(e->ctx, &e->task_map, e->task_map.count + 1)) != ECS_OK)
        return rc;
    if ((rc = ecs_str__dup(e->ctx, &copy, id, id_len)) != ECS_OK)
        return rc;
    if (q->nports != 0) {
        pcopy = ecs_ctx__alloc(e->ctx, (size_t)q->nports * sizeof *pcopy);
        if (pcopy == NULL) {
            ecs_str__free(e->ctx, &copy);
            return ECS_E_NOMEM;
        }
        memcpy(pcopy, ports, (size_t)q->nports * sizeof *pcopy);
    }
    if (e->free_task != ECS_PL_NIL) {
        t = e->free_task;
        e->free_task = e->tasks[t].next;
    } else {
        t = e->ntasks_rec++;
    }
    tk = &e->tasks[t];
    tk->id = copy;
    tk->slot = slot;
    tk->group = q->group;
    tk->cpu = q->cpu;
    tk->mem = q->mem;
    tk->gpu = q->gpu;
    tk->eni = q->eni != 0;
    tk->ports = pcopy;
    tk->nports = (uint16_t)q->nports;
    tk->live = true;
    tk->prev = ECS_PL_NIL;
    tk->next = it->first_task;
    if (it->first_task != ECS_PL_NIL)
        e->tasks[it->first_task].prev = t;
    it->first_task = t;
    ecs_place__map_put(&e->task_map, ecs_place__hash(id, id_len), t);
    if (out_task != NULL)
        *out_task = t;
    return ECS_OK;
}

void ecs_place__task_remove(ecs_place *e, uint32_t t)
{
    ecs_pl_task *tk = &e->tasks[t];
    ecs_pl_inst *it = &e->inst[tk->slot];

    ecs_place__unapply(e, tk->slot, tk->cpu, tk->mem, tk->gpu, tk->eni, tk->group, tk->ports,
                       tk->nports);
    if (tk->prev != ECS_PL_NIL)
        e->tasks[tk->prev].next = tk->next;
    else
        it->first_task = tk->next;
    if (tk->next != ECS_PL_NIL)
        e->tasks[tk->next].prev = tk->prev;
    ecs_place__map_del(&e->task_map, ecs_place__hash(tk->id.p, tk->id.len), t);
    ecs_str__free(e->ctx, &tk->id);
    if (tk->ports != NULL)
        ecs_ctx__release(e->ctx, tk->ports, (size_t)tk->nports * sizeof *tk->ports);
    tk->ports = NULL;
    tk->live = false;
    tk->next = e->free_task;
    e->free_task = t;
}

ecs_status ecs_place_add_task(ecs_place *e, const char *task_id, size_t task_id_len,
                              const char *instance_id, size_t instance_id_len,
                              const ecs_place_need *need, uint16_t *out_ports)
{
    ecs_pl_req q;
    uint32_t slot, ports[ECS_PL_MAX_TASK_PORTS], i;
    ecs_status rc;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    if (task_id == NULL || task_id_len == 0 || need == NULL ||
        (instance_id == NULL && instance_id_len != 0))
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "add_task: missing task id or need");
    slot = ecs_place__slot_find(e, instance_id, instance_id_len);
    if (slot == ECS_PL_NIL)
        return ecs_ctx__fail(e->ctx, ECS_E_NOT_FOUND, "no instance '%.*s'",
                             (int)(instance_id_len > 200 ? 200 : instance_id_len), instance_id);
    if (ecs_place__task_find(e, task_id, task_id_len) != ECS_PL_NIL)
        return ecs_ctx__fail(e->ctx, ECS_E_CONFLICT, "task '%.*s' is already known",
                             (int)(task_id_len > 200 ? 200 : task_id_len), task_id);
    if ((rc = ecs_place__need_prepare(e, need, &q)) != ECS_OK)
        return rc;
    if ((rc = ecs_place__apply(e, slot, &q, ports)) != ECS_OK)
        return rc;
    rc = ecs_place__record(e, task_id, task_id_len, slot, &q, ports, NULL);
    if (rc != ECS_OK) {
        ecs_place__unapply(e, slot, q.cpu, q.mem, q.gpu, q.eni != 0, q.group, ports, q.nports);
        return rc;
    }
    if (out_ports != NULL)
        for (i = 0; i < q.nports; i++)
            out_ports[i] = (uint16_t)(ports[i] & 0xFFFFu);
    return ECS_OK;
}

ecs_status ecs_place_remove_task(ecs_place *e, const char *task_id, size_t task_id_len)
{
    uint32_t t;

    if (e == NULL)
        return ECS_E_INVALID_ARG;
    if (task_id == NULL && task_id_len != 0)
        return ecs_ctx__fail(e->ctx, ECS_E_INVALID_ARG, "remove_task: NULL id");
    t = ecs_place__task_find(e, task_id, task_id_len);
    if (t == ECS_PL_NIL)
        return ecs_ctx__fail(e->ctx, ECS_E_NOT_FOUND, "no task '%.*s'",
                             (int)(task_id_len > 200 ? 200 : task_id_len), task_id);
    ecs_place__task_remove(e, t);
    return ECS_OK;
}
