/*
 * The layout of the generated shape tables (lib/api/shapes_gen.c, written
 * by tools/gen_shapes.py) as lib/api/shape_check.c reads them. Both files
 * include this header, so the two always agree; the generator checks the
 * #defines it depends on against this file.
 */
#ifndef ECS_API_SHAPE_TABLE_H
#define ECS_API_SHAPE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define ECS_SHAPE_ROW 2048      /* bytes per row of ecs_shape__strings */
#define ECS_SHAPE_ROW_SHIFT 11  /* log2(ECS_SHAPE_ROW) */
#define ECS_SHAPE_MAX_DEPTH 24  /* deepest nesting of containers a shape may have */
#define ECS_SHAPE_NOT_REQUIRED 0xFFu
#define ECS_SHAPE_NO_MEMBER 0xFFFFu /* an empty slot of a member hash table */

enum ecs_shape_kind {
    ECS_SHAPE_STRING = 0,    /* a: enum index + 1, or 0 for any string */
    ECS_SHAPE_INTEGER = 1,   /* 32-bit */
    ECS_SHAPE_LONG = 2,      /* 64-bit */
    ECS_SHAPE_DOUBLE = 3,    /* double and float */
    ECS_SHAPE_BOOLEAN = 4,
    ECS_SHAPE_TIMESTAMP = 5, /* a number: seconds since the epoch */
    ECS_SHAPE_LIST = 6,      /* a: element shape */
    ECS_SHAPE_MAP = 7,       /* a: key shape, b: value shape */
    ECS_SHAPE_STRUCT = 8     /* a: first member, b: member count, nreq: required
                                count, slots/bits: its hash table of members */
};

/* Strings are named by an offset: row << ECS_SHAPE_ROW_SHIFT | column; each
 * is NUL-terminated and lies within one row. */
typedef struct ecs_shape_node {
    uint8_t kind; /* enum ecs_shape_kind */
    uint8_t nreq;
    uint8_t bits; /* the hash table has 1 << bits slots */
    uint16_t a;
    uint16_t b;
    uint16_t slots; /* first slot in ecs_shape__member_slots */
} ecs_shape_node;

typedef struct ecs_shape_member {
    uint16_t name;   /* string offset */
    uint16_t shape;  /* node index */
    uint8_t len;     /* name length in bytes */
    uint8_t req_bit; /* bit in the required mask, or ECS_SHAPE_NOT_REQUIRED */
} ecs_shape_member;

typedef struct ecs_shape_enum {
    uint16_t name;  /* string offset */
    uint16_t first; /* into ecs_shape__enum_values */
    uint16_t count;
} ecs_shape_enum;

typedef struct ecs_shape_text {
    uint16_t str; /* string offset */
    uint16_t len;
} ecs_shape_text;

typedef struct ecs_shape_action {
    uint16_t name; /* string offset */
    uint16_t len;
    uint16_t input; /* node index of the input structure */
} ecs_shape_action;

extern const char ecs_shape__strings[][ECS_SHAPE_ROW];
extern const uint16_t ecs_shape__n_nodes;
extern const ecs_shape_node ecs_shape__nodes[];
/* Structure members in model order; [a, a + b) belongs to structure node. */
extern const ecs_shape_member ecs_shape__members[];
/* Per structure, 1 << bits slots from `slots`: member indexes placed by
 * name_hash() with linear probing, or ECS_SHAPE_NO_MEMBER; at least half
 * of each table is empty, so every probe sequence ends. */
extern const uint16_t ecs_shape__member_slots[];
extern const uint16_t ecs_shape__n_enums;
extern const ecs_shape_enum ecs_shape__enums[];
extern const ecs_shape_text ecs_shape__enum_values[];
/* Sorted bytewise by name. */
extern const uint16_t ecs_shape__n_actions;
extern const ecs_shape_action ecs_shape__actions[];

#endif /* ECS_API_SHAPE_TABLE_H */
