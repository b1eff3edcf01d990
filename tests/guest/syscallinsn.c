/* The syscall instruction is not our ABI (int $0x80 is): the process must
 * be killed, the kernel must go on. */
#include <stdio.h>
#include <ethos/ethos.h>

int main(void)
{
	asm volatile("syscall" ::: "rcx", "r11", "memory");
	printf("syscallinsn: survived syscall (must not get here)\n");
	return 0;
}
