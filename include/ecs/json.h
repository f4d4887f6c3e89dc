/**
 * @file ecs/json.h
 * @brief libecs's strict RFC 8259 JSON reader and writer.
 *
 * This is the only JSON code libecs uses; it is public so that hosts and the
 * tools shipped with libecs can read and write the documents the control
 * plane speaks without another JSON library.
 *
 * Reading: ecs_json_parse() turns a buffer (pointer plus length; never
 * assumed NUL-terminated) into an immutable document. It accepts exactly the
 * RFC 8259 grammar: UTF-8 is validated (overlong forms, surrogates encoded in
 * UTF-8 and code points above U+10FFFF are rejected), every escape is decoded
 * (a \\u escape of a lone surrogate is rejected), a byte order mark is
 * rejected, only space, tab, LF and CR are whitespace, and nothing but
 * whitespace may follow the value. Nesting depth and input size are limited
 * (see ecs_json_parse_options); the parser does not recurse, so no input can
 * overflow the stack.
 *
 * Numbers: a number without fraction or exponent whose value fits int64 is an
 * ECS_JSON_INT and is exact. Any other number is an ECS_JSON_DOUBLE, rounded
 * correctly (round half to even) from its full decimal text; an integer
 * literal beyond int64 is kept that way too and ecs_json_get_int() reports it
 * as out of range. Numbers whose magnitude exceeds the largest double are
 * rejected (ECS_E_LIMIT); numbers too small for a double become zero or a
 * subnormal as rounding gives.
 *
 * Objects keep their members in input order, duplicates included: RFC 8259
 * allows duplicate names. ecs_json_obj_get() returns the LAST member with a
 * given name, as JavaScript's JSON.parse and most server-side parsers do;
 * iterate with ecs_json_first()/ecs_json_next() to see every member.
 *
 * Writing: an ecs_json_writer builds a document from calls (object and array
 * begin/end, keys, scalars, or whole parsed values) into a growing buffer,
 * compact or indented, always valid UTF-8 JSON: strings are checked, control
 * characters and quotes are escaped, integers are exact, doubles are written
 * in the shortest form that reads back to the same double, and members stay
 * in the order they were written. Misuse (a value where a key belongs, an end
 * that does not match) is an error. Errors are sticky: after the first
 * failure every call returns it and changes nothing, so a builder may check
 * once, at ecs_json_writer_result().
 *
 * Ownership: a document and a writer belong to the context they were made
 * with and are freed with ecs_json_doc_free() / ecs_json_writer_free() before
 * it. Values and strings read from a document borrow from it and stay valid
 * until the document is freed. The parser copies what it needs from the
 * input; the input may be freed as soon as ecs_json_parse() returns.
 */
#ifndef ECS_JSON_H
#define ECS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecs/context.h"
#include "ecs/export.h"
#include "ecs/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The kinds of JSON value. */
typedef enum ecs_json_type {
    ECS_JSON_NULL = 0,
    ECS_JSON_FALSE = 1,
    ECS_JSON_TRUE = 2,
    ECS_JSON_INT = 3,    /**< Integer literal that fits int64. */
    ECS_JSON_DOUBLE = 4, /**< Any other number. */
    ECS_JSON_STRING = 5,
    ECS_JSON_ARRAY = 6,
    ECS_JSON_OBJECT = 7
} ecs_json_type;

/** A parsed document (opaque). */
typedef struct ecs_json_doc ecs_json_doc;
/** A value inside a document (opaque; only ever handled through pointers). */
typedef struct ecs_json_val ecs_json_val;

/**
 * Options for ecs_json_parse(). Start from ECS_JSON_PARSE_OPTIONS_INIT.
 * Zero means "the context's limit" (see ecs_ctx_options).
 */
typedef struct ecs_json_parse_options {
    uint32_t struct_size; /**< sizeof(ecs_json_parse_options). */
    uint32_t max_depth;   /**< Deepest nesting of arrays and objects accepted. */
    size_t max_bytes;     /**< Largest input accepted, at most ECS_MAX_JSON_BYTES. */
} ecs_json_parse_options;

#define ECS_JSON_PARSE_OPTIONS_INIT { (uint32_t)sizeof(ecs_json_parse_options), 0u, 0u }

