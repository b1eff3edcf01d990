/*
 * The one door to user memory.  copyin/copyout check that the whole range
 * lies in the user half (no kernel address, no wrap-around, no
 * non-canonical address) and then copy with fault-safe routines, so any
 * bad pointer becomes StatusBadAddress.  They act on the current
 * process's memory only: its syscalls, block's results (written as the
 * owner resumes, in its address space) and the trap code reading the
 * instruction a user trap came from.
 */
#ifndef UACCESS_H
#define UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>
#include <arch/pagetable.h>

uint64_t uaccess_copy(void *dst, const void *src, uint64_t n);

static inline bool user_range_ok(uintptr_t uptr, uint64_t len)
{
	/* A constant length (a syscall's struct): one compare. */
	if (__builtin_constant_p(len) && len > 0 && len <= USER_TOP)
		return uptr <= USER_TOP - len;
	return uptr < USER_TOP && len <= USER_TOP - uptr;
}

#ifdef HOST_TEST
/* Host unit tests model user memory in uaccess_copy: go through it. */
static inline bool uaccess_load64(uint64_t *v, uintptr_t usrc)
{
	return uaccess_copy(v, (const void *)usrc, 8) == 0;
}

static inline bool uaccess_store64(uintptr_t udst, uint64_t v)
{
	return uaccess_copy((void *)udst, &v, 8) == 0;
}

static inline bool uaccess_probe_write(uintptr_t uaddr)
{
	uint8_t byte;

	return uaccess_copy(&byte, (const void *)uaddr, 1) == 0 &&
	       uaccess_copy((void *)uaddr, &byte, 1) == 0;
}
#else
/*
 * One 8-byte load or store of user memory, inline: the hot syscalls'
 * structs are a few words, and a call to uaccess_copy with its loop costs
 * more than the copy.  The instruction has its .ex_table entry as
 * uaccess_copy's do, whose continuation is the `fault` label (asm goto:
 * the faulting move changed nothing, so the registers are as the
 * compiler left them).  The caller has checked the range.
 */
static inline bool uaccess_load64(uint64_t *v, uintptr_t usrc)
{
	/* An "m" operand: the address is folded into the move (entry + 8
	 * costs no lea of its own). */
	__asm__ goto("1:	movq %1, %0\n"
		     "	.pushsection .ex_table, \"a\"\n"
		     "	.quad 1b, %l[fault]\n"
		     "	.popsection\n"
		     : "=r"(*v) : "m"(*(const volatile uint64_t *)usrc)
		     : "memory" : fault);
	return true;
fault:
	return false;
}

static inline bool uaccess_store64(uintptr_t udst, uint64_t v)
{
	__asm__ goto("1:	movq %1, %0\n"
		     "	.pushsection .ex_table, \"a\"\n"
		     "	.quad 1b, %l[fault]\n"
		     "	.popsection\n"
		     : : "m"(*(volatile uint64_t *)udst), "r"(v) : "memory" : fault);
	return true;
fault:
	return false;
}

/* One byte of user memory read and written back, in one instruction: the
 * page is writable now (see user_writable). */
static inline bool uaccess_probe_write(uintptr_t uaddr)
{
	__asm__ goto("1:	orb $0, (%0)\n"
		     "	.pushsection .ex_table, \"a\"\n"
		     "	.quad 1b, %l[fault]\n"
		     "	.popsection\n"
		     : : "r"(uaddr) : "memory" : fault);
	return true;
fault:
	return false;
}

#endif

/* A constant length of up to 64 bytes, a multiple of 8: inline moves. */
#define UACCESS_INLINE(len) \
	(__builtin_constant_p(len) && (len) % 8 == 0 && (len) <= 64)

static inline enum status copyin(void *dst, uintptr_t usrc, uint64_t len)
{
	if (!user_range_ok(usrc, len))
		return StatusBadAddress;
	if (UACCESS_INLINE(len)) {
#pragma GCC unroll 8
		for (uint64_t i = 0; i < len; i += 8) {
			uint64_t v;
			if (!uaccess_load64(&v, usrc + i))
				return StatusBadAddress;
			__builtin_memcpy((char *)dst + i, &v, 8);
		}
		return StatusOk;
	}
	return uaccess_copy(dst, (const void *)usrc, len) == 0 ? StatusOk :
								StatusBadAddress;
}

static inline enum status copyout(uintptr_t udst, const void *src, uint64_t len)
{
	if (!user_range_ok(udst, len))
		return StatusBadAddress;
	if (UACCESS_INLINE(len)) {
#pragma GCC unroll 8
		for (uint64_t i = 0; i < len; i += 8) {
			uint64_t v;
			__builtin_memcpy(&v, (const char *)src + i, 8);
			if (!uaccess_store64(udst + i, v))
				return StatusBadAddress;
		}
		return StatusOk;
	}
	return uaccess_copy((void *)udst, src, len) == 0 ? StatusOk :
							  StatusBadAddress;
}

/*
 * StatusOk if every page of [uptr, uptr + len) can be written now.  Each
 * page is probed by reading one byte and writing it back (one `orb $0`,
 * a write access), so the probe changes nothing the caller can see (the range may even overlap an input
 * struct not yet read).  A heap or stack page that was never touched is
 * faulted in by the read, exactly as a later copyout would.
 *
 * Why a probe that succeeds means the later copyout cannot fail: there is
 * one vCPU and the kernel is never interrupted, and a live process's user
 * pages are never unmapped (the regions are fixed, there is no munmap;
 * pages go only when the process exits).  Only fork write-protects them,
 * in its own syscall; the probe's write makes a shared page the caller's
 * own (copy-on-write), and it stays so.  So a syscall may probe its
 * outputs first, then act, then copy out, and a failing syscall has no
 * effect (docs/ARCHITECTURE.md).
 */
static inline enum status user_writable(uintptr_t uptr, uint64_t len)
{
	if (!user_range_ok(uptr, len))
		return StatusBadAddress;
	if (len == 0)
		return StatusOk;
	uintptr_t last = uptr + len - 1;
	for (uintptr_t a = uptr;; a = (a & PAGE_MASK) + PAGE_SIZE) {
		if (!uaccess_probe_write(a))
			return StatusBadAddress;
		if ((a & PAGE_MASK) == (last & PAGE_MASK))
			return StatusOk;
	}
}

#endif
