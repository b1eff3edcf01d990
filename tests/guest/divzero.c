/* Divides by zero: must be killed with a divide error. */
#include <stdio.h>
#include <ethos/ethos.h>

int main(void)
{
	/* Both volatile, or gcc turns 1/x into a compare and never divides. */
	volatile int zero = 0, seven = 7;

	printf("divzero: %d (must not get here)\n", seven / zero);
	return 0;
}
