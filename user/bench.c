/*
 * In-guest benchmarks, printed as "BENCH name median min max unit" lines
 * for tools/run-bench.  Each figure is the median over RUNS runs of a
 * loop, in TSC cycles (under QEMU icount: guest instructions, Xen's
 * included).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <ethos/ethos.h>

#define RUNS 7
#define MS 1000000ULL

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void sort(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void report(const char *name, uint64_t *v, const char *unit)
{
	sort(v, RUNS);
	printf("BENCH %s %lu %lu %lu %s\n", name, (unsigned long)v[RUNS / 2],
	       (unsigned long)v[0], (unsigned long)v[RUNS - 1], unit);
}

static void null_syscall(void)
{
	enum { N = 2000 };
	uint64_t v[RUNS];
	struct sys_getpid_out out;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++)
			ethos_syscall(SysGetPid, 0, &out);
		v[r] = (rdtsc() - t0) / N;
	}
	report("null_syscall_getpid", v, "cycles/call");
}

/* The time: SysGetTime, and the time page (ethos_time, no syscall). */
static void gettime(void)
{
	enum { N = 2000 };
	uint64_t vs[RUNS], vp[RUNS];
	volatile uint64_t sink = 0;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++)
			sink += ethos_time_syscall();
		uint64_t t1 = rdtsc();
		for (int i = 0; i < N; i++)
			sink += ethos_time();
		vs[r] = (t1 - t0) / N;
		vp[r] = (rdtsc() - t1) / N;
	}
	report("gettime_syscall", vs, "cycles/call");
	report("gettime_page", vp, "cycles/call");
}

/* block and retire as two calls (the figure before SysBlockRetire), then
 * ethos_block_and_retire, one call (SysBlockRetire). */
static void beep_round_trip(void)
{
	enum { N = 500 };
	uint64_t v[RUNS], w[RUNS];
	struct ethos_beep_result res;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			EventId e;
			struct ethos_tree_node leaf = { .kind = TreeLeaf };
			ethos_beep(0, &e);
			leaf.event = e;
			ethos_block(&leaf, 1, 0, 0);
			ethos_retire(e, &res, sizeof(res), 0);
		}
		v[r] = (rdtsc() - t0) / N;
		t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			EventId e;
			ethos_beep(0, &e);
			ethos_block_and_retire(e, &res, sizeof(res), 0);
		}
		w[r] = (rdtsc() - t0) / N;
	}
	report("beep0_block_retire", v, "cycles/round-trip");
	report("beep0_block_retire_one_call", w, "cycles/round-trip");
}

/*
 * An or-tree of `leaves` beeps: one due in 2 ms, the rest in an hour.
 * Measures from the near beep's completion (its result holds the system
 * time) to the process running again: the completion, the wake-up and the
 * return from block.
 */
static void tree_wake(int leaves)
{
	static EventId e[4096];
	static struct ethos_tree_node t[4097];
	uint64_t v[RUNS];
	char name[48];

	for (int r = 0; r < RUNS; r++) {
		t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
						 .first_child = 1, .nchildren = (uint32_t)leaves };
		/* The far ones first: creating 4096 beeps takes longer than 2 ms. */
		for (int i = leaves - 1; i >= 0; i--) {
			uint64_t now = ethos_time();
			ethos_beep(i == 0 ? now + 2 * MS : now + 3600000 * MS, &e[i]);
			t[i + 1] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = e[i] };
		}
		ethos_block(t, (uint32_t)leaves + 1, 0, 0);
		uint64_t woke = ethos_time();
		struct ethos_beep_result res;
		ethos_retire(e[0], &res, sizeof(res), 0);
		v[r] = woke - res.fired_ns;
		for (int i = 1; i < leaves; i++)
			ethos_cancel(e[i]);
	}
	snprintf(name, sizeof(name), "tree_completion_to_wake_%d_leaves", leaves);
	report(name, v, "ns");
}

