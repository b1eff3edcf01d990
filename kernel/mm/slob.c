/*
 * Small kernel objects: eight size classes (16 .. 2048 bytes), each a list
 * of partly used pages.  A slob page's struct page holds its class
 * (order), its free-object count (refcount) and its free list (private:
 * objects linked through their first word).  Full pages are on no list.
 * One empty page per class is kept, so that alloc/free pairs do not carve
 * a page each time; further empty pages go back to the buddy allocator.
 * Kept pages count as free memory (mm_free_pages) and are given back when
 * the buddy allocator runs dry (slob_reclaim).  Requests over SLOB_MAX
 * are whole buddy blocks.
 */
#include "mm.h"
#include "panic.h"
#include "kstring.h"

#define CLASSES 8
#define MIN_SHIFT 4

static LIST_HEAD(slob_list, page) partial[CLASSES];
static struct page *spare[CLASSES];      /* an empty page kept per class */
static uint64_t spare_pages;

static void release_page(struct page *pg);

static unsigned int class_of(size_t size)
{
	unsigned int c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static uint32_t objects_per_page(unsigned int c)
{
	return PAGE_SIZE >> (c + MIN_SHIFT);
}

static struct page *new_slob_page(unsigned int c)
{
	pfn_t pfn = buddy_alloc(0);

	if (pfn == PFN_NONE)
		return NULL;
	struct page *pg = pfn_to_page(pfn);
	size_t size = (size_t)1 << (c + MIN_SHIFT);
	char *base = pfn_to_va(pfn);
	uintptr_t next = 0;

	/* Thread the free list back to front so it hands out low first. */
	for (uint32_t i = objects_per_page(c); i-- > 0;) {
		*(uintptr_t *)(base + i * size) = next;
		next = (uintptr_t)(base + i * size);
	}
	pg->state = PageSlob;
	pg->order = (uint8_t)c;
	pg->refcount = objects_per_page(c);
	pg->private = next;
	LIST_INSERT_HEAD(&partial[c], pg, link);
	return pg;
}

static unsigned int order_for(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *kmalloc(size_t size)
{
	if (size > SLOB_MAX) {
		unsigned int order = order_for(size);
		return order <= BUDDY_MAX_ORDER ? page_alloc(order) : NULL;
	}
	unsigned int c = class_of(size ? size : 1);
	struct page *pg = LIST_FIRST(&partial[c]);
	if (pg == NULL && (pg = new_slob_page(c)) == NULL)
		return NULL;
	if (pg == spare[c]) {
		spare[c] = NULL;                 /* no longer empty */
		spare_pages--;
	}
	uintptr_t obj = pg->private;
	pg->private = *(uintptr_t *)obj;
	if (--pg->refcount == 0)
		LIST_REMOVE(pg, link);           /* full */
	return (void *)obj;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	if (ptr == NULL)
		return;
	pfn_t pfn = va_to_pfn(ptr);
	struct page *pg = pfn_to_page(pfn);

	if (pg->state != PageSlob) {
		ASSERT(pg->state == PageAllocated && ((uintptr_t)ptr & ~PAGE_MASK) == 0);
		buddy_free(pfn, pg->order);
		return;
	}
	unsigned int c = pg->order;
	ASSERT(((uintptr_t)ptr & (((size_t)1 << (c + MIN_SHIFT)) - 1)) == 0);
	if (pg->refcount == 0)
		LIST_INSERT_HEAD(&partial[c], pg, link);   /* was full */
	*(uintptr_t *)ptr = pg->private;
	pg->private = (uintptr_t)ptr;
	if (++pg->refcount == objects_per_page(c)) {
		if (spare[c] == NULL) {
			spare[c] = pg;
			spare_pages++;
			return;
		}
		release_page(pg);
	}
}

static void release_page(struct page *pg)
{
	LIST_REMOVE(pg, link);
	pg->state = PageAllocated;
	pg->order = 0;
	buddy_free((pfn_t)(pg - mm_pages), 0);
}

uint64_t slob_cached_pages(void)
{
	return spare_pages;
}

void slob_reclaim(void)
{
	for (unsigned int c = 0; c < CLASSES; c++) {
		if (spare[c] != NULL) {
			release_page(spare[c]);
			spare[c] = NULL;
			spare_pages--;
		}
	}
}
