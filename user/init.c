/*
 * init: the first process.  With the argument "suite" it runs the in-guest
 * test suite: every test program in turn, each checked by its exit status
 * (or by how it was killed) and by the kernel's live object counters
 * (SysKernelStats: every event, wait, process, text image and slob object
 * it made must be gone when it ends), then the free-page count against
 * the start, and ends the system with "suite: N passed, N failed".
 * Otherwise it greets and shuts down.
 */
#include <stdio.h>
#include <string.h>
#include <ethos/ethos.h>

struct test {
	const char *path;
	const char *arg;
	int64_t expect;          /* exit status, or ETHOS_KILLED_BASE - vector */
	int orphans;             /* processes it leaves to init, each to exit 0 */
};

#define KILLED(vector) (ETHOS_KILLED_BASE - (vector))

static const struct test tests[] = {
	{ "/tests/hello", 0, 0, 0 },
	{ "/tests/syscalls", 0, 0, 0 },
	{ "/tests/memory", 0, 0, 0 },
	{ "/tests/readkernel", 0, KILLED(14), 0 },
	{ "/tests/writetext", 0, KILLED(14), 0 },
	{ "/tests/divzero", 0, KILLED(0), 0 },
	{ "/tests/badopcode", 0, KILLED(6), 0 },
	{ "/tests/privileged", 0, KILLED(13), 0 },
	{ "/tests/syscallinsn", 0, KILLED(6), 0 },
	{ "/tests/softint", "0x82", KILLED(13), 0 },
	{ "/tests/softint", "0x81", KILLED(13), 0 },
	{ "/tests/softint", "2", KILLED(13), 0 },
	{ "/tests/softint", "13", KILLED(13), 0 },
	{ "/tests/softint", "3", KILLED(3), 0 },
	{ "/tests/softint", "4", KILLED(4), 0 },
	{ "/tests/preempt", 0, 0, 0 },
	{ "/tests/yield", 0, 0, 0 },
	{ "/tests/fpu", 0, 0, 0 },
	{ "/tests/sharedtext", 0, 0, 0 },
	{ "/tests/limits", 0, 0, 0 },
	{ "/tests/pagecount", 0, 0, 0 },
	{ "/tests/fuzz", 0, 0, 0 },
	{ "/tests/memhog", 0, KILLED(14), 0 },
	{ "/tests/hello", 0, 0, 0 },      /* the system still works after it */
	{ "/tests/events", 0, 0, 0 },
	{ "/tests/trees", 0, 0, 0 },
	{ "/tests/kstats", 0, 0, 0 },
	{ "/tests/waitreuse", 0, 0, 0 },
	{ "/tests/noeffect", 0, 0, 0 },
	{ "/tests/exec", 0, 0, 1 },
	{ "/tests/fork", 0, 0, 1 },
	{ "/tests/forkbomb", 0, 0, 0 },
	{ "/tests/batch", 0, 0, 0 },
	{ "/tests/blockretire", 0, 0, 0 },
	{ "/tests/handles", 0, 0, 0 },
	{ "/tests/timepage", 0, 0, 0 },
	{ "/tests/files", 0, 0, 0 },
	{ "/tests/rootdir", 0, 0, 0 },
	{ "/tests/ipc", 0, 0, 0 },
	{ "/tests/stdio", 0, 0, 0 },
	{ "/tests/stdio", "exit", 0, 0 },    /* ends without a newline */
	{ "/tests/malloc", 0, 0, 0 },
	{ "/tests/libc", 0, 0, 0 },
	{ "/tests/portable", 0, 0, 0 },  /* built outside the tree by tools/ethos-cc */
	{ "/tests/callbacks", 0, 0, 0 },
	{ "/tests/callbacks", "exit", 42, 0 },           /* a handler may exit */
	{ "/tests/callbacks", "forge-rip", KILLED(13), 0 },
	{ "/tests/callbacks", "forge-cs", KILLED(13), 0 },
	{ "/tests/callbacks", "forge-iopl", KILLED(13), 0 },
	{ "/tests/callbacks", "forge-rsp", KILLED(13), 0 },
	{ "/tests/callbacks", "forge-tf", KILLED(13), 0 },
	{ "/tests/callbacks", "forge-mxcsr", KILLED(13), 0 },
	{ "/tests/callbacks", "forge-addr", KILLED(13), 0 },
	{ "/tests/callbacks", "nested-exc", KILLED(3), 0 },
	{ "/tests/callbacks", "badstack", KILLED(14), 0 },
	{ "/tests/callbacks", "badaltstack", KILLED(14), 0 },   /* diverted from block */
	{ "/tests/hello", 0, 0, 0 },      /* the system still works after them */
};

