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

/*
 * StatusOk if every page of [uptr, uptr + len) can be written now.  Each
 * page is probed by reading one byte and writing it back, so the probe
 * changes nothing the caller can see (the range may even overlap an input
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
		uint8_t byte;
		if (uaccess_copy(&byte, (const void *)a, 1) != 0 ||
		    uaccess_copy((void *)a, &byte, 1) != 0)
			return StatusBadAddress;
		if ((a & PAGE_MASK) == (last & PAGE_MASK))
			return StatusOk;
	}
}

#endif
