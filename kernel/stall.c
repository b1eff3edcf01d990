/*
 * ethos.stall=N: timing fault injection, for hunting races in tests.  On
 * about one return to user mode in N the kernel busy-waits a random 0-8
 * ms first, with events masked, as a stalled emulator or a loaded host
 * does: wall time jumps between two instructions of a program, and the
 * timer and other upcalls it missed arrive together afterwards.  Off
 * unless asked for; the seed is fixed, so a run can be repeated.
 */
#include <stdint.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/stall.h>
#include <xen/time.h>

#define STALL_MAX_NS (8ULL * 1000 * 1000)

static uint64_t one_in;          /* 0: off */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

void stall_init(void)
{
	char arg[16];

	if (cmdline_get("ethos.stall", arg, sizeof(arg)) == NULL)
		return;
	one_in = 0;
	for (const char *c = arg; *c >= '0' && *c <= '9'; c++)
		one_in = one_in * 10 + (uint64_t)(*c - '0');
	printk("stall: about one return to user in %lu waits up to 8 ms\n",
	       (unsigned long)one_in);
}

/* xorshift64: no quality needed, only a repeatable spread. */
static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

void stall_maybe(void)
{
	if (one_in == 0 || next_random() % one_in != 0)
		return;
	uint64_t until = time_now_ns() + next_random() % STALL_MAX_NS;
	while (time_now_ns() < until)
		;
}
