/*
 * The root directory handle (ETHOS_ROOT_HANDLE, ethos/abi.h): every
 * process starts with one -- a spawned process in its fresh table, a
 * forked child by the copy, an exec'd program because exec keeps the
 * table -- and it is a handle like any other: closed, it is gone
 * (InvalidHandle, in that process only); sent with fdSend, the receiver's
 * copy works; made-up values and HANDLE_NONE are refused.  What "works"
 * means depends on the loop: on the domU path (a daemon) a child reads,
 * through its root, a file this program wrote; in the dom0 loop (no
 * daemon) its calls are Unavailable -- the handle is there, only the
 * daemon is not -- never InvalidHandle.  A spawn that fails after the
 * kernel made the child's root (an ELF it refuses) leaves no handle and
 * no page behind.
 */
#include <errno.h>
#include "check.h"

#define PROBE "rootprobe"
#define PROBE_DATA "probe"

static int daemon_up;

/* dir is a working directory handle on the root (the loop decides what
 * working means, see above). */
static int root_works(Handle dir)
{
	struct ethos_file_info fi;
	enum status st = ethos_stat(dir, PROBE, &fi);

	if (!daemon_up)
		return st == StatusUnavailable;
	void *buf = NULL;
	uint64_t size = 0;
	int ok = st == StatusOk && fi.size == 5 &&
		 ethos_read_file(dir, PROBE, &buf, &size) == StatusOk &&
		 size == 5 && memcmp(buf, PROBE_DATA, 5) == 0;
	free(buf);
	return ok;
}

/* dir is no handle of ours: every file call refuses it. */
static int refused(Handle dir)
{
	int ok = 1;

	for (uint64_t nr = SysReadVar; nr <= SysGetNextName; nr++) {
		struct sys_file_in in = { dir, "x", 1, "x", 1 };
		struct sys_event_out out = { 0 };
		ok &= ethos_syscall(nr, &in, &out) == StatusInvalidHandle &&
		      out.event == EVENT_ID_NONE;
	}
	return ok;
}

static uint64_t kstat(enum kernel_stat s)
{
	uint64_t v[KStatCount];

	ethos_kernel_stats(v, 0);
	return v[s];
}

/* The child's argument: whether it should find a daemon. */
static char *loop_arg(void)
{
	return daemon_up ? "u" : "0";
}

static int64_t wait_for(uint64_t pid)
{
	int64_t status = -1;

	if (ethos_wait(pid, &status) != StatusOk)
		return -1;
	return status;
}

/* Runs body in a forked child; its exit status. */
static int64_t in_child(int (*body)(void))
{
	uint64_t pid;

	if (ethos_fork(&pid, NULL) != StatusOk)
		return -2;
	if (pid == 0)
		ethos_exit(body());
	return wait_for(pid);
}

static int forked_uses_root(void)
{
	return root_works(ETHOS_ROOT_HANDLE) ? 0 : 1;
}

static int exec_keeps_root(void)
{
	char *argv[] = { "/tests/rootdir", "child", loop_arg(), NULL };

	ethos_exec("/tests/rootdir", argv, NULL);
	return 99;
}

/* Closes the root: later calls with it fail, newlib's paths too. */
static int close_root(void)
{
	int bad = 0;

	bad |= ethos_close(ETHOS_ROOT_HANDLE) != StatusOk;
	bad |= !refused(ETHOS_ROOT_HANDLE) << 1;
	bad |= (ethos_close(ETHOS_ROOT_HANDLE) != StatusInvalidHandle) << 2;
	errno = 0;
	bad |= !(fopen(PROBE, "r") == NULL && errno == EBADF) << 3;
	return bad;
}

/* A program exec'd after its root was closed has none either. */
static int exec_without_root(void)
{
	char *argv[] = { "/tests/rootdir", "gone", NULL };

	if (ethos_close(ETHOS_ROOT_HANDLE) != StatusOk)
		return 98;
	ethos_exec("/tests/rootdir", argv, NULL);
	return 99;
}

static Handle pipe_a, pipe_b;

/* Without a root of its own, the child gets the parent's over a
 * connection (fdSend) and works through it, newlib too. */
static int receive_root(void)
{
	Handle got = HANDLE_NONE;
	uint64_t count = 0;
	int bad = 0;

	bad |= ethos_close(ETHOS_ROOT_HANDLE) != StatusOk;
	bad |= (ethos_fd_receive_wait(pipe_b, &got, 1, &count) != StatusOk ||
		count != 1) << 1;
	/* A new entry (slot 0 again, the next generation): never the old
	 * value, which stays refused. */
	bad |= (got == ETHOS_ROOT_HANDLE || !refused(ETHOS_ROOT_HANDLE)) << 2;
	bad |= !root_works(got) << 3;
	ethos_set_root(got);
	FILE *f = fopen(PROBE, "r");
	char line[8] = "";
	if (daemon_up)
		bad |= !(f != NULL && fgets(line, sizeof(line), f) &&
			 strcmp(line, PROBE_DATA) == 0) << 4;
	else
		bad |= (f != NULL) << 4;
	if (f)
		fclose(f);
	return bad;
}

