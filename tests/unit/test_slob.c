/*
 * The slob allocator on the host (ASan + UBSan): every size up to three
 * pages lands in the right class or buddy order, a class packs a page and
 * gives it back when empty, a random workload against a byte-exact model
 * of which memory is handed out, exhaustion, sizes too big to exist,
 * kzalloc on dirty memory, and the misuse kfree catches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "fake_memory.h"

#define NPAGES 2048
#define MIN_OBJECT 16
#define LARGE_MAX (PAGE_SIZE << BUDDY_MAX_ORDER)

/* One whole max-order block, then an unaligned range after a hole. */
static void setup(void)
{
	fake_memory_init(NPAGES);
	buddy_add_range(0, NPAGES / 2);
	buddy_add_range(NPAGES / 2 + 5, NPAGES - 5);
	/* Fresh memory is dirty, so that kzalloc has something to clear. */
	memset(pfn_to_va(0), 0xa5, NPAGES * PAGE_SIZE);
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* The memory an allocation of size really takes. */
static size_t footprint(size_t size)
{
	if (size <= SLOB_MAX)
		return pow2_at_least(size < MIN_OBJECT ? MIN_OBJECT : size);
	return pow2_at_least((size + PAGE_SIZE - 1) / PAGE_SIZE) * PAGE_SIZE;
}

static unsigned int order_of(size_t size)
{
	return (unsigned int)__builtin_ctzl(footprint(size) / PAGE_SIZE);
}

/* Checks where an object of size landed: its kind of page and alignment. */
static void check_placement(const void *p, size_t size)
{
	struct page *pg = pfn_to_page(va_to_pfn(p));
	size_t foot = footprint(size);

	CHECK(va_to_pfn(p) < NPAGES);
	CHECK_EQ((uintptr_t)p % (size >= 16 ? 16 : 8), 0);
	/* Objects sit at multiples of their class: kfree's start check. */
	CHECK_EQ((uintptr_t)p % (foot < PAGE_SIZE ? foot : PAGE_SIZE), 0);
	if (size <= SLOB_MAX) {
		CHECK_EQ(pg->state, PageSlob);
		CHECK_EQ(va_to_pfn(p), va_to_pfn((const char *)p + foot - 1));
	} else {
		CHECK_EQ(pg->state, PageAllocated);
		CHECK_EQ(pg->order, order_of(size));
	}
}

static void test_every_size_lands_in_its_class(void)
{
	setup();
	uint64_t start = mm_free_pages();

	for (size_t size = 0; size <= 3 * PAGE_SIZE && unit_failures < 10; size++) {
		unsigned char *a = kmalloc(size), *b = kmalloc(size);

		CHECK(a != NULL && b != NULL && a != b);
		check_placement(a, size);
		check_placement(b, size);
		memset(a, 0x11, size);
		memset(b, 0x22, size);
		for (size_t i = 0; i < size; i++)
			if (a[i] != 0x11) {
				CHECK(!"two objects overlap");
				break;
			}
		kfree(b);
		kfree(a);
	}
	CHECK_EQ(mm_free_pages(), start);
	fake_memory_free();
}

/* A class fills exactly one page before it takes another, and an empty
 * page is kept (one per class) or given back to the buddy allocator. */
static void test_class_packs_a_page_and_gives_it_back(void)
{
	static void *objs[PAGE_SIZE / MIN_OBJECT + 1];

	setup();
	for (size_t cs = MIN_OBJECT; cs <= SLOB_MAX; cs <<= 1) {
		unsigned int n = PAGE_SIZE / cs;

		slob_reclaim();
		uint64_t start = buddy_free_pages();
		for (unsigned int i = 0; i < n; i++) {
			objs[i] = kmalloc(cs - (i % 2) * (cs / 2 - 1));  /* cs or cs/2+1 */
			CHECK_EQ(va_to_pfn(objs[i]), va_to_pfn(objs[0]));
		}
		CHECK_EQ(buddy_free_pages(), start - 1);
		objs[n] = kmalloc(cs);
		CHECK(va_to_pfn(objs[n]) != va_to_pfn(objs[0]));
		CHECK_EQ(buddy_free_pages(), start - 2);
		for (unsigned int i = 0; i <= n; i++)
			kfree(objs[(i * 7) % (n + 1)]);   /* 7 is prime to n + 1 */
		CHECK_EQ(slob_cached_pages(), 1);
		CHECK_EQ(buddy_free_pages(), start - 1);
		CHECK_EQ(mm_free_pages(), start);
	}
	slob_reclaim();
	CHECK_EQ(slob_cached_pages(), 0);
	fake_memory_free();
}

static void test_many_empty_pages_go_back(void)
{
	enum { N = 20 * (PAGE_SIZE / 64) };
	static void *objs[N], *small[N];

	setup();
	slob_reclaim();
	uint64_t start = buddy_free_pages();
	for (int i = 0; i < N; i++) {
		objs[i] = kmalloc(64);
		small[i] = kmalloc(16);
	}
	CHECK_EQ(buddy_free_pages(), start - 20 - N / (PAGE_SIZE / 16));
	unit_rng = 21;
	for (int i = N; i > 0; i--) {       /* in random order */
		int j = unit_rand_below(i);
		kfree(objs[j]);
		objs[j] = objs[i - 1];
	}
	for (int i = 0; i < N; i++)
		kfree(small[i]);
	CHECK_EQ(slob_cached_pages(), 2);   /* one per class used */
	CHECK_EQ(buddy_free_pages(), start - 2);
	fake_memory_free();
}

static void test_exhaustion(void)
{
	static void *objs[NPAGES * (PAGE_SIZE / 64)];
	unsigned int n = 0;
	void *p;

	setup();
	uint64_t start = mm_free_pages();
	while ((p = kmalloc(64)) != NULL)
		objs[n++] = p;
	/* Every free page, the slob's kept ones too, became 64-byte objects. */
	CHECK_EQ(n, start * (PAGE_SIZE / 64));
	CHECK_EQ(mm_free_pages(), 0);
	CHECK(kmalloc(1) == NULL);
	CHECK(kmalloc(SLOB_MAX + 1) == NULL);
	CHECK(kzalloc(100) == NULL);
	while (n > 0)
		kfree(objs[--n]);
	CHECK_EQ(mm_free_pages(), start);

	while ((p = kmalloc(3 * PAGE_SIZE)) != NULL)
		objs[n++] = p;
	CHECK(n > 0);
	CHECK(buddy_alloc(2) == PFN_NONE);  /* no order-2 block was left */
	while (n > 0)
		kfree(objs[--n]);
	CHECK_EQ(mm_free_pages(), start);
	fake_memory_free();
}

/* Sizes no block can hold get NULL, without looping on a huge order. */
static void test_sizes_too_big(void)
{
	setup();
	uint64_t start = mm_free_pages();

	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc((size_t)1 << 63) == NULL);
	CHECK(kmalloc(((size_t)1 << 63) + 1) == NULL);
	CHECK(kmalloc(LARGE_MAX + 1) == NULL);
	CHECK(kzalloc(SIZE_MAX) == NULL);
	CHECK_EQ(mm_free_pages(), start);

	void *max = kmalloc(LARGE_MAX);
	CHECK(max != NULL);
	check_placement(max, LARGE_MAX);
	kfree(max);
	static const size_t edges[] = {
		SLOB_MAX, SLOB_MAX + 1, PAGE_SIZE, PAGE_SIZE + 1,
		2 * PAGE_SIZE, 2 * PAGE_SIZE + 1, LARGE_MAX / 2 + 1,
	};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		void *p = kmalloc(edges[i]);
		CHECK(p != NULL);
		check_placement(p, edges[i]);
		kfree(p);
	}
	CHECK_EQ(mm_free_pages(), start);
	fake_memory_free();
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void test_kzalloc_clears_reused_memory(void)
{
	static const size_t sizes[] = {
		0, 1, 8, 15, 16, 17, 100, 1024, SLOB_MAX, SLOB_MAX + 1,
		5000, 3 * PAGE_SIZE,
	};

	setup();
	uint64_t start = mm_free_pages();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		unsigned char *p = kmalloc(size), *q;

		memset(p, 0xff, size);
		kfree(p);
		q = kzalloc(size);
		CHECK(q != NULL);
		check_placement(q, size);
		CHECK(all_zero(q, size));
		kfree(q);
	}
	CHECK_EQ(mm_free_pages(), start);
	fake_memory_free();
}

