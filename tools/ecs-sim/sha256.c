/*
 * SHA-256 as FIPS 180-4 section 6.2 defines it: 64-byte blocks, eight
 * 32-bit working variables, 64 rounds with the round constants of section
 * 4.2.2; messages are padded with 0x80, zeros and the 64-bit big-endian bit
 * length. HMAC follows RFC 2104 with the 64-byte block: keys longer than a
 * block are hashed first, then inner and outer pads 0x36 and 0x5c.
 */
#include "sha256.h"

#include <string.h>

static const uint32_t k_round[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static void compress(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh;
    for (unsigned i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (unsigned i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3];
    e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (unsigned i = 0; i < 64; i++) {
        uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                      k_round[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void sim_sha256_init(sim_sha256_ctx *s)
{
    static const uint32_t k_init[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                        0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    memcpy(s->h, k_init, sizeof k_init);
    s->total = 0;
    s->fill = 0;
}

void sim_sha256_update(sim_sha256_ctx *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->total += len;
    if (s->fill > 0) {
        size_t take = SIM_SHA256_BLOCK - s->fill;
        if (take > len)
            take = len;
        memcpy(s->buf + s->fill, p, take);
        s->fill += take;
        p += take;
        len -= take;
        if (s->fill < SIM_SHA256_BLOCK)
            return;
        compress(s->h, s->buf);
        s->fill = 0;
    }
    while (len >= SIM_SHA256_BLOCK) {
        compress(s->h, p);
        p += SIM_SHA256_BLOCK;
        len -= SIM_SHA256_BLOCK;
    }
    if (len > 0) {
        memcpy(s->buf, p, len);
        s->fill = len;
    }
}

void sim_sha256_final(sim_sha256_ctx *s, unsigned char out[SIM_SHA256_LEN])
{
    uint64_t bits = s->total * 8u;
    s->buf[s->fill++] = 0x80;
    if (s->fill > SIM_SHA256_BLOCK - 8) {
        memset(s->buf + s->fill, 0, SIM_SHA256_BLOCK - s->fill);
        compress(s->h, s->buf);
        s->fill = 0;
    }
    memset(s->buf + s->fill, 0, SIM_SHA256_BLOCK - 8 - s->fill);
    for (unsigned i = 0; i < 8; i++)
        s->buf[SIM_SHA256_BLOCK - 1 - i] = (unsigned char)(bits >> (8 * i));
    compress(s->h, s->buf);
    for (unsigned i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
    memset(s, 0, sizeof *s);
}

void sim_sha256(const void *data, size_t len, unsigned char out[SIM_SHA256_LEN])
{
    sim_sha256_ctx s;
    sim_sha256_init(&s);
    sim_sha256_update(&s, data, len);
    sim_sha256_final(&s, out);
}

void sim_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     unsigned char out[SIM_SHA256_LEN])
{
    unsigned char k[SIM_SHA256_BLOCK], pad[SIM_SHA256_BLOCK], inner[SIM_SHA256_LEN];
    sim_sha256_ctx s;

    memset(k, 0, sizeof k);
    if (key_len > SIM_SHA256_BLOCK)
        sim_sha256(key, key_len, k);
    else if (key_len > 0)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < SIM_SHA256_BLOCK; i++)
        pad[i] = (unsigned char)(k[i] ^ 0x36u);
    sim_sha256_init(&s);
    sim_sha256_update(&s, pad, sizeof pad);
    sim_sha256_update(&s, msg, msg_len);
    sim_sha256_final(&s, inner);
    for (size_t i = 0; i < SIM_SHA256_BLOCK; i++)
        pad[i] = (unsigned char)(k[i] ^ 0x5cu);
    sim_sha256_init(&s);
    sim_sha256_update(&s, pad, sizeof pad);
    sim_sha256_update(&s, inner, sizeof inner);
    sim_sha256_final(&s, out);
    memset(k, 0, sizeof k);
    memset(pad, 0, sizeof pad);
}

void sim_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15u];
    }
    out[2 * n] = '\0';
}
