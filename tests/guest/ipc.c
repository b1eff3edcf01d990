/*
 * IPC (kernel/event/ipc.c): services, connections, messages as events,
 * bounded queues, Closed on the peer's end, handles passed between
 * processes, process handles, and hostile input.  Run as /tests/ipc; it
 * spawns itself as "/tests/ipc foreign HANDLE" for the forged-handle check.
 */
#include "check.h"

#define PINGS 10000
#define HANDLES_MAX_GUESS 4096      /* HANDLES_PER_PROC (kernel/handle.h) */
static uint64_t handles_base;       /* live handles before the tests */

static uint64_t pending_events(void)
{
	uint64_t n = 0;

	ethos_pending_events(0, 0, &n);
	return n;
}

static uint64_t completed_events(void)
{
	uint64_t n = 0;

	ethos_completed_events(0, 0, &n);
	return n;
}

/* Forks; the child runs fn(arg) and exits with its result. */
static EventId child(int (*fn)(void *), void *arg)
{
	uint64_t pid;
	EventId exit_event = 0;

	if (ethos_fork(&pid, &exit_event) != StatusOk)
		return 0;
	if (pid == 0)
		ethos_exit(fn(arg));
	return exit_event;
}

static int64_t child_status(EventId exit_event)
{
	struct ethos_exit_result r = { .status = -1 };

	if (ethos_block_and_retire(exit_event, &r, sizeof(r), 0) != StatusOk)
		return -1;
	return r.status;
}

/*
 * Blocks until ev completes, but not for ever: also on the exit event of
 * the process expected to make it happen (if not 0; left completed for its
 * waiter) and on a far beep.  1 if ev completed; else a FAIL line says
 * why, ev is left to the caller, and 0.  (Waiting on ev alone, a failure
 * in the other process would hang the suite instead of failing it.)
 */
#define WITHIN_MS 30000
static int within(const char *what, EventId ev, EventId helper_exit)
{
	/* Leaves: ev, the deadline, the helper's exit (if any). */
	uint32_t n = helper_exit ? 3 : 2;
	struct ethos_tree_node t[4] = {
		{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = n },
		{ .kind = TreeLeaf, .event = ev },
		{ .kind = TreeLeaf },
		{ .kind = TreeLeaf, .event = helper_exit },
	};
	uint8_t done[4] = { 0 };
	struct ethos_beep_result br;
	EventId deadline;

	if (ethos_beep(ethos_time() + WITHIN_MS * 1000000ULL, &deadline) != StatusOk) {
		printf("FAIL: %s/%s: no beep for the deadline\n", check_program, what);
		check_failures++;
		return 0;
	}
	t[2].event = deadline;
	enum status st = ethos_block(t, n + 1, done, 0);
	if (st == StatusOk && done[1]) {
		ethos_cancel(deadline);
		return 1;
	}
	printf("FAIL: %s/%s: %s\n", check_program, what,
	       st != StatusOk ? ethos_status_name(st) :
	       done[3] ? "the other process ended first" : "nothing after 30 s");
	check_failures++;
	if (done[2])
		ethos_retire(deadline, &br, sizeof(br), 0);
	else
		ethos_cancel(deadline);
	return 0;
}

/* ---- ping-pong ----------------------------------------------------------- */

static int pinger(void *arg)
{
	Handle c;
	int bad = 0;

	(void)arg;
	if (ethos_ipc_wait("ipc.ping", &c) != StatusOk)
		return 1;
	for (uint32_t i = 0; i < PINGS; i++) {
		void *buf;
		uint64_t size;

		if (ethos_write_wait(c, &i, sizeof(i)) != StatusOk ||
		    ethos_read_wait(c, &buf, &size) != StatusOk)
			return 2;
		if (size != sizeof(i) || *(uint32_t *)buf != i + 1)
			bad++;
		free(buf);
	}
	return bad ? 3 : 0;
}

static void ping_pong(void)
{
	Handle l, c;
	int ok = 1;

	CHECK_STATUS("advertise", ethos_advertise("ipc.ping", &l), StatusOk);
	EventId e = child(pinger, 0);
	CHECK_STATUS("import", ethos_import_wait(l, &c), StatusOk);
	uint64_t t0 = ethos_time();
	for (uint32_t i = 0; i < PINGS && ok; i++) {
		void *buf;
		uint64_t size;

		if (ethos_read_wait(c, &buf, &size) != StatusOk || size != 4 ||
		    *(uint32_t *)buf != i) {
			ok = 0;
			break;
		}
		uint32_t reply = i + 1;
		free(buf);
		ok = ethos_write_wait(c, &reply, sizeof(reply)) == StatusOk;
	}
	uint64_t t1 = ethos_time();
	CHECK("10^4 ping-pong round trips", ok);
	CHECK("the pinger saw every reply", child_status(e) == 0);
	printf("ipc: %u round trips in %lu us\n", PINGS,
	       (unsigned long)((t1 - t0) / 1000));
	ethos_close(c);
	ethos_close(l);
}

