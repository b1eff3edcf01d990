/*
 * What the portable kernel needs of the CPU and of the hypervisor under
 * it, and nothing more: switching to a process's context, building a
 * first user frame, masking events, idling, and ending the machine.
 * kernel/ reaches Xen only through this header, <xen/time.h> and
 * <xen/console.h> (tools/check-layers enforces it), so a port replaces
 * arch/ and xen/ and leaves kernel/ alone.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/trap.h>

struct addrspace;

/* From now on, traps from user mode land on the stack ending at
 * kstack_top, and as is the address space (kernel and user tables). */
void arch_switch_to(void *kstack_top, struct addrspace *as);
/* The frame a new process starts from: user mode at entry, stack sp,
 * events enabled. */
void arch_user_frame_init(struct trap_frame *tf, uintptr_t entry,
			  uintptr_t sp);
/* The code and stack selectors of user mode (what callbackReturn may
 * restore). */
bool arch_user_selectors(uint64_t cs, uint64_t ss);
/* The address a page fault (tf) was about. */
uint64_t trap_fault_address(const struct trap_frame *tf);

/* Events (the PV form of interrupts) off: the kernel's normal state. */
void cpu_events_mask(void);
/* Sleeps until an event is pending; events are masked again after. */
void cpu_idle(void);
/* Ends the domain: powered off (or rebooted, in dom0), or crashed. */
__attribute__((noreturn)) void cpu_shutdown(bool crashed);

/* ethos.test=crossing: a crossing into Xen, split (arch/x86/crossing.c). */
void crossing_probe(void);

#endif
