/*
 * "int $N" from user mode, N chosen by the argument.  Each must kill the
 * process with the exception that really happened, which init checks:
 * int3 and into-style "int $4" reach our own DPL 3 gates (breakpoint,
 * overflow); a vector with no DPL 3 gate (2, 13, 0x81, or 0x82 -- Xen's
 * 32-bit hypercall gate) is a #GP whose error code names the vector
 * (arch/x86/traps.c: under QEMU, Xen misroutes 2 and 0x82 to gate 4).
 */
#include <stdio.h>
#include <string.h>
#include <ethos/ethos.h>

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "";

	printf("softint: int $%s\n", which);
	if (strcmp(which, "2") == 0)
		asm volatile("int $2");
	else if (strcmp(which, "3") == 0)
		asm volatile("int $3");
	else if (strcmp(which, "4") == 0)
		asm volatile("int $4");
	else if (strcmp(which, "13") == 0)
		asm volatile("int $13");
	else if (strcmp(which, "0x81") == 0)
		asm volatile("int $0x81");
	else if (strcmp(which, "0x82") == 0)
		asm volatile("int $0x82");
	else {
		printf("FAIL: softint/argument '%s' unknown\n", which);
		return 1;
	}
	printf("softint: survived int $%s (must not get here)\n", which);
	return 2;
}
