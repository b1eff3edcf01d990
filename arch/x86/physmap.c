/*
 * Memory bring-up under Xen PV.
 *
 * Xen hands us: the kernel image and its boot data (archive, P2M list,
 * start_info, console pages, bootstrap page tables, stack) mapped at
 * VIRT_BASE + pfn * 4096, followed by a padding of mapped free pages.  We
 *  1. find the first pfn after everything Xen put there,
 *  2. unmap the free tail of that boot mapping (a free page that stayed
 *     writable there could never become a page table),
 *  3. build a direct map of every pseudo-physical page at DIRECTMAP_BASE,
 *     bottom-up, writing the new table frames with batched mmu_update
 *     (Xen lets mmu_update write into a frame that is not yet a page
 *     table, so new tables never need a writable mapping) and hooking the
 *     whole tree into the boot L4 with one last update, which Xen
 *     validates at once,
 *  4. place the struct page array after the tables and hand every page
 *     above it to the buddy allocator.
 *
 * The direct map is built lazily.  Writing its 64k entries for 256 MiB and
 * Xen checking them cost 53M instructions (measured), almost all of the
 * boot.  So the boot maps only what the kernel holds plus BOOT_HEADROOM
 * pages; the rest is mapped one L1 table (512 pages, 2 MiB) at a time
 * when the buddy allocator runs dry (an mm_cache whose "reclaim" maps the
 * next table and whose pages count as free, so free-page counts do not
 * see the difference).
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <arch/pagetable.h>
#include <arch/physmap.h>
#include <arch/asm_defs.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

extern char _end[];

pfn_t physmap_reserved_pages;

static pfn_t xen_pt_first, xen_pt_end;   /* Xen's bootstrap page tables */
static pfn_t dm_tables_first, dm_tables_end;
static pfn_t dm_l1_first, dm_l2_first;
static pfn_t dm_nr_pages;       /* pages the direct map will cover */
static pfn_t dm_mapped_end;     /* it covers [0, dm_mapped_end) so far */

#define BOOT_HEADROOM 512       /* pages mapped at boot beyond the kernel's */

/* --- the boot mapping ------------------------------------------------ */

