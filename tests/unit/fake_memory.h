/* Ordinary memory standing in for pseudo-physical pages on the host. */
#ifndef FAKE_MEMORY_H
#define FAKE_MEMORY_H

#include <kernel/mm.h>

/* npages of page-aligned memory, its struct page array, buddy_init; no
 * page is given to the allocator yet. */
void fake_memory_init(pfn_t npages);
void fake_memory_free(void);

#endif
