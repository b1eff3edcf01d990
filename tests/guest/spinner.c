/*
 * Spins for a while without ever yielding and counts how often it lost
 * the CPU (a gap of over 3 ms between two looks at the clock).  Exit
 * status: that count.
 */
#include <ethos/ethos.h>

int main(void)
{
	const uint64_t run_ns = 150ULL * 1000 * 1000, gap_ns = 3ULL * 1000 * 1000;
	uint64_t start = ethos_time(), last = start, now, gaps = 0;

	while ((now = ethos_time()) - start < run_ns) {
		if (now - last > gap_ns)
			gaps++;
		last = now;
	}
	return (int)gaps;
}