/* ---- sizes, order, ReturnSpace ----------------------------------------- */

static const uint64_t sizes[] = { 0, 1, 64 << 10, 4 << 20 };

static uint8_t pattern(uint64_t i, unsigned n)
{
	return (uint8_t)(i * 7 + n * 13 + (i >> 12));
}

static Handle sizes_to;

/* Writes the four sizes in order, each write blocking until it is in the
 * reader's queue (the 4 MiB one waits for room: it is past the bound). */
static int size_writer(void *arg)
{
	uint8_t **src = arg;

	for (unsigned n = 0; n < 4; n++) {
		enum status st = ethos_write_wait(sizes_to, src[n], sizes[n]);
		if (st != StatusOk) {
			printf("ipc: the write of %lu bytes: %s\n",
			       (unsigned long)sizes[n], ethos_status_name(st));
			return 1;
		}
	}
	return 0;
}

static void sizes_and_order(void)
{
	Handle a, b;
	EventId r;
	uint64_t size = 0;
	int whole = 1;

	CHECK_STATUS("pipe", ethos_pipe(&a, &b), StatusOk);
	uint8_t *buf = malloc(4 << 20);
	uint8_t *src[4];
	for (unsigned n = 0; n < 4; n++) {
		src[n] = malloc(sizes[n] ? sizes[n] : 1);
		for (uint64_t i = 0; i < sizes[n]; i++)
			src[n][i] = pattern(i, n);
	}
	sizes_to = b;
	EventId e = child(size_writer, src);
	/* 4 MiB + 1: TooBig, no event. */
	uint64_t before = pending_events() + completed_events();
	CHECK_STATUS("a message over ETHOS_MESSAGE_MAX",
		     ethos_write(b, src[3], ETHOS_MESSAGE_MAX + 1, &r), StatusTooBig);
	CHECK("TooBig made no event", pending_events() + completed_events() == before);
	for (unsigned n = 0; n < 4; n++) {
		CHECK_STATUS("read", ethos_read(a, &r), StatusOk);
		/* (The writer keeps b open in this process too: if its write
		 * fails, nothing would ever end this read.) */
		if (!within("read a size", r, e)) {
			ethos_cancel(r);
			whole = 0;
			break;
		}
		if (sizes[n] > 1) {
			CHECK_STATUS("retire into a small buffer: ReturnSpace",
				     ethos_retire(r, buf, 1, &size), StatusReturnSpace);
			CHECK("ReturnSpace says the size", size == sizes[n]);
		}
		CHECK_STATUS("retire", ethos_retire(r, buf, 4 << 20, &size), StatusOk);
		if (size != sizes[n] || memcmp(buf, src[n], size) != 0)
			whole = 0;
	}
	CHECK("0 B, 1 B, 64 KiB and 4 MiB arrive whole and in order", whole);
	CHECK("every write completed", child_status(e) == 0);
	for (unsigned n = 0; n < 4; n++)
		free(src[n]);
	free(buf);
	ethos_close(a);
	ethos_close(b);
}

/* ---- messages of more than one chunk ----------------------------------- */

/*
 * The kernel keeps a message of more than 1 MiB as 1 MiB chunks (no block
 * of its whole length).  Sizes at the chunk edges arrive whole; a write
 * that fails (its source unmapped past the first chunk, or the reader
 * gone), one held then dropped as the reader closes, and one admitted but
 * never read all give back every page.
 */
static volatile int read_callbacks;

static void on_read(EventId e, void *arg)
{
	(void)e;
	(void)arg;
	read_callbacks++;
}

