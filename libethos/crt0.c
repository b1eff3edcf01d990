/*
 * Program entry.  The kernel starts a process here with rdi = its argument
 * string (on the stack) and rsi = its length, and the stack aligned as if
 * _start had been called.
 */
#include <stdlib.h>
#include <ethos/ethos.h>

int main(int argc, char **argv, char **envp);

void _start(const char *arg, uint64_t len);

void _start(const char *arg, uint64_t len)
{
	char *argv[3] = { "program", len ? (char *)arg : 0, 0 };
	static char *envp[1];

	/* newlib: exit() runs the atexit handlers and flushes stdio. */
	ethos_libc_init(envp);
	exit(main(len ? 2 : 1, argv, envp));
}
