/*
 * The event cache (kernel/event/evcache.c) over the real buddy allocator
 * on fake memory (ASan + UBSan): random allocs and frees against a model
 * of the live objects, with contents, alignment and the page accounting
 * (held pages, at most one empty, counted free) checked along the way;
 * then exhaustion and the reclaim of the kept page.
 */
#include <stdint.h>
#include <string.h>
#include "unit.h"
#include "fake_memory.h"
#include <kernel/evcache.h>

#define NPAGES 512
#define MAXLIVE 4000

static void *live[MAXLIVE];
static uint64_t tag[MAXLIVE];
static int nlive;

static void setup(void)
{
	fake_memory_init(NPAGES);
	buddy_add_range(1, NPAGES);
	nlive = 0;
}

/* The object's whole body holds its tag: an overlap or a stray write of
 * the cache (its links) into a live object shows at the free. */
static void fill(void *o, uint64_t t)
{
	for (size_t i = 0; i < EVCACHE_OBJ / 8; i++)
		((uint64_t *)o)[i] = t;
}

static int intact(const void *o, uint64_t t)
{
	for (size_t i = 0; i < EVCACHE_OBJ / 8; i++)
		if (((const uint64_t *)o)[i] != t)
			return 0;
	return 1;
}

static void check_accounting(uint64_t base)
{
	CHECK(evcache.empty <= 1);
	CHECK_EQ(evcache_live(), nlive);
	/* Pages with a live object are used; the empty one counts free. */
	CHECK_EQ(buddy_free_pages() + evcache.pages, base);
	CHECK_EQ(mm_free_pages(), base - (evcache.pages - evcache.empty));
	CHECK(evcache.pages * EVCACHE_PER_PAGE >= (uint64_t)nlive);
}

static void free_one(int i)
{
	CHECK(intact(live[i], tag[i]));
	evcache_free(live[i]);
	live[i] = live[--nlive];
	tag[i] = tag[nlive];
}

static void test_evcache_random(void)
{
	setup();
	uint64_t base = buddy_free_pages();

	unit_rng = 42;
	for (int step = 0; step < 200000; step++) {
		/* Phases that grow and shrink, so that pages fill and empty. */
		int grow = (step / 5000) % 2 == 0;
		if (nlive < MAXLIVE && (nlive == 0 || unit_rand() % 100 < (grow ? 60u : 40u))) {
			void *o = evcache_alloc();
			CHECK(o != NULL);
			CHECK(((uintptr_t)o & (EVCACHE_OBJ - 1)) == 0);
			tag[nlive] = unit_rand();
			fill(o, tag[nlive]);
			live[nlive++] = o;
		} else {
			free_one((int)(unit_rand() % (uint64_t)nlive));
		}
		if (step % 997 == 0)
			check_accounting(base);
	}
	for (int i = 0; i < nlive; i++)
		CHECK(intact(live[i], tag[i]));
	while (nlive > 0)
		free_one(nlive - 1);
	check_accounting(base);
	CHECK(evcache.pages <= 1);
	CHECK_EQ(mm_free_pages(), base);
	evcache_reclaim();
	CHECK_EQ(evcache.pages, 0);
	CHECK_EQ(buddy_free_pages(), base);
	fake_memory_free();
}

/* Memory out: alloc says NULL and changes nothing; the kept empty page
 * goes back when the buddy allocator runs dry. */
static void test_evcache_exhaustion(void)
{
	static pfn_t got[NPAGES];
	int n = 0;

	setup();
	uint64_t base = buddy_free_pages();
	void *o = evcache_alloc();
	evcache_free(o);
	CHECK_EQ(evcache.pages, 1);
	CHECK_EQ(evcache.empty, 1);
	CHECK_EQ(mm_free_pages(), base);
	pfn_t pfn;
	while ((pfn = buddy_alloc(0)) != PFN_NONE)
		got[n++] = pfn;
	CHECK_EQ(n, base);                /* the kept page too */
	CHECK_EQ(evcache.pages, 0);
	CHECK(evcache_alloc() == NULL);
	CHECK_EQ(evcache.pages, 0);
	CHECK_EQ(evcache_live(), 0);
	buddy_free(got[--n], 0);
	o = evcache_alloc();              /* one page: 32 objects */
	CHECK(o != NULL);
	void *more[EVCACHE_PER_PAGE];
	for (unsigned i = 1; i < EVCACHE_PER_PAGE; i++)
		CHECK((more[i] = evcache_alloc()) != NULL);
	CHECK(evcache_alloc() == NULL);   /* the page is full, none left */
	CHECK_EQ(evcache_live(), EVCACHE_PER_PAGE);
	for (unsigned i = 1; i < EVCACHE_PER_PAGE; i++)
		evcache_free(more[i]);
	evcache_free(o);
	CHECK_EQ(evcache.empty, 1);
	evcache_reclaim();
	CHECK_EQ(evcache.pages, 0);
	while (n > 0)
		buddy_free(got[--n], 0);
	CHECK_EQ(buddy_free_pages(), base);
	fake_memory_free();
}

/* A second page that empties goes back at once; the first stays kept. */
static void test_evcache_second_empty_page(void)
{
	void *a[2 * EVCACHE_PER_PAGE];

	setup();
	uint64_t base = buddy_free_pages();
	for (unsigned i = 0; i < 2 * EVCACHE_PER_PAGE; i++)
		a[i] = evcache_alloc();
	CHECK_EQ(evcache.pages, 2);
	CHECK_EQ(buddy_free_pages(), base - 2);
	for (unsigned i = 0; i < 2 * EVCACHE_PER_PAGE; i++)
		evcache_free(a[i]);
	CHECK_EQ(evcache.pages, 1);
	CHECK_EQ(evcache.empty, 1);
	CHECK_EQ(buddy_free_pages(), base - 1);
	CHECK_EQ(mm_free_pages(), base);
	/* The kept page serves the next allocations. */
	void *o = evcache_alloc();
	CHECK_EQ(evcache.pages, 1);
	CHECK_EQ(evcache.empty, 0);
	CHECK_EQ(mm_free_pages(), base - 1);
	evcache_free(o);
	evcache_reclaim();
	CHECK_EQ(buddy_free_pages(), base);
	fake_memory_free();
}

int main(void)
{
	RUN(test_evcache_random);
	RUN(test_evcache_exhaustion);
	RUN(test_evcache_second_empty_page);
	UNIT_EXIT();
}
