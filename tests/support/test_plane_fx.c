/*
 * The fixture the control-plane tests share: a plane on a counting,
 * failing allocator, and helpers to call it and read its answers.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_plane_fx.h"
#include "test_util.h"

int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    o.seed = 42;
    if (ecs_plane_new(f->ctx, &o, &f->pl) != ECS_OK)
        return -1;
    *state = f;
    return 0;
}

int setup_sim(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    o.seed = 42;
    o.flags = ECS_PLANE_F_SIMULATED_AGENTS;
    if (ecs_plane_new(f->ctx, &o, &f->pl) != ECS_OK)
        return -1;
    *state = f;
    return 0;
}

int teardown(void **state)
{
    fx *f = *state;
    ecs_json_doc_free(f->doc);
    ecs_plane_free(f->pl);
    test_ctx_free_check(f->ctx, &f->ta);
    free(f);
    return 0;
}

ecs_status call(fx *f, const char *action, const char *req)
{
    const char *out = NULL;
    size_t len = 0;
    ecs_status rc = ecs_plane_call(f->pl, action, strlen(action), req, req ? strlen(req) : 0, &out,
                                   &len);
    ecs_json_doc_free(f->doc);
    f->doc = NULL;
    assert_non_null(out);
    assert_int_equal(ecs_json_parse(f->ctx, out, len, NULL, &f->doc), ECS_OK);
    return rc;
}

void ok(fx *f, const char *action, const char *req)
{
    ecs_status rc = call(f, action, req);
    if (rc != ECS_OK)
        fail_msg("%s %s: %s %s", action, req ? req : "", ecs_plane_error_code(f->pl),
                 ecs_ctx_errmsg(f->ctx));
}

void fails(fx *f, const char *action, const char *req, const char *code, const char *needle)
{
    const char *d;
    size_t dl;
    char *before;
    ecs_status rc;
    assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
    before = malloc(dl + 1);
    memcpy(before, d, dl + 1);
    rc = call(f, action, req);
    if (rc >= 0)
        fail_msg("%s %s succeeded, expected %s", action, req, code);
    if (strcmp(ecs_plane_error_code(f->pl), code) != 0)
        fail_msg("%s %s: got %s (%s), expected %s", action, req, ecs_plane_error_code(f->pl),
                 ecs_ctx_errmsg(f->ctx), code);
    if (needle != NULL && strstr(ecs_ctx_errmsg(f->ctx), needle) == NULL)
        fail_msg("%s: message \"%s\" does not mention \"%s\"", action, ecs_ctx_errmsg(f->ctx),
                 needle);
    {
        const ecs_json_val *root = ecs_json_root(f->doc);
        size_t n = 0;
        const char *t = ecs_json_str(f->doc, ecs_json_obj_get(f->doc, root, "__type", 6), &n);
        assert_non_null(t);
        assert_string_equal(t, code);
    }
    assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
    if (strcmp(before, d) != 0)
        fail_msg("%s %s changed the state although it failed", action, req);
    free(before);
}

const ecs_json_val *at(fx *f, const char *path)
{
    const ecs_json_val *v = ecs_json_root(f->doc);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok != NULL && v != NULL; tok = strtok(NULL, ".")) {
        if (tok[0] >= '0' && tok[0] <= '9')
            v = ecs_json_arr_get(v, (size_t)atoi(tok));
        else
            v = ecs_json_obj_get(f->doc, v, tok, strlen(tok));
    }
    return v;
}

const char *str_at(fx *f, const char *path)
{
    const char *s = ecs_json_str(f->doc, at(f, path), NULL);
    if (s == NULL)
        fail_msg("no string at %s", path);
    return s;
}

int64_t int_at(fx *f, const char *path)
{
    int64_t v = 0;
    if (ecs_json_get_int(at(f, path), &v) != ECS_OK)
        fail_msg("no integer at %s", path);
    return v;
}

size_t len_at(fx *f, const char *path)
{
    const ecs_json_val *v = at(f, path);
    if (v == NULL)
        fail_msg("nothing at %s", path);
    return ecs_json_len(v);
}

/* ---- invariants ---------------------------------------------------------- */

