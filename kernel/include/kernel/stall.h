/* Timing fault injection (ethos.stall=N); see kernel/stall.c. */
#ifndef KERNEL_STALL_H
#define KERNEL_STALL_H

void stall_init(void);
void stall_maybe(void);       /* on the way back to user mode */

#endif
