/* Constants shared by C and assembly. */
#ifndef ASM_DEFS_H
#define ASM_DEFS_H

#define KERNEL_VIRT_BASE 0xffffffff80000000
#define BOOT_STACK_SIZE  (16 * 1024)

/* Kernel stacks of processes: order-2 buddy blocks. */
#define KSTACK_ORDER 2
#define KSTACK_SIZE  (4096 << KSTACK_ORDER)

/* Offsets into struct trap_frame (arch/x86/include/arch/trap.h). */
#define TF_R15     0
#define TF_RAX     (14 * 8)
#define TF_VECTOR  (15 * 8)
#define TF_ERROR   (16 * 8)
#define TF_RIP     (17 * 8)
#define TF_CS      (18 * 8)
#define TF_RFLAGS  (19 * 8)
#define TF_RSP     (20 * 8)
#define TF_SS      (21 * 8)
#define TF_SIZE    (22 * 8)

/* Light syscalls (kernel/syscall.c syscall_light): numbers below this. */
#define SYSCALL_LIGHT_LIMIT 3

#endif
