/*
 * exec and spawn with argv and envp.  The lists are named by argspec.h
 * specs; /tests/argv rebuilds them and says by its exit status whether
 * what it got was intact, so the checks cross the process boundary.
 *
 * Without arguments this is the test; started as
 *   /tests/exec exec SPEC   it execs /tests/argv with SPEC's lists,
 *   /tests/exec exec0       it execs /tests/argv with argc 0,
 *   /tests/exec events      it makes events, children and FPU state, then
 *                           execs /tests/argv "clean:..." which checks
 *                           that none but the children survived.
 */
#include "check.h"
#include "argspec.h"

#define HEAP_END 0x0000004000000000UL     /* kernel/include/kernel/region.h */
#define UNMAPPED ((void *)0x90000000UL)   /* between data and heap */

static char pool[ETHOS_ARG_MAX + 4096];
static char *av[ETHOS_ARGC_MAX + 2], *ev[ETHOS_ARGC_MAX + 2];
static char spec[96];

/* av and ev from a (its spec string formatted into spec); returns the
 * bytes they count against ETHOS_ARG_MAX. */
static uint64_t build(const struct argspec *a)
{
	uint64_t used;
	char *p = pool;

	argspec_format(spec, sizeof(spec), a);
	av[0] = "/tests/argv";
	av[1] = spec;
	used = 2 * 8 + strlen(av[0]) + 1 + strlen(spec) + 1;
	for (uint64_t i = 0; i < argspec_generated(a); i++) {
		/* The specs here stay within ETHOS_ARG_MAX + 1 bytes: the
		 * pool holds them. */
		char **slot = i < a->na - 2 ? &av[2 + i] : &ev[i - (a->na - 2)];
		uint64_t len = argspec_string(a, i, p);
		*slot = p;
		p += len + 1;
		used += 8 + len + 1;
	}
	av[a->na] = 0;
	ev[a->ne] = 0;
	return used;
}

/* A spec whose last string makes it count exactly ETHOS_ARG_MAX + extra. */
static void exact(struct argspec *a, int64_t extra)
{
	a->last = 0;
	uint64_t used = build(a);
	a->last = (int64_t)(ETHOS_ARG_MAX - used) + extra;
}

static void exec_spec(const char *s)
{
	struct argspec a;

	if (!argspec_parse(s, &a))
		ethos_exit(99);
	build(&a);
	enum status st = ethos_exec("/tests/argv", av, a.ne || a.seed % 2 ? ev : 0);
	ethos_exit(100 + st);
}

/* Runs /tests/argv with a's lists: spawned directly, or (via_exec) by a
 * spawned /tests/exec that execs it.  Returns the spawn's status; the exit
 * status in *status. */
static enum status run_spec(const struct argspec *a, int via_exec, int64_t *status)
{
	struct ethos_exit_result r = { 0 };
	EventId exit_event;
	enum status st;

	build(a);
	if (via_exec) {
		char *args[] = { "/tests/exec", "exec", spec, 0 };
		st = ethos_spawnv("/tests/exec", args, 0, 0, &exit_event);
	} else {
		/* An empty envp both ways: a NULL pointer and an empty array. */
		st = ethos_spawnv("/tests/argv", av, a->ne || a->seed % 2 ? ev : 0,
				  0, &exit_event);
	}
	if (st != StatusOk)
		return st;
	st = ethos_block_and_retire(exit_event, &r, sizeof(r), 0);
	*status = r.status;
	return st;
}

