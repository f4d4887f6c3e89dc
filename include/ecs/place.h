/**
 * @file ecs/place.h
 * @brief The placement engine (level 1): where tasks go, over instance data
 *        the host owns.
 *
 * A host with its own data model creates an engine, tells it about its
 * container instances (resources, attributes, status) and the tasks already
 * on them, and asks it where new tasks go. The engine applies ECS's rules
 * (spec section 2): resource fit (CPU, memory, GPUs, static TCP/UDP host
 * ports and the 100-reserved-port limit, dynamic host ports from the
 * instance's ephemeral range, an ENI slot for awsvpc), requiresAttributes,
 * the subnets' zones for awsvpc, constraints (distinctInstance, memberOf in
 * the cluster query language) and a chain of up to five strategies
 * (binpack cpu|memory, spread instanceId|host|attribute:NAME, random),
 * applied as lexicographic tie-breakers.
 *
 * The final tie-break, when the whole chain leaves several instances
 * equally good: the instance with the lowest tie rank, a number drawn from
 * the engine's seed when the instance is added (so ties fall the same way
 * for the same seed and the same sequence of calls, and differently for
 * another seed). The random strategy draws from the engine's generator;
 * for a task placed with an id (request->task_ids), the draws come from the
 * seed and that id alone, so an engine rebuilt from the same instances and
 * tasks places that task exactly as the original would.
 *
 * Placement is fast by design: the engine keeps indexes (instances ordered
 * by remaining CPU and memory, per spread partition, and cached memberOf
 * results for expressions that do not depend on tasks), so one placement
 * costs O(log n) in the number of instances rather than a scan.
 *
 * Ownership: the engine copies everything it is given. Results belong to
 * the caller (ecs_place_result_free). Threading: one engine, one thread at
 * a time; engines are independent.
 */
#ifndef ECS_PLACE_H
#define ECS_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/context.h"
#include "ecs/export.h"
#include "ecs/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ecs_place ecs_place;

/** Options for ecs_place_new(). Start from ECS_PLACE_OPTIONS_INIT. */
typedef struct ecs_place_options {
    uint32_t struct_size; /**< sizeof(ecs_place_options). */
    uint64_t seed;        /**< Seed of tie ranks and of the random strategy. */
} ecs_place_options;

#define ECS_PLACE_OPTIONS_INIT { (uint32_t)sizeof(ecs_place_options), 0u }

/**
 * Make an engine.
 * @return ECS_OK, ECS_E_INVALID_ARG, ECS_E_NOMEM; *out untouched on failure.
 */
ECS_API ecs_status ecs_place_new(ecs_ctx *ctx, const ecs_place_options *opts, ecs_place **out);

/** Free an engine. NULL is fine. */
ECS_API void ecs_place_free(ecs_place *engine);

/* ------------------------------------------------------------------------ */
/* Instances                                                                 */

/** An instance as the host describes it. Strings are pointer and length. */
typedef struct ecs_place_instance {
    uint32_t struct_size;        /**< sizeof(ecs_place_instance). */
    const char *id;              /**< Unique key (e.g. the container instance ARN). */
    size_t id_len;
    const char *ec2_instance_id; /**< For the query language; may be NULL. */
    size_t ec2_instance_id_len;
    const char *agent_version;   /**< For the query language; may be NULL. */
    size_t agent_version_len;
    int64_t registered_at_ms;
    bool active;                 /**< ACTIVE; false (DRAINING...) is never chosen. */
    bool agent_connected;        /**< false fails placement with AGENT. */
    uint32_t cpu;                /**< Registered CPU units. */
    uint32_t memory_mib;         /**< Registered memory. */
    uint32_t gpus;               /**< Registered GPUs. */
    uint32_t eni_slots;          /**< Task ENIs the instance can attach (awsvpc). */
    const uint16_t *reserved_tcp; /**< Ports reserved at registration. */
    size_t nreserved_tcp;
    const uint16_t *reserved_udp;
    size_t nreserved_udp;
    uint16_t ephemeral_first;    /**< Dynamic host port range; 0: 49153..65535. */
    uint16_t ephemeral_last;
} ecs_place_instance;

#define ECS_PLACE_INSTANCE_INIT { (uint32_t)sizeof(ecs_place_instance), NULL, 0, NULL, 0, NULL, 0, 0, true, true, 0, 0, 0, 0, NULL, 0, NULL, 0, 0, 0 }

/**
 * Add an instance, or update one with the same id (its registered
 * resources, status and identity; its tasks and attributes stay).
 * @return ECS_OK; ECS_E_INVALID_ARG (no id, NULL strings with lengths);
 *         ECS_E_CONFLICT (an update would leave the tasks on the instance
 *         more than it now has); ECS_E_NOMEM. Unchanged on failure.
 */