static inline uint64_t pte_mfn(uint64_t pte)
{
	return (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

/* Xen's boot tables live in the boot mapping, like everything it loaded. */
static const uint64_t *boot_table(uint64_t entry, pfn_t *pfn)
{
	*pfn = mfn_to_pfn(pte_mfn(entry));
	return (const uint64_t *)(KERNEL_VIRT_BASE + (*pfn << PAGE_SHIFT));
}

/* The boot L1 frame and index that map va, or false if unmapped. */
static bool boot_pte(uintptr_t va, pfn_t *l1_pfn, unsigned int *idx)
{
	const uint64_t *table = (const uint64_t *)start_info->pt_base;
	pfn_t pfn = 0;

	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = table[(va >> shift) & 511];
		if (!(e & PTE_PRESENT))
			return false;
		if (shift == 12) {
			*idx = (va >> 12) & 511;
			*l1_pfn = pfn;
			return true;
		}
		table = boot_table(e, &pfn);
	}
	return false;
}

static pfn_t max_pfn(pfn_t a, pfn_t b)
{
	return a > b ? a : b;
}

/* The first pfn after the image and everything Xen loaded behind it. */
static pfn_t first_free_pfn(uint64_t boot_rsp)
{
	const start_info_t *si = start_info;
	pfn_t end = PFN_UP((uintptr_t)_end - KERNEL_VIRT_BASE);

	end = max_pfn(end, PFN_UP(si->pt_base - KERNEL_VIRT_BASE) + si->nr_pt_frames);
	end = max_pfn(end, PFN_UP(si->mfn_list - KERNEL_VIRT_BASE + si->nr_pages * 8));
	end = max_pfn(end, PFN_DOWN((uintptr_t)si - KERNEL_VIRT_BASE) + 1);
	end = max_pfn(end, PFN_UP(boot_rsp - KERNEL_VIRT_BASE));
	if (si->mod_len != 0) {
		pfn_t mod = (si->flags & SIF_MOD_START_PFN) ? si->mod_start :
			    PFN_DOWN(si->mod_start - KERNEL_VIRT_BASE);
		end = max_pfn(end, mod + PFN_UP(si->mod_len));
	}
	if (!xen_is_dom0()) {
		end = max_pfn(end, mfn_to_pfn(si->store_mfn) + 1);
		end = max_pfn(end, mfn_to_pfn(si->console.domU.mfn) + 1);
	}
	return end;
}

/* Unmaps VIRT_BASE + pfn * 4096 for every pfn from `from` to the end of
 * the boot mapping; returns the first pfn that was not mapped. */
static pfn_t unmap_boot_tail(pfn_t from)
{
	pfn_t pfn = from, l1;
	unsigned int idx;

	while (boot_pte(KERNEL_VIRT_BASE + (pfn << PAGE_SHIFT), &l1, &idx)) {
		mmu_batch_write(l1, idx, 0);
		pfn++;
	}
	mmu_batch_flush();
	tlb_flush_local();
	return pfn;
}

/* --- the direct map -------------------------------------------------- */

static bool is_boot_pagetable(pfn_t pfn)
{
	return (pfn >= xen_pt_first && pfn < xen_pt_end) ||
	       (pfn >= dm_tables_first && pfn < dm_tables_end);
}

uint64_t directmap_pte(pfn_t pfn, bool writable)
{
	return (pfn_to_mfn(pfn) << PAGE_SHIFT) | PTE_PRESENT | PTE_ACCESSED |
	       PTE_DIRTY | PTE_NX | (writable ? PTE_WRITE : 0);
}

/* The direct-map L1 frame holding pfn's entry. */
pfn_t directmap_l1_of(pfn_t pfn)
{
	return dm_l1_first + pfn / 512;
}

static uint64_t table_entry(pfn_t table)
{
	return (pfn_to_mfn(table) << PAGE_SHIFT) | PTE_PRESENT | PTE_WRITE |
	       PTE_ACCESSED;
}

/* Writes the 512 entries of direct-map L1 table k (queued; the frame is
 * not a table yet, so Xen takes the writes as ordinary data). */
static void fill_l1(pfn_t k)
{
	for (unsigned int i = 0; i < 512; i++) {
		pfn_t pfn = k * 512 + i;
		uint64_t pte = 0;

		if (pfn < dm_nr_pages && pfn_to_mfn(pfn) != ~0UL)
			pte = directmap_pte(pfn, !is_boot_pagetable(pfn));
		mmu_batch_write(dm_l1_first + k, i, pte);
	}
}

static pfn_t min_pfn(pfn_t a, pfn_t b)
{
	return a < b ? a : b;
}

/* Maps the next 2 MiB of the direct map and gives its pages to the buddy
 * allocator: fill the L1, then hook it (Xen checks it then). */
static void directmap_grow(void)
{
	if (dm_mapped_end >= dm_nr_pages)
		return;
	pfn_t k = dm_mapped_end / 512;
	pfn_t from = dm_mapped_end, to = min_pfn((k + 1) * 512, dm_nr_pages);

	fill_l1(k);
	mmu_batch_flush();
	mmu_batch_write(dm_l2_first + k / 512, k % 512, table_entry(dm_l1_first + k));
	mmu_batch_flush();
	dm_mapped_end = to;
	buddy_add_range(from, to);
}

static uint64_t directmap_unmapped_pages(void)
{
	return dm_nr_pages - dm_mapped_end;
}

static const struct mm_cache directmap_cache = {
	.pages = directmap_unmapped_pages,
	.reclaim = directmap_grow,
};

/* Builds the tables for all of memory, and maps [0, map_end) now. */
static void directmap_build(pfn_t nr_pages, pfn_t tables_first, pfn_t map_end)
{
	pfn_t n_l1 = (nr_pages + 511) / 512;
	pfn_t n_l2 = (n_l1 + 511) / 512;
	pfn_t l3 = tables_first, l2_first = l3 + 1;
	pfn_t k_end = (map_end + 511) / 512;

	if (n_l2 > 512)
		panic("more memory than one direct-map L3 covers");
	dm_nr_pages = nr_pages;
	dm_l2_first = l2_first;
	dm_l1_first = l2_first + n_l2;
	dm_tables_first = tables_first;
	dm_tables_end = dm_l1_first + n_l1;
	if (dm_tables_end >= nr_pages)
		panic("no memory for the direct map");

	for (pfn_t k = 0; k < k_end; k++)
		fill_l1(k);
	for (pfn_t j = 0; j < n_l2; j++)
		for (unsigned int i = 0; i < 512; i++) {
			pfn_t k = j * 512 + i;
			mmu_batch_write(l2_first + j, i,
					k < k_end ? table_entry(dm_l1_first + k) : 0);
		}
	for (unsigned int i = 0; i < 512; i++)
		mmu_batch_write(l3, i, i < n_l2 ? table_entry(l2_first + i) : 0);
	mmu_batch_flush();
	dm_mapped_end = min_pfn(k_end * 512, nr_pages);

	/* Hooking the L3 in makes Xen validate the whole new tree. */
	pfn_t boot_l4 = PFN_DOWN(start_info->pt_base - KERNEL_VIRT_BASE);
	mmu_batch_write(boot_l4, (DIRECTMAP_BASE >> 39) & 511, table_entry(l3));
	mmu_batch_flush();
}

static void page_array_init(pfn_t nr_pages, pfn_t first)
{
	size_t bytes = nr_pages * sizeof(struct page);
	pfn_t count = PFN_UP(bytes);

	if (first + count >= nr_pages)
		panic("no memory for the page array");
	for (pfn_t p = first; p < first + count; p++)
		page_clear(pfn_to_va(p));
	buddy_init((struct page *)pfn_to_va(first), nr_pages);
	for (pfn_t p = 0; p < nr_pages; p++)
		if (is_boot_pagetable(p))
			pfn_to_page(p)->flags |= PAGE_FLAG_PAGETABLE;
	if (first + count >= dm_mapped_end)
		panic("the boot's part of the direct map misses the page array");
	buddy_add_range(first + count, dm_mapped_end);
	physmap_reserved_pages = first + count;
	mm_cache_register(&directmap_cache);
}

void physmap_init(uint64_t boot_rsp)
{
	pfn_t nr_pages = start_info->nr_pages;
	pfn_t first_free = first_free_pfn(boot_rsp);

	xen_pt_first = PFN_DOWN(start_info->pt_base - KERNEL_VIRT_BASE);
	xen_pt_end = xen_pt_first + start_info->nr_pt_frames;
	pfn_t boot_end = unmap_boot_tail(first_free);

	mm_directmap_base = DIRECTMAP_BASE;
	/* The tables, the page array and some headroom are mapped now. */
	pfn_t n_l1 = (nr_pages + 511) / 512;
	pfn_t tables = 1 + (n_l1 + 511) / 512 + n_l1;
	pfn_t array = PFN_UP(nr_pages * sizeof(struct page));
	directmap_build(nr_pages, first_free,
			min_pfn(first_free + tables + array + BOOT_HEADROOM,
				nr_pages));
	page_array_init(nr_pages, dm_tables_end);
	printk("memory: %lu pages total, %lu free (%lu mapped yet), %lu used by "
	       "kernel (boot data to pfn %lu, boot mapping to %lu, direct map "
	       "%lu tables)\n",
	       (unsigned long)nr_pages, (unsigned long)mm_free_pages(),
	       (unsigned long)buddy_free_pages(),
	       (unsigned long)physmap_reserved_pages, (unsigned long)first_free,
	       (unsigned long)boot_end,
	       (unsigned long)(dm_tables_end - dm_tables_first));
}
