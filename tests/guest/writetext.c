/* Writes its own text: must be killed (page fault on a read-only page). */
#include <stdio.h>
#include <ethos/ethos.h>

int main(void)
{
	volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)main;

	*text = 0xc3;
	printf("writetext: wrote its text (must not get here)\n");
	return 0;
}
