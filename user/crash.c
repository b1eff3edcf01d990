/* crash: dies of a page fault (the shell reports it and goes on). */
#include <stdint.h>

int main(int argc, char **argv)
{
	(void)argv;
	volatile uintptr_t addr = 8 + (uintptr_t)argc * 0;
	volatile int *p = (volatile int *)addr;

	return *p;
}
