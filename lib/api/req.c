/* Request helpers shared by the action handlers. */
#include <stdio.h>
#include <string.h>

#include "api/req.h"

#define FAIL_IP(r, ...) ecs_api__fail((r)->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, __VA_ARGS__)

const ecs_json_val *ecs_req__member(const ecs_req *r, const ecs_json_val *obj, const char *key)
{
    return ecs_json_obj_get(r->doc, obj, key, strlen(key));
}

const char *ecs_req__str(const ecs_req *r, const ecs_json_val *obj, const char *key, size_t *len)
{
    const ecs_json_val *v = ecs_req__member(r, obj, key);
    size_t n = 0;
    const char *s = ecs_json_str(r->doc, v, &n);
    if (s != NULL && len != NULL)
        *len = n;
    return s;
}

bool ecs_req__bool(const ecs_req *r, const ecs_json_val *obj, const char *key, bool dflt)
{
    const ecs_json_val *v = ecs_req__member(r, obj, key);
    ecs_json_type t = ecs_json_type_of(v);
    if (v == NULL || (t != ECS_JSON_TRUE && t != ECS_JSON_FALSE))
        return dflt;
    return t == ECS_JSON_TRUE;
}

ecs_status ecs_req__cluster(ecs_req *r, ecs_cluster **out)
{
    size_t len = 0;
    const char *ref = ecs_req__str(r, r->root, "cluster", &len);
    ecs_cluster *c;
    if (ref == NULL) {
        ref = "default";
        len = 7;
    }
    c = ecs_plane__cluster_by_ref(r->pl, ref, len);
    if (c == NULL || !c->active)
        return ecs_api__fail(r->err, ECS_E_NOT_FOUND, "ClusterNotFoundException",
                             "Cluster not found: '%.*s'.", (int)(len > 300 ? 300 : len), ref);
    *out = c;
    return ECS_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

ecs_status ecs_req__page(ecs_req *r, size_t dflt, size_t *max_results, char *keybuf,
                         size_t *key_len, bool *has_key)
{
    const ecs_json_val *mr = ecs_req__member(r, r->root, "maxResults");
    size_t tlen = 0;
    const char *tok = ecs_req__str(r, r->root, "nextToken", &tlen);
    *max_results = dflt;
    *has_key = false;
    *key_len = 0;
    if (mr != NULL) {
        int64_t v = 0;
        if (ecs_json_get_int(mr, &v) != ECS_OK || v < 1 || v > 100)
            return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                                 "maxResults must be between 1 and 100.");
        *max_results = (size_t)v;
    }
    if (tok != NULL) {
        /* "t1." followed by the key in lower-case hex */
        size_t n;
        if (tlen < 3 || memcmp(tok, "t1.", 3) != 0 || (tlen - 3) % 2 != 0 ||
            (tlen - 3) / 2 > ECS_TOKEN_KEY_MAX)
            goto bad;
        n = (tlen - 3) / 2;
        for (size_t i = 0; i < n; i++) {
            int hi = hexval(tok[3 + 2 * i]), lo = hexval(tok[4 + 2 * i]);
            if (hi < 0 || lo < 0)
                goto bad;
            keybuf[i] = (char)(hi * 16 + lo);
        }
        *key_len = n;
        *has_key = true;
    }
    return ECS_OK;
bad:
    return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                         "Invalid nextToken: it must be a token returned by this call.");
}

void ecs_req__write_token(ecs_req *r, const char *key, size_t key_len)
{
    static const char hex[] = "0123456789abcdef";
    char buf[3 + 2 * ECS_TOKEN_KEY_MAX];
    size_t n = 3;
    if (key_len > ECS_TOKEN_KEY_MAX)
        key_len = ECS_TOKEN_KEY_MAX;
    memcpy(buf, "t1.", 3);
    for (size_t i = 0; i < key_len; i++) {
        unsigned char c = (unsigned char)key[i];
        buf[n++] = hex[c >> 4];
        buf[n++] = hex[c & 15u];
    }
    ecs_json_write_key(r->w, "nextToken", 9);
    ecs_json_write_str(r->w, buf, n);
}

ecs_status ecs_req__nomem(ecs_req *r)
{
    return ecs_api__fail(r->err, ECS_E_NOMEM, ECS_ERR_SERVER, "%s", ecs_ctx_errmsg(r->ctx));
}

static bool tag_has_aws_prefix(const char *k, size_t n)
{
    return n >= 4 && (k[0] == 'a' || k[0] == 'A') && (k[1] == 'w' || k[1] == 'W') &&
           (k[2] == 's' || k[2] == 'S') && k[3] == ':';
}

