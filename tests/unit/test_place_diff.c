/*
 * Differential test of the placement engine against a deliberately plain
 * reference written here: a mirror of the cluster (instances, attributes,
 * tasks, ports) and, for each task, a full scan that applies every rule of
 * spec section 2 and ranks the feasible instances by the strategy chain
 * lexicographically. The engine's choice must be one of the instances the
 * reference ranks best (before the final tie-break, which uses the
 * engine's private tie ranks); when the engine fails a task, the
 * reference must find nothing feasible, and the reason and instance the
 * engine names must be those of one of the closest instances (fewest
 * failed checks, then smallest shortfall). Dynamic ports must be the
 * lowest free ones of the instance's range.
 *
 * Three engines run every scenario in lockstep: cached views forced on,
 * the full scan only, and the automatic mix. Requests with a
 * deterministic chain must give all three exactly the same outcomes;
 * requests with random in their chain run without task ids (or dry), so
 * the engines' states stay identical, and each engine's picks are
 * checked on its own copy of the mirror.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "place/place_internal.h"
#include "query/query.h"
#include "test_alloc.h"
#include "test_util.h"

#define MI 40   /* instances per scenario at most */
#define MP 128  /* used ports per protocol per instance */
#define MG 8    /* groups per instance */
#define MA 8    /* attributes per instance */
#define MT 4096 /* tasks per scenario */
#define NENG 3
#define SCENARIOS 12000

/* ------------------------------------------------------------------------ */
/* A small PRNG of the test's own                                            */

static uint64_t rnd_state;
static uint32_t rnd(uint32_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return n == 0 ? 0 : (uint32_t)(rnd_state % n);
}

/* ------------------------------------------------------------------------ */
/* The mirror                                                                */

static const char *const group_names[] = {"service:a", "service:b", "family:c", ""};
#define NGROUPS 4

typedef struct mattr {
    char name[40];
    char value[24];
} mattr;

typedef struct minst {
    char id[12];
    bool live, active, agent;
    uint32_t cap_cpu, cap_mem, cap_gpu, cap_eni;
    uint32_t rem_cpu, rem_mem, rem_gpu, rem_eni, ntasks;
    uint16_t eph_first, eph_last;
    uint16_t used[2][MP];
    uint32_t nused[2];
    uint16_t res[2][4];
    uint32_t nres[2];
    uint32_t nstatic;
    uint32_t gcount[NGROUPS];
    mattr attrs[MA];
    uint32_t nattrs;
} minst;

typedef struct mtask {
    char id[12];
    int inst, g;
    uint32_t cpu, mem, gpu;
    bool eni, live;
    uint32_t ports[4]; /* port | udp << 16 | dyn << 17 */
    uint32_t nports;
} mtask;

typedef struct mirror {
    minst in[MI];
    int nin;
} mirror;

typedef struct world {
    mirror m;
    mtask tasks[MT];
    int ntasks;
    int next_inst, next_task;
} world;

static const char *attr_get(const minst *it, const char *name)
{
    uint32_t i;
    for (i = 0; i < it->nattrs; i++)
        if (strcmp(it->attrs[i].name, name) == 0)
            return it->attrs[i].value;
    return NULL;
}

static void attr_set(minst *it, const char *name, const char *value)
{
    uint32_t i;
    for (i = 0; i < it->nattrs; i++)
        if (strcmp(it->attrs[i].name, name) == 0)
            break;
    if (i == it->nattrs) {
        assert_true(it->nattrs < MA);
        snprintf(it->attrs[i].name, sizeof it->attrs[i].name, "%s", name);
        it->nattrs++;
    }
    snprintf(it->attrs[i].value, sizeof it->attrs[i].value, "%s", value ? value : "");
}

static void attr_unset(minst *it, const char *name)
{
    uint32_t i;
    for (i = 0; i < it->nattrs; i++)
        if (strcmp(it->attrs[i].name, name) == 0) {
            it->attrs[i] = it->attrs[--it->nattrs];
            return;
        }
}

static bool port_used(const minst *it, int p, uint32_t port)
{
    uint32_t i;
    for (i = 0; i < it->nused[p]; i++)
        if (it->used[p][i] == port)
            return true;
    return false;
}

static void port_add(minst *it, int p, uint32_t port)
{
    assert_true(it->nused[p] < MP);
    it->used[p][it->nused[p]++] = (uint16_t)port;
}

