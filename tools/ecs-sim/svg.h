/*
 * ecs-sim's pictures: self-contained SVG files (no script, no external
 * reference) written from what the recorder kept.
 *
 * The rollout timeline (--timeline FILE.svg): one panel per service, its
 * deployments' tasks over simulated time as stacked areas (RUNNING solid,
 * PENDING lighter above), the minimum-healthy (lower) and maximum (upper)
 * bounds and the desired count as lines, and the rollout's events
 * (completed, circuit breaker, alarm, rollback) marked. The numbers are in
 * the file too, for programs: each panel holds
 *   <g class="point" data-time="S" data-desired data-lower data-upper>
 *     <g class="count" data-deployment="ID" data-running data-pending data-desired/>
 * (one point per change, holding until the next) and each marker
 *   <g class="marker" data-kind="breaker" data-time="S">.
 *
 * The cluster map (--cluster-map FILE.svg): at the end of the run, each
 * cluster's container instances grouped by availability zone, each drawn as
 * a CPU bar and a memory bar filled by its tasks, coloured by task group
 * (service:NAME, family:NAME); Fargate tasks as a "Fargate" group per zone.
 * Each instance is <g class="instance" data-ec2-instance-id data-zone
 * data-cpu-registered data-cpu-used data-cpu-tasks data-memory-registered
 * data-memory-used data-memory-tasks data-tasks> (used = registered -
 * remaining as the plane says; *-tasks = the sum of the tasks drawn), each
 * task <rect class="task" data-task-arn data-group data-cpu data-memory>.
 */
#ifndef ECS_SIM_SVG_H
#define ECS_SIM_SVG_H

#include "record.h"

/* 0, or 1 after saying on standard error why the file was not written. */
int svg_timeline(const rec *r, const char *path);
int svg_cluster_map(const rec *r, const char *path);

#endif