static void chunks(void)
{
	static const uint64_t edges[] = {
		(1 << 20) + 1, (2 << 20) - 1, (2 << 20), (3 << 20) + 4097,
	};
	/* The last MiB of the heap region: mapped on touch; past it, no
	 * memory (HEAP_END, kernel/include/kernel/region.h). */
	uint8_t *heap_top = (uint8_t *)0x4000000000ULL - (1 << 20);
	uint8_t *src = malloc(4 << 20), *dst = malloc(4 << 20);
	Handle a, b;
	EventId w1, w2, r;
	uint64_t size = 0;
	int whole = 1;

	for (uint64_t i = 0; i < (4 << 20); i++)
		src[i] = pattern(i, 5);
	memset(dst, 0, 4 << 20);
	CHECK_STATUS("pipe", ethos_pipe(&a, &b), StatusOk);
	/* Once before counting pages: the copy maps the top 3 MiB. */
	ethos_write(b, heap_top - (2 << 20), 4 << 20, &w1);
	uint64_t pages = ethos_free_pages();
	uint64_t before = pending_events() + completed_events();
	CHECK_STATUS("a write whose second MiB is unmapped: BadAddress",
		     ethos_write(b, heap_top, 2 << 20, &w1), StatusBadAddress);
	CHECK_STATUS("... and one whose fourth MiB is: BadAddress",
		     ethos_write(b, heap_top - (2 << 20), 4 << 20, &w1),
		     StatusBadAddress);
	CHECK("they made no event", pending_events() + completed_events() == before);
	for (unsigned n = 0; n < sizeof(edges) / sizeof(edges[0]); n++) {
		uint64_t off = n * 4099;        /* not page-aligned */
		CHECK_STATUS("write", ethos_write(b, src + off, edges[n], &w1),
			     StatusOk);
		CHECK_STATUS("read", ethos_read(a, &r), StatusOk);
		CHECK_STATUS("retire", ethos_block_and_retire(r, dst, 4 << 20,
			     &size), StatusOk);
		if (size != edges[n] || memcmp(dst, src + off, size) != 0)
			whole = 0;
		CHECK_STATUS("the write completed",
			     ethos_block_and_retire(w1, 0, 0, 0), StatusOk);
	}
	CHECK("1 MiB + 1, 2 MiB - 1, 2 MiB and 3 MiB + 4097 arrive whole", whole);
	/* A callback on a read that waits: it runs when a message arrives,
	 * one block (64 KiB) or chunks (2 MiB). */
	static const uint64_t cb_sizes[] = { 64 << 10, 2 << 20 };
	for (unsigned n = 0; n < 2; n++) {
		read_callbacks = 0;
		CHECK_STATUS("read", ethos_read(a, &r), StatusOk);
		CHECK_STATUS("its callback", ethos_callback(r, on_read, 0),
			     StatusOk);
		CHECK_STATUS("write", ethos_write(b, src, cb_sizes[n], &w1),
			     StatusOk);
		ethos_free_pages();         /* one more return to user */
		CHECK(n ? "a callback on a read ran when 2 MiB arrived" :
		      "a callback on a read ran when 64 KiB arrived",
		      read_callbacks == 1);
		CHECK_STATUS("retire", ethos_block_and_retire(r, dst, 4 << 20,
			     &size), StatusOk);
		CHECK("... whole", size == cb_sizes[n] &&
		      memcmp(dst, src, size) == 0);
		CHECK_STATUS("the write completed",
			     ethos_block_and_retire(w1, 0, 0, 0), StatusOk);
	}
	CHECK_STATUS("admitted alone", ethos_write(b, src, 3 << 20, &w1), StatusOk);
	CHECK_STATUS("held", ethos_write(b, src, 4 << 20, &w2), StatusOk);
	CHECK("the second is held", pending_events() == 1);
	CHECK("kernel memory: the two messages",
	      pages - ethos_free_pages() >= (7 << 20) / 4096);
	ethos_close(a);
	CHECK_STATUS("the reader closed: the held write fails Closed",
		     ethos_block_and_retire(w2, 0, 0, 0), StatusClosed);
	CHECK_STATUS("the admitted one had completed",
		     ethos_block_and_retire(w1, 0, 0, 0), StatusOk);
	CHECK_STATUS("a write to the closed reader: Closed",
		     ethos_write(b, src, 2 << 20, &w1), StatusClosed);
	ethos_close(b);
	/* A leaked chunk is 256 pages. */
	CHECK("every chunk freed", ethos_free_pages() + 16 >= pages);
	free(src);
	free(dst);
}

/* ---- many clients ------------------------------------------------------ */

#define CLIENTS 8

static int client(void *arg)
{
	Handle c;
	uint64_t id = (uint64_t)(uintptr_t)arg;
	void *buf;
	uint64_t size;

	if (ethos_ipc_wait("ipc.many", &c) != StatusOk)
		return 1;
	if (ethos_write_wait(c, &id, sizeof(id)) != StatusOk)
		return 2;
	if (ethos_read_wait(c, &buf, &size) != StatusOk || size != 8 ||
	    *(uint64_t *)buf != id * 100)
		return 3;
	free(buf);
	return 0;
}

