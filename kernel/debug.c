/*
 * Debug builds (make DEBUG=1, ETHOS_DEBUG): the stack protector's canary
 * and its failure path.  The kernel is compiled with
 * -fstack-protector-strong -mstack-protector-guard=global, so every
 * function with an array or an address-taken local checks
 * __stack_chk_guard on return.
 */
#include <stdint.h>
#include <kernel/kernel.h>
#include <kernel/panic.h>

#ifdef ETHOS_DEBUG
/* The low byte is 0, so that a string overrun stops at the canary. */
uintptr_t __stack_chk_guard = 0x2f8e5c31a74bd900UL;

__attribute__((noreturn)) void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack protector: a kernel stack frame was overwritten "
	      "(return address %p)", __builtin_return_address(0));
}

/* Called first thing at boot, from a frame that never returns: a frame
 * that did would find its canary changed. */
void debug_init(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	__stack_chk_guard ^= (((uint64_t)hi << 32 | lo) * 0x9e3779b97f4a7c15UL) &
			     ~0xffUL;
}
#else
void debug_init(void)
{
}
#endif
