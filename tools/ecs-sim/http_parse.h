/*
 * The HTTP/1.1 request parser of ecs-sim's server: pure functions over a
 * byte buffer (no I/O, no allocation), so the fuzzer can drive it alone.
 *
 * The server first looks for the end of the header section with
 * sim_http_head_end() as bytes arrive, then parses that section once with
 * sim_http_parse_head(). Parsed pieces point into the caller's buffer.
 */
#ifndef ECS_SIM_HTTP_PARSE_H
#define ECS_SIM_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most header fields one request may carry (more: 431). */
#define SIM_HTTP_MAX_FIELDS 100u
/** Longest method and request-target accepted (longer: 400 and 414). */
#define SIM_HTTP_MAX_METHOD 32u
#define SIM_HTTP_MAX_TARGET 8192u

typedef struct sim_http_field {
    const char *name;  /**< As sent (compare without case). */
    size_t name_len;
    const char *value; /**< Without leading and trailing whitespace. */
    size_t value_len;
} sim_http_field;

typedef struct sim_http_request {
    const char *method;
    size_t method_len;
    const char *target; /**< The request-target as sent. */
    size_t target_len;
    const char *path;   /**< Its path: "/" for an absolute-form target without one. */
    size_t path_len;
    const char *query;  /**< After '?', without it; NULL when there is no '?'. */
    size_t query_len;
    unsigned version_minor; /**< 0 or 1 for HTTP/1.0, HTTP/1.1 (others: 1..9 are 1.x). */
    sim_http_field fields[SIM_HTTP_MAX_FIELDS];
    size_t nfields;
    uint64_t content_length;  /**< 0 when absent. */
    bool has_content_length;
    bool keep_alive;          /**< The connection may carry another request. */
    bool expect_continue;     /**< "Expect: 100-continue". */
} sim_http_request;

/**
 * Find the end of the header section (the first empty line) in buf[0..len).
 * @param scan_from  In: where a previous call on the same buffer stopped
 *                   (0 at first); out: where the next call may resume, so
 *                   feeding bytes one at a time stays linear.
 * @return The length of the head, blank line included, or 0 when it has
 *         not arrived yet.
 */
size_t sim_http_head_end(const char *buf, size_t len, size_t *scan_from);

/**
 * Parse a request head (request line and header fields, ending with its
 * blank line, as sim_http_head_end() measured it).
 * @param why  Receives a static explanation on failure.
 * @return 0, or the HTTP status to answer with: 400 (malformed), 414
 *         (request-target too long), 417 (an expectation other than
 *         100-continue), 431 (too many fields), 501 (a transfer coding),
 *         505 (not HTTP/1.x). After a failure the connection cannot be
 *         trusted to be framed and must be closed after the answer.
 */
int sim_http_parse_head(const char *buf, size_t head_len, sim_http_request *out, const char **why);

/** The first field named `name` (lower case, compared without case), or NULL. */
const sim_http_field *sim_http_field_get(const sim_http_request *req, const char *name);

/** Number of fields named `name`. */
size_t sim_http_field_count(const sim_http_request *req, const char *name);

/** Whether a[0..alen) equals the NUL-terminated lower-case b without regard to case. */
bool sim_http_eq_nocase(const char *a, size_t alen, const char *b);

/** The reason phrase of a status code ("OK", "Bad Request", ...). */
const char *sim_http_reason(int status);

#endif
