/*
 * What the files of lib/place/ share: the engine's state and the internal
 * calls between its parts. Unit tests may include it (for the test knobs at
 * the end).
 *
 *   place_map.c       hashing, an open-addressing map, the string interner
 *   place.c           engine lifecycle, instances
 *   place_attr.c      attributes, the compiled memberOf cache
 *   place_task.c      port sets, group counts, applying and removing tasks
 *   place_tree.c      AVL trees over view nodes with pruning maxima
 *   place_view.c      cached indexes ("views"): keys, build, LRU
 *   place_refresh.c   the change log and lazy view maintenance
 *   place_pick.c      choosing an instance through a view (the fast paths)
 *   place_fit.c       the checks of one instance against one request
 *   place_scan.c      the general path: one full scan ranks by any chain
 *   place_explain.c   failure counts and the text about the closest instance
 *   place_req.c       validating and preparing a request
 *   place_run.c       ecs_place_tasks and results
 *
 * Instances live in slots (stable indexes, reused through a free list):
 * one ecs_pl_inst each, its first cache line holding what a placement
 * reads and writes, plus arrays of tie ranks and status flags. Strings that
 * are compared often (attribute names and values, task groups) are
 * interned to 32-bit atoms.
 *
 * Every change to an instance (resources, tasks, attributes, status) is
 * one entry in the engine's change log; a view takes in the entries since
 * its last use just before it is used, so views nobody asks for cost
 * nothing to keep.
 */
#ifndef ECS_PLACE_INTERNAL_H
#define ECS_PLACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/place.h"
#include "ecs/rng.h"
#include "query/query.h"
#include "util/ctx_internal.h"
#include "util/str.h"

#define ECS_PL_NIL UINT32_MAX
#define ECS_PL_MAX_VIEWS 8u         /* cached views per engine (LRU) */
#define ECS_PL_MAX_QCACHE 16u       /* compiled memberOf expressions kept */
#define ECS_PL_SEEN 32u             /* recent view signatures remembered */
#define ECS_PL_PORT_LIMIT ((uint32_t)ECS_PLACE_MAX_STATIC_PORTS) /* reserved + static task ports */
#define ECS_PL_MAX_TASK_PORTS 1024u /* host ports of one task */
#define ECS_PL_EPH_FIRST 49153u
#define ECS_PL_EPH_LAST 65535u
#define ECS_PL_MAX_SLOTS 0x7FFFFFF0u

/* A hint to start loading memory needed soon (no effect elsewhere). */
#if defined(__GNUC__) || defined(__clang__)
#define ECS_PL_PREFETCH(p) __builtin_prefetch(p)
#else
#define ECS_PL_PREFETCH(p) ((void)(p))
#endif

/* ------------------------------------------------------------------------ */
/* Hashing, map, atoms (place_map.c)                                         */

uint64_t ecs_place__hash(const char *s, size_t len);
uint64_t ecs_place__hash_u32(uint32_t v);

/* An open-addressing map from a 64-bit hash to a 32-bit value; keys live
 * elsewhere and are compared through eq(probe, value). Cells hold the high
 * 32 bits of the hash and value + 1 (0: empty). Linear probing, deletion by
 * backward shift. */
typedef struct ecs_pl_map {
    uint64_t *cells;
    size_t cap; /* 0 or a power of two */
    size_t count;
} ecs_pl_map;

typedef bool (*ecs_pl_eqfn)(const void *probe, uint32_t value);

uint32_t ecs_place__map_find(const ecs_pl_map *m, uint64_t h, ecs_pl_eqfn eq, const void *probe);
/* Room for `n` entries in all (load <= 1/2). Nothing changes on failure. */
ecs_status ecs_place__map_reserve(ecs_ctx *ctx, ecs_pl_map *m, size_t n);
/* Insert; the caller reserved room and knows the key is absent. */
void ecs_place__map_put(ecs_pl_map *m, uint64_t h, uint32_t value);
/* Remove the entry (h, value); nothing when absent. */
void ecs_place__map_del(ecs_pl_map *m, uint64_t h, uint32_t value);
void ecs_place__map_free(ecs_ctx *ctx, ecs_pl_map *m);

