/*
 * User address spaces.  Each has two pinned L4 tables sharing one user L3
 * (slot 0): the kernel L4 also carries the kernel half (slots 272-511,
 * copied from the boot L4, whose lower tables are shared by everyone), the
 * user L4 carries nothing else.  In 64-bit PV the kernel runs in ring 3
 * too: the user L4, which Xen loads in user mode, is what keeps user code
 * out of the kernel.
 *
 * Tables are read-only in the direct map while they are tables, and
 * every change to a live table is an mmu_update that Xen checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <arch/pagetable.h>
#include <arch/physmap.h>
#include <arch/asm_defs.h>
#include <kernel/panic.h>

#define L4_KERNEL_FIRST 272       /* first guest-kernel slot after Xen's */
#define USER_TABLE_FLAGS (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_ACCESSED)

static const struct addrspace *current_as;

static inline uint64_t *table_va(pfn_t table)
{
	return (uint64_t *)pfn_to_va(table);
}

static inline pfn_t entry_pfn(uint64_t e)
{
	return mfn_to_pfn((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

static void directmap_set_writable(pfn_t pfn, bool writable)
{
	if (hv_update_va_mapping((uintptr_t)pfn_to_va(pfn),
				 directmap_pte(pfn, writable), UVMF_INVLPG) != 0)
		panic("cannot remap pfn %lx %s", (unsigned long)pfn,
		      writable ? "writable" : "read-only");
}

void directmap_set_present(void *va, unsigned int pages, bool present)
{
	for (unsigned int i = 0; i < pages; i++) {
		pfn_t pfn = va_to_pfn((char *)va + i * PAGE_SIZE);

		if (hv_update_va_mapping((uintptr_t)pfn_to_va(pfn),
					 present ? directmap_pte(pfn, true) : 0,
					 UVMF_INVLPG) != 0)
			panic("cannot %s pfn %lx in the direct map",
			      present ? "map" : "unmap", (unsigned long)pfn);
	}
}

/*
 * A table is drafted in ordinary writable memory (plain stores, no
 * hypercall per entry), then sealed: read-only in the direct map, which
 * Xen demands before the frame may be hooked into a live table.
 */
static pfn_t table_draft(void)
{
	pfn_t pfn = buddy_alloc(0);

	if (pfn != PFN_NONE)
		page_clear(pfn_to_va(pfn));
	return pfn;
}

static void table_seal(pfn_t pfn)
{
	directmap_set_writable(pfn, false);
	pfn_to_page(pfn)->flags |= PAGE_FLAG_PAGETABLE;
}

/* A zeroed frame, read-only in the direct map, ready to become a table. */
static pfn_t table_alloc(void)
{
	pfn_t pfn = table_draft();

	if (pfn != PFN_NONE)
		table_seal(pfn);
	return pfn;
}

/* Only once no live table refers to it (unhooked, or its root unpinned). */
static void table_free(pfn_t pfn)
{
	struct page *pg = pfn_to_page(pfn);

	ASSERT(pg->flags & PAGE_FLAG_PAGETABLE);
	pg->flags &= ~PAGE_FLAG_PAGETABLE;
	directmap_set_writable(pfn, true);
	buddy_free(pfn, 0);
}

static void mmuext(unsigned int cmd, pfn_t pfn)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = pfn_to_mfn(pfn) };

	if (hv_mmuext_op(&op, 1, NULL, DOMID_SELF) != 0)
		panic("mmuext_op %u on pfn %lx failed", cmd, (unsigned long)pfn);
}

bool as_create(struct addrspace *as)
{
	pfn_t kl4 = buddy_alloc(0), ul4 = buddy_alloc(0), ul3 = buddy_alloc(0);
	const uint64_t *boot_l4 = (const uint64_t *)start_info->pt_base;

	if (kl4 == PFN_NONE || ul4 == PFN_NONE || ul3 == PFN_NONE) {
		if (kl4 != PFN_NONE)
			buddy_free(kl4, 0);
		if (ul4 != PFN_NONE)
			buddy_free(ul4, 0);
		if (ul3 != PFN_NONE)
			buddy_free(ul3, 0);
		return false;
	}
	/* Fill them while still writable, then hand them to Xen. */
	page_clear(pfn_to_va(kl4));
	page_clear(pfn_to_va(ul4));
	page_clear(pfn_to_va(ul3));
	for (unsigned int i = L4_KERNEL_FIRST; i < 512; i++)
		table_va(kl4)[i] = boot_l4[i];
	uint64_t l3_entry = (pfn_to_mfn(ul3) << PAGE_SHIFT) | USER_TABLE_FLAGS;
	table_va(kl4)[0] = l3_entry;
	table_va(ul4)[0] = l3_entry;

	pfn_t frames[3] = { ul3, kl4, ul4 };
	for (int i = 0; i < 3; i++) {
		directmap_set_writable(frames[i], false);
		pfn_to_page(frames[i])->flags |= PAGE_FLAG_PAGETABLE;
	}
	mmuext(MMUEXT_PIN_L4_TABLE, kl4);
	mmuext(MMUEXT_PIN_L4_TABLE, ul4);
	as->kernel_l4 = kl4;
	as->user_l4 = ul4;
	as->user_l3 = ul3;
	as->tables = 3;
	return true;
}

/* The entry for va at `level` (3 = L3 ... 1 = L1), allocating tables on
 * the way when `create`; NULL if missing (or no memory). */
static bool walk(struct addrspace *as, uintptr_t va, bool create,
		 pfn_t *l1, unsigned int *idx)
{
	pfn_t table = as->user_l3;

	for (int shift = 30; shift >= 21; shift -= 9) {
		unsigned int i = (va >> shift) & 511;
		uint64_t e = table_va(table)[i];

		if (!(e & PTE_PRESENT)) {
			if (!create)
				return false;
			pfn_t fresh = table_alloc();
			if (fresh == PFN_NONE)
				return false;
			mmu_batch_write(table, i, (pfn_to_mfn(fresh) << PAGE_SHIFT) |
					USER_TABLE_FLAGS);
			mmu_batch_flush();
			as->tables++;
			table = fresh;
		} else {
			table = entry_pfn(e);
		}
	}
	*l1 = table;
	*idx = (va >> 12) & 511;
	return true;
}

static uint64_t user_pte(pfn_t pfn, unsigned int flags)
{
	uint64_t pte = (pfn_to_mfn(pfn) << PAGE_SHIFT) | PTE_PRESENT |
		       PTE_USER | PTE_ACCESSED;

	if (flags & MAP_WRITE)
		pte |= PTE_WRITE | PTE_DIRTY;
	if (!(flags & MAP_EXEC))
		pte |= PTE_NX;
	return pte;
}

static void invalidate(const struct addrspace *as, uintptr_t va)
{
	if (as != current_as)
		return;          /* a switch flushes the TLB anyway */
	struct mmuext_op op = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = va };
	hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static bool user_va_ok(uintptr_t va)
{
	return va < USER_TOP && (va & (PAGE_SIZE - 1)) == 0;
}

bool as_map(struct addrspace *as, uintptr_t va, pfn_t pfn, unsigned int flags)
{
	pfn_t l1;
	unsigned int idx;

	ASSERT(user_va_ok(va));
	if (!walk(as, va, true, &l1, &idx))
		return false;
	bool was_mapped = table_va(l1)[idx] & PTE_PRESENT;
	mmu_batch_write(l1, idx, user_pte(pfn, flags));
	mmu_batch_flush();
	if (was_mapped)
		invalidate(as, va);
	return true;
}

pfn_t as_unmap(struct addrspace *as, uintptr_t va)
{
	pfn_t l1;
	unsigned int idx;

	ASSERT(user_va_ok(va));
	if (!walk(as, va, false, &l1, &idx))
		return PFN_NONE;
	uint64_t e = table_va(l1)[idx];
	if (!(e & PTE_PRESENT))
		return PFN_NONE;
	mmu_batch_write(l1, idx, 0);
	mmu_batch_flush();
	invalidate(as, va);
	return entry_pfn(e);
}

bool as_protect(struct addrspace *as, uintptr_t va, unsigned int flags)
{
	pfn_t l1;
	unsigned int idx;

	ASSERT(user_va_ok(va));
	if (!walk(as, va, false, &l1, &idx))
		return false;
	uint64_t e = table_va(l1)[idx];
	if (!(e & PTE_PRESENT))
		return false;
	mmu_batch_write(l1, idx, user_pte(entry_pfn(e), flags));
	mmu_batch_flush();
	invalidate(as, va);
	return true;
}

pfn_t as_translate(const struct addrspace *as, uintptr_t va, unsigned int *flags)
{
	pfn_t l1;
	unsigned int idx;

	if (va >= USER_TOP)
		return PFN_NONE;
	if (!walk((struct addrspace *)as, va & PAGE_MASK, false, &l1, &idx))
		return PFN_NONE;
	uint64_t e = table_va(l1)[idx];
	if (!(e & PTE_PRESENT))
		return PFN_NONE;
	if (flags != NULL)
		*flags = ((e & PTE_WRITE) ? MAP_WRITE : 0) |
			 ((e & PTE_NX) ? 0 : MAP_EXEC);
	return entry_pfn(e);
}

/*
 * The child's copy of one of the parent's L1 tables, sealed; PFN_NONE (and
 * nothing changed) if there is no frame.  A writable entry becomes
 * read-only in both: the parent's change is queued in the mmu batch.
 */
static pfn_t copy_l1(pfn_t parent_l1, void (*share)(pfn_t))
{
	pfn_t copy = table_draft();

	if (copy == PFN_NONE)
		return PFN_NONE;
	const uint64_t *from = table_va(parent_l1);
	uint64_t *to = table_va(copy);
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t e = from[i];

		if (!(e & PTE_PRESENT))
			continue;
		if (e & PTE_WRITE) {
			e &= ~PTE_WRITE;
			mmu_batch_write(parent_l1, i, e);
		}
		to[i] = e;
		share(entry_pfn(e));
	}
	table_seal(copy);
	return copy;
}

