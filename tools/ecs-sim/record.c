/*
 * ecs-sim's recorder; see record.h. Everything here goes through libecs's
 * public API: the typed readers of ecs/plane.h for clusters and instances,
 * and read-only ECS actions through ecs_plane_call() for services and
 * tasks.
 */
#define _POSIX_C_SOURCE 200809L
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "svg.h"
#include "textbuf.h"

/* ---- JSON ----------------------------------------------------------------- */

static const ecs_json_val *jget(const ecs_json_doc *d, const ecs_json_val *o, const char *key)
{
    return ecs_json_obj_get(d, o, key, strlen(key));
}

static const char *jstr(const ecs_json_doc *d, const ecs_json_val *o, const char *key)
{
    return ecs_json_str(d, jget(d, o, key), NULL);
}

static int64_t jint(const ecs_json_doc *d, const ecs_json_val *o, const char *key, int64_t dflt)
{
    int64_t v;
    return ecs_json_get_int(jget(d, o, key), &v) == ECS_OK ? v : dflt;
}

static bool eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Replace *slot by a copy of s (NULL stays NULL). */
static void set_str(char **slot, const char *s)
{
    if (eq(*slot, s))
        return;
    free(*slot);
    *slot = s != NULL ? xstrdup(s) : NULL;
}

static void req_begin(rec *r)
{
    ecs_json_writer_reset(r->w);
    ecs_json_write_obj_begin(r->w);
}

static void req_str(rec *r, const char *key, const char *val)
{
    ecs_json_write_key(r->w, key, strlen(key));
    ecs_json_write_str(r->w, val, strlen(val));
}

static void req_int(rec *r, const char *key, int64_t val)
{
    ecs_json_write_key(r->w, key, strlen(key));
    ecs_json_write_int(r->w, val);
}

/* Run the request being written (a read-only action); its response parsed,
 * or NULL. */
static ecs_json_doc *api(rec *r, const char *action)
{
    const char *req, *out;
    size_t len, olen;
    ecs_json_doc *doc = NULL;
    ecs_json_write_obj_end(r->w);
    if (ecs_json_writer_result(r->w, &req, &len) != ECS_OK ||
        ecs_plane_call(r->plane, action, strlen(action), req, len, &out, &olen) != ECS_OK ||
        ecs_json_parse(r->ctx, out, olen, NULL, &doc) != ECS_OK)
        return NULL;
    return doc;
}

/* "arn:...:task-definition/web:3" -> "web:3"; an ARN's last part else. */
static const char *short_taskdef(const char *arn)
{
    const char *p = arn != NULL ? strrchr(arn, '/') : NULL;
    return p != NULL ? p + 1 : (arn != NULL ? arn : "");
}

static const char *arn_tail(const char *arn)
{
    const char *p = strrchr(arn, '/');
    return p != NULL ? p + 1 : arn;
}

/* "ecs-svc/5284443165414431586" -> "ecs-svc/…4431586" */
static void short_dep(textbuf *b, const char *id)
{
    size_t n = strlen(id);
    if (n > 15 && strncmp(id, "ecs-svc/", 8) == 0)
        tb_printf(b, "ecs-svc/\xe2\x80\xa6%s", id + n - 7);
    else
        tb_puts(b, id);
}

static int64_t ceil_pct(int64_t d, int64_t pct)
{
    return (d * pct + 99) / 100;
}

/* ---- Summary counters ------------------------------------------------------ */

static void count(char ***names, uint64_t **counts, size_t *n, size_t *cap, const char *name)
{
    size_t cap2;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*names)[i], name) == 0) {
            (*counts)[i]++;
            return;
        }
    }
    cap2 = *cap;
    xgrow(names, cap, *n + 1, sizeof **names);
    xgrow(counts, &cap2, *n + 1, sizeof **counts);
    (*names)[*n] = xstrdup(name);
    (*counts)[*n] = 1;
    (*n)++;
}

static void count_strategy(rec *r, const char *name)
{
    count(&r->strategy_names, &r->strategy_counts, &r->nstrategies, &r->strategies_cap, name);
}

static void count_failure(rec *r, const char *name)
{
    count(&r->failure_names, &r->failure_counts, &r->nfailures, &r->failures_cap, name);
}

/* ---- Lines ----------------------------------------------------------------- */

struct rec_line {
    int64_t t_ms;
    size_t seq;
    char *text;
    size_t len;
};

/* A line at time t_ms (the time of the event it tells of, when known). */
static void line_at(rec *r, int64_t t_ms, pretty_kind kind, const char *subject, const char *detail)
{
    textbuf b = TEXTBUF_INIT;
    if (!r->opts.pretty || r->quiet)
        return;
    if (t_ms < r->last_line_ms)
        t_ms = r->last_line_ms;
    if (!r->buffering) {
        pretty_line(&r->pretty, t_ms, kind, subject, detail);
        r->last_line_ms = t_ms;
        return;
    }
    pretty_format(&r->pretty, &b, t_ms, kind, subject, detail);
    xgrow(&r->lines, &r->lines_cap, r->nlines + 1, sizeof *r->lines);
    r->lines[r->nlines].t_ms = t_ms;
    r->lines[r->nlines].seq = r->nlines;
    r->lines[r->nlines].text = b.p;
    r->lines[r->nlines].len = b.len;
    r->nlines++;
}

static void line(rec *r, pretty_kind kind, const char *subject, const char *detail)
{
    line_at(r, r->now_ms, kind, subject, detail);
}