ECS_API ecs_status ecs_place_set_instance(ecs_place *engine, const ecs_place_instance *inst);

/** Remove an instance and forget the tasks on it. ECS_E_NOT_FOUND when absent. */
ECS_API ecs_status ecs_place_remove_instance(ecs_place *engine, const char *id, size_t id_len);

/** Set (value may be NULL for a value-less attribute) or, with
 *  ecs_place_unset_attribute, remove an attribute of an instance. */
ECS_API ecs_status ecs_place_set_attribute(ecs_place *engine, const char *id, size_t id_len,
                                           const char *name, size_t name_len, const char *value,
                                           size_t value_len);
ECS_API ecs_status ecs_place_unset_attribute(ecs_place *engine, const char *id, size_t id_len,
                                             const char *name, size_t name_len);

/** Number of instances the engine knows. */
ECS_API size_t ecs_place_instance_count(const ecs_place *engine);

/** What an instance has left. @return ECS_OK or ECS_E_NOT_FOUND. */
ECS_API ecs_status ecs_place_remaining(const ecs_place *engine, const char *id, size_t id_len,
                                       uint32_t *out_cpu, uint32_t *out_memory_mib,
                                       uint32_t *out_gpus, uint32_t *out_eni_slots,
                                       uint32_t *out_running_tasks);

/* ------------------------------------------------------------------------ */
/* Tasks                                                                     */

/** An instance's reserved ports and its tasks' static host ports, together,
 *  are at most this many (dynamic ports are not counted). */
#define ECS_PLACE_MAX_STATIC_PORTS 100

/**
 * A host port a task needs. port 0 asks for a dynamic port. A task that
 * already runs (ecs_place_add_task) and holds a dynamic port gives it with
 * dynamic set: it is taken like any port but, like every dynamic port,
 * not counted against ECS_PLACE_MAX_STATIC_PORTS.
 */
typedef struct ecs_place_port {
    uint16_t port;
    bool udp;
    bool dynamic;                 /**< With port != 0: a dynamic port already assigned. */
} ecs_place_port;

/** What one task reserves, and the group it belongs to. */
typedef struct ecs_place_need {
    uint32_t cpu;
    uint32_t memory_mib;
    uint32_t gpus;
    bool eni;                     /**< awsvpc: takes an ENI slot. */
    const ecs_place_port *ports;  /**< Host ports (host and bridge modes). */
    size_t nports;
    const char *group;            /**< Task group, e.g. "service:web" or "family:web". */
    size_t group_len;
} ecs_place_need;

/**
 * Record a task the host already runs on an instance (so that it counts
 * for resources, distinctInstance, spread and task:group). Static ports,
 * and dynamic ones it already holds (port != 0, dynamic), must be free;
 * dynamic ones still to choose (port 0) are assigned and written back to
 * out_ports (nports entries) when it is not NULL.
 * @param task_id  The task's unique key.
 * @return ECS_OK; ECS_E_NOT_FOUND (no such instance); ECS_E_CONFLICT (the
 *         task id is known, or the instance lacks the resources or ports);
 *         ECS_E_INVALID_ARG; ECS_E_NOMEM.
 */
ECS_API ecs_status ecs_place_add_task(ecs_place *engine, const char *task_id, size_t task_id_len,
                                      const char *instance_id, size_t instance_id_len,
                                      const ecs_place_need *need, uint16_t *out_ports);

/** Give a task's resources back. @return ECS_OK or ECS_E_NOT_FOUND. */
ECS_API ecs_status ecs_place_remove_task(ecs_place *engine, const char *task_id,
                                         size_t task_id_len);

/* ------------------------------------------------------------------------ */
/* Placing                                                                   */

typedef enum ecs_place_strategy_type {
    ECS_PLACE_BINPACK_CPU = 0,
    ECS_PLACE_BINPACK_MEMORY = 1,
    ECS_PLACE_SPREAD_INSTANCE = 2, /**< spread instanceId (alias host) */
    ECS_PLACE_SPREAD_ATTRIBUTE = 3, /**< spread attribute:NAME */
    ECS_PLACE_RANDOM = 4
} ecs_place_strategy_type;

typedef struct ecs_place_strategy {
    ecs_place_strategy_type type;
    const char *attribute;        /**< For SPREAD_ATTRIBUTE: NAME (without "attribute:"). */
    size_t attribute_len;
} ecs_place_strategy;

#define ECS_PLACE_MAX_STRATEGIES 5
#define ECS_PLACE_MAX_CONSTRAINTS 10
#define ECS_PLACE_MAX_COUNT 10000

