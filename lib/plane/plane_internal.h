/*
 * The control plane's state, shared by lib/plane (lifecycle, clock, typed
 * readers, dump) and lib/api (the action handlers that change it).
 *
 * Every change follows one pattern so that a call applies completely or
 * not at all: validate; allocate everything the change needs (new objects,
 * room in arrays); apply the change, which can no longer fail; write the
 * response; and if writing fails, undo the change (undoing only restores
 * saved values or drops what was appended, so it cannot fail either).
 */
#ifndef ECS_PLANE_INTERNAL_H
#define ECS_PLANE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/json.h"
#include "ecs/plane.h"
#include "ecs/rng.h"
#include "ecs/place.h"
#include "model/taskdef.h"
#include "util/map.h"
#include "util/str.h"

/* The snapshot format this libecs writes and reads. */
#define ECS_SNAPSHOT_VERSION 1

/* Limits (spec 6.1 and 6.2). */
#define ECS_MAX_CLUSTERS 10000u
#define ECS_MAX_INSTANCES_PER_CLUSTER 5000u
#define ECS_MAX_CUSTOM_ATTRIBUTES 10u
#define ECS_MAX_TAGS 50u
#define ECS_MAX_REVISIONS 1000000u
#define ECS_MAX_RESERVED_PORTS 100u

typedef struct ecs_tag {
    ecs_str key;
    ecs_str value;
} ecs_tag;

typedef struct ecs_tags {
    ecs_tag *items;
    size_t n, cap;
} ecs_tags;

typedef struct ecs_attr {
    ecs_str name;
    ecs_str value;   /* empty: an attribute without a value */
    bool builtin;    /* set by registration, not counted against the limit */
} ecs_attr;

typedef enum ecs_instance_status {
    ECS_INST_ACTIVE = 0,
    ECS_INST_DRAINING,
    ECS_INST_INACTIVE
} ecs_instance_status;

typedef struct ecs_instance {
    ecs_str id, arn;
    ecs_str ec2_instance_id, availability_zone, instance_type, ami_id;
    ecs_str agent_version, agent_hash, docker_version;
    ecs_instance_status status;
    bool agent_connected;
    bool external;
    int64_t registered_at_ms;
    int64_t version;              /* change counter */
    int64_t cpu_total, cpu_remaining;
    int64_t mem_total, mem_remaining;
    uint16_t *ports_tcp;          /* reserved at registration, sorted */
    size_t nports_tcp;
    uint16_t *ports_udp;
    size_t nports_udp;
    ecs_str *gpus;
    size_t ngpus;
    ecs_attr *attrs;
    size_t nattrs, attrs_cap;
    ecs_tags tags;
    uint32_t running_tasks, pending_tasks;
    struct ecs_held_port *held;   /* static host ports that tasks hold */
    size_t nheld, held_cap;
} ecs_instance;

typedef struct ecs_held_port {
    uint16_t port;
    bool udp;
} ecs_held_port;

typedef enum ecs_task_status {
    ECS_TASK_PROVISIONING = 0,
    ECS_TASK_PENDING,
    ECS_TASK_ACTIVATING,
    ECS_TASK_RUNNING,
    ECS_TASK_DEACTIVATING,
    ECS_TASK_STOPPING,
    ECS_TASK_DEPROVISIONING,
    ECS_TASK_STOPPED
} ecs_task_status;

typedef enum ecs_launch_type {
    ECS_LAUNCH_EC2 = 0,
    ECS_LAUNCH_FARGATE,
    ECS_LAUNCH_EXTERNAL
} ecs_launch_type;

struct ecs_revision;
struct ecs_family;

/* A host port a task holds for one container port mapping. */
typedef struct ecs_binding {
    uint16_t container_port;
    uint16_t host_port;
    bool udp;
    bool dynamic;                 /* hostPort 0: assigned from the ephemeral range */
    uint16_t container; /* index into the definition's containers */
} ecs_binding;