static int cmp_line(const void *a, const void *b)
{
    const struct rec_line *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_lines(rec *r)
{
    if (r->nlines > 1)
        qsort(r->lines, r->nlines, sizeof *r->lines, cmp_line);
    for (size_t i = 0; i < r->nlines; i++) {
        pretty_write(&r->pretty, r->lines[i].text, r->lines[i].len);
        if (r->lines[i].t_ms > r->last_line_ms)
            r->last_line_ms = r->lines[i].t_ms;
        free(r->lines[i].text);
    }
    r->nlines = 0;
}

static void paint(rec *r, textbuf *b, const char *sgr, const char *text)
{
    pretty_paint(&r->pretty, b, sgr, text);
}

static const char *status_color(const char *st)
{
    if (eq(st, "RUNNING") || eq(st, "HEALTHY") || eq(st, "ACTIVE") || eq(st, "COMPLETED"))
        return PC_GREEN;
    if (eq(st, "STOPPED") || eq(st, "UNHEALTHY") || eq(st, "FAILED") || eq(st, "INACTIVE"))
        return PC_RED;
    if (eq(st, "DRAINING") || eq(st, "DEACTIVATING") || eq(st, "STOPPING") || eq(st, "IN_PROGRESS"))
        return PC_YELLOW;
    return PC_NONE;
}

/* ---- Lifetime -------------------------------------------------------------- */

rec *rec_new(ecs_ctx *ctx, ecs_plane *plane, const rec_options *opts, progress *prog)
{
    rec *r = xcalloc(1, sizeof *r);
    r->ctx = ctx;
    r->plane = plane;
    r->opts = *opts;
    r->prog = prog;
    if (ecs_json_writer_new(ctx, 0, &r->w) != ECS_OK) {
        free(r);
        return NULL;
    }
    r->start_ms = r->now_ms = ecs_plane_now_ms(plane);
    r->wall_start = progress_clock();
    r->pretty.out = stdout;
    r->pretty.color = opts->color;
    r->pretty.start_ms = r->start_ms;
    r->pretty.prog = prog;
    return r;
}

static void free_service(rec_service *s)
{
    free(s->arn);
    free(s->name);
    free(s->cluster_name);
    free(s->last_event_id);
    free(s->strategy);
    for (size_t i = 0; i < s->ndeps; i++) {
        free(s->deps[i].id);
        free(s->deps[i].status);
        free(s->deps[i].rollout);
        free(s->deps[i].taskdef);
    }
    free(s->deps);
    for (size_t i = 0; i < s->nseries; i++) {
        free(s->series[i].id);
        free(s->series[i].taskdef);
    }
    free(s->series);
    free(s->points);
    free(s->counts);
    for (size_t i = 0; i < s->nmarkers; i++)
        free(s->markers[i].text);
    free(s->markers);
    free(s);
}

void rec_free(rec *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nclusters; i++) {
        rec_cluster *c = &r->clusters[i];
        for (size_t k = 0; k < c->ninstances; k++) {
            rec_instance *in = &c->instances[k];
            free(in->arn);
            free(in->ec2_id);
            free(in->zone);
            free(in->type);
            free(in->status);
        }
        free(c->instances);
        free(c->arn);
        free(c->name);
    }
    free(r->clusters);
    for (size_t i = 0; i < r->nservices; i++)
        free_service(r->services[i]);
    free(r->services);
    for (size_t i = 0; i < r->ntasks; i++) {
        rec_task *t = r->tasks[i];
        free(t->arn);
        free(t->cluster_arn);
        free(t->group);
        free(t->taskdef);
        free(t->instance_arn);
        free(t->zone);
        free(t->last_status);
        free(t->desired_status);
        free(t->health);
        free(t);
    }
    free(r->tasks);
    free(r->task_index);
    free(r->call_strategy);
    for (size_t i = 0; i < r->nlines; i++)
        free(r->lines[i].text);
    free(r->lines);
    for (size_t i = 0; i < r->nstrategies; i++)
        free(r->strategy_names[i]);
    free(r->strategy_names);
    free(r->strategy_counts);
    for (size_t i = 0; i < r->nfailures; i++)
        free(r->failure_names[i]);
    free(r->failure_names);
    free(r->failure_counts);
    ecs_json_writer_free(r->w);
    free(r);
}

/* ---- Tasks by ARN ---------------------------------------------------------- */

static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static rec_task *find_task(const rec *r, const char *arn)
{
    if (r->task_index_cap == 0)
        return NULL;
    for (size_t i = hash_str(arn) & (r->task_index_cap - 1);; i = (i + 1) & (r->task_index_cap - 1)) {
        size_t k = r->task_index[i];
        if (k == SIZE_MAX)
            return NULL;
        if (strcmp(r->tasks[k]->arn, arn) == 0)
            return r->tasks[k];
    }
}

static void index_task(rec *r, size_t k)
{
    size_t i = hash_str(r->tasks[k]->arn) & (r->task_index_cap - 1);
    while (r->task_index[i] != SIZE_MAX)
        i = (i + 1) & (r->task_index_cap - 1);
    r->task_index[i] = k;
}

static rec_task *add_task(rec *r, const char *arn)
{
    rec_task *t = xcalloc(1, sizeof *t);
    t->arn = xstrdup(arn);
    t->id = arn_tail(t->arn);
    xgrow(&r->tasks, &r->tasks_cap, r->ntasks + 1, sizeof *r->tasks);
    r->tasks[r->ntasks++] = t;
    if (r->ntasks * 2 > r->task_index_cap) {
        size_t cap = r->task_index_cap != 0 ? r->task_index_cap * 2 : 64;
        while (r->ntasks * 2 > cap)
            cap *= 2;
        free(r->task_index);
        r->task_index = xmalloc(cap * sizeof *r->task_index);
        for (size_t i = 0; i < cap; i++)
            r->task_index[i] = SIZE_MAX;
        r->task_index_cap = cap;
        for (size_t k = 0; k < r->ntasks; k++)
            index_task(r, k);
    } else {
        index_task(r, r->ntasks - 1);
    }
    return t;
}

static const rec_instance *find_instance(const rec *r, const char *arn)
{
    if (arn == NULL)
        return NULL;
    for (size_t i = 0; i < r->nclusters; i++)
        for (size_t k = 0; k < r->clusters[i].ninstances; k++)
            if (strcmp(r->clusters[i].instances[k].arn, arn) == 0)
                return &r->clusters[i].instances[k];
    return NULL;
}

static rec_service *find_service(const rec *r, const char *arn)
{
    for (size_t i = 0; i < r->nservices; i++)
        if (strcmp(r->services[i]->arn, arn) == 0)
            return r->services[i];
    return NULL;
}

static rec_service *find_service_by_name(const rec *r, const char *cluster_arn, const char *name)
{
    const char *cluster = arn_tail(cluster_arn);
    for (size_t i = 0; i < r->nservices; i++) {
        rec_service *s = r->services[i];
        if (!s->gone && strcmp(s->name, name) == 0 && strcmp(s->cluster_name, cluster) == 0)
            return s;
    }
    return NULL;
}

