/*
 * A batch's run of one hot call (beep, retire): sys_batch hands the run
 * to a loop next to the call's handler (beep.c, event.c), where the
 * handler is inline: no indirect call, no register saving per call, the
 * source's state loaded once.  Each entry still gets its own status
 * and the no-effect rule, exactly as when sys_batch runs it.
 *
 * The runner starts at *pentry (an entry for NR), runs entries while
 * they are NR calls, leaves *pentry past the last one it ran and returns
 * true if ETHOS_BATCH_STOP ended the batch there.  sys_batch probed the
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

#define DEFINE_BATCH_RUN(name, NR, call)                                      \
bool name(struct proc *p, uintptr_t *pentry, uintptr_t end, bool stop)       \
{                                                                            \
	uintptr_t entry = *pentry;                                           \
	uint64_t nr = NR;                                                    \
	bool stopped = false, ok;                                            \
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
		if (st != StatusOk && stop) {                                \
			stopped = true;                                      \
			break;                                               \
		}                                                            \
		if (entry >= end)                                            \
			break;                                               \
		ok = uaccess_load64(&nr, entry);                             \
		ASSERT(ok);                                                  \
	} while (nr == (NR));                                                \
	*pentry = entry;                                                     \
	return stopped;                                                      \
}

#endif
