/* Executes a privileged instruction: must be killed with #GP. */
#include <stdio.h>
#include <ethos/ethos.h>

int main(void)
{
	asm volatile("hlt");
	printf("privileged: survived hlt (must not get here)\n");
	return 0;
}