static int passed, failed;

static void result(int ok, const char *what, const char *detail)
{
	printf("%s: init/%s%s%s\n", ok ? "PASS" : "FAIL", what,
	       detail[0] ? ": " : "", detail);
	if (ok)
		passed++;
	else
		failed++;
}

/*
 * "suite-lateparent": after each spawn init stays runnable for this long
 * before it blocks on the program's exit, so the program runs first and
 * init's wait record is made while the program runs.  A test whose exact
 * counts would see it must settle first (tests/guest/check.h,
 * sleep_settle); this ordering makes the race that caught such tests
 * only sometimes (on a slow console ring) happen every time.
 */
#define LATE_PARENT_NS (20ULL * 1000000ULL)
static int late_parent;

/* Runs one program to its end; returns its exit status via *status. */
static enum status run(const char *path, const char *arg, int64_t *status)
{
	struct ethos_exit_result r;
	EventId exit_event;
	uint64_t pid, size;
	enum status st = ethos_spawn(path, arg, &pid, &exit_event);

	if (st != StatusOk)
		return st;
	for (uint64_t t0 = ethos_time(); late_parent && ethos_time() - t0 < LATE_PARENT_NS;)
		;                     /* runnable, not blocked: see above */
	st = ethos_block_and_retire(exit_event, &r, sizeof(r), &size);
	if (st == StatusOk && (size != sizeof(r) || r.pid != pid))
		st = StatusInvalidArgument;
	*status = r.status;
	return st;
}

/* The counters in after that differ from before, as "name a -> b, ...";
 * the free-page count is left to the end of the suite, as caches may
 * hold pages between programs.  Returns how many differ. */
static int kstat_diff(const uint64_t *before, const uint64_t *after,
		      char *buf, size_t size)
{
	int n = 0;
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < KStatCount; i++) {
		if (i == KStatFreePages || ETHOS_KSTAT_CUMULATIVE(i) ||
		    before[i] == after[i])
			continue;
		if (len < size)
			len += snprintf(buf + len, size - len, "%s%s %lu -> %lu",
					n ? ", " : "", ethos_kstat_name(i),
					(unsigned long)before[i],
					(unsigned long)after[i]);
		n++;
	}
	return n;
}

/*
 * Orphans of the last program: init adopted them, with an exit event each
 * in its table, which holds nothing else between programs.  Waits for them
 * all (for at most ORPHAN_WAIT_NS) and retires the events; returns how
 * many ended, with *all_ok false if one ended with a status other than 0,
 * or -1 if one is still running at the deadline.
 */
#define ORPHAN_WAIT_NS (10ULL * 1000000000ULL)
#define ORPHANS_MAX 64

static int reap_orphans(int *all_ok)
{
	EventId ids[ORPHANS_MAX], timeout;
	struct ethos_tree_node t[1 + ORPHANS_MAX];
	uint64_t n, size;
	int reaped = 0;

	*all_ok = 1;
	if (ethos_beep(ethos_time() + ORPHAN_WAIT_NS, &timeout) != StatusOk)
		return -1;
	for (;;) {
		struct ethos_exit_result r;

		ethos_completed_events(ids, ORPHANS_MAX, &n);
		for (uint64_t i = 0; i < n && i < ORPHANS_MAX; i++) {
			if (ids[i] == timeout) {
				ethos_retire(timeout, &r, sizeof(r), &size);
				return -1;
			}
			if (ethos_retire(ids[i], &r, sizeof(r), &size) != StatusOk ||
			    r.status != 0)
				*all_ok = 0;
			reaped++;
		}
		ethos_pending_events(ids, ORPHANS_MAX, &n);
		if (n <= 1)               /* only the timeout is left */
			break;
		t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
			.first_child = 1, .nchildren = (uint32_t)n };
		for (uint64_t i = 0; i < n; i++)
			t[1 + i] = (struct ethos_tree_node){ .kind = TreeLeaf,
							     .event = ids[i] };
		ethos_block(t, 1 + (uint32_t)n, 0, 0);
	}
	ethos_cancel(timeout);
	return reaped;
}

