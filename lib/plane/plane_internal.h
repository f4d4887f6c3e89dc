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
#include "util/ctx_internal.h"
#include "util/map.h"
#include "util/str.h"

/* The snapshot format this libecs writes and reads. */
#define ECS_SNAPSHOT_VERSION 2

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
    bool name_static; /* name is a well-known name's static text, not owned */
} ecs_attr;

/* The capabilities a registration without any gets (an agent's defaults),
 * in the order they are listed. */
extern const char *const ecs_plane__default_capabilities[];
extern const size_t ecs_plane__ndefault_capabilities;
/* The static text of a well-known attribute name (the built-in ecs.*
 * attributes and the default capabilities), or NULL. Instances share these
 * instead of each owning a copy: a snapshot of 50,000 instances holds two
 * million of them. */
const char *ecs_plane__static_attr_name(const char *name, size_t len);
/* Set a->name to name (shared when well known, else a copy). ECS_E_NOMEM
 * leaves a as it was. */
ecs_status ecs_plane__attr_set_name(ecs_ctx *ctx, ecs_attr *a, const char *name, size_t len);
/* Whether name is an attribute name ECS accepts: 1 to 128 letters, digits
 * and - _ / \ . */
bool ecs_plane__attr_name_ok(const char *name, size_t len);
/* Free a's name (when owned) and value. */
void ecs_plane__attr_free(ecs_ctx *ctx, ecs_attr *a);

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
    uint32_t index;               /* its place in its cluster's instances[] */
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

/* Why a task stopped (stopCode), as the API names them. */
typedef enum ecs_stop_code {
    ECS_STOP_NONE = 0,
    ECS_STOP_TASK_FAILED_TO_START,
    ECS_STOP_ESSENTIAL_CONTAINER_EXITED,
    ECS_STOP_USER_INITIATED,
    ECS_STOP_SERVICE_SCHEDULER_INITIATED,
    ECS_STOP_TERMINATION_NOTICE
} ecs_stop_code;

/* Stopped reasons the plane writes itself (no text to keep); ECS_WHY_TEXT:
 * the task's stop_text holds a reason given by a caller or an agent. */
typedef enum ecs_stop_why {
    ECS_WHY_NONE = 0,
    ECS_WHY_TEXT,
    ECS_WHY_USER,            /* "Task stopped by user" */
    ECS_WHY_ESSENTIAL,       /* "Essential container in task exited" */
    ECS_WHY_SCALING,         /* "Scaling activity initiated by (deployment <startedBy>)" */
    ECS_WHY_UNHEALTHY,       /* "Task failed container health checks" */
    ECS_WHY_DEREGISTERED,    /* "Container instance deregistration forced by user" */
    ECS_WHY_DRAINING,        /* scaling activity, for an instance being drained */
    ECS_WHY_SERVICE_DELETED, /* "Scaling activity initiated by (deployment ...)" too */
    ECS_WHY_TARGET_UNHEALTHY /* "Task failed ELB health checks in (target-group ...)" */
} ecs_stop_why;

typedef enum ecs_health {
    ECS_HEALTH_UNKNOWN = 0,
    ECS_HEALTH_HEALTHY,
    ECS_HEALTH_UNHEALTHY
} ecs_health;

/* A container of a task as its agent reported it. */
typedef struct ecs_container_state {
    ecs_task_status last;         /* PENDING, RUNNING or STOPPED */
    ecs_health health;
    bool has_exit;
    int32_t exit_code;
    ecs_str reason;
    ecs_str runtime_id;
} ecs_container_state;

/* Orders for the host's agents (ecs_plane_step). */
#define ECS_ORDER_START_PENDING 0x1u
#define ECS_ORDER_STOP_PENDING 0x2u
#define ECS_ORDER_REGISTER_PENDING 0x4u   /* load-balancer targets */
#define ECS_ORDER_DEREGISTER_PENDING 0x8u

/* An awsvpc task's network interface: one block, this struct and then its
 * texts (ecs_plane__task_set_net). */
typedef struct ecs_task_net {
    ecs_str eni_id, subnet_id, private_ip, public_ip, mac;
    size_t block_size;
} ecs_task_net;

/* A task is one block (ecs_plane__task_new): this struct, then its
 * container states and bindings, then the texts of its ARN (whose last
 * part is the id: t->id points into it), group and started_by, which never
 * change; the other strings are owned apart. Fields are ordered to leave
 * no padding: a plane may hold millions. */
