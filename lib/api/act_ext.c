/*
 * libecs extension actions, outside the ECS API (ecs-sim and hosts use them
 * to tell the plane what ECS would learn from EC2):
 *
 *   RegisterSubnets {"subnets": [{"subnetId": "subnet-a",
 *                                 "availabilityZone": "us-east-1a"}, ...]}
 *     declares subnets and their zones (awsvpc tasks need them); declaring
 *     a known subnet again moves it to the zone given. Answer: {"subnets":
 *     [...]} with every subnet known.
 *   SetFargateCapacity {"maxTasks": N}
 *     limits live Fargate tasks per cluster (0: unlimited, the default).
 *
 * Their requests are checked here, member by member, as the shape check
 * does for ECS actions: unknown members, wrong types and nulls are refused.
 */
#include <stdio.h>
#include <string.h>

#include "api/req.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)

static ecs_status only_members(ecs_req *r, const ecs_json_val *obj, const char *where,
                               const char *const *names, size_t n)
{
    for (const ecs_json_val *k = ecs_json_first(obj); k != NULL; k = ecs_json_next(obj, ecs_json_next(obj, k))) {
        size_t kl = 0;
        const char *key = ecs_json_str(r->doc, k, &kl);
        bool ok = false;
        for (size_t i = 0; i < n; i++)
            ok |= strlen(names[i]) == kl && memcmp(names[i], key, kl) == 0;
        if (!ok)
            return FAIL_IP(r, "Unknown parameter in %s: \"%.*s\".", where, (int)(kl > 64 ? 64 : kl), key);
        if (ecs_json_type_of(ecs_json_next(obj, k)) == ECS_JSON_NULL)
            return FAIL_IP(r, "%s%s%.*s: null is not a value; leave the member out.", where,
                           where[0] ? "." : "", (int)(kl > 64 ? 64 : kl), key);
    }
    return ECS_OK;
}