/* ---- Clusters and instances ------------------------------------------------ */

static void sample_instances(rec *r, size_t ci)
{
    rec_cluster *c = &r->clusters[ci];
    size_t n = ecs_plane_instance_count(r->plane, ci);
    for (size_t k = 0; k < c->ninstances; k++)
        c->instances[k].present = false;
    for (size_t k = 0; k < n; k++) {
        ecs_instance_info in;
        rec_instance *ri = NULL;
        textbuf d = TEXTBUF_INIT;
        if (ecs_plane_instance_info(r->plane, ci, k, &in) != ECS_OK)
            continue;
        if (k < c->ninstances && strcmp(c->instances[k].arn, in.arn) == 0)
            ri = &c->instances[k];
        for (size_t j = 0; ri == NULL && j < c->ninstances; j++)
            if (strcmp(c->instances[j].arn, in.arn) == 0)
                ri = &c->instances[j];
        if (ri == NULL) {
            xgrow(&c->instances, &c->instances_cap, c->ninstances + 1, sizeof *c->instances);
            ri = &c->instances[c->ninstances++];
            memset(ri, 0, sizeof *ri);
            ri->arn = xstrdup(in.arn);
            ri->ec2_id = xstrdup(in.ec2_instance_id != NULL ? in.ec2_instance_id : in.id);
            ri->zone = xstrdup(in.availability_zone != NULL ? in.availability_zone : "");
            ri->type = xstrdup(in.instance_type != NULL ? in.instance_type : "");
            ri->status = xstrdup(in.status);
            tb_printf(&d, "registered in %s, %s, CPU %lld, memory %lld MiB, ", ri->zone, ri->type,
                      (long long)in.cpu_registered, (long long)in.memory_registered);
            paint(r, &d, status_color(in.status), in.status);
            line(r, PK_INSTANCE, ri->ec2_id, tb_str(&d));
        } else if (!eq(ri->status, in.status)) {
            pretty_text(&d, ri->status);
            tb_puts(&d, " \xe2\x86\x92 ");
            paint(r, &d, status_color(in.status), in.status);
            line(r, PK_INSTANCE, ri->ec2_id, tb_str(&d));
            set_str(&ri->status, in.status);
        }
        ri->present = true;
        ri->cpu_registered = in.cpu_registered;
        ri->cpu_remaining = in.cpu_remaining;
        ri->memory_registered = in.memory_registered;
        ri->memory_remaining = in.memory_remaining;
        tb_free(&d);
    }
}

