/* Executes an invalid instruction: must be killed with #UD. */
#include <stdio.h>
#include <ethos/ethos.h>

int main(void)
{
	asm volatile("ud2");
	printf("badopcode: survived ud2 (must not get here)\n");
	return 0;
}