/* ------------------------------------------------------------------------ */
/* Instances                                                                 */

typedef struct ecs_pl_attr {
    uint32_t name, value; /* atoms; value "" for a value-less attribute */
} ecs_pl_attr;

typedef struct ecs_pl_gc {
    uint32_t group, count;
} ecs_pl_gc;

/* A sorted set of ports. */
typedef struct ecs_pl_ports {
    uint16_t *v;
    uint32_t n, cap;
} ecs_pl_ports;

#define ECS_PL_LIVE (1u)
#define ECS_PL_ACTIVE (2u)
#define ECS_PL_AGENT (4u)

/* What an instance has left. */
typedef struct ecs_pl_res {
    uint32_t cpu, mem, gpu, eni;
} ecs_pl_res;

typedef struct ecs_pl_inst {
    /* first cache line: what choosing and applying a task touch */
    ecs_pl_res rem;            /* what it has left */
    ecs_pl_gc gin[2];          /* the first two groups live here... */
    ecs_pl_gc *groups;         /* ...and all of them here once there are more */
    uint32_t ngroups, cgroups; /* cgroups 0: gin holds them */
    uint32_t ntasks;           /* running tasks */
    uint32_t first_task;       /* tasks on it (doubly linked), ECS_PL_NIL: none */
    uint32_t nstatic;          /* static ports held by tasks (both protocols) */
    uint16_t eph_first, eph_last;
    /* the rest */
    ecs_pl_ports used[2]; /* [0] tcp, [1] udp: reserved + held by tasks */
    ecs_str id, ec2, agent;
    bool has_agent;
    int64_t registered_at_ms;
    uint32_t cap_cpu, cap_mem, cap_gpu, cap_eni;
    ecs_pl_attr *attrs; /* sorted by name atom */
    uint32_t nattrs, cattrs;
    ecs_pl_ports res[2]; /* reserved at registration */
    uint32_t next_free;  /* free-slot list */
    uint32_t pad[7];     /* to 256 bytes (LP64): four whole cache lines */
} ecs_pl_inst;

/* The distinct groups of the tasks on an instance, with counts. */
static inline const ecs_pl_gc *ecs_pl_groups(const ecs_pl_inst *it)
{
    return it->cgroups != 0 ? it->groups : it->gin;
}

/* A recorded task. */
typedef struct ecs_pl_task {
    ecs_str id;
    uint32_t slot, group;
    uint32_t cpu, mem, gpu;
    uint32_t prev, next; /* on the instance; next links free records too */
    uint32_t *ports;     /* port | udp << 16 | dynamic << 17 */
    uint16_t nports;
    bool eni, live;
} ecs_pl_task;

#define ECS_PL_PORT_UDP (1u << 16)
#define ECS_PL_PORT_DYN (1u << 17)

/* ------------------------------------------------------------------------ */
/* Requests (place_req.c)                                                    */

enum {
    ECS_PL_S_CPU = 1,    /* binpack cpu: remaining CPU ascending */
    ECS_PL_S_MEM = 2,    /* binpack memory */
    ECS_PL_S_GCOUNT = 3, /* spread instanceId: tasks of the group on it */
    ECS_PL_S_ATTR = 4,   /* spread attribute: tasks of the group in its partition */
    ECS_PL_S_RANDOM = 5
};

/* The checks that depend only on an instance's own properties. */
typedef struct ecs_pl_filter {
    const uint32_t *attrs; /* required attribute atoms (NIL: unknown name) */
    uint32_t nattrs;
    const uint32_t *zones; /* allowed zone atoms (unknown ones dropped) */
    uint32_t nzones;
    bool zones_given;
    ecs_query *const *q; /* memberOf expressions that ignore tasks */
    uint32_t nq;
} ecs_pl_filter;

