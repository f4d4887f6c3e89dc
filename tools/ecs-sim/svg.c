/* ecs-sim's pictures; see svg.h. */
#define _POSIX_C_SOURCE 200809L
#include "svg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

#define WIDTH 1100.0
#define LEFT 70.0
#define RIGHT 40.0
#define PLOT_H 180.0

/* Deployment colours (stacked areas) and group colours (cluster map). */
static const char *const palette[] = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                                       "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b" };
#define NPALETTE (sizeof palette / sizeof palette[0])

static const char *style =
    "<style>\n"
    "text{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:12px;fill:#222}\n"
    ".title{font-size:18px;font-weight:600}\n"
    ".sub{fill:#666}\n"
    ".h{font-size:14px;font-weight:600}\n"
    ".axis{stroke:#999;stroke-width:1}\n"
    ".grid{stroke:#e5e5e5;stroke-width:1}\n"
    ".tick{font-size:10px;fill:#666}\n"
    ".lower{fill:none;stroke:#d62728;stroke-width:1.5;stroke-dasharray:6 3}\n"
    ".upper{fill:none;stroke:#555;stroke-width:1.5;stroke-dasharray:2 3}\n"
    ".desired{fill:none;stroke:#111;stroke-width:1}\n"
    ".mk{font-size:10px}\n"
    ".bar{fill:#f3f3f3;stroke:#bbb;stroke-width:1}\n"
    ".zone{fill:#fafafa;stroke:#ddd;stroke-width:1}\n"
    ".task{stroke:#fff;stroke-width:0.5}\n"
    "</style>\n";

/* A number of seconds from milliseconds: "65" or "65.5". */
static void put_seconds(textbuf *b, int64_t ms)
{
    if (ms % 1000 == 0)
        tb_printf(b, "%lld", (long long)(ms / 1000));
    else
        tb_printf(b, "%.3f", (double)ms / 1000.0);
}

