/* Fake pseudo-physical memory for host tests.  One block is kept for the
 * whole process (the fuzzer starts over thousands of times a second). */
#include <stdlib.h>
#include <string.h>
#include "fake_memory.h"

static void *block;
static struct page *pages;
static pfn_t capacity;

void fake_memory_init(pfn_t npages)
{
	if (npages > capacity) {
		free(block);
		free(pages);
		if (posix_memalign(&block, PAGE_SIZE, npages * PAGE_SIZE) != 0)
			abort();
		pages = malloc(npages * sizeof(*pages));
		capacity = npages;
	}
	memset(pages, 0, npages * sizeof(*pages));
	mm_directmap_base = (uintptr_t)block;
	buddy_init(pages, npages);
}

void fake_memory_free(void)
{
	/* The slob's cached pages live in this memory: let go of them. */
	slob_reclaim();
}
