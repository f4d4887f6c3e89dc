/*
 * The JSON writer: a state machine over a stack of open containers that
 * appends to one growing buffer. Each level remembers whether it is an
 * object, whether it has items yet and whether a member name is waiting for
 * its value, which is all it takes to put commas, colons and indentation in
 * the right places and to refuse calls that would make invalid JSON. The
 * first error sticks. ecs_json_write_val() walks a parsed document's slots
 * in order, with no recursion.
 */
#include <string.h>

#include "json/json_internal.h"
#include "util/ckd.h"

#define LV_OBJECT 0x1u
#define LV_HAS_ITEMS 0x2u
#define LV_AFTER_KEY 0x4u

typedef struct level {
    uint32_t flags;
    const ecs_json_val *end; /* for ecs_json_write_val: where this container ends */
} level;

struct ecs_json_writer {
    ecs_ctx *ctx;
    uint32_t flags;
    char *buf;
    size_t len, cap;
    level *stack;
    size_t depth, stack_cap;
    bool done; /* the top-level value is complete */
    ecs_status err;
};

static ecs_status wfail(ecs_json_writer *w, ecs_status st, const char *msg)
{
    w->err = st;
    return ecs_ctx__fail(w->ctx, st, "JSON writer: %s", msg);
}

static ecs_status grow(ecs_json_writer *w, size_t need)
{
    size_t want, cap;
    char *nb;
    if (!ecs_ckd_add_size(&want, w->len, need + 1) || want > ECS_MAX_JSON_BYTES)
        return wfail(w, ECS_E_LIMIT, "output would exceed the largest JSON text (4 GiB - 1)");
    cap = w->cap < 256 ? 256 : w->cap;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    nb = w->buf == NULL ? ecs_ctx__alloc(w->ctx, cap) : ecs_ctx__resize(w->ctx, w->buf, w->cap, cap);
    if (nb == NULL) {
        w->err = ECS_E_NOMEM;
        return ECS_E_NOMEM;
    }
    w->buf = nb;
    w->cap = cap;
    return ECS_OK;
}

/* Make room for n more bytes plus a terminator. */
static inline ecs_status room(ecs_json_writer *w, size_t n)
{
    if (w->cap - w->len > n)
        return ECS_OK;
    return grow(w, n);
}

static inline void emit(ecs_json_writer *w, const char *s, size_t n)
{
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static ecs_status newline_indent(ecs_json_writer *w, size_t depth)
{
    ecs_status rc;
    if (!(w->flags & ECS_JSON_W_F_INDENT))
        return ECS_OK;
    if ((rc = room(w, 1 + 2 * depth)) != ECS_OK)
        return rc;
    w->buf[w->len++] = '\n';
    memset(w->buf + w->len, ' ', 2 * depth);
    w->len += 2 * depth;
    return ECS_OK;
}

/* Everything a value needs before it: the state check, and in an array a
 * comma and indentation. */
static ecs_status before_value(ecs_json_writer *w)
{
    level *top;
    ecs_status rc;
    if (w->err != ECS_OK)
        return w->err;
    if (w->depth == 0) {
        if (w->done)
            return wfail(w, ECS_E_STATE, "the top-level value is already complete");
        return ECS_OK;
    }
    top = &w->stack[w->depth - 1];
    if (top->flags & LV_OBJECT) {
        if (!(top->flags & LV_AFTER_KEY))
            return wfail(w, ECS_E_STATE, "a value in an object needs a member name first");
        top->flags &= ~LV_AFTER_KEY;
        return ECS_OK;
    }
    if (top->flags & LV_HAS_ITEMS) {
        if ((rc = room(w, 1)) != ECS_OK)
            return rc;
        w->buf[w->len++] = ',';
    }
    top->flags |= LV_HAS_ITEMS;
    return newline_indent(w, w->depth);
}

static void after_value(ecs_json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
}

static ecs_status write_escaped(ecs_json_writer *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, worst;
    ecs_status rc;

    /* Worst case six bytes out per byte in, plus the quotes. */
    if (!ecs_ckd_mul_size(&worst, len, 6) || !ecs_ckd_add_size(&worst, worst, 2))
        return wfail(w, ECS_E_LIMIT, "string too long");
    if ((rc = room(w, worst)) != ECS_OK)
        return rc;
    w->buf[w->len++] = '"';
    while (i < len) {
        size_t run = i;
        while (run < len && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\')
            run++;
        if (run > i) {
            emit(w, s + i, run - i);
            i = run;
            if (i == len)
                break;
        }
        unsigned char c = u[i];
        if (c >= 0x80) {
            size_t k = ecs_json__utf8_seq(u + i, len - i);
            if (k == 0)
                return wfail(w, ECS_E_INVALID_ARG, "string is not valid UTF-8");
            emit(w, s + i, k);
            i += k;
            continue;
        }
        w->buf[w->len++] = '\\';
        switch (c) {
        case '"': w->buf[w->len++] = '"'; break;
        case '\\': w->buf[w->len++] = '\\'; break;
        case '\b': w->buf[w->len++] = 'b'; break;
        case '\f': w->buf[w->len++] = 'f'; break;
        case '\n': w->buf[w->len++] = 'n'; break;
        case '\r': w->buf[w->len++] = 'r'; break;
        case '\t': w->buf[w->len++] = 't'; break;
        default:
            emit(w, "u00", 3);
            w->buf[w->len++] = hex[c >> 4];
            w->buf[w->len++] = hex[c & 15];
            break;
        }
        i++;
    }
    w->buf[w->len++] = '"';
    return ECS_OK;
}

ecs_status ecs_json_writer_new(ecs_ctx *ctx, uint32_t flags, ecs_json_writer **out)
{
    ecs_json_writer *w;
    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || (flags & ~ECS_JSON_W_F_INDENT) != 0)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_json_writer_new: %s",
                             out == NULL ? "out is NULL" : "unknown flag");
    w = ecs_ctx__alloc(ctx, sizeof *w);
    if (w == NULL)
        return ECS_E_NOMEM;
    memset(w, 0, sizeof *w);
    w->ctx = ctx;
    w->flags = flags;
    *out = w;
    return ECS_OK;
}

