/* Xen system time (ns since boot) and the one-shot timer. */
#ifndef XENTIME_H
#define XENTIME_H

#include <stdint.h>
#include <kernel/mm.h>

void time_init(void);
uint64_t time_now_ns(void);
/* The frame Xen keeps vCPU 0's time record in (allocated and registered at
 * the first call; the kernel holds it for good), or PFN_NONE. */
pfn_t time_page_pfn(void);
/* Arms the one-shot VIRQ_TIMER for absolute time deadline_ns. */
void time_set_deadline(uint64_t deadline_ns);
/* Called (upcall context) when VIRQ_TIMER fires; set by the kernel. */
extern void (*time_tick_hook)(void);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