typedef struct ecs_pl_req {
    const ecs_place *e;
    const ecs_place_request *r; /* NULL for ecs_place_add_task */
    const ecs_place_port *ports;
    uint32_t nports;
    uint32_t cpu, mem, gpu, eni;
    uint32_t group;                         /* atom */
    uint32_t sports[ECS_PL_PORT_LIMIT + 1]; /* static ports, sorted, encoded */
    uint32_t nsports;
    uint32_t nheld;                         /* dynamic ports already assigned (port != 0) */
    uint32_t ndyn[2];
    bool distinct;
    ecs_pl_filter f;
    uint32_t *attr_buf, *zone_buf;
    size_t attr_cap, zone_cap;
    ecs_query *qs[ECS_PLACE_MAX_CONSTRAINTS]; /* static memberOf */
    const char *qs_text[ECS_PLACE_MAX_CONSTRAINTS];
    size_t qs_len[ECS_PLACE_MAX_CONSTRAINTS];
    ecs_query *qd[ECS_PLACE_MAX_CONSTRAINTS]; /* task-dependent memberOf */
    uint32_t nqd;
    /* every memberOf in request order, for explanations */
    ecs_query *qall[ECS_PLACE_MAX_CONSTRAINTS];
    uint32_t nqall;
    /* normalised chain: random ends it; repeats dropped */
    uint32_t nsteps;
    uint8_t step[ECS_PLACE_MAX_STRATEGIES];
    uint32_t step_attr[ECS_PLACE_MAX_STRATEGIES];
    /* fast-path shape: [spread attr]? + keys from {cpu, mem, gcount} */
    bool fast_ok;
    uint32_t part_attr; /* NIL: unpartitioned */
    uint32_t nkeys;
    uint8_t keys[3];
    bool random;        /* the chain is just random */
    uint64_t spec_hash; /* of what a view for this request indexes */
} ecs_pl_req;

/* The need part: resources, group (interned), ports. */
ecs_status ecs_place__need_prepare(ecs_place *e, const ecs_place_need *need, ecs_pl_req *q);
ecs_status ecs_place__req_prepare(ecs_place *e, const ecs_place_request *r, ecs_pl_req *q);
void ecs_place__req_release(ecs_place *e, ecs_pl_req *q);

/* ------------------------------------------------------------------------ */
/* Views (place_view.c, place_tree.c, place_pick.c)                          */

typedef struct ecs_pl_vnode {
    uint32_t l, r;
    uint32_t key[3];
    uint32_t mcpu, mmem, mgpu, meni; /* maxima over the unblocked nodes below */
    uint8_t h;
    uint8_t flags;
} ecs_pl_vnode;

#define ECS_PL_VN_MEMBER (1u)  /* in its tree: static member, not blocked */
#define ECS_PL_VN_BLOCKED (2u) /* distinct/static ports/port limit rule it out */
#define ECS_PL_VN_ANY (4u)     /* some unblocked node in the subtree */
#define ECS_PL_VN_DIRTY (8u)
#define ECS_PL_VN_SDIRTY (16u)  /* static properties changed too */
#define ECS_PL_VN_STATIC (32u)  /* passes the view's static filter */
#define ECS_PL_VN_LISTED (64u)  /* counted in nmembers (and in members[]) */
#define ECS_PL_VN_DDIRTY (128u) /* in ddirty: resources/tasks changed (random views) */

typedef struct ecs_pl_part {
    uint32_t value; /* attribute value atom; NIL: attribute missing */
    uint32_t root;
    uint32_t nmembers;
    uint64_t count; /* tasks of the group on every instance of the partition */
} ecs_pl_part;

typedef struct ecs_pl_view {
    uint64_t hash;
    uint64_t tick;
    uint64_t seq; /* change-log position this view has taken in */
    bool stale;
    /* what it indexes */
    uint32_t part_attr, group;
    uint32_t nkeys;
    uint8_t keys[3];
    bool random, distinct;
    uint32_t *sports;
    uint32_t nsports;
    uint32_t *fattrs, *fzones;
    ecs_query **fq;
    ecs_str *qtext;
    ecs_pl_filter f;
    /* per slot */
    uint32_t slotcap;
    ecs_pl_vnode *nodes;
    uint32_t *dirty;
    uint32_t ndirty;
    uint32_t *ddirty; /* random views: resource changes, applied lazily */
    uint32_t nddirty;
    uint32_t *pid, *contrib; /* partitioned views */
    uint32_t *members, *pos; /* random views: the static members */
    uint32_t nmembers;       /* static members (trees hold the unblocked ones) */
    ecs_pl_part *parts;
    uint32_t nparts, cparts;
    ecs_pl_map pmap;
    uint32_t root; /* unpartitioned views */
} ecs_pl_view;

