/*
 * Task definitions: releasing one, the reservations the scheduler makes for
 * it, and the helpers every taskdef pass shares (taskdef_internal.h):
 * recording a refusal both as an ECS error and in the context, readers of
 * the request that check JSON types themselves, and the parsers of names,
 * image references, task sizes ("1 vCPU", ".5 GB") and port ranges.
 *
 * Sizes are parsed exactly, in integers: "0.25 vcpu" is 25/100 * 1024 = 256
 * units; a value whose unit conversion is not a whole number ("0.1 vCPU")
 * is refused rather than rounded, as spec 1.3 recommends.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/taskdef_internal.h"

/* ------------------------------------------------------------------------ */
/* Release and reservations                                                  */

void ecs_taskdef__free(ecs_ctx *ctx, ecs_taskdef *td)
{
    size_t i;

    if (ctx == NULL || td == NULL)
        return;
    ecs_str__free(ctx, &td->family);
    if (td->containers != NULL) {
        for (i = 0; i < td->ncontainers; i++) {
            ecs_container_def *c = &td->containers[i];
            ecs_str__free(ctx, &c->name);
            ecs_str__free(ctx, &c->sim_fail_start);
            if (c->ports != NULL)
                ecs_ctx__release(ctx, c->ports, c->nports * sizeof *c->ports);
        }
        ecs_ctx__release(ctx, td->containers, td->ncontainers * sizeof *td->containers);
    }
    if (td->member_of != NULL) {
        for (i = 0; i < td->nmember_of; i++)
            ecs_str__free(ctx, &td->member_of[i]);
        ecs_ctx__release(ctx, td->member_of, td->nmember_of * sizeof *td->member_of);
    }
    if (td->requires_attributes != NULL) {
        for (i = 0; i < td->nrequires_attributes; i++)
            ecs_str__free(ctx, &td->requires_attributes[i]);
        ecs_ctx__release(ctx, td->requires_attributes,
                         td->nrequires_attributes * sizeof *td->requires_attributes);
    }
    ecs_json_doc_free(td->doc);
    ecs_ctx__release(ctx, td, sizeof *td);
}

static uint32_t clamp32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t ecs_taskdef__reserved_cpu(const ecs_taskdef *td)
{
    uint64_t sum = 0;
    size_t i;

    if (td == NULL)
        return 0;
    if (td->cpu != 0)
        return td->cpu;
    for (i = 0; i < td->ncontainers; i++)
        sum += td->containers[i].cpu;
    return clamp32(sum);
}

uint32_t ecs_taskdef__reserved_memory(const ecs_taskdef *td)
{
    uint64_t sum = 0;
    size_t i;

    if (td == NULL)
        return 0;
    if (td->memory_mib != 0)
        return td->memory_mib;
    for (i = 0; i < td->ncontainers; i++) {
        const ecs_container_def *c = &td->containers[i];
        sum += c->memory_reservation_mib != 0 ? c->memory_reservation_mib : c->memory_mib;
    }
    return clamp32(sum);
}

const ecs_json_val *ecs_taskdef__tags(const ecs_taskdef *td)
{
    if (td == NULL || td->doc == NULL)
        return NULL;
    return ecs_taskdef__get(td->doc, ecs_json_root(td->doc), "tags");
}

bool ecs_taskdef__is_readonly(const char *name, size_t len)
{
    static const char names[][20] = { "taskDefinitionArn", "revision",        "status",
                                         "requiresAttributes", "compatibilities", "registeredAt",
                                         "registeredBy",       "deregisteredAt" };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return true;
    return false;
}

