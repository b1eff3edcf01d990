/*
 * A batch's run of one hot call (beep, retire): sys_batch hands the run
 * to a loop next to the call's handler (beep.c, event.c), where the
 * handler is inline: no indirect call, no register saving per call, the
 * source's state loaded once.  Each entry still gets its own status
 * and the no-effect rule, exactly as when sys_batch runs it.
 *
 * The runner starts at entry (one for NR), runs entries while they are
 * NR calls and returns the address past the last one it ran, with
 * BATCH_RUN_STOPPED set if ETHOS_BATCH_STOP ended the batch there (one
 * return value: nothing is kept in memory across the loop).  sys_batch probed the
 * whole array writable first, so an entry's loads and status store
 * cannot fault.
 */
#ifndef BATCHRUN_H
#define BATCHRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <kernel/uaccess.h>
#include <kernel/panic.h>

struct proc;

/* User addresses are below 2^63: the top bit is free for the flag. */
#define BATCH_RUN_STOPPED (1ULL << 63)

/* setup: a statement run once before the loop (what call may use). */
#define DEFINE_BATCH_RUN(name, NR, call, setup)                               \
uint64_t name(struct proc *p, uintptr_t entry, uintptr_t end, bool stop)     \
{                                                                            \
	uint64_t nr = NR, stopped = 0;                                       \
	bool ok;                                                             \
                                                                             \
	setup;                                                               \
                                                                             \
	do {                                                                 \
		uint64_t cin, cout;                                          \
		ok = uaccess_load64(&cin, entry +                            \
				    offsetof(struct ethos_batch_call, in)) && \
		     uaccess_load64(&cout, entry +                           \
				    offsetof(struct ethos_batch_call, out)); \
		ASSERT(ok);                                                  \
		enum status st = call(p, cin, cout);                         \
		ok = uaccess_store64(entry +                                 \
				     offsetof(struct ethos_batch_call, status), \
				     (uint64_t)st);                          \
		ASSERT(ok);                                                  \
		entry += sizeof(struct ethos_batch_call);                    \
		if (__builtin_expect(st != StatusOk, 0)) {                   \
			if (stop) {                                          \
				stopped = BATCH_RUN_STOPPED;                 \
				break;                                       \
			}                                                    \
		}                                                            \
		if (entry >= end)                                            \
			break;                                               \
		ok = uaccess_load64(&nr, entry);                             \
		ASSERT(ok);                                                  \
	} while (nr == (NR));                                                \
	return entry | stopped;                                              \
}

#endif
