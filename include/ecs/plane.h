/**
 * @file ecs/plane.h
 * @brief The control plane: clusters, container instances, task
 *        definitions, tasks, services and capacity providers, driven by ECS
 *        API calls in ECS's own JSON shapes and by the step function.
 *
 * A plane is made from a context, a seed, a region and an account id. The
 * host feeds it ECS API actions with ecs_plane_call() (the action name, as
 * in the X-Amz-Target header without its prefix, and the request document)
 * and moves its clock with ecs_plane_set_time(); the plane reads no clock,
 * does no I/O and draws every random choice (ids, placement ties) from a
 * generator seeded with the seed it was given. The same seed and the same
 * calls give the same responses, byte for byte.
 *
 * Every call applies completely or not at all: a call that fails, for any
 * reason including an allocation refused midway, leaves the state exactly
 * as it was.
 *
 * Ownership: ecs_plane_new() gives the caller a plane, freed with
 * ecs_plane_free() before its context. Text returned by ecs_plane_call(),
 * ecs_plane_error_code(), ecs_plane_dump() and the info readers is owned by
 * the plane and stays valid until the next call that changes the plane
 * (ecs_plane_call, ecs_plane_set_time, ecs_plane_dump) or its freeing.
 * Threading: one plane belongs to one thread at a time.
 */
#ifndef ECS_PLANE_H
#define ECS_PLANE_H

/*
 * Limits. Every request and every object is bounded, as ECS bounds them
 * (its quotas, spec 6.1) or, where ECS is silent, by libecs; going past a
 * limit is an ECS error (InvalidParameterException, ClientException or
 * LimitExceededException) that names it, never a crash or a partial change.
 *
 *   requests        the context's max_json_bytes (default 64 MiB) and
 *                   max_json_depth (512); a task definition 64 KiB of JSON;
 *                   RunTask overrides 8 KiB
 *   clusters        10,000 per plane
 *   instances       5,000 per cluster (max_instances_per_cluster raises it);
 *                   10 custom attributes and 100 reserved ports each
 *   task defs       1,000,000 revisions per family; 10 containers each
 *   tasks           RunTask 1..10 per call, StartTask 1..10 instances;
 *                   DescribeTasks 100 per call
 *   services        desiredCount 0..5,000; DescribeServices 10 per call;
 *                   100 events kept; 5 load balancers; 10 alarms
 *   placement       10 constraints (the task definition's included), 5
 *                   strategies, memberOf expressions of 2,000 characters
 *   networking      16 subnets and 5 security groups per awsvpc task
 *   capacity        20 items per strategy, 20 providers per cluster,
 *                   base 0..100,000, weight 0..1,000
 *   strings         names 1..255 characters; tag keys 128, values 256, 50
 *                   tags; group 255; startedBy 128 (StartTask 36); stop
 *                   reasons 255; container reasons 1,024; clientToken 64
 *                   (CreateService 36)
 *   time            the clock is a signed 64-bit count of milliseconds and
 *                   never runs backwards
 *
 * Resource arithmetic (CPU units, MiB, ports, counters) is done in 64-bit
 * or checked 32-bit integers: no overflow on any input within these limits.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/context.h"
#include "ecs/export.h"
#include "ecs/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ecs_plane ecs_plane;

/** 2026-01-01T00:00:00Z, the default start of a plane's clock (ms). */
#define ECS_PLANE_DEFAULT_START_MS INT64_C(1767225600000)

/** Accept pasted DescribeTaskDefinition output in RegisterTaskDefinition:
 *  a {"taskDefinition": {...}} wrapper is unwrapped and the read-only
 *  members (taskDefinitionArn, revision, status, requiresAttributes,
 *  compatibilities, registeredAt, registeredBy, deregisteredAt) and null
 *  members are dropped. Without it, they are refused as ECS refuses them. */
#define ECS_PLANE_F_LENIENT_TASKDEF 0x1u

/** Simulated agents: ecs_plane_step() also plays the part of every
 *  container instance's agent (and of Fargate), carrying out the orders it
 *  gives as described under ecs_plane_step(). Without it, tasks move only
 *  when the host reports for them with SubmitTaskStateChange. */
#define ECS_PLANE_F_SIMULATED_AGENTS 0x2u

