/* What a trap means for a process: demand paging, or death. */
#include "proc.h"
#include "kernel.h"
#include "xenguest.h"
#include "asm_defs.h"
#include "panic.h"

void kernel_enter_from_user(struct trap_frame *tf)
{
	/* Xen switched to the stack the scheduler named (stack_switch). */
	DEBUG_ASSERT((char *)tf == (char *)current->kstack + KSTACK_SIZE -
		     sizeof(*tf));
	current->frame = tf;
}

void kernel_user_fault(struct trap_frame *tf)
{
	uint64_t address = 0;

	if (tf->vector == VEC_PAGE_FAULT) {
		/* Xen puts the faulting address in the vCPU's virtual CR2. */
		address = vcpu0->arch.cr2;
		if (region_fault(current, address, tf->error))
			return;
	}
	proc_kill_current(tf, address);
}

/*
 * A page fault in kernel mode is legitimate only inside the user-copy
 * routines: either a heap or stack page not touched yet (bring it in and
 * retry), or a bad pointer (continue at the fixup, which reports it).
 */
bool kernel_page_fault(struct trap_frame *tf)
{
	uint64_t address = vcpu0->arch.cr2;

	if (current != NULL && address < USER_TOP && trap_has_fixup(tf) &&
	    region_fault(current, address, tf->error))
		return true;
	return trap_try_fixup(tf);
}
