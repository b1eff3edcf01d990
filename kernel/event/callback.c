/*
 * Callbacks on events, and handlers for the exceptions a program may
 * handle: both run a user function on a frame the kernel writes on the
 * user stack (or the alternate stack), entered through the libethos
 * trampoline, which ends with callbackReturn.
 *
 * Delivery happens only as the process is about to resume in user mode:
 * at the end of kernel_return_to_user (it was running) or in the
 * scheduler's run() (it was preempted or blocked).  A completing event
 * only queues itself on its owner's `due` list; if the owner is blocked
 * (and not inside a callback) it is made runnable, and run() lets go of
 * its undecided wait and backs its rip up over the int $0x80, so that the
 * block runs again when the callback returns (wait_restart): the kernel
 * keeps no half-finished block across the callback, and a tree satisfied
 * meanwhile returns at once.
 *
 * One callback at a time (cb.active): the next due one is delivered at
 * the first return to user after callbackReturn; an exception inside a
 * callback kills as if no handler were registered.
 *
 * The frame goes out through copyout only, after user_writable proved the
 * whole of it writable; a stack that cannot take it kills the process.
 * callbackReturn trusts nothing in the frame it reads back.
 */
#include <stddef.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <kernel/event.h>
#include <kernel/kstring.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/region.h>
#include <kernel/uaccess.h>

/* Below the interrupted rsp: the System V red zone stays untouched. */
#define RED_ZONE 128

/* Flags a program may have in its rflags: the arithmetic ones, TF, IF,
 * DF, RF, AC, ID and the always-one bit 1.  Not IOPL, NT, VM, VIF, VIP. */
#define RFLAGS_USER 0x250fd7UL

_Static_assert(sizeof(struct ethos_callback_frame) % 16 == 0,
	       "the frame keeps the stack 16-byte aligned");
_Static_assert(offsetof(struct ethos_callback_frame, fpu) == 0,
	       "fxsave needs the area 16-byte aligned");

/* One vCPU and a kernel that is never interrupted: one buffer will do,
 * and it keeps 720 bytes off the kernel stack. */
static struct ethos_callback_frame frame_buf __attribute__((aligned(16)));

static bool in_text(uint64_t va)
{
	return va >= TEXT_BASE && va < TEXT_END;
}

static bool handleable(uint64_t vector)
{
	switch (vector) {
	case VEC_DIVIDE: case VEC_DEBUG: case VEC_BREAK: case VEC_OVERFLOW:
	case VEC_X87_FP: case VEC_ALIGNMENT: case VEC_SIMD_FP:
		return true;
	default:
		return false;
	}
}

void callback_init(struct proc *p)
{
	p->cb = (struct callback_state){ 0 };
	TAILQ_INIT(&p->cb.due);
}

void callback_fork(struct proc *child, const struct proc *parent)
{
	child->cb = parent->cb;
	TAILQ_INIT(&child->cb.due);
}

void callback_exec(struct proc *p)
{
	/* event_table_destroy ran first: nothing is due any more. */
	ASSERT(TAILQ_EMPTY(&p->cb.due));
	callback_init(p);
}

void callback_event_due(struct event *ev)
{
	struct proc *p = ev->owner;
	struct callback_reg *r = ev->cb;

	ASSERT(ev->state == EventCompleted && !r->due && r->ev == ev);
	r->due = true;
	TAILQ_INSERT_TAIL(&p->cb.due, r, link);
	/*
	 * Blocked means its wait is undecided (a decided one made it
	 * runnable).  Outside a callback it is diverted now; inside one the
	 * callback waits for callbackReturn.
	 */
	if (p->state == ProcBlocked && !p->cb.active)
		sched_make_runnable(p);
}

void callback_event_release(struct event *ev)
{
	struct callback_reg *r = ev->cb;

	ASSERT(r->ev == ev);
	if (r->due)
		TAILQ_REMOVE(&ev->owner->cb.due, r, link);
	ev->cb = NULL;
	kfree(r);
}

static __attribute__((noreturn)) void kill(struct proc *p, const char *why,
					   uint64_t vector, uint64_t address)
{
	printk("process %lu (%s) killed: %s (address %lx)\n",
	       (unsigned long)p->pid, p->name, why, (unsigned long)address);
	proc_exit(ETHOS_KILLED_BASE - (int64_t)vector);
}

