/*
 * FPU/SSE state survives preemption: two processes do long floating-point
 * computations at once and must each get exactly the result computed
 * here alone.  Exit status of a child: its result's bit pattern.  And
 * xmm0/xmm1 survive the kernel's page clear and page copy (SSE stores,
 * kernel/mm/page.c) behind a demand-zero fault and a copy-on-write fault.
 */
#include "check.h"

#define CHUNKS 200
#define CHUNK 10000

static double work(double seed)
{
	double acc = seed, step = 1.0 / (3.0 + seed);

	for (int c = 0; c < CHUNKS; c++)
		for (int i = 0; i < CHUNK; i++)
			acc = acc * 0.999999 + step * (double)(i & 7);
	return acc;
}

static int64_t bits(double d)
{
	int64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

/* Loads xmm0 and xmm1 with a pattern, stores to *addr (the fault runs in
 * between), and says whether both registers still hold the pattern. */
static int xmm_survive_store(volatile uint64_t *addr)
{
	uint8_t pat[32] __attribute__((aligned(16))), out[32] __attribute__((aligned(16)));

	for (int i = 0; i < 32; i++)
		pat[i] = (uint8_t)(0xa5 ^ (i * 37));
	asm volatile("movdqa (%[pat]), %%xmm0\n\t"
		     "movdqa 16(%[pat]), %%xmm1\n\t"
		     "movq $7, (%[a])\n\t"
		     "movdqa %%xmm0, (%[out])\n\t"
		     "movdqa %%xmm1, 16(%[out])"
		     : : [pat] "r"(pat), [a] "r"(addr), [out] "r"(out)
		     : "memory", "xmm0", "xmm1");
	return memcmp(pat, out, sizeof(pat)) == 0 && *addr == 7;
}

static uint64_t pages[3 * 512] __attribute__((aligned(4096)));   /* bss */

static void kernel_sse(void)
{
	uint64_t pid;
	EventId e;
	struct ethos_exit_result r;

	/* Far into the heap, where nothing has been touched: a fault. */
	CHECK("xmm0/xmm1 survive a demand-zero fault (page clear)",
	      xmm_survive_store((volatile uint64_t *)(0x140000000UL + (64UL << 20))));
	pages[2 * 512] = 1;                /* mapped before the fork */
	if (ethos_fork(&pid, &e) != StatusOk) {
		CHECK("fork", 0);
		return;
	}
	if (pid == 0) {
		sleep_ms(20);               /* holds the page while we write */
		ethos_exit(0);
	}
	CHECK("xmm0/xmm1 survive a copy-on-write fault (page copy)",
	      xmm_survive_store(&pages[2 * 512]));
	ethos_block_and_retire(e, &r, sizeof(r), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return (int)(bits(work((double)(argv[1][0] - '0'))) & 0x7fffffff);
	check_program = "fpu";
	kernel_sse();
	EventId e[2];
	struct ethos_exit_result r[2];
	CHECK_STATUS("spawn worker 1", ethos_spawn("/tests/fpu", "1", 0, &e[0]), StatusOk);
	CHECK_STATUS("spawn worker 2", ethos_spawn("/tests/fpu", "2", 0, &e[1]), StatusOk);
	int64_t want1 = bits(work(1.0)) & 0x7fffffff, want2 = bits(work(2.0)) & 0x7fffffff;
	for (int i = 0; i < 2; i++)
		ethos_block_and_retire(e[i], &r[i], sizeof(r[i]), 0);
	CHECK("worker 1 computed exactly what it computes alone", r[0].status == want1);
	CHECK("worker 2 computed exactly what it computes alone", r[1].status == want2);
	return check_failures;
}
