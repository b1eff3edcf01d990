/* beep, retire, cancel and event ids: good and bad use. */
#include "check.h"

#define MS 1000000ULL

static int leaky(void)
{
	EventId e;

	for (int i = 0; i < 100; i++)
		ethos_beep(ethos_time() + 3600ULL * 1000 * MS, &e);
	for (int i = 0; i < 10; i++)
		ethos_beep(0, &e);
	ethos_block_and_retire(e, 0, 0, 0);     /* ReturnSpace: stays */
	return 0;                               /* exits with 110 events */
}

/* Blocks forever on a wide tree of far beeps, holding heap pages too. */
static int sleeper(void)
{
	static struct ethos_tree_node t[4097];
	char *heap = malloc(256 * 1024);

	for (int i = 0; i < 256 * 1024; i += 4096)
		heap[i] = 1;
	t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 4096,
					 .first_child = 1, .nchildren = 4096 };
	for (int i = 1; i <= 4096; i++) {
		EventId e;
		ethos_beep(ethos_time() + 3600ULL * 1000 * MS, &e);
		t[i] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = e };
	}
	ethos_block(t, 4097, 0, 0);
	return 1;                      /* never: it is killed while blocked */
}

static void kill_blocked(void)
{
	struct ethos_exit_result r = { 0 };
	uint64_t pid, before;
	EventId e, tick;

	ethos_spawn("/tests/events", "sleeper", &pid, &e);   /* warm-up */
	ethos_beep(ethos_time() + 300 * MS, &tick);
	ethos_block_and_retire(tick, 0, 0, 0);
	ethos_retire(tick, &r, sizeof(r), 0);
	ethos_kill(pid);
	ethos_block_and_retire(e, &r, sizeof(r), 0);

	before = ethos_free_pages();
	ethos_spawn("/tests/events", "sleeper", &pid, &e);
	ethos_beep(ethos_time() + 300 * MS, &tick);
	ethos_block_and_retire(tick, &r, sizeof(r), 0);
	uint64_t pending;
	ethos_pending_events(0, 0, &pending);
	CHECK("the sleeper's exit is still pending", pending == 1);
	CHECK_STATUS("kill a blocked child", ethos_kill(pid), StatusOk);
	CHECK_STATUS("its exit event completes",
		     ethos_block_and_retire(e, &r, sizeof(r), 0), StatusOk);
	CHECK("exit status says killed by its parent",
	      r.pid == pid && r.status == ETHOS_KILLED_BY_PARENT);
	CHECK("killed while blocked on 4096 events: every page back",
	      ethos_free_pages() == before);
	CHECK_STATUS("kill it again", ethos_kill(pid), StatusNotFound);
	CHECK_STATUS("kill init (not our child)", ethos_kill(1), StatusNotPermitted);
	CHECK_STATUS("kill ourselves (not our child)", ethos_kill(ethos_getpid()),
		     StatusNotPermitted);
}

static int foreign(const char *arg)
{
	EventId id = 0;

	for (const char *s = arg; *s >= '0' && *s <= '9'; s++)
		id = id * 10 + (uint64_t)(*s - '0');
	return ethos_retire(id, 0, 0, 0) == StatusInvalidEvent &&
	       ethos_cancel(id) == StatusInvalidEvent ? 0 : 1;
}

static void run_child(const char *arg, int64_t *status)
{
	EventId e;
	struct ethos_exit_result r = { 0 };

	ethos_spawn("/tests/events", arg, 0, &e);
	ethos_block_and_retire(e, &r, sizeof(r), 0);
	*status = r.status;
}

