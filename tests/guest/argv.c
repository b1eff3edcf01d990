/*
 * The other end of tests/guest/exec.c: a program that checks the start it
 * got and says so by its exit status (0: all as expected), since no other
 * process can look at its memory.  What it expects comes from argv[1]:
 *
 *   "a:..."              argv and envp as argspec.h generates them
 *   "sleep:MS"           ends by itself after MS ms (a grandchild in exec.c)
 *   "clean:PID:KILL"     started by an exec: the pid is still PID, no event
 *                        of the old program is left, the FPU state is the
 *                        reset state, and KILL is still our child
 *   no argv at all       argc 0: argv[0] is NULL, envp is {"ARGC0=yes"}
 *
 * Every run also checks the layout itself: rsp (just below argv) 16-byte
 * aligned, argv[argc] NULL, environ == envp, AT_PAGESZ in the auxv.
 */
#include "argspec.h"

static char expect[ETHOS_ARG_MAX];

static int fail(int code, const char *why)
{
	printf("FAIL: argv/%s\n", why);
	return code;
}

static int check_layout(int argc, char **argv, char **envp)
{
	if (((uintptr_t)argv - 8) % 16 != 0)
		return fail(2, "rsp 16-byte aligned at the start");
	if ((uint64_t)argc != ((uint64_t *)argv)[-1] || argv[argc] != 0)
		return fail(3, "argc below argv, NULL after it");
	if (envp != argv + argc + 1 || environ != envp)
		return fail(4, "envp after argv's NULL, in environ");
	char **e = envp;
	while (*e)
		e++;
	uint64_t *aux = (uint64_t *)(e + 1), pagesz = 0;
	for (int i = 0; i < 64 && aux[2 * i] != 0; i++)
		if (aux[2 * i] == 6)               /* AT_PAGESZ */
			pagesz = aux[2 * i + 1];
	if (pagesz != 4096)
		return fail(5, "AT_PAGESZ 4096 in the auxv");
	return 0;
}

static int check_spec(int argc, char **argv, char **envp)
{
	struct argspec a;
	uint64_t n = 0;

	if (!argspec_parse(argv[1], &a))
		return fail(10, "a spec it can read");
	if ((uint64_t)argc != a.na || strcmp(argv[0], "/tests/argv") != 0)
		return fail(11, "argc and argv[0]");
	for (uint64_t i = 2; i < a.na; i++, n++) {
		uint64_t len = argspec_string(&a, n, expect);
		if (strlen(argv[i]) != len || memcmp(argv[i], expect, len) != 0)
			return fail(12, "every argv string intact");
	}
	for (uint64_t i = 0; i < a.ne; i++, n++) {
		uint64_t len = argspec_string(&a, n, expect);
		if (envp[i] == 0 || strlen(envp[i]) != len ||
		    memcmp(envp[i], expect, len) != 0)
			return fail(13, "every envp string intact");
	}
	if (envp[a.ne] != 0)
		return fail(14, "envc as in the spec");
	return 0;
}

static uint64_t number_after(const char **s)
{
	uint64_t v = 0;

	while (**s && **s != ':')
		(*s)++;
	if (**s == ':')
		(*s)++;
	while (**s >= '0' && **s <= '9')
		v = v * 10 + (uint64_t)(*(*s)++ - '0');
	return v;
}

/* After an exec: the old program's events and FPU state are gone, its
 * pid and its children are not.  Exit 42 (not 0) so that the parent
 * knows this program, not the one before the exec, ended. */
static int check_clean(const char *spec)
{
	uint64_t pid = number_after(&spec), kill = number_after(&spec);
	uint64_t pending = 1, completed = 1;
	uint32_t mxcsr = 0;
	uint16_t fcw = 0;

	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	asm volatile("fnstcw %0" : "=m"(fcw));
	/* First, so that a failure below leaves no sleeper behind. */
	enum status killed = ethos_kill(kill);
	ethos_pending_events(0, 0, &pending);
	ethos_completed_events(0, 0, &completed);
	if (ethos_getpid() != pid)
		return fail(20, "exec keeps the pid");
	if (pending != 0 || completed != 0)
		return fail(21, "exec cancelled every event of the old program");
	if (mxcsr != 0x1f80 || fcw != 0x37f)
		return fail(22, "exec resets the FPU/SSE state");
	if (killed != StatusOk)
		return fail(23, "the old program's child is still ours");
	return 42;
}

int main(int argc, char **argv, char **envp)
{
	int st = check_layout(argc, argv, envp);

	if (st != 0)
		return st;
	if (argc == 0) {
		if (argv[0] != 0 || envp[0] == 0 || strcmp(envp[0], "ARGC0=yes") != 0 ||
		    envp[1] != 0)
			return fail(30, "argc 0 with envp {\"ARGC0=yes\"}");
		return 0;
	}
	if (argc >= 2 && memcmp(argv[1], "sleep:", 6) == 0) {
		const char *s = argv[1];
		uint64_t ms = number_after(&s);
		struct ethos_beep_result r;
		EventId e;
		if (ethos_beep(ethos_time() + ms * 1000000ULL, &e) == StatusOk)
			ethos_block_and_retire(e, &r, sizeof(r), 0);
		return 0;
	}
	if (argc >= 2 && memcmp(argv[1], "clean:", 6) == 0)
		return check_clean(argv[1]);
	return check_spec(argc, argv, envp);
}
