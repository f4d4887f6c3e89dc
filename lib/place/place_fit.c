/*
 * The checks of one instance against one request (spec 2.1-2.3), in ECS's
 * order: AGENT, ATTRIBUTE, LOCATION, RESOURCE:CPU, RESOURCE:MEMORY,
 * RESOURCE:PORTS, RESOURCE:ENI, RESOURCE:GPU, then the constraints
 * (distinctInstance, memberOf). ecs_place__eval runs all of them, so that
 * failures can name the closest instance (fewest failed checks, then the
 * smallest shortfall); the fast paths use the split forms (the static
 * filter a view caches, and the late checks it cannot index).
 *
 * The query language sees an instance through ecs_query_subject: its
 * identity fields, and callbacks reading its attributes and the distinct
 * groups of its tasks.
 */
#include "place/place_internal.h"

static bool subj_attribute(const void *inst, const char *name, size_t name_len, const char **value,
                           size_t *value_len)
{
    const ecs_pl_qinst *qi = inst;
    const ecs_place *e = qi->e;
    uint32_t a = ecs_place__atom_find(e, name, name_len), v;

    if (a == ECS_PL_NIL)
        return false;
    v = ecs_place__attr_value(e, qi->slot, a);
    if (v == ECS_PL_NIL)
        return false;
    *value = ecs_str__c(&e->atoms[v]);
    *value_len = e->atoms[v].len;
    return true;
}

static size_t subj_group_count(const void *inst)
{
    const ecs_pl_qinst *qi = inst;
    return qi->e->inst[qi->slot].ngroups;
}

static const char *subj_group_at(const void *inst, size_t i, size_t *len)
{
    const ecs_pl_qinst *qi = inst;
    const ecs_place *e = qi->e;
    const ecs_str *g = &e->atoms[ecs_pl_groups(&e->inst[qi->slot])[i].group];
    *len = g->len;
    return ecs_str__c(g);
}

void ecs_place__subject(const ecs_place *e, uint32_t slot, ecs_pl_qinst *qi, ecs_query_subject *s)
{
    const ecs_pl_inst *it = &e->inst[slot];

    qi->e = e;
    qi->slot = slot;
    s->inst = qi;
    s->ec2_instance_id = ecs_str__c(&it->ec2);
    s->ec2_instance_id_len = it->ec2.len;
    s->agent_version = it->has_agent ? ecs_str__c(&it->agent) : NULL;
    s->agent_version_len = it->agent.len;
    s->registered_at_ms = it->registered_at_ms;
    s->running_tasks_count = e->inst[slot].ntasks;
    s->agent_connected = (e->flags[slot] & ECS_PL_AGENT) != 0;
    s->attribute = subj_attribute;
    s->group_count = subj_group_count;
    s->group_at = subj_group_at;
}

static bool holds(const ecs_place *e, uint32_t slot, const ecs_query *q)
{
    ecs_pl_qinst qi;
    ecs_query_subject s;
    ecs_place__subject(e, slot, &qi, &s);
    return ecs_query__eval(q, &s);
}

static bool attrs_ok(const ecs_place *e, uint32_t slot, const ecs_pl_filter *f)
{
    uint32_t i;
    for (i = 0; i < f->nattrs; i++)
        if (ecs_place__attr_value(e, slot, f->attrs[i]) == ECS_PL_NIL)
            return false;
    return true;
}

static bool zone_ok(const ecs_place *e, uint32_t slot, const ecs_pl_filter *f)
{
    uint32_t z, i;
    if (!f->zones_given)
        return true;
    z = ecs_place__attr_value(e, slot, e->az_atom);
    if (z == ECS_PL_NIL)
        return false;
    for (i = 0; i < f->nzones; i++)
        if (f->zones[i] == z)
            return true;
    return false;
}

bool ecs_place__filter_ok(const ecs_place *e, uint32_t slot, const ecs_pl_filter *f)
{
    uint32_t i;
    if (!attrs_ok(e, slot, f) || !zone_ok(e, slot, f))
        return false;
    for (i = 0; i < f->nq; i++)
        if (!holds(e, slot, f->q[i]))
            return false;
    return true;
}

bool ecs_place__late_ok(const void *req, uint32_t slot)
{
    const ecs_pl_req *q = req;
    uint32_t i;
    if ((q->ndyn[0] | q->ndyn[1]) != 0 && !ecs_place__dyn_ports_ok(q->e, slot, q))
        return false;
    for (i = 0; i < q->nqd; i++)
        if (!holds(q->e, slot, q->qd[i]))
            return false;
    return true;
}

void ecs_place__eval(const ecs_place *e, uint32_t slot, const ecs_pl_req *q, ecs_pl_eval *out)
{
    uint32_t mask = 0, nf = 0, i, m;
    uint64_t sf = 0;

    if (!(e->flags[slot] & ECS_PL_AGENT))
        mask |= ECS_PL_F_AGENT;
    if (!attrs_ok(e, slot, &q->f))
        mask |= ECS_PL_F_ATTRIBUTE;
    if (!zone_ok(e, slot, &q->f))
        mask |= ECS_PL_F_LOCATION;
    if (e->inst[slot].rem.cpu < q->cpu) {
        mask |= ECS_PL_F_CPU;
        sf += q->cpu - e->inst[slot].rem.cpu;
    }
    if (e->inst[slot].rem.mem < q->mem) {
        mask |= ECS_PL_F_MEMORY;
        sf += q->mem - e->inst[slot].rem.mem;
    }
    if (ecs_place__ports_blocked(e, slot, q->sports, q->nsports) ||
        !ecs_place__dyn_ports_ok(e, slot, q))
        mask |= ECS_PL_F_PORTS;
    if (e->inst[slot].rem.eni < q->eni) {
        mask |= ECS_PL_F_ENI;
        sf += q->eni - e->inst[slot].rem.eni;
    }
    if (e->inst[slot].rem.gpu < q->gpu) {
        mask |= ECS_PL_F_GPU;
        sf += q->gpu - e->inst[slot].rem.gpu;
    }
    for (m = mask; m != 0; m &= m - 1)
        nf++;
    if (q->distinct && ecs_place__group_count(e, slot, q->group) > 0) {
        mask |= ECS_PL_F_DISTINCT;
        nf++;
    }
    for (i = 0; i < q->nqall; i++) {
        if (!holds(e, slot, q->qall[i])) {
            mask |= ECS_PL_F_MEMBER;
            nf++;
        }
    }
    out->mask = mask;
    out->nfailed = nf;
    out->shortfall = sf;
}

ecs_place_reason ecs_place__reason_of(uint32_t mask)
{
    if (mask & ECS_PL_F_AGENT)
        return ECS_PLACE_AGENT;
    if (mask & ECS_PL_F_ATTRIBUTE)
        return ECS_PLACE_ATTRIBUTE;
    if (mask & ECS_PL_F_LOCATION)
        return ECS_PLACE_LOCATION;
    if (mask & ECS_PL_F_CPU)
        return ECS_PLACE_CPU;
    if (mask & ECS_PL_F_MEMORY)
        return ECS_PLACE_MEMORY;
    if (mask & ECS_PL_F_PORTS)
        return ECS_PLACE_PORTS;
    if (mask & ECS_PL_F_ENI)
        return ECS_PLACE_ENI;
    if (mask & ECS_PL_F_GPU)
        return ECS_PLACE_GPU;
    if (mask & (ECS_PL_F_DISTINCT | ECS_PL_F_MEMBER))
        return ECS_PLACE_CONSTRAINT;
    return ECS_PLACE_OK;
}
