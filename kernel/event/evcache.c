/* The event cache's slow paths; see evcache.h. */
#include <kernel/evcache.h>

struct evcache evcache = {
	.free = { &evcache.free, &evcache.free },
};

static uint64_t cached_pages(void)
{
	return evcache.empty;
}

static const struct mm_cache evcache_mm = {
	.pages = cached_pages,
	.reclaim = evcache_reclaim,
};

static void unlink_obj(struct evcache_obj *o)
{
	o->prev->next = o->next;
	o->next->prev = o->prev;
}

static void release_page(struct page *pg)
{
	char *base = pfn_to_va((pfn_t)(pg - mm_pages));

	ASSERT(pg->refcount == 0 && pg->private == EVCACHE_MAGIC);
	for (uint32_t i = 0; i < EVCACHE_PER_PAGE; i++)
		unlink_obj((struct evcache_obj *)(base + i * EVCACHE_OBJ));
	pg->private = 0;
	evcache.empty--;
	evcache.pages--;
	buddy_free((pfn_t)(pg - mm_pages), 0);
}

void *evcache_refill(void)
{
	ASSERT(evcache.free.next == &evcache.free && evcache.empty == 0);
	/* Idempotent; here rather than in an init call, so that the cache
	 * needs no setup (and the host tests none). */
	mm_cache_register(&evcache_mm);
	pfn_t pfn = buddy_alloc(0);
	if (pfn == PFN_NONE)
		return NULL;
	struct page *pg = pfn_to_page(pfn);
	char *base = pfn_to_va(pfn);
	pg->private = EVCACHE_MAGIC;
	pg->refcount = 1;             /* the first object, handed out */
	evcache.pages++;
	/* The rest onto the free list, low addresses first out. */
	for (uint32_t i = EVCACHE_PER_PAGE; i-- > 1;) {
		struct evcache_obj *o = (struct evcache_obj *)(base + i * EVCACHE_OBJ);
		o->next = evcache.free.next;
		o->prev = &evcache.free;
		evcache.free.next->prev = o;
		evcache.free.next = o;
	}
	return base;
}

void evcache_page_empty(struct page *pg)
{
	evcache.empty++;
	if (evcache.empty > 1)
		release_page(pg);
}

void evcache_reclaim(void)
{
	if (evcache.empty == 0)
		return;
	/* Every page with no live object has all its objects on the list:
	 * find them from the list (the pages are not otherwise listed). */
	for (struct evcache_obj *o = evcache.free.next, *next;
	     o != &evcache.free && evcache.empty > 0; o = next) {
		next = o->next;
		struct page *pg = evcache_page(o);
		if (pg->refcount == 0) {
			/* next may be on this page: restart after it. */
			release_page(pg);
			next = evcache.free.next;
		}
	}
	ASSERT(evcache.empty == 0);
}

uint64_t evcache_live(void)
{
	uint64_t free = 0;

	for (struct evcache_obj *o = evcache.free.next; o != &evcache.free;
	     o = o->next)
		free++;
	return evcache.pages * EVCACHE_PER_PAGE - free;
}
