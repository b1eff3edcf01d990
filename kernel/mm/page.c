/* Whole pages by address, and clearing and copying them. */
#include <kernel/mm.h>
#include <kernel/panic.h>

/* gcc would turn the loops below back into memset/memcpy calls. */
#if defined(__clang__)
#define NO_LIBCALL
#else
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

uint64_t mm_free_pages(void)
{
	return buddy_free_pages() + mm_cached_pages();
}

void *page_alloc(unsigned int order)
{
	pfn_t pfn = buddy_alloc(order);

	return pfn == PFN_NONE ? NULL : pfn_to_va(pfn);
}

void page_free(void *va, unsigned int order)
{
	ASSERT(((uintptr_t)va & ~PAGE_MASK) == 0);
	buddy_free(va_to_pfn(va), order);
}

void *page_alloc_zeroed(unsigned int order)
{
	char *va = page_alloc(order);

	if (va != NULL)
		for (unsigned long i = 0; i < (1UL << order); i++)
			page_clear(va + i * PAGE_SIZE);
	return va;
}

/* 8-byte stores, unrolled: no "rep stos", which QEMU runs step by step. */
NO_LIBCALL void page_clear(void *va)
{
	uint64_t *p = va;

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i += 8) {
		p[i] = 0; p[i + 1] = 0; p[i + 2] = 0; p[i + 3] = 0;
		p[i + 4] = 0; p[i + 5] = 0; p[i + 6] = 0; p[i + 7] = 0;
	}
}

NO_LIBCALL void page_copy(void *dst, const void *src)
{
	uint64_t *d = dst;
	const uint64_t *s = src;

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i += 4) {
		d[i] = s[i]; d[i + 1] = s[i + 1];
		d[i + 2] = s[i + 2]; d[i + 3] = s[i + 3];
	}
}
