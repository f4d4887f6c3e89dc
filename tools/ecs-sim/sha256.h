/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) for ecs-sim's check of
 * AWS Signature Version 4. Small, portable, no I/O; the state lives in the
 * caller's struct.
 */
#ifndef ECS_SIM_SHA256_H
#define ECS_SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SIM_SHA256_LEN 32u
#define SIM_SHA256_BLOCK 64u

typedef struct sim_sha256_ctx {
    uint32_t h[8];
    uint64_t total;                      /* bytes hashed so far */
    unsigned char buf[SIM_SHA256_BLOCK]; /* a partial block */
    size_t fill;                         /* bytes in buf */
} sim_sha256_ctx;

void sim_sha256_init(sim_sha256_ctx *s);
void sim_sha256_update(sim_sha256_ctx *s, const void *data, size_t len);
void sim_sha256_final(sim_sha256_ctx *s, unsigned char out[SIM_SHA256_LEN]);

/** One-shot SHA-256 of a buffer. */
void sim_sha256(const void *data, size_t len, unsigned char out[SIM_SHA256_LEN]);

/** HMAC-SHA256 of msg under key (any key length). */
void sim_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     unsigned char out[SIM_SHA256_LEN]);

/** Lower-case hex of n bytes into out, which takes 2n+1 bytes (NUL-terminated). */
void sim_hex(const unsigned char *in, size_t n, char *out);

#endif
