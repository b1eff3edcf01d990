/* In-guest test helpers: PASS/FAIL lines, exit status = failures. */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ethos/ethos.h>

static int check_failures;
static const char *check_program = "test";
static int check_quiet;          /* only FAIL lines (a program run many times) */

#define CHECK(name, cond) do {                                           \
	if (cond) {                                                      \
		if (!check_quiet)                                        \
			printf("PASS: %s/%s\n", check_program, name);    \
	} else {                                                         \
		printf("FAIL: %s/%s (%s:%d)\n", check_program, name,     \
		       __FILE__, __LINE__);                              \
		check_failures++;                                        \
	}                                                                \
} while (0)

#define CHECK_STATUS(name, expr, want) do {                              \
	enum status _st = (expr);                                        \
	if (_st == (want)) {                                             \
		if (!check_quiet)                                        \
			printf("PASS: %s/%s\n", check_program, name);    \
	} else {                                                         \
		printf("FAIL: %s/%s: %s, wanted %s (%s:%d)\n",           \
		       check_program, name, ethos_status_name(_st),      \
		       ethos_status_name(want), __FILE__, __LINE__);     \
		check_failures++;                                        \
	}                                                                \
} while (0)

/* stdio takes its stdout buffer from the heap at the first printf; tests
 * that compare free-page counts must not see that page taken between two
 * counts, so it is taken before main. */
__attribute__((constructor)) static void check_stdio_warm(void)
{
	setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
}

/* A function whose address is a pointer into read-only text. */
static inline int in_text(void)
{
	return 1;
}

/* Sleeps on a beep ms milliseconds from now: its status, and the beep's
 * result in *r. */
static inline enum status sleep_ms_result(uint64_t ms, struct ethos_beep_result *r)
{
	EventId e;
	enum status st = ethos_beep(ethos_time() + ms * 1000000ULL, &e);

	return st != StatusOk ? st : ethos_block_and_retire(e, r, sizeof(*r), 0);
}

/* The same, when only the sleep matters. */
static inline void sleep_ms(uint64_t ms)
{
	struct ethos_beep_result r;

	(void)sleep_ms_result(ms, &r);
}

/* Sleeps 2 ms: long enough for a parent that was preempted right after
 * spawning us to run on to its block.  A test whose exact page count
 * starts early calls this first (see sharedtext.c). */
static inline enum status sleep_settle(struct ethos_beep_result *r)
{
	return sleep_ms_result(2, r);
}

#endif
