/*
 * Host benchmark of the kernel's allocators against glibc malloc/free of
 * the same sizes, in the same run: alloc+free pairs and batches (1000
 * allocations, then 1000 frees).  Median of 7 runs, ns per alloc+free.
 * Prints a Markdown section for docs/BENCHMARKS.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"
#include "fake_memory.h"

#define PAIRS 1000000
#define BATCH 1000
#define BATCH_ROUNDS 1000

static void *volatile sink;

enum kind { Buddy, Slob, Glibc };

static double pairs(enum kind k, size_t size)
{
	double t0 = now_ns();

	for (int i = 0; i < PAIRS; i++) {
		if (k == Buddy) {
			pfn_t p = buddy_alloc(0);
			sink = (void *)(uintptr_t)p;
			buddy_free(p, 0);
		} else if (k == Slob) {
			sink = kmalloc(size);
			kfree(sink);
		} else {
			sink = malloc(size);
			free(sink);
		}
	}
	return (now_ns() - t0) / PAIRS;
}

static double batches(enum kind k, size_t size)
{
	static void *ptrs[BATCH];
	static pfn_t pfns[BATCH];
	double t0 = now_ns();

	for (int r = 0; r < BATCH_ROUNDS; r++) {
		for (int i = 0; i < BATCH; i++) {
			if (k == Buddy)
				pfns[i] = buddy_alloc(0);
			else
				ptrs[i] = k == Slob ? kmalloc(size) : malloc(size);
		}
		for (int i = BATCH - 1; i >= 0; i--) {
			if (k == Buddy)
				buddy_free(pfns[i], 0);
			else if (k == Slob)
				kfree(ptrs[i]);
			else
				free(ptrs[i]);
		}
	}
	return (now_ns() - t0) / ((double)BATCH * BATCH_ROUNDS);
}

static void row(const char *name, enum kind k, size_t size)
{
	double ours_p[RUNS], glibc_p[RUNS], ours_b[RUNS], glibc_b[RUNS];

	for (int r = 0; r < RUNS; r++) {
		ours_p[r] = pairs(k, size);
		glibc_p[r] = pairs(Glibc, size);
		ours_b[r] = batches(k, size);
		glibc_b[r] = batches(Glibc, size);
	}
	double op = median(ours_p), gp = median(glibc_p);
	double ob = median(ours_b), gb = median(glibc_b);
	printf("| %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |\n", name, op, gp,
	       op / gp, ob, gb, ob / gb);
}

int main(void)
{
	fake_memory_init(16384);
	buddy_add_range(0, 16384);
	printf("## Host: page and slob allocators against glibc\n\n");
	printf("ns per alloc+free, median of %d runs; ratio < 1 means faster than "
	       "glibc malloc/free of the same size (4096 bytes for a page).\n\n", RUNS);
	printf("| allocator | pairs | glibc pairs | ratio | batches of %d | glibc batches | ratio |\n",
	       BATCH);
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	row("buddy order 0", Buddy, 4096);
	row("slob 32 B", Slob, 32);
	row("slob 64 B", Slob, 64);
	row("slob 256 B", Slob, 256);
	fake_memory_free();
	return 0;
}
