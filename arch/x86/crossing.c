/*
 * ethos.test=crossing: what one crossing into Xen costs, split so that the
 * emulator's share shows (docs/BENCHMARKS.md, "Why plain TCG is slow").
 *
 * Under plain TCG QEMU flushes its whole software TLB on every CR3 write,
 * and a 64-bit PV guest has one on every kernel entry and exit (Xen keeps
 * the guest kernel and user in separate page tables).  After a flush each
 * page touched costs a software page walk.  Three loops, from the kernel:
 *   hypercall  a hypercall that changes no page table (console_io with 0
 *              bytes): Xen's entry and exit alone;
 *   flush      MMUEXT_TLB_FLUSH_LOCAL: the same plus one CR3 reload;
 *   flush+N    the flush, then one read from each of N pages the loop
 *              did not touch before: the refill per page;
 *   stack_switch, baseptr
 *              the two hypercalls a context switch makes besides the
 *              crossing itself (arch_switch_to): naming the next kernel
 *              stack, and the kernel + user page-table pair, alternating
 *              between two empty address spaces as a switch between two
 *              processes does.
 * Run it under icount (instructions) and plain TCG (wall time): the
 * difference between the two per loop is what emulation adds.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/hypercall.h>
#include <xen/time.h>
#include <kernel/printk.h>
#include <arch/pagetable.h>

#define ROUNDS 2000
#define PAGES 32

/* Pages of our own .bss, read one word each after a flush. */
static volatile uint64_t probe_pages[PAGES][512] __attribute__((aligned(4096)));

static void flush(void)
{
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };

	(void)hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void report(const char *what, uint64_t t0, uint64_t ns0)
{
	uint64_t ticks = rdtsc() - t0, ns = time_now_ns() - ns0;

	printk("crossing: %-13s %6lu tsc ticks %6lu ns per round\n", what,
	       (unsigned long)(ticks / ROUNDS), (unsigned long)(ns / ROUNDS));
}

/* One round of body, ROUNDS times, timed and reported as what (i is the
 * round's number). */
#define TIMED(what, body) do {                                              \
	uint64_t t0_ = rdtsc(), ns0_ = time_now_ns();                       \
	for (int i = 0; i < ROUNDS; i++) {                                  \
		body;                                                       \
	}                                                                   \
	report(what, t0_, ns0_);                                            \
} while (0)

/* One word from each probe page, into *sum (so none is optimised away). */
static inline __attribute__((always_inline)) void read_pages(uint64_t *sum)
{
	for (int p = 0; p < PAGES; p++)
		*sum += probe_pages[p][0];
}

void crossing_probe(void)
{
	static struct addrspace as[2];
	uint64_t sum = 0;

	read_pages(&sum);                       /* mapped before we count */

	TIMED("hypercall", (void)hv_console_io(CONSOLEIO_write, 0, ""));
	TIMED("flush", flush());
	TIMED("flush+32reads", flush(); read_pages(&sum));
	TIMED("32reads", read_pages(&sum));
	TIMED("stack_switch",
	      (void)hv_stack_switch(FLAT_KERNEL_SS, (uintptr_t)probe_pages[PAGES - 1]));
	if (as_create(&as[0]) && as_create(&as[1])) {
		TIMED("baseptr", as_switch(&as[i & 1]));
		as_switch(NULL);
	}
	printk("crossing: done (%lu)\n", (unsigned long)(sum & 1));
}