typedef struct ecs_task {
    ecs_str id, arn;
    ecs_str group, started_by, az;
    ecs_str capacity_provider;    /* the provider that gave it room, or empty */
    ecs_str stop_text;            /* ECS_WHY_TEXT */
    struct ecs_cluster *cluster;
    struct ecs_service *svc;      /* NULL for standalone tasks */
    struct ecs_family *family;
    struct ecs_revision *rev;     /* holds a reference (rev->refs) */
    struct ecs_instance *inst;    /* NULL for Fargate */
    ecs_binding *bindings;
    ecs_container_state *containers; /* one per container definition */
    ecs_json_doc *overrides;       /* the request's overrides, or NULL */
    ecs_task_net *net;            /* awsvpc only, else NULL: see ecs_task__net() */
    ecs_tags tags;
    int64_t created_at_ms;
    int64_t version;
    /* lifecycle (lib/plane/lifecycle.c); 0: not (yet) happened */
    int64_t pull_started_ms, pull_stopped_ms, started_ms, stopping_ms;
    int64_t execution_stopped_ms, stopped_ms;
    int64_t stop_requested_ms;    /* desiredStatus became STOPPED */
    int64_t protect_until_ms;     /* scale-in protection; 0: none */
    int64_t drain_until_ms;       /* DEACTIVATING: the deregistration delay ends */
    uint32_t nbindings;
    uint32_t block_size;          /* bytes of the block this task lives in */
    uint32_t dep_seq;             /* the service deployment it belongs to */
    uint32_t cpu, memory_mib;      /* what the task reserves */
    /* enums in a byte each (their values are small): */
    uint8_t launch_type;          /* ecs_launch_type */
    uint8_t last, desired;        /* ecs_task_status; desired: RUNNING or STOPPED */
    uint8_t stop_code;            /* ecs_stop_code */
    uint8_t stop_why;             /* ecs_stop_why */
    uint8_t health;               /* ecs_health */
    uint8_t target_health;        /* ecs_health: the targets', as reported */
    bool ever_running;
    bool ever_healthy;            /* counted as healthy once (circuit breaker) */
    bool target_registered;       /* its load-balancer targets are registered */
    bool az_owned;                /* az is its own copy, not the plane's shared name */
    uint8_t orders;               /* ECS_ORDER_* not yet handed to the host */
} ecs_task;

/* No network interface (the net of a task that has none). */
extern const ecs_task_net ecs_plane__no_net;

static inline const ecs_task_net *ecs_task__net(const ecs_task *t)
{
    return t->net != NULL ? t->net : &ecs_plane__no_net;
}

/* A capacity provider (account-wide) and a strategy's items. FARGATE and
 * FARGATE_SPOT are built in and not in the plane's list. */
typedef struct ecs_capacity_provider {
    ecs_str name, arn, asg_arn;
    bool deleted;                 /* DeleteCapacityProvider: INACTIVE */
    bool managed_termination_protection;
    ecs_tags tags;
} ecs_capacity_provider;

typedef struct ecs_cp_item {
    ecs_str provider;             /* a name */
    uint32_t base, weight;
} ecs_cp_item;

#define ECS_MAX_STRATEGY_ITEMS 20u
#define ECS_MAX_CLUSTER_PROVIDERS 20u

/* A load balancer's target group as far as tasks care: how long a target
 * drains before its task may stop (default 300 s, as ELB's). */
typedef struct ecs_target_group {
    ecs_str arn;
    uint32_t deregistration_delay_s;
} ecs_target_group;

/* A CloudWatch alarm's state as the host sets it. */
typedef struct ecs_alarm {
    ecs_str name;
    bool in_alarm;
    int64_t changed_ms;           /* when it last entered its state */
} ecs_alarm;

#define ECS_DEFAULT_DEREGISTRATION_DELAY_S 300u

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

/* Service events: newest first on the wire, kept oldest first here. */
#define ECS_SERVICE_MAX_EVENTS 100u
typedef struct ecs_event {
    ecs_str id, message;
    int64_t at_ms;
} ecs_event;

typedef enum ecs_dep_status { ECS_DEP_PRIMARY = 0, ECS_DEP_ACTIVE, ECS_DEP_INACTIVE } ecs_dep_status;
typedef enum ecs_rollout { ECS_ROLLOUT_IN_PROGRESS = 0, ECS_ROLLOUT_COMPLETED, ECS_ROLLOUT_FAILED } ecs_rollout;