static void put_clock(textbuf *b, int64_t ms)
{
    long long s = ms > 0 ? (long long)(ms / 1000) : 0;
    if (s >= 3600)
        tb_printf(b, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        tb_printf(b, "%02lld:%02lld", s / 60, s % 60);
}

static int write_file(const char *path, const textbuf *b)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "ecs-sim: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    fwrite(b->p, 1, b->len, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "ecs-sim: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static void header(textbuf *b, double height, const char *title)
{
    tb_printf(b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
              "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
              WIDTH, height, WIDTH, height);
    tb_puts(b, "<title>");
    tb_xml(b, title);
    tb_puts(b, "</title>\n");
    tb_puts(b, style);
    tb_printf(b, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", WIDTH, height);
}

/* A tick step of seconds giving at most ~12 ticks over span_ms. */
static int64_t tick_step(int64_t span_ms)
{
    static const int64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400,
                                     21600, 43200, 86400 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span_ms / (steps[i] * 1000) <= 12)
            return steps[i] * 1000;
    return (span_ms / 12 / 86400000 + 1) * 86400000;
}

/* ---- Rollout timeline ------------------------------------------------------ */

typedef struct axis {
    double x0, x1, y0, y1;  /* plot box: y0 top, y1 bottom */
    int64_t t_end;          /* ms */
    int64_t y_max;
} axis;

static double ax_x(const axis *a, int64_t t_ms)
{
    return a->x0 + (a->x1 - a->x0) * (double)t_ms / (double)a->t_end;
}

static double ax_y(const axis *a, int64_t v)
{
    return a->y1 - (a->y1 - a->y0) * (double)v / (double)a->y_max;
}

static int64_t point_end(const rec_service *s, size_t i, int64_t t_end)
{
    return i + 1 < s->npoints ? s->points[i + 1].t_ms : t_end;
}

/* The stacked level of series k at a point: part -1 is its base (the
 * series below it, RUNNING and PENDING), 0 adds its RUNNING, 1 its PENDING. */
static int64_t level(const rec_service *s, const rec_point *p, size_t k, int part)
{
    int64_t v = 0;
    for (size_t i = 0; i < p->n; i++) {
        const rec_count *c = &s->counts[p->off + i];
        if (c->series < k)
            v += c->running + c->pending;
        else if (c->series == k && part >= 0)
            v += part == 0 ? c->running : c->running + c->pending;
    }
    return v;
}

/* A closed step area between two levels of series k. */
static void area(textbuf *b, const rec_service *s, const axis *a, size_t k, int lo_part, int hi_part,
                 const char *fill, double opacity, const char *label)
{
    bool any = false;
    for (size_t i = 0; i < s->npoints && !any; i++)
        any = level(s, &s->points[i], k, hi_part) > level(s, &s->points[i], k, lo_part);
    if (!any)
        return;
    tb_printf(b, "<path fill=\"%s\" fill-opacity=\"%.2f\" d=\"", fill, opacity);
    for (size_t i = 0; i < s->npoints; i++) {
        const rec_point *p = &s->points[i];
        tb_printf(b, "%s%.1f %.1f H%.1f ", i == 0 ? "M" : "L", ax_x(a, p->t_ms), ax_y(a, level(s, p, k, hi_part)),
                  ax_x(a, point_end(s, i, a->t_end)));
    }
    for (size_t i = s->npoints; i-- > 0;) {
        const rec_point *p = &s->points[i];
        tb_printf(b, "L%.1f %.1f H%.1f ", ax_x(a, point_end(s, i, a->t_end)), ax_y(a, level(s, p, k, lo_part)),
                  ax_x(a, p->t_ms));
    }
    tb_puts(b, "Z\"><title>");
    tb_xml(b, label);
    tb_puts(b, "</title></path>\n");
}

/* A step line of one of the point's bounds (0 desired, 1 lower, 2 upper). */
static void bound_line(textbuf *b, const rec_service *s, const axis *a, int which, const char *cls)
{
    tb_printf(b, "<path class=\"%s\" d=\"", cls);
    for (size_t i = 0; i < s->npoints; i++) {
        const rec_point *p = &s->points[i];
        int64_t v = which == 0 ? p->desired : which == 1 ? p->lower : p->upper;
        tb_printf(b, "%s%.1f %.1f H%.1f ", i == 0 ? "M" : "L", ax_x(a, p->t_ms), ax_y(a, v),
                  ax_x(a, point_end(s, i, a->t_end)));
    }
    tb_puts(b, "\"/>\n");
}

static const char *marker_name(rec_marker_kind k)
{
    switch (k) {
    case RM_COMPLETED: return "completed";
    case RM_BREAKER: return "breaker";
    case RM_ALARM: return "alarm";
    case RM_ROLLBACK: return "rollback";
    }
    return "event";
}

static const char *marker_color(rec_marker_kind k)
{
    switch (k) {
    case RM_COMPLETED: return "#2ca02c";
    case RM_BREAKER: return "#d62728";
    case RM_ALARM: return "#d62728";
    case RM_ROLLBACK: return "#ff7f0e";
    }
    return "#333";
}

static void short_dep(textbuf *b, const char *id)
{
    size_t n = strlen(id);
    if (n > 15 && strncmp(id, "ecs-svc/", 8) == 0)
        tb_printf(b, "ecs-svc/\xe2\x80\xa6%s", id + n - 7);
    else
        tb_xml(b, id);
}

#define PANEL_H (PLOT_H + 110.0)

static void panel(textbuf *b, const rec *r, const rec_service *s, double top, int64_t t_end)
{
    axis a;
    int64_t step, ymax = 1;
    double last_mx = -1e9;
    int stackpos = 0;
    textbuf t = TEXTBUF_INIT;

    for (size_t i = 0; i < s->npoints; i++) {
        const rec_point *p = &s->points[i];
        int64_t v = 0;
        for (size_t k = 0; k < p->n; k++)
            v += s->counts[p->off + k].running + s->counts[p->off + k].pending;
        if (v > ymax)
            ymax = v;
        if (p->upper > ymax)
            ymax = p->upper;
        if (p->desired > ymax)
            ymax = p->desired;
    }
    ymax += 1;
    a.x0 = LEFT;
    a.x1 = WIDTH - RIGHT;
    a.y0 = top + 40.0;
    a.y1 = top + 40.0 + PLOT_H;
    a.t_end = t_end;
    a.y_max = ymax;

    tb_puts(b, "<g class=\"panel\" data-cluster=\"");
    tb_xml(b, s->cluster_name);
    tb_puts(b, "\" data-service=\"");
    tb_xml(b, s->name);
    tb_puts(b, "\" data-service-arn=\"");
    tb_xml(b, s->arn);
    tb_printf(b, "\" data-end=\"");
    put_seconds(b, t_end);
    tb_printf(b, "\" data-min-percent=\"%lld\" data-max-percent=\"%lld\">\n", (long long)s->min_pct,
              (long long)s->max_pct);
    tb_printf(b, "<text class=\"h\" xml:space=\"preserve\" x=\"%.1f\" y=\"%.1f\">service ", LEFT, top + 18.0);
    tb_xml(b, s->name);
    tb_puts(b, "<tspan class=\"sub\">  (cluster ");
    tb_xml(b, s->cluster_name);
    tb_printf(b, ")  desired %lld, minimum healthy %lld%%, maximum %lld%%%s</tspan></text>\n",
              (long long)s->desired, (long long)s->min_pct, (long long)s->max_pct,
              s->daemon ? ", daemon" : s->gone ? ", deleted" : "");

    /* grid and axes */
    {
        int64_t ystep = ymax <= 10 ? 1 : ymax <= 20 ? 2 : ymax <= 50 ? 5 : ymax <= 100 ? 10 : (ymax / 10);
        for (int64_t v = 0; v <= ymax; v += ystep) {
            tb_printf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", a.x0, a.x1,
                      ax_y(&a, v), ax_y(&a, v));
            tb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n",
                      a.x0 - 6.0, ax_y(&a, v) + 3.5, (long long)v);
        }
    }
    step = tick_step(t_end);
    for (int64_t tm = 0; tm <= t_end; tm += step) {
        tb_reset(&t);
        put_clock(&t, tm);
        tb_printf(b, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", ax_x(&a, tm),
                  ax_x(&a, tm), a.y1, a.y1 + 4.0);
        tb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                  ax_x(&a, tm), a.y1 + 16.0, tb_str(&t));
    }
    tb_printf(b, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", a.x0, a.x1, a.y1,
              a.y1);
    tb_printf(b, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", a.x0, a.x0, a.y0,
              a.y1);
    tb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-90 %.1f %.1f)\" "
                 "text-anchor=\"middle\">tasks</text>\n",
              a.x0 - 40.0, (a.y0 + a.y1) / 2.0, a.x0 - 40.0, (a.y0 + a.y1) / 2.0);

    /* stacked areas: per deployment, RUNNING then PENDING */
    for (size_t k = 0; k < s->nseries; k++) {
        const char *col = palette[k % NPALETTE];
        tb_reset(&t);
        tb_puts(&t, s->series[k].id);
        tb_puts(&t, " (");
        tb_puts(&t, s->series[k].taskdef);
        tb_puts(&t, ") RUNNING");
        area(b, s, &a, k, -1, 0, col, 0.85, tb_str(&t));
        tb_reset(&t);
        tb_puts(&t, s->series[k].id);
        tb_puts(&t, " (");
        tb_puts(&t, s->series[k].taskdef);
        tb_puts(&t, ") PENDING");
        area(b, s, &a, k, 0, 1, col, 0.35, tb_str(&t));
    }
    bound_line(b, s, &a, 2, "upper");
    bound_line(b, s, &a, 1, "lower");
    bound_line(b, s, &a, 0, "desired");

    /* events */
    for (size_t i = 0; i < s->nmarkers; i++) {
        const rec_marker *m = &s->markers[i];
        double x = ax_x(&a, m->t_ms);
        stackpos = x - last_mx < 70.0 ? stackpos + 1 : 0;
        last_mx = x;
        tb_printf(b, "<g class=\"marker\" data-kind=\"%s\" data-time=\"", marker_name(m->kind));
        put_seconds(b, m->t_ms);
        tb_printf(b, "\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"1.5\"/>",
                  x, x, a.y0 - 4.0, a.y1, marker_color(m->kind));
        tb_printf(b, "<text class=\"mk\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text><title>", x + 3.0,
                  a.y0 + 8.0 + 12.0 * stackpos, marker_color(m->kind), marker_name(m->kind));
        tb_reset(&t);
        put_clock(&t, m->t_ms);
        tb_xml(b, tb_str(&t));
        tb_puts(b, "  ");
        tb_xml(b, m->text);
        tb_puts(b, "</title></g>\n");
    }

    /* legend */
    {
        double lx = LEFT, ly = a.y1 + 36.0;
        for (size_t k = 0; k < s->nseries; k++) {
            tb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx, ly - 10.0,
                      palette[k % NPALETTE]);
            tb_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", lx + 16.0, ly);
            short_dep(b, s->series[k].id);
            tb_puts(b, " ");
            tb_xml(b, s->series[k].taskdef);
            tb_puts(b, "</text>\n");
            lx += 210.0;
            if (lx > WIDTH - 260.0) {
                lx = LEFT;
                ly += 18.0;
            }
        }
        ly += 20.0;
        tb_printf(b, "<path class=\"desired\" d=\"M%.1f %.1f h24\"/><text x=\"%.1f\" y=\"%.1f\">desired</text>"
                     "<path class=\"lower\" d=\"M%.1f %.1f h24\"/><text x=\"%.1f\" y=\"%.1f\">lower bound "
                     "(minimum healthy)</text>"
                     "<path class=\"upper\" d=\"M%.1f %.1f h24\"/><text x=\"%.1f\" y=\"%.1f\">upper bound "
                     "(maximum)</text>"
                     "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\">solid: RUNNING, light: PENDING</text>\n",
                  LEFT, ly - 4.0, LEFT + 30.0, ly, LEFT + 110.0, ly - 4.0, LEFT + 140.0, ly, LEFT + 340.0,
                  ly - 4.0, LEFT + 370.0, ly, LEFT + 540.0, ly);
    }

    /* the numbers */
    tb_puts(b, "<g class=\"points\" display=\"none\">\n");
    for (size_t i = 0; i < s->npoints; i++) {
        const rec_point *p = &s->points[i];
        tb_puts(b, "<g class=\"point\" data-time=\"");
        put_seconds(b, p->t_ms);
        tb_printf(b, "\" data-desired=\"%lld\" data-lower=\"%lld\" data-upper=\"%lld\">", (long long)p->desired,
                  (long long)p->lower, (long long)p->upper);
        for (size_t k = 0; k < p->n; k++) {
            const rec_count *c = &s->counts[p->off + k];
            tb_puts(b, "<g class=\"count\" data-deployment=\"");
            tb_xml(b, s->series[c->series].id);
            tb_puts(b, "\" data-task-definition=\"");
            tb_xml(b, s->series[c->series].taskdef);
            tb_printf(b, "\" data-running=\"%lld\" data-pending=\"%lld\" data-desired=\"%lld\"/>",
                      (long long)c->running, (long long)c->pending, (long long)c->desired);
        }
        tb_puts(b, "</g>\n");
    }
    tb_puts(b, "</g>\n</g>\n");
    (void)r;
    tb_free(&t);
}

