/*
 * The buddy allocator's structure, on the host (ASan + UBSan).  test_alloc.c
 * runs long random workloads and counts; this file checks the shape of
 * the free lists through the struct page states: the exact blocks
 * buddy_add_range carves from unaligned ranges, coalescing of ranges added
 * in pieces, the exact state after init coming back once everything is
 * freed, exhaustion at every order, the hot cache giving way to a big
 * block, the page helpers, and every misuse the ASSERTs catch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fake_memory.h"

#define NPAGES 4096
#define MAX_BLOCK ((pfn_t)1 << BUDDY_MAX_ORDER)

static pfn_t block_size(unsigned int order)
{
	return (pfn_t)1 << order;
}

/* The memory of the tests with holes, like real memory after the kernel. */
static const pfn_t holes_ranges[][2] = {
	{ 3, 1000 }, { 1027, 2048 }, { 2049, NPAGES - 5 },
};

static unsigned char managed[NPAGES];

static void setup_empty(void)
{
	memset(managed, 0, sizeof(managed));
	fake_memory_init(NPAGES);
}

static void add(pfn_t start, pfn_t end)
{
	buddy_add_range(start, end);
	for (pfn_t p = start; p < end; p++)
		managed[p] = 1;
}

static void setup_with_holes(void)
{
	setup_empty();
	for (size_t i = 0; i < sizeof(holes_ranges) / sizeof(holes_ranges[0]); i++)
		add(holes_ranges[i][0], holes_ranges[i][1]);
}

/*
 * Checks the free structure from the struct pages: every free head is an
 * aligned block of tails inside memory, no two free buddies are left
 * unmerged, no tail is outside a free block, and the free count is the
 * free blocks plus the hot pages.
 */
static void check_free_structure(void)
{
	static unsigned char covered[NPAGES];
	uint64_t free_pages = 0;

	memset(covered, 0, sizeof(covered));
	for (pfn_t p = 0; p < NPAGES; p++) {
		struct page *pg = pfn_to_page(p);

		if (pg->state == PageHot) {
			CHECK(managed[p]);
			free_pages++;
			continue;
		}
		if (pg->state != PageFree)
			continue;
		unsigned int k = pg->order;
		CHECK(k <= BUDDY_MAX_ORDER);
		if (k > BUDDY_MAX_ORDER)
			return;
		CHECK_EQ(p & (block_size(k) - 1), 0);
		CHECK(p + block_size(k) <= NPAGES);
		for (pfn_t i = 0; i < block_size(k) && p + i < NPAGES; i++) {
			CHECK(managed[p + i]);
			CHECK(i == 0 || pfn_to_page(p + i)->state == PageFreeTail);
			covered[p + i] = 1;
		}
		pfn_t buddy = p ^ block_size(k);
		if (k < BUDDY_MAX_ORDER && buddy < NPAGES)
			CHECK(!(pfn_to_page(buddy)->state == PageFree &&
				pfn_to_page(buddy)->order == k));
		free_pages += block_size(k);
	}
	for (pfn_t p = 0; p < NPAGES; p++)
		if (pfn_to_page(p)->state == PageFreeTail)
			CHECK(covered[p]);
	CHECK_EQ(free_pages, buddy_free_pages());
}

struct snapshot {
	unsigned char state[NPAGES], order[NPAGES];
};

/* Page states, and the orders of free heads (other orders are noise). */
static void take_snapshot(struct snapshot *s)
{
	for (pfn_t p = 0; p < NPAGES; p++) {
		s->state[p] = pfn_to_page(p)->state;
		s->order[p] = s->state[p] == PageFree ? pfn_to_page(p)->order : 0;
	}
}