/* ---- Tasks ----------------------------------------------------------------- */

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void strlist_add(strlist *l, const char *s)
{
    xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = xstrdup(s);
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* The ARNs of a paginated List* action's `member` (taskArns...). */
static void list_all(rec *r, const char *action, const char *member, const char *cluster_arn,
                     const char *desired_status, strlist *out)
{
    char *token = NULL;
    do {
        ecs_json_doc *doc;
        const ecs_json_val *root, *arr;
        const char *next;
        req_begin(r);
        req_str(r, "cluster", cluster_arn);
        if (desired_status != NULL)
            req_str(r, "desiredStatus", desired_status);
        req_int(r, "maxResults", 100);
        if (token != NULL)
            req_str(r, "nextToken", token);
        doc = api(r, action);
        free(token);
        token = NULL;
        if (doc == NULL)
            break;
        root = ecs_json_root(doc);
        arr = jget(doc, root, member);
        for (const ecs_json_val *v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
            const char *s = ecs_json_str(doc, v, NULL);
            if (s != NULL)
                strlist_add(out, s);
        }
        next = jstr(doc, root, "nextToken");
        if (next != NULL)
            token = xstrdup(next);
        ecs_json_doc_free(doc);
    } while (token != NULL);
}

static const char *task_failure_reason(const char *stop_code, const char *reason)
{
    if (eq(stop_code, "TaskFailedToStart") || eq(stop_code, "EssentialContainerExited"))
        return stop_code;
    if (reason != NULL && strncmp(reason, "Task failed container health checks", 35) == 0)
        return "container health checks failed";
    if (reason != NULL && strncmp(reason, "Task failed ELB health checks", 29) == 0)
        return "ELB health checks failed";
    return NULL;
}

static void new_task(rec *r, rec_task *t, const ecs_json_doc *doc, const ecs_json_val *o)
{
    const char *group = jstr(doc, o, "group"), *td = jstr(doc, o, "taskDefinitionArn");
    const char *inst = jstr(doc, o, "containerInstanceArn"), *zone = jstr(doc, o, "availabilityZone");
    const char *lt = jstr(doc, o, "launchType"), *cp = jstr(doc, o, "capacityProviderName");
    const char *strategy = NULL;
    const rec_service *svc = NULL;
    const rec_instance *ri;
    ecs_taskdef_info info;
    textbuf d = TEXTBUF_INIT, subj = TEXTBUF_INIT, lbl = TEXTBUF_INIT;

    t->cluster_arn = xstrdup(jstr(doc, o, "clusterArn") != NULL ? jstr(doc, o, "clusterArn") : "");
    t->group = xstrdup(group != NULL ? group : "");
    t->taskdef = xstrdup(short_taskdef(td));
    t->instance_arn = inst != NULL ? xstrdup(inst) : NULL;
    t->zone = xstrdup(zone != NULL ? zone : "");
    t->fargate = inst == NULL && (eq(lt, "FARGATE") || cp == NULL || strncmp(cp, "FARGATE", 7) == 0);
    if (td != NULL && ecs_plane_find_taskdef(r->plane, td, strlen(td), &info) == ECS_OK) {
        t->cpu = info.cpu_units;
        t->memory = info.memory_mib;
    } else {
        const char *cpu = jstr(doc, o, "cpu"), *mem = jstr(doc, o, "memory");
        t->cpu = cpu != NULL ? strtoll(cpu, NULL, 10) : 0;
        t->memory = mem != NULL ? strtoll(mem, NULL, 10) : 0;
    }
    r->placed++;

    /* which strategy placed it */
    if (strncmp(t->group, "service:", 8) == 0)
        svc = find_service_by_name(r, t->cluster_arn, t->group + 8);
    if (t->fargate)
        strategy = "FARGATE (spread over the subnets' zones)";
    else if (svc != NULL)
        strategy = svc->strategy;
    else if (r->call_strategy != NULL)
        strategy = r->call_strategy;
    else
        strategy = "other";
    if (cp != NULL && !t->fargate) {
        tb_printf(&lbl, "capacity provider %s, %s", cp, strategy);
        strategy = tb_str(&lbl);
    }
    count_strategy(r, strategy);

    tb_printf(&subj, "%.8s", t->id);
    pretty_text(&d, t->taskdef);
    tb_puts(&d, " \xe2\x86\x92 ");
    ri = find_instance(r, t->instance_arn);
    if (t->fargate)
        paint(r, &d, PC_BOLD, "Fargate");
    else
        paint(r, &d, PC_BOLD, ri != NULL ? ri->ec2_id : (t->instance_arn != NULL ? arn_tail(t->instance_arn) : "?"));
    tb_puts(&d, " (");
    pretty_text(&d, t->zone[0] != '\0' ? t->zone : (ri != NULL ? ri->zone : "?"));
    tb_puts(&d, ")  ");
    paint(r, &d, PC_DIM, t->group);
    {
        double at = 0;
        int64_t t_ms = r->now_ms;
        if (ecs_json_get_double(jget(doc, o, "createdAt"), &at) == ECS_OK)
            t_ms = (int64_t)(at * 1000.0 + 0.5);
        line_at(r, t_ms, PK_PLACE, tb_str(&subj), tb_str(&d));
    }
    tb_free(&d);
    tb_free(&subj);
    tb_free(&lbl);
}

static void task_seen(rec *r, const ecs_json_doc *doc, const ecs_json_val *o)
{
    const char *arn = jstr(doc, o, "taskArn"), *last = jstr(doc, o, "lastStatus");
    const char *desired = jstr(doc, o, "desiredStatus"), *health = jstr(doc, o, "healthStatus");
    rec_task *t;
    textbuf subj = TEXTBUF_INIT, d = TEXTBUF_INIT;
    if (arn == NULL || last == NULL)
        return;
    t = find_task(r, arn);
    tb_printf(&subj, "%.8s", arn_tail(arn));
    if (t == NULL) {
        t = add_task(r, arn);
        new_task(r, t, doc, o);
        if (!eq(last, "PROVISIONING")) {
            tb_puts(&d, "\xe2\x86\x92 ");
            paint(r, &d, status_color(last), last);
            line(r, PK_TASK, tb_str(&subj), tb_str(&d));
        }
    } else if (!eq(t->last_status, last)) {
        pretty_text(&d, t->last_status != NULL ? t->last_status : "?");
        tb_puts(&d, " \xe2\x86\x92 ");
        paint(r, &d, status_color(last), last);
        if (eq(last, "STOPPED")) {
            const char *code = jstr(doc, o, "stopCode"), *why = jstr(doc, o, "stoppedReason");
            if (code != NULL || why != NULL) {
                tb_puts(&d, "  ");
                pretty_text(&d, code != NULL ? code : "");
                if (code != NULL && why != NULL)
                    tb_puts(&d, ": ");
                pretty_text(&d, why != NULL ? why : "");
            }
        }
        line(r, PK_TASK, tb_str(&subj), tb_str(&d));
    } else if (health != NULL && t->health != NULL && !eq(t->health, health)) {
        tb_puts(&d, "health ");
        pretty_text(&d, t->health);
        tb_puts(&d, " \xe2\x86\x92 ");
        paint(r, &d, status_color(health), health);
        line(r, PK_TASK, tb_str(&subj), tb_str(&d));
    }
    set_str(&t->last_status, last);
    set_str(&t->desired_status, desired);
    set_str(&t->health, health);
    if (!t->ran && eq(last, "RUNNING")) {
        t->ran = true;
        r->started++;
    }
    if (!t->final && eq(last, "STOPPED")) {
        const char *why = task_failure_reason(jstr(doc, o, "stopCode"), jstr(doc, o, "stoppedReason"));
        t->final = true;
        r->stopped++;
        if (why != NULL)
            count_failure(r, why);
    }
    tb_free(&subj);
    tb_free(&d);
}

static void sample_tasks(rec *r, const rec_cluster *c)
{
    strlist arns = { NULL, 0, 0 }, todo = { NULL, 0, 0 };
    list_all(r, "ListTasks", "taskArns", c->arn, "RUNNING", &arns);
    list_all(r, "ListTasks", "taskArns", c->arn, "STOPPED", &arns);
    for (size_t i = 0; i < arns.n; i++) {
        const rec_task *t = find_task(r, arns.v[i]);
        if (t == NULL || !t->final)
            strlist_add(&todo, arns.v[i]);
    }
    for (size_t i = 0; i < todo.n; i += 100) {
        ecs_json_doc *doc;
        const ecs_json_val *arr;
        req_begin(r);
        req_str(r, "cluster", c->arn);
        ecs_json_write_key(r->w, "tasks", 5);
        ecs_json_write_arr_begin(r->w);
        for (size_t k = i; k < todo.n && k < i + 100; k++)
            ecs_json_write_str(r->w, todo.v[k], strlen(todo.v[k]));
        ecs_json_write_arr_end(r->w);
        doc = api(r, "DescribeTasks");
        if (doc == NULL)
            continue;
        arr = jget(doc, ecs_json_root(doc), "tasks");
        for (const ecs_json_val *v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v))
            task_seen(r, doc, v);
        ecs_json_doc_free(doc);
    }
    strlist_free(&arns);
    strlist_free(&todo);
}

/* ---- Services -------------------------------------------------------------- */

/* A service object of DescribeServices, kept from reading to reporting. */
typedef struct svc_seen {
    rec_service *svc;
    const ecs_json_doc *doc;
    const ecs_json_val *obj;
} svc_seen;

typedef struct svc_batch {
    ecs_json_doc **docs;
    size_t ndocs, docs_cap;
    svc_seen *seen;
    size_t nseen, seen_cap;
} svc_batch;