static void port_del(minst *it, int p, uint32_t port)
{
    uint32_t i;
    for (i = 0; i < it->nused[p]; i++)
        if (it->used[p][i] == port) {
            it->used[p][i] = it->used[p][--it->nused[p]];
            return;
        }
    fail();
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

static const char *const exprs[] = {
    "attribute:ecs.instance-type =~ m5.*",
    "attribute:tier == gold",
    "runningTasksCount < 3",
    "not(task:group == service:a)",
    "task:group == service:b or runningTasksCount == 0",
    "attribute:ecs.availability-zone in [az-a, az-b]",
    "attribute:ecs.capability.x exists and attribute:tier != silver",
};
#define NEXPRS 7

typedef struct rreq {
    ecs_place_request r;
    ecs_place_port ports[3];
    ecs_place_strategy strats[3];
    const char *attrs[1];
    size_t attr_lens[1];
    const char *zones[2];
    size_t zone_lens[2];
    const char *mof[2];
    size_t mof_lens[2];
    int mof_idx[2];
    int g;
    const char *tids[8];
    size_t tlens[8];
    char tbuf[8][12];
    bool random_chain;
} rreq;

static ecs_query *compiled[NEXPRS];

/* ------------------------------------------------------------------------ */
/* The reference                                                             */

typedef struct qinst {
    const minst *it;
} qinst;

static bool q_attr(const void *inst, const char *name, size_t len, const char **value, size_t *vlen)
{
    const minst *it = ((const qinst *)inst)->it;
    uint32_t i;
    for (i = 0; i < it->nattrs; i++)
        if (strlen(it->attrs[i].name) == len && memcmp(it->attrs[i].name, name, len) == 0) {
            *value = it->attrs[i].value;
            *vlen = strlen(it->attrs[i].value);
            return true;
        }
    return false;
}

static size_t q_gcount(const void *inst)
{
    const minst *it = ((const qinst *)inst)->it;
    size_t n = 0, g;
    for (g = 0; g < NGROUPS; g++)
        n += it->gcount[g] > 0;
    return n;
}

static const char *q_gat(const void *inst, size_t i, size_t *len)
{
    const minst *it = ((const qinst *)inst)->it;
    size_t g;
    for (g = 0; g < NGROUPS; g++) {
        if (it->gcount[g] == 0)
            continue;
        if (i-- == 0) {
            *len = strlen(group_names[g]);
            return group_names[g];
        }
    }
    *len = 0;
    return "";
}

static bool ref_member(const minst *it, int e)
{
    qinst qi;
    ecs_query_subject s;
    qi.it = it;
    memset(&s, 0, sizeof s);
    s.inst = &qi;
    s.ec2_instance_id = "";
    s.agent_version = NULL;
    s.running_tasks_count = it->ntasks;
    s.agent_connected = it->agent;
    s.attribute = q_attr;
    s.group_count = q_gcount;
    s.group_at = q_gat;
    return ecs_query__eval(compiled[e], &s);
}

typedef struct rcheck {
    uint32_t mask, nfailed;
    uint64_t shortfall;
} rcheck;

/* Free ports of the instance's ephemeral range, besides the request's
 * static ones. */
static uint32_t dyn_free(const minst *it, int p, const rreq *q)
{
    uint32_t n = (uint32_t)it->eph_last - it->eph_first + 1u, k;
    for (k = 0; k < it->nused[p]; k++)
        if (it->used[p][k] >= it->eph_first && it->used[p][k] <= it->eph_last)
            n--;
    for (k = 0; k < q->r.need.nports; k++)
        if (q->ports[k].port >= it->eph_first && q->ports[k].port <= it->eph_last &&
            (q->ports[k].udp ? 1 : 0) == p && !port_used(it, p, q->ports[k].port))
            n--;
    return n;
}

static void ref_check(const minst *it, const rreq *q, rcheck *c)
{
    const ecs_place_need *n = &q->r.need;
    uint32_t mask = 0, nf = 0, k, nstatic = 0, ndyn[2] = {0, 0};
    uint64_t sf = 0;
    bool ports_bad = false;

    if (!it->agent)
        mask |= ECS_PL_F_AGENT;
    for (k = 0; k < q->r.nrequired_attributes; k++)
        if (attr_get(it, q->attrs[k]) == NULL)
            mask |= ECS_PL_F_ATTRIBUTE;
    if (q->r.nzones > 0) {
        const char *z = attr_get(it, "ecs.availability-zone");
        bool ok = false;
        for (k = 0; k < q->r.nzones; k++)
            ok = ok || (z != NULL && strcmp(z, q->zones[k]) == 0);
        if (!ok)
            mask |= ECS_PL_F_LOCATION;
    }
    if (it->rem_cpu < n->cpu) {
        mask |= ECS_PL_F_CPU;
        sf += n->cpu - it->rem_cpu;
    }
    if (it->rem_mem < n->memory_mib) {
        mask |= ECS_PL_F_MEMORY;
        sf += n->memory_mib - it->rem_mem;
    }
    for (k = 0; k < n->nports; k++) {
        int p = n->ports[k].udp ? 1 : 0;
        if (n->ports[k].port == 0) {
            ndyn[p]++;
            continue;
        }
        nstatic++;
        if (port_used(it, p, n->ports[k].port))
            ports_bad = true;
    }
    if (nstatic > 0 && it->nres[0] + it->nres[1] + it->nstatic + nstatic > 100)
        ports_bad = true;
    for (k = 0; k < 2; k++)
        if (ndyn[k] > 0 && dyn_free(it, (int)k, q) < ndyn[k])
            ports_bad = true;
    if (ports_bad)
        mask |= ECS_PL_F_PORTS;
    if (n->eni && it->rem_eni == 0) {
        mask |= ECS_PL_F_ENI;
        sf += 1;
    }
    if (it->rem_gpu < n->gpus) {
        mask |= ECS_PL_F_GPU;
        sf += n->gpus - it->rem_gpu;
    }
    for (k = 0; k < 8; k++)
        nf += (mask >> k) & 1u;
    if (q->r.distinct_instance && it->gcount[q->g] > 0) {
        mask |= ECS_PL_F_DISTINCT;
        nf++;
    }
    for (k = 0; k < q->r.nmember_of; k++)
        if (!ref_member(it, q->mof_idx[k])) {
            mask |= ECS_PL_F_MEMBER;
            nf++;
        }
    c->mask = mask;
    c->nfailed = nf;
    c->shortfall = sf;
}

static ecs_place_reason ref_reason(uint32_t mask)
{
    static const ecs_place_reason order[] = {
        ECS_PLACE_AGENT,  ECS_PLACE_ATTRIBUTE, ECS_PLACE_LOCATION, ECS_PLACE_CPU,
        ECS_PLACE_MEMORY, ECS_PLACE_PORTS,     ECS_PLACE_ENI,      ECS_PLACE_GPU};
    int k;
    for (k = 0; k < 8; k++)
        if (mask & (1u << k))
            return order[k];
    return ECS_PLACE_CONSTRAINT;
}

/* Tasks of group g on all instances sharing it's value of attr. */
static uint64_t part_count(const mirror *m, const minst *it, const char *attr, int g)
{
    const char *v = attr_get(it, attr);
    uint64_t n = 0;
    int i;
    for (i = 0; i < m->nin; i++) {
        const char *w;
        if (!m->in[i].live)
            continue;
        w = attr_get(&m->in[i], attr);
        if ((v == NULL && w == NULL) || (v != NULL && w != NULL && strcmp(v, w) == 0))
            n += m->in[i].gcount[g];
    }
    return n;
}

/* What the reference says about one task. */
typedef struct verdict {
    bool any_cand, feasible;
    bool best[MI];    /* the best-ranked set before the final tie-break */
    bool closest[MI]; /* failures: the closest set */
} verdict;

static void ref_place(const mirror *m, const rreq *q, verdict *v)
{
    uint64_t key[MI][3];
    rcheck c[MI];
    int i, s, nkeys = 0;
    bool feas[MI];
    uint32_t best_nf = UINT32_MAX;
    uint64_t best_sf = UINT64_MAX;

    memset(v, 0, sizeof *v);
    for (i = 0; i < m->nin; i++) {
        feas[i] = false;
        if (!m->in[i].live || !m->in[i].active)
            continue;
        v->any_cand = true;
        ref_check(&m->in[i], q, &c[i]);
        feas[i] = c[i].mask == 0;
        v->feasible = v->feasible || feas[i];
    }
    if (!v->any_cand)
        return;
    if (!v->feasible) {
        for (i = 0; i < m->nin; i++) {
            if (!m->in[i].live || !m->in[i].active)
                continue;
            if (c[i].nfailed < best_nf || (c[i].nfailed == best_nf && c[i].shortfall < best_sf)) {
                best_nf = c[i].nfailed;
                best_sf = c[i].shortfall;
            }
        }
        for (i = 0; i < m->nin; i++)
            v->closest[i] = m->in[i].live && m->in[i].active && c[i].nfailed == best_nf &&
                            c[i].shortfall == best_sf;
        return;
    }
    /* The chain, lexicographically; random ends it. */
    for (s = 0; s < (int)q->r.nstrategies; s++) {
        if (q->strats[s].type == ECS_PLACE_RANDOM)
            break;
        nkeys++;
    }
    for (i = 0; i < m->nin; i++)
        v->best[i] = feas[i];
    for (s = 0; s < nkeys; s++) {
        uint64_t min = UINT64_MAX;
        for (i = 0; i < m->nin; i++) {
            const minst *it = &m->in[i];
            uint64_t k;
            if (!v->best[i])
                continue;
            switch (q->strats[s].type) {
            case ECS_PLACE_BINPACK_CPU:
                k = it->rem_cpu;
                break;
            case ECS_PLACE_BINPACK_MEMORY:
                k = it->rem_mem;
                break;
            case ECS_PLACE_SPREAD_INSTANCE:
                k = it->gcount[q->g];
                break;
            case ECS_PLACE_SPREAD_ATTRIBUTE:
                k = part_count(m, it, q->strats[s].attribute, q->g);
                break;
            case ECS_PLACE_RANDOM:
            default:
                k = 0;
                break;
            }
            key[i][0] = k;
            if (k < min)
                min = k;
        }
        for (i = 0; i < m->nin; i++)
            if (v->best[i] && key[i][0] != min)
                v->best[i] = false;
    }
}

/* Apply a placed task to the mirror; ports are the engine's. */
static void mirror_apply(minst *it, const rreq *q, const uint16_t *ports)
{
    uint32_t k;
    it->rem_cpu -= q->r.need.cpu;
    it->rem_mem -= q->r.need.memory_mib;
    it->rem_gpu -= q->r.need.gpus;
    it->rem_eni -= q->r.need.eni ? 1u : 0u;
    it->ntasks++;
    it->gcount[q->g]++;
    for (k = 0; k < q->r.need.nports; k++) {
        port_add(it, q->ports[k].udp ? 1 : 0, ports[k]);
        if (q->ports[k].port != 0)
            it->nstatic++;
    }
}

/* The dynamic ports the engine should assign, in need order. */
static void expect_ports(const minst *it, const rreq *q, uint16_t *out)
{
    uint32_t k, j;
    for (k = 0; k < q->r.need.nports; k++)
        out[k] = q->ports[k].port;
    for (k = 0; k < q->r.need.nports; k++) {
        int p = q->ports[k].udp ? 1 : 0;
        uint32_t port;
        if (q->ports[k].port != 0)
            continue;
        for (port = it->eph_first; port <= it->eph_last; port++) {
            bool taken = port_used(it, p, port);
            for (j = 0; j < q->r.need.nports && !taken; j++)
                taken = out[j] == port && (q->ports[j].udp ? 1 : 0) == p && (j != k);
            if (!taken)
                break;
        }
        out[k] = (uint16_t)port;
    }
}

static int find_inst(const mirror *m, const char *id, size_t len)
{
    int i;
    for (i = 0; i < m->nin; i++)
        if (m->in[i].live && strlen(m->in[i].id) == len && memcmp(m->in[i].id, id, len) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Scenario                                                                  */

typedef struct engines {
    ecs_place *e[NENG];
} engines;

static void all_ok(ecs_status rc[NENG])
{
    int k;
    for (k = 0; k < NENG; k++)
        assert_int_equal(rc[k], rc[0]);
}

static void push_instance(engines *en, world *w, int i)
{
    minst *it = &w->m.in[i];
    ecs_place_instance in = ECS_PLACE_INSTANCE_INIT;
    ecs_status rc[NENG];
    int k;

    in.id = it->id;
    in.id_len = strlen(it->id);
    in.cpu = it->cap_cpu;
    in.memory_mib = it->cap_mem;
    in.gpus = it->cap_gpu;
    in.eni_slots = it->cap_eni;
    in.active = it->active;
    in.agent_connected = it->agent;
    in.reserved_tcp = it->res[0];
    in.nreserved_tcp = it->nres[0];
    in.reserved_udp = it->res[1];
    in.nreserved_udp = it->nres[1];
    if (it->eph_first != 49153) {
        in.ephemeral_first = it->eph_first;
        in.ephemeral_last = it->eph_last;
    }
    for (k = 0; k < NENG; k++)
        rc[k] = ecs_place_set_instance(en->e[k], &in);
    all_ok(rc);
    assert_int_equal(rc[0], ECS_OK);
}

static void push_attr(engines *en, const minst *it, const char *name, const char *value)
{
    int k;
    for (k = 0; k < NENG; k++)
        assert_int_equal(ecs_place_set_attribute(en->e[k], it->id, strlen(it->id), name,
                                                 strlen(name), value, value ? strlen(value) : 0),
                         ECS_OK);
}

static const char *const zones_all[] = {"az-a", "az-b", "az-c"};
static const char *const types_all[] = {"m5.large", "c5.xlarge", "r5.large"};

static void new_instance(engines *en, world *w)
{
    int i = w->m.nin;
    minst *it;
    static const uint32_t cpus[] = {512, 1024, 2048};
    static const uint32_t mems[] = {1024, 2048, 4096};

    if (i >= MI)
        return;
    it = &w->m.in[i];
    memset(it, 0, sizeof *it);
    w->m.nin++;
    snprintf(it->id, sizeof it->id, "i%d", w->next_inst++);
    it->live = true;
    it->active = rnd(10) != 0;
    it->agent = rnd(10) != 0;
    it->cap_cpu = it->rem_cpu = cpus[rnd(3)];
    it->cap_mem = it->rem_mem = mems[rnd(3)];
    it->cap_gpu = it->rem_gpu = rnd(4) == 0 ? rnd(3) : 0;
    it->cap_eni = it->rem_eni = rnd(4);
    if (rnd(5) == 0) {
        it->eph_first = 50000;
        it->eph_last = (uint16_t)(50000 + rnd(4));
    } else {
        it->eph_first = 49153;
        it->eph_last = 65535;
    }
    if (rnd(3) == 0)
        it->res[0][it->nres[0]++] = 22;
    if (rnd(4) == 0)
        it->res[0][it->nres[0]++] = 80;
    if (rnd(5) == 0)
        it->res[1][it->nres[1]++] = 53;
    {
        int p;
        uint32_t k;
        for (p = 0; p < 2; p++)
            for (k = 0; k < it->nres[p]; k++)
                port_add(it, p, it->res[p][k]);
    }
    push_instance(en, w, i);
    if (rnd(10) != 0) {
        attr_set(it, "ecs.availability-zone", zones_all[rnd(3)]);
        push_attr(en, it, "ecs.availability-zone", attr_get(it, "ecs.availability-zone"));
    }
    attr_set(it, "ecs.instance-type", types_all[rnd(3)]);
    push_attr(en, it, "ecs.instance-type", attr_get(it, "ecs.instance-type"));
    if (rnd(2)) {
        attr_set(it, "tier", rnd(2) ? "gold" : "silver");
        push_attr(en, it, "tier", attr_get(it, "tier"));
    }
    if (rnd(2)) {
        attr_set(it, "ecs.capability.x", NULL);
        push_attr(en, it, "ecs.capability.x", NULL);
    }
}

static void random_need(rreq *q)
{
    static const uint32_t cpus[] = {64, 128, 256, 512, 1024};
    static const uint32_t mems[] = {64, 128, 512, 1024, 2048};
    static const uint16_t statics[] = {80, 8080, 443, 53};
    uint32_t k, np;

    q->r.need.cpu = cpus[rnd(5)];
    q->r.need.memory_mib = mems[rnd(5)];
    q->r.need.gpus = rnd(8) == 0 ? 1 : 0;
    q->r.need.eni = rnd(5) == 0;
    q->g = (int)rnd(NGROUPS);
    q->r.need.group = group_names[q->g];
    q->r.need.group_len = strlen(group_names[q->g]);
    np = rnd(3) == 0 ? rnd(3) + 1 : 0;
    for (k = 0; k < np; k++) {
        bool dup;
        do {
            uint32_t j;
            q->ports[k].port = rnd(2) ? 0 : statics[rnd(4)];
            q->ports[k].udp = rnd(3) == 0;
            dup = false;
            for (j = 0; j < k; j++)
                dup = dup || (q->ports[k].port != 0 && q->ports[j].port == q->ports[k].port &&
                              q->ports[j].udp == q->ports[k].udp);
        } while (dup);
    }
    q->r.need.ports = np ? q->ports : NULL;
    q->r.need.nports = np;
}

static void random_request(rreq *q, world *w)
{
    static const ecs_place_strategy_type types[] = {
        ECS_PLACE_BINPACK_CPU,      ECS_PLACE_BINPACK_MEMORY,   ECS_PLACE_SPREAD_INSTANCE,
        ECS_PLACE_SPREAD_ATTRIBUTE, ECS_PLACE_SPREAD_ATTRIBUTE, ECS_PLACE_RANDOM};
    uint32_t k, ns;

    memset(q, 0, sizeof *q);
    q->r = (ecs_place_request)ECS_PLACE_REQUEST_INIT;
    q->r.count = 1 + rnd(6);
    random_need(q);
    if (rnd(10) == 0) {
        q->attrs[0] = "ecs.capability.x";
        q->attr_lens[0] = strlen(q->attrs[0]);
        q->r.required_attributes = q->attrs;
        q->r.required_attribute_lens = q->attr_lens;
        q->r.nrequired_attributes = 1;
    }
    if (rnd(7) == 0) {
        uint32_t nz = 1 + rnd(2);
        for (k = 0; k < nz; k++) {
            q->zones[k] = zones_all[rnd(3)];
            q->zone_lens[k] = strlen(q->zones[k]);
        }
        q->r.zones = q->zones;
        q->r.zone_lens = q->zone_lens;
        q->r.nzones = nz;
    }
    q->r.distinct_instance = rnd(5) == 0;
    if (rnd(3) == 0) {
        uint32_t nm = 1 + rnd(2);
        for (k = 0; k < nm; k++) {
            q->mof_idx[k] = (int)rnd(NEXPRS);
            q->mof[k] = exprs[q->mof_idx[k]];
            q->mof_lens[k] = strlen(q->mof[k]);
        }
        q->r.member_of = q->mof;
        q->r.member_of_lens = q->mof_lens;
        q->r.nmember_of = nm;
    }
    ns = rnd(4);
    for (k = 0; k < ns; k++) {
        ecs_place_strategy_type t = types[rnd(6)];
        q->strats[k].type = t;
        q->strats[k].attribute = NULL;
        q->strats[k].attribute_len = 0;
        if (t == ECS_PLACE_SPREAD_ATTRIBUTE) {
            q->strats[k].attribute = rnd(3) ? "ecs.availability-zone" : "tier";
            q->strats[k].attribute_len = strlen(q->strats[k].attribute);
        }
        if (t == ECS_PLACE_RANDOM)
            q->random_chain = true;
    }
    if (ns == 0)
        q->random_chain = true;
    q->r.strategies = ns ? q->strats : NULL;
    q->r.nstrategies = ns;
    /* Task ids: recorded (not with random, to keep the engines alike),
     * none (placed then undone) or a dry run. */
    k = rnd(10);
    if (k < 2 || (q->random_chain && k < 7)) {
        q->r.task_ids = NULL;
    } else if (k < 3 || q->random_chain) {
        q->r.dry_run = true;
    } else {
        for (k = 0; k < q->r.count; k++) {
            snprintf(q->tbuf[k], sizeof q->tbuf[k], "t%d", w->next_task++);
            q->tids[k] = q->tbuf[k];
            q->tlens[k] = strlen(q->tbuf[k]);
        }
        q->r.task_ids = q->tids;
        q->r.task_id_lens = q->tlens;
    }
}

static int failures_checked, reasons_checked, placements_checked;

/* What a failing comparison was about. */
static void dump(const mirror *m, const rreq *q)
{
    uint32_t k;
    int i;
    print_error("request: count %u cpu %u mem %u gpu %u eni %d group '%s' distinct %d nports %zu "
                "dry %d ids %d\n",
                (unsigned)q->r.count, (unsigned)q->r.need.cpu, (unsigned)q->r.need.memory_mib,
                (unsigned)q->r.need.gpus, (int)q->r.need.eni, group_names[q->g],
                (int)q->r.distinct_instance, q->r.need.nports, (int)q->r.dry_run,
                q->r.task_ids != NULL);
    for (k = 0; k < q->r.nstrategies; k++)
        print_error("  strategy %d %s\n", (int)q->strats[k].type,
                    q->strats[k].attribute ? q->strats[k].attribute : "");
    for (k = 0; k < q->r.nmember_of; k++)
        print_error("  memberOf %s\n", q->mof[k]);
    for (i = 0; i < m->nin; i++) {
        const minst *it = &m->in[i];
        rcheck c;
        if (!it->live)
            continue;
        ref_check(it, q, &c);
        print_error(
            "  %s act %d agent %d cpu %u mem %u gpu %u eni %u tasks %u g[%u %u %u %u] "
            "az %s tier %s mask %x\n",
            it->id, it->active, it->agent, it->rem_cpu, it->rem_mem, it->rem_gpu, it->rem_eni,
            it->ntasks, it->gcount[0], it->gcount[1], it->gcount[2], it->gcount[3],
            attr_get(it, "ecs.availability-zone") ? attr_get(it, "ecs.availability-zone") : "-",
            attr_get(it, "tier") ? attr_get(it, "tier") : "-", c.mask);
    }
}

/* Check one engine's outcome of task k against the reference on m. */
static void check_outcome(const mirror *m, const rreq *q, const ecs_place_outcome *o, int eng)
{
    verdict v;
    int i;

    ref_place(m, q, &v);
    if (!v.any_cand) {
        assert_int_equal(o->reason, ECS_PLACE_NO_INSTANCES);
        assert_null(o->instance_id);
        return;
    }
    if (!v.feasible) {
        bool ok = false;
        if (o->reason == ECS_PLACE_OK || o->instance_id == NULL) {
            print_error("engine %d placed (or named no instance) where the reference finds "
                        "nothing feasible: %s\n",
                        eng, o->explanation ? o->explanation : "");
            fail();
        }
        i = find_inst(m, o->instance_id, o->instance_id_len);
        assert_true(i >= 0);
        failures_checked++;
        if (v.closest[i]) {
            rcheck c;
            ref_check(&m->in[i], q, &c);
            ok = ref_reason(c.mask) == o->reason;
        }
        if (!ok) {
            print_error("engine %d: closest %.*s reason %s not among the reference's closest\n",
                        eng, (int)o->instance_id_len, o->instance_id,
                        ecs_place_reason_str(o->reason));
            fail();
        }
        reasons_checked++;
        return;
    }
    if (o->reason != ECS_PLACE_OK) {
        print_error("engine %d failed (%s: %s) where the reference finds a feasible instance\n",
                    eng, ecs_place_reason_str(o->reason), o->explanation);
        fail();
    }
    i = find_inst(m, o->instance_id, o->instance_id_len);
    assert_true(i >= 0);
    if (!v.best[i]) {
        int j;
        print_error("engine %d chose %s, not among the reference's best:", eng, m->in[i].id);
        for (j = 0; j < m->nin; j++)
            if (v.best[j])
                print_error(" %s", m->in[j].id);
        print_error("\n");
        dump(m, q);
        fail();
    }
    {
        uint16_t want[3];
        uint32_t k;
        expect_ports(&m->in[i], q, want);
        assert_int_equal(o->nports, q->r.need.nports);
        for (k = 0; k < q->r.need.nports; k++)
            assert_int_equal(o->ports[k], want[k]);
    }
    placements_checked++;
}

static bool same_outcome(const ecs_place_outcome *a, const ecs_place_outcome *b)
{
    if (a->reason != b->reason || a->instance_id_len != b->instance_id_len ||
        a->nports != b->nports)
        return false;
    if (a->instance_id_len && memcmp(a->instance_id, b->instance_id, a->instance_id_len) != 0)
        return false;
    if (a->nports && memcmp(a->ports, b->ports, a->nports * sizeof *a->ports) != 0)
        return false;
    if ((a->explanation == NULL) != (b->explanation == NULL))
        return false;
    return a->explanation == NULL || strcmp(a->explanation, b->explanation) == 0;
}

static mirror scratch, advanced;

static void run_request(engines *en, world *w, rreq *q)
{
    ecs_place_result *res[NENG];
    ecs_status rc[NENG];
    uint32_t k;
    int e;

    for (e = 0; e < NENG; e++) {
        res[e] = NULL;
        rc[e] = ecs_place_tasks(en->e[e], &q->r, &res[e]);
    }
    all_ok(rc);
    if (rc[0] != ECS_OK) {
        print_error("ecs_place_tasks: %s: %s\n", ecs_status_str(rc[0]), ecs_ctx_errmsg(NULL));
        fail();
    }
    for (e = 0; e < NENG; e++) {
        /* Each engine against its own copy of the mirror. */
        scratch = w->m;
        for (k = 0; k < q->r.count; k++) {
            ecs_place_outcome o;
            assert_int_equal(ecs_place_result_get(res[e], k, &o), ECS_OK);
            check_outcome(&scratch, q, &o, e);
            if (!q->random_chain && e > 0) {
                ecs_place_outcome o0;
                assert_int_equal(ecs_place_result_get(res[0], k, &o0), ECS_OK);
                if (!same_outcome(&o0, &o)) {
                    print_error(
                        "engines 0 and %d differ on task %u: %.*s vs %.*s\n%s\n%s\n", e,
                        (unsigned)k, (int)o0.instance_id_len, o0.instance_id ? o0.instance_id : "-",
                        (int)o.instance_id_len, o.instance_id ? o.instance_id : "-",
                        o0.explanation ? o0.explanation : "", o.explanation ? o.explanation : "");
                    fail();
                }
            }
            if (o.reason == ECS_PLACE_OK && !q->r.dry_run) {
                int i = find_inst(&scratch, o.instance_id, o.instance_id_len);
                mirror_apply(&scratch.in[i], q, o.ports);
                if (q->r.task_ids != NULL && e == 0) {
                    mtask *t = &w->tasks[w->ntasks++];
                    assert_true(w->ntasks < MT);
                    memset(t, 0, sizeof *t);
                    snprintf(t->id, sizeof t->id, "%s", q->tids[k]);
                    t->inst = i;
                    t->g = q->g;
                    t->cpu = q->r.need.cpu;
                    t->mem = q->r.need.memory_mib;
                    t->gpu = q->r.need.gpus;
                    t->eni = q->r.need.eni;
                    t->live = true;
                    t->nports = (uint32_t)q->r.need.nports;
                    {
                        uint32_t j;
                        for (j = 0; j < t->nports; j++)
                            t->ports[j] = o.ports[j] | (q->ports[j].udp ? 0x10000u : 0u) |
                                          (q->ports[j].port == 0 ? 0x20000u : 0u);
                    }
                }
            }
        }
        if (e == 0)
            advanced = scratch;
    }
    if (q->r.task_ids != NULL && !q->r.dry_run)
        w->m = advanced; /* recorded: the state moves on */
    for (e = 0; e < NENG; e++)
        ecs_place_result_free(res[e]);
}

static void remove_random_task(engines *en, world *w)
{
    int tries, e;
    for (tries = 0; tries < 8; tries++) {
        mtask *t;
        minst *it;
        uint32_t j;
        if (w->ntasks == 0)
            return;
        t = &w->tasks[rnd((uint32_t)w->ntasks)];
        if (!t->live)
            continue;
        for (e = 0; e < NENG; e++)
            assert_int_equal(ecs_place_remove_task(en->e[e], t->id, strlen(t->id)), ECS_OK);
        it = &w->m.in[t->inst];
        it->rem_cpu += t->cpu;
        it->rem_mem += t->mem;
        it->rem_gpu += t->gpu;
        it->rem_eni += t->eni ? 1u : 0u;
        it->ntasks--;
        it->gcount[t->g]--;
        for (j = 0; j < t->nports; j++) {
            port_del(it, (t->ports[j] & 0x10000u) ? 1 : 0, t->ports[j] & 0xFFFFu);
            if (!(t->ports[j] & 0x20000u))
                it->nstatic--;
        }
        t->live = false;
        return;
    }
}

static void mutate(engines *en, world *w)
{
    int i, e, t;
    minst *it;

    if (w->m.nin == 0) {
        new_instance(en, w);
        return;
    }
    i = (int)rnd((uint32_t)w->m.nin);
    it = &w->m.in[i];
    switch (rnd(8)) {
    case 0:
        new_instance(en, w);
        break;
    case 1:
    case 2:
        remove_random_task(en, w);
        break;
    case 3:
        if (!it->live)
            break;
        if (rnd(2)) {
            attr_set(it, "ecs.availability-zone", zones_all[rnd(3)]);
            push_attr(en, it, "ecs.availability-zone", attr_get(it, "ecs.availability-zone"));
        } else {
            attr_set(it, "tier", rnd(2) ? "gold" : "silver");
            push_attr(en, it, "tier", attr_get(it, "tier"));
        }
        break;
    case 4:
        if (!it->live)
            break;
        attr_unset(it, rnd(2) ? "tier" : "ecs.availability-zone");
        for (e = 0; e < NENG; e++) {
            assert_int_equal(ecs_place_unset_attribute(en->e[e], it->id, strlen(it->id), "tier", 4),
                             ECS_OK);
            assert_int_equal(ecs_place_unset_attribute(en->e[e], it->id, strlen(it->id),
                                                       "ecs.availability-zone", 21),
                             ECS_OK);
        }
        attr_unset(it, "tier");
        attr_unset(it, "ecs.availability-zone");
        break;
    case 5:
        if (!it->live)
            break;
        it->active = rnd(4) != 0;
        it->agent = rnd(4) != 0;
        push_instance(en, w, i);
        break;
    case 6:
        if (!it->live || rnd(3) != 0)
            break;
        for (e = 0; e < NENG; e++)
            assert_int_equal(ecs_place_remove_instance(en->e[e], it->id, strlen(it->id)), ECS_OK);
        it->live = false;
        for (t = 0; t < w->ntasks; t++)
            if (w->tasks[t].live && w->tasks[t].inst == i)
                w->tasks[t].live = false;
        break;
    default: {
        /* A task the host reports: the engines agree whether it fits. */
        rreq q;
        ecs_status rc[NENG];
        uint16_t got[NENG][4];
        char id[12];
        rcheck c;
        memset(&q, 0, sizeof q);
        random_need(&q);
        if (!it->live)
            break;
        snprintf(id, sizeof id, "t%d", w->next_task++);
        for (e = 0; e < NENG; e++)
            rc[e] = ecs_place_add_task(en->e[e], id, strlen(id), it->id, strlen(it->id), &q.r.need,
                                       got[e]);
        all_ok(rc);
        q.r.distinct_instance = false;
        ref_check(it, &q, &c);
        c.mask &= ~(uint32_t)(ECS_PL_F_AGENT | ECS_PL_F_ATTRIBUTE | ECS_PL_F_LOCATION);
        assert_int_equal(rc[0] == ECS_OK, c.mask == 0);
        if (rc[0] == ECS_OK) {
            uint16_t want[3];
            uint32_t j;
            mtask *tk = &w->tasks[w->ntasks++];
            assert_true(w->ntasks < MT);
            expect_ports(it, &q, want);
            for (j = 0; j < q.r.need.nports; j++) {
                assert_int_equal(got[0][j], want[j]);
                assert_int_equal(got[1][j], want[j]);
            }
            mirror_apply(it, &q, got[0]);
            memset(tk, 0, sizeof *tk);
            snprintf(tk->id, sizeof tk->id, "%s", id);
            tk->inst = i;
            tk->g = q.g;
            tk->cpu = q.r.need.cpu;
            tk->mem = q.r.need.memory_mib;
            tk->gpu = q.r.need.gpus;
            tk->eni = q.r.need.eni;
            tk->live = true;
            tk->nports = (uint32_t)q.r.need.nports;
            for (j = 0; j < tk->nports; j++)
                tk->ports[j] = got[0][j] | (q.ports[j].udp ? 0x10000u : 0u) |
                               (q.ports[j].port == 0 ? 0x20000u : 0u);
        }
        break;
    }
    }
}

static world W;

static void test_place_diff__engine_agrees_with_reference(void **state)
{
    ecs_ctx *ctx = test_ctx_new(NULL);
    int sc, k;
    (void)state;

    for (k = 0; k < NEXPRS; k++)
        assert_int_equal(ecs_query__compile(ctx, exprs[k], strlen(exprs[k]), &compiled[k]), ECS_OK);
    rnd_state = 0x9E3779B97F4A7C15u;
    for (sc = 0; sc < SCENARIOS; sc++) {
        engines en;
        ecs_place_options o = ECS_PLACE_OPTIONS_INIT;
        int n, op, nops;

        o.seed = (uint64_t)sc;
        for (k = 0; k < NENG; k++) {
            assert_int_equal(ecs_place_new(ctx, &o, &en.e[k]), ECS_OK);
            ecs_place__set_mode(en.e[k], k == 0   ? ECS_PL_MODE_FAST
                                         : k == 1 ? ECS_PL_MODE_GENERAL
                                                  : ECS_PL_MODE_AUTO);
        }
        memset(&W, 0, sizeof W);
        n = 1 + (int)rnd(sc % 10 == 0 ? 40 : 16);
        for (k = 0; k < n; k++)
            new_instance(&en, &W);
        /* existing tasks */
        for (k = 0; k < n * 2; k++)
            mutate(&en, &W);
        nops = 10 + (int)rnd(20);
        for (op = 0; op < nops; op++) {
            if (rnd(3) == 0) {
                mutate(&en, &W);
            } else {
                rreq q;
                random_request(&q, &W);
                run_request(&en, &W, &q);
            }
            if (op % 5 == 0) {
                assert_true(ecs_place__views_check(en.e[0]));
                assert_true(ecs_place__views_check(en.e[2]));
            }
        }
        for (k = 0; k < NENG; k++)
            ecs_place_free(en.e[k]);
    }
    for (k = 0; k < NEXPRS; k++)
        ecs_query__free(ctx, compiled[k]);
    ecs_ctx_free(ctx);
    print_message("checked %d placements, %d failures (%d reasons)\n", placements_checked,
                  failures_checked, reasons_checked);
    assert_true(placements_checked > 10000);
    assert_true(failures_checked > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_diff__engine_agrees_with_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
