/*
 * What every action handler works with: the plane, the request (already
 * accepted by the shape check, so member types are right), the response
 * writer and the error to fill; and helpers for the members and idioms that
 * recur across actions (the cluster reference, pagination).
 */
#ifndef ECS_API_REQ_H
#define ECS_API_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "util/api_error.h"
#include "plane/plane_internal.h"

typedef struct ecs_req {
    ecs_plane *pl;
    ecs_ctx *ctx;
    const ecs_json_doc *doc;
    const ecs_json_val *root;
    ecs_json_writer *w;
    ecs_api_error *err;
} ecs_req;

typedef ecs_status (*ecs_action_fn)(ecs_req *r);

/* A member of obj (NULL when absent). */
const ecs_json_val *ecs_req__member(const ecs_req *r, const ecs_json_val *obj, const char *key);
/* A string member (NULL when absent; *len set when present). */
const char *ecs_req__str(const ecs_req *r, const ecs_json_val *obj, const char *key, size_t *len);
/* A boolean member, or dflt when absent. */
bool ecs_req__bool(const ecs_req *r, const ecs_json_val *obj, const char *key, bool dflt);

/* Resolve the request's `cluster` member ("default" when absent) to an
 * ACTIVE cluster, or fail with ClusterNotFoundException. */
ecs_status ecs_req__cluster(ecs_req *r, ecs_cluster **out);

/* Pagination: maxResults (1..100, default dflt) and nextToken (decoded to
 * the key after which the page starts; *key_len 0 and *has_key false when
 * absent). keybuf must hold ECS_TOKEN_KEY_MAX bytes. */
#define ECS_TOKEN_KEY_MAX 600
ecs_status ecs_req__page(ecs_req *r, size_t dflt, size_t *max_results, char *keybuf,
                         size_t *key_len, bool *has_key);
/* Write "nextToken": <token for key> into the open response object. */
void ecs_req__write_token(ecs_req *r, const char *key, size_t key_len);

/* A name of 1 to 255 letters, digits, hyphens and underscores (clusters,
 * services, capacity providers). */
bool ecs_req__valid_name(const char *s, size_t n);
/* ECS_WRITE_TAGS when the request's `include` list asks for TAGS. */
uint32_t ecs_req__include_tags(const ecs_req *r);
/* Write one failures[] entry {"arn"?, "reason", "detail"?} (arn NULL and
 * detail NULL or "" are left out). */
void ecs_req__write_failure(ecs_req *r, const char *arn, size_t arn_len, const char *reason,
                            const char *detail);
/* The request's `service` in its `cluster`; with active, a service that is
 * not ACTIVE is ServiceNotActiveException. ServiceNotFoundException. */
ecs_status ecs_req__service(ecs_req *r, bool active, ecs_cluster **c, ecs_service **s);

/* Fail with ServerException for an allocation the context reported. */
ecs_status ecs_req__nomem(ecs_req *r);