int svg_timeline(const rec *r, const char *path)
{
    textbuf b = TEXTBUF_INIT, t = TEXTBUF_INIT;
    int64_t t_end = r->now_ms - r->start_ms;
    size_t n = 0;
    double y = 70.0;
    int rc;
    if (t_end <= 0)
        t_end = 1000;
    for (size_t i = 0; i < r->nservices; i++)
        if (r->services[i]->npoints > 0)
            n++;
    header(&b, 80.0 + (n > 0 ? (double)n * PANEL_H : 40.0), "ecs-sim rollout timeline");
    put_clock(&t, t_end);
    tb_printf(&b, "<g class=\"timeline\" data-start-epoch=\"%lld\" data-end=\"", (long long)(r->start_ms / 1000));
    put_seconds(&b, t_end);
    tb_printf(&b, "\">\n<text class=\"title\" x=\"%.1f\" y=\"30\">Rollout timeline</text>"
                  "<text class=\"sub\" x=\"%.1f\" y=\"50\">tasks per deployment over simulated time "
                  "(%s simulated)</text>\n",
              LEFT, LEFT, tb_str(&t));
    if (n == 0)
        tb_printf(&b, "<text x=\"%.1f\" y=\"90\">no services in this run</text>\n", LEFT);
    for (size_t i = 0; i < r->nservices; i++) {
        if (r->services[i]->npoints == 0)
            continue;
        panel(&b, r, r->services[i], y, t_end);
        y += PANEL_H;
    }
    tb_puts(&b, "</g>\n</svg>\n");
    rc = write_file(path, &b);
    tb_free(&b);
    tb_free(&t);
    return rc;
}