/*
 * N beeps with far deadlines in a scrambled order, then cancelled: what
 * one process with many out-of-order timers costs (the sorted list that
 * the beep heap replaced made each insert O(n)).  Cycles per syscall.
 */
static void beeps_out_of_order(int n)
{
	static EventId e[4096];
	uint64_t vc[RUNS], vx[RUNS];
	char name[48];
	uint64_t base = ethos_time() + 3600000 * MS;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < n; i++) {
			/* i * 2654435761 mod 2^32: a fixed permutation. */
			uint64_t spread = (uint32_t)((uint32_t)i * 2654435761u);
			ethos_beep(base + spread, &e[i]);
		}
		uint64_t t1 = rdtsc();
		for (int i = 0; i < n; i++)
			ethos_cancel(e[i]);
		vc[r] = (t1 - t0) / (uint64_t)n;
		vx[r] = (rdtsc() - t1) / (uint64_t)n;
	}
	snprintf(name, sizeof(name), "beep_out_of_order_%d", n);
	report(name, vc, "cycles/beep");
	snprintf(name, sizeof(name), "cancel_out_of_order_%d", n);
	report(name, vx, "cycles/cancel");
}

/* ---- demand-zero faults --------------------------------------------- */

/*
 * Fresh heap pages touched in order (fault-around brings in a run of them
 * per fault), and lone faults: every 8th page of fresh 2 MiB ranges whose
 * table exists (one page touched first), so that each fault maps one page
 * and no table.  In a forked child, so that the heap it leaves does not
 * weigh on the process benchmarks after it.  Cycles per page.
 */
static void zero_faults_child(void)
{
	enum { PAGES = 256, LONE = 64 };
	uint64_t vs[RUNS], vl[RUNS];
	uintptr_t next = 0x200000000UL;      /* 8 GiB into the heap */

	for (int r = 0; r < RUNS; r++) {
		volatile uint64_t *p = (volatile uint64_t *)next;
		uint64_t t0 = rdtsc();
		for (int i = 0; i < PAGES; i++)
			p[i * 512] = 1;
		vs[r] = (rdtsc() - t0) / PAGES;
		next += 2UL << 20;
		/* The last page of the range: its table, no neighbour. */
		*(volatile uint64_t *)(next + (2UL << 20) - 4096) = 1;
		t0 = rdtsc();
		for (int i = 0; i < LONE; i++)
			*(volatile uint64_t *)(next + (uintptr_t)i * 8 * 4096) = 1;
		vl[r] = (rdtsc() - t0) / LONE;
		next += 2UL << 20;
	}
	report("zero_fault_sequential", vs, "cycles/page");
	report("zero_fault_lone", vl, "cycles/page");
}

/* Memory the kernel has not used since boot costs more the first time:
 * its part of the direct map is mapped then (about 820 instructions a
 * page; docs/ARCHITECTURE.md, "The direct map is built lazily").  A first
 * child touches as much as the measurement will, so that zero_faults
 * measures faults, not that. */
static void warm_memory(void)
{
	uint64_t pid;
	EventId ev;
	struct ethos_exit_result r;

	if (ethos_fork(&pid, &ev) != StatusOk)
		return;
	if (pid == 0) {
		for (uintptr_t a = 0x300000000UL; a < 0x300000000UL + (40UL << 20);
		     a += 4096)
			*(volatile uint64_t *)a = 1;
		ethos_exit(0);
	}
	ethos_block_and_retire(ev, &r, sizeof(r), 0);
}

static void zero_faults(void)
{
	uint64_t pid;
	EventId ev;
	struct ethos_exit_result r;

	warm_memory();

	if (ethos_fork(&pid, &ev) != StatusOk)
		return;
	if (pid == 0) {
		zero_faults_child();
		fflush(stdout);
		ethos_exit(0);
	}
	ethos_block_and_retire(ev, &r, sizeof(r), 0);
}

/* ---- processes -------------------------------------------------------- */

