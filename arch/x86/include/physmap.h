/* Low-level page-table helpers shared by physmap.c and pagetable.c. */
#ifndef PHYSMAP_H
#define PHYSMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "mm.h"

void mmu_batch_write(pfn_t table, unsigned int idx, uint64_t val);
void mmu_batch_flush(void);
void tlb_flush_local(void);
uint64_t directmap_pte(pfn_t pfn, bool writable);
pfn_t directmap_l1_of(pfn_t pfn);

#endif
