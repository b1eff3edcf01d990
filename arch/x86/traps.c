/*
 * The trap table and the C side of trap entry.  Policy (what a user fault
 * does, syscalls, the return-to-user work) lives in kernel/; this file
 * only classifies and reports.
 */
#include <stddef.h>
#include <stdint.h>
#include "hypercall.h"
#include "xenguest.h"
#include "trap.h"
#include "printk.h"
#include "panic.h"
#include "kernel.h"

#define DECLARE_TRAP(name) extern char name[]
DECLARE_TRAP(trap_divide);
DECLARE_TRAP(trap_debug);
DECLARE_TRAP(trap_nmi);
DECLARE_TRAP(trap_int3);
DECLARE_TRAP(trap_overflow);
DECLARE_TRAP(trap_bounds);
DECLARE_TRAP(trap_invalid_op);
DECLARE_TRAP(trap_no_device);
DECLARE_TRAP(trap_double_fault);
DECLARE_TRAP(trap_coproc_overrun);
DECLARE_TRAP(trap_invalid_tss);
DECLARE_TRAP(trap_no_segment);
DECLARE_TRAP(trap_stack_fault);
DECLARE_TRAP(trap_gpf);
DECLARE_TRAP(trap_page_fault);
DECLARE_TRAP(trap_spurious);
DECLARE_TRAP(trap_fpu_error);
DECLARE_TRAP(trap_alignment);
DECLARE_TRAP(trap_machine_check);
DECLARE_TRAP(trap_simd_error);
DECLARE_TRAP(trap_syscall);
DECLARE_TRAP(hypervisor_callback);
DECLARE_TRAP(failsafe_callback);

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

/*
 * flags: bits 0-1 the DPL (3: user code may use "int n"), bit 2 "clear
 * event enable": Xen masks events on entry, so the kernel is never
 * interrupted by an upcall.
 */
#define KERNEL_ONLY 4
#define USER_OK     (3 | 4)
#define TRAP(vec, dpl, entry) { vec, dpl, FLAT_KERNEL_CS, (unsigned long)entry }

static const struct trap_info trap_table[] = {
	TRAP(0, KERNEL_ONLY, trap_divide),
	TRAP(1, KERNEL_ONLY, trap_debug),
	TRAP(2, KERNEL_ONLY, trap_nmi),
	TRAP(3, USER_OK, trap_int3),
	TRAP(4, USER_OK, trap_overflow),
	TRAP(5, KERNEL_ONLY, trap_bounds),
	TRAP(6, KERNEL_ONLY, trap_invalid_op),
	TRAP(7, KERNEL_ONLY, trap_no_device),
	TRAP(8, KERNEL_ONLY, trap_double_fault),
	TRAP(9, KERNEL_ONLY, trap_coproc_overrun),
	TRAP(10, KERNEL_ONLY, trap_invalid_tss),
	TRAP(11, KERNEL_ONLY, trap_no_segment),
	TRAP(12, KERNEL_ONLY, trap_stack_fault),
	TRAP(13, KERNEL_ONLY, trap_gpf),
	TRAP(14, KERNEL_ONLY, trap_page_fault),
	TRAP(15, KERNEL_ONLY, trap_spurious),
	TRAP(16, KERNEL_ONLY, trap_fpu_error),
	TRAP(17, KERNEL_ONLY, trap_alignment),
	TRAP(18, KERNEL_ONLY, trap_machine_check),
	TRAP(19, KERNEL_ONLY, trap_simd_error),
	TRAP(VEC_SYSCALL, USER_OK, trap_syscall),
	{ 0, 0, 0, 0 },
};

static const char *const vector_names[20] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "spurious", "x87 error", "alignment check",
	"machine check", "SIMD error",
};

const char *trap_name(uint64_t vector)
{
	if (vector < 20)
		return vector_names[vector];
	if (vector == VEC_SYSCALL)
		return "syscall";
	if (vector == VEC_UPCALL)
		return "upcall";
	return "unknown";
}