/** Options for ecs_plane_new(). Start from ECS_PLANE_OPTIONS_INIT. */
typedef struct ecs_plane_options {
    uint32_t struct_size;   /**< sizeof(ecs_plane_options). */
    uint32_t flags;         /**< ECS_PLANE_F_* bits. */
    uint64_t seed;          /**< Seed of every random choice. */
    const char *region;     /**< NULL: "us-east-1". Lower case, digits, '-'. */
    const char *account_id; /**< NULL: "123456789012". Twelve digits. */
    int64_t start_ms;       /**< Clock at creation; 0: ECS_PLANE_DEFAULT_START_MS. */
    uint32_t max_instances_per_cluster; /**< 0: ECS's quota, 5,000. Raise it to
                                             simulate larger fleets. */
} ecs_plane_options;

#define ECS_PLANE_OPTIONS_INIT { (uint32_t)sizeof(ecs_plane_options), 0u, 0u, NULL, NULL, 0, 0u }

/**
 * Make a control plane.
 * @param ctx   Context (allocator, error detail); must outlive the plane.
 * @param opts  Options, or NULL for the defaults.
 * @param out   Receives the plane; untouched on failure.
 * @return ECS_OK, ECS_E_INVALID_ARG (bad region, account id, flags or
 *         struct_size; the context says which), ECS_E_NOMEM.
 */
ECS_API ecs_status ecs_plane_new(ecs_ctx *ctx, const ecs_plane_options *opts, ecs_plane **out);

/** Free a plane and everything in it. NULL is fine. */
ECS_API void ecs_plane_free(ecs_plane *plane);

/**
 * Run one ECS API action.
 *
 * @param plane        The plane.
 * @param action       Action name, such as "RegisterTaskDefinition".
 * @param action_len   Its length.
 * @param request      The request document (JSON object); NULL with
 *                     request_len 0 means an empty request, {}.
 * @param request_len  Its length.
 * @param out          Receives the response document (ECS's response shape)
 *                     on success, or on an ECS error the error document
 *                     {"__type": CODE, "message": TEXT} as the AWS JSON
 *                     protocol sends it. NUL-terminated, owned by the plane.
 * @param out_len      Receives its length; may be NULL.
 * @return ECS_OK on success. On an ECS error a negative status:
 *         ECS_E_PARSE (SerializationException: not JSON, or wrong JSON
 *         types), ECS_E_INVALID_ARG (ClientException,
 *         InvalidParameterException, UnknownOperationException),
 *         ECS_E_NOT_FOUND (ClusterNotFoundException, TargetNotFoundException),
 *         ECS_E_CONFLICT (ClusterContains...Exception), ECS_E_LIMIT
 *         (LimitExceededException, AttributeLimitExceededException),
 *         ECS_E_NOMEM (ServerException: out of memory; *out may then be
 *         NULL). ecs_plane_error_code() gives the ECS code and the context's
 *         ecs_ctx_errmsg() the message. The state is unchanged on failure.
 */
ECS_API ecs_status ecs_plane_call(ecs_plane *plane, const char *action, size_t action_len,
                                  const char *request, size_t request_len, const char **out,
                                  size_t *out_len);

/** The ECS error code of the last failed call ("ClusterNotFoundException"
 *  ...), or "" after a success. */
ECS_API const char *ecs_plane_error_code(const ecs_plane *plane);

/** The plane's clock, in milliseconds since the Unix epoch. */
ECS_API int64_t ecs_plane_now_ms(const ecs_plane *plane);

/** What the host's agents must do (ecs_plane_step). */
typedef enum ecs_plane_order_kind {
    ECS_ORDER_START = 1,             /**< Start the task (on its instance, or on Fargate). */
    ECS_ORDER_STOP = 2,              /**< Stop the task. */
    ECS_ORDER_REGISTER_TARGET = 3,   /**< Register the task's target in a target group. */
    ECS_ORDER_DEREGISTER_TARGET = 4  /**< Deregister it (connections then drain). */
} ecs_plane_order_kind;

/** One order. Strings are owned by the plane (valid as call outputs are). */
typedef struct ecs_plane_order {
    ecs_plane_order_kind kind;
    const char *cluster_arn;
    const char *task_arn;
    const char *container_instance_arn; /**< NULL for Fargate tasks. */
    /** Target orders: the target group's ARN (or a Classic Load Balancer's
     *  name), the target (the task's private IPv4 address for awsvpc
     *  tasks, else its EC2 instance id) and its port. NULL and 0 for the
     *  other orders. */
    const char *target_group_arn;
    const char *target_id;
    uint32_t target_port;
} ecs_plane_order;

