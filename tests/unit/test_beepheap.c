/*
 * The beep min-heap (kernel/event/beepheap.c) against a model: random
 * inserts, removals from anywhere (cancel), and expiry of every event due
 * by a moving "now", with allocation failures injected.  After every step
 * the heap property, every stored index, and the set of events are
 * checked against the model.
 */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/beepheap.h>
#include <kernel/mm.h>

/* kmalloc for this test: malloc, failing when told to. */
static int fail_next_alloc;
static long live_allocs;

void *kmalloc(size_t size)
{
	if (fail_next_alloc) {
		fail_next_alloc = 0;
		return NULL;
	}
	live_allocs++;
	return malloc(size);
}

void kfree(void *p)
{
	if (p != NULL)
		live_allocs--;
	free(p);
}

#define MAX_EVENTS 5000

static struct event events[MAX_EVENTS];
static bool in_model[MAX_EVENTS];
static uint32_t model_count;

static void check_heap(const struct beep_heap *h)
{
	uint32_t seen = 0;

	CHECK_EQ(h->count, model_count);
	CHECK(h->count <= h->capacity);
	for (uint32_t i = 0; i < h->count; i++) {
		struct event *ev = h->slot[i];
		CHECK_EQ(ev->u.beep.index, i);
		CHECK(in_model[ev - events]);
		if (i > 0)
			CHECK(h->slot[(i - 1) / 2]->u.beep.deadline <= ev->u.beep.deadline);
		seen++;
	}
	CHECK_EQ(seen, model_count);
	/* The first is the earliest of the model. */
	uint64_t min = UINT64_MAX;
	for (uint32_t i = 0; i < MAX_EVENTS; i++)
		if (in_model[i] && events[i].u.beep.deadline < min)
			min = events[i].u.beep.deadline;
	if (model_count)
		CHECK_EQ(beep_heap_first(h)->u.beep.deadline, min);
	else
		CHECK(beep_heap_first(h) == NULL);
}

static int pick_free(void)
{
	for (int tries = 0; tries < 100; tries++) {
		int i = (int)unit_rand_below(MAX_EVENTS);
		if (!in_model[i])
			return i;
	}
	return -1;
}

static int pick_used(void)
{
	for (int tries = 0; tries < 100; tries++) {
		int i = (int)unit_rand_below(MAX_EVENTS);
		if (in_model[i])
			return i;
	}
	return -1;
}

static void random_against_model(void)
{
	struct beep_heap h = { 0 };
	uint64_t now = 0;

	unit_rng = 12345;
	memset(in_model, 0, sizeof(in_model));
	model_count = 0;
	for (int step = 0; step < 200000; step++) {
		uint32_t op = unit_rand_below(100);
		if (op < 55) {                       /* insert, out of order */
			int i = pick_free();
			if (i < 0)
				continue;
			fail_next_alloc = unit_rand_below(50) == 0;
			if (!beep_heap_reserve(&h)) {
				/* Nothing changed; the model stays too. */
				CHECK_EQ(h.count, model_count);
				fail_next_alloc = 0;
				continue;
			}
			fail_next_alloc = 0;
			/* Few distinct deadlines too, so ties are common. */
			events[i].u.beep.deadline = now + 1 +
				(unit_rand_below(4) ? unit_rand_below(1000000) :
						      unit_rand_below(8));
			/* The inline insert (beep.c's) half the time. */
			if (unit_rand_below(2))
				beep_heap_insert(&h, &events[i]);
			else
				beep_heap_insert_inline(&h, &events[i]);
			in_model[i] = true;
			model_count++;
		} else if (op < 85) {                /* cancel any one */
			int i = pick_used();
			if (i < 0)
				continue;
			fail_next_alloc = unit_rand_below(4) == 0;  /* a failed shrink */
			beep_heap_remove(&h, &events[i]);
			fail_next_alloc = 0;
			in_model[i] = false;
			model_count--;
		} else {                             /* expire everything due */
			now += unit_rand_below(200000);
			struct event *ev;
			uint64_t last = 0;
			while ((ev = beep_heap_first(&h)) != NULL &&
			       ev->u.beep.deadline <= now) {
				CHECK(ev->u.beep.deadline >= last);   /* in order */
				last = ev->u.beep.deadline;
				beep_heap_remove(&h, ev);
				in_model[ev - events] = false;
				model_count--;
			}
			for (int i = 0; i < MAX_EVENTS; i++)
				if (in_model[i])
					CHECK(events[i].u.beep.deadline > now);
		}
		if (step % 97 == 0 || model_count < 20)
			check_heap(&h);
		if (unit_failures)
			return;
	}
	/* Drain: every event comes out in deadline order; the kmalloc'd array goes. */
	uint64_t last = 0;
	struct event *ev;
	while ((ev = beep_heap_first(&h)) != NULL) {
		CHECK(ev->u.beep.deadline >= last);
		last = ev->u.beep.deadline;
		beep_heap_remove(&h, ev);
		in_model[ev - events] = false;
		model_count--;
	}
	check_heap(&h);
	CHECK(h.slot == h.small && h.capacity == BEEP_HEAP_SMALL);
	CHECK_EQ(live_allocs, 0);
}