/* Handlers, one per action (lib/api/act_*.c). */
ecs_status ecs_act__create_cluster(ecs_req *r);
ecs_status ecs_act__describe_clusters(ecs_req *r);
ecs_status ecs_act__list_clusters(ecs_req *r);
ecs_status ecs_act__delete_cluster(ecs_req *r);
ecs_status ecs_act__register_container_instance(ecs_req *r);
ecs_status ecs_act__deregister_container_instance(ecs_req *r);
ecs_status ecs_act__describe_container_instances(ecs_req *r);
ecs_status ecs_act__list_container_instances(ecs_req *r);
ecs_status ecs_act__update_container_instances_state(ecs_req *r);
ecs_status ecs_act__put_attributes(ecs_req *r);
ecs_status ecs_act__delete_attributes(ecs_req *r);
ecs_status ecs_act__list_attributes(ecs_req *r);
ecs_status ecs_act__register_task_definition(ecs_req *r);
ecs_status ecs_act__describe_task_definition(ecs_req *r);
ecs_status ecs_act__deregister_task_definition(ecs_req *r);
ecs_status ecs_act__delete_task_definitions(ecs_req *r);
ecs_status ecs_act__list_task_definitions(ecs_req *r);
ecs_status ecs_act__list_task_definition_families(ecs_req *r);
ecs_status ecs_act__run_task(ecs_req *r);
ecs_status ecs_act__start_task(ecs_req *r);
ecs_status ecs_act__describe_tasks(ecs_req *r);
ecs_status ecs_act__list_tasks(ecs_req *r);
ecs_status ecs_act__create_service(ecs_req *r);
ecs_status ecs_act__update_service(ecs_req *r);
ecs_status ecs_act__delete_service(ecs_req *r);
ecs_status ecs_act__describe_services(ecs_req *r);
ecs_status ecs_act__list_services(ecs_req *r);
ecs_status ecs_act__submit_task_state_change(ecs_req *r);
ecs_status ecs_act__submit_container_state_change(ecs_req *r);
ecs_status ecs_act__stop_task(ecs_req *r);
ecs_status ecs_act__update_task_protection(ecs_req *r);
ecs_status ecs_act__get_task_protection(ecs_req *r);
ecs_status ecs_act__create_capacity_provider(ecs_req *r);
ecs_status ecs_act__describe_capacity_providers(ecs_req *r);
ecs_status ecs_act__delete_capacity_provider(ecs_req *r);
ecs_status ecs_act__put_cluster_capacity_providers(ecs_req *r);
/* libecs extensions (not ECS actions; no API-model shape) */
ecs_status ecs_act__submit_container_health(ecs_req *r);
ecs_status ecs_act__submit_target_health(ecs_req *r);
ecs_status ecs_act__modify_target_group_attributes(ecs_req *r);
ecs_status ecs_act__set_alarm_state(ecs_req *r);
ecs_status ecs_act__update_service_options(ecs_req *r);
ecs_status ecs_act__preview_deployment(ecs_req *r);
ecs_status ecs_act__register_subnets(ecs_req *r);
ecs_status ecs_act__set_fargate_capacity(ecs_req *r);

/* Shared by handlers: decode a tags list (key 1..128, value 0..256, at most
 * 50, no "aws:" prefix) into *out (untouched on failure). */
ecs_status ecs_req__tags(ecs_req *r, const ecs_json_val *list, const char *path, ecs_tags *out);

/* Check an attribute's name (1..128 of letters, digits, '-', '_', '/', '\\',
 * '.') and value (absent, or 1..128 of letters, digits, '-', '_', '.', '@',
 * '/', '\\', ':' and inner spaces). path names the attribute in messages. */
ecs_status ecs_req__attr_check(ecs_req *r, const char *path, const char *name, size_t nl,
                               const char *value, size_t vl, bool has_value);

/* Decode a placementStrategy list (at most ECS_PLACE_MAX_STRATEGIES) into
 * out[0..*n); attribute names borrow from the request. */
ecs_status ecs_req__strategies(ecs_req *r, const ecs_json_val *list, ecs_place_strategy *out,
                               size_t *n);
/* Decode a placementConstraints list: memberOf expressions are appended to
 * exprs/lens (*n counts them; from_taskdef are there already and count
 * against the limit of ECS_PLACE_MAX_CONSTRAINTS), distinctInstance sets
 * *distinct. Expressions borrow from the request. */
ecs_status ecs_req__constraints(ecs_req *r, const ecs_json_val *list, size_t from_taskdef,
                                const char **exprs, size_t *lens, size_t *n, bool *distinct);
/* A fingerprint of the request's members other than clientToken (FNV-1a
 * over their canonical JSON), for idempotency checks. */
ecs_status ecs_req__fingerprint(ecs_req *r, uint64_t *out);

/* Decode a capacityProviderStrategy list (path names it in messages) into
 * *out (NULL and 0 for an empty or absent list). allowed: the providers the
 * strategy may name (the cluster's), or NULL for any existing one. */
ecs_status ecs_req__cp_strategy(ecs_req *r, const ecs_json_val *list, const char *path,
                                const ecs_str *allowed, size_t nallowed, ecs_cp_item **out, size_t *nout);
/* The request's capacityProviders and defaultCapacityProviderStrategy into
 * cluster c; the old values are handed back (to free, or to restore). */
ecs_status ecs_req__cluster_providers(ecs_req *r, ecs_cluster *c, ecs_str **old_cps, size_t *old_ncps,
                                      ecs_cp_item **old_items, size_t *old_nitems);

#endif /* ECS_API_REQ_H */
