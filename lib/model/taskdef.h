/*
 * Task definitions as the scheduler sees them: the validated, normalised
 * definition (its scheduling-relevant fields as plain data) plus the full
 * definition as JSON to echo back in describe output.
 *
 * Made by ecs_taskdef__from_request() (lib/model/taskdef_codec.c) from a
 * RegisterTaskDefinition request that ecs_shape__check() has accepted, and
 * immutable afterwards. The plane owns each one and frees it with
 * ecs_taskdef__free().
 */
#ifndef ECS_MODEL_TASKDEF_H
#define ECS_MODEL_TASKDEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/api_error.h"
#include "ecs/json.h"
#include "util/str.h"

/* Flags for ecs_taskdef__from_request(). */
/* Accept pasted describe output: unwrap {"taskDefinition": {...}} and drop
 * the read-only members (taskDefinitionArn, revision, status,
 * requiresAttributes, compatibilities, registeredAt, registeredBy,
 * deregisteredAt). Without it those are refused. Lenient mode also drops
 * every member whose value is null, at any depth (old console output writes
 * "ulimits": null and the like); null array elements stay, and the shape
 * check refuses them. See ecs_taskdef__strip_readonly(). */
#define ECS_TASKDEF_F_LENIENT 0x1u

/* Containers per task definition (spec 6.1) and the serialized size limit
 * (the compact JSON text of the normalised definition, spec 1.3). */
#define ECS_TASKDEF_MAX_CONTAINERS 10u
#define ECS_TASKDEF_MAX_BYTES 65536u

typedef enum ecs_network_mode {
    ECS_NET_BRIDGE = 0, /* the default on Linux EC2 when networkMode is absent */
    ECS_NET_HOST,
    ECS_NET_AWSVPC,
    ECS_NET_NONE
} ecs_network_mode;

#define ECS_COMPAT_EC2 0x1u
#define ECS_COMPAT_FARGATE 0x2u
#define ECS_COMPAT_EXTERNAL 0x4u
#define ECS_COMPAT_MANAGED_INSTANCES 0x8u

typedef struct ecs_port_mapping {
    uint32_t container_port;    /* 0 when only containerPortRange is given */
    uint32_t host_port;         /* 0: dynamic (bridge) */
    bool udp;
    uint32_t range_first, range_last; /* containerPortRange, 0 when absent */
} ecs_port_mapping;

typedef struct ecs_container_def {
    ecs_str name;
    uint32_t cpu;                /* units; 0 when unset */
    uint32_t memory_mib;         /* hard limit; 0 when unset */
    uint32_t memory_reservation_mib; /* soft limit; 0 when unset */
    bool essential;
    ecs_port_mapping *ports;
    size_t nports;
    uint32_t gpus;               /* resourceRequirements type GPU */
    bool health_check;           /* healthCheck given */
    uint32_t hc_interval_s;      /* healthCheck.interval (default 30) */
    uint32_t stop_timeout_s;     /* stopTimeout (default 30) */
    /* Knobs of the simulated agent, from dockerLabels "libecs.sim.*"
     * (documented in ecs/plane.h); negative: not set. */
    int32_t sim_start_s;         /* libecs.sim.start-seconds */
    int32_t sim_exit_after_s;    /* libecs.sim.exit-after-seconds */
    int32_t sim_exit_code;       /* libecs.sim.exit-code (default 1) */
    int32_t sim_unhealthy_after_s; /* libecs.sim.unhealthy-after-seconds */
    int32_t sim_stop_s;          /* libecs.sim.stop-seconds */
    int32_t sim_target_unhealthy_after_s; /* libecs.sim.target-unhealthy-after-seconds */
    ecs_str sim_fail_start;      /* libecs.sim.fail-start: the stop reason */
} ecs_container_def;

typedef struct ecs_taskdef {
    ecs_str family;
    ecs_network_mode network_mode;
    bool network_mode_set;       /* networkMode given in the request */
    uint32_t requires;           /* ECS_COMPAT_* from requiresCompatibilities */
    uint32_t compatibilities;    /* ECS_COMPAT_* ECS judges compatible */
    uint32_t cpu;                /* task-level units, 0 when unset */
    uint32_t memory_mib;         /* task-level MiB, 0 when unset */
    ecs_container_def *containers;
    size_t ncontainers;
    ecs_str *member_of;          /* placementConstraints memberOf expressions */
    size_t nmember_of;
    ecs_str *requires_attributes; /* derived capability attribute names */
    size_t nrequires_attributes;
    ecs_json_doc *doc;           /* the normalised definition, for describe */
} ecs_taskdef;

