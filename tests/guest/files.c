/*
 * Files: RPCs to the dom0 shadowdaemon.  On the domU path (a daemon in
 * dom0) the whole API; in the dom0 fast loop (no daemon) every call must
 * fail at once with Unavailable -- after the argument checks, which come
 * first either way.
 */
#include <ethos/ethos.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define MIB (1024 * 1024)

static enum status raw(uint64_t nr, Handle dir, const char *name, uint64_t len,
		       const void *data, uint64_t dlen, EventId *e)
{
	struct sys_file_in in = { dir, name, len, data, dlen };
	struct sys_event_out out = { 0 };
	enum status st = ethos_syscall(nr, &in, &out);

	*e = out.event;
	return st;
}

static uint64_t pending_count(void)
{
	uint64_t n = 0;

	ethos_pending_events(0, 0, &n);
	return n;
}

/* Checks refused before any RPC, daemon or not. */
static void bad_arguments(void)
{
	static const char *bad[] = { "", ".", "..", "a/b", "/" };
	char longname[ETHOS_NAME_MAX + 2];
	EventId e;
	uint64_t before = pending_count();
	int all = 1;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (uint64_t nr = SysReadVar; nr <= SysGetNextName; nr++) {
			if (nr == SysGetNextName && bad[i][0] == '\0')
				continue;       /* "" is the first name there */
			if (raw(nr, ETHOS_ROOT_HANDLE, bad[i], strlen(bad[i]), "x", 1, &e) !=
			    StatusInvalidArgument)
				all = 0;
		}
	CHECK("bad names refused (empty, ., .., slash)", all);
	CHECK_STATUS("name with a NUL", raw(SysReadVar, ETHOS_ROOT_HANDLE, "a\0b", 3, 0, 0, &e),
		     StatusInvalidArgument);
	memset(longname, 'n', sizeof(longname));
	CHECK_STATUS("name of 256 bytes", raw(SysReadVar, ETHOS_ROOT_HANDLE, longname,
					       ETHOS_NAME_MAX + 1, 0, 0, &e),
		     StatusInvalidArgument);
	CHECK_STATUS("huge name length", raw(SysReadVar, ETHOS_ROOT_HANDLE, longname,
					      1ULL << 40, 0, 0, &e),
		     StatusInvalidArgument);
	CHECK_STATUS("name at a bad address",
		     raw(SysReadVar, ETHOS_ROOT_HANDLE, (const char *)0x10, 4, 0, 0, &e),
		     StatusBadAddress);
	CHECK_STATUS("name in the kernel",
		     raw(SysReadVar, ETHOS_ROOT_HANDLE, (const char *)0xffff800000000000ULL,
			 4, 0, 0, &e), StatusBadAddress);
	CHECK_STATUS("made-up directory handle",
		     raw(SysReadVar, 0x500000007ULL, "x", 1, 0, 0, &e),
		     StatusInvalidHandle);
	CHECK_STATUS("writeVar data at a bad address",
		     raw(SysWriteVar, ETHOS_ROOT_HANDLE, "x", 1, (const void *)0x10, 100, &e),
		     StatusBadAddress);
	CHECK_STATUS("writeVar over ETHOS_FILE_MAX",
		     raw(SysWriteVar, ETHOS_ROOT_HANDLE, "x", 1, longname,
			 (uint64_t)ETHOS_FILE_MAX + 1, &e), StatusTooBig);
	struct sys_file_in in = { ETHOS_ROOT_HANDLE, "x", 1, 0, 0 };
	CHECK_STATUS("bad output pointer",
		     ethos_syscall(SysReadVar, &in, (void *)0x10), StatusBadAddress);
	CHECK_STATUS("bad input pointer",
		     ethos_syscall(SysReadVar, (void *)0x10, &e), StatusBadAddress);
	CHECK("no event left by a refused call", pending_count() == before);
}

static void no_daemon(void)
{
	EventId e;
	int all = 1;
	uint64_t t0 = ethos_time();

	for (uint64_t nr = SysReadVar; nr <= SysGetNextName; nr++)
		if (raw(nr, ETHOS_ROOT_HANDLE, "name", 4, "x", 1, &e) != StatusUnavailable)
			all = 0;
	uint64_t took = ethos_time() - t0;
	CHECK("no daemon: every call Unavailable", all);
	CHECK("no daemon: at once (under 50 ms for all seven)", took < 50000000ULL);
	CHECK("no daemon: no event left", pending_count() == 0);
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
}