static char *strategy_label(const ecs_json_doc *doc, const ecs_json_val *o, bool daemon)
{
    const ecs_json_val *arr = jget(doc, o, "placementStrategy");
    textbuf b = TEXTBUF_INIT;
    char *s;
    if (daemon)
        return xstrdup("daemon (one task per instance)");
    for (const ecs_json_val *v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
        const char *type = jstr(doc, v, "type"), *field = jstr(doc, v, "field");
        if (b.len > 0)
            tb_puts(&b, " > ");
        tb_printf(&b, "%s(%s)", type != NULL ? type : "?", field != NULL ? field : "");
    }
    if (b.len == 0)
        tb_puts(&b, "spread(attribute:ecs.availability-zone) > spread(instanceId) (service default)");
    s = xstrdup(tb_str(&b));
    tb_free(&b);
    return s;
}

static void read_services(rec *r, const rec_cluster *c, svc_batch *batch)
{
    strlist arns = { NULL, 0, 0 };
    list_all(r, "ListServices", "serviceArns", c->arn, NULL, &arns);
    for (size_t i = 0; i < arns.n; i += 10) {
        ecs_json_doc *doc;
        const ecs_json_val *arr;
        req_begin(r);
        req_str(r, "cluster", c->arn);
        ecs_json_write_key(r->w, "services", 8);
        ecs_json_write_arr_begin(r->w);
        for (size_t k = i; k < arns.n && k < i + 10; k++)
            ecs_json_write_str(r->w, arns.v[k], strlen(arns.v[k]));
        ecs_json_write_arr_end(r->w);
        doc = api(r, "DescribeServices");
        if (doc == NULL)
            continue;
        xgrow(&batch->docs, &batch->docs_cap, batch->ndocs + 1, sizeof *batch->docs);
        batch->docs[batch->ndocs++] = doc;
        arr = jget(doc, ecs_json_root(doc), "services");
        for (const ecs_json_val *v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
            const char *arn = jstr(doc, v, "serviceArn"), *name = jstr(doc, v, "serviceName");
            const ecs_json_val *dc = jget(doc, v, "deploymentConfiguration");
            rec_service *s;
            if (arn == NULL || name == NULL)
                continue;
            s = find_service(r, arn);
            if (s == NULL) {
                s = xcalloc(1, sizeof *s);
                s->arn = xstrdup(arn);
                s->name = xstrdup(name);
                s->cluster_name = xstrdup(c->name);
                xgrow(&r->services, &r->services_cap, r->nservices + 1, sizeof *r->services);
                r->services[r->nservices++] = s;
            }
            s->gone = false;
            s->seen = true;
            s->daemon = eq(jstr(doc, v, "schedulingStrategy"), "DAEMON");
            s->fargate = eq(jstr(doc, v, "launchType"), "FARGATE");
            s->desired = jint(doc, v, "desiredCount", 0);
            s->min_pct = jint(doc, dc, "minimumHealthyPercent", s->daemon ? 0 : 100);
            s->max_pct = jint(doc, dc, "maximumPercent", s->daemon ? 100 : 200);
            free(s->strategy);
            s->strategy = strategy_label(doc, v, s->daemon);
            xgrow(&batch->seen, &batch->seen_cap, batch->nseen + 1, sizeof *batch->seen);
            batch->seen[batch->nseen].svc = s;
            batch->seen[batch->nseen].doc = doc;
            batch->seen[batch->nseen].obj = v;
            batch->nseen++;
        }
    }
    strlist_free(&arns);
}

static void add_marker(rec_service *s, int64_t t_ms, rec_marker_kind kind, const char *text)
{
    xgrow(&s->markers, &s->markers_cap, s->nmarkers + 1, sizeof *s->markers);
    s->markers[s->nmarkers].t_ms = t_ms;
    s->markers[s->nmarkers].kind = kind;
    s->markers[s->nmarkers].text = xstrdup(text);
    s->nmarkers++;
}

static void service_events(rec *r, rec_service *s, const ecs_json_doc *doc, const ecs_json_val *o)
{
    const ecs_json_val *arr = jget(doc, o, "events");
    size_t n = ecs_json_len(arr), k = n;
    char prefix[300];
    int pl = snprintf(prefix, sizeof prefix, "(service %s) ", s->name);
    if (s->last_event_id != NULL) {
        for (size_t i = 0; i < n; i++) {
            if (eq(jstr(doc, ecs_json_arr_get(arr, i), "id"), s->last_event_id)) {
                k = i;
                break;
            }
        }
    }
    for (size_t i = k; i-- > 0;) {
        const ecs_json_val *e = ecs_json_arr_get(arr, i);
        const char *msg = jstr(doc, e, "message"), *text;
        double at = 0;
        int64_t t_ms;
        pretty_kind kind = PK_EVENT;
        if (msg == NULL)
            continue;
        text = msg;
        if (pl > 0 && (size_t)pl < sizeof prefix && strncmp(msg, prefix, (size_t)pl) == 0)
            text = msg + pl;
        if (ecs_json_get_double(jget(doc, e, "createdAt"), &at) == ECS_OK)
            t_ms = (int64_t)(at * 1000.0 + 0.5) - r->start_ms;
        else
            t_ms = r->now_ms - r->start_ms;
        if (r->quiet)
            continue;
        if (strstr(text, ") deployment completed.") != NULL) {
            kind = PK_COMPLETED;
            add_marker(s, t_ms, RM_COMPLETED, msg);
        } else if (strstr(text, ") deployment failed: alarm") != NULL) {
            kind = PK_ALARM;
            add_marker(s, t_ms, RM_ALARM, msg);
            count_failure(r, "deployment failed: alarm");
        } else if (strstr(text, ") deployment failed:") != NULL) {
            kind = PK_BREAKER;
            add_marker(s, t_ms, RM_BREAKER, msg);
            count_failure(r, "deployment failed: circuit breaker");
        } else if (strncmp(text, "rolling back to deployment", 26) == 0) {
            kind = PK_ROLLBACK;
            add_marker(s, t_ms, RM_ROLLBACK, msg);
        } else if (strcmp(text, "has reached a steady state.") == 0) {
            kind = PK_STEADY;
        } else if (strncmp(text, "was unable to place a task", 26) == 0) {
            kind = PK_UNPLACED;
            count_failure(r, "service unable to place a task");
        }
        if (r->opts.pretty) {
            textbuf d = TEXTBUF_INIT;
            pretty_text(&d, text);
            line_at(r, t_ms + r->start_ms, kind, s->name, tb_str(&d));
            tb_free(&d);
        }
    }
    if (n > 0)
        set_str(&s->last_event_id, jstr(doc, ecs_json_arr_get(arr, 0), "id"));
}

