/*
 * Small kernel objects: eight size classes (16 .. 2048 bytes), each a list
 * of partly used pages.  A slob page's struct page holds its class
 * (order), its free-object count (refcount) and its free list (private:
 * objects linked through their first word).  Full pages are on no list.
 * One empty page per class is kept, so that alloc/free pairs do not carve
 * a page each time; further empty pages go back to the buddy allocator.
 * Kept pages count as free memory (mm_free_pages) and are given back when
 * the buddy allocator runs dry (slob_reclaim).  Requests over SLOB_MAX
 * are whole buddy blocks (PageAllocated, the order on the head), which is
 * how kfree tells the two kinds apart.
 *
 * kfree catches what it can in O(1): a pointer outside memory or into a
 * page that is neither slob nor allocated, one that is not an object
 * start, and the double frees that show without a per-object bitmap (the
 * object freed last on its page, or a page with every object free).
 *
 * Debug builds (ETHOS_DEBUG) fill a free object, all but its link word,
 * with POISON_FREE, and check the fill and the link when the object is
 * handed out again: a write through a stale pointer panics there, naming
 * the object, instead of corrupting its next owner.
 */
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/kstring.h>
#include <kernel/kstat.h>

#define CLASSES 8
#define MIN_SHIFT 4
#define LARGE_MAX (PAGE_SIZE << BUDDY_MAX_ORDER)

static LIST_HEAD(slob_list, page) partial[CLASSES];
static struct page *spare[CLASSES];      /* an empty page kept per class */
static uint64_t spare_pages;

static void release_page(struct page *pg);

#ifdef ETHOS_DEBUG
static void poison_object(void *obj, size_t size)
{
	uint64_t *w = obj;

	for (size_t i = 1; i < size / 8; i++)
		w[i] = POISON_FREE_WORD;
}

/* The link must stay in its page, on an object boundary (or be the end). */
static void check_object(uintptr_t obj, size_t size)
{
	const uint64_t *w = (const uint64_t *)obj;
	uintptr_t next = w[0];

	if (next != 0 && ((next & PAGE_MASK) != (obj & PAGE_MASK) ||
	    (next & (size - 1)) != 0))
		panic("slob: free %lu-byte object %lx written after free "
		      "(its link holds %lx)", (unsigned long)size,
		      (unsigned long)obj, (unsigned long)next);
	for (size_t i = 1; i < size / 8; i++)
		if (w[i] != POISON_FREE_WORD)
			panic("slob: free %lu-byte object %lx written after free "
			      "(offset %lu holds %lx)", (unsigned long)size,
			      (unsigned long)obj, (unsigned long)(i * 8),
			      (unsigned long)w[i]);
}
#else
static inline void poison_object(void *obj, size_t size)
{
	(void)obj;
	(void)size;
}
static inline void check_object(uintptr_t obj, size_t size)
{
	(void)obj;
	(void)size;
}
#endif

/* The class of size <= SLOB_MAX: the smallest 2^(c + MIN_SHIFT) >= size. */
static unsigned int class_of(size_t size)
{
	if (size <= ((size_t)1 << MIN_SHIFT))
		return 0;
	return (64 - __builtin_clzl(size - 1)) - MIN_SHIFT;
}

static size_t class_size(unsigned int c)
{
	return (size_t)1 << (c + MIN_SHIFT);
}

static uint32_t objects_per_page(unsigned int c)
{
	return PAGE_SIZE / class_size(c);
}

static struct page *new_slob_page(unsigned int c)
{
	pfn_t pfn = buddy_alloc(0);

	if (pfn == PFN_NONE)
		return NULL;
	struct page *pg = pfn_to_page(pfn);
	size_t size = class_size(c);
	char *base = pfn_to_va(pfn);
	uintptr_t next = 0;

	/* Thread the free list back to front so it hands out low first. */
	for (uint32_t i = objects_per_page(c); i-- > 0;) {
		*(uintptr_t *)(base + i * size) = next;
		poison_object(base + i * size, size);
		next = (uintptr_t)(base + i * size);
	}
	pg->state = PageSlob;
	pg->order = (uint8_t)c;
	pg->refcount = objects_per_page(c);
	pg->private = next;
	LIST_INSERT_HEAD(&partial[c], pg, link);
	return pg;
}

/* The smallest order whose block holds size <= LARGE_MAX bytes. */
static unsigned int order_for(size_t size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
}

void *kmalloc(size_t size)
{
	if (size > SLOB_MAX) {
		if (size > LARGE_MAX)
			return NULL;            /* also keeps order_for in range */
		void *block = page_alloc(order_for(size));
		if (block != NULL)
			kstat_inc(KStatLargeBlocks);
		return block;
	}
	unsigned int c = class_of(size);
	struct page *pg = LIST_FIRST(&partial[c]);
	if (pg == NULL && (pg = new_slob_page(c)) == NULL)
		return NULL;
	uintptr_t obj = pg->private;
	check_object(obj, class_size(c));        /* before any change */
	if (pg == spare[c]) {
		spare[c] = NULL;                 /* no longer empty */
		spare_pages--;
	}
	pg->private = *(uintptr_t *)obj;
	if (--pg->refcount == 0)
		LIST_REMOVE(pg, link);           /* full */
	kstat_inc(KStatSlob16 + c);
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
	ASSERT(pfn < mm_npages);
	struct page *pg = pfn_to_page(pfn);

	if (pg->state != PageSlob) {
		/* A large block; buddy_free checks the order (a tail has none). */
		ASSERT(pg->state == PageAllocated && ((uintptr_t)ptr & ~PAGE_MASK) == 0);
		buddy_free(pfn, pg->order);
		kstat_dec(KStatLargeBlocks);
		return;
	}
	unsigned int c = pg->order;
	ASSERT(((uintptr_t)ptr & (class_size(c) - 1)) == 0);
	ASSERT(pg->refcount < objects_per_page(c));      /* all free already */
	ASSERT((uintptr_t)ptr != pg->private);           /* just freed */
	if (pg->refcount == 0)
		LIST_INSERT_HEAD(&partial[c], pg, link);   /* was full */
	*(uintptr_t *)ptr = pg->private;
	poison_object(ptr, class_size(c));
	pg->private = (uintptr_t)ptr;
	kstat_dec(KStatSlob16 + c);
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
