/*
 * Program entry.  The kernel starts a program with rsp at argc, argv[]
 * and envp[] above it (the System V layout: "How a program starts" in
 * uapi/ethos/abi.h) and every other register 0.  _start only hands that
 * address to C: rsp is 16-byte aligned here, so after the call it is
 * 16n + 8 in ethos_start, as the ABI wants at a function's entry; rbp is
 * 0, which ends backtraces.
 */
#include <stdlib.h>
#include <ethos/ethos.h>

/* Three arguments whatever main declares: extra ones are harmless in the
 * x86-64 calling convention, and main lives in another file. */
int main(int argc, char **argv, char **envp);
__attribute__((noreturn, used)) void ethos_start(uint64_t *sp);


__asm__(".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	call ethos_start\n"
	"	ud2\n"
	".size _start, . - _start\n");

void ethos_start(uint64_t *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;

	/* newlib: environ, constructors; exit() runs the atexit handlers
	 * and flushes stdio. */
	ethos_libc_init(envp);
	exit(main(argc, argv, envp));
}