ecs_status ecs_req__tags(ecs_req *r, const ecs_json_val *list, const char *path, ecs_tags *out)
{
    ecs_tags tags = { NULL, 0, 0 };
    size_t i = 0;
    ecs_status rc;
    if (list == NULL) {
        *out = tags;
        return ECS_OK;
    }
    if (ecs_json_len(list) > ECS_MAX_TAGS)
        return ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                             "%s: at most %u tags are allowed.", path, ECS_MAX_TAGS);
    if ((rc = ecs_vec__reserve(r->ctx, (void **)&tags.items, &tags.cap, sizeof(ecs_tag),
                               ecs_json_len(list))) != ECS_OK)
        return ecs_req__nomem(r);
    for (const ecs_json_val *t = ecs_json_first(list); t != NULL; t = ecs_json_next(list, t), i++) {
        size_t kl = 0, vl = 0;
        const char *k = ecs_req__str(r, t, "key", &kl);
        const char *v = ecs_req__str(r, t, "value", &vl);
        if (k == NULL || kl == 0 || kl > 128) {
            rc = ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                               "%s[%zu].key: a tag key has 1 to 128 characters.", path, i);
            goto fail;
        }
        if (tag_has_aws_prefix(k, kl)) {
            rc = ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                               "%s[%zu].key: the aws: prefix is reserved for AWS use.", path, i);
            goto fail;
        }
        if (vl > 256) {
            rc = ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                               "%s[%zu].value: a tag value has at most 256 characters.", path, i);
            goto fail;
        }
        for (size_t j = 0; j < tags.n; j++) {
            if (ecs_str__eq(&tags.items[j].key, k, kl)) {
                rc = ecs_api__fail(r->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER,
                                   "%s[%zu].key: duplicate tag key '%.*s'.", path, i, (int)kl, k);
                goto fail;
            }
        }
        {
            ecs_tag *tg = &tags.items[tags.n];
            if (ecs_str__dup(r->ctx, &tg->key, k, kl) != ECS_OK)
                goto oom;
            if (ecs_str__dup(r->ctx, &tg->value, v != NULL ? v : "", v != NULL ? vl : 0) != ECS_OK) {
                ecs_str__free(r->ctx, &tg->key);
                goto oom;
            }
            tags.n++;
        }
    }
    *out = tags;
    return ECS_OK;
oom:
    rc = ecs_req__nomem(r);
fail:
    ecs_plane__tags_free(r->ctx, &tags);
    return rc;
}

ecs_status ecs_req__strategies(ecs_req *r, const ecs_json_val *list, ecs_place_strategy *out,
                               size_t *n)
{
    size_t i = 0;
    *n = 0;
    if (ecs_json_len(list) > ECS_PLACE_MAX_STRATEGIES)
        return FAIL_IP(r, "placementStrategy: at most %d strategies.", ECS_PLACE_MAX_STRATEGIES);
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t tl = 0, fl = 0;
        const char *type = ecs_req__str(r, s, "type", &tl);
        const char *field = ecs_req__str(r, s, "field", &fl);
        ecs_place_strategy *st = &out[*n];
        memset(st, 0, sizeof *st);
        if (type == NULL)
            return FAIL_IP(r, "placementStrategy[%zu].type is required.", i);
        if (tl == 6 && memcmp(type, "random", 6) == 0) {
            st->type = ECS_PLACE_RANDOM;
        } else if (tl == 7 && memcmp(type, "binpack", 7) == 0) {
            if (field != NULL && fl == 3 && memcmp(field, "cpu", 3) == 0)
                st->type = ECS_PLACE_BINPACK_CPU;
            else if (field != NULL && fl == 6 && memcmp(field, "memory", 6) == 0)
                st->type = ECS_PLACE_BINPACK_MEMORY;
            else
                return FAIL_IP(r, "placementStrategy[%zu].field: binpack takes cpu or memory.", i);
        } else if (tl == 6 && memcmp(type, "spread", 6) == 0) {
            if (field == NULL)
                return FAIL_IP(r, "placementStrategy[%zu].field: spread needs instanceId, host or "
                                  "attribute:NAME.", i);
            if ((fl == 10 && memcmp(field, "instanceId", 10) == 0) ||
                (fl == 4 && memcmp(field, "host", 4) == 0)) {
                st->type = ECS_PLACE_SPREAD_INSTANCE;
            } else if (fl > 10 && memcmp(field, "attribute:", 10) == 0) {
                st->type = ECS_PLACE_SPREAD_ATTRIBUTE;
                st->attribute = field + 10;
                st->attribute_len = fl - 10;
            } else {
                return FAIL_IP(r, "placementStrategy[%zu].field: spread needs instanceId, host or "
                                  "attribute:NAME, not '%.*s'.", i, (int)(fl > 64 ? 64 : fl), field);
            }
        } else {
            return FAIL_IP(r, "placementStrategy[%zu].type: random, spread or binpack.", i);
        }
        (*n)++;
    }
    return ECS_OK;
}

