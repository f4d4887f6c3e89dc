/*
 * Capacity providers (spec 5) as the plane holds them. A provider stands
 * for an Auto Scaling group; libecs launches no EC2 instances, so the host
 * registers them: a container instance belongs to the provider named by
 * its attribute "ecs.capacity-provider" (given at registration). FARGATE
 * and FARGATE_SPOT are built in. Strategies are apportioned by
 * ecs_capacity_next() and scaled in by ecs_capacity_scale_in()
 * (ecs/deploy.h).
 */
#include <stdio.h>
#include <string.h>

#include "plane/plane_internal.h"

void ecs_plane__provider_free(ecs_ctx *ctx, ecs_capacity_provider *p)
{
    if (p == NULL)
        return;
    ecs_str__free(ctx, &p->name);
    ecs_str__free(ctx, &p->arn);
    ecs_str__free(ctx, &p->asg_arn);
    ecs_plane__tags_free(ctx, &p->tags);
    ecs_ctx__release(ctx, p, sizeof *p);
}

void ecs_plane__cp_items_free(ecs_ctx *ctx, ecs_cp_item *items, size_t n)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        ecs_str__free(ctx, &items[i].provider);
    ecs_ctx__release(ctx, items, n * sizeof *items);
}

ecs_capacity_provider *ecs_plane__provider(const ecs_plane *pl, const char *ref, size_t len)
{
    for (size_t i = 0; i < pl->nproviders; i++) {
        ecs_capacity_provider *p = pl->providers[i];
        if (ecs_str__eq(&p->name, ref, len) || ecs_str__eq(&p->arn, ref, len))
            return p;
    }
    return NULL;
}

bool ecs_plane__provider_is_fargate(const char *name, size_t len)
{
    return (len == 7 && memcmp(name, "FARGATE", 7) == 0) || (len == 12 && memcmp(name, "FARGATE_SPOT", 12) == 0);
}

const ecs_str *ecs_plane__instance_provider(const ecs_instance *inst)
{
    static const ecs_str none = { NULL, 0 };
    for (size_t i = 0; i < inst->nattrs; i++) {
        if (ecs_str__eq(&inst->attrs[i].name, ECS_CP_ATTRIBUTE, sizeof ECS_CP_ATTRIBUTE - 1))
            return &inst->attrs[i].value;
    }
    return &none;
}

#define KEY(w, lit) ecs_json_write_key((w), (lit), sizeof(lit) - 1)

ecs_status ecs_plane__write_provider(const ecs_plane *pl, ecs_json_writer *w, const char *name,
                                     size_t name_len, const ecs_capacity_provider *p)
{
    ecs_json_write_obj_begin(w);
    if (p != NULL) {
        KEY(w, "capacityProviderArn");
        ecs_json_write_str(w, p->arn.p, p->arn.len);
        KEY(w, "name");
        ecs_json_write_str(w, p->name.p, p->name.len);
        KEY(w, "status");
        ecs_json_write_str(w, p->deleted ? "INACTIVE" : "ACTIVE", p->deleted ? 8 : 6);
        KEY(w, "autoScalingGroupProvider");
        ecs_json_write_obj_begin(w);
        KEY(w, "autoScalingGroupArn");
        ecs_json_write_str(w, p->asg_arn.p, p->asg_arn.len);
        KEY(w, "managedTerminationProtection");
        ecs_json_write_str(w, p->managed_termination_protection ? "ENABLED" : "DISABLED",
                           p->managed_termination_protection ? 7 : 8);
        ecs_json_write_obj_end(w);
        if (p->tags.n > 0) {
            KEY(w, "tags");
            ecs_plane__write_tags(w, &p->tags);
        }
    } else {
        char arn[160];
        int k = snprintf(arn, sizeof arn, "arn:aws:ecs:%s:%s:capacity-provider/%.*s", ecs_str__c(&pl->region),
                         ecs_str__c(&pl->account), (int)name_len, name);
        KEY(w, "capacityProviderArn");
        ecs_json_write_str(w, arn, k > 0 && (size_t)k < sizeof arn ? (size_t)k : 0);
        KEY(w, "name");
        ecs_json_write_str(w, name, name_len);
        KEY(w, "status");
        ecs_json_write_str(w, "ACTIVE", 6);
    }
    return ecs_json_write_obj_end(w);
}

ecs_status ecs_plane__write_strategy(ecs_json_writer *w, const ecs_cp_item *items, size_t n)
{
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ecs_json_write_obj_begin(w);
        KEY(w, "capacityProvider");
        ecs_json_write_str(w, items[i].provider.p, items[i].provider.len);
        KEY(w, "weight");
        ecs_json_write_int(w, items[i].weight);
        KEY(w, "base");
        ecs_json_write_int(w, items[i].base);
        ecs_json_write_obj_end(w);
    }
    return ecs_json_write_arr_end(w);
}
