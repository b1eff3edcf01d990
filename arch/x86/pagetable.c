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
#include <kernel/kstat.h>

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
 *
 * Table frames are reference-counted in their struct page: the number of
 * tables (for the roots: the one address space) that point at them.  fork
 * shares the parent's L2 tables with the child instead of copying them
 * (as_fork).  Invariant: a table with more than one reference holds no
 * writable entry anywhere below it; walk() gives an address space its own
 * copy of a shared table ("unshares" it) before anything below changes.
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
	struct page *pg = pfn_to_page(pfn);

	directmap_set_writable(pfn, false);
	pg->flags |= PAGE_FLAG_PAGETABLE;
	pg->refcount = 1;
	kstat_inc(KStatPageTables);
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
	pg->refcount = 0;
	directmap_set_writable(pfn, true);
	buddy_free(pfn, 0);
	kstat_dec(KStatPageTables);
}

static void table_get(pfn_t pfn)
{
	pfn_to_page(pfn)->refcount++;
}

/* Drops one reference; true if it was the last. */
static bool table_put(pfn_t pfn)
{
	struct page *pg = pfn_to_page(pfn);

	ASSERT((pg->flags & PAGE_FLAG_PAGETABLE) && pg->refcount > 0);
	return --pg->refcount == 0;
}

static bool table_shared(pfn_t pfn)
{
	return pfn_to_page(pfn)->refcount > 1;
}

static void mmuext(unsigned int cmd, pfn_t pfn)
{
	struct mmuext_op op = { .cmd = cmd, .arg1.mfn = pfn_to_mfn(pfn) };

	if (hv_mmuext_op(&op, 1, NULL, DOMID_SELF) != 0)
		panic("mmuext_op %u on pfn %lx failed", cmd, (unsigned long)pfn);
}

/*
 * Pinned roots kept for reuse.  Pinning makes Xen check every entry of
 * both L4s (the kernel's carries 240 slots) and the L3, unpinning undoes
 * it: about 150k instructions per process.  The roots of a destroyed
 * address space, its user L3 emptied, go to this pool instead (up to
 * ROOT_POOL_MAX), and as_create takes them from it.  Pooled roots are not
 * live page tables (KStatPageTables); their pages count as free memory
 * and go back to the allocator when it runs dry.
 */
#define ROOT_POOL_MAX 16
struct roots {
	pfn_t kernel_l4, user_l4, user_l3;
};
static struct roots root_pool[ROOT_POOL_MAX];
static unsigned int root_pool_count;

/*
 * Empty L2 tables kept pinned for reuse.  Xen goes through all 512 entries
 * of an L2 when it is first hooked and again when its last reference goes
 * (about 28.6k and 26.1k instructions, traced), and a process has one per
 * region (text, data, heap and stack each have their own GiB).  An L2
 * that an address space held alone is pinned before its L3 entry goes, so
 * that Xen keeps it validated; its entries are cleared, and it waits here,
 * pinned and empty, for walk() or unshare() to hook it (and unpin it)
 * again.  Pooled L2s are not live tables either, and count as free.
 */
#define L2_POOL_MAX 64
static pfn_t l2_pool[L2_POOL_MAX];
static unsigned int l2_pool_count;

static uint64_t table_pool_pages(void)
{
	return 3 * (uint64_t)root_pool_count + l2_pool_count;
}

/* A pooled L2 (pinned, empty, refcount 1), or PFN_NONE.  The caller
 * hooks it, then unpins it (l2_hooked). */
/* as_global_l1's table and the one frame it maps: the loops over a
 * table's 512 entries skip it (it maps nothing else). */
static pfn_t global_l1 = PFN_NONE, global_frame = PFN_NONE;

static pfn_t l2_take(void)
{
	if (l2_pool_count == 0)
		return PFN_NONE;
	pfn_t l2 = l2_pool[--l2_pool_count];
	pfn_to_page(l2)->refcount = 1;
	kstat_inc(KStatPageTables);
	return l2;
}

static void l2_hooked(pfn_t l2)
{
	mmuext(MMUEXT_UNPIN_TABLE, l2);       /* the L3 entry holds it now */
}

static void roots_free(const struct roots *r)
{
	mmuext(MMUEXT_UNPIN_TABLE, r->kernel_l4);
	mmuext(MMUEXT_UNPIN_TABLE, r->user_l4);
	table_free(r->user_l3);
	table_free(r->kernel_l4);
	table_free(r->user_l4);
}

