/*
 * Deferred work: upcalls (timer, console input, later the RPC rings) only
 * set a flag; the work itself (completing events, waking processes) runs
 * at the next return to user mode or in the idle loop, with events masked
 * and a consistent kernel under it.
 */
#ifndef KERNEL_DEFERRED_H
#define KERNEL_DEFERRED_H

#include <stdbool.h>

/* Set in upcall context, cleared by deferred_run; read on every return to
 * user mode, so the check is inline. */
extern volatile bool deferred_flag;

/* Upcall context: asks for deferred work. */
static inline void deferred_request(void)
{
	deferred_flag = true;
}

static inline bool deferred_requested(void)
{
	return deferred_flag;
}

/* Runs what was asked for: expired beeps, console input. */
void deferred_run(void);

#endif
