/*
 * The one door to user memory.  copyin/copyout check that the whole range
 * lies in the user half (no kernel address, no wrap-around, no
 * non-canonical address) and then copy with fault-safe routines, so any
 * bad pointer becomes StatusBadAddress.  Only the syscall layer calls
 * these, and only for the current process.
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
	return uptr < USER_TOP && len <= USER_TOP - uptr;
}

static inline enum status copyin(void *dst, uintptr_t usrc, uint64_t len)
{
	if (!user_range_ok(usrc, len))
		return StatusBadAddress;
	return uaccess_copy(dst, (const void *)usrc, len) == 0 ? StatusOk :
								StatusBadAddress;
}

static inline enum status copyout(uintptr_t udst, const void *src, uint64_t len)
{
	if (!user_range_ok(udst, len))
		return StatusBadAddress;
	return uaccess_copy((void *)udst, src, len) == 0 ? StatusOk :
							  StatusBadAddress;
}

#endif
