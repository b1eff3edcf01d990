/*
 * kernel/event/{event,wait,evtree}.c on the host: long seeded random
 * sequences against the model in event_world.c, and directed tests of
 * the defects and additions they were written for: a pending leaf reused
 * while still attached to a decided wait, event_fail, and EventId
 * generations that would wrap.
 */
#include <string.h>
#include "unit.h"
#include "event_world.h"
#include <kernel/event.h>
#include <kernel/proc.h>

#define STEPS 200000           /* per seed pair: 400k in all */

static uint64_t seed_now;

static uint32_t rng_pick(void *ctx, uint32_t n)
{
	(void)ctx;
	return unit_rand_below(n);
}

static void report(struct world *w, const char *what, int line)
{
	const struct world_stats *s = world_stats(w);

	printf("FAIL: %s: seed %#llx step %lu: event_world.c:%d: %s\n",
	       unit_current, (unsigned long long)seed_now, s->steps, line, what);
	unit_failures++;
}

static void random_sequences(void)
{
	static const uint64_t seeds[] = { 1, 0xe7e7, 0x5eed5eed, 42 };
	struct world_stats sum = { 0 };

	for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		seed_now = unit_rng = seeds[i];
		struct world *w = world_new(rng_pick, NULL, report);
		for (int n = 0; n < STEPS / 2 && world_step(w); n++)
			;
		world_end(w);
		const struct world_stats *s = world_stats(w);
		sum.steps += s->steps;
		sum.blocks += s->blocks;
		sum.slept += s->slept;
		sum.immediate += s->immediate;
		sum.invalid += s->invalid;
		sum.reattached += s->reattached;
		sum.wakes += s->wakes;
		sum.cancelled_wakes += s->cancelled_wakes;
		sum.fails += s->fails;
		sum.kills += s->kills;
		world_free(w);
	}
	printf("  %lu steps: %lu blocks (%lu slept, %lu decided at once, %lu invalid),"
	       " %lu leaves re-attached, %lu wakes (%lu cancelled), %lu fails,"
	       " %lu kills\n", sum.steps, sum.blocks, sum.slept, sum.immediate,
	       sum.invalid, sum.reattached, sum.wakes, sum.cancelled_wakes,
	       sum.fails, sum.kills);
	/* The sequences must reach the cases they are for. */
	CHECK(sum.reattached > 1000);
	CHECK(sum.cancelled_wakes > 100);
	CHECK(sum.wakes - sum.cancelled_wakes > 100);
	CHECK(sum.immediate > 100 && sum.invalid > 100 && sum.kills > 100);
}

/* ---- directed tests ------------------------------------------------------ */

static struct proc owner;
static struct trap_frame frame;
static unsigned long detaches;

static void count_detach(struct event *ev)
{
	(void)ev;
	detaches++;
}

static const struct event_source src = { .name = "test", .detach = count_detach };

static void start(void)
{
	memset(&owner, 0, sizeof(owner));
	owner.state = ProcRunning;
	owner.frame = &frame;
	event_table_init(&owner.events);
	current = &owner;
}

static void stop(void)
{
	if (owner.wait != NULL)
		wait_abandon(&owner);
	event_table_destroy(&owner);
	CHECK_EQ(host_live_allocs, 0);
	CHECK_EQ(kstat[KStatWaits], 0);
}

static struct event *new_event(EventId *id)
{
	enum status st;
	struct event *ev = event_new(&owner, &src, id, &st);

	CHECK(ev != NULL && st == StatusOk);
	return ev;
}

/* block on k-of-n over ids; returns its status (StatusBlocked if asleep). */
static enum status block(uint32_t k, const EventId *ids, uint32_t n)
{
	struct ethos_tree_node *t = user_ptr(U_NODES, (n + 1) * sizeof(*t));
	struct sys_block_in in = { .nodes = (const void *)U_NODES, .count = n + 1,
				   .leaf_done = (uint8_t *)U_DONE };

	t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = k,
					 .first_child = 1, .nchildren = n };
	for (uint32_t i = 0; i < n; i++)
		t[i + 1] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = ids[i] };
	memcpy(user_ptr(U_IN, sizeof(in)), &in, sizeof(in));
	return wait_block(&owner, U_IN, U_OUT);
}

/* The owner runs again after a wake: block's status. */
static enum status resume(void)
{
	CHECK(owner.state == ProcRunnable);
	owner.state = ProcRunning;
	wait_finish(&owner);
	return (enum status)frame.rax;
}

static void complete(struct event *ev)
{
	uint64_t r = 7;

	event_complete(ev, &r, sizeof(r));
}

/* The hardening issue's pattern: or(a, b), b completes, b retired, again
 * with a new b; a stays pending and attached to each decided wait. */
