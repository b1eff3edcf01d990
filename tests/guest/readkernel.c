/* Reads kernel memory: must be killed (page fault), nothing else. */
#include <stdio.h>
#include <ethos/ethos.h>

int main(void)
{
	volatile uint64_t *kernel = (volatile uint64_t *)0xffffffff80000000UL;

	printf("readkernel: read %lx (must not get here)\n", (unsigned long)*kernel);
	return 0;
}
