/*
 * References between the containers of a definition: links ("name" or
 * "name:alias", bridge mode only), volumesFrom and dependsOn (spec 1.4).
 * Each must name another container of the definition. dependsOn conditions
 * add their own rules: HEALTHY needs a healthCheck on the target; COMPLETE
 * and SUCCESS may not target an essential container (the target would stop
 * the task when it exits).
 *
 * All three also order container start-up (the agent starts a link target,
 * a volumesFrom source and a dependency first), so a cycle through any mix
 * of them could never start and is refused. With at most 10 containers the
 * graph is a 10x10 matrix and the search a depth-first walk with an
 * explicit stack.
 */
#include <stdio.h>
#include <string.h>

#include "model/taskdef_internal.h"

#define TRY(expr)                        \
    do {                                 \
        ecs_status rc_ = (expr);         \
        if (rc_ != ECS_OK)               \
            return rc_;                  \
    } while (0)

#define N ECS_TASKDEF_MAX_CONTAINERS

/* What made an edge, for the message naming the cycle. */
typedef enum edge_kind { EDGE_NONE = 0, EDGE_DEPENDS_ON, EDGE_LINKS, EDGE_VOLUMES_FROM } edge_kind;

typedef struct graph {
    unsigned char edge[N][N]; /* edge[a][b]: a starts after b (edge_kind) */
    size_t elem[N][N];        /* index of the array element that made it */
} graph;

static const char *edge_field(unsigned char kind)
{
    switch ((edge_kind)kind) {
    case EDGE_DEPENDS_ON:
        return "dependsOn";
    case EDGE_LINKS:
        return "links";
    case EDGE_VOLUMES_FROM:
        return "volumesFrom";
    case EDGE_NONE:
        break;
    }
    return "?";
}

static void add_edge(graph *g, size_t from, size_t to, edge_kind kind, size_t elem)
{
    if (g->edge[from][to] == EDGE_NONE) {
        g->edge[from][to] = (unsigned char)kind;
        g->elem[from][to] = elem;
    }
}

/* Resolve a container reference: not found and self are refused. */
static ecs_status target(const ecs_tdscan *s, const ecs_taskdef *td, size_t self,
                         const ecs_path *at, const char *what, const char *name, size_t len,
                         size_t *out)
{
    size_t t = ecs_taskdef__find(td, name, len);

    if (t == ECS_TD_NONE)
        return ecs_taskdef__client(s, "%s: no container named '%.*s' in this task definition.",
                                   ecs_path__str(at), (int)(len > 255 ? 255 : len), name);
    if (t == self)
        return ecs_taskdef__client(s, "%s: a container cannot %s itself.", ecs_path__str(at), what);
    *out = t;
    return ECS_OK;
}

static ecs_status check_links(const ecs_tdscan *s, const ecs_taskdef *td, size_t i,
                              const ecs_path *cp, graph *g)
{
    const ecs_json_val *arr, *v;
    ecs_path lp = ecs_taskdef__path_key(cp, "links");
    size_t j = 0;

    TRY(ecs_taskdef__arr(s, s->cobj[i], cp, "links", &arr));
    if (ecs_json_len(arr) > 0 && td->network_mode != ECS_NET_BRIDGE)
        return ecs_taskdef__client(s, "%s: links are only supported when networkMode is bridge.",
                                   ecs_path__str(&lp));
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), j++) {
        ecs_path ep = ecs_taskdef__path_index(&lp, j);
        ecs_tdstr link;
        const char *colon;
        size_t name_len = 0, t = 0;
        TRY(ecs_taskdef__elem_str(s, v, &ep, &link));
        colon = link.len > 0 ? memchr(link.p, ':', link.len) : NULL;
        name_len = colon != NULL ? (size_t)(colon - link.p) : link.len;
        if (name_len == 0)
            return ecs_taskdef__invalid(s, "%s must be \"name\" or \"name:alias\".",
                                        ecs_path__str(&ep));
        if (colon != NULL && !ecs_taskdef__valid_name(colon + 1, link.len - name_len - 1))
            return ecs_taskdef__invalid(
                s, "%s: the alias must be 1 to 255 letters, digits, hyphens and underscores.",
                ecs_path__str(&ep));
        TRY(target(s, td, i, &ep, "link to", link.p, name_len, &t));
        add_edge(g, i, t, EDGE_LINKS, j);
    }
    return ECS_OK;
}

static ecs_status check_volumes_from(const ecs_tdscan *s, const ecs_taskdef *td, size_t i,
                                     const ecs_path *cp, graph *g)
{
    const ecs_json_val *arr, *v;
    ecs_path vp = ecs_taskdef__path_key(cp, "volumesFrom");
    size_t j = 0;

    TRY(ecs_taskdef__arr(s, s->cobj[i], cp, "volumesFrom", &arr));
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), j++) {
        ecs_path ep = ecs_taskdef__path_index(&vp, j);
        ecs_path sp = ecs_taskdef__path_key(&ep, "sourceContainer");
        ecs_tdstr src;
        bool has, ro;
        size_t t = 0;
        TRY(ecs_taskdef__elem_obj(s, v, &ep));
        TRY(ecs_taskdef__str(s, v, &ep, "sourceContainer", &src));
        TRY(ecs_taskdef__bool(s, v, &ep, "readOnly", &has, &ro));
        if (src.p == NULL || src.len == 0)
            return ecs_taskdef__client(s, "%s: required.", ecs_path__str(&sp));
        TRY(target(s, td, i, &sp, "mount volumes from", src.p, src.len, &t));
        add_edge(g, i, t, EDGE_VOLUMES_FROM, j);
    }
    return ECS_OK;
}