typedef struct ecs_task {
    ecs_str id, arn;
    struct ecs_cluster *cluster;
    struct ecs_family *family;
    struct ecs_revision *rev;     /* holds a reference (rev->refs) */
    struct ecs_instance *inst;    /* NULL for Fargate */
    ecs_launch_type launch_type;
    ecs_str group, started_by, az;
    ecs_task_status last, desired; /* desired: RUNNING or STOPPED */
    int64_t created_at_ms;
    int64_t version;
    uint32_t cpu, memory_mib;      /* what the task reserves */
    ecs_binding *bindings;
    size_t nbindings;
    ecs_json_doc *overrides;       /* the request's overrides, or NULL */
    ecs_str eni_id, subnet_id, private_ip, public_ip, mac;
    ecs_tags tags;
} ecs_task;

typedef struct ecs_subnet {
    ecs_str id, az;
    uint32_t next_host;           /* for handing out private addresses */
} ecs_subnet;

/* A RunTask clientToken: the request it came with and the tasks it made. */
typedef struct ecs_token {
    ecs_str token;
    uint64_t fingerprint;
    ecs_str *task_arns;
    size_t ntasks;
} ecs_token;

typedef struct ecs_cluster {
    ecs_str name, arn;
    bool active;
    ecs_tags tags;
    bool container_insights;      /* settings: containerInsights */
    ecs_instance **instances;     /* registration order, INACTIVE ones included */
    size_t ninstances, instances_cap;
    ecs_map instance_by_id;       /* id (the ARN's last part) -> instance */
    ecs_map instance_by_ec2;      /* EC2 instance id -> its latest instance */
    uint32_t registered_instances; /* ACTIVE + DRAINING */
    uint32_t running_tasks, pending_tasks, active_services;
    ecs_place *engine;            /* the level-1 view of the EC2 instances: a
                                     cache of the plane's state, rebuilt when
                                     engine_stale says a mirror step failed */
    bool engine_stale;
    ecs_task **tasks;             /* creation order */
    size_t ntasks, tasks_cap;
    ecs_map task_by_id;
    ecs_token **tokens;
    size_t ntokens, tokens_cap;
    uint32_t fargate_tasks;       /* live Fargate tasks, for the capacity limit */
} ecs_cluster;

typedef enum ecs_td_status {
    ECS_TD_ACTIVE = 0,
    ECS_TD_INACTIVE,
    ECS_TD_DELETE_IN_PROGRESS
} ecs_td_status;

typedef struct ecs_revision {
    uint32_t revision;
    uint32_t refs;                /* tasks holding it: not purged while > 0 */
    ecs_td_status status;
    ecs_str arn;
    int64_t registered_at_ms;
    int64_t deregistered_at_ms;   /* 0 while ACTIVE */
    ecs_taskdef *def;
    ecs_tags tags;
} ecs_revision;

typedef struct ecs_family {
    ecs_str name;
    uint32_t last_revision;       /* never reused, even after deletion */
    ecs_revision **revs;          /* ascending revision */
    size_t nrevs, revs_cap;
} ecs_family;

struct ecs_plane {
    ecs_ctx *ctx;
    uint32_t flags;
    uint32_t max_instances;       /* per cluster */
    uint64_t seed;
    ecs_rng rng;
    ecs_str region, account;
    int64_t now_ms;
    ecs_cluster **clusters;       /* creation order */
    size_t nclusters, clusters_cap;
    ecs_family **families;        /* sorted by name */
    size_t nfamilies, families_cap;
    ecs_subnet *subnets;          /* RegisterSubnets (a libecs extension) */
    size_t nsubnets, subnets_cap;
    uint32_t fargate_limit;       /* live Fargate tasks per cluster; 0: unlimited */
    ecs_json_writer *w;           /* responses */
    ecs_json_writer *dump_w;      /* ecs_plane_dump */
    const char *err_code;
    /* readers hand out C strings that need a home */
    char status_buf[32];
};

/* Names of statuses as the API spells them. */
const char *ecs_plane__instance_status_name(ecs_instance_status s);
const char *ecs_plane__td_status_name(ecs_td_status s);
const char *ecs_plane__network_mode_name(ecs_network_mode m);

