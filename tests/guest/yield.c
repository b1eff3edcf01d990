/*
 * The scheduler's cheap paths keep their meaning: a yield hands the CPU to
 * the next runnable process (strict turns between two), a yield with
 * nothing else to run returns at once, and a syscall preserves every
 * register but rax.
 */
#include "check.h"

#define TURNS 10

/* getpid with a known value in every register the syscall must keep. */
static int syscall_keeps_registers(void)
{
	register uint64_t r8 asm("r8") = 0x0808080808080808;
	register uint64_t r9 asm("r9") = 0x0909090909090909;
	register uint64_t r10 asm("r10") = 0x1010101010101010;
	register uint64_t r11 asm("r11") = 0x1111111111111111;
	register uint64_t r12 asm("r12") = 0x1212121212121212;
	register uint64_t r13 asm("r13") = 0x1313131313131313;
	register uint64_t r14 asm("r14") = 0x1414141414141414;
	register uint64_t r15 asm("r15") = 0x1515151515151515;
	uint64_t rbx = 0xbbbbbbbbbbbbbbbb, rcx = 0xcccccccccccccccc;
	uint64_t rdx = 0xdddddddddddddddd, rax = SysGetPid;
	struct sys_getpid_out out;
	void *rsi = &out, *rdi = 0;

	asm volatile("int $0x80"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi),
		       "+D"(rdi), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11),
		       "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
		     : : "memory");
	return rax == StatusOk && out.pid == ethos_getpid() &&
	       rbx == 0xbbbbbbbbbbbbbbbb && rcx == 0xcccccccccccccccc &&
	       rdx == 0xdddddddddddddddd && rsi == &out && rdi == 0 &&
	       r8 == 0x0808080808080808 && r9 == 0x0909090909090909 &&
	       r10 == 0x1010101010101010 && r11 == 0x1111111111111111 &&
	       r12 == 0x1212121212121212 && r13 == 0x1313131313131313 &&
	       r14 == 0x1414141414141414 && r15 == 0x1515151515151515;
}

int main(void)
{
	struct ethos_exit_result r;
	uint64_t pid;
	EventId ev;

	check_program = "yield";
	CHECK("a syscall keeps every register but rax", syscall_keeps_registers());
	CHECK_STATUS("yield with nothing else runnable", ethos_yield(), StatusOk);

	/*
	 * The child yields TURNS times and exits.  Each of our yields runs it
	 * up to its next yield (or its exit), so after one of ours it is in
	 * its first yield and after TURNS + 1 it is gone.  If a yield did not
	 * switch, the child would not run at all (a dozen yields take far
	 * less than a time slice).
	 */
	enum status st = ethos_fork(&pid, &ev);
	if (st == StatusOk && pid == 0) {
		for (int i = 0; i < TURNS; i++)
			ethos_yield();
		ethos_exit(0);
	}
	CHECK_STATUS("fork", st, StatusOk);
	ethos_yield();
	CHECK_STATUS("after one yield the child is in its first",
		     ethos_retire(ev, &r, sizeof(r), 0), StatusNotCompleted);
	for (int i = 0; i < TURNS; i++)
		ethos_yield();
	CHECK_STATUS("after one more yield than its turns the child is gone",
		     ethos_retire(ev, &r, sizeof(r), 0), StatusOk);
	CHECK("it exited normally", r.status == 0);
	return check_failures;
}
