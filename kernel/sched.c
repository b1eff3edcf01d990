/*
 * Round-robin scheduling on the one-shot timer.
 *
 * A process runs until it blocks, exits, or its time slice ends (the timer
 * upcall arrives in user mode and sched_return_to_user preempts it).  The
 * timer is armed at the slice end or earlier, so a return to user mode
 * with no timer upcall since the last look needs no clock read: the slice
 * cannot have ended.  To
 * switch, the scheduler names the next process's kernel stack and address
 * space (arch_switch_to) and resumes its saved frame; the old kernel stack
 * is simply abandoned, it holds nothing.
 * When nothing is runnable the idle loop runs on the boot stack and blocks
 * the vCPU in Xen until an event arrives.
 */
#include <stddef.h>
#include <xen/time.h>
#include <arch/asm_defs.h>
#include <arch/cpu.h>
#include <kernel/proc.h>
#include <kernel/kernel.h>
#include <kernel/panic.h>
#include <kernel/deferred.h>

#define TIMESLICE_NS (10ULL * 1000 * 1000)

extern char boot_stack_top[];

struct proc *current;
static TAILQ_HEAD(, proc) runq;
static uint64_t slice_end;
static struct proc *fpu_owner;    /* whose state the FPU registers hold */
static volatile bool timer_fired;   /* the one-shot timer must be re-armed */
static bool yield_asked;            /* the current process called yield */
/*
 * The deadline Xen's one-shot timer holds, 0 once it fired (or none).  A
 * timer armed no later than needed is left alone: if it fires early, the
 * upcall sends the return to user through the slow path, which arms it
 * again.  A switch between processes then rarely costs a set_timer_op.
 */
static volatile uint64_t timer_armed;

/* Upcall context: only note it; the work happens before return to user. */
static void on_timer(void)
{
	timer_fired = true;
	timer_armed = 0;
	deferred_request();
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

static void arm_timer(bool running)
{
	uint64_t deadline = beep_next_deadline();
	uint64_t files = files_next_deadline();   /* the daemon's liveness */

	if (files != 0 && (deadline == 0 || files < deadline))
		deadline = files;

	if (running && (deadline == 0 || slice_end < deadline))
		deadline = slice_end;
	if (deadline == 0)
		return;
	if (timer_armed != 0 && timer_armed <= deadline)
		return;                  /* it fires in time (or early) anyway */
	timer_armed = deadline;
	time_set_deadline(deadline);
}

static __attribute__((noreturn)) void run(struct proc *p)
{
	check_runq();
	TAILQ_REMOVE(&runq, p, runq);
	if (p != current || as_current() != &p->vm.as)
		arch_switch_to((char *)p->kstack + KSTACK_SIZE, &p->vm.as);
	current = p;
	p->state = ProcRunning;
	if (fpu_owner != p) {
		if (fpu_owner != NULL)
			fpu_save(fpu_owner->fpu);
		fpu_restore(p->fpu);
		fpu_owner = p;
	}
	slice_end = time_now_ns() + TIMESLICE_NS;
	timer_fired = false;
	yield_asked = false;
	arm_timer(true);
	if (p->wait != NULL) {
		if (wait_decided(p))
			wait_finish(p);
		else
			wait_restart(p);     /* diverted by a callback */
	}
	if (callback_pending(p))
		callback_deliver(p);
	trap_resume(p->frame);
}

static __attribute__((noreturn)) void idle_loop(void *unused)
{
	(void)unused;
	current = NULL;
	if (as_current() != NULL)
		as_switch(NULL);
	for (;;) {
		cpu_events_mask();
		deferred_run();
		if (!TAILQ_EMPTY(&runq))
			run(TAILQ_FIRST(&runq));
		if (proc_count() == 0)
			panic("no processes left and init did not end the system");
		arm_timer(false);
		cpu_idle();
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

void sched_return_to_user(void)
{
	check_runq();
	/* The common case: still running, no timer upcall, no yield. */
	if (current->state == ProcRunning && !timer_fired && !yield_asked)
		return;

	bool fired = timer_fired;

	timer_fired = false;
	if (current->state != ProcRunning)
		schedule();
	/* With nothing else to run a yield changes nothing: the slice goes
	 * on, and the timer armed for its end stays as it is. */
	if (yield_asked) {
		yield_asked = false;
		if (!TAILQ_EMPTY(&runq))
			schedule();
	}
	if (!fired)
		return;
	uint64_t now = time_now_ns();
	if (now >= slice_end) {
		if (!TAILQ_EMPTY(&runq))
			schedule();
		slice_end = now + TIMESLICE_NS;
	}
	arm_timer(true);
}

/* A new timer deadline was queued (a beep): make sure the timer covers it. */
void sched_rearm_timer(void)
{
	arm_timer(current != NULL);
}

void sched_yield(void)
{
	yield_asked = true;
}

void sched_fpu_save(const struct proc *p, struct fpu_state *s)
{
	if (fpu_owner == p)
		fpu_save(s);             /* live in the registers */
	else
		*s = *p->fpu;
}

void sched_fpu_reset(struct proc *p)
{
	fpu_init_state(p->fpu);
	if (fpu_owner == p)
		fpu_restore(p->fpu);
}

void sched_fpu_load(struct proc *p, const struct fpu_state *s)
{
	*p->fpu = *s;
	if (fpu_owner == p)
		fpu_restore(p->fpu);
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