const char *ecs_taskdef__compat_name(uint32_t bit)
{
    switch (bit) {
    case ECS_COMPAT_EC2:
        return "EC2";
    case ECS_COMPAT_FARGATE:
        return "FARGATE";
    case ECS_COMPAT_EXTERNAL:
        return "EXTERNAL";
    case ECS_COMPAT_MANAGED_INSTANCES:
        return "MANAGED_INSTANCES";
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Refusals                                                                  */

static ecs_status vrecord(const ecs_tdscan *s, ecs_status status, const char *code,
                          const char *fmt, va_list ap) ECS_PRINTF(4, 0);

static ecs_status vrecord(const ecs_tdscan *s, ecs_status status, const char *code,
                          const char *fmt, va_list ap)
{
    char msg[ECS_API_MSG_SIZE];

    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    if (s->err != NULL) {
        s->err->code = code;
        memcpy(s->err->message, msg, sizeof msg);
    }
    if (s->ctx != NULL)
        ecs_ctx__fail(s->ctx, status, "%s: %s", code, msg);
    return status;
}

ecs_status ecs_taskdef__client(const ecs_tdscan *s, const char *fmt, ...)
{
    ecs_status rc;
    va_list ap;
    va_start(ap, fmt);
    rc = vrecord(s, ECS_E_INVALID_ARG, ECS_ERR_CLIENT, fmt, ap);
    va_end(ap);
    return rc;
}

ecs_status ecs_taskdef__invalid(const ecs_tdscan *s, const char *fmt, ...)
{
    ecs_status rc;
    va_list ap;
    va_start(ap, fmt);
    rc = vrecord(s, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, fmt, ap);
    va_end(ap);
    return rc;
}

ecs_status ecs_taskdef__limit(const ecs_tdscan *s, const char *fmt, ...)
{
    ecs_status rc;
    va_list ap;
    va_start(ap, fmt);
    rc = vrecord(s, ECS_E_LIMIT, ECS_ERR_CLIENT, fmt, ap);
    va_end(ap);
    return rc;
}

ecs_status ecs_taskdef__nomem(const ecs_tdscan *s)
{
    if (s->err != NULL) {
        s->err->code = ECS_ERR_SERVER;
        (void)snprintf(s->err->message, sizeof s->err->message, "%s",
                       s->ctx != NULL ? ecs_ctx_errmsg(s->ctx) : "out of memory");
    }
    return ECS_E_NOMEM;
}

/* ------------------------------------------------------------------------ */
/* Paths and readers                                                         */

ecs_path ecs_taskdef__path_key(const ecs_path *path, const char *key)
{
    ecs_path p = *path;
    (void)ecs_path__key(&p, key, strlen(key));
    return p;
}

ecs_path ecs_taskdef__path_index(const ecs_path *path, size_t index)
{
    ecs_path p = *path;
    (void)ecs_path__index(&p, index);
    return p;
}

ecs_path ecs_taskdef__cpath(size_t i)
{
    ecs_path p;
    ecs_path__init(&p);
    (void)ecs_path__key(&p, "containerDefinitions", 20);
    (void)ecs_path__index(&p, i);
    return p;
}

bool ecs_taskdef__str_eq(const ecs_tdstr *a, const char *lit)
{
    size_t n = strlen(lit);
    return a->p != NULL && a->len == n && memcmp(a->p, lit, n) == 0;
}

const ecs_json_val *ecs_taskdef__get(const ecs_json_doc *doc, const ecs_json_val *obj,
                                     const char *key)
{
    const ecs_json_val *v;

    if (ecs_json_type_of(obj) != ECS_JSON_OBJECT)
        return NULL;
    v = ecs_json_obj_get(doc, obj, key, strlen(key));
    return ecs_json_type_of(v) == ECS_JSON_NULL ? NULL : v;
}

static ecs_status wrong_type(const ecs_tdscan *s, const ecs_path *path, const char *key,
                             const char *want, const ecs_json_val *v)
{
    ecs_path p = key != NULL ? ecs_taskdef__path_key(path, key) : *path;
    return ecs_taskdef__invalid(s, "%s must be %s, not %s.", ecs_path__str(&p), want,
                                ecs_json_type_name(ecs_json_type_of(v)));
}

ecs_status ecs_taskdef__str(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, ecs_tdstr *out)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);

    out->p = NULL;
    out->len = 0;
    if (v == NULL)
        return ECS_OK;
    out->p = ecs_json_str(s->doc, v, &out->len);
    if (out->p == NULL)
        return wrong_type(s, path, key, "a string", v);
    return ECS_OK;
}

ecs_status ecs_taskdef__int(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, bool *has, int64_t *out)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);
    int64_t i = 0;

    *has = false;
    *out = 0;
    if (v == NULL)
        return ECS_OK;
    if (ecs_json_get_int(v, &i) != ECS_OK) {
        if (ecs_json_type_of(v) == ECS_JSON_INT) {
            ecs_path p = ecs_taskdef__path_key(path, key);
            return ecs_taskdef__invalid(s, "%s is out of range.", ecs_path__str(&p));
        }
        return wrong_type(s, path, key, "an integer", v);
    }
    if (i < INT32_MIN || i > INT32_MAX) {
        ecs_path p = ecs_taskdef__path_key(path, key);
        return ecs_taskdef__invalid(s, "%s is out of range (%lld).", ecs_path__str(&p),
                                    (long long)i);
    }
    *has = true;
    *out = i;
    return ECS_OK;
}

