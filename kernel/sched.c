/*
 * Round-robin scheduling on Xen's one-shot timer, and the last step of
 * every return to user mode.
 *
 * A process runs until it blocks, exits, or its time slice ends (the timer
 * upcall arrives in user mode and kernel_return_to_user preempts it).  To
 * switch, the scheduler tells Xen the next process's kernel stack
 * (stack_switch) and page tables (one mmuext batch) and resumes its saved
 * frame; the old kernel stack is simply abandoned, it holds nothing.
 * When nothing is runnable the idle loop runs on the boot stack and blocks
 * the vCPU in Xen until an event arrives.
 */
#include <stddef.h>
#include "hypercall.h"
#include "xenguest.h"
#include "xentime.h"
#include "xenevt.h"
#include "asm_defs.h"
#include "proc.h"
#include "kernel.h"
#include "panic.h"

#define TIMESLICE_NS (10ULL * 1000 * 1000)

extern char boot_stack_top[];

struct proc *current;
static TAILQ_HEAD(, proc) runq;
static uint64_t slice_end;
static struct proc *fpu_owner;    /* whose state the FPU registers hold */
static volatile bool timer_fired;
static volatile bool deferred_pending;

/* Upcall context: only note it; the work happens before return to user. */
static void on_timer(void)
{
	timer_fired = true;
	deferred_pending = true;
}

void sched_request_deferred(void)
{
	deferred_pending = true;
}

void sched_init(void)
{
	TAILQ_INIT(&runq);
	time_tick_hook = on_timer;
}

void sched_make_runnable(struct proc *p)
{
	ASSERT(p->state != ProcRunnable);
	p->state = ProcRunnable;
	TAILQ_INSERT_TAIL(&runq, p, runq);
}

/* Debug builds: every process on the run queue is Runnable, and every
 * Runnable process is on it (the queue also must not loop). */
static void check_runq(void)
{
#ifdef ETHOS_DEBUG
	struct proc *p;
	unsigned int n = 0;

	TAILQ_FOREACH(p, &runq, runq) {
		ASSERT(p->state == ProcRunnable);
		ASSERT(++n <= NPROC);
	}
	ASSERT(n == proc_count_in_state(ProcRunnable));
#endif
}

/* Deferred work: what upcalls only flagged. */
static void deferred_work(void)
{
	timer_fired = false;
	deferred_pending = false;
	beep_expire(time_now_ns());
	console_input_deliver();
}

static void arm_timer(bool running)
{
	uint64_t deadline = beep_next_deadline();

	if (running && (deadline == 0 || slice_end < deadline))
		deadline = slice_end;
	if (deadline != 0)
		time_set_deadline(deadline);
}

static void switch_to(struct proc *p)
{
	multicall_entry_t calls[1];

	/* Xen enters the kernel on this stack when p traps. */
	calls[0].op = __HYPERVISOR_stack_switch;
	calls[0].args[0] = FLAT_KERNEL_SS;
	calls[0].args[1] = (uintptr_t)p->kstack + KSTACK_SIZE;
	if (hv_multicall(calls, 1) != 0 || calls[0].result != 0)
		panic("stack_switch failed");
	as_switch(&p->as);
}

static __attribute__((noreturn)) void run(struct proc *p)
{
	check_runq();
	TAILQ_REMOVE(&runq, p, runq);
	if (p != current || as_current() != &p->as)
		switch_to(p);
	current = p;
	p->state = ProcRunning;
	if (fpu_owner != p) {
		if (fpu_owner != NULL)
			fpu_save(fpu_owner->fpu);
		fpu_restore(p->fpu);
		fpu_owner = p;
	}
	slice_end = time_now_ns() + TIMESLICE_NS;
	arm_timer(true);
	if (p->wait != NULL)
		wait_finish(p);
	trap_resume(p->frame);
}

static __attribute__((noreturn)) void idle_loop(void *unused)
{
	(void)unused;
	current = NULL;
	if (as_current() != NULL)
		as_switch(NULL);
	for (;;) {
		events_mask();
		deferred_work();
		if (!TAILQ_EMPTY(&runq))
			run(TAILQ_FIRST(&runq));
		if (proc_count() == 0)
			panic("no processes left and init did not end the system");
		arm_timer(false);
		/* Unmasks events and sleeps until one is pending. */
		hv_sched_op(SCHEDOP_block, NULL);
	}
}

void schedule(void)
{
	struct proc *prev = current;

	if (prev != NULL && prev->state == ProcRunning)
		sched_make_runnable(prev);
	if (TAILQ_EMPTY(&runq))
		call_on_stack(boot_stack_top, idle_loop, NULL);
	run(TAILQ_FIRST(&runq));
}

void sched_start(void)
{
	call_on_stack(boot_stack_top, idle_loop, NULL);
}

void kernel_upcall(struct trap_frame *tf)
{
	(void)tf;
	evtchn_do_upcall();
}

void kernel_return_to_user(struct trap_frame *tf)
{
	struct proc *p = current;
	bool rearm = timer_fired;

	ASSERT(p != NULL && p->frame == tf);
	check_runq();
	if (deferred_pending)
		deferred_work();
	if (p->state != ProcRunning)
		schedule();
	uint64_t now = time_now_ns();
	if (now >= slice_end) {
		if (!TAILQ_EMPTY(&runq))
			schedule();
		slice_end = now + TIMESLICE_NS;
		rearm = true;
	}
	if (rearm)
		arm_timer(true);
}

/* A new timer deadline was queued (a beep): make sure the timer covers it. */
void sched_rearm_timer(void)
{
	arm_timer(current != NULL);
}

void sched_yield(void)
{
	slice_end = 0;
}

void sched_forget(struct proc *p)
{
	if (fpu_owner == p)
		fpu_owner = NULL;
}

void sched_remove(struct proc *p)
{
	ASSERT(p->state == ProcRunnable);
	TAILQ_REMOVE(&runq, p, runq);
}
