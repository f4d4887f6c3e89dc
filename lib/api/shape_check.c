/*
 * Checking a request against its action's input shape (see shape.h).
 *
 * The shapes are data generated into shapes_gen.c: nodes (string, integer,
 * long, double, boolean, timestamp, list, map, structure), structure members
 * in model order plus, per structure, a small open-addressing hash table so
 * a member is found with one hash and (nearly always) one comparison, enums,
 * and the action names sorted for binary search. No table holds a pointer (strings are offsets into one char table),
 * so everything sits in read-only memory with no relocations.
 *
 * The walk does not recurse: it keeps an explicit stack with one frame per
 * open array or object. A frame is pushed only when a value's shape is a
 * list, map or structure, so the stack is as deep as the shape tree at most.
 * The model has no recursive shapes, and tools/gen_shapes.py refuses to
 * generate tables deeper than ECS_SHAPE_MAX_DEPTH, so the stack never fills
 * (the check stays in place regardless). Anything under a member the shape
 * does not know is refused before it is looked at, so however deep a
 * request nests, the walk goes no deeper than its shape. Nothing is
 * allocated; the path of a violation is built from the stack only when one
 * is found, so valid requests pay for no string building.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/shape.h"

#include "api/shape_table.h"

/* Longest piece of input (a member name, an enum value) quoted in a message. */
#define QUOTE_MAX 64

static const char *str_at(uint16_t off)
{
    return &ecs_shape__strings[off >> ECS_SHAPE_ROW_SHIFT][off & (ECS_SHAPE_ROW - 1u)];
}

/* The hash that places member names in their structure's table; the
 * generator computes the same (tools/gen_shapes.py, name_hash). Bytes are
 * assembled explicitly so the result does not depend on byte order. */
static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)n;
    size_t i = 0;
    while (i < n) {
        size_t k, m = n - i < 8 ? n - i : 8;
        uint64_t w = 0;
        for (k = 0; k < m; k++)
            w |= (uint64_t)(unsigned char)s[i + k] << (8 * k);
        h = (h ^ w) * UINT64_C(0xBF58476D1CE4E5B9);
        h ^= h >> 31;
        i += m;
    }
    return h ^ (h >> 32);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                   */

int ecs_shape__action_input(const char *action, size_t len)
{
    size_t lo = 0, hi = ecs_shape__n_actions;

    if (action == NULL)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ecs_shape_action *a = &ecs_shape__actions[mid];
        size_t n = len < a->len ? len : a->len;
        int c = n == 0 ? 0 : memcmp(action, str_at(a->name), n);
        if (c == 0)
            c = len < a->len ? -1 : (len > a->len ? 1 : 0);
        if (c == 0)
            return (int)a->input;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

size_t ecs_shape__action_count(void)
{
    return ecs_shape__n_actions;
}

const char *ecs_shape__action_name(size_t i)
{
    return i < ecs_shape__n_actions ? str_at(ecs_shape__actions[i].name) : NULL;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */

typedef struct msg {
    char buf[ECS_API_MSG_SIZE];
    size_t len;
} msg;

/* Length of the longest prefix of s[0..n) within max bytes that does not
 * split a UTF-8 sequence (the input is valid UTF-8; messages must stay so). */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0u) == 0x80u)
        max--;
    return max;
}

static void put(msg *m, const char *s, size_t n)
{
    size_t room = sizeof m->buf - 1 - m->len;
    n = utf8_cut(s, n, room);
    if (n > 0)
        memcpy(m->buf + m->len, s, n);
    m->len += n;
    m->buf[m->len] = '\0';
}

static void put_str(msg *m, const char *s)
{
    put(m, s, strlen(s));
}

/* "s", quoted, at most QUOTE_MAX bytes of it. */
static void put_quoted(msg *m, const char *s, size_t n)
{
    size_t k = utf8_cut(s, n, QUOTE_MAX);
    put(m, "\"", 1);
    put(m, s, k);
    if (k < n)
        put(m, "...", 3);
    put(m, "\"", 1);
}

/* One of a comma-separated list of names; when the rest of the list cannot
 * fit, the list ends in "..." instead. */
static void put_list_item(msg *m, bool first, const char *s, size_t n)
{
    size_t room = sizeof m->buf - 1 - m->len;
    if (room < n + 2 + 5) {
        if (room >= 5 && (m->len < 5 || memcmp(m->buf + m->len - 5, ", ...", 5) != 0))
            put(m, first ? "..." : ", ...", first ? 3 : 5);
        return;
    }
    if (!first)
        put(m, ", ", 2);
    put(m, s, n);
}

