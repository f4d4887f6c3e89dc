/*
 * The in-memory form of a parsed JSON document, shared by the parser, the
 * readers and the writer.
 *
 * A document is a flat array of 64-bit slots in document order (each
 * container is followed by its children), plus one pool holding the decoded
 * bytes of every string, each NUL-terminated. A value is a pointer to its
 * first slot. Low three bits of a slot give the type:
 *
 *   NULL, FALSE, TRUE   1 slot.
 *   INT                 bit 3 clear: value in bits 4..63 (signed, 60 bits),
 *                       1 slot; bit 3 set: value in the next slot, 2 slots.
 *   DOUBLE              bit 3 set when the text was an integer beyond int64;
 *                       the IEEE bits in the next slot; 2 slots.
 *   STRING              bits 3..31 length, bits 32..63 pool offset; 1 slot.
 *   ARRAY, OBJECT       bits 3..63 element/member count; the next slot holds
 *                       the number of slots of all children; 2 + that slots.
 *                       An object's children are name, value, name, value...
 *
 * At about 10 input bytes per token in typical documents, 8-byte slots and
 * a pool no larger than the strings themselves keep a tree well under twice
 * its input.
 */
#ifndef ECS_JSON_INTERNAL_H
#define ECS_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/json.h"
#include "json/json_lazy.h"
#include "util/ctx_internal.h"

struct ecs_json_val {
    uint64_t w;
};

struct ecs_json_doc {
    ecs_ctx *ctx;
    ecs_json_val *slots;
    size_t nslots;
    size_t slots_cap;
    char *pool;
    size_t pool_len;
    size_t pool_cap;
    ecs_json_lazy *lazy;          /* ascending slot order */
    size_t nlazy, lazy_cap;
};

#define JV_TYPE(v) ((ecs_json_type)((v)->w & 7u))
#define JV_FLAG 0x8u
#define JV_INLINE_INT_MIN (-((int64_t)1 << 59))
#define JV_INLINE_INT_MAX (((int64_t)1 << 59) - 1)

/* Number of slots that the value at v occupies, children included. */
static inline size_t ecs_json__slots_of(const ecs_json_val *v)
{
    switch (JV_TYPE(v)) {
    case ECS_JSON_NULL:
    case ECS_JSON_FALSE:
    case ECS_JSON_TRUE:
    case ECS_JSON_STRING:
        return 1;
    case ECS_JSON_INT:
        return (v->w & JV_FLAG) ? 2 : 1;
    case ECS_JSON_DOUBLE:
        return 2;
    case ECS_JSON_ARRAY:
    case ECS_JSON_OBJECT:
        return 2 + (size_t)v[1].w;
    }
    return 1;
}

/*
 * Convert the text of a JSON number (already checked against the RFC 8259
 * grammar) to the nearest double, ties to even. Returns false when the
 * magnitude is beyond the largest finite double.
 */
bool ecs_json__number_to_double(const char *text, size_t len, double *out);

/*
 * Write a finite double in the shortest form that reads back (through
 * ecs_json__number_to_double) to the same double, always with a fraction or
 * exponent so it reads back as a double. buf must hold 32 bytes; returns the
 * length written (no NUL).
 */
size_t ecs_json__format_double(double v, char *buf);

/* Length of a valid UTF-8 sequence starting at s (n >= 1 bytes there), or
 * 0: overlong forms, UTF-16 surrogates and code points above U+10FFFF are
 * not valid. */
static inline size_t ecs_json__utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* UTF-16 surrogates */
        return (n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
        return (n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
                (s[3] & 0xC0) == 0x80)
                   ? 4
                   : 0;
    }
    return 0;
}

#endif /* ECS_JSON_INTERNAL_H */