#define HEAP_PAGES 256                      /* 1 MiB */
#define BENCH_HEAP ((volatile uint64_t *)0x140000000UL)

static void touch_heap(uint64_t value)
{
	for (int i = 0; i < HEAP_PAGES; i++)
		BENCH_HEAP[i * 512] = value;
}

static void wait_for(EventId exit_event)
{
	struct ethos_exit_result r;

	ethos_block_and_retire(exit_event, &r, sizeof(r), 0);
}

/* fork, the child exits at once, the parent waits: with 1 MiB of heap
 * (256 pages) touched, shared and then given back without a copy. */
static void fork_exit_wait(void)
{
	enum { N = 10 };
	uint64_t v[RUNS], pid;
	EventId ev;

	touch_heap(1);
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			if (ethos_fork(&pid, &ev) != StatusOk)
				return;
			if (pid == 0)
				ethos_exit(0);
			wait_for(ev);
		}
		v[r] = (rdtsc() - t0) / N;
	}
	report("fork_exit_wait_1MiB_heap", v, "cycles");
}

/* The parent writes 256 pages a live child shares: one copy each.  Then,
 * the child gone, writes them again after another fork: the last holder's
 * fault, no copy. */
static void cow_faults(void)
{
	uint64_t vcopy[RUNS], vreuse[RUNS], pid;
	EventId ev;

	touch_heap(1);
	for (int r = 0; r < RUNS; r++) {
		if (ethos_fork(&pid, &ev) != StatusOk)
			return;
		if (pid == 0) {
			for (;;)
				ethos_yield();     /* killed below */
		}
		uint64_t t0 = rdtsc();
		touch_heap(2 + (uint64_t)r);
		vcopy[r] = (rdtsc() - t0) / HEAP_PAGES;
		ethos_kill(pid);
		wait_for(ev);

		if (ethos_fork(&pid, &ev) != StatusOk)
			return;
		if (pid == 0)
			ethos_exit(0);
		wait_for(ev);
		t0 = rdtsc();
		touch_heap(3 + (uint64_t)r);
		vreuse[r] = (rdtsc() - t0) / HEAP_PAGES;
	}
	report("cow_fault_copy", vcopy, "cycles/page");
	report("cow_fault_last_holder", vreuse, "cycles/page");
}

/* A tiny static program (/bin/true) started and waited for: by spawn, and
 * by fork + exec. */
static void start_tiny(void)
{
	enum { N = 10 };
	uint64_t vs[RUNS], vf[RUNS], pid;
	EventId ev;
	char *argv[] = { "/bin/true", 0 };

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			if (ethos_spawn("/bin/true", 0, &pid, &ev) != StatusOk)
				return;
			wait_for(ev);
		}
		vs[r] = (rdtsc() - t0) / N;
		t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			if (ethos_fork(&pid, &ev) != StatusOk)
				return;
			if (pid == 0) {
				ethos_exec("/bin/true", argv, 0);
				ethos_exit(127);   /* exec failed */
			}
			wait_for(ev);
		}
		vf[r] = (rdtsc() - t0) / N;
	}
	report("spawn_wait_tiny", vs, "cycles");
	report("fork_exec_wait_tiny", vf, "cycles");
}

/*
 * 16 calls one by one and in one batch (SysBatch): getPid (the crossing
 * alone), beep (far deadlines; cancelled outside the timing), retire (of
 * 16 beeps already completed).  Cycles per call.
 */
