/*
 * The pending beeps: a binary min-heap of events keyed by
 * u.beep.deadline.  Each event keeps its index in the array
 * (u.beep.index), so cancelling one is O(log n), not a search.  Peeking at
 * the next deadline is O(1); insert and remove are O(log n).
 *
 * The array grows by doubling; up to BEEP_HEAP_SMALL events it is one
 * inside the struct, so a few beeps never allocate.  Growth is split out (beep_heap_reserve) so
 * that a caller can fail with NoMemory before it has created anything.
 * Pure logic, host-tested (tests/unit/test_beepheap.c).
 */
#ifndef BEEPHEAP_H
#define BEEPHEAP_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/event.h>
#include <kernel/panic.h>

#define BEEP_HEAP_SMALL 16

struct beep_heap {
	struct event **slot;          /* small, or kmalloc'd past it */
	uint32_t count;
	uint32_t capacity;
	struct event *small[BEEP_HEAP_SMALL];
};

/* Grows the array (beep_heap_reserve's slow path). */
bool beep_heap_grow(struct beep_heap *h);

/* No room for one more insert without growing the array. */
static inline bool beep_heap_full(const struct beep_heap *h)
{
	return __builtin_expect(h->count >= h->capacity, 0);
}

/* Room for one more insert; false (and nothing changed) if out of memory. */
static inline bool beep_heap_reserve(struct beep_heap *h)
{
	return !beep_heap_full(h) || beep_heap_grow(h);
}
/* Inserts ev; a beep_heap_reserve must have succeeded since the last insert. */
void beep_heap_insert(struct beep_heap *h, struct event *ev);
/* Moves the event at i towards the root while its parent is later. */
void beep_heap_sift_up(struct beep_heap *h, uint32_t i);

/* beep_heap_insert, inline: a deadline no earlier than its parent's (a
 * batch of beeps in order) stays where it lands, without a call. */
static inline void beep_heap_insert_inline(struct beep_heap *h, struct event *ev)
{
	uint32_t i = h->count;
	struct event **slot = h->slot;

	DEBUG_ASSERT(i < h->capacity);    /* reserved: checked just before */
	h->count = i + 1;
	slot[i] = ev;
	ev->u.beep.index = i;
	if (i > 0 && slot[(i - 1) / 2]->u.beep.deadline > ev->u.beep.deadline)
		beep_heap_sift_up(h, i);
}

/* Removes ev, which must be in h. */
void beep_heap_remove(struct beep_heap *h, struct event *ev);
/* Gives the array back if h is empty (after a reserve whose insert never came). */
void beep_heap_trim(struct beep_heap *h);

static inline struct event *beep_heap_first(const struct beep_heap *h)
{
	return h->count ? h->slot[0] : NULL;
}

#endif