static void run_test(const struct test *t)
{
	char detail[256], name[64];
	int64_t status = 0;
	uint64_t before[KStatCount], after[KStatCount];
	enum status kst = ethos_kernel_stats(before, 0);
	enum status st = run(t->path, t->arg, &status);

	/* stdio exit ends its output without a newline, on purpose: the
	 * result starts a line of its own (tools/tests.d/12-newlib.sh reads
	 * that output). */
	if (strcmp(t->path, "/tests/stdio") == 0 && t->arg && strcmp(t->arg, "exit") == 0)
		printf("\n");

	snprintf(detail, sizeof(detail), "%s, exit %ld (expected %ld)",
		 ethos_status_name(st), (long)status, (long)t->expect);
	snprintf(name, sizeof(name), "%s%s%s", t->path + 1, t->arg ? " " : "",
		 t->arg ? t->arg : "");
	result(st == StatusOk && status == t->expect, name, detail);
	int orphans_ok, orphans = reap_orphans(&orphans_ok);
	if (orphans != 0 || t->orphans != 0) {
		char what[96];
		snprintf(what, sizeof(what), "orphans of %s reaped", name);
		snprintf(detail, sizeof(detail), "%d ended (expected %d)%s",
			 orphans, t->orphans, orphans_ok ? "" : ", not all with 0");
		result(orphans == t->orphans && orphans_ok, what, detail);
	}
	/* A leaked 64-byte object shows here, at the program that leaked it. */
	if (kst == StatusOk)
		kst = ethos_kernel_stats(after, 0);
	char what[96];
	snprintf(what, sizeof(what), "kernel objects back after %s", name);
	if (kst != StatusOk) {
		snprintf(detail, sizeof(detail), "kernelStats: %s",
			 ethos_status_name(kst));
		result(0, what, detail);
		return;
	}
	kstat_diff(before, after, detail, sizeof(detail));
	result(detail[0] == '\0', what, detail);
}

static void spawn_refusals(void)
{
	char detail[64];
	enum status st;

	st = ethos_spawn("/tests/corrupt.elf", 0, 0, 0);
	snprintf(detail, sizeof(detail), "%s", ethos_status_name(st));
	result(st == StatusInvalidElfFile, "spawn corrupt ELF refused", detail);
	st = ethos_spawn("/tests/truncated.elf", 0, 0, 0);
	snprintf(detail, sizeof(detail), "%s", ethos_status_name(st));
	result(st == StatusInvalidElfFile, "spawn truncated ELF refused", detail);
	st = ethos_spawn("/no/such/file", 0, 0, 0);
	snprintf(detail, sizeof(detail), "%s", ethos_status_name(st));
	result(st == StatusNotFound, "spawn missing file", detail);
}

static int suite(int with_input)
{
	char detail[96];
	int64_t status;

	/* A first run warms the kernel's caches, so the count that follows
	 * measures leaks, not caches; the reaper's first run grows init's
	 * own stack by a page. */
	int all_ok;
	run("/tests/hello", "quiet", &status);
	reap_orphans(&all_ok);
	/* ... and stdio takes its buffer (a heap page) at its first use. */
	printf("init: running the suite\n");
	uint64_t start = ethos_free_pages();
	uint64_t kstart[KStatCount], kend[KStatCount];
	enum status kst = ethos_kernel_stats(kstart, 0);
	/* First: any later reader (the fuzzer too) could take the input. */
	if (with_input) {
		static const struct test input[] = {
			{ "/tests/console", 0, 0, 0 },
			{ "/tests/stdin", 0, 0, 0 },   /* its lines after console's */
		};
		for (unsigned i = 0; i < sizeof(input) / sizeof(input[0]); i++)
			run_test(&input[i]);
	}
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		run_test(&tests[i]);
	spawn_refusals();
	uint64_t end = ethos_free_pages();
	snprintf(detail, sizeof(detail), "%lu pages free before, %lu after",
		 (unsigned long)start, (unsigned long)end);
	result(start == end, "free pages back after the suite", detail);
	if (kst == StatusOk)
		kst = ethos_kernel_stats(kend, 0);
	char diff[256];
	if (kst == StatusOk)
		kstat_diff(kstart, kend, diff, sizeof(diff));
	else
		snprintf(diff, sizeof(diff), "kernelStats: %s", ethos_status_name(kst));
	result(kst == StatusOk && diff[0] == '\0',
	       "kernel objects back after the suite", diff);
	printf("suite: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	/* "suite-input": the runner types lines on the console for the
	 * console-input tests (console, stdin); plain "suite" where nobody
	 * types; "suite-lateparent" (see late_parent) on the debug kernel. */
	if (argc > 1 && strcmp(argv[1], "suite") == 0)
		return suite(0);
	if (argc > 1 && strcmp(argv[1], "suite-input") == 0)
		return suite(1);
	if (argc > 1 && strcmp(argv[1], "suite-lateparent") == 0) {
		late_parent = 1;
		return suite(0);
	}
	printf("init: hello from user mode, pid %lu, time %lu ns\n",
	       (unsigned long)ethos_getpid(), (unsigned long)ethos_time());
	return 0;
}
