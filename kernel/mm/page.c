/* Whole pages by address, and clearing and copying them. */
#include <kernel/mm.h>
#include <kernel/panic.h>

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

/*
 * 16-byte SSE stores, eight to a loop: half the stores of 8-byte ones, and
 * no "rep stos", which QEMU runs step by step.  The kernel is built with
 * -mgeneral-regs-only and never owns the SSE registers: xmm0 (and xmm1
 * for the copy) may hold a process's live state (the FPU state is switched
 * lazily, sched.c), so the asm saves them on the stack and puts them back.
 * Nothing else can run in between (upcalls only set flags, and no kernel
 * code touches SSE), and nothing here can fault: both pages are the
 * kernel's, 4 KiB-aligned (movdqa).
 */
void page_clear(void *va)
{
	uint8_t save[16] __attribute__((aligned(16)));
	uint8_t *p = va, *end = p + PAGE_SIZE;

	ASSERT(((uintptr_t)va & ~PAGE_MASK) == 0);
	asm volatile(
		"movdqa %%xmm0, (%[save])\n\t"
		"pxor %%xmm0, %%xmm0\n\t"
		"1:\n\t"
		"movdqa %%xmm0, 0(%[p])\n\t"
		"movdqa %%xmm0, 16(%[p])\n\t"
		"movdqa %%xmm0, 32(%[p])\n\t"
		"movdqa %%xmm0, 48(%[p])\n\t"
		"movdqa %%xmm0, 64(%[p])\n\t"
		"movdqa %%xmm0, 80(%[p])\n\t"
		"movdqa %%xmm0, 96(%[p])\n\t"
		"movdqa %%xmm0, 112(%[p])\n\t"
		"add $128, %[p]\n\t"
		"cmp %[end], %[p]\n\t"
		"jne 1b\n\t"
		"movdqa (%[save]), %%xmm0"
		: [p] "+r"(p)
		: [end] "r"(end), [save] "r"(save)
		: "memory", "cc");
}

void page_copy(void *dst, const void *src)
{
	uint8_t save[32] __attribute__((aligned(16)));
	uint8_t *d = dst, *end = d + PAGE_SIZE;
	const uint8_t *s = src;

	ASSERT((((uintptr_t)dst | (uintptr_t)src) & ~PAGE_MASK) == 0);
	asm volatile(
		"movdqa %%xmm0, (%[save])\n\t"
		"movdqa %%xmm1, 16(%[save])\n\t"
		"1:\n\t"
		"movdqa 0(%[s]), %%xmm0\n\t"
		"movdqa 16(%[s]), %%xmm1\n\t"
		"movdqa %%xmm0, 0(%[d])\n\t"
		"movdqa %%xmm1, 16(%[d])\n\t"
		"movdqa 32(%[s]), %%xmm0\n\t"
		"movdqa 48(%[s]), %%xmm1\n\t"
		"movdqa %%xmm0, 32(%[d])\n\t"
		"movdqa %%xmm1, 48(%[d])\n\t"
		"add $64, %[s]\n\t"
		"add $64, %[d]\n\t"
		"cmp %[end], %[d]\n\t"
		"jne 1b\n\t"
		"movdqa (%[save]), %%xmm0\n\t"
		"movdqa 16(%[save]), %%xmm1"
		: [d] "+r"(d), [s] "+r"(s)
		: [end] "r"(end), [save] "r"(save)
		: "memory", "cc");
}
