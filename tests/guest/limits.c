/*
 * Running into the kernel's fixed limits gives a status, never a crash,
 * and everything comes back afterwards: the process table (64) and a
 * process's event table (16384).
 */
#include "check.h"

#define MAX_CHILDREN 100

static void process_table(void)
{
	static uint64_t pid[MAX_CHILDREN];
	static EventId exit_event[MAX_CHILDREN];
	enum status st = StatusOk;
	int n = 0;

	/* warm-up, so that caches do not count as a leak */
	if (ethos_spawn("/tests/sharedtext", "wait", &pid[0], &exit_event[0]) == StatusOk) {
		ethos_kill(pid[0]);
		ethos_block_and_retire(exit_event[0], 0, 0, 0);  /* ReturnSpace */
		ethos_cancel(exit_event[0]);
	}
	/* Two arrays outlive the window and must not move inside it (see
	 * "What an exact free-page check needs" in ARCHITECTURE.md): our event
	 * table, which grows with our live events and keeps its size, and
	 * the beep heap's, which grows with the beeps pending (each child
	 * waits on one) and halves when they go.  220 far beeps grow both to
	 * 256 slots; the 150 we keep pending across the window hold the heap
	 * there: 150 + 64 children fit, and 150 is more than a quarter, so
	 * neither the children's beeps nor their end resize it. */
	static EventId hold[220];
	for (int i = 0; i < 220; i++)
		ethos_beep(ethos_time() + 3600ULL * 1000000000ULL, &hold[i]);
	for (int i = 150; i < 220; i++)
		ethos_cancel(hold[i]);
	settle_first();     /* nor our parent's wait record be made in it */
	uint64_t before = ethos_free_pages();
	while (n < MAX_CHILDREN &&
	       (st = ethos_spawn("/tests/sharedtext", "wait", &pid[n], &exit_event[n])) == StatusOk)
		n++;
	printf("limits: %d processes spawned, then %s\n", n, ethos_status_name(st));
	CHECK("spawning stops with NoSpace when the table is full",
	      st == StatusNoSpace && n > 50);
	int killed = 0;
	for (int i = 0; i < n; i++) {
		killed += ethos_kill(pid[i]) == StatusOk;
		ethos_cancel(exit_event[i]);
	}
	CHECK("every child killed", killed == n);
	uint64_t after = ethos_free_pages();
	if (after != before)
		printf("limits: %lu pages free before, %lu after\n",
		       (unsigned long)before, (unsigned long)after);
	CHECK("every page back after a full process table", after == before);
	for (int i = 0; i < 150; i++)
		ethos_cancel(hold[i]);
}

static void event_table(void)
{
	static EventId ids[20000];
	enum status st = StatusOk;
	int n = 0;
	uint64_t before = ethos_free_pages();

	while (n < 20000 && (st = ethos_beep(ethos_time() + 3600ULL * 1000000000ULL,
					    &ids[n])) == StatusOk)
		n++;
	printf("limits: %d events, then %s\n", n, ethos_status_name(st));
	CHECK("beeps stop with NoSpace at the event-table limit",
	      st == StatusNoSpace && n == 16384);
	int cancelled = 0;
	for (int i = 0; i < n; i++)
		cancelled += ethos_cancel(ids[i]) == StatusOk;
	CHECK("every event cancelled", cancelled == n);
	uint64_t count;
	ethos_pending_events(0, 0, &count);
	CHECK("no events left", count == 0);
	/* The table itself stays at its size (reused), the events are freed. */
	CHECK("event memory returned (the table's own array aside)",
	      before - ethos_free_pages() <= 64);
}

int main(void)
{
	check_program = "limits";
	process_table();
	event_table();
	return check_failures;
}
