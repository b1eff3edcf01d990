/*
 * FPU/SSE state of user processes.  The kernel itself never touches these
 * registers (it is built with -mgeneral-regs-only), so a process's state
 * only has to be saved and restored when another process runs.
 */
#ifndef FPU_H
#define FPU_H

#include <stdint.h>
#include <kernel/panic.h>

struct fpu_state {
	uint8_t bytes[512];
} __attribute__((aligned(16)));

/*
 * fxsave/fxrstor raise #GP on an area not 16-byte aligned.  The attribute
 * above only holds if the allocator honours it (p->fpu is kmalloc'd), so
 * every use checks: a bad allocator is caught at the first spawn (which
 * initialises the state), not as a #GP in the middle of a switch.
 */
#define FPU_ASSERT_ALIGNED(s) ASSERT(((uintptr_t)(s) & 15) == 0)

static inline void fpu_save(struct fpu_state *s)
{
	FPU_ASSERT_ALIGNED(s);
	asm volatile("fxsave64 %0" : "=m"(*s));
}

static inline void fpu_restore(const struct fpu_state *s)
{
	FPU_ASSERT_ALIGNED(s);
	asm volatile("fxrstor64 %0" : : "m"(*s));
}

/* The state after reset (FNINIT): x87 control word 0x37f, MXCSR 0x1f80. */
static inline void fpu_init_state(struct fpu_state *s)
{
	FPU_ASSERT_ALIGNED(s);
	for (unsigned int i = 0; i < sizeof(s->bytes); i++)
		s->bytes[i] = 0;
	*(uint16_t *)&s->bytes[0] = 0x037f;
	*(uint32_t *)&s->bytes[24] = 0x1f80;
}

#endif
