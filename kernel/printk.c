/* printk and panic. */
#include <stdarg.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/kstring.h>
#include <xen/console.h>
#include <arch/cpu.h>
#include <arch/trap.h>

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void panic(const char *fmt, ...)
{
	static int panicking;
	char buf[256];
	va_list ap;

	cpu_events_mask();
	if (panicking++ == 0) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		printk("PANIC: %s\n", buf);
		trap_panic_backtrace((uint64_t)__builtin_frame_address(0));
	}
	cpu_shutdown(true);
}
