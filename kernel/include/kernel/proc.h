/*
 * Processes.  Each has a kernel stack (where Xen puts its trap frame when
 * it enters the kernel from user mode), an address space with fixed
 * regions, and an event table.  The kernel never blocks inside a syscall:
 * a process that blocks leaves its saved frame behind and the scheduler
 * resumes another frame, so kernel stacks hold nothing across a switch.
 *
 * States: Unused -> Runnable <-> Running -> (exit) Unused
 *                       ^            |
 *                       +- Blocked <-+   (block: waiting on an event tree)
 */
#ifndef PROC_H
#define PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/queue.h>
#include <arch/pagetable.h>
#include <arch/trap.h>
#include <kernel/event.h>
#include <kernel/handle.h>
#include <kernel/region.h>
#include <kernel/exec.h>
#include <arch/fpu.h>

#define NPROC 64
#define CB_VECTORS 20                 /* exception handlers by vector */

/*
 * Callbacks and exception handlers (kernel/event/callback.c).  Changed
 * only by the process's own syscalls and traps, and by the scheduler as
 * it resumes the process; a completing event only queues itself on
 * `due` (and makes a blocked owner runnable).
 */
struct callback_state {
	TAILQ_HEAD(, callback_reg) due; /* event completed, not delivered */
	bool active;                  /* in a callback: no other delivered */
	bool stepping;                /* the interrupted code had TF set */
	uint64_t frame;               /* the active callback's frame */
	uint64_t stack, stack_size;   /* alternate stack; size 0: none */
	struct {
		uint64_t function, argument, trampoline;
	} exc[CB_VECTORS];
};
#define PROC_NAME_MAX 32

enum proc_state {
	ProcUnused = 0,
	ProcRunnable,
	ProcRunning,
	ProcBlocked,
};

struct proc {
	uint64_t pid;
	enum proc_state state;
	struct proc *parent;
	char name[PROC_NAME_MAX];
	void *kstack;                 /* KSTACK_SIZE bytes */
	struct trap_frame *frame;     /* saved user state */
	struct fpu_state *fpu;        /* saved FPU/SSE state */
	struct vm vm;                 /* its address space and regions */
	struct event_table events;
	struct handle_table handles;   /* fork copies it, exec keeps it */
	/*
	 * While blocked, and until resumed.  Set only by wait_block (p's own
	 * syscall); cleared only by wait_finish (the scheduler, as p resumes)
	 * or wait_abandon (p's end: exit, fault kill, kill by its parent).
	 * A source completing a leaf only reaches it through the wait.
	 * See kernel/event/wait.c, "Who changes what".
	 */
	struct wait *wait;
	/*
	 * The parent's pending child-exit event, or NULL.  Set by spawn (the
	 * parent's syscall); cleared by the event's detach when the parent
	 * drops it (cancel, or the parent's end), or by proc_end as p ends
	 * and completes it.  After proc_end nothing points at p.
	 */
	struct event *exit_event;
	struct callback_state cb;     /* kernel/event/callback.c */
	/* Its process-handle object (kernel/event/ipc.c), once a handle on
	 * it was asked for; told of p's end by proc_end. */
	struct proc_ref *ref;
	TAILQ_ENTRY(proc) runq;
};

extern struct proc *current;

struct arg_block;
/* Creates a process running the archive file `path`, its argument block
 * on its stack.  On success *out is the new process, Runnable. */
enum status proc_spawn(const char *path, const struct arg_block *args,
		       struct proc *parent, struct proc **out);
/* A copy of parent (the caller of fork): its regions shared copy-on-write,
 * its registers (rax = StatusOk), FPU state and name; no events.  On
 * success *out is the new process, Runnable. */
enum status proc_fork(struct proc *parent, struct proc **out);
/* Undoes a proc_fork or proc_spawn that its syscall cannot complete: the
 * child, which never ran and has no exit event yet, goes without a trace. */
void proc_discard(struct proc *p);
/* Ends the current process and frees everything it held; its parent's
 * exit event completes with status.  Its children are adopted by init,
 * which gets a child-exit event for each.  init's exit ends the system. */
__attribute__((noreturn)) void proc_exit(int64_t status);
/* Kills the current process for a fault it took in user mode. */
__attribute__((noreturn)) void proc_kill_current(const struct trap_frame *tf,
						 uint64_t address);
/* A parent ends one of its children (runnable or blocked). */
enum status proc_kill(struct proc *killer, uint64_t pid);
/* Ends p (not current), whoever asks: a process handle's kill. */
void proc_kill_proc(struct proc *p);
/* The live process pid whose parent is parent, or NULL. */
struct proc *proc_child(struct proc *parent, uint64_t pid);
unsigned int proc_count(void);
/* A process's kernel stack, KSTACK_SIZE bytes.  Debug builds put an
 * unmapped guard of the same size under it: an overflow faults (and Xen,
 * unable to push the fault's frame there, crashes the domain) instead of
 * corrupting the memory below. */
void *kstack_alloc(void);
void kstack_free(void *kstack);
#ifdef ETHOS_DEBUG
/* Processes in state s (the run-queue check's other half). */
unsigned int proc_count_in_state(enum proc_state s);
#endif

/* Scheduler. */
void sched_init(void);
void sched_make_runnable(struct proc *p);
/* Leaves the current process (which must not be Running any more, or is
 * preempted) and resumes another, or idles.  Never returns. */
__attribute__((noreturn)) void schedule(void);
void sched_rearm_timer(void);
/* The scheduler's part of every return to user mode: resumes another
 * process if current blocked or exited, preempts at the end of a slice. */
void sched_return_to_user(void);
/* Copies p's FPU/SSE state (from the registers if they hold it) to s. */
void sched_fpu_save(const struct proc *p, struct fpu_state *s);
/* p is going away: the scheduler must not touch its state again. */
void sched_forget(struct proc *p);
void sched_remove(struct proc *p);
/* p's FPU/SSE state becomes the reset state, in the registers too if
 * they hold p's (exec). */
void sched_fpu_reset(struct proc *p);
/* Ends the current time slice at the next return to user. */
void sched_yield(void);
/* Loads s as p's FPU/SSE state (into the registers too if they hold
 * p's); s must be valid for fxrstor. */
void sched_fpu_load(struct proc *p, const struct fpu_state *s);
/* Callbacks (kernel/event/callback.c). */
void callback_init(struct proc *p);
/* A fork's child: the parent's handlers, stack and active callback (its
 * copied memory holds the frame); no events, so nothing due. */
void callback_fork(struct proc *child, const struct proc *parent);
/* exec: everything unregistered. */
void callback_exec(struct proc *p);
/* Delivers the first due callback to p (current, about to resume) unless
 * one is active.  May kill p (a stack that cannot take the frame). */
void callback_deliver(struct proc *p);
static inline bool callback_pending(const struct proc *p)
{
	return !p->cb.active && !TAILQ_EMPTY(&p->cb.due);
}
/* A user trap: true if a handler will run (the frame is written). */
bool callback_exception(struct proc *p, struct trap_frame *tf);
/* Starts the first process. */
__attribute__((noreturn)) void sched_start(void);

#endif