static void many_clients(void)
{
	Handle l;
	EventId kids[CLIENTS];
	unsigned seen = 0;
	int ok = 1;

	CHECK_STATUS("advertise", ethos_advertise("ipc.many", &l), StatusOk);
	for (uintptr_t i = 0; i < CLIENTS; i++)
		kids[i] = child(client, (void *)(i + 1));
	for (unsigned i = 0; i < CLIENTS; i++) {
		Handle c;
		void *buf;
		uint64_t size;

		if (ethos_import_wait(l, &c) != StatusOk ||
		    ethos_read_wait(c, &buf, &size) != StatusOk || size != 8) {
			ok = 0;
			break;
		}
		uint64_t id = *(uint64_t *)buf, reply = id * 100;
		free(buf);
		seen |= 1u << id;
		ok &= ethos_write_wait(c, &reply, sizeof(reply)) == StatusOk;
		ethos_close(c);
	}
	CHECK("one service served every client", ok && seen == 0x1fe);
	int all = 1;
	for (unsigned i = 0; i < CLIENTS; i++)
		all &= child_status(kids[i]) == 0;
	CHECK("every client got its own answer", all);
	ethos_close(l);
}

/* ---- back-pressure ----------------------------------------------------- */

static void back_pressure(void)
{
	Handle a, b;
	static EventId w[2 * ETHOS_IPC_QUEUE_MSGS];
	EventId extra;
	uint32_t i;
	int ok = 1;

	CHECK_STATUS("pipe", ethos_pipe(&a, &b), StatusOk);
	uint64_t pages = ethos_free_pages();
	for (i = 0; i < 2 * ETHOS_IPC_QUEUE_MSGS; i++)
		if (ethos_write(b, &i, sizeof(i), &w[i]) != StatusOk)
			ok = 0;
	CHECK("twice the queue's messages accepted", ok);
	CHECK("the first queue-full completed at once",
	      completed_events() == ETHOS_IPC_QUEUE_MSGS);
	CHECK("the rest are held (writes pending)",
	      pending_events() == ETHOS_IPC_QUEUE_MSGS);
	CHECK_STATUS("one more: NoSpace, no event",
		     ethos_write(b, &i, sizeof(i), &extra), StatusNoSpace);
	CHECK("NoSpace made no event", pending_events() == ETHOS_IPC_QUEUE_MSGS);
	CHECK("kernel memory bounded (a few pages at most)",
	      pages - ethos_free_pages() < 64);
	/* Bytes: held 64 KiB messages stop at the byte bound. */
	for (i = 0; i < 2 * ETHOS_IPC_QUEUE_MSGS; i++) {
		void *buf;
		uint64_t size;

		if (ethos_read_wait(a, &buf, &size) != StatusOk || size != 4 ||
		    *(uint32_t *)buf != i)
			ok = 0;
		free(buf);
	}
	CHECK("the reader got every message, in order", ok);
	for (i = 0; i < 2 * ETHOS_IPC_QUEUE_MSGS; i++)
		ok &= ethos_block_and_retire(w[i], 0, 0, 0) == StatusOk;
	CHECK("every held write completed as the reader made room", ok);

	/* Bytes bound: 64 KiB messages, one admitted, one held, then NoSpace. */
	char *big = calloc(1, ETHOS_IPC_QUEUE_BYTES);
	EventId w1, w2;
	CHECK_STATUS("a queue-full of bytes", ethos_write(b, big,
		     ETHOS_IPC_QUEUE_BYTES, &w1), StatusOk);
	CHECK_STATUS("held", ethos_write(b, big, ETHOS_IPC_QUEUE_BYTES, &w2),
		     StatusOk);
	CHECK("second write held", pending_events() == 1);
	CHECK_STATUS("past the byte bound: NoSpace",
		     ethos_write(b, big, 1, &extra), StatusNoSpace);
	ethos_close(a);
	CHECK_STATUS("the reader closed: the held write fails Closed",
		     ethos_block_and_retire(w2, 0, 0, 0), StatusClosed);
	CHECK_STATUS("the admitted write had completed",
		     ethos_block_and_retire(w1, 0, 0, 0), StatusOk);
	CHECK_STATUS("write to a closed peer: Closed at once",
		     ethos_write(b, big, 1, &extra), StatusClosed);
	free(big);
	ethos_close(b);
}

/* ---- the peer's end ---------------------------------------------------- */

static int leaver(void *arg)
{
	Handle c;

	(void)arg;
	if (ethos_ipc_wait("ipc.leave", &c) != StatusOk)
		return 1;
	ethos_write_wait(c, "bye", 3);
	sleep_ms(200);
	return 0;            /* its end closes as it exits */
}