typedef struct hist_entry {
    char *arn;
    int rank;
    bool desired_stopped;
    bool seen;
} hist_entry;

struct fx_history {
    hist_entry *v;
    size_t n, cap;
};

fx_history *fx_history_new(void)
{
    return calloc(1, sizeof(fx_history));
}

void fx_history_free(fx_history *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].arn);
    free(h->v);
    free(h);
}

int fx_status_rank(const char *s)
{
    static const char *const k[] = { "PROVISIONING", "PENDING", "ACTIVATING", "RUNNING",
                                     "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED" };
    for (int i = 0; s != NULL && i < 8; i++)
        if (strcmp(s, k[i]) == 0)
            return i;
    return -1;
}

static const ecs_json_val *jget(const ecs_json_doc *d, const ecs_json_val *o, const char *k)
{
    return ecs_json_obj_get(d, o, k, strlen(k));
}

static const char *jstr(const ecs_json_doc *d, const ecs_json_val *o, const char *k)
{
    return ecs_json_str(d, jget(d, o, k), NULL);
}

static bool jint(const ecs_json_doc *d, const ecs_json_val *o, const char *k, int64_t *out)
{
    return ecs_json_get_int(jget(d, o, k), out) == ECS_OK;
}

static bool jeq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool jnum_str(const ecs_json_doc *d, const ecs_json_val *o, const char *k, int64_t *out)
{
    const char *s = jstr(d, o, k);
    char *end;
    if (s == NULL || s[0] < '0' || s[0] > '9')
        return false;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

static bool jresource(const ecs_json_doc *d, const ecs_json_val *arr, const char *name, int64_t *out)
{
    for (const ecs_json_val *r = ecs_json_first(arr); r != NULL; r = ecs_json_next(arr, r))
        if (jeq(jstr(d, r, "name"), name))
            return jint(d, r, "integerValue", out);
    return false;
}

#define BAD(...)                                                                                       \
    do {                                                                                               \
        snprintf(why, cap, __VA_ARGS__);                                                               \
        goto out;                                                                                      \
    } while (0)

/* One service's counts against the tasks of its group. */
static bool check_service(const ecs_json_doc *sd, const ecs_json_val *s, const ecs_json_doc *d,
                          const ecs_json_val *tasks, const char *cname, char *why, size_t cap)
{
    const char *name = jstr(sd, s, "serviceName");
    char group[300];
    int64_t running = 0, pending = 0, want_r = 0, want_p = 0;
    if (name == NULL || !jint(sd, s, "runningCount", &running) || !jint(sd, s, "pendingCount", &pending)) {
        snprintf(why, cap, "cluster %s: a service without name or counts", cname);
        return false;
    }
    snprintf(group, sizeof group, "service:%s", name);
    for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
        if (!jeq(jstr(d, t, "group"), group))
            continue;
        want_r += jeq(jstr(d, t, "lastStatus"), "RUNNING");
        want_p += jeq(jstr(d, t, "lastStatus"), "PENDING");
    }
    if (running != want_r || pending != want_p) {
        snprintf(why, cap, "cluster %s service %s (%s): runningCount %lld pendingCount %lld, its tasks: "
                           "%lld RUNNING %lld PENDING", cname, name, jstr(sd, s, "status"),
                 (long long)running, (long long)pending, (long long)want_r, (long long)want_p);
        return false;
    }
    return true;
}

/* Every service of cluster cname (ACTIVE ones from ListServices, and those
 * its tasks name), described ten at a time and checked. */
