/*
 * panic() and ASSERT().  panic prints one line "PANIC: <reason>" and ends
 * the domain (crash).  Host unit tests provide their own panic() so that
 * the same code can be tested natively.
 */
#ifndef PANIC_H
#define PANIC_H

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

#define ASSERT(cond) do {                                                \
	if (__builtin_expect(!(cond), 0))                                \
		panic("assertion '%s' failed at %s:%d", #cond,           \
		      __FILE__, __LINE__);                               \
} while (0)

/* Invariants too costly to check outside debug builds (make DEBUG=1). */
#ifdef ETHOS_DEBUG
#define DEBUG_ASSERT(cond) ASSERT(cond)
#else
#define DEBUG_ASSERT(cond) do { (void)sizeof(cond); } while (0)
#endif

#endif /* PANIC_H */
