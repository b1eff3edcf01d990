/*
 * The scheduler's cheap paths keep their meaning: a yield hands the CPU to
 * the next runnable process (strict turns between two), a yield with
 * nothing else to run returns at once, and a syscall preserves every
 * register but rax.  getpid and gettime are light syscalls (kernel/syscall.c
 * syscall_light: no trap frame, straight back through Xen's iret), so
 * the same is checked of them: registers, DF, an output page brought in
 * by the copy, and that a process looping on them is still preempted
 * and still diverted to a due callback.
 */
#include <unistd.h>
#include "check.h"

#define MS 1000000ULL

#define TURNS 10

/* A syscall with a known value in every register it must keep. */
static int syscall_keeps_registers(uint64_t nr, void *out)
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
	uint64_t rdx = 0xdddddddddddddddd, rax = nr;
	void *rsi = out, *rdi = 0;

	asm volatile("int $0x80"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi),
		       "+D"(rdi), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11),
		       "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
		     : : "memory");
	return rax == StatusOk &&
	       rbx == 0xbbbbbbbbbbbbbbbb && rcx == 0xcccccccccccccccc &&
	       rdx == 0xdddddddddddddddd && rsi == out && rdi == 0 &&
	       r8 == 0x0808080808080808 && r9 == 0x0909090909090909 &&
	       r10 == 0x1010101010101010 && r11 == 0x1111111111111111 &&
	       r12 == 0x1212121212121212 && r13 == 0x1313131313131313 &&
	       r14 == 0x1414141414141414 && r15 == 0x1515151515151515;
}

/* The kernel clears DF for its own copies; the caller's DF comes back. */
static int syscall_keeps_df(void)
{
	struct sys_getpid_out out = { .pid = ~0UL };
	uint64_t rax = SysGetPid, flags;

	/* (Past the red zone: pushfq writes below rsp.) */
	asm volatile("std\n int $0x80\n lea -128(%%rsp), %%rsp\n pushfq\n"
		     "popq %1\n lea 128(%%rsp), %%rsp\n cld"
		     : "+a"(rax), "=r"(flags)
		     : "D"(0), "S"(&out)
		     : "memory", "rcx", "r11");
	return rax == StatusOk && (flags & 0x400) != 0 &&
	       out.pid == ethos_getpid();
}

/* The output struct on a heap page nobody has touched: the kernel's copy
 * faults it in, in the middle of a light syscall. */
static int syscall_output_faults_in(void)
{
	/* 40 pages, the last used: past any fault-around (16 pages) of
	 * what the heap touched before. */
	char *fresh = sbrk(40 * 4096);
	if (fresh == (void *)-1)
		return 0;
	uintptr_t page = (((uintptr_t)fresh + 4095) & ~4095UL) + 38 * 4096;
	struct sys_gettime_out *out = (void *)(page + 4096 - sizeof(*out));
	uint64_t before = ethos_time();
	enum status st = ethos_syscall(SysGetTime, 0, out);

	return st == StatusOk && out->ns >= before && out->ns <= ethos_time();
}

static volatile int alarm_ran;

static void on_alarm(EventId e, void *arg)
{
	struct ethos_beep_result r;

	(void)arg;
	ethos_retire(e, &r, sizeof(r), 0);
	alarm_ran = 1;
}

/* Only light syscalls in the loop: the callback still arrives (at a
 * return from the timer upcall, which takes the heavy path). */
static int callback_reaches_light_loop(void)
{
	struct sys_getpid_out out;
	EventId e;

	alarm_ran = 0;
	if (ethos_beep(ethos_time() + 5 * MS, &e) != StatusOk ||
	    ethos_callback(e, on_alarm, 0) != StatusOk)
		return 0;
	uint64_t give_up = ethos_time() + 5000 * MS;
	while (!alarm_ran && ethos_time() < give_up)
		ethos_syscall(SysGetPid, 0, &out);
	return alarm_ran;
}

/* A child that does nothing but getpid must not keep its parent, whose
 * beep is due, from running: preemption lands between light syscalls. */
static int light_loop_is_preempted(void)
{
	uint64_t pid;

	if (ethos_fork(&pid, NULL) != StatusOk)
		return 0;
	if (pid == 0) {
		struct sys_getpid_out out;
		for (;;)
			ethos_syscall(SysGetPid, 0, &out);
	}
	/* The child runs meanwhile; if it were never preempted we would not
	 * get back here, and the suite's timeout would fail this program. */
	sleep_ms(20);
	int64_t status;
	return ethos_kill(pid) == StatusOk && ethos_wait(pid, &status) == StatusOk;
}

int main(void)
{
	struct ethos_exit_result r;
	uint64_t pid;
	EventId ev;

	check_program = "yield";
	struct sys_getpid_out pid_out;
	struct sys_gettime_out time_out;
	CHECK("getpid keeps every register but rax",
	      syscall_keeps_registers(SysGetPid, &pid_out) &&
	      pid_out.pid == ethos_getpid());
	CHECK("gettime keeps every register but rax",
	      syscall_keeps_registers(SysGetTime, &time_out) && time_out.ns != 0);
	struct sys_free_pages_out free_out;
	CHECK("a heavy syscall (freePages) keeps every register but rax",
	      syscall_keeps_registers(SysFreePages, &free_out) &&
	      free_out.free_pages != 0);
	CHECK("a light syscall keeps the caller's DF", syscall_keeps_df());
	CHECK("a light syscall's output page is faulted in by the copy",
	      syscall_output_faults_in());
	CHECK("a loop of light syscalls is diverted to a due callback",
	      callback_reaches_light_loop());
	CHECK("a loop of light syscalls is preempted", light_loop_is_preempted());
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