static void arguments_arrive(void)
{
	static const struct { const char *what; struct argspec a; int exact; } cases[] = {
		{ "a few strings", { 1, 6, 4, 0, 30, -1 }, 0 },
		{ "envp empty (NULL pointer)", { 2, 3, 0, 0, 10, -1 }, 0 },
		{ "envp empty (empty array)", { 3, 3, 0, 0, 10, -1 }, 0 },
		{ "only empty strings", { 4, 20, 20, 0, 0, -1 }, 0 },
		{ "ETHOS_ARGC_MAX strings, ETHOS_ARG_MAX bytes",
		  { 5, 2048, 2048, 6, 6, 0 }, 1 },
		{ "long strings to ETHOS_ARG_MAX", { 6, 3, 2, 20000, 20000, 0 }, 1 },
		{ "one string of ETHOS_ARG_MAX", { 7, 3, 0, 0, 0, 0 }, 1 },
	};
	char what[128];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int via_exec = 0; via_exec < 2; via_exec++) {
			struct argspec a = cases[i].a;
			int64_t status = -1;
			if (cases[i].exact)
				exact(&a, 0);
			enum status st = run_spec(&a, via_exec, &status);
			snprintf(what, sizeof(what), "%s arrive intact by %s",
				 cases[i].what, via_exec ? "exec" : "spawn");
			CHECK(what, st == StatusOk && status == 0);
			if (st != StatusOk || status != 0)
				printf("exec: %s: %s, exit %ld\n", what,
				       ethos_status_name(st), (long)status);
		}
	}
}

static void too_big(void)
{
	struct argspec bytes = { 5, 2048, 2048, 6, 6, 0 };
	struct argspec count = { 8, 2049, 2048, 0, 0, -1 };
	struct argspec one = { 7, 3, 0, 0, 0, 0 };
	uint64_t pending0, pending1;
	int64_t status = -1;

	ethos_pending_events(0, 0, &pending0);
	exact(&bytes, 1);
	CHECK_STATUS("spawn: one byte over ETHOS_ARG_MAX is TooBig",
		     run_spec(&bytes, 0, &status), StatusTooBig);
	exact(&one, 1);
	CHECK_STATUS("spawn: one string over ETHOS_ARG_MAX is TooBig",
		     run_spec(&one, 0, &status), StatusTooBig);
	CHECK_STATUS("spawn: ETHOS_ARGC_MAX + 1 strings is TooBig",
		     run_spec(&count, 0, &status), StatusTooBig);
	ethos_pending_events(0, 0, &pending1);
	CHECK("a refused spawn leaves no exit event", pending1 == pending0);
	/* The same through exec: the child's exec fails, it exits 100 + status. */
	CHECK("exec: one byte over ETHOS_ARG_MAX is TooBig",
	      run_spec(&bytes, 1, &status) == StatusOk && status == 100 + StatusTooBig);
	CHECK("exec: ETHOS_ARGC_MAX + 1 strings is TooBig",
	      run_spec(&count, 1, &status) == StatusOk && status == 100 + StatusTooBig);
}

static void argc_zero(void)
{
	char *none[] = { 0 }, *env[] = { "ARGC0=yes", 0 };
	struct ethos_exit_result r = { 0 };
	EventId e;

	/* argc 0 is allowed (POSIX allows it; the program gets argv[0] NULL). */
	CHECK("spawn with argc 0 (empty argv)",
	      ethos_spawnv("/tests/argv", none, env, 0, &e) == StatusOk &&
	      ethos_block_and_retire(e, &r, sizeof(r), 0) == StatusOk && r.status == 0);
	r.status = -1;
	CHECK("spawn with argc 0 (argv NULL)",
	      ethos_spawnv("/tests/argv", 0, env, 0, &e) == StatusOk &&
	      ethos_block_and_retire(e, &r, sizeof(r), 0) == StatusOk && r.status == 0);
	r.status = -1;
	char *args[] = { "/tests/exec", "exec0", 0 };
	CHECK("exec with argc 0",
	      ethos_spawnv("/tests/exec", args, 0, 0, &e) == StatusOk &&
	      ethos_block_and_retire(e, &r, sizeof(r), 0) == StatusOk && r.status == 0);
}

/* ---- failed exec: the caller goes on as it was --------------------------- */

static EventId far_beep;
static uint64_t pattern[1024];