/* Tree operations over a view's nodes, keyed by (key[0..2], rank, slot). */
uint32_t ecs_place__tree_insert(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t root, uint32_t x);
uint32_t ecs_place__tree_delete(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t root, uint32_t x);
/* x (in the tree, its key unchanged) changed what it contributes to the
 * maxima, or its blocked flag: recompute the path to it. */
uint32_t ecs_place__tree_update(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t root, uint32_t x);
/* A balanced tree of the slots in `sorted` (already in key order). */
uint32_t ecs_place__tree_build(const ecs_place *e, ecs_pl_vnode *nodes, const uint32_t *sorted,
                               size_t n);
/* Order, balance and maxima of a tree hold; *count += its nodes. */
bool ecs_place__tree_valid(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t root,
                           size_t *count);
/* (a's key) < (b's key) */
bool ecs_place__node_less(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t a, uint32_t b);

typedef bool (*ecs_pl_okfn)(const void *user, uint32_t slot);
/* The first node in key order whose subtree maxima admit the need, that is
 * unblocked, fits and passes ok(). */
uint32_t ecs_place__tree_first(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t root,
                               const ecs_pl_req *q, ecs_pl_okfn ok, const void *user);
/* Every such node, appended to out (room for all members assumed). */
void ecs_place__tree_collect(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t root,
                             const ecs_pl_req *q, ecs_pl_okfn ok, const void *user, uint32_t *out,
                             size_t *n);

/* The view for the request (found, rebuilt or built), or NULL: use the
 * general path (the chain has no fast path, the view is not worth building
 * yet, or memory ran short; none of these is an error). */
ecs_pl_view *ecs_place__view_get(ecs_place *e, const ecs_pl_req *q);
/* Bring dirty slots up to date; on failure (ECS_E_NOMEM, or ECS_E_STATE
 * when the view fell behind) the caller drops the view and falls back to
 * the general path. _static leaves a random view's resource changes for
 * later (its draws check those live). */
ecs_status ecs_place__view_refresh(ecs_place *e, ecs_pl_view *v);
ecs_status ecs_place__view_refresh_static(ecs_place *e, ecs_pl_view *v);
/* Would the view's blocking rules (distinctInstance, static ports, the
 * port limit) rule the slot out now? */
bool ecs_place__view_blocked(const ecs_place *e, const ecs_pl_view *v, uint32_t slot);
/* Something about the slot changed (stat: its static properties): one
 * entry in the engine's change log, whatever the number of views. */
void ecs_place__views_touch(ecs_place *e, uint32_t slot, bool stat);
/* The slot arrays grew: views made before cannot hold the new slots. */
void ecs_place__views_outgrown(ecs_place *e);
/* The instance in the slot is going away: retract it from every view now. */
void ecs_place__views_forget(ecs_place *e, uint32_t slot);
void ecs_place__view_drop(ecs_place *e, ecs_pl_view *v);
void ecs_place__views_free(ecs_place *e);
/* Choose through the view (refreshed first): *out gets the slot, or
 * ECS_PL_NIL when nothing fits. ECS_E_NOMEM: the view was dropped, use
 * the general path. */
ecs_status ecs_place__view_pick(ecs_place *e, ecs_pl_view *v, const ecs_pl_req *q, uint32_t *out);
/* The group a view for the request tracks (NIL when none is needed). */
uint32_t ecs_place__view_group(const ecs_pl_req *q);
/* Shared by the view files: does the slot pass the view's static filter
 * (and is it ACTIVE with a connected agent); the partition of an
 * attribute value (made when new); the root a member slot's tree hangs
 * from. */
