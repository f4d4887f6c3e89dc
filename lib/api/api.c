/*
 * ecs_plane_call(): the ECS API face of the plane. It parses the request,
 * holds it to the action's shape from the API model, runs the action's
 * handler, and turns the outcome into a response document or an error
 * document {"__type": CODE, "message": TEXT} as the AWS JSON 1.1 protocol
 * sends it.
 */
#include <stdio.h>
#include <string.h>

#include "api/req.h"
#include "api/shape.h"
#include "json/json_internal.h"

typedef struct action {
    const char *name;
    ecs_action_fn fn;
    bool reads_only; /* changes nothing: the step's settled clusters stay settled */
} action;

/* Sorted by name for binary search. */
static const action k_actions[] = {
    { "CreateCapacityProvider", ecs_act__create_capacity_provider, false },
    { "CreateCluster", ecs_act__create_cluster, false },
    { "CreateService", ecs_act__create_service, false },
    { "DeleteAttributes", ecs_act__delete_attributes, false },
    { "DeleteCapacityProvider", ecs_act__delete_capacity_provider, false },
    { "DeleteCluster", ecs_act__delete_cluster, false },
    { "DeleteService", ecs_act__delete_service, false },
    { "DeleteTaskDefinitions", ecs_act__delete_task_definitions, false },
    { "DeregisterContainerInstance", ecs_act__deregister_container_instance, false },
    { "DeregisterTaskDefinition", ecs_act__deregister_task_definition, false },
    { "DescribeCapacityProviders", ecs_act__describe_capacity_providers, true },
    { "DescribeClusters", ecs_act__describe_clusters, true },
    { "DescribeContainerInstances", ecs_act__describe_container_instances, true },
    { "DescribeServices", ecs_act__describe_services, true },
    { "DescribeTaskDefinition", ecs_act__describe_task_definition, true },
    { "DescribeTasks", ecs_act__describe_tasks, true },
    { "GetTaskProtection", ecs_act__get_task_protection, true },
    { "ListAttributes", ecs_act__list_attributes, true },
    { "ListClusters", ecs_act__list_clusters, true },
    { "ListContainerInstances", ecs_act__list_container_instances, true },
    { "ListServices", ecs_act__list_services, true },
    { "ListTaskDefinitionFamilies", ecs_act__list_task_definition_families, true },
    { "ListTaskDefinitions", ecs_act__list_task_definitions, true },
    { "ListTasks", ecs_act__list_tasks, true },
    { "ModifyTargetGroupAttributes", ecs_act__modify_target_group_attributes, false },
    { "PreviewDeployment", ecs_act__preview_deployment, true },
    { "PutAttributes", ecs_act__put_attributes, false },
    { "PutClusterCapacityProviders", ecs_act__put_cluster_capacity_providers, false },
    { "RegisterContainerInstance", ecs_act__register_container_instance, false },
    { "RegisterSubnets", ecs_act__register_subnets, false },
    { "RegisterTaskDefinition", ecs_act__register_task_definition, false },
    { "RunTask", ecs_act__run_task, false },
    { "SetAlarmState", ecs_act__set_alarm_state, false },
    { "SetFargateCapacity", ecs_act__set_fargate_capacity, false },
    { "StartTask", ecs_act__start_task, false },
    { "StopTask", ecs_act__stop_task, false },
    { "SubmitContainerHealth", ecs_act__submit_container_health, false },
    { "SubmitContainerStateChange", ecs_act__submit_container_state_change, false },
    { "SubmitTargetHealth", ecs_act__submit_target_health, false },
    { "SubmitTaskStateChange", ecs_act__submit_task_state_change, false },
    { "UpdateContainerInstancesState", ecs_act__update_container_instances_state, false },
    { "UpdateService", ecs_act__update_service, false },
    { "UpdateServiceOptions", ecs_act__update_service_options, false },
    { "UpdateTaskProtection", ecs_act__update_task_protection, false },
};