/**
 * The step function: move the clock to now_ms and do every piece of work
 * that falls due on the way, in time order:
 *  - the service scheduler: replica services are kept at their desired
 *    count (tasks that stop are replaced, scale-out and scale-in), daemon
 *    services keep one task on every ACTIVE instance that meets their
 *    constraints (daemon services are served first), tasks on DRAINING
 *    instances are replaced within the service's minimum and maximum
 *    percent, unhealthy tasks are replaced, services that cannot start
 *    tasks are throttled;
 *  - task health: without a container health check a RUNNING task counts
 *    as healthy after 40 seconds (spec 4.2);
 *  - retention: STOPPED tasks stay describable for one hour after they
 *    stop (ECS says "at least one hour"), then disappear; deleted task
 *    definition revisions no task holds are purged; a service deleted
 *    (INACTIVE) disappears one hour after it became INACTIVE;
 *  - with ECS_PLANE_F_SIMULATED_AGENTS, the agents' work (below).
 *
 * The orders the host's agents must carry out (tasks placed by calls or by
 * the scheduler that are to be started, tasks told to stop) are returned
 * once each, in the order they arose. A host with real agents starts and
 * stops the tasks and reports back with SubmitTaskStateChange.
 *
 * The simulated agent (ECS_PLANE_F_SIMULATED_AGENTS): a task placed at time
 * T reaches PENDING at T + 1 s and RUNNING at T + start (5 s unless its
 * containers say otherwise); a task told to stop at time S reaches STOPPED
 * at S + stop (2 s). Containers with a healthCheck turn HEALTHY after its
 * interval (30 s by default) of running. Container dockerLabels change
 * what the simulated agent does, for demonstrations and tests (seconds are
 * whole numbers):
 *   "libecs.sim.start-seconds":   from placement to RUNNING (the largest
 *                                 over the task's containers);
 *   "libecs.sim.fail-start":      the task never runs: it stops at
 *                                 T + start with stopCode TaskFailedToStart
 *                                 and this text as stoppedReason;
 *   "libecs.sim.exit-after-seconds": the container exits after running so
 *                                 long (exit code "libecs.sim.exit-code",
 *                                 default 1); an essential container's exit
 *                                 stops the task (EssentialContainerExited);
 *   "libecs.sim.unhealthy-after-seconds": a container with a healthCheck
 *                                 turns UNHEALTHY after running so long;
 *   "libecs.sim.stop-seconds":    from the stop order to STOPPED.
 *
 * @param orders   Receives the orders (an array owned by the plane, valid
 *                 until the next call that takes the plane); may be NULL.
 * @param norders  Receives their number; may be NULL.
 * @return ECS_OK; ECS_E_INVALID_ARG when now_ms is before the clock (time
 *         never runs backwards; nothing changes then); ECS_E_NOMEM when
 *         memory ran out: the clock and all work done so far stand, the
 *         state is consistent, and the work not done is done by the next
 *         step.
 */
ECS_API ecs_status ecs_plane_step(ecs_plane *plane, int64_t now_ms,
                                  const ecs_plane_order **orders, size_t *norders);

/**
 * ecs_plane_step() without reading the orders (they are handed out and
 * dropped).
 */
ECS_API ecs_status ecs_plane_set_time(ecs_plane *plane, int64_t now_ms);

/**
 * The whole state as one canonical JSON document (clusters with their
 * instances, task definition families with every revision, the clock), for
 * comparing states and debugging.
 * @param out      Receives NUL-terminated text owned by the plane.
 * @param out_len  Receives its length; may be NULL.
 * @return ECS_OK or ECS_E_NOMEM.
 */
ECS_API ecs_status ecs_plane_dump(ecs_plane *plane, const char **out, size_t *out_len);

/**
 * The whole control plane as one versioned JSON document, from which
 * ecs_plane_restore() makes a plane that behaves exactly like this one from
 * then on (same answers to the same calls, byte for byte). For persisting
 * the state, or replicating it through a consensus log. The document's
 * format is "libecs-snapshot", version 2 (services, task lifecycles);
 * version 1 documents, written before services existed, are refused with
 * a message that says so. From version 2 on, later versions of libecs read
 * the versions before theirs.
 * @param out      Receives NUL-terminated text owned by the plane, valid
 *                 until the next call that takes the plane.
 * @param out_len  Receives its length; may be NULL.
 * @return ECS_OK or ECS_E_NOMEM; the plane is unchanged either way.
 */
ECS_API ecs_status ecs_plane_snapshot(ecs_plane *plane, const char **out, size_t *out_len);

