/*
 * Kernel self-tests (ethos.selftest=1): the page allocators and the
 * page-table API, exercised on the real machine.  Lines "PASS: kernel/..."
 * or "FAIL: kernel/..." are counted by the test driver.
 */
#include <stddef.h>
#include <kernel/mm.h>
#include <arch/pagetable.h>
#include <kernel/printk.h>
#include <kernel/kernel.h>
#include <kernel/kstring.h>
#include <kernel/proc.h>

static int failures;

static void check(const char *name, bool ok)
{
	printk("%s: kernel/%s\n", ok ? "PASS" : "FAIL", name);
	failures += !ok;
}

/* Allocates blocks of `order` until none is left, chaining them through
 * their first word; then frees them all.  Returns how many it got. */
static uint64_t drain(unsigned int order)
{
	pfn_t head = PFN_NONE, pfn;
	uint64_t n = 0;

	while ((pfn = buddy_alloc(order)) != PFN_NONE) {
		*(pfn_t *)pfn_to_va(pfn) = head;
		head = pfn;
		n++;
	}
	while (head != PFN_NONE) {
		pfn_t next = *(pfn_t *)pfn_to_va(head);
		buddy_free(head, order);
		head = next;
	}
	return n;
}

static void test_buddy(void)
{
	/* Every free page, the caches' too (the slob's spares, and the part
	 * of the direct map not mapped yet, which running dry maps). */
	uint64_t start = mm_free_pages();
	uint64_t pages = drain(0);

	check("buddy: order-0 allocation until exhaustion gets every free page",
	      pages == start);
	check("buddy: free count back after freeing all", buddy_free_pages() == start);
	uint64_t blocks = drain(4);
	check("buddy: order-4 blocks after coalescing",
	      blocks > 0 && blocks * 16 <= start && buddy_free_pages() == start);
}

static void test_slob(void)
{
	static void *objs[2000];
	uint64_t start = mm_free_pages();
	bool intact = true;

	for (int i = 0; i < 2000; i++) {
		size_t size = 1 + (size_t)(i * 37) % 3000;
		objs[i] = kmalloc(size);
		if (objs[i] != NULL)
			memset(objs[i], i & 0xff, size);
	}
	for (int i = 0; i < 2000; i++) {
		size_t size = 1 + (size_t)(i * 37) % 3000;
		const uint8_t *p = objs[i];
		intact &= p != NULL && p[0] == (i & 0xff) && p[size - 1] == (i & 0xff);
	}
	for (int i = 0; i < 2000; i += 2)
		kfree(objs[i]);
	for (int i = 1; i < 2000; i += 2)
		kfree(objs[i]);
	check("slob: 2000 objects of mixed sizes keep their contents", intact);
	check("slob: every page back after freeing all", mm_free_pages() == start);
}

static void test_addrspace(void)
{
	struct addrspace as;
	uint64_t start = mm_free_pages();
	const uintptr_t va = 0x400000, va2 = 0x7f00000000;

	check("addrspace: create", as_create(&as));
	pfn_t pfn = buddy_alloc(0), pfn2 = buddy_alloc(0);
	pfn_to_page(pfn)->refcount = 1;
	pfn_to_page(pfn2)->refcount = 1;
	page_clear(pfn_to_va(pfn));
	check("addrspace: map", as_map(&as, va, pfn, MAP_WRITE) &&
				as_map(&as, va2, pfn2, MAP_WRITE));
	unsigned int flags = 0;
	check("addrspace: translate", as_translate(&as, va + 123, &flags) == pfn &&
				      (flags & MAP_WRITE) && !(flags & MAP_EXEC));
	as_switch(&as);
	*(volatile uint64_t *)(va + 8) = 0x5eed5eed5eedULL;
	check("addrspace: write through the user address, read in the direct map",
	      ((uint64_t *)pfn_to_va(pfn))[1] == 0x5eed5eed5eedULL);
	check("addrspace: protect", as_protect(&as, va, 0) &&
				    as_translate(&as, va, &flags) == pfn &&
				    !(flags & MAP_WRITE));
	check("addrspace: unmap", as_unmap(&as, va) == pfn &&
				  as_translate(&as, va, NULL) == PFN_NONE &&
				  as_unmap(&as, va) == PFN_NONE);
	as_switch(NULL);
	pfn_to_page(pfn)->refcount = 0;
	buddy_free(pfn, 0);
	as_destroy(&as, user_page_release);
	check("addrspace: destroy returns every page (tables and mapped pages)",
	      mm_free_pages() == start);
}

int kernel_selftest(void)
{
	failures = 0;
	test_buddy();
	test_slob();
	test_addrspace();
	return failures;
}
