/*
 * A syscall that fails has no effect: every syscall that creates or
 * consumes something, given an output pointer that is in the user range
 * but not writable, returns BadAddress and leaves the caller's events,
 * children and memory as they were.
 */
#include "check.h"

#define MS 1000000ULL

static const struct {
	const char *name;
	void *addr;
} bad_outs[] = {
	{ "read-only text", (void *)in_text },
	/* Between the data region's end and the heap: no region at all. */
	{ "an unmapped page", (void *)0x80000000UL },
};
#define NBAD (sizeof(bad_outs) / sizeof(bad_outs[0]))

static uint64_t count_pending(void)
{
	uint64_t n = ~0ULL;

	ethos_pending_events(0, 0, &n);
	return n;
}

static uint64_t count_completed(void)
{
	uint64_t n = ~0ULL;

	ethos_completed_events(0, 0, &n);
	return n;
}

static void name(char *buf, size_t size, const char *what, const char *where)
{
	snprintf(buf, size, "%s, out in %s", what, where);
}

static void beep(const char *where, void *out)
{
	char what[96];
	uint64_t pending = count_pending(), completed = count_completed();
	struct sys_beep_in far = { ethos_time() + 3600ULL * 1000 * MS };
	struct sys_beep_in past = { 0 };

	name(what, sizeof(what), "beep (future)", where);
	CHECK_STATUS(what, ethos_syscall(SysBeep, &far, out), StatusBadAddress);
	name(what, sizeof(what), "beep (past)", where);
	CHECK_STATUS(what, ethos_syscall(SysBeep, &past, out), StatusBadAddress);
	name(what, sizeof(what), "beep: no event created", where);
	CHECK(what, count_pending() == pending && count_completed() == completed);
}

static void read_console(const char *where, void *out)
{
	char what[96];
	uint64_t pending = count_pending();
	struct sys_read_console_in in = { 16 };

	name(what, sizeof(what), "readConsole", where);
	CHECK_STATUS(what, ethos_syscall(SysReadConsole, &in, out), StatusBadAddress);
	name(what, sizeof(what), "readConsole: no event created", where);
	CHECK(what, count_pending() == pending);
}

static void spawn(const char *where, void *out)
{
	char what[96];
	static const char path[] = "/tests/hello";
	static const char *const argv[] = { path, "quiet", 0 };
	struct sys_spawn_in in = { path, sizeof(path) - 1, argv, 0 };
	uint64_t pending = count_pending(), completed = count_completed();
	uint64_t pages = ethos_free_pages();

	name(what, sizeof(what), "spawn", where);
	CHECK_STATUS(what, ethos_syscall(SysSpawn, &in, out), StatusBadAddress);
	/* A child that was started would have exited by now, and its exit
	 * event would sit in our table. */
	sleep_ms(200);
	name(what, sizeof(what), "spawn: no child, no exit event", where);
	CHECK(what, count_pending() == pending && count_completed() == completed);
	name(what, sizeof(what), "spawn: free pages back", where);
	CHECK(what, ethos_free_pages() == pages);
}

static void block(const char *where, void *out)
{
	char what[96];
	struct sys_block_out good;
	EventId e;
	uint64_t deadline = ethos_time() + 2000 * MS;

	ethos_beep(deadline, &e);
	struct ethos_tree_node leaf = { .kind = TreeLeaf, .event = e };
	struct sys_block_in in = { &leaf, 1, 0, 0 };
	uint64_t pending = count_pending();

	/* It must fail at once, not after sleeping until the beep. */
	name(what, sizeof(what), "block", where);
	CHECK_STATUS(what, ethos_syscall(SysBlock, &in, out), StatusBadAddress);
	in.leaf_done = out;
	name(what, sizeof(what), "block, leaf_done", where);
	CHECK_STATUS(what, ethos_syscall(SysBlock, &in, &good), StatusBadAddress);
	name(what, sizeof(what), "block: returned before the deadline", where);
	CHECK(what, ethos_time() < deadline);
	name(what, sizeof(what), "block: the beep is still pending", where);
	CHECK(what, count_pending() == pending);
	ethos_cancel(e);
}