/* Lifecycle helpers (lib/plane/objects.c). */
void ecs_plane__tags_free(ecs_ctx *ctx, ecs_tags *tags);
void ecs_plane__instance_free(ecs_ctx *ctx, ecs_instance *inst);
void ecs_plane__cluster_free(ecs_ctx *ctx, ecs_cluster *c);
void ecs_plane__revision_free(ecs_ctx *ctx, ecs_revision *r);
void ecs_plane__family_free(ecs_ctx *ctx, ecs_family *f);

/* Lookup (lib/plane/lookup.c). References are names, ids or ARNs as the
 * API accepts them. */
ecs_cluster *ecs_plane__cluster_by_ref(const ecs_plane *pl, const char *ref, size_t len);
ecs_instance *ecs_plane__instance_by_ref(const ecs_plane *pl, const ecs_cluster *c,
                                         const char *ref, size_t len);
/* Index of the family named exactly name in the sorted array; when absent,
 * *found is false and the index is where it would be inserted. */
size_t ecs_plane__family_find(const ecs_plane *pl, const char *name, size_t len, bool *found);
/* Resolve "family", "family:revision" or an ARN. With a bare family, the
 * latest ACTIVE revision. NULL when there is none. */
ecs_revision *ecs_plane__taskdef_by_ref(const ecs_plane *pl, const char *ref, size_t len,
                                        ecs_family **out_family);
/* A fresh lower-case hex id of n characters from the plane's generator. */
void ecs_plane__hex_id(ecs_plane *pl, char *buf, size_t n);

/* JSON forms of the objects (lib/plane/write.c). Flags select optional
 * members as DescribeClusters' include does. */
#define ECS_WRITE_TAGS 0x1u
#define ECS_WRITE_SETTINGS 0x2u
#define ECS_WRITE_STATISTICS 0x4u
ecs_status ecs_plane__write_tags(ecs_json_writer *w, const ecs_tags *tags);
ecs_status ecs_plane__write_cluster(ecs_json_writer *w, const ecs_cluster *c, uint32_t flags);
ecs_status ecs_plane__write_instance(const ecs_plane *pl, ecs_json_writer *w,
                                     const ecs_instance *inst, uint32_t flags);
ecs_status ecs_plane__write_revision(const ecs_plane *pl, ecs_json_writer *w,
                                     const ecs_family *f, const ecs_revision *r);
ecs_status ecs_plane__write_time(ecs_json_writer *w, int64_t ms);

/* Tasks (lib/plane/tasks.c). */
const char *ecs_plane__task_status_name(ecs_task_status s);
const char *ecs_plane__launch_type_name(ecs_launch_type t);
void ecs_plane__task_free(ecs_ctx *ctx, ecs_task *t);
ecs_status ecs_plane__write_task(const ecs_plane *pl, ecs_json_writer *w, const ecs_task *t,
                                 uint32_t flags);
/* Mirror an instance into its cluster's placement engine: identity,
 * resources, status and (when new to the engine) every attribute. The
 * plane's own state is the record; the engine is a cache. A mirror step
 * that fails marks the engine stale instead of failing the call, and
 * ecs_plane__engine_sync() rebuilds a stale engine from the plane before
 * the next placement (that one may fail with ECS_E_NOMEM, changing
 * nothing). */
void ecs_plane__engine_put_instance(ecs_plane *pl, ecs_cluster *c, const ecs_instance *inst);
void ecs_plane__engine_put_attribute(ecs_cluster *c, const ecs_instance *inst, const ecs_attr *a);
void ecs_plane__engine_unset_attribute(ecs_cluster *c, const ecs_instance *inst, const ecs_str *name);
ecs_status ecs_plane__engine_sync(ecs_plane *pl, ecs_cluster *c);
ecs_subnet *ecs_plane__subnet(const ecs_plane *pl, const char *id, size_t len);

/* Work that falls due when time moves (lib/plane/plane.c). */
void ecs_plane__purge_deleted(ecs_plane *pl);

#endif /* ECS_PLANE_INTERNAL_H */