/* Fills the drafted L2 `copy` with copies of the L1s under parent_l2;
 * false if memory ran out (what was copied so far stays in copy). */
static bool copy_l2(pfn_t copy, pfn_t parent_l2, struct addrspace *child,
		    void (*share)(pfn_t))
{
	const uint64_t *from = table_va(parent_l2);
	uint64_t *to = table_va(copy);

	for (unsigned int i = 0; i < 512; i++) {
		if (!(from[i] & PTE_PRESENT))
			continue;
		pfn_t l1 = copy_l1(entry_pfn(from[i]), share);
		if (l1 == PFN_NONE)
			return false;
		to[i] = (pfn_to_mfn(l1) << PAGE_SHIFT) | USER_TABLE_FLAGS;
		child->tables++;
	}
	return true;
}

bool as_copy_cow(struct addrspace *child, const struct addrspace *parent,
		 void (*share)(pfn_t pfn))
{
	const uint64_t *l3 = table_va(parent->user_l3);
	bool ok = true;

	ASSERT(child->tables == 3);            /* fresh from as_create */
	for (unsigned int i = 0; ok && i < 512; i++) {
		if (!(l3[i] & PTE_PRESENT))
			continue;
		pfn_t l2 = table_draft();
		if (l2 == PFN_NONE) {
			ok = false;
			break;
		}
		/* Hooked even when incomplete: as_destroy then undoes it all. */
		ok = copy_l2(l2, entry_pfn(l3[i]), child, share);
		table_seal(l2);
		child->tables++;
		mmu_batch_write(child->user_l3, i,
				(pfn_to_mfn(l2) << PAGE_SHIFT) | USER_TABLE_FLAGS);
	}
	mmu_batch_flush();
	/* The parent's writable entries went read-only under its feet. */
	if (parent == current_as)
		tlb_flush_local();
	return ok;
}

