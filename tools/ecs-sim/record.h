/*
 * ecs-sim's recorder: what the views (--pretty, --timeline, --cluster-map)
 * are made from. ecs_sim.c tells it of every call and lets it run
 * AdvanceTime: the interval is first played on a copy of the plane
 * (snapshot and restore) one second at a time, then the plane itself takes
 * the one step asked for, so that its answers stay exactly those of a run
 * without the views. After each call and each second the recorder reads
 * the state through the public API only (the typed readers of ecs/plane.h;
 * ListServices, DescribeServices, ListTasks, DescribeTasks: read-only calls
 * that change nothing) and compares it with what it saw before: new tasks
 * are placements, changed lastStatus values are state changes, new service
 * events are ECS's own texts (deployment completed, failed, rolling back,
 * steady state, unable to place), changed deployment counts are rollout
 * progress. The human view prints them as they come; the timeline keeps
 * each service's deployment counts over time, the cluster map the layout
 * at the end.
 */
#ifndef ECS_SIM_RECORD_H
#define ECS_SIM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ecs/ecs.h>

#include "pretty.h"
#include "progress.h"

typedef struct rec rec;

typedef struct rec_options {
    bool pretty;                  /* human lines on standard output */
    bool color;                   /* with ANSI colours */
    const char *timeline_path;    /* NULL: no rollout timeline */
    const char *cluster_map_path; /* NULL: no cluster map */
} rec_options;

/* Start recording a plane (its clock now is the scenario's start). */
rec *rec_new(ecs_ctx *ctx, ecs_plane *plane, const rec_options *opts, progress *prog);
void rec_free(rec *r);

/* A call succeeded: its request (may be NULL) and response. */
void rec_call(rec *r, const char *action, size_t alen, const char *req, size_t req_len,
              const char *resp, size_t resp_len);
/* A call (action may be NULL: a line that was no call) failed. */
void rec_error(rec *r, const char *action, size_t alen, const char *code, const char *message);
/* AdvanceTime: move the plane's clock to to_ms with one ecs_plane_step
 * (its orders are returned as that call returns them), after playing the
 * interval on a copy of the plane a second at a time, reading the state
 * after each second. Returns what ecs_plane_step returned. */
ecs_status rec_advance(rec *r, int64_t to_ms, const ecs_plane_order **orders, size_t *norders);
/* Read the state after a call and report what changed. */
void rec_sample(rec *r);
/* The end: the summary (human view) and the pictures. 0, or 1 when a
 * picture could not be written (said on standard error). */
int rec_finish(rec *r);

/* ---- What the pictures read (svg.c) ---------------------------------- */

typedef enum rec_marker_kind {
    RM_COMPLETED,
    RM_BREAKER,
    RM_ALARM,
    RM_ROLLBACK
} rec_marker_kind;

typedef struct rec_marker {
    int64_t t_ms;        /* from the start */
    rec_marker_kind kind;
    char *text;          /* the event's message */
} rec_marker;

/* A deployment as the timeline draws it (in order of first appearance). */
typedef struct rec_series {
    char *id;            /* ecs-svc/... */
    char *taskdef;       /* family:revision */
} rec_series;

typedef struct rec_count {
    size_t series;
    int64_t running, pending, desired;
} rec_count;

/* One sample of a service, kept when something differs from the one
 * before: it holds from t_ms to the next point (or the end). */
typedef struct rec_point {
    int64_t t_ms;        /* from the start */
    int64_t desired, lower, upper;
    size_t off, n;       /* its counts in rec_service.counts */
} rec_point;

/* A deployment as last seen (for the human view's changes). */
typedef struct rec_dep {
    char *id;
    char *status;        /* PRIMARY, ACTIVE, INACTIVE */
    char *rollout;       /* IN_PROGRESS, COMPLETED, FAILED */
    char *taskdef;
    int64_t desired, running, pending, failed;
    bool seen;
} rec_dep;

typedef struct rec_service {
    char *arn;
    char *name;
    char *cluster_name;
    char *last_event_id;      /* newest event seen */
    char *strategy;           /* placement label for the summary */
    bool daemon, fargate, gone, seen;
    int64_t desired, min_pct, max_pct;
    rec_dep *deps;
    size_t ndeps, deps_cap;
    rec_series *series;
    size_t nseries, series_cap;
    rec_point *points;
    size_t npoints, points_cap;
    rec_count *counts;
    size_t ncounts, counts_cap;
    rec_marker *markers;
    size_t nmarkers, markers_cap;
} rec_service;

typedef struct rec_task {
    char *arn;
    const char *id;           /* the last part of the ARN (in arn) */
    char *cluster_arn;
    char *group;              /* service:NAME, family:NAME or the RunTask group */
    char *taskdef;            /* family:revision */
    char *instance_arn;       /* NULL on Fargate */
    char *zone;
    char *last_status, *desired_status, *health;
    int64_t cpu, memory;      /* what it reserves */
    bool fargate;
    bool ran;                 /* was seen RUNNING */
    bool final;               /* STOPPED: no more changes */
} rec_task;

typedef struct rec_instance {
    char *arn, *ec2_id, *zone, *type, *status;
    int64_t cpu_registered, cpu_remaining, memory_registered, memory_remaining;
    bool present;             /* the plane still has it */
} rec_instance;

typedef struct rec_cluster {
    char *arn, *name;
    bool active;
    rec_instance *instances;  /* in registration order, as the typed readers give them */
    size_t ninstances, instances_cap;
} rec_cluster;

struct rec {
    ecs_ctx *ctx;
    ecs_plane *plane;
    ecs_json_writer *w;
    rec_options opts;
    pretty pretty;
    progress *prog;
    int64_t start_ms, now_ms;
    double wall_start;

    rec_cluster *clusters;
    size_t nclusters, clusters_cap;
    rec_service **services;
    size_t nservices, services_cap;
    rec_task **tasks;         /* in order of first sight */
    size_t ntasks, tasks_cap;
    size_t *task_index;       /* open addressing over tasks (SIZE_MAX: free) */
    size_t task_index_cap;

    /* the lines of one sample, put in time order before they are written */
    struct rec_line *lines;
    size_t nlines, lines_cap;
    bool buffering;
    int64_t last_line_ms;     /* lines never go back in time */
    bool resync;              /* the next sample reads the plane after an
                                 AdvanceTime: it only takes note */
    bool quiet;

    /* the strategy of the last RunTask/StartTask call, for its tasks */
    char *call_strategy;

    /* summary */
    uint64_t calls, errors, placed, started, stopped;
    char **strategy_names;
    uint64_t *strategy_counts;
    size_t nstrategies, strategies_cap;
    char **failure_names;
    uint64_t *failure_counts;
    size_t nfailures, failures_cap;
};

#endif