/* ---- Cluster map ----------------------------------------------------------- */

typedef struct groups {
    const char **names;
    size_t *ntasks;
    size_t n, cap;
} groups;

static size_t group_of(groups *g, const char *name)
{
    size_t cap2;
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->names[i], name) == 0)
            return i;
    cap2 = g->cap;
    xgrow(&g->names, &g->cap, g->n + 1, sizeof *g->names);
    xgrow(&g->ntasks, &cap2, g->n + 1, sizeof *g->ntasks);
    g->names[g->n] = name;
    g->ntasks[g->n] = 0;
    return g->n++;
}

static bool live(const rec_task *t)
{
    return !t->final && !(t->last_status != NULL && strcmp(t->last_status, "STOPPED") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define CARD_H 70.0
#define FARGATE_BOX 26.0

static void task_rect(textbuf *b, const rec_task *t, groups *g, bool count, double x, double y, double w,
                      double h)
{
    size_t gi = group_of(g, t->group[0] != '\0' ? t->group : "(no group)");
    if (count)
        g->ntasks[gi]++;
    tb_printf(b, "<rect class=\"task\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                 "data-task-arn=\"",
              x, y, w > 0.5 ? w : 0.5, h, palette[gi % NPALETTE]);
    tb_xml(b, t->arn);
    tb_puts(b, "\" data-group=\"");
    tb_xml(b, t->group);
    tb_printf(b, "\" data-cpu=\"%lld\" data-memory=\"%lld\" data-last-status=\"", (long long)t->cpu,
              (long long)t->memory);
    tb_xml(b, t->last_status != NULL ? t->last_status : "");
    tb_puts(b, "\"><title>task ");
    tb_xml(b, t->id);
    tb_puts(b, "\n");
    tb_xml(b, t->group);
    tb_puts(b, "  ");
    tb_xml(b, t->taskdef);
    tb_printf(b, "\nCPU %lld, memory %lld MiB, ", (long long)t->cpu, (long long)t->memory);
    tb_xml(b, t->last_status != NULL ? t->last_status : "");
    tb_puts(b, "</title></rect>\n");
}

/* One resource bar: label, frame, task segments, numbers. */
static void bar(textbuf *b, const rec *r, const rec_instance *in, groups *g, bool cpu, double x, double y,
                double w)
{
    int64_t reg = cpu ? in->cpu_registered : in->memory_registered;
    int64_t used = reg - (cpu ? in->cpu_remaining : in->memory_remaining);
    double bx = x + 46.0, bw = w - 46.0 - 112.0, px = bx;
    tb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>", x, y + 10.0, cpu ? "CPU" : "memory");
    tb_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\"/>\n", bx, y, bw);
    for (size_t i = 0; i < r->ntasks; i++) {
        const rec_task *t = r->tasks[i];
        double tw;
        if (!live(t) || t->instance_arn == NULL || strcmp(t->instance_arn, in->arn) != 0)
            continue;
        tw = reg > 0 ? bw * (double)(cpu ? t->cpu : t->memory) / (double)reg : 0;
        task_rect(b, t, g, cpu, px, y, tw, 12.0);
        px += tw;
    }
    tb_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%lld / %lld%s</text>\n",
              x + w, y + 10.0, (long long)used, (long long)reg, cpu ? " units" : " MiB");
}