static size_t series_of(rec_service *s, const char *id, const char *taskdef)
{
    for (size_t i = 0; i < s->nseries; i++)
        if (strcmp(s->series[i].id, id) == 0)
            return i;
    xgrow(&s->series, &s->series_cap, s->nseries + 1, sizeof *s->series);
    s->series[s->nseries].id = xstrdup(id);
    s->series[s->nseries].taskdef = xstrdup(taskdef);
    return s->nseries++;
}

/* Keep a timeline point when it differs from the one before. The new
 * counts were appended at counts[off..off+n). */
static void push_point(rec_service *s, int64_t t_ms, size_t off, size_t n)
{
    int64_t lower = ceil_pct(s->desired, s->min_pct), upper = s->desired * s->max_pct / 100;
    if (s->gone)
        lower = upper = 0;
    if (s->npoints > 0) {
        rec_point *p = &s->points[s->npoints - 1];
        bool same = p->desired == (s->gone ? 0 : s->desired) && p->lower == lower && p->upper == upper &&
                    p->n == n;
        for (size_t i = 0; same && i < n; i++) {
            const rec_count *a = &s->counts[p->off + i], *b = &s->counts[off + i];
            same = a->series == b->series && a->running == b->running && a->pending == b->pending &&
                   a->desired == b->desired;
        }
        if (same) {
            s->ncounts = off;
            return;
        }
        if (p->t_ms == t_ms) { /* replace a point of the same instant */
            memmove(&s->counts[p->off], &s->counts[off], n * sizeof *s->counts);
            s->ncounts = p->off + n;
            p->n = n;
            p->desired = s->gone ? 0 : s->desired;
            p->lower = lower;
            p->upper = upper;
            return;
        }
    }
    xgrow(&s->points, &s->points_cap, s->npoints + 1, sizeof *s->points);
    s->points[s->npoints].t_ms = t_ms;
    s->points[s->npoints].desired = s->gone ? 0 : s->desired;
    s->points[s->npoints].lower = lower;
    s->points[s->npoints].upper = upper;
    s->points[s->npoints].off = off;
    s->points[s->npoints].n = n;
    s->npoints++;
}

static void service_deployments(rec *r, rec_service *s, const ecs_json_doc *doc, const ecs_json_val *o)
{
    const ecs_json_val *arr = jget(doc, o, "deployments");
    int64_t lower = ceil_pct(s->desired, s->min_pct), upper = s->desired * s->max_pct / 100;
    size_t off = s->ncounts, n = 0;
    for (size_t i = 0; i < s->ndeps; i++)
        s->deps[i].seen = false;
    for (const ecs_json_val *v = ecs_json_first(arr); v != NULL; v = ecs_json_next(arr, v)) {
        const char *id = jstr(doc, v, "id"), *status = jstr(doc, v, "status");
        const char *rollout = jstr(doc, v, "rolloutState");
        const char *td = short_taskdef(jstr(doc, v, "taskDefinition"));
        int64_t desired = jint(doc, v, "desiredCount", 0), running = jint(doc, v, "runningCount", 0);
        int64_t pending = jint(doc, v, "pendingCount", 0), failed = jint(doc, v, "failedTasks", 0);
        rec_dep *d = NULL;
        bool changed;
        if (id == NULL)
            continue;
        for (size_t i = 0; i < s->ndeps && d == NULL; i++)
            if (strcmp(s->deps[i].id, id) == 0)
                d = &s->deps[i];
        if (d == NULL) {
            xgrow(&s->deps, &s->deps_cap, s->ndeps + 1, sizeof *s->deps);
            d = &s->deps[s->ndeps++];
            memset(d, 0, sizeof *d);
            d->id = xstrdup(id);
            d->desired = d->running = d->pending = -1;
        }
        d->seen = true;
        changed = d->desired != desired || d->running != running || d->pending != pending ||
                  !eq(d->status, status) || !eq(d->rollout, rollout);
        d->desired = desired;
        d->running = running;
        d->pending = pending;
        d->failed = failed;
        set_str(&d->status, status);
        set_str(&d->rollout, rollout);
        set_str(&d->taskdef, td);
        if (changed && r->opts.pretty) {
            textbuf b = TEXTBUF_INIT, t = TEXTBUF_INIT;
            short_dep(&t, id);
            paint(r, &b, PC_BOLD, tb_str(&t));
            tb_puts(&b, "  ");
            pretty_text(&b, td);
            tb_puts(&b, "  ");
            pretty_text(&b, status != NULL ? status : "?");
            tb_reset(&t);
            tb_printf(&t, "running %lld/%lld", (long long)running, (long long)desired);
            tb_puts(&b, "  ");
            paint(r, &b, running >= desired ? PC_GREEN : PC_NONE, tb_str(&t));
            tb_printf(&b, "  pending %lld  [lower %lld, upper %lld]", (long long)pending,
                      (long long)lower, (long long)upper);
            if (failed > 0)
                tb_printf(&b, "  failed %lld", (long long)failed);
            if (rollout != NULL) {
                tb_puts(&b, "  ");
                paint(r, &b, status_color(rollout), rollout);
            }
            line(r, PK_DEPLOY, s->name, tb_str(&b));
            tb_free(&b);
            tb_free(&t);
        }
        xgrow(&s->counts, &s->counts_cap, s->ncounts + 1, sizeof *s->counts);
        s->counts[s->ncounts].series = series_of(s, id, td);
        s->counts[s->ncounts].running = running;
        s->counts[s->ncounts].pending = pending;
        s->counts[s->ncounts].desired = desired;
        s->ncounts++;
        n++;
    }
    /* deployments no longer listed are forgotten */
    for (size_t i = 0; i < s->ndeps;) {
        if (!s->deps[i].seen) {
            free(s->deps[i].id);
            free(s->deps[i].status);
            free(s->deps[i].rollout);
            free(s->deps[i].taskdef);
            s->deps[i] = s->deps[--s->ndeps];
        } else {
            i++;
        }
    }
    push_point(s, r->now_ms - r->start_ms, off, n);
}