static void roundtrip(uint8_t *data, uint8_t *scratch)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 65537, MIB, 4 * MIB,
					ETHOS_FILE_MAX };
	int all = 1;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		void *back = NULL;
		uint64_t size = 0;
		enum status st;

		fill(data, n, i + 1);
		if ((st = ethos_write_file(ETHOS_ROOT_HANDLE, "rt", data, n)) != StatusOk) {
			printf("files: write of %zu: %s\n", n, ethos_status_name(st));
			all = 0;
			continue;
		}
		/* ReturnSpace first, then the right size. */
		EventId e;
		uint64_t need = 0;
		if ((st = ethos_read_var(ETHOS_ROOT_HANDLE, "rt", &e)) == StatusOk) {
			struct ethos_tree_node leaf = { .kind = TreeLeaf, .event = e };
			ethos_block(&leaf, 1, 0, 0);
			st = ethos_retire(e, scratch, n > 0 ? n - 1 : 0, &need);
			if (n > 0 && (st != StatusReturnSpace || need != n)) {
				printf("files: read of %zu: %s (need %lu)\n", n,
				       ethos_status_name(st), (unsigned long)need);
				all = 0;
			}
			if (n > 0)
				st = ethos_retire(e, scratch, n, &size);
			back = scratch;
		}
		if (st != StatusOk || size != n || memcmp(back, data, n) != 0) {
			printf("files: read back %zu: %s, %lu bytes\n", n,
			       ethos_status_name(st), (unsigned long)size);
			all = 0;
		}
	}
	CHECK("roundtrip sizes 0, 1, 4095, 4096, 65537, 1 MiB, 4 MiB, 16 MiB (byte for byte)", all);
	struct ethos_file_info fi;
	CHECK_STATUS("fileInformation of a file", ethos_stat(ETHOS_ROOT_HANDLE, "rt", &fi), StatusOk);
	CHECK("fileInformation: size and kind", fi.size == ETHOS_FILE_MAX &&
	      fi.kind == EthosFile && fi.mtime_ns > 0);
	CHECK_STATUS("readVar of a missing name",
		     ethos_read_file(ETHOS_ROOT_HANDLE, "no-such-file", (void **)&data, &fi.size),
		     StatusNotFound);
}

static void directories(void)
{
	Handle d = HANDLE_NONE;
	char name[ETHOS_NAME_MAX + 1];
	struct ethos_file_info fi;

	ethos_unlink(ETHOS_ROOT_HANDLE, "dir");      /* a previous run's, if any */
	CHECK_STATUS("createDirectory", ethos_mkdir(ETHOS_ROOT_HANDLE, "dir"), StatusOk);
	CHECK_STATUS("createDirectory again", ethos_mkdir(ETHOS_ROOT_HANDLE, "dir"),
		     StatusNotPermitted);
	CHECK_STATUS("openDirectory", ethos_opendir(ETHOS_ROOT_HANDLE, "dir", &d), StatusOk);
	CHECK("openDirectory gives a handle", d != HANDLE_NONE);
	CHECK_STATUS("openDirectory of a file", ethos_opendir(ETHOS_ROOT_HANDLE, "rt", &(Handle){0}),
		     StatusInvalidArgument);
	int ok = 1;
	static const char *names[] = { "b", "a", "c.txt" };
	for (int i = 0; i < 3; i++)
		ok &= ethos_write_file(d, names[i], names[i], strlen(names[i])) == StatusOk;
	CHECK("writeVar in a directory handle", ok);
	/* fork copies the handle: the child reaches the same directory. */
	uint64_t pid;
	int64_t status = -1;
	if (ethos_fork(&pid, NULL) == StatusOk && pid == 0)
		ethos_exit(ethos_stat(d, "a", &fi) == StatusOk && fi.size == 1 ? 0 : 1);
	CHECK("a forked child uses the directory handle",
	      ethos_wait(pid, &status) == StatusOk && status == 0);
	CHECK_STATUS("fileInformation of the directory",
		     ethos_stat(ETHOS_ROOT_HANDLE, "dir", &fi), StatusOk);
	CHECK("kind directory", fi.kind == EthosDirectory);
	/* The listing, in byte order, with no cursor in the kernel. */
	char listing[64] = "";
	const char *after = "";
	char prev[ETHOS_NAME_MAX + 1] = "";
	enum status st;
	while ((st = ethos_next_name(d, after, name, sizeof(name))) == StatusOk) {
		strcat(listing, name);
		strcat(listing, ",");
		strcpy(prev, name);
		after = prev;
	}
	CHECK("getNextName lists a, b, c.txt", strcmp(listing, "a,b,c.txt,") == 0);
	CHECK("getNextName ends with NotFound", st == StatusNotFound);
	void *buf;
	uint64_t size;
	CHECK("readVar through the handle", ethos_read_file(d, "b", &buf, &size) == StatusOk &&
	      size == 1 && ((char *)buf)[0] == 'b');
	free(buf);
	CHECK_STATUS("removing a directory that is not empty",
		     ethos_unlink(ETHOS_ROOT_HANDLE, "dir"), StatusNotPermitted);
	for (int i = 0; i < 3; i++)
		ethos_unlink(d, names[i]);
	CHECK_STATUS("getNextName of an empty directory",
		     ethos_next_name(d, "", name, sizeof(name)), StatusNotFound);
	CHECK_STATUS("removeDirectoryOrFile (directory)",
		     ethos_unlink(ETHOS_ROOT_HANDLE, "dir"), StatusOk);
	CHECK_STATUS("a removed directory is gone", ethos_stat(ETHOS_ROOT_HANDLE, "dir", &fi),
		     StatusNotFound);
	CHECK_STATUS("its handle finds nothing", ethos_stat(d, "a", &fi), StatusNotFound);
	CHECK_STATUS("close the handle", ethos_close(d), StatusOk);
	CHECK_STATUS("a closed handle", ethos_stat(d, "a", &fi), StatusInvalidHandle);
	CHECK_STATUS("remove a file", ethos_unlink(ETHOS_ROOT_HANDLE, "rt"), StatusOk);
	CHECK_STATUS("remove it again", ethos_unlink(ETHOS_ROOT_HANDLE, "rt"), StatusNotFound);
}

