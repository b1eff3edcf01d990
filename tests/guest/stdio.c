/*
 * newlib's stdio on the console: printf formats (integers, strings,
 * floating point through SSE in user mode), snprintf truncation, and,
 * with the argument "exit", output that only exit() delivers: fully
 * buffered lines, lines printed by atexit handlers, and a last line with
 * no newline.  Nothing in this program can see its own console output, so
 * the "exit" run prints marker lines that tools/tests.d/12-newlib.sh
 * requires in the suite's log (init ends the unterminated line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

/* Truncation is what this program tests. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* snprintf(fmt, ...) must give exactly want. */
#define FMT(want, ...) do {                                              \
	char _b[128];                                                    \
	int _n = snprintf(_b, sizeof(_b), __VA_ARGS__);                  \
	int _ok = _n == (int)strlen(want) && strcmp(_b, want) == 0;      \
	if (!_ok)                                                        \
		printf("stdio: %s gave \"%s\" (%d), wanted \"%s\"\n",    \
		       #__VA_ARGS__, _b, _n, want);                      \
	CHECK("format " #__VA_ARGS__, _ok);                              \
} while (0)

static void integers(void)
{
	FMT("42 -7 0", "%d %d %d", 42, -7, 0);
	FMT("-9223372036854775808", "%ld", (long)(-0x7fffffffffffffffL - 1));
	FMT("18446744073709551615", "%llu", 0xffffffffffffffffULL);
	FMT("ff FF 377 0x1f", "%x %X %o %#x", 255, 255, 255, 31);
	FMT("[   42] [42   ] [00042] [+42]", "[%5d] [%-5d] [%05d] [%+d]", 42, 42, 42, 42);
	FMT("123456 -1", "%zu %zd", (size_t)123456, (ssize_t)-1);
	FMT("x % 100%", "%c %% %d%%", 'x', 100);
}

static void strings(void)
{
	FMT("hello, world", "%s, %s", "hello", "world");
	FMT("[  abc] [abc  ] [ab]", "[%5s] [%-5s] [%.2s]", "abc", "abc", "abc");
}

static void floats(void)
{
	FMT("3.141593", "%f", 3.14159265358979);
	FMT("3.14 -0.50 2", "%.2f %.2f %.0f", 3.14159, -0.5, 1.5);
	FMT("1.000000e+10 1.5e-07", "%e %.1e", 1e10, 1.5e-7);
	FMT("0.0001 1e+20 123457", "%g %g %g", 0.0001, 1e20, 123456.7);
	FMT("   2.718", "%8.3f", 2.718281828);
	FMT("inf -inf nan", "%f %f %f", __builtin_inf(), -__builtin_inf(), __builtin_nan(""));
	/* A value computed at run time, not folded by the compiler. */
	volatile double third = 1.0;
	third /= 3.0;
	FMT("0.333333333333", "%.12f", third);
	double back = strtod("0.333333333333", NULL);
	CHECK("strtod of a printed double", back > 0.3333333333 && back < 0.3333333334);
}

static void truncation(void)
{
	char b[8];

	memset(b, 'z', sizeof(b));
	int n = snprintf(b, 5, "%s", "truncated");
	CHECK("snprintf returns the full length", n == 9);
	CHECK("snprintf writes size-1 bytes and a NUL", strcmp(b, "trun") == 0);
	CHECK("snprintf writes nothing past size", b[5] == 'z');
	CHECK("snprintf size 0: length only", snprintf(NULL, 0, "%d", 12345) == 5);
	n = snprintf(b, sizeof(b), "%f", 1.5);
	CHECK("snprintf truncates a double", n == 8 && strcmp(b, "1.50000") == 0);
	CHECK("printf returns its length", printf("stdio: 12 chars\n") == 16);
}

/* ---- "exit": what only exit() delivers -------------------------------------- */

static void handler_first(void)
{
	/* Registered first, so it runs last. */
	printf("stdio-exit: atexit handler 1 ran\n");
	printf("stdio-exit: tail without a newline");
}

static void handler_second(void)
{
	printf("stdio-exit: atexit handler 2 ran\n");
}

static int at_exit(void)
{
	static char buf[4096];

	/* Fully buffered: nothing reaches the console before exit(). */
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	atexit(handler_first);
	atexit(handler_second);
	printf("stdio-exit: buffered line\n");
	return 0;       /* crt0: exit(main()): handlers, then the flush */
}

int main(int argc, char **argv)
{
	check_program = "stdio";
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return at_exit();
	integers();
	strings();
	floats();
	truncation();
	return check_failures;
}