/* ---- Sampling -------------------------------------------------------------- */

void rec_sample(rec *r)
{
    size_t nc = ecs_plane_cluster_count(r->plane);
    svc_batch batch;
    memset(&batch, 0, sizeof batch);
    r->now_ms = ecs_plane_now_ms(r->plane);
    r->buffering = true;
    r->quiet = r->resync;
    r->resync = false;
    for (size_t i = 0; i < r->nservices; i++)
        r->services[i]->seen = false;
    for (size_t ci = 0; ci < nc; ci++) {
        ecs_cluster_info info;
        rec_cluster *c;
        if (ecs_plane_cluster_info(r->plane, ci, &info) != ECS_OK)
            continue;
        if (ci >= r->nclusters) {
            xgrow(&r->clusters, &r->clusters_cap, ci + 1, sizeof *r->clusters);
            memset(&r->clusters[r->nclusters], 0, (ci + 1 - r->nclusters) * sizeof *r->clusters);
            r->nclusters = ci + 1;
        }
        c = &r->clusters[ci];
        if (c->arn == NULL) {
            c->arn = xstrdup(info.arn);
            c->name = xstrdup(info.name);
        }
        c->active = strcmp(info.status, "ACTIVE") == 0;
        sample_instances(r, ci);
        if (!c->active)
            continue;
        read_services(r, c, &batch);
        sample_tasks(r, c);
    }
    for (size_t i = 0; i < batch.nseen; i++) {
        service_events(r, batch.seen[i].svc, batch.seen[i].doc, batch.seen[i].obj);
        service_deployments(r, batch.seen[i].svc, batch.seen[i].doc, batch.seen[i].obj);
    }
    for (size_t i = 0; i < r->nservices; i++) {
        rec_service *s = r->services[i];
        if (!s->seen && !s->gone) {
            s->gone = true;
            push_point(s, r->now_ms - r->start_ms, s->ncounts, 0);
        }
    }
    for (size_t i = 0; i < batch.ndocs; i++)
        ecs_json_doc_free(batch.docs[i]);
    free(batch.docs);
    free(batch.seen);
    free(r->call_strategy);
    r->call_strategy = NULL;
    r->buffering = false;
    r->quiet = false;
    flush_lines(r);
    fflush(stdout);
}

/* ---- Calls ----------------------------------------------------------------- */

/* A few telling request members, as name=value. */
static void call_detail(textbuf *b, const ecs_json_doc *doc, const ecs_json_val *req)
{
    static const char *const keys[] = { "clusterName", "serviceName", "service", "family",
                                        "taskDefinition", "desiredCount", "count", "status",
                                        "stateValue", "alarmName" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const ecs_json_val *v = jget(doc, req, keys[i]);
        const char *s = ecs_json_str(doc, v, NULL);
        int64_t n;
        if (v == NULL)
            continue;
        if (b->len > 0)
            tb_putc(b, ' ');
        if (s != NULL) {
            tb_printf(b, "%s=", keys[i]);
            pretty_text(b, s);
        } else if (ecs_json_get_int(v, &n) == ECS_OK) {
            tb_printf(b, "%s=%lld", keys[i], (long long)n);
        }
    }
}

void rec_call(rec *r, const char *action, size_t alen, const char *req, size_t req_len,
              const char *resp, size_t resp_len)
{
    ecs_json_doc *rq = NULL, *rs = NULL;
    char *name = xstrndup(action, alen);
    textbuf d = TEXTBUF_INIT;
    bool run = strcmp(name, "RunTask") == 0, start = strcmp(name, "StartTask") == 0;
    r->calls++;
    r->now_ms = ecs_plane_now_ms(r->plane);
    if (req != NULL && ecs_json_parse(r->ctx, req, req_len, NULL, &rq) != ECS_OK)
        rq = NULL;
    if (resp != NULL && ecs_json_parse(r->ctx, resp, resp_len, NULL, &rs) != ECS_OK)
        rs = NULL;
    if (rq != NULL)
        call_detail(&d, rq, ecs_json_root(rq));
    if (strcmp(name, "RegisterTaskDefinition") == 0 && rs != NULL) {
        const ecs_json_val *td = jget(rs, ecs_json_root(rs), "taskDefinition");
        const char *fam = jstr(rs, td, "family");
        tb_reset(&d);
        if (fam != NULL) {
            tb_puts(&d, "registered ");
            pretty_text(&d, fam);
            tb_printf(&d, ":%lld", (long long)jint(rs, td, "revision", 0));
        }
    }
    if ((run || start) && rs != NULL) {
        const ecs_json_val *root = ecs_json_root(rs), *fails = jget(rs, root, "failures");
        size_t nt = ecs_json_len(jget(rs, root, "tasks")), nf = ecs_json_len(fails);
        if (d.len > 0)
            tb_puts(&d, "  ");
        tb_printf(&d, "%zu task%s placed", nt, nt == 1 ? "" : "s");
        if (nf > 0)
            tb_printf(&d, ", %zu failure%s", nf, nf == 1 ? "" : "s");
        line(r, PK_CALL, name, d.len > 0 ? tb_str(&d) : "ok");
        for (const ecs_json_val *f = ecs_json_first(fails); f != NULL; f = ecs_json_next(fails, f)) {
            const char *reason = jstr(rs, f, "reason"), *detail = jstr(rs, f, "detail");
            textbuf b = TEXTBUF_INIT;
            reason = reason != NULL ? reason : "?";
            count_failure(r, reason);
            paint(r, &b, PC_RED, reason);
            if (detail != NULL) {
                tb_puts(&b, "  ");
                pretty_text(&b, detail);
            }
            line(r, PK_FAILURE, name, tb_str(&b));
            tb_free(&b);
        }
        /* the strategy that placed them, for the summary */
        free(r->call_strategy);
        r->call_strategy = NULL;
        if (start) {
            r->call_strategy = xstrdup("StartTask (instances chosen by the caller)");
        } else {
            const ecs_json_val *arr = jget(rq, ecs_json_root(rq), "placementStrategy");
            if (rq != NULL && ecs_json_len(arr) > 0)
                r->call_strategy = strategy_label(rq, ecs_json_root(rq), false);
            else
                r->call_strategy = xstrdup("random (RunTask default)");
        }
    } else {
        line(r, PK_CALL, name, d.len > 0 ? tb_str(&d) : "ok");
    }
    ecs_json_doc_free(rq);
    ecs_json_doc_free(rs);
    tb_free(&d);
    free(name);
}

