/*
 * Trap policy: what a trap means for the kernel and for the process that
 * took it.  arch/x86/traps.c classifies a trap and calls these; a user
 * page fault is demand paging or death, and every return to user mode
 * passes through kernel_return_to_user.
 */
#include <kernel/proc.h>
#include <kernel/kernel.h>
#include <kernel/deferred.h>
#include <kernel/panic.h>
#include <kernel/stall.h>
#include <arch/cpu.h>
#include <arch/asm_defs.h>

void kernel_enter_from_user(struct trap_frame *tf)
{
	/* Xen switched to the stack the scheduler named (arch_switch_to). */
	DEBUG_ASSERT((char *)tf == (char *)current->kstack + KSTACK_SIZE -
		     sizeof(*tf));
	current->frame = tf;
}

void kernel_user_fault(struct trap_frame *tf)
{
	uint64_t address = 0;

	if (tf->vector == VEC_PAGE_FAULT) {
		address = trap_fault_address(tf);
		if (region_fault(&current->vm, address, tf->error))
			return;
	}
	if (callback_exception(current, tf))
		return;
	proc_kill_current(tf, address);
}

/*
 * A page fault in kernel mode is legitimate only inside the user-copy
 * routines: either a heap or stack page not touched yet (bring it in and
 * retry), or a bad pointer (continue at the fixup, which reports it).
 */
bool kernel_page_fault(struct trap_frame *tf)
{
	uint64_t address = trap_fault_address(tf);

	if (current != NULL && address < USER_TOP && trap_has_fixup(tf) &&
	    region_fault(&current->vm, address, tf->error))
		return true;
	return trap_try_fixup(tf);
}

void *kernel_current_kstack(void)
{
	return current != NULL ? current->kstack : NULL;
}

void kernel_return_to_user(struct trap_frame *tf)
{
	ASSERT(current != NULL && current->frame == tf);
	stall_maybe();
	if (deferred_requested())
		deferred_run();
	sched_return_to_user();
	if (callback_pending(current))
		callback_deliver(current);
}