ecs_status ecs_taskdef__bool(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                             const char *key, bool *has, bool *out)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);
    ecs_json_type t = ecs_json_type_of(v);

    *has = false;
    *out = false;
    if (v == NULL)
        return ECS_OK;
    if (t != ECS_JSON_TRUE && t != ECS_JSON_FALSE)
        return wrong_type(s, path, key, "a boolean", v);
    *has = true;
    *out = t == ECS_JSON_TRUE;
    return ECS_OK;
}

ecs_status ecs_taskdef__arr(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, const ecs_json_val **out)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);

    *out = NULL;
    if (v == NULL)
        return ECS_OK;
    if (ecs_json_type_of(v) != ECS_JSON_ARRAY)
        return wrong_type(s, path, key, "a list", v);
    *out = v;
    return ECS_OK;
}

ecs_status ecs_taskdef__obj(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, const ecs_json_val **out)
{
    const ecs_json_val *v = ecs_taskdef__get(s->doc, obj, key);

    *out = NULL;
    if (v == NULL)
        return ECS_OK;
    if (ecs_json_type_of(v) != ECS_JSON_OBJECT)
        return wrong_type(s, path, key, "an object", v);
    *out = v;
    return ECS_OK;
}

ecs_status ecs_taskdef__elem_obj(const ecs_tdscan *s, const ecs_json_val *v, const ecs_path *path)
{
    if (ecs_json_type_of(v) != ECS_JSON_OBJECT)
        return wrong_type(s, path, NULL, "an object", v);
    return ECS_OK;
}

ecs_status ecs_taskdef__elem_str(const ecs_tdscan *s, const ecs_json_val *v, const ecs_path *path,
                                 ecs_tdstr *out)
{
    out->p = ecs_json_str(s->doc, v, &out->len);
    if (out->p == NULL) {
        out->len = 0;
        return wrong_type(s, path, NULL, "a string", v);
    }
    return ECS_OK;
}

/* ------------------------------------------------------------------------ */
/* Names, images, sizes, ports                                               */

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

bool ecs_taskdef__valid_name(const char *p, size_t len)
{
    size_t i;

    if (p == NULL || len == 0 || len > 255)
        return false;
    for (i = 0; i < len; i++)
        if (!is_name_char((unsigned char)p[i]))
            return false;
    return true;
}

/* Letters, digits, hyphens, underscores, colons, periods, forward slashes
 * and number signs (the API reference's list for image). */
static bool is_image_char(unsigned char c)
{
    return is_name_char(c) || c == ':' || c == '.' || c == '/' || c == '#';
}

static bool is_lower_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

