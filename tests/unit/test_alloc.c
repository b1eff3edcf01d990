/*
 * The buddy and slob allocators against a reference model, on the host
 * (ASan + UBSan): long random sequences of mixed orders and sizes, with
 * overlap, alignment, contents and counts checked all along, full
 * coalescing at the end, exhaustion, and the misuse the ASSERTs catch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fake_memory.h"

#define NPAGES 4096

/* The model: which pfns the allocator manages, which are handed out. */
static unsigned char managed[NPAGES], owned[NPAGES];

static void manage(pfn_t start, pfn_t end)
{
	buddy_add_range(start, end);
	for (pfn_t p = start; p < end; p++)
		managed[p] = 1;
}

static void setup(void)
{
	memset(managed, 0, sizeof(managed));
	memset(owned, 0, sizeof(owned));
	fake_memory_init(NPAGES);
	/* Unaligned ranges with holes, like real memory after the kernel. */
	manage(3, 1000);
	manage(1027, 2048);
	manage(2049, NPAGES - 5);
}

static uint64_t managed_pages(void)
{
	uint64_t n = 0;

	for (pfn_t p = 0; p < NPAGES; p++)
		n += managed[p] && !owned[p];
	return n;
}

/* Is there an aligned block of 2^order pages, all managed and free? */
static int model_has_free_block(unsigned int order)
{
	pfn_t size = (pfn_t)1 << order;

	for (pfn_t start = 0; start + size <= NPAGES; start += size) {
		pfn_t p = start;
		while (p < start + size && managed[p] && !owned[p])
			p++;
		if (p == start + size)
			return 1;
	}
	return 0;
}

struct block {
	pfn_t pfn;
	unsigned int order;
};

static void fill(pfn_t pfn, unsigned int order)
{
	for (pfn_t p = pfn; p < pfn + ((pfn_t)1 << order); p++) {
		uint64_t *w = pfn_to_va(p);
		w[0] = p * 2654435761u;
		w[511] = ~p;
	}
}

static int intact(pfn_t pfn, unsigned int order)
{
	for (pfn_t p = pfn; p < pfn + ((pfn_t)1 << order); p++) {
		uint64_t *w = pfn_to_va(p);
		if (w[0] != p * 2654435761u || w[511] != ~p)
			return 0;
	}
	return 1;
}

static void test_buddy_random(void)
{
	static struct block live[NPAGES];
	int nlive = 0;
	unsigned int seed = 1;

	setup();
	uint64_t start_free = buddy_free_pages();
	CHECK_EQ(start_free, managed_pages());
	for (int step = 0; step < 200000; step++) {
		if (nlive > 0 && (rand_r(&seed) % 100 < 45 || nlive == NPAGES)) {
			int i = rand_r(&seed) % nlive;
			struct block b = live[i];
			CHECK(intact(b.pfn, b.order));
			for (pfn_t p = b.pfn; p < b.pfn + ((pfn_t)1 << b.order); p++)
				owned[p] = 0;
			buddy_free(b.pfn, b.order);
			live[i] = live[--nlive];
		} else {
			unsigned int order = rand_r(&seed) % 8 == 0 ?
				rand_r(&seed) % (BUDDY_MAX_ORDER + 1) : rand_r(&seed) % 3;
			pfn_t pfn = buddy_alloc(order);
			if (pfn == PFN_NONE) {
				/* Full coalescing: no free aligned block was missed. */
				CHECK(!model_has_free_block(order));
				continue;
			}
			CHECK_EQ(pfn & (((pfn_t)1 << order) - 1), 0);
			for (pfn_t p = pfn; p < pfn + ((pfn_t)1 << order); p++) {
				CHECK(p < NPAGES && managed[p] && !owned[p]);
				owned[p] = 1;
			}
			fill(pfn, order);
			live[nlive++] = (struct block){ pfn, order };
		}
		if (step % 1000 == 0)
			CHECK_EQ(buddy_free_pages(), managed_pages());
		if (unit_failures > 10)
			break;
	}
	while (nlive > 0) {
		struct block b = live[--nlive];
		CHECK(intact(b.pfn, b.order));
		for (pfn_t p = b.pfn; p < b.pfn + ((pfn_t)1 << b.order); p++)
			owned[p] = 0;
		buddy_free(b.pfn, b.order);
	}
	CHECK_EQ(buddy_free_pages(), start_free);
	/* Coalesced back: every aligned max-order block is whole again. */
	int expected = 0, got = 0;
	pfn_t max = (pfn_t)1 << BUDDY_MAX_ORDER;
	for (pfn_t s = 0; s + max <= NPAGES; s += max) {
		pfn_t p = s;
		while (p < s + max && managed[p])
			p++;
		expected += p == s + max;
	}
	while (buddy_alloc(BUDDY_MAX_ORDER) != PFN_NONE)
		got++;
	CHECK_EQ(got, expected);
	fake_memory_free();
}

