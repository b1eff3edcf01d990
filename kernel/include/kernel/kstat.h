/*
 * Live counts of kernel objects, read by SysKernelStats and by the
 * suite's leak check: one plain array, bumped where each kind of object
 * is allocated and freed.  Cheap enough to stay on in every build.  The
 * indexes are the ABI's (enum kernel_stat in uapi/ethos/abi.h);
 * KStatFreePages is not a counter but read from the allocator.
 *
 * The array is defined in kernel/stats.c (host unit tests define their
 * own), so that the pure allocator code can count without the rest.
 */
#ifndef KSTAT_H
#define KSTAT_H

#include <stdint.h>
#include <kernel/panic.h>
#include <uapi/ethos/abi.h>

extern uint64_t kstat[KStatCount];

static inline __attribute__((always_inline)) void kstat_inc(enum kernel_stat s)
{
	kstat[s]++;
}

/* A count that would go below zero is a free without its allocation. */
static inline __attribute__((always_inline)) void kstat_dec(enum kernel_stat s)
{
	ASSERT(kstat[s] > 0);
	kstat[s]--;
}

static inline void kstat_add(enum kernel_stat s, uint64_t n)
{
	kstat[s] += n;
}

static inline void kstat_sub(enum kernel_stat s, uint64_t n)
{
	ASSERT(kstat[s] >= n);
	kstat[s] -= n;
}

/* Every counter, with the free-page count in KStatFreePages. */
void kstat_snapshot(uint64_t out[KStatCount]);
/* One console line with every counter. */
void kstat_print(void);

#endif /* KSTAT_H */