/* Grows past many doublings and shrinks back; capacity follows the count. */
static void grow_and_shrink(void)
{
	struct beep_heap h = { 0 };

	memset(in_model, 0, sizeof(in_model));
	model_count = 0;
	for (int i = MAX_EVENTS - 1; i >= 0; i--) {      /* reverse order */
		CHECK(beep_heap_reserve(&h));
		events[i].u.beep.deadline = (uint64_t)i;
		beep_heap_insert(&h, &events[i]);
		in_model[i] = true;
		model_count++;
	}
	check_heap(&h);
	CHECK(h.capacity >= MAX_EVENTS && h.capacity < 2 * MAX_EVENTS);
	CHECK_EQ(beep_heap_first(&h)->u.beep.deadline, 0);
	for (int i = 0; i < MAX_EVENTS - 10; i++) {
		beep_heap_remove(&h, &events[i]);
		in_model[i] = false;
		model_count--;
	}
	check_heap(&h);
	CHECK(h.capacity <= 64);
	for (int i = MAX_EVENTS - 10; i < MAX_EVENTS; i++) {
		beep_heap_remove(&h, &events[i]);
		in_model[i] = false;
		model_count--;
	}
	CHECK(h.slot == h.small);
	CHECK_EQ(live_allocs, 0);
}

/* A reserve whose insert never comes (the event could not be made); the
 * array inside the heap up to BEEP_HEAP_SMALL, a failed growth past it. */
static void reserve_then_trim(void)
{
	struct beep_heap h = { 0 };

	CHECK(beep_heap_reserve(&h));
	CHECK(h.capacity > 0);
	CHECK(h.slot == h.small);
	CHECK_EQ(live_allocs, 0);         /* no kmalloc for a few beeps */
	beep_heap_trim(&h);
	CHECK(h.slot == h.small && h.capacity == BEEP_HEAP_SMALL);
	memset(in_model, 0, sizeof(in_model));
	model_count = 0;
	for (int i = 0; i < BEEP_HEAP_SMALL; i++) {
		CHECK(beep_heap_reserve(&h));
		events[i].u.beep.deadline = (uint64_t)(BEEP_HEAP_SMALL - i);
		beep_heap_insert(&h, &events[i]);
		in_model[i] = true;
		model_count++;
	}
	CHECK_EQ(live_allocs, 0);
	fail_next_alloc = 1;
	CHECK(!beep_heap_reserve(&h));    /* the 17th needs a kmalloc */
	CHECK(h.slot == h.small && h.count == BEEP_HEAP_SMALL);
	check_heap(&h);
	fail_next_alloc = 0;
	CHECK(beep_heap_reserve(&h));
	CHECK(h.slot != h.small && live_allocs == 1);
	check_heap(&h);
	for (int i = 0; i < BEEP_HEAP_SMALL; i++) {
		beep_heap_remove(&h, &events[i]);
		in_model[i] = false;
		model_count--;
	}
	CHECK(h.slot == h.small && h.capacity == BEEP_HEAP_SMALL);
	CHECK_EQ(live_allocs, 0);
}

static void remove_foreign_panics_fn(void *arg)
{
	struct beep_heap *h = arg;
	static struct event other;

	other.u.beep.index = 0;
	beep_heap_remove(h, &other);
}

static void remove_foreign_panics(void)
{
	struct beep_heap h = { 0 };

	memset(in_model, 0, sizeof(in_model));
	beep_heap_reserve(&h);
	events[0].u.beep.deadline = 5;
	beep_heap_insert(&h, &events[0]);
	CHECK(unit_expect_panic(remove_foreign_panics_fn, &h));
	beep_heap_remove(&h, &events[0]);
	CHECK_EQ(live_allocs, 0);
}

int main(void)
{
	RUN(random_against_model);
	RUN(grow_and_shrink);
	RUN(reserve_then_trim);
	RUN(remove_foreign_panics);
	return unit_tests_failed ? 1 : 0;
}