static void test_buddy_exhaustion(void)
{
	static pfn_t got[NPAGES];
	int n = 0;

	setup();
	uint64_t start_free = buddy_free_pages();
	pfn_t pfn;
	while ((pfn = buddy_alloc(0)) != PFN_NONE) {
		CHECK(managed[pfn] && !owned[pfn]);
		owned[pfn] = 1;
		got[n++] = pfn;
	}
	CHECK_EQ(n, start_free);
	CHECK_EQ(buddy_free_pages(), 0);
	CHECK(buddy_alloc(0) == PFN_NONE);
	CHECK(buddy_alloc(BUDDY_MAX_ORDER + 1) == PFN_NONE);
	while (n > 0)
		buddy_free(got[--n], 0);
	CHECK_EQ(buddy_free_pages(), start_free);
	fake_memory_free();
}

static pfn_t misuse_pfn;

static void double_free(void *arg)
{
	(void)arg;
	buddy_free(misuse_pfn, 0);
}

static void tail_free(void *arg)
{
	(void)arg;
	buddy_free(misuse_pfn + 1, 0);
}

static void wrong_order(void *arg)
{
	(void)arg;
	buddy_free(misuse_pfn, 1);
}

static void reserved_free(void *arg)
{
	(void)arg;
	buddy_free(1000, 0);         /* a hole: never given to the allocator */
}

static void test_buddy_misuse(void)
{
	setup();
	misuse_pfn = buddy_alloc(0);
	buddy_free(misuse_pfn, 0);
	CHECK(unit_expect_panic(double_free, NULL));
	misuse_pfn = buddy_alloc(2);
	CHECK(unit_expect_panic(tail_free, NULL));
	CHECK(unit_expect_panic(wrong_order, NULL));
	CHECK(unit_expect_panic(reserved_free, NULL));
	buddy_free(misuse_pfn, 2);   /* the right free still works */
	fake_memory_free();
}

static void test_slob_random(void)
{
	enum { LIVE = 3000 };
	static struct { unsigned char *p; size_t size; } live[LIVE];
	int nlive = 0;
	unsigned int seed = 7;

	setup();
	uint64_t start_free = mm_free_pages();
	for (int step = 0; step < 300000; step++) {
		if (nlive > 0 && (rand_r(&seed) % 100 < 48 || nlive == LIVE)) {
			int i = rand_r(&seed) % nlive;
			for (size_t j = 0; j < live[i].size; j++)
				if (live[i].p[j] != (unsigned char)(live[i].size + j)) {
					CHECK(!"object contents changed");
					break;
				}
			kfree(live[i].p);
			live[i] = live[--nlive];
		} else {
			size_t size = rand_r(&seed) % 50 == 0 ?
				SLOB_MAX + 1 + rand_r(&seed) % (3 * PAGE_SIZE) :
				1 + rand_r(&seed) % (rand_r(&seed) % 2 ? 64 : SLOB_MAX);
			unsigned char *p = kmalloc(size);
			if (p == NULL) {
				CHECK(!"kmalloc failed with memory left");
				break;
			}
			CHECK_EQ((uintptr_t)p % (size >= 16 ? 16 : 8), 0);
			for (size_t j = 0; j < size; j++)
				p[j] = (unsigned char)(size + j);
			live[nlive].p = p;
			live[nlive++].size = size;
		}
		if (unit_failures > 10)
			break;
	}
	while (nlive > 0)
		kfree(live[--nlive].p);
	CHECK_EQ(mm_free_pages(), start_free);
	CHECK(slob_cached_pages() <= 8);        /* at most one per class */
	slob_reclaim();
	CHECK_EQ(slob_cached_pages(), 0);
	CHECK_EQ(buddy_free_pages(), start_free);
	kfree(NULL);
	CHECK_EQ(buddy_free_pages(), start_free);
	fake_memory_free();
}

static void *misuse_obj;

static void free_inside_object(void *arg)
{
	(void)arg;
	kfree((char *)misuse_obj + 8);
}

/* The slob's cached pages are handed out when buddy runs dry. */
static void test_slob_cache_reclaimed(void)
{
	static pfn_t got[NPAGES];
	int n = 0;

	setup();
	void *a = kmalloc(32), *b = kmalloc(512);
	kfree(a);
	kfree(b);
	CHECK_EQ(slob_cached_pages(), 2);
	uint64_t free_all = mm_free_pages();
	pfn_t pfn;
	while ((pfn = buddy_alloc(0)) != PFN_NONE)
		got[n++] = pfn;
	CHECK_EQ(n, free_all);                  /* the 2 cached pages too */
	CHECK_EQ(slob_cached_pages(), 0);
	while (n > 0)
		buddy_free(got[--n], 0);
	fake_memory_free();
}

static void test_slob_misuse(void)
{
	setup();
	misuse_obj = kmalloc(64);
	CHECK(unit_expect_panic(free_inside_object, NULL));
	kfree(misuse_obj);
	void *z = kzalloc(200);
	int zero = 1;
	for (int i = 0; i < 200; i++)
		zero &= ((unsigned char *)z)[i] == 0;
	CHECK(zero);
	kfree(z);
	fake_memory_free();
}

int main(void)
{
	RUN(test_buddy_random);
	RUN(test_buddy_exhaustion);
	RUN(test_buddy_misuse);
	RUN(test_slob_random);
	RUN(test_slob_cache_reclaimed);
	RUN(test_slob_misuse);
	UNIT_EXIT();
}
