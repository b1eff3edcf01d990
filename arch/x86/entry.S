/*
 * Trap, upcall and syscall entry, and the one way back out.
 *
 * Xen delivers every trap (exceptions, int $0x80, the event upcall) on the
 * guest kernel stack with this frame: [rcx, r11, (error), rip, cs, rflags,
 * rsp, ss].  rcx and r11 are the interrupted values; Xen clobbered the
 * registers themselves.  From user mode the stack is the one last given
 * to HYPERVISOR_stack_switch; from kernel mode it is the current one.
 * Every trap is registered with "clear event enable", so the kernel always
 * runs with events masked.
 */
#define __ASSEMBLY__ 1
#include <xen/interface/xen.h>
#include <arch/asm_defs.h>

.macro SAVE_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

/* A vector without an error code: push 0 in its place. */
.macro TRAP_NOERR name, vec
	.globl \name
\name:
	movq (%rsp), %rcx
	movq 8(%rsp), %r11
	addq $16, %rsp
	pushq $0
	pushq $\vec
	jmp trap_common
.endm

.macro TRAP_ERR name, vec
	.globl \name
\name:
	movq (%rsp), %rcx
	movq 8(%rsp), %r11
	addq $16, %rsp
	pushq $\vec
	jmp trap_common
.endm

	.text
TRAP_NOERR trap_divide, 0
TRAP_NOERR trap_debug, 1
TRAP_NOERR trap_nmi, 2
TRAP_NOERR trap_int3, 3
TRAP_NOERR trap_overflow, 4
TRAP_NOERR trap_bounds, 5
TRAP_NOERR trap_invalid_op, 6
TRAP_NOERR trap_no_device, 7
TRAP_ERR   trap_double_fault, 8
TRAP_NOERR trap_coproc_overrun, 9
TRAP_ERR   trap_invalid_tss, 10
TRAP_ERR   trap_no_segment, 11
TRAP_ERR   trap_stack_fault, 12
TRAP_ERR   trap_gpf, 13
TRAP_ERR   trap_page_fault, 14
TRAP_NOERR trap_spurious, 15
TRAP_NOERR trap_fpu_error, 16
TRAP_ERR   trap_alignment, 17
TRAP_NOERR trap_machine_check, 18
TRAP_NOERR trap_simd_error, 19
TRAP_NOERR hypervisor_callback, 0x100

trap_common:
	SAVE_GPRS
	cld
	movq %rsp, %rdi
	/* The frame is 16-byte aligned when Xen's is; make sure anyway. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_entry
	movq %rbx, %rsp
	movq %rsp, %rdi           /* fall through: resume the frame at %rsp */

/* trap_resume(frame): restore every register and return through Xen. */
	.globl trap_resume
trap_resume:
	movq %rdi, %rsp
restore_frame:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp            /* vector, error */
	/*
	 * HYPERVISOR_iret takes [flags, rip, cs, rflags, rsp, ss] on the
	 * stack (its stub pushes rcx, r11, rax itself).  flags 0: a full
	 * return, not a sysret.  RPL 3 in cs switches to user mode and the
	 * user page table; the IF bit of rflags sets the event mask.
	 */
	pushq $0
	jmp hypercall_page + __HYPERVISOR_iret * 32

/*
 * int $0x80, the syscall gate: light syscalls first (no frame), then the
 * heavy ones with the same frame as any trap (a process that
 * blocks, forks or is switched away is resumed from it by trap_resume),
 * built in place: the vector and error code overwrite Xen's copies of rcx
 * and r11.  No dispatch on the vector, no realignment (the frame ends at
 * the top of the kernel stack, and the kernel uses no SSE), and the C side
 * returns here to restore the frame it was given.
 */
	.globl trap_syscall
trap_syscall:
	/*
	 * A light syscall (kernel/syscall.c, syscall_light) runs without a
	 * trap frame.  Its handler saves every register it touches (it is
	 * no_caller_saved_registers) and takes the user's rdi and rsi as
	 * they are, so only rax changes; rcx and r11 are still in Xen's
	 * frame; and it cannot block, switch or leave work for the return
	 * path, so the return is Xen's iret at once.  Deferred work can be
	 * pending at entry (a watch event read during the last deferred run
	 * asks for another): then the heavy path runs, and so its return.  rcx is free to use
	 * here: the heavy path below reloads it from the frame.  Xen's frame
	 * is [rcx, r11, rip, cs, rflags, rsp, ss].
	 */
	cmpq $SYSCALL_LIGHT_LIMIT, %rax
	jae heavy_syscall
	testb $3, 24(%rsp)        /* cs: from the kernel, the heavy path panics */
	jz heavy_syscall
	cmpb $0, deferred_flag(%rip)
	jne heavy_syscall         /* work was asked for: the heavy return runs it */
	movq syscall_light(,%rax,8), %rcx
	testq %rcx, %rcx
	jz heavy_syscall
	cld
	subq $8, %rsp             /* Xen's 7 words: realign to 16 for the call */
	call *%rcx
	movq 8(%rsp), %rcx
	movq 16(%rsp), %r11
	addq $24, %rsp
	pushq $0
	jmp hypercall_page + __HYPERVISOR_iret * 32

heavy_syscall:
	movq (%rsp), %rcx
	movq 8(%rsp), %r11
	movq $0x80, (%rsp)        /* VEC_SYSCALL */
	movq $0, 8(%rsp)
	SAVE_GPRS
	cld
	movq %rsp, %rdi
	call trap_syscall_entry
	jmp restore_frame

/*
 * Xen calls this when it cannot restore segment registers on a return to
 * the guest; we never load segments, so it is a kernel bug.
 */
	.globl failsafe_callback
failsafe_callback:
	andq $-16, %rsp
	call trap_failsafe
1:	jmp 1b

/* call_on_stack(stack_top, fn, arg) */
	.globl call_on_stack
call_on_stack:
	movq %rdi, %rsp
	movq %rdx, %rdi
	xorl %ebp, %ebp
	call *%rsi
2:	jmp 2b