static int pages_back(uint64_t before)
{
	for (int i = 0; i < 100; i++) {
		if (ethos_free_pages() == before)
			return 1;
		sleep_ms(10);
	}
	printf("rootdir: %lu pages free before, %lu after\n",
	       (unsigned long)before, (unsigned long)ethos_free_pages());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		daemon_up = argv[2][0] == 'u';
		return root_works(ETHOS_ROOT_HANDLE) ? 0 : 1;
	}
	if (argc == 2 && strcmp(argv[1], "gone") == 0)
		return refused(ETHOS_ROOT_HANDLE) &&
		       ethos_close(ETHOS_ROOT_HANDLE) == StatusInvalidHandle ? 0 : 1;

	check_program = "rootdir";
	settle_first();
	enum status st = ethos_write_file(ETHOS_ROOT_HANDLE, PROBE, PROBE_DATA, 5);
	daemon_up = st == StatusOk;
	if (!daemon_up)
		CHECK_STATUS("no daemon: the root is there, its calls Unavailable",
			     st, StatusUnavailable);
	printf("rootdir: %s\n", daemon_up ? "a shadowdaemon serves the root" :
	       "no shadowdaemon (the dom0 fast loop)");
	CHECK("this program has its root", root_works(ETHOS_ROOT_HANDLE));
	/* Before the counts: one of each thing below that leaves something
	 * of ours behind for good (libethos's table of children, the heap,
	 * newlib's first formatted number in ethos_pipe; ARCHITECTURE.md,
	 * "What an exact free-page check needs"). */
	CHECK("a forked child has it (fork copies the table)",
	      in_child(forked_uses_root) == 0);
	Handle a, b;
	if (ethos_pipe(&a, &b) == StatusOk) {
		ethos_close(a);
		ethos_close(b);
	}
	uint64_t handles = kstat(KStatHandles), procs = kstat(KStatProcesses);
	uint64_t pages = ethos_free_pages();

	char *cargv[] = { "/tests/rootdir", "child", loop_arg(), NULL };
	uint64_t pid;
	CHECK("a spawned process has the root handle and uses it",
	      ethos_spawnv(cargv[0], cargv, NULL, &pid, NULL) == StatusOk &&
	      wait_for(pid) == 0);
	CHECK("an exec'd program has it (exec keeps the table)",
	      in_child(exec_keeps_root) == 0);
	CHECK("closed, it is InvalidHandle (calls, close, fopen EBADF)",
	      in_child(close_root) == 0);
	CHECK("the child's close left ours", root_works(ETHOS_ROOT_HANDLE));
	CHECK("closed, then exec: the new program has no root",
	      in_child(exec_without_root) == 0);
	if (ethos_pipe(&pipe_a, &pipe_b) == StatusOk) {
		uint64_t pid;
		int64_t status = -1;
		if (ethos_fork(&pid, NULL) == StatusOk && pid == 0)
			ethos_exit(receive_root());
		enum status sent = ethos_fd_send_wait(pipe_a,
						      &(Handle){ ETHOS_ROOT_HANDLE }, 1);
		CHECK_STATUS("fdSend of the root", sent, StatusOk);
		if (sent != StatusOk)
			ethos_kill(pid);        /* it would wait for ever */
		status = wait_for(pid);
		CHECK("a root received by fdSend works in the receiver", status == 0);
		if (status != 0)
			printf("rootdir: receiver's failures 0x%lx\n", (unsigned long)status);
		CHECK("a connection is not a directory", refused(pipe_a));
		ethos_close(pipe_a);
		ethos_close(pipe_b);
	} else
		CHECK("pipe", 0);

	CHECK("HANDLE_NONE is not the root (InvalidHandle)", refused(HANDLE_NONE));
	CHECK("made-up values near the root are refused",
	      refused((2ULL << 32) | 1) && refused((1ULL << 32) | 2) &&
	      refused(ETHOS_ROOT_HANDLE | (1ULL << 63)) && refused(1));

	uint64_t h0 = kstat(KStatHandles);
	uint64_t p0 = ethos_free_pages();
	CHECK_STATUS("spawn of a bad ELF fails after the root was made",
		     ethos_spawn("/tests/corrupt.elf", 0, &pid, NULL),
		     StatusInvalidElfFile);
	CHECK("... and leaves no handle", kstat(KStatHandles) == h0);
	CHECK("... and no page", ethos_free_pages() == p0);

	if (daemon_up)
		ethos_unlink(ETHOS_ROOT_HANDLE, PROBE);
	CHECK("handles back to the baseline", kstat(KStatHandles) == handles);
	CHECK("processes back to the baseline", kstat(KStatProcesses) == procs);
	CHECK("free pages back to the baseline", pages_back(pages));
	return check_failures;
}
