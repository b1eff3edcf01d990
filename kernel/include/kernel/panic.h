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

#endif /* PANIC_H */