static void retire(const char *where, void *out)
{
	char what[96];
	struct sys_retire_out good;
	struct ethos_beep_result r;
	EventId e;

	ethos_beep(0, &e);
	uint64_t completed = count_completed();
	struct sys_retire_in in = { e, &r, sizeof(r) };

	name(what, sizeof(what), "retire", where);
	CHECK_STATUS(what, ethos_syscall(SysRetire, &in, out), StatusBadAddress);
	in.buf = out;
	name(what, sizeof(what), "retire, buffer", where);
	CHECK_STATUS(what, ethos_syscall(SysRetire, &in, &good), StatusBadAddress);
	name(what, sizeof(what), "retire: the event stays", where);
	CHECK(what, count_completed() == completed);
	name(what, sizeof(what), "retire: it retires after", where);
	CHECK(what, ethos_retire(e, &r, sizeof(r), 0) == StatusOk);
}

static void list(const char *where, void *out)
{
	char what[96];
	EventId ids[4] = { 7, 7, 7, 7 }, e;

	ethos_beep(0, &e);
	struct sys_event_list_in in = { ids, 4 };

	name(what, sizeof(what), "getCompletedEvents", where);
	CHECK_STATUS(what, ethos_syscall(SysGetCompletedEvents, &in, out),
		     StatusBadAddress);
	name(what, sizeof(what), "getCompletedEvents: no partial list", where);
	CHECK(what, ids[0] == 7);
	ethos_retire(e, 0, 0, 0);
	ethos_cancel(e);
}

/*
 * A beep that must grow something first: the event table when all its
 * slots are live (64, then 4096), the beep heap's array when it is full.
 * The growth cannot be undone after a faulting store of the id, so such
 * a beep probes its output first: a failing one leaves memory as it was,
 * alone and in a batch.
 */
#define FULL_MAX 4096
static EventId live[FULL_MAX];

static void beep_at_full_table(int n, const char *where, void *out)
{
	uint64_t far = ethos_time() + 3600ULL * 1000 * MS;
	struct sys_beep_in in = { far };
	char what[128];
	int made = 0;

	while (made < n && ethos_beep(far + (uint64_t)made, &live[made]) == StatusOk)
		made++;
	uint64_t pending = count_pending(), pages = ethos_free_pages();
	snprintf(what, sizeof(what), "%d live beeps, a beep with its output in %s",
		 n, where);
	CHECK_STATUS(what, ethos_syscall(SysBeep, &in, out), StatusBadAddress);
	snprintf(what, sizeof(what),
		 "%d live: no event, and no memory taken by the failed beep "
		 "(free pages %lu -> %lu)", n, (unsigned long)pages,
		 (unsigned long)ethos_free_pages());
	CHECK(what, made == n && count_pending() == pending &&
	      ethos_free_pages() == pages);
	struct ethos_batch_call c = { SysBeep, &in, out, 0 };
	uint32_t done = 0;
	ethos_batch(&c, 1, 0, &done);
	snprintf(what, sizeof(what), "%d live: the same in a batch", n);
	CHECK(what, c.status == StatusBadAddress && count_pending() == pending &&
	      ethos_free_pages() == pages);
	for (int i = 0; i < made; i++)
		ethos_cancel(live[i]);
}

int main(void)
{
	check_program = "noeffect";
	settle_first();
	/* Warm the kernel's caches (an exit event, a child) so that the page
	 * counts below measure effects, not caches. */
	struct sys_spawn_out warm;
	ethos_spawn("/tests/hello", "quiet", &warm.pid, &warm.exit_event);
	ethos_block_and_retire(warm.exit_event, 0, 0, 0);
	ethos_cancel(warm.exit_event);

	uint64_t pages = ethos_free_pages();
	for (unsigned i = 0; i < NBAD; i++) {
		beep(bad_outs[i].name, bad_outs[i].addr);
		read_console(bad_outs[i].name, bad_outs[i].addr);
		spawn(bad_outs[i].name, bad_outs[i].addr);
		block(bad_outs[i].name, bad_outs[i].addr);
		retire(bad_outs[i].name, bad_outs[i].addr);
		list(bad_outs[i].name, bad_outs[i].addr);
	}
	CHECK("no events left", count_pending() == 0 && count_completed() == 0);
	CHECK("free pages back", ethos_free_pages() == pages);
	beep_at_full_table(64, bad_outs[0].name, bad_outs[0].addr);
	beep_at_full_table(FULL_MAX, bad_outs[0].name, bad_outs[0].addr);
	CHECK("no events left after the full tables", count_pending() == 0);
	return check_failures;
}