static void peer_exit(void)
{
	Handle l, c;
	EventId r1, r2, r3;
	void *buf;
	uint64_t size;

	CHECK_STATUS("advertise", ethos_advertise("ipc.leave", &l), StatusOk);
	EventId e = child(leaver, 0);
	CHECK_STATUS("import", ethos_import_wait(l, &c), StatusOk);
	CHECK_STATUS("read before the end",
		     ethos_read_wait(c, &buf, &size), StatusOk);
	CHECK("what it wrote", size == 3 && memcmp(buf, "bye", 3) == 0);
	free(buf);
	CHECK_STATUS("read pending", ethos_read(c, &r1), StatusOk);
	CHECK_STATUS("fdReceive pending", ethos_fd_receive(c, &r2), StatusOk);
	CHECK("the peer exits", child_status(e) == 0);
	CHECK_STATUS("the pending read completes with Closed",
		     ethos_block_and_retire(r1, 0, 0, 0), StatusClosed);
	CHECK_STATUS("the pending fdReceive completes with Closed",
		     ethos_block_and_retire(r2, 0, 0, 0), StatusClosed);
	CHECK_STATUS("a later read: Closed at once", ethos_read(c, &r3), StatusClosed);
	CHECK_STATUS("a later write: Closed at once",
		     ethos_write(c, "x", 1, &r3), StatusClosed);
	CHECK("nothing left pending", pending_events() == 0);
	ethos_close(c);
	/* A client waiting for a service that goes away: Closed. */
	CHECK_STATUS("ipc to a service", ethos_ipc("ipc.leave", &r1), StatusOk);
	ethos_close(l);
	CHECK_STATUS("its service closed: Closed",
		     ethos_block_and_retire(r1, 0, 0, 0), StatusClosed);
	CHECK_STATUS("the name is gone", ethos_ipc("ipc.leave", &r1), StatusNotFound);
}

/* ---- passing handles --------------------------------------------------- */

static int third(void *arg)
{
	Handle c, got[4];
	uint64_t n = 0;

	(void)arg;
	if (ethos_ipc_wait("ipc.pass", &c) != StatusOk)
		return 1;
	if (ethos_fd_receive_wait(c, got, 4, &n) != StatusOk || n != 2)
		return 2;
	/* got[0]: a connection end; got[1]: a process handle. */
	if (ethos_write_wait(got[0], "via a passed handle", 19) != StatusOk)
		return 3;
	if (ethos_process_kill(got[1]) != StatusOk)
		return 4;
	ethos_close(got[0]);
	ethos_close(got[1]);
	ethos_close(c);
	return 0;
}

static int sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep_ms(1000);
	return 0;
}

static void passing(void)
{
	Handle l, c, a, b, ph;
	uint64_t pid;
	EventId sleeper_exit;
	void *buf;
	uint64_t size;

	EventId ev;
	struct ethos_handle_result hr = { HANDLE_NONE };
	CHECK_STATUS("advertise", ethos_advertise("ipc.pass", &l), StatusOk);
	EventId e = child(third, 0);
	CHECK_STATUS("import", ethos_import(l, &ev), StatusOk);
	if (!within("the third process connects", ev, e)) {
		ethos_cancel(ev);
		ethos_close(l);
		child_status(e);
		return;
	}
	CHECK_STATUS("import", ethos_retire(ev, &hr, sizeof(hr), 0), StatusOk);
	c = hr.handle;
	CHECK_STATUS("pipe", ethos_pipe(&a, &b), StatusOk);
	CHECK_STATUS("fork the sleeper", ethos_fork(&pid, &sleeper_exit), StatusOk);
	if (pid == 0)
		ethos_exit(sleeper(0));
	CHECK_STATUS("a process handle on the child",
		     ethos_process_handle(pid, &ph), StatusOk);
	Handle send[2] = { b, ph };
	CHECK_STATUS("fdSend a connection end and a process handle",
		     ethos_fd_send_wait(c, send, 2), StatusOk);
	/* Each wait below is bounded: if the third process fails (it got
	 * nothing, or the wrong handles), this fails instead of waiting for
	 * a message or a kill that never comes. */
	CHECK_STATUS("read", ethos_read(a, &ev), StatusOk);
	if (within("the third process wrote on the passed end", ev, e)) {
		CHECK_STATUS("the third process wrote on the passed end",
			     ethos_retire_alloc(ev, &buf, &size), StatusOk);
		CHECK("its message",
		      size == 19 && memcmp(buf, "via a passed handle", 19) == 0);
		free(buf);
	} else {
		ethos_cancel(ev);
	}
	/* (Not on the third's exit: it may end before the sleeper does.) */
	struct ethos_exit_result r = { 0 };
	if (!within("the third process killed the sleeper", sleeper_exit, 0)) {
		ethos_close(c);                 /* the third gets Closed */
		c = HANDLE_NONE;
		ethos_process_kill(ph);
	}
	CHECK_STATUS("the third process killed the sleeper through the handle",
		     ethos_block_and_retire(sleeper_exit, &r, sizeof(r), 0), StatusOk);
	CHECK("killed", r.status == ETHOS_KILLED_BY_PARENT && r.pid == pid);
	CHECK("the third process", child_status(e) == 0);
	/* The sender kept its own entries. */
	CHECK_STATUS("the sender's own end still works",
		     ethos_write_wait(b, "mine", 4), StatusOk);
	CHECK_STATUS("and reads", ethos_read_wait(a, &buf, &size), StatusOk);
	free(buf);
	EventId pw;
	CHECK_STATUS("wait through the process handle", ethos_process_wait(ph, &pw),
		     StatusOk);
	r.status = 0;
	CHECK_STATUS("an ended process: at once",
		     ethos_block_and_retire(pw, &r, sizeof(r), 0), StatusOk);
	CHECK("its status", r.status == ETHOS_KILLED_BY_PARENT);
	CHECK_STATUS("kill of an ended process", ethos_process_kill(ph), StatusNotFound);
	Handle none;
	CHECK_STATUS("a handle of a non-child", ethos_process_handle(1, &none),
		     StatusNotFound);
	ethos_close(ph);
	ethos_close(a);
	ethos_close(b);
	if (c != HANDLE_NONE)
		ethos_close(c);
	ethos_close(l);
}