bool ecs_place__static_member(const ecs_place *e, const ecs_pl_view *v, uint32_t slot);
ecs_status ecs_place__part_get(ecs_place *e, ecs_pl_view *v, uint32_t value, uint32_t *out);
uint32_t *ecs_place__view_root(ecs_pl_view *v, uint32_t slot);
/* The node key and blocked flag of a slot for a view. */
void ecs_place__view_key(const ecs_place *e, const ecs_pl_view *v, uint32_t slot, uint32_t key[3],
                         bool *blocked);

/* ------------------------------------------------------------------------ */
/* Checks (place_fit.c)                                                      */

#define ECS_PL_F_AGENT (1u << 0)
#define ECS_PL_F_ATTRIBUTE (1u << 1)
#define ECS_PL_F_LOCATION (1u << 2)
#define ECS_PL_F_CPU (1u << 3)
#define ECS_PL_F_MEMORY (1u << 4)
#define ECS_PL_F_PORTS (1u << 5)
#define ECS_PL_F_ENI (1u << 6)
#define ECS_PL_F_GPU (1u << 7)
#define ECS_PL_F_DISTINCT (1u << 8)
#define ECS_PL_F_MEMBER (1u << 9)

/* Everything one instance fails for one request. */
typedef struct ecs_pl_eval {
    uint32_t mask;      /* ECS_PL_F_* */
    uint32_t nfailed;   /* failed checks; each failing memberOf counts once */
    uint64_t shortfall; /* CPU units + MiB + GPUs + ENI slots missing */
} ecs_pl_eval;

/* Query-language view of an instance. */
typedef struct ecs_pl_qinst {
    const ecs_place *e;
    uint32_t slot;
} ecs_pl_qinst;

void ecs_place__subject(const ecs_place *e, uint32_t slot, ecs_pl_qinst *qi, ecs_query_subject *s);
bool ecs_place__filter_ok(const ecs_place *e, uint32_t slot, const ecs_pl_filter *f);
uint32_t ecs_place__attr_value(const ecs_place *e, uint32_t slot, uint32_t name);
uint32_t ecs_place__group_count(const ecs_place *e, uint32_t slot, uint32_t group);
/* Static ports: one taken, or the limit exceeded. */
bool ecs_place__ports_blocked(const ecs_place *e, uint32_t slot, const uint32_t *sports,
                              uint32_t nsports);
/* Enough free ephemeral ports for the request's dynamic ones. */
bool ecs_place__dyn_ports_ok(const ecs_place *e, uint32_t slot, const ecs_pl_req *q);
/* Everything a view does not index: dynamic ports, task-dependent memberOf. */
bool ecs_place__late_ok(const void *req, uint32_t slot);
/* Every check (a feasible instance has mask == 0 and nfailed == 0). */
void ecs_place__eval(const ecs_place *e, uint32_t slot, const ecs_pl_req *q, ecs_pl_eval *out);
/* The first failing check of a mask, as a reason. */
ecs_place_reason ecs_place__reason_of(uint32_t mask);

/* ------------------------------------------------------------------------ */
/* General path and failures (place_scan.c, place_explain.c)                 */

typedef struct ecs_pl_fail {
    size_t ninactive, ncand;
    size_t by_reason[ECS_PLACE_CONSTRAINT + 1];
    uint32_t closest; /* slot or NIL */
    ecs_pl_eval closest_eval;
} ecs_pl_fail;

/* Check and rank every instance by the request's chain (the general
 * path). *out_slot: the choice, or NIL with *fail filled. */
ecs_status ecs_place__scan(ecs_place *e, const ecs_pl_req *q, uint32_t *out_slot,
                           ecs_pl_fail *fail);
/* The outcome text of a failure (NUL-terminated, into *out). */
ecs_status ecs_place__explain(ecs_place *e, const ecs_pl_req *q, const ecs_pl_fail *fail,
                              ecs_str *out);

/* ------------------------------------------------------------------------ */
/* Tasks (place_task.c)                                                      */

/* Check that a task fits (resources and ports) and apply it to the slot:
 * resources, group count, ports (dynamic ones assigned into ports_out,
 * encoded like ecs_pl_task.ports, in need order). Nothing changes on
 * failure. ECS_E_CONFLICT names what is missing. */