static bool check_services(ecs_ctx *ctx, ecs_plane *pl, const char *cname, const ecs_json_doc *d,
                           const ecs_json_val *tasks, char *why, size_t cap)
{
    char names[256][260];
    size_t n = 0;
    char req[4096];
    const char *out;
    size_t ol;
    ecs_json_doc *ld = NULL;
    bool good = true;
    int k = snprintf(req, sizeof req, "{\"cluster\":\"%s\",\"maxResults\":100}", cname);
    if (ecs_plane_call(pl, "ListServices", 12, req, (size_t)k, &out, &ol) != ECS_OK ||
        ecs_json_parse(ctx, out, ol, NULL, &ld) != ECS_OK) {
        snprintf(why, cap, "ListServices %s: %s %s", cname, ecs_plane_error_code(pl), ecs_ctx_errmsg(ctx));
        return false;
    }
    {
        const ecs_json_val *arns = jget(ld, ecs_json_root(ld), "serviceArns");
        for (const ecs_json_val *a = ecs_json_first(arns); a != NULL && n < 256; a = ecs_json_next(arns, a)) {
            const char *arn = ecs_json_str(ld, a, NULL);
            const char *slash = arn != NULL ? strrchr(arn, '/') : NULL;
            if (slash != NULL)
                snprintf(names[n++], sizeof names[0], "%s", slash + 1);
        }
    }
    ecs_json_doc_free(ld);
    for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL && n < 256; t = ecs_json_next(tasks, t)) {
        const char *g = jstr(d, t, "group");
        bool dup = false;
        if (g == NULL || strncmp(g, "service:", 8) != 0)
            continue;
        for (size_t i = 0; i < n; i++)
            dup |= strcmp(names[i], g + 8) == 0;
        if (!dup)
            snprintf(names[n++], sizeof names[0], "%s", g + 8);
    }
    for (size_t i = 0; i < n && good; i += 10) {
        ecs_json_doc *sd = NULL;
        const ecs_json_val *svcs;
        size_t len = (size_t)snprintf(req, sizeof req, "{\"cluster\":\"%s\",\"services\":[", cname);
        for (size_t j = i; j < n && j < i + 10; j++)
            len += (size_t)snprintf(req + len, sizeof req - len, "%s\"%s\"", j > i ? "," : "", names[j]);
        len += (size_t)snprintf(req + len, sizeof req - len, "]}");
        if (ecs_plane_call(pl, "DescribeServices", 16, req, len, &out, &ol) != ECS_OK ||
            ecs_json_parse(ctx, out, ol, NULL, &sd) != ECS_OK) {
            snprintf(why, cap, "DescribeServices %s: %s %s", req, ecs_plane_error_code(pl), ecs_ctx_errmsg(ctx));
            return false;
        }
        svcs = jget(sd, ecs_json_root(sd), "services");
        for (const ecs_json_val *s = ecs_json_first(svcs); s != NULL && good; s = ecs_json_next(svcs, s))
            good = check_service(sd, s, d, tasks, cname, why, cap);
        ecs_json_doc_free(sd);
    }
    return good;
}

static hist_entry *hist_find(fx_history *h, const char *arn)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->v[i].arn, arn) == 0)
            return &h->v[i];
    return NULL;
}

static bool check_history(fx_history *h, const ecs_json_doc *d, const ecs_json_val *t, char *why, size_t cap)
{
    const char *arn = jstr(d, t, "taskArn");
    const char *ls = jstr(d, t, "lastStatus"), *ds = jstr(d, t, "desiredStatus");
    int rank = fx_status_rank(ls);
    bool dstop = jeq(ds, "STOPPED");
    hist_entry *e;
    if (arn == NULL || rank < 0 || !(dstop || jeq(ds, "RUNNING"))) {
        snprintf(why, cap, "task %s: lastStatus %s desiredStatus %s", arn ? arn : "(no ARN)", ls ? ls : "-",
                 ds ? ds : "-");
        return false;
    }
    e = hist_find(h, arn);
    if (e == NULL) {
        if (h->n == h->cap) {
            size_t nc = h->cap ? h->cap * 2 : 64;
            hist_entry *v = realloc(h->v, nc * sizeof *v);
            if (v == NULL) {
                snprintf(why, cap, "out of memory");
                return false;
            }
            h->v = v;
            h->cap = nc;
        }
        e = &h->v[h->n++];
        e->arn = malloc(strlen(arn) + 1);
        if (e->arn == NULL) {
            h->n--;
            snprintf(why, cap, "out of memory");
            return false;
        }
        memcpy(e->arn, arn, strlen(arn) + 1);
        e->rank = rank;
        e->desired_stopped = dstop;
    }
    if (rank < e->rank) {
        snprintf(why, cap, "task %s: lastStatus moved back from rank %d to %s", arn, e->rank, ls);
        return false;
    }
    if (e->desired_stopped && !dstop) {
        snprintf(why, cap, "task %s: desiredStatus went from STOPPED back to RUNNING", arn);
        return false;
    }
    e->rank = rank;
    e->desired_stopped = dstop;
    e->seen = true;
    return true;
}