/** A placement request: count tasks alike. */
typedef struct ecs_place_request {
    uint32_t struct_size;                 /**< sizeof(ecs_place_request). */
    uint32_t count;                       /**< Tasks to place, 1..ECS_PLACE_MAX_COUNT. */
    ecs_place_need need;                  /**< What each task needs, and its group. */
    const char *const *required_attributes; /**< Names every instance must have. */
    const size_t *required_attribute_lens;
    size_t nrequired_attributes;
    const char *const *zones;             /**< awsvpc on EC2: allowed zones (attribute
                                               ecs.availability-zone); NULL: any. */
    const size_t *zone_lens;
    size_t nzones;
    bool distinct_instance;               /**< The distinctInstance constraint. */
    const char *const *member_of;         /**< memberOf expressions (query language). */
    const size_t *member_of_lens;
    size_t nmember_of;
    const ecs_place_strategy *strategies; /**< Applied in order; none: random. */
    size_t nstrategies;
    bool dry_run;                         /**< Say where, reserve nothing. */
    const char *const *task_ids;          /**< Ids for the placed tasks (count of them),
                                               recorded as with ecs_place_add_task;
                                               NULL: the engine records nothing
                                               (like dry_run, but later tasks of the
                                               same request still see earlier ones). */
    const size_t *task_id_lens;
} ecs_place_request;

#define ECS_PLACE_REQUEST_INIT { (uint32_t)sizeof(ecs_place_request), 1u, { 0, 0, 0, false, NULL, 0, NULL, 0 }, NULL, NULL, 0, NULL, NULL, 0, false, NULL, NULL, 0, NULL, 0, false, NULL, NULL }

/** Why a task could not be placed, as ECS names it in failures[].reason. */
typedef enum ecs_place_reason {
    ECS_PLACE_OK = 0,
    ECS_PLACE_NO_INSTANCES,   /**< "No Container Instances were found in your cluster." */
    ECS_PLACE_AGENT,          /**< "AGENT" */
    ECS_PLACE_ATTRIBUTE,      /**< "ATTRIBUTE" */
    ECS_PLACE_LOCATION,       /**< "LOCATION" */
    ECS_PLACE_CPU,            /**< "RESOURCE:CPU" */
    ECS_PLACE_MEMORY,         /**< "RESOURCE:MEMORY" */
    ECS_PLACE_PORTS,          /**< "RESOURCE:PORTS" */
    ECS_PLACE_ENI,            /**< "RESOURCE:ENI" */
    ECS_PLACE_GPU,            /**< "RESOURCE:GPU" */
    ECS_PLACE_CONSTRAINT      /**< a distinctInstance or memberOf constraint */
} ecs_place_reason;

/** ECS's text for a reason ("RESOURCE:CPU", ...); static. */
ECS_API const char *ecs_place_reason_str(ecs_place_reason reason);

typedef struct ecs_place_result ecs_place_result;

/** One task's outcome. Strings borrow from the result. */
typedef struct ecs_place_outcome {
    ecs_place_reason reason;      /**< ECS_PLACE_OK when placed. */
    const char *instance_id;      /**< Where it went; or, when it failed, the
                                       closest-matching instance (NULL if none). */
    size_t instance_id_len;
    const uint16_t *ports;        /**< Host ports, one per need.ports entry
                                       (dynamic ones assigned). */
    size_t nports;
    const char *explanation;      /**< When it failed: the count of instances
                                       rejected per reason and what would make the
                                       closest fit, e.g. "3 instances lack memory;
                                       the closest needs 512 MiB more memory". */
} ecs_place_outcome;

/**
 * Place request->count tasks, one after the other (each sees the ones
 * before it). Tasks that cannot be placed get a reason; the others are
 * placed (partial success, as RunTask has it).
 * @param out  Receives the result, freed with ecs_place_result_free().
 * @return ECS_OK (see each outcome); ECS_E_INVALID_ARG (a malformed request:
 *         count, too many strategies or constraints, an unknown strategy);
 *         ECS_E_PARSE (a memberOf expression that does not compile, with the
 *         position in the context's message); ECS_E_CONFLICT (a task id
 *         already known); ECS_E_NOMEM. The engine is unchanged on failure.
 */
ECS_API ecs_status ecs_place_tasks(ecs_place *engine, const ecs_place_request *request,
                                   ecs_place_result **out);

ECS_API size_t ecs_place_result_count(const ecs_place_result *result);
ECS_API ecs_status ecs_place_result_get(const ecs_place_result *result, size_t index,
                                        ecs_place_outcome *out);
ECS_API void ecs_place_result_free(ecs_place_result *result);

#ifdef __cplusplus
}
#endif

#endif /* ECS_PLACE_H */
