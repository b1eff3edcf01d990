/* The kernel's interface to the CPU and to Xen below it; see <arch/cpu.h>. */
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <kernel/panic.h>
#include <xen/hypercall.h>
#include <xen/guest.h>

void arch_switch_to(void *kstack_top, struct addrspace *as)
{
	/* A PV guest has no TSS of its own: Xen keeps the ring-1/3 -> kernel
	 * stack pointer, and stack_switch is how the guest names it.  Two
	 * plain hypercalls, not a multicall: under icount a one-entry
	 * multicall costs 422 instructions against 226 for the call itself,
	 * and batching the page-table switch into it (two entries) made a
	 * switch 114 dearer than the two separate calls. */
	if (hv_stack_switch(FLAT_KERNEL_SS, (uintptr_t)kstack_top) != 0)
		panic("stack_switch failed");
	as_switch(as);
}

void arch_user_frame_init(struct trap_frame *tf, uintptr_t entry,
			  uintptr_t sp)
{
	*tf = (struct trap_frame){ 0 };
	tf->rip = entry;
	tf->cs = FLAT_USER_CS64;
	tf->ss = FLAT_USER_SS64;
	tf->rflags = 0x200;                  /* IF: events on in user mode */
	tf->rsp = sp;
}

bool arch_user_selectors(uint64_t cs, uint64_t ss)
{
	return cs == FLAT_USER_CS64 && ss == FLAT_USER_SS64;
}

uint64_t trap_fault_address(const struct trap_frame *tf)
{
	(void)tf;
	/* A PV guest cannot read %cr2: Xen stores the faulting address in the
	 * vCPU's virtual CR2 before it delivers #PF. */
	return vcpu0->arch.cr2;
}

void cpu_events_mask(void)
{
	events_mask();
}

void cpu_idle(void)
{
	/* SCHEDOP_block unmasks events and sleeps until one is pending: no
	 * window between the check for work and the sleep loses a wakeup. */
	hv_sched_op(SCHEDOP_block, NULL);
	events_mask();
}

void cpu_shutdown(bool crashed)
{
	xen_shutdown(crashed);
}