/*
 * Decode and validate one RegisterTaskDefinition request (already accepted
 * by ecs_shape__check()) against every rule of spec sections 1.3 and 1.4.
 * On failure err gets ClientException or InvalidParameterException with a
 * message naming the field by its path, and *out is untouched.
 * ECS_E_NOMEM is reported in the context (err gets ServerException).
 *
 * With ECS_TASKDEF_F_LENIENT the request first goes through
 * ecs_taskdef__strip_readonly() (req may be the raw describe output or the
 * already stripped copy: stripping twice changes nothing). Without it,
 * describe output ({"taskDefinition": ...} or a read-only member) is
 * InvalidParameterException naming the member. Wrong JSON types are
 * InvalidParameterException too, so a request that skipped the shape check
 * is refused, never trusted.
 *
 * Returns ECS_OK; ECS_E_INVALID_ARG (a broken rule or malformed value, err
 * says which; or a NULL argument / unknown flag, with ServerException);
 * ECS_E_LIMIT (a quota: more than 10 containers, more than 10 placement
 * constraints or 100 port ranges per container, a normalised definition
 * over 64 KiB; ClientException); ECS_E_NOMEM. err may be NULL; the
 * context always carries "<code>: <message>".
 */
ecs_status ecs_taskdef__from_request(ecs_ctx *ctx, ecs_api_error *err, const ecs_json_doc *doc,
                                     const ecs_json_val *req, uint32_t flags, ecs_taskdef **out);

void ecs_taskdef__free(ecs_ctx *ctx, ecs_taskdef *td);

/*
 * Lenient-mode preprocessing, for the caller to run BEFORE ecs_shape__check():
 * build in *out a copy of request `req` (of `doc`) that
 *  - is unwrapped when req is describe output {"taskDefinition": {...}}
 *    (an object whose only other member may be "tags"; those wrapper tags
 *    move inside when the inner object has none),
 *  - lacks the read-only describe members listed at ECS_TASKDEF_F_LENIENT,
 *  - lacks every member whose value is null, at any depth.
 * Anything else is copied unchanged, in order (a req that is not an object
 * is copied as it is, for the shape check to refuse). On failure *out is
 * untouched and the context has the reason: ECS_E_NOMEM, ECS_E_LIMIT (the
 * copy would exceed the context's JSON limits), ECS_E_INVALID_ARG (NULL
 * argument).
 */
ecs_status ecs_taskdef__strip_readonly(ecs_ctx *ctx, const ecs_json_doc *doc,
                                       const ecs_json_val *req, ecs_json_doc **out);

/* The request's "tags" value (borrowed from td->doc), or NULL. The plane
 * keeps tags apart: ecs_taskdef__write_members() does not write them, as
 * DescribeTaskDefinition returns them next to "taskDefinition". */
const ecs_json_val *ecs_taskdef__tags(const ecs_taskdef *td);

/* The name of a compatibility bit ("EC2", "FARGATE", ...), or NULL. */
const char *ecs_taskdef__compat_name(uint32_t bit);

/*
 * Write the definition's members into an open JSON object: every member the
 * request gave, normalised (cpu and memory as unit strings, defaults made
 * explicit as documented in taskdef_codec.c), plus requiresAttributes and
 * compatibilities. The caller writes taskDefinitionArn, revision, status,
 * registeredAt, registeredBy and deregisteredAt itself.
 */
ecs_status ecs_taskdef__write_members(ecs_json_writer *w, const ecs_taskdef *td);

/* Task size as the scheduler reserves it: task-level value when set, else
 * the sum over containers (memory: memoryReservation if set, else memory). */
uint32_t ecs_taskdef__reserved_cpu(const ecs_taskdef *td);
uint32_t ecs_taskdef__reserved_memory(const ecs_taskdef *td);

#endif /* ECS_MODEL_TASKDEF_H */