static const action *find_action(const char *name, size_t len)
{
    size_t lo = 0, hi = sizeof k_actions / sizeof k_actions[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = k_actions[mid].name;
        size_t ml = strlen(m);
        int c = memcmp(m, name, ml < len ? ml : len);
        if (c == 0)
            c = ml < len ? -1 : (ml > len ? 1 : 0);
        if (c == 0)
            return &k_actions[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool printable_name(const char *s, size_t len)
{
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    }
    return true;
}

static ecs_status run(ecs_plane *pl, const char *name, size_t name_len, const char *request,
                      size_t request_len, ecs_api_error *err)
{
    const action *act;
    ecs_json_doc *doc = NULL, *stripped = NULL;
    const ecs_json_val *root;
    ecs_req r;
    ecs_rng saved_rng;
    ecs_status rc;
    int shape;

    if (!printable_name(name, name_len))
        return ecs_api__fail(err, ECS_E_INVALID_ARG, ECS_ERR_UNKNOWN_OPERATION,
                             "Unknown operation: action names are 1 to 64 letters and digits.");
    act = find_action(name, name_len);
    shape = ecs_shape__action_input(name, name_len);
    if (act == NULL)
        return ecs_api__fail(err, ECS_E_INVALID_ARG, ECS_ERR_UNKNOWN_OPERATION,
                             shape >= 0 ? "%.*s is an ECS action that libecs does not serve yet."
                                        : "%.*s is not an ECS action.",
                             (int)name_len, name);
    if (request == NULL || request_len == 0) {
        request = "{}";
        request_len = 2;
    }
    rc = ecs_json_parse(pl->ctx, request, request_len, NULL, &doc);
    if (rc == ECS_E_NOMEM)
        return ecs_api__fail(err, rc, ECS_ERR_SERVER, "%s", ecs_ctx_errmsg(pl->ctx));
    if (rc != ECS_OK)
        return ecs_api__fail(err, ECS_E_PARSE, ECS_ERR_SERIALIZATION, "request is not valid JSON: %s",
                             ecs_ctx_errmsg(pl->ctx));
    root = ecs_json_root(doc);
    if (ecs_json_type_of(root) != ECS_JSON_OBJECT) {
        rc = ecs_api__fail(err, ECS_E_PARSE, ECS_ERR_SERIALIZATION,
                           "the request must be a JSON object, not %s",
                           ecs_json_type_name(ecs_json_type_of(root)));
        goto done;
    }
    if ((pl->flags & ECS_PLANE_F_LENIENT_TASKDEF) && act->fn == ecs_act__register_task_definition) {
        rc = ecs_taskdef__strip_readonly(pl->ctx, doc, root, &stripped);
        if (rc != ECS_OK) {
            rc = ecs_api__fail(err, rc, rc == ECS_E_NOMEM ? ECS_ERR_SERVER : ECS_ERR_INVALID_PARAMETER,
                               "%s", ecs_ctx_errmsg(pl->ctx));
            goto done;
        }
        ecs_json_doc_free(doc);
        doc = stripped;
        root = ecs_json_root(doc);
    }
    /* extension actions have no API-model shape and check their own */
    if (shape >= 0 && (rc = ecs_shape__check(err, doc, root, shape)) != ECS_OK)
        goto done;
    r.pl = pl;
    r.ctx = pl->ctx;
    r.doc = doc;
    r.root = root;
    r.w = pl->w;
    r.err = err;
    ecs_json_writer_reset(pl->w);
    saved_rng = pl->rng;
    rc = act->fn(&r);
    if (rc != ECS_OK)
        pl->rng = saved_rng; /* a failed call draws nothing: later ids stay the same */
    else if (!act->reads_only)
        for (size_t i = 0; i < pl->nclusters; i++)
            pl->clusters[i]->clean = false; /* the next step looks at every cluster again */
    if (rc == ECS_OK && ecs_json_writer_result(pl->w, &(const char *){ NULL }, NULL) != ECS_OK)
        rc = ecs_api__fail(err, ECS_E_INTERNAL, ECS_ERR_SERVER, "response incomplete: %s",
                           ecs_ctx_errmsg(pl->ctx));
done:
    ecs_json_doc_free(doc);
    return rc;
}

/* Messages quote the request, cut at a length: a cut may split a UTF-8
 * sequence, which the JSON writer would rightly refuse. */
static void make_utf8(char *msg)
{
    size_t n = strlen(msg), i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)msg[i];
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        }
        k = ecs_json__utf8_seq((const unsigned char *)msg + i, n - i);
        if (k == 0) {
            msg[i] = '?';
            k = 1;
        }
        i += k;
    }
}

ecs_status ecs_plane_call(ecs_plane *pl, const char *action_name, size_t action_len,
                          const char *request, size_t request_len, const char **out,
                          size_t *out_len)
{
    ecs_api_error err;
    ecs_status rc;
    const char *text = NULL;
    size_t len = 0;

    if (pl == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || (action_name == NULL && action_len != 0) ||
        (request == NULL && request_len != 0))
        return ecs_ctx__fail(pl->ctx, ECS_E_INVALID_ARG, "ecs_plane_call: %s",
                             out == NULL ? "out is NULL" : "NULL buffer with a length");
    err.code = "";
    err.message[0] = '\0';
    pl->err_code = "";
    ecs_ctx_clear_error(pl->ctx);
    rc = run(pl, action_name != NULL ? action_name : "", action_len, request, request_len, &err);
    if (rc == ECS_OK) {
        (void)ecs_json_writer_result(pl->w, &text, &len);
        *out = text;
        if (out_len != NULL)
            *out_len = len;
        return ECS_OK;
    }
    if (err.code == NULL || err.code[0] == '\0') {
        err.code = ECS_ERR_SERVER;
        if (err.message[0] == '\0')
            snprintf(err.message, sizeof err.message, "%s", ecs_ctx_errmsg(pl->ctx));
    }
    pl->err_code = err.code;
    make_utf8(err.message);
    ecs_json_writer_reset(pl->w);
    ecs_json_write_obj_begin(pl->w);
    ecs_json_write_key(pl->w, "__type", 6);
    ecs_json_write_str(pl->w, err.code, strlen(err.code));
    ecs_json_write_key(pl->w, "message", 7);
    ecs_json_write_str(pl->w, err.message, strlen(err.message));
    ecs_json_write_obj_end(pl->w);
    if (ecs_json_writer_result(pl->w, &text, &len) == ECS_OK) {
        *out = text;
        if (out_len != NULL)
            *out_len = len;
    } else {
        *out = NULL;
        if (out_len != NULL)
            *out_len = 0;
    }
    /* the context's message is the ECS message, for hosts that read it */
    ecs_ctx__fail(pl->ctx, rc, "%s", err.message);
    return rc;
}
