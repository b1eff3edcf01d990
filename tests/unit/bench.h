/* Shared by the host benchmarks (bench_*.c): the clock, and the median of
 * RUNS timings that every figure reports. */
#ifndef UNIT_BENCH_H
#define UNIT_BENCH_H

#include <stdlib.h>
#include <time.h>

#define RUNS 7

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v (RUNS timings) and returns the middle one. */
static inline double median(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_double);
	return v[RUNS / 2];
}

#endif