static void batch16(void)
{
	enum { B = 16 };
	static struct ethos_batch_call calls[B];
	static struct sys_getpid_out pid_out[B];
	static struct sys_beep_in beep_in[B];
	static struct sys_event_out beep_out[B];
	static struct sys_retire_in retire_in[B];
	static struct sys_retire_out retire_out[B];
	static struct ethos_beep_result res[B];
	uint64_t v1[RUNS], vb[RUNS];
	uint64_t far = ethos_time() + 3600000 * MS;
	const char *names[3][2] = {
		{ "getpid_x16_single", "getpid_x16_batch" },
		{ "beep_x16_single", "beep_x16_batch" },
		{ "retire_x16_single", "retire_x16_batch" },
	};

	for (int kind = 0; kind < 3; kind++) {
		for (int r = 0; r < RUNS; r++) {
			for (int pass = 0; pass < 2; pass++) {
				if (kind == 2) {         /* 16 completed beeps */
					struct ethos_tree_node t[B + 1];
					t[0] = (struct ethos_tree_node){ .kind = TreeThreshold,
						.k = B, .first_child = 1, .nchildren = B };
					for (int i = 0; i < B; i++) {
						ethos_beep(0, &retire_in[i].event);
						t[1 + i] = (struct ethos_tree_node){ .kind = TreeLeaf,
							.event = retire_in[i].event };
						retire_in[i].buf = &res[i];
						retire_in[i].capacity = sizeof(res[i]);
					}
					ethos_block(t, B + 1, 0, 0);
				}
				for (int i = 0; i < B; i++) {
					if (kind == 0)
						calls[i] = (struct ethos_batch_call){ SysGetPid, 0, &pid_out[i], 0 };
					else if (kind == 1) {
						beep_in[i].deadline_ns = far + (uint64_t)i;
						calls[i] = (struct ethos_batch_call){ SysBeep, &beep_in[i], &beep_out[i], 0 };
					} else
						calls[i] = (struct ethos_batch_call){ SysRetire, &retire_in[i], &retire_out[i], 0 };
				}
				uint64_t t0 = rdtsc();
				if (pass == 0)
					for (int i = 0; i < B; i++)
						ethos_syscall(calls[i].nr, calls[i].in, calls[i].out);
				else
					ethos_batch(calls, B, 0, 0);
				uint64_t t = (rdtsc() - t0) / B;
				if (pass == 0)
					v1[r] = t;
				else
					vb[r] = t;
				if (kind == 1)
					for (int i = 0; i < B; i++)
						ethos_cancel(beep_out[i].event);
			}
		}
		report(names[kind][0], v1, "cycles/call");
		report(names[kind][1], vb, "cycles/call");
	}
}

/* ---- scheduling ------------------------------------------------------- */

/* ethos_yield with nothing else runnable: the scheduler picks the caller
 * again, so this is a syscall plus the scheduler's own cost. */
static void yield_alone(void)
{
	enum { N = 2000 };
	uint64_t v[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++)
			ethos_yield();
		v[r] = (rdtsc() - t0) / N;
	}
	report("yield_alone", v, "cycles/yield");
}

/*
 * Two processes yield to each other: each of the parent's yields runs the
 * child once and comes back, two context switches (kernel stack, address
 * space, FPU owner) and two yield syscalls.  The figure is per switch.
 */
static void switch_ping_pong(void)
{
	enum { N = 1000 };
	uint64_t v[RUNS], pid;
	EventId ev;

	if (ethos_fork(&pid, &ev) != StatusOk)
		return;
	if (pid == 0) {
		for (;;)
			ethos_yield();     /* killed below */
	}
	ethos_yield();                  /* the child is in its loop */
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++)
			ethos_yield();
		v[r] = (rdtsc() - t0) / (2 * N);
	}
	ethos_kill(pid);
	wait_for(ev);
	report("switch_ping_pong", v, "cycles/switch");
}

/*
 * Callbacks (SysCallback).  The round trip beside beep0_block_retire:
 * beep(0), register a callback (delivered as that syscall returns; the
 * handler retires the event) and callbackReturn, in cycles.  Then, from
 * a beep's completion (its result holds the system time) to the handler's
 * first syscall and to the interrupted code resumed after callbackReturn,
 * in ns, with the main program spinning (no syscall: preempted and
 * diverted by the timer upcall) or blocked on a later beep (diverted from
 * its block, which runs again afterwards).
 */
static volatile int cb_flag;
static volatile uint64_t cb_entered, cb_fired;

