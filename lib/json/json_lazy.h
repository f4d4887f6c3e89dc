/*
 * Lazy arrays (library-internal, for the floors above lib/json/): reading a
 * very large document without holding all of it as a tree. The snapshot
 * reader uses them for a cluster's instances and tasks, which are nearly
 * all of a large snapshot.
 */
#ifndef ECS_JSON_LAZY_H
#define ECS_JSON_LAZY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/json.h"
#include "util/ctx_internal.h"

/* An array the parser skipped instead of reading (ecs_json__parse_lazy):
 * the tree shows it empty; its text stays in the caller's input. */
typedef struct ecs_json_lazy {
    size_t slot;                  /* index of the array's slot */
    size_t off, len;              /* its text in the input, '[' to ']' */
    size_t count;                 /* top-level commas + 1, or 0 when empty */
    uint32_t depth;               /* its nesting depth (the root is 1) */
} ecs_json_lazy;

/*
 * Parse like ecs_json_parse() except that an array which is the value of a
 * member named one of `keys` (a NULL-ended list) in an object at nesting
 * depth `depth` (the root is depth 1) is only scanned for its end and its
 * element count (and must close with ']'). The tree shows such an array
 * empty; its text stays in `data`, which must outlive reading it. Its
 * elements are then parsed one at a time with ecs_json_elems, each into the
 * same small document and checked as strictly as ecs_json_parse() would
 * have, the depth limit counted from the root (errors give offsets in the
 * whole input).
 */
ecs_status ecs_json__parse_lazy(ecs_ctx *ctx, const char *data, size_t len, size_t max_bytes,
                                const char *const *keys, uint32_t depth, ecs_json_doc **out);

/* The lazy array at val (from ecs_json__parse_lazy), or NULL when val is
 * an ordinary value. */
const ecs_json_lazy *ecs_json__lazy_of(const ecs_json_doc *doc, const ecs_json_val *val);

/* An open container while parsing (the parser's stack). */
typedef struct ecs_json_frame {
    size_t slot;                  /* its first slot */
    size_t count;                 /* elements, or members, so far */
    bool is_obj;
} ecs_json_frame;

typedef struct ecs_json_elems {
    ecs_ctx *ctx;
    const unsigned char *in;      /* the whole input */
    size_t pos, end;              /* next byte; one past the closing ']' */
    bool done;
    ecs_json_doc *doc;            /* holds the current element */
    ecs_json_frame *stack;
    size_t stack_cap;
    uint32_t max_depth;
    uint32_t depth_base;          /* the lazy array's depth: elements nest below it */
} ecs_json_elems;

/* Begin reading the elements of the lazy array lz of `input` (the text
 * given to ecs_json__parse_lazy). ECS_E_NOMEM on failure; call
 * ecs_json__elems_end() either way. */
ecs_status ecs_json__elems_begin(ecs_ctx *ctx, const char *input, const ecs_json_lazy *lz,
                                 ecs_json_elems *it);
/* The next element in *out (valid until the next call), or *out NULL after
 * the last one; a parse error in the element or between elements fails. */
ecs_status ecs_json__elems_next(ecs_json_elems *it, const ecs_json_doc **doc,
                                const ecs_json_val **out);
void ecs_json__elems_end(ecs_json_elems *it);

/* The first (up to) max elements of array arr into out, in one pass;
 * returns how many there are in all (0 when arr is not an array). */
size_t ecs_json__elements(const ecs_json_val *arr, const ecs_json_val **out, size_t max);

#endif /* ECS_JSON_LAZY_H */