static ecs_status check_depends_on(const ecs_tdscan *s, const ecs_taskdef *td, size_t i,
                                   const ecs_path *cp, graph *g)
{
    const ecs_json_val *arr, *v;
    ecs_path dp = ecs_taskdef__path_key(cp, "dependsOn");
    size_t j = 0;

    TRY(ecs_taskdef__arr(s, s->cobj[i], cp, "dependsOn", &arr));
    for (v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v), j++) {
        ecs_path ep = ecs_taskdef__path_index(&dp, j);
        ecs_path np = ecs_taskdef__path_key(&ep, "containerName");
        ecs_tdstr name, cond;
        size_t t = 0;
        TRY(ecs_taskdef__elem_obj(s, v, &ep));
        TRY(ecs_taskdef__str(s, v, &ep, "containerName", &name));
        TRY(ecs_taskdef__str(s, v, &ep, "condition", &cond));
        if (name.p == NULL)
            return ecs_taskdef__invalid(s, "%s: required member is missing.", ecs_path__str(&np));
        if (cond.p == NULL)
            return ecs_taskdef__invalid(s, "%s.condition: required member is missing.",
                                        ecs_path__str(&ep));
        if (!ecs_taskdef__str_eq(&cond, "START") && !ecs_taskdef__str_eq(&cond, "COMPLETE") &&
            !ecs_taskdef__str_eq(&cond, "SUCCESS") && !ecs_taskdef__str_eq(&cond, "HEALTHY"))
            return ecs_taskdef__invalid(
                s, "%s.condition must be START, COMPLETE, SUCCESS or HEALTHY (got \"%.*s\").",
                ecs_path__str(&ep), (int)(cond.len > 64 ? 64 : cond.len), cond.p);
        TRY(target(s, td, i, &np, "depend on", name.p, name.len, &t));
        if (ecs_taskdef__str_eq(&cond, "HEALTHY") &&
            ecs_taskdef__get(s->doc, s->cobj[t], "healthCheck") == NULL)
            return ecs_taskdef__client(s,
                                       "%s.condition: HEALTHY needs a healthCheck on container "
                                       "'%s'.",
                                       ecs_path__str(&ep), ecs_str__c(&td->containers[t].name));
        if ((ecs_taskdef__str_eq(&cond, "COMPLETE") || ecs_taskdef__str_eq(&cond, "SUCCESS")) &&
            td->containers[t].essential)
            return ecs_taskdef__client(s,
                                       "%s: A dependency container with SUCCESS or COMPLETE "
                                       "condition cannot be an essential container ('%s' is "
                                       "essential).",
                                       ecs_path__str(&ep), ecs_str__c(&td->containers[t].name));
        add_edge(g, i, t, EDGE_DEPENDS_ON, j);
    }
    return ECS_OK;
}

/* Depth-first search for a cycle; on finding one, name it. */
static ecs_status check_cycles(const ecs_tdscan *s, const ecs_taskdef *td, const graph *g)
{
    unsigned char color[N] = { 0 }; /* 0 new, 1 on the stack, 2 done */
    size_t stack[N], next[N], depth, root, k;
    size_t n = td->ncontainers;

    for (root = 0; root < n; root++) {
        if (color[root] != 0)
            continue;
        depth = 0;
        stack[depth] = root;
        next[depth] = 0;
        color[root] = 1;
        depth++;
        while (depth > 0) {
            size_t at = stack[depth - 1], to = next[depth - 1];
            while (to < n && g->edge[at][to] == EDGE_NONE)
                to++;
            if (to == n) {
                color[at] = 2;
                depth--;
                continue;
            }
            next[depth - 1] = to + 1;
            if (color[to] == 0) {
                color[to] = 1;
                stack[depth] = to;
                next[depth] = 0;
                depth++;
            } else if (color[to] == 1) {
                /* the cycle is stack[first..depth-1], then back to `to` */
                char names[ECS_API_MSG_SIZE / 2];
                size_t first = 0, used = 0, a, b;
                ecs_path ep;
                while (stack[first] != to)
                    first++;
                names[0] = '\0';
                for (k = first; k <= depth && used < sizeof names; k++) {
                    const ecs_str *nm = &td->containers[k < depth ? stack[k] : to].name;
                    int w = snprintf(names + used, sizeof names - used, "%s%s",
                                     k == first ? "" : " -> ", ecs_str__c(nm));
                    if (w < 0)
                        break;
                    used += (size_t)w;
                }
                /* name the field of the cycle's first edge */
                a = stack[first];
                b = first + 1 < depth ? stack[first + 1] : to;
                ep = ecs_taskdef__cpath(a);
                ep = ecs_taskdef__path_key(&ep, edge_field(g->edge[a][b]));
                ep = ecs_taskdef__path_index(&ep, g->elem[a][b]);
                return ecs_taskdef__client(s,
                                           "%s: containers wait for each other in a cycle (%s), "
                                           "so none could start.",
                                           ecs_path__str(&ep), names);
            }
        }
    }
    return ECS_OK;
}

ecs_status ecs_taskdef__check_deps(const ecs_tdscan *s, const ecs_taskdef *td)
{
    graph g;
    size_t i;

    memset(&g, 0, sizeof g);
    if (td->ncontainers > N)
        return ecs_taskdef__limit(s, "containerDefinitions: Too many containers.");
    for (i = 0; i < td->ncontainers; i++) {
        ecs_path cp = ecs_taskdef__cpath(i);
        TRY(check_links(s, td, i, &cp, &g));
        TRY(check_volumes_from(s, td, i, &cp, &g));
        TRY(check_depends_on(s, td, i, &cp, &g));
    }
    return check_cycles(s, td, &g);
}