/*
 * Writes the frame for function(rdi, argument) and points p's saved
 * registers at the trampoline.  p is current (its address space is
 * live) and about to resume.
 */
static void deliver(struct proc *p, struct ethos_callback_frame *f,
		    uint64_t rdi_is_event)
{
	struct trap_frame *tf = p->frame;
	uint64_t top, addr;

	ASSERT(p == current && !p->cb.active);
	top = p->cb.stack_size != 0 ? p->cb.stack + p->cb.stack_size :
	      tf->rsp - RED_ZONE;
	addr = (top - sizeof(*f)) & ~15UL;
	/* A wrapped or non-user rsp, or a page that cannot be had: the
	 * process cannot take the callback. */
	if ((p->cb.stack_size == 0 && tf->rsp < RED_ZONE + sizeof(*f) + 16) ||
	    top > USER_TOP ||
	    user_writable(addr, sizeof(*f)) != StatusOk)
		kill(p, "the stack cannot take a callback frame",
		     VEC_PAGE_FAULT, addr);
	f->r15 = tf->r15; f->r14 = tf->r14; f->r13 = tf->r13;
	f->r12 = tf->r12; f->r11 = tf->r11; f->r10 = tf->r10;
	f->r9 = tf->r9; f->r8 = tf->r8; f->rbp = tf->rbp;
	f->rdi = tf->rdi; f->rsi = tf->rsi; f->rdx = tf->rdx;
	f->rcx = tf->rcx; f->rbx = tf->rbx; f->rax = tf->rax;
	f->rip = tf->rip; f->cs = tf->cs; f->rflags = tf->rflags;
	f->rsp = tf->rsp; f->ss = tf->ss;
	sched_fpu_save(p, (struct fpu_state *)f->fpu);
	enum status st = copyout(addr, f, sizeof(*f));
	ASSERT(st == StatusOk);     /* probed writable just above */

	p->cb.active = true;
	p->cb.frame = addr;
	p->cb.stepping = (tf->rflags & RFLAGS_TF) != 0;
	tf->rdi = rdi_is_event ? f->event : addr;
	tf->rsi = f->argument;
	tf->rdx = f->function;
	tf->rbx = addr;
	tf->rsp = addr;
	/* The handler runs with the ABI's flags and a clean FPU/SSE state
	 * (a SIMD handler must not fault again on the unmasked state). */
	tf->rflags = (tf->rflags & ~(RFLAGS_TF | RFLAGS_DF)) | RFLAGS_IF;
	sched_fpu_reset(p);
}

void callback_deliver(struct proc *p)
{
	struct callback_reg *r = TAILQ_FIRST(&p->cb.due);
	struct ethos_callback_frame *f = &frame_buf;
	uint64_t trampoline = r->trampoline;

	ASSERT(!p->cb.active && r->due && r->ev->owner == p && r->ev->cb == r);
	memset(f, 0, sizeof(*f));
	f->kind = ETHOS_CALLBACK_EVENT;
	f->event = event_id(r->ev);
	f->function = r->function;
	f->argument = r->argument;
	/* Delivered once: the registration is used up. */
	callback_event_release(r->ev);
	deliver(p, f, 1);
	p->frame->rip = trampoline;
}

bool callback_exception(struct proc *p, struct trap_frame *tf)
{
	struct ethos_callback_frame *f = &frame_buf;

	ASSERT(tf == p->frame);
	if (!handleable(tf->vector) || p->cb.exc[tf->vector].function == 0 ||
	    p->cb.active)
		return false;
	memset(f, 0, sizeof(*f));
	f->kind = ETHOS_CALLBACK_EXCEPTION;
	f->vector = tf->vector;
	f->error = tf->error;
	f->function = p->cb.exc[tf->vector].function;
	f->argument = p->cb.exc[tf->vector].argument;
	uint64_t trampoline = p->cb.exc[tf->vector].trampoline;
	deliver(p, f, 0);
	tf->rip = trampoline;
	return true;
}