void traps_init(void)
{
	struct callback_register event = {
		.type = CALLBACKTYPE_event,
		.address = (unsigned long)hypervisor_callback,
	};
	struct callback_register failsafe = {
		.type = CALLBACKTYPE_failsafe,
		.address = (unsigned long)failsafe_callback,
	};

	if (hv_set_trap_table(trap_table) != 0)
		panic("set_trap_table failed");
	if (hv_callback_op(CALLBACKOP_register, &event) != 0 ||
	    hv_callback_op(CALLBACKOP_register, &failsafe) != 0)
		panic("callback registration failed");
}

static const struct ex_entry *fixup_for(uint64_t rip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->fault == rip)
			return e;
	return NULL;
}

bool trap_has_fixup(const struct trap_frame *tf)
{
	return fixup_for(tf->rip) != NULL;
}

bool trap_try_fixup(struct trap_frame *tf)
{
	const struct ex_entry *e = fixup_for(tf->rip);

	if (e == NULL)
		return false;
	tf->rip = e->fixup;
	return true;
}

static bool frame_pointer_ok(uint64_t rbp)
{
	/* Only follow frames inside kernel memory, word-aligned. */
	return (rbp & 7) == 0 && rbp >= 0xffff888000000000ULL &&
	       rbp < 0xfffffffffffff000ULL;
}

static void backtrace(uint64_t rbp)
{
	printk("backtrace:");
	for (int depth = 0; depth < 16 && frame_pointer_ok(rbp); depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		if (frame[1] == 0)
			break;
		printk(" %lx", (unsigned long)frame[1]);
		rbp = frame[0];
	}
	printk("\n");
}

void trap_dump(const struct trap_frame *tf)
{
	printk("trap %lu (%s) error %lx at rip %lx cs %lx rflags %lx\n",
	       (unsigned long)tf->vector, trap_name(tf->vector),
	       (unsigned long)tf->error, (unsigned long)tf->rip,
	       (unsigned long)tf->cs, (unsigned long)tf->rflags);
	if (tf->vector == VEC_PAGE_FAULT)
		printk("cr2 %lx\n", (unsigned long)vcpu0->arch.cr2);
	printk("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	       tf->rax, tf->rbx, tf->rcx, tf->rdx);
	printk("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n",
	       tf->rsi, tf->rdi, tf->rbp, tf->rsp);
	printk("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n",
	       tf->r8, tf->r9, tf->r10, tf->r11);
	printk("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n",
	       tf->r12, tf->r13, tf->r14, tf->r15);
}

void trap_kernel_fault(struct trap_frame *tf)
{
	static int nested;

	if (nested++ == 0) {
		printk("kernel fault:\n");
		trap_dump(tf);
		backtrace(tf->rbp);
	}
	if (tf->vector == VEC_PAGE_FAULT)
		panic("kernel page fault at rip %lx, address %lx",
		      (unsigned long)tf->rip, (unsigned long)vcpu0->arch.cr2);
	panic("kernel trap %lu (%s) at rip %lx", (unsigned long)tf->vector,
	      trap_name(tf->vector), (unsigned long)tf->rip);
}

void trap_failsafe(void);
void trap_failsafe(void)
{
	panic("Xen failsafe callback: bad segment state on return");
}

void trap_entry(struct trap_frame *tf)
{
	/* Every entry is registered with "clear event enable". */
	DEBUG_ASSERT(vcpu0->evtchn_upcall_mask != 0);
	if (trap_from_user(tf))
		kernel_enter_from_user(tf);
	if (tf->vector == VEC_UPCALL)
		kernel_upcall(tf);
	else if (tf->vector == VEC_SYSCALL)
		kernel_syscall(tf);
	else if (trap_from_user(tf))
		kernel_user_fault(tf);
	else if (!(tf->vector == VEC_PAGE_FAULT && kernel_page_fault(tf)))
		trap_kernel_fault(tf);

	if (trap_from_user(tf))
		kernel_return_to_user(tf);
}