static void table_pool_reclaim(void)
{
	while (root_pool_count > 0) {
		kstat_add(KStatPageTables, 3);   /* table_free counts them out */
		roots_free(&root_pool[--root_pool_count]);
	}
	while (l2_pool_count > 0) {
		pfn_t l2 = l2_pool[--l2_pool_count];

		mmuext(MMUEXT_UNPIN_TABLE, l2);
		kstat_inc(KStatPageTables);
		table_free(l2);
	}
}

static const struct mm_cache table_pool_cache = {
	.pages = table_pool_pages,
	.reclaim = table_pool_reclaim,
};

bool as_create(struct addrspace *as)
{
	if (root_pool_count > 0) {
		const struct roots *r = &root_pool[--root_pool_count];

		as->kernel_l4 = r->kernel_l4;
		as->user_l4 = r->user_l4;
		as->user_l3 = r->user_l3;
		kstat_add(KStatPageTables, 3);
		return true;
	}

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

	table_seal(ul3);
	table_seal(kl4);
	table_seal(ul4);
	mmuext(MMUEXT_PIN_L4_TABLE, kl4);
	mmuext(MMUEXT_PIN_L4_TABLE, ul4);
	as->kernel_l4 = kl4;
	as->user_l4 = ul4;
	as->user_l3 = ul3;
	return true;
}

/*
 * table[i] points at a table other address spaces share (level 2: an L2,
 * 1: an L1): this one gets its own copy, hooked in its place.  The copy
 * points at the same tables below (so an L2's copy takes a reference to
 * each L1) or maps the same frames (whose references are per address
 * space, so they do not change).  PFN_NONE if there is no frame.
 */
static pfn_t unshare(pfn_t table, unsigned int i, int level)
{
	pfn_t old = entry_pfn(table_va(table)[i]);
	pfn_t copy = level == 2 ? l2_take() : PFN_NONE;

	if (copy != PFN_NONE) {
		/* A pooled L2, live already: its entries go through Xen. */
		const uint64_t *e = table_va(old);
		for (unsigned int j = 0; j < 512; j++) {
			if (e[j] & PTE_PRESENT) {
				mmu_batch_write(copy, j, e[j]);
				table_get(entry_pfn(e[j]));
			}
		}
		mmu_batch_write(table, i, (pfn_to_mfn(copy) << PAGE_SHIFT) |
				USER_TABLE_FLAGS);
		mmu_batch_flush();
		l2_hooked(copy);
		bool last = table_put(old);
		ASSERT(!last);
		(void)last;
		return copy;
	}
	if ((copy = table_draft()) == PFN_NONE)
		return PFN_NONE;
	page_copy(pfn_to_va(copy), pfn_to_va(old));
	if (level == 2) {
		const uint64_t *e = table_va(copy);
		for (unsigned int j = 0; j < 512; j++)
			if (e[j] & PTE_PRESENT)
				table_get(entry_pfn(e[j]));
	}
	table_seal(copy);
	mmu_batch_write(table, i, (pfn_to_mfn(copy) << PAGE_SHIFT) |
			USER_TABLE_FLAGS);
	mmu_batch_flush();
	bool last = table_put(old);
	ASSERT(!last);                        /* it was shared */
	(void)last;
	return copy;
}

enum walk_mode {
	WalkRead,        /* look only */
	WalkModify,      /* the L1 will change: unshare the path to it */
	WalkCreate,      /* the same, and allocate missing tables */
};

/*
 * One step of a walk: the table that table[i] points at (a level-2 entry
 * points at an L2, level 1 at an L1), allocated when missing and mode is
 * WalkCreate (an L2 from the pool if there is one), copied when shared
 * and mode is not WalkRead (*unshared then set).  False if it is missing
 * and not created, or memory ran out.
 */
static bool walk_step(pfn_t table, unsigned int i, int level,
		      enum walk_mode mode, pfn_t *next, bool *unshared)
{
	uint64_t e = table_va(table)[i];

	if (!(e & PTE_PRESENT)) {
		if (mode != WalkCreate)
			return false;
		bool pooled = level == 2 && (*next = l2_take()) != PFN_NONE;
		if (!pooled && (*next = table_alloc()) == PFN_NONE)
			return false;
		mmu_batch_write(table, i, (pfn_to_mfn(*next) << PAGE_SHIFT) |
				USER_TABLE_FLAGS);
		mmu_batch_flush();
		if (pooled)
			l2_hooked(*next);
		return true;
	}
	*next = entry_pfn(e);
	if (mode != WalkRead && table_shared(*next)) {
		if ((*next = unshare(table, i, level)) == PFN_NONE)
			return false;
		*unshared = true;
	}
	return true;
}

