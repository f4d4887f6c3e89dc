/*
 * AWS Signature Version 4, the server's side: rebuild the canonical request
 * from what arrived, derive the signing key from the secret of the access
 * key named in the Authorization header, and compare signatures. Pure
 * functions: the caller passes the wall clock.
 */
#ifndef ECS_SIM_SIGV4_H
#define ECS_SIM_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"
#include "sha256.h"

/** An access key and its secret. */
typedef struct sim_credential {
    const char *access_key;
    const char *secret;
} sim_credential;

typedef struct sim_sigv4_config {
    const sim_credential *creds; /**< Accepted keys. */
    size_t ncreds;
    const char *const *regions;  /**< Regions a credential scope may name. */
    size_t nregions;
    const char *service;         /**< Service of the scope: "ecs". */
    int64_t max_skew_s;          /**< How far X-Amz-Date may be from now (900). */
} sim_sigv4_config;

/** Why a request was refused. */
typedef struct sim_sigv4_error {
    int status;       /**< HTTP status: 400 or 403. */
    const char *code; /**< __type: MissingAuthenticationTokenException, ... */
    char message[320];
} sim_sigv4_error;

/**
 * Check the signature of a request.
 * @param body, body_len  The request body as received.
 * @param now_s           Wall clock, seconds since the Unix epoch.
 * @param err             Filled on refusal.
 * @return true when the request carries a valid signature by a known key.
 */
bool sim_sigv4_check(const sim_sigv4_config *cfg, const sim_http_request *req, const char *body,
                     size_t body_len, int64_t now_s, sim_sigv4_error *err);

/**
 * The canonical request of `req` for the lower-case, ';'-separated signed
 * header list, with the given hex payload hash, in a malloc()ed buffer the
 * caller frees. NULL when a signed header is absent, the list is not
 * ascending, or memory runs out.
 */
char *sim_sigv4_canonical_request(const sim_http_request *req, const char *signed_headers,
                                  size_t signed_len, const char *payload_hex, size_t *out_len);

/** The signing key: HMAC chain over "AWS4"+secret, date (YYYYMMDD), region,
 *  service and "aws4_request". */
void sim_sigv4_signing_key(const char *secret, const char *date8, const char *region,
                           const char *service, unsigned char out[SIM_SHA256_LEN]);

/** Seconds since the epoch of an ISO 8601 basic time "YYYYMMDDTHHMMSSZ"
 *  (16 bytes); false when it is not one. */
bool sim_sigv4_parse_amz_date(const char *s, size_t len, int64_t *out);

#endif
