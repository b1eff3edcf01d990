/*
 * Deferred work: upcalls (timer, console input, later the RPC rings) only
 * set a flag; the work itself (completing events, waking processes) runs
 * at the next return to user mode or in the idle loop, with events masked
 * and a consistent kernel under it.
 */
#ifndef KERNEL_DEFERRED_H
#define KERNEL_DEFERRED_H

#include <stdbool.h>

/* Upcall context: asks for deferred work. */
void deferred_request(void);
bool deferred_requested(void);
/* Runs what was asked for: expired beeps, console input. */
void deferred_run(void);

#endif