/*
 * A random workload against a model of memory at 16-byte granularity:
 * which live object owns each granule.  An allocation must find every
 * granule of its footprint unowned; contents are checked on free.
 */
#define GRANULE 16
#define GRANULES (NPAGES * (PAGE_SIZE / GRANULE))
#define LIVE 2000

struct object {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static uint16_t owner[GRANULES];

static size_t granule_of(const void *p)
{
	return ((uintptr_t)p - mm_directmap_base) / GRANULE;
}

static void own(const struct object *o, uint16_t id)
{
	size_t first = granule_of(o->p), n = footprint(o->size) / GRANULE;

	for (size_t g = first; g < first + n; g++) {
		if (id != 0 && owner[g] != 0) {
			CHECK(!"object overlaps a live one");
			return;
		}
		owner[g] = id;
	}
}

static size_t random_size(void)
{
	uint32_t r = unit_rand_below(100);

	if (r < 65)
		return unit_rand_below(257);
	if (r < 95)
		return unit_rand_below(SLOB_MAX + 1);
	return SLOB_MAX + 1 + unit_rand_below(4 * PAGE_SIZE);
}

static void test_random_against_model(void)
{
	static struct object live[LIVE];
	unsigned int nlive = 0;

	setup();
	memset(owner, 0, sizeof(owner));
	uint64_t start = mm_free_pages();
	unit_rng = 22;
	for (int step = 0; step < 200000 && unit_failures < 10; step++) {
		if (nlive > 0 && (unit_rand_below(100) < 48 || nlive == LIVE)) {
			unsigned int i = unit_rand_below(nlive);
			struct object o = live[i];

			for (size_t j = 0; j < o.size; j++)
				if (o.p[j] != (unsigned char)(o.tag + j)) {
					CHECK(!"object contents changed");
					break;
				}
			own(&o, 0);
			kfree(o.p);
			live[i] = live[--nlive];
			continue;
		}
		struct object o = { .size = random_size(), .tag = (unsigned char)step };
		int zeroed = unit_rand_below(5) == 0;

		o.p = zeroed ? kzalloc(o.size) : kmalloc(o.size);
		if (o.p == NULL) {
			CHECK(!"allocation failed with memory left");
			break;
		}
		check_placement(o.p, o.size);
		if (zeroed)
			CHECK(all_zero(o.p, o.size));
		own(&o, (uint16_t)(nlive + 1));
		for (size_t j = 0; j < o.size; j++)
			o.p[j] = (unsigned char)(o.tag + j);
		live[nlive++] = o;
	}
	while (nlive > 0)
		kfree(live[--nlive].p);
	CHECK_EQ(mm_free_pages(), start);
	CHECK(slob_cached_pages() <= 8);       /* at most one page per class */
	slob_reclaim();
	CHECK_EQ(buddy_free_pages(), start);
	fake_memory_free();
}

/* ---- misuse: each must panic before it changes anything. */

static void free_ptr(void *p)
{
	kfree(p);
}

static void test_misuse_panics(void)
{
	setup();
	slob_reclaim();
	uint64_t start = mm_free_pages();
	int local;

	unsigned char *a = kmalloc(64), *b = kmalloc(64), *c = kmalloc(64);
	kfree(a);
	CHECK(unit_expect_panic(free_ptr, a));          /* freed just now */
	CHECK(unit_expect_panic(free_ptr, c + 8));      /* not an object start */
	CHECK(unit_expect_panic(free_ptr, c + 32));
	kfree(b);
	kfree(c);                                       /* the page is empty */
	CHECK_EQ(slob_cached_pages(), 1);
	CHECK(unit_expect_panic(free_ptr, a));          /* on an empty page */

	unsigned char *big = kmalloc(2 * PAGE_SIZE + 1);
	CHECK(unit_expect_panic(free_ptr, big + PAGE_SIZE));   /* a tail page */
	CHECK(unit_expect_panic(free_ptr, big + 3 * PAGE_SIZE));
	CHECK(unit_expect_panic(free_ptr, big + 100));
	kfree(big);
	CHECK(unit_expect_panic(free_ptr, big));        /* freed already */
	CHECK(unit_expect_panic(free_ptr, &local));     /* not in memory */
	CHECK(unit_expect_panic(free_ptr, pfn_to_va(NPAGES / 2 + 1)));  /* hole */

	CHECK_EQ(mm_free_pages(), start);
	fake_memory_free();
}

int main(void)
{
	alarm(60);              /* a hang (a size that loops) fails the test */
	RUN(test_every_size_lands_in_its_class);
	RUN(test_class_packs_a_page_and_gives_it_back);
	RUN(test_many_empty_pages_go_back);
	RUN(test_exhaustion);
	RUN(test_sizes_too_big);
	RUN(test_kzalloc_clears_reused_memory);
	RUN(test_random_against_model);
	RUN(test_misuse_panics);
	UNIT_EXIT();
}