static ecs_status fail(ecs_api_error *err, ecs_status status, const char *code, const msg *m)
{
    return ecs_api__fail(err, status, code, "%s", m->buf);
}

/* ------------------------------------------------------------------------ */
/* The walk                                                                  */

typedef struct frame {
    const ecs_json_val *obj; /* the array or object being walked */
    const ecs_json_val *at;  /* current element or member value; NULL before the first */
    const char *key;         /* objects: current member name */
    size_t key_len;
    size_t index; /* arrays: index of the current element */
    uint64_t seen; /* structures: required members seen, by req_bit */
    uint16_t shape;
} frame;

typedef struct walker {
    ecs_api_error *err;
    const ecs_json_doc *doc;
    size_t depth;
    frame st[ECS_SHAPE_MAX_DEPTH];
} walker;

/* The path to the current child of frame n - 1 ("" when n is 0). */
static void path_to(const walker *w, size_t n, ecs_path *p)
{
    size_t i;
    ecs_path__init(p);
    for (i = 0; i < n; i++) {
        const frame *f = &w->st[i];
        if (ecs_shape__nodes[f->shape].kind == ECS_SHAPE_LIST)
            (void)ecs_path__index(p, f->index);
        else
            (void)ecs_path__key(p, f->key, f->key_len);
    }
}

/* "<path>" for a member, "input" for the request itself. */
static void put_path(msg *m, const ecs_path *p)
{
    if (p->len == 0)
        put_str(m, "input");
    else
        put(m, p->buf, p->len);
}

static const char *expected_name(unsigned kind)
{
    switch ((enum ecs_shape_kind)kind) {
    case ECS_SHAPE_STRING:
        return "a string";
    case ECS_SHAPE_INTEGER:
    case ECS_SHAPE_LONG:
        return "an integer";
    case ECS_SHAPE_DOUBLE:
        return "a number";
    case ECS_SHAPE_BOOLEAN:
        return "a boolean";
    case ECS_SHAPE_TIMESTAMP:
        return "a timestamp (seconds since the epoch, as a number)";
    case ECS_SHAPE_LIST:
        return "a list (JSON array)";
    case ECS_SHAPE_MAP:
        return "a map (JSON object)";
    case ECS_SHAPE_STRUCT:
        return "a structure (JSON object)";
    default:
        return "a value";
    }
}

/* SerializationException for the current child of the top frame. */
static ecs_status fail_type(walker *w, unsigned kind, const char *got)
{
    ecs_path p;
    msg m = { { 0 }, 0 };
    path_to(w, w->depth, &p);
    put_str(&m, "Invalid type for parameter ");
    put_path(&m, &p);
    put_str(&m, ": expected ");
    put_str(&m, expected_name(kind));
    put_str(&m, ", got ");
    put_str(&m, got);
    return fail(w->err, ECS_E_PARSE, ECS_ERR_SERIALIZATION, &m);
}

static ecs_status fail_null(walker *w)
{
    ecs_path p;
    msg m = { { 0 }, 0 };
    path_to(w, w->depth, &p);
    put_str(&m, "Invalid value for parameter ");
    put_path(&m, &p);
    put_str(&m, ": null is not a value in the ECS API; leave the member out");
    return fail(w->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, &m);
}

static ecs_status fail_enum(walker *w, const char *what, const char *s, size_t n, unsigned e)
{
    ecs_path p;
    msg m = { { 0 }, 0 };
    const ecs_shape_enum *en = &ecs_shape__enums[e];
    size_t i;
    path_to(w, w->depth, &p);
    put_str(&m, "Invalid value for ");
    put_str(&m, what);
    put_path(&m, &p);
    put_str(&m, ": ");
    put_quoted(&m, s, n);
    put_str(&m, ", must be one of: ");
    for (i = 0; i < en->count; i++) {
        const ecs_shape_text *v = &ecs_shape__enum_values[en->first + i];
        put_list_item(&m, i == 0, str_at(v->str), v->len);
    }
    return fail(w->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, &m);
}

static ecs_status fail_unknown(walker *w, const ecs_shape_node *node)
{
    ecs_path p;
    msg m = { { 0 }, 0 };
    const frame *f = &w->st[w->depth - 1];
    size_t i;
    path_to(w, w->depth - 1, &p);
    put_str(&m, "Unknown parameter in ");
    put_path(&m, &p);
    put_str(&m, ": ");
    put_quoted(&m, f->key, f->key_len);
    put_str(&m, ", must be one of: ");
    for (i = 0; i < node->b; i++) {
        const ecs_shape_member *mem = &ecs_shape__members[node->a + i];
        put_list_item(&m, i == 0, str_at(mem->name), mem->len);
    }
    return fail(w->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, &m);
}

