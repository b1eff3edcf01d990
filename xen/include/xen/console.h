/*
 * The console: dom0 writes through HYPERVISOR_console_io, a domU through
 * the PV console ring shared with xenconsoled.  One interface for both.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stddef.h>

void console_init(void);
void console_write(const char *buf, size_t len);
/* Waits (bounded) until the backend has consumed everything written. */
void console_flush(void);
/* ethos.test=deadconsole: the ring path with no backend; failed checks. */
int console_test_dead_backend(void);

/* Input: enabled after event channels are up.  fn runs in upcall context
 * with the bytes as they arrive; it must only store them. */
typedef void (*console_input_fn)(const char *buf, size_t n);
void console_input_init(console_input_fn fn);

#endif