static void cb_retire(EventId e, void *arg)
{
	struct ethos_beep_result res;

	(void)arg;
	ethos_retire(e, &res, sizeof(res), 0);
}

static void cb_timed(EventId e, void *arg)
{
	struct ethos_beep_result res;

	(void)arg;
	cb_entered = ethos_time();
	ethos_retire(e, &res, sizeof(res), 0);
	cb_fired = res.fired_ns;
	cb_flag = 1;
}

static void callbacks(void)
{
	enum { N = 500 };
	uint64_t v[RUNS], ventry[RUNS], vresume[RUNS], vblocked[RUNS];
	EventId e, far;
	struct ethos_beep_result res;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			ethos_beep(0, &e);
			ethos_callback(e, cb_retire, 0);
		}
		v[r] = (rdtsc() - t0) / N;
	}
	report("beep0_callback_round_trip", v, "cycles/round-trip");

	for (int r = 0; r < RUNS; r++) {
		cb_flag = 0;
		ethos_beep(ethos_time() + 2 * MS, &e);
		ethos_callback(e, cb_timed, 0);
		while (!cb_flag)
			;
		uint64_t resumed = ethos_time();
		ventry[r] = cb_entered - cb_fired;
		vresume[r] = resumed - cb_fired;
	}
	report("callback_completion_to_handler_spinning", ventry, "ns");
	report("callback_completion_to_resumed_spinning", vresume, "ns");

	for (int r = 0; r < RUNS; r++) {
		uint64_t now = ethos_time();

		ethos_beep(now + 2 * MS, &e);
		ethos_beep(now + 4 * MS, &far);
		ethos_callback(e, cb_timed, 0);
		ethos_block_and_retire(far, &res, sizeof(res), 0);
		vblocked[r] = cb_entered - cb_fired;
	}
	report("callback_completion_to_handler_blocked", vblocked, "ns");
}

/*
 * IPC (issue 13): a child echoes every message back; one round trip is
 * write + read each way, each call an event the caller blocks on.
 * ipc_round_trip: each side's write, the write's retire, the read and the
 * read's block + retire in one batch (ethos_write_read: write + retire +
 * read + blockRetire), so one crossing per side.  ipc_round_trip_calls:
 * the same events with each call on its own (write, retire, read, block,
 * retire: ten crossings a round trip; the figure before the batch).  Then
 * 1 MiB as 16 messages of 64 KiB, one way, each write waited for.
 */
static void ipc_echo(Handle c, bool batched)
{
	char buf[64 << 10];
	EventId e;
	uint64_t size;
	struct ethos_tree_node leaf = { .kind = TreeLeaf };

	if (batched) {
		/* The server's loop: answer, and wait for the next. */
		if (ethos_read(c, &e) != StatusOk ||
		    ethos_block_and_retire(e, buf, sizeof(buf), &size) != StatusOk)
			ethos_exit(0);
		while (ethos_write_read(c, buf, size, buf, sizeof(buf), &size) ==
		       StatusOk)
			;
		ethos_exit(0);
	}
	for (;;) {
		if (ethos_read(c, &e) != StatusOk)
			ethos_exit(0);
		leaf.event = e;
		if (ethos_block(&leaf, 1, 0, 0) != StatusOk ||
		    ethos_retire(e, buf, sizeof(buf), &size) != StatusOk)
			ethos_exit(0);
		if (size > 8)
			continue;            /* throughput: no answer */
		if (ethos_write_wait(c, buf, size) != StatusOk)
			ethos_exit(0);
	}
}

static bool ipc_child(bool batched, Handle *a, EventId *ev)
{
	uint64_t pid;
	Handle b;

	if (ethos_pipe(a, &b) != StatusOk)
		return false;
	if (ethos_fork(&pid, ev) != StatusOk)
		return false;
	if (pid == 0) {
		ethos_close(*a);
		ipc_echo(b, batched);
	}
	ethos_close(b);
	return true;
}