/* A handle of another process, used directly (its value given as an
 * argument to a new program, whose table is empty), is refused. */
static int foreign(const char *value)
{
	Handle h = strtoull(value, 0, 16);
	EventId e;

	check_program = "ipc-foreign";
	CHECK_STATUS("another process's connection: read", ethos_read(h, &e),
		     StatusInvalidHandle);
	CHECK_STATUS("write", ethos_write(h, "x", 1, &e), StatusInvalidHandle);
	CHECK_STATUS("fdSend", ethos_fd_send(h, &h, 1, &e), StatusInvalidHandle);
	CHECK_STATUS("close", ethos_close(h), StatusInvalidHandle);
	return check_failures;
}

static void forged(void)
{
	Handle a, b;
	char arg[32];
	uint64_t pid;
	EventId e;

	CHECK_STATUS("pipe", ethos_pipe(&a, &b), StatusOk);
	snprintf(arg, sizeof(arg), "%lx", (unsigned long)a);
	char *argv[] = { "/tests/ipc", "foreign", arg, 0 };
	CHECK_STATUS("spawn", ethos_spawnv("/tests/ipc", argv, 0, &pid, &e), StatusOk);
	CHECK("a handle of another process is refused", child_status(e) == 0);
	ethos_close(a);
	ethos_close(b);
}

/* ---- cycles of queued handles -------------------------------------------- */

/*
 * Pipes A, B, C (ends x[0], x[1]; what is sent on x[0] is queued to
 * x[1]).  A bundle queued to a1 holding b1 keeps b1 open as long as a1
 * is.  Sending a1 on B would queue it to b1: a1 and b1 would hold each
 * other, and once the processes' own handles are gone nothing could ever
 * read or close them.  fdSend refuses the bundle that closes such a
 * cycle, whatever its length; the processes then exit with everything
 * open and every object must go.
 */
static Handle cyc[4][2];

static int cycle_closer(void *arg)
{
	(void)arg;
	check_program = "ipc-cycle";
	check_failures = 0;         /* (the count forked from the parent) */
	EventId e;
	CHECK_STATUS("a1 on B (b1 queued to a1): refused, a two-connection cycle",
		     ethos_fd_send(cyc[1][0], &cyc[0][1], 1, &e), StatusInvalidArgument);
	CHECK_STATUS("c1 on B: a chain, not a cycle",
		     ethos_fd_send_wait(cyc[1][0], &cyc[2][1], 1), StatusOk);
	CHECK_STATUS("a1 on C (a1 -> b1 -> c1 queued): refused, a three-connection cycle",
		     ethos_fd_send(cyc[2][0], &cyc[0][1], 1, &e), StatusInvalidArgument);
	CHECK_STATUS("b0 on C: b0 does not lead to c1",
		     ethos_fd_send_wait(cyc[2][0], &cyc[1][0], 1), StatusOk);
	CHECK_STATUS("d1 on C: not part of the chain",
		     ethos_fd_send_wait(cyc[2][0], &cyc[3][1], 1), StatusOk);
	return check_failures;     /* exits with every handle open */
}

static int cycle_builder(void *arg)
{
	(void)arg;
	check_program = "ipc-cycle";
	check_failures = 0;         /* (the count forked from the parent) */
	for (int i = 0; i < 4; i++)
		if (ethos_pipe(&cyc[i][0], &cyc[i][1]) != StatusOk)
			return 100;
	CHECK_STATUS("b1 on A", ethos_fd_send_wait(cyc[0][0], &cyc[1][1], 1), StatusOk);
	/* The other half from another process, which shares the ends. */
	if (child_status(child(cycle_closer, 0)) != 0)
		check_failures++;
	return check_failures;     /* exits with every handle open */
}