void rec_error(rec *r, const char *action, size_t alen, const char *code, const char *message)
{
    char *name = action != NULL ? xstrndup(action, alen) : xstrdup("(input line)");
    textbuf d = TEXTBUF_INIT;
    r->calls++;
    r->errors++;
    r->now_ms = ecs_plane_now_ms(r->plane);
    count_failure(r, code);
    paint(r, &d, PC_RED, code);
    tb_puts(&d, ": ");
    pretty_text(&d, message);
    line(r, PK_ERROR, name, tb_str(&d));
    tb_free(&d);
    free(name);
}

ecs_status rec_advance(rec *r, int64_t to_ms, const ecs_plane_order **orders, size_t *norders)
{
    ecs_plane *real = r->plane, *shadow = NULL;
    int64_t from = ecs_plane_now_ms(real);
    textbuf d = TEXTBUF_INIT, t = TEXTBUF_INIT;
    const char *snap;
    size_t snap_len;
    ecs_status rc;
    r->calls++;
    r->now_ms = from;
    if ((to_ms - from) % 1000 == 0)
        tb_printf(&d, "+%lld s \xe2\x86\x92 ", (long long)((to_ms - from) / 1000));
    else
        tb_printf(&d, "+%lld.%03lld s \xe2\x86\x92 ", (long long)((to_ms - from) / 1000),
                  (long long)((to_ms - from) % 1000));
    pretty_clock(&t, to_ms - r->start_ms);
    tb_puts(&d, tb_str(&t));
    line(r, PK_ADVANCE, "AdvanceTime", tb_str(&d));
    tb_free(&d);
    tb_free(&t);

    /* The views see the interval second by second on a copy of the plane
     * (snapshot and restore: it behaves exactly as the original); the plane
     * itself then takes the one step asked for, so its state, its answers
     * and its orders are exactly those of a run without the views. */
    if (to_ms > from && ecs_plane_snapshot(real, &snap, &snap_len) == ECS_OK &&
        ecs_plane_restore(r->ctx, snap, snap_len, &shadow) == ECS_OK) {
        r->plane = shadow;
        while (ecs_plane_now_ms(shadow) < to_ms) {
            int64_t now = ecs_plane_now_ms(shadow);
            int64_t next = r->start_ms + ((now - r->start_ms) / 1000 + 1) * 1000;
            if (now < r->start_ms || next > to_ms)
                next = to_ms;
            if (ecs_plane_step(shadow, next, NULL, NULL) != ECS_OK)
                break;
            rec_sample(r);
            if (r->prog != NULL)
                progress_tick(r->prog, ecs_plane_now_ms(shadow) - r->start_ms);
        }
        r->plane = real;
        ecs_plane_free(shadow);
    }
    rc = ecs_plane_step(real, to_ms, orders, norders);
    if (rc != ECS_OK)
        r->calls--; /* put_error reports it (rec_error) */
    /* The next sample reads the plane itself at to_ms: it should find what
     * the copy's last second showed, and only takes note of it. */
    r->resync = true;
    return rc;
}

/* ---- The end --------------------------------------------------------------- */

static void summary(rec *r)
{
    pretty *p = &r->pretty;
    textbuf b = TEXTBUF_INIT, t = TEXTBUF_INIT;
    int64_t sim = r->now_ms - r->start_ms;
    double wall = progress_clock() - r->wall_start;
    tb_putc(&b, '\n');
    pretty_paint(p, &b, PC_BOLD, "summary");
    tb_putc(&b, '\n');
    pretty_clock(&t, sim);
    tb_printf(&b, "  simulated time   %s (%lld s)\n", tb_str(&t), (long long)(sim / 1000));
    tb_printf(&b, "  wall time        %.3f s\n", wall);
    tb_printf(&b, "  calls            %llu", (unsigned long long)r->calls);
    if (r->errors > 0) {
        tb_reset(&t);
        tb_printf(&t, "%llu error%s", (unsigned long long)r->errors, r->errors == 1 ? "" : "s");
        tb_puts(&b, ", ");
        pretty_paint(p, &b, PC_RED, tb_str(&t));
    }
    tb_putc(&b, '\n');
    tb_printf(&b, "  tasks            %llu placed, %llu started (reached RUNNING), %llu stopped\n",
              (unsigned long long)r->placed, (unsigned long long)r->started,
              (unsigned long long)r->stopped);
    tb_puts(&b, "  placements");
    if (r->nstrategies == 0)
        tb_puts(&b, "       none\n");
    for (size_t i = 0; i < r->nstrategies; i++) {
        tb_printf(&b, "%s%4llu  ", i == 0 ? "     " : "                 ",
                  (unsigned long long)r->strategy_counts[i]);
        pretty_text(&b, r->strategy_names[i]);
        tb_putc(&b, '\n');
    }
    tb_puts(&b, "  failures");
    if (r->nfailures == 0)
        tb_puts(&b, "         none\n");
    for (size_t i = 0; i < r->nfailures; i++) {
        tb_reset(&t);
        tb_printf(&t, "%4llu", (unsigned long long)r->failure_counts[i]);
        tb_puts(&b, i == 0 ? "       " : "                 ");
        pretty_paint(p, &b, PC_RED, tb_str(&t));
        tb_puts(&b, "  ");
        pretty_text(&b, r->failure_names[i]);
        tb_putc(&b, '\n');
    }
    if (r->prog != NULL)
        progress_before_output(r->prog);
    fwrite(b.p, 1, b.len, p->out);
    fflush(p->out);
    tb_free(&b);
    tb_free(&t);
}

int rec_finish(rec *r)
{
    int status = 0;
    r->now_ms = ecs_plane_now_ms(r->plane);
    if (r->opts.pretty)
        summary(r);
    if (r->opts.timeline_path != NULL && svg_timeline(r, r->opts.timeline_path) != 0)
        status = 1;
    if (r->opts.cluster_map_path != NULL && svg_cluster_map(r, r->opts.cluster_map_path) != 0)
        status = 1;
    return status;
}