static void ipc_bench(void)
{
	enum { N = 1000, CHUNK = 64 << 10, CHUNKS = 16 };
	static char chunk[CHUNK];
	uint64_t v[RUNS], u[RUNS], w[RUNS];
	EventId ev, e;
	Handle a;
	uint64_t x = 1, size;
	struct ethos_tree_node leaf = { .kind = TreeLeaf };

	if (!ipc_child(false, &a, &ev))
		return;
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++) {
			ethos_write_wait(a, &x, sizeof(x));
			ethos_read(a, &e);
			leaf.event = e;
			ethos_block(&leaf, 1, 0, 0);
			ethos_retire(e, &x, sizeof(x), &size);
		}
		u[r] = (rdtsc() - t0) / N;
	}
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < CHUNKS; i++)
			ethos_write_wait(a, chunk, CHUNK);
		/* The last is in the child's queue; one echo says all are read. */
		ethos_write_wait(a, &x, sizeof(x));
		ethos_read(a, &e);
		ethos_block_and_retire(e, &x, sizeof(x), &size);
		w[r] = (rdtsc() - t0);
	}
	ethos_close(a);                 /* the child reads Closed and exits */
	wait_for(ev);
	if (!ipc_child(true, &a, &ev))
		return;
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = rdtsc();
		for (int i = 0; i < N; i++)
			if (ethos_write_read(a, &x, sizeof(x), &x, sizeof(x), &size) !=
			    StatusOk || size != sizeof(x))
				printf("bench: ipc round trip failed\n");
		v[r] = (rdtsc() - t0) / N;
	}
	ethos_close(a);
	wait_for(ev);
	report("ipc_round_trip", v, "cycles/round-trip");
	report("ipc_round_trip_calls", u, "cycles/round-trip");
	report("ipc_1MiB_64KiB_messages", w, "cycles/MiB");
}

/*
 * Files, on the domU path only (in the dom0 loop there is no daemon and
 * nothing is printed).  In ns of ethos_time, since the RPC's time is
 * mostly dom0's and Xen's, not ours: a fileInformation round trip,
 * readVar of 1 KiB and of 1 MiB split into the RPCs (up to the block's
 * return) and retire's copy, and the null syscall in ns for scale.
 * The kernel prints where the RPC time went at shutdown (xen/shadow.c).
 */
#define FILE_BENCH_SIZE (1u << 20)

static uint8_t file_buf[FILE_BENCH_SIZE];

static void file_read_once(const char *name, uint64_t *rpc, uint64_t *copy)
{
	EventId e;
	uint64_t size = 0;
	uint64_t t0 = ethos_time();

	if (ethos_read_var(ethos_root(), name, &e) != StatusOk)
		return;
	struct ethos_tree_node leaf = { .kind = TreeLeaf, .event = e };
	ethos_block(&leaf, 1, 0, 0);
	uint64_t t1 = ethos_time();
	ethos_retire(e, file_buf, sizeof(file_buf), &size);
	*rpc = t1 - t0;
	*copy = ethos_time() - t1;
}

