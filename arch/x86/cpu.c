/* The kernel's interface to the CPU and to Xen below it; see <arch/cpu.h>. */
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <kernel/panic.h>
#include <xen/hypercall.h>
#include <xen/guest.h>

void arch_switch_to(void *kstack_top, struct addrspace *as)
{
	/* A PV guest has no TSS of its own: Xen keeps the ring-1/3 -> kernel
	 * stack pointer, and stack_switch is how the guest names it.  The
	 * multicall leaves room to batch the page-table switch with it. */
	multicall_entry_t calls[1];

	calls[0].op = __HYPERVISOR_stack_switch;
	calls[0].args[0] = FLAT_KERNEL_SS;
	calls[0].args[1] = (uintptr_t)kstack_top;
	if (hv_multicall(calls, 1) != 0 || calls[0].result != 0)
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
