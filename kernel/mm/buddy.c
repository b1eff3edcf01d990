/*
 * The buddy page allocator.  Free blocks of 2^order pages sit on one list
 * per order, headed by their first page (state PageFree, order set); the
 * other pages of a free block are PageFreeTail.  An allocated block is
 * PageAllocated on every page, and only its head carries the order: the
 * tails carry TAIL_ORDER.  Marking every page costs O(block size) per
 * operation (nothing for the common order 0), and in exchange buddy_free
 * catches in O(1) a double free (the head is no longer PageAllocated), a
 * free of a tail (TAIL_ORDER is no order) and a free with the wrong order.
 *
 * buddy_alloc sets the head's refcount to 0: whoever maps the frame counts
 * its users from there.  flags and private belong to their owners (the
 * page-table code, the slob) and are left alone.
 *
 * Freed order-0 pages first go to a small LIFO "hot" cache and are handed
 * out again from there, so alloc/free pairs do not split and merge a big
 * block each time.  They count as free; before any allocation reports
 * failure the caches (this one and the slob's empty pages) go back to the
 * free lists and coalesce, so a failure still means that no free aligned
 * block of that order exists.
 *
 * Debug builds (ETHOS_DEBUG) fill every freed page with POISON_FREE and
 * check it when the page is handed out again, so a write through a stale
 * pointer panics naming the page instead of corrupting its next owner.
 * They also count the blocks on each list, check that the counts add up
 * to the free count after every operation (O(orders)), and walk the
 * lists themselves every BUDDY_CHECK_EVERY operations.
 */
#include <kernel/mm.h>
#include <kernel/panic.h>

#define TAIL_ORDER 0xff
#define HOT_MAX 64

uintptr_t mm_directmap_base;
struct page *mm_pages;
pfn_t mm_npages;

static LIST_HEAD(free_list, page) free_lists[BUDDY_MAX_ORDER + 1];
static uint64_t free_count;

static pfn_t hot[HOT_MAX];
static unsigned int hot_count;

#ifdef ETHOS_DEBUG
#define BUDDY_CHECK_EVERY 256
static uint64_t list_blocks[BUDDY_MAX_ORDER + 1];
static unsigned int ops_since_check;

static void list_counted(unsigned int order, int delta)
{
	list_blocks[order] += delta;
}

static void poison_block(pfn_t pfn, unsigned int order)
{
	for (pfn_t i = 0; i < ((pfn_t)1 << order); i++) {
		uint64_t *p = pfn_to_va(pfn + i);

		for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
			p[w] = POISON_FREE_WORD;
		mm_pages[pfn + i].flags |= PAGE_FLAG_POISONED;
	}
}

/* Pages freed since boot carry the flag; the others were never handed
 * out, so nobody can have kept a pointer into them. */
static void check_poison(pfn_t pfn, unsigned int order)
{
	for (pfn_t i = 0; i < ((pfn_t)1 << order); i++) {
		struct page *pg = &mm_pages[pfn + i];
		const uint64_t *p = pfn_to_va(pfn + i);

		if (!(pg->flags & PAGE_FLAG_POISONED))
			continue;
		for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
			if (p[w] != POISON_FREE_WORD)
				panic("buddy: free page %lx written after free "
				      "(offset %x holds %lx)", (unsigned long)(pfn + i),
				      w * 8, (unsigned long)p[w]);
		pg->flags &= ~PAGE_FLAG_POISONED;
	}
}

/* O(orders): the per-order block counts add up to the free count. */
static void check_counts(void)
{
	uint64_t pages = hot_count;

	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		pages += list_blocks[o] << o;
	if (pages != free_count)
		panic("buddy: free count %lu, but lists and hot cache hold %lu",
		      (unsigned long)free_count, (unsigned long)pages);
	if (++ops_since_check >= BUDDY_CHECK_EVERY) {
		ops_since_check = 0;
		buddy_check();
	}
}
#else
static inline void list_counted(unsigned int order, int delta)
{
	(void)order;
	(void)delta;
}
static inline void poison_block(pfn_t pfn, unsigned int order)
{
	(void)pfn;
	(void)order;
}
static inline void check_poison(pfn_t pfn, unsigned int order)
{
	(void)pfn;
	(void)order;
}
static inline void check_counts(void)
{
}
#endif

