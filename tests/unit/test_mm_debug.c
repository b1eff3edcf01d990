/*
 * The debug build's allocator checks on the host: a write to a freed slob
 * object or buddy page panics, naming the allocator, when the memory is
 * handed out again; buddy_check catches lists that disagree with the
 * free count; the live object counters follow kmalloc and kfree.
 */
#include <stdint.h>
#include <string.h>
#include "unit.h"
#include "fake_memory.h"
#include <kernel/kstat.h>

#ifndef ETHOS_DEBUG
#error "built with -DETHOS_DEBUG (tests/unit/mm_debug.mk)"
#endif

#define NPAGES 1024

static void setup(void)
{
	fake_memory_init(NPAGES);
	buddy_add_range(0, NPAGES);
}

static void *last;

static void do_kmalloc(void *arg)
{
	last = kmalloc((size_t)(uintptr_t)arg);
}

static void do_alloc_all_pages(void *arg)
{
	(void)arg;
	while (buddy_alloc(0) != PFN_NONE)
		;
}

static void do_buddy_check(void *arg)
{
	(void)arg;
	buddy_check();
}

static void test_slob_poison(void)
{
	setup();
	unsigned char *a = kmalloc(64);
	kfree(a);
	for (size_t i = 8; i < 64; i++)
		CHECK_EQ(a[i], POISON_FREE);
	a[40] = 1;                      /* a write through a stale pointer */
	CHECK(unit_expect_panic(do_kmalloc, (void *)64));
	CHECK(strstr(unit_panic_msg, "slob") != NULL);
	CHECK(strstr(unit_panic_msg, "written after free") != NULL);
	a[40] = POISON_FREE;            /* repaired: handed out again */
	CHECK(!unit_expect_panic(do_kmalloc, (void *)64));
	CHECK(last == a);
	kfree(a);
	uintptr_t link = *(uintptr_t *)a;
	*(uintptr_t *)a = 0x1234;       /* the free-list link itself */
	CHECK(unit_expect_panic(do_kmalloc, (void *)64));
	CHECK(strstr(unit_panic_msg, "link") != NULL);
	*(uintptr_t *)a = link;
	slob_reclaim();                 /* the slob's lists outlive the memory */
	fake_memory_free();
}

static void test_slob_poison_every_class(void)
{
	setup();
	for (size_t size = 16; size <= SLOB_MAX; size *= 2) {
		unsigned char *a = kmalloc(size);
		kfree(a);
		a[size - 1] ^= 0xff;    /* the last byte of the object */
		CHECK(unit_expect_panic(do_kmalloc, (void *)size));
		a[size - 1] ^= 0xff;
		CHECK(!unit_expect_panic(do_kmalloc, (void *)size));
		kfree(last);
	}
	slob_reclaim();
	fake_memory_free();
}

static void test_buddy_poison(void)
{
	setup();
	pfn_t pfn = buddy_alloc(0);
	buddy_free(pfn, 0);
	CHECK(pfn_to_page(pfn)->flags & PAGE_FLAG_POISONED);
	((unsigned char *)pfn_to_va(pfn))[PAGE_SIZE - 1] = 0;
	CHECK(unit_expect_panic(do_alloc_all_pages, NULL));
	CHECK(strstr(unit_panic_msg, "buddy") != NULL);
	CHECK(strstr(unit_panic_msg, "written after free") != NULL);
	fake_memory_free();

	/* A block of order 3, freed and coalesced, then cut into pages. */
	setup();
	pfn = buddy_alloc(3);
	buddy_free(pfn, 3);
	((unsigned char *)pfn_to_va(pfn + 5))[100] = 7;
	CHECK(unit_expect_panic(do_alloc_all_pages, NULL));
	CHECK(strstr(unit_panic_msg, "buddy") != NULL);
	fake_memory_free();

	/* Untouched: everything is handed out without a word. */
	setup();
	pfn = buddy_alloc(3);
	buddy_free(pfn, 3);
	CHECK(!unit_expect_panic(do_alloc_all_pages, NULL));
	fake_memory_free();
}

static void test_buddy_check(void)
{
	setup();
	pfn_t pfns[64];
	unit_rng = 7;
	for (unsigned int i = 0; i < 64; i++)
		pfns[i] = PFN_NONE;
	for (int round = 0; round < 2000; round++) {
		unsigned int i = unit_rand_below(64);
		if (pfns[i] == PFN_NONE) {
			pfns[i] = buddy_alloc(unit_rand_below(3));
		} else {
			buddy_free(pfns[i], mm_pages[pfns[i]].order);
			pfns[i] = PFN_NONE;
		}
	}
	CHECK(!unit_expect_panic(do_buddy_check, NULL));
	/* A free block whose head lost its order: the lists disagree. */
	pfn_t pfn = buddy_alloc(2);
	buddy_free(pfn, 2);
	struct page *pg = NULL;
	for (unsigned int k = 0; k < NPAGES; k++)
		if (mm_pages[k].state == PageFree && mm_pages[k].order > 0)
			pg = &mm_pages[k];
	CHECK(pg != NULL);
	if (pg != NULL) {
		pg->order--;
		CHECK(unit_expect_panic(do_buddy_check, NULL));
		CHECK(strstr(unit_panic_msg, "buddy") != NULL);
	}
	fake_memory_free();
}

static void test_counters(void)
{
	setup();
	uint64_t s64 = kstat[KStatSlob64], s16 = kstat[KStatSlob16];
	uint64_t large = kstat[KStatLargeBlocks];
	void *a = kmalloc(64), *b = kmalloc(33), *c = kmalloc(1);
	void *big = kmalloc(3 * PAGE_SIZE);
	CHECK_EQ(kstat[KStatSlob64], s64 + 2);
	CHECK_EQ(kstat[KStatSlob16], s16 + 1);
	CHECK_EQ(kstat[KStatLargeBlocks], large + 1);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(big);
	CHECK_EQ(kstat[KStatSlob64], s64);
	CHECK_EQ(kstat[KStatSlob16], s16);
	CHECK_EQ(kstat[KStatLargeBlocks], large);
	slob_reclaim();
	fake_memory_free();
}

int main(void)
{
	RUN(test_slob_poison);
	RUN(test_slob_poison_every_class);
	RUN(test_buddy_poison);
	RUN(test_buddy_check);
	RUN(test_counters);
	UNIT_EXIT();
}