ecs_image_check ecs_taskdef__check_image(const char *p, size_t len)
{
    const char *at;
    size_t name_len, i, hex;

    if (p == NULL || len == 0)
        return ECS_IMAGE_BAD_CHARS;
    at = memchr(p, '@', len);
    name_len = at != NULL ? (size_t)(at - p) : len;
    if (name_len == 0)
        return ECS_IMAGE_BAD_CHARS;
    for (i = 0; i < name_len; i++)
        if (!is_image_char((unsigned char)p[i]))
            return ECS_IMAGE_BAD_CHARS;
    if (at != NULL) {
        /* repository@sha256:<64 hex> (sha512: 128 hex) */
        const char *d = at + 1;
        size_t dlen = len - name_len - 1;
        if (dlen > 7 && memcmp(d, "sha256:", 7) == 0)
            hex = 64;
        else if (dlen > 7 && memcmp(d, "sha512:", 7) == 0)
            hex = 128;
        else
            return ECS_IMAGE_BAD_CHARS;
        if (dlen != 7 + hex)
            return ECS_IMAGE_BAD_CHARS;
        for (i = 7; i < dlen; i++)
            if (!is_lower_hex((unsigned char)d[i]))
                return ECS_IMAGE_BAD_CHARS;
    }
    return name_len > 255 ? ECS_IMAGE_TOO_LONG : ECS_IMAGE_OK;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool ecs_taskdef__parse_units(const char *p, size_t len, const char *unit, uint32_t *out)
{
    uint64_t ip = 0, fp = 0, pow10 = 1, value;
    size_t i = 0, idigits = 0, fstart, fend, num_end, k, ulen = strlen(unit);
    bool dot = false;

    if (p == NULL)
        return false;
    for (; i < len && is_digit(p[i]); i++) {
        if (++idigits > 10)
            return false; /* beyond 32 bits in any unit */
        ip = ip * 10 + (uint64_t)(p[i] - '0');
    }
    fstart = fend = i;
    if (i < len && p[i] == '.') {
        dot = true;
        fstart = ++i;
        while (i < len && is_digit(p[i]))
            i++;
        fend = i;
    }
    if (idigits == 0 && fend == fstart)
        return false; /* no digits at all */
    num_end = i;
    /* trailing zeros of the fraction change nothing */
    while (fend > fstart && p[fend - 1] == '0')
        fend--;
    /* x/10^k * 1024 is whole only when k <= 10 once trailing zeros are gone */
    if (fend - fstart > 10)
        return false;
    for (k = fstart; k < fend; k++) {
        fp = fp * 10 + (uint64_t)(p[k] - '0');
        pow10 *= 10;
    }
    while (i < len && p[i] == ' ')
        i++;
    if (i == len) {
        /* no unit: a plain integer count, nothing else */
        if (dot || num_end != len)
            return false;
        value = ip;
    } else {
        if (len - i != ulen)
            return false;
        for (k = 0; k < ulen; k++)
            if (lower(p[i + k]) != unit[k])
                return false;
        if ((fp * 1024u) % pow10 != 0)
            return false;
        value = ip * 1024u + fp * 1024u / pow10;
    }
    if (value > UINT32_MAX)
        return false;
    *out = (uint32_t)value;
    return true;
}

bool ecs_taskdef__parse_port_range(const char *p, size_t len, uint32_t *first, uint32_t *last)
{
    uint32_t v[2] = { 0, 0 };
    size_t i = 0, part, digits;

    if (p == NULL)
        return false;
    for (part = 0; part < 2; part++) {
        if (part == 1) {
            if (i >= len || p[i] != '-')
                return false;
            i++;
        }
        for (digits = 0; i < len && is_digit(p[i]); i++) {
            if (++digits > 5)
                return false;
            v[part] = v[part] * 10u + (uint32_t)(p[i] - '0');
        }
        if (digits == 0 || v[part] < 1 || v[part] > 65535)
            return false;
    }
    if (i != len || v[0] >= v[1])
        return false;
    *first = v[0];
    *last = v[1];
    return true;
}

size_t ecs_taskdef__find(const ecs_taskdef *td, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < td->ncontainers; i++)
        if (ecs_str__eq(&td->containers[i].name, name, len))
            return i;
    return ECS_TD_NONE;
}

bool ecs_taskdef__is_windows(const ecs_tdscan *s)
{
    const ecs_json_val *rp = ecs_taskdef__get(s->doc, s->req, "runtimePlatform");
    size_t n = 0;
    const ecs_json_val *os_val = ecs_taskdef__get(s->doc, rp, "operatingSystemFamily");
    const char *os = ecs_json_str(s->doc, os_val, &n);
    return os != NULL && n >= 8 && memcmp(os, "WINDOWS_", 8) == 0;
}

bool ecs_taskdef__is_ecr_image(const char *p, size_t len)
{
    /* <12 digits>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository> */
    const char *slash = memchr(p, '/', len);
    size_t host = slash != NULL ? (size_t)(slash - p) : len, i;
    static const char dkr[] = ".dkr.ecr.";
    static const char com[] = ".amazonaws.com";
    static const char cn[] = ".amazonaws.com.cn";

    if (slash == NULL || host < 12 + sizeof dkr - 1 + sizeof com - 1)
        return false;
    for (i = 0; i < 12; i++)
        if (!is_digit(p[i]))
            return false;
    if (memcmp(p + 12, dkr, sizeof dkr - 1) != 0)
        return false;
    if (host >= sizeof cn - 1 && memcmp(p + host - (sizeof cn - 1), cn, sizeof cn - 1) == 0)
        return true;
    return memcmp(p + host - (sizeof com - 1), com, sizeof com - 1) == 0;
}