#define INFLIGHT 64

static void many_in_flight(uint8_t *data)
{
	static struct ethos_tree_node tree[1 + INFLIGHT];
	static EventId ev[INFLIGHT];
	char buf[64];
	int ok = 1;

	for (int i = 0; i < INFLIGHT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		snprintf(buf, sizeof(buf), "contents of %d", i);
		ok &= ethos_write_file(ETHOS_ROOT_HANDLE, name, buf, strlen(buf)) == StatusOk;
	}
	CHECK("64 files written", ok);
	tree[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = INFLIGHT,
					    .first_child = 1, .nchildren = INFLIGHT };
	for (int i = 0; i < INFLIGHT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		ok &= ethos_read_var(ETHOS_ROOT_HANDLE, name, &ev[i]) == StatusOk;
		tree[1 + i] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = ev[i] };
	}
	CHECK("64 reads in flight", ok);
	CHECK_STATUS("one and-tree over them", ethos_block(tree, 1 + INFLIGHT, 0, 0), StatusOk);
	for (int i = 0; i < INFLIGHT; i++) {
		char want[64];
		uint64_t size = 0;
		snprintf(want, sizeof(want), "contents of %d", i);
		ok &= ethos_retire(ev[i], buf, sizeof(buf), &size) == StatusOk &&
		      size == strlen(want) && memcmp(buf, want, size) == 0;
		snprintf(want, sizeof(want), "f%d", i);
		ethos_unlink(ETHOS_ROOT_HANDLE, want);
	}
	CHECK("each reply matched to its event", ok);
	/* An or-tree of a read and a beep far off: the read wins. */
	EventId r, b;
	ethos_write_file(ETHOS_ROOT_HANDLE, "or", "x", 1);
	ethos_read_var(ETHOS_ROOT_HANDLE, "or", &r);
	ethos_beep(ethos_time() + 60ULL * 1000000000ULL, &b);
	struct ethos_tree_node or[3] = {
		{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
		{ .kind = TreeLeaf, .event = r }, { .kind = TreeLeaf, .event = b },
	};
	uint8_t done[3] = { 0 };
	CHECK_STATUS("or-tree of a read and a beep", ethos_block(or, 3, done, 0), StatusOk);
	CHECK("the read completed, the beep did not", done[1] == 1 && done[2] == 0);
	ethos_retire(r, data, 1, 0);
	ethos_cancel(b);
	ethos_unlink(ETHOS_ROOT_HANDLE, "or");
}

/* Figures for the report (not checks): a fileInformation round trip and
 * readVar of 1 MiB, through the whole path. */
static void figures(uint8_t *data)
{
	struct ethos_file_info fi;
	void *buf;
	uint64_t size;

	ethos_write_file(ETHOS_ROOT_HANDLE, "m", data, MIB);
	uint64_t t0 = ethos_time();
	for (int i = 0; i < 100; i++)
		ethos_stat(ETHOS_ROOT_HANDLE, "m", &fi);
	uint64_t t1 = ethos_time();
	for (int i = 0; i < 10; i++) {
		if (ethos_read_file(ETHOS_ROOT_HANDLE, "m", &buf, &size) == StatusOk)
			free(buf);
	}
	uint64_t t2 = ethos_time();
	printf("files: fileInformation round trip %lu us; readVar 1 MiB %lu us (%lu MiB/s)\n",
	       (unsigned long)((t1 - t0) / 100 / 1000), (unsigned long)((t2 - t1) / 10 / 1000),
	       (unsigned long)(10ULL * 1000000000ULL / (t2 - t1 + 1)));
	ethos_unlink(ETHOS_ROOT_HANDLE, "m");
}

