/*
 * The event cache: struct event objects (EVCACHE_OBJ bytes, 32 a page) on
 * pages of their own, for the hot path of beep and retire.  kmalloc's
 * general slob path (size class, spare-page bookkeeping, its counters)
 * was a fifth of a batched beep; here an allocation is a pop and a free a
 * push, inline.
 *
 * Free objects, from any of the cache's pages, are on one circular
 * doubly linked list (through their first two words), so a page that
 * empties can be unlinked in 32 steps.  (Not a queue.h TAILQ: a circular
 * list around a sentinel has no end case, so a pop and a push have no
 * branch; they are most of a batched beep's allocation.)  A page's struct page refcount
 * counts its live objects.  One empty page is kept (an alloc/free pair
 * does not take and give back a page each time); a second empty page
 * goes back to the buddy allocator at once.  The kept page counts as free
 * memory (mm_cache_register) and is given back when the buddy allocator
 * runs dry, so the suite's free-page count balances as with the slob.
 * Pure logic over the buddy allocator: host-tested (tests/unit/test_evcache.c).
 */
#ifndef EVCACHE_H
#define EVCACHE_H

#include <stdint.h>
#include <kernel/mm.h>
#include <kernel/panic.h>

#define EVCACHE_OBJ 128
#define EVCACHE_PER_PAGE (PAGE_SIZE / EVCACHE_OBJ)
/* In struct page.private of the cache's pages: kfree or a stray free of
 * another page is caught by ASSERT. */
#define EVCACHE_MAGIC 0x65766361636865ULL

struct evcache_obj {
	struct evcache_obj *next, *prev;
};

struct evcache {
	struct evcache_obj free;      /* sentinel of the free list */
	uint64_t pages;               /* pages held */
	uint64_t empty;               /* of which with no live object (0 or 1) */
};
extern struct evcache evcache;

/* Slow paths: a new page (NULL when memory is out); a page just emptied. */
void *evcache_refill(void);
void evcache_page_empty(struct page *pg);
/* Gives every empty page back (the buddy allocator ran dry; tests). */
void evcache_reclaim(void);
/* Live objects, for tests. */
uint64_t evcache_live(void);

static inline struct page *evcache_page(const void *obj)
{
	return pfn_to_page(va_to_pfn(obj));
}

static inline __attribute__((always_inline)) void *evcache_alloc(void)
{
	struct evcache_obj *o = evcache.free.next;

	if (__builtin_expect(o == &evcache.free, 0))
		return evcache_refill();
	evcache.free.next = o->next;
	o->next->prev = &evcache.free;
	struct page *pg = evcache_page(o);
	DEBUG_ASSERT(pg->private == EVCACHE_MAGIC && pg->refcount < EVCACHE_PER_PAGE);
	if (pg->refcount++ == 0)
		evcache.empty--;          /* the kept empty page is in use */
	return o;
}

static inline __attribute__((always_inline)) void evcache_free(void *obj)
{
	struct evcache_obj *o = obj;
	struct page *pg = evcache_page(o);

	/* Debug builds check it is one of ours; every build that a page's
	 * count cannot go below zero. */
	DEBUG_ASSERT(pg->private == EVCACHE_MAGIC &&
		     ((uintptr_t)obj & (EVCACHE_OBJ - 1)) == 0);
	ASSERT(pg->refcount > 0);
	o->next = evcache.free.next;
	o->prev = &evcache.free;
	evcache.free.next->prev = o;
	evcache.free.next = o;
	if (--pg->refcount == 0)
		evcache_page_empty(pg);
}

#endif