void ecs_json_writer_free(ecs_json_writer *w)
{
    if (w == NULL)
        return;
    ecs_ctx__release(w->ctx, w->buf, w->cap);
    ecs_ctx__release(w->ctx, w->stack, w->stack_cap * sizeof(level));
    ecs_ctx__release(w->ctx, w, sizeof *w);
}

void ecs_json_writer_reset(ecs_json_writer *w)
{
    if (w == NULL)
        return;
    w->len = 0;
    w->depth = 0;
    w->done = false;
    w->err = ECS_OK;
}

static ecs_status open_container(ecs_json_writer *w, bool object, const ecs_json_val *end)
{
    ecs_status rc;
    if ((rc = before_value(w)) != ECS_OK)
        return rc;
    if (w->depth >= w->ctx->max_json_depth)
        return wfail(w, ECS_E_LIMIT, "nesting deeper than the context's JSON depth limit");
    if (w->depth == w->stack_cap) {
        size_t cap = w->stack_cap == 0 ? 16 : w->stack_cap * 2;
        level *ns = w->stack == NULL
                        ? ecs_ctx__alloc(w->ctx, cap * sizeof(level))
                        : ecs_ctx__resize(w->ctx, w->stack, w->stack_cap * sizeof(level),
                                          cap * sizeof(level));
        if (ns == NULL) {
            w->err = ECS_E_NOMEM;
            return ECS_E_NOMEM;
        }
        w->stack = ns;
        w->stack_cap = cap;
    }
    if ((rc = room(w, 1)) != ECS_OK)
        return rc;
    w->buf[w->len++] = object ? '{' : '[';
    w->stack[w->depth].flags = object ? LV_OBJECT : 0u;
    w->stack[w->depth].end = end;
    w->depth++;
    return ECS_OK;
}

static ecs_status close_container(ecs_json_writer *w, bool object)
{
    ecs_status rc;
    level *top;
    if (w->err != ECS_OK)
        return w->err;
    if (w->depth == 0)
        return wfail(w, ECS_E_STATE, object ? "object end with no open object"
                                            : "array end with no open array");
    top = &w->stack[w->depth - 1];
    if (((top->flags & LV_OBJECT) != 0) != object)
        return wfail(w, ECS_E_STATE, object ? "object end while an array is open"
                                            : "array end while an object is open");
    if (top->flags & LV_AFTER_KEY)
        return wfail(w, ECS_E_STATE, "object end right after a member name (its value is missing)");
    w->depth--;
    if ((top->flags & LV_HAS_ITEMS) && (rc = newline_indent(w, w->depth)) != ECS_OK)
        return rc;
    if ((rc = room(w, 1)) != ECS_OK)
        return rc;
    w->buf[w->len++] = object ? '}' : ']';
    after_value(w);
    return ECS_OK;
}