static bool subnet_token(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

ecs_status ecs_act__register_subnets(ecs_req *r)
{
    static const char *const top[] = { "subnets" };
    static const char *const item[] = { "subnetId", "availabilityZone" };
    const ecs_json_val *list = ecs_req__member(r, r->root, "subnets");
    ecs_plane *pl = r->pl;
    size_t i = 0, added = 0;
    ecs_status rc;

    if ((rc = only_members(r, r->root, "", top, 1)) != ECS_OK)
        return rc;
    if (ecs_json_type_of(list) != ECS_JSON_ARRAY || ecs_json_len(list) == 0 || ecs_json_len(list) > 100)
        return FAIL_IP(r, "subnets: a list of 1 to 100 {subnetId, availabilityZone}.");
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t il = 0, zl = 0;
        const char *id = ecs_req__str(r, s, "subnetId", &il);
        const char *az = ecs_req__str(r, s, "availabilityZone", &zl);
        char where[32];
        snprintf(where, sizeof where, "subnets[%zu]", i);
        if (ecs_json_type_of(s) != ECS_JSON_OBJECT)
            return ecs_api__fail(r->err, ECS_E_PARSE, ECS_ERR_SERIALIZATION, "%s: expected an object.", where);
        if ((rc = only_members(r, s, where, item, 2)) != ECS_OK)
            return rc;
        if (id == NULL || !subnet_token(id, il))
            return FAIL_IP(r, "%s.subnetId: a subnet id such as subnet-0a1b2c3d.", where);
        if (az == NULL || !subnet_token(az, zl))
            return FAIL_IP(r, "%s.availabilityZone: a zone name such as us-east-1a.", where);
        if (ecs_plane__subnet(pl, id, il) == NULL)
            added++;
    }
    /* allocate everything first, then apply */
    {
        ecs_str ids[100], azs[100];
        size_t n = 0;
        memset(ids, 0, sizeof ids);
        memset(azs, 0, sizeof azs);
        if (ecs_vec__reserve(r->ctx, (void **)&pl->subnets, &pl->subnets_cap, sizeof(ecs_subnet),
                             pl->nsubnets + added) != ECS_OK)
            return ecs_req__nomem(r);
        for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), n++) {
            size_t il = 0, zl = 0;
            const char *id = ecs_req__str(r, s, "subnetId", &il);
            const char *az = ecs_req__str(r, s, "availabilityZone", &zl);
            if (ecs_str__dup(r->ctx, &ids[n], id, il) != ECS_OK ||
                ecs_str__dup(r->ctx, &azs[n], az, zl) != ECS_OK) {
                for (size_t k = 0; k <= n; k++) {
                    ecs_str__free(r->ctx, &ids[k]);
                    ecs_str__free(r->ctx, &azs[k]);
                }
                return ecs_req__nomem(r);
            }
        }
        /* the answer first: it lists the subnets as they will be */
        ecs_json_write_obj_begin(r->w);
        ecs_json_write_key(r->w, "subnets", 7);
        ecs_json_write_arr_begin(r->w);
        for (size_t k = 0; k < pl->nsubnets; k++) {
            const ecs_str *zone = &pl->subnets[k].az;
            for (size_t j = 0; j < n; j++) {
                if (ecs_str__cmp(&ids[j], &pl->subnets[k].id) == 0)
                    zone = &azs[j];
            }
            ecs_json_write_obj_begin(r->w);
            ecs_json_write_key(r->w, "subnetId", 8);
            ecs_json_write_str(r->w, ecs_str__c(&pl->subnets[k].id), pl->subnets[k].id.len);
            ecs_json_write_key(r->w, "availabilityZone", 16);
            ecs_json_write_str(r->w, ecs_str__c(zone), zone->len);
            ecs_json_write_obj_end(r->w);
        }
        for (size_t j = 0; j < n; j++) {
            bool known = ecs_plane__subnet(pl, ids[j].p, ids[j].len) != NULL, earlier = false;
            for (size_t k = 0; k < j; k++)
                earlier |= ecs_str__cmp(&ids[k], &ids[j]) == 0;
            if (known || earlier)
                continue;
            ecs_json_write_obj_begin(r->w);
            ecs_json_write_key(r->w, "subnetId", 8);
            ecs_json_write_str(r->w, ids[j].p, ids[j].len);
            ecs_json_write_key(r->w, "availabilityZone", 16);
            ecs_json_write_str(r->w, azs[j].p, azs[j].len);
            ecs_json_write_obj_end(r->w);
        }
        ecs_json_write_arr_end(r->w);
        if (ecs_json_write_obj_end(r->w) != ECS_OK) {
            for (size_t k = 0; k < n; k++) {
                ecs_str__free(r->ctx, &ids[k]);
                ecs_str__free(r->ctx, &azs[k]);
            }
            return ecs_req__nomem(r);
        }
        for (size_t j = 0; j < n; j++) {
            ecs_subnet *sn = ecs_plane__subnet(pl, ids[j].p, ids[j].len);
            if (sn != NULL) {
                ecs_str__free(r->ctx, &sn->az);
                sn->az = azs[j];
                ecs_str__free(r->ctx, &ids[j]);
            } else {
                sn = &pl->subnets[pl->nsubnets++];
                memset(sn, 0, sizeof *sn);
                sn->id = ids[j];
                sn->az = azs[j];
            }
        }
    }
    return ECS_OK;
}

ecs_status ecs_act__set_fargate_capacity(ecs_req *r)
{
    static const char *const top[] = { "maxTasks" };
    const ecs_json_val *v = ecs_req__member(r, r->root, "maxTasks");
    int64_t n = 0;
    ecs_status rc;
    if ((rc = only_members(r, r->root, "", top, 1)) != ECS_OK)
        return rc;
    if (v == NULL || ecs_json_get_int(v, &n) != ECS_OK || n < 0 || n > 100000000)
        return FAIL_IP(r, "maxTasks: a whole number of tasks from 0 (unlimited) to 100000000.");
    ecs_json_write_obj_begin(r->w);
    ecs_json_write_key(r->w, "maxTasks", 8);
    ecs_json_write_int(r->w, n);
    if (ecs_json_write_obj_end(r->w) != ECS_OK)
        return ecs_req__nomem(r);
    r->pl->fargate_limit = (uint32_t)n;
    return ECS_OK;
}
