/*
 * Page tables under Xen PV, behind an API that hides Xen's rules:
 * page-table frames are read-only everywhere they are mapped, changes to
 * live tables go through mmu_update, roots are pinned, and a switch loads
 * the kernel and the user L4 together.
 *
 * Address-space layout (docs/ARCHITECTURE.md has the full map):
 *   [0, USER_TOP)                       user, L4 slot 0 only
 *   0xffff800000000000 (slots 256-271)  Xen's (M2P table etc.)
 *   0xffff888000000000 (slot 273)       direct map of every pseudo-physical page
 *   0xffffffff80000000 (slot 511)       kernel image and Xen's boot mappings
 */
#ifndef PAGETABLE_H
#define PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/mm.h>

#define DIRECTMAP_BASE 0xffff888000000000UL
#define USER_TOP       0x0000008000000000UL   /* one L4 slot: 512 GiB */

#define PTE_PRESENT  0x001UL
#define PTE_WRITE    0x002UL
#define PTE_USER     0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY    0x040UL
#define PTE_NX       (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

/* Memory bring-up: direct map, page array, buddy allocator. */
void physmap_init(uint64_t boot_rsp);
/* Pages the kernel keeps (image, Xen's boot data, tables, page array). */
extern pfn_t physmap_reserved_pages;

struct addrspace {
	pfn_t kernel_l4;      /* kernel + user halves: used in kernel mode */
	pfn_t user_l4;        /* user half only: used in user mode */
	pfn_t user_l3;        /* slot 0 of both L4s */
};

/* Mapping flags for as_map/as_protect. */
#define MAP_WRITE 0x1
#define MAP_EXEC  0x2

/* Returns false if there is no memory. */
bool as_create(struct addrspace *as);
/*
 * Unpins and frees every table.  For each mapped page, release(pfn) is
 * called so that the owner can drop its reference.  as must not be the
 * current address space.
 */
void as_destroy(struct addrspace *as, void (*release)(pfn_t pfn));
/* Maps one user page (va page-aligned, below USER_TOP).  False: no memory
 * for a table (or for a copy of a shared one).  The previous mapping, if
 * any, is replaced. */
bool as_map(struct addrspace *as, uintptr_t va, pfn_t pfn, unsigned int flags);
/*
 * fork: child (fresh from as_create) gets every user mapping of parent.
 * The two share the parent's L2 tables (and all below); every writable
 * entry becomes read-only, for copy-on-write, and each mapped frame gets
 * one more reference through share(pfn).  A later change in either copies
 * the shared tables on its path first (as_map, as_protect, as_unmap).
 * Needs no memory, so it cannot fail.
 */
bool as_fork(struct addrspace *child, const struct addrspace *parent,
	     void (*share)(pfn_t pfn));
/*
 * A page every address space maps read-only at va (the time page): its L1
 * table is built once, pinned and held by the kernel for good, and hooked
 * into each address space's L2 (as_hook_l1), so that an address space pays
 * one L2 entry for it, not a table.  The caller counts the frame as one
 * more user mapping per address space (as_destroy releases it like any).
 */
pfn_t as_global_l1(uintptr_t va, pfn_t frame);
bool as_hook_l1(struct addrspace *as, uintptr_t va, pfn_t l1);
/* Maps n pages that were not mapped, from va on, all in one L1 table
 * (one 2 MiB-aligned range), in one mmu_update batch.  False: no memory
 * for a table. */
bool as_map_run(struct addrspace *as, uintptr_t va, const pfn_t *pfns,
		unsigned int n, unsigned int flags);
/* Unmaps one page; returns its pfn, or PFN_NONE if it was not mapped. */
pfn_t as_unmap(struct addrspace *as, uintptr_t va);
/* Changes the flags of a mapped page; false if not mapped. */
bool as_protect(struct addrspace *as, uintptr_t va, unsigned int flags);
/* The pfn mapped at va (and its flags), or PFN_NONE. */
pfn_t as_translate(const struct addrspace *as, uintptr_t va,
		   unsigned int *flags);
/* Unmaps `pages` pages of the direct map from va (writable ones, not
 * tables), or maps them again: guard pages in debug builds. */
void directmap_set_present(void *va, unsigned int pages, bool present);

/* Loads as (NULL: the kernel-only boot tables). */
void as_switch(const struct addrspace *as);
const struct addrspace *as_current(void);

#endif