ecs_status ecs_place__apply(ecs_place *e, uint32_t slot, const ecs_pl_req *q, uint32_t *ports_out);
/* Undo ecs_place__apply exactly; never fails. */
void ecs_place__unapply(ecs_place *e, uint32_t slot, uint32_t cpu, uint32_t mem, uint32_t gpu,
                        bool eni, uint32_t group, const uint32_t *ports, uint32_t nports);
/* Record a task already applied to slot (takes a copy of ports). */
ecs_status ecs_place__record(ecs_place *e, const char *id, size_t id_len, uint32_t slot,
                             const ecs_pl_req *q, const uint32_t *ports, uint32_t *out_task);
uint32_t ecs_place__task_find(const ecs_place *e, const char *id, size_t len);
/* Forget a task and give its resources back. */
void ecs_place__task_remove(ecs_place *e, uint32_t t);
void ecs_place__ports_free(ecs_ctx *ctx, ecs_pl_ports *p);
bool ecs_place__ports_has(const ecs_pl_ports *p, uint16_t port);

/* ------------------------------------------------------------------------ */
/* The engine                                                                */

typedef struct ecs_pl_qentry {
    char *text;
    size_t len;
    ecs_query *q;
    bool dep;
    uint64_t tick;
} ecs_pl_qentry;

typedef enum ecs_pl_mode {
    ECS_PL_MODE_AUTO = 0,   /* views when they pay */
    ECS_PL_MODE_FAST = 1,   /* views whenever the chain has a fast path */
    ECS_PL_MODE_GENERAL = 2 /* never views: the full scan */
} ecs_pl_mode;

struct ecs_place {
    ecs_ctx *ctx;
    ecs_rng rank_rng, rng;
    uint64_t seed;       /* the engine's seed, for per-task random draws */
    ecs_pl_mode mode;
    /* instances: hot arrays by slot */
    uint32_t nslots, cslots, nlive, free_slot;
    uint64_t *rank;
    uint8_t *flags;
    ecs_pl_inst *inst;   /* 64-byte aligned, inside inst_raw */
    void *inst_raw;
    ecs_pl_map ids;
    /* atoms */
    ecs_str *atoms;
    size_t natoms, catoms;
    ecs_pl_map atom_map;
    uint32_t empty_atom; /* "" */
    uint32_t az_atom;    /* "ecs.availability-zone" */
    /* tasks */
    ecs_pl_task *tasks;
    uint32_t ntasks_rec, ctasks, free_task;
    ecs_pl_map task_map;
    /* caches */
    ecs_pl_view *views[ECS_PL_MAX_VIEWS];
    uint32_t *log;        /* ring of changed slots: slot << 1 | static */
    size_t logcap;        /* 0 or a power of two */
    uint64_t logseq;      /* entries ever written */
    uint32_t *rank_order; /* live slots by (rank, slot); valid when rank_order_n == nlive */
    size_t rank_order_cap;
    bool rank_order_ok;
    uint64_t tick;
    uint64_t seen[ECS_PL_SEEN];
    uint32_t seen_next;
    ecs_pl_qentry qcache[ECS_PL_MAX_QCACHE];
    /* scratch for the general path */
    uint64_t *scr_count;
    size_t scr_count_cap;
    uint32_t *scr_slots;
    size_t scr_slots_cap;
};

uint32_t ecs_place__atom_find(const ecs_place *e, const char *s, size_t len);
ecs_status ecs_place__atom_intern(ecs_place *e, const char *s, size_t len, uint32_t *out);
uint32_t ecs_place__slot_find(const ecs_place *e, const char *id, size_t len);
/* Compiled memberOf from the engine's cache (or compiled now). */
ecs_status ecs_place__query_get(ecs_place *e, const char *text, size_t len, ecs_query **out,
                                bool *dep);

/* Test knobs. */
void ecs_place__set_mode(ecs_place *e, ecs_pl_mode mode);
/* Cross-check every cached view against a rebuild from scratch: true when
 * all agree (trees ordered and balanced, maxima and partition counts). */
bool ecs_place__views_check(ecs_place *e);

#endif /* ECS_PLACE_INTERNAL_H */
