/* The fixed user regions and demand paging; see <kernel/region.h>. */
#include <stddef.h>
#include <kernel/region.h>
#include <kernel/proc.h>
#include <kernel/panic.h>
#include <arch/trap.h>

static bool demand_zero_region(uintptr_t a)
{
	return (a >= HEAP_BASE && a < HEAP_END) ||
	       (a >= STACK_BASE && a < STACK_TOP);
}

void user_page_release(pfn_t pfn)
{
	struct page *pg = pfn_to_page(pfn);

	ASSERT(pg->refcount > 0);
	if (--pg->refcount == 0)
		buddy_free(pfn, 0);
}

bool region_map_new_page(struct proc *p, uintptr_t va, unsigned int flags,
			 void **kva)
{
	if (p->user_pages >= USER_PAGES_MAX)
		return false;
	pfn_t pfn = buddy_alloc(0);
	if (pfn == PFN_NONE)
		return false;
	page_clear(pfn_to_va(pfn));
	pfn_to_page(pfn)->refcount = 1;
	if (!as_map(&p->as, va, pfn, flags)) {
		buddy_free(pfn, 0);
		return false;
	}
	p->user_pages++;
	if (kva != NULL)
		*kva = pfn_to_va(pfn);
	return true;
}

bool region_fault(struct proc *p, uintptr_t address, uint64_t error)
{
	if (error & PF_PRESENT)
		return false;          /* a protection fault, not a missing page */
	if (!demand_zero_region(address))
		return false;
	return region_map_new_page(p, address & PAGE_MASK, MAP_WRITE, NULL);
}
