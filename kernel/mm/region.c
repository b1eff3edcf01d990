/* The fixed user regions and demand paging; see <kernel/region.h>. */
#include <stddef.h>
#include <kernel/region.h>
#include <kernel/exec.h>
#include <kernel/panic.h>
#include <arch/trap.h>

static bool demand_zero_region(uintptr_t a)
{
	return (a >= HEAP_BASE && a < HEAP_END) ||
	       (a >= STACK_BASE && a < STACK_TOP);
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

bool region_fault(struct vm *vm, uintptr_t address, uint64_t error)
{
	if (error & PF_PRESENT)
		return false;          /* a protection fault, not a missing page */
	if (!demand_zero_region(address))
		return false;
	return region_map_new_page(vm, address & PAGE_MASK, MAP_WRITE, NULL);
}