ecs_status ecs_json_write_obj_begin(ecs_json_writer *w)
{
    return w == NULL ? ECS_E_INVALID_ARG : open_container(w, true, NULL);
}

ecs_status ecs_json_write_obj_end(ecs_json_writer *w)
{
    return w == NULL ? ECS_E_INVALID_ARG : close_container(w, true);
}

ecs_status ecs_json_write_arr_begin(ecs_json_writer *w)
{
    return w == NULL ? ECS_E_INVALID_ARG : open_container(w, false, NULL);
}

ecs_status ecs_json_write_arr_end(ecs_json_writer *w)
{
    return w == NULL ? ECS_E_INVALID_ARG : close_container(w, false);
}

ecs_status ecs_json_write_key(ecs_json_writer *w, const char *key, size_t len)
{
    level *top;
    ecs_status rc;
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    if (w->err != ECS_OK)
        return w->err;
    if (key == NULL && len != 0)
        return wfail(w, ECS_E_INVALID_ARG, "member name is NULL");
    if (w->depth == 0 || !(w->stack[w->depth - 1].flags & LV_OBJECT))
        return wfail(w, ECS_E_STATE, "a member name outside an object");
    top = &w->stack[w->depth - 1];
    if (top->flags & LV_AFTER_KEY)
        return wfail(w, ECS_E_STATE, "two member names in a row (a value is missing)");
    if (top->flags & LV_HAS_ITEMS) {
        if ((rc = room(w, 1)) != ECS_OK)
            return rc;
        w->buf[w->len++] = ',';
    }
    if ((rc = newline_indent(w, w->depth)) != ECS_OK ||
        (rc = write_escaped(w, key, len)) != ECS_OK || (rc = room(w, 2)) != ECS_OK)
        return rc;
    w->buf[w->len++] = ':';
    if (w->flags & ECS_JSON_W_F_INDENT)
        w->buf[w->len++] = ' ';
    top->flags |= LV_HAS_ITEMS | LV_AFTER_KEY;
    return ECS_OK;
}

ecs_status ecs_json_write_str(ecs_json_writer *w, const char *s, size_t len)
{
    ecs_status rc;
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    if (s == NULL && len != 0 && w->err == ECS_OK)
        return wfail(w, ECS_E_INVALID_ARG, "string is NULL");
    if ((rc = before_value(w)) != ECS_OK || (rc = write_escaped(w, s, len)) != ECS_OK)
        return rc;
    after_value(w);
    return ECS_OK;
}

static ecs_status write_raw_value(ecs_json_writer *w, const char *s, size_t n)
{
    ecs_status rc;
    if ((rc = before_value(w)) != ECS_OK || (rc = room(w, n)) != ECS_OK)
        return rc;
    emit(w, s, n);
    after_value(w);
    return ECS_OK;
}

static size_t format_u64(uint64_t v, char *buf /* 20 bytes */)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

ecs_status ecs_json_write_uint(ecs_json_writer *w, uint64_t v)
{
    char buf[24];
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    return write_raw_value(w, buf, format_u64(v, buf));
}

ecs_status ecs_json_write_int(ecs_json_writer *w, int64_t v)
{
    char buf[24];
    size_t n = 0;
    uint64_t mag = (uint64_t)v;
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    if (v < 0) {
        buf[n++] = '-';
        mag = 0u - mag;
    }
    n += format_u64(mag, buf + n);
    return write_raw_value(w, buf, n);
}

ecs_status ecs_json_write_double(ecs_json_writer *w, double v)
{
    char buf[32];
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    if (w->err != ECS_OK)
        return w->err;
    if (v != v || v - v != 0.0)
        return wfail(w, ECS_E_INVALID_ARG, "a double that is not finite has no JSON form");
    return write_raw_value(w, buf, ecs_json__format_double(v, buf));
}

ecs_status ecs_json_write_bool(ecs_json_writer *w, bool v)
{
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    return v ? write_raw_value(w, "true", 4) : write_raw_value(w, "false", 5);
}

ecs_status ecs_json_write_null(ecs_json_writer *w)
{
    if (w == NULL)
        return ECS_E_INVALID_ARG;
    return write_raw_value(w, "null", 4);
}

