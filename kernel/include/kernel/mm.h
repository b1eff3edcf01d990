/*
 * Physical memory: one struct page per pseudo-physical frame, the buddy page
 * allocator, and the slob allocator for small objects.
 *
 * Pure logic: nothing here knows about Xen.  The kernel points
 * mm_directmap_base at its direct map; host unit tests point it at an
 * aligned block of ordinary memory and hand that to the allocators.
 */
#ifndef MM_H
#define MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/queue.h>
#include <kernel/kstring.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))
#define PFN_UP(x)   (((uint64_t)(x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((uint64_t)(x) >> PAGE_SHIFT)

typedef uint64_t pfn_t;
#define PFN_NONE ((pfn_t)-1)

/* Orders 0..BUDDY_MAX_ORDER: blocks of 4 KiB .. 4 MiB. */
#define BUDDY_MAX_ORDER 10

enum page_state {
	PageReserved = 0,   /* never given to the allocator (kernel image, Xen's) */
	PageFree,           /* in a buddy free list (only the head of a block) */
	PageFreeTail,       /* inside a free block, not its head */
	PageAllocated,      /* handed out by buddy_alloc (head or tail of block) */
	PageSlob,           /* a buddy page owned by the slob allocator */
	PageHot,            /* a free order-0 page in the buddy's hot cache */
};

/* Set in struct page.flags by the page-table code, not by the allocators. */
#define PAGE_FLAG_PAGETABLE 0x1   /* frame is a page table: read-only mapped */
/* Debug builds (ETHOS_DEBUG): set by the buddy allocator on a free page
 * whose contents it filled with POISON_FREE, checked and cleared when
 * the page is handed out again. */
#define PAGE_FLAG_POISONED  0x2

/* What freed memory holds in a debug build: a write after free shows. */
#define POISON_FREE      0x6bU
#define POISON_FREE_WORD 0x6b6b6b6b6b6b6b6bULL

struct page {
	LIST_ENTRY(page) link;      /* buddy free list or slob partial list */
	uint32_t refcount;          /* users of an allocated frame (mappings) */
	uint8_t order;              /* block order (valid on block heads) */
	uint8_t state;              /* enum page_state */
	uint16_t flags;             /* PAGE_FLAG_* */
	uint64_t private;           /* owner's use (slob: class and free list) */
};

extern uintptr_t mm_directmap_base;
extern struct page *mm_pages;
extern pfn_t mm_npages;

static inline void *pfn_to_va(pfn_t pfn)
{
	return (void *)(mm_directmap_base + (pfn << PAGE_SHIFT));
}

static inline pfn_t va_to_pfn(const void *va)
{
	return ((uintptr_t)va - mm_directmap_base) >> PAGE_SHIFT;
}

static inline struct page *pfn_to_page(pfn_t pfn)
{
	return &mm_pages[pfn];
}

/*
 * Buddy allocator.  buddy_init takes the page array (npages entries, all
 * PageReserved); buddy_add_range gives [start, end) to the allocator.
 * buddy_alloc returns the first pfn of a 2^order block, or PFN_NONE when no
 * block is free (never panics).  buddy_free of a block that is not
 * allocated, or with the wrong order, is caught by ASSERT.
 */
void buddy_init(struct page *pages, pfn_t npages);
void buddy_add_range(pfn_t start, pfn_t end);
pfn_t buddy_alloc(unsigned int order);
void buddy_free(pfn_t pfn, unsigned int order);
uint64_t buddy_free_pages(void);
/* Walks every free list and the hot cache and checks them against the
 * free count; panics on a mismatch.  Debug builds call it as they go. */
void buddy_check(void);

/* Convenience: blocks by address in the direct map; NULL when exhausted. */
void *page_alloc(unsigned int order);
void page_free(void *va, unsigned int order);
void *page_alloc_zeroed(unsigned int order);

/* Clear or copy one page with 8-byte stores (rep stos is slow under QEMU). */
void page_clear(void *va);
void page_copy(void *dst, const void *src);

/*
 * Slob: kernel objects up to SLOB_MAX bytes come from size classes carved
 * out of buddy pages; larger ones go straight to the buddy allocator.
 * kfree(NULL) is a no-op.  An empty slob page goes back to the buddy
 * allocator.
 */
#define SLOB_MAX (PAGE_SIZE / 2)
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *ptr);

/* Frees n kmalloc'd chunks (NULL ones skipped) and the array holding
 * them: how large file data and messages are kept (EVENT_CHUNK_BYTES
 * each, so that nothing needs one block of the whole size). */
static inline void kfree_chunks(uint8_t **chunks, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		kfree(chunks[i]);
	kfree(chunks);
}

/* A new block of size bytes holding the first `keep` bytes of old, which
 * is then freed: how the kernel's arrays grow and shrink.  NULL, with old
 * untouched, if memory is out. */
static inline void *krealloc(void *old, size_t keep, size_t size)
{
	void *p = kmalloc(size);

	if (p == NULL)
		return NULL;
	if (keep != 0)
		memcpy(p, old, keep);
	kfree(old);
	return p;
}
/* Empty slob pages kept as a cache, and giving them back to buddy. */
uint64_t slob_cached_pages(void);
void slob_reclaim(void);

/*
 * A cache of pages another layer keeps for reuse (the page-table root
 * pool): its pages count as free memory, and it gives them back when the
 * buddy allocator runs dry.
 */
struct mm_cache {
	uint64_t (*pages)(void);
	void (*reclaim)(void);
};
void mm_cache_register(const struct mm_cache *c);
/* The slob's kept pages and every registered cache's. */
uint64_t mm_cached_pages(void);

/* Free memory in pages: the buddy allocator's plus the caches'. */
uint64_t mm_free_pages(void);

#endif /* MM_H */