typedef struct ecs_deployment {
    uint32_t seq;                 /* 1, 2, ... within the service */
    ecs_str id;                   /* "ecs-svc/" and 19 digits */
    struct ecs_family *family;
    struct ecs_revision *rev;     /* holds a reference */
    ecs_dep_status status;
    ecs_rollout rollout;
    int64_t created_ms, updated_ms;
    uint32_t failed_tasks;
    bool any_running;             /* a task of it reached RUNNING (breaker stage 2) */
    bool failed_by_alarm;         /* FAILED because an alarm went into ALARM */
} ecs_deployment;

typedef enum ecs_service_status { ECS_SVC_ACTIVE = 0, ECS_SVC_DRAINING, ECS_SVC_INACTIVE } ecs_service_status;

typedef struct ecs_svc_strategy {
    ecs_place_strategy_type type;
    ecs_str field;                /* as given ("attribute:...", "instanceId", "cpu") */
} ecs_svc_strategy;

/* A service's loadBalancers entry. */
typedef struct ecs_svc_lb {
    ecs_str target_group_arn, load_balancer_name, container_name;
    uint32_t container_port;
} ecs_svc_lb;

typedef struct ecs_service {
    ecs_str name, arn;
    uint64_t fingerprint;         /* of the CreateService request, for idempotency */
    ecs_svc_lb *lbs;
    size_t nlbs;
    struct ecs_cluster *cluster;
    ecs_service_status status;
    bool daemon;
    ecs_launch_type launch_type;
    uint32_t desired;
    uint32_t min_pct, max_pct;
    bool breaker_enable, breaker_rollback;
    bool breaker_cumulative;      /* resetOnHealthyTask false */
    uint8_t breaker_kind;         /* thresholdConfiguration.type: 0 default (BOUNDED_PERCENT 50),
                                     1 BOUNDED_PERCENT, 2 UNBOUNDED_PERCENT, 3 COUNT */
    uint32_t breaker_value;       /* thresholdConfiguration.value */
    ecs_str *alarm_names;         /* deploymentConfiguration.alarms */
    size_t nalarm_names;
    bool alarms_enable, alarms_rollback;
    struct ecs_family *completed_family; /* the last COMPLETED deployment's */
    struct ecs_revision *completed_rev;  /* revision (a reference), for rollback */
    ecs_str completed_id;
    bool spread_new_only;         /* extension: spread counts the new revision only */
    ecs_cp_item *strategy;        /* capacityProviderStrategy (none: launch type) */
    size_t nstrategy;
    uint32_t grace_s;             /* healthCheckGracePeriodSeconds */
    ecs_str *member_of;           /* placementConstraints memberOf expressions */
    size_t nmember_of;
    bool distinct;
    ecs_svc_strategy *strategies;
    size_t nstrategies;
    bool strategies_given;        /* placementStrategy given (else the default) */
    ecs_str *subnets, *security_groups; /* awsvpcConfiguration */
    size_t nsubnets, nsecurity_groups;
    bool public_ip, has_network;
    bool enable_execute_command, managed_tags;
    ecs_str propagate_tags;       /* "" = NONE */
    ecs_str client_token;
    ecs_tags tags;
    int64_t created_ms;
    ecs_deployment **deps;        /* deps[0] is PRIMARY; older after it */
    size_t ndeps, deps_cap;
    uint32_t next_dep_seq;
    ecs_event *events;            /* oldest first, at most ECS_SERVICE_MAX_EVENTS */
    size_t nevents, events_cap;
    struct ecs_task **tasks;      /* live tasks (lastStatus not STOPPED), creation order */
    size_t ntasks, tasks_cap;
    /* throttle (spec 4.6) */
    uint32_t start_failures;      /* consecutive tasks that stopped before RUNNING */
    int64_t next_launch_ms;       /* no launch before this time */
    int64_t steady_event_ms;      /* last "reached a steady state"; 0 when not steady */
    uint32_t place_fail_kind;     /* last placement failure reported (dedupe) */
    int64_t place_fail_ms;
    int64_t inactive_ms;          /* became INACTIVE (for purging) */
} ecs_service;

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
    ecs_service **services;       /* creation order, INACTIVE ones until purged */
    size_t nservices, services_cap;
 uint32_t pending_orders;      /* tasks with orders not yet handed out */
    bool clean;                   /* nothing changed since the step settled it */
    uint64_t changes;             /* bumped by every task change (not state: only
                                     compared within one settle) */
    int64_t wake_ms;              /* when clean: the next instant something falls due */
    ecs_str *cps;                 /* associated capacity providers (names) */
    size_t ncps;
    ecs_cp_item *default_strategy;
    size_t ndefault_strategy;
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
    ecs_capacity_provider **providers; /* CreateCapacityProvider, creation order */
    size_t nproviders, providers_cap;
    struct ecs_target_group *target_groups; /* ModifyTargetGroupAttributes (extension) */
    size_t ntarget_groups, target_groups_cap;
    struct ecs_alarm *alarms;     /* SetAlarmState (extension) */
    size_t nalarms, alarms_cap;
    ecs_subnet *subnets;          /* RegisterSubnets (a libecs extension) */
    size_t nsubnets, subnets_cap;
    ecs_str *zones;               /* zone names tasks share (ecs_plane__task_set_az) */
    size_t nzones, zones_cap;
    uint32_t fargate_limit;       /* live Fargate tasks per cluster; 0: unlimited */
    ecs_json_writer *w;           /* responses */
    ecs_json_writer *dump_w;      /* ecs_plane_dump */
    const char *err_code;
    /* readers hand out C strings that need a home */
    char status_buf[32];
    /* ecs_plane_step's answer */
    struct ecs_plane_order *orders;
    size_t norders, orders_cap;
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
/* A task of cluster c by id or ARN (an ARN must match whole), or NULL. */
ecs_task *ecs_plane__task_by_ref(const ecs_cluster *c, const char *ref, size_t len);
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
/* Whether revision rev can run with launch type t (its compatibilities). */
bool ecs_plane__revision_supports(const ecs_revision *rev, ecs_launch_type t);
/* A zeroed task for revision rev in cluster c, in one block with its
 * container states (PENDING), nbindings zeroed bindings and the texts of
 * its id, ARN (made from the plane's region and account, c's name and id),
 * group and started_by (may be empty). NULL when out of memory. */
