/*
 * Program entry.  The kernel starts a process here with rdi = its argument
 * string (on the stack) and rsi = its length, and the stack aligned as if
 * _start had been called.
 */
#include <ethos/ethos.h>

int main(int argc, char **argv);

void _start(const char *arg, uint64_t len);

void _start(const char *arg, uint64_t len)
{
	char *argv[3] = { "program", len ? (char *)arg : 0, 0 };

	ethos_exit(main(len ? 2 : 1, argv));
}
