/*
 * The trap table and the C side of trap entry.  Policy (what a user fault
 * does, syscalls, the return-to-user work) lives in kernel/; this file
 * only classifies and reports.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/hypercall.h>
#include <xen/guest.h>
#include <xen/evtchn.h>
#include <arch/trap.h>
#include <arch/asm_defs.h>
#include <arch/ksyms.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/kernel.h>
#include <kernel/kstring.h>
#include <kernel/uaccess.h>

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

extern char boot_stack[], boot_stack_top[];

/*
 * The kernel stack that holds addr: the boot stack (boot, idle loop,
 * scheduler) or the current process's kernel stack.  A backtrace follows
 * frame pointers only inside it, so a corrupt rbp ends the walk instead
 * of faulting in the middle of the report.
 */
static bool stack_bounds(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	if (addr >= (uintptr_t)boot_stack && addr < (uintptr_t)boot_stack_top) {
		*lo = (uintptr_t)boot_stack;
		*hi = (uintptr_t)boot_stack_top;
		return true;
	}
	uintptr_t kstack = (uintptr_t)kernel_current_kstack();
	if (kstack != 0 && addr >= kstack && addr < kstack + KSTACK_SIZE) {
		*lo = kstack;
		*hi = kstack + KSTACK_SIZE;
		return true;
	}
	return false;
}

/* A return address is past its call: look up ret - 1, or a call that
 * ends a function (noreturn) would be named after the next one. */
static void print_frame(int depth, uint64_t addr, bool is_return)
{
	uint64_t offset;
	const char *name = ksym_lookup(addr - is_return, &offset);

	if (name != NULL)
		printk("  #%d %016lx %s+0x%lx\n", depth, (unsigned long)addr,
		       name, (unsigned long)(offset + is_return));
	else
		printk("  #%d %016lx ?\n", depth, (unsigned long)addr);
}

#define BACKTRACE_DEPTH 32

/*
 * Walks the rbp chain: each frame is [saved rbp, return address].  A
 * frame is followed only if it is 8-aligned, wholly inside the stack that
 * holds the first one, and above the previous one (callers' frames are
 * higher); _start's rbp of 0 ends it.
 */
static void walk_frames(int depth, uint64_t rbp)
{
	uintptr_t lo, hi, prev = 0;

	if (!stack_bounds(rbp, &lo, &hi))
		return;
	while (depth < BACKTRACE_DEPTH) {
		if ((rbp & 7) != 0 || rbp < lo || rbp > hi - 16 || rbp <= prev)
			return;
		const uint64_t *frame = (const uint64_t *)rbp;
		if (frame[1] == 0)
			return;
		print_frame(depth++, frame[1], true);
		prev = rbp;
		rbp = frame[0];
	}
	printk("  (stopped at %d frames)\n", BACKTRACE_DEPTH);
}

/* Set once a fault has printed its own backtrace, which starts at the
 * faulting rip; panic's own would only add the trap path to it. */
static bool backtrace_shown;

void trap_backtrace(uint64_t pc, uint64_t rbp)
{
	backtrace_shown = true;
	printk("backtrace:\n");
	print_frame(0, pc, false);
	walk_frames(1, rbp);
}

void trap_panic_backtrace(uint64_t rbp)
{
	if (backtrace_shown)
		return;
	backtrace_shown = true;
	printk("backtrace:\n");
	walk_frames(0, rbp);
}