ecs_task *ecs_plane__task_new(const ecs_plane *pl, ecs_cluster *c, ecs_revision *rev,
                              const char *id, size_t id_len, const char *group, size_t group_len,
                              const char *by, size_t by_len, size_t nbindings);
void ecs_plane__task_free(ecs_ctx *ctx, ecs_task *t);
/* The network interfaces an instance gives awsvpc tasks (by its type). */
uint32_t ecs_plane__eni_slots(const ecs_instance *inst);
/* Set t's availability zone (empty: none). Zone names are few: the plane
 * keeps up to ECS_PLANE_SHARED_ZONES of them and tasks point at those;
 * past that a task owns a copy. ECS_E_NOMEM leaves t as it was. */
#define ECS_PLANE_SHARED_ZONES 64u
ecs_status ecs_plane__task_set_az(ecs_plane *pl, ecs_task *t, const char *az, size_t len);
/* Give t its network interface (replacing any it had); the texts are
 * copied. ECS_E_NOMEM leaves t as it was. */
ecs_status ecs_plane__task_set_net(ecs_ctx *ctx, ecs_task *t, const ecs_str *eni_id,
                                   const ecs_str *subnet_id, const ecs_str *private_ip,
                                   const ecs_str *public_ip, const ecs_str *mac);
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

/* ---- Launching tasks (lib/plane/launch.c) ------------------------------ */

#define ECS_LAUNCH_MAX_PORTS 100
#define ECS_LAUNCH_MAX_SUBNETS 16

/* Everything a launch needs, decoded: RunTask's request or a service's
 * settings. Strings borrow from the request or the service. */
typedef struct ecs_launch {
    ecs_cluster *c;
    ecs_family *family;
    ecs_revision *rev;
    ecs_launch_type lt;
    const char *group, *started_by;
    size_t group_len, started_by_len;
    char group_buf[300];
    uint32_t cpu, mem;
    ecs_place_port ports[ECS_LAUNCH_MAX_PORTS];
    ecs_binding bind_tmpl[ECS_LAUNCH_MAX_PORTS];
    size_t nports;
    ecs_place_strategy strategies[ECS_PLACE_MAX_STRATEGIES];
    size_t nstrategies;
    const char *member_of[ECS_PLACE_MAX_CONSTRAINTS];
    size_t member_of_len[ECS_PLACE_MAX_CONSTRAINTS];
    size_t nmember_of;
    bool distinct;
    bool awsvpc, public_ip;
    ecs_subnet *subnets[ECS_LAUNCH_MAX_SUBNETS];
    size_t nsubnets;
    const char *zones[ECS_LAUNCH_MAX_SUBNETS];
    size_t zone_lens[ECS_LAUNCH_MAX_SUBNETS];
    size_t nzones;
    ecs_service *svc;             /* service tasks: their service and deployment */
    uint32_t dep_seq;
    const ecs_json_val *overrides; /* RunTask's overrides, or NULL */
    const char *capacity_provider; /* the provider tasks go to, or NULL */
    const ecs_cp_item *cp;        /* RunTask's capacity provider strategy (or the cluster's) */
    size_t ncp;
    ecs_cp_item *cp_owned;        /* when decoded from the request: freed by the caller */
} ecs_launch;

