/*
 * Every hypercall wrapper the kernel uses, in one place.
 *
 * 64-bit PV ABI: call hypercall_page + 32 * number, arguments in rdi, rsi,
 * rdx, r10, r8, result in rax.  Xen may clobber the argument registers
 * (debug builds do on purpose) and the syscall instruction inside the stub
 * clobbers rcx and r11, so all of them are outputs here.
 */
#ifndef HYPERCALL_H
#define HYPERCALL_H

#include <stdint.h>
#include <xen/interface/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/memory.h>
#include <xen/interface/callback.h>
#include <xen/interface/grant_table.h>

extern char hypercall_page[4096];

#define HCALL_ADDR(nr) "hypercall_page+" #nr "*32"

static inline long hypercall5(unsigned int nr, uint64_t a1, uint64_t a2,
			      uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t rdi asm("rdi") = a1;
	register uint64_t rsi asm("rsi") = a2;
	register uint64_t rdx asm("rdx") = a3;
	register uint64_t r10 asm("r10") = a4;
	register uint64_t r8 asm("r8") = a5;
	long ret;

	asm volatile("call *%[entry]"
		     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10),
		       "+r"(r8)
		     : [entry] "r"(hypercall_page + nr * 32)
		     : "rcx", "r11", "memory");
	return ret;
}

#define HYPERCALL1(nr, a) hypercall5(nr, (uint64_t)(a), 0, 0, 0, 0)
#define HYPERCALL2(nr, a, b) \
	hypercall5(nr, (uint64_t)(a), (uint64_t)(b), 0, 0, 0)
#define HYPERCALL3(nr, a, b, c) \
	hypercall5(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0)
#define HYPERCALL4(nr, a, b, c, d) \
	hypercall5(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), (uint64_t)(d), 0)

static inline long hv_console_io(int cmd, int count, const char *buf)
{
	return HYPERCALL3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long hv_sched_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long hv_set_trap_table(const struct trap_info *table)
{
	return HYPERCALL1(__HYPERVISOR_set_trap_table, table);
}

static inline long hv_callback_op(int cmd, const void *arg)
{
	return HYPERCALL2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long hv_event_channel_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_event_channel_op, cmd, arg);
}

/* Absolute Xen system time in ns; 0 cancels the one-shot timer. */
static inline long hv_set_timer_op(uint64_t deadline_ns)
{
	return HYPERCALL1(__HYPERVISOR_set_timer_op, deadline_ns);
}

static inline long hv_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return HYPERCALL3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long hv_mmu_update(const mmu_update_t *req, unsigned int count,
				 unsigned int *done, domid_t dom)
{
	return HYPERCALL4(__HYPERVISOR_mmu_update, req, count, done, dom);
}

static inline long hv_mmuext_op(const struct mmuext_op *op, unsigned int count,
				unsigned int *done, domid_t dom)
{
	return HYPERCALL4(__HYPERVISOR_mmuext_op, op, count, done, dom);
}

static inline long hv_update_va_mapping(uintptr_t va, uint64_t pte,
					uint64_t flags)
{
	return HYPERCALL3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

/* The kernel stack Xen switches to when a trap arrives from user mode. */
static inline long hv_stack_switch(uint64_t ss, uint64_t sp)
{
	return HYPERCALL2(__HYPERVISOR_stack_switch, ss, sp);
}

static inline long hv_multicall(multicall_entry_t *calls, unsigned int count)
{
	return HYPERCALL2(__HYPERVISOR_multicall, calls, count);
}

static inline long hv_memory_op(int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long hv_vm_assist(unsigned int cmd, unsigned int type)
{
	return HYPERCALL2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline long hv_grant_table_op(unsigned int cmd, void *arg,
				     unsigned int count)
{
	return HYPERCALL3(__HYPERVISOR_grant_table_op, cmd, arg, count);
}

#endif /* HYPERCALL_H */
