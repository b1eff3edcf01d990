#include <stdlib.h>
#include <string.h>
#include "fake_memory.h"

static void *block;
static struct page *pages;

void fake_memory_init(pfn_t npages)
{
	if (posix_memalign(&block, PAGE_SIZE << BUDDY_MAX_ORDER, npages * PAGE_SIZE) != 0)
		abort();
	pages = calloc(npages, sizeof(*pages));
	mm_directmap_base = (uintptr_t)block;
	buddy_init(pages, npages);
}

void fake_memory_free(void)
{
	free(block);
	free(pages);
}