static void try_exec(const char *what, const char *path, char **argv,
		     char **envp, enum status want)
{
	EventId ids[4] = { 0 };
	uint64_t n = 0, pid = ethos_getpid();
	char name[128];

	/* A first try faults in whatever of our own memory the call touches
	 * (a stack page, a heap page the kernel reads).  Then four tries: a
	 * leak shows on every one, so the count must not fall by four; the
	 * kernel's objects are counted exactly by init after the program. */
	enum status st = ethos_exec(path, argv, envp);
	uint64_t pages = ethos_free_pages();
	for (int i = 0; i < 4; i++)
		st = ethos_exec(path, argv, envp);
	uint64_t pages_after = ethos_free_pages();
	ethos_pending_events(ids, 4, &n);
	int same = n == 1 && ids[0] == far_beep && ethos_getpid() == pid;
	for (unsigned i = 0; i < 1024; i++)
		same &= pattern[i] == i * 0x9e3779b97f4a7c15ULL;
	CHECK_STATUS(what, st, want);
	snprintf(name, sizeof(name), "%s: the caller is intact (events, memory, pages)",
		 what);
	CHECK(name, same && pages_after + 4 > pages);
	if (!same || pages != pages_after)
		printf("exec: %s: %lu pending, free pages %lu -> %lu\n", what,
		       (unsigned long)n, (unsigned long)pages,
		       (unsigned long)pages_after);
}

static void failed_exec(void)
{
	char **edge = (char **)(HEAP_END - 16);
	char *tail = (char *)(HEAP_END - 3);
	static char big[ETHOS_ARG_MAX];

	/* Touched first, so that the page counts below do not see them. */
	edge[0] = "/tests/argv";
	edge[1] = "x";                 /* no NULL: the next word is unmapped */
	memcpy(tail, "abc", 3);        /* no NUL before the unmapped page */
	memset(big, 'b', sizeof(big) - 1);
	for (unsigned i = 0; i < 1024; i++)
		pattern[i] = i * 0x9e3779b97f4a7c15ULL;
	CHECK_STATUS("a far beep to outlive the failures",
		     ethos_beep(ethos_time() + 3600ULL * 1000000000ULL, &far_beep),
		     StatusOk);

	char *ok[] = { "/tests/argv", 0 };
	char *bad_string[] = { "/tests/argv", UNMAPPED, 0 };
	char *kernel_string[] = { "/tests/argv", (char *)0xffffffff80000000UL, 0 };
	char *into_hole[] = { tail, 0 };
	char *huge[] = { big, 0 };
	static char *many[ETHOS_ARGC_MAX + 2];
	for (unsigned i = 0; i <= ETHOS_ARGC_MAX; i++)
		many[i] = "";

	try_exec("exec of a missing file is NotFound", "/no/such/file", ok, 0,
		 StatusNotFound);
	try_exec("exec of a directory is NotFound", "/tests", ok, 0, StatusNotFound);
	try_exec("exec of a corrupt ELF is InvalidElfFile", "/tests/corrupt.elf",
		 ok, 0, StatusInvalidElfFile);
	try_exec("exec of a truncated ELF is InvalidElfFile", "/tests/truncated.elf",
		 ok, 0, StatusInvalidElfFile);
	try_exec("exec with ETHOS_ARGC_MAX + 1 strings is TooBig", "/tests/argv",
		 many, 0, StatusTooBig);
	try_exec("exec with a string over ETHOS_ARG_MAX is TooBig", "/tests/argv",
		 huge, 0, StatusTooBig);
	try_exec("exec with argv unmapped is BadAddress", "/tests/argv",
		 UNMAPPED, 0, StatusBadAddress);
	try_exec("exec with envp unmapped is BadAddress", "/tests/argv",
		 ok, UNMAPPED, StatusBadAddress);
	try_exec("exec with an unmapped string is BadAddress", "/tests/argv",
		 bad_string, 0, StatusBadAddress);
	try_exec("exec with a kernel string is BadAddress", "/tests/argv",
		 kernel_string, 0, StatusBadAddress);
	try_exec("exec with argv running into an unmapped page is BadAddress",
		 "/tests/argv", edge, 0, StatusBadAddress);
	try_exec("exec with a string running into an unmapped page is BadAddress",
		 "/tests/argv", into_hole, 0, StatusBadAddress);
	try_exec("exec with a bad envp string is BadAddress", "/tests/argv",
		 ok, bad_string + 1, StatusBadAddress);

	struct sys_exec_in in = { "/tests/argv", 300, 0, 0 };
	CHECK_STATUS("exec with an overlong path is InvalidArgument",
		     ethos_syscall(SysExec, &in, 0), StatusInvalidArgument);
	CHECK_STATUS("exec with an unmapped input struct is BadAddress",
		     ethos_syscall(SysExec, UNMAPPED, 0), StatusBadAddress);
	ethos_cancel(far_beep);
}

