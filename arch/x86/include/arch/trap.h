/* Trap frames and the trap entry points. */
#ifndef TRAP_H
#define TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the entry stubs save, lowest address first.  Xen's own frame (rip
 * .. ss) is at the top; the stubs drop Xen's saved rcx/r11 after copying
 * them back into their registers, so the layout is the same for every
 * vector.  Offsets are mirrored in asm_defs.h.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define VEC_DIVIDE   0
#define VEC_DEBUG    1
#define VEC_BREAK    3
#define VEC_OVERFLOW 4
#define VEC_INVALID_OPCODE 6
#define VEC_GPF      13
#define VEC_PAGE_FAULT 14
#define VEC_X87_FP   16
#define VEC_ALIGNMENT 17
#define VEC_SIMD_FP  19
#define VEC_SYSCALL  0x80
/* int $0x80 is two bytes: a syscall restarts at rip - SYSCALL_INSN_LEN. */
#define SYSCALL_INSN_LEN 2
/* rflags bits */
#define RFLAGS_TF   0x100
#define RFLAGS_IF   0x200
#define RFLAGS_DF   0x400
#define RFLAGS_IOPL 0x3000
#define VEC_UPCALL   0x100   /* not a CPU vector: Xen's event upcall */

/* Page-fault error code bits. */
#define PF_PRESENT 0x1
#define PF_WRITE   0x2
#define PF_USER    0x4
#define PF_INSTR   0x10

/* RPL of the saved CS: Xen reports kernel-mode frames with RPL 0. */
static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

void traps_init(void);
const char *trap_name(uint64_t vector);

/* Called by the entry stubs with interrupts (events) masked. */
void trap_entry(struct trap_frame *tf);

/* Restores tf's registers and returns (HYPERVISOR_iret); never returns. */
__attribute__((noreturn)) void trap_resume(struct trap_frame *tf);

/* Runs fn(arg) on the given stack; fn must not return. */
__attribute__((noreturn)) void call_on_stack(void *stack_top,
					     void (*fn)(void *), void *arg);

/* Kernel-mode fault: dump and panic. */
__attribute__((noreturn)) void trap_kernel_fault(struct trap_frame *tf);
void trap_dump(const struct trap_frame *tf);
/* Prints pc and the callers found through the frame pointer rbp, named
 * from the kernel's symbol table; safe on a corrupt chain. */
void trap_backtrace(uint64_t pc, uint64_t rbp);
/* panic's: the callers of the frame rbp, unless a fault printed its own. */
void trap_panic_backtrace(uint64_t rbp);
/* What the error code says, as " (...)" or "", in buf. */
const char *trap_error_hint(const struct trap_frame *tf, char *buf,
			    size_t len);

/* Exception fixups: a kernel fault at `fault` continues at `fixup`. */
struct ex_entry {
	uint64_t fault;
	uint64_t fixup;
};
bool trap_try_fixup(struct trap_frame *tf);
bool trap_has_fixup(const struct trap_frame *tf);

#endif
