/*
 * The buddy page allocator.  Free blocks of 2^order pages sit on one list
 * per order, headed by their first page (state PageFree, order set); the
 * other pages of a free block are PageFreeTail, those of an allocated block
 * PageAllocated with only the head carrying the order.  Marking every page
 * costs O(block size) per operation, O(1) for the common order 0, and lets
 * a double free or a free of a tail page be caught at once.
 *
 * Freed order-0 pages first go to a small LIFO "hot" cache and are handed
 * out again from there, so alloc/free pairs do not split and merge a big
 * block each time.  They count as free; the cache is drained into the
 * free lists (and coalesced) before any allocation reports failure, so a
 * failure still means no free aligned block of that order exists.
 */
#include "mm.h"
#include "panic.h"

#define TAIL_ORDER 0xff

uintptr_t mm_directmap_base;
struct page *mm_pages;
pfn_t mm_npages;

static LIST_HEAD(free_list, page) free_lists[BUDDY_MAX_ORDER + 1];
static uint64_t free_count;

#define HOT_MAX 64
static pfn_t hot[HOT_MAX];
static unsigned int hot_count;

void buddy_init(struct page *pages, pfn_t npages)
{
	mm_pages = pages;
	mm_npages = npages;
	for (pfn_t i = 0; i < npages; i++) {
		pages[i].state = PageReserved;
		pages[i].order = 0;
	}
	for (int o = 0; o <= BUDDY_MAX_ORDER; o++)
		LIST_INIT(&free_lists[o]);
	free_count = 0;
	hot_count = 0;
}

static void mark(pfn_t pfn, unsigned int order, enum page_state head,
		 enum page_state tail, uint8_t tail_order)
{
	mm_pages[pfn].state = head;
	mm_pages[pfn].order = order;
	for (pfn_t i = 1; i < (1UL << order); i++) {
		mm_pages[pfn + i].state = tail;
		mm_pages[pfn + i].order = tail_order;
	}
}

static void push_free(pfn_t pfn, unsigned int order)
{
	struct page *pg = &mm_pages[pfn];

	pg->state = PageFree;
	pg->order = order;
	LIST_INSERT_HEAD(&free_lists[order], pg, link);
}

/* Frees a block whose pages are all PageFreeTail now, merging buddies. */
static void free_block(pfn_t pfn, unsigned int order)
{
	while (order < BUDDY_MAX_ORDER) {
		pfn_t buddy = pfn ^ (1UL << order);
		struct page *b = &mm_pages[buddy];

		if (buddy >= mm_npages || b->state != PageFree || b->order != order)
			break;
		LIST_REMOVE(b, link);
		b->state = PageFreeTail;
		if (buddy < pfn)
			pfn = buddy;
		mm_pages[pfn].state = PageFreeTail;
		order++;
	}
	push_free(pfn, order);
}

void buddy_add_range(pfn_t start, pfn_t end)
{
	ASSERT(end <= mm_npages);
	while (start < end) {
		unsigned int order = 0;

		while (order < BUDDY_MAX_ORDER &&
		       (start & ((1UL << (order + 1)) - 1)) == 0 &&
		       start + (1UL << (order + 1)) <= end)
			order++;
		for (pfn_t i = 0; i < (1UL << order); i++)
			ASSERT(mm_pages[start + i].state == PageReserved);
		mark(start, order, PageFreeTail, PageFreeTail, TAIL_ORDER);
		free_count += 1UL << order;
		free_block(start, order);
		start += 1UL << order;
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

pfn_t buddy_alloc(unsigned int order)
{
	unsigned int k = order;

	if (order > BUDDY_MAX_ORDER)
		return PFN_NONE;
	if (order == 0 && hot_count > 0) {
		pfn_t pfn = hot[--hot_count];
		mm_pages[pfn].state = PageAllocated;
		mm_pages[pfn].refcount = 0;
		free_count--;
		return pfn;
	}
	while (k <= BUDDY_MAX_ORDER && LIST_EMPTY(&free_lists[k]))
		k++;
	if (k > BUDDY_MAX_ORDER && (hot_count > 0 || slob_cached_pages() > 0)) {
		/* Free memory held in caches: give it back and try again. */
		drain_hot();
		slob_reclaim();
		return buddy_alloc(order);
	}
	if (k > BUDDY_MAX_ORDER)
		return PFN_NONE;
	struct page *pg = LIST_FIRST(&free_lists[k]);
	LIST_REMOVE(pg, link);
	pfn_t pfn = (pfn_t)(pg - mm_pages);
	while (k > order) {            /* split, keeping the lower half */
		k--;
		push_free(pfn + (1UL << k), k);
	}
	mark(pfn, order, PageAllocated, PageAllocated, TAIL_ORDER);
	mm_pages[pfn].refcount = 0;
	free_count -= 1UL << order;
	return pfn;
}

void buddy_free(pfn_t pfn, unsigned int order)
{
	ASSERT(pfn < mm_npages && order <= BUDDY_MAX_ORDER);
	ASSERT(mm_pages[pfn].state == PageAllocated);
	ASSERT(mm_pages[pfn].order == order);       /* a tail has TAIL_ORDER */
	ASSERT((pfn & ((1UL << order) - 1)) == 0);
	free_count += 1UL << order;
	if (order == 0 && hot_count < HOT_MAX) {
		mm_pages[pfn].state = PageHot;
		hot[hot_count++] = pfn;
		return;
	}
	mark(pfn, order, PageFreeTail, PageFreeTail, TAIL_ORDER);
	free_block(pfn, order);
}

uint64_t buddy_free_pages(void)
{
	return free_count;
}