static ecs_status fail_missing(walker *w, const ecs_shape_node *node, uint64_t missing)
{
    ecs_path p;
    msg m = { { 0 }, 0 };
    size_t i;
    unsigned bit = 0;
    while (bit < 63 && !(missing & ((uint64_t)1 << bit)))
        bit++;
    path_to(w, w->depth - 1, &p);
    put_str(&m, "Missing required parameter in ");
    put_path(&m, &p);
    put_str(&m, ": ");
    for (i = 0; i < node->b; i++) {
        const ecs_shape_member *mem = &ecs_shape__members[node->a + i];
        if (mem->req_bit == bit) {
            put_quoted(&m, str_at(mem->name), mem->len);
            break;
        }
    }
    return fail(w->err, ECS_E_INVALID_ARG, ECS_ERR_INVALID_PARAMETER, &m);
}

static ecs_status fail_internal(walker *w, const char *what)
{
    return ecs_api__fail(w->err, ECS_E_INTERNAL, ECS_ERR_SERVER, "request check: %s", what);
}

/* The member of structure node named key, or NULL. */
static const ecs_shape_member *find_member(const ecs_shape_node *node, const char *key,
                                           size_t len)
{
    const uint16_t *slots = ecs_shape__member_slots + node->slots;
    size_t mask = ((size_t)1 << node->bits) - 1u;
    size_t i;

    if (len > UINT8_MAX)
        return NULL; /* longer than any member name */
    i = (size_t)name_hash(key, len) & mask;
    for (;;) {
        const ecs_shape_member *m;
        if (slots[i] == ECS_SHAPE_NO_MEMBER)
            return NULL;
        m = &ecs_shape__members[slots[i]];
        if (m->len == len && (len == 0 || memcmp(str_at(m->name), key, len) == 0))
            return m;
        i = (i + 1u) & mask;
    }
}

static bool enum_has(unsigned e, const char *s, size_t n)
{
    const ecs_shape_enum *en = &ecs_shape__enums[e];
    size_t i;
    for (i = 0; i < en->count; i++) {
        const ecs_shape_text *v = &ecs_shape__enum_values[en->first + i];
        if (v->len == n && (n == 0 || memcmp(str_at(v->str), s, n) == 0))
            return true;
    }
    return false;
}

static ecs_status push(walker *w, const ecs_json_val *v, uint16_t shape)
{
    frame *f;
    if (w->depth == ECS_SHAPE_MAX_DEPTH)
        return ecs_api__fail(w->err, ECS_E_LIMIT, ECS_ERR_SERIALIZATION,
                             "request nests deeper than any ECS request shape");
    f = &w->st[w->depth++];
    f->obj = v;
    f->at = NULL;
    f->key = NULL;
    f->key_len = 0;
    f->index = 0;
    f->seen = 0;
    f->shape = shape;
    return ECS_OK;
}

/* Check value v, the current child of the top frame, against shape; lists,
 * maps and structures are pushed, to be walked by the caller. */
static ecs_status check_value(walker *w, const ecs_json_val *v, uint16_t shape)
{
    const ecs_shape_node *node = &ecs_shape__nodes[shape];
    ecs_json_type t = ecs_json_type_of(v);
    int64_t i64 = 0;
    ecs_status rc;

    if (t == ECS_JSON_NULL)
        return fail_null(w);
    switch ((enum ecs_shape_kind)node->kind) {
    case ECS_SHAPE_STRING:
        if (t != ECS_JSON_STRING)
            return fail_type(w, node->kind, ecs_json_type_name(t));
        if (node->a != 0) {
            size_t n = 0;
            const char *s = ecs_json_str(w->doc, v, &n);
            if (s == NULL)
                return fail_internal(w, "unreadable string");
            if (!enum_has(node->a - 1u, s, n))
                return fail_enum(w, "parameter ", s, n, node->a - 1u);
        }
        return ECS_OK;
    case ECS_SHAPE_INTEGER:
    case ECS_SHAPE_LONG:
        if (t != ECS_JSON_INT && t != ECS_JSON_DOUBLE)
            return fail_type(w, node->kind, ecs_json_type_name(t));
        rc = ecs_json_get_int(v, &i64);
        if (rc == ECS_E_LIMIT)
            return fail_type(w, node->kind, "an integer beyond 64 bits");
        if (rc < 0)
            return fail_type(w, node->kind, "a number with a fraction or exponent");
        if (node->kind == ECS_SHAPE_INTEGER && (i64 < INT32_MIN || i64 > INT32_MAX))
            return fail_type(w, node->kind, "an integer beyond 32 bits");
        return ECS_OK;
    case ECS_SHAPE_DOUBLE:
    case ECS_SHAPE_TIMESTAMP:
        if (t != ECS_JSON_INT && t != ECS_JSON_DOUBLE)
            return fail_type(w, node->kind, ecs_json_type_name(t));
        return ECS_OK;
    case ECS_SHAPE_BOOLEAN:
        if (t != ECS_JSON_TRUE && t != ECS_JSON_FALSE)
            return fail_type(w, node->kind, ecs_json_type_name(t));
        return ECS_OK;
    case ECS_SHAPE_LIST:
        if (t != ECS_JSON_ARRAY)
            return fail_type(w, node->kind, ecs_json_type_name(t));
        return push(w, v, shape);
    case ECS_SHAPE_MAP:
    case ECS_SHAPE_STRUCT:
        if (t != ECS_JSON_OBJECT)
            return fail_type(w, node->kind, ecs_json_type_name(t));
        return push(w, v, shape);
    default:
        return fail_internal(w, "bad shape table");
    }
}