/**
 * Make a plane from a snapshot. The document is never held whole as a
 * tree: the clusters' instance and task lists are read one element at a
 * time, so the memory restore needs beyond the new plane is a small part of
 * the document's size (the snapshot text itself must stay readable until
 * the call returns).
 * @param ctx       Context for the new plane.
 * @param snapshot  The document (not NUL-terminated), up to ECS_MAX_JSON_BYTES.
 * @param len       Its length.
 * @param out       Receives the plane; untouched on failure.
 * @return ECS_OK; ECS_E_PARSE when the document is damaged, foreign, of a
 *         format version this libecs does not read, or inconsistent (a task
 *         on an instance that is not there...): the context's message names
 *         the member at fault by its path; ECS_E_INVALID_ARG; ECS_E_NOMEM.
 *         Nothing is made on failure.
 */
ECS_API ecs_status ecs_plane_restore(ecs_ctx *ctx, const char *snapshot, size_t len,
                                     ecs_plane **out);

/* ------------------------------------------------------------------------ */
/* Typed readers: the core objects without going through JSON.               */

/** A cluster as the plane holds it. Strings borrow from the plane. */
typedef struct ecs_cluster_info {
    const char *name;
    const char *arn;
    const char *status;                   /**< "ACTIVE" or "INACTIVE". */
    uint32_t registered_instances;        /**< ACTIVE and DRAINING instances. */
    uint32_t running_tasks;
    uint32_t pending_tasks;
    uint32_t active_services;
} ecs_cluster_info;

/** Number of clusters, INACTIVE (deleted) ones included. */
ECS_API size_t ecs_plane_cluster_count(const ecs_plane *plane);

/**
 * Read cluster @p index (0 .. count-1, in creation order).
 * @return ECS_OK, or ECS_E_INVALID_ARG when index is out of range.
 */
ECS_API ecs_status ecs_plane_cluster_info(const ecs_plane *plane, size_t index,
                                          ecs_cluster_info *out);

/**
 * Find a cluster by name or ARN (as the API resolves a `cluster` member).
 * @return ECS_OK with *out_index set, or ECS_E_NOT_FOUND.
 */
ECS_API ecs_status ecs_plane_find_cluster(const ecs_plane *plane, const char *ref, size_t ref_len,
                                          size_t *out_index);

/** A container instance. Resources are in CPU units and MiB. */
typedef struct ecs_instance_info {
    const char *arn;
    const char *id;                /**< The id part of the ARN. */
    const char *ec2_instance_id;
    const char *availability_zone;
    const char *instance_type;
    const char *status;            /**< "ACTIVE", "DRAINING" or "INACTIVE". */
    bool agent_connected;
    int64_t cpu_registered, cpu_remaining;
    int64_t memory_registered, memory_remaining;
    uint32_t running_tasks, pending_tasks;
    size_t attribute_count;        /**< Built-in and custom attributes. */
} ecs_instance_info;

/** Number of container instances of cluster @p cluster_index (0 when out of range). */
ECS_API size_t ecs_plane_instance_count(const ecs_plane *plane, size_t cluster_index);

/** Read instance @p index of a cluster (registration order).
 *  @return ECS_OK or ECS_E_INVALID_ARG (an index out of range). */
ECS_API ecs_status ecs_plane_instance_info(const ecs_plane *plane, size_t cluster_index,
                                           size_t index, ecs_instance_info *out);

/** Read attribute @p attr_index of an instance; *out_value is NULL for an
 *  attribute without a value. @return ECS_OK or ECS_E_INVALID_ARG. */
ECS_API ecs_status ecs_plane_instance_attribute(const ecs_plane *plane, size_t cluster_index,
                                                size_t index, size_t attr_index,
                                                const char **out_name, const char **out_value);

/** A task definition revision. */
typedef struct ecs_taskdef_info {
    const char *family;
    const char *arn;
    const char *status;       /**< "ACTIVE", "INACTIVE" or "DELETE_IN_PROGRESS". */
    const char *network_mode; /**< "bridge", "host", "awsvpc" or "none". */
    uint32_t revision;
    uint32_t cpu_units;       /**< What a task reserves (task level, or the containers' sum). */
    uint32_t memory_mib;      /**< Likewise. */
    size_t container_count;
} ecs_taskdef_info;

/**
 * Find a task definition as the API resolves a `taskDefinition` member:
 * "family" (latest ACTIVE revision), "family:revision" or the full ARN.
 * @return ECS_OK, or ECS_E_NOT_FOUND.
 */
ECS_API ecs_status ecs_plane_find_taskdef(const ecs_plane *plane, const char *ref, size_t ref_len,
                                          ecs_taskdef_info *out);

#ifdef __cplusplus
}
#endif

#endif /* ECS_PLANE_H */