static void reused_leaf(void)
{
	EventId ids[2];

	start();
	new_event(&ids[0]);
	unsigned long base = host_live_allocs;
	for (int i = 0; i < 3000; i++) {
		struct event *b = new_event(&ids[1]);
		CHECK_EQ(block(1, ids, 2), StatusBlocked);
		complete(b);
		CHECK_EQ(resume(), StatusOk);
		event_release(b);
		/* Only the decided wait a still holds is alive. */
		CHECK_EQ(kstat[KStatWaits], 1);
		CHECK_EQ(host_live_allocs, base + 1);
		if (unit_failures) {
			printf("  (round %d)\n", i);
			break;
		}
	}
	stop();
}

static void fail_wakes_cancelled(void)
{
	EventId ids[3];
	uint8_t *done = user_ptr(U_DONE, 3);

	start();
	struct event *a = new_event(&ids[0]);
	struct event *b = new_event(&ids[1]);
	struct event *c = new_event(&ids[2]);
	unsigned long wakes = host_wakes;

	/* and(a, b): a's failure decides it. */
	CHECK_EQ(block(2, ids, 2), StatusBlocked);
	event_fail(a, StatusNotFound);
	CHECK_EQ(host_wakes, wakes + 1);
	CHECK_EQ(resume(), StatusCancelled);
	CHECK(done[1] == 0 && done[2] == 0);
	CHECK(a->state == EventCompleted && a->failure == StatusNotFound &&
	      a->result_size == 0);

	/* or(a failed, b, c): still satisfiable, sleeps; c completes it. */
	CHECK_EQ(block(1, ids, 3), StatusBlocked);
	complete(c);
	CHECK_EQ(resume(), StatusOk);
	CHECK(done[1] == 0 && done[2] == 0 && done[3] == 1);
	/* and(a failed, b): cannot be satisfied, returns at once. */
	CHECK_EQ(block(2, ids, 2), StatusCancelled);
	CHECK_EQ(host_wakes, wakes + 2);
	/* 2-of-3 (a failed, b, c done): b failing too decides it. */
	CHECK_EQ(block(2, ids, 3), StatusBlocked);
	event_fail(b, StatusCancelled);
	CHECK_EQ(resume(), StatusCancelled);
	CHECK(done[3] == 1);
	CHECK_EQ(host_wakes, wakes + 3);
	stop();
}

/* Once asleep, block cannot fail for want of memory: what it writes
 * after the wake was allocated before the sleep. */
static void wake_without_memory(void)
{
	EventId id;
	uint8_t *done = user_ptr(U_DONE, 2);

	start();
	struct event *ev = new_event(&id);
	CHECK_EQ(block(1, &id, 1), StatusBlocked);
	host_kmalloc_fails = true;
	complete(ev);
	CHECK_EQ(resume(), StatusOk);
	host_kmalloc_fails = false;
	CHECK(done[0] == 0 && done[1] == 1);
	stop();
}

static void generations_retire(void)
{
	EventId id, old[2];
	enum status st;

	start();
	struct event *ev = new_event(&id);
	uint32_t slot = ev->slot;
	event_release(ev);
	/* Near the end of the slot's ids (2^32 reuses would take too long). */
	owner.events.slots[slot].generation = UINT32_MAX - 1;
	ev = new_event(&old[0]);
	CHECK_EQ(ev->slot, slot);
	CHECK_EQ(old[0] >> 32, UINT32_MAX - 1);
	event_release(ev);
	ev = new_event(&old[1]);
	CHECK_EQ(ev->slot, slot);
	CHECK_EQ(old[1] >> 32, UINT32_MAX);
	event_release(ev);
	/* Its last id is spent: the slot is never handed out again. */
	CHECK_EQ(owner.events.retired, 1);
	CHECK_EQ(owner.events.live, 0);
	for (int i = 0; i < 200; i++) {
		ev = new_event(&id);
		CHECK(ev->slot != slot);
		CHECK(event_lookup(&owner, old[0]) == NULL);
		CHECK(event_lookup(&owner, old[1]) == NULL);
		CHECK(event_lookup(&owner, ((EventId)1 << 32) | (slot + 1)) == NULL);
		event_release(ev);
	}
	stop();

	/* A full table: retired slots count as used, NoSpace stays right. */
	start();
	static struct event *all[EVENTS_PER_PROC];
	for (uint32_t i = 0; i < EVENTS_PER_PROC; i++)
		all[i] = new_event(&id);
	CHECK(event_new(&owner, &src, &id, &st) == NULL && st == StatusNoSpace);
	owner.events.slots[all[5]->slot].generation = UINT32_MAX;
	event_release(all[5]);
	CHECK(event_new(&owner, &src, &id, &st) == NULL && st == StatusNoSpace);
	event_release(all[6]);
	all[6] = event_new(&owner, &src, &id, &st);
	CHECK(all[6] != NULL && st == StatusOk);
	CHECK(event_new(&owner, &src, &id, &st) == NULL && st == StatusNoSpace);
	CHECK_EQ(owner.events.live, EVENTS_PER_PROC - 1);
	CHECK_EQ(owner.events.retired, 1);
	stop();
}

int main(void)
{
	RUN(reused_leaf);
	RUN(fail_wakes_cancelled);
	RUN(wake_without_memory);
	RUN(generations_retire);
	RUN(random_sequences);
	UNIT_EXIT();
}
