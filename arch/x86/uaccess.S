/*
 * Fault-safe copies between kernel and user memory.  Every instruction
 * that touches user memory has an .ex_table entry: if it faults and the
 * page-fault handler cannot bring the page in, execution continues at the
 * fixup, which returns the number of bytes NOT copied.
 *
 * uint64_t uaccess_copy(void *dst, const void *src, uint64_t n)
 *
 * 8-byte moves, then bytes: "rep movs" is avoided because QEMU runs each
 * iteration as a separate step.
 */
#define EX(fault, fixup) \
	.pushsection .ex_table, "a"; .quad fault, fixup; .popsection

	.text
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
1:	cmpq $8, %rcx
	jb 4f
2:	movq (%rsi), %rax
3:	movq %rax, (%rdi)
	addq $8, %rsi
	addq $8, %rdi
	subq $8, %rcx
	jmp 1b
4:	testq %rcx, %rcx
	jz 7f
5:	movb (%rsi), %al
6:	movb %al, (%rdi)
	incq %rsi
	incq %rdi
	decq %rcx
	jmp 4b
7:	xorl %eax, %eax
	ret
8:	movq %rcx, %rax
	ret
	EX(2b, 8b)
	EX(3b, 8b)
	EX(5b, 8b)
	EX(6b, 8b)
