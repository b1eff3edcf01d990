/* The first program: print, getPid, getTime. */
#include "check.h"

int main(int argc, char **argv)
{
	check_program = "hello";
	if (argc > 1 && strcmp(argv[1], "quiet") == 0)
		return 0;
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		/* For user/bench.c: exec of a tiny program by a tiny program. */
		char *quiet[] = { "/tests/hello", "quiet", 0 };
		return 100 + ethos_exec("/tests/hello", quiet, 0);
	}
	CHECK_STATUS("print hello world", ethos_print("hello, world\n", 13), StatusOk);
	uint64_t pid = ethos_getpid();
	CHECK("getPid is not init's", pid > 1);
	CHECK("getPid is stable", ethos_getpid() == pid);
	uint64_t t0 = ethos_time(), t1 = ethos_time(), t2 = ethos_time();
	CHECK("getTime is after boot", t0 > 0);
	CHECK("getTime is monotonic", t0 <= t1 && t1 <= t2);
	return check_failures;
}
