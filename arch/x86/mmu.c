/*
 * The runtime page-table update API under Xen PV: page-table frames are
 * read-only to a PV guest, so every write to one is a request to Xen.
 * Requests are batched (BATCH_MAX per mmu_update hypercall); a caller
 * flushes before it relies on the result.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <arch/physmap.h>
#include <kernel/mm.h>
#include <kernel/panic.h>

#define BATCH_MAX 1024
static mmu_update_t batch[BATCH_MAX];
static unsigned int batch_len;

void mmu_batch_flush(void)
{
	unsigned int done = 0;

	if (batch_len == 0)
		return;
	long rc = hv_mmu_update(batch, batch_len, &done, DOMID_SELF);
	if (rc != 0)
		panic("mmu_update failed (%ld) at request %u of %u: ptr %lx val %lx",
		      rc, done, batch_len, (unsigned long)batch[done].ptr,
		      (unsigned long)batch[done].val);
	batch_len = 0;
}

/* Queues "entry idx of table frame `table` := val". */
void mmu_batch_write(pfn_t table, unsigned int idx, uint64_t val)
{
	if (batch_len == BATCH_MAX)
		mmu_batch_flush();
	batch[batch_len].ptr = ((pfn_to_mfn(table) << PAGE_SHIFT) + idx * 8) |
			       MMU_NORMAL_PT_UPDATE;
	batch[batch_len].val = val;
	batch_len++;
}

void tlb_flush_local(void)
{
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };

	if (hv_mmuext_op(&op, 1, NULL, DOMID_SELF) != 0)
		panic("TLB flush failed");
}
