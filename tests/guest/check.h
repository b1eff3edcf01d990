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

/* True when every process but us is blocked: each blocked process holds
 * one wait record, and we hold none. */
static inline int others_all_blocked(void)
{
	uint64_t v[KStatCount];
	uint32_t n = 0;

	if (ethos_kernel_stats(v, &n) != StatusOk || n <= KStatWaits)
		return 1;             /* cannot tell: do not wait for it */
	return v[KStatWaits] + 1 >= v[KStatProcesses];
}

/* Sleeps 2 ms, then on in 1 ms steps (5 s at most) until every other
 * process is blocked.  Our parent may be preempted between its spawn of
 * us and its block on our exit; on the domU path its console writes
 * stall in the kernel on a full ring, for as long as xenconsoled is slow
 * to drain it, which under load is longer than any fixed sleep.  Its wait
 * record, made inside a test's exact free-page window, costs a page
 * sometimes (ARCHITECTURE.md, "What an exact free-page check needs").  A
 * test whose window opens early calls this first; the first sleep also
 * makes our own event table. */
static inline enum status sleep_settle(struct ethos_beep_result *r)
{
	enum status st = sleep_ms_result(2, r);

	for (int i = 0; st == StatusOk && i < 5000 && !others_all_blocked(); i++)
		st = sleep_ms_result(1, r);
	return st;
}

/* sleep_settle as a check: the first line of a test whose exact counts
 * would see its parent's wait record. */
static inline void settle_first(void)
{
	struct ethos_beep_result r;
	enum status st = sleep_settle(&r);

	CHECK("settle: every other process blocked",
	      st == StatusOk && others_all_blocked());
}

#endif
