/* Host stand-ins for the kernel services pure-logic code calls. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"
#include <kernel/panic.h>
#include <kernel/kstat.h>

int unit_failures;
int unit_tests_failed;
const char *unit_current = "?";
jmp_buf *unit_panic_jmp;
char unit_panic_msg[256];
uint64_t unit_rng;
uint64_t kstat[KStatCount];      /* kernel/stats.c's, for the allocators */

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(unit_panic_msg, sizeof(unit_panic_msg), fmt, ap);
	va_end(ap);
	if (unit_panic_jmp)
		longjmp(*unit_panic_jmp, 1);
	fprintf(stderr, "PANIC: %s\n", unit_panic_msg);
	abort();
}

int unit_expect_panic(void (*fn)(void *), void *arg)
{
	jmp_buf jb;
	jmp_buf *saved = unit_panic_jmp;
	int panicked = 0;

	unit_panic_jmp = &jb;
	if (setjmp(jb) == 0)
		fn(arg);
	else
		panicked = 1;
	unit_panic_jmp = saved;
	return panicked;
}
