/**
 * @file ecs/deploy.h
 * @brief The rollout planner (level 1): the next actions of one service
 *        from a plain view of its tasks, and a preview of a whole rollout.
 *
 * A host with its own data model describes a service (desired count,
 * minimumHealthyPercent, maximumPercent) and its live tasks (those whose
 * desiredStatus is RUNNING): to which deployment each belongs, whether it is
 * RUNNING and counts as healthy, whether it must be replaced (it sits on a
 * DRAINING instance or failed its health checks) and whether it is under
 * scale-in protection. ecs_deploy_next() answers with what the ECS rolling
 * scheduler does next (spec 4.1 and 4.3):
 *
 *   lower = ceil(D x minimumHealthyPercent / 100)   healthy RUNNING tasks kept
 *   upper = floor(D x maximumPercent / 100)         tasks PENDING or RUNNING
 *
 *  - start min(D - good, upper - live) tasks of the PRIMARY deployment, where
 *    good counts the PRIMARY's tasks that are not to be replaced (none when
 *    the deployment FAILED or the service is throttled);
 *  - stop tasks of older deployments and tasks to be replaced: those that
 *    do not count as healthy at once, healthy ones only while the healthy
 *    count stays at or above lower (in the order the view lists them);
 *  - with more good tasks than D (scale-in), stop the surplus: the view's
 *    order is the order of preference (the host ranks its tasks by the
 *    scale-in rule of its placement strategy), tasks not yet RUNNING first,
 *    never a protected task;
 *  - say when nothing can move while old tasks remain and no task is on
 *    its way to health (the configuration is stuck: ECS's "unable to stop
 *    or start tasks during a deployment" event), and when protected tasks
 *    kept a scale-in from finishing.
 *
 * The scheduler's own starts never push live tasks above upper, and its own
 * stops never take healthy tasks below lower.
 *
 * Everything here is pure: no allocation, no state, no clock.
 */
#ifndef ECS_DEPLOY_H
#define ECS_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/export.h"
#include "ecs/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One live task of the service (desiredStatus RUNNING). */
typedef struct ecs_deploy_task {
    bool primary;      /**< Belongs to the PRIMARY (newest) deployment. */
    bool running;      /**< lastStatus RUNNING (else it is on its way). */
    bool healthy;      /**< Counts toward lower (spec 4.2). */
    bool replace;      /**< Must be replaced: DRAINING instance, failed health. */
    bool is_protected; /**< Under scale-in protection. */
} ecs_deploy_task;

/** A service as the planner sees it. */
typedef struct ecs_deploy_view {
    uint32_t struct_size;         /**< sizeof(ecs_deploy_view). */
    uint32_t desired;             /**< D. */
    uint32_t min_pct;             /**< minimumHealthyPercent, 0..100. */
    uint32_t max_pct;             /**< maximumPercent, >= 100 (daemons: 100). */
    bool start_blocked;           /**< PRIMARY FAILED, or the service throttled. */
    const ecs_deploy_task *tasks; /**< The live tasks, in the host's order of
                                       preference for stopping. */
    size_t ntasks;
} ecs_deploy_view;

#define ECS_DEPLOY_VIEW_INIT { (uint32_t)sizeof(ecs_deploy_view), 0u, 100u, 200u, false, NULL, 0 }

/** The planner's answer. */
typedef struct ecs_deploy_plan {
    uint32_t lower, upper;  /**< The bounds for this D. */
    uint32_t start;         /**< PRIMARY tasks to start. */
    size_t nstop;           /**< Task indexes written to the caller's stop[]. */
    bool stuck;             /**< Old or to-be-replaced tasks remain and nothing can move. */
    bool protected_blocked; /**< Scale-in stopped short: too many protected tasks. */
} ecs_deploy_plan;