/* The group a task is known by in the placement engine: its group, or,
 * for a service that spreads only its new revision's tasks during a
 * rollout (spread_new_only), its group and deployment ("service:web#2"),
 * so that spread counts each deployment's tasks apart. buf holds 320. */
const char *ecs_plane__engine_group(const ecs_service *svc, uint32_t dep_seq, const char *group,
                                    size_t group_len, char *buf, size_t *out_len);

/* Fill l->ports and l->bind_tmpl from the definition's port mappings. */
void ecs_plane__launch_ports(ecs_launch *l);
/* Fill l->zones from l->subnets. */
void ecs_plane__launch_zones(ecs_launch *l);
/* A new task of the launch, not yet in the cluster (lastStatus
 * PROVISIONING, desiredStatus RUNNING). ECS_OK or ECS_E_NOMEM. */
ecs_status ecs_plane__launch_new_task(ecs_plane *pl, const ecs_launch *l, ecs_task **out);
/* Give an awsvpc task its ENI in subnet sn (the caller saves and restores
 * the subnets' next_host if the launch is undone). */
ecs_status ecs_plane__launch_eni(ecs_plane *pl, ecs_task *t, ecs_subnet *sn, bool public_ip);
/* Place tasks made[0..n) on EC2/EXTERNAL instances through the engine;
 * made[i]->inst is set for each placed one. *result receives the engine's
 * outcomes (free with ecs_place_result_free); tasks placed are recorded in
 * the engine, so an undo must remove them. ECS_E_NOMEM, ECS_E_PARSE (a
 * memberOf expression), ECS_E_INVALID_ARG. */
ecs_status ecs_plane__launch_place_ec2(ecs_plane *pl, ecs_launch *l, ecs_task **made, size_t n,
                                       ecs_place_result **result);
/* Fargate: each task gets the zone with the fewest of the group's tasks
 * and an ENI in a subnet of it; placed[i] false when over the capacity. */
ecs_status ecs_plane__launch_place_fargate(ecs_plane *pl, ecs_launch *l, ecs_task **made, size_t n,
                                           bool *placed);
/* Room in the cluster (and service) for n more tasks, and on each placed
 * task's instance for its static ports, so that joining cannot fail. */
ecs_status ecs_plane__launch_reserve(ecs_plane *pl, ecs_cluster *c, ecs_service *svc,
                                     ecs_task *const *made, size_t n);

/* ---- Capacity providers (lib/plane/capacity.c) ------------------------ */

/* The attribute by which a container instance says which capacity
 * provider's Auto Scaling group it belongs to (given at registration). */
#define ECS_CP_ATTRIBUTE "ecs.capacity-provider"

void ecs_plane__provider_free(ecs_ctx *ctx, ecs_capacity_provider *p);
void ecs_plane__cp_items_free(ecs_ctx *ctx, ecs_cp_item *items, size_t n);
/* Free an array of n strings (NULL is fine). */
void ecs_plane__strs_free(ecs_ctx *ctx, ecs_str *v, size_t n);
/* A provider by name or ARN (not the built-in Fargate ones), or NULL. */
ecs_capacity_provider *ecs_plane__provider(const ecs_plane *pl, const char *ref, size_t len);
bool ecs_plane__provider_is_fargate(const char *name, size_t len);
/* The provider an instance belongs to ("" when none). */
const ecs_str *ecs_plane__instance_provider(const ecs_instance *inst);
ecs_status ecs_plane__write_provider(const ecs_plane *pl, ecs_json_writer *w, const char *name,
                                     size_t name_len, const ecs_capacity_provider *p);
ecs_status ecs_plane__write_strategy(ecs_json_writer *w, const ecs_cp_item *items, size_t n);

/* ---- Task lifecycle (lib/plane/lifecycle.c) ---------------------------- */