void as_switch(const struct addrspace *as)
{
	pfn_t kl4 = as ? as->kernel_l4 :
		    PFN_DOWN(start_info->pt_base - KERNEL_VIRT_BASE);
	struct mmuext_op ops[2] = {
		{ .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = pfn_to_mfn(kl4) },
		/* mfn 0: no user page table while no process runs */
		{ .cmd = MMUEXT_NEW_USER_BASEPTR,
		  .arg1.mfn = as ? pfn_to_mfn(as->user_l4) : 0 },
	};

	if (hv_mmuext_op(ops, 2, NULL, DOMID_SELF) != 0)
		panic("address-space switch failed");
	current_as = as;
}

const struct addrspace *as_current(void)
{
	return current_as;
}

/* Frees the tables below `table` at `level` (2: an L2, 1: an L1). */
static void free_subtree(struct addrspace *as, pfn_t table, int level,
			 void (*release)(pfn_t))
{
	const uint64_t *e = table_va(table);

	for (unsigned int i = 0; i < 512; i++) {
		if (!(e[i] & PTE_PRESENT))
			continue;
		if (level == 1) {
			if (release != NULL)
				release(entry_pfn(e[i]));
		} else {
			free_subtree(as, entry_pfn(e[i]), level - 1, release);
		}
	}
	table_free(table);
	as->tables--;
}

void as_destroy(struct addrspace *as, void (*release)(pfn_t pfn))
{
	ASSERT(as != current_as);
	/* Unpinning drops Xen's type references down the whole tree. */
	mmuext(MMUEXT_UNPIN_TABLE, as->kernel_l4);
	mmuext(MMUEXT_UNPIN_TABLE, as->user_l4);
	free_subtree(as, as->user_l3, 3, release);
	table_free(as->kernel_l4);
	table_free(as->user_l4);
	as->tables -= 2;
	ASSERT(as->tables == 0);
}