static int kstats_equal(const uint64_t *a, const uint64_t *b)
{
	for (int i = 0; i < KStatCount; i++)
		if (i != KStatFreePages && !ETHOS_KSTAT_CUMULATIVE(i) && a[i] != b[i])
			return 0;
	return 1;
}

static void cycles(void)
{
	uint64_t before[KStatCount], after[KStatCount];

	ethos_kernel_stats(before, 0);
	uint64_t pages = ethos_free_pages();
	CHECK("the processes that tried to close cycles",
	      child_status(child(cycle_builder, 0)) == 0);
	/* (A process's last pages may come back a moment after its exit
	 * event: up to 1 s.  A leak never does.) */
	for (int i = 0; i < 100; i++) {
		ethos_kernel_stats(after, 0);
		if (kstats_equal(before, after) && ethos_free_pages() == pages)
			break;
		sleep_ms(10);
	}
	CHECK("every kernel object freed once both processes ended",
	      kstats_equal(before, after));
	for (int i = 0; i < KStatCount; i++)
		if (i != KStatFreePages && !ETHOS_KSTAT_CUMULATIVE(i) &&
		    before[i] != after[i])
			printf("ipc: %s %lu before, %lu after\n", ethos_kstat_name(i),
			       (unsigned long)before[i], (unsigned long)after[i]);
	CHECK("free pages exact", ethos_free_pages() == pages);
}

/* ---- hostile input ------------------------------------------------------ */