static void instance_card(textbuf *b, const rec *r, const rec_instance *in, groups *g, double x, double y,
                          double w)
{
    int64_t cpu_tasks = 0, mem_tasks = 0, ntasks = 0;
    for (size_t i = 0; i < r->ntasks; i++) {
        const rec_task *t = r->tasks[i];
        if (live(t) && t->instance_arn != NULL && strcmp(t->instance_arn, in->arn) == 0) {
            cpu_tasks += t->cpu;
            mem_tasks += t->memory;
            ntasks++;
        }
    }
    tb_puts(b, "<g class=\"instance\" data-arn=\"");
    tb_xml(b, in->arn);
    tb_puts(b, "\" data-ec2-instance-id=\"");
    tb_xml(b, in->ec2_id);
    tb_puts(b, "\" data-zone=\"");
    tb_xml(b, in->zone);
    tb_puts(b, "\" data-status=\"");
    tb_xml(b, in->status);
    tb_printf(b, "\" data-cpu-registered=\"%lld\" data-cpu-used=\"%lld\" data-cpu-tasks=\"%lld\" "
                 "data-memory-registered=\"%lld\" data-memory-used=\"%lld\" data-memory-tasks=\"%lld\" "
                 "data-tasks=\"%lld\">\n",
              (long long)in->cpu_registered, (long long)(in->cpu_registered - in->cpu_remaining),
              (long long)cpu_tasks, (long long)in->memory_registered,
              (long long)(in->memory_registered - in->memory_remaining), (long long)mem_tasks,
              (long long)ntasks);
    tb_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"4\" fill=\"#fff\" "
                 "stroke=\"%s\"/>\n",
              x, y, w, CARD_H - 8.0, strcmp(in->status, "ACTIVE") == 0 ? "#ccc" : "#e0a030");
    tb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"600\">", x + 8.0, y + 16.0);
    tb_xml(b, in->ec2_id);
    tb_printf(b, "</text><text class=\"sub\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", x + w - 8.0, y + 16.0);
    tb_xml(b, in->type);
    if (strcmp(in->status, "ACTIVE") != 0) {
        tb_puts(b, ", ");
        tb_xml(b, in->status);
    }
    tb_printf(b, ", %lld task%s</text>\n", (long long)ntasks, ntasks == 1 ? "" : "s");
    bar(b, r, in, g, true, x + 8.0, y + 24.0, w - 16.0);
    bar(b, r, in, g, false, x + 8.0, y + 42.0, w - 16.0);
    tb_puts(b, "</g>\n");
}

