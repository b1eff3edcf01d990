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
	printf("forkonce: done\n");
	return 0;
}
