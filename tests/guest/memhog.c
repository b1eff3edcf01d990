/*
 * Touches heap pages until there is no memory left: it must be killed
 * (a page fault the kernel cannot satisfy), and the kernel must survive
 * with every page back (init checks the count after the suite).
 */
#include <ethos/ethos.h>

int main(void)
{
	volatile char *heap = (volatile char *)0x0000000100000000UL;

	for (unsigned long i = 0;; i += 4096)
		heap[i] = 1;
	return 0;
}