void trap_dump(const struct trap_frame *tf)
{
	char hint[64];

	printk("trap %lu (%s) error %lx%s at rip %lx cs %lx rflags %lx\n",
	       (unsigned long)tf->vector, trap_name(tf->vector),
	       (unsigned long)tf->error, trap_error_hint(tf, hint, sizeof(hint)),
	       (unsigned long)tf->rip,
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
		trap_backtrace(tf->rip, tf->rbp);
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

/*
 * "int $N" from user mode with no DPL 3 gate must be a #GP whose error
 * code is the IDT index: (N << 3) | 2.  Xen relies on that: its #GP
 * handler reads the vector back as (uint8_t)(error >> 3), and if the
 * guest's gate for that vector allows user mode it skips the instruction
 * and delivers a software interrupt there instead (Xen 4.17,
 * do_general_protection).  QEMU's TCG (7.2) reports (N << 4) | 2 in long
 * mode, so Xen reads vector 2N mod 256: "int $0x82" reaches our user gate
 * 4 as an overflow trap (rip past the instruction), "int $0x81" arrives as
 * #GP 0x812.  Both are recognised here from the instruction bytes and
 * reported as the hardware would: #GP (N << 3) | 2 at the instruction.
 * (A vector 2N that is our syscall gate, int $0x40 or $0xc0, cannot be
 * told apart this cheaply and still runs as a syscall under TCG.)
 */
static void trap_fix_softint(struct trap_frame *tf)
{
	uint8_t insn[2];

	if (tf->vector == VEC_GPF && (tf->error & 7) == 2) {
		if (copyin(insn, tf->rip, 2) == StatusOk && insn[0] == 0xcd &&
		    tf->error == ((uint64_t)insn[1] << 4 | 2))
			tf->error = (uint64_t)insn[1] << 3 | 2;
	} else if (tf->vector == VEC_OVERFLOW && tf->rip >= 2) {
		if (copyin(insn, tf->rip - 2, 2) == StatusOk &&
		    insn[0] == 0xcd && insn[1] != VEC_OVERFLOW &&
		    (uint8_t)(insn[1] << 1) == VEC_OVERFLOW) {
			tf->vector = VEC_GPF;
			tf->error = (uint64_t)insn[1] << 3 | 2;
			tf->rip -= 2;
		}
	}
}

const char *trap_error_hint(const struct trap_frame *tf, char *buf,
			    size_t len)
{
	buf[0] = '\0';
	if (tf->vector == VEC_GPF && (tf->error & 3) == 2)
		snprintf(buf, len, " (int $0x%lx: no gate for this mode)",
			 (unsigned long)(tf->error >> 3));
	else if (tf->vector == VEC_PAGE_FAULT)
		snprintf(buf, len, " (%s %s, %s)",
			 tf->error & PF_USER ? "user" : "kernel",
			 tf->error & PF_INSTR ? "fetch" :
			 tf->error & PF_WRITE ? "write" : "read",
			 tf->error & PF_PRESENT ? "protection" : "not present");
	return buf;
}

/* int $0x80 (entry.S trap_syscall): nothing else arrives on this gate. */
void trap_syscall_entry(struct trap_frame *tf);
void trap_syscall_entry(struct trap_frame *tf)
{
	DEBUG_ASSERT(vcpu0->evtchn_upcall_mask != 0);
	DEBUG_ASSERT(tf->vector == VEC_SYSCALL);
	if (!trap_from_user(tf))
		trap_kernel_fault(tf);        /* the kernel never makes syscalls */
	kernel_enter_from_user(tf);
	kernel_syscall(tf);
	kernel_return_to_user(tf);
}

void trap_entry(struct trap_frame *tf)
{
	/* Every entry is registered with "clear event enable". */
	DEBUG_ASSERT(vcpu0->evtchn_upcall_mask != 0);
	if (trap_from_user(tf)) {
		kernel_enter_from_user(tf);
		trap_fix_softint(tf);
	}
	if (tf->vector == VEC_UPCALL)
		evtchn_do_upcall();
	else if (tf->vector == VEC_SYSCALL)
		kernel_syscall(tf);
	else if (trap_from_user(tf))
		kernel_user_fault(tf);
	else if (!(tf->vector == VEC_PAGE_FAULT && kernel_page_fault(tf)))
		trap_kernel_fault(tf);

	if (trap_from_user(tf))
		kernel_return_to_user(tf);
}
