/*
 * Spins for a while (150 ms, and on until it has lost the CPU once)
 * without ever yielding, and counts how often it lost the CPU (a gap of
 * over 3 ms between two looks at the clock).  Exit status: that count.
 */
#include <ethos/ethos.h>

int main(void)
{
	const uint64_t run_ns = 150ULL * 1000 * 1000, gap_ns = 3ULL * 1000 * 1000,
		       cap_ns = 3000ULL * 1000 * 1000;
	uint64_t start = ethos_time(), last = start, now, gaps = 0;

	/* At least run_ns, and on until a first gap (up to cap_ns): a host
	 * that stalls the emulator can move the clock past run_ns in one
	 * jump, before the scheduler had a chance to preempt us. */
	do {
		now = ethos_time();
		if (now - last > gap_ns)
			gaps++;
		last = now;
	} while (now - start < run_ns || (gaps == 0 && now - start < cap_ns));
	return (int)gaps;
}
