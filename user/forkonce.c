/*
 * /bin/forkonce: one fork + child exit + parent wait with 256 heap pages
 * touched (the heap already read-only from an earlier fork, as in the
 * steady state of bench's loop), one spawn of /bin/true + wait, and one
 * fork right after the heap was written again (256 entries to
 * write-protect), each between two marker functions, so that
 * tools/trace/trace-forkonce can single-step exactly one of each.  Not a
 * test: it prints only.
 */
#include <stdio.h>
#include <ethos/ethos.h>

#define HEAP_PAGES 256
#define HEAP ((volatile uint64_t *)0x140000000UL)

/* noinline and a visible side effect: the tracer breaks on their
 * addresses.  Page-aligned, so that none lies where /bin/true (spawned
 * here, a few hundred bytes of text since --gc-sections) has code: the
 * tracer would stop there first. */
#define MARK __attribute__((noinline, aligned(4096)))
MARK void mark_fork_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_fork_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_spawn_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_spawn_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_dirty_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_dirty_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_null_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_null_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_zero_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_zero_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_ipc_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_ipc_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_bgetpid_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_bgetpid_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_bbeep_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_bbeep_end(void) { asm volatile("" ::: "memory"); }
MARK void mark_bretire_start(void) { asm volatile("" ::: "memory"); }
MARK void mark_bretire_end(void) { asm volatile("" ::: "memory"); }

/* The ipc span: one message round trip as bench's ipc_round_trip makes
 * it, to a child that echoes (after warm-up rounds). */
static void ipc_once(void)
{
	uint64_t pid, x = 1, size;
	EventId ev, e;
	Handle a, b;

	if (ethos_pipe(&a, &b) != StatusOk || ethos_fork(&pid, &ev) != StatusOk)
		return;
	if (pid == 0) {
		ethos_close(a);
		if (ethos_read(b, &e) != StatusOk ||
		    ethos_block_and_retire(e, &x, sizeof(x), &size) != StatusOk)
			ethos_exit(0);
		while (ethos_write_read(b, &x, size, &x, sizeof(x), &size) == StatusOk)
			;
		ethos_exit(0);
	}
	ethos_close(b);
	for (int round = 0; round < 20; round++) {
		if (round == 19)
			mark_ipc_start();
		ethos_write_read(a, &x, sizeof(x), &x, sizeof(x), &size);
		if (round == 19)
			mark_ipc_end();
	}
	ethos_close(a);
	ethos_block_and_retire(ev, 0, 0, 0);
}

/* The batch spans: SysBatch of 16 getPids, of 16 beeps (far deadlines),
 * of 16 retires (of 16 completed beeps), as bench's batch16 makes them;
 * the second of two rounds is traced. */
static void batch_once(void)
{
	enum { B = 16 };
	static struct ethos_batch_call calls[B];
	static struct sys_getpid_out pid_out[B];
	static struct sys_beep_in beep_in[B];
	static struct sys_event_out beep_out[B];
	static struct sys_retire_in retire_in[B];
	static struct sys_retire_out retire_out[B];
	static struct ethos_beep_result res[B];
	uint64_t far = ethos_time() + 3600000000000ULL;

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < B; i++)
			calls[i] = (struct ethos_batch_call){ SysGetPid, 0, &pid_out[i], 0 };
		if (round == 1)
			mark_bgetpid_start();
		ethos_batch(calls, B, 0, 0);
		if (round == 1)
			mark_bgetpid_end();
		for (int i = 0; i < B; i++) {
			beep_in[i].deadline_ns = far + (uint64_t)i;
			calls[i] = (struct ethos_batch_call){ SysBeep, &beep_in[i], &beep_out[i], 0 };
		}
		if (round == 1)
			mark_bbeep_start();
		ethos_batch(calls, B, 0, 0);
		if (round == 1)
			mark_bbeep_end();
		for (int i = 0; i < B; i++)
			ethos_cancel(beep_out[i].event);
		struct ethos_tree_node t[B + 1];
		t[0] = (struct ethos_tree_node){ .kind = TreeThreshold,
			.k = B, .first_child = 1, .nchildren = B };
		for (int i = 0; i < B; i++) {
			ethos_beep(0, &retire_in[i].event);
			t[1 + i] = (struct ethos_tree_node){ .kind = TreeLeaf,
				.event = retire_in[i].event };
			retire_in[i].buf = &res[i];
			retire_in[i].capacity = sizeof(res[i]);
			calls[i] = (struct ethos_batch_call){ SysRetire, &retire_in[i], &retire_out[i], 0 };
		}
		ethos_block(t, B + 1, 0, 0);
		if (round == 1)
			mark_bretire_start();
		ethos_batch(calls, B, 0, 0);
		if (round == 1)
			mark_bretire_end();
	}
}

int main(void);

int main(void)
{
	uint64_t pid;
	EventId ev;
	struct ethos_exit_result r;

	for (int i = 0; i < HEAP_PAGES; i++)
		HEAP[i * 512] = 1;
	/* A warm-up round, so the traced one finds caches and pools as the
	 * benchmark's loop does. */
	for (int round = 0; round < 2; round++) {
		if (round == 1)
			mark_fork_start();
		if (ethos_fork(&pid, &ev) != StatusOk)
			return 1;
		if (pid == 0)
			ethos_exit(0);
		ethos_block_and_retire(ev, &r, sizeof(r), 0);
		if (round == 1)
			mark_fork_end();
	}
	for (int round = 0; round < 2; round++) {
		if (round == 1)
			mark_spawn_start();
		if (ethos_spawn("/bin/true", 0, &pid, &ev) != StatusOk)
			return 1;
		ethos_block_and_retire(ev, &r, sizeof(r), 0);
		if (round == 1)
			mark_spawn_end();
	}
	/* The heap written again (each page writable once more, its last
	 * holder's fault), then one fork: it must write-protect 256 entries. */
	for (int i = 0; i < HEAP_PAGES; i++)
		HEAP[i * 512] = 2;
	mark_dirty_start();
	if (ethos_fork(&pid, &ev) != StatusOk)
		return 1;
	if (pid == 0)
		ethos_exit(0);
	ethos_block_and_retire(ev, &r, sizeof(r), 0);
	mark_dirty_end();
	ipc_once();
	/* null: one getPid.  zero: 64 sequential first touches of the heap
	 * above what was touched so far (demand-zero faults, fault-around). */
	struct sys_getpid_out out;
	for (int round = 0; round < 3; round++) {
		if (round == 2)
			mark_null_start();
		ethos_syscall(SysGetPid, 0, &out);
		if (round == 2)
			mark_null_end();
	}
	mark_zero_start();
	for (int i = 0; i < 64; i++)
		HEAP[(HEAP_PAGES + 64 + i) * 512] = 3;
	mark_zero_end();
	batch_once();
	printf("forkonce: done\n");
	return 0;
}