static void files_bench(void)
{
	enum { N = 20, M = 4 };
	uint64_t v[RUNS], w[RUNS], x[RUNS], y[RUNS], z[RUNS];
	struct ethos_file_info fi;
	struct sys_getpid_out out;

	if (ethos_stat(ethos_root(), "bench-probe", &fi) == StatusUnavailable)
		return;
	for (unsigned i = 0; i < FILE_BENCH_SIZE; i++)
		file_buf[i] = (uint8_t)(i * 7);
	if (ethos_write_file(ethos_root(), "bench-1m", file_buf, FILE_BENCH_SIZE) != StatusOk ||
	    ethos_write_file(ethos_root(), "bench-1k", file_buf, 1024) != StatusOk) {
		printf("bench: cannot write the files\n");
		return;
	}
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = ethos_time();
		for (int i = 0; i < 2000; i++)
			ethos_syscall(SysGetPid, 0, &out);
		v[r] = (ethos_time() - t0) / 2000;
	}
	report("files_null_syscall", v, "ns/call");
	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = ethos_time();
		for (int i = 0; i < N; i++)
			ethos_stat(ethos_root(), "bench-1m", &fi);
		v[r] = (ethos_time() - t0) / N;
	}
	report("files_fileInformation_round_trip", v, "ns");
	for (int r = 0; r < RUNS; r++) {
		uint64_t rpc = 0, copy = 0, sum_rpc = 0, sum_copy = 0;
		for (int i = 0; i < M; i++) {
			file_read_once("bench-1k", &rpc, &copy);
			sum_rpc += rpc;
			sum_copy += copy;
		}
		v[r] = sum_rpc / M;
		w[r] = sum_copy / M;
		sum_rpc = sum_copy = 0;
		for (int i = 0; i < M; i++) {
			file_read_once("bench-1m", &rpc, &copy);
			sum_rpc += rpc;
			sum_copy += copy;
		}
		x[r] = sum_rpc / M;
		y[r] = sum_copy / M;
		z[r] = (uint64_t)FILE_BENCH_SIZE * 1000000000ULL / (x[r] + y[r] + 1) >> 20;
	}
	report("files_readVar_1KiB_rpc", v, "ns");
	report("files_readVar_1KiB_retire", w, "ns");
	report("files_readVar_1MiB_rpcs", x, "ns");
	report("files_readVar_1MiB_retire_copy", y, "ns");
	report("files_readVar_1MiB_throughput", z, "MiB/s");
	ethos_unlink(ethos_root(), "bench-1m");
	ethos_unlink(ethos_root(), "bench-1k");
}

/* The guest TSC's rate, from Xen's scale on the time page.  Under icount
 * it is 1 GHz (a cycle is a virtual ns); under plain TCG QEMU hands the
 * guest the host's TSC, so run-bench turns cycles into ns with this. */
static void tsc_rate(void)
{
	const volatile struct ethos_time_page *tp =
		(const volatile struct ethos_time_page *)ETHOS_TIME_PAGE;
	uint64_t scaled = 1000000ULL << 32;     /* ns per ms, as a 32.32 */
	uint64_t mul = tp->tsc_to_system_mul;
	int shift = tp->tsc_shift;

	if (mul == 0)
		return;
	if (shift >= 0)
		mul <<= shift;
	else
		scaled <<= -shift;
	printf("BENCH_TSC_KHZ %lu\n", (unsigned long)(scaled / mul));
}

/*
 * With an argument (ethos.arg=NAME[,NAME...] as init), only the groups named
 * run: a quicker loop while working on one path.  Names: null gettime beep
 * tree order zero fork cow spawn batch yield switch callbacks ipc files.
 */
static const char *only;

static bool want(const char *name)
{
	size_t n = strlen(name);

	if (only == NULL)
		return true;
	for (const char *s = only; (s = strstr(s, name)) != NULL; s += n)
		if ((s == only || s[-1] == ',') && (s[n] == '\0' || s[n] == ','))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		only = argv[1];
	tsc_rate();
	if (want("null"))
		null_syscall();
	if (want("gettime"))
		gettime();
	if (want("beep"))
		beep_round_trip();
	if (want("tree")) {
		tree_wake(1);
		tree_wake(64);
		tree_wake(4096);
	}
	if (want("order")) {
		beeps_out_of_order(64);
		beeps_out_of_order(4096);
	}
	if (want("zero"))
		zero_faults();
	if (want("fork"))
		fork_exit_wait();
	if (want("cow"))
		cow_faults();
	if (want("spawn"))
		start_tiny();
	if (want("batch"))
		batch16();
	if (want("yield"))
		yield_alone();
	if (want("switch"))
		switch_ping_pong();
	if (want("callbacks"))
		callbacks();
	if (want("ipc"))
		ipc_bench();
	if (want("files"))
		files_bench();
	return 0;
}
