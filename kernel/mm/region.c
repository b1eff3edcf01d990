/* The fixed user regions and demand paging; see <kernel/region.h>. */
#include <stddef.h>
#include <kernel/region.h>
#include <kernel/exec.h>
#include <kernel/panic.h>
#include <kernel/kstat.h>
#include <xen/time.h>
#include <arch/trap.h>

static bool demand_zero_region(uintptr_t a)
{
	return (a >= HEAP_BASE && a < HEAP_END) ||
	       (a >= STACK_BASE && a < STACK_TOP);
}

/* Every page of these regions is mapped writable, until fork shares it. */
static bool writable_region(uintptr_t a)
{
	return (a >= DATA_BASE && a < DATA_END) || demand_zero_region(a);
}

bool vm_create(struct vm *vm)
{
	vm->text = NULL;
	vm->user_pages = 0;
	return as_create(&vm->as);
}

void vm_destroy(struct vm *vm)
{
	as_destroy(&vm->as, user_page_release);
	if (vm->text != NULL)
		text_put(vm->text);
	vm->text = NULL;
	vm->user_pages = 0;
}

bool region_map_time_page(struct vm *vm)
{
	static pfn_t time_l1 = PFN_NONE;
	pfn_t frame = time_page_pfn();

	if (frame == PFN_NONE)
		return false;
	if (time_l1 == PFN_NONE && (time_l1 = as_global_l1(TIME_PAGE, frame)) ==
	    PFN_NONE)
		return false;
	if (!as_hook_l1(&vm->as, TIME_PAGE, time_l1))
		return false;
	user_page_share(frame);        /* released with the vm, like any page */
	vm->user_pages++;
	return true;
}

void user_page_share(pfn_t pfn)
{
	struct page *pg = pfn_to_page(pfn);

	ASSERT(pg->refcount > 0);
	pg->refcount++;
}

void user_page_release(pfn_t pfn)
{
	struct page *pg = pfn_to_page(pfn);

	ASSERT(pg->refcount > 0);
	if (--pg->refcount == 0)
		buddy_free(pfn, 0);
}

bool region_map_new_page(struct vm *vm, uintptr_t va, unsigned int flags,
			 void **kva)
{
	if (vm->user_pages >= USER_PAGES_MAX)
		return false;
	pfn_t pfn = buddy_alloc(0);
	if (pfn == PFN_NONE)
		return false;
	page_clear(pfn_to_va(pfn));
	pfn_to_page(pfn)->refcount = 1;
	if (!as_map(&vm->as, va, pfn, flags)) {
		buddy_free(pfn, 0);
		return false;
	}
	vm->user_pages++;
	if (kva != NULL)
		*kva = pfn_to_va(pfn);
	return true;
}

/*
 * Copy-on-write, the one kind of protection fault a process may take: a
 * write to a page of a writable region that fork made read-only.  While
 * another process still maps the frame, this one gets a copy; the last
 * holder (refcount 1) just gets its write access back, with no copy.
 */
bool region_cow(struct vm *vm, uintptr_t va)
{
	unsigned int flags;
	pfn_t old = as_translate(&vm->as, va, &flags);

	if (old == PFN_NONE)
		return false;
	if (pfn_to_page(old)->refcount == 1) {
		kstat_inc(KStatCowReuses);
		return as_protect(&vm->as, va, flags | MAP_WRITE);
	}
	pfn_t copy = buddy_alloc(0);
	if (copy == PFN_NONE)
		return false;
	page_copy(pfn_to_va(copy), pfn_to_va(old));
	pfn_to_page(copy)->refcount = 1;
	/* Can fail only for a copy of a shared table on the way. */
	if (!as_map(&vm->as, va, copy, flags | MAP_WRITE)) {
		buddy_free(copy, 0);
		return false;
	}
	user_page_release(old);
	kstat_inc(KStatCowCopies);
	return true;
}

/*
 * Fault-around for a heap walked upwards: a missing heap page whose lower
 * neighbour is mapped (a buffer being filled, an array growing) brings in
 * up to FAULT_AROUND pages from there in one fault and one mmu_update
 * batch, stopping at the first page mapped already, the end of the L1
 * table's 2 MiB, the region's end and USER_PAGES_MAX.  A lone fault still
 * maps one page: a program that touches one page pays one page.
 */
#define FAULT_AROUND 16

static unsigned int around(const struct vm *vm, uintptr_t va)
{
	if (va < HEAP_BASE || va >= HEAP_END || va == HEAP_BASE ||
	    as_translate(&vm->as, va - PAGE_SIZE, NULL) == PFN_NONE)
		return 1;
	unsigned int n = 1;
	while (n < FAULT_AROUND && vm->user_pages + n < USER_PAGES_MAX) {
		uintptr_t next = va + n * PAGE_SIZE;
		if (next >= HEAP_END || (next & ((1UL << 21) - 1)) == 0 ||
		    as_translate(&vm->as, next, NULL) != PFN_NONE)
			break;
		n++;
	}
	return n;
}

static bool map_zero_pages(struct vm *vm, uintptr_t va)
{
	pfn_t pfns[FAULT_AROUND];
	unsigned int want = around(vm, va), n = 0;

	if (want == 1)
		return region_map_new_page(vm, va, MAP_WRITE, NULL);
	while (n < want && (pfns[n] = buddy_alloc(0)) != PFN_NONE) {
		page_clear(pfn_to_va(pfns[n]));
		pfn_to_page(pfns[n])->refcount = 1;
		n++;
	}
	if (n > 0 && as_map_run(&vm->as, va, pfns, n, MAP_WRITE)) {
		vm->user_pages += n;
		return true;
	}
	while (n > 0)
		buddy_free(pfns[--n], 0);
	return false;
}

bool region_fault(struct vm *vm, uintptr_t address, uint64_t error)
{
	uintptr_t va = address & PAGE_MASK;

	if (!(error & PF_PRESENT)) {
		if (!demand_zero_region(address))
			return false;
		/* Mapped meanwhile (a stale TLB entry): retry, and do not map a
		 * second page over the first. */
		if (as_translate(&vm->as, va, NULL) != PFN_NONE)
			return true;
		return map_zero_pages(vm, va);
	}
	if ((error & PF_WRITE) && writable_region(address))
		return region_cow(vm, va);
	return false;                  /* text, or no region at all */
}
