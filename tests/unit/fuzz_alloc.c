/*
 * libFuzzer target for the buddy and slob allocators: the input is a
 * program of alloc/free operations (orders, sizes, which live block to
 * free).  Under ASan every block is written whole and checked on free,
 * so overlap, out-of-range blocks and lost coalescing all show.
 *   make fuzz-alloc FUZZ_RUNS=1000000
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fake_memory.h"

#define NPAGES 1024
#define LIVE 256

struct live {
	void *p;
	size_t size;
	unsigned int order;
	int pages;                     /* 1: buddy block, 0: kmalloc */
	unsigned char tag;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct live live[LIVE];
	int n = 0;

	fake_memory_init(NPAGES);
	buddy_add_range(1 + (size ? data[0] % 7 : 0), NPAGES - 3);
	uint64_t start = mm_free_pages();
	for (size_t i = 1; i + 2 < size; i += 3) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
		if ((op & 1) && n > 0) {
			int idx = a % n;
			struct live l = live[idx];
			for (size_t j = 0; j < l.size; j++)
				check(((unsigned char *)l.p)[j] == l.tag);
			if (l.pages)
				page_free(l.p, l.order);
			else
				kfree(l.p);
			n--;
			live[idx] = live[n];
		} else if (n < LIVE) {
			struct live l = { .tag = (unsigned char)(i | 1) };
			if (op & 2) {
				l.pages = 1;
				l.order = a % 5;
				l.size = PAGE_SIZE << l.order;
				l.p = page_alloc(l.order);
			} else {
				l.size = 1 + ((size_t)a << 4 | (b & 15)) % (3 * PAGE_SIZE);
				l.p = kmalloc(l.size);
			}
			if (l.p == NULL)
				continue;
			memset(l.p, l.tag, l.size);
			live[n++] = l;
		}
	}
	while (n > 0) {
		struct live l = live[--n];
		if (l.pages)
			page_free(l.p, l.order);
		else
			kfree(l.p);
	}
	check(mm_free_pages() == start);
	fake_memory_free();
	return 0;
}