/**
 * The next actions of a service.
 * @param view      The service (struct_size set; see ECS_DEPLOY_VIEW_INIT).
 * @param stop      Receives the indexes (into view->tasks) of the tasks to
 *                  stop, in order; room for view->ntasks entries.
 * @param out       Receives the plan.
 * @return ECS_OK, or ECS_E_INVALID_ARG (NULL pointers, a bad struct_size,
 *         min_pct over 100, max_pct under 100).
 */
ECS_API ecs_status ecs_deploy_next(const ecs_deploy_view *view, size_t *stop, ecs_deploy_plan *out);

/** One step of a previewed rollout: the counts after the step's actions. */
typedef struct ecs_deploy_step {
    uint32_t started;       /**< New tasks started in this step. */
    uint32_t stopped;       /**< Old tasks stopped in this step. */
    uint32_t old_running;   /**< Old tasks still live after the step. */
    uint32_t new_pending;   /**< New tasks started but not yet healthy. */
    uint32_t new_healthy;   /**< New tasks healthy. */
} ecs_deploy_step;

/**
 * Play a rollout forward without changing anything: D old tasks, all
 * healthy, are replaced by tasks of a new deployment. Each step applies
 * ecs_deploy_next(); tasks started in a step are healthy at the next step
 * (the agents are assumed to succeed). capacity bounds the live tasks the
 * cluster can hold (0: unlimited), as a full cluster does.
 * @param steps     Receives up to max_steps steps.
 * @param nsteps    Receives the number of steps written.
 * @return ECS_OK when the rollout completes (all D tasks new and healthy, no
 *         old task left); ECS_E_LIMIT when it needs more than max_steps;
 *         ECS_E_CONFLICT when it cannot move (the configuration or the
 *         capacity leaves no room: the steps so far are written);
 *         ECS_E_INVALID_ARG.
 */
ECS_API ecs_status ecs_deploy_preview(uint32_t desired, uint32_t min_pct, uint32_t max_pct,
                                      uint32_t capacity, ecs_deploy_step *steps, size_t max_steps,
                                      size_t *nsteps);

/* ------------------------------------------------------------------------ */
/* Capacity provider strategies (spec 5).                                    */

/** One item of a capacity provider strategy. */
typedef struct ecs_capacity_item {
    uint32_t base;   /**< Tasks this provider gets first (at most one item has a base). */
    uint32_t weight; /**< Share of the tasks beyond the bases. */
} ecs_capacity_item;

/**
 * Which provider gets the next task, given how many each holds now
 * (a deterministic D'Hondt-style apportionment, libecs's choice since AWS
 * publishes no rounding): a provider below its base gets it; otherwise the
 * provider with weight > 0 whose (assigned - base + 1) / weight is
 * smallest, ties to the larger weight, then to the earlier item. For
 * [{A, base 2, weight 1}, {B, weight 3}] the sequence is A A B B B A B B B A:
 * 10 tasks give A 4, B 6.
 * @param assigned  Tasks each item's provider holds, n entries.
 * @param out       Receives the item's index.
 * @return ECS_OK; ECS_E_CONFLICT when no item can take a task (every base
 *         met and every weight 0); ECS_E_INVALID_ARG.
 */
ECS_API ecs_status ecs_capacity_next(const ecs_capacity_item *items, size_t n, const uint32_t *assigned,
                                     size_t *out);

/**
 * Which provider gives up a task on scale-in: the one furthest above the
 * share ecs_capacity_next() would give it of one task fewer (so bases are
 * the last to go), ties to the later item.
 * It replays the apportionment of the tasks held, so its cost grows with
 * their number (fine for the task counts of a service).
 * @return ECS_OK; ECS_E_CONFLICT when no provider holds a task;
 *         ECS_E_INVALID_ARG (NULL pointers, n 0 or above 64).
 */
ECS_API ecs_status ecs_capacity_scale_in(const ecs_capacity_item *items, size_t n,
                                         const uint32_t *assigned, size_t *out);

#ifdef __cplusplus
}
#endif

#endif /* ECS_DEPLOY_H */