int svg_cluster_map(const rec *r, const char *path)
{
    textbuf body = TEXTBUF_INIT, b = TEXTBUF_INIT;
    groups g = { NULL, NULL, 0, 0 };
    double y = 70.0;
    int rc;

    for (size_t ci = 0; ci < r->nclusters; ci++) {
        const rec_cluster *c = &r->clusters[ci];
        const char **zones = NULL;
        size_t nz = 0, zcap = 0;
        double zw, zone_top, tallest = 0;
        if (c->arn == NULL || !c->active)
            continue;
        /* the zones of its instances and Fargate tasks */
        for (size_t k = 0; k < c->ninstances; k++) {
            bool have = false;
            if (!c->instances[k].present || strcmp(c->instances[k].status, "INACTIVE") == 0)
                continue;
            for (size_t z = 0; z < nz && !have; z++)
                have = strcmp(zones[z], c->instances[k].zone) == 0;
            if (!have) {
                xgrow(&zones, &zcap, nz + 1, sizeof *zones);
                zones[nz++] = c->instances[k].zone;
            }
        }
        for (size_t i = 0; i < r->ntasks; i++) {
            const rec_task *t = r->tasks[i];
            bool have = false;
            if (!live(t) || !t->fargate || strcmp(t->cluster_arn, c->arn) != 0)
                continue;
            for (size_t z = 0; z < nz && !have; z++)
                have = strcmp(zones[z], t->zone) == 0;
            if (!have) {
                xgrow(&zones, &zcap, nz + 1, sizeof *zones);
                zones[nz++] = t->zone;
            }
        }
        if (nz > 1)
            qsort(zones, nz, sizeof *zones, cmp_str);
        tb_puts(&body, "<g class=\"cluster\" data-cluster=\"");
        tb_xml(&body, c->name);
        tb_puts(&body, "\" data-cluster-arn=\"");
        tb_xml(&body, c->arn);
        tb_printf(&body, "\">\n<text class=\"h\" x=\"%.1f\" y=\"%.1f\">cluster ", LEFT - 40.0, y + 16.0);
        tb_xml(&body, c->name);
        tb_puts(&body, "</text>\n");
        y += 28.0;
        if (nz == 0) {
            tb_printf(&body, "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\">no instances, no Fargate tasks</text>\n",
                      LEFT - 40.0, y + 14.0);
            y += 30.0;
        }
        zw = nz > 0 ? (WIDTH - 60.0 - 10.0 * (double)(nz - 1)) / (double)nz : 0;
        zone_top = y;
        for (size_t z = 0; z < nz; z++) {
            double zx = 30.0 + (double)z * (zw + 10.0), cy = zone_top + 28.0;
            size_t nfargate = 0;
            textbuf zb = TEXTBUF_INIT;
            for (size_t k = 0; k < c->ninstances; k++) {
                const rec_instance *in = &c->instances[k];
                if (!in->present || strcmp(in->status, "INACTIVE") == 0 || strcmp(in->zone, zones[z]) != 0)
                    continue;
                instance_card(&zb, r, in, &g, zx + 8.0, cy, zw - 16.0);
                cy += CARD_H;
            }
            for (size_t i = 0; i < r->ntasks; i++) {
                const rec_task *t = r->tasks[i];
                if (live(t) && t->fargate && strcmp(t->cluster_arn, c->arn) == 0 && strcmp(t->zone, zones[z]) == 0)
                    nfargate++;
            }
            if (nfargate > 0) {
                size_t per_row = (size_t)((zw - 32.0) / (FARGATE_BOX + 4.0)), col = 0;
                double fy = cy + 22.0;
                if (per_row == 0)
                    per_row = 1;
                tb_puts(&zb, "<g class=\"fargate\" data-zone=\"");
                tb_xml(&zb, zones[z]);
                tb_printf(&zb, "\" data-tasks=\"%zu\">\n", nfargate);
                tb_printf(&zb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"4\" fill=\"#fff\" "
                               "stroke=\"#ccc\" stroke-dasharray=\"4 2\"/>\n",
                          zx + 8.0, cy, zw - 16.0,
                          30.0 + (double)((nfargate + per_row - 1) / per_row) * (FARGATE_BOX + 4.0));
                tb_printf(&zb, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"600\">Fargate</text>"
                               "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%zu task%s</text>\n",
                          zx + 16.0, cy + 16.0, zx + zw - 16.0, cy + 16.0, nfargate, nfargate == 1 ? "" : "s");
                for (size_t i = 0; i < r->ntasks; i++) {
                    const rec_task *t = r->tasks[i];
                    if (!(live(t) && t->fargate && strcmp(t->cluster_arn, c->arn) == 0 &&
                          strcmp(t->zone, zones[z]) == 0))
                        continue;
                    task_rect(&zb, t, &g, true, zx + 16.0 + (double)col * (FARGATE_BOX + 4.0), fy, FARGATE_BOX,
                              FARGATE_BOX);
                    if (++col == per_row) {
                        col = 0;
                        fy += FARGATE_BOX + 4.0;
                    }
                }
                tb_puts(&zb, "</g>\n");
                cy = fy + (col > 0 ? FARGATE_BOX + 4.0 : 0) + 12.0;
            }
            tb_puts(&body, "<g class=\"zone\" data-zone=\"");
            tb_xml(&body, zones[z]);
            tb_printf(&body, "\">\n<rect class=\"zone\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\"/>\n",
                      zx, zone_top, zw, cy - zone_top + 4.0);
            tb_printf(&body, "<text class=\"h\" x=\"%.1f\" y=\"%.1f\">", zx + 10.0, zone_top + 18.0);
            tb_xml(&body, zones[z]);
            tb_puts(&body, "</text>\n");
            tb_putn(&body, tb_str(&zb), zb.len);
            tb_puts(&body, "</g>\n");
            if (cy - zone_top + 4.0 > tallest)
                tallest = cy - zone_top + 4.0;
            tb_free(&zb);
        }
        tb_puts(&body, "</g>\n");
        y = zone_top + tallest + 24.0;
        free(zones);
    }

    /* legend: the task groups */
    tb_printf(&body, "<g class=\"legend\">\n<text class=\"h\" x=\"30\" y=\"%.1f\">task groups</text>\n", y + 4.0);
    y += 12.0;
    for (size_t i = 0; i < g.n; i++) {
        double lx = 30.0 + (double)(i % 3) * 340.0, ly = y + 18.0 * (double)(i / 3) + 12.0;
        tb_printf(&body, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx, ly - 10.0,
                  palette[i % NPALETTE]);
        tb_printf(&body, "<text xml:space=\"preserve\" x=\"%.1f\" y=\"%.1f\" data-group=\"", lx + 16.0, ly);
        tb_xml(&body, g.names[i]);
        tb_puts(&body, "\">");
        tb_xml(&body, g.names[i]);
        tb_printf(&body, " <tspan class=\"sub\">(%zu)</tspan></text>\n", g.ntasks[i]);
    }
    if (g.n == 0)
        tb_printf(&body, "<text class=\"sub\" x=\"30\" y=\"%.1f\">no running tasks</text>\n", y + 12.0);
    y += 18.0 * (double)((g.n + 2) / 3) + 30.0;
    tb_puts(&body, "</g>\n");

    header(&b, y, "ecs-sim cluster map");
    {
        textbuf t = TEXTBUF_INIT;
        put_clock(&t, r->now_ms - r->start_ms);
        tb_printf(&b, "<g class=\"cluster-map\" data-time=\"");
        put_seconds(&b, r->now_ms - r->start_ms);
        tb_printf(&b, "\">\n<text class=\"title\" x=\"30\" y=\"30\">Cluster map</text>"
                      "<text class=\"sub\" x=\"30\" y=\"50\">container instances by availability zone at %s: "
                      "CPU and memory reserved by each task</text>\n",
                  tb_str(&t));
        tb_free(&t);
    }
    tb_putn(&b, tb_str(&body), body.len);
    tb_puts(&b, "</g>\n</svg>\n");
    rc = write_file(path, &b);
    tb_free(&b);
    tb_free(&body);
    free(g.names);
    free(g.ntasks);
    return rc;
}
