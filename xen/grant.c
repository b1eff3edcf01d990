/*
 * The grant table, version 1 (Xen's default, and all we need).
 *
 * GNTTABOP_setup_table hands a PV guest the machine frames of its table;
 * we map them over page-aligned pages of our own image, as xen.c does
 * with shared_info.  An entry is {flags, domid, frame}: the frame and the
 * domain must be visible before the flags that make the entry live (a
 * write barrier between), and ending a grant must atomically swap the
 * flags from exactly "permit, not in use" to 0: Xen sets GTF_reading /
 * GTF_writing in the same word while the peer has the frame mapped, and
 * a plain store could clear those under it.  A frame still mapped cannot
 * be taken back: grant_end says so and the caller keeps the frame.
 */
#include <stddef.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <xen/grant.h>
#include <kernel/panic.h>

#define GRANT_FRAMES 32     /* 16376 refs: a 16 MiB file takes 4100 */
#define ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define NR_REFS (GRANT_FRAMES * ENTRIES_PER_FRAME)
#define FIRST_REF 8               /* 0-7: GNTTAB_NR_RESERVED_ENTRIES */

static char table_pages[GRANT_FRAMES][4096]
	__attribute__((aligned(4096), section(".bss.page_aligned")));
static grant_entry_v1_t *table;
static uint32_t free_refs[NR_REFS];
static uint32_t nfree;

bool grant_init(void)
{
	xen_pfn_t frames[GRANT_FRAMES];
	gnttab_setup_table_t setup = { .dom = DOMID_SELF };
	unsigned int nr;

	/* The toolstack caps a domain's frames (xl's max_grant_frames, 32 by
	 * default): fewer frames, fewer refs, if it insists. */
	set_xen_guest_handle(setup.frame_list, frames);
	for (nr = GRANT_FRAMES; nr >= 4; nr /= 2) {
		setup.nr_frames = nr;
		if (hv_grant_table_op(GNTTABOP_setup_table, &setup, 1) == 0 &&
		    setup.status == GNTST_okay)
			break;
	}
	if (nr < 4)
		return false;
	for (unsigned int i = 0; i < nr; i++)
		if (hv_update_va_mapping((uintptr_t)table_pages[i],
					 ((uint64_t)frames[i] << 12) | 0x3,
					 UVMF_INVLPG) != 0)
			return false;
	table = (grant_entry_v1_t *)table_pages;
	for (uint32_t r = nr * ENTRIES_PER_FRAME; r-- > FIRST_REF;)
		free_refs[nfree++] = r;
	return true;
}

uint32_t grant_access(uint16_t dom, uint64_t pfn, bool readonly)
{
	if (table == NULL || nfree == 0)
		return 0;
	uint32_t ref = free_refs[--nfree];
	grant_entry_v1_t *e = &table[ref];

	e->frame = (uint32_t)pfn_to_mfn(pfn);
	e->domid = dom;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* frame, domid, then flags */
	e->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
	return ref;
}

bool grant_end(uint32_t ref)
{
	ASSERT(table != NULL && ref >= FIRST_REF && ref < NR_REFS);
	grant_entry_v1_t *e = &table[ref];
	uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return false;     /* the peer still has it mapped */
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_ACQUIRE));
	free_refs[nfree++] = ref;
	return true;
}

uint32_t grant_free_count(void)
{
	return nfree;
}
