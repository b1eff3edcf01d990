/*
 * Entry point and the ELF notes that tell Xen how to load us.
 *
 * Xen starts a 64-bit PV guest in long mode with paging on, the kernel
 * image mapped at VIRT_BASE, %rsi = the virtual address of start_info,
 * and %rsp on a small bootstrap stack in the mapped boot region.  We move
 * to our own stack at once so that the boot region after the page tables
 * can be handed to the page allocator.
 */
#include <xen/interface/elfnote.h>
#include <arch/asm_defs.h>

#define ELFNOTE(type, desc)                 \
	.pushsection .note.Xen, "a";        \
	.balign 4;                          \
	.long 2f - 1f;                      \
	.long 4f - 3f;                      \
	.long type;                         \
1:	.asciz "Xen";                       \
2:	.balign 4;                          \
3:	desc;                               \
4:	.balign 4;                          \
	.popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "Ethos")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad KERNEL_VIRT_BASE)
/* pseudo-physical = virtual - PADDR_OFFSET: pfn 0 is the first image page */
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad KERNEL_VIRT_BASE)
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)

	.section .text.head, "ax"
	.globl _start
_start:
	cld
	movq %rsi, %rdi            /* start_info */
	movq %rsp, %rsi            /* Xen's bootstrap stack: its pages are in use */
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp            /* terminates backtraces */
	call kernel_main
1:	hlt                        /* not reached */
	jmp 1b

	/* Xen fills this page with one 32-byte stub per hypercall. */
	.section .text.hypercall_page, "ax"
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc

	/* The boot stack: boot, the idle loop and the scheduler run on it. */
	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
