/*
 * What the benchmarks share for summarising repeated timings: sorting
 * them and taking the median. Header-only; each bench is one program.
 */
#ifndef ECS_BENCH_STATS_H
#define ECS_BENCH_STATS_H

#include <stdlib.h>

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts times[0..n) ascending and returns their median (n > 0). */
static inline double bench_sort_median(double *times, size_t n)
{
    qsort(times, n, sizeof times[0], bench_cmp_double);
    return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

#endif /* ECS_BENCH_STATS_H */