void buddy_check(void)
{
	uint64_t pages = 0;

	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
		uint64_t blocks = 0;
		struct page *pg;

		LIST_FOREACH(pg, &free_lists[o], link) {
			if (pg->state != PageFree || pg->order != o)
				panic("buddy: pfn %lx on the order-%u list is "
				      "state %u order %u", (unsigned long)(pg - mm_pages),
				      o, pg->state, pg->order);
			if (++blocks > mm_npages)
				panic("buddy: order-%u free list loops", o);
		}
#ifdef ETHOS_DEBUG
		if (blocks != list_blocks[o])
			panic("buddy: order-%u list holds %lu blocks, counted %lu",
			      o, (unsigned long)blocks,
			      (unsigned long)list_blocks[o]);
#endif
		pages += blocks << o;
	}
	for (unsigned int i = 0; i < hot_count; i++)
		if (mm_pages[hot[i]].state != PageHot)
			panic("buddy: hot page %lx is state %u",
			      (unsigned long)hot[i], mm_pages[hot[i]].state);
	if (pages + hot_count != free_count)
		panic("buddy: free count %lu, but the lists hold %lu and the "
		      "hot cache %u", (unsigned long)free_count,
		      (unsigned long)pages, hot_count);
}

static inline pfn_t block_pages(unsigned int order)
{
	return (pfn_t)1 << order;
}

void buddy_init(struct page *pages, pfn_t npages)
{
	mm_pages = pages;
	mm_npages = npages;
	for (pfn_t i = 0; i < npages; i++) {
		pages[i].state = PageReserved;
		pages[i].order = 0;
	}
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		LIST_INIT(&free_lists[o]);
#ifdef ETHOS_DEBUG
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		list_blocks[o] = 0;
#endif
	free_count = 0;
	hot_count = 0;
}

/* Sets the state of a whole block; the head gets the order. */
static void mark_block(pfn_t pfn, unsigned int order, enum page_state state)
{
	mm_pages[pfn].state = state;
	mm_pages[pfn].order = order;
	for (pfn_t i = 1; i < block_pages(order); i++) {
		mm_pages[pfn + i].state = state;
		mm_pages[pfn + i].order = TAIL_ORDER;
	}
}

static void push_free(pfn_t pfn, unsigned int order)
{
	struct page *pg = &mm_pages[pfn];

	pg->state = PageFree;
	pg->order = order;
	LIST_INSERT_HEAD(&free_lists[order], pg, link);
	list_counted(order, 1);
}

/* Is the buddy of a block of this order a free block of the same order? */
static bool buddy_is_free(pfn_t buddy, unsigned int order)
{
	if (buddy >= mm_npages)
		return false;
	return mm_pages[buddy].state == PageFree &&
	    mm_pages[buddy].order == order;
}

/* Puts a block whose pages are all PageFreeTail on the free lists,
 * merging it with its buddy for as long as the buddy is free too. */
static void free_block(pfn_t pfn, unsigned int order)
{
	while (order < BUDDY_MAX_ORDER) {
		pfn_t buddy = pfn ^ block_pages(order);

		if (!buddy_is_free(buddy, order))
			break;
		LIST_REMOVE(&mm_pages[buddy], link);
		list_counted(order, -1);
		mm_pages[buddy].state = PageFreeTail;
		mm_pages[pfn].state = PageFreeTail;
		pfn &= ~block_pages(order);     /* the lower of the two */
		order++;
	}
	push_free(pfn, order);
}

/* The largest order whose aligned block starts at start and ends by end. */
static unsigned int largest_fit(pfn_t start, pfn_t end)
{
	unsigned int order = 0;

	while (order < BUDDY_MAX_ORDER &&
	    (start & (block_pages(order + 1) - 1)) == 0 &&
	    start + block_pages(order + 1) <= end)
		order++;
	return order;
}