/* The CPU's MXCSR mask (fxsave writes it; 0 means the default 0xffbf). */
static uint32_t mxcsr_mask(void)
{
	static uint32_t mask;
	static struct fpu_state probe;

	if (mask == 0) {
		fpu_save(&probe);
		memcpy(&mask, &probe.bytes[28], sizeof(mask));
		if (mask == 0)
			mask = 0xffbf;
	}
	return mask;
}

static bool user_address(uint64_t va)
{
	return va <= USER_TOP;
}

enum status callback_return(struct proc *p, uintptr_t uframe)
{
	struct ethos_callback_frame *f = &frame_buf;
	struct trap_frame *tf = p->frame;
	uint32_t mxcsr;

	if (!p->cb.active)
		return StatusNotPermitted;
	if (uframe != p->cb.frame || copyin(f, uframe, sizeof(*f)) != StatusOk)
		kill(p, "callbackReturn without its frame", VEC_GPF, uframe);
	memcpy(&mxcsr, &f->fpu[24], sizeof(mxcsr));
	/* rip below USER_TOP is canonical; rsp may be USER_TOP (empty stack). */
	if (!arch_user_selectors(f->cs, f->ss) || f->rip >= USER_TOP ||
	    !user_address(f->rsp) || (f->rflags & ~RFLAGS_USER) != 0 ||
	    ((f->rflags & RFLAGS_TF) && !p->cb.stepping) ||
	    (mxcsr & ~mxcsr_mask()) != 0)
		kill(p, "callbackReturn with a forged frame", VEC_GPF, uframe);
	tf->r15 = f->r15; tf->r14 = f->r14; tf->r13 = f->r13;
	tf->r12 = f->r12; tf->r11 = f->r11; tf->r10 = f->r10;
	tf->r9 = f->r9; tf->r8 = f->r8; tf->rbp = f->rbp;
	tf->rdi = f->rdi; tf->rsi = f->rsi; tf->rdx = f->rdx;
	tf->rcx = f->rcx; tf->rbx = f->rbx; tf->rax = f->rax;
	tf->rip = f->rip; tf->cs = f->cs; tf->rsp = f->rsp; tf->ss = f->ss;
	tf->rflags = f->rflags | RFLAGS_IF;
	sched_fpu_load(p, (const struct fpu_state *)f->fpu);
	p->cb.active = false;
	return StatusFrameRestored;
}

enum status callback_register(struct proc *p, uintptr_t uin)
{
	struct sys_callback_in in;
	struct event *ev;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((ev = event_lookup(p, in.event)) == NULL)
		return StatusInvalidEvent;
	if (in.function == 0) {
		if (ev->cb != NULL)
			callback_event_release(ev);
		return StatusOk;
	}
	if (!in_text(in.function) || !in_text(in.trampoline))
		return StatusInvalidArgument;
	if (ev->cb == NULL) {
		if ((ev->cb = kzalloc(sizeof(*ev->cb))) == NULL)
			return StatusNoMemory;
		ev->cb->ev = ev;
	}
	ev->cb->function = in.function;
	ev->cb->argument = in.argument;
	ev->cb->trampoline = in.trampoline;
	/* Completed already: delivered as this syscall returns. */
	if (ev->state == EventCompleted && !ev->cb->due)
		callback_event_due(ev);
	return StatusOk;
}

enum status callback_config(struct proc *p, uintptr_t uin)
{
	struct sys_callback_config_in in;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	switch (in.op) {
	case ETHOS_CB_SET_STACK:
		if (in.stack_size == 0) {
			p->cb.stack = p->cb.stack_size = 0;
			return StatusOk;
		}
		if (in.stack_size < sizeof(struct ethos_callback_frame) + 16 ||
		    !user_range_ok(in.stack, in.stack_size))
			return StatusInvalidArgument;
		p->cb.stack = in.stack;
		p->cb.stack_size = in.stack_size;
		return StatusOk;
	case ETHOS_CB_SET_EXCEPTION:
		if (!handleable(in.vector))
			return StatusInvalidArgument;
		if (in.function != 0 &&
		    (!in_text(in.function) || !in_text(in.trampoline)))
			return StatusInvalidArgument;
		p->cb.exc[in.vector].function = in.function;
		p->cb.exc[in.vector].argument = in.argument;
		p->cb.exc[in.vector].trampoline = in.trampoline;
		return StatusOk;
	default:
		return StatusInvalidArgument;
	}
}