ecs_status ecs_shape__check(ecs_api_error *err, const ecs_json_doc *doc, const ecs_json_val *val,
                            int shape)
{
    walker w;
    ecs_status rc;

    if (doc == NULL || shape < 0 || shape >= (int)ecs_shape__n_nodes ||
        ecs_shape__nodes[shape].kind != ECS_SHAPE_STRUCT)
        return ecs_api__fail(err, ECS_E_INVALID_ARG, ECS_ERR_SERVER,
                             "request check: no document or no such input shape");
    if (ecs_json_type_of(val) != ECS_JSON_OBJECT)
        return ecs_api__fail(err, ECS_E_PARSE, ECS_ERR_SERIALIZATION,
                             "The request must be a JSON object, got %s",
                             val == NULL ? "nothing" : ecs_json_type_name(ecs_json_type_of(val)));
    w.err = err;
    w.doc = doc;
    w.depth = 0;
    rc = push(&w, val, (uint16_t)shape);

    while (rc == ECS_OK && w.depth > 0) {
        frame *f = &w.st[w.depth - 1];
        const ecs_shape_node *node = &ecs_shape__nodes[f->shape];
        const ecs_json_val *v = NULL;
        uint16_t child;

        if (node->kind == ECS_SHAPE_LIST) {
            if (f->at == NULL) {
                v = ecs_json_first(f->obj);
            } else {
                v = ecs_json_next(f->obj, f->at);
                f->index++;
            }
            child = node->a;
        } else {
            const ecs_json_val *name =
                f->at == NULL ? ecs_json_first(f->obj) : ecs_json_next(f->obj, f->at);
            child = node->b; /* maps; structures look the member up below */
            if (name != NULL) {
                f->key = ecs_json_str(doc, name, &f->key_len);
                v = ecs_json_next(f->obj, name);
                if (f->key == NULL || v == NULL) {
                    rc = fail_internal(&w, "malformed object");
                    break;
                }
            }
        }

        if (v == NULL) {
            /* the container is done */
            if (node->kind == ECS_SHAPE_STRUCT && node->nreq > 0) {
                uint64_t all = node->nreq >= 64 ? ~(uint64_t)0
                                                : (((uint64_t)1 << node->nreq) - 1u);
                if ((f->seen & all) != all) {
                    rc = fail_missing(&w, node, all & ~f->seen);
                    break;
                }
            }
            w.depth--;
            continue;
        }
        f->at = v;

        if (node->kind == ECS_SHAPE_STRUCT) {
            const ecs_shape_member *m = find_member(node, f->key, f->key_len);
            if (m == NULL) {
                rc = fail_unknown(&w, node);
                break;
            }
            if (m->req_bit != ECS_SHAPE_NOT_REQUIRED)
                f->seen |= (uint64_t)1 << m->req_bit;
            child = m->shape;
        } else if (node->kind == ECS_SHAPE_MAP) {
            const ecs_shape_node *key = &ecs_shape__nodes[node->a];
            if (key->kind == ECS_SHAPE_STRING && key->a != 0 &&
                !enum_has(key->a - 1u, f->key, f->key_len)) {
                rc = fail_enum(&w, "key of ", f->key, f->key_len, key->a - 1u);
                break;
            }
        }
        rc = check_value(&w, v, child);
    }
    return rc;
}