/* newlib on top: fopen and friends, whole-file underneath. */
static void posix_files(void)
{
	struct stat sb;
	char line[64] = "";

	rmdir("posix");                         /* a previous run's, if any */
	CHECK("mkdir", mkdir("posix", 0755) == 0);
	FILE *f = fopen("/posix/t.txt", "w");
	CHECK("fopen for writing", f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "line one\nline %d\n", 2);
	CHECK("fclose writes the file", fclose(f) == 0);
	CHECK("stat: size", stat("posix/t.txt", &sb) == 0 && sb.st_size == 16 &&
	      S_ISREG(sb.st_mode));
	CHECK("stat: a directory", stat("posix", &sb) == 0 && S_ISDIR(sb.st_mode));
	f = fopen("posix/t.txt", "r");
	CHECK("fopen for reading", f != NULL && fgets(line, sizeof(line), f) &&
	      strcmp(line, "line one\n") == 0 && fgets(line, sizeof(line), f) &&
	      strcmp(line, "line 2\n") == 0 && fgets(line, sizeof(line), f) == NULL);
	CHECK("fseek and ftell", f != NULL && fseek(f, 5, SEEK_SET) == 0 &&
	      ftell(f) == 5 && fgetc(f) == 'o');
	if (f)
		fclose(f);
	f = fopen("posix/t.txt", "a");
	CHECK("append", f != NULL && fputs("three\n", f) >= 0 && fclose(f) == 0 &&
	      stat("posix/t.txt", &sb) == 0 && sb.st_size == 22);
	int fd = open("posix/t.txt", O_RDWR);
	CHECK("open, lseek, write, read", fd >= 3 && lseek(fd, 0, SEEK_SET) == 0 &&
	      write(fd, "LINE", 4) == 4 && lseek(fd, 0, SEEK_SET) == 0 &&
	      read(fd, line, 8) == 8 && memcmp(line, "LINE one", 8) == 0 && close(fd) == 0);
	errno = 0;
	CHECK("open of a missing file: ENOENT", open("posix/none", O_RDONLY) == -1 &&
	      errno == ENOENT);
	errno = 0;
	CHECK("O_EXCL on an existing file: EEXIST",
	      open("posix/t.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
	errno = 0;
	CHECK("a `..` path: EINVAL", open("posix/../t.txt", O_RDONLY) == -1 && errno == EINVAL);
	CHECK("unlink", unlink("posix/t.txt") == 0 && stat("posix/t.txt", &sb) == -1 &&
	      errno == ENOENT);
	CHECK("rmdir", rmdir("posix") == 0);
}

/* Stats name in the root until a daemon serves it (anything but
 * Unavailable), for up to 10 s: a daemon that comes back. */
static enum status stat_when_served(const char *name)
{
	struct ethos_file_info fi;
	enum status st = StatusUnavailable;

	for (int i = 0; i < 100 && st == StatusUnavailable; i++) {
		st = ethos_stat(ETHOS_ROOT_HANDLE, name, &fi);
		if (st == StatusUnavailable)
			sleep_ms(100);
	}
	return st;
}

/* The daemon dies (--die-on shadowdaemon-die) with reads in flight: every
 * event completes, the process goes on, and a new daemon serves again. */
static void daemon_dies(uint8_t *data)
{
	EventId ev[9];
	int ok = 1, unavailable = 0;

	ethos_write_file(ETHOS_ROOT_HANDLE, "big", data, MIB);
	uint64_t before = ethos_free_pages();
	for (int i = 0; i < 4; i++)
		ok &= ethos_read_var(ETHOS_ROOT_HANDLE, "big", &ev[i]) == StatusOk;
	ok &= ethos_read_var(ETHOS_ROOT_HANDLE, "shadowdaemon-die", &ev[4]) == StatusOk;
	for (int i = 5; i < 9; i++)
		ok &= ethos_read_var(ETHOS_ROOT_HANDLE, "big", &ev[i]) == StatusOk;
	CHECK("reads in flight around the daemon's death", ok);
	uint64_t t0 = ethos_time();
	/* (A failed leaf does not end an or-tree while its beep may still
	 * come, so: poll the completed list, for at most 20 s.) */
	int all_done = 0;
	for (int round = 0; round < 400 && !all_done; round++) {
		EventId done[64];
		uint64_t n = 0;
		ethos_completed_events(done, 64, &n);
		all_done = 1;
		for (int i = 0; i < 9; i++) {
			int found = 0;
			for (uint64_t j = 0; j < n && j < 64; j++)
				found |= done[j] == ev[i];
			all_done &= found;
		}
		if (!all_done)
			sleep_ms(50);
	}
	ok &= all_done;
	/* dom0 restarts the daemon only 2 s later: the kernel itself must
	 * have seen it go (its port no longer bound) and failed the rest. */
	CHECK("the kernel noticed the death within 1.5 s",
	      ethos_time() - t0 < 1500000000ULL);
	for (int i = 0; i < 9 && all_done; i++) {
		uint64_t size;
		enum status st = ethos_retire(ev[i], 0, 0, &size);
		if (st == StatusReturnSpace)
			ethos_cancel(ev[i]);             /* a read that made it */
		else if (st == StatusUnavailable)
			unavailable++;
		else
			ok = 0;
	}
	CHECK("every event completed (none hangs)", ok);
	CHECK("the killing request failed with Unavailable", unavailable >= 1);
	/* A new daemon (dom0's init starts it again) serves us again. */
	CHECK_STATUS("a restarted daemon serves again", stat_when_served("big"),
		     StatusOk);
	CHECK("free pages back to the baseline", ethos_free_pages() == before);
	ethos_unlink(ETHOS_ROOT_HANDLE, "big");
}

/* The daemon leaves in order (--quit-on shadowdaemon-quit): it answers,
 * removes its xenstore node (which the kernel watches) and exits; calls
 * are then Unavailable, none hangs, and the daemon dom0 starts again
 * 2 s later serves again. */
static void daemon_quits(void)
{
	struct ethos_file_info fi;
	enum status st;

	CHECK_STATUS("the leaving request is answered",
		     ethos_stat(ETHOS_ROOT_HANDLE, "shadowdaemon-quit", &fi),
		     StatusNotFound);
	/* No call for a while: nothing is in flight, so the kernel does not
	 * poll the port, and only the watch on the daemon's node can tell
	 * it (shown at shutdown: "departures seen there"). */
	sleep_ms(500);
	uint64_t t0 = ethos_time();
	while ((st = ethos_stat(ETHOS_ROOT_HANDLE, "x", &fi)) != StatusUnavailable &&
	       ethos_time() - t0 < 1500000000ULL)
		sleep_ms(20);
	CHECK_STATUS("once it has left: Unavailable (not a hang)", st,
		     StatusUnavailable);
	if (st == StatusUnavailable)
		st = stat_when_served("x");
	CHECK_STATUS("the next daemon serves again", st, StatusNotFound);
}

/*
 * A daemon that stays alive but serves nothing (--hang-on
 * shadowdaemon-hang: it stops for 8 s, its port bound and its node
 * there, so the kernel's liveness checks see nothing wrong).  The calls
 * that fill the ring each fail TimedOut after their 5 s; the kernel is
 * then owed a reply for every slot, so it resets the ring, and the call
 * queued behind them fails Unavailable at that moment instead of waiting
 * for a slot that never frees.  When the daemon serves again it re-syncs
 * on the reset, and calls go on.
 */
#define SHADOW_RING_SLOTS 16   /* as in kernel/include/uapi/ethos/shadow.h */

static void hung_daemon(void)
{
	EventId ev[SHADOW_RING_SLOTS + 1];
	struct ethos_file_info fi;
	uint64_t size, t0 = ethos_time();
	int ok = 1, timed_out = 0;

	CHECK_STATUS("a call that hangs the daemon",
		     ethos_file_information(ETHOS_ROOT_HANDLE, "shadowdaemon-hang", &ev[0]),
		     StatusOk);
	for (int i = 1; i <= SHADOW_RING_SLOTS; i++)
		ok &= ethos_file_information(ETHOS_ROOT_HANDLE, "x", &ev[i]) == StatusOk;
	CHECK("a ring's worth of calls, and one queued behind them", ok);
	for (int i = 0; i < SHADOW_RING_SLOTS; i++)
		timed_out += ethos_block_and_retire(ev[i], &fi, sizeof(fi), &size) ==
			     StatusTimedOut;
	CHECK("every call in the ring fails TimedOut", timed_out == SHADOW_RING_SLOTS);
	CHECK_STATUS("the queued call fails Unavailable at the reset",
		     ethos_block_and_retire(ev[SHADOW_RING_SLOTS], &fi, sizeof(fi), &size),
		     StatusUnavailable);
	uint64_t took = ethos_time() - t0;
	printf("files: the hung daemon's ring was reset after %lu ms\n",
	       (unsigned long)(took / 1000000));
	CHECK("... after the 5 s deadlines, before the daemon came back (8 s)",
	      took >= 5000000000ULL && took < 8000000000ULL);
	CHECK_STATUS("the daemon serves again after its hang",
		     stat_when_served("x"), StatusNotFound);
	CHECK("no event left", pending_count() == 0);
}

/* A reply that does not come while the daemon looks alive (--stall-on
 * shadowdaemon-stall: the daemon answers it NotFound only 7 s later): the
 * call fails TimedOut after 5 s (a fileInformation's deadline), not
 * with the late NotFound; the daemon's other calls are served meanwhile;
 * its late reply is dropped (the kernel counts it) and calls go on. */
static void stalled_reply(void)
{
	struct ethos_file_info fi;
	EventId a;
	uint64_t t0 = ethos_time(), size = 0;

	CHECK_STATUS("a call the daemon does not answer in time",
		     ethos_file_information(ETHOS_ROOT_HANDLE, "shadowdaemon-stall", &a),
		     StatusOk);
	sleep_ms(100);
	CHECK_STATUS("other calls are served meanwhile",
		     ethos_stat(ETHOS_ROOT_HANDLE, "x", &fi), StatusNotFound);
	enum status st = ethos_block_and_retire(a, &fi, sizeof(fi), &size);
	uint64_t took = ethos_time() - t0;
	CHECK_STATUS("it fails TimedOut", st, StatusTimedOut);
	CHECK("... after its 5 s, before the late reply (7 s)",
	      took >= 5000000000ULL && took < 7000000000ULL);
	printf("files: the stalled call ended after %lu ms\n", (unsigned long)(took / 1000000));
	/* The late reply comes 7 s after the daemon read the request, which
	 * may be a while after we sent it on a loaded machine: wait well past
	 * it, so that it is not still owed when hung_daemon fills the ring. */
	while (ethos_time() - t0 < 9000000000ULL)
		sleep_ms(100);
	CHECK_STATUS("after the late reply, calls go on",
		     ethos_stat(ETHOS_ROOT_HANDLE, "x", &fi), StatusNotFound);
	CHECK("no event left", pending_count() == 0);
}

/*
 * Exec from a file.  The program is made here, byte by byte: an ELF
 * header, one PT_LOAD (read + execute) at 0x400000 holding the whole
 * file, and code that exits with a status found on its stack.  (The
 * archive's programs are not readable by programs, and a few hundred
 * bytes are easier to write than to embed.)
 */
#define TINY_BASE 0x400000UL
#define TINY_CODE (64 + 56)

/* mov rdi, rsp; mov eax, SysExit; int 0x80; jmp .: exits with the
 * 8 bytes at rsp, which the kernel made argc. */
static const uint8_t code_argc[] = {
	0x48, 0x89, 0xe7, 0xb8, SysExit, 0, 0, 0, 0xcd, 0x80, 0xeb, 0xfe,
};
/* mov qword [rsp], 77; then as above: exits with 77. */
static const uint8_t code_77[] = {
	0x48, 0xc7, 0x04, 0x24, 77, 0, 0, 0,
	0x48, 0x89, 0xe7, 0xb8, SysExit, 0, 0, 0, 0xcd, 0x80, 0xeb, 0xfe,
};

static size_t tiny_elf(uint8_t *b, const uint8_t *code, size_t n)
{
	size_t size = TINY_CODE + n;
	uint64_t q;
	uint32_t w;
	uint16_t h;

	memset(b, 0, TINY_CODE);
	memcpy(b, "\177ELF\2\1\1", 7);          /* 64-bit, LSB, version 1 */
	h = 2;  memcpy(b + 16, &h, 2);          /* ET_EXEC */
	h = 62; memcpy(b + 18, &h, 2);          /* EM_X86_64 */
	w = 1;  memcpy(b + 20, &w, 4);
	q = TINY_BASE + TINY_CODE; memcpy(b + 24, &q, 8);   /* e_entry */
	q = 64; memcpy(b + 32, &q, 8);          /* e_phoff */
	h = 64; memcpy(b + 52, &h, 2);          /* e_ehsize */
	h = 56; memcpy(b + 54, &h, 2);          /* e_phentsize */
	h = 1;  memcpy(b + 56, &h, 2);          /* e_phnum */
	uint8_t *ph = b + 64;
	w = 1;  memcpy(ph, &w, 4);              /* PT_LOAD */
	w = 5;  memcpy(ph + 4, &w, 4);          /* PF_R | PF_X */
	q = TINY_BASE; memcpy(ph + 16, &q, 8);  /* p_vaddr */
	memcpy(ph + 24, &q, 8);                 /* p_paddr */
	q = size; memcpy(ph + 32, &q, 8);       /* p_filesz */
	memcpy(ph + 40, &q, 8);                 /* p_memsz */
	q = 4096; memcpy(ph + 48, &q, 8);
	memcpy(b + TINY_CODE, code, n);
	return size;
}

/* The free-page count is back to before.  A child's exit event
 * completes before its memory is freed (on the boot stack, when the
 * kernel gets there), so under load the count may lag the wait by a
 * little: look again for up to a second; a leak never comes back. */
static int pages_back(uint64_t before)
{
	for (int i = 0; i < 100; i++) {
		if (ethos_free_pages() == before)
			return 1;
		EventId b;
		struct ethos_beep_result when;
		if (ethos_beep(ethos_time() + 10000000ULL, &b) == StatusOk)
			ethos_block_and_retire(b, &when, sizeof(when), 0);
	}
	printf("files: %lu pages free before, %lu after\n",
	       (unsigned long)before, (unsigned long)ethos_free_pages());
	return 0;
}

/* Runs exec (ethos_exec_file from dir/name when image is NULL, else
 * ethos_exec_image) in a forked child; its exit status, or -1 if the
 * exec failed (the child then exits 200 + the status). */
static int64_t exec_in_child(Handle dir, const char *name, const void *image,
			     size_t len, char *const argv[])
{
	uint64_t pid;
	int64_t status = -1;
	enum status st = ethos_fork(&pid, NULL);

	if (st != StatusOk)
		return -2;
	if (pid == 0) {
		st = image ? ethos_exec_image(image, len, name, argv, NULL)
			   : ethos_exec_file(dir, name, argv, NULL);
		ethos_exit(200 + (int64_t)st);
	}
	if (ethos_wait(pid, &status) != StatusOk)
		return -3;
	return status;
}

static enum status exec_raw(const void *image, uint64_t len, const char *name,
			    uint64_t name_len)
{
	struct sys_exec_image_in in = { image, len, name, name_len, 0, 0 };

	return ethos_syscall(SysExecImage, &in, 0);
}

/* The kernel's half (SysExecImage), which needs no daemon: runs in the
 * dom0 loop too. */
static void exec_image(void)
{
	static uint8_t elf[256], junk[256];
	char *const args3[] = { "tiny", "a", "b", NULL };
	size_t n = tiny_elf(elf, code_argc, sizeof(code_argc));
	volatile uint64_t canary = 0x5eed;

	CHECK("exec image: runs with its arguments (exit status = argc 3)",
	      exec_in_child(ETHOS_ROOT_HANDLE, "tiny", elf, n, args3) == 3);
	/* The count from here: the first fork touched what this program
	 * keeps (libethos's table of children, ...; ARCHITECTURE.md, "What
	 * an exact free-page check needs"). */
	uint64_t before = ethos_free_pages();
	CHECK("exec image: again, no arguments (argc 0)",
	      exec_in_child(ETHOS_ROOT_HANDLE, "tiny", elf, n, NULL) == 0);
	memset(junk, 'x', sizeof(junk));
	CHECK_STATUS("exec image: not an ELF", exec_raw(junk, sizeof(junk), "j", 1),
		     StatusInvalidElfFile);
	CHECK_STATUS("exec image: truncated", exec_raw(elf, 100, "t", 1),
		     StatusInvalidElfFile);
	CHECK_STATUS("exec image: segment past the end",
		     exec_raw(elf, n - 1, "t", 1), StatusInvalidElfFile);
	CHECK_STATUS("exec image: empty", exec_raw(elf, 0, "t", 1),
		     StatusInvalidElfFile);
	CHECK_STATUS("exec image: bad input pointer",
		     ethos_syscall(SysExecImage, (void *)0x10, 0), StatusBadAddress);
	CHECK_STATUS("exec image: image in kernel memory",
		     exec_raw((void *)0xffff800000000000UL, n, "t", 1),
		     StatusBadAddress);
	CHECK_STATUS("exec image: image at an unmapped address",
		     exec_raw((void *)0x10, n, "t", 1), StatusBadAddress);
	CHECK_STATUS("exec image: over ETHOS_FILE_MAX",
		     exec_raw(elf, ETHOS_FILE_MAX + 1ULL, "t", 1),
		     StatusInvalidArgument);
	CHECK_STATUS("exec image: name with a NUL", exec_raw(elf, n, "a\0b", 3),
		     StatusInvalidArgument);
	CHECK_STATUS("exec image: name too long",
		     exec_raw(elf, n, "t", ETHOS_NAME_MAX + 1), StatusInvalidArgument);
	char *bad_argv[] = { (char *)0x10, NULL };
	CHECK_STATUS("exec image: bad argv",
		     ethos_exec_image(elf, n, "t", bad_argv, NULL), StatusBadAddress);
	CHECK("exec image: the caller is intact after the failures",
	      canary == 0x5eed);
	CHECK("exec image: free pages back", pages_back(before));
}

/* The whole path from the daemon's file system. */
static void exec_file(void)
{
	static uint8_t elf[256];
	char *const args2[] = { "tiny", "x", NULL };
	size_t n = tiny_elf(elf, code_argc, sizeof(code_argc));
	volatile uint64_t canary = 0xf11e;
	Handle d;

	CHECK_STATUS("exec file: write the program",
		     ethos_write_file(ETHOS_ROOT_HANDLE, "tiny.elf", elf, n), StatusOk);
	CHECK("exec file: runs with its arguments (exit status = argc 2)",
	      exec_in_child(ETHOS_ROOT_HANDLE, "tiny.elf", NULL, 0, args2) == 2);
	/* The same name, new contents: never an old image. */
	n = tiny_elf(elf, code_77, sizeof(code_77));
	CHECK_STATUS("exec file: rewrite the program",
		     ethos_write_file(ETHOS_ROOT_HANDLE, "tiny.elf", elf, n), StatusOk);
	CHECK("exec file: a rewritten file runs its new contents (77)",
	      exec_in_child(ETHOS_ROOT_HANDLE, "tiny.elf", NULL, 0, args2) == 77);
	/* In a directory, through its handle. */
	ethos_mkdir(ETHOS_ROOT_HANDLE, "progs");
	if (ethos_opendir(ETHOS_ROOT_HANDLE, "progs", &d) == StatusOk) {
		ethos_write_file(d, "t77", elf, n);
		CHECK("exec file: from a directory handle",
		      exec_in_child(d, "t77", NULL, 0, args2) == 77);
		ethos_unlink(d, "t77");
		ethos_close(d);
	} else
		CHECK("exec file: open the directory", 0);
	ethos_unlink(ETHOS_ROOT_HANDLE, "progs");

	/* newlib's execve: a path not in the archive is a file. */
	uint64_t pid;
	int64_t status = -1;
	if (ethos_fork(&pid, NULL) == StatusOk && pid == 0) {
		execve("/tiny.elf", args2, NULL);
		ethos_exit(100 + errno);
	}
	CHECK("exec file: execve of a file path (77)",
	      ethos_wait(pid, &status) == StatusOk && status == 77);
	if (ethos_fork(&pid, NULL) == StatusOk && pid == 0) {
		execve("/no/such/file", args2, NULL);
		ethos_exit(100 + errno);
	}
	CHECK("exec file: execve of a missing path: ENOENT",
	      ethos_wait(pid, &status) == StatusOk && status == 100 + ENOENT);

	uint64_t before = ethos_free_pages();
	CHECK_STATUS("exec file: a missing file",
		     ethos_exec_file(ETHOS_ROOT_HANDLE, "no-such-program", NULL, NULL),
		     StatusNotFound);
	CHECK_STATUS("exec file: write a text file",
		     ethos_write_file(ETHOS_ROOT_HANDLE, "notelf", "hello\n", 6), StatusOk);
	CHECK_STATUS("exec file: a file that is not an ELF",
		     ethos_exec_file(ETHOS_ROOT_HANDLE, "notelf", NULL, NULL),
		     StatusInvalidElfFile);
	CHECK_STATUS("exec file: an empty file",
		     ethos_write_file(ETHOS_ROOT_HANDLE, "notelf", "", 0), StatusOk);
	CHECK_STATUS("exec file: an empty file is not an ELF",
		     ethos_exec_file(ETHOS_ROOT_HANDLE, "notelf", NULL, NULL),
		     StatusInvalidElfFile);
	CHECK_STATUS("exec file: a bad handle",
		     ethos_exec_file((Handle)0x12345678, "tiny.elf", NULL, NULL),
		     StatusInvalidHandle);
	CHECK_STATUS("exec file: a directory",
		     ethos_mkdir(ETHOS_ROOT_HANDLE, "adir"), StatusOk);
	enum status st = ethos_exec_file(ETHOS_ROOT_HANDLE, "adir", NULL, NULL);
	CHECK("exec file: a directory is refused", st != StatusOk);
	ethos_unlink(ETHOS_ROOT_HANDLE, "adir");
	CHECK("exec file: the caller is intact after the failures",
	      canary == 0xf11e);
	CHECK("exec file: free pages back", pages_back(before));
	ethos_unlink(ETHOS_ROOT_HANDLE, "notelf");
	ethos_unlink(ETHOS_ROOT_HANDLE, "tiny.elf");
}

int main(void)
{
	check_program = "files";
	uint8_t *data = malloc(ETHOS_FILE_MAX + 1), *scratch = malloc(ETHOS_FILE_MAX);
	if (data == NULL || scratch == NULL) {
		printf("FAIL: files/memory\n");
		return 1;
	}
	/* exec_image's page window opens early: let our parent reach its
	 * block first (check.h, sleep_settle). */
	settle_first();
	bad_arguments();
	exec_image();
	struct ethos_file_info fi;
	enum status st = ethos_stat(ETHOS_ROOT_HANDLE, "probe", &fi);
	if (st == StatusUnavailable) {
		printf("files: no shadowdaemon (the dom0 fast loop)\n");
		no_daemon();
		uint64_t t0 = ethos_time();
		CHECK_STATUS("no daemon: exec file Unavailable",
			     ethos_exec_file(ETHOS_ROOT_HANDLE, "tiny.elf", NULL, NULL),
			     StatusUnavailable);
		CHECK("no daemon: exec file at once", ethos_time() - t0 < 50000000ULL);
		errno = 0;
		CHECK("no daemon: fopen fails with ENXIO",
		      fopen("x", "r") == NULL && errno == ENXIO);
		return check_failures;
	}
	CHECK("daemon: connected", st == StatusNotFound || st == StatusOk);
	roundtrip(data, scratch);
	directories();
	many_in_flight(data);
	posix_files();
	exec_file();
	figures(data);
	stalled_reply();
	hung_daemon();
	daemon_dies(data);
	daemon_quits();
	return check_failures;
}
