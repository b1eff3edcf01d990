/*
 * A minimal host unit-test harness.  Every check that fails prints
 * "FAIL: <test>: <file>:<line>: <expr>"; every test prints one line
 * "PASS: <test>" or "FAIL: <test>" when it ends.  tools/count-results
 * counts those lines for `make test`.
 */
#ifndef UNIT_H
#define UNIT_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern int unit_failures;          /* failed checks in the current test */
extern int unit_tests_failed;      /* failed tests so far */
extern const char *unit_current;

/* A test expecting a panic sets this; host panic() longjmps to it. */
extern jmp_buf *unit_panic_jmp;
extern char unit_panic_msg[256];

#define CHECK(cond) do {                                                 \
	if (!(cond)) {                                                   \
		printf("FAIL: %s: %s:%d: %s\n", unit_current, __FILE__,  \
		       __LINE__, #cond);                                 \
		unit_failures++;                                         \
	}                                                                \
} while (0)

#define CHECK_EQ(a, b) do {                                              \
	long long _a = (long long)(a), _b = (long long)(b);              \
	if (_a != _b) {                                                  \
		printf("FAIL: %s: %s:%d: %s == %s (%lld != %lld)\n",      \
		       unit_current, __FILE__, __LINE__, #a, #b, _a, _b);\
		unit_failures++;                                         \
	}                                                                \
} while (0)

/*
 * splitmix64: a tiny random generator that gives the same sequence on
 * every host, so a failing seed can be replayed.  Set unit_rng to seed it.
 */
extern uint64_t unit_rng;

static inline uint64_t unit_rand(void)
{
	uint64_t z = (unit_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t unit_rand_below(uint32_t n)
{
	return (uint32_t)(unit_rand() % n);
}

static inline uint32_t unit_rand_range(uint32_t lo, uint32_t hi)
{
	return lo + unit_rand_below(hi - lo + 1);
}

/* Runs fn() and expects it to call panic(); true if it did. */
int unit_expect_panic(void (*fn)(void *), void *arg);

#define RUN(test) do {                                                   \
	unit_current = #test;                                            \
	unit_failures = 0;                                               \
	test();                                                          \
	if (unit_failures) {                                             \
		printf("FAIL: %s\n", #test);                             \
		unit_tests_failed++;                                     \
	} else {                                                         \
		printf("PASS: %s\n", #test);                             \
	}                                                                \
	fflush(stdout);                                                  \
} while (0)

#define UNIT_EXIT() return unit_tests_failed ? 1 : 0

#endif /* UNIT_H */