ecs_status ecs_json_write_val(ecs_json_writer *w, const ecs_json_doc *doc, const ecs_json_val *val)
{
    const ecs_json_val *v, *end;
    size_t base;
    ecs_status rc = ECS_OK;

    if (w == NULL)
        return ECS_E_INVALID_ARG;
    if (w->err != ECS_OK)
        return w->err;
    if (doc == NULL || val == NULL || val < doc->slots || val >= doc->slots + doc->nslots)
        return wfail(w, ECS_E_INVALID_ARG, "value is not part of the document given");
    base = w->depth;
    v = val;
    end = val + ecs_json__slots_of(val);
    while (rc == ECS_OK) {
        /* close every container that ends here */
        while (w->depth > base && w->stack[w->depth - 1].end == v) {
            bool obj = (w->stack[w->depth - 1].flags & LV_OBJECT) != 0;
            if ((rc = close_container(w, obj)) != ECS_OK)
                return rc;
        }
        if (v >= end)
            break;
        switch (JV_TYPE(v)) {
        case ECS_JSON_NULL: rc = ecs_json_write_null(w); break;
        case ECS_JSON_FALSE: rc = ecs_json_write_bool(w, false); break;
        case ECS_JSON_TRUE: rc = ecs_json_write_bool(w, true); break;
        case ECS_JSON_INT: {
            int64_t i = 0;
            (void)ecs_json_get_int(v, &i);
            rc = ecs_json_write_int(w, i);
            break;
        }
        case ECS_JSON_DOUBLE: {
            double d = 0;
            (void)ecs_json_get_double(v, &d);
            rc = ecs_json_write_double(w, d);
            break;
        }
        case ECS_JSON_STRING: {
            size_t len;
            const char *s = ecs_json_str(doc, v, &len);
            level *top = w->depth > 0 ? &w->stack[w->depth - 1] : NULL;
            if (top != NULL && (top->flags & LV_OBJECT) && !(top->flags & LV_AFTER_KEY) &&
                w->depth > base)
                rc = ecs_json_write_key(w, s, len);
            else
                rc = ecs_json_write_str(w, s, len);
            break;
        }
        case ECS_JSON_ARRAY:
        case ECS_JSON_OBJECT:
            rc = open_container(w, JV_TYPE(v) == ECS_JSON_OBJECT, v + 2 + v[1].w);
            v += 2;
            continue;
        }
        v += ecs_json__slots_of(v);
    }
    return rc;
}

ecs_status ecs_json_writer_result(ecs_json_writer *w, const char **out, size_t *out_len)
{
    ecs_status rc;
    if (w == NULL || out == NULL)
        return w == NULL ? ECS_E_INVALID_ARG : wfail(w, ECS_E_INVALID_ARG, "out is NULL");
    if (w->err != ECS_OK)
        return w->err;
    if (!w->done)
        return ecs_ctx__fail(w->ctx, ECS_E_STATE, "JSON writer: %s",
                             w->depth > 0 ? "a container is still open" : "nothing written yet");
    if ((rc = room(w, 0)) != ECS_OK)
        return rc;
    w->buf[w->len] = '\0';
    *out = w->buf;
    if (out_len != NULL)
        *out_len = w->len;
    return ECS_OK;
}

ecs_status ecs_json_write_text(ecs_ctx *ctx, const ecs_json_doc *doc, const ecs_json_val *val,
                               uint32_t flags, char **out, size_t *out_len)
{
    ecs_json_writer *w = NULL;
    const char *text;
    size_t len;
    char *copy;
    ecs_status rc;

    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || out_len == NULL)
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_json_write_text: output is NULL");
    if ((rc = ecs_json_writer_new(ctx, flags, &w)) != ECS_OK)
        return rc;
    if ((rc = ecs_json_write_val(w, doc, val)) == ECS_OK &&
        (rc = ecs_json_writer_result(w, &text, &len)) == ECS_OK) {
        /* hand over the writer's buffer, trimmed to the text */
        copy = ecs_ctx__resize(ctx, w->buf, w->cap, len + 1);
        if (copy == NULL) {
            rc = ECS_E_NOMEM;
        } else {
            w->buf = NULL;
            w->cap = 0;
            *out = copy;
            *out_len = len;
        }
    }
    ecs_json_writer_free(w);
    return rc;
}

void ecs_json_text_free(ecs_ctx *ctx, char *text, size_t len)
{
    if (ctx != NULL && text != NULL)
        ecs_ctx__release(ctx, text, len + 1);
}
