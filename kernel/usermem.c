/*
 * User memory: the fixed regions, demand paging, and loading an ELF
 * executable into them.
 *
 *   text  [TEXT_BASE, TEXT_END)    read-only (+exec), loaded from the file
 *   data  [DATA_BASE, DATA_END)    read-write, loaded from the file
 *   heap  [HEAP_BASE, HEAP_END)    read-write, zero pages on first touch
 *   stack [STACK_BASE, STACK_TOP)  read-write, zero pages on first touch
 *
 * Anything else is no memory at all: a touch kills the process.
 */
#include <stddef.h>
#include "proc.h"
#include "elf64.h"
#include "mm.h"
#include "kstring.h"
#include "panic.h"
#include "trap.h"

/* The most user pages one process may hold (heap + stack + image). */
#define USER_PAGES_MAX (64 * 1024)

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

/* A fresh zeroed page mapped at va; false if out of memory. */
static bool map_new_page(struct proc *p, uintptr_t va, unsigned int flags,
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
	return map_new_page(p, address & PAGE_MASK, MAP_WRITE, NULL);
}

static unsigned int segment_flags(uint32_t pflags)
{
	return ((pflags & PF_W) ? MAP_WRITE : 0) | ((pflags & PF_X) ? MAP_EXEC : 0);
}

/* Maps and fills the pages of one validated segment. */
static enum status load_segment(struct proc *p, const uint8_t *file,
				const struct elf_segment *seg)
{
	uintptr_t start = seg->vaddr & PAGE_MASK;
	uintptr_t end = (seg->vaddr + seg->memsz + PAGE_SIZE - 1) & PAGE_MASK;

	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		uint8_t *page;

		if (!map_new_page(p, va, segment_flags(seg->flags), (void **)&page))
			return StatusNoMemory;
		/* The part of [vaddr, vaddr + filesz) inside this page. */
		uintptr_t from = va > seg->vaddr ? va : seg->vaddr;
		uintptr_t to = seg->vaddr + seg->filesz;
		if (to > va + PAGE_SIZE)
			to = va + PAGE_SIZE;
		if (from < to)
			memcpy(page + (from - va),
			       file + seg->offset + (from - seg->vaddr), to - from);
	}
	return StatusOk;
}

enum status exec_load(struct proc *p, const void *file, uint64_t size,
		      uintptr_t *entry)
{
	static const struct elf_limits limits = {
		.text_base = TEXT_BASE, .text_end = TEXT_END,
		.data_base = DATA_BASE, .data_end = DATA_END,
	};
	struct elf_image img;
	enum status st = elf_parse(file, size, &limits, &img);

	if (st != StatusOk)
		return st;
	for (unsigned int i = 0; i < img.nsegments; i++) {
		st = load_segment(p, file, &img.seg[i]);
		if (st != StatusOk)
			return st;
	}
	*entry = img.entry;
	return StatusOk;
}
