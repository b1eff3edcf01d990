/*
 * The fixed user regions and demand paging (kernel/mm/region.c).
 *
 *   text  [TEXT_BASE, TEXT_END)    read-only (+exec), loaded from the file
 *   data  [DATA_BASE, DATA_END)    read-write, loaded from the file
 *   heap  [HEAP_BASE, HEAP_END)    read-write, zero pages on first touch
 *   stack [STACK_BASE, STACK_TOP)  read-write, zero pages on first touch
 *   time page TIME_PAGE            read-only: Xen's time record (one frame
 *                                  for everyone, in one shared L1 table)
 *
 * Anything else is no memory at all: a touch kills the process.
 */
#ifndef KERNEL_REGION_H
#define KERNEL_REGION_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/mm.h>
#include <arch/pagetable.h>

#define TEXT_BASE  0x0000000000400000UL
#define TEXT_END   0x0000000040000000UL
#define DATA_BASE  0x0000000040000000UL
#define DATA_END   0x0000000080000000UL
#define HEAP_BASE  0x0000000100000000UL
#define HEAP_END   0x0000004000000000UL
#define TIME_PAGE  0x00000000003ff000UL   /* == ETHOS_TIME_PAGE */
#define STACK_BASE 0x0000007f00000000UL
#define STACK_TOP  0x0000008000000000UL   /* == USER_TOP */

/* The most user pages one process may hold (heap + stack + image). */
#define USER_PAGES_MAX (64 * 1024)

struct text_image;

/* A process's memory: its address space, how many user pages are mapped
 * in it, and the shared text image behind its text region.  exec builds a
 * new one beside the old and swaps them only once it is complete. */
struct vm {
	struct addrspace as;
	struct text_image *text;
	uint64_t user_pages;
};

/* An empty vm (no pages, no text); false if out of memory. */
bool vm_create(struct vm *vm);
/* Frees every page (by reference), table and the text image's use. */
void vm_destroy(struct vm *vm);

/*
 * A user page fault at address with the CPU's error code: a missing heap or
 * stack page gets a zero page; a write to a page fork shared gets its own
 * copy (region_cow).  False if it is neither, or memory is out: the
 * process dies (or, in copyin/copyout, the call fails with BadAddress).
 */
bool region_fault(struct vm *vm, uintptr_t address, uint64_t error);
/* Makes the mapped page at va (page-aligned, in a writable region)
 * writable for vm alone: a copy if the frame is shared. */
bool region_cow(struct vm *vm, uintptr_t va);
/* A fresh zeroed page mapped at va with MAP_* flags; its kernel address in
 * *kva (if not NULL).  False if out of memory or over USER_PAGES_MAX. */
bool region_map_new_page(struct vm *vm, uintptr_t va, unsigned int flags,
			 void **kva);
/* Maps the time page into vm (read-only); false if memory ran out. */
bool region_map_time_page(struct vm *vm);
/* One more mapping of a user frame (fork). */
void user_page_share(pfn_t pfn);
/* Drops one reference to a user frame; the last frees it. */
void user_page_release(pfn_t pfn);

#endif