static void hostile(void)
{
	Handle l, a, b, h;
	EventId e;
	char longname[ETHOS_PATH_MAX + 1];
	static const char *bad[] = { "", ".", "..", "a/b", "/" };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_STATUS("a name that is not a file name",
			     ethos_advertise(bad[i], &h), StatusInvalidArgument);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[ETHOS_PATH_MAX] = 0;
	CHECK_STATUS("a name too long", ethos_advertise(longname, &h),
		     StatusInvalidArgument);
	struct sys_advertise_in nul = { .name = "a\0b", .name_len = 3 };
	struct sys_handle_out hout;
	CHECK_STATUS("a NUL inside", ethos_syscall(SysAdvertise, &nul, &hout),
		     StatusInvalidArgument);
	struct sys_advertise_in badp = { .name = (char *)0x10, .name_len = 3 };
	CHECK_STATUS("a name pointer unmapped",
		     ethos_syscall(SysAdvertise, &badp, &hout), StatusBadAddress);
	CHECK_STATUS("advertise", ethos_advertise("ipc.hostile", &l), StatusOk);
	CHECK_STATUS("advertised twice", ethos_advertise("ipc.hostile", &h),
		     StatusNotPermitted);
	struct sys_advertise_in good = { .name = "ipc.other", .name_len = 9 };
	CHECK_STATUS("advertise with its output unmapped",
		     ethos_syscall(SysAdvertise, &good, (void *)0x10), StatusBadAddress);
	CHECK_STATUS("... made nothing: the name is free",
		     ethos_ipc("ipc.other", &e), StatusNotFound);
	CHECK_STATUS("ipc to no service", ethos_ipc("ipc.none", &e), StatusNotFound);
	CHECK_STATUS("pipe", ethos_pipe(&a, &b), StatusOk);
	/* Wrong kinds and made-up handles. */
	CHECK_STATUS("read a listening handle", ethos_read(l, &e), StatusInvalidHandle);
	CHECK_STATUS("import a connection", ethos_import(a, &e), StatusInvalidHandle);
	CHECK_STATUS("read a made-up handle", ethos_read(0x500000001ULL, &e),
		     StatusInvalidHandle);
	CHECK_STATUS("read HANDLE_NONE", ethos_read(HANDLE_NONE, &e), StatusInvalidHandle);
	CHECK_STATUS("wait on a connection", ethos_process_wait(a, &e),
		     StatusInvalidHandle);
	CHECK_STATUS("kill a connection", ethos_process_kill(a), StatusInvalidHandle);
	struct sys_process_in pin = { .op = 99 };
	CHECK_STATUS("an unknown process op", ethos_syscall(SysProcess, &pin, 0),
		     StatusInvalidArgument);
	/* Bad pointers and sizes: no event is made. */
	uint64_t before = pending_events() + completed_events();
	CHECK_STATUS("write from an unmapped buffer",
		     ethos_write(b, (void *)0x10, 8, &e), StatusBadAddress);
	CHECK_STATUS("write from kernel memory",
		     ethos_write(b, (void *)0xffff800000000000ULL, 8, &e),
		     StatusBadAddress);
	CHECK_STATUS("write of a huge size", ethos_write(b, &e, ~0ULL, &e),
		     StatusTooBig);
	struct sys_read_in rin = { .connection = a };
	CHECK_STATUS("read with its output unmapped",
		     ethos_syscall(SysRead, &rin, (void *)0x10), StatusBadAddress);
	struct sys_write_in win = { .connection = b, .buf = "x", .len = 1 };
	CHECK_STATUS("write with its output unmapped",
		     ethos_syscall(SysWrite, &win, (void *)0x10), StatusBadAddress);
	Handle many[ETHOS_FDSEND_MAX + 1];
	for (unsigned i = 0; i <= ETHOS_FDSEND_MAX; i++)
		many[i] = l;
	CHECK_STATUS("fdSend of too many", ethos_fd_send(b, many, ETHOS_FDSEND_MAX + 1, &e),
		     StatusTooBig);
	CHECK_STATUS("fdSend from an unmapped array",
		     ethos_fd_send(b, (Handle *)0x10, 1, &e), StatusBadAddress);
	Handle bogus = 0x700000003ULL;
	CHECK_STATUS("fdSend of a handle that is not ours",
		     ethos_fd_send(b, &bogus, 1, &e), StatusInvalidHandle);
	CHECK_STATUS("fdSend of a connection over itself",
		     ethos_fd_send(b, &a, 1, &e), StatusInvalidArgument);
	CHECK("no event made by any of them",
	      pending_events() + completed_events() == before);
	uint64_t st[KStatCount];
	ethos_kernel_stats(st, 0);
	CHECK("handles: the service and two ends",
	      st[KStatHandles] == handles_base + 3);
	/* Every handle table full: NoSpace, for advertise and for fdReceive. */
	static Handle filler[HANDLES_MAX_GUESS];
	unsigned n = 0;
	enum status s = StatusOk;
	char name[32];
	while (n < HANDLES_MAX_GUESS) {
		snprintf(name, sizeof(name), "ipc.fill.%u", n);
		if ((s = ethos_advertise(name, &filler[n])) != StatusOk)
			break;
		n++;
	}
	CHECK_STATUS("a full handle table: NoSpace", s, StatusNoSpace);
	CHECK("4096 handles fit (with the root)", n + 4 == 4096);
	EventId ce, ie;
	struct ethos_handle_result hr;
	CHECK_STATUS("ipc while the table is full", ethos_ipc("ipc.hostile", &ce),
		     StatusOk);
	CHECK_STATUS("import", ethos_import(l, &ie), StatusOk);
	CHECK_STATUS("a connection into a full table: the import fails NoSpace",
		     ethos_block_and_retire(ie, &hr, sizeof(hr), 0), StatusNoSpace);
	CHECK("the client still waits", pending_events() == 1);
	CHECK_STATUS("cancel it", ethos_cancel(ce), StatusOk);
	CHECK_STATUS("fdSend to a full table", ethos_fd_send_wait(b, &l, 1), StatusOk);
	Handle got;
	uint64_t count;
	CHECK_STATUS("fdReceive into a full table: NoSpace",
		     ethos_fd_receive_wait(a, &got, 1, &count), StatusNoSpace);
	ethos_close(filler[--n]);
	CHECK_STATUS("room again: the bundle was kept",
		     ethos_fd_receive_wait(a, &got, 1, &count), StatusOk);
	CHECK("one handle", count == 1);
	CHECK_STATUS("the received listening handle works: import",
		     ethos_import(got, &e), StatusOk);
	ethos_cancel(e);
	while (n > 0)
		ethos_close(filler[--n]);
	ethos_close(got);
	ethos_close(l);
	ethos_close(a);
	ethos_close(b);
	ethos_kernel_stats(st, 0);
	CHECK("every handle closed", st[KStatHandles] == handles_base);
	CHECK("no event left", pending_events() + completed_events() == 0);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "foreign") == 0)
		return foreign(argv[2]);
	check_program = "ipc";
	uint64_t pages = ethos_free_pages();
	uint64_t k0[KStatCount];
	ethos_kernel_stats(k0, 0);
	handles_base = k0[KStatHandles];     /* init's root and ours */
	static void (*const parts[])(void) = {
		hostile, ping_pong, sizes_and_order, chunks, many_clients,
		back_pressure, peer_exit, passing, forged, cycles,
	};
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		uint64_t k[KStatCount];
		parts[i]();
		ethos_kernel_stats(k, 0);
		if (k[KStatHandles] != handles_base)
			printf("ipc: part %u left %lu handles\n", i,
			       (unsigned long)(k[KStatHandles] - handles_base));
	}
	uint64_t st[KStatCount];
	ethos_kernel_stats(st, 0);
	CHECK("no handle left", st[KStatHandles] == handles_base);
	printf("ipc: %lu pages free at the start, %lu at the end\n",
	       (unsigned long)pages, (unsigned long)ethos_free_pages());
	return check_failures;
}