int main(int argc, char **argv)
{
	struct ethos_beep_result r;
	uint64_t size, count;
	EventId e, e2, ids[8];

	if (argc > 1 && strcmp(argv[1], "leaky") == 0)
		return leaky();
	if (argc > 1 && strcmp(argv[1], "sleeper") == 0)
		return sleeper();
	if (argc > 1)
		return foreign(argv[1]);
	check_program = "events";

	/* A pending event, checked on a beep an hour away: a 20 ms one can
	 * fire before the next call when the emulator is slow (domU). */
	EventId far;
	CHECK_STATUS("a far beep", ethos_beep(ethos_time() + 3600ULL * 1000 * MS, &far),
		     StatusOk);
	CHECK("event id is not 0", far != 0);
	CHECK_STATUS("retire a pending event", ethos_retire(far, &r, sizeof(r), &size),
		     StatusNotCompleted);
	CHECK_STATUS("pending list", ethos_pending_events(ids, 8, &count), StatusOk);
	CHECK("pending list holds the beep", count == 1 && ids[0] == far);
	CHECK_STATUS("cancel the far beep", ethos_cancel(far), StatusOk);

	uint64_t t0 = ethos_time();
	CHECK_STATUS("beep", ethos_beep(t0 + 20 * MS, &e), StatusOk);
	CHECK_STATUS("block on the beep", ethos_block_and_retire(e, &r, sizeof(r), &size),
		     StatusOk);
	uint64_t t1 = ethos_time();
	CHECK("woken no earlier than the deadline", t1 >= t0 + 20 * MS);
	CHECK("result is the firing time", r.fired_ns >= t0 + 20 * MS && r.fired_ns <= t1);
	CHECK_STATUS("retire twice", ethos_retire(e, &r, sizeof(r), &size),
		     StatusInvalidEvent);

	ethos_beep(0, &e);
	CHECK_STATUS("block on a past deadline",
		     ethos_block(&(struct ethos_tree_node){ .kind = TreeLeaf, .event = e },
				 1, 0, 0), StatusOk);
	CHECK_STATUS("completed list", ethos_completed_events(ids, 8, &count), StatusOk);
	CHECK("completed list holds it", count == 1 && ids[0] == e);
	CHECK_STATUS("retire into too small a buffer", ethos_retire(e, &r, 4, &size),
		     StatusReturnSpace);
	CHECK("ReturnSpace says the size needed", size == sizeof(r));
	CHECK_STATUS("retire with a bad buffer",
		     ethos_retire(e, (void *)0xffffffff80000000UL, sizeof(r), &size),
		     StatusBadAddress);
	CHECK_STATUS("retire again with room", ethos_retire(e, &r, sizeof(r), &size),
		     StatusOk);
	CHECK_STATUS("stale id after retire", ethos_cancel(e), StatusInvalidEvent);

	CHECK_STATUS("made-up id 0", ethos_retire(0, &r, sizeof(r), &size),
		     StatusInvalidEvent);
	CHECK_STATUS("made-up id", ethos_retire(0x1234567800000001ULL, &r, sizeof(r), &size),
		     StatusInvalidEvent);
	CHECK_STATUS("made-up index", ethos_cancel(0x00000001ffffffffULL),
		     StatusInvalidEvent);

	ethos_beep(ethos_time() + 3600ULL * 1000 * MS, &e);
	ethos_beep(ethos_time() + 3600ULL * 1000 * MS, &e2);
	CHECK_STATUS("cancel a pending beep", ethos_cancel(e), StatusOk);
	CHECK_STATUS("cancelled id is dead", ethos_retire(e, &r, sizeof(r), &size),
		     StatusInvalidEvent);
	CHECK_STATUS("cancel twice", ethos_cancel(e), StatusInvalidEvent);
	CHECK_STATUS("block on a cancelled event",
		     ethos_block(&(struct ethos_tree_node){ .kind = TreeLeaf, .event = e },
				 1, 0, 0), StatusInvalidEventWaitTree);
	ethos_pending_events(ids, 8, &count);
	CHECK("the other beep is still pending", count == 1 && ids[0] == e2);
	CHECK_STATUS("cancel it too", ethos_cancel(e2), StatusOk);
	CHECK_STATUS("list with a bad buffer",
		     ethos_pending_events((EventId *)0xffff888000000000UL, 8, &count),
		     StatusBadAddress);

	char arg[24];
	ethos_beep(0, &e);
	snprintf(arg, sizeof(arg), "%lu", (unsigned long)e);
	int64_t status = -1;
	run_child(arg, &status);
	CHECK("another process's id is invalid there", status == 0);
	ethos_cancel(e);

	run_child("leaky", &status);      /* warm the caches */
	uint64_t before = ethos_free_pages();
	run_child("leaky", &status);
	CHECK("exit with 110 outstanding events frees them all",
	      status == 0 && ethos_free_pages() == before);
	kill_blocked();
	return check_failures;
}