/** Longest string value or member name a document can hold (512 MiB - 1). */
#define ECS_JSON_MAX_STRING_BYTES ((size_t)0x1FFFFFFFu)

/**
 * Parse one JSON text.
 *
 * @param ctx   Context: allocator, default limits, error detail.
 * @param data  The text; may be NULL only when len is 0. Not NUL-terminated.
 * @param len   Its length in bytes.
 * @param opts  Limits, or NULL for the context's.
 * @param out   Receives the document; untouched on failure.
 * @return ECS_OK; ECS_E_PARSE (not JSON: the context's message gives the
 *         reason and ecs_ctx_errpos() the byte offset, line and column);
 *         ECS_E_LIMIT (too deep, too large, a string too long, or a number
 *         beyond the range of a double, again with its position);
 *         ECS_E_INVALID_ARG (NULL out, NULL data with len > 0, options
 *         struct_size unset or max_bytes above ECS_MAX_JSON_BYTES);
 *         ECS_E_NOMEM.
 */
ECS_API ecs_status ecs_json_parse(ecs_ctx *ctx, const char *data, size_t len,
                                  const ecs_json_parse_options *opts, ecs_json_doc **out);

/** Free a document and everything read from it. NULL is fine. */
ECS_API void ecs_json_doc_free(ecs_json_doc *doc);

/** The top-level value of a document; NULL when doc is NULL. */
ECS_API const ecs_json_val *ecs_json_root(const ecs_json_doc *doc);

/** Bytes the document holds from its allocator (for accounting). */
ECS_API size_t ecs_json_doc_memory(const ecs_json_doc *doc);

/** The type of a value. NULL gives ECS_JSON_NULL. */
ECS_API ecs_json_type ecs_json_type_of(const ecs_json_val *val);

/** A short name for a type: "null", "boolean", "integer", "number",
 *  "string", "array", "object". Static text. */
ECS_API const char *ecs_json_type_name(ecs_json_type type);

/** Number of elements of an array or members of an object; 0 for others. */
ECS_API size_t ecs_json_len(const ecs_json_val *val);

/**
 * Iteration. For an array, ecs_json_first() gives the first element and
 * ecs_json_next() each following one. For an object they give the first
 * member's NAME (a string value); ecs_json_next() of a name is its value, and
 * of a value the next member's name. Both return NULL at the end, and for
 * scalars. Each step is O(1).
 */
ECS_API const ecs_json_val *ecs_json_first(const ecs_json_val *container);
/** See ecs_json_first(). @p container is the array or object being walked. */
ECS_API const ecs_json_val *ecs_json_next(const ecs_json_val *container, const ecs_json_val *val);

/** Element @p index of an array (O(index)); NULL when out of range or not an array. */
ECS_API const ecs_json_val *ecs_json_arr_get(const ecs_json_val *arr, size_t index);

/**
 * The value of the last member of @p obj named exactly (byte for byte) @p key.
 * @return NULL when there is none, or obj is not an object.
 */
ECS_API const ecs_json_val *ecs_json_obj_get(const ecs_json_doc *doc, const ecs_json_val *obj,
                                             const char *key, size_t key_len);

/**
 * A string value's bytes (valid UTF-8, NUL-terminated for convenience, but
 * it may contain NUL characters: use *out_len).
 * @param out_len  Receives the length in bytes; may be NULL.
 * @return NULL when val is not a string.
 */
ECS_API const char *ecs_json_str(const ecs_json_doc *doc, const ecs_json_val *val, size_t *out_len);

/** true for ECS_JSON_TRUE, false for anything else. */
ECS_API bool ecs_json_is_true(const ecs_json_val *val);

/**
 * An integer value.
 * @return ECS_OK; ECS_E_LIMIT when val was an integer literal beyond int64;
 *         ECS_E_INVALID_ARG when it is not an integer (a double such as 1.0
 *         included). *out is untouched on failure. No context message.
 */
ECS_API ecs_status ecs_json_get_int(const ecs_json_val *val, int64_t *out);

/**
 * Any number as a double (an integer converts with rounding above 2^53).
 * @return ECS_OK or ECS_E_INVALID_ARG (not a number); *out untouched then.
 */
ECS_API ecs_status ecs_json_get_double(const ecs_json_val *val, double *out);

