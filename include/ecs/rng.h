/**
 * @file ecs/rng.h
 * @brief A small seeded random generator the host owns.
 *
 * libecs asks the operating system for no entropy. Every random choice it
 * makes draws from an ecs_rng that the host seeded, so the same seed and the
 * same inputs always give the same results, on every platform. The generator
 * is xoshiro256** seeded through splitmix64; its output sequence for a given
 * seed is part of the ABI and will not change within a major version.
 *
 * The struct is transparent so that a host can keep it on the stack or copy
 * it (a copy continues the same sequence); treat its fields as private.
 */
#ifndef ECS_RNG_H
#define ECS_RNG_H

#include <stdint.h>

#include "ecs/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ecs_rng {
    uint64_t s[4];
} ecs_rng;

/** Seed a generator. Any 64-bit seed is fine, 0 included. rng must not be NULL. */
ECS_API void ecs_rng_seed(ecs_rng *rng, uint64_t seed);

/** The next 64 uniformly distributed bits. */
ECS_API uint64_t ecs_rng_next(ecs_rng *rng);

/**
 * A uniform integer in [0, bound), without modulo bias.
 * @return 0 when bound is 0.
 */
ECS_API uint64_t ecs_rng_below(ecs_rng *rng, uint64_t bound);

#ifdef __cplusplus
}
#endif

#endif /* ECS_RNG_H */