void buddy_add_range(pfn_t start, pfn_t end)
{
	ASSERT(start <= end && end <= mm_npages);
	while (start < end) {
		unsigned int order = largest_fit(start, end);

		for (pfn_t i = 0; i < block_pages(order); i++)
			ASSERT(mm_pages[start + i].state == PageReserved);
		mark_block(start, order, PageFreeTail);
		free_count += block_pages(order);
		free_block(start, order);
		start += block_pages(order);
	}
}

static void drain_hot(void)
{
	while (hot_count > 0) {
		pfn_t pfn = hot[--hot_count];

		mm_pages[pfn].state = PageFreeTail;
		free_block(pfn, 0);
	}
}

/* Caches of other layers (the page-table root pool), counted as free. */
#define MM_CACHES_MAX 4
static const struct mm_cache *caches[MM_CACHES_MAX];
static unsigned int ncaches;

void mm_cache_register(const struct mm_cache *c)
{
	for (unsigned int i = 0; i < ncaches; i++)
		if (caches[i] == c)
			return;
	ASSERT(ncaches < MM_CACHES_MAX);
	caches[ncaches++] = c;
}

uint64_t mm_cached_pages(void)
{
	uint64_t n = slob_cached_pages();

	for (unsigned int i = 0; i < ncaches; i++)
		n += caches[i]->pages();
	return n;
}

/* Gives the cached free pages back to the free lists; true if there were
 * any.  The slob's and the other caches' go first, as they pass through
 * the hot cache. */
static bool release_caches(void)
{
	bool any = hot_count > 0 || mm_cached_pages() > 0;

	slob_reclaim();
	for (unsigned int i = 0; i < ncaches; i++)
		caches[i]->reclaim();
	drain_hot();
	return any;
}

static pfn_t alloc_hot(void)
{
	pfn_t pfn = hot[--hot_count];

	ASSERT(mm_pages[pfn].state == PageHot);
	check_poison(pfn, 0);
	mm_pages[pfn].state = PageAllocated;
	mm_pages[pfn].refcount = 0;
	free_count--;
	return pfn;
}

/* The smallest order >= order with a free block; BUDDY_MAX_ORDER + 1 if
 * there is none. */
static unsigned int smallest_free_order(unsigned int order)
{
	while (order <= BUDDY_MAX_ORDER && LIST_EMPTY(&free_lists[order]))
		order++;
	return order;
}

static pfn_t alloc_from_lists(unsigned int order)
{
	unsigned int k = smallest_free_order(order);

	if (k > BUDDY_MAX_ORDER)
		return PFN_NONE;
	struct page *pg = LIST_FIRST(&free_lists[k]);
	pfn_t pfn = (pfn_t)(pg - mm_pages);

	ASSERT(pg->state == PageFree && pg->order == k);
	LIST_REMOVE(pg, link);
	list_counted(k, -1);
	while (k > order) {             /* split, keeping the lower half */
		k--;
		push_free(pfn + block_pages(k), k);
	}
	check_poison(pfn, order);
	mark_block(pfn, order, PageAllocated);
	pg->refcount = 0;
	free_count -= block_pages(order);
	return pfn;
}

pfn_t buddy_alloc(unsigned int order)
{
	if (order > BUDDY_MAX_ORDER)
		return PFN_NONE;
	pfn_t pfn;

	if (order == 0 && hot_count > 0) {
		pfn = alloc_hot();
	} else {
		pfn = alloc_from_lists(order);
		if (pfn == PFN_NONE && release_caches())
			pfn = alloc_from_lists(order);
	}
	check_counts();
	return pfn;
}

void buddy_free(pfn_t pfn, unsigned int order)
{
	ASSERT(pfn < mm_npages && order <= BUDDY_MAX_ORDER);
	ASSERT(mm_pages[pfn].state == PageAllocated);
	ASSERT(mm_pages[pfn].order == order);       /* a tail has TAIL_ORDER */
	ASSERT((pfn & (block_pages(order) - 1)) == 0);
	poison_block(pfn, order);
	free_count += block_pages(order);
	if (order == 0 && hot_count < HOT_MAX) {
		mm_pages[pfn].state = PageHot;
		hot[hot_count++] = pfn;
	} else {
		mark_block(pfn, order, PageFreeTail);
		free_block(pfn, order);
	}
	check_counts();
}

uint64_t buddy_free_pages(void)
{
	return free_count;
}
