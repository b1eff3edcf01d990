/*
 * Shared by the syscall fuzzers (fuzz.c, the short one in the suite, and
 * fuzzlong.c): a fast generator and hostile pointers.  Static, like
 * check.h: each program includes it once.
 */
#ifndef GUEST_FUZZ_H
#define GUEST_FUZZ_H

#include <ethos/ethos.h>

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static uint8_t buffer[2][8192];

/* A bad address, or a real buffer of random bytes (pointers included). */
static void *hostile_pointer(int which)
{
	static void *const fixed[] = {
		0, (void *)8, (void *)0x400000 /* text */, (void *)0x30000000,
		(void *)0xffffffff80000000UL, (void *)0xffff888000000000UL,
		(void *)0x0000800000000000UL, (void *)(0x0000008000000000UL - 8),
		(void *)~0UL,
	};
	uint64_t r = rnd() % 12;

	if (r < sizeof(fixed) / sizeof(fixed[0]))
		return fixed[r];
	for (unsigned i = 0; i < 64; i++)
		((uint64_t *)buffer[which])[i] = rnd() % 4 ? rnd() : (uint64_t)(uintptr_t)buffer[1 - which];
	return buffer[which] + (rnd() % 2 ? 0 : rnd() % 256);
}

#endif