/* How long STOPPED tasks stay describable. */
#define ECS_TASK_RETENTION_MS (60 * 60 * 1000)
/* Tasks without a health check count as healthy after this long RUNNING. */
#define ECS_HEALTHY_AFTER_MS (40 * 1000)
/* The longest wait between launches of a throttled service (spec 4.6). */
#define ECS_THROTTLE_MAX_MS (27 * 60 * 1000)
/* Service events repeat, and steady-state events recur, after this long. */
#define ECS_SIX_HOURS_MS (6LL * 60 * 60 * 1000)

/* Add (sign +1) or remove (-1) a task from the cluster's and instance's
 * counts (and the cluster's count of tasks with orders), by its current
 * lastStatus, desiredStatus and orders. */
void ecs_plane__task_count(ecs_task *t, int sign);
/* A task joins its cluster (and service): counts, resources, engine. The
 * room in the cluster's arrays (and the service's) was reserved. */
void ecs_plane__task_join(ecs_plane *pl, ecs_task *t);
/* Move lastStatus forward to s (s > t->last), with timestamps, counts and,
 * at STOPPED, the return of the task's resources. Cannot fail. */
void ecs_plane__task_advance(ecs_plane *pl, ecs_task *t, ecs_task_status s);
/* desiredStatus to STOPPED (once), with the stop code and reason; the
 * host's agent gets a stop order. text (may be NULL) is taken over. */
void ecs_plane__task_stop(ecs_plane *pl, ecs_task *t, ecs_stop_code code, ecs_stop_why why,
                          ecs_str *text);
/* A DEACTIVATING task whose deregistration delay is over moves to
 * STOPPING, and its agent gets the stop order. */
void ecs_plane__task_drained(ecs_plane *pl, ecs_task *t);
/* A RUNNING task of a service behind load balancers gets its targets
 * registered (an order for the host). */
void ecs_plane__task_register_targets(ecs_plane *pl, ecs_task *t);
/* The longest deregistration delay of a service's target groups (s). */
uint32_t ecs_plane__deregistration_delay_s(const ecs_plane *pl, const ecs_service *s);
/* The task's health from its essential containers (UNKNOWN without checks). */
ecs_health ecs_plane__task_health(const ecs_task *t);
/* Whether a RUNNING task counts as healthy for the scheduler (spec 4.2). */
bool ecs_plane__task_counts_healthy(const ecs_plane *pl, const ecs_task *t);
/* Allocate the per-container states of a new task. */
/* Whether a task is under scale-in protection now. */
bool ecs_plane__task_protected(const ecs_plane *pl, const ecs_task *t);
const char *ecs_plane__stop_code_name(ecs_stop_code c);
const char *ecs_plane__health_name(ecs_health h);
/* The stoppedReason text (buf for composed ones). */
const char *ecs_plane__stop_reason(const ecs_task *t, char *buf, size_t size);

/* ---- Services (lib/plane/service.c, lib/plane/scheduler.c) ------------- */

void ecs_plane__service_free(ecs_ctx *ctx, ecs_service *s);
/* Frees d; the caller drops d->rev's reference (rev->refs) when the
 * deployment leaves a live service. */
void ecs_plane__deployment_free(ecs_ctx *ctx, ecs_deployment *d);
ecs_deployment *ecs_plane__deployment(const ecs_service *s, uint32_t seq);
/* A new PRIMARY deployment of rev with the service's next sequence number
 * (the caller puts it in, bumps next_dep_seq and takes rev's reference). */
ecs_status ecs_plane__deployment_new(ecs_plane *pl, const ecs_service *s, ecs_family *f,
                                     ecs_revision *rev, ecs_deployment **out);
ecs_service *ecs_plane__service_by_ref(const ecs_cluster *c, const char *ref, size_t len);
/* Append an event (the oldest is dropped beyond the limit). Allocation
 * failure drops the event (events are advisory). */
void ecs_plane__service_event(ecs_plane *pl, ecs_service *s, const char *fmt, ...) ECS_PRINTF(3, 4);
ecs_status ecs_plane__write_service(const ecs_plane *pl, ecs_json_writer *w, const ecs_service *s,
                                    uint32_t flags);
/* One pass of the service scheduler over a cluster (all services). */
ecs_status ecs_plane__schedule(ecs_plane *pl, ecs_cluster *c);
/* Counts of a service's tasks by lastStatus. */
void ecs_plane__service_counts(const ecs_service *s, const ecs_deployment *d, uint32_t *running,
                               uint32_t *pending);

#endif /* ECS_PLANE_INTERNAL_H */
