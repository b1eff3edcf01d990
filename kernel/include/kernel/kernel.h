/* The kernel's entry points from arch/x86 trap handling, and global state. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/trap.h>

/* Trap policy, called by trap_entry (arch/x86/traps.c). */
void kernel_enter_from_user(struct trap_frame *tf);
void kernel_syscall(struct trap_frame *tf);
void kernel_user_fault(struct trap_frame *tf);
/* A kernel-mode page fault: true if handled (demand page or fixup). */
bool kernel_page_fault(struct trap_frame *tf);
/* The current process's kernel stack (KSTACK_SIZE bytes), or NULL: the
 * one stack besides the boot stack that a backtrace may walk. */
void *kernel_current_kstack(void);
/* Last step before any return to user mode: deferred work, preemption. */
void kernel_return_to_user(struct trap_frame *tf);

/* Ends the system: prints "ETHOS-EXIT: status" and shuts the domain down. */
__attribute__((noreturn)) void kernel_exit(int64_t status);

/* Debug builds: seeds the stack protector's canary (kernel/debug.c). */
void debug_init(void);

/* The kernel command line ("key=value ..."); NULL if key is absent.  The
 * value is copied into buf (NUL-terminated). */
const char *cmdline_get(const char *key, char *buf, unsigned long size);
/* The boot sequence hands over the line (max bytes, maybe unterminated). */
void cmdline_init(const char *line, unsigned long max);

/* The boot archive (initrd). */
extern const void *boot_archive;
extern unsigned long boot_archive_size;

#endif