/* ---- a successful exec drops the events, keeps pid and children ---------- */

static int events_child(void)
{
	struct ethos_beep_result r;
	EventId far, soon, e1, e2;
	uint64_t g1, g2;
	char clean[64];

	if (ethos_beep(ethos_time() + 3600ULL * 1000000000ULL, &far) != StatusOk ||
	    ethos_beep(ethos_time(), &soon) != StatusOk ||
	    ethos_spawn("/tests/argv", "sleep:1000", &g1, &e1) != StatusOk ||
	    ethos_spawn("/tests/argv", "sleep:5000", &g2, &e2) != StatusOk)
		return 90;
	/* soon completes, and stays completed (not retired). */
	EventId s;
	if (ethos_beep(ethos_time() + 5000000, &s) != StatusOk ||
	    ethos_block_and_retire(s, &r, sizeof(r), 0) != StatusOk)
		return 91;
	/* Non-default FPU/SSE state, which exec must not pass on. */
	uint32_t mxcsr = 0x7f80;
	uint16_t fcw = 0x27f;
	asm volatile("ldmxcsr %0" : : "m"(mxcsr));
	asm volatile("fldcw %0" : : "m"(fcw));
	snprintf(clean, sizeof(clean), "clean:%lu:%lu",
		 (unsigned long)ethos_getpid(), (unsigned long)g2);
	char *args[] = { "/tests/argv", clean, 0 };
	return 100 + ethos_exec("/tests/argv", args, 0);
}

static uint64_t processes(void)
{
	uint64_t v[KStatCount];

	if (ethos_kernel_stats(v, 0) != StatusOk)
		return ~0ULL;
	return v[KStatProcesses];
}

static void exec_cancels_events(void)
{
	struct ethos_exit_result r = { 0 };
	uint64_t before = processes(), pid;
	EventId e;
	char *args[] = { "/tests/exec", "events", 0 };

	CHECK("the exit event of a program that exec'd completes with the new "
	      "program's status (events gone, pid kept, children kept, FPU reset)",
	      ethos_spawnv("/tests/exec", args, 0, &pid, &e) == StatusOk &&
	      ethos_block_and_retire(e, &r, sizeof(r), 0) == StatusOk &&
	      r.pid == pid && r.status == 42);
	if (r.status != 42)
		printf("exec: the events child exited %ld\n", (long)r.status);
	/* Its other grandchild (1 s) outlives it: init adopts it (init's
	 * table for this program expects that one orphan) and it ends by
	 * itself. */
	for (int i = 0; i < 500 && processes() != before; i++)
		sleep_ms(10);
	CHECK("the grandchild whose exit event exec dropped ends and is freed",
	      processes() == before);
}

int main(int argc, char **argv)
{
	check_program = "exec";
	if (argc >= 3 && strcmp(argv[1], "exec") == 0)
		exec_spec(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "exec0") == 0) {
		char *env[] = { "ARGC0=yes", 0 };
		return 100 + ethos_exec("/tests/argv", 0, env);
	}
	if (argc >= 2 && strcmp(argv[1], "events") == 0)
		return events_child();
	failed_exec();
	arguments_arrive();
	too_big();
	argc_zero();
	exec_cancels_events();
	return check_failures;
}