bool fx_check_plane(ecs_ctx *ctx, ecs_plane *pl, fx_history *hist, char *why, size_t cap)
{
    const char *dt;
    size_t dl;
    if (ecs_plane_dump(pl, &dt, &dl) != ECS_OK) {
        snprintf(why, cap, "ecs_plane_dump failed: %s", ecs_ctx_errmsg(ctx));
        return false;
    }
    return fx_check_dump(ctx, pl, hist, dt, dl, why, cap);
}

bool fx_check_dump(ecs_ctx *ctx, ecs_plane *pl, fx_history *hist, const char *dt, size_t dl, char *why,
                   size_t cap)
{
    ecs_json_doc *d = NULL;
    const ecs_json_val *clusters;
    bool good = false;

    why[0] = '\0';
    if (ecs_json_parse(ctx, dt, dl, NULL, &d) != ECS_OK) {
        snprintf(why, cap, "the dump does not parse: %s", ecs_ctx_errmsg(ctx));
        return false;
    }
    for (size_t i = 0; hist != NULL && i < hist->n; i++)
        hist->v[i].seen = false;
    clusters = jget(d, ecs_json_root(d), "clusters");
    for (const ecs_json_val *e = ecs_json_first(clusters); e != NULL; e = ecs_json_next(clusters, e)) {
        const ecs_json_val *c = jget(d, e, "cluster");
        const ecs_json_val *insts = jget(d, e, "containerInstances");
        const ecs_json_val *tasks = jget(d, e, "tasks");
        const char *cname = jstr(d, c, "clusterName");
        int64_t crun = 0, cpend = 0, want_crun = 0, want_cpend = 0;
        if (cname == NULL || !jint(d, c, "runningTasksCount", &crun) || !jint(d, c, "pendingTasksCount", &cpend))
            BAD("a cluster without name or counts");
        for (const ecs_json_val *in = ecs_json_first(insts); in != NULL; in = ecs_json_next(insts, in)) {
            const char *iarn = jstr(d, in, "containerInstanceArn");
            const ecs_json_val *rem = jget(d, in, "remainingResources");
            const ecs_json_val *reg = jget(d, in, "registeredResources");
            int64_t rc = 0, rm = 0, gc = 0, gm = 0, run = 0, pend = 0, cpu = 0, mem = 0, wr = 0, wp = 0;
            if (iarn == NULL || !jresource(d, rem, "CPU", &rc) || !jresource(d, rem, "MEMORY", &rm) ||
                !jresource(d, reg, "CPU", &gc) || !jresource(d, reg, "MEMORY", &gm) ||
                !jint(d, in, "runningTasksCount", &run) || !jint(d, in, "pendingTasksCount", &pend))
                BAD("cluster %s: an instance without ARN, resources or counts", cname);
            for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
                int64_t tc = 0, tm = 0;
                if (!jeq(jstr(d, t, "containerInstanceArn"), iarn) || jeq(jstr(d, t, "lastStatus"), "STOPPED"))
                    continue;
                if (!jnum_str(d, t, "cpu", &tc) || !jnum_str(d, t, "memory", &tm))
                    BAD("task %s: cpu or memory is not a number", jstr(d, t, "taskArn"));
                cpu += tc;
                mem += tm;
                wr += jeq(jstr(d, t, "desiredStatus"), "RUNNING");
                wp += jeq(jstr(d, t, "lastStatus"), "PENDING");
            }
            if (rc < 0 || rm < 0)
                BAD("instance %s over-committed: remaining CPU %lld memory %lld", iarn, (long long)rc,
                    (long long)rm);
            if (rc != gc - cpu || rm != gm - mem)
                BAD("instance %s (%s): remaining CPU %lld memory %lld, registered %lld %lld, live tasks "
                    "reserve %lld %lld", iarn, jstr(d, in, "status"), (long long)rc, (long long)rm,
                    (long long)gc, (long long)gm, (long long)cpu, (long long)mem);
            if (run != wr || pend != wp)
                BAD("instance %s (%s): runningTasksCount %lld pendingTasksCount %lld, its tasks: %lld "
                    "desired RUNNING, %lld PENDING", iarn, jstr(d, in, "status"), (long long)run,
                    (long long)pend, (long long)wr, (long long)wp);
        }
        for (const ecs_json_val *t = ecs_json_first(tasks); t != NULL; t = ecs_json_next(tasks, t)) {
            const char *tarn = jstr(d, t, "taskArn");
            const char *iarn = jstr(d, t, "containerInstanceArn");
            want_crun += jeq(jstr(d, t, "lastStatus"), "RUNNING");
            want_cpend += jeq(jstr(d, t, "lastStatus"), "PENDING");
            if (hist != NULL && !check_history(hist, d, t, why, cap))
                goto out;
            if (jeq(jstr(d, t, "lastStatus"), "STOPPED"))
                continue;
            if (jeq(jstr(d, t, "launchType"), "FARGATE")) {
                if (iarn != NULL)
                    BAD("Fargate task %s names instance %s", tarn, iarn);
                continue;
            }
            {
                const char *st = NULL;
                for (const ecs_json_val *in = ecs_json_first(insts); in != NULL; in = ecs_json_next(insts, in))
                    if (jeq(jstr(d, in, "containerInstanceArn"), iarn))
                        st = jstr(d, in, "status");
                if (!jeq(st, "ACTIVE") && !jeq(st, "DRAINING"))
                    BAD("live task %s (%s, desired %s) sits on instance %s which is %s", tarn,
                        jstr(d, t, "lastStatus"), jstr(d, t, "desiredStatus"), iarn ? iarn : "(none)",
                        st ? st : "not in the cluster");
            }
        }
        if (crun != want_crun || cpend != want_cpend)
            BAD("cluster %s: runningTasksCount %lld pendingTasksCount %lld, its tasks: %lld RUNNING %lld "
                "PENDING", cname, (long long)crun, (long long)cpend, (long long)want_crun, (long long)want_cpend);
        if (jeq(jstr(d, c, "status"), "ACTIVE") && !check_services(ctx, pl, cname, d, tasks, why, cap))
            goto out;
    }
    /* forget tasks that are gone (retention) */
    if (hist != NULL) {
        size_t k = 0;
        for (size_t i = 0; i < hist->n; i++) {
            if (hist->v[i].seen)
                hist->v[k++] = hist->v[i];
            else
                free(hist->v[i].arn);
        }
        hist->n = k;
    }
    good = true;
out:
    ecs_json_doc_free(d);
    return good;
}

const char *fmt(fx *f, const char *format, ...)
{
    va_list ap;
    int n;
    va_start(ap, format);
    n = vsnprintf(f->req, sizeof f->req, format, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof f->req);
    return f->req;
}

const char *pstr(fx *f, const char *format, ...)
{
    char p[256];
    va_list ap;
    va_start(ap, format);
    vsnprintf(p, sizeof p, format, ap);
    va_end(ap);
    return str_at(f, p);
}
