/*
 * AVL trees over a view's nodes. A node is an instance slot; nodes of one
 * view live in one array indexed by slot, and a view may hold several
 * trees in it (one per spread partition). Order: the node's stored key
 * (up to three strategy keys, unused ones zero), then the instance's tie
 * rank, then the slot, so every key is unique.
 *
 * Each node also keeps, over the unblocked nodes of its subtree, the
 * largest remaining CPU, memory, GPUs and ENI slots. A search for the first
 * node in key order that fits a task prunes every subtree whose maxima fall
 * short, so it skips runs of full instances without visiting them: a
 * placement costs O(log n) unless many instances pass the pruning and
 * still fail a late check (a dynamic port range, a task-dependent memberOf).
 */
#include "place/place_internal.h"

static uint8_t height(const ecs_pl_vnode *nodes, uint32_t x)
{
    return x == ECS_PL_NIL ? 0 : nodes[x].h;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/* The height, maxima and ANY flag node x should have, from its children. */
static void compute(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t x, ecs_pl_vnode *out)
{
    const ecs_pl_vnode *n = &nodes[x];
    uint8_t hl = height(nodes, n->l), hr = height(nodes, n->r);
    bool any = !(n->flags & ECS_PL_VN_BLOCKED);
    uint32_t c[2], i, mc = 0, mm = 0, mg = 0, me = 0;

    if (any) {
        mc = e->inst[x].rem.cpu;
        mm = e->inst[x].rem.mem;
        mg = e->inst[x].rem.gpu;
        me = e->inst[x].rem.eni;
    }
    c[0] = n->l;
    c[1] = n->r;
    for (i = 0; i < 2; i++) {
        const ecs_pl_vnode *k;
        if (c[i] == ECS_PL_NIL || !(nodes[c[i]].flags & ECS_PL_VN_ANY))
            continue;
        k = &nodes[c[i]];
        any = true;
        mc = max_u32(mc, k->mcpu);
        mm = max_u32(mm, k->mmem);
        mg = max_u32(mg, k->mgpu);
        me = max_u32(me, k->meni);
    }
    out->h = (uint8_t)(1u + (hl > hr ? hl : hr));
    out->mcpu = mc;
    out->mmem = mm;
    out->mgpu = mg;
    out->meni = me;
    out->flags = (uint8_t)(any ? (n->flags | ECS_PL_VN_ANY) : (n->flags & ~ECS_PL_VN_ANY));
}

static void recompute(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t x)
{
    compute(e, nodes, x, &nodes[x]);
}

bool ecs_place__node_less(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t a, uint32_t b)
{
    const ecs_pl_vnode *x = &nodes[a], *y = &nodes[b];
    int i;
    for (i = 0; i < 3; i++)
        if (x->key[i] != y->key[i])
            return x->key[i] < y->key[i];
    if (e->rank[a] != e->rank[b])
        return e->rank[a] < e->rank[b];
    return a < b;
}

static uint32_t rot_right(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t n)
{
    uint32_t l = nodes[n].l;
    nodes[n].l = nodes[l].r;
    nodes[l].r = n;
    recompute(e, nodes, n);
    recompute(e, nodes, l);
    return l;
}

static uint32_t rot_left(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t n)
{
    uint32_t r = nodes[n].r;
    nodes[n].r = nodes[r].l;
    nodes[r].l = n;
    recompute(e, nodes, n);
    recompute(e, nodes, r);
    return r;
}

static uint32_t balance(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t n)
{
    int bf;

    recompute(e, nodes, n);
    bf = (int)height(nodes, nodes[n].l) - (int)height(nodes, nodes[n].r);
    if (bf > 1) {
        uint32_t l = nodes[n].l;
        if (height(nodes, nodes[l].l) < height(nodes, nodes[l].r))
            nodes[n].l = rot_left(e, nodes, l);
        return rot_right(e, nodes, n);
    }
    if (bf < -1) {
        uint32_t r = nodes[n].r;
        if (height(nodes, nodes[r].r) < height(nodes, nodes[r].l))
            nodes[n].r = rot_right(e, nodes, r);
        return rot_left(e, nodes, n);
    }
    return n;
}

uint32_t ecs_place__tree_insert(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t root, uint32_t x)
{
    if (root == ECS_PL_NIL) {
        nodes[x].l = nodes[x].r = ECS_PL_NIL;
        recompute(e, nodes, x);
        return x;
    }
    if (ecs_place__node_less(e, nodes, x, root))
        nodes[root].l = ecs_place__tree_insert(e, nodes, nodes[root].l, x);
    else
        nodes[root].r = ecs_place__tree_insert(e, nodes, nodes[root].r, x);
    return balance(e, nodes, root);
}

uint32_t ecs_place__tree_update(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t root, uint32_t x)
{
    uint32_t n = root;
    /* The path from the root to x, recomputed bottom-up: x's key is
     * unchanged, only what it contributes to the maxima. */
    uint32_t path[64];
    size_t depth = 0;

    while (n != ECS_PL_NIL && depth < 64) {
        path[depth++] = n;
        if (n == x)
            break;
        n = ecs_place__node_less(e, nodes, x, n) ? nodes[n].l : nodes[n].r;
    }
    while (depth > 0)
        recompute(e, nodes, path[--depth]);
    return root;
}

/* Detach the smallest node of the subtree n into *min. */
static uint32_t delete_min(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t n, uint32_t *min)
{
    if (nodes[n].l == ECS_PL_NIL) {
        *min = n;
        return nodes[n].r;
    }
    nodes[n].l = delete_min(e, nodes, nodes[n].l, min);
    return balance(e, nodes, n);
}

uint32_t ecs_place__tree_delete(const ecs_place *e, ecs_pl_vnode *nodes, uint32_t root, uint32_t x)
{
    if (root == ECS_PL_NIL)
        return ECS_PL_NIL;
    if (root == x) {
        uint32_t l = nodes[x].l, r = nodes[x].r, m;
        if (l == ECS_PL_NIL)
            return r;
        if (r == ECS_PL_NIL)
            return l;
        r = delete_min(e, nodes, r, &m);
        nodes[m].l = l;
        nodes[m].r = r;
        return balance(e, nodes, m);
    }
    if (ecs_place__node_less(e, nodes, x, root))
        nodes[root].l = ecs_place__tree_delete(e, nodes, nodes[root].l, x);
    else
        nodes[root].r = ecs_place__tree_delete(e, nodes, nodes[root].r, x);
    return balance(e, nodes, root);
}

uint32_t ecs_place__tree_build(const ecs_place *e, ecs_pl_vnode *nodes, const uint32_t *sorted,
                               size_t n)
{
    size_t mid;
    uint32_t x;

    if (n == 0)
        return ECS_PL_NIL;
    mid = n / 2;
    x = sorted[mid];
    nodes[x].l = ecs_place__tree_build(e, nodes, sorted, mid);
    nodes[x].r = ecs_place__tree_build(e, nodes, sorted + mid + 1, n - mid - 1);
    recompute(e, nodes, x);
    return x;
}

static bool subtree_may_fit(const ecs_pl_vnode *n, const ecs_pl_req *q)
{
    return (n->flags & ECS_PL_VN_ANY) && n->mcpu >= q->cpu && n->mmem >= q->mem &&
           n->mgpu >= q->gpu && n->meni >= q->eni;
}

static bool node_fits(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t x,
                      const ecs_pl_req *q)
{
    return !(nodes[x].flags & ECS_PL_VN_BLOCKED) && e->inst[x].rem.cpu >= q->cpu &&
           e->inst[x].rem.mem >= q->mem && e->inst[x].rem.gpu >= q->gpu &&
           e->inst[x].rem.eni >= q->eni;
}

uint32_t ecs_place__tree_first(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t root,
                               const ecs_pl_req *q, ecs_pl_okfn ok, const void *user)
{
    while (root != ECS_PL_NIL && subtree_may_fit(&nodes[root], q)) {
        uint32_t r = ecs_place__tree_first(e, nodes, nodes[root].l, q, ok, user);
        if (r != ECS_PL_NIL)
            return r;
        if (node_fits(e, nodes, root, q) && ok(user, root))
            return root;
        root = nodes[root].r;
    }
    return ECS_PL_NIL;
}

void ecs_place__tree_collect(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t root,
                             const ecs_pl_req *q, ecs_pl_okfn ok, const void *user, uint32_t *out,
                             size_t *n)
{
    while (root != ECS_PL_NIL && subtree_may_fit(&nodes[root], q)) {
        ecs_place__tree_collect(e, nodes, nodes[root].l, q, ok, user, out, n);
        if (node_fits(e, nodes, root, q) && ok(user, root))
            out[(*n)++] = root;
        root = nodes[root].r;
    }
}

/* Check a subtree: order, balance, heights and maxima; count its nodes. */
static bool valid(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t x, size_t *count,
                  uint32_t lo, uint32_t hi)
{
    const ecs_pl_vnode *n;
    ecs_pl_vnode want;
    uint8_t hl, hr;

    if (x == ECS_PL_NIL)
        return true;
    n = &nodes[x];
    if (lo != ECS_PL_NIL && !ecs_place__node_less(e, nodes, lo, x))
        return false;
    if (hi != ECS_PL_NIL && !ecs_place__node_less(e, nodes, x, hi))
        return false;
    if (!valid(e, nodes, n->l, count, lo, x) || !valid(e, nodes, n->r, count, x, hi))
        return false;
    hl = height(nodes, n->l);
    hr = height(nodes, n->r);
    if (hl > hr + 1 || hr > hl + 1)
        return false;
    (*count)++;
    compute(e, nodes, x, &want);
    return want.h == n->h && want.mcpu == n->mcpu && want.mmem == n->mmem && want.mgpu == n->mgpu &&
           want.meni == n->meni && want.flags == n->flags;
}

bool ecs_place__tree_valid(const ecs_place *e, const ecs_pl_vnode *nodes, uint32_t root,
                           size_t *count)
{
    return valid(e, nodes, root, count, ECS_PL_NIL, ECS_PL_NIL);
}