/* The paging-structure caches may still point at shared tables that were
 * just copied: a later change in the copy must not be hidden by them. */
static void flush_if_unshared(const struct addrspace *as, bool unshared)
{
	if (unshared && as == current_as)
		tlb_flush_local();
}

/* The L2 table for va, created or made this address space's own. */
static bool walk_l2(struct addrspace *as, uintptr_t va, pfn_t *l2)
{
	bool unshared = false;
	bool ok = walk_step(as->user_l3, (va >> 30) & 511, 2, WalkCreate, l2,
			    &unshared);

	flush_if_unshared(as, unshared);
	return ok;
}

/* The L1 table and index for va; false if a table is missing (and not
 * created) or memory ran out. */
static bool walk(struct addrspace *as, uintptr_t va, enum walk_mode mode,
		 pfn_t *l1, unsigned int *idx)
{
	pfn_t l2;
	bool unshared = false;
	bool ok = walk_step(as->user_l3, (va >> 30) & 511, 2, mode, &l2,
			    &unshared) &&
		  walk_step(l2, (va >> 21) & 511, 1, mode, l1, &unshared);

	flush_if_unshared(as, unshared);
	*idx = (va >> 12) & 511;
	return ok;
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

/* n pages from va lie in one L1 table. */
static bool idx_fits(uintptr_t va, unsigned int n)
{
	return ((va >> 12) & 511) + n <= 512;
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
	if (!walk(as, va, WalkCreate, &l1, &idx))
		return false;
	bool was_mapped = table_va(l1)[idx] & PTE_PRESENT;
	mmu_batch_write(l1, idx, user_pte(pfn, flags));
	mmu_batch_flush();
	if (was_mapped)
		invalidate(as, va);
	return true;
}

bool as_map_run(struct addrspace *as, uintptr_t va, const pfn_t *pfns,
		unsigned int n, unsigned int flags)
{
	pfn_t l1;
	unsigned int idx;

	ASSERT(user_va_ok(va) && n > 0 && idx_fits(va, n));
	if (!walk(as, va, WalkCreate, &l1, &idx))
		return false;
	for (unsigned int i = 0; i < n; i++) {
		ASSERT(!(table_va(l1)[idx + i] & PTE_PRESENT));
		mmu_batch_write(l1, idx + i, user_pte(pfns[i], flags));
	}
	mmu_batch_flush();
	return true;
}

pfn_t as_unmap(struct addrspace *as, uintptr_t va)
{
	pfn_t l1;
	unsigned int idx;

	ASSERT(user_va_ok(va));
	if (!walk(as, va, WalkModify, &l1, &idx))
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
	if (!walk(as, va, WalkModify, &l1, &idx))
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
	if (!walk((struct addrspace *)as, va & PAGE_MASK, WalkRead, &l1, &idx))
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
 * Every frame mapped below the L2 table l2 gets one more reference (share),
 * and every writable entry becomes read-only (queued in the mmu batch).
 * Only a table this address space alone holds can have writable entries,
 * so no other address space sees a change.
 */
static void write_protect_l2(pfn_t l2, void (*share)(pfn_t))
{
	const uint64_t *e2 = table_va(l2);

	for (unsigned int i2 = 0; i2 < 512; i2++) {
		if (!(e2[i2] & PTE_PRESENT))
			continue;
		pfn_t l1 = entry_pfn(e2[i2]);
		const uint64_t *e1 = table_va(l1);
		bool shared = table_shared(l2) || table_shared(l1);

		if (l1 == global_l1) {
			share(global_frame);
			continue;
		}
		for (unsigned int i = 0; i < 512; i++) {
			uint64_t e = e1[i];

			if (!(e & PTE_PRESENT))
				continue;
			share(entry_pfn(e));
			if (e & PTE_WRITE) {
				ASSERT(!shared);      /* the invariant */
				mmu_batch_write(l1, i, e & ~PTE_WRITE);
			}
		}
	}
}

pfn_t as_global_l1(uintptr_t va, pfn_t frame)
{
	pfn_t l1 = table_draft();

	if (l1 == PFN_NONE)
		return PFN_NONE;
	ASSERT(global_l1 == PFN_NONE);    /* one such page */
	table_va(l1)[(va >> 12) & 511] = user_pte(frame, 0);
	table_seal(l1);              /* refcount 1: the kernel's, for good */
	global_l1 = l1;
	global_frame = frame;
	/* Pinned, Xen keeps it validated while no address space holds it. */
	mmuext(MMUEXT_PIN_L1_TABLE, l1);
	kstat_dec(KStatPageTables);  /* not a per-process table */
	return l1;
}

bool as_hook_l1(struct addrspace *as, uintptr_t va, pfn_t l1)
{
	pfn_t l2;
	unsigned int idx;

	ASSERT(user_va_ok(va));
	/* The L2 the way walk() would get it: created, or unshared. */
	if (!walk_l2(as, va, &l2))
		return false;
	idx = (va >> 21) & 511;
	ASSERT(!(table_va(l2)[idx] & PTE_PRESENT));
	table_get(l1);
	mmu_batch_write(l2, idx, (pfn_to_mfn(l1) << PAGE_SHIFT) | USER_TABLE_FLAGS);
	mmu_batch_flush();
	return true;
}

bool as_fork(struct addrspace *child, const struct addrspace *parent,
	     void (*share)(pfn_t pfn))
{
	const uint64_t *l3 = table_va(parent->user_l3);

	for (unsigned int i = 0; i < 512; i++) {
		if (!(l3[i] & PTE_PRESENT))
			continue;
		ASSERT(!(table_va(child->user_l3)[i] & PTE_PRESENT));
		pfn_t l2 = entry_pfn(l3[i]);
		write_protect_l2(l2, share);
		table_get(l2);
		mmu_batch_write(child->user_l3, i, l3[i]);
	}
	mmu_batch_flush();
	/* The parent's writable entries went read-only under its feet. */
	if (parent == current_as)
		tlb_flush_local();
	return true;
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

/*
 * This address space lets go of the L2 table l2 and all below it: every
 * frame mapped there loses this address space's reference (release), and
 * every table it was the last holder of is freed.  Xen has let go already
 * (the root is unpinned), except of tables other address spaces hold.
 */
static void put_l2(pfn_t l2, void (*release)(pfn_t), bool pool)
{
	const uint64_t *e2 = table_va(l2);
	bool last = table_put(l2);

	ASSERT(last || !pool);
	for (unsigned int i2 = 0; i2 < 512; i2++) {
		if (!(e2[i2] & PTE_PRESENT))
			continue;
		pfn_t l1 = entry_pfn(e2[i2]);
		if (release != NULL && l1 == global_l1) {
			release(global_frame);
		} else if (release != NULL) {
			const uint64_t *e1 = table_va(l1);
			for (unsigned int i = 0; i < 512; i++)
				if (e1[i] & PTE_PRESENT)
					release(entry_pfn(e1[i]));
		}
		if (!last)
			continue;
		if (pool) {
			/* The pinned L2 still refers to it: let go first. */
			mmu_batch_write(l2, i2, 0);
			mmu_batch_flush();
		}
		if (table_put(l1))
			table_free(l1);
	}
	if (last && pool) {
		l2_pool[l2_pool_count++] = l2;
		kstat_dec(KStatPageTables);
	} else if (last) {
		table_free(l2);
	}
}

void as_destroy(struct addrspace *as, void (*release)(pfn_t pfn))
{
	const uint64_t *l3 = table_va(as->user_l3);
	pfn_t l2s[512];
	bool pool[512];
	unsigned int n = 0, pooling = l2_pool_count;
	struct roots r = { as->kernel_l4, as->user_l4, as->user_l3 };

	ASSERT(as != current_as);
	mm_cache_register(&table_pool_cache);
	/* Emptying the user L3 makes Xen drop its references to the tables
	 * below (and check out those only this address space held), except
	 * the L2s pinned here for the pool; the roots stay pinned too. */
	for (unsigned int i = 0; i < 512; i++) {
		if (!(l3[i] & PTE_PRESENT))
			continue;
		l2s[n] = entry_pfn(l3[i]);
		pool[n] = !table_shared(l2s[n]) && pooling < L2_POOL_MAX;
		if (pool[n]) {
			mmuext(MMUEXT_PIN_L2_TABLE, l2s[n]);
			pooling++;
		}
		mmu_batch_write(as->user_l3, i, 0);
		n++;
	}
	mmu_batch_flush();
	for (unsigned int i = 0; i < n; i++)
		put_l2(l2s[i], release, pool[i]);
	if (root_pool_count < ROOT_POOL_MAX) {
		root_pool[root_pool_count++] = r;
		kstat_sub(KStatPageTables, 3);
	} else {
		roots_free(&r);
	}
}
