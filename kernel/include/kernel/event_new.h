/*
 * event_new's body, inline: the sources with a hot create path (beep)
 * take it without a call, and event.c's event_new is the same code for
 * the others.  For kernel/event only.
 */
#ifndef EVENT_NEW_H
#define EVENT_NEW_H

#include <stddef.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <kernel/kstat.h>
#include <kernel/evcache.h>
#include <kernel/mm.h>

#define EVENT_NO_SLOT UINT32_MAX

/* Grows p's slot array (event.c); false if it cannot. */
bool event_table_grow(struct event_table *t);

/* Events come from the event cache (evcache.h); the host tests keep
 * kmalloc, whose stand-in tracks every block under ASan. */
#ifdef HOST_TEST
#define event_obj_alloc() kmalloc(sizeof(struct event))
#define event_obj_free(ev) kfree(ev)
#else
_Static_assert(sizeof(struct event) == EVCACHE_OBJ, "an event is a cache object");
#define event_obj_alloc() evcache_alloc()
#define event_obj_free(ev) evcache_free(ev)
#endif

/* clear_u false: the caller sets the source's part of the union itself
 * (beep: its deadline and heap index; nothing reads the rest). */
static inline __attribute__((always_inline)) struct event *
event_new_inline(struct proc *p, const struct event_source *src,
		 EventId *id, enum status *st, bool clear_u)
{
	struct event_table *t = &p->events;

	if (__builtin_expect(t->free_head == EVENT_NO_SLOT, 0) &&
	    !event_table_grow(t)) {
		*st = t->capacity >= EVENTS_PER_PROC ? StatusNoSpace : StatusNoMemory;
		return NULL;
	}
	struct event *ev = event_obj_alloc();
	if (__builtin_expect(ev == NULL, 0)) {
		*st = StatusNoMemory;
		return NULL;
	}
	kstat_inc(KStatEvents);
	uint32_t slot = t->free_head;
	struct event_slot *s = &t->slots[slot];
	t->free_head = s->next_free;
	s->ev = ev;
	t->live++;
	/*
	 * Every field but the result bytes (result_size says how many are
	 * valid) starts zero, the source's union too: a store a field, where
	 * kzalloc's memset of 128 bytes (or gcc's rep stos for a struct
	 * assignment, a step per word under QEMU) cost a batch of beeps ~100
	 * instructions a call.  The assertion catches a field added before
	 * the result bytes, which must be set here.
	 */
	_Static_assert(offsetof(struct event, inline_result) == 72 &&
		       sizeof(ev->u) == 24,
		       "event_new must set every field of struct event");
	ev->state = EventPending;
	ev->result_chunks = 0;
	ev->source = src;
	ev->owner = p;
	ev->slot = slot;
	ev->leaf = 0;
	ev->wait = NULL;
	ev->failure = StatusOk;
	ev->result_size = 0;
	ev->stamp = 0;
	ev->cb = NULL;
	ev->result = NULL;
	if (clear_u)
		__builtin_memset(&ev->u, 0, sizeof(ev->u));
	*id = ((EventId)s->generation << 32) | (slot + 1);
	*st = StatusOk;
	return ev;
}

#endif