ecs_status ecs_req__constraints(ecs_req *r, const ecs_json_val *list, size_t from_taskdef,
                                const char **exprs, size_t *lens, size_t *n, bool *distinct)
{
    size_t i = 0;
    if (from_taskdef + ecs_json_len(list) > ECS_PLACE_MAX_CONSTRAINTS)
        return FAIL_IP(r, "placementConstraints: at most %d constraints, counting the task "
                          "definition's %zu.", ECS_PLACE_MAX_CONSTRAINTS, from_taskdef);
    for (const ecs_json_val *s = ecs_json_first(list); s != NULL; s = ecs_json_next(list, s), i++) {
        size_t tl = 0, el = 0;
        const char *type = ecs_req__str(r, s, "type", &tl);
        const char *expr = ecs_req__str(r, s, "expression", &el);
        if (type != NULL && tl == 16 && memcmp(type, "distinctInstance", 16) == 0) {
            if (expr != NULL)
                return FAIL_IP(r, "placementConstraints[%zu].expression: distinctInstance takes no "
                                  "expression.", i);
            *distinct = true;
        } else if (type != NULL && tl == 8 && memcmp(type, "memberOf", 8) == 0) {
            if (expr == NULL || el == 0)
                return FAIL_IP(r, "placementConstraints[%zu].expression is required for memberOf.", i);
            if (el > 2000)
                return FAIL_IP(r, "placementConstraints[%zu].expression: at most 2000 characters.", i);
            exprs[*n] = expr;
            lens[(*n)++] = el;
        } else {
            return FAIL_IP(r, "placementConstraints[%zu].type: distinctInstance or memberOf.", i);
        }
    }
    return ECS_OK;
}


/* A fingerprint of the request without its clientToken: members in order,
 * as canonical JSON. */
ecs_status ecs_req__fingerprint(ecs_req *r, uint64_t *out)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const ecs_json_val *k = ecs_json_first(r->root); k != NULL;
         k = ecs_json_next(r->root, ecs_json_next(r->root, k))) {
        size_t kl = 0;
        const char *key = ecs_json_str(r->doc, k, &kl);
        char *text;
        size_t tl;
        if (kl == 11 && memcmp(key, "clientToken", 11) == 0)
            continue;
        if (ecs_json_write_text(r->ctx, r->doc, ecs_json_next(r->root, k), 0, &text, &tl) != ECS_OK)
            return ecs_req__nomem(r);
        for (size_t i = 0; i < kl; i++)
            h = (h ^ (unsigned char)key[i]) * 0x100000001b3u;
        h = (h ^ 0xFFu) * 0x100000001b3u;
        for (size_t i = 0; i < tl; i++)
            h = (h ^ (unsigned char)text[i]) * 0x100000001b3u;
        ecs_json_text_free(r->ctx, text, tl);
    }
    *out = h;
    return ECS_OK;
}


bool ecs_req__valid_name(const char *s, size_t n)
{
    if (s == NULL || n == 0 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

uint32_t ecs_req__include_tags(const ecs_req *r)
{
    const ecs_json_val *inc = ecs_req__member(r, r->root, "include");
    for (const ecs_json_val *v = ecs_json_first(inc); v != NULL; v = ecs_json_next(inc, v)) {
        size_t n = 0;
        const char *s = ecs_json_str(r->doc, v, &n);
        if (s != NULL && n == 4 && memcmp(s, "TAGS", 4) == 0)
            return ECS_WRITE_TAGS;
    }
    return 0;
}

void ecs_req__write_failure(ecs_req *r, const char *arn, size_t arn_len, const char *reason,
                            const char *detail)
{
    ecs_json_write_obj_begin(r->w);
    if (arn != NULL) {
        ecs_json_write_key(r->w, "arn", 3);
        ecs_json_write_str(r->w, arn, arn_len);
    }
    ecs_json_write_key(r->w, "reason", 6);
    ecs_json_write_str(r->w, reason, strlen(reason));
    if (detail != NULL && detail[0] != '\0') {
        ecs_json_write_key(r->w, "detail", 6);
        ecs_json_write_str(r->w, detail, strlen(detail));
    }
    ecs_json_write_obj_end(r->w);
}

ecs_status ecs_req__service(ecs_req *r, bool active, ecs_cluster **c, ecs_service **s)
{
    size_t n = 0;
    const char *ref = ecs_req__str(r, r->root, "service", &n);
    ecs_status rc;
    *s = NULL;
    if ((rc = ecs_req__cluster(r, c)) != ECS_OK)
        return rc;
    if (ref == NULL)
        return FAIL_IP(r, "service is required.");
    *s = ecs_plane__service_by_ref(*c, ref, n);
    if (*s == NULL)
        return ecs_api__fail(r->err, ECS_E_NOT_FOUND, "ServiceNotFoundException", "Service not found.");
    if (active && (*s)->status != ECS_SVC_ACTIVE)
        return ecs_api__fail(r->err, ECS_E_INVALID_ARG, "ServiceNotActiveException", "Service was not ACTIVE.");
    return ECS_OK;
}