/* ------------------------------------------------------------------------ */
/* Writer                                                                    */

typedef struct ecs_json_writer ecs_json_writer;

/** Writer flags. */
#define ECS_JSON_W_F_INDENT 0x1u /**< Two-space indentation and newlines. */

/**
 * Make a writer.
 * @param ctx    Context: allocator and error detail.
 * @param flags  ECS_JSON_W_F_* bits; 0 for compact output.
 * @param out    Receives the writer; untouched on failure.
 * @return ECS_OK, ECS_E_INVALID_ARG (unknown flag, NULL), ECS_E_NOMEM.
 */
ECS_API ecs_status ecs_json_writer_new(ecs_ctx *ctx, uint32_t flags, ecs_json_writer **out);

/** Free a writer and its buffer. NULL is fine. */
ECS_API void ecs_json_writer_free(ecs_json_writer *w);

/** Empty the writer (keeping its buffer) and clear a sticky error. */
ECS_API void ecs_json_writer_reset(ecs_json_writer *w);

/*
 * Each of the following returns ECS_OK or the writer's first error:
 * ECS_E_STATE (the call does not fit where the writer is: a value where a
 * member name is due, a name outside an object, an end that does not match,
 * anything after the top-level value is complete), ECS_E_INVALID_ARG
 * (a string that is not valid UTF-8, a double that is not finite),
 * ECS_E_LIMIT (nesting deeper than the context's JSON depth limit, or output
 * beyond ECS_MAX_JSON_BYTES), ECS_E_NOMEM. The context gets the message.
 */
ECS_API ecs_status ecs_json_write_obj_begin(ecs_json_writer *w);
ECS_API ecs_status ecs_json_write_obj_end(ecs_json_writer *w);
ECS_API ecs_status ecs_json_write_arr_begin(ecs_json_writer *w);
ECS_API ecs_status ecs_json_write_arr_end(ecs_json_writer *w);
/** A member name; must be followed by its value. */
ECS_API ecs_status ecs_json_write_key(ecs_json_writer *w, const char *key, size_t len);
ECS_API ecs_status ecs_json_write_str(ecs_json_writer *w, const char *s, size_t len);
ECS_API ecs_status ecs_json_write_int(ecs_json_writer *w, int64_t v);
ECS_API ecs_status ecs_json_write_uint(ecs_json_writer *w, uint64_t v);
ECS_API ecs_status ecs_json_write_double(ecs_json_writer *w, double v);
ECS_API ecs_status ecs_json_write_bool(ecs_json_writer *w, bool v);
ECS_API ecs_status ecs_json_write_null(ecs_json_writer *w);
/** Copy a parsed value (and everything inside it) from a document. */
ECS_API ecs_status ecs_json_write_val(ecs_json_writer *w, const ecs_json_doc *doc,
                                      const ecs_json_val *val);

/**
 * The finished text.
 * @param w        The writer; its top-level value must be complete.
 * @param out      Receives a pointer to the text, NUL-terminated, owned by the
 *                 writer, valid until its next call.
 * @param out_len  Receives the length without the terminator; may be NULL.
 * @return ECS_OK, the sticky error, or ECS_E_STATE (nothing written yet or a
 *         container still open).
 */
ECS_API ecs_status ecs_json_writer_result(ecs_json_writer *w, const char **out, size_t *out_len);

/**
 * Write a whole parsed value in one call (convenience over a writer).
 * @param ctx    Context.
 * @param doc    Document that holds val.
 * @param val    Value to write (for example ecs_json_root(doc)).
 * @param flags  ECS_JSON_W_F_* bits.
 * @param out      Receives a NUL-terminated buffer from the context's
 *                 allocator; free it with ecs_json_text_free().
 * @param out_len  Receives its length without the terminator.
 * @return As the writer's calls; outputs untouched on failure.
 */
ECS_API ecs_status ecs_json_write_text(ecs_ctx *ctx, const ecs_json_doc *doc,
                                       const ecs_json_val *val, uint32_t flags, char **out,
                                       size_t *out_len);

/** Free a buffer from ecs_json_write_text(); len is its *out_len. NULL is fine. */
ECS_API void ecs_json_text_free(ecs_ctx *ctx, char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* ECS_JSON_H */
