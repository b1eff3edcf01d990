/* Low-level page-table helpers: the mmu_update batch (mmu.c) and the
 * direct map (physmap.c), shared with pagetable.c. */
#ifndef PHYSMAP_H
#define PHYSMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/mm.h>

void mmu_batch_write(pfn_t table, unsigned int idx, uint64_t val);
void mmu_batch_flush(void);
void tlb_flush_local(void);
uint64_t directmap_pte(pfn_t pfn, bool writable);
pfn_t directmap_l1_of(pfn_t pfn);

#endif
