/*
 * Checked size arithmetic. Every size computed from input goes through these
 * so that an overflow becomes an error instead of a short allocation.
 */
#ifndef ECS_UTIL_CKD_H
#define ECS_UTIL_CKD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* *out = a + b; false (and *out untouched) on overflow. */
static inline bool ecs_ckd_add_size(size_t *out, size_t a, size_t b)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}

/* *out = a * b; false (and *out untouched) on overflow. */
static inline bool ecs_ckd_mul_size(size_t *out, size_t a, size_t b)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}

#endif /* ECS_UTIL_CKD_H */
