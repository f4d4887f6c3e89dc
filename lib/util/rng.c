/*
 * xoshiro256** (Blackman and Vigna), seeded by four rounds of splitmix64 so
 * that any seed, zero included, gives a good non-zero state. The sequence for
 * a seed is fixed: results must not change between releases.
 */
#include <stddef.h>

#include "ecs/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

void ecs_rng_seed(ecs_rng *rng, uint64_t seed)
{
    if (rng == NULL)
        return;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

uint64_t ecs_rng_next(ecs_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t ecs_rng_below(ecs_rng *rng, uint64_t bound)
{
    uint64_t threshold, r;

    if (bound == 0)
        return 0;
    /* Reject the low values that would make r % bound biased. */
    threshold = (0u - bound) % bound;
    do {
        r = ecs_rng_next(rng);
    } while (r < threshold);
    return r % bound;
}