static int snapshots_equal(const struct snapshot *a, const struct snapshot *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * Empties the hot cache into the free lists without an interface for it:
 * allocating max-order blocks until none is left drains the caches on the
 * way (an allocation fails only after that), then they are freed again.
 */
static void settle(void)
{
	static pfn_t got[NPAGES / MAX_BLOCK];
	unsigned int n = 0;
	pfn_t pfn;

	while ((pfn = buddy_alloc(BUDDY_MAX_ORDER)) != PFN_NONE)
		got[n++] = pfn;
	while (n > 0)
		buddy_free(got[--n], BUDDY_MAX_ORDER);
}

/* The blocks buddy_add_range must carve: the largest aligned ones first. */
static void expected_carving(pfn_t start, pfn_t end, unsigned char *order_at)
{
	while (start < end) {
		unsigned int k = 0;

		while (k < BUDDY_MAX_ORDER && start % block_size(k + 1) == 0 &&
		       start + block_size(k + 1) <= end)
			k++;
		order_at[start] = (unsigned char)(k + 1);   /* 0: no head */
		start += block_size(k);
	}
}

static void test_add_range_carves_largest_aligned_blocks(void)
{
	static unsigned char order_at[NPAGES];

	unit_rng = 11;
	for (int round = 0; round < 300 && !unit_failures; round++) {
		pfn_t start = unit_rand_below(NPAGES);
		pfn_t end = start + unit_rand_below(NPAGES - start + 1);

		if (round == 0) {
			start = 0;
			end = NPAGES;
		}
		setup_empty();
		add(start, end);
		memset(order_at, 0, sizeof(order_at));
		expected_carving(start, end, order_at);
		for (pfn_t p = 0; p < NPAGES; p++) {
			struct page *pg = pfn_to_page(p);
			if (order_at[p]) {
				CHECK_EQ(pg->state, PageFree);
				CHECK_EQ(pg->order, order_at[p] - 1);
			} else if (p >= start && p < end) {
				CHECK_EQ(pg->state, PageFreeTail);
			} else {
				CHECK_EQ(pg->state, PageReserved);
			}
		}
		CHECK_EQ(buddy_free_pages(), end - start);
		check_free_structure();
	}
	fake_memory_free();
}

/* Adding a range in pieces, in any order, ends as adding it whole. */
static void test_ranges_added_in_pieces_coalesce(void)
{
	static struct snapshot whole, pieces;
	pfn_t cut[17];

	unit_rng = 12;
	for (int round = 0; round < 100 && !unit_failures; round++) {
		pfn_t start = unit_rand_below(64), end = NPAGES - unit_rand_below(64);

		setup_empty();
		add(start, end);
		take_snapshot(&whole);

		unsigned int ncut = 1 + unit_rand_below(16);
		for (unsigned int i = 0; i < ncut; i++)
			cut[i] = start + unit_rand_below(end - start + 1);
		cut[ncut] = end;
		/* Sort the cuts, then add the pieces back to front. */
		for (unsigned int i = 1; i <= ncut; i++)
			for (unsigned int j = i; j > 0 && cut[j - 1] > cut[j]; j--) {
				pfn_t t = cut[j];
				cut[j] = cut[j - 1];
				cut[j - 1] = t;
			}
		setup_empty();
		for (unsigned int i = ncut; i > 0; i--)
			add(cut[i - 1], cut[i]);
		add(start, cut[0]);
		take_snapshot(&pieces);
		CHECK(snapshots_equal(&whole, &pieces));
		CHECK_EQ(buddy_free_pages(), end - start);
	}
	fake_memory_free();
}

struct block {
	pfn_t pfn;
	unsigned int order;
};

/* A pattern of the block's own in every word, so overlap shows on free. */
static uint64_t pattern(pfn_t pfn, unsigned int order, size_t word)
{
	return (pfn << 20 | order << 16) ^ (word * 0x9e3779b97f4a7c15ULL);
}

static void fill_block(struct block b)
{
	uint64_t *w = pfn_to_va(b.pfn);
	size_t words = block_size(b.order) * PAGE_SIZE / 8;

	for (size_t i = 0; i < words; i += 61)
		w[i] = pattern(b.pfn, b.order, i);
	w[words - 1] = pattern(b.pfn, b.order, words - 1);
}

static int block_intact(struct block b)
{
	const uint64_t *w = pfn_to_va(b.pfn);
	size_t words = block_size(b.order) * PAGE_SIZE / 8;

	for (size_t i = 0; i < words; i += 61)
		if (w[i] != pattern(b.pfn, b.order, i))
			return 0;
	return w[words - 1] == pattern(b.pfn, b.order, words - 1);
}

static void test_everything_freed_restores_init_state(void)
{
	static struct block live[NPAGES];
	static unsigned char owned[NPAGES];
	static struct snapshot at_init, at_end;
	unsigned int nlive = 0;

	setup_with_holes();
	memset(owned, 0, sizeof(owned));
	take_snapshot(&at_init);
	check_free_structure();
	uint64_t start_free = buddy_free_pages();

	unit_rng = 13;
	for (int step = 0; step < 100000 && unit_failures < 10; step++) {
		if (nlive > 0 && unit_rand_below(100) < 47) {
			unsigned int i = unit_rand_below(nlive);
			struct block b = live[i];

			CHECK(block_intact(b));
			for (pfn_t p = b.pfn; p < b.pfn + block_size(b.order); p++)
				owned[p] = 0;
			buddy_free(b.pfn, b.order);
			live[i] = live[--nlive];
		} else {
			unsigned int order = unit_rand_below(5) ?
				unit_rand_below(3) : unit_rand_below(BUDDY_MAX_ORDER + 1);
			pfn_t pfn = buddy_alloc(order);

			if (pfn == PFN_NONE)
				continue;
			CHECK_EQ(pfn & (block_size(order) - 1), 0);
			CHECK_EQ(pfn_to_page(pfn)->refcount, 0);
			for (pfn_t p = pfn; p < pfn + block_size(order); p++) {
				CHECK(p < NPAGES && managed[p] && !owned[p]);
				CHECK_EQ(pfn_to_page(p)->state, PageAllocated);
				owned[p] = 1;
			}
			live[nlive] = (struct block){ pfn, order };
			fill_block(live[nlive++]);
		}
		if (step % 4999 == 0)
			check_free_structure();
	}
	while (nlive > 0) {
		struct block b = live[--nlive];
		CHECK(block_intact(b));
		buddy_free(b.pfn, b.order);
	}
	CHECK_EQ(buddy_free_pages(), start_free);
	settle();
	check_free_structure();
	take_snapshot(&at_end);
	CHECK(snapshots_equal(&at_init, &at_end));
	CHECK_EQ(buddy_free_pages(), start_free);
	fake_memory_free();
}

/* How many aligned blocks of this order lie wholly in managed memory. */
static uint64_t aligned_blocks(unsigned int order)
{
	uint64_t n = 0;

	for (pfn_t s = 0; s + block_size(order) <= NPAGES; s += block_size(order)) {
		pfn_t p = s;
		while (p < s + block_size(order) && managed[p])
			p++;
		n += p == s + block_size(order);
	}
	return n;
}

static void test_exhaustion_at_every_order(void)
{
	static pfn_t got[NPAGES];

	for (unsigned int order = 0; order <= BUDDY_MAX_ORDER; order++) {
		unsigned int n = 0;
		pfn_t pfn;

		setup_with_holes();
		uint64_t start_free = buddy_free_pages();
		/* Some pages in the hot cache first: they must not be lost. */
		for (int i = 0; i < 40; i++)
			got[i] = buddy_alloc(0);
		for (int i = 0; i < 40; i++)
			buddy_free(got[i], 0);
		while ((pfn = buddy_alloc(order)) != PFN_NONE) {
			CHECK_EQ(pfn & (block_size(order) - 1), 0);
			got[n++] = pfn;
		}
		CHECK_EQ(n, aligned_blocks(order));
		CHECK_EQ(buddy_free_pages(), start_free - (uint64_t)n * block_size(order));
		CHECK(page_alloc(order) == NULL);
		while (n > 0)
			buddy_free(got[--n], order);
		CHECK_EQ(buddy_free_pages(), start_free);
	}
	CHECK(buddy_alloc(BUDDY_MAX_ORDER + 1) == PFN_NONE);
	CHECK(page_alloc(BUDDY_MAX_ORDER + 1) == NULL);
	fake_memory_free();
}

/* Every page of a max-order block went through the hot cache; the block
 * must still come back whole. */
static void test_hot_pages_make_a_big_block(void)
{
	static pfn_t got[MAX_BLOCK];

	setup_empty();
	add(0, MAX_BLOCK);
	for (pfn_t i = 0; i < MAX_BLOCK; i++)
		got[i] = buddy_alloc(0);
	CHECK(buddy_alloc(0) == PFN_NONE);
	for (pfn_t i = 0; i < MAX_BLOCK; i++)
		buddy_free(got[i], 0);
	CHECK_EQ(buddy_free_pages(), MAX_BLOCK);
	CHECK_EQ(buddy_alloc(BUDDY_MAX_ORDER), 0);
	CHECK_EQ(buddy_free_pages(), 0);
	buddy_free(0, BUDDY_MAX_ORDER);
	fake_memory_free();
}

static void test_alloc_resets_refcount(void)
{
	setup_with_holes();
	for (pfn_t p = 0; p < NPAGES; p++)
		pfn_to_page(p)->refcount = 7;
	pfn_t a = buddy_alloc(0), b = buddy_alloc(3);

	CHECK_EQ(pfn_to_page(a)->refcount, 0);
	CHECK_EQ(pfn_to_page(b)->refcount, 0);
	pfn_to_page(a)->refcount = 7;
	buddy_free(a, 0);
	CHECK_EQ(buddy_alloc(0), a);            /* the hot cache is LIFO */
	CHECK_EQ(pfn_to_page(a)->refcount, 0);
	buddy_free(a, 0);
	buddy_free(b, 3);
	fake_memory_free();
}

static void test_page_helpers(void)
{
	setup_with_holes();
	/* Dirty all of memory, so that zeroed pages have to be cleared. */
	memset(pfn_to_va(0), 0xa5, NPAGES * PAGE_SIZE);

	uint64_t *src = page_alloc(0), *dst = page_alloc(0);
	CHECK(src != NULL && dst != NULL);
	CHECK_EQ(((uintptr_t)src & ~PAGE_MASK), 0);
	CHECK(va_to_pfn(src) < NPAGES);
	CHECK_EQ(pfn_to_page(va_to_pfn(src))->state, PageAllocated);
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		src[i] = i * 0x0101010101010101ULL + 1;
	page_copy(dst, src);
	CHECK(memcmp(dst, src, PAGE_SIZE) == 0);
	CHECK_EQ(src[PAGE_SIZE / 8 - 1], (PAGE_SIZE / 8 - 1) * 0x0101010101010101ULL + 1);
	page_clear(dst);
	int clear = 1;
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		clear &= dst[i] == 0;
	CHECK(clear);
	CHECK_EQ(src[0], 1);                    /* its neighbour untouched */

	unsigned char *z = page_alloc_zeroed(3);
	CHECK(z != NULL);
	int zero = 1;
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		zero &= z[i] == 0;
	CHECK(zero);
	page_free(z, 3);
	page_free(src, 0);
	page_free(dst, 0);
	fake_memory_free();
}

/* ---- misuse: each of these must panic and leave the allocator intact. */

static pfn_t victim;

static void free_again(void *arg)
{
	buddy_free(victim, (unsigned int)(uintptr_t)arg);
}

static void free_tail(void *arg)
{
	(void)arg;
	buddy_free(victim + 1, 0);
}

static void free_order(void *arg)
{
	buddy_free(victim, (unsigned int)(uintptr_t)arg);
}

static void free_pfn(void *arg)
{
	buddy_free((pfn_t)(uintptr_t)arg, 0);
}

static void add_range(void *arg)
{
	const pfn_t *r = arg;

	buddy_add_range(r[0], r[1]);
}

static void free_unaligned_va(void *arg)
{
	(void)arg;
	page_free((char *)pfn_to_va(victim) + 8, 0);
}

static void test_misuse_panics(void)
{
	setup_with_holes();
	uint64_t start_free = buddy_free_pages();

	victim = buddy_alloc(0);
	buddy_free(victim, 0);                               /* to the hot cache */
	CHECK(unit_expect_panic(free_again, (void *)0));
	victim = buddy_alloc(3);
	buddy_free(victim, 3);                               /* to the lists */
	CHECK(unit_expect_panic(free_again, (void *)3));
	CHECK(unit_expect_panic(free_tail, NULL));           /* a free tail */

	victim = buddy_alloc(3);
	CHECK(unit_expect_panic(free_tail, NULL));
	CHECK(unit_expect_panic(free_order, (void *)2));
	CHECK(unit_expect_panic(free_order, (void *)4));
	CHECK(unit_expect_panic(free_order, (void *)(BUDDY_MAX_ORDER + 1)));
	CHECK(unit_expect_panic(free_unaligned_va, NULL));
	CHECK(unit_expect_panic(free_pfn, (void *)1000));    /* a hole */
	CHECK(unit_expect_panic(free_pfn, (void *)NPAGES));  /* past the end */
	CHECK(unit_expect_panic(free_pfn, (void *)(uintptr_t)PFN_NONE));

	pfn_t again[2] = { 500, 600 }, past[2] = { NPAGES - 5, NPAGES + 1 };
	pfn_t backwards[2] = { 1003, 1001 };
	CHECK(unit_expect_panic(add_range, again));          /* already managed */
	CHECK(unit_expect_panic(add_range, past));
	CHECK(unit_expect_panic(add_range, backwards));

	check_free_structure();
	buddy_free(victim, 3);                               /* the right free */
	CHECK_EQ(buddy_free_pages(), start_free);
	settle();
	check_free_structure();
	fake_memory_free();
}

int main(void)
{
	RUN(test_add_range_carves_largest_aligned_blocks);
	RUN(test_ranges_added_in_pieces_coalesce);
	RUN(test_everything_freed_restores_init_state);
	RUN(test_exhaustion_at_every_order);
	RUN(test_hot_pages_make_a_big_block);
	RUN(test_alloc_resets_refcount);
	RUN(test_page_helpers);
	RUN(test_misuse_panics);
	UNIT_EXIT();
}
